import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { fold } from "../../src/Aggregate/Monoid.ts"
import {
  average,
  Count,
  countEmpty,
  countMerge,
  Max,
  maxEmpty,
  maxMerge,
  Min,
  minEmpty,
  minMerge,
  Sum,
  SumCount,
  sumCountEmpty,
  sumCountMerge,
  sumCountOfValue,
  sumEmpty,
  sumMerge,
} from "../../src/Aggregate/Numeric.ts"
import {
  checkAssoc,
  checkComm,
  checkEmptyMerge,
  checkMergeAgainst,
  checkMergeEmpty,
  expectPassed,
  intArb,
  natArb,
} from "./laws.ts"

// Lean `Option Int` values, encoded: `none` is -Infinity (Max) / +Infinity (Min).
const maxArb = fc.oneof({ weight: 4, arbitrary: intArb }, { weight: 1, arbitrary: fc.constant(Number.NEGATIVE_INFINITY) })
const minArb = fc.oneof({ weight: 4, arbitrary: intArb }, { weight: 1, arbitrary: fc.constant(Number.POSITIVE_INFINITY) })
const sumCountArb = fc.record({ sum: intArb, count: natArb })

/** Lean's `Max.merge` on an explicit option model (independent of Math.max). */
const optMerge = (pick: (x: number, y: number) => number, none: number) => (a: number, b: number): number => {
  if (a === none) return b
  if (b === none) return a
  return pick(a, b)
}

describe("Sum", () => {
  it("empty is 0 and merge agrees with exact BigInt addition", () => {
    expect(sumEmpty).toBe(0)
    expectPassed(checkMergeAgainst(Sum, intArb, (a, b) => Number(BigInt(a) + BigInt(b))))
    expect(sumMerge(2, -5)).toBe(-3)
  })
  // @lean Hydrogen.Aggregate.Sum.merge_assoc
  it("Sum.merge_assoc: (a ⊕ b) ⊕ c = a ⊕ (b ⊕ c) for all sums", () => expectPassed(checkAssoc(Sum, intArb)))
  // @lean Hydrogen.Aggregate.Sum.empty_merge
  it("Sum.empty_merge: empty ⊕ a = a for all sums", () => expectPassed(checkEmptyMerge(Sum, intArb)))
  // @lean Hydrogen.Aggregate.Sum.merge_empty
  it("Sum.merge_empty: a ⊕ empty = a for all sums", () => expectPassed(checkMergeEmpty(Sum, intArb)))
  // @lean Hydrogen.Aggregate.Sum.merge_comm
  it("Sum.merge_comm: a ⊕ b = b ⊕ a for all sums", () => expectPassed(checkComm(Sum, intArb)))
})

describe("Count", () => {
  it("empty is 0 and merge agrees with exact BigInt addition of naturals", () => {
    expect(countEmpty).toBe(0)
    expectPassed(checkMergeAgainst(Count, natArb, (a, b) => Number(BigInt(a) + BigInt(b))))
    expect(countMerge(3, 4)).toBe(7)
  })
  // @lean Hydrogen.Aggregate.Count.merge_assoc
  it("Count.merge_assoc: (a ⊕ b) ⊕ c = a ⊕ (b ⊕ c) for all counts", () => expectPassed(checkAssoc(Count, natArb)))
  // @lean Hydrogen.Aggregate.Count.empty_merge
  it("Count.empty_merge: empty ⊕ a = a for all counts", () => expectPassed(checkEmptyMerge(Count, natArb)))
  // @lean Hydrogen.Aggregate.Count.merge_empty
  it("Count.merge_empty: a ⊕ empty = a for all counts", () => expectPassed(checkMergeEmpty(Count, natArb)))
  // @lean Hydrogen.Aggregate.Count.merge_comm
  it("Count.merge_comm: a ⊕ b = b ⊕ a for all counts", () => expectPassed(checkComm(Count, natArb)))
})

