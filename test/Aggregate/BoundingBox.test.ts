import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  BoundingBox,
  type Box,
  boundingBoxEmpty,
  boundingBoxMerge,
  boxEquals,
  contains,
  hull,
  point,
} from "../../src/Aggregate/BoundingBox.ts"
import { fold } from "../../src/Aggregate/Monoid.ts"
import { checkAssoc, checkComm, checkEmptyMerge, checkMergeEmpty, expectPassed, intArb } from "./laws.ts"

const coordArb = fc.integer({ min: -1000, max: 1000 })
// Lean boxes need not be well-formed (min ≤ max is not an invariant), so both kinds are generated.
const anyBoxArb: fc.Arbitrary<Box> = fc.record({ minX: intArb, minY: intArb, maxX: intArb, maxY: intArb })
const properBoxArb: fc.Arbitrary<Box> = fc
  .tuple(coordArb, coordArb, coordArb, coordArb)
  .map(([x1, y1, x2, y2]) => ({ minX: Math.min(x1, x2), minY: Math.min(y1, y2), maxX: Math.max(x1, x2), maxY: Math.max(y1, y2) }))
const boxArb = fc.oneof(anyBoxArb, properBoxArb)
const bbArb = fc.oneof({ weight: 4, arbitrary: boxArb }, { weight: 1, arbitrary: fc.constant(null) })

describe("Box", () => {
  it("point x y = ⟨x, y, x, y⟩ and contains is the closed-interval test", () => {
    expect(point(3, -4)).toEqual({ minX: 3, minY: -4, maxX: 3, maxY: -4 })
    const b = { minX: 0, minY: 0, maxX: 2, maxY: 1 }
    expect(contains(b, 0, 0)).toBe(true)
    expect(contains(b, 2, 1)).toBe(true)
    expect(contains(b, 3, 1)).toBe(false)
    expect(contains(b, 1, -1)).toBe(false)
  })

  it("fold of points is the box spanned by their extreme coordinates (sorting reference)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(coordArb, coordArb), { minLength: 1, maxLength: 50 }), (ps) => {
        const xs = ps.map((p) => p[0]).sort((a, b) => a - b)
        const ys = ps.map((p) => p[1]).sort((a, b) => a - b)
        expect(fold(BoundingBox, ps.map(([x, y]) => point(x, y)))).toEqual({
          minX: xs[0],
          minY: ys[0],
          maxX: xs[xs.length - 1],
          maxY: ys[ys.length - 1],
        })
      }),
    )
    expect(fold(BoundingBox, [])).toBeNull()
  })

  // @lean Hydrogen.Aggregate.Box.hull_assoc
  it("Box.hull_assoc: hull (hull a b) c = hull a (hull b c) for all boxes", () => {
    fc.assert(fc.property(boxArb, boxArb, boxArb, (a, b, c) => boxEquals(hull(hull(a, b), c), hull(a, hull(b, c)))))
  })

  // @lean Hydrogen.Aggregate.Box.hull_comm
  it("Box.hull_comm: hull a b = hull b a for all boxes", () => {
    fc.assert(fc.property(boxArb, boxArb, (a, b) => boxEquals(hull(a, b), hull(b, a))))
  })

  // @lean Hydrogen.Aggregate.Box.contains_hull_left
  it("Box.contains_hull_left: every point of box a lies in hull a b, for all boxes b", () => {
    // points drawn inside a (so the hypothesis always holds) ...
    const inside = properBoxArb.chain((a) =>
      fc.tuple(fc.constant(a), fc.integer({ min: a.minX, max: a.maxX }), fc.integer({ min: a.minY, max: a.maxY })),
    )
    fc.assert(
      fc.property(inside, boxArb, ([a, x, y], b) => {
        expect(contains(a, x, y)).toBe(true)
        expect(contains(hull(a, b), x, y)).toBe(true)
      }),
    )
    // ... and arbitrary points, as an implication
    fc.assert(
      fc.property(boxArb, boxArb, coordArb, coordArb, (a, b, x, y) => !contains(a, x, y) || contains(hull(a, b), x, y)),
    )
  })
})

describe("BoundingBox (none = null)", () => {
  it("merge: none is neutral, two boxes merge to their hull", () => {
    expect(boundingBoxEmpty).toBeNull()
    const a = point(1, 2)
    const b = point(-3, 5)
    expect(boundingBoxMerge(null, a)).toBe(a)
    expect(boundingBoxMerge(a, null)).toBe(a)
    expect(boundingBoxMerge(a, b)).toEqual({ minX: -3, minY: 2, maxX: 1, maxY: 5 })
    expect(BoundingBox.equals(null, a)).toBe(false)
  })
  // @lean Hydrogen.Aggregate.BoundingBox.merge_assoc
  it("BoundingBox.merge_assoc: (a ⊕ b) ⊕ c = a ⊕ (b ⊕ c) for all extents, none included", () =>
    expectPassed(checkAssoc(BoundingBox, bbArb)))
  // @lean Hydrogen.Aggregate.BoundingBox.empty_merge
  it("BoundingBox.empty_merge: none ⊕ a = a for all extents", () => expectPassed(checkEmptyMerge(BoundingBox, bbArb)))
  // @lean Hydrogen.Aggregate.BoundingBox.merge_empty
  it("BoundingBox.merge_empty: a ⊕ none = a for all extents", () => expectPassed(checkMergeEmpty(BoundingBox, bbArb)))
  // @lean Hydrogen.Aggregate.BoundingBox.merge_comm
  it("BoundingBox.merge_comm: a ⊕ b = b ⊕ a for all extents", () => expectPassed(checkComm(BoundingBox, bbArb)))
})

// Pinning: any join passes the monoid laws; these say the merge is the least
// containing box and that the empty extent adds nothing.
describe("BoundingBox pinned to the least containing box", () => {
  const within = (a: Box, c: Box): boolean => c.minX <= a.minX && a.maxX <= c.maxX && c.minY <= a.minY && a.maxY <= c.maxY
  const nudge = fc.integer({ min: -2, max: 2 })
  // c near the hull of a and b, so both outcomes of `within` are frequent.
  const caseArb = fc.tuple(anyBoxArb, anyBoxArb, nudge, nudge, nudge, nudge).map(([a, b, d1, d2, d3, d4]) => {
    const h = hull(a, b)
    return { a, b, c: { minX: h.minX + d1, minY: h.minY + d2, maxX: h.maxX + d3, maxY: h.maxY + d4 } }
  })

  // @lean Hydrogen.Aggregate.Box.hull_within_iff
  it("Box.hull_within_iff: a box contains the hull exactly when it contains each box", () => {
    let held = 0
    fc.assert(
      fc.property(caseArb, ({ a, b, c }) => {
        const lhs = within(hull(a, b), c)
        if (lhs) held++
        expect(lhs).toBe(within(a, c) && within(b, c))
      }),
    )
    expect(held).toBeGreaterThan(0)
  })

  // @lean Hydrogen.Aggregate.BoundingBox.merge_point_empty
  it("BoundingBox.merge_point_empty: merging a point into the empty extent gives [x, x] × [y, y]", () => {
    fc.assert(
      fc.property(intArb, intArb, (x, y) => {
        expect(boundingBoxMerge(boundingBoxEmpty, point(x, y))).toEqual({ minX: x, minY: y, maxX: x, maxY: y })
      }),
    )
  })
})
