/**
 * Counters and vector clocks. Mirror of lean/Hydrogen/State/Counter.lean.
 *
 * A grow-only counter keeps one entry per replica (dense by replica id, as in
 * Lean's `List NatMax`), merged by `max`; its value is the sum. A PN-counter
 * is two of them (increments, decrements). A vector clock has the same shape;
 * it orders events by happened-before. Each mutator has a delta mutator whose
 * result, joined into the state, equals the mutator's result
 * (`GCounter.join_incDelta` and friends). What the values mean is proved too:
 * an increment adds one (`GCounter.value_inc`), a merge's value lies between
 * the larger value and the sum (`GCounter.value_join_ge`/`_le`),
 * happened-before is the strict part of `leq` (`VectorClock.happenedBefore_iff`).
 *
 * Domain (see `Aggregate/Domain.ts`): entries (counts, ticks) and replica ids
 * are Lean `Nat`s, i.e. non-negative safe integers. Every public operation
 * except `equals` checks what it reads and throws `OutOfDomain` on anything
 * else (NaN, ±Infinity, fractions, negatives, beyond 2^53 − 1); an increment
 * or tick of an entry at 2^53 − 1, or a value (sum) past it, throws
 * `SafeIntegerOverflow` instead of rounding. One capacity limit that Lean does
 * not have: the lists are dense, so mutators and `make` take replica ids below
 * `MAX_REPLICAS` = 2^24 (the state encoding's longest list) and throw a
 * `RangeError` above it, before allocating. Reading (`get`) any `Nat` id is
 * fine. States are immutable: every operation returns a new value.
 *
 * Representation caveat (proved in Lean): lists are compared with their
 * length, so `[0]` and `[]` are different states that read the same
 * (`VectorClock.leq_antisymm_counterexample`); `leq` and the theorems about
 * it speak about `get`.
 *
 * @module
 */
import { addExact, OutOfDomain, requireNat } from "../Aggregate/Domain.ts"
import type { JoinSemilatticeBot } from "./Lattice.ts"
import { NatMax, listEquals, single, setAt, zipJoin } from "./Lattice.ts"
import * as Gen from "../../gen/ts/State/Counter.ts"

/**
 * Replica ids of mutators are below this (2^24, the longest list a state
 * encoding holds, `Encoding.MAX_LENGTH`): a dense list of `MAX_REPLICAS`
 * entries is the largest state that still encodes. Not a Lean bound.
 */
export const MAX_REPLICAS = 2 ** 24

const N = NatMax.joinSemilatticeBot
const numsEqual = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean => listEquals(N, a, b)

/** Throws `OutOfDomain` unless every entry of `xs` is a Lean `Nat`. */
const checkNats = (where: string, field: string, xs: ReadonlyArray<number>): ReadonlyArray<number> => {
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]
    if (!(Number.isSafeInteger(x) && x! >= 0)) throw new OutOfDomain({ where, field: `${field}[${i}]`, value: x, domain: "Nat" })
  }
  return xs
}

/** A replica id a mutator may write: a `Nat` (else `OutOfDomain`) below `MAX_REPLICAS` (else `RangeError`). */
const checkReplica = (where: string, r: number): number => {
  requireNat(where, "replica", r)
  if (r >= MAX_REPLICAS) throw new RangeError(`${where}: replica ${r} is not below MAX_REPLICAS = 2^24 (dense lists are limited to the encoding's longest list)`)
  return r
}

/** A list a constructor accepts: `Nat` entries, at most `MAX_REPLICAS` of them. */
const checkList = (where: string, field: string, xs: ReadonlyArray<number>): ReadonlyArray<number> => {
  if (xs.length > MAX_REPLICAS) throw new RangeError(`${where}: ${field} has ${xs.length} entries, more than MAX_REPLICAS = 2^24`)
  return checkNats(where, field, xs).slice()
}

/** Entry `r` (0 when missing); `r` and the entry read must be `Nat`s. */
const at = (where: string, field: string, xs: ReadonlyArray<number>, r: number): number => {
  requireNat(where, "replica", r)
  return r < xs.length ? requireNat(where, `${field}[${r}]`, xs[r]!) : 0
}

/** The sum of the entries, exactly, or `SafeIntegerOverflow`. */
const sumNats = (where: string, field: string, xs: ReadonlyArray<number>): number => {
  checkNats(where, field, xs)
  let s = 0
  for (const x of xs) s = addExact(where, s, x)
  return s
}

