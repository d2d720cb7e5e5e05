/** Over 400 lines: mirrors lean/Hydrogen/State/Lattice.lean declaration by declaration (laws, then each instance).
 * Join-semilattices and strong eventual consistency. Mirror of
 * `Hydrogen.State` (lean/Hydrogen/State/Lattice.lean).
 *
 * A state-based CRDT is a join-semilattice: merge (`join`) is associative,
 * commutative and idempotent, so replicas that merged the same states in any
 * order, grouping or duplication hold the same state
 * (`JoinSemilattice.joinAll_eq_of_same_members`). Lean's type classes become
 * explicit dictionaries here (`JoinSemilattice<A>`), with an `equals` standing
 * for Lean's `DecidableEq`.
 *
 * Representations:
 * - `NatMax` is a plain `number` (a non-negative safe integer; Lean's
 *   `structure NatMax where value : Nat`).
 * - `Bitset` is a strictly increasing array of non-negative safe integers —
 *   the ids whose bits are set. Lean stores the bitmask `bits = ∑ 2^i`; the
 *   two are in bijection (`Bitset.toBits` / `Bitset.ofBits`), and `join`
 *   (bitwise or) is sorted-merge union, `mem` (testBit) is membership.
 *   Sorted arrays keep sparse sets of large ids (OR-set tags) cheap, where a
 *   bigint mask would cost one bit per id below the largest.
 * - `Option α` is `A | undefined` (`none` is `undefined`).
 *
 * Domain (see `Aggregate/Domain.ts`): Lean's `Nat` is a non-negative safe
 * integer. `NatMax.join`, `Bitset.singleton`/`ofList`, `single` and `setAt`
 * throw `OutOfDomain` on anything else (NaN, ±Infinity, fractions, negatives,
 * beyond 2^53 − 1); `max` cannot overflow. `Bitset.join`/`diff`/`inter` do not
 * re-check their arrays per element: a `Bitset` is only made by
 * `singleton`/`ofList`/`ofBits` or the state decoder, which validate
 * (`Bitset.isValid` checks one that was built by hand).
 * - Pairs `α × β` are readonly tuples `readonly [A, B]`.
 * - Pointwise lists `List α` are readonly arrays; as in Lean their length is
 *   part of the value (`[0]` and `[]` are different lists), and missing
 *   entries read as `bot` (`entry`).
 *
 * @module
 */
import { OutOfDomain, requireNat } from "../Aggregate/Domain.ts"
import { mergeUnion } from "../Aggregate/SortedMerge.ts"

/**
 * A join-semilattice: the merge of replica states, plus equality.
 * Laws (proved in Lean for every instance here, tested in TS):
 * `join` is associative, commutative and idempotent.
 *
 * @lean Hydrogen.State.JoinSemilattice
 */
export interface JoinSemilattice<A> {
  readonly join: (a: A, b: A) => A
  readonly equals: (a: A, b: A) => boolean
}

/**
 * A lattice with a least element `bot`: the value of an entry nobody has
 * written (`join(bot, a) = a`).
 *
 * @lean Hydrogen.State.JoinSemilatticeBot
 */
export interface JoinSemilatticeBot<A> extends JoinSemilattice<A> {
  readonly bot: A
}

/**
 * The lattice order: `a ≤ b` exactly when merging `a` into `b` changes nothing.
 *
 * @lean Hydrogen.State.JoinSemilattice.le
 */
export const le = <A>(L: JoinSemilattice<A>, a: A, b: A): boolean => L.equals(L.join(a, b), b)

/**
 * A replica that starts at `s` and merges the received states in order
 * (`xs.foldl join s`).
 *
 * @lean Hydrogen.State.JoinSemilattice.joinAll
 */
export const joinAll = <A>(L: JoinSemilattice<A>, s: A, xs: ReadonlyArray<A>): A => {
  let acc = s
  for (const x of xs) acc = L.join(acc, x)
  return acc
}

// ---------------------------------------------------------------------------
// NatMax

/**
 * Natural numbers under `max` (counters, clocks, timestamps): a non-negative
 * safe integer.
 *
 * @lean Hydrogen.State.NatMax
 */
export type NatMax = number

const natMaxJoin = (a: NatMax, b: NatMax): NatMax => {
  requireNat("NatMax.join", "a", a)
  requireNat("NatMax.join", "b", b)
  return a >= b ? a : b
}

const natMaxLattice: JoinSemilatticeBot<NatMax> = {
  join: natMaxJoin,
  equals: (a, b) => a === b,
  bot: 0,
}

/** Operations on `NatMax`. */
export const NatMax = {
  /**
   * `max a b`.
   *
   * @lean Hydrogen.State.NatMax.join
   */
  join: natMaxJoin,
  /**
   * The max-lattice on naturals.
   *
   * @lean Hydrogen.State.NatMax.joinSemilattice
   */
  joinSemilattice: natMaxLattice as JoinSemilattice<NatMax>,
  /**
   * The max-lattice with `bot = 0`.
   *
   * @lean Hydrogen.State.NatMax.joinSemilatticeBot
   */
  joinSemilatticeBot: natMaxLattice,
} as const

