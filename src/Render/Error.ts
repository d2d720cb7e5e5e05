/**
 * Graded error through the render pipeline: the TypeScript mirror of
 * `lean/Hydrogen/Render/Error.lean`.
 *
 * A stage's grade is a local error `eps` and a sensitivity `sens`; an input
 * error `e` becomes `sens·e + eps` (`step`), and a pipeline's total is the fold
 * of `step` from `0`, first stage first (`compose`), which equals the closed
 * form `Σᵢ εᵢ · Πⱼ>ᵢ sⱼ` (`closedForm`). Lean's `Rat` is mirrored by `Fraction`,
 * an exact, always-reduced BigInt fraction, so every number here is the Lean
 * number, never a float approximation of it. Lean's `Nat` arguments are
 * non-negative safe integers (a `RangeError` otherwise).
 *
 * The real stages (`quantizeStage`, `float32Stage`, `colorStage`) and their
 * end-to-end bounds (`33/1024` px for positions, `1/510` per colour channel)
 * are the Lean definitions; `Graded.ts` runs them.
 *
 * @module
 */
import * as Lean from "../../gen/ts/Render/Error.ts"

// ---------------------------------------------------------------------------
// Exact rationals (Lean's `Rat`)

/** An exact rational `num/den`, `den > 0`, `gcd(|num|, den) = 1` (Lean's `Rat` invariant). */
export interface Fraction {
  readonly num: bigint
  readonly den: bigint
}

const babs = (x: bigint): bigint => (x < 0n ? -x : x)

const gcd = (a: bigint, b: bigint): bigint => {
  let [x, y] = [babs(a), babs(b)]
  while (y !== 0n) [x, y] = [y, x % y]
  return x
}

/** `num/den` reduced; throws a `RangeError` for `den = 0`. */
export const frac = (num: bigint, den: bigint = 1n): Fraction => {
  if (den === 0n) throw new RangeError("frac: zero denominator")
  if (den < 0n) [num, den] = [-num, -den]
  const g = gcd(num, den)
  return g <= 1n ? { num, den } : { num: num / g, den: den / g }
}

export const ZERO: Fraction = { num: 0n, den: 1n }
export const ONE: Fraction = { num: 1n, den: 1n }

export const add = (a: Fraction, b: Fraction): Fraction => frac(a.num * b.den + b.num * a.den, a.den * b.den)
export const sub = (a: Fraction, b: Fraction): Fraction => frac(a.num * b.den - b.num * a.den, a.den * b.den)
export const mul = (a: Fraction, b: Fraction): Fraction => frac(a.num * b.num, a.den * b.den)
export const div = (a: Fraction, b: Fraction): Fraction => frac(a.num * b.den, a.den * b.num)
export const neg = (a: Fraction): Fraction => ({ num: -a.num, den: a.den })
/** `a^n` for a natural `n`. */
export const pow = (a: Fraction, n: number): Fraction => {
  requireNat("pow", n)
  return { num: a.num ** BigInt(n), den: a.den ** BigInt(n) }
}
/** Sign of `a − b`: -1, 0 or 1. */
export const cmp = (a: Fraction, b: Fraction): -1 | 0 | 1 => {
  const d = a.num * b.den - b.num * a.den
  return d < 0n ? -1 : d > 0n ? 1 : 0
}
export const le = (a: Fraction, b: Fraction): boolean => cmp(a, b) <= 0
export const lt = (a: Fraction, b: Fraction): boolean => cmp(a, b) < 0
export const eq = (a: Fraction, b: Fraction): boolean => a.num === b.num && a.den === b.den
export const max = (a: Fraction, b: Fraction): Fraction => (le(a, b) ? b : a)
/** A natural or integer `number` as a fraction (must be a safe integer). */
export const ofInt = (n: number): Fraction => {
  if (!Number.isSafeInteger(n)) throw new RangeError(`ofInt: ${n} is not a safe integer`)
  return { num: BigInt(n), den: 1n }
}
export const show = (a: Fraction): string => (a.den === 1n ? `${a.num}` : `${a.num}/${a.den}`)

/**
 * The exact value of a finite float64 as a fraction (every finite double is a
 * dyadic rational `m·2^e`). Throws a `RangeError` for NaN and ±Infinity.
 */
