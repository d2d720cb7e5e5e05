import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { GCounter, PNCounter, VectorClock } from "../../src/State/Counter.ts"
import { joinAll } from "../../src/State/Lattice.ts"
import { assoc, comm, gcounterArb, idem, params, pncounterArb, vclockArb } from "./arbitraries.ts"

const replicaArb = fc.nat(6)

describe("GCounter", () => {
  it("get, value, inc, incDelta follow their definitions", () => {
    const c = { counts: [2, 0, 5] }
    expect(GCounter.get(c, 2)).toBe(5)
    expect(GCounter.get(c, 9)).toBe(0)
    expect(GCounter.value(c)).toBe(7)
    expect(GCounter.inc(4, c)).toEqual({ counts: [2, 0, 5, 0, 1] })
    expect(GCounter.incDelta(2, c)).toEqual({ counts: [0, 0, 6] })
    expect(GCounter.join({ counts: [1, 7] }, { counts: [3, 2, 4] })).toEqual({ counts: [3, 7, 4] })
    expect(GCounter.empty).toEqual({ counts: [] })
    expect(() => GCounter.inc(-1, c)).toThrow(RangeError)
  })

  it("value equals a plain per-replica tally of increments, whatever the merge order (reference model)", () => {
    // Each replica increments its own counter; replicas exchange full states at random.
    const opArb = fc.oneof(
      fc.record({ kind: fc.constant("inc" as const), r: fc.nat(3) }),
      fc.record({ kind: fc.constant("sync" as const), from: fc.nat(3), to: fc.nat(3) }),
    )
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const states: GCounter[] = [0, 1, 2, 3].map(() => GCounter.empty)
        const tally = [0, 0, 0, 0]
        for (const op of ops) {
          if (op.kind === "inc") {
            states[op.r] = GCounter.inc(op.r, states[op.r]!)
            tally[op.r]!++
          } else states[op.to] = GCounter.join(states[op.to]!, states[op.from]!)
        }
        const all = joinAll(GCounter.joinSemilattice, GCounter.empty, states)
        expect(GCounter.value(all)).toBe(tally.reduce((a, b) => a + b, 0))
        for (let r = 0; r < 4; r++) expect(GCounter.get(all, r)).toBe(tally[r])
      }),
      params,
    )
  })

  // @lean Hydrogen.State.GCounter.join_assoc
  it("GCounter.join_assoc: (a ⊔ b) ⊔ c = a ⊔ (b ⊔ c)", () => assoc(GCounter.joinSemilattice, gcounterArb))
  // @lean Hydrogen.State.GCounter.join_comm
  it("GCounter.join_comm: a ⊔ b = b ⊔ a", () => comm(GCounter.joinSemilattice, gcounterArb))
  // @lean Hydrogen.State.GCounter.join_idem
  it("GCounter.join_idem: a ⊔ a = a", () => idem(GCounter.joinSemilattice, gcounterArb))

  // @lean Hydrogen.State.GCounter.join_incDelta
  it("GCounter.join_incDelta: c ⊔ incDelta r c = inc r c (delta mutator agrees with the mutator)", () =>
    fc.assert(
      fc.property(replicaArb, gcounterArb, (r, c) => {
        const got = GCounter.join(c, GCounter.incDelta(r, c))
        expect(GCounter.equals(got, GCounter.inc(r, c))).toBe(true)
        // reference: entry r grows by one, list padded to r + 1
        const ref = [...c.counts]
        while (ref.length <= r) ref.push(0)
        ref[r]!++
        expect(got.counts).toEqual(ref)
      }),
      params,
    ))

  // @lean Hydrogen.State.GCounter.join_empty
  it("GCounter.join_empty: c ⊔ empty = c", () =>
    fc.assert(
      fc.property(gcounterArb, (c) => GCounter.equals(GCounter.join(c, GCounter.empty), c)),
      params,
    ))
})

describe("PNCounter", () => {
  it("value = increments − decrements against a signed tally (reference model)", () => {
    const opArb = fc.record({ r: fc.nat(3), up: fc.boolean(), viaDelta: fc.boolean() })
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        let c = PNCounter.empty
        let tally = 0
        for (const { r, up, viaDelta } of ops) {
          if (viaDelta) c = PNCounter.join(c, up ? PNCounter.incDelta(r, c) : PNCounter.decDelta(r, c))
          else c = up ? PNCounter.inc(r, c) : PNCounter.dec(r, c)
          tally += up ? 1 : -1
        }
        expect(PNCounter.value(c)).toBe(tally)
      }),
      params,
    )
    expect(PNCounter.value(PNCounter.dec(0, PNCounter.empty))).toBe(-1)
  })

  // @lean Hydrogen.State.PNCounter.join_assoc
  it("PNCounter.join_assoc: (a ⊔ b) ⊔ c = a ⊔ (b ⊔ c)", () => assoc(PNCounter.joinSemilattice, pncounterArb))
  // @lean Hydrogen.State.PNCounter.join_comm
  it("PNCounter.join_comm: a ⊔ b = b ⊔ a", () => comm(PNCounter.joinSemilattice, pncounterArb))
  // @lean Hydrogen.State.PNCounter.join_idem
  it("PNCounter.join_idem: a ⊔ a = a", () => idem(PNCounter.joinSemilattice, pncounterArb))

  // @lean Hydrogen.State.PNCounter.join_incDelta
  it("PNCounter.join_incDelta: c ⊔ incDelta r c = inc r c", () =>
    fc.assert(
      fc.property(replicaArb, pncounterArb, (r, c) =>
        PNCounter.equals(PNCounter.join(c, PNCounter.incDelta(r, c)), PNCounter.inc(r, c)),
      ),
      params,
    ))

  // @lean Hydrogen.State.PNCounter.join_decDelta
  it("PNCounter.join_decDelta: c ⊔ decDelta r c = dec r c", () =>
    fc.assert(
      fc.property(replicaArb, pncounterArb, (r, c) => {
        const got = PNCounter.join(c, PNCounter.decDelta(r, c))
        expect(PNCounter.equals(got, PNCounter.dec(r, c))).toBe(true)
        expect(PNCounter.value(got)).toBe(PNCounter.value(c) - 1)
      }),
      params,
    ))
})

