import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { Stamped } from "../../src/Aggregate/Counterexamples.ts"
import { lwwByTimestamp } from "../../src/Aggregate/Counterexamples.ts"
import { LWWColumns, LWWMap, LWWReg } from "../../src/State/Register.ts"
import { assoc, comm, idem, lwwMapArb, params, regArb } from "./arbitraries.ts"

// Reference order: lexicographic comparison of the triple (timestamp, replica, value).
const refCmp = (a: LWWReg, b: LWWReg): number => a.timestamp - b.timestamp || a.replica - b.replica || a.value - b.value

describe("LWWReg", () => {
  it("lt is the lexicographic order on (timestamp, replica, value); join keeps the later write", () => {
    fc.assert(
      fc.property(regArb, regArb, (a, b) => {
        expect(LWWReg.lt(a, b)).toBe(refCmp(a, b) < 0)
        expect(LWWReg.join(a, b)).toEqual(refCmp(a, b) < 0 ? b : a)
      }),
      params,
    )
  })

  // @lean Hydrogen.State.LWWReg.eq_of_not_lt
  it("LWWReg.eq_of_not_lt: ¬ a < b and ¬ b < a imply a = b (the order is total)", () =>
    fc.assert(
      fc.property(regArb, regArb, (a, b) => {
        if (!LWWReg.lt(a, b) && !LWWReg.lt(b, a)) expect(a).toEqual(b)
      }),
      { numRuns: 1000 },
    ))

  // @lean Hydrogen.State.LWWReg.join_assoc
  it("LWWReg.join_assoc: (a ⊔ b) ⊔ c = a ⊔ (b ⊔ c)", () => assoc(LWWReg.joinSemilattice, regArb))
  // @lean Hydrogen.State.LWWReg.join_comm
  it("LWWReg.join_comm: a ⊔ b = b ⊔ a (ties on timestamp broken by replica, then value)", () =>
    comm(LWWReg.joinSemilattice, regArb))
  // @lean Hydrogen.State.LWWReg.join_idem
  it("LWWReg.join_idem: a ⊔ a = a", () => idem(LWWReg.joinSemilattice, regArb))

  // @lean Hydrogen.Aggregate.Counterexamples.lwwByTimestamp_not_comm
  it("lwwByTimestamp_not_comm: LWW ordered by timestamp only is not commutative (fast-check finds a witness)", () => {
    const stampedArb: fc.Arbitrary<Stamped> = fc.record({ timestamp: fc.nat(3), value: fc.nat(3) })
    const r = fc.check(
      fc.property(stampedArb, stampedArb, (a, b) => {
        const x = lwwByTimestamp(a, b)
        const y = lwwByTimestamp(b, a)
        return x.timestamp === y.timestamp && x.value === y.value
      }),
      { numRuns: 1000, seed: 42 },
    )
    expect(r.failed).toBe(true)
    const [a, b] = r.counterexample!
    expect(a.timestamp).toBe(b.timestamp)
    expect(a.value).not.toBe(b.value)
    // Lean's witness
    expect(lwwByTimestamp({ timestamp: 5, value: 1 }, { timestamp: 5, value: 2 })).not.toEqual(
      lwwByTimestamp({ timestamp: 5, value: 2 }, { timestamp: 5, value: 1 }),
    )
  })
})

