/**
 * Bounded top-k with deterministic tie-breaking, one entry per id. Mirror of
 * `Hydrogen.Aggregate.TopK`.
 *
 * Entries rank by score, highest first; equal scores rank by id, smallest
 * first, so every replica picks the same k. An entry stands for its id: a
 * summary holds at most one entry per id (the id's best), rank-sorted, at most
 * `k` of them. Merge is the sorted union of both lists, then the first (best)
 * entry of each id, cut to `k`. What Lean proves about it: a commutative monoid
 * (`TopK.merge_assoc`, `merge_comm`, `empty_merge`, `merge_empty`); merging two
 * summaries is the summary of all their entries (`TopK.merge_eq_ofList`); one
 * entry per id (`TopK.eq_of_mem_of_id_eq`); `min k (distinct ids)` entries
 * (`TopK.length_ofList`); each kept entry is its id's best input and every
 * input whose id is not kept ranks after every kept entry
 * (`TopK.isBest_of_mem_ofList`, `TopK.before_of_mem_ofList`).
 *
 * Scores, ids and `k` are Lean `Nat`s: non-negative safe integers here. The
 * functions that build or merge summaries (`entry`, `mergeEntries`, `topOf`,
 * `topKOfList`, `topK`) throw `OutOfDomain` (a typed `Data.TaggedError`, see
 * `Domain.ts`) for anything else — NaN, ±Infinity, fractions, negatives,
 * integers past 2^53 − 1 — and `topKOfListResult` returns it in a `Result`.
 *
 * @module
 */
import type * as Result from "effect/Result"
import { catchDomain, type OutOfDomain, requireNat } from "./Domain.ts"
import type { AggregationMonoid } from "./Monoid.ts"
import { mergeUnion } from "./SortedMerge.ts"

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

const unionTake = (limit: number, xs: ReadonlyArray<Entry>, ys: ReadonlyArray<Entry>): Array<Entry> => mergeUnion(xs, ys, before, limit)

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

const checkK = (where: string, k: number): void => {
  requireNat(where, "k", k)
}

/** Every score and id of `xs` is a Lean `Nat`; throws `OutOfDomain` naming the first that is not. */
const checkEntries = (where: string, name: string, xs: ReadonlyArray<Entry>): void => {
  for (let i = 0; i < xs.length; i++) {
    const e = xs[i] as Entry
    requireNat(where, `${name}[${i}].score`, e?.score)
    requireNat(where, `${name}[${i}].id`, e?.id)
  }
}

/**
 * An entry, checked: `score` and `id` must be natural numbers (non-negative
 * safe integers), else `OutOfDomain`.
 *
 * @lean Hydrogen.Aggregate.Entry.mk
 */
export const entry = (score: number, id: number): Entry => {
  requireNat("TopK.entry", "score", score)
  requireNat("TopK.entry", "id", id)
  return { score, id }
}

// ---------------------------------------------------------------------------
// One entry per id

/**
 * No two entries share an id.
 *
 * @lean Hydrogen.Aggregate.IdsDistinct
 */
export const idsDistinct = (l: ReadonlyArray<Entry>): boolean => new Set(l.map((e) => e.id)).size === l.length

/**
 * `z` is its id's best entry in `l`: a member that no entry of the same id
 * ranks before.
 *
 * @lean Hydrogen.Aggregate.IsBest
 */
export const isBest = (l: ReadonlyArray<Entry>, z: Entry): boolean =>
  l.some((e) => entryEquals(e, z)) && !l.some((w) => w.id === z.id && before(w, z))

/**
 * Keeps the first entry of each id (in a rank-sorted list, the id's best).
 *
 * @lean Hydrogen.Aggregate.dedupId
 */
export const dedupId = (l: ReadonlyArray<Entry>): ReadonlyArray<Entry> => takeDistinct(Number.POSITIVE_INFINITY, l)

const takeDistinct = (limit: number, l: ReadonlyArray<Entry>): Array<Entry> => {
  const seen = new Set<number>()
  const out: Array<Entry> = []
  for (let i = 0; i < l.length && out.length < limit; i++) {
    const e = l[i] as Entry
    if (seen.has(e.id)) continue
    seen.add(e.id)
    out.push(e)
  }
  return out
}

/**
 * The distinct ids of a list, in order of first occurrence.
 *
 * @lean Hydrogen.Aggregate.distinctIds
 */
export const distinctIds = (l: ReadonlyArray<Entry>): ReadonlyArray<number> => [...new Set(l.map((e) => e.id))]

