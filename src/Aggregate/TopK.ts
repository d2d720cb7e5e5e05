/**
 * Bounded top-k with deterministic tie-breaking. Mirror of `Hydrogen.Aggregate.TopK`.
 *
 * Entries rank by score, highest first; equal scores rank by id, smallest
 * first, so every replica picks the same k. A summary keeps at most `k`
 * entries, sorted by rank without duplicates. Merge is the sorted union of both
 * lists, cut to `k`. Scores and ids are natural numbers (safe integers).
 *
 * @module
 */
import type { AggregationMonoid } from "./Monoid.ts"

/**
 * A candidate: a score and the id that breaks ties.
 *
 * @lean Hydrogen.Aggregate.Entry
 */
export interface Entry {
  readonly score: number
  readonly id: number
}

/** Structural equality of entries (Lean's derived `DecidableEq`). */
export const entryEquals = (a: Entry, b: Entry): boolean => a.score === b.score && a.id === b.id

/**
 * `a` ranks before `b`: higher score first, then smaller id.
 * (Also the runtime form of the anonymous `Decidable (a.before b)` instance.)
 *
 * @lean Hydrogen.Aggregate.Entry.before
 */
export const before = (a: Entry, b: Entry): boolean => b.score < a.score || (a.score === b.score && a.id < b.id)

/**
 * Merges `x :: rest` (with `restWith = union rest`) into a list, literally as
 * in Lean (structural recursion on `ys`). `union` uses an equivalent loop.
 *
 * @lean Hydrogen.Aggregate.unionInsert
 */
export const unionInsert = (
  x: Entry,
  restWith: (l: ReadonlyArray<Entry>) => ReadonlyArray<Entry>,
  ys: ReadonlyArray<Entry>,
): ReadonlyArray<Entry> => {
  const out: Array<Entry> = []
  for (let j = 0; ; j++) {
    if (j >= ys.length) return [...out, x, ...restWith([])]
    const y = ys[j] as Entry
    if (before(x, y)) return [...out, x, ...restWith(ys.slice(j))]
    if (before(y, x)) {
      out.push(y)
      continue
    }
    return [...out, x, ...restWith(ys.slice(j + 1))]
  }
}

/**
 * Sorted union of two rank-sorted lists (an entry in both appears once).
 * Computes exactly Lean's `union`/`unionInsert` recursion, as a two-pointer
 * merge: for heads `x`, `y`: `x` first if `x.before y`, `y` first if
 * `y.before x`, otherwise (equal) `x` once and both advance.
 *
 * @lean Hydrogen.Aggregate.union
 */
export const union = (xs: ReadonlyArray<Entry>, ys: ReadonlyArray<Entry>): ReadonlyArray<Entry> =>
  unionTake(Number.POSITIVE_INFINITY, xs, ys)

const unionTake = (limit: number, xs: ReadonlyArray<Entry>, ys: ReadonlyArray<Entry>): Array<Entry> => {
  const out: Array<Entry> = []
  let i = 0
  let j = 0
  while (out.length < limit) {
    if (i >= xs.length) {
      if (j >= ys.length) break
      out.push(ys[j++] as Entry)
      continue
    }
    if (j >= ys.length) {
      out.push(xs[i++] as Entry)
      continue
    }
    const x = xs[i] as Entry
    const y = ys[j] as Entry
    if (before(x, y)) {
      out.push(x)
      i++
    } else if (before(y, x)) {
      out.push(y)
      j++
    } else {
      out.push(x)
      i++
      j++
    }
  }
  return out
}

/**
 * Rank-sorted without duplicates: `Pairwise before`. Since `before` is
 * transitive this is checked on adjacent pairs.
 *
 * @lean Hydrogen.Aggregate.Sorted
 */
export const isSorted = (xs: ReadonlyArray<Entry>): boolean => {
  for (let i = 1; i < xs.length; i++) if (!before(xs[i - 1] as Entry, xs[i] as Entry)) return false
  return true
}

const checkK = (k: number): void => {
  if (!Number.isSafeInteger(k) || k < 0) {
    throw new RangeError(`TopK: k must be a natural number (non-negative safe integer), got ${k}`)
  }
}

/**
 * The merge used by implementations: sorted union, cut to `k`
 * (`(union xs ys).take k`; stops early instead of building the whole union).
 *
 * @lean Hydrogen.Aggregate.mergeEntries
 */
export const mergeEntries = (k: number, xs: ReadonlyArray<Entry>, ys: ReadonlyArray<Entry>): ReadonlyArray<Entry> => {
  checkK(k)
  return unionTake(k, xs, ys)
}

/**
 * A top-k summary: at most `k` entries, rank-sorted, no duplicates. The
 * invariants (`sorted`, `bounded`) are Lean proof fields; at runtime they are
 * preserved by `topKMerge` and checked by `isSorted` in tests.
 *
 * @lean Hydrogen.Aggregate.TopK
 */
export type TopK = ReadonlyArray<Entry>

/**
 * Merge two top-k summaries: `mergeEntries k a b`.
 *
 * @lean Hydrogen.Aggregate.TopK.merge
 */
export const topKMerge = (k: number, a: TopK, b: TopK): TopK => mergeEntries(k, a, b)

/**
 * The empty summary, `[]`.
 *
 * @lean Hydrogen.Aggregate.TopK.empty
 */
export const topKEmpty: TopK = []

/** Equality of summaries: same entries in the same order (`TopK.ext`). */
export const topKEquals = (a: TopK, b: TopK): boolean =>
  a.length === b.length && a.every((e, i) => entryEquals(e, b[i] as Entry))

/**
 * The top-k monoid for a fixed `k` (a natural number; RangeError otherwise).
 * Its carrier is the sorted, duplicate-free lists of at most `k` entries.
 *
 * @lean Hydrogen.Aggregate.TopK.aggregationMonoid
 */
export const topK = (k: number): AggregationMonoid<TopK> => {
  checkK(k)
  return { empty: topKEmpty, merge: (a, b) => topKMerge(k, a, b), equals: topKEquals }
}
