import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { AgentPool } from "../../src/Tree/Agents.ts"
import {
  foldValues,
  LatestPerChild,
  type Summary,
  summaryAverage,
  summaryEmpty,
  summaryEquals,
  summaryMerge,
  summaryOfValue,
} from "../../src/Tree/Summary.ts"

const value = fc.integer({ min: -1_000_000, max: 1_000_000 })
const summary: fc.Arbitrary<Summary> = fc.array(value, { maxLength: 8 }).map((vs) => vs.map(summaryOfValue).reduce(summaryMerge, summaryEmpty))

describe("Summary: product of SumCount, Min and Max", () => {
  // @lean Hydrogen.Aggregate.SumCount.merge_assoc
  // @lean Hydrogen.Aggregate.Min.merge_assoc
  // @lean Hydrogen.Aggregate.Max.merge_assoc
  it("merge is associative", () => {
    fc.assert(fc.property(summary, summary, summary, (a, b, c) => summaryEquals(summaryMerge(summaryMerge(a, b), c), summaryMerge(a, summaryMerge(b, c)))))
  })

  // @lean Hydrogen.Aggregate.SumCount.merge_comm
  // @lean Hydrogen.Aggregate.Min.merge_comm
  // @lean Hydrogen.Aggregate.Max.merge_comm
  it("merge is commutative", () => {
    fc.assert(fc.property(summary, summary, (a, b) => summaryEquals(summaryMerge(a, b), summaryMerge(b, a))))
  })

  // @lean Hydrogen.Aggregate.SumCount.empty_merge
  // @lean Hydrogen.Aggregate.SumCount.merge_empty
  it("empty is the identity", () => {
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