// ---------------------------------------------------------------------------
// GCounter

/**
 * Grow-only counter: entry `r` counts replica `r`'s increments.
 *
 * @lean Hydrogen.State.GCounter
 */
export interface GCounter {
  readonly counts: ReadonlyArray<number>
}

/** Lean's entries (NatMax, bigint) as the counts this module keeps. */
const fromGen = (xs: ReadonlyArray<{ readonly value: bigint }>): ReadonlyArray<number> => xs.map((x) => Number(x.value))

// The empty states are read from gen/ts/ (Lean's own values), not restated.
const gEmpty: GCounter = { counts: fromGen(Gen.GCounter_empty.counts) }
const gJoin = (a: GCounter, b: GCounter): GCounter => ({
  counts: zipJoin(N, checkNats("GCounter.join", "a.counts", a.counts), checkNats("GCounter.join", "b.counts", b.counts)),
})
const gEquals = (a: GCounter, b: GCounter): boolean => numsEqual(a.counts, b.counts)
const gGet = (c: GCounter, r: number): number => at("GCounter.get", "counts", c.counts, r)
const gValue = (c: GCounter): number => sumNats("GCounter.value", "counts", c.counts)
/** `inc r` (`where` names the caller in errors). */
const gIncAt = (where: string, r: number, c: GCounter): GCounter => {
  checkReplica(where, r)
  checkNats(where, "counts", c.counts)
  return { counts: setAt(N, r, addExact(where, at(where, "counts", c.counts, r), 1), c.counts) }
}
const gIncDeltaAt = (where: string, r: number, c: GCounter): GCounter => {
  checkReplica(where, r)
  return { counts: single(N, r, addExact(where, at(where, "counts", c.counts, r), 1)) }
}
const gInc = (r: number, c: GCounter): GCounter => gIncAt("GCounter.inc", r, c)
const gIncDelta = (r: number, c: GCounter): GCounter => gIncDeltaAt("GCounter.incDelta", r, c)
const gMake = (counts: ReadonlyArray<number>): GCounter => ({ counts: checkList("GCounter.make", "counts", counts) })
const gLattice: JoinSemilatticeBot<GCounter> = { join: gJoin, equals: gEquals, bot: gEmpty }

/** Operations on `GCounter` (names as in Lean). */
export const GCounter = {
  /**
   * The counter nobody has incremented.
   *
   * @lean Hydrogen.State.GCounter.empty
   */
  empty: gEmpty,
  /**
   * The counter with these entries, checked: `OutOfDomain` on a non-`Nat`
   * entry, `RangeError` on more than `MAX_REPLICAS` entries. Not a Lean
   * declaration (Lean's anonymous constructor `⟨counts⟩` needs no check).
   */
  make: gMake,
  /**
   * Entrywise max (`zipJoin`).
   *
   * @lean Hydrogen.State.GCounter.join
   */
  join: gJoin,
  /** Structural equality (Lean's `DecidableEq`: same list, length included). */
  equals: gEquals,
  /**
   * Replica `r`'s entry (0 when missing).
   *
   * @lean Hydrogen.State.GCounter.get
   */
  get: gGet,
  /**
   * The counter's value: the sum of all replicas' entries
   * (`SafeIntegerOverflow` when the sum passes 2^53 − 1).
   *
   * @lean Hydrogen.State.GCounter.value
   */
  value: gValue,
  /**
   * Replica `r` increments by one. `SafeIntegerOverflow` when entry `r` is
   * already 2^53 − 1.
   *
   * @lean Hydrogen.State.GCounter.inc
   */
  inc: gInc,
  /**
   * The delta of `inc r`: just replica `r`'s new entry (`single r (get r + 1)`).
   *
   * @lean Hydrogen.State.GCounter.incDelta
   */
  incDelta: gIncDelta,
  /**
   * The grow-only-counter lattice (`bot` = `empty`, a TS addition).
   *
   * @lean Hydrogen.State.GCounter.joinSemilattice
   */
  joinSemilattice: gLattice,
} as const

// ---------------------------------------------------------------------------
// PNCounter

/**
 * Counter with increments and decrements: a pair of grow-only counters.
 *
 * @lean Hydrogen.State.PNCounter
 */
export interface PNCounter {
  readonly incs: GCounter
  readonly decs: GCounter
}

