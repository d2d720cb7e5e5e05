/**
 * The summary a coordinator sends up: the product of three proved monoids over
 * its subtree's agent values — `SumCount` (sum and count, hence the average),
 * `Min` and `Max` (`Hydrogen.Aggregate.SumCount.aggregationMonoid`,
 * `Min.aggregationMonoid`, `Max.aggregationMonoid`). A product of commutative
 * monoids is one, so any tree shape and any arrival order give the same
 * summary; with integer values (|sum| < 2^53) every component is exact.
 *
 * Re-delivery is made idempotent by versioning, not by the merge: a parent
 * keeps, per child, only the summary with the highest `(epoch, seq)` and
 * recomputes its own summary from those on every tick, so a duplicate or a
 * re-sent older summary never counts twice.
 *
 * @module
 */
import type { AggregationMonoid } from "../Aggregate/Monoid.ts"
import { maxEmpty, maxMerge, minEmpty, minMerge, sumCountMerge } from "../Aggregate/Numeric.ts"

/** Count, sum, min and max of a set of values; min/max are ±Infinity when empty. */
export interface Summary {
  readonly count: number
  readonly sum: number
  readonly min: number
  readonly max: number
}

/** Nothing merged. */
export const summaryEmpty: Summary = { count: 0, sum: 0, min: minEmpty, max: maxEmpty }

/** One value. */
export const summaryOfValue = (v: number): Summary => ({ count: 1, sum: v, min: v, max: v })

/** Component-wise merge: `SumCount.merge`, `Min.merge`, `Max.merge`. */
export const summaryMerge = (a: Summary, b: Summary): Summary => {
  const sc = sumCountMerge(a, b)
  return { count: sc.count, sum: sc.sum, min: minMerge(a.min, b.min), max: maxMerge(a.max, b.max) }
}

/** Exact equality of all four components. */
export const summaryEquals = (a: Summary, b: Summary): boolean =>
  a.count === b.count && a.sum === b.sum && a.min === b.min && a.max === b.max

/** The product monoid. */
export const SummaryMonoid: AggregationMonoid<Summary> = {
  empty: summaryEmpty,
  merge: summaryMerge,
  equals: summaryEquals,
}

/** The average, or `null` when empty. */
export const summaryAverage = (s: Summary): number | null => (s.count === 0 ? null : s.sum / s.count)

/**
 * The summary of `values[lo..hi)` by a plain sequential loop (the reference
 * every tree result is checked against).
 */
export const foldValues = (values: Float64Array, lo = 0, hi = values.length): Summary => {
  let sum = 0
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (let i = lo; i < hi; i++) {
    const v = values[i]!
    sum += v
    if (v < min) min = v
    if (v > max) max = v
  }
  return { count: hi > lo ? hi - lo : 0, sum, min, max }
}

/** `(e1, s1)` compared with `(e2, s2)` lexicographically: negative, 0 or positive. */
export const compareVersion = (e1: number, s1: number, e2: number, s2: number): number =>
  e1 !== e2 ? e1 - e2 : s1 - s2

/** What `LatestPerChild.offer` did with a summary. */
export type OfferOutcome = "accepted" | "duplicate" | "stale"

/**
 * Per child slot, the summary with the highest `(term, epoch, seq)` seen
 * (`term` is the leadership term of a replicated child, 0 for an unreplicated
 * one, so a deposed leader's summaries lose to its successor's). Children are
 * slots `0..size−1` (the receiver maps child ids to slots).
 */
export class LatestPerChild {
  readonly size: number
  private readonly terms: Float64Array
  private readonly epochs: Float64Array
  private readonly seqs: Float64Array
  private readonly present: Uint8Array
  private readonly summaries: Array<Summary>
  private reported = 0

  constructor(size: number) {
    this.size = size
    this.terms = new Float64Array(size)
    this.epochs = new Float64Array(size)
    this.seqs = new Float64Array(size)
    this.present = new Uint8Array(size)
    this.summaries = new Array<Summary>(size).fill(summaryEmpty)
  }

  /**
   * Keeps `summary` for `slot` if its version `(term, epoch, seq)` is newer than
   * the kept one; never merges into the kept one.
   */
  offer(slot: number, epoch: number, seq: number, summary: Summary, term = 0): OfferOutcome {
    if (this.present[slot] === 1) {
      const kt = this.terms[slot]!
      const c = term !== kt ? term - kt : compareVersion(epoch, seq, this.epochs[slot]!, this.seqs[slot]!)
      if (c === 0) return "duplicate"
      if (c < 0) return "stale"
    } else {
      this.present[slot] = 1
      this.reported++
    }
    this.terms[slot] = term
    this.epochs[slot] = epoch
    this.seqs[slot] = seq
    this.summaries[slot] = summary
    return "accepted"
  }

  /** The epoch kept for `slot` (0 if none). */
  epochOf(slot: number): number {
    return this.epochs[slot] ?? 0
  }

  /** The term kept for `slot` (0 if none, or an unreplicated child). */
  termOf(slot: number): number {
    return this.terms[slot] ?? 0
  }

  /** Whether every child has reported at least once. */
  get complete(): boolean {
    return this.reported === this.size
  }

  /** Children that have reported at least once. */
  get reportedCount(): number {
    return this.reported
  }

  /** The lowest kept epoch over all children (0 if one has not reported). */
  minEpoch(): number {
    if (this.reported < this.size) return 0
    let m = Number.POSITIVE_INFINITY
    for (let i = 0; i < this.size; i++) if (this.epochs[i]! < m) m = this.epochs[i]!
    return this.size === 0 ? 0 : m
  }

  /** The merge of the kept summaries, recomputed from scratch. */
  merged(): Summary {
    let acc = summaryEmpty
    for (let i = 0; i < this.size; i++) acc = summaryMerge(acc, this.summaries[i]!)
    return acc
  }
}
