/**
 * MAP-Elites over researcher configurations (seed 004): a grid over the four
 * behavioural dimensions (cost, latency, consensus alignment, diversity
 * contribution), one elite per cell, and the seed's mutation and crossover.
 * Mirror of `lean/Hydrogen/Research/Elites.lean`.
 */
import { Data, Schema } from "effect"
import * as Result from "effect/Result"
import type { Rng } from "./Bandit.ts"

/** What a researcher is configured with (the seed's mutable parameters). */
export interface ResearcherConfig {
  readonly model: string
  readonly temperature: number
  readonly maxTokens: number
  readonly constraints: ReadonlyArray<string>
  readonly tools: ReadonlyArray<string>
}

/** Measured behaviour: $/M tokens, seconds to first token, fractions in [0, 1]. */
export interface Behaviour {
  readonly cost: number
  readonly latency: number
  readonly consensus: number
  readonly diversity: number
}

/** Bin edges per dimension, strictly increasing; `e` edges make `e + 1` bins. */
export interface Bins {
  readonly cost: ReadonlyArray<number>
  readonly latency: ReadonlyArray<number>
  readonly consensus: ReadonlyArray<number>
  readonly diversity: ReadonlyArray<number>
}

/** The seed's named scales (4 bins each, 256 cells), bins ordered by increasing value. */
export const seedBins: Bins = {
  cost: [0.1, 0.3, 1], // ULTRA_CHEAP, CHEAP, MODERATE, EXPENSIVE
  latency: [1, 3, 10], // FAST, MEDIUM, SLOW, VERY_SLOW
  consensus: [0.2, 0.5, 0.8], // OUTLIER, LOW_ALIGN, MEDIUM_ALIGN, HIGH_ALIGN
  diversity: [0.5, 0.7, 0.9], // REDUNDANT, SIMILAR, VARIED, UNIQUE
}

/** `n` equal bins over [lo, hi) (the seed's "10 bins per dimension"). */
export const uniformEdges = (lo: number, hi: number, n: number): number[] =>
  Array.from({ length: n - 1 }, (_, i) => lo + ((hi - lo) * (i + 1)) / n)

/** Bin of a value: the number of edges ≤ it, so bins are [e_i, e_{i+1}). */
export const binOf = (edges: ReadonlyArray<number>, v: number): number => {
  let i = 0
  while (i < edges.length && edges[i]! <= v) i++
  return i
}

export type Cell = readonly [number, number, number, number]

export const cellOf = (bins: Bins, b: Behaviour): Cell =>
  [binOf(bins.cost, b.cost), binOf(bins.latency, b.latency), binOf(bins.consensus, b.consensus), binOf(bins.diversity, b.diversity)]

const sizes = (bins: Bins): Cell =>
  [bins.cost.length + 1, bins.latency.length + 1, bins.consensus.length + 1, bins.diversity.length + 1]

export const cellCount = (bins: Bins): number => sizes(bins).reduce((a, b) => a * b, 1)

/**
 * Row-major index of a cell (Lean's `cellIndex`, here with per-dimension sizes).
 *
 * @lean Hydrogen.Research.cellIndex
 */
export const cellIndex = (bins: Bins, c: Cell): number => {
  const [, s1, s2, s3] = sizes(bins)
  return ((c[0] * s1 + c[1]) * s2 + c[2]) * s3 + c[3]
}

/**
 * Is the cell inside the grid: every coordinate below its dimension's size
 * (Lean's `InGrid`, there with one size `b` for all four)?
 *
 * @lean Hydrogen.Research.InGrid
 */
export const inGrid = (bins: Bins, c: Cell): boolean => sizes(bins).every((s, i) => Number.isSafeInteger(c[i]) && c[i]! >= 0 && c[i]! < s)

/** @lean Hydrogen.Research.Candidate */
export interface Candidate<A> {
  readonly cell: number
  readonly fitness: number
  readonly config: A
}

/** @lean Hydrogen.Research.Archive */
export type Archive<A> = ReadonlyMap<number, Candidate<A>>

/** @lean Hydrogen.Research.Archive.empty */
export const empty = <A>(): Archive<A> => new Map()

/**
 * Keep the candidate if its cell is empty or it is strictly fitter (ties keep the incumbent).
 *
 * @lean Hydrogen.Research.Archive.insert
 */
