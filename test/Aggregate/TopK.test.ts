import { readFileSync } from "node:fs"
import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { OutOfDomain } from "../../src/Aggregate/Domain.ts"
import { fold } from "../../src/Aggregate/Monoid.ts"
import {
  before,
  dedupId,
  distinctIds,
  type Entry,
  entry,
  entryEquals,
  idsDistinct,
  isBest,
  isSorted,
  mergeEntries,
  rankSort,
  topK,
  topKEmpty,
  topKMerge,
  topKOfList,
  topKOfListResult,
  topOf,
  union,
  unionInsert,
} from "../../src/Aggregate/TopK.ts"
import { checkAssoc, checkComm, checkEmptyMerge, checkMergeEmpty, expectPassed } from "./laws.ts"

// Small score/id ranges so ties, repeated ids and duplicates are frequent.
const entryArb: fc.Arbitrary<Entry> = fc.record({ score: fc.nat(8), id: fc.nat(8) })
const listArb = fc.array(entryArb, { maxLength: 12 })

// Independent references: a comparator sort + exact dedupe, a pairwise sortedness check,
// and the best entry per id by a map.
const cmp = (a: Entry, b: Entry): number => b.score - a.score || a.id - b.id
const key = (e: Entry): string => `${e.score}:${e.id}`
const sortDedupe = (es: ReadonlyArray<Entry>): Array<Entry> => {
  const seen = new Map<string, Entry>()
  for (const e of es) seen.set(key(e), e)
  return [...seen.values()].sort(cmp)
}
/** For each id its highest score, sorted by rank: what a summary of unbounded k holds. */
const bestPerId = (es: ReadonlyArray<Entry>): Array<Entry> => {
  const best = new Map<number, Entry>()
  for (const e of es) {
    const b = best.get(e.id)
    if (b === undefined || e.score > b.score) best.set(e.id, e)
  }
  return [...best.values()].sort(cmp)
}
const pairwiseBefore = (xs: ReadonlyArray<Entry>): boolean =>
  xs.every((a, i) => xs.every((b, j) => j <= i || cmp(a, b) < 0))
const plain = (xs: ReadonlyArray<Entry>) => xs.map((e) => [e.score, e.id])
const has = (xs: ReadonlyArray<Entry>, z: Entry): boolean => xs.some((e) => entryEquals(e, z))

/** Rank-sorted lists (ids may repeat): the inputs of `union`, `dedupId`, `topOf`. */
const sortedArb = listArb.map((es) => sortDedupe(es))
/** Summaries for a given k (rank-sorted, one entry per id, at most k). */
const topKArb = (k: number) => listArb.map((es) => topKOfList(k, es))
const ks = [0, 1, 2, 3, 5, 8] as const
const kArb = fc.constantFrom(...ks)

describe("Entry.before", () => {
  it("before a b ⇔ higher score, or equal score and smaller id (comparator reference)", () => {
    expect(before({ score: 5, id: 9 }, { score: 4, id: 0 })).toBe(true)
    expect(before({ score: 5, id: 1 }, { score: 5, id: 2 })).toBe(true)
    expect(before({ score: 5, id: 2 }, { score: 5, id: 2 })).toBe(false)
    fc.assert(fc.property(entryArb, entryArb, (a, b) => before(a, b) === cmp(a, b) < 0))
  })

  // @lean Hydrogen.Aggregate.Entry.before_irrefl
  it("Entry.before_irrefl: no entry ranks before itself", () => {
    fc.assert(fc.property(entryArb, (a) => !before(a, { ...a })))
  })

  // @lean Hydrogen.Aggregate.Entry.before_trans
  it("Entry.before_trans: a before b and b before c imply a before c", () => {
    fc.assert(fc.property(entryArb, entryArb, entryArb, (a, b, c) => !(before(a, b) && before(b, c)) || before(a, c)))
  })

  // @lean Hydrogen.Aggregate.Entry.before_asymm
  it("Entry.before_asymm: a before b implies not b before a", () => {
    fc.assert(fc.property(entryArb, entryArb, (a, b) => !before(a, b) || !before(b, a)))
  })

  // @lean Hydrogen.Aggregate.Entry.eq_of_not_before
  it("Entry.eq_of_not_before: if neither ranks before the other, the entries are equal (total order)", () => {
    fc.assert(
      fc.property(entryArb, entryArb, (a, b) => before(a, b) || before(b, a) || (a.score === b.score && a.id === b.id)),
    )
  })
})

