// The numeric mirrors are total over Lean's domain: safe integers in, the
// exact Lean result or a typed error out (never a rounded or NaN result).
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Result from "effect/Result"
import { boundingBoxMerge, contains, hull, point } from "../../src/Aggregate/BoundingBox.ts"
import { addExact, catchDomain, intOf, natOf, OutOfDomain, SafeIntegerOverflow } from "../../src/Aggregate/Domain.ts"
import {
  average,
  countMerge,
  maxMerge,
  minMerge,
  Sum,
  sumCountMerge,
  sumCountOfValue,
  sumMerge,
} from "../../src/Aggregate/Numeric.ts"
import { get, ofList as mapOfList, pointwiseMerge } from "../../src/Aggregate/PointwiseMap.ts"
import { mem, ofList as setOfList, setUnionMerge } from "../../src/Aggregate/SetUnion.ts"
import { chunk, kary } from "../../src/Aggregate/Tree.ts"
import { edgeIntArb, edgeNatArb, MAX, notIntArb, notNatArb } from "./laws.ts"

const exactOrOverflow = (f: () => number, exact: bigint) => {
  const r = catchDomain(f)
  if (exact > BigInt(MAX) || exact < -BigInt(MAX)) {
    expect(Result.isFailure(r) && r.failure).toBeInstanceOf(SafeIntegerOverflow)
  } else {
    expect(Result.getOrThrow(r)).toBe(Number(exact))
  }
}

describe("numeric domain (Domain.ts)", () => {
  it("natOf / intOf accept exactly the safe (non-negative) integers", () => {
    fc.assert(fc.property(edgeNatArb, (x) => {
      expect(Result.getOrThrow(natOf("t", "x", x))).toBe(x)
    }))
    fc.assert(fc.property(edgeIntArb, (x) => {
      expect(Result.getOrThrow(intOf("t", "x", x))).toBe(x)
    }))
    fc.assert(fc.property(notNatArb, (x) => {
      expect(Result.isFailure(natOf("t", "x", x))).toBe(true)
    }))
    fc.assert(fc.property(notIntArb, (x) => {
      expect(Result.isFailure(intOf("t", "x", x))).toBe(true)
    }))
    expect(Result.isFailure(natOf("t", "x", "1"))).toBe(true)
  })

  it("addExact is exact or SafeIntegerOverflow, for all safe operands", () => {
    fc.assert(fc.property(edgeIntArb, edgeIntArb, (a, b) => exactOrOverflow(() => addExact("t", a, b), BigInt(a) + BigInt(b))))
    expect(addExact("t", MAX - 1, 1)).toBe(MAX)
    expect(() => addExact("t", MAX, 1)).toThrow(SafeIntegerOverflow)
    expect(() => addExact("t", -MAX, -1)).toThrow(/leaves the safe-integer range/)
  })
})

describe("Numeric merges near 2^53", () => {
  // @lean Hydrogen.Aggregate.Sum.merge
  it("Sum.merge: the exact sum when it is safe, SafeIntegerOverflow otherwise", () => {
    fc.assert(fc.property(edgeIntArb, edgeIntArb, (a, b) => exactOrOverflow(() => sumMerge(a, b), BigInt(a) + BigInt(b))))
    expect(sumMerge(MAX - 1, 1)).toBe(MAX)
    expect(sumMerge(-MAX, MAX)).toBe(0)
  })

  // @lean Hydrogen.Aggregate.Count.merge
  it("Count.merge: exact or SafeIntegerOverflow", () => {
    fc.assert(fc.property(edgeNatArb, edgeNatArb, (a, b) => exactOrOverflow(() => countMerge(a, b), BigInt(a) + BigInt(b))))
    expect(countMerge(2 ** 52, 2 ** 52 - 1)).toBe(MAX)
    expect(() => countMerge(2 ** 52, 2 ** 52)).toThrow(SafeIntegerOverflow)
  })

  // @lean Hydrogen.Aggregate.SumCount.merge
  it("SumCount.merge: both components exact or SafeIntegerOverflow", () => {
    fc.assert(
      fc.property(edgeIntArb, edgeNatArb, edgeIntArb, edgeNatArb, (s1, c1, s2, c2) => {
        const r = catchDomain(() => sumCountMerge({ sum: s1, count: c1 }, { sum: s2, count: c2 }))
        const s = BigInt(s1) + BigInt(s2), c = BigInt(c1) + BigInt(c2)
        const safe = (x: bigint) => x <= BigInt(MAX) && x >= -BigInt(MAX)
        if (safe(s) && safe(c)) expect(Result.getOrThrow(r)).toEqual({ sum: Number(s), count: Number(c) })
        else expect(Result.isFailure(r) && r.failure._tag).toBe("SafeIntegerOverflow")
      }),
    )
  })

  // @lean Hydrogen.Aggregate.SumCount.average
  it("average: the correctly rounded quotient of the exact sum and count, null for count 0", () => {
    fc.assert(
      fc.property(edgeIntArb, edgeNatArb, (s, c) => {
        expect(average({ sum: s, count: c })).toBe(c === 0 ? null : s / c)
      }),
    )
    expect(average({ sum: MAX, count: 1 })).toBe(MAX)
    expect(average({ sum: MAX - 1, count: 2 })).toBe(2 ** 52 - 1)
  })

  // @lean Hydrogen.Aggregate.Max.merge
  it("Max/Min merges are exact at the edges (no arithmetic), none sentinels neutral", () => {
    fc.assert(fc.property(edgeIntArb, edgeIntArb, (a, b) => {
      expect(maxMerge(a, b)).toBe(a >= b ? a : b)
    }))
    fc.assert(fc.property(edgeIntArb, edgeIntArb, (a, b) => {
      expect(minMerge(a, b)).toBe(a <= b ? a : b)
    }))
    expect(maxMerge(Number.NEGATIVE_INFINITY, -MAX)).toBe(-MAX)
    expect(minMerge(Number.POSITIVE_INFINITY, MAX)).toBe(MAX)
  })

  it("rejects operands outside Int/Nat with OutOfDomain (NaN, ±Infinity, fractions, non-safe, negative counts)", () => {
    fc.assert(
      fc.property(notIntArb, edgeIntArb, (bad, ok) => {
        expect(() => sumMerge(bad, ok)).toThrow(OutOfDomain)
        expect(() => sumMerge(ok, bad)).toThrow(OutOfDomain)
        expect(() => sumCountOfValue(bad)).toThrow(OutOfDomain)
        expect(() => sumCountMerge({ sum: bad, count: 1 }, { sum: ok, count: 1 })).toThrow(OutOfDomain)
        expect(() => average({ sum: bad, count: 1 })).toThrow(OutOfDomain)
        if (bad !== Number.NEGATIVE_INFINITY) expect(() => maxMerge(bad, ok)).toThrow(OutOfDomain)
        if (bad !== Number.POSITIVE_INFINITY) expect(() => minMerge(ok, bad)).toThrow(OutOfDomain)
      }),
    )
    fc.assert(
      fc.property(notNatArb, edgeNatArb, (bad, ok) => {
        expect(() => countMerge(bad, ok)).toThrow(OutOfDomain)
        expect(() => sumCountMerge({ sum: 0, count: ok }, { sum: 0, count: bad })).toThrow(OutOfDomain)
        expect(() => average({ sum: 1, count: bad })).toThrow(OutOfDomain)
      }),
    )
    expect(() => sumMerge(Number.NaN, 1)).toThrow(/Sum.merge: a must be an integer/)
  })
})

