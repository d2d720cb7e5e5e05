/**
 * Thompson sampling over a roster of researchers (seed 004): Beta–Bernoulli
 * posteriors kept as counts, a seeded Beta sampler, top-k selection and the
 * seed's annealing schedule. Mirror of `lean/Hydrogen/Research/Bandit.lean`.
 *
 * Sampling is deterministic given the seed: the generator below is a Weyl
 * sequence through a 32-bit avalanche mix, so runs (and tests) replay exactly.
 */
import { Data, Schema } from "effect"
import * as Result from "effect/Result"

/** A seeded uniform generator on the open interval (0, 1). */
export interface Rng {
  readonly next: () => number
}

const mix32 = (x: number): number => {
  let z = x
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

/** 53 random bits per draw from two mixed 32-bit words; never 0 or 1, so logs are finite. */
export const makeRng = (seed: number): Rng => {
  let s = seed >>> 0
  const word = (): number => {
    s = (s + 0x9e3779b9) >>> 0
    return mix32(s)
  }
  return {
    next: () => {
      const hi = word() >>> 5 // 27 bits
      const lo = word() >>> 6 // 26 bits
      return (hi * 67108864 + lo + 0.5) / 9007199254740992
    },
  }
}

/** Standard normal by Box–Muller (one of the pair; simplicity over speed). */
export const sampleNormal = (rng: Rng): number =>
  Math.sqrt(-2 * Math.log(rng.next())) * Math.cos(2 * Math.PI * rng.next())

/**
 * Gamma(shape, 1) by Marsaglia–Tsang (shape ≥ 1), boosted by `U^(1/shape)` below 1.
 */
export const sampleGamma = (rng: Rng, shape: number): number => {
  if (!(shape > 0) || !Number.isFinite(shape)) throw new RangeError(`sampleGamma: shape ${shape} is not positive`)
  if (shape < 1) return sampleGamma(rng, shape + 1) * Math.pow(rng.next(), 1 / shape)
  const d = shape - 1 / 3
  const c = 1 / Math.sqrt(9 * d)
  for (;;) {
    const x = sampleNormal(rng)
    const t = 1 + c * x
    if (t <= 0) continue
    const v = t * t * t
    const u = rng.next()
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v
  }
}

/** Beta(α, β) as X / (X + Y) with X ~ Gamma(α), Y ~ Gamma(β). */
export const sampleBeta = (rng: Rng, alpha: number, beta: number): number => {
  const x = sampleGamma(rng, alpha)
  const y = sampleGamma(rng, beta)
  return x / (x + y)
}

/**
 * A Beta posterior as its two counts.
 *
 * @lean Hydrogen.Research.Beta
 */
export interface Beta {
  readonly alpha: number
  readonly beta: number
}

/**
 * The seed's uniform prior Beta(1, 1).
 *
 * @lean Hydrogen.Research.Beta.prior
 */
export const prior: Beta = { alpha: 1, beta: 1 }

/**
 * One observation: success adds one to α, failure one to β.
 *
 * @lean Hydrogen.Research.Beta.update
 */
export const update = (b: Beta, success: boolean): Beta =>
  success ? { alpha: b.alpha + 1, beta: b.beta } : { alpha: b.alpha, beta: b.beta + 1 }

/**
 * Observations oldest first.
 *
 * @lean Hydrogen.Research.Beta.observe
 */
export const observe = (b: Beta, obs: ReadonlyArray<boolean>): Beta => obs.reduce(update, b)

export const mean = (b: Beta): number => b.alpha / (b.alpha + b.beta)

/**
 * Numerator of the exact variance αβ / ((α+β)²(α+β+1)).
 *
 * @lean Hydrogen.Research.Beta.varNum
 */
export const varNum = (b: Beta): number => b.alpha * b.beta
/** @lean Hydrogen.Research.Beta.varDen */
export const varDen = (b: Beta): number => (b.alpha + b.beta) * (b.alpha + b.beta) * (b.alpha + b.beta + 1)
export const variance = (b: Beta): number => varNum(b) / varDen(b)

/**
 * Share of picks made by top-k in a round, in tenths: 0, 5, then 8 (seed's 0 %, 50 %, 80 %).
 *
 * @lean Hydrogen.Research.exploitTenths
 */
export const exploitTenths = (round: number): number => (round <= 1 ? 0 : round === 2 ? 5 : 8)

/**
 * Picks by top-k of the posterior mean in a round, rounded down.
 *
 * @lean Hydrogen.Research.exploitCount
 */
export const exploitCount = (k: number, round: number): number => Math.floor((k * exploitTenths(round)) / 10)

/** @lean Hydrogen.Research.exploreCount */
export const exploreCount = (k: number, round: number): number => k - exploitCount(k, round)

/** The seed's alternative formulation: temperature by round (1.0, 0.5, 0.1). */
export const temperature = (round: number): number => (round <= 1 ? 1 : round === 2 ? 0.5 : 0.1)

/** Selection probabilities p_m ∝ exp(θ_m / T), computed stably. */
export const softmax = (thetas: ReadonlyArray<number>, t: number): number[] => {
  const top = Math.max(...thetas)
  const w = thetas.map((x) => Math.exp((x - top) / t))
  const s = w.reduce((a, b) => a + b, 0)
  return w.map((x) => x / s)
}

/** Indices of the k largest scores; ties to the lower index. */
const topIndices = (scores: ReadonlyArray<number>, k: number, among: ReadonlyArray<number>): number[] =>
  [...among].sort((i, j) => scores[j]! - scores[i]! || i - j).slice(0, k)

/**
 * Thompson selection of `k` distinct researchers: one θ ~ Beta(α, β) per
 * researcher, the k largest win (multiple-play Thompson sampling).
 */
export const thompsonSelect = (rng: Rng, roster: ReadonlyArray<Beta>, k: number): number[] => {
  if (!Number.isSafeInteger(k) || k < 0 || k > roster.length) {
    throw new RangeError(`thompsonSelect: k = ${k} is not within 0..${roster.length}`)
  }
  const thetas = roster.map((b) => sampleBeta(rng, b.alpha, b.beta))
  return topIndices(thetas, k, roster.map((_, i) => i))
}

/**
 * The annealed selection for a round: `exploitCount` picks by posterior mean,
 * the rest by Thompson sampling among the researchers not yet picked.
 */
export const annealedSelect = (rng: Rng, roster: ReadonlyArray<Beta>, k: number, round: number): number[] => {
  if (!Number.isSafeInteger(k) || k < 0 || k > roster.length) {
    throw new RangeError(`annealedSelect: k = ${k} is not within 0..${roster.length}`)
  }
  const all = roster.map((_, i) => i)
  const exploit = topIndices(roster.map(mean), exploitCount(k, round), all)
  const rest = all.filter((i) => !exploit.includes(i))
  const thetas = roster.map((b, i) => (rest.includes(i) ? sampleBeta(rng, b.alpha, b.beta) : -1))
  return [...exploit, ...topIndices(thetas, exploreCount(k, round), rest)]
}

// ---- Boundary: a posterior table read from a file or the network ----

const Count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))
/** A persisted roster: researcher name → posterior counts (each ≥ 1, so sampling is defined). */
export const PosteriorTable = Schema.Record(Schema.String, Schema.Struct({ alpha: Count, beta: Count }))
export type PosteriorTable = typeof PosteriorTable.Type

export class PosteriorTableError extends Data.TaggedError("PosteriorTableError")<{
  readonly where: string
  readonly message: string
}> {}

export const decodePosteriorTable = (where: string, raw: unknown): Result.Result<PosteriorTable, PosteriorTableError> => {
  const r = Schema.decodeUnknownResult(PosteriorTable)(raw)
  return Result.isFailure(r) ? Result.fail(new PosteriorTableError({ where, message: String(r.failure) })) : Result.succeed(r.success)
}
