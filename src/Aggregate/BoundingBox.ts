/**
 * Axis-aligned bounding box (spatial extent). Mirror of `Hydrogen.Aggregate.BoundingBox`.
 *
 * The merge of two boxes is the smallest box containing both; `null` (Lean's
 * `none`) is the empty extent, the identity. Coordinates are safe integers
 * (Lean's `Int`): `point`, `hull` and `contains` throw `OutOfDomain`
 * (Domain.ts) on any other coordinate (NaN, ±Infinity, a fraction, beyond
 * ±(2^53 − 1)). `min`/`max` cannot overflow, so there is no overflow error.
 *
 * @module
 */
import { requireInt } from "./Domain.ts"
import type { AggregationMonoid } from "./Monoid.ts"

const checkBox = (where: string, name: string, b: Box): Box => {
  requireInt(where, `${name}.minX`, b.minX)
  requireInt(where, `${name}.minY`, b.minY)
  requireInt(where, `${name}.maxX`, b.maxX)
  requireInt(where, `${name}.maxY`, b.maxY)
  return b
}

/**
 * A closed box `[minX, maxX] × [minY, maxY]`.
 *
 * @lean Hydrogen.Aggregate.Box
 */
export interface Box {
  readonly minX: number
  readonly minY: number
  readonly maxX: number
  readonly maxY: number
}

/**
 * The smallest box containing both boxes.
 *
 * @lean Hydrogen.Aggregate.Box.hull
 */
export const hull = (a: Box, b: Box): Box => {
  checkBox("Box.hull", "a", a)
  checkBox("Box.hull", "b", b)
  return {
    minX: Math.min(a.minX, b.minX),
    minY: Math.min(a.minY, b.minY),
    maxX: Math.max(a.maxX, b.maxX),
    maxY: Math.max(a.maxY, b.maxY),
  }
}

/**
 * The extent of a point: `⟨x, y, x, y⟩`.
 *
 * @lean Hydrogen.Aggregate.Box.point
 */
export const point = (x: number, y: number): Box => {
  requireInt("Box.point", "x", x)
  requireInt("Box.point", "y", y)
  return { minX: x, minY: y, maxX: x, maxY: y }
}

/**
 * Whether the point lies in the (closed) box.
 *
 * @lean Hydrogen.Aggregate.Box.contains
 */
export const contains = (b: Box, x: number, y: number): boolean => {
  checkBox("Box.contains", "b", b)
  requireInt("Box.contains", "x", x)
  requireInt("Box.contains", "y", y)
  return b.minX <= x && x <= b.maxX && b.minY <= y && y <= b.maxY
}

/**
 * Spatial extent of everything merged so far; `null` (Lean's `none`) when empty.
 *
 * @lean Hydrogen.Aggregate.BoundingBox
 */
export type BoundingBox = Box | null

/**
 * `none` is neutral on either side; two boxes merge to their hull.
 *
 * @lean Hydrogen.Aggregate.BoundingBox.merge
 */
export const boundingBoxMerge = (a: BoundingBox, b: BoundingBox): BoundingBox =>
  a === null ? b : b === null ? a : hull(a, b)

/**
 * The empty extent, `null`.
 *
 * @lean Hydrogen.Aggregate.BoundingBox.empty
 */
export const boundingBoxEmpty: BoundingBox = null

/** Structural equality of boxes (Lean's derived `DecidableEq`). */
export const boxEquals = (a: Box, b: Box): boolean =>
  a.minX === b.minX && a.minY === b.minY && a.maxX === b.maxX && a.maxY === b.maxY

/**
 * The bounding-box monoid.
 *
 * @lean Hydrogen.Aggregate.BoundingBox.aggregationMonoid
 */
export const BoundingBox: AggregationMonoid<BoundingBox> = {
  empty: boundingBoxEmpty,
  merge: boundingBoxMerge,
  equals: (a, b) => (a === null || b === null ? a === b : boxEquals(a, b)),
}
