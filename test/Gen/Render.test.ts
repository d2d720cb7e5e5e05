// Differential test: src/Render/Error.ts's `step` and `compose` (Fraction
// arithmetic of its own) against the references generated from Lean's
// `Stage.step` and `compose` (a `List.foldl`), on random exact rationals.
import fc from "fast-check"
import { describe, it } from "vitest"
import * as Ref from "../../gen/ts/Render/Error.ts"
import { compose, dist, frac, type Fraction, keyframeError, maxAccumulatedError, stage, stageNonneg, step } from "../../src/Render/Error.ts"
import { params, runs } from "./seed.ts"

const fracArb: fc.Arbitrary<Fraction> = fc.tuple(
  fc.oneof(fc.bigInt({ min: -1000n, max: 1000n }), fc.constantFrom(0n, 1n, -1n, 2n ** 64n)),
  fc.oneof(fc.bigInt({ min: 1n, max: 1000n }), fc.constantFrom(1n, 2n ** 24n, 510n)),
).map(([n, d]) => frac(n, d))
const stageArb = fc.tuple(fracArb, fracArb).map(([eps, sens]) => stage(eps, sens))
const same = (a: Fraction, b: Fraction) => a.num === b.num && a.den === b.den

describe(`Render: src against the Lean-generated reference (${runs} cases each)`, () => {
  // @gen Hydrogen.Render.Stage.step
  // @lean Hydrogen.Render.Stage.step
  it("Stage.step: step e st equals the reference Stage.step", () => {
    fc.assert(fc.property(fracArb, stageArb, (e, st) => same(step(e, st), Ref.Stage_step(e, st))), params)
  })

  // @gen Hydrogen.Render.compose
  // @lean Hydrogen.Render.compose
  it("compose: compose stages equals the reference compose", () => {
    fc.assert(fc.property(fc.array(stageArb, { maxLength: 6 }), (xs) => same(compose(xs), Ref.compose(xs))), { ...params, numRuns: params.numRuns / 4 })
  })
})

describe(`Render: predicates and keyframe bounds against the Lean-generated reference (${runs} cases each)`, () => {
  const natArb = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constantFrom(0, 1, Number.MAX_SAFE_INTEGER))

  // @gen Hydrogen.Render.Stage.Nonneg
  // @lean Hydrogen.Render.Stage.Nonneg
  it("Stage.Nonneg: stageNonneg st equals the reference Stage.Nonneg", () => {
    fc.assert(fc.property(stageArb, (st) => stageNonneg(st) === Ref.Stage_Nonneg(st)), params)
  })

  // @gen Hydrogen.Render.dist
  // @lean Hydrogen.Render.dist
  it("dist: dist a b equals the reference dist", () => {
    fc.assert(fc.property(fracArb, fracArb, (a, b) => same(dist(a, b), Ref.dist(a, b))), params)
  })

  // @gen Hydrogen.Render.keyframeError
  // @lean Hydrogen.Render.keyframeError
  it("keyframeError: keyframeError N w f equals the reference keyframeError (N = 0 included)", () => {
    fc.assert(fc.property(natArb, fracArb, natArb, (N, w, f) => same(keyframeError(N, w, f), Ref.keyframeError(BigInt(N), w, BigInt(f)))), params)
  })

  // @gen Hydrogen.Render.maxAccumulatedError
  // @lean Hydrogen.Render.maxAccumulatedError
  it("maxAccumulatedError: maxAccumulatedError N w equals the reference maxAccumulatedError", () => {
    fc.assert(fc.property(natArb, fracArb, (N, w) => same(maxAccumulatedError(N, w), Ref.maxAccumulatedError(BigInt(N), w))), params)
  })
})
