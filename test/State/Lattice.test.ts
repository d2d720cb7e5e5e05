import fc from "fast-check"
import { OutOfDomain } from "../../src/Aggregate/Domain.ts"
import { describe, expect, it } from "vitest"
import { GCounter } from "../../src/State/Counter.ts"
import type { JoinSemilattice, JoinSemilatticeBot } from "../../src/State/Lattice.ts"
import {
  Bitset,
  entry,
  joinAll,
  le,
  listJoinSemilattice,
  NatMax,
  optionJoin,
  optionJoinSemilattice,
  optionJoinSemilatticeBot,
  prodJoin,
  prodJoinSemilattice,
  prodJoinSemilatticeBot,
  setAt,
  single,
  zipJoin,
} from "../../src/State/Lattice.ts"
import { ORMap, ORSet } from "../../src/State/ORSet.ts"
import { LWWMap, LWWReg } from "../../src/State/Register.ts"
import { ViewportState } from "../../src/State/Viewport.ts"
import {
  assoc,
  bitsetArb,
  comm,
  gcounterArb,
  idem,
  lwwMapArb,
  natListArb,
  optRegArb,
  orsetArb,
  ormapArb,
  params,
  permArb,
  regArb,
  sameMembersArb,
  viewportArb,
} from "./arbitraries.ts"

const N = NatMax.joinSemilatticeBot
const smallNat = fc.nat(5)
const natArb = fc.nat(1_000_000)
const bigBitsetArb = fc.uniqueArray(fc.nat(200), { maxLength: 12 }).map((xs) => Bitset.ofList(xs))

// Lattices used for the generic JoinSemilattice theorems.
interface Case<A> {
  readonly name: string
  readonly L: JoinSemilattice<A>
  readonly arb: fc.Arbitrary<A>
}
const cases: ReadonlyArray<Case<any>> = [
  { name: "NatMax", L: NatMax.joinSemilattice, arb: smallNat },
  { name: "Bitset", L: Bitset.joinSemilattice, arb: bitsetArb },
  { name: "LWWReg", L: LWWReg.joinSemilattice, arb: regArb },
  { name: "GCounter", L: GCounter.joinSemilattice, arb: gcounterArb },
  { name: "LWWMap", L: LWWMap.joinSemilattice, arb: lwwMapArb },
  { name: "ORSet", L: ORSet.joinSemilattice, arb: orsetArb },
  { name: "ORMap", L: ORMap.joinSemilattice, arb: ormapArb },
  { name: "ViewportState", L: ViewportState.joinSemilattice, arb: viewportArb },
]
const forAllCases = (check: <A>(c: Case<A>) => void): void => {
  for (const c of cases) check(c)
}

// Reference: Lean's zipJoin by structural recursion on plain lists.
const refZipJoin = <A>(j: (a: A, b: A) => A, xs: ReadonlyArray<A>, ys: ReadonlyArray<A>): A[] =>
  xs.length === 0 ? [...ys] : ys.length === 0 ? [...xs] : [j(xs[0]!, ys[0]!), ...refZipJoin(j, xs.slice(1), ys.slice(1))]
// Reference: Lean's setAt by structural recursion.
const refSetAt = <A>(bot: A, r: number, v: A, xs: ReadonlyArray<A>): A[] =>
  r === 0 ? [v, ...xs.slice(1)] : [xs.length === 0 ? bot : xs[0]!, ...refSetAt(bot, r - 1, v, xs.slice(1))]

