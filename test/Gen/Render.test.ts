// Differential test: src/Render/Error.ts's `step` and `compose` (Fraction
// arithmetic of its own) against the references generated from Lean's
// `Stage.step` and `compose` (a `List.foldl`), on random exact rationals.
import fc from "fast-check"
import { describe, it } from "vitest"
import * as Ref from "../../gen/ts/Render/Error.ts"
import { compose, frac, type Fraction, stage, step } from "../../src/Render/Error.ts"
import { params, runs } from "./seed.ts"

const fracArb: fc.Arbitrary<Fraction> = fc.tuple(
  fc.oneof(fc.bigInt({ min: -1000n, max: 1000n }), fc.constantFrom(0n, 1n, -1n, 2n ** 64n)),
  fc.oneof(fc.bigInt({ min: 1n, max: 1000n }), fc.constantFrom(1n, 2n ** 24n, 510n)),
).map(([n, d]) => frac(n, d))
const stageArb = fc.tuple(fracArb, fracArb).map(([eps, sens]) => stage(eps, sens))
const same = (a: Fraction, b: Fraction) => a.num === b.num && a.den === b.den

describe(`Render: src against the Lean-generated reference (${runs} cases each)`, () => {
  // @lean Hydrogen.Render.Stage.step
  it("Stage.step: step e st equals the reference Stage.step", () => {
    fc.assert(fc.property(fracArb, stageArb, (e, st) => same(step(e, st), Ref.Stage_step(e, st))), params)
  })

  // @lean Hydrogen.Render.compose
  it("compose: compose stages equals the reference compose", () => {
    fc.assert(fc.property(fc.array(stageArb, { maxLength: 6 }), (xs) => same(compose(xs), Ref.compose(xs))), { ...params, numRuns: params.numRuns / 4 })
  })
})
