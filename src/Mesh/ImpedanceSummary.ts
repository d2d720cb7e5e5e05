/**
 * Cluster- and sector-level impedance summaries as a monoid: the TypeScript
 * mirror of `Hydrogen.Mesh.Summary` (a product of the proved `SumCount`,
 * `Count`, `Max` and `Min` of `Hydrogen.Aggregate`).
 *
 * Merging is exact in any grouping and order, so a sector's summary is the
 * merge of its clusters' and the mesh's the merge of its sectors'. The mean is
 * sum ÷ count (weighted by agents), not the seed's mean of cluster means.
 */
import { type AgentImpedanceRecord } from "./Impedance.ts"
import type { AggregationMonoid } from "../Aggregate/Monoid.ts"

/** @lean Hydrogen.Mesh.Summary */
export interface Summary {
  /** `SumCount` of scores. */
  readonly sum: number
  readonly count: number
  /** `Count` of active agents. */
  readonly active: number
  /** `Max` / `Min` of scores; `undefined` before any agent. */
  readonly worst: number | undefined
  readonly best: number | undefined
}

/** @lean Hydrogen.Mesh.Summary.empty */
export const empty: Summary = { sum: 0, count: 0, active: 0, worst: undefined, best: undefined }

const pick = (f: (a: number, b: number) => number) => (a: number | undefined, b: number | undefined) =>
  a === undefined ? b : b === undefined ? a : f(a, b)
const maxOpt = pick(Math.max)
const minOpt = pick(Math.min)

/** @lean Hydrogen.Mesh.Summary.merge */
export const merge = (x: Summary, y: Summary): Summary => ({
  sum: x.sum + y.sum,
  count: x.count + y.count,
  active: x.active + y.active,
  worst: maxOpt(x.worst, y.worst),
  best: minOpt(x.best, y.best),
})

/** Exact equality of all five components. */
export const equals = (x: Summary, y: Summary): boolean =>
  x.sum === y.sum && x.count === y.count && x.active === y.active && x.worst === y.worst && x.best === y.best

/**
 * The product monoid (SumCount × Count × Max × Min), for the tree's folds.
 *
 * @lean Hydrogen.Mesh.Summary.aggregationMonoid
 */
export const SummaryMonoid: AggregationMonoid<Summary> = { empty, merge, equals }

/** @lean Hydrogen.Mesh.Summary.ofAgent */
export const ofAgent = (score: number, isActive: boolean): Summary => ({
  sum: score,
  count: 1,
  active: isActive ? 1 : 0,
  worst: score,
  best: score,
})

/** @lean Hydrogen.Mesh.summarize */
export const summarize = (agents: Iterable<readonly [number, boolean]>): Summary => {
  let s = empty
  for (const [score, a] of agents) s = merge(s, ofAgent(score, a))
  return s
}

/** A decoded record's contribution: its score, active when `operational_state` is `active`. */
export const ofRecord = (r: AgentImpedanceRecord): Summary => ofAgent(r.impedance_score, r.operational_state === "active")

/**
 * Mean score; `undefined` for an empty summary.
 * @lean Hydrogen.Aggregate.SumCount.average
 */
export const mean = (s: Summary): number | undefined => (s.count === 0 ? undefined : s.sum / s.count)

/** Active fraction; `undefined` for an empty summary. */
export const activeRate = (s: Summary): number | undefined => (s.count === 0 ? undefined : s.active / s.count)