describe("Lattice: definitions against references", () => {
  it("NatMax.join is max; Bitset.join/mem agree with Lean's bitmask (or, testBit) via toBits", () => {
    fc.assert(fc.property(natArb, natArb, (a, b) => NatMax.join(a, b) === Math.max(a, b)), params)
    fc.assert(
      fc.property(bigBitsetArb, bigBitsetArb, fc.nat(210), (a, b, i) => {
        expect(Bitset.toBits(Bitset.join(a, b))).toBe(Bitset.toBits(a) | Bitset.toBits(b))
        expect(Bitset.mem(i, a)).toBe(((Bitset.toBits(a) >> BigInt(i)) & 1n) === 1n)
        expect(Bitset.toBits(Bitset.diff(a, b))).toBe(Bitset.toBits(a) ^ (Bitset.toBits(a) & Bitset.toBits(b)))
        expect(Bitset.toBits(Bitset.inter(a, b))).toBe(Bitset.toBits(a) & Bitset.toBits(b))
        expect(Bitset.ofBits(Bitset.toBits(a))).toEqual(a)
        expect(Bitset.isValid(a)).toBe(true)
      }),
      params,
    )
    expect(Bitset.toBits([0, 3])).toBe(9n)
    expect(Bitset.ofBits(0b10110n)).toEqual([1, 2, 4])
    expect(Bitset.isValid([2, 1])).toBe(false)
    expect(() => Bitset.singleton(-1)).toThrow(OutOfDomain)
  })

  it("le, joinAll, prodJoin, optionJoin, zipJoin, entry, single, setAt follow their Lean definitions", () => {
    expect(le(N, 2, 5)).toBe(true)
    expect(le(N, 5, 2)).toBe(false)
    expect(joinAll(N, 1, [4, 2, 7, 3])).toBe(7)
    expect(joinAll(N, 9, [])).toBe(9)
    expect(prodJoin(N, Bitset.joinSemilattice)([1, [2]], [3, [0]])).toEqual([3, [0, 2]])
    expect(optionJoin(N)(undefined, 4)).toBe(4)
    expect(optionJoin(N)(4, undefined)).toBe(4)
    expect(optionJoin(N)(4, 6)).toBe(6)
    expect(optionJoin(N)(undefined, undefined)).toBe(undefined)
    expect(zipJoin(N, [1, 5], [3, 2, 9])).toEqual([3, 5, 9])
    expect(entry(N, [1, 5], 7)).toBe(0)
    expect(single(N, 3, 8)).toEqual([0, 0, 0, 8])
    expect(setAt(N, 4, 8, [1, 2])).toEqual([1, 2, 0, 0, 8])
    expect(setAt(N, 0, 8, [1, 2])).toEqual([8, 2])
    fc.assert(
      fc.property(natListArb, natListArb, (xs, ys) => {
        expect(zipJoin(N, xs, ys)).toEqual(refZipJoin(Math.max, xs, ys))
      }),
      params,
    )
    fc.assert(
      fc.property(fc.nat(8), smallNat, natListArb, (r, v, xs) => {
        expect(setAt(N, r, v, xs)).toEqual(refSetAt(0, r, v, xs))
        expect(single(N, r, v)).toEqual([...Array.from({ length: r }, () => 0), v])
        expect(entry(N, xs, r)).toBe(r < xs.length ? xs[r] : 0)
      }),
      params,
    )
  })

  it("product, option and list instances are lattices (their instance fields join_assoc/comm/idem) with bot below everything", () => {
    const P = prodJoinSemilattice(N, Bitset.joinSemilattice)
    const pArb = fc.tuple(smallNat, bitsetArb)
    assoc(P, pArb)
    comm(P, pArb)
    idem(P, pArb)
    const O = optionJoinSemilattice(LWWReg.joinSemilattice)
    assoc(O, optRegArb)
    comm(O, optRegArb)
    idem(O, optRegArb)
    const Ls = listJoinSemilattice(N)
    assoc(Ls, natListArb)
    comm(Ls, natListArb)
    idem(Ls, natListArb)
    const bots: ReadonlyArray<[JoinSemilatticeBot<any>, fc.Arbitrary<any>]> = [
      [N, smallNat],
      [Bitset.joinSemilatticeBot, bitsetArb],
      [optionJoinSemilatticeBot(LWWReg.joinSemilattice), optRegArb],
      [prodJoinSemilatticeBot(N, Bitset.joinSemilatticeBot), pArb],
    ]
    for (const [L, arb] of bots) fc.assert(fc.property(arb, (a) => L.equals(L.join(L.bot, a), a)), params)
  })
})