describe("union", () => {
  it("unionInsert follows Lean's clauses literally and union x::xs ys = unionInsert x (union xs) ys", () => {
    const restWith = (l: ReadonlyArray<Entry>) => [{ score: -1, id: l.length }]
    const x = { score: 5, id: 5 }
    expect(plain(unionInsert(x, restWith, []))).toEqual([[5, 5], [-1, 0]])
    expect(plain(unionInsert(x, restWith, [{ score: 9, id: 0 }, { score: 5, id: 5 }, { score: 1, id: 0 }]))).toEqual([
      [9, 0],
      [5, 5],
      [-1, 1],
    ])
    fc.assert(
      fc.property(entryArb, listArb, listArb, (x, xs, ys) => {
        expect(plain(union([x, ...xs], ys))).toEqual(plain(unionInsert(x, (l) => union(xs, l), ys)))
      }),
    )
  })

  it("for sorted inputs union is the sorted, de-duplicated concatenation (comparator reference)", () => {
    fc.assert(
      fc.property(sortedArb, sortedArb, (xs, ys) => {
        expect(plain(union(xs, ys))).toEqual(plain(sortDedupe([...xs, ...ys])))
      }),
    )
  })

  // @lean Hydrogen.Aggregate.union_nil_left
  it("union_nil_left: union [] ys = ys for every list", () => {
    fc.assert(
      fc.property(listArb, (ys) => {
        expect(plain(union([], ys))).toEqual(plain(ys))
      }),
    )
  })

  // @lean Hydrogen.Aggregate.union_nil_right
  it("union_nil_right: union xs [] = xs for every list", () => {
    fc.assert(
      fc.property(listArb, (xs) => {
        expect(plain(union(xs, []))).toEqual(plain(xs))
      }),
    )
  })

  // @lean Hydrogen.Aggregate.union_cons_cons
  it("union_cons_cons: union (x::xs) (y::ys) takes x if x before y, y if y before x, else x once", () => {
    fc.assert(
      fc.property(entryArb, entryArb, listArb, listArb, (x, y, xs, ys) => {
        const expected = before(x, y)
          ? [x, ...union(xs, [y, ...ys])]
          : before(y, x)
            ? [y, ...union([x, ...xs], ys)]
            : [x, ...union(xs, ys)]
        expect(plain(union([x, ...xs], [y, ...ys]))).toEqual(plain(expected))
      }),
    )
  })

  // @lean Hydrogen.Aggregate.mem_union
  it("mem_union: z ∈ union xs ys ↔ z ∈ xs ∨ z ∈ ys, for all lists (sorted or not)", () => {
    fc.assert(
      fc.property(fc.oneof(listArb, sortedArb), fc.oneof(listArb, sortedArb), entryArb, (xs, ys, z) => {
        expect(has(union(xs, ys), z)).toBe(has(xs, z) || has(ys, z))
      }),
    )
  })

  // @lean Hydrogen.Aggregate.union_comm
  it("union_comm: union xs ys = union ys xs, for all lists (sorted or not)", () => {
    fc.assert(
      fc.property(fc.oneof(listArb, sortedArb), fc.oneof(listArb, sortedArb), (xs, ys) => {
        expect(plain(union(xs, ys))).toEqual(plain(union(ys, xs)))
      }),
    )
  })

  it("Sorted: isSorted agrees with the pairwise definition on random lists", () => {
    expect(isSorted([])).toBe(true)
    expect(isSorted([{ score: 1, id: 1 }, { score: 1, id: 1 }])).toBe(false)
    fc.assert(fc.property(fc.oneof(listArb, sortedArb), (xs) => isSorted(xs) === pairwiseBefore(xs)))
  })

  // @lean Hydrogen.Aggregate.sorted_union
  it("sorted_union: the union of two sorted lists is sorted (pairwise reference)", () => {
    fc.assert(
      fc.property(sortedArb, sortedArb, (xs, ys) => {
        expect(pairwiseBefore(xs) && pairwiseBefore(ys)).toBe(true)
        expect(pairwiseBefore(union(xs, ys))).toBe(true)
        expect(isSorted(union(xs, ys))).toBe(true)
      }),
    )
  })

  // @lean Hydrogen.Aggregate.Sorted.ext
  it("Sorted.ext: two sorted lists with the same members are equal", () => {
    fc.assert(
      fc.property(
        listArb.chain((es) => fc.tuple(fc.constant(es), fc.shuffledSubarray(es, { minLength: es.length, maxLength: es.length }))),
        ([es, perm]) => {
          // built by inserting one entry at a time with union, in two different orders
          const xs = es.reduce<ReadonlyArray<Entry>>((acc, e) => union(acc, [e]), [])
          const ys = perm.reduce<ReadonlyArray<Entry>>((acc, e) => union(acc, [e]), [])
          expect(xs.every((z) => has(ys, z)) && ys.every((z) => has(xs, z))).toBe(true)
          expect(plain(xs)).toEqual(plain(ys))
        },
      ),
    )
  })

  // @lean Hydrogen.Aggregate.union_assoc
  it("union_assoc: union (union xs ys) zs = union xs (union ys zs) for sorted lists", () => {
    fc.assert(
      fc.property(sortedArb, sortedArb, sortedArb, (xs, ys, zs) => {
        expect(plain(union(union(xs, ys), zs))).toEqual(plain(union(xs, union(ys, zs))))
      }),
    )
  })

  // @lean Hydrogen.Aggregate.take_union_take
  it("take_union_take: for k ≤ m, (union (xs.take m) ys).take k = (union xs ys).take k", () => {
    fc.assert(
      fc.property(fc.nat(14), fc.nat(6), fc.oneof(listArb, sortedArb), fc.oneof(listArb, sortedArb), (k, extra, xs, ys) => {
        const m = k + extra
        expect(plain(union(xs.slice(0, m), ys).slice(0, k))).toEqual(plain(union(xs, ys).slice(0, k)))
      }),
    )
  })

})

