import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  add,
  closedForm,
  colorPipeline,
  colorStage,
  compose,
  coordBound,
  driftsWithKeyframes,
  eq,
  float32Stage,
  float32UnitRoundoff,
  frac,
  gain,
  geomSum,
  keyframeError,
  le,
  lt,
  maxAccumulatedError,
  mul,
  ofInt,
  positionPipeline,
  positionStep,
  pow,
  quantizeStage,
  stage,
  stageNonneg,
  stagesLe,
  step,
  sub,
  totalError,
  type Fraction,
  type Stage,
  ZERO,
  ONE,
  dist,
  fractionOfNumber,
} from "../../src/Render/Error.ts"

// Every number here is an exact BigInt fraction. Expected values are the ones
// the Lean theorems state, or computed here independently of the function
// under test (e.g. the closed form by explicit products, geometric sums by
// the formula (S^n − 1)/(S − 1)).

const runs = { numRuns: 200 } as const

const fracArb: fc.Arbitrary<Fraction> = fc
  .tuple(fc.bigInt({ min: -2000n, max: 2000n }), fc.bigInt({ min: 1n, max: 500n }))
  .map(([n, d]) => frac(n, d))
const nonnegArb: fc.Arbitrary<Fraction> = fc
  .tuple(fc.bigInt({ min: 0n, max: 2000n }), fc.bigInt({ min: 1n, max: 500n }))
  .map(([n, d]) => frac(n, d))
const stageArb: fc.Arbitrary<Stage> = fc.tuple(fracArb, fracArb).map(([e, s]) => stage(e, s))
const nonnegStageArb: fc.Arbitrary<Stage> = fc.tuple(nonnegArb, nonnegArb).map(([e, s]) => stage(e, s))
const pipelineArb = fc.array(stageArb, { maxLength: 8 })
const nonnegPipelineArb = fc.array(nonnegStageArb, { maxLength: 8 })
/** A nonnegative pipeline and one pointwise at least as large. */
const dominatedPairArb = fc
  .array(fc.tuple(nonnegStageArb, nonnegArb, nonnegArb), { maxLength: 8 })
  .map((rows) => [rows.map(([a]) => a), rows.map(([a, de, ds]) => stage(add(a.eps, de), add(a.sens, ds)))] as const)

const expectFrac = (actual: Fraction, expected: Fraction) => expect(`${actual.num}/${actual.den}`).toBe(`${expected.num}/${expected.den}`)
const replicate = <A>(n: number, a: A): A[] => Array.from({ length: n }, () => a)
/** Σᵢ εᵢ·Πⱼ>ᵢ sⱼ by explicit products (independent of `closedForm`'s recursion). */
const explicitSum = (xs: ReadonlyArray<Stage>): Fraction =>
  xs.reduce((acc, st, i) => add(acc, xs.slice(i + 1).reduce((p, t) => mul(p, t.sens), st.eps)), ZERO)

