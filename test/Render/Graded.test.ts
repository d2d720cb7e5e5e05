import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  add,
  colorStage,
  compose,
  dist,
  float32Stage,
  frac,
  fractionOfNumber,
  le,
  lt,
  mul,
  ONE,
  quantizeStage,
  type Fraction,
} from "../../src/Render/Error.ts"
import {
  color8,
  colorValue,
  COORD_BOUND,
  errorBound,
  exact,
  measureMaxError,
  OutOfGradedRange,
  positionErrorBound,
  positionsForGpu,
  positionsToGpu,
  quantize16,
  quantizeColors,
  quantizePositions,
  toFloat32,
} from "../../src/Render/Graded.ts"

// Errors are measured exactly: every double and float32 is converted to its
// exact BigInt fraction, and |output − exact input| is compared with the
// proved bound as fractions. Nothing is compared in floating point.

const expectFrac = (actual: Fraction, expected: Fraction) => expect(`${actual.num}/${actual.den}`).toBe(`${expected.num}/${expected.den}`)

/** The double `steps` ulps away from `x` (same sign, |steps| small). */
const nudge = (x: number, steps: number): number => {
  const f = new Float64Array([x])
  const b = new BigInt64Array(f.buffer)
  b[0] = b[0]! + BigInt(steps) * (x < 0 ? -1n : 1n)
  return f[0]!
}

const coord = fc.double({ min: -COORD_BOUND, max: COORD_BOUND, noNaN: true })
/** Coordinates: arbitrary doubles, exact grid midpoints (error exactly 1/32), and doubles a few ulps from them. */
const coordMix = fc.oneof(
  coord,
  fc.integer({ min: -(2 ** 18), max: 2 ** 18 - 1 }).map((k) => (k + 0.5) / 16),
  fc
    .tuple(fc.integer({ min: -(2 ** 18) + 1, max: 2 ** 18 - 2 }), fc.integer({ min: -4, max: 4 }))
    .map(([k, d]) => nudge((k + 0.5) / 16, d)),
  fc.constantFrom(COORD_BOUND, -COORD_BOUND, 0, -0, 2 ** -1074),
)
const channel = fc.double({ min: 0, max: 1, noNaN: true })
/** Colour channels: arbitrary, and doubles within a few ulps of the ties (2k+1)/510. */
const channelMix = fc.oneof(
  channel,
  fc.tuple(fc.integer({ min: 0, max: 254 }), fc.integer({ min: -3, max: 3 })).map(([k, d]) => nudge((2 * k + 1) / 510, d)),
  fc.constantFrom(0, 1, 0.5),
)

const BATCH = 5_000
const BATCHES = 20 // 10^5 inputs per run