describe("one entry per id", () => {
  it("idsDistinct, isBest, dedupId, distinctIds, rankSort, topOf agree with their definitions (references)", () => {
    expect(idsDistinct([{ score: 1, id: 2 }, { score: 3, id: 2 }])).toBe(false)
    expect(plain(dedupId([{ score: 5, id: 1 }, { score: 4, id: 2 }, { score: 3, id: 1 }]))).toEqual([[5, 1], [4, 2]])
    expect(distinctIds([{ score: 5, id: 1 }, { score: 4, id: 2 }, { score: 3, id: 1 }])).toEqual([1, 2])
    fc.assert(
      fc.property(listArb, entryArb, (l, z) => {
        // IdsDistinct: Pairwise (a.id ≠ b.id)
        expect(idsDistinct(l)).toBe(l.every((a, i) => l.every((b, j) => j <= i || a.id !== b.id)))
        // IsBest: z ∈ l ∧ ∀ w ∈ l, w.id = z.id → ¬ w.before z
        expect(isBest(l, z)).toBe(has(l, z) && l.every((w) => w.id !== z.id || !before(w, z)))
        // dedupId (x :: xs) = x :: (dedupId xs).filter (·.id ≠ x.id)
        const lean = (xs: ReadonlyArray<Entry>): ReadonlyArray<Entry> =>
          xs.length === 0 ? [] : [xs[0]!, ...lean(xs.slice(1)).filter((e) => e.id !== xs[0]!.id)]
        expect(plain(dedupId(l))).toEqual(plain(lean(l)))
        expect(distinctIds(l)).toEqual(lean(l).map((e) => e.id))
        expect(plain(rankSort(l))).toEqual(plain(sortDedupe(l)))
        for (const k of ks) expect(plain(topOf(k, l))).toEqual(plain(lean(l).slice(0, k)))
      }),
    )
  })

  // @lean Hydrogen.Aggregate.idsDistinct_dedupId
  it("idsDistinct_dedupId: dedupId l has no two entries with the same id, for every list", () => {
    fc.assert(fc.property(listArb, (l) => idsDistinct(dedupId(l))))
  })

  // @lean Hydrogen.Aggregate.sorted_dedupId
  it("sorted_dedupId: dedupId of a sorted list is sorted", () => {
    fc.assert(fc.property(sortedArb, (l) => pairwiseBefore(dedupId(l))))
  })

  // @lean Hydrogen.Aggregate.mem_dedupId
  it("mem_dedupId: for a sorted list l, z ∈ dedupId l ↔ IsBest l z", () => {
    fc.assert(
      fc.property(sortedArb, entryArb, (l, z) => {
        expect(has(dedupId(l), z)).toBe(isBest(l, z))
        for (const w of l) expect(has(dedupId(l), w)).toBe(isBest(l, w))
      }),
    )
  })

  // @lean Hydrogen.Aggregate.topOf_union_topOf
  it("topOf_union_topOf: for sorted s, m: topOf k (union (topOf k s) m) = topOf k (union s m)", () => {
    fc.assert(
      fc.property(fc.nat(9), sortedArb, sortedArb, (k, s, m) => {
        expect(plain(topOf(k, union(topOf(k, s), m)))).toEqual(plain(topOf(k, union(s, m))))
      }),
    )
  })

  // @lean Hydrogen.Aggregate.sorted_topOf
  it("sorted_topOf: topOf k of a sorted list is sorted", () => {
    fc.assert(fc.property(fc.nat(9), sortedArb, (k, l) => pairwiseBefore(topOf(k, l))))
  })

  // @lean Hydrogen.Aggregate.idsDistinct_topOf
  it("idsDistinct_topOf: topOf k l has distinct ids, for every list", () => {
    fc.assert(fc.property(fc.nat(9), listArb, (k, l) => idsDistinct(topOf(k, l))))
  })

  // @lean Hydrogen.Aggregate.length_topOf_le
  it("length_topOf_le: (topOf k l).length ≤ k", () => {
    fc.assert(fc.property(fc.nat(9), listArb, (k, l) => topOf(k, l).length <= k))
  })

  // @lean Hydrogen.Aggregate.sorted_rankSort
  it("sorted_rankSort: rankSort l is sorted, for every list", () => {
    fc.assert(fc.property(listArb, (l) => pairwiseBefore(rankSort(l)) && isSorted(rankSort(l))))
  })

  // @lean Hydrogen.Aggregate.mem_rankSort
  it("mem_rankSort: z ∈ rankSort l ↔ z ∈ l", () => {
    fc.assert(
      fc.property(listArb, entryArb, (l, z) => {
        expect(has(rankSort(l), z)).toBe(has(l, z))
      }),
    )
  })

  // @lean Hydrogen.Aggregate.IdsDistinct.eq_of_id_eq
  it("IdsDistinct.eq_of_id_eq: in an id-distinct list, two members with the same id are equal", () => {
    fc.assert(
      fc.property(listArb, (l) => {
        fc.pre(idsDistinct(l))
        for (const a of l) for (const b of l) if (a.id === b.id) expect(entryEquals(a, b)).toBe(true)
      }),
    )
    fc.assert(
      fc.property(listArb, (l) => {
        const d = dedupId(l)
        for (const a of d) for (const b of d) if (a.id === b.id) expect(entryEquals(a, b)).toBe(true)
      }),
    )
  })

  // @lean Hydrogen.Aggregate.mem_distinctIds
  it("mem_distinctIds: i ∈ distinctIds l ↔ ∃ e ∈ l, e.id = i", () => {
    fc.assert(
      fc.property(listArb, fc.nat(10), (l, i) => {
        expect(distinctIds(l).includes(i)).toBe(l.some((e) => e.id === i))
      }),
    )
  })

  // @lean Hydrogen.Aggregate.nodup_distinctIds
  it("nodup_distinctIds: distinctIds l has no duplicates", () => {
    fc.assert(fc.property(listArb, (l) => new Set(distinctIds(l)).size === distinctIds(l).length))
  })

  it("mergeEntries k xs ys = topOf k (union xs ys): the best entry per id of both, the first k by rank (references)", () => {
    fc.assert(
      fc.property(fc.nat(10), sortedArb, sortedArb, (k, xs, ys) => {
        expect(plain(mergeEntries(k, xs, ys))).toEqual(plain(topOf(k, union(xs, ys))))
        expect(plain(mergeEntries(k, xs, ys))).toEqual(plain(bestPerId([...xs, ...ys]).slice(0, k)))
      }),
    )
    // an id kept twice before this change: the higher score wins, once
    expect(plain(mergeEntries(3, [{ score: 5, id: 1 }], [{ score: 7, id: 1 }]))).toEqual([[7, 1]])
  })
})

