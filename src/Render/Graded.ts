/**
 * Graded values with the grade carried per stage, not per value (seed 001,
 * Critique 6: zero per-value overhead). A `Graded<A>` is a typed array of
 * values plus the list of stages that produced it; its error bound is
 * `compose(stages)` from `Error.ts` — the Lean `Hydrogen.Render.compose`. A
 * batch of a million positions carries one array of `Stage` records (two, on
 * the position axis), never a grade per value.
 *
 * The real stage functions and their proved grades (`lean/Hydrogen/Render/Error.lean`):
 *
 * - `quantize16`: a position (px, `|x| ≤ 2^14`) to fixed point with 4
 *   fractional bits, the integer `k` with value `k/16`, nearest (`x·16` is
 *   exact in float64, `Math.round` exact): `quantizeStage`, `ε = 1/32`, `s = 1`.
 * - `Math.fround` on the way to the GPU (`Float32Array`): `float32Stage`,
 *   `ε = 2^-10` px for `|x| ≤ 2^14`, `s = 1`. (On the 1/16 grid with
 *   `|x| ≤ 2^14` a value has at most 18 significant bits, so this conversion is
 *   exact; the grade is the general float32 bound.)
 * - `color8`: a colour channel `c ∈ [0, 1]` to `k ∈ 0…255` with value `k/255`,
 *   nearest: `colorStage`, `ε = 1/510`, `s = 1`. `Math.round(c·255)` alone is
 *   **not** within `1/510`: `c·255` is rounded in float64 first, and for the
 *   double nearest to `(2k+1)/510` it can land on the tie `k + 1/2` from below
 *   and round up (e.g. `c = 0.00196078431372549`, nearest double to `1/510`,
 *   gives `1`, error `1/510 + 1.9·10^-19`). `color8` decides near-ties exactly.
 *
 * End to end: positions within `33/1024` px of the exact input
 * (`positionErrorBound`), colours within `1/510`.
 *
 * @module
 */
import { Data } from "effect"
import {
  colorStage,
  compose,
  float32Stage,
  fractionOfNumber,
  frac,
  le,
  mul,
  type Fraction,
  type Stage,
  positionPipeline,
  quantizeStage,
} from "./Error.ts"

/** A value outside the range a stage's grade is proved for: `value` at `index` of the input of `where`. */
export class OutOfGradedRange extends Data.TaggedError("OutOfGradedRange")<{
  readonly where: string
  readonly index: number
  readonly value: number
  readonly range: string
}> {
  override get message(): string {
    return `${this.where}: value ${Object.is(this.value, -0) ? "-0" : this.value} at index ${this.index} is outside ${this.range}`
  }
}

/** Values plus the stages that produced them (the grade of the whole batch). */
export interface Graded<A> {
  readonly values: A
  readonly stages: ReadonlyArray<Stage>
}

/** Exact values (no stage yet: error bound `0`). */
export const exact = <A>(values: A): Graded<A> => ({ values, stages: [] })

/** Applies a batch function with a stated grade, appending that grade. */
export const mapStage = <A, B>(g: Graded<A>, f: (values: A) => B, st: Stage): Graded<B> => ({
  values: f(g.values),
  stages: [...g.stages, st],
})

/** The batch's proved error bound: `compose` of its stages. */
export const errorBound = <A>(g: Graded<A>): Fraction => compose(g.stages)

/** Largest coordinate magnitude (px) the position stages are graded for: `2^14`. */
export const COORD_BOUND = 2 ** 14

/** The proved end-to-end position bound, `33/1024` px (Lean `position_error_bound`). */
export const positionErrorBound: Fraction = compose(positionPipeline)

// ---------------------------------------------------------------------------
// The scalar stage functions

/** Fixed point with 4 fractional bits: the integer `k` nearest to `16x` (value `k/16`). */
export const quantize16 = (x: number): number => Math.round(x * 16)

/** Float32 conversion (what a `Float32Array` store does). */
export const toFloat32 = (x: number): number => Math.fround(x)

/**
 * The 8-bit level `k ∈ 0…255` nearest to `255c` for `c ∈ [0, 1]` (ties up).
 * Far from a tie `Math.round(c·255)` is right (`c·255` is within `2^-46` of the
 * exact product); within `2^-30` of one, the choice is made in exact arithmetic.
 */
export const color8 = (c: number): number => {
  const y = c * 255
  const n = Math.floor(y)
  const f = y - n // exact: n ≤ y < n + 1
  if (Math.abs(f - 0.5) > 2 ** -30) return Math.round(y)
  // 255c − n ≥ 1/2  ⇔  510·c ≥ 2n + 1, decided exactly.
  const cf = fractionOfNumber(c)
  return 510n * cf.num >= BigInt(2 * n + 1) * cf.den ? n + 1 : n
}

// ---------------------------------------------------------------------------
// Batch stages

/**
 * Positions (px) to fixed point (`Int32Array` of `k`, value `k/16`), grade
 * `quantizeStage`. Every value must be finite with `|x| ≤ 2^14`.
 */