export const fractionOfNumber = (x: number): Fraction => {
  if (!Number.isFinite(x)) throw new RangeError(`fractionOfNumber: ${x} is not finite`)
  const dv = new DataView(new ArrayBuffer(8))
  dv.setFloat64(0, x)
  const hi = dv.getUint32(0)
  const lo = dv.getUint32(4)
  const biased = (hi >>> 20) & 0x7ff
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo)
  let e: number
  if (biased === 0) e = -1074
  else {
    m |= 1n << 52n
    e = biased - 1075
  }
  if (hi >>> 31) m = -m
  return e >= 0 ? frac(m << BigInt(e), 1n) : frac(m, 1n << BigInt(-e))
}

const requireNat = (where: string, n: number): void => {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${where}: ${n} is not a natural number`)
}

// ---------------------------------------------------------------------------
// Stages and their composition

/**
 * A stage's error grade: `eps` is the error the stage adds, `sens` how much it
 * amplifies the error of its input.
 *
 * @lean Hydrogen.Render.Stage
 */
export interface Stage {
  readonly eps: Fraction
  readonly sens: Fraction
}

/** A stage from its two numbers. */
export const stage = (eps: Fraction, sens: Fraction): Stage => ({ eps, sens })

/**
 * The grade after one more stage: input error `e` becomes `sens·e + eps`.
 *
 * @lean Hydrogen.Render.Stage.step
 */
export const step = (e: Fraction, st: Stage): Fraction => add(mul(st.sens, e), st.eps)

/**
 * Total error of a pipeline, first stage first: the fold of `step` from `0`.
 *
 * @lean Hydrogen.Render.compose
 */
export const compose = (stages: ReadonlyArray<Stage>): Fraction => stages.reduce(step, ZERO)

/**
 * Product of the sensitivities (`1` for the empty pipeline).
 *
 * @lean Hydrogen.Render.gain
 */
export const gain = (stages: ReadonlyArray<Stage>): Fraction => stages.reduce((g, st) => mul(g, st.sens), ONE)

/**
 * The closed form `Σᵢ εᵢ · Πⱼ>ᵢ sⱼ`, computed as Lean's recursion does (from
 * the last stage back), independently of `compose`.
 *
 * @lean Hydrogen.Render.closedForm
 */
export const closedForm = (stages: ReadonlyArray<Stage>): Fraction => {
  let total = ZERO
  let after = ONE // Π of the sensitivities after stage i
  for (let i = stages.length - 1; i >= 0; i--) {
    const st = stages[i]!
    total = add(mul(st.eps, after), total)
    after = mul(st.sens, after)
  }
  return total
}

/**
 * A nonnegative grade: `0 ≤ eps` and `0 ≤ sens`.
 *
 * @lean Hydrogen.Render.Stage.Nonneg
 */
export const stageNonneg = (st: Stage): boolean => le(ZERO, st.eps) && le(ZERO, st.sens)

/**
 * Pointwise order of two pipelines of equal length: every stage of `xs` is
 * nonnegative and has `eps` and `sens` at most those of the stage of `ys`.
 *
 * @lean Hydrogen.Render.StagesLe
 */
export const stagesLe = (xs: ReadonlyArray<Stage>, ys: ReadonlyArray<Stage>): boolean =>
  xs.length === ys.length &&
  xs.every((a, i) => {
    const b = ys[i]!
    return stageNonneg(a) && le(a.eps, b.eps) && le(a.sens, b.sens)
  })

/**
 * `1 + S + … + S^(n−1)` (`0` for `n = 0`).
 *
 * @lean Hydrogen.Render.geomSum
 */
export const geomSum = (S: Fraction, n: number): Fraction => {
  requireNat("geomSum", n)
  let sum = ZERO
  let p = ONE
  for (let k = 0; k < n; k++) {
    sum = add(sum, p)
    p = mul(p, S)
  }
  return sum
}

/**
 * The seed's `totalError`: stage `i` has error `eps[i]` and sensitivity `s[i]`
 * (Lean's `Fin n → Rat` as two arrays of equal length).
 *
 * @lean Hydrogen.Render.totalError
 */
export const totalError = (eps: ReadonlyArray<Fraction>, s: ReadonlyArray<Fraction>): Fraction => {
  if (eps.length !== s.length) throw new RangeError(`totalError: ${eps.length} errors but ${s.length} sensitivities`)
  return compose(eps.map((e, i) => stage(e, s[i]!)))
}

// ---------------------------------------------------------------------------
// Keyframes

/** Lean's `f % N` on naturals (`f % 0 = f`). */
const natMod = (f: number, N: number): number => (N === 0 ? f : f % N)

/**
 * Worst-case accumulated drift at frame `f`, with a keyframe every `N` frames
 * (frame 0 is one) and drift at most `w` per frame: `(f mod N)·w`.
 *
 * @lean Hydrogen.Render.keyframeError
 */
export const keyframeError = (N: number, w: Fraction, f: number): Fraction => {
  requireNat("keyframeError", N)
  requireNat("keyframeError", f)
  return mul(ofInt(natMod(f, N)), w)
}

/**
 * The seed's `maxAccumulatedError`: keyframe interval times per-frame drift.
 *
 * @lean Hydrogen.Render.maxAccumulatedError
 */
export const maxAccumulatedError = (N: number, w: Fraction): Fraction => {
  requireNat("maxAccumulatedError", N)
  return mul(ofInt(N), w)
}

/**
 * Lean's `DriftsWithKeyframes N w err`, checked on the frames `0 … errs.length − 1`
 * of an error sequence: zero at every frame `f` with `f mod N = 0`, and every
 * other frame at most `w` above the previous one.
 *
 * @lean Hydrogen.Render.DriftsWithKeyframes
 */
export const driftsWithKeyframes = (N: number, w: Fraction, errs: ReadonlyArray<Fraction>): boolean => {
  requireNat("driftsWithKeyframes", N)
  return errs.every((e, f) =>
    natMod(f, N) === 0 ? eq(e, ZERO) : f === 0 || le(e, add(errs[f - 1]!, w)),
  )
}

// ---------------------------------------------------------------------------
// Distance

/**
 * `|a − b|`.
 *
 * @lean Hydrogen.Render.dist
 */
export const dist = (a: Fraction, b: Fraction): Fraction => (le(a, b) ? sub(b, a) : sub(a, b))

// ---------------------------------------------------------------------------
// The real stages of this pipeline: their values are Lean's, as the generator
// evaluated them (gen/ts/Render/Error.ts), not restated here.

/**
 * Positions are fixed point with 4 fractional bits: a step of `1/16` px.
 *
 * @lean Hydrogen.Render.positionStep
 */
export const positionStep: Fraction = Lean.positionStep

/**
 * Quantising a position to the `1/16`-px grid, rounding to nearest: `eps = 1/32` px, `sens = 1`.
 *
 * @lean Hydrogen.Render.quantizeStage
 */
export const quantizeStage: Stage = Lean.quantizeStage

/**
 * The largest coordinate magnitude the float32 stage is graded for: `2^14` px.
 *
 * @lean Hydrogen.Render.coordBound
 */
export const coordBound: Fraction = Lean.coordBound

/**
 * Unit roundoff of float32 (24-bit significand, round to nearest): `2^-24`.
 *
 * @lean Hydrogen.Render.float32UnitRoundoff
 */
export const float32UnitRoundoff: Fraction = Lean.float32UnitRoundoff

/**
 * Float32 conversion of `|x| ≤ 2^14` px: `eps = 2^14·2^-24 = 2^-10` px, `sens = 1`.
 *
 * @lean Hydrogen.Render.float32Stage
 */
export const float32Stage: Stage = Lean.float32Stage

/**
 * 8-bit colour (`k/255`), rounded to nearest: `eps = 1/510` per channel, `sens = 1`.
 *
 * @lean Hydrogen.Render.colorStage
 */
export const colorStage: Stage = Lean.colorStage

/**
 * The position axis: quantise to `1/16` px, then float32 for the GPU.
 *
 * @lean Hydrogen.Render.positionPipeline
 */
export const positionPipeline: ReadonlyArray<Stage> = [quantizeStage, float32Stage]

/**
 * The colour axis: one 8-bit quantisation.
 *
 * @lean Hydrogen.Render.colorPipeline
 */
export const colorPipeline: ReadonlyArray<Stage> = [colorStage]