describe("Hydrogen.Render graded stages (real functions)", () => {
  // @lean Hydrogen.Render.realises_of_round
  it("realises_of_round: quantize16, fround and color8 meet their rounding bounds, hence realise (ε, 1)", () => {
    const q = (x: number) => frac(BigInt(quantize16(x)), 16n)
    fc.assert(
      fc.property(coordMix, coordMix, channelMix, channelMix, (a, b, c, d) => {
        const [fa, fb, fc_, fd] = [a, b, c, d].map(fractionOfNumber) as [Fraction, Fraction, Fraction, Fraction]
        // hypothesis: |r y − y| ≤ ε at the sampled points
        expect(le(dist(q(a), fa), quantizeStage.eps)).toBe(true)
        expect(le(dist(fractionOfNumber(toFloat32(a)), fa), float32Stage.eps)).toBe(true)
        expect(le(dist(colorValue(color8(c)), fc_), colorStage.eps)).toBe(true)
        // conclusion: |r a − b| ≤ 1·|a − b| + ε
        expect(le(dist(q(a), fb), add(dist(fa, fb), quantizeStage.eps))).toBe(true)
        expect(le(dist(fractionOfNumber(toFloat32(a)), fb), add(dist(fa, fb), float32Stage.eps))).toBe(true)
        expect(le(dist(colorValue(color8(c)), fd), add(dist(fc_, fd), colorStage.eps))).toBe(true)
      }),
      { numRuns: 2000 },
    )
  })

  // @lean Hydrogen.Render.realises_comp
  it("realises_comp: quantise ∘ (scale by s) realises (s·ε₁ + ε₂, s·s₁) against the exact scaling", () => {
    // f = float32 rounding (grade (2^-10, 1) on |x| ≤ 2^14), g = quantise after scaling by s ∈ [0, 1]
    // (grade (1/32, s) against the exact scaling): the composite is within s·(|a − b| + 2^-10) + 1/32.
    fc.assert(
      fc.property(coordMix, coordMix, fc.integer({ min: 0, max: 16 }), (a, b, n) => {
        const s = frac(BigInt(n), 16n) // exact in doubles: a multiple of 1/16 in [0, 1]
        const composite = frac(BigInt(quantize16(toFloat32(a) * (n / 16))), 16n)
        const ideal = mul(s, fractionOfNumber(b))
        const grade = add(mul(s, float32Stage.eps), quantizeStage.eps)
        expect(le(dist(composite, ideal), add(mul(mul(s, ONE), dist(fractionOfNumber(a), fractionOfNumber(b))), grade))).toBe(true)
      }),
      { numRuns: 2000 },
    )
  })

  // @lean Hydrogen.Render.position_pipeline_sound
  it("position_pipeline_sound: on 10^5 random positions per run, quantise then fround stays within the proved 33/1024 px", () => {
    let worst: Fraction = frac(0n)
    let count = 0
    fc.assert(
      fc.property(fc.array(coordMix, { minLength: BATCH, maxLength: BATCH }), (xs) => {
        const input = Float64Array.from(xs)
        const out = positionsForGpu(exact(input))
        const m = measureMaxError(input, out.values)
        expect(le(m, positionErrorBound)).toBe(true)
        if (lt(worst, m)) worst = m
        count += xs.length
      }),
      { numRuns: BATCHES },
    )
    expect(count).toBeGreaterThanOrEqual(100_000)
    expectFrac(positionErrorBound, frac(33n, 1024n))
    // the grid midpoints in the mix make the measured worst case exactly 1/32: the
    // quantisation term is attained, the float32 term (2^-10) never is on the grid
    expectFrac(worst, frac(1n, 32n))
  })

  it("on the 1/16 grid with |x| ≤ 2^14, the float32 conversion is exact (18 significant bits)", () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 18), max: 2 ** 18 }), (k) => {
        expect(toFloat32(k / 16)).toBe(k / 16)
      }),
      { numRuns: 2000 },
    )
  })

  it("float32 alone on arbitrary |x| ≤ 2^14 stays within 2^-10 px (in fact half an ulp, 2^-11)", () => {
    let worst: Fraction = frac(0n)
    fc.assert(
      fc.property(fc.array(coord, { minLength: BATCH, maxLength: BATCH }), (xs) => {
        const m = measureMaxError(xs, xs.map(toFloat32))
        expect(le(m, float32Stage.eps)).toBe(true)
        expect(le(m, frac(1n, 2048n))).toBe(true)
        if (lt(worst, m)) worst = m
      }),
      { numRuns: 4 },
    )
  })

  it("8-bit colour on 10^5 random channels per run (ties included) stays within 1/510", () => {
    let count = 0
    fc.assert(
      fc.property(fc.array(channelMix, { minLength: BATCH, maxLength: BATCH }), (cs) => {
        const input = Float64Array.from(cs)
        const out = quantizeColors(exact(input))
        expect(le(measureMaxError(input, out.values, colorValue), errorBound(out))).toBe(true)
        count += cs.length
      }),
      { numRuns: BATCHES },
    )
    expect(count).toBeGreaterThanOrEqual(100_000)
  })

  it("naive Math.round(c·255) misses 1/510 at the double nearest 1/510; color8 does not", () => {
    const c = 1 / 510 // the double nearest to 1/510, just below it
    const exactC = fractionOfNumber(c)
    expect(lt(exactC, frac(1n, 510n))).toBe(true)
    expect(Math.round(c * 255)).toBe(1) // c·255 rounds to 0.5 in float64, then up
    expect(lt(colorStage.eps, dist(colorValue(1), exactC))).toBe(true) // error of level 1 exceeds 1/510
    expect(color8(c)).toBe(0)
    expect(le(dist(colorValue(color8(c)), exactC), colorStage.eps)).toBe(true)
  })
})

describe("Graded batches carry their grade per stage, not per value", () => {
  it("a batch of any size carries exactly its stages; errorBound = compose(stages) = 33/1024 px", () => {
    for (const n of [0, 1, 1000, 100_000]) {
      const g = positionsForGpu(exact(new Float64Array(n)))
      expect(g.values).toBeInstanceOf(Float32Array)
      expect(g.values.length).toBe(n)
      expect(g.stages).toEqual([quantizeStage, float32Stage])
      expectFrac(errorBound(g), frac(33n, 1024n))
    }
    const q = quantizePositions(exact(Float64Array.of(1.03125, -2.5)))
    expect(Array.from(q.values)).toEqual([17, -40]) // 1.03125·16 = 16.5 rounds up to 17; −40 = −2.5·16
    expect(Array.from(positionsToGpu(q).values)).toEqual([1.0625, -2.5])
    expectFrac(errorBound(quantizeColors(exact(Float64Array.of(0, 1)))), compose([colorStage]))
  })

  it("inputs outside the graded range are an OutOfGradedRange naming the index and value", () => {
    const bad = (f: () => unknown) => {
      try {
        f()
      } catch (e) {
        return e
      }
      return undefined
    }
    const e1 = bad(() => quantizePositions(exact(Float64Array.of(0, COORD_BOUND + 1))))
    expect(e1).toBeInstanceOf(OutOfGradedRange)
    expect((e1 as OutOfGradedRange).index).toBe(1)
    expect((e1 as OutOfGradedRange).message).toContain("16385")
    expect(bad(() => quantizePositions(exact(Float64Array.of(Number.NaN))))).toBeInstanceOf(OutOfGradedRange)
    expect(bad(() => positionsToGpu(exact(Int32Array.of(2 ** 18 + 1))))).toBeInstanceOf(OutOfGradedRange)
    expect(bad(() => quantizeColors(exact(Float64Array.of(0.5, -0.1))))).toBeInstanceOf(OutOfGradedRange)
    expect(bad(() => quantizeColors(exact(Float64Array.of(Number.NaN))))).toBeInstanceOf(OutOfGradedRange)
  })
})