export const insert = <A>(a: Archive<A>, x: Candidate<A>): Archive<A> => {
  const e = a.get(x.cell)
  if (e !== undefined && !(e.fitness < x.fitness)) return a
  const m = new Map(a)
  m.set(x.cell, x)
  return m
}

/**
 * Insert a list of candidates in order.
 *
 * @lean Hydrogen.Research.Archive.build
 */
export const build = <A>(a: Archive<A>, xs: ReadonlyArray<Candidate<A>>): Archive<A> => xs.reduce(insert, a)

export const best = <A>(a: Archive<A>, cell: number): Candidate<A> | undefined => a.get(cell)

/** Filled cells over all cells of the grid. */
export const coverage = <A>(a: Archive<A>, bins: Bins): number => a.size / cellCount(bins)

/** The fittest ⌈fraction·|archive|⌉ elites (the seed's "top 20%"), fittest first, ties by cell. */
export const top = <A>(a: Archive<A>, fraction: number): Candidate<A>[] =>
  [...a.values()].sort((x, y) => y.fitness - x.fitness || x.cell - y.cell).slice(0, Math.ceil(fraction * a.size))

// ---- Evolutionary operators (seeded) ----

export interface MutationSpace {
  readonly constraintPool: ReadonlyArray<string>
  readonly toolPool: ReadonlyArray<string>
}

export const temperatureRange = [0, 2] as const
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x))
const pick = <T>(rng: Rng, xs: ReadonlyArray<T>): T => xs[Math.floor(rng.next() * xs.length)]!
const round1 = (x: number) => Math.round(x * 10) / 10

/**
 * Change one parameter: temperature ± 0.1 (kept in [0, 2]), max tokens × U(0.8, 1.2)
 * (at least 1), add or remove a prompt constraint, enable or disable a tool.
 */
export const mutate = (rng: Rng, space: MutationSpace, c: ResearcherConfig): ResearcherConfig => {
  switch (Math.floor(rng.next() * 4)) {
    case 0:
      return { ...c, temperature: clamp(round1(c.temperature + (rng.next() < 0.5 ? -0.1 : 0.1)), ...temperatureRange) }
    case 1:
      return { ...c, maxTokens: Math.max(1, Math.round(c.maxTokens * (0.8 + 0.4 * rng.next()))) }
    case 2: {
      if (space.constraintPool.length === 0) return c
      const k = pick(rng, space.constraintPool)
      return { ...c, constraints: c.constraints.includes(k) ? c.constraints.filter((x) => x !== k) : [...c.constraints, k] }
    }
    default: {
      if (space.toolPool.length === 0) return c
      const t = pick(rng, space.toolPool)
      return { ...c, tools: c.tools.includes(t) ? c.tools.filter((x) => x !== t) : [...c.tools, t] }
    }
  }
}

const union = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): string[] => [...new Set([...a, ...b])]

/** The seed's crossover: mean temperature, larger max tokens, merged prompts, union of tools. */
export const crossover = (rng: Rng, p1: ResearcherConfig, p2: ResearcherConfig): ResearcherConfig => ({
  model: rng.next() < 0.5 ? p1.model : p2.model,
  temperature: (p1.temperature + p2.temperature) / 2,
  maxTokens: Math.max(p1.maxTokens, p2.maxTokens),
  constraints: union(p1.constraints, p2.constraints),
  tools: union(p1.tools, p2.tools),
})

// ---- Boundary: bin configuration from a file or CLI ----

const Edges = Schema.Array(Schema.Finite)
export const BinsSchema = Schema.Struct({ cost: Edges, latency: Edges, consensus: Edges, diversity: Edges })

export class BinsError extends Data.TaggedError("BinsError")<{ readonly where: string; readonly message: string }> {}

/** Decode bins; edges must be finite and strictly increasing. */
export const decodeBins = (where: string, raw: unknown): Result.Result<Bins, BinsError> => {
  const r = Schema.decodeUnknownResult(BinsSchema)(raw)
  if (Result.isFailure(r)) return Result.fail(new BinsError({ where, message: String(r.failure) }))
  for (const dim of ["cost", "latency", "consensus", "diversity"] as const) {
    const e = r.success[dim]
    const bad = e.findIndex((x, i) => i > 0 && !(e[i - 1]! < x))
    if (bad >= 0) return Result.fail(new BinsError({ where: `${where}.${dim}[${bad}]`, message: `edge ${e[bad]} is not above ${e[bad - 1]}` }))
  }
  return Result.succeed(r.success)
}