describe("TopK", () => {
  it("a summary of any candidates is the best entry per id, the first k by rank (reference)", () => {
    for (const k of ks) {
      fc.assert(
        fc.property(fc.array(listArb, { maxLength: 5 }), (lists) => {
          const r = fold(topK(k), lists.map((es) => topKOfList(k, es)))
          expect(r.length).toBeLessThanOrEqual(k)
          expect(pairwiseBefore(r)).toBe(true)
          expect(idsDistinct(r)).toBe(true)
          expect(plain(r)).toEqual(plain(bestPerId(lists.flat()).slice(0, k)))
          expect(plain(topKOfList(k, lists.flat()))).toEqual(plain(r))
        }),
      )
    }
    expect(topKEmpty).toEqual([])
    expect(plain(topKMerge(1, [{ score: 3, id: 4 }], [{ score: 3, id: 2 }]))).toEqual([[3, 2]])
  })

  it("entries are total: a score, id or k that is not a natural number is an OutOfDomain error, never a silent result", () => {
    const bad = [Number.NaN, -1, 0.5, Number.POSITIVE_INFINITY, 2 ** 53, -0.25]
    for (const v of bad) {
      expect(() => entry(v, 1)).toThrow(OutOfDomain)
      expect(() => entry(1, v)).toThrow(OutOfDomain)
      expect(() => mergeEntries(2, [{ score: v, id: 1 }], [])).toThrow(OutOfDomain)
      expect(() => mergeEntries(2, [], [{ score: 1, id: v }])).toThrow(OutOfDomain)
      expect(() => topKOfList(2, [{ score: 1, id: 1 }, { score: v, id: 2 }])).toThrow(OutOfDomain)
      expect(() => topOf(2, [{ score: 1, id: v }])).toThrow(OutOfDomain)
      expect(() => topK(v)).toThrow(OutOfDomain)
      expect(() => mergeEntries(v, [], [])).toThrow(OutOfDomain)
    }
    const r = topKOfListResult(3, [{ score: 1, id: 1 }, { score: Number.NaN, id: 2 }])
    expect(Result.isFailure(r)).toBe(true)
    if (Result.isFailure(r)) {
      expect(r.failure).toMatchObject({ _tag: "OutOfDomain", where: "TopK.ofList", field: "xs[1].score", domain: "Nat" })
      expect(r.failure.message).toContain("xs[1].score must be a natural number")
    }
    expect(Result.isSuccess(topKOfListResult(3, [{ score: 2 ** 53 - 1, id: 0 }]))).toBe(true)
    expect(entry(0, 2 ** 53 - 1)).toEqual({ score: 0, id: 2 ** 53 - 1 })
  })

  // @lean Hydrogen.Aggregate.TopK.ext
  it("TopK.ext: two top-k summaries with the same entries are equal (and only those)", () => {
    const M = topK(3)
    fc.assert(
      fc.property(topKArb(3), topKArb(3), (a, b) => {
        const sameEntries = JSON.stringify(plain(a)) === JSON.stringify(plain(b))
        expect(M.equals(a, b)).toBe(sameEntries)
        expect(M.equals(a, a.map((e) => ({ ...e })))).toBe(true)
      }),
    )
  })

  // @lean Hydrogen.Aggregate.TopK.merge_assoc
  it("TopK.merge_assoc: (a ⊕ b) ⊕ c = a ⊕ (b ⊕ c) for all top-k summaries, for several k", () => {
    for (const k of ks) expectPassed(checkAssoc(topK(k), topKArb(k)))
  })
  // @lean Hydrogen.Aggregate.TopK.empty_merge
  it("TopK.empty_merge: [] ⊕ a = a for all top-k summaries, for several k", () => {
    for (const k of ks) expectPassed(checkEmptyMerge(topK(k), topKArb(k)))
  })
  // @lean Hydrogen.Aggregate.TopK.merge_empty
  it("TopK.merge_empty: a ⊕ [] = a for all top-k summaries, for several k", () => {
    for (const k of ks) expectPassed(checkMergeEmpty(topK(k), topKArb(k)))
  })
  // @lean Hydrogen.Aggregate.TopK.merge_comm
  it("TopK.merge_comm: a ⊕ b = b ⊕ a for all top-k summaries, for several k", () => {
    for (const k of ks) expectPassed(checkComm(topK(k), topKArb(k)))
  })

  // @lean Hydrogen.Aggregate.TopK.ofList_entries
  it("TopK.ofList_entries: a summary is the summary of its own entries (ofList k a.entries = a)", () => {
    fc.assert(
      fc.property(kArb.chain((k) => fc.tuple(fc.constant(k), topKArb(k))), ([k, a]) => {
        expect(plain(topKOfList(k, a))).toEqual(plain(a))
      }),
    )
  })

  // @lean Hydrogen.Aggregate.TopK.ofList_append
  it("TopK.ofList_append: ofList k (xs ++ ys) = (ofList k xs) ⊕ (ofList k ys)", () => {
    fc.assert(
      fc.property(kArb, listArb, listArb, (k, xs, ys) => {
        expect(plain(topKOfList(k, [...xs, ...ys]))).toEqual(plain(topKMerge(k, topKOfList(k, xs), topKOfList(k, ys))))
      }),
    )
  })

  // @lean Hydrogen.Aggregate.TopK.merge_eq_ofList
  it("TopK.merge_eq_ofList: a ⊕ b = ofList k (a.entries ++ b.entries)", () => {
    fc.assert(
      fc.property(kArb.chain((k) => fc.tuple(fc.constant(k), topKArb(k), topKArb(k))), ([k, a, b]) => {
        expect(plain(topKMerge(k, a, b))).toEqual(plain(topKOfList(k, [...a, ...b])))
      }),
    )
  })

  // @lean Hydrogen.Aggregate.TopK.eq_of_mem_of_id_eq
  it("TopK.eq_of_mem_of_id_eq: two entries of a summary (built by ofList or merge) with the same id are the same entry", () => {
    fc.assert(
      fc.property(kArb, listArb, listArb, (k, xs, ys) => {
        for (const s of [topKOfList(k, xs), topKMerge(k, topKOfList(k, xs), topKOfList(k, ys))]) {
          for (const a of s) for (const b of s) if (a.id === b.id) expect(entryEquals(a, b)).toBe(true)
        }
      }),
    )
  })

  // @lean Hydrogen.Aggregate.TopK.length_ofList
  it("TopK.length_ofList: (ofList k xs).entries.length = min k (distinctIds xs).length", () => {
    fc.assert(
      fc.property(kArb, listArb, (k, xs) => {
        expect(topKOfList(k, xs).length).toBe(Math.min(k, distinctIds(xs).length))
        expect(topKOfList(k, xs).length).toBe(Math.min(k, new Set(xs.map((e) => e.id)).size))
      }),
    )
  })

  // @lean Hydrogen.Aggregate.TopK.length_merge
  it("TopK.length_merge: (a ⊕ b).entries.length = min k (distinctIds (a.entries ++ b.entries)).length", () => {
    fc.assert(
      fc.property(kArb.chain((k) => fc.tuple(fc.constant(k), topKArb(k), topKArb(k))), ([k, a, b]) => {
        expect(topKMerge(k, a, b).length).toBe(Math.min(k, distinctIds([...a, ...b]).length))
      }),
    )
  })

  // @lean Hydrogen.Aggregate.TopK.isBest_of_mem_ofList
  it("TopK.isBest_of_mem_ofList: every kept entry is an input that no input of the same id ranks before", () => {
    fc.assert(
      fc.property(kArb, listArb, (k, xs) => {
        for (const z of topKOfList(k, xs)) expect(isBest(xs, z)).toBe(true)
      }),
    )
  })

  // @lean Hydrogen.Aggregate.TopK.before_of_mem_ofList
  it("TopK.before_of_mem_ofList: an input whose id is not kept ranks after every kept entry", () => {
    fc.assert(
      fc.property(kArb, listArb, (k, xs) => {
        const s = topKOfList(k, xs)
        for (const w of xs) {
          if (s.every((z) => z.id !== w.id)) for (const z of s) expect(before(z, w)).toBe(true)
        }
      }),
    )
  })

  // @lean Hydrogen.Aggregate.TopK.before_of_not_mem_ofList
  it("TopK.before_of_not_mem_ofList: an input not kept ranks after the kept entry of its id, or, if its id is not kept, after every kept entry", () => {
    fc.assert(
      fc.property(kArb, listArb, (k, xs) => {
        const s = topKOfList(k, xs)
        for (const w of xs) {
          if (has(s, w)) continue
          const sameId = s.some((z) => z.id === w.id && before(z, w))
          const afterAll = s.every((z) => before(z, w))
          expect(sameId || afterAll).toBe(true)
        }
      }),
    )
  })

  // @lean Hydrogen.Aggregate.TopK.isBest_of_mem_merge
  it("TopK.isBest_of_mem_merge: every entry of a ⊕ b is its id's best among the entries of a and b", () => {
    fc.assert(
      fc.property(kArb.chain((k) => fc.tuple(fc.constant(k), topKArb(k), topKArb(k))), ([k, a, b]) => {
        for (const z of topKMerge(k, a, b)) expect(isBest([...a, ...b], z)).toBe(true)
      }),
    )
  })

  // @lean Hydrogen.Aggregate.TopK.before_of_mem_merge
  it("TopK.before_of_mem_merge: an entry of a or b whose id a ⊕ b does not keep ranks after every kept entry", () => {
    fc.assert(
      fc.property(kArb.chain((k) => fc.tuple(fc.constant(k), topKArb(k), topKArb(k))), ([k, a, b]) => {
        const m = topKMerge(k, a, b)
        for (const w of [...a, ...b]) {
          if (m.every((z) => z.id !== w.id)) for (const z of m) expect(before(z, w)).toBe(true)
        }
      }),
    )
  })
})

