/**
 * The rasterize stage: the TypeScript mirror of `lean/Hydrogen/Render/Raster.lean`.
 *
 * Both renderers sample pixel `(i, j)` at its centre `(16i + 8, 16j + 8)` in
 * 1/16 px and cover it by the reference's integer rule (src/Gpu/Reference.ts).
 * Renderers that follow an edge but break ties on it differently, or compute
 * it with different float rounding, disagree only at centres within `|a − b|`
 * of it, and there by up to `255` levels. The GPU side needs no such term: its
 * quad is half a pixel wider than the box (`conservativeQuad`), so any quad
 * computed within `δ < 8` units generates every fragment the rule covers and
 * the fragment test (the rule itself) decides. The proved GPU-versus-reference
 * bound, `rasterBound`, is `compose gpuReferencePipeline = 0` levels.
 *
 * Numbers are exact fractions (`Fraction`, Lean's `Rat`); positions in 1/16 px.
 *
 * @module
 */
import {
  add,
  compose,
  dist,
  eq,
  float32Stage,
  frac,
  type Fraction,
  le,
  lt,
  mul,
  ofInt,
  ONE,
  positionStep,
  stage,
  sub,
  type Stage,
  ZERO,
} from "./Error.ts"

// ---------------------------------------------------------------------------
// Edges

/**
 * Does `dec` follow the edge at `a` at the centre `c`? Past the edge covered,
 * before it not; on it, either (tie-breaking is free).
 *
 * @lean Hydrogen.Render.Raster.FollowsEdge
 */
export const followsEdgeAt = (dec: (c: Fraction) => boolean, a: Fraction, c: Fraction): boolean =>
  (!lt(a, c) || dec(c)) && (!lt(c, a) || !dec(c))

/** The decision of a renderer that puts the edge at `a` and covers a centre exactly on it iff `tie`. */
export const edgeDecision = (a: Fraction, tie: boolean) => (c: Fraction): boolean => lt(a, c) || (tie && eq(a, c))

// ---------------------------------------------------------------------------
// Pixels

/**
 * One channel of one pixel after painting `is` in order over `bg`: a covering
 * instance replaces the byte (opaque replace, no blending).
 *
 * @lean Hydrogen.Render.Raster.paintPixel
 */
export const paintPixel = <A>(bg: number, byte: (a: A) => number, cov: (a: A) => boolean, is: ReadonlyArray<A>): number =>
  is.reduce((acc, a) => (cov(a) ? byte(a) : acc), bg)

/**
 * `|a − b|` of two bytes.
 *
 * @lean Hydrogen.Render.Raster.byteDiff
 */
export const byteDiff = (a: number, b: number): number => Math.max(a - b, b - a, 0)

// ---------------------------------------------------------------------------
// The project's rule (integers in 1/16 px)

/**
 * An instance's box relative to the view origin: `[x0, x1) × [y0, y1)`.
 *
 * @lean Hydrogen.Render.Raster.Box
 */
export interface Box {
  readonly x0: number
  readonly y0: number
  readonly x1: number
  readonly y1: number
}

/**
 * The centre of pixel `i` on one axis: `16i + 8`.
 *
 * @lean Hydrogen.Render.Raster.centre
 */
export const centre = (i: number): number => 16 * i + 8

/**
 * The rule's box test: the centre is in the half-open box.
 *
 * @lean Hydrogen.Render.Raster.Box.contains
 */
export const boxContains = (b: Box, cx: number, cy: number): boolean =>
  b.x0 <= cx && cx < b.x1 && b.y0 <= cy && cy < b.y1

/**
 * The rounded-rect kind: the box test, and `dx² + dy² ≤ r²` with
 * `r = min(16·min(p, 256), ⌊(u+u')/2⌋, ⌊(v+v')/2⌋)`.
 *
 * @lean Hydrogen.Render.Raster.roundedRectCovers
 */
export const roundedRectCovers = (p: number, b: Box, cx: number, cy: number): boolean => {
  const [u, v, u2, v2] = [cx - b.x0, cy - b.y0, b.x1 - cx, b.y1 - cy]
  const r = Math.min(16 * Math.min(p, 256), Math.floor((u + u2) / 2), Math.floor((v + v2) / 2))
  const dx = Math.max(0, r - u, r - u2)
  const dy = Math.max(0, r - v, r - v2)
  return boxContains(b, cx, cy) && dx * dx + dy * dy <= r * r
}

// ---------------------------------------------------------------------------
// The GPU side

/**
 * `RuleWithin rule b` at one centre: a covered centre lies in the box (the
 * Lean predicate quantifies over all centres; tests check it where they sample).
 *
 * @lean Hydrogen.Render.Raster.RuleWithin
 */
export const ruleWithinAt = (rule: (cx: number, cy: number) => boolean, b: Box, cx: number, cy: number): boolean =>
  !rule(cx, cy) || boxContains(b, cx, cy)

/**
 * A quad in 1/16 px; its corners are computed in float, so rational.
 *
 * @lean Hydrogen.Render.Raster.Quad
 */
export interface Quad {
  readonly x0: Fraction
  readonly y0: Fraction
  readonly x1: Fraction
  readonly y1: Fraction
}

/**
 * The conservative quad's margin: half a pixel, `8` units.
 *
 * @lean Hydrogen.Render.Raster.marginUnits
 */
export const marginUnits: Fraction = ofInt(8)

/**
 * The shader's clamp of a corner to one pixel (`16` units) outside an `n`-pixel axis.
 *
 * @lean Hydrogen.Render.Raster.clampUnits
 */
