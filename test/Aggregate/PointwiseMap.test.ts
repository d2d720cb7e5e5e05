import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { fold } from "../../src/Aggregate/Monoid.ts"
import { Max, Sum } from "../../src/Aggregate/Numeric.ts"
import {
  get,
  ofList,
  type PointwiseMap,
  pointwiseEmpty,
  pointwiseEquals,
  pointwiseMap,
  pointwiseMerge,
} from "../../src/Aggregate/PointwiseMap.ts"
import { checkAssoc, checkComm, checkEmptyMerge, checkMergeEmpty, expectPassed, intArb } from "./laws.ts"

const KEYS = 12
const keyArb = fc.nat(KEYS)
// Values include the empty value 0 often, so explicit "empty" entries occur.
const sumValArb = fc.oneof(intArb, fc.constant(0))
const entriesArb = fc.array(fc.tuple(keyArb, sumValArb), { maxLength: 15 })
// Raw maps (last write wins, explicit zeros kept) and maps built by ofList.
const sumMapArb: fc.Arbitrary<PointwiseMap<number>> = fc.oneof(
  entriesArb.map((es) => new Map(es)),
  entriesArb.map((es) => ofList(Sum, es)),
)
const maxMapArb: fc.Arbitrary<PointwiseMap<number>> = fc
  .array(fc.tuple(keyArb, fc.oneof(intArb, fc.constant(Number.NEGATIVE_INFINITY))), { maxLength: 15 })
  .map((es) => new Map(es))

const PSum = pointwiseMap(Sum)
const PMax = pointwiseMap(Max)

/** Reads key i of a raw map as Lean does (absent = 0), independent of `get`. */
const readSum = (m: PointwiseMap<number>, i: number): number => m.get(i) ?? 0

describe("PointwiseMap", () => {
  it("ofList merges repeated ids (BigInt per-id sums as reference) and absent ids read as empty", () => {
    fc.assert(
      fc.property(entriesArb, (es) => {
        const m = ofList(Sum, es)
        for (let i = 0; i <= KEYS + 1; i++) {
          const exact = es.filter(([j]) => j === i).reduce((s, [, v]) => s + BigInt(v), 0n)
          expect(BigInt(get(Sum, m, i))).toBe(exact)
        }
      }),
    )
    expect(get(Max, ofList(Max, [[1, 5], [1, 9], [2, -3]]), 1)).toBe(9)
    expect(get(Max, pointwiseEmpty<number>(), 4)).toBe(Number.NEGATIVE_INFINITY)
  })

  it("equals treats an absent key like a key holding empty, and distinguishes real differences", () => {
    expect(PSum.equals(new Map([[3, 0]]), new Map())).toBe(true)
    expect(PSum.equals(new Map([[3, 1]]), new Map())).toBe(false)
    expect(PMax.equals(new Map([[1, Number.NEGATIVE_INFINITY]]), new Map())).toBe(true)
    expect(PMax.equals(new Map([[1, 0]]), new Map())).toBe(false)
  })

  // @lean Hydrogen.Aggregate.PointwiseMap.ext
  it("PointwiseMap.ext: two maps that agree at every id are equal (and equal maps agree at every id)", () => {
    fc.assert(
      fc.property(sumMapArb, sumMapArb, fc.array(keyArb), (a, b, extraKeys) => {
        // adding explicit empty entries never changes a map
        const padded = new Map(a)
        for (const i of extraKeys) if (!padded.has(i)) padded.set(i, 0)
        expect(PSum.equals(a, padded)).toBe(true)
        // equality is exactly "agree at every id" (checked over all ids that can occur)
        let agree = true
        for (let i = 0; i <= KEYS + 1; i++) if (readSum(a, i) !== readSum(b, i)) agree = false
        expect(pointwiseEquals(Sum, a, b)).toBe(agree)
      }),
    )
  })

  // @lean Hydrogen.Aggregate.PointwiseMap.merge_assoc
  it("PointwiseMap.merge_assoc: (a ⊕ b) ⊕ c = a ⊕ (b ⊕ c) for all maps (sum and max values)", () => {
    expectPassed(checkAssoc(PSum, sumMapArb))
    expectPassed(checkAssoc(PMax, maxMapArb))
  })
  // @lean Hydrogen.Aggregate.PointwiseMap.empty_merge
  it("PointwiseMap.empty_merge: empty ⊕ a = a for all maps", () => {
    expectPassed(checkEmptyMerge(PSum, sumMapArb))
    expectPassed(checkEmptyMerge(PMax, maxMapArb))
  })
  // @lean Hydrogen.Aggregate.PointwiseMap.merge_empty
  it("PointwiseMap.merge_empty: a ⊕ empty = a for all maps", () => {
    expectPassed(checkMergeEmpty(PSum, sumMapArb))
    expectPassed(checkMergeEmpty(PMax, maxMapArb))
  })
  // @lean Hydrogen.Aggregate.PointwiseMap.merge_comm
  it("PointwiseMap.merge_comm: a ⊕ b = b ⊕ a for all maps", () => {
    expectPassed(checkComm(PSum, sumMapArb))
    expectPassed(checkComm(PMax, maxMapArb))
  })

  // @lean Hydrogen.Aggregate.PointwiseMap.get_merge
  it("PointwiseMap.get_merge: (a ⊕ b).get i = (a.get i) ⊕ (b.get i) for all maps and ids", () => {
    fc.assert(
      fc.property(sumMapArb, sumMapArb, fc.nat(KEYS + 2), (a, b, i) => {
        expect(get(Sum, pointwiseMerge(Sum, a, b), i)).toBe(readSum(a, i) + readSum(b, i))
      }),
    )
    fc.assert(
      fc.property(maxMapArb, maxMapArb, fc.nat(KEYS + 2), (a, b, i) => {
        expect(get(Max, pointwiseMerge(Max, a, b), i)).toBe(Math.max(get(Max, a, i), get(Max, b, i)))
      }),
    )
  })

  // @lean Hydrogen.Aggregate.PointwiseMap.ofList_append
  it("PointwiseMap.ofList_append: ofList (xs ++ ys) = ofList xs ⊕ ofList ys for all entry lists", () => {
    fc.assert(
      fc.property(entriesArb, entriesArb, (xs, ys) =>
        PSum.equals(ofList(Sum, [...xs, ...ys]), pointwiseMerge(Sum, ofList(Sum, xs), ofList(Sum, ys))),
      ),
    )
  })

  it("fold of maps agrees with per-id BigInt sums over all entries", () => {
    fc.assert(
      fc.property(fc.array(entriesArb, { maxLength: 5 }), (lists) => {
        const m = fold(PSum, lists.map((es) => ofList(Sum, es)))
        const all = lists.flat()
        for (let i = 0; i <= KEYS; i++) {
          expect(BigInt(get(Sum, m, i))).toBe(all.filter(([j]) => j === i).reduce((s, [, v]) => s + BigInt(v), 0n))
        }
      }),
    )
  })
})
