/**
 * The summary a coordinator sends up: the product of three proved monoids over
 * its subtree's agent values — `SumCount` (sum and count, hence the average),
 * `Min` and `Max` (`Hydrogen.Aggregate.SumCount.aggregationMonoid`,
 * `Min.aggregationMonoid`, `Max.aggregationMonoid`). A product of commutative
 * monoids is one, so any tree shape and any arrival order give the same
 * summary. `summaryMerge` works in the monoids' domain (Lean's `Int`): integer
 * components, |sum| ≤ 2^53 − 1, else `OutOfDomain` / `SafeIntegerOverflow`;
 * the codec (Messages.ts) carries any float64 summary.
 *
 * Re-delivery is made idempotent by versioning, not by the merge: a parent
 * keeps, per child, only the greatest entry — version `(term, epoch, seq)`,
 * then summary `(count, sum, min, max)` as a tie-break — and recomputes its own
 * summary from those on every tick. That is the proved last-writer-wins map
 * `Hydrogen.Tree.LatestPerChild` (lean/Hydrogen/Tree/Summary.lean): its join
 * is a semilattice, so duplicated or reordered delivery provably leaves the
 * same map and never counts twice. The tie-break only matters for two
 * different summaries under one version, which an honest child never sends;
 * with it the kept entry does not depend on arrival order.
 *
 * @module
 */
import type { AggregationMonoid } from "../Aggregate/Monoid.ts"
import { maxEmpty, maxMerge, minEmpty, minMerge, sumCountMerge } from "../Aggregate/Numeric.ts"

/**
 * Count, sum, min and max of a set of values; min/max are ±Infinity when empty
 * (Lean's `none`).
 *
 * @lean Hydrogen.Tree.Summary
 */
export interface Summary {
  readonly count: number
  readonly sum: number
  readonly min: number
  readonly max: number
}

/**
 * Nothing merged.
 *
 * @lean Hydrogen.Tree.Summary.empty
 */
export const summaryEmpty: Summary = { count: 0, sum: 0, min: minEmpty, max: maxEmpty }

/**
 * One value.
 *
 * @lean Hydrogen.Tree.Summary.ofValue
 */
export const summaryOfValue = (v: number): Summary => ({ count: 1, sum: v, min: v, max: v })

/**
 * Component-wise merge: `SumCount.merge`, `Min.merge`, `Max.merge`.
 *
 * @lean Hydrogen.Tree.Summary.merge
 */
export const summaryMerge = (a: Summary, b: Summary): Summary => {
  const sc = sumCountMerge(a, b)
  return { count: sc.count, sum: sc.sum, min: minMerge(a.min, b.min), max: maxMerge(a.max, b.max) }
}

/** Exact equality of all four components. */
export const summaryEquals = (a: Summary, b: Summary): boolean =>
  a.count === b.count && a.sum === b.sum && a.min === b.min && a.max === b.max

/**
 * The product monoid.
 *
 * @lean Hydrogen.Tree.Summary.aggregationMonoid
 */
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

/**
 * `(e1, s1)` compared with `(e2, s2)` lexicographically: negative, 0 or
 * positive (with the term compared first, the version order).
 *
 * @lean Hydrogen.Tree.Version.strictTotalOrder
 */
export const compareVersion = (e1: number, s1: number, e2: number, s2: number): number =>
  e1 !== e2 ? e1 - e2 : s1 - s2

// not `a - b`: Infinity − Infinity is NaN
const cmp = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * Summaries compared by `(count, sum, min, max)`, the tie-break between two
 * entries of one version: negative, 0 or positive. An empty min is `+∞` and an
 * empty max `−∞`, as in Lean (`none` above every min, below every max).
 *
 * @lean Hydrogen.Tree.Summary.strictTotalOrder
 * @lean Hydrogen.Tree.minLt
 * @lean Hydrogen.Tree.maxLt
 * @lean Hydrogen.Tree.minStrictTotalOrder
 * @lean Hydrogen.Tree.maxStrictTotalOrder
 */
export const compareSummary = (c1: number, s1: number, lo1: number, hi1: number, c2: number, s2: number, lo2: number, hi2: number): number =>
  c1 !== c2 ? cmp(c1, c2) : s1 !== s2 ? cmp(s1, s2) : lo1 !== lo2 ? cmp(lo1, lo2) : cmp(hi1, hi2)

/** What `LatestPerChild.offer` did with a summary: kept it, already held it, or held a greater entry. */
export type OfferOutcome = "accepted" | "duplicate" | "stale"

/**
 * Per child slot, the greatest entry seen: version `(term, epoch, seq)`, then
 * summary as a tie-break (`term` is the leadership term of a replicated child,
 * 0 for an unreplicated one, so a deposed leader's summaries lose to its
 * successor's). Children are slots `0..size−1` (the receiver maps child ids to
 * slots).
 */
