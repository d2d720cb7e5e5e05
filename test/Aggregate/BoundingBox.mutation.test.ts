// `Box.contains b x y` is `b.minX ≤ x ∧ x ≤ b.maxX ∧ b.minY ≤ y ∧ y ≤ b.maxY`
// (lean/Hydrogen/Aggregate/BoundingBox.lean): each of the four bounds must
// be able to exclude a point, and each is inclusive.
import { describe, expect, it } from "vitest"
import { contains } from "../../src/Aggregate/BoundingBox.ts"

describe("Box.contains: each bound excludes, each is inclusive", () => {
  const b = { minX: 0, minY: 10, maxX: 5, maxY: 20 }
  it("a point just outside one side is not contained", () => {
    expect(contains(b, -1, 15)).toBe(false) // left of minX
    expect(contains(b, 6, 15)).toBe(false) // right of maxX
    expect(contains(b, 2, 9)).toBe(false) // below minY
    expect(contains(b, 2, 21)).toBe(false) // above maxY
  })
  it("the corners and an inner point are contained (closed box)", () => {
    expect(contains(b, 0, 10)).toBe(true)
    expect(contains(b, 5, 20)).toBe(true)
    expect(contains(b, 0, 20)).toBe(true)
    expect(contains(b, 5, 10)).toBe(true)
    expect(contains(b, 3, 11)).toBe(true)
  })
})