describe("LWWMap", () => {
  it("get, set, setDelta follow their definitions", () => {
    const w = { timestamp: 3, replica: 1, value: 7 }
    const old = { timestamp: 2, replica: 9, value: 9 }
    expect(LWWMap.setDelta(2, w)).toEqual({ entries: [undefined, undefined, w] })
    expect(LWWMap.set(1, w, { entries: [old] })).toEqual({ entries: [old, w] })
    expect(LWWMap.set(0, old, { entries: [w] })).toEqual({ entries: [w] })
    expect(LWWMap.get({ entries: [w] }, 5)).toBe(undefined)
  })

  it("holds the latest write per key whatever the delivery order (reference: max of all writes per key)", () =>
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(5), regArb), { maxLength: 25 }), fc.array(fc.double({ noNaN: true })), (writes, keys) => {
        const order = writes.map((_, i) => i).sort((i, j) => (keys[i] ?? 0) - (keys[j] ?? 0) || i - j)
        let m = LWWMap.empty
        for (const i of order) {
          const [k, w] = writes[i]!
          m = i % 2 === 0 ? LWWMap.set(k, w, m) : LWWMap.join(m, LWWMap.setDelta(k, w))
        }
        for (let k = 0; k < 6; k++) {
          const ws = writes.filter(([k2]) => k2 === k).map(([, w]) => w)
          const ref = ws.length === 0 ? undefined : ws.reduce((a, b) => (refCmp(a, b) < 0 ? b : a))
          expect(LWWMap.get(m, k)).toEqual(ref)
        }
      }),
      params,
    ))

  // @lean Hydrogen.State.LWWMap.join_assoc
  it("LWWMap.join_assoc: (a ⊔ b) ⊔ c = a ⊔ (b ⊔ c)", () => assoc(LWWMap.joinSemilattice, lwwMapArb))
  // @lean Hydrogen.State.LWWMap.join_comm
  it("LWWMap.join_comm: a ⊔ b = b ⊔ a", () => comm(LWWMap.joinSemilattice, lwwMapArb))
  // @lean Hydrogen.State.LWWMap.join_idem
  it("LWWMap.join_idem: a ⊔ a = a", () => idem(LWWMap.joinSemilattice, lwwMapArb))

  // @lean Hydrogen.State.LWWMap.join_setDelta
  it("LWWMap.join_setDelta: m ⊔ setDelta k w = set k w m", () =>
    fc.assert(
      fc.property(fc.nat(7), regArb, lwwMapArb, (k, w, m) =>
        LWWMap.equals(LWWMap.join(m, LWWMap.setDelta(k, w)), LWWMap.set(k, w, m)),
      ),
      params,
    ))

  // @lean Hydrogen.State.LWWMap.get_join
  it("LWWMap.get_join: (a ⊔ b).get k = a.get k ⊔ b.get k (the later of the two writes)", () =>
    fc.assert(
      fc.property(lwwMapArb, lwwMapArb, fc.nat(7), (a, b, k) => {
        const x = a.entries[k]
        const y = b.entries[k]
        const ref = x === undefined ? y : y === undefined ? x : refCmp(x, y) < 0 ? y : x
        expect(LWWMap.get(LWWMap.join(a, b), k)).toEqual(ref)
      }),
      params,
    ))
})