describe("JoinSemilattice theorems (over NatMax, Bitset, LWWReg, GCounter, LWWMap, ORSet, ORMap, ViewportState)", () => {
  // @lean Hydrogen.State.JoinSemilattice.le_refl
  it("le_refl: a ≤ a", () =>
    forAllCases(({ L, arb }) => fc.assert(fc.property(arb, (a) => le(L, a, a)), params)))

  // @lean Hydrogen.State.JoinSemilattice.le_trans
  it("le_trans: a ≤ b and b ≤ c imply a ≤ c", () =>
    forAllCases(({ L, arb }) =>
      fc.assert(
        fc.property(arb, arb, arb, (a, x, y) => {
          const b = L.join(a, x)
          const c = L.join(b, y)
          expect(le(L, a, b) && le(L, b, c)).toBe(true)
          return le(L, a, c)
        }),
        params,
      ),
    ))

  // @lean Hydrogen.State.JoinSemilattice.le_antisymm
  it("le_antisymm: a ≤ b and b ≤ a imply a = b", () =>
    forAllCases(({ L, arb }) =>
      fc.assert(
        fc.property(arb, arb, fc.boolean(), (a, x, same) => {
          // b is a itself re-joined (premise holds) or a random upper bound of a
          const b = same ? L.join(L.join(a, a), a) : L.join(a, x)
          if (le(L, a, b) && le(L, b, a)) return L.equals(a, b)
          return true
        }),
        params,
      ),
    ))

  // @lean Hydrogen.State.JoinSemilattice.le_join_left
  it("le_join_left: a ≤ a ⊔ b (merging never loses information)", () =>
    forAllCases(({ L, arb }) => fc.assert(fc.property(arb, arb, (a, b) => le(L, a, L.join(a, b))), params)))

  // @lean Hydrogen.State.JoinSemilattice.le_join_right
  it("le_join_right: b ≤ a ⊔ b", () =>
    forAllCases(({ L, arb }) => fc.assert(fc.property(arb, arb, (a, b) => le(L, b, L.join(a, b))), params)))

  // @lean Hydrogen.State.JoinSemilattice.join_le
  it("join_le: a ≤ c and b ≤ c imply a ⊔ b ≤ c (the join is the least upper bound)", () =>
    forAllCases(({ L, arb }) =>
      fc.assert(
        fc.property(arb, arb, arb, (a, b, x) => {
          const c = L.join(L.join(b, x), a) // an upper bound of a and b, built independently of a ⊔ b
          expect(le(L, a, c) && le(L, b, c)).toBe(true)
          return le(L, L.join(a, b), c)
        }),
        params,
      ),
    ))

  // @lean Hydrogen.State.JoinSemilattice.le_joinAll_init
  it("le_joinAll_init: s ≤ joinAll s xs", () =>
    forAllCases(({ L, arb }) =>
      fc.assert(fc.property(arb, fc.array(arb, { maxLength: 5 }), (s, xs) => le(L, s, joinAll(L, s, xs))), params),
    ))

  // @lean Hydrogen.State.JoinSemilattice.le_joinAll_of_mem
  it("le_joinAll_of_mem: every a ∈ xs is ≤ joinAll s xs", () =>
    forAllCases(({ L, arb }) =>
      fc.assert(
        fc.property(arb, fc.array(arb, { maxLength: 5 }), (s, xs) => xs.every((a) => le(L, a, joinAll(L, s, xs)))),
        params,
      ),
    ))

  // @lean Hydrogen.State.JoinSemilattice.joinAll_le
  it("joinAll_le: s ≤ u and every a ∈ xs ≤ u imply joinAll s xs ≤ u", () =>
    forAllCases(({ L, arb }) =>
      fc.assert(
        fc.property(arb, fc.array(arb, { maxLength: 5 }), arb, (s, xs, x) => {
          // u: an upper bound built by joining in reverse order plus extra information
          const u = [...xs].reverse().reduce((acc, a) => L.join(a, acc), L.join(x, s))
          expect(le(L, s, u) && xs.every((a) => le(L, a, u))).toBe(true)
          return le(L, joinAll(L, s, xs), u)
        }),
        params,
      ),
    ))
})