describe("VectorClock", () => {
  it("leq, happenedBefore, concurrent follow their definitions (reference: entrywise over the longer length)", () => {
    const a = { ticks: [1, 0, 2] }
    const b = { ticks: [1, 1, 2, 0] }
    expect(VectorClock.leq(a, b)).toBe(true)
    expect(VectorClock.happenedBefore(a, b)).toBe(true)
    expect(VectorClock.happenedBefore(a, a)).toBe(false)
    expect(VectorClock.leq({ ticks: [0, 0] }, VectorClock.empty)).toBe(true)
    expect(VectorClock.concurrent({ ticks: [1] }, { ticks: [0, 1] })).toBe(true)
    expect(VectorClock.tick(2, a)).toEqual({ ticks: [1, 0, 3] })
    expect(VectorClock.tickDelta(4, a)).toEqual({ ticks: [0, 0, 0, 0, 1] })
    expect(VectorClock.meet([{ ticks: [3, 1, 4] }, { ticks: [2, 5] }])).toEqual({ ticks: [2, 1] })
    fc.assert(
      fc.property(vclockArb, vclockArb, (x, y) => {
        const n = Math.max(x.ticks.length, y.ticks.length)
        const g = (v: { ticks: ReadonlyArray<number> }, r: number) => v.ticks[r] ?? 0
        const le = Array.from({ length: n }, (_, r) => g(x, r) <= g(y, r)).every(Boolean)
        const lt = Array.from({ length: n }, (_, r) => g(x, r) < g(y, r)).some(Boolean)
        const ge = Array.from({ length: n }, (_, r) => g(y, r) <= g(x, r)).every(Boolean)
        expect(VectorClock.leq(x, y)).toBe(le)
        expect(VectorClock.happenedBefore(x, y)).toBe(le && lt)
        expect(VectorClock.concurrent(x, y)).toBe(!le && !ge)
      }),
      params,
    )
  })

  it("orders events of a simulated run by happened-before (reference: causal history as event sets)", () => {
    const stepArb = fc.oneof(
      fc.record({ kind: fc.constant("local" as const), r: fc.nat(2) }),
      fc.record({ kind: fc.constant("recv" as const), from: fc.nat(2), to: fc.nat(2) }),
    )
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 30 }), (steps) => {
        const clocks: VectorClock[] = [VectorClock.empty, VectorClock.empty, VectorClock.empty]
        const hist: Set<string>[] = [new Set(), new Set(), new Set()]
        const events: { clock: VectorClock; hist: Set<string> }[] = []
        for (const st of steps) {
          const r = st.kind === "local" ? st.r : st.to
          if (st.kind === "recv") {
            clocks[r] = VectorClock.join(clocks[r]!, clocks[st.from]!)
            hist[r] = new Set([...hist[r]!, ...hist[st.from]!])
          }
          clocks[r] = VectorClock.tick(r, clocks[r]!)
          hist[r] = new Set([...hist[r]!, `${r}:${VectorClock.get(clocks[r]!, r)}`])
          events.push({ clock: clocks[r]!, hist: new Set(hist[r]) })
        }
        for (const e of events)
          for (const f of events) {
            const subset = [...e.hist].every((x) => f.hist.has(x))
            expect(VectorClock.leq(e.clock, f.clock)).toBe(subset)
            expect(VectorClock.happenedBefore(e.clock, f.clock)).toBe(subset && e.hist.size < f.hist.size)
          }
      }),
      { numRuns: 100 },
    )
  })

  // @lean Hydrogen.State.VectorClock.join_assoc
  it("VectorClock.join_assoc: (a ⊔ b) ⊔ c = a ⊔ (b ⊔ c)", () => assoc(VectorClock.joinSemilattice, vclockArb))
  // @lean Hydrogen.State.VectorClock.join_comm
  it("VectorClock.join_comm: a ⊔ b = b ⊔ a", () => comm(VectorClock.joinSemilattice, vclockArb))
  // @lean Hydrogen.State.VectorClock.join_idem
  it("VectorClock.join_idem: a ⊔ a = a", () => idem(VectorClock.joinSemilattice, vclockArb))

  // @lean Hydrogen.State.VectorClock.join_tickDelta
  it("VectorClock.join_tickDelta: v ⊔ tickDelta r v = tick r v", () =>
    fc.assert(
      fc.property(replicaArb, vclockArb, (r, v) => {
        const got = VectorClock.join(v, VectorClock.tickDelta(r, v))
        expect(VectorClock.equals(got, VectorClock.tick(r, v))).toBe(true)
        expect(VectorClock.get(got, r)).toBe((v.ticks[r] ?? 0) + 1)
      }),
      params,
    ))

  // @lean Hydrogen.State.VectorClock.get_join
  it("VectorClock.get_join: (a ⊔ b).get r = max (a.get r) (b.get r)", () =>
    fc.assert(
      fc.property(vclockArb, vclockArb, fc.nat(9), (a, b, r) => {
        expect(VectorClock.get(VectorClock.join(a, b), r)).toBe(Math.max(a.ticks[r] ?? 0, b.ticks[r] ?? 0))
      }),
      params,
    ))
})