// ---------------------------------------------------------------------------
// Bitset

/**
 * A grow-only set of ids: the strictly increasing list of ids whose bit is set
 * in Lean's bitmask (`bits = ∑_{i ∈ s} 2^i`).
 *
 * @lean Hydrogen.State.Bitset
 */
export type Bitset = ReadonlyArray<number>

const EMPTY_BITSET: Bitset = Object.freeze([]) as Bitset

/** Sorted-merge union: the bitwise or of the masks. */
const numLt = (x: number, y: number): boolean => x < y
const bitsetJoin = (a: Bitset, b: Bitset): Bitset => (a.length === 0 ? b : b.length === 0 ? a : mergeUnion(a, b, numLt))

const bitsetEquals = (a: Bitset, b: Bitset): boolean => {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Binary search membership. */
const bitsetMem = (i: number, s: Bitset): boolean => {
  let lo = 0
  let hi = s.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const v = s[mid]!
    if (v === i) return true
    if (v < i) lo = mid + 1
    else hi = mid
  }
  return false
}

/** `a \ b` (Lean: `a ^^^ (a &&& b)`). */
const bitsetDiff = (a: Bitset, b: Bitset): Bitset => {
  if (a.length === 0 || b.length === 0) return a
  const out: number[] = []
  let j = 0
  for (const x of a) {
    while (j < b.length && b[j]! < x) j++
    if (j < b.length && b[j] === x) continue
    out.push(x)
  }
  return out.length === a.length ? a : out
}

/** `a ∩ b` (Lean: `a &&& b`). */
const bitsetInter = (a: Bitset, b: Bitset): Bitset => {
  const out: number[] = []
  let j = 0
  for (const x of a) {
    while (j < b.length && b[j]! < x) j++
    if (j < b.length && b[j] === x) out.push(x)
  }
  return out
}

const bitsetLattice: JoinSemilatticeBot<Bitset> = { join: bitsetJoin, equals: bitsetEquals, bot: EMPTY_BITSET }

const isId = (i: number): boolean => Number.isSafeInteger(i) && i >= 0

/** Operations on `Bitset`. */
export const Bitset = {
  /** The empty set (Lean `⟨0⟩`). */
  empty: EMPTY_BITSET,
  /**
   * Union: Lean's `a.bits ||| b.bits`.
   *
   * @lean Hydrogen.State.Bitset.join
   */
  join: bitsetJoin,
  /**
   * Membership: Lean's `s.bits.testBit i`.
   *
   * @lean Hydrogen.State.Bitset.mem
   */
  mem: bitsetMem,
  /**
   * The union lattice.
   *
   * @lean Hydrogen.State.Bitset.joinSemilattice
   */
  joinSemilattice: bitsetLattice as JoinSemilattice<Bitset>,
  /**
   * The union lattice with `bot = ∅`.
   *
   * @lean Hydrogen.State.Bitset.joinSemilatticeBot
   */
  joinSemilatticeBot: bitsetLattice,
  equals: bitsetEquals,
  /** `a \ b`: Lean's `a ^^^ (a &&& b)`. */
  diff: bitsetDiff,
  /** `a ∩ b`: Lean's `a &&& b`. */
  inter: bitsetInter,
  /** The set `{i}` (Lean `⟨2 ^ i⟩`). Throws `OutOfDomain` unless `i` is a natural number. */
  singleton: (i: number): Bitset => [requireNat("Bitset.singleton", "id", i)],
  /** The set of the listed ids (any order, duplicates allowed). Throws `OutOfDomain` on a non-id. */
  ofList: (ids: Iterable<number>): Bitset => {
    const out = [...new Set(ids)]
    for (const i of out) requireNat("Bitset.ofList", "id", i)
    return out.sort((x, y) => x - y)
  },
  /** Lean's mask `bits = ∑ 2^i` of the set. */
  toBits: (s: Bitset): bigint => {
    let acc = 0n
    for (const i of s) acc |= 1n << BigInt(i)
    return acc
  },
  /** The set whose mask is `bits` (a non-negative bigint). */
  ofBits: (bits: bigint): Bitset => {
    if (typeof bits !== "bigint" || bits < 0n) throw new OutOfDomain({ where: "Bitset.ofBits", field: "bits", value: bits, domain: "Nat" })
    const out: number[] = []
    for (let i = 0; bits > 0n; i++, bits >>= 1n) if ((bits & 1n) === 1n) out.push(i)
    return out
  },
  /** True for a strictly increasing array of non-negative safe integers (a valid `Bitset`). */
  isValid: (s: ReadonlyArray<number>): boolean => {
    for (let i = 0; i < s.length; i++) {
      const v = s[i]!
      if (!isId(v)) return false
      if (i > 0 && !(s[i - 1]! < v)) return false
    }
    return true
  },
} as const

// ---------------------------------------------------------------------------
// Products and options

/**
 * Product of two lattices, merged componentwise.
 *
 * @lean Hydrogen.State.prodJoin
 */
