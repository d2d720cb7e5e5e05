// Differential tests: the optimised numeric summaries of src/Aggregate/Numeric.ts
// against the reference implementations generated from Lean
// (gen/ts/Aggregate/Numeric.ts), on random safe integers and the edges.
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Ref from "../../gen/ts/Aggregate/Numeric.ts"
import * as N from "../../src/Aggregate/Numeric.ts"
import { params, runs, safeIntArb } from "./seed.ts"

const half = Math.floor(Number.MAX_SAFE_INTEGER / 2)
// Operands whose sum stays safe (the fast code throws, by design, otherwise).
const halfIntArb = fc.oneof(fc.integer({ min: -half, max: half }), fc.constantFrom(0, half, -half, 1, -1))
const halfNatArb = fc.oneof(fc.integer({ min: 0, max: half }), fc.constantFrom(0, 1, half))
// `Option Int` in the fast encoding (±Infinity is `none`) and in Lean's.
const optArb = fc.option(safeIntArb, { freq: 4 })
const fastMax = (o: number | null) => (o === null ? N.maxEmpty : o)
const fastMin = (o: number | null) => (o === null ? N.minEmpty : o)
const unMax = (v: number) => (v === N.maxEmpty ? null : BigInt(v))
const unMin = (v: number) => (v === N.minEmpty ? null : BigInt(v))
const big = (o: number | null) => (o === null ? null : BigInt(o))

describe(`Numeric: src against the Lean-generated reference (${runs} cases each)`, () => {
  // @gen Hydrogen.Aggregate.Sum.merge
  // @lean Hydrogen.Aggregate.Sum.merge
  it("Sum.merge: sumMerge a b equals the reference Sum.merge", () => {
    expect(N.sumEmpty).toBe(Number(Ref.Sum_empty.total))
    fc.assert(fc.property(halfIntArb, halfIntArb, (a, b) =>
      BigInt(N.sumMerge(a, b)) === Ref.Sum_merge({ total: BigInt(a) }, { total: BigInt(b) }).total), params)
  })

  // @gen Hydrogen.Aggregate.Count.merge
  // @lean Hydrogen.Aggregate.Count.merge
  it("Count.merge: countMerge a b equals the reference Count.merge", () => {
    expect(N.countEmpty).toBe(Number(Ref.Count_empty.count))
    fc.assert(fc.property(halfNatArb, halfNatArb, (a, b) =>
      BigInt(N.countMerge(a, b)) === Ref.Count_merge({ count: BigInt(a) }, { count: BigInt(b) }).count), params)
  })

  // @gen Hydrogen.Aggregate.Max.merge
  // @lean Hydrogen.Aggregate.Max.merge
  it("Max.merge: maxMerge a b equals the reference Max.merge (none as the identity included)", () => {
    expect(unMax(N.maxEmpty)).toBe(Ref.Max_empty.value)
    fc.assert(fc.property(optArb, optArb, (a, b) =>
      unMax(N.maxMerge(fastMax(a), fastMax(b))) === Ref.Max_merge({ value: big(a) }, { value: big(b) }).value), params)
  })

  // @gen Hydrogen.Aggregate.Min.merge
  // @lean Hydrogen.Aggregate.Min.merge
  it("Min.merge: minMerge a b equals the reference Min.merge (none as the identity included)", () => {
    expect(unMin(N.minEmpty)).toBe(Ref.Min_empty.value)
    fc.assert(fc.property(optArb, optArb, (a, b) =>
      unMin(N.minMerge(fastMin(a), fastMin(b))) === Ref.Min_merge({ value: big(a) }, { value: big(b) }).value), params)
  })

  // @gen Hydrogen.Aggregate.SumCount.merge
  // @lean Hydrogen.Aggregate.SumCount.merge
  it("SumCount.merge: sumCountMerge a b equals the reference SumCount.merge", () => {
    expect(N.sumCountEmpty).toEqual({ sum: Number(Ref.SumCount_empty.sum), count: Number(Ref.SumCount_empty.count) })
    const scArb = fc.record({ sum: halfIntArb, count: halfNatArb })
    fc.assert(fc.property(scArb, scArb, (a, b) => {
      const fast = N.sumCountMerge(a, b)
      const ref = Ref.SumCount_merge({ sum: BigInt(a.sum), count: BigInt(a.count) }, { sum: BigInt(b.sum), count: BigInt(b.count) })
      return BigInt(fast.sum) === ref.sum && BigInt(fast.count) === ref.count
    }), params)
  })

  // @gen Hydrogen.Aggregate.SumCount.ofValue
  // @lean Hydrogen.Aggregate.SumCount.ofValue
  it("SumCount.ofValue: sumCountOfValue v equals the reference SumCount.ofValue", () => {
    fc.assert(fc.property(safeIntArb, (v) => {
      const fast = N.sumCountOfValue(v)
      const ref = Ref.SumCount_ofValue(BigInt(v))
      return BigInt(fast.sum) === ref.sum && BigInt(fast.count) === ref.count
    }), params)
  })
})
