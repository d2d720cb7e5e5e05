import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { AgentPool } from "../../src/Tree/Agents.ts"
import {
  aggregateRef,
  type Delivery,
  type Entry,
  entryCompare,
  entryJoin,
  foldValues,
  joinRef,
  LatestPerChild,
  type LatestRef,
  newestRef,
  offerAllRef,
  offerRef,
  type Summary,
  summaryAverage,
  summaryEmpty,
  summaryEquals,
  summaryMerge,
  summaryOfValue,
} from "../../src/Tree/Summary.ts"
import { loadVectors } from "../Vectors/load.ts"

const value = fc.integer({ min: -1_000_000, max: 1_000_000 })
const summary: fc.Arbitrary<Summary> = fc.array(value, { maxLength: 8 }).map((vs) => vs.map(summaryOfValue).reduce(summaryMerge, summaryEmpty))

describe("Summary: product of SumCount, Min and Max", () => {
  // @lean Hydrogen.Aggregate.SumCount.merge_assoc
  // @lean Hydrogen.Aggregate.Min.merge_assoc
  // @lean Hydrogen.Aggregate.Max.merge_assoc
  // @lean Hydrogen.Tree.Summary.merge_assoc
  it("merge_assoc: merge is associative", () => {
    fc.assert(fc.property(summary, summary, summary, (a, b, c) => summaryEquals(summaryMerge(summaryMerge(a, b), c), summaryMerge(a, summaryMerge(b, c)))))
  })

  // @lean Hydrogen.Aggregate.SumCount.merge_comm
  // @lean Hydrogen.Aggregate.Min.merge_comm
  // @lean Hydrogen.Aggregate.Max.merge_comm
  // @lean Hydrogen.Tree.Summary.merge_comm
  it("merge_comm: merge is commutative", () => {
    fc.assert(fc.property(summary, summary, (a, b) => summaryEquals(summaryMerge(a, b), summaryMerge(b, a))))
  })

  // @lean Hydrogen.Aggregate.SumCount.empty_merge
  // @lean Hydrogen.Aggregate.SumCount.merge_empty
  // @lean Hydrogen.Tree.Summary.empty_merge
  // @lean Hydrogen.Tree.Summary.merge_empty
  it("empty_merge, merge_empty: empty is the identity", () => {
    fc.assert(fc.property(summary, (a) => summaryEquals(summaryMerge(summaryEmpty, a), a) && summaryEquals(summaryMerge(a, summaryEmpty), a)))
  })

  it("folds values exactly: count, sum, min, max, average", () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 200 }), (vs) => {
        const s = foldValues(Float64Array.from(vs))
        expect(s.count).toBe(vs.length)
        expect(s.sum).toBe(vs.reduce((x, y) => x + y, 0))
        expect(s.min).toBe(Math.min(...vs))
        expect(s.max).toBe(Math.max(...vs))
        expect(summaryAverage(s)).toBe(s.sum / s.count)
      }),
    )
    expect(summaryAverage(summaryEmpty)).toBeNull()
  })

  it("the agents' typed-array fold equals the direct loop for any range", () => {
    const pool = new AgentPool(5000, 7)
    pool.update(3)
    fc.assert(
      fc.property(fc.nat({ max: 5000 }), fc.nat({ max: 5000 }), fc.integer({ min: 2, max: 50 }), (x, y, k) => {
        const [lo, hi] = x <= y ? [x, y] : [y, x]
        expect(summaryEquals(pool.foldRange(lo, hi, k), foldValues(pool.values, lo, hi))).toBe(true)
      }),
    )
    expect(pool.minVersion(0, 5000)).toBe(3)
    expect(pool.valueAt(3, 17)).toBe(pool.values[17])
  })
})