export const clampUnits = (v: Fraction, n: number): Fraction =>
  le(v, ofInt(-16)) ? ofInt(-16) : le(ofInt(16 * n + 16), v) ? ofInt(16 * n + 16) : v

/**
 * The exact quad of a box: widened by the margin, each corner clamped one pixel outside a `w × h` framebuffer.
 *
 * @lean Hydrogen.Render.Raster.conservativeQuad
 */
export const conservativeQuad = (b: Box, w: number, h: number): Quad => ({
  x0: clampUnits(sub(ofInt(b.x0), marginUnits), w),
  y0: clampUnits(sub(ofInt(b.y0), marginUnits), h),
  x1: clampUnits(add(ofInt(b.x1), marginUnits), w),
  y1: clampUnits(add(ofInt(b.y1), marginUnits), h),
})

/**
 * Are `q`'s corners within `δ` of `e`'s?
 *
 * @lean Hydrogen.Render.Raster.Quad.Within
 */
export const quadWithin = (q: Quad, e: Quad, delta: Fraction): boolean =>
  le(dist(q.x0, e.x0), delta) && le(dist(q.y0, e.y0), delta) && le(dist(q.x1, e.x1), delta) && le(dist(q.y1, e.y1), delta)

/** Is the point strictly inside the quad (where a rasterizer following the rule must generate a fragment)? */
export const quadInterior = (q: Quad, cx: Fraction, cy: Fraction): boolean =>
  lt(q.x0, cx) && lt(cx, q.x1) && lt(q.y0, cy) && lt(cy, q.y1)

/**
 * `Rasterizes incl q` at one point: strictly inside the quad, a fragment is generated.
 *
 * @lean Hydrogen.Render.Raster.Rasterizes
 */
export const rasterizesAt = (incl: (cx: Fraction, cy: Fraction) => boolean, q: Quad, cx: Fraction, cy: Fraction): boolean =>
  !quadInterior(q, cx, cy) || incl(cx, cy)

// ---------------------------------------------------------------------------
// Graded stages (8-bit levels)

/**
 * The rasterizer's sub-pixel snap: at most `1/16` px, `sens = 1`.
 *
 * @lean Hydrogen.Render.Raster.snapStage
 */
export const snapStage: Stage = stage(positionStep, ONE)

/**
 * The quad corner's way to the rasterizer, px: four float32 roundings, then the snap.
 *
 * @lean Hydrogen.Render.Raster.gpuQuadPipeline
 */
export const gpuQuadPipeline: ReadonlyArray<Stage> = [float32Stage, float32Stage, float32Stage, float32Stage, snapStage]

/**
 * The quad's error in 1/16-px units: `16 · compose gpuQuadPipeline`.
 *
 * @lean Hydrogen.Render.Raster.gpuQuadDelta
 */
export const gpuQuadDelta: Fraction = mul(ofInt(16), compose(gpuQuadPipeline))

/**
 * The rasterize stage's own error in levels: `0` below the margin, `255` otherwise.
 *
 * @lean Hydrogen.Render.Raster.rasterEps
 */
export const rasterEps = (delta: Fraction): Fraction => (lt(delta, marginUnits) ? ZERO : ofInt(255))

/**
 * The rasterize stage: `eps = rasterEps δ`, `sens = 0`.
 *
 * @lean Hydrogen.Render.Raster.rasterStage
 */
export const rasterStage = (delta: Fraction): Stage => stage(rasterEps(delta), ZERO)

/**
 * The unorm colour store: `eps = 0`, `sens = 1`.
 *
 * @lean Hydrogen.Render.Raster.unormStage
 */
export const unormStage: Stage = stage(ZERO, ONE)

/**
 * GPU versus reference, in levels: the stages only the GPU adds.
 *
 * @lean Hydrogen.Render.Raster.gpuReferencePipeline
 */
export const gpuReferencePipeline: ReadonlyArray<Stage> = [...gpuQuadPipeline, rasterStage(gpuQuadDelta), unormStage]

/**
 * The proved bound on the largest per-channel difference, GPU image versus
 * reference image: `compose gpuReferencePipeline` levels (Lean: `= 0`).
 *
 * @lean Hydrogen.Render.Raster.raster_error_bound
 */
export const rasterBound: Fraction = compose(gpuReferencePipeline)

/** `rasterBound` as the largest whole byte difference it allows (differences are integers). */
export const rasterBoundLevels: number = Number(rasterBound.num / rasterBound.den)

/** A unorm8 store rounding to nearest (ties up): one store satisfying Lean's `StoresUnorm`. */
export const storeUnormNearest = (v: Fraction): number => {
  const y = mul(ofInt(255), v)
  const twice = add(y, y)
  // round(y) = ⌊(2y + 1) / 2⌋ on exact fractions
  const n = twice.num + twice.den
  const d = 2n * twice.den
  return Number(n >= 0n ? n / d : -((-n + d - 1n) / d))
}

/**
 * `StoresUnorm store` at one value: the stored byte is within 3/5 of 255·v.
 *
 * @lean Hydrogen.Render.Raster.StoresUnorm
 */
export const storesUnormAt = (store: (v: Fraction) => number, v: Fraction): boolean =>
  le(dist(ofInt(store(v)), mul(ofInt(255), v)), frac(3n, 5n))

/** `k/255`, the exact value a byte stands for. */
export const levelValue = (k: number): Fraction => frac(BigInt(k), 255n)