const noFloats = new Float64Array(0)
const noBytes = new Uint8Array(0)

/**
 * Per child slot, the greatest entry seen (see above): the proved map, with
 * slots `0..size−1`. Stored as columns (one Float64Array of 7 numbers per
 * slot: term, epoch, seq, count, sum, min, max, and a presence byte per slot),
 * so a coordinator costs two typed arrays whatever its fan-out, and a local
 * coordinator (no coordinator children) none of its own.
 *
 * @lean Hydrogen.Tree.LatestPerChild
 */
export class LatestPerChild {
  readonly size: number
  /** Per slot: term, epoch, seq, count, sum, min, max. */
  private readonly cols: Float64Array
  private readonly present: Uint8Array
  private reported = 0
  /** `watch`: the epoch waited for, and how many slots are still below it (or empty). */
  private watched = 0
  private below = 0

  constructor(size: number) {
    this.size = size
    this.cols = size === 0 ? noFloats : new Float64Array(7 * size)
    this.present = size === 0 ? noBytes : new Uint8Array(size)
    this.below = size
  }

  /**
   * Keeps `summary` for `slot` if the entry (version `(term, epoch, seq)`, then
   * summary) is strictly greater than the kept one, or the slot is empty;
   * never merges into the kept one.
   *
   * @lean Hydrogen.Tree.LatestPerChild.offer
   * @lean Hydrogen.Tree.LatestPerChild.get_offer_self
   */
  offer(slot: number, epoch: number, seq: number, summary: Summary, term = 0): OfferOutcome {
    return this.offerValues(slot, epoch, seq, term, summary.count, summary.sum, summary.min, summary.max)
  }

  /**
   * `offer` with the summary's components as arguments (no object).
   *
   * @lean Hydrogen.Tree.LatestPerChild.offer
   */
  offerValues(slot: number, epoch: number, seq: number, term: number, count: number, sum: number, min: number, max: number): OfferOutcome {
    const c = this.cols
    const o = 7 * slot
    if (this.present[slot] === 1) {
      const kt = c[o]!
      let d = term !== kt ? term - kt : compareVersion(epoch, seq, c[o + 1]!, c[o + 2]!)
      if (d === 0) d = compareSummary(count, sum, min, max, c[o + 3]!, c[o + 4]!, c[o + 5]!, c[o + 6]!)
      if (d === 0) return "duplicate"
      if (d < 0) return "stale"
      // a newer term may carry an older epoch: the slot can move either way across the watched epoch
      const wasBelow = c[o + 1]! < this.watched
      const isBelow = epoch < this.watched
      if (wasBelow !== isBelow) this.below += isBelow ? 1 : -1
    } else {
      this.present[slot] = 1
      this.reported++
      if (epoch >= this.watched) this.below--
    }
    c[o] = term
    c[o + 1] = epoch
    c[o + 2] = seq
    c[o + 3] = count
    c[o + 4] = sum
    c[o + 5] = min
    c[o + 6] = max
    return "accepted"
  }

  /**
   * The entry kept for `slot`, or `null` if none.
   *
   * @lean Hydrogen.Tree.LatestPerChild.get
   */
  entryAt(slot: number): Entry | null {
    if (this.present[slot] !== 1) return null
    const c = this.cols
    const o = 7 * slot
    return { version: { term: c[o]!, epoch: c[o + 1]!, seq: c[o + 2]! }, summary: { count: c[o + 3]!, sum: c[o + 4]!, min: c[o + 5]!, max: c[o + 6]! } }
  }

  /** The epoch kept for `slot` (0 if none). */
  epochOf(slot: number): number {
    return this.present[slot] === 1 ? this.cols[7 * slot + 1]! : 0
  }

  /** The term kept for `slot` (0 if none, or an unreplicated child). */
  termOf(slot: number): number {
    return this.present[slot] === 1 ? this.cols[7 * slot]! : 0
  }

  /** Whether every child has reported at least once. */
  get complete(): boolean {
    return this.reported === this.size
  }

  /** Children that have reported at least once. */
  get reportedCount(): number {
    return this.reported
  }

  /**
   * Start counting the slots below `epoch` (empty ones included); `reached`
   * then says in O(1) whether every slot holds an epoch ≥ `epoch`, which is
   * what a coordinator waiting for its children asks after every Up.
   */
  watch(epoch: number): void {
    this.watched = epoch
    let below = 0
    for (let i = 0; i < this.size; i++) if (this.present[i] !== 1 || this.cols[7 * i + 1]! < epoch) below++
    this.below = below
  }

  /** Whether every slot holds an epoch ≥ the watched one (`minEpoch() >= watched`). */
  get reached(): boolean {
    return this.below === 0
  }

