// Equality of summaries is Lean's structural equality (derived `DecidableEq`,
// `TopK.ext`, `PointwiseMap.ext`): the monoid laws are checked through
// `equals`, so an `equals` that says "equal" too often would let every law
// pass. These tests pin each equality on pairs that differ in one place, and
// the PointwiseMap's documented canonical form (keys holding `empty` dropped).
import { describe, expect, it } from "vitest"
import { BoundingBox, boxEquals } from "../../src/Aggregate/BoundingBox.ts"
import { Count, Max, Min, Sum, SumCount } from "../../src/Aggregate/Numeric.ts"
import { ofList as mapOfList, pointwiseEquals, pointwiseMap, pointwiseMerge } from "../../src/Aggregate/PointwiseMap.ts"
import { SetUnion } from "../../src/Aggregate/SetUnion.ts"
import { entryEquals, topK, topKEquals } from "../../src/Aggregate/TopK.ts"

describe("structural equality of summaries", () => {
  it("Box and BoundingBox: equal only when all four coordinates are; none equals only none", () => {
    const b = { minX: 1, minY: 2, maxX: 3, maxY: 4 }
    expect(boxEquals(b, { ...b })).toBe(true)
    expect(BoundingBox.equals(b, { ...b })).toBe(true)
    for (const c of ["minX", "minY", "maxX", "maxY"] as const) {
      const other = { ...b, [c]: b[c] + 10 }
      expect(boxEquals(b, other)).toBe(false)
      expect(boxEquals(other, b)).toBe(false)
      expect(BoundingBox.equals(b, other)).toBe(false)
    }
    expect(BoundingBox.equals(null, null)).toBe(true)
    expect(BoundingBox.equals(null, b)).toBe(false)
    expect(BoundingBox.equals(b, null)).toBe(false)
  })

  it("SumCount: equal only when both sum and count are", () => {
    expect(SumCount.equals({ sum: 3, count: 2 }, { sum: 3, count: 2 })).toBe(true)
    expect(SumCount.equals({ sum: 3, count: 2 }, { sum: 4, count: 2 })).toBe(false)
    expect(SumCount.equals({ sum: 3, count: 2 }, { sum: 3, count: 1 })).toBe(false)
    expect(SumCount.equals({ sum: 3, count: 2 }, { sum: 2, count: 3 })).toBe(false)
  })

  it("Sum, Count, Max, Min and SetUnion: equality of the value", () => {
    for (const M of [Sum, Count, Max, Min]) {
      expect(M.equals(2, 2)).toBe(true)
      expect(M.equals(2, 3)).toBe(false)
    }
    expect(Max.equals(Number.NEGATIVE_INFINITY, 0)).toBe(false)
    expect(SetUnion.equals(0b101n, 0b101n)).toBe(true)
    expect(SetUnion.equals(0b101n, 0b100n)).toBe(false)
  })

  it("TopK: same entries in the same order (TopK.ext)", () => {
    const a = [{ score: 9, id: 1 }, { score: 5, id: 2 }]
    expect(topKEquals(a, a.map((e) => ({ ...e })))).toBe(true)
    expect(topKEquals(a, [a[0]!])).toBe(false)
    expect(topKEquals([a[0]!], a)).toBe(false)
    expect(topKEquals(a, [a[0]!, { score: 5, id: 3 }])).toBe(false)
    expect(topKEquals(a, [a[0]!, { score: 4, id: 2 }])).toBe(false)
    expect(entryEquals({ score: 1, id: 2 }, { score: 2, id: 2 })).toBe(false)
    expect(entryEquals({ score: 1, id: 2 }, { score: 1, id: 3 })).toBe(false)
    expect(topK(2).equals(a, [...a].reverse())).toBe(false)
  })
})

describe("PointwiseMap canonical form", () => {
  it("merge drops a key whose merged value is empty, from either side", () => {
    // Sum: 2 + (-2) = 0 = empty at key 1; key 3 holds 0 (empty) in b only.
    const m = pointwiseMerge(Sum, new Map([[1, 2], [2, 5]]), new Map([[1, -2], [3, 0]]))
    expect([...m.entries()]).toEqual([[2, 5]])
    const n = pointwiseMerge(Sum, new Map([[4, 0]]), new Map())
    expect(n.size).toBe(0)
  })

  it("ofList drops keys whose fold is empty", () => {
    const m = mapOfList(Sum, [[1, 2], [1, -2], [2, 0], [3, 7]])
    expect([...m.entries()]).toEqual([[3, 7]])
  })

  it("equality reads absent keys as empty (PointwiseMap.ext), and differs where a value differs", () => {
    expect(pointwiseEquals(Sum, new Map([[1, 0]]), new Map())).toBe(true)
    expect(pointwiseEquals(Sum, new Map(), new Map([[1, 0]]))).toBe(true)
    expect(pointwiseEquals(Sum, new Map([[1, 1]]), new Map())).toBe(false)
    expect(pointwiseEquals(Sum, new Map(), new Map([[1, 1]]))).toBe(false)
    expect(pointwiseMap(Sum).equals(new Map([[1, 1]]), new Map([[1, 2]]))).toBe(false)
  })
})

describe("the pointwise monoid's identity", () => {
  it("is the map with no keys: empty ⊕ m = m", () => {
    const P = pointwiseMap(Sum)
    expect(P.empty).toBeInstanceOf(Map)
    expect(P.empty.size).toBe(0)
    const m = new Map([[1, 4]])
    expect([...P.merge(P.empty, m).entries()]).toEqual([[1, 4]])
  })
})