describe("LWWColumns (structure of arrays) agrees with LWWMap", () => {
  it("fromMap/toMap round-trip; join, set, setDelta, get commute with the conversion", () =>
    fc.assert(
      fc.property(lwwMapArb, lwwMapArb, fc.nat(8), regArb, (a, b, k, w) => {
        const ca = LWWColumns.fromMap(a)
        const cb = LWWColumns.fromMap(b)
        expect(LWWMap.equals(LWWColumns.toMap(ca), a)).toBe(true)
        expect(LWWMap.equals(LWWColumns.toMap(LWWColumns.join(ca, cb)), LWWMap.join(a, b))).toBe(true)
        expect(LWWMap.equals(LWWColumns.toMap(LWWColumns.set(k, w, ca)), LWWMap.set(k, w, a))).toBe(true)
        expect(LWWMap.equals(LWWColumns.toMap(LWWColumns.setDelta(k, w)), LWWMap.setDelta(k, w))).toBe(true)
        expect(LWWColumns.get(ca, k)).toEqual(LWWMap.get(a, k))
        const inPlace = LWWColumns.joinInto(LWWColumns.fromMap(a), cb)
        expect(LWWColumns.equals(inPlace, LWWColumns.join(ca, cb))).toBe(true)
        expect(LWWColumns.equals(LWWColumns.join(ca, cb), LWWColumns.join(cb, ca))).toBe(true)
      }),
      params,
    ))

  it("join, joinInto and set break timestamp ties by replica, then value, whatever the argument order (fixed cases)", () => {
    const r = (timestamp: number, replica: number, value: number) => ({ timestamp, replica, value })
    // [a's write, b's write, the winner]: written out by the rule (timestamp, then replica, then value), not computed.
    const cases = [
      [r(5, 1, 9), r(5, 2, 0), r(5, 2, 0)], // tie on timestamp: the higher replica wins even with the lower value
      [r(5, 2, 1), r(5, 1, 7), r(5, 2, 1)],
      [r(5, 3, 1), r(5, 3, 4), r(5, 3, 4)], // tie on timestamp and replica: the higher value wins
      [r(5, 3, 4), r(5, 3, 1), r(5, 3, 4)],
      [r(5, 3, 4), r(5, 3, 4), r(5, 3, 4)], // the same write
      [r(6, 0, 0), r(5, 9, 9), r(6, 0, 0)], // the later timestamp wins over higher replica and value
      [r(0, 0, 0), r(0, 0, 1), r(0, 0, 1)],
      [r(0, 1, 0), r(0, 0, 5), r(0, 1, 0)],
    ] as const
    const a = LWWColumns.alloc(cases.length)
    const b = LWWColumns.alloc(cases.length)
    cases.forEach(([x, y], k) => (LWWColumns.setInPlace(k, x, a), LWWColumns.setInPlace(k, y, b)))
    const want = cases.map(([, , w]) => w)
    expect(LWWColumns.toMap(LWWColumns.join(a, b)).entries).toEqual(want)
    expect(LWWColumns.toMap(LWWColumns.join(b, a)).entries).toEqual(want)
    const bCopy = LWWColumns.join(b, LWWColumns.empty())
    expect(LWWColumns.toMap(LWWColumns.joinInto(LWWColumns.join(a, LWWColumns.empty()), b)).entries).toEqual(want)
    expect(LWWColumns.toMap(LWWColumns.joinInto(bCopy, a)).entries).toEqual(want)
    cases.forEach(([x, y, w], k) => {
      expect(LWWColumns.get(LWWColumns.set(k, y, LWWColumns.setDelta(k, x)), k)).toEqual(w)
      expect(LWWColumns.get(LWWColumns.set(k, x, LWWColumns.setDelta(k, y)), k)).toEqual(w)
      const m = LWWColumns.setDelta(k, x)
      LWWColumns.setInPlace(k, y, m)
      expect(LWWColumns.get(m, k)).toEqual(w)
    })
  })

  it("joins 10^5 keys in place and agrees with the dense map on sampled keys", () => {
    const n = 100_000
    const a = LWWColumns.alloc(n)
    const b = LWWColumns.alloc(n)
    for (let k = 0; k < n; k++) {
      if (k % 3 !== 0) LWWColumns.setInPlace(k, { timestamp: k % 7, replica: 1, value: k }, a)
      if (k % 2 !== 0) LWWColumns.setInPlace(k, { timestamp: k % 5, replica: 2, value: k + 1 }, b)
    }
    const j = LWWColumns.join(a, b)
    for (let k = 0; k < n; k += 997) {
      const x = LWWColumns.get(a, k)
      const y = LWWColumns.get(b, k)
      const ref = x === undefined ? y : y === undefined ? x : refCmp(x, y) < 0 ? y : x
      expect(LWWColumns.get(j, k)).toEqual(ref)
    }
    expect(() => LWWColumns.setInPlace(n, { timestamp: 0, replica: 0, value: 0 }, a)).toThrow(RangeError)
    expect(() => LWWColumns.fromMap({ entries: [{ timestamp: 0, replica: 2 ** 32, value: 0 }] })).toThrow(RangeError)
  })
})

// Pinning: the semilattice laws hold for "keep the earlier write" and for either
// tie-break direction too; these say which write wins, from either side.
describe("LWWReg pinned: later timestamp, then larger replica id, wins", () => {
  const tsArb = fc.nat(5)
  const writeArb = fc.record({ timestamp: tsArb, replica: fc.nat(5), value: fc.nat(5) })

  // @lean Hydrogen.State.LWWReg.join_of_timestamp_lt
  it("LWWReg.join_of_timestamp_lt: the write with the later timestamp wins, merged from either side", () =>
    fc.assert(
      fc.property(writeArb, writeArb, (a, b) => {
        if (!(a.timestamp < b.timestamp)) return
        expect(LWWReg.join(a, b)).toEqual(b)
        expect(LWWReg.join(b, a)).toEqual(b)
      }),
      { numRuns: 1000 },
    ))

  // @lean Hydrogen.State.LWWReg.join_of_replica_lt
  it("LWWReg.join_of_replica_lt: at equal timestamps the larger replica id wins, merged from either side", () =>
    fc.assert(
      fc.property(tsArb, writeArb, writeArb, (t, a0, b0) => {
        const a = { ...a0, timestamp: t }
        const b = { ...b0, timestamp: t }
        if (!(a.replica < b.replica)) return
        expect(LWWReg.join(a, b)).toEqual(b)
        expect(LWWReg.join(b, a)).toEqual(b)
        // The columnar map breaks the tie the same way, from either side.
        const ca = LWWColumns.setDelta(0, a)
        const cb = LWWColumns.setDelta(0, b)
        expect(LWWColumns.get(LWWColumns.join(ca, cb), 0)).toEqual(b)
        expect(LWWColumns.get(LWWColumns.join(cb, ca), 0)).toEqual(b)
      }),
      { numRuns: 1000 },
    ))
})
