/**
 * Simulated agents in structure-of-arrays form: up to 10^6 (or more) agents in
 * one process, one `Float64Array` of values and one `Uint32Array` of versions
 * (the round each agent last updated in). Agents are hosted by their local
 * coordinator (an edge node pool): each round every agent picks a new value
 * from a seeded counter-based PRNG, without waiting on any coordination, and
 * the local coordinator folds its range with the typed-array fast path
 * (`aggregateKaryTyped`, specified by `Hydrogen.Aggregate.Tree.aggregate_kary`).
 *
 * Values are integers in `[−valueRange, valueRange]`, so with `n ≤ 2^53 /
 * valueRange` agents every sum is exact in a double whatever the order.
 *
 * A clamp policy (src/Tree/Policy.ts) clamps the values of the agents under
 * it (`updateRangeClamped`); their local coordinators choose which range
 * gets which clamp (src/Tree/LocalLevel.ts `updateAgents`).
 *
 * @module
 */
import { aggregateKaryTyped } from "../Aggregate/Tree.ts"
import { foldValues, type Summary, summaryEmpty } from "./Summary.ts"

/** Agent values lie in `[−valueRange, valueRange]`. */
export const valueRange = 1_000_000

/** Largest pool: sums stay below 2^53 (exact). */
export const maxAgentsInProcess = Math.floor(Number.MAX_SAFE_INTEGER / valueRange)

/** A 32-bit mix of (seed, round, agent): lowbias32 over a combined counter. */
const mix = (seed: number, round: number, i: number): number => {
  let x = (Math.imul(i, 0x9e3779b1) ^ Math.imul(round + 1, 0x85ebca77) ^ seed) >>> 0
  x ^= x >>> 16
  x = Math.imul(x, 0x7feb352d)
  x ^= x >>> 15
  x = Math.imul(x, 0x846ca68b)
  x ^= x >>> 16
  return x >>> 0
}

const span = 2 * valueRange + 1

export class AgentPool {
  readonly size: number
  readonly seed: number
  readonly values: Float64Array
  readonly versions: Uint32Array

  constructor(size: number, seed: number) {
    if (!Number.isSafeInteger(size) || size < 1 || size > maxAgentsInProcess) {
      throw new RangeError(`AgentPool: size must be an integer in 1..${maxAgentsInProcess}, got ${size}`)
    }
    this.size = size
    this.seed = seed >>> 0
    this.values = new Float64Array(size)
    this.versions = new Uint32Array(size)
  }

  /**
   * Agents `[lo, hi)` take their value for `round` (a pure function of seed,
   * round and agent id) and record the round as their version.
   */
  updateRange(round: number, lo: number, hi: number): void {
    const v = this.values
    const ver = this.versions
    const seed = this.seed
    for (let i = lo; i < hi; i++) {
      v[i] = (mix(seed, round, i) % span) - valueRange
      ver[i] = round
    }
  }

  /**
   * `updateRange` with every value clamped to `[clampLo, clampHi]` (a clamp
   * policy, src/Tree/Policy.ts). A clamp covering the whole value range is
   * `updateRange` alone; otherwise a second pass clamps (measured faster
   * than clamping inside the update loop).
   */
  updateRangeClamped(round: number, lo: number, hi: number, clampLo: number, clampHi: number): void {
    this.updateRange(round, lo, hi)
    if (clampLo <= -valueRange && clampHi >= valueRange) return
    const v = this.values
    for (let i = lo; i < hi; i++) v[i] = Math.min(clampHi, Math.max(clampLo, v[i]!))
  }

  /** Every agent updates for `round`. */
  update(round: number): void {
    this.updateRange(round, 0, this.size)
  }

  /** The value agent `i` has in `round` (for checks). */
  valueAt(round: number, i: number): number {
    return (mix(this.seed, round, i) % span) - valueRange
  }

  /** The lowest version in `[lo, hi)`: the round every agent there has reached. */
  minVersion(lo: number, hi: number): number {
    let m = 0xffffffff
    for (let i = lo; i < hi; i++) if (this.versions[i]! < m) m = this.versions[i]!
    return hi > lo ? m : 0
  }

  /** The summary of agents `[lo, hi)` by the typed-array k-ary fast path. */
  foldRange(lo: number, hi: number, k: number): Summary {
    if (hi <= lo) return summaryEmpty
    const slice = this.values.subarray(lo, hi)
    return {
      count: hi - lo,
      sum: aggregateKaryTyped("sum", k, slice),
      min: aggregateKaryTyped("min", k, slice),
      max: aggregateKaryTyped("max", k, slice),
    }
  }

  /** The direct sequential fold over all agents (the reference). */
  directFold(): Summary {
    return foldValues(this.values)
  }
}