export const quantizePositions = (g: Graded<Float64Array>): Graded<Int32Array> =>
  mapStage(
    g,
    (xs) => {
      const out = new Int32Array(xs.length)
      for (let i = 0; i < xs.length; i++) {
        const x = xs[i]!
        if (!(Math.abs(x) <= COORD_BOUND)) {
          throw new OutOfGradedRange({ where: "quantizePositions", index: i, value: x, range: "|x| ≤ 2^14 px" })
        }
        out[i] = quantize16(x)
      }
      return out
    },
    quantizeStage,
  )

/**
 * Fixed-point positions to float32 for the GPU (`Float32Array` of `k/16`),
 * grade `float32Stage`. Every `k` must satisfy `|k/16| ≤ 2^14`.
 */
export const positionsToGpu = (g: Graded<Int32Array>): Graded<Float32Array> =>
  mapStage(
    g,
    (ks) => {
      const out = new Float32Array(ks.length)
      for (let i = 0; i < ks.length; i++) {
        const k = ks[i]!
        if (Math.abs(k) > COORD_BOUND * 16) {
          throw new OutOfGradedRange({ where: "positionsToGpu", index: i, value: k, range: "|k/16| ≤ 2^14 px" })
        }
        out[i] = k / 16
      }
      return out
    },
    float32Stage,
  )

/** Both position stages: px → fixed point → float32 (error bound `33/1024` px). */
export const positionsForGpu = (g: Graded<Float64Array>): Graded<Float32Array> => positionsToGpu(quantizePositions(g))

/**
 * Colour channels `c ∈ [0, 1]` to 8-bit levels (`Uint8Array` of `k`, value
 * `k/255`), grade `colorStage`.
 */
export const quantizeColors = (g: Graded<Float64Array>): Graded<Uint8Array> =>
  mapStage(
    g,
    (cs) => {
      const out = new Uint8Array(cs.length)
      for (let i = 0; i < cs.length; i++) {
        const c = cs[i]!
        if (!(c >= 0 && c <= 1)) {
          throw new OutOfGradedRange({ where: "quantizeColors", index: i, value: c, range: "[0, 1]" })
        }
        out[i] = color8(c)
      }
      return out
    },
    colorStage,
  )

// ---------------------------------------------------------------------------
// Exact measurement

/**
 * The exact error `|out − ideal|` of each output against its exact input, and
 * the largest, as fractions (for tests and the CLI). `outValue` gives an
 * output's represented value (e.g. `k/255` for a colour level).
 */
export const measureMaxError = (
  inputs: ArrayLike<number>,
  outputs: ArrayLike<number>,
  outValue: (o: number) => Fraction = fractionOfNumber,
): Fraction => {
  let worst: Fraction = frac(0n)
  for (let i = 0; i < inputs.length; i++) {
    const x = fractionOfNumber(inputs[i]!)
    const y = outValue(outputs[i]!)
    const d = le(x, y) ? { num: y.num * x.den - x.num * y.den, den: y.den * x.den } : { num: x.num * y.den - y.num * x.den, den: y.den * x.den }
    if (!le(d, worst)) worst = frac(d.num, d.den)
  }
  return worst
}

/** The value `k/255` of an 8-bit level. */
export const colorValue = (k: number): Fraction => mul(frac(BigInt(k)), frac(1n, 255n))

/**
 * Tolerance of the float pre-filter of `maxErrorExact`: far above twice the
 * float64 error of `|x − out|` for positions (|x| ≤ 2^14, error ≤ 2^-39) and
 * colours (`k/255` and the subtraction, error ≤ 2^-52).
 */
const prefilterTolerance = 1e-9

/**
 * The exact largest `|out − ideal|`, by `measureMaxError` (src/Render/Graded.ts)
 * on the candidates only: values whose float64 error estimate is within
 * `prefilterTolerance` of the largest estimate. Each estimate is within
 * δ ≪ tolerance/2 of the exact error, so the value attaining the exact maximum
 * is always a candidate; the answer is the same fraction as `measureMaxError`
 * over all values, at float speed.
 */
export const maxErrorExact = (
  inputs: ArrayLike<number>,
  outputs: ArrayLike<number>,
  approx: (o: number) => number,
  outValue?: (o: number) => Fraction,
): Fraction => {
  let top = -1
  for (let i = 0; i < inputs.length; i++) {
    const d = Math.abs(inputs[i]! - approx(outputs[i]!))
    if (d > top) top = d
  }
  const ins: number[] = []
  const outs: number[] = []
  for (let i = 0; i < inputs.length; i++) {
    if (Math.abs(inputs[i]! - approx(outputs[i]!)) >= top - prefilterTolerance) {
      ins.push(inputs[i]!)
      outs.push(outputs[i]!)
    }
  }
  return measureMaxError(ins, outs, outValue)
}

/** `f` (≥ 0) as a decimal truncated to `digits` places, with "…" when inexact. */
export const decimal = (f: Fraction, digits = 12): string => {
  const neg = f.num < 0n
  const num = neg ? -f.num : f.num
  const scale = 10n ** BigInt(digits)
  const scaled = (num * scale) / f.den
  const exactDigits = (num * scale) % f.den === 0n
  const whole = scaled / scale
  let fracPart = (scaled % scale).toString().padStart(digits, "0")
  if (exactDigits) fracPart = fracPart.replace(/0+$/, "")
  return `${neg ? "-" : ""}${whole}${fracPart === "" ? "" : "." + fracPart}${exactDigits ? "" : "…"}`
}