describe("Max (none = -Infinity)", () => {
  it("empty is -Infinity and merge agrees with Lean's case split on an option model", () => {
    expect(maxEmpty).toBe(Number.NEGATIVE_INFINITY)
    expectPassed(checkMergeAgainst(Max, maxArb, optMerge((x, y) => (x < y ? y : x), Number.NEGATIVE_INFINITY)))
    expect(maxMerge(maxEmpty, -7)).toBe(-7)
  })
  it("fold Max of a non-empty list is its largest element (sorting reference)", () => {
    fc.assert(
      fc.property(fc.array(intArb, { minLength: 1 }), (xs) => {
        expect(fold(Max, xs)).toBe([...xs].sort((a, b) => b - a)[0])
      }),
    )
  })
  // @lean Hydrogen.Aggregate.Max.merge_assoc
  it("Max.merge_assoc: (a ⊕ b) ⊕ c = a ⊕ (b ⊕ c) for all maxima, none included", () =>
    expectPassed(checkAssoc(Max, maxArb)))
  // @lean Hydrogen.Aggregate.Max.empty_merge
  it("Max.empty_merge: none ⊕ a = a for all maxima", () => expectPassed(checkEmptyMerge(Max, maxArb)))
  // @lean Hydrogen.Aggregate.Max.merge_empty
  it("Max.merge_empty: a ⊕ none = a for all maxima", () => expectPassed(checkMergeEmpty(Max, maxArb)))
  // @lean Hydrogen.Aggregate.Max.merge_comm
  it("Max.merge_comm: a ⊕ b = b ⊕ a for all maxima", () => expectPassed(checkComm(Max, maxArb)))
})

describe("Min (none = +Infinity)", () => {
  it("empty is +Infinity and merge agrees with Lean's case split on an option model", () => {
    expect(minEmpty).toBe(Number.POSITIVE_INFINITY)
    expectPassed(checkMergeAgainst(Min, minArb, optMerge((x, y) => (x < y ? x : y), Number.POSITIVE_INFINITY)))
    expect(minMerge(3, minEmpty)).toBe(3)
  })
  it("fold Min of a non-empty list is its smallest element (sorting reference)", () => {
    fc.assert(
      fc.property(fc.array(intArb, { minLength: 1 }), (xs) => {
        expect(fold(Min, xs)).toBe([...xs].sort((a, b) => a - b)[0])
      }),
    )
  })
  // @lean Hydrogen.Aggregate.Min.merge_assoc
  it("Min.merge_assoc: (a ⊕ b) ⊕ c = a ⊕ (b ⊕ c) for all minima, none included", () =>
    expectPassed(checkAssoc(Min, minArb)))
  // @lean Hydrogen.Aggregate.Min.empty_merge
  it("Min.empty_merge: none ⊕ a = a for all minima", () => expectPassed(checkEmptyMerge(Min, minArb)))
  // @lean Hydrogen.Aggregate.Min.merge_empty
  it("Min.merge_empty: a ⊕ none = a for all minima", () => expectPassed(checkMergeEmpty(Min, minArb)))
  // @lean Hydrogen.Aggregate.Min.merge_comm
  it("Min.merge_comm: a ⊕ b = b ⊕ a for all minima", () => expectPassed(checkComm(Min, minArb)))
})

describe("SumCount", () => {
  it("empty is ⟨0, 0⟩ and merge adds both components (BigInt reference)", () => {
    expect(sumCountEmpty).toEqual({ sum: 0, count: 0 })
    expectPassed(
      checkMergeAgainst(SumCount, sumCountArb, (a, b) => ({
        sum: Number(BigInt(a.sum) + BigInt(b.sum)),
        count: Number(BigInt(a.count) + BigInt(b.count)),
      })),
    )
    expect(sumCountMerge({ sum: 1, count: 2 }, { sum: -4, count: 1 })).toEqual({ sum: -3, count: 3 })
  })
  it("ofValue v = ⟨v, 1⟩; average of folded observations is their mean, none for no observations", () => {
    expect(sumCountOfValue(-9)).toEqual({ sum: -9, count: 1 })
    expect(average(sumCountEmpty)).toBeNull()
    expect(average({ sum: 7, count: 2 })).toBe(3.5)
    fc.assert(
      fc.property(fc.array(intArb, { minLength: 1, maxLength: 100 }), (xs) => {
        const sc = fold(SumCount, xs.map(sumCountOfValue))
        expect(sc.count).toBe(xs.length)
        const exact = xs.reduce((s, x) => s + BigInt(x), 0n)
        expect(average(sc)).toBe(Number(exact) / xs.length)
      }),
    )
  })
  // @lean Hydrogen.Aggregate.SumCount.merge_assoc
  it("SumCount.merge_assoc: (a ⊕ b) ⊕ c = a ⊕ (b ⊕ c) for all sum+count pairs", () =>
    expectPassed(checkAssoc(SumCount, sumCountArb)))
  // @lean Hydrogen.Aggregate.SumCount.empty_merge
  it("SumCount.empty_merge: ⟨0,0⟩ ⊕ a = a for all sum+count pairs", () =>
    expectPassed(checkEmptyMerge(SumCount, sumCountArb)))
  // @lean Hydrogen.Aggregate.SumCount.merge_empty
  it("SumCount.merge_empty: a ⊕ ⟨0,0⟩ = a for all sum+count pairs", () =>
    expectPassed(checkMergeEmpty(SumCount, sumCountArb)))
  // @lean Hydrogen.Aggregate.SumCount.merge_comm
  it("SumCount.merge_comm: a ⊕ b = b ⊕ a for all sum+count pairs", () =>
    expectPassed(checkComm(SumCount, sumCountArb)))
})