describe("latest summary per child (idempotent re-delivery)", () => {
  it("duplicates and re-sent older summaries never change the merge", () => {
    // deliveries: (child, epoch, seq, value); each (child, epoch, seq) carries one fixed summary
    const delivery = fc.tuple(fc.nat({ max: 5 }), fc.nat({ max: 3 }), fc.nat({ max: 3 }))
    fc.assert(
      fc.property(fc.array(delivery, { maxLength: 60 }), fc.integer(), (ds, salt) => {
        const content = (c: number, e: number, s: number): Summary => summaryOfValue(((c * 131 + e * 17 + s * 7 + salt) % 1000) | 0)
        const slots = new LatestPerChild(6)
        for (const [c, e, s] of ds) slots.offer(c, e, s, content(c, e, s))
        const once = slots.merged()
        // replay everything again, in reverse, with duplicates
        for (const [c, e, s] of [...ds].reverse()) slots.offer(c, e, s, content(c, e, s))
        for (const [c, e, s] of ds) expect(slots.offer(c, e, s, content(c, e, s))).not.toBe("accepted")
        expect(summaryEquals(slots.merged(), once)).toBe(true)
        // the merge is exactly the merge of the highest version per child
        const best = new Map<number, [number, number]>()
        for (const [c, e, s] of ds) {
          const b = best.get(c)
          if (b === undefined || e > b[0] || (e === b[0] && s > b[1])) best.set(c, [e, s])
        }
        let expected = summaryEmpty
        for (const [c, [e, s]] of best) expected = summaryMerge(expected, content(c, e, s))
        expect(summaryEquals(once, expected)).toBe(true)
        expect(slots.reportedCount).toBe(best.size)
      }),
    )
  })

  it("reached after watch(e) is exactly minEpoch() ≥ e, through any offers, terms and re-watches", () => {
    // ops: offer (child, term, epoch, seq) or watch(e)
    const op = fc.oneof(
      fc.tuple(fc.constant("offer" as const), fc.nat({ max: 4 }), fc.nat({ max: 2 }), fc.nat({ max: 5 }), fc.nat({ max: 3 })),
      fc.tuple(fc.constant("watch" as const), fc.nat({ max: 6 }), fc.constant(0), fc.constant(0), fc.constant(0)),
    )
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.nat({ max: 6 }), fc.array(op, { maxLength: 60 }), (size, first, ops) => {
        const s = new LatestPerChild(size)
        let watched = first
        s.watch(first)
        // the kept epoch per slot, by the (term, epoch, seq) order, computed here independently
        const kept = new Map<number, [number, number, number]>()
        for (const [kind, a, b, c, d] of ops) {
          if (kind === "watch") {
            watched = a
            s.watch(a)
          } else if (a < size) {
            s.offer(a, c, d, summaryOfValue(c), b)
            const k = kept.get(a)
            if (k === undefined || b > k[0] || (b === k[0] && (c > k[1] || (c === k[1] && d > k[2])))) kept.set(a, [b, c, d])
          }
          const all = kept.size === size
          const lowest = all ? Math.min(...[...kept.values()].map((v) => v[1])) : 0
          expect(s.minEpoch()).toBe(lowest)
          expect(s.reached).toBe(all && lowest >= watched)
        }
      }),
    )
  })

  it("tracks the lowest epoch over children, 0 until all have reported", () => {
    const s = new LatestPerChild(2)
    expect(s.minEpoch()).toBe(0)
    expect(s.offer(0, 4, 1, summaryOfValue(1))).toBe("accepted")
    expect(s.minEpoch()).toBe(0)
    expect(s.offer(1, 2, 9, summaryOfValue(2))).toBe("accepted")
    expect(s.minEpoch()).toBe(2)
    expect(s.offer(1, 2, 9, summaryOfValue(2))).toBe("duplicate")
    expect(s.offer(1, 1, 50, summaryOfValue(99))).toBe("stale")
    expect(summaryEquals(s.merged(), { count: 2, sum: 3, min: 1, max: 2 })).toBe(true)
  })
})

// ---- the proved map (lean/Hydrogen/Tree/Summary.lean) ----

// small spaces, so slots, versions and whole entries collide often
const small = fc.integer({ min: -20, max: 20 })
const smallSummary: fc.Arbitrary<Summary> = fc.array(small, { maxLength: 3 }).map((vs) => vs.map(summaryOfValue).reduce(summaryMerge, summaryEmpty))
const entry: fc.Arbitrary<Entry> = fc.record({
  version: fc.record({ term: fc.nat({ max: 1 }), epoch: fc.nat({ max: 2 }), seq: fc.nat({ max: 2 }) }),
  summary: smallSummary,
})
const delivery: fc.Arbitrary<Delivery> = fc.record({ slot: fc.nat({ max: 4 }), entry })
const latest: fc.Arbitrary<LatestRef> = fc.array(fc.option(entry, { nil: null }), { maxLength: 5 })
/** `ds` and a list with the same members: shuffled, some repeated. */
const sameMembers = fc.array(delivery, { maxLength: 20 }).chain((ds) =>
  fc.tuple(fc.constant(ds), fc.shuffledSubarray(ds, { minLength: ds.length, maxLength: ds.length }), fc.array(fc.nat({ max: Math.max(ds.length - 1, 0) }), { maxLength: ds.length === 0 ? 0 : 10 })).map(([a, perm, extra]) => [a, [...perm, ...extra.map((i) => a[i]!)]] as const),
)