/**
 * The top `k` of a rank-sorted list: the best entry of each id, the first `k`
 * of them (`(dedupId l).take k`; stops after `k`).
 *
 * @lean Hydrogen.Aggregate.topOf
 */
export const topOf = (k: number, l: ReadonlyArray<Entry>): ReadonlyArray<Entry> => {
  checkK("TopK.topOf", k)
  checkEntries("TopK.topOf", "l", l)
  return takeDistinct(k, l)
}

/**
 * The merge used by implementations: sorted union, best entry per id, cut to
 * `k` (`topOf k (union xs ys)`, as one two-pointer pass that stops after `k`
 * entries). Throws `OutOfDomain` when `k` or a score or id is not a natural number.
 *
 * @lean Hydrogen.Aggregate.mergeEntries
 */
export const mergeEntries = (k: number, xs: ReadonlyArray<Entry>, ys: ReadonlyArray<Entry>): ReadonlyArray<Entry> => {
  checkK("TopK.mergeEntries", k)
  checkEntries("TopK.mergeEntries", "xs", xs)
  checkEntries("TopK.mergeEntries", "ys", ys)
  const out: Array<Entry> = []
  const seen = new Set<number>()
  const emit = (e: Entry): void => {
    if (seen.has(e.id)) return
    seen.add(e.id)
    out.push(e)
  }
  let i = 0
  let j = 0
  while (out.length < k) {
    if (i >= xs.length) {
      if (j >= ys.length) break
      emit(ys[j++] as Entry)
      continue
    }
    if (j >= ys.length) {
      emit(xs[i++] as Entry)
      continue
    }
    const x = xs[i] as Entry
    const y = ys[j] as Entry
    if (before(x, y)) {
      emit(x)
      i++
    } else if (before(y, x)) {
      emit(y)
      j++
    } else {
      emit(x)
      i++
      j++
    }
  }
  return out
}

/** Rank order as a comparator: negative when `a` ranks before `b`. */
const rankCompare = (a: Entry, b: Entry): number => (before(a, b) ? -1 : before(b, a) ? 1 : 0)

/**
 * Rank-sorts a list; equal entries are kept once (Lean's insertion sort by
 * `union [x]`, computed with a comparator sort).
 *
 * @lean Hydrogen.Aggregate.rankSort
 */
export const rankSort = (l: ReadonlyArray<Entry>): ReadonlyArray<Entry> => {
  const sorted = [...l].sort(rankCompare)
  return sorted.filter((e, i) => i === 0 || !entryEquals(sorted[i - 1] as Entry, e))
}

// ---------------------------------------------------------------------------
// Summaries

/**
 * A top-k summary: at most `k` entries, rank-sorted, at most one per id. The
 * invariants (`sorted`, `distinct`, `bounded`) are Lean proof fields; at
 * runtime every summary built by `topKOfList`/`topKMerge` has them (checked by
 * `isSorted` and `idsDistinct` in tests).
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

/**
 * The summary of any list of candidates: rank-sort, best entry per id, the
 * first `k` (`topOf k (rankSort xs)`). Throws `OutOfDomain` when `k` or a
 * score or id is not a natural number.
 *
 * @lean Hydrogen.Aggregate.TopK.ofList
 */
export const topKOfList = (k: number, xs: ReadonlyArray<Entry>): TopK => {
  checkK("TopK.ofList", k)
  checkEntries("TopK.ofList", "xs", xs)
  return takeDistinct(k, rankSort(xs))
}

/** `topKOfList` for input from outside: the summary, or the `OutOfDomain` error. */
export const topKOfListResult = (k: number, xs: ReadonlyArray<Entry>): Result.Result<TopK, OutOfDomain> =>
  catchDomain(() => topKOfList(k, xs)) as Result.Result<TopK, OutOfDomain>

/** Equality of summaries: same entries in the same order (`TopK.ext`). */
export const topKEquals = (a: TopK, b: TopK): boolean =>
  a.length === b.length && a.every((e, i) => entryEquals(e, b[i] as Entry))

/**
 * The top-k monoid for a fixed `k` (a natural number; `OutOfDomain` otherwise).
 * Its carrier is the rank-sorted lists of at most `k` entries with distinct ids.
 *
 * @lean Hydrogen.Aggregate.TopK.aggregationMonoid
 */
export const topK = (k: number): AggregationMonoid<TopK> => {
  checkK("TopK.topK", k)
  return { empty: topKEmpty, merge: (a, b) => topKMerge(k, a, b), equals: topKEquals }
}