describe("Strong eventual consistency for every CRDT type", () => {
  for (const { name, L, arb } of cases) {
    // @lean Hydrogen.State.JoinSemilattice.joinAll_eq_of_same_members
    it(`joinAll_eq_of_same_members (${name}): replicas from s that merged the same states in any order with duplicates are equal`, () =>
      fc.assert(
        fc.property(sameMembersArb(arb), ([s, xs, ys]) => L.equals(joinAll(L, s, xs), joinAll(L, s, ys))),
        params,
      ))

    // @lean Hydrogen.State.JoinSemilattice.joinAll_perm
    it(`joinAll_perm (${name}): a permuted sequence of merges gives the same state`, () =>
      fc.assert(
        fc.property(arb, permArb(arb), (s, [xs, ys]) => L.equals(joinAll(L, s, xs), joinAll(L, s, ys))),
        params,
      ))

    // @lean Hydrogen.State.JoinSemilattice.joinAll_append_self
    it(`joinAll_append_self (${name}): joinAll s (xs ++ xs) = joinAll s xs (duplicated delivery does not matter)`, () =>
      fc.assert(
        fc.property(arb, fc.array(arb, { maxLength: 5 }), (s, xs) =>
          L.equals(joinAll(L, s, [...xs, ...xs]), joinAll(L, s, xs)),
        ),
        params,
      ))
  }
})

describe("NatMax and Bitset", () => {
  // @lean Hydrogen.State.NatMax.join_assoc
  it("NatMax.join_assoc: max (max a b) c = max a (max b c)", () => assoc(NatMax.joinSemilattice, natArb))
  // @lean Hydrogen.State.NatMax.join_comm
  it("NatMax.join_comm: max a b = max b a", () => comm(NatMax.joinSemilattice, natArb))
  // @lean Hydrogen.State.NatMax.join_idem
  it("NatMax.join_idem: max a a = a", () => idem(NatMax.joinSemilattice, natArb))
  // @lean Hydrogen.State.Bitset.join_assoc
  it("Bitset.join_assoc: (a ||| b) ||| c = a ||| (b ||| c)", () => assoc(Bitset.joinSemilattice, bigBitsetArb))
  // @lean Hydrogen.State.Bitset.join_comm
  it("Bitset.join_comm: a ||| b = b ||| a", () => comm(Bitset.joinSemilattice, bigBitsetArb))
  // @lean Hydrogen.State.Bitset.join_idem
  it("Bitset.join_idem: a ||| a = a", () => idem(Bitset.joinSemilattice, bigBitsetArb))

  // @lean Hydrogen.State.Bitset.mem_join
  it("Bitset.mem_join: i ∈ a ⊔ b exactly when i ∈ a or i ∈ b", () =>
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(60)), fc.uniqueArray(fc.nat(60)), fc.nat(64), (xs, ys, i) => {
        const a = Bitset.ofList(xs)
        const b = Bitset.ofList(ys)
        expect(Bitset.mem(i, Bitset.join(a, b))).toBe(Bitset.mem(i, a) || Bitset.mem(i, b))
        expect(Bitset.mem(i, Bitset.join(a, b))).toBe(xs.includes(i) || ys.includes(i))
      }),
      params,
    ))
})