// The test's own order: the tuple (term, epoch, seq, count, sum, min, max),
// an empty min above every value, an empty max below (Infinity in the columns).
const tuple = (e: Entry) => [e.version.term, e.version.epoch, e.version.seq, e.summary.count, e.summary.sum, e.summary.min, e.summary.max]
const compareTuples = (x: ReadonlyArray<number>, y: ReadonlyArray<number>): number => {
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! > y[i]! ? 1 : -1
  return 0
}
const greater = (a: Entry, b: Entry): boolean => compareTuples(tuple(a), tuple(b)) > 0
const sameEntry = (a: Entry | null, b: Entry | null) => (a === null || b === null ? a === b : tuple(a).every((x, i) => x === tuple(b)[i]))
const sameMap = (a: LatestRef, b: LatestRef) => a.length === b.length && a.every((e, i) => sameEntry(e, b[i]!))

/** The column store after offering `ds` in order. */
const columns = (ds: ReadonlyArray<Delivery>, size = 5): LatestPerChild => {
  const m = new LatestPerChild(size)
  for (const d of ds) m.offer(d.slot, d.entry.version.epoch, d.entry.version.seq, d.entry.summary, d.entry.version.term)
  return m
}
const slotsOf = (m: LatestPerChild): Array<Entry | null> => Array.from({ length: m.size }, (_, k) => m.entryAt(k))