describe("Hydrogen.Render error composition", () => {
  // @lean Hydrogen.Render.Stage
  // @lean Hydrogen.Render.Stage.step
  // @lean Hydrogen.Render.compose
  it("step is s·e + ε and compose folds it from 0, first stage first", () => {
    expectFrac(step(frac(3n), stage(frac(1n, 2n), frac(5n))), frac(31n, 2n))
    expectFrac(compose([]), ZERO)
    expectFrac(compose([stage(frac(7n), frac(100n))]), frac(7n)) // the first sensitivity sees error 0
  })

  // @lean Hydrogen.Render.gain
  // @lean Hydrogen.Render.closedForm
  it("gain is the product of sensitivities; closedForm is Σ εᵢ·Πⱼ>ᵢ sⱼ (explicit products)", () => {
    fc.assert(
      fc.property(pipelineArb, (xs) => {
        expectFrac(gain(xs), xs.reduce((p, st) => mul(p, st.sens), ONE))
        expectFrac(closedForm(xs), explicitSum(xs))
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.foldl_step_eq
  it("foldl_step_eq: folding from e gives e·gain + closedForm", () => {
    fc.assert(
      fc.property(fracArb, pipelineArb, (e, xs) => {
        expectFrac(xs.reduce(step, e), add(mul(e, gain(xs)), explicitSum(xs)))
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.compose_eq_closedForm
  it("compose_eq_closedForm: the fold equals Σ εᵢ·Πⱼ>ᵢ sⱼ for any signs", () => {
    fc.assert(
      fc.property(pipelineArb, (xs) => {
        expectFrac(compose(xs), closedForm(xs))
        expectFrac(compose(xs), explicitSum(xs))
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.compose_four
  it("compose_four: four stages give the seed's s₄(s₃(s₂ε₁+ε₂)+ε₃)+ε₄", () => {
    fc.assert(
      fc.property(stageArb, stageArb, stageArb, stageArb, (a, b, c, d) => {
        const seed = add(mul(d.sens, add(mul(c.sens, add(mul(b.sens, a.eps), b.eps)), c.eps)), d.eps)
        expectFrac(compose([a, b, c, d]), seed)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.compose_append
  it("compose_append: compose (xs ++ ys) = compose xs · gain ys + compose ys", () => {
    fc.assert(
      fc.property(pipelineArb, pipelineArb, (xs, ys) => {
        expectFrac(compose([...xs, ...ys]), add(mul(compose(xs), gain(ys)), compose(ys)))
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.foldl_step_nonneg
  it("foldl_step_nonneg: nonnegative stages from e ≥ 0 give a nonnegative result", () => {
    fc.assert(
      fc.property(nonnegPipelineArb, nonnegArb, (xs, e) => {
        expect(le(ZERO, xs.reduce(step, e))).toBe(true)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.Stage.Nonneg
  // @lean Hydrogen.Render.compose_nonneg
  it("compose_nonneg: nonnegative stages give a nonnegative total (and Nonneg is 0 ≤ ε ∧ 0 ≤ s)", () => {
    fc.assert(
      fc.property(nonnegPipelineArb, (xs) => {
        expect(xs.every(stageNonneg)).toBe(true)
        expect(le(ZERO, compose(xs))).toBe(true)
      }),
      runs,
    )
    expect(stageNonneg(stage(frac(-1n), ONE))).toBe(false)
    expect(stageNonneg(stage(ONE, frac(-1n)))).toBe(false)
  })

  // @lean Hydrogen.Render.StagesLe
  // @lean Hydrogen.Render.foldl_step_mono
  it("foldl_step_mono: pointwise larger stages and a larger start give a larger fold", () => {
    fc.assert(
      fc.property(dominatedPairArb, nonnegArb, nonnegArb, ([xs, ys], e, de) => {
        expect(stagesLe(xs, ys)).toBe(true)
        expect(le(xs.reduce(step, e), ys.reduce(step, add(e, de)))).toBe(true)
      }),
      runs,
    )
    // StagesLe needs equal lengths and a nonnegative lower side
    expect(stagesLe([], [stage(ONE, ONE)])).toBe(false)
    expect(stagesLe([stage(frac(-1n), ONE)], [stage(ONE, ONE)])).toBe(false)
  })

  // @lean Hydrogen.Render.compose_mono
  it("compose_mono: monotone in every ε and every s at once (nonnegative stages)", () => {
    fc.assert(
      fc.property(dominatedPairArb, ([xs, ys]) => {
        expect(le(compose(xs), compose(ys))).toBe(true)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.stagesLe_refl
  it("stagesLe_refl: a nonnegative pipeline is below itself", () => {
    fc.assert(fc.property(nonnegPipelineArb, (xs) => { expect(stagesLe(xs, xs)).toBe(true) }), runs)
  })

  // @lean Hydrogen.Render.stagesLe_append
  it("stagesLe_append: pointwise order is preserved by concatenation", () => {
    fc.assert(
      fc.property(dominatedPairArb, dominatedPairArb, ([xs, ys], [xs2, ys2]) => {
        expect(stagesLe([...xs, ...xs2], [...ys, ...ys2])).toBe(true)
      }),
      runs,
    )
  })

  const atArb = fc.tuple(nonnegPipelineArb, nonnegPipelineArb, nonnegStageArb, nonnegArb, nonnegArb)

  // @lean Hydrogen.Render.compose_mono_at
  it("compose_mono_at: raising one stage's ε and s never lowers the total", () => {
    fc.assert(
      fc.property(atArb, ([pre, post, a, de, ds]) => {
        const b = stage(add(a.eps, de), add(a.sens, ds))
        expect(le(compose([...pre, a, ...post]), compose([...pre, b, ...post]))).toBe(true)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.compose_mono_eps
  it("compose_mono_eps: raising one stage's ε never lowers the total", () => {
    fc.assert(
      fc.property(atArb, ([pre, post, a, de]) => {
        expect(le(compose([...pre, a, ...post]), compose([...pre, stage(add(a.eps, de), a.sens), ...post]))).toBe(true)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.compose_mono_sens
  it("compose_mono_sens: raising one stage's s never lowers the total", () => {
    fc.assert(
      fc.property(atArb, ([pre, post, a, , ds]) => {
        expect(le(compose([...pre, a, ...post]), compose([...pre, stage(a.eps, add(a.sens, ds)), ...post]))).toBe(true)
      }),
      runs,
    )
  })

  it("without nonnegativity monotonicity fails (why the theorems assume it)", () => {
    // raising the first ε from 0 to 1 in front of a sensitivity −1 lowers the total
    const lower = [stage(ZERO, ONE), stage(ZERO, frac(-1n))]
    const higher = [stage(ONE, ONE), stage(ZERO, frac(-1n))]
    expect(lt(compose(higher), compose(lower))).toBe(true)
  })

  /** (S^n − 1)/(S − 1), or n for S = 1: independent of `geomSum`'s loop. */
  const geomClosed = (S: Fraction, n: number): Fraction =>
    eq(S, ONE) ? ofInt(n) : mul(sub(pow(S, n), ONE), frac(S.den, S.num - S.den))

  // @lean Hydrogen.Render.geomSum
  it("geomSum S n is 1 + S + … + S^(n−1) = (S^n − 1)/(S − 1)", () => {
    fc.assert(
      fc.property(fracArb, fc.nat(12), (S, n) => {
        expectFrac(geomSum(S, n), geomClosed(S, n))
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.gain_replicate
  it("gain_replicate: n equal stages have gain sens^n", () => {
    fc.assert(fc.property(stageArb, fc.nat(12), (st, n) => { expectFrac(gain(replicate(n, st)), pow(st.sens, n)) }), runs)
  })

  // @lean Hydrogen.Render.compose_replicate
  it("compose_replicate: n stages (e, S) give exactly e·(1 + S + … + S^(n−1))", () => {
    fc.assert(
      fc.property(fracArb, fracArb, fc.nat(12), (e, S, n) => {
        expectFrac(compose(replicate(n, stage(e, S))), mul(e, geomClosed(S, n)))
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.compose_le_uniform
  it("compose_le_uniform: stages with 0 ≤ ε ≤ e, 0 ≤ s ≤ S give at most e·(1 + S + … + S^(n−1))", () => {
    fc.assert(
      fc.property(dominatedPairArb, ([xs, ys]) => {
        // e, S: the largest ε and s of the upper pipeline (bounds for every stage of xs)
        const e = ys.reduce((m, st) => (le(m, st.eps) ? st.eps : m), ZERO)
        const S = ys.reduce((m, st) => (le(m, st.sens) ? st.sens : m), ZERO)
        expect(le(compose(xs), mul(e, geomClosed(S, xs.length)))).toBe(true)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.geomSum_two_five
  it("geomSum_two_five: 1 + 2 + 4 + 8 + 16 = 31", () => {
    expectFrac(geomSum(frac(2n), 5), frac(31n))
  })

  // @lean Hydrogen.Render.totalError
  // @lean Hydrogen.Render.pipeline_error_bounded
  it("pipeline_error_bounded: 5 stages, 0 ≤ ε ≤ 1/1000, 0 ≤ s ≤ 2 ⇒ totalError ≤ 31/1000", () => {
    // ε = (n/d)/1000 and s = 2·n/d with 0 ≤ n ≤ d: every value in range, both ends included
    const unit = fc.bigInt({ min: 1n, max: 1000n }).chain((d) => fc.bigInt({ min: 0n, max: d }).map((n) => frac(n, d)))
    const five = fc.array(unit, { minLength: 5, maxLength: 5 })
    fc.assert(
      fc.property(five, five, (us, vs) => {
        const eps = us.map((u) => mul(u, frac(1n, 1000n)))
        const s = vs.map((v) => mul(v, frac(2n)))
        expect(le(totalError(eps, s), frac(31n, 1000n))).toBe(true)
      }),
      { numRuns: 500 },
    )
  })

  // @lean Hydrogen.Render.pipeline_error_tight
  it("pipeline_error_tight: all ε = 1/1000, all s = 2 give exactly 31/1000", () => {
    expectFrac(totalError(replicate(5, frac(1n, 1000n)), replicate(5, frac(2n))), frac(31n, 1000n))
  })

  // @lean Hydrogen.Render.pipeline_error_bounded_needs_nonneg
  it("pipeline_error_bounded_needs_nonneg: without signs, ε = (−1,−1,−1,−1,0), s = (0,0,0,0,−1) give 1 > 31/1000", () => {
    const eps = [-1n, -1n, -1n, -1n, 0n].map((n) => frac(n))
    const s = [0n, 0n, 0n, 0n, -1n].map((n) => frac(n))
    expect(eps.every((e) => le(e, frac(1n, 1000n))) && s.every((x) => le(x, frac(2n)))).toBe(true)
    expectFrac(totalError(eps, s), ONE)
    expect(lt(frac(31n, 1000n), totalError(eps, s))).toBe(true)
  })
})

describe("Hydrogen.Render keyframes", () => {
  const wArb = fracArb.map((w) => mul(w, frac(1n, 1000n)))
  /** An error sequence that keyframes every N frames reset, each other frame adding w − slack. */
  const driftArb = fc
    .tuple(fc.integer({ min: 1, max: 80 }), wArb, fc.array(nonnegArb, { minLength: 1, maxLength: 300 }))
    .map(([N, w, slacks]) => {
      const errs: Fraction[] = []
      slacks.forEach((sl, f) => errs.push(f % N === 0 ? ZERO : sub(add(errs[f - 1]!, w), mul(sl, frac(1n, 1000n)))))
      return { N, w, errs }
    })

  // @lean Hydrogen.Render.drift_le_mul
  it("drift_le_mul: starting at 0 and adding at most w per frame, frame t has error ≤ t·w", () => {
    fc.assert(
      fc.property(wArb, fc.array(nonnegArb, { maxLength: 200 }), (w, slacks) => {
        let err = ZERO
        slacks.forEach((sl, t) => {
          expect(le(err, mul(ofInt(t), w))).toBe(true)
          err = sub(add(err, w), sl)
        })
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.succ_mod_of_ne_zero
  it("succ_mod_of_ne_zero: (f + 1) mod N ≠ 0 ⇒ (f + 1) mod N = f mod N + 1", () => {
    fc.assert(
      fc.property(fc.nat(10 ** 9), fc.integer({ min: 1, max: 10 ** 6 }), (f, N) => {
        fc.pre((f + 1) % N !== 0)
        expect((f + 1) % N).toBe((f % N) + 1)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.DriftsWithKeyframes
  // @lean Hydrogen.Render.keyframeError
  // @lean Hydrogen.Render.error_le_keyframeError
  it("error_le_keyframeError: with resets every N frames, frame f has error ≤ (f mod N)·w", () => {
    fc.assert(
      fc.property(driftArb, ({ N, w, errs }) => {
        expect(driftsWithKeyframes(N, w, errs)).toBe(true)
        errs.forEach((e, f) => expect(le(e, keyframeError(N, w, f))).toBe(true))
      }),
      runs,
    )
    // a sequence that skips a reset is not DriftsWithKeyframes
    expect(driftsWithKeyframes(2, ONE, [ZERO, ONE, ONE])).toBe(false)
  })

  // @lean Hydrogen.Render.keyframeError_drifts
  it("keyframeError_drifts: the worst case (exactly w per frame) satisfies the hypotheses", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 80 }), wArb, (N, w) => {
        const errs = Array.from({ length: 3 * N + 5 }, (_, f) => keyframeError(N, w, f))
        expect(driftsWithKeyframes(N, w, errs)).toBe(true)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.keyframeError_pred
  it("keyframeError_pred: frame N − 1 reaches (N − 1)·w (the bound is attained)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 ** 6 }), wArb, (N, w) => {
        expectFrac(keyframeError(N, w, N - 1), mul(ofInt(N - 1), w))
      }),
      runs,
    )
  })

  const below = fc.bigInt({ min: 1n, max: 10n ** 6n }).chain((d) =>
    fc.bigInt({ min: -10n * d, max: d - 1n }).map((n) => frac(n, 100n * d)), // w = n/(100d) < 1/100
  )

  // @lean Hydrogen.Render.keyframeError_lt
  it("keyframeError_lt: 0 < N ≤ 60 and w < 1/100 keep (f mod N)·w below 3/5 at every frame", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), below, fc.nat(10 ** 12), (N, w, f) => {
        expect(lt(w, frac(1n, 100n))).toBe(true)
        expect(lt(keyframeError(N, w, f), frac(3n, 5n))).toBe(true)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.error_lt_forever
  it("error_lt_forever: any reset sequence with N ≤ 60 and w < 1/100 stays below 3/5", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), below, fc.array(nonnegArb, { minLength: 1, maxLength: 400 }), (N, w, slacks) => {
        const errs: Fraction[] = []
        slacks.forEach((sl, f) => errs.push(f % N === 0 ? ZERO : sub(add(errs[f - 1]!, w), mul(sl, frac(1n, 10n ** 6n)))))
        expect(driftsWithKeyframes(N, w, errs)).toBe(true)
        errs.forEach((e) => expect(lt(e, frac(3n, 5n))).toBe(true))
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.maxAccumulatedError
  // @lean Hydrogen.Render.amortized_diffusion_quality
  it("amortized_diffusion_quality: N ≤ 60 and w < 1/100 give N·w < 3/5 (the seed's ≤ 0.6, strictly)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), below, (N, w) => {
        expectFrac(maxAccumulatedError(N, w), mul(ofInt(N), w))
        expect(lt(maxAccumulatedError(N, w), frac(3n, 5n))).toBe(true)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.no_keyframes_unbounded
  it("no_keyframes_unbounded: with N = 0, drifting 1/200 per frame passes 3/5 at frame 121", () => {
    const w = frac(1n, 200n)
    const errs = Array.from({ length: 122 }, (_, f) => mul(ofInt(f), w))
    expect(driftsWithKeyframes(0, w, errs)).toBe(true)
    expect(lt(frac(3n, 5n), errs[121]!)).toBe(true)
    expectFrac(keyframeError(0, w, 121), errs[121]!) // f mod 0 = f: no reset ever
  })
})

describe("Hydrogen.Render instantiated stages", () => {
  // @lean Hydrogen.Render.positionStep
  // @lean Hydrogen.Render.quantizeStage
  // @lean Hydrogen.Render.quantizeStage_eps
  it("quantizeStage_eps: 1/16-px fixed point rounds by at most 1/32 px (s = 1)", () => {
    expectFrac(positionStep, frac(1n, 16n))
    expectFrac(quantizeStage.eps, frac(1n, 32n))
    expectFrac(quantizeStage.sens, ONE)
  })

  // @lean Hydrogen.Render.coordBound
  // @lean Hydrogen.Render.float32UnitRoundoff
  // @lean Hydrogen.Render.float32Stage
  // @lean Hydrogen.Render.float32Stage_eps
  it("float32Stage_eps: float32 of |x| ≤ 2^14 px errs by at most 2^14·2^-24 = 1/1024 px (s = 1)", () => {
    expectFrac(coordBound, frac(16384n))
    expectFrac(float32UnitRoundoff, frac(1n, 16777216n))
    expectFrac(float32Stage.eps, frac(1n, 1024n))
    expectFrac(float32Stage.sens, ONE)
    // 2^-24 is float32's unit roundoff: 1 + 2^-23 is the next float32 after 1
    expect(Math.fround(1 + 2 ** -23)).toBe(1 + 2 ** -23)
    expect(Math.fround(1 + 2 ** -24)).toBe(1)
  })

  // @lean Hydrogen.Render.colorStage
  // @lean Hydrogen.Render.colorStage_eps
  it("colorStage_eps: 8-bit colour errs by at most half a level, 1/510 (s = 1)", () => {
    expectFrac(colorStage.eps, frac(1n, 510n))
    expectFrac(colorStage.sens, ONE)
  })

  // @lean Hydrogen.Render.positionPipeline
  // @lean Hydrogen.Render.position_error_bound
  it("position_error_bound: quantise then float32 gives 1/32 + 1/1024 = 33/1024 px end to end", () => {
    expect(positionPipeline).toEqual([quantizeStage, float32Stage])
    expectFrac(compose(positionPipeline), frac(33n, 1024n))
  })

  // @lean Hydrogen.Render.colorPipeline
  // @lean Hydrogen.Render.color_error_bound
  it("color_error_bound: the colour axis is bounded by 1/510 per channel", () => {
    expect(colorPipeline).toEqual([colorStage])
    expectFrac(compose(colorPipeline), frac(1n, 510n))
  })

  // @lean Hydrogen.Render.dist
  it("dist is |a − b| (symmetric, zero on the diagonal)", () => {
    fc.assert(
      fc.property(fracArb, fracArb, (a, b) => {
        expectFrac(dist(a, b), dist(b, a))
        expectFrac(dist(a, a), ZERO)
        const d = sub(a, b)
        expectFrac(dist(a, b), d.num < 0n ? frac(-d.num, d.den) : d)
      }),
      runs,
    )
  })

  it("fractionOfNumber is the exact value of a double", () => {
    expectFrac(fractionOfNumber(0.5), frac(1n, 2n))
    expectFrac(fractionOfNumber(-3), frac(-3n))
    expectFrac(fractionOfNumber(0.1), frac(3602879701896397n, 36028797018963968n))
    expectFrac(fractionOfNumber(2 ** -1074), frac(1n, 2n ** 1074n))
    expectFrac(fractionOfNumber(-0), ZERO)
    expect(() => fractionOfNumber(Number.NaN)).toThrow(RangeError)
  })
})