describe("Pointwise lists", () => {
  // @lean Hydrogen.State.zipJoin_nil_right
  it("zipJoin_nil_right: zipJoin xs [] = xs", () =>
    fc.assert(fc.property(natListArb, (xs) => {
      expect(zipJoin(N, xs, [])).toEqual(xs)
    }), params))
  // @lean Hydrogen.State.zipJoin_assoc
  it("zipJoin_assoc: zipJoin (zipJoin xs ys) zs = zipJoin xs (zipJoin ys zs)", () =>
    assoc(listJoinSemilattice(N), natListArb))
  // @lean Hydrogen.State.zipJoin_comm
  it("zipJoin_comm: zipJoin xs ys = zipJoin ys xs", () => comm(listJoinSemilattice(LWWReg.joinSemilattice), fc.array(regArb, { maxLength: 5 })))
  // @lean Hydrogen.State.zipJoin_idem
  it("zipJoin_idem: zipJoin xs xs = xs", () => idem(listJoinSemilattice(Bitset.joinSemilattice), fc.array(bitsetArb, { maxLength: 5 })))

  // @lean Hydrogen.State.join_bot
  it("join_bot: a ⊔ bot = a, for NatMax, Bitset, Option and products", () => {
    fc.assert(fc.property(natArb, (a) => N.join(a, N.bot) === a), params)
    fc.assert(fc.property(bitsetArb, (a) => Bitset.equals(Bitset.join(a, Bitset.joinSemilatticeBot.bot), a)), params)
    const O = optionJoinSemilatticeBot(LWWReg.joinSemilattice)
    fc.assert(fc.property(optRegArb, (a) => O.equals(O.join(a, O.bot), a)), params)
    const P = prodJoinSemilatticeBot(N, Bitset.joinSemilatticeBot)
    fc.assert(fc.property(fc.tuple(natArb, bitsetArb), (a) => P.equals(P.join(a, P.bot), a)), params)
  })

  // @lean Hydrogen.State.entry_zipJoin
  it("entry_zipJoin: entry (zipJoin xs ys) r = entry xs r ⊔ entry ys r", () => {
    fc.assert(
      fc.property(natListArb, natListArb, fc.nat(9), (xs, ys, r) => {
        // reference: read with default 0, then max
        expect(entry(N, zipJoin(N, xs, ys), r)).toBe(Math.max(xs[r] ?? 0, ys[r] ?? 0))
      }),
      params,
    )
    const B = Bitset.joinSemilatticeBot
    const bl = fc.array(bitsetArb, { maxLength: 5 })
    fc.assert(
      fc.property(bl, bl, fc.nat(7), (xs, ys, r) =>
        B.equals(entry(B, zipJoin(B, xs, ys), r), B.join(entry(B, xs, r), entry(B, ys, r))),
      ),
      params,
    )
  })

  // @lean Hydrogen.State.single_eq_setAt_nil
  it("single_eq_setAt_nil: single r d = setAt r d []", () =>
    fc.assert(fc.property(fc.nat(10), natArb, (r, d) => {
      expect(single(N, r, d)).toEqual(setAt(N, r, d, []))
    }), params))

  // @lean Hydrogen.State.zipJoin_single
  it("zipJoin_single: zipJoin xs (single r d) = setAt r (entry xs r ⊔ d) xs (delta mutation on pointwise lists)", () => {
    fc.assert(
      fc.property(natListArb, fc.nat(9), fc.nat(8), (xs, r, d) => {
        const lhs = zipJoin(N, xs, single(N, r, d))
        expect(lhs).toEqual(setAt(N, r, Math.max(entry(N, xs, r), d), xs))
        // reference: copy, pad with 0 to r, take max at r
        const ref = [...xs]
        while (ref.length <= r) ref.push(0)
        ref[r] = Math.max(ref[r]!, d)
        expect(lhs).toEqual(ref)
      }),
      params,
    )
    const O = optionJoinSemilatticeBot(LWWReg.joinSemilattice)
    fc.assert(
      fc.property(fc.array(optRegArb, { maxLength: 5 }), fc.nat(7), regArb, (xs, r, d) =>
        listJoinSemilattice(O).equals(zipJoin(O, xs, single(O, r, d)), setAt(O, r, O.join(entry(O, xs, r), d), xs)),
      ),
      params,
    )
  })
})