  /** The lowest kept epoch over all children (0 if one has not reported). */
  minEpoch(): number {
    if (this.reported < this.size) return 0
    let m = Number.POSITIVE_INFINITY
    for (let i = 0; i < this.size; i++) {
      const e = this.cols[7 * i + 1]!
      if (e < m) m = e
    }
    return this.size === 0 ? 0 : m
  }

  /**
   * The merge of the kept summaries, recomputed from scratch (in slot order, as
   * `summaryMerge` would): one summary per slot.
   *
   * @lean Hydrogen.Tree.LatestPerChild.aggregate
   */
  merged(): Summary {
    // `summaryMerge` component by component, without an object per step
    let count = summaryEmpty.count
    let sum = summaryEmpty.sum
    let min = summaryEmpty.min
    let max = summaryEmpty.max
    const c = this.cols
    for (let i = 0; i < this.size; i++) {
      if (this.present[i] !== 1) continue // merging summaryEmpty changes nothing
      const o = 7 * i
      sum = sum + c[o + 4]!
      count = count + c[o + 3]!
      min = Math.min(min, c[o + 5]!)
      max = Math.max(max, c[o + 6]!)
    }
    return { count, sum, min, max }
  }
}

// ---- the plain reference: Lean's definitions over plain arrays ----

/**
 * A summary's version.
 *
 * @lean Hydrogen.Tree.Version
 */
export interface Version {
  readonly term: number
  readonly epoch: number
  readonly seq: number
}

/**
 * What a slot keeps.
 *
 * @lean Hydrogen.Tree.Entry
 */
export interface Entry {
  readonly version: Version
  readonly summary: Summary
}

/**
 * An Up from child `slot`.
 *
 * @lean Hydrogen.Tree.Delivery
 */
export interface Delivery {
  readonly slot: number
  readonly entry: Entry
}

/**
 * Per slot, the kept entry or `null`; the array's length is Lean's list length.
 *
 * @lean Hydrogen.Tree.LatestPerChild
 */
export type LatestRef = ReadonlyArray<Entry | null>

/**
 * The entry order: version `(term, epoch, seq)`, then summary.
 *
 * @lean Hydrogen.Tree.Entry.strictTotalOrder
 */
export const entryCompare = (a: Entry, b: Entry): number => {
  const va = a.version, vb = b.version
  const d = va.term !== vb.term ? va.term - vb.term : compareVersion(va.epoch, va.seq, vb.epoch, vb.seq)
  if (d !== 0) return d
  const x = a.summary, y = b.summary
  return compareSummary(x.count, x.sum, x.min, x.max, y.count, y.sum, y.min, y.max)
}

/**
 * Keep the greater entry; `a` when neither is greater.
 *
 * @lean Hydrogen.Tree.StrictTotalOrder.join
 * @lean Hydrogen.Tree.Entry.joinSemilattice
 */
export const entryJoin = (a: Entry, b: Entry): Entry => (entryCompare(a, b) < 0 ? b : a)

const optJoin = (a: Entry | null, b: Entry | null): Entry | null => (a === null ? b : b === null ? a : entryJoin(a, b))

/**
 * Slot-wise join, the shorter map padded with empty slots.
 *
 * @lean Hydrogen.Tree.LatestPerChild.join
 */
export const joinRef = (a: LatestRef, b: LatestRef): LatestRef =>
  Array.from({ length: Math.max(a.length, b.length) }, (_, k) => optJoin(a[k] ?? null, b[k] ?? null))

/**
 * The map joined with the one-slot map of `d`.
 *
 * @lean Hydrogen.Tree.LatestPerChild.offer
 */
export const offerRef = (d: Delivery, m: LatestRef): LatestRef =>
  joinRef(m, Array.from({ length: d.slot + 1 }, (_, k) => (k === d.slot ? d.entry : null)))

/**
 * The map after offering `ds` in order to an empty one.
 *
 * @lean Hydrogen.Tree.LatestPerChild.offerAll
 */
export const offerAllRef = (ds: ReadonlyArray<Delivery>): LatestRef => ds.reduce<LatestRef>((m, d) => offerRef(d, m), [])

/**
 * The greatest entry delivered to slot `k`, from the deliveries alone.
 *
 * @lean Hydrogen.Tree.LatestPerChild.newest
 */
export const newestRef = (ds: ReadonlyArray<Delivery>, k: number): Entry | null =>
  ds.reduce<Entry | null>((acc, d) => optJoin(acc, d.slot === k ? d.entry : null), null)

/**
 * The merge of the kept summaries, empty slots adding nothing.
 *
 * @lean Hydrogen.Tree.LatestPerChild.aggregate
 * @lean Hydrogen.Tree.LatestPerChild.summaryOf
 */
export const aggregateRef = (m: LatestRef): Summary => m.reduce<Summary>((s, e) => summaryMerge(s, e === null ? summaryEmpty : e.summary), summaryEmpty)
