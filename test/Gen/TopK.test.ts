// Differential tests: src/Aggregate/TopK.ts (two-pointer loops, a Set of seen
// ids, a comparator sort) against the references generated from Lean's
// structurally recursive union/unionInsert/dedupId/distinctIds/rankSort
// (translated from Lean's own equations) and topOf/mergeEntries. Lists are
// short, scores and ids drawn from few values so ties and repeated ids are
// common; inputs are sorted or not (Lean's functions are total either way).
import fc from "fast-check"
import { describe, it } from "vitest"
import * as Ref from "../../gen/ts/Aggregate/TopK.ts"
import * as T from "../../src/Aggregate/TopK.ts"
import { seed } from "./seed.ts"

const B = BigInt
/** The reference copies lists at each recursive step; fewer, larger cases. */
const runs = 5_000
const params = { seed, numRuns: runs } as const
const entryArb = fc.record({ score: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })), id: fc.integer({ min: 0, max: 6 }) })
const listArb = fc.oneof(fc.array(entryArb, { maxLength: 12 }), fc.array(entryArb, { maxLength: 12 }).map((l) => T.rankSort(l)))
const toRef = (e: T.Entry): Ref.Entry => ({ score: B(e.score), id: B(e.id) })
const same = (a: ReadonlyArray<T.Entry>, b: ReadonlyArray<Ref.Entry>) =>
  a.length === b.length && a.every((e, i) => B(e.score) === b[i]!.score && B(e.id) === b[i]!.id)
const kArb = fc.oneof(fc.integer({ min: 0, max: 14 }), fc.constantFrom(0, 1, Number.MAX_SAFE_INTEGER))

describe(`TopK: src against the Lean-generated references (${runs} cases each)`, () => {
  // @gen Hydrogen.Aggregate.Entry.before
  // @lean Hydrogen.Aggregate.Entry.before
  it("Entry.before: before a b equals the reference Entry.before (equal scores included)", () => {
    fc.assert(fc.property(entryArb, entryArb, (a, b) => T.before(a, b) === Ref.Entry_before(toRef(a), toRef(b))), params)
  })

  // @gen Hydrogen.Aggregate.union
  // @gen Hydrogen.Aggregate.unionInsert
  // @lean Hydrogen.Aggregate.union
  it("union: union xs ys and unionInsert x (union xs) ys equal the references", () => {
    fc.assert(fc.property(listArb, listArb, entryArb, (xs, ys, x) => {
      const rxs = xs.map(toRef), rys = ys.map(toRef)
      return same(T.union(xs, ys), Ref.union(rxs, rys)) &&
        same(T.unionInsert(x, (l) => T.union(xs, l), ys), Ref.unionInsert(toRef(x), (l) => Ref.union(rxs, l), rys))
    }), params)
  })

  // @gen Hydrogen.Aggregate.dedupId
  // @gen Hydrogen.Aggregate.distinctIds
  // @gen Hydrogen.Aggregate.rankSort
  // @lean Hydrogen.Aggregate.rankSort
  it("rankSort: dedupId, distinctIds and rankSort equal the references", () => {
    fc.assert(fc.property(listArb, (l) => {
      const r = l.map(toRef)
      const ids = T.distinctIds(l), refIds = Ref.distinctIds(r)
      return same(T.dedupId(l), Ref.dedupId(r)) && same(T.rankSort(l), Ref.rankSort(r)) &&
        ids.length === refIds.length && ids.every((x, i) => B(x) === refIds[i])
    }), params)
  })

  // @gen Hydrogen.Aggregate.topOf
  // @gen Hydrogen.Aggregate.mergeEntries
  // @lean Hydrogen.Aggregate.mergeEntries
  it("mergeEntries: topOf k l and mergeEntries k xs ys equal the references (k = 0 and k past the length included)", () => {
    fc.assert(fc.property(kArb, listArb, listArb, (k, xs, ys) =>
      same(T.topOf(k, xs), Ref.topOf(B(k), xs.map(toRef))) &&
      same(T.mergeEntries(k, xs, ys), Ref.mergeEntries(B(k), xs.map(toRef), ys.map(toRef)))), params)
  })
})