const pEmpty: PNCounter = { incs: { counts: fromGen(Gen.PNCounter_empty.incs.counts) }, decs: { counts: fromGen(Gen.PNCounter_empty.decs.counts) } }
const pJoin = (a: PNCounter, b: PNCounter): PNCounter => ({ incs: gJoin(a.incs, b.incs), decs: gJoin(a.decs, b.decs) })
const pMake = (incs: ReadonlyArray<number>, decs: ReadonlyArray<number>): PNCounter => ({
  incs: { counts: checkList("PNCounter.make", "incs", incs) },
  decs: { counts: checkList("PNCounter.make", "decs", decs) },
})
const pEquals = (a: PNCounter, b: PNCounter): boolean => gEquals(a.incs, b.incs) && gEquals(a.decs, b.decs)
const pLattice: JoinSemilatticeBot<PNCounter> = { join: pJoin, equals: pEquals, bot: pEmpty }

/** Operations on `PNCounter` (names as in Lean). */
export const PNCounter = {
  /**
   * Both counters empty.
   *
   * @lean Hydrogen.State.PNCounter.empty
   */
  empty: pEmpty,
  /**
   * The counter with these increment and decrement entries, checked as
   * `GCounter.make` checks. Not a Lean declaration.
   */
  make: pMake,
  /**
   * Componentwise join.
   *
   * @lean Hydrogen.State.PNCounter.join
   */
  join: pJoin,
  /** Structural equality. */
  equals: pEquals,
  /**
   * Increments minus decrements (Lean `Int`). Each sum must be safe
   * (`SafeIntegerOverflow` otherwise); their difference then is.
   *
   * @lean Hydrogen.State.PNCounter.value
   */
  value: (c: PNCounter): number =>
    sumNats("PNCounter.value", "incs.counts", c.incs.counts) - sumNats("PNCounter.value", "decs.counts", c.decs.counts),
  /**
   * Replica `r` increments.
   *
   * @lean Hydrogen.State.PNCounter.inc
   */
  inc: (r: number, c: PNCounter): PNCounter => ({ incs: gIncAt("PNCounter.inc", r, c.incs), decs: c.decs }),
  /**
   * Replica `r` decrements.
   *
   * @lean Hydrogen.State.PNCounter.dec
   */
  dec: (r: number, c: PNCounter): PNCounter => ({ incs: c.incs, decs: gIncAt("PNCounter.dec", r, c.decs) }),
  /**
   * The delta of `inc r`: `⟨incs.incDelta r, empty⟩`.
   *
   * @lean Hydrogen.State.PNCounter.incDelta
   */
  incDelta: (r: number, c: PNCounter): PNCounter => ({ incs: gIncDeltaAt("PNCounter.incDelta", r, c.incs), decs: gEmpty }),
  /**
   * The delta of `dec r`: `⟨empty, decs.incDelta r⟩`.
   *
   * @lean Hydrogen.State.PNCounter.decDelta
   */
  decDelta: (r: number, c: PNCounter): PNCounter => ({ incs: gEmpty, decs: gIncDeltaAt("PNCounter.decDelta", r, c.decs) }),
  /**
   * The PN-counter lattice (`bot` = `empty`, a TS addition).
   *
   * @lean Hydrogen.State.PNCounter.joinSemilattice
   */
  joinSemilattice: pLattice,
} as const

// ---------------------------------------------------------------------------
// VectorClock

/**
 * Vector clock: entry `r` is the number of events replica `r` has seen from itself.
 *
 * @lean Hydrogen.State.VectorClock
 */
export interface VectorClock {
  readonly ticks: ReadonlyArray<number>
}

const vEmpty: VectorClock = { ticks: fromGen(Gen.VectorClock_empty.ticks) }
const vJoin = (a: VectorClock, b: VectorClock): VectorClock => ({
  ticks: zipJoin(N, checkNats("VectorClock.join", "a.ticks", a.ticks), checkNats("VectorClock.join", "b.ticks", b.ticks)),
})
const vEquals = (a: VectorClock, b: VectorClock): boolean => numsEqual(a.ticks, b.ticks)
const vGet = (v: VectorClock, r: number): number => at("VectorClock.get", "ticks", v.ticks, r)
const vCheck2 = (where: string, a: VectorClock, b: VectorClock): void => {
  checkNats(where, "a.ticks", a.ticks)
  checkNats(where, "b.ticks", b.ticks)
}
const vLeq = (a: VectorClock, b: VectorClock): boolean => {
  vCheck2("VectorClock.leq", a, b)
  const n = Math.max(a.ticks.length, b.ticks.length)
  for (let r = 0; r < n; r++) if ((a.ticks[r] ?? 0) > (b.ticks[r] ?? 0)) return false
  return true
}
const vLattice: JoinSemilatticeBot<VectorClock> = { join: vJoin, equals: vEquals, bot: vEmpty }

