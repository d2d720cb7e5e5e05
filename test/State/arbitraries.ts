/**
 * Arbitraries for the replicated-state tests, and law checkers over a
 * `JoinSemilattice` dictionary. Small value domains on purpose: collisions
 * (equal timestamps, shared tags, equal entries) are where merges go wrong.
 */
import fc from "fast-check"
import type { GCounter, PNCounter, VectorClock } from "../../src/State/Counter.ts"
import type { JoinSemilattice } from "../../src/State/Lattice.ts"
import { Bitset } from "../../src/State/Lattice.ts"
import type { ORMap, ORMapEntry, ORSet, TagPair } from "../../src/State/ORSet.ts"
import type { LWWMap, LWWReg } from "../../src/State/Register.ts"
import type { ViewportState } from "../../src/State/Viewport.ts"

export const params = { numRuns: 200 } as const

export const natArb = fc.nat(1000)
export const natListArb = fc.array(fc.nat(6), { maxLength: 7 })
export const gcounterArb: fc.Arbitrary<GCounter> = natListArb.map((counts) => ({ counts }))
export const pncounterArb: fc.Arbitrary<PNCounter> = fc
  .tuple(gcounterArb, gcounterArb)
  .map(([incs, decs]) => ({ incs, decs }))
export const vclockArb: fc.Arbitrary<VectorClock> = natListArb.map((ticks) => ({ ticks }))

export const regArb: fc.Arbitrary<LWWReg> = fc.record({
  timestamp: fc.nat(4),
  replica: fc.nat(3),
  value: fc.nat(3),
})
export const optRegArb: fc.Arbitrary<LWWReg | undefined> = fc.option(regArb, { nil: undefined, freq: 3 })
export const lwwMapArb: fc.Arbitrary<LWWMap> = fc.array(optRegArb, { maxLength: 6 }).map((entries) => ({ entries }))

export const bitsetArb: fc.Arbitrary<Bitset> = fc.uniqueArray(fc.nat(12), { maxLength: 5 }).map((xs) => Bitset.ofList(xs))
export const tagPairArb: fc.Arbitrary<TagPair> = fc.tuple(bitsetArb, bitsetArb)
export const orsetArb: fc.Arbitrary<ORSet> = fc.array(tagPairArb, { maxLength: 5 }).map((tags) => ({ tags }))
export const ormapEntryArb: fc.Arbitrary<ORMapEntry> = fc.tuple(tagPairArb, optRegArb)
export const ormapArb: fc.Arbitrary<ORMap> = fc.array(ormapEntryArb, { maxLength: 5 }).map((entries) => ({ entries }))

export const viewportArb: fc.Arbitrary<ViewportState> = fc.record({
  elements: ormapArb,
  positions: lwwMapArb,
  zOrder: lwwMapArb,
  animations: orsetArb,
  clock: vclockArb,
})

/**
 * `[s, xs, ys]` where `ys` holds exactly the members of `xs`: a shuffle of
 * `xs` with extra duplicates of its members.
 */
export const sameMembersArb = <A>(arb: fc.Arbitrary<A>): fc.Arbitrary<readonly [A, A[], A[]]> =>
  fc.tuple(arb, fc.array(arb, { maxLength: 6 })).chain(([s, xs]) =>
    fc
      .tuple(
        fc.array(fc.nat(Math.max(0, xs.length - 1)), { maxLength: xs.length === 0 ? 0 : 6 }),
        fc.array(fc.double({ noNaN: true }), { minLength: 2 * xs.length + 6, maxLength: 2 * xs.length + 6 }),
      )
      .map(([dupIdx, keys]) => {
        const ys = [...xs, ...dupIdx.map((i) => xs[i]!)]
        const order = ys.map((_, i) => i).sort((i, j) => keys[i]! - keys[j]! || i - j)
        return [s, xs, order.map((i) => ys[i]!)] as const
      }),
  )

/** `[xs, ys]` with `ys` a permutation of `xs`. */
export const permArb = <A>(arb: fc.Arbitrary<A>): fc.Arbitrary<readonly [A[], A[]]> =>
  fc
    .array(arb, { maxLength: 6 })
    .chain((xs) => fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length }).map((ys) => [xs, ys] as const))

export const assoc = <A>(L: JoinSemilattice<A>, arb: fc.Arbitrary<A>): void =>
  fc.assert(
    fc.property(arb, arb, arb, (a, b, c) => L.equals(L.join(L.join(a, b), c), L.join(a, L.join(b, c)))),
    params,
  )
export const comm = <A>(L: JoinSemilattice<A>, arb: fc.Arbitrary<A>): void =>
  fc.assert(
    fc.property(arb, arb, (a, b) => L.equals(L.join(a, b), L.join(b, a))),
    params,
  )
export const idem = <A>(L: JoinSemilattice<A>, arb: fc.Arbitrary<A>): void =>
  fc.assert(
    fc.property(arb, (a) => L.equals(L.join(a, a), a)),
    params,
  )