// Pinning: the monoid laws hold for max and min alike; these say which one.
describe("Max and Min pinned to the greatest and least value", () => {
  const valuesArb = fc.array(fc.integer({ min: -20, max: 20 }), { maxLength: 10 })

  // @lean Hydrogen.Aggregate.Max.ofValues_spec
  it("Max.ofValues_spec: merging the values gives none (-Infinity) exactly for no values, else a member no member exceeds", () => {
    fc.assert(
      fc.property(valuesArb, (xs) => {
        const m = xs.reduceRight<Max>((acc, x) => maxMerge(x, acc), maxEmpty)
        if (xs.length === 0) expect(m).toBe(maxEmpty)
        else {
          expect(xs).toContain(m)
          for (const x of xs) expect(x).toBeLessThanOrEqual(m)
        }
      }),
    )
  })

  // @lean Hydrogen.Aggregate.Min.ofValues_spec
  it("Min.ofValues_spec: merging the values gives none (+Infinity) exactly for no values, else a member no member is below", () => {
    fc.assert(
      fc.property(valuesArb, (xs) => {
        const m = xs.reduceRight<Min>((acc, x) => minMerge(x, acc), minEmpty)
        if (xs.length === 0) expect(m).toBe(minEmpty)
        else {
          expect(xs).toContain(m)
          for (const x of xs) expect(m).toBeLessThanOrEqual(x)
        }
      }),
    )
  })
})

// Pinning: Count's laws hold for `max` with identity 0 as well; these say the
// numeric summaries add and count.
describe("Sum, Count and SumCount pinned to adding and counting", () => {
  const valuesArb = fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 30 })

  // @lean Hydrogen.Aggregate.Sum.ofValues_total
  it("Sum.ofValues_total: merging the values from the empty summary gives their sum", () => {
    fc.assert(
      fc.property(valuesArb, (xs) => {
        let expected = 0
        for (const x of xs) expected += x
        expect(xs.reduceRight<Sum>((acc, x) => sumMerge(x, acc), sumEmpty)).toBe(expected)
      }),
    )
  })

  // @lean Hydrogen.Aggregate.Count.replicate_count
  it("Count.replicate_count: merging n single observations from the empty summary gives n", () => {
    fc.assert(
      fc.property(fc.nat(50), (n) => {
        let c: Count = countEmpty
        for (let i = 0; i < n; i++) c = countMerge(1, c)
        expect(c).toBe(n)
      }),
    )
  })

  // @lean Hydrogen.Aggregate.SumCount.ofValues_eq
  it("SumCount.ofValues_eq: merging ofValue of each value gives ⟨their sum, their number⟩", () => {
    fc.assert(
      fc.property(valuesArb, (xs) => {
        let sum = 0
        for (const x of xs) sum += x
        expect(xs.reduceRight<SumCount>((acc, x) => sumCountMerge(sumCountOfValue(x), acc), sumCountEmpty)).toEqual({
          sum,
          count: xs.length,
        })
      }),
    )
  })

  // @lean Hydrogen.Aggregate.SumCount.average_ofValues
  it("SumCount.average_ofValues: the merged observations average to sum / number, none for no values", () => {
    fc.assert(
      fc.property(valuesArb, (xs) => {
        const sc = xs.reduceRight<SumCount>((acc, x) => sumCountMerge(sumCountOfValue(x), acc), sumCountEmpty)
        let sum = 0
        for (const x of xs) sum += x
        expect(average(sc)).toBe(xs.length === 0 ? null : sum / xs.length)
      }),
    )
  })
})