/** Operations on `VectorClock` (names as in Lean). */
export const VectorClock = {
  /**
   * No events seen.
   *
   * @lean Hydrogen.State.VectorClock.empty
   */
  empty: vEmpty,
  /**
   * The clock with these entries, checked as `GCounter.make` checks. Not a
   * Lean declaration.
   */
  make: (ticks: ReadonlyArray<number>): VectorClock => ({ ticks: checkList("VectorClock.make", "ticks", ticks) }),
  /**
   * Entrywise max.
   *
   * @lean Hydrogen.State.VectorClock.join
   */
  join: vJoin,
  /** Structural equality (length included, as in Lean). */
  equals: vEquals,
  /**
   * Replica `r`'s entry (0 when missing).
   *
   * @lean Hydrogen.State.VectorClock.get
   */
  get: vGet,
  /**
   * Replica `r` records a new local event. `SafeIntegerOverflow` when entry
   * `r` is already 2^53 − 1.
   *
   * @lean Hydrogen.State.VectorClock.tick
   */
  tick: (r: number, v: VectorClock): VectorClock => {
    checkReplica("VectorClock.tick", r)
    checkNats("VectorClock.tick", "ticks", v.ticks)
    return { ticks: setAt(N, r, addExact("VectorClock.tick", at("VectorClock.tick", "ticks", v.ticks, r), 1), v.ticks) }
  },
  /**
   * The delta of `tick r`: `single r (get r + 1)`.
   *
   * @lean Hydrogen.State.VectorClock.tickDelta
   */
  tickDelta: (r: number, v: VectorClock): VectorClock => {
    checkReplica("VectorClock.tickDelta", r)
    return { ticks: single(N, r, addExact("VectorClock.tickDelta", at("VectorClock.tickDelta", "ticks", v.ticks, r), 1)) }
  },
  /**
   * `a` is below or equal to `b` in every entry (checked over the longer length).
   *
   * @lean Hydrogen.State.VectorClock.leq
   */
  leq: vLeq,
  /**
   * Happened-before: below or equal everywhere and strictly below somewhere.
   *
   * @lean Hydrogen.State.VectorClock.happenedBefore
   */
  happenedBefore: (a: VectorClock, b: VectorClock): boolean => {
    vCheck2("VectorClock.happenedBefore", a, b)
    if (!vLeq(a, b)) return false
    const n = Math.max(a.ticks.length, b.ticks.length)
    for (let r = 0; r < n; r++) if ((a.ticks[r] ?? 0) < (b.ticks[r] ?? 0)) return true
    return false
  },
  /**
   * Neither is below or equal to the other.
   *
   * @lean Hydrogen.State.VectorClock.concurrent
   */
  concurrent: (a: VectorClock, b: VectorClock): boolean => {
    vCheck2("VectorClock.concurrent", a, b)
    return !vLeq(a, b) && !vLeq(b, a)
  },
  /**
   * Entrywise minimum of the clocks (over the shortest length; missing entries
   * are 0): what every one of them has seen. Used for causal stability
   * (`Gc.ts`). Not a Lean declaration. The minimum of no clocks is `empty`.
   */
  meet: (clocks: ReadonlyArray<VectorClock>): VectorClock => {
    if (clocks.length === 0) return vEmpty
    let n = Infinity
    for (const c of clocks) n = Math.min(n, checkNats("VectorClock.meet", "ticks", c.ticks).length)
    const out = new Array<number>(n)
    for (let r = 0; r < n; r++) {
      let m = Infinity
      for (const c of clocks) m = Math.min(m, c.ticks[r]!)
      out[r] = m
    }
    return { ticks: out }
  },
  /**
   * The vector-clock lattice (`bot` = `empty`, a TS addition).
   *
   * @lean Hydrogen.State.VectorClock.joinSemilattice
   */
  joinSemilattice: vLattice,
} as const
