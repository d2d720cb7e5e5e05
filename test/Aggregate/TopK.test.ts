import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { fold } from "../../src/Aggregate/Monoid.ts"
import {
  before,
  type Entry,
  entryEquals,
  isSorted,
  mergeEntries,
  topK,
  topKEmpty,
  topKMerge,
  union,
  unionInsert,
} from "../../src/Aggregate/TopK.ts"
import { checkAssoc, checkComm, checkEmptyMerge, checkMergeEmpty, expectPassed } from "./laws.ts"

// Small score/id ranges so ties and duplicates are frequent.
const entryArb: fc.Arbitrary<Entry> = fc.record({ score: fc.nat(8), id: fc.nat(8) })
const listArb = fc.array(entryArb, { maxLength: 12 })
const BIG = 1000
/** Random sorted, duplicate-free lists, built by merging singletons with mergeEntries. */
const buildSorted = (es: ReadonlyArray<Entry>, k = BIG): ReadonlyArray<Entry> =>
  es.reduce<ReadonlyArray<Entry>>((acc, e) => mergeEntries(k, acc, [e]), [])
const sortedArb = listArb.map((es) => buildSorted(es))
const topKArb = (k: number) => listArb.map((es) => buildSorted(es, k))

// Independent references: a comparator sort + dedupe, a pairwise sortedness check.
const cmp = (a: Entry, b: Entry): number => b.score - a.score || a.id - b.id
const key = (e: Entry): string => `${e.score}:${e.id}`
const sortDedupe = (es: ReadonlyArray<Entry>): Array<Entry> => {
  const seen = new Map<string, Entry>()
  for (const e of es) seen.set(key(e), e)
  return [...seen.values()].sort(cmp)
}
const pairwiseBefore = (xs: ReadonlyArray<Entry>): boolean =>
  xs.every((a, i) => xs.every((b, j) => j <= i || cmp(a, b) < 0))
const plain = (xs: ReadonlyArray<Entry>) => xs.map((e) => [e.score, e.id])
const has = (xs: ReadonlyArray<Entry>, z: Entry): boolean => xs.some((e) => entryEquals(e, z))

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
          const xs = buildSorted(es)
          const ys = buildSorted(perm)
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

  it("mergeEntries k xs ys = (union xs ys).take k, the first k of the comparator-sorted union", () => {
    fc.assert(
      fc.property(fc.nat(10), fc.oneof(listArb, sortedArb), sortedArb, (k, xs, ys) => {
        expect(plain(mergeEntries(k, xs, ys))).toEqual(plain(union(xs, ys).slice(0, k)))
      }),
    )
    fc.assert(
      fc.property(fc.nat(10), sortedArb, sortedArb, (k, xs, ys) => {
        expect(plain(mergeEntries(k, xs, ys))).toEqual(plain(sortDedupe([...xs, ...ys]).slice(0, k)))
      }),
    )
    expect(() => mergeEntries(-1, [], [])).toThrow(RangeError)
  })
})

describe("TopK", () => {
  const ks = [0, 1, 2, 3, 5, 8] as const

  it("merge keeps at most k entries, sorted: the top k of all candidates (comparator reference)", () => {
    for (const k of ks) {
      fc.assert(
        fc.property(fc.array(listArb, { maxLength: 5 }), (lists) => {
          const r = fold(topK(k), lists.map((es) => buildSorted(es, k)))
          expect(r.length).toBeLessThanOrEqual(k)
          expect(pairwiseBefore(r)).toBe(true)
          expect(plain(r)).toEqual(plain(sortDedupe(lists.flat()).slice(0, k)))
        }),
      )
    }
    expect(topKEmpty).toEqual([])
    expect(plain(topKMerge(1, [{ score: 3, id: 4 }], [{ score: 3, id: 2 }]))).toEqual([[3, 2]])
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
})