export const prodJoin =
  <A, B>(LA: JoinSemilattice<A>, LB: JoinSemilattice<B>) =>
  (a: readonly [A, B], b: readonly [A, B]): readonly [A, B] => [LA.join(a[0], b[0]), LB.join(a[1], b[1])]

/**
 * The product lattice `α × β`.
 *
 * @lean Hydrogen.State.prodJoinSemilattice
 */
export const prodJoinSemilattice = <A, B>(
  LA: JoinSemilattice<A>,
  LB: JoinSemilattice<B>,
): JoinSemilattice<readonly [A, B]> => ({
  join: prodJoin(LA, LB),
  equals: (a, b) => LA.equals(a[0], b[0]) && LB.equals(a[1], b[1]),
})

/**
 * The product lattice with `bot = (bot, bot)`.
 *
 * @lean Hydrogen.State.prodJoinSemilatticeBot
 */
export const prodJoinSemilatticeBot = <A, B>(
  LA: JoinSemilatticeBot<A>,
  LB: JoinSemilatticeBot<B>,
): JoinSemilatticeBot<readonly [A, B]> => ({ ...prodJoinSemilattice(LA, LB), bot: [LA.bot, LB.bot] })

/**
 * `none` (here `undefined`) below everything: an absent entry.
 *
 * @lean Hydrogen.State.optionJoin
 */
export const optionJoin =
  <A>(L: JoinSemilattice<A>) =>
  (a: A | undefined, b: A | undefined): A | undefined =>
    a === undefined ? b : b === undefined ? a : L.join(a, b)

const optionEquals =
  <A>(L: JoinSemilattice<A>) =>
  (a: A | undefined, b: A | undefined): boolean =>
    a === undefined || b === undefined ? a === b : L.equals(a, b)

/**
 * The option lattice `Option α`.
 *
 * @lean Hydrogen.State.optionJoinSemilattice
 */
export const optionJoinSemilattice = <A>(L: JoinSemilattice<A>): JoinSemilattice<A | undefined> => ({
  join: optionJoin(L),
  equals: optionEquals(L),
})

/**
 * The option lattice with `bot = none`.
 *
 * @lean Hydrogen.State.optionJoinSemilatticeBot
 */
export const optionJoinSemilatticeBot = <A>(L: JoinSemilattice<A>): JoinSemilatticeBot<A | undefined> => ({
  join: optionJoin(L),
  equals: optionEquals(L),
  bot: undefined,
})

// ---------------------------------------------------------------------------
// Pointwise lists

/**
 * Pointwise join of two lists indexed by replica or key; the shorter list is
 * padded with "nothing" (its tail is copied from the longer list).
 *
 * @lean Hydrogen.State.zipJoin
 */
export const zipJoin = <A>(L: JoinSemilattice<A>, xs: ReadonlyArray<A>, ys: ReadonlyArray<A>): ReadonlyArray<A> => {
  const [long, short] = xs.length >= ys.length ? [xs, ys] : [ys, xs]
  if (short.length === 0) return long
  const out = long.slice()
  // Argument order as in Lean: `join x y` with `x` from `xs`.
  for (let i = 0; i < short.length; i++) out[i] = L.join(xs[i]!, ys[i]!)
  return out
}

/** Pointwise list equality: same length, equal entries. */
export const listEquals = <A>(L: JoinSemilattice<A>, xs: ReadonlyArray<A>, ys: ReadonlyArray<A>): boolean => {
  if (xs === ys) return true
  if (xs.length !== ys.length) return false
  for (let i = 0; i < xs.length; i++) if (!L.equals(xs[i]!, ys[i]!)) return false
  return true
}

/**
 * Lists merged entry by entry form a lattice (the shape of counters, clocks and maps).
 *
 * @lean Hydrogen.State.listJoinSemilattice
 */
export const listJoinSemilattice = <A>(L: JoinSemilattice<A>): JoinSemilattice<ReadonlyArray<A>> => ({
  join: (xs, ys) => zipJoin(L, xs, ys),
  equals: (xs, ys) => listEquals(L, xs, ys),
})

/**
 * Entry `r` of a pointwise list; missing entries are `bot`.
 *
 * @lean Hydrogen.State.entry
 */
export const entry = <A>(L: JoinSemilatticeBot<A>, xs: ReadonlyArray<A>, r: number): A =>
  requireNat("entry", "index", r) < xs.length ? (xs[r] as A) : L.bot

/**
 * A list holding `d` at position `r` and `bot` before it: the delta of a change at `r`.
 *
 * @lean Hydrogen.State.single
 */
export const single = <A>(L: JoinSemilatticeBot<A>, r: number, d: A): ReadonlyArray<A> => {
  requireNat("single", "index", r)
  const out = new Array<A>(r + 1).fill(L.bot)
  out[r] = d
  return out
}

/**
 * Replace entry `r` by `v`, padding with `bot`.
 *
 * @lean Hydrogen.State.setAt
 */
export const setAt = <A>(L: JoinSemilatticeBot<A>, r: number, v: A, xs: ReadonlyArray<A>): ReadonlyArray<A> => {
  requireNat("setAt", "index", r)
  const out = xs.slice()
  while (out.length < r) out.push(L.bot)
  out[r] = v
  return out
}
