// Differential tests: src/Aggregate/BoundingBox.ts (numbers, Math.min/max,
// null for `none`) against the references generated from Lean's Box.hull,
// Box.point, Box.contains and BoundingBox.merge (bigint, Option).
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Ref from "../../gen/ts/Aggregate/BoundingBox.ts"
import * as BB from "../../src/Aggregate/BoundingBox.ts"
import { params, runs, safeIntArb } from "./seed.ts"

const B = BigInt
const boxArb = fc.record({ minX: safeIntArb, minY: safeIntArb, maxX: safeIntArb, maxY: safeIntArb })
const toRef = (b: BB.Box): Ref.Box => ({ minX: B(b.minX), minY: B(b.minY), maxX: B(b.maxX), maxY: B(b.maxY) })
const same = (a: BB.Box | null, b: Ref.Box | null) =>
  a === null || b === null ? a === b : B(a.minX) === b.minX && B(a.minY) === b.minY && B(a.maxX) === b.maxX && B(a.maxY) === b.maxY

describe(`BoundingBox: src against the Lean-generated reference (${runs} cases each)`, () => {
  // @gen Hydrogen.Aggregate.Box.hull
  // @lean Hydrogen.Aggregate.Box.hull
  it("Box.hull: hull a b equals the reference Box.hull", () => {
    fc.assert(fc.property(boxArb, boxArb, (a, b) => same(BB.hull(a, b), Ref.Box_hull(toRef(a), toRef(b)))), params)
  })

  // @gen Hydrogen.Aggregate.Box.point
  // @gen Hydrogen.Aggregate.Box.contains
  // @lean Hydrogen.Aggregate.Box.contains
  it("Box.contains: point x y and contains b x y equal the references Box.point and Box.contains", () => {
    fc.assert(fc.property(boxArb, safeIntArb, safeIntArb, (b, x, y) =>
      same(BB.point(x, y), Ref.Box_point(B(x), B(y))) && BB.contains(b, x, y) === Ref.Box_contains(toRef(b), B(x), B(y))), params)
  })

  // @gen Hydrogen.Aggregate.BoundingBox.merge
  // @lean Hydrogen.Aggregate.BoundingBox.merge
  it("BoundingBox.merge: boundingBoxMerge a b equals the reference BoundingBox.merge (none included)", () => {
    expect(BB.boundingBoxEmpty).toBe(Ref.BoundingBox_empty.box)
    const bbArb = fc.option(boxArb, { freq: 4 })
    fc.assert(fc.property(bbArb, bbArb, (a, b) =>
      same(BB.boundingBoxMerge(a, b), Ref.BoundingBox_merge({ box: a && toRef(a) }, { box: b && toRef(b) }).box)), params)
  })
})