describe("BoundingBox, PointwiseMap, SetUnion, Tree: typed errors outside the domain", () => {
  it("BoundingBox: coordinates near ±2^53 merge exactly; non-integers are OutOfDomain", () => {
    fc.assert(
      fc.property(edgeIntArb, edgeIntArb, edgeIntArb, edgeIntArb, (a, b, c, d) => {
        expect(boundingBoxMerge(point(a, b), point(c, d))).toEqual({
          minX: Math.min(a, c), minY: Math.min(b, d), maxX: Math.max(a, c), maxY: Math.max(b, d),
        })
      }),
    )
    fc.assert(
      fc.property(notIntArb, edgeIntArb, (bad, ok) => {
        expect(() => point(bad, ok)).toThrow(OutOfDomain)
        expect(() => hull(point(ok, ok), { minX: ok, minY: bad, maxX: ok, maxY: ok })).toThrow(OutOfDomain)
        expect(() => contains(point(ok, ok), ok, bad)).toThrow(OutOfDomain)
      }),
    )
  })

  it("PointwiseMap: keys near 2^53 work; keys that are not Nat are OutOfDomain; sums overflow with a typed error", () => {
    const m = mapOfList(Sum, [[MAX, MAX - 1], [MAX, 1], [0, -MAX]])
    expect(get(Sum, m, MAX)).toBe(MAX)
    expect(get(Sum, pointwiseMerge(Sum, m, mapOfList(Sum, [[0, MAX]])), 0)).toBe(0)
    expect(() => pointwiseMerge(Sum, m, mapOfList(Sum, [[MAX, 1]]))).toThrow(SafeIntegerOverflow)
    fc.assert(
      fc.property(notNatArb, (bad) => {
        expect(() => get(Sum, m, bad)).toThrow(OutOfDomain)
        expect(() => mapOfList(Sum, [[bad, 1]])).toThrow(OutOfDomain)
        expect(() => pointwiseMerge(Sum, new Map([[bad, 1]]), m)).toThrow(OutOfDomain)
      }),
    )
  })

  it("SetUnion: large ids are exact bigint bits; ids that are not Nat and negative masks are OutOfDomain", () => {
    const s = setUnionMerge(setOfList([0, 4096]), setOfList([1000]))
    expect([0, 1000, 4096, 4095].map((i) => mem(i, s))).toEqual([true, true, true, false])
    fc.assert(fc.property(notNatArb, (bad) => {
      expect(() => setOfList([1, bad])).toThrow(OutOfDomain)
      expect(() => mem(bad, s)).toThrow(OutOfDomain)
    }))
    expect(() => setUnionMerge(-1n, 1n)).toThrow(OutOfDomain)
  })

  it("Tree: chunk/kary reject a k that is not Nat with OutOfDomain", () => {
    fc.assert(fc.property(notNatArb, (bad) => {
      expect(() => chunk(bad, [1, 2])).toThrow(OutOfDomain)
      expect(() => kary(bad, [1, 2])).toThrow(OutOfDomain)
    }))
  })
})