describe("Hydrogen.Tree.LatestPerChild: per-child summaries in a proved LWW map", () => {
  // @lean Hydrogen.Tree.LatestPerChild.join_idem
  it("join_idem: m ⊔ m = m", () => {
    fc.assert(fc.property(latest, (m) => sameMap(joinRef(m, m), m)))
  })

  // @lean Hydrogen.Tree.LatestPerChild.join_comm
  it("join_comm: a ⊔ b = b ⊔ a, also when one version carries two summaries", () => {
    fc.assert(fc.property(latest, latest, (a, b) => sameMap(joinRef(a, b), joinRef(b, a))))
    // a tie on version: without the tie-break on the summary the join would keep whichever came first
    const v = { term: 0, epoch: 3, seq: 1 }
    const x: Entry = { version: v, summary: summaryOfValue(5) }
    const y: Entry = { version: v, summary: summaryOfValue(9) }
    expect(sameMap(joinRef([x], [y]), [y])).toBe(true)
    expect(sameMap(joinRef([y], [x]), [y])).toBe(true)
  })

  // @lean Hydrogen.Tree.LatestPerChild.join_assoc
  it("join_assoc: (a ⊔ b) ⊔ c = a ⊔ (b ⊔ c)", () => {
    fc.assert(fc.property(latest, latest, latest, (a, b, c) => sameMap(joinRef(joinRef(a, b), c), joinRef(a, joinRef(b, c)))))
  })

  // @lean Hydrogen.Tree.StrictTotalOrder.join_comm
  // @lean Hydrogen.Tree.StrictTotalOrder.join_assoc
  // @lean Hydrogen.Tree.StrictTotalOrder.join_idem
  it("StrictTotalOrder join_comm, join_assoc, join_idem on entries: keeping the greater entry ignores order and repeats", () => {
    fc.assert(fc.property(entry, entry, entry, (a, b, c) =>
      sameEntry(entryJoin(a, b), entryJoin(b, a)) && sameEntry(entryJoin(entryJoin(a, b), c), entryJoin(a, entryJoin(b, c))) &&
      sameEntry(entryJoin(a, a), a) && sameEntry(entryJoin(a, b), greater(b, a) ? b : a)))
  })

  // @lean Hydrogen.Tree.StrictTotalOrder.lt_asymm
  it("lt_asymm: of two entries at most one is greater, and the entry order is the tuple order", () => {
    fc.assert(fc.property(entry, entry, (a, b) => {
      const ab = entryCompare(a, b), ba = entryCompare(b, a)
      return !(ab < 0 && ba < 0) && (ab < 0) === greater(b, a) && (ab === 0) === sameEntry(a, b)
    }))
  })

  // @lean Hydrogen.Tree.StrictTotalOrder.join_eq_or
  it("join_eq_or: the join of two entries is one of them", () => {
    fc.assert(fc.property(entry, entry, (a, b) => {
      const j = entryJoin(a, b)
      return j === a || j === b
    }))
  })

  // @lean Hydrogen.Tree.LatestPerChild.get_offer_self
  it("get_offer_self: the offered slot holds the new entry if it was empty or the new one is strictly greater, else what it held", () => {
    fc.assert(
      fc.property(fc.array(delivery, { maxLength: 12 }), delivery, (ds, d) => {
        const m = columns(ds)
        const before = m.entryAt(d.slot)
        const outcome = m.offer(d.slot, d.entry.version.epoch, d.entry.version.seq, d.entry.summary, d.entry.version.term)
        const wins = before === null || greater(d.entry, before)
        expect(sameEntry(m.entryAt(d.slot), wins ? d.entry : before)).toBe(true)
        expect(outcome).toBe(wins ? "accepted" : sameEntry(before, d.entry) ? "duplicate" : "stale")
        // the plain reference agrees
        expect(sameEntry(offerRef(d, offerAllRef(ds))[d.slot]!, wins ? d.entry : before)).toBe(true)
      }),
    )
  })

  // @lean Hydrogen.Tree.LatestPerChild.offer_eq_setAt
  it("offer_eq_setAt: offering is setting the slot to the greater of the kept and the new entry, padding with empty slots", () => {
    fc.assert(
      fc.property(latest, delivery, (m, d) => {
        const kept = m[d.slot] ?? null
        const expected = Array.from({ length: Math.max(m.length, d.slot + 1) }, (_, k) =>
          k !== d.slot ? (m[k] ?? null) : kept === null || greater(d.entry, kept) ? d.entry : kept)
        expect(sameMap(offerRef(d, m), expected)).toBe(true)
      }),
    )
  })

  // @lean Hydrogen.Tree.LatestPerChild.get_offer_other
  it("get_offer_other: an offer leaves every other slot alone", () => {
    fc.assert(
      fc.property(fc.array(delivery, { maxLength: 12 }), delivery, (ds, d) => {
        const m = columns(ds)
        const before = slotsOf(m)
        m.offer(d.slot, d.entry.version.epoch, d.entry.version.seq, d.entry.summary, d.entry.version.term)
        for (let k = 0; k < m.size; k++) if (k !== d.slot) expect(sameEntry(m.entryAt(k), before[k]!)).toBe(true)
      }),
    )
  })

  // @lean Hydrogen.Tree.LatestPerChild.offerAll_eq_of_same_members
  it("offerAll_eq_of_same_members: delivery lists with the same members (reordered, repeated) leave the same map", () => {
    fc.assert(
      fc.property(sameMembers, ([ds, ds2]) => {
        expect(sameMap(offerAllRef(ds), offerAllRef(ds2))).toBe(true)
        expect(sameMap(slotsOf(columns(ds)), slotsOf(columns(ds2)))).toBe(true)
        // the column store is the reference, padded to its size
        const ref = offerAllRef(ds)
        expect(sameMap(slotsOf(columns(ds)), Array.from({ length: 5 }, (_, k) => ref[k] ?? null))).toBe(true)
      }),
    )
  })

  // @lean Hydrogen.Tree.LatestPerChild.aggregate_offerAll_eq_of_same_members
  it("aggregate_offerAll_eq_of_same_members: re-delivery and reordering never change the aggregate", () => {
    fc.assert(
      fc.property(sameMembers, ([ds, ds2]) => {
        expect(summaryEquals(columns(ds).merged(), columns(ds2).merged())).toBe(true)
        expect(summaryEquals(aggregateRef(offerAllRef(ds)), aggregateRef(offerAllRef(ds2)))).toBe(true)
      }),
    )
  })

  // @lean Hydrogen.Tree.LatestPerChild.get_offerAll_mem
  it("get_offerAll_mem: every kept entry was delivered to its slot", () => {
    fc.assert(
      fc.property(fc.array(delivery, { maxLength: 20 }), (ds) => {
        slotsOf(columns(ds)).forEach((e, k) => {
          if (e !== null) expect(ds.some((d) => d.slot === k && sameEntry(d.entry, e))).toBe(true)
        })
      }),
    )
  })

  // @lean Hydrogen.Tree.LatestPerChild.get_offerAll_newest
  it("get_offerAll_newest: no entry delivered to a slot is greater than the kept one", () => {
    fc.assert(
      fc.property(fc.array(delivery, { maxLength: 20 }), (ds) => {
        const m = columns(ds)
        for (const d of ds) {
          const kept = m.entryAt(d.slot)
          expect(kept).not.toBeNull()
          expect(greater(d.entry, kept!)).toBe(false)
        }
      }),
    )
  })

  // @lean Hydrogen.Tree.LatestPerChild.get_offerAll_version_newest
  it("get_offerAll_version_newest: no version delivered to a slot is newer than the kept version", () => {
    fc.assert(
      fc.property(fc.array(delivery, { maxLength: 20 }), (ds) => {
        const m = columns(ds)
        for (const d of ds) expect(compareTuples(tuple(d.entry).slice(0, 3), tuple(m.entryAt(d.slot)!).slice(0, 3))).toBeLessThanOrEqual(0)
      }),
    )
  })

  // @lean Hydrogen.Tree.LatestPerChild.get_offerAll_honest
  it("get_offerAll_honest: when a summary is a function of slot and version, each slot keeps its summary at the greatest version delivered", () => {
    const version = fc.record({ term: fc.nat({ max: 1 }), epoch: fc.nat({ max: 3 }), seq: fc.nat({ max: 3 }) })
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 4 }), version), { maxLength: 24 }), fc.integer({ min: -1000, max: 1000 }), (sent, salt) => {
        const content = (slot: number, v: Entry["version"]): Summary =>
          [slot, v.term, v.epoch, v.seq].map((x, i) => summaryOfValue(salt + 7 * x - 3 * i)).reduce(summaryMerge, summaryEmpty)
        const ds: Delivery[] = sent.map(([slot, v]) => ({ slot, entry: { version: v, summary: content(slot, v) } }))
        const m = columns(ds)
        for (let k = 0; k < m.size; k++) {
          const kept = m.entryAt(k)
          if (kept === null) continue
          expect(summaryEquals(kept.summary, content(k, kept.version))).toBe(true)
          const versions = ds.filter((d) => d.slot === k).map((d) => tuple(d.entry).slice(0, 3))
          for (const v of versions) expect(compareTuples(tuple(kept).slice(0, 3), v)).toBeGreaterThanOrEqual(0)
        }
      }),
    )
  })

  // @lean Hydrogen.Tree.LatestPerChild.get_offerAll_eq_none
  it("get_offerAll_eq_none: a slot nobody delivered to stays empty", () => {
    fc.assert(
      fc.property(fc.array(delivery, { maxLength: 20 }), (ds) => {
        const m = columns(ds)
        for (let k = 0; k < m.size; k++) if (!ds.some((d) => d.slot === k)) expect(m.entryAt(k)).toBeNull()
        expect(m.reportedCount).toBe(new Set(ds.map((d) => d.slot)).size)
      }),
    )
  })

  // @lean Hydrogen.Tree.LatestPerChild.get_offerAll
  it("get_offerAll: each slot holds newest, the greatest delivery to that slot computed slot by slot", () => {
    fc.assert(
      fc.property(fc.array(delivery, { maxLength: 20 }), (ds) => {
        const m = columns(ds)
        for (let k = 0; k < m.size; k++) expect(sameEntry(m.entryAt(k), newestRef(ds, k))).toBe(true)
      }),
    )
  })

  // @lean Hydrogen.Tree.LatestPerChild.aggregate_eq_fold_slots
  it("aggregate_eq_fold_slots: a map's aggregate is the fold over its slots of each slot's summary, empty slots adding nothing", () => {
    fc.assert(
      fc.property(latest, (m) => {
        let expected = summaryEmpty
        for (let k = 0; k < m.length; k++) expected = summaryMerge(expected, m[k] === null ? summaryEmpty : m[k]!.summary)
        let count = 0
        for (const e of m) if (e !== null) count += e.summary.count
        expect(summaryEquals(aggregateRef(m), expected)).toBe(true)
        expect(aggregateRef(m).count).toBe(count)
      }),
    )
  })

  // @lean Hydrogen.Tree.LatestPerChild.aggregate_offerAll
  it("aggregate_offerAll: the aggregate is the fold over the slots of each slot's newest summary, one per slot", () => {
    fc.assert(
      fc.property(fc.array(delivery, { maxLength: 20 }), (ds) => {
        // the newest per slot by the test's own order, then a plain fold
        let expected = summaryEmpty
        for (let k = 0; k < 5; k++) {
          let best: Entry | null = null
          for (const d of ds) if (d.slot === k && (best === null || greater(d.entry, best))) best = d.entry
          if (best !== null) expected = summaryMerge(expected, best.summary)
        }
        expect(summaryEquals(columns(ds).merged(), expected)).toBe(true)
        expect(summaryEquals(aggregateRef(offerAllRef(ds)), expected)).toBe(true)
      }),
    )
  })

  const vectors = loadVectors("tree-summary")
  const summaryIn = (s: { count: number; sum: number; min: number | null; max: number | null }): Summary => ({
    count: s.count, sum: s.sum, min: s.min ?? Number.POSITIVE_INFINITY, max: s.max ?? Number.NEGATIVE_INFINITY,
  })
  const entryIn = (e: any): Entry | null => (e === null ? null : { version: { term: e.term, epoch: e.epoch, seq: e.seq }, summary: summaryIn(e.summary) })
  const mapIn = (m: any[]): LatestRef => m.map(entryIn)

  // @lean Hydrogen.Tree.LatestPerChild.offerAll
  it(`offerAll and join: all ${vectors.length} kernel-checked vectors replay on the reference and the column store`, () => {
    expect(vectors.length).toBe(100)
    for (const v of vectors) {
      if (v.family === "LatestPerChild.offerAll") {
        const ds: Delivery[] = v.input.deliveries.map((d: any) => ({ slot: d.slot, entry: entryIn(d)! }))
        const map = mapIn(v.expected.map)
        expect(sameMap(offerAllRef(ds), map), JSON.stringify(v)).toBe(true)
        expect(summaryEquals(aggregateRef(offerAllRef(ds)), summaryIn(v.expected.aggregate)), JSON.stringify(v)).toBe(true)
        const m = columns(ds)
        expect(sameMap(slotsOf(m), Array.from({ length: 5 }, (_, k) => map[k] ?? null)), JSON.stringify(v)).toBe(true)
        expect(summaryEquals(m.merged(), summaryIn(v.expected.aggregate)), JSON.stringify(v)).toBe(true)
      } else if (v.family === "LatestPerChild.join") {
        expect(sameMap(joinRef(mapIn(v.input.a), mapIn(v.input.b)), mapIn(v.expected)), JSON.stringify(v)).toBe(true)
      } else throw new Error(`unknown family ${v.family}`)
    }
  })

  it("a mutant that keeps the first of two entries with equal versions fails the vectors", () => {
    const firstWins = (ds: ReadonlyArray<Delivery>): LatestRef => {
      const out: Array<Entry | null> = []
      for (const d of ds) {
        while (out.length <= d.slot) out.push(null)
        const k = out[d.slot]!
        if (k === null || compareTuples(tuple(d.entry).slice(0, 3), tuple(k).slice(0, 3)) > 0) out[d.slot] = d.entry
      }
      return out
    }
    const failing = vectors.filter((v) => v.family === "LatestPerChild.offerAll").filter((v) => {
      const ds: Delivery[] = v.input.deliveries.map((d: any) => ({ slot: d.slot, entry: entryIn(d)! }))
      return !sameMap(firstWins(ds), mapIn(v.expected.map))
    })
    expect(failing.length).toBeGreaterThan(0)
  })
})

// Pinning: the join laws hold for "keep the greater" under any total order;
// this says the kept version is the newest by (term, epoch, seq), compared here
// field by field rather than through the mirror's comparator.
describe("LatestPerChild pinned: the lexicographically newest version is kept", () => {
  const lexBelow = (a: Entry["version"], b: Entry["version"]): boolean =>
    a.term < b.term || (a.term === b.term && (a.epoch < b.epoch || (a.epoch === b.epoch && a.seq < b.seq)))

  // @lean Hydrogen.Tree.LatestPerChild.get_offerAll_lex_newest
  it("LatestPerChild.get_offerAll_lex_newest: no delivered version is lexicographically newer by (term, epoch, seq) than the kept one", () => {
    fc.assert(
      fc.property(fc.array(delivery, { maxLength: 20 }), (ds) => {
        const m = columns(ds)
        const ref = offerAllRef(ds)
        for (const d of ds) {
          const kept = m.entryAt(d.slot)
          expect(kept).not.toBeNull()
          expect(lexBelow(kept!.version, d.entry.version)).toBe(false)
          expect(lexBelow(ref[d.slot]!.version, d.entry.version)).toBe(false)
        }
      }),
    )
  })
})