describe("TopK.ofList conformance vectors (gen/vectors/topk-oflist.json, checked by the Lean kernel)", () => {
  const parsed = JSON.parse(readFileSync(new URL("../../gen/vectors/topk-oflist.json", import.meta.url), "utf8")) as {
    count: number
    vectors: ReadonlyArray<{ family: string; input: { k: number; xs: Array<Entry> }; expected: Array<Entry> }>
  }
  // @lean Hydrogen.Aggregate.TopK.ofList
  it(`all ${parsed.count} vectors: topKOfList k xs is the kernel's (TopK.ofList k xs).entries`, () => {
    expect(parsed.vectors.length).toBe(parsed.count)
    expect(parsed.count).toBeGreaterThanOrEqual(60)
    for (const v of parsed.vectors) {
      expect(v.family).toBe("TopK.ofList")
      expect(topKOfList(v.input.k, v.input.xs), JSON.stringify(v)).toEqual(v.expected)
    }
  })
})

// Pinning: these restate the order in scores and ids, not through `before`, so a
// summary that broke ties by descending id would fail them.
describe("TopK pinned in scores and ids", () => {
  // @lean Hydrogen.Aggregate.TopK.order_of_lt
  it("TopK.order_of_lt: an earlier entry of a summary has a higher score, or the same score and a smaller id", () => {
    fc.assert(
      fc.property(kArb, listArb, listArb, (k, xs, ys) => {
        const s = topKMerge(k, topKOfList(k, xs), topKOfList(k, ys))
        for (let i = 0; i < s.length; i++) {
          for (let j = i + 1; j < s.length; j++) {
            const a = s[i] as Entry
            const b = s[j] as Entry
            expect(b.score < a.score || (a.score === b.score && a.id < b.id)).toBe(true)
          }
        }
      }),
    )
  })

  // @lean Hydrogen.Aggregate.TopK.score_le_of_mem_ofList
  it("TopK.score_le_of_mem_ofList: a kept entry's score is at least the score of every input with its id", () => {
    fc.assert(
      fc.property(kArb, listArb, (k, xs) => {
        for (const z of topKOfList(k, xs)) for (const w of xs) if (w.id === z.id) expect(w.score).toBeLessThanOrEqual(z.score)
      }),
    )
  })

  // @lean Hydrogen.Aggregate.TopK.dropped_lt_of_mem_ofList
  it("TopK.dropped_lt_of_mem_ofList: an input whose id is not kept has a lower score than every kept entry, or the same score and a larger id", () => {
    fc.assert(
      fc.property(kArb, listArb, (k, xs) => {
        const s = topKOfList(k, xs)
        for (const w of xs) {
          if (s.every((z) => z.id !== w.id)) {
            for (const z of s) expect(w.score < z.score || (w.score === z.score && z.id < w.id)).toBe(true)
          }
        }
      }),
    )
  })

  it("ties at the cut keep the smaller ids (the example the issue names)", () => {
    expect(plain(topKOfList(2, [entry(5, 9), entry(5, 3), entry(5, 7)]))).toEqual([[5, 3], [5, 7]])
  })
})
