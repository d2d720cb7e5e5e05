import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { OutOfDomain, SafeIntegerOverflow } from "../../src/Aggregate/Domain.ts"
import { GCounter, MAX_REPLICAS, PNCounter, VectorClock } from "../../src/State/Counter.ts"
import { GCounterCodec, InvalidField, MAX_LENGTH, PNCounterCodec, VectorClockCodec } from "../../src/State/Encoding.ts"
import { entry, joinAll, le, listEquals, NatMax, setAt, zipJoin } from "../../src/State/Lattice.ts"
import { assoc, comm, gcounterArb, idem, natListArb, params, pncounterArb, vclockArb } from "./arbitraries.ts"

const replicaArb = fc.nat(6)
const N = NatMax.joinSemilatticeBot
const sum = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a + b, 0)
/** Indices to probe `∀ r`: every entry of either clock, and a few past both ends. */
const upTo = (...vs: ReadonlyArray<{ readonly ticks: ReadonlyArray<number> }>): number[] =>
  Array.from({ length: Math.max(0, ...vs.map((v) => v.ticks.length)) + 3 }, (_, r) => r)
/** `[a, b]` with `b = a ⊔ x`, so that `a.leq b` holds (and the lattice order too). */
const leqPairArb = fc.tuple(vclockArb, vclockArb).map(([a, x]) => [a, VectorClock.join(a, x)] as const)
/** Clocks from a tiny domain, so that equal, ordered and concurrent pairs are all common. */
const smallClockArb: fc.Arbitrary<VectorClock> = fc.array(fc.nat(2), { maxLength: 3 }).map((ticks) => ({ ticks }))
/** A clock and the same clock with trailing zeros added or removed: mutually `leq`, maybe different lists. */
const sameReadingArb = fc.tuple(vclockArb, fc.nat(3)).map(([a, k]) => {
  const trimmed = [...a.ticks]
  while (trimmed.length > 0 && trimmed[trimmed.length - 1] === 0) trimmed.pop()
  return [a, { ticks: [...trimmed, ...new Array<number>(k).fill(0)] }] as const
})

const MAX = Number.MAX_SAFE_INTEGER
const edgeNat = fc.oneof(fc.constantFrom(0, 1, 2, MAX, MAX - 1, MAX - 2, 2 ** 52), fc.integer({ min: 0, max: MAX }), fc.nat(5))
const edgeListArb = fc.array(edgeNat, { maxLength: 4 })
const notNat = fc.oneof(
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.5, -1, -MAX, 2 ** 53, 1e300, -0.25),
  fc.double({ noNaN: true }).filter((x) => !(Number.isSafeInteger(x) && x >= 0)),
)
const bigSum = (xs: ReadonlyArray<number>): bigint => xs.reduce((a, b) => a + BigInt(b), 0n)

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
    expect(() => GCounter.inc(-1, c)).toThrow(OutOfDomain)
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

  // @lean Hydrogen.State.entry_setAt
  it("entry_setAt: entry (setAt r v xs) s = if s = r then v else entry xs s", () =>
    fc.assert(
      fc.property(replicaArb, fc.nat(9), natListArb, replicaArb, (r, v, xs, s) => {
        expect(entry(N, setAt(N, r, v, xs), s)).toBe(s === r ? v : entry(N, xs, s))
      }),
      params,
    ))

  // @lean Hydrogen.State.NatMax.bot_value
  it("NatMax.bot_value: (bot : NatMax).value = 0", () => expect(N.bot).toBe(0))

  // @lean Hydrogen.State.NatMax.sum_setAt
  it("NatMax.sum_setAt: sum (setAt r v xs) + entry xs r = sum xs + v", () =>
    fc.assert(
      fc.property(replicaArb, fc.nat(9), natListArb, (r, v, xs) => {
        expect(sum(setAt(N, r, v, xs)) + entry(N, xs, r)).toBe(sum(xs) + v)
      }),
      params,
    ))

  // @lean Hydrogen.State.NatMax.sum_zipJoin
  it("NatMax.sum_zipJoin: max (sum xs) (sum ys) ≤ sum (zipJoin xs ys) ≤ sum xs + sum ys", () =>
    fc.assert(
      fc.property(natListArb, natListArb, (xs, ys) => {
        const z = sum(zipJoin(N, xs, ys))
        expect(Math.max(sum(xs), sum(ys))).toBeLessThanOrEqual(z)
        expect(z).toBeLessThanOrEqual(sum(xs) + sum(ys))
      }),
      params,
    ))

  // @lean Hydrogen.State.NatMax.zipJoin_eq_right
  it("NatMax.zipJoin_eq_right: xs no longer than ys and entrywise ≤ ys ⇒ zipJoin xs ys = ys", () =>
    fc.assert(
      fc.property(natListArb, natListArb, fc.array(fc.nat(3), { maxLength: 7 }), (xs, extra, bumps) => {
        // ys: xs raised entrywise, then extended
        const ys = [...xs.map((x, i) => x + (bumps[i] ?? 0)), ...extra]
        expect(xs.length <= ys.length && ys.every((_, r) => entry(N, xs, r) <= entry(N, ys, r))).toBe(true)
        expect(listEquals(N, zipJoin(N, xs, ys), ys)).toBe(true)
      }),
      params,
    ))

  // @lean Hydrogen.State.GCounter.get_inc
  it("GCounter.get_inc: (c.inc r).get s = if s = r then c.get r + 1 else c.get s", () =>
    fc.assert(
      fc.property(replicaArb, replicaArb, gcounterArb, (r, s, c) => {
        expect(GCounter.get(GCounter.inc(r, c), s)).toBe(s === r ? GCounter.get(c, r) + 1 : GCounter.get(c, s))
      }),
      params,
    ))

  // @lean Hydrogen.State.GCounter.value_inc
  it("GCounter.value_inc: (c.inc r).value = c.value + 1", () =>
    fc.assert(
      fc.property(replicaArb, gcounterArb, (r, c) => {
        expect(GCounter.value(GCounter.inc(r, c))).toBe(GCounter.value(c) + 1)
      }),
      params,
    ))

  // @lean Hydrogen.State.GCounter.get_join
  it("GCounter.get_join: (a ⊔ b).get r = max (a.get r) (b.get r)", () =>
    fc.assert(
      fc.property(gcounterArb, gcounterArb, fc.nat(9), (a, b, r) => {
        expect(GCounter.get(GCounter.join(a, b), r)).toBe(Math.max(GCounter.get(a, r), GCounter.get(b, r)))
      }),
      params,
    ))

  // @lean Hydrogen.State.GCounter.value_join_ge
  it("GCounter.value_join_ge: max a.value b.value ≤ (a ⊔ b).value", () =>
    fc.assert(
      fc.property(gcounterArb, gcounterArb, (a, b) => {
        expect(Math.max(GCounter.value(a), GCounter.value(b))).toBeLessThanOrEqual(GCounter.value(GCounter.join(a, b)))
      }),
      params,
    ))

  // @lean Hydrogen.State.GCounter.value_join_le
  it("GCounter.value_join_le: (a ⊔ b).value ≤ a.value + b.value", () =>
    fc.assert(
      fc.property(gcounterArb, gcounterArb, (a, b) => {
        expect(GCounter.value(GCounter.join(a, b))).toBeLessThanOrEqual(GCounter.value(a) + GCounter.value(b))
      }),
      params,
    ))

  // @lean Hydrogen.State.GCounter.value_mono
  it("GCounter.value_mono: a ≤ b (lattice order) ⇒ a.value ≤ b.value", () =>
    fc.assert(
      fc.property(gcounterArb, gcounterArb, gcounterArb, (a, x, y) => {
        const b = GCounter.join(a, x)
        expect(le(GCounter.joinSemilattice, a, b)).toBe(true)
        expect(GCounter.value(a)).toBeLessThanOrEqual(GCounter.value(b))
        if (le(GCounter.joinSemilattice, a, y)) expect(GCounter.value(a)).toBeLessThanOrEqual(GCounter.value(y))
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

  // @lean Hydrogen.State.PNCounter.value_inc
  it("PNCounter.value_inc: (c.inc r).value = c.value + 1", () =>
    fc.assert(
      fc.property(replicaArb, pncounterArb, (r, c) => {
        expect(PNCounter.value(PNCounter.inc(r, c))).toBe(PNCounter.value(c) + 1)
      }),
      params,
    ))

  // @lean Hydrogen.State.PNCounter.value_dec
  it("PNCounter.value_dec: (c.dec r).value = c.value - 1", () =>
    fc.assert(
      fc.property(replicaArb, pncounterArb, (r, c) => {
        expect(PNCounter.value(PNCounter.dec(r, c))).toBe(PNCounter.value(c) - 1)
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
    expect(VectorClock.happenedBefore(a, { ticks: [1, 0, 2, 0, 0] })).toBe(false)
    expect(VectorClock.concurrent(a, { ticks: [1, 0, 2, 0] })).toBe(false)
    expect(VectorClock.leq({ ticks: [0, 0] }, VectorClock.empty)).toBe(true)
    expect(VectorClock.concurrent({ ticks: [1] }, { ticks: [0, 1] })).toBe(true)
    expect(VectorClock.tick(2, a)).toEqual({ ticks: [1, 0, 3] })
    expect(VectorClock.tickDelta(4, a)).toEqual({ ticks: [0, 0, 0, 0, 1] })
    expect(VectorClock.meet([{ ticks: [3, 1, 4] }, { ticks: [2, 5] }])).toEqual({ ticks: [2, 1] })
    // Random pairs are almost never equal; equal readings (trailing zeros too) and a tiny domain make them common.
    const pairArb = fc.oneof(fc.tuple(vclockArb, vclockArb), sameReadingArb, fc.tuple(smallClockArb, smallClockArb))
    fc.assert(
      fc.property(pairArb, ([x, y]) => {
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

  // @lean Hydrogen.State.VectorClock.get_eq_zero
  it("VectorClock.get_eq_zero: v.ticks.length ≤ r ⇒ v.get r = 0", () =>
    fc.assert(
      fc.property(vclockArb, fc.nat(5), (v, k) => VectorClock.get(v, v.ticks.length + k) === 0),
      params,
    ))

  // @lean Hydrogen.State.VectorClock.leq_iff_get
  it("VectorClock.leq_iff_get: a.leq b ↔ ∀ r, a.get r ≤ b.get r", () =>
    fc.assert(
      fc.property(fc.oneof(fc.tuple(smallClockArb, smallClockArb), leqPairArb), ([a, b]) => {
        const pointwise = upTo(a, b).every((r) => VectorClock.get(a, r) <= VectorClock.get(b, r))
        expect(VectorClock.leq(a, b)).toBe(pointwise)
      }),
      params,
    ))

  // @lean Hydrogen.State.VectorClock.leq_refl
  it("VectorClock.leq_refl: a.leq a", () =>
    fc.assert(
      fc.property(vclockArb, (a) => VectorClock.leq(a, a)),
      params,
    ))

  // @lean Hydrogen.State.VectorClock.leq_trans
  it("VectorClock.leq_trans: a.leq b ⇒ b.leq c ⇒ a.leq c", () =>
    fc.assert(
      fc.property(leqPairArb, vclockArb, smallClockArb, ([a, b], x, c0) => {
        const c = VectorClock.join(b, x)
        expect(VectorClock.leq(a, b) && VectorClock.leq(b, c)).toBe(true)
        expect(VectorClock.leq(a, c)).toBe(true)
        // and on unrelated clocks, as an implication
        if (VectorClock.leq(a, c0) && VectorClock.leq(c0, b)) expect(VectorClock.leq(a, b)).toBe(true)
      }),
      params,
    ))

  // @lean Hydrogen.State.VectorClock.leq_antisymm
  it("VectorClock.leq_antisymm: a.leq b ⇒ b.leq a ⇒ ∀ r, a.get r = b.get r", () =>
    fc.assert(
      fc.property(fc.oneof(sameReadingArb, fc.tuple(smallClockArb, smallClockArb)), ([a, b]) => {
        if (VectorClock.leq(a, b) && VectorClock.leq(b, a))
          for (const r of upTo(a, b)) expect(VectorClock.get(a, r)).toBe(VectorClock.get(b, r))
      }),
      params,
    ))

  // @lean Hydrogen.State.VectorClock.leq_antisymm_counterexample
  it("VectorClock.leq_antisymm_counterexample: [0] and [] are mutually leq and different lists", () => {
    const a = { ticks: [0] }
    const b = { ticks: [] }
    expect(VectorClock.leq(a, b)).toBe(true)
    expect(VectorClock.leq(b, a)).toBe(true)
    expect(VectorClock.equals(a, b)).toBe(false)
  })

  // @lean Hydrogen.State.VectorClock.happenedBefore_iff
  it("VectorClock.happenedBefore_iff: a.happenedBefore b ↔ a.leq b ∧ ¬ b.leq a", () =>
    fc.assert(
      fc.property(fc.oneof(fc.tuple(smallClockArb, smallClockArb), leqPairArb, sameReadingArb), ([a, b]) => {
        expect(VectorClock.happenedBefore(a, b)).toBe(VectorClock.leq(a, b) && !VectorClock.leq(b, a))
      }),
      params,
    ))

  // @lean Hydrogen.State.VectorClock.happenedBefore_irrefl
  it("VectorClock.happenedBefore_irrefl: ¬ a.happenedBefore a", () =>
    fc.assert(
      fc.property(vclockArb, (a) => !VectorClock.happenedBefore(a, a)),
      params,
    ))

  // @lean Hydrogen.State.VectorClock.happenedBefore_trans
  it("VectorClock.happenedBefore_trans: a.happenedBefore b ⇒ b.happenedBefore c ⇒ a.happenedBefore c", () =>
    fc.assert(
      fc.property(vclockArb, vclockArb, replicaArb, replicaArb, smallClockArb, smallClockArb, (a, x, r, s, p, q) => {
        const b = VectorClock.tick(r, VectorClock.join(a, x))
        const c = VectorClock.tick(s, b)
        expect(VectorClock.happenedBefore(a, b) && VectorClock.happenedBefore(b, c)).toBe(true)
        expect(VectorClock.happenedBefore(a, c)).toBe(true)
        if (VectorClock.happenedBefore(p, q) && VectorClock.happenedBefore(q, a)) expect(VectorClock.happenedBefore(p, a)).toBe(true)
      }),
      params,
    ))

  // @lean Hydrogen.State.VectorClock.happenedBefore_asymm
  it("VectorClock.happenedBefore_asymm: a.happenedBefore b ⇒ ¬ b.happenedBefore a", () =>
    fc.assert(
      fc.property(fc.oneof(fc.tuple(smallClockArb, smallClockArb), leqPairArb), ([a, b]) => {
        if (VectorClock.happenedBefore(a, b)) expect(VectorClock.happenedBefore(b, a)).toBe(false)
      }),
      params,
    ))

  // @lean Hydrogen.State.VectorClock.concurrent_comm
  it("VectorClock.concurrent_comm: a.concurrent b ↔ b.concurrent a", () =>
    fc.assert(
      fc.property(smallClockArb, smallClockArb, (a, b) => VectorClock.concurrent(a, b) === VectorClock.concurrent(b, a)),
      params,
    ))

  // @lean Hydrogen.State.VectorClock.concurrent_irrefl
  it("VectorClock.concurrent_irrefl: ¬ a.concurrent a", () =>
    fc.assert(
      fc.property(vclockArb, (a) => !VectorClock.concurrent(a, a)),
      params,
    ))

  // @lean Hydrogen.State.VectorClock.trichotomy
  it("VectorClock.trichotomy: a → b, b → a, a ∥ b, or ∀ r, a.get r = b.get r (and exactly one holds)", () =>
    fc.assert(
      fc.property(fc.oneof(fc.tuple(smallClockArb, smallClockArb), sameReadingArb), ([a, b]) => {
        const same = upTo(a, b).every((r) => VectorClock.get(a, r) === VectorClock.get(b, r))
        const cases = [VectorClock.happenedBefore(a, b), VectorClock.happenedBefore(b, a), VectorClock.concurrent(a, b), same]
        expect(cases.filter(Boolean).length).toBe(1)
      }),
      params,
    ))

  // @lean Hydrogen.State.VectorClock.get_tick
  it("VectorClock.get_tick: (v.tick r).get s = if s = r then v.get r + 1 else v.get s", () =>
    fc.assert(
      fc.property(replicaArb, replicaArb, vclockArb, (r, s, v) => {
        expect(VectorClock.get(VectorClock.tick(r, v), s)).toBe(s === r ? VectorClock.get(v, r) + 1 : VectorClock.get(v, s))
      }),
      params,
    ))

  // @lean Hydrogen.State.VectorClock.happenedBefore_tick
  it("VectorClock.happenedBefore_tick: v.happenedBefore (v.tick r)", () =>
    fc.assert(
      fc.property(replicaArb, vclockArb, (r, v) => VectorClock.happenedBefore(v, VectorClock.tick(r, v))),
      params,
    ))

  // @lean Hydrogen.State.VectorClock.leq_iff_get_join
  it("VectorClock.leq_iff_get_join: a.leq b ↔ ∀ r, (a ⊔ b).get r = b.get r", () =>
    fc.assert(
      fc.property(fc.oneof(fc.tuple(smallClockArb, smallClockArb), leqPairArb), ([a, b]) => {
        const j = VectorClock.join(a, b)
        expect(VectorClock.leq(a, b)).toBe(upTo(a, b).every((r) => VectorClock.get(j, r) === VectorClock.get(b, r)))
      }),
      params,
    ))

  // @lean Hydrogen.State.VectorClock.leq_join_left
  it("VectorClock.leq_join_left: a.leq (a ⊔ b)", () =>
    fc.assert(
      fc.property(vclockArb, vclockArb, (a, b) => VectorClock.leq(a, VectorClock.join(a, b))),
      params,
    ))

  // @lean Hydrogen.State.VectorClock.leq_join_right
  it("VectorClock.leq_join_right: b.leq (a ⊔ b)", () =>
    fc.assert(
      fc.property(vclockArb, vclockArb, (a, b) => VectorClock.leq(b, VectorClock.join(a, b))),
      params,
    ))

  // @lean Hydrogen.State.VectorClock.join_leq
  it("VectorClock.join_leq: a.leq c ⇒ b.leq c ⇒ (a ⊔ b).leq c", () =>
    fc.assert(
      fc.property(vclockArb, vclockArb, vclockArb, smallClockArb, (a, b, x, c0) => {
        const c = VectorClock.join(VectorClock.join(a, b), x)
        expect(VectorClock.leq(a, c) && VectorClock.leq(b, c)).toBe(true)
        expect(VectorClock.leq(VectorClock.join(a, b), c)).toBe(true)
        if (VectorClock.leq(a, c0) && VectorClock.leq(b, c0)) expect(VectorClock.leq(VectorClock.join(a, b), c0)).toBe(true)
      }),
      params,
    ))

  // @lean Hydrogen.State.VectorClock.leq_of_le
  it("VectorClock.leq_of_le: a ≤ b in the lattice order (a ⊔ b = b) ⇒ a.leq b", () =>
    fc.assert(
      fc.property(fc.oneof(fc.tuple(smallClockArb, smallClockArb), leqPairArb), ([a, b]) => {
        if (le(VectorClock.joinSemilattice, a, b)) expect(VectorClock.leq(a, b)).toBe(true)
      }),
      params,
    ))

  // @lean Hydrogen.State.VectorClock.le_iff_leq
  it("VectorClock.le_iff_leq: a no longer than b ⇒ (a ⊔ b = b ↔ a.leq b); [0] vs [] shows the length condition is needed", () => {
    fc.assert(
      fc.property(fc.oneof(fc.tuple(smallClockArb, smallClockArb), leqPairArb, sameReadingArb), ([a, b]) => {
        if (a.ticks.length <= b.ticks.length) expect(le(VectorClock.joinSemilattice, a, b)).toBe(VectorClock.leq(a, b))
      }),
      params,
    )
    expect(VectorClock.leq({ ticks: [0] }, VectorClock.empty)).toBe(true)
    expect(le(VectorClock.joinSemilattice, { ticks: [0] }, VectorClock.empty)).toBe(false)
  })
})

describe("domain: safe naturals only, exact near 2^53", () => {
  it("inc, dec and tick of an entry at Number.MAX_SAFE_INTEGER fail with SafeIntegerOverflow; at MAX − 1 they reach MAX exactly", () => {
    const top = { counts: [3, MAX] }
    expect(() => GCounter.inc(1, top)).toThrow(SafeIntegerOverflow)
    expect(() => GCounter.incDelta(1, top)).toThrow(SafeIntegerOverflow)
    expect(() => PNCounter.inc(1, { incs: top, decs: GCounter.empty })).toThrow(SafeIntegerOverflow)
    expect(() => PNCounter.dec(1, { incs: GCounter.empty, decs: top })).toThrow(SafeIntegerOverflow)
    expect(() => PNCounter.incDelta(1, { incs: top, decs: GCounter.empty })).toThrow(SafeIntegerOverflow)
    expect(() => PNCounter.decDelta(1, { incs: GCounter.empty, decs: top })).toThrow(SafeIntegerOverflow)
    expect(() => VectorClock.tick(1, { ticks: top.counts })).toThrow(SafeIntegerOverflow)
    expect(() => VectorClock.tickDelta(1, { ticks: top.counts })).toThrow(SafeIntegerOverflow)
    expect(GCounter.inc(0, { counts: [MAX - 1] })).toEqual({ counts: [MAX] })
    expect(VectorClock.tick(0, { ticks: [MAX - 1] })).toEqual({ ticks: [MAX] })
    expect(GCounter.value({ counts: [MAX - 1, 1] })).toBe(MAX)
    expect(() => GCounter.value({ counts: [MAX, 1] })).toThrow(SafeIntegerOverflow)
    expect(PNCounter.value({ incs: { counts: [MAX] }, decs: { counts: [0, MAX] } })).toBe(0)
    expect(PNCounter.value({ incs: GCounter.empty, decs: { counts: [MAX] } })).toBe(-MAX)
  })

  // Reference: exact BigInt arithmetic. Where Lean's Nat result is safe, the mirror returns it; otherwise SafeIntegerOverflow.
  it("value and inc near 2^53 agree with exact arithmetic (value_inc wherever the result is safe)", () =>
    fc.assert(
      fc.property(fc.nat(4), edgeListArb, (r, counts) => {
        const c = { counts }
        const v = bigSum(counts)
        if (v > BigInt(MAX)) expect(() => GCounter.value(c)).toThrow(SafeIntegerOverflow)
        else expect(GCounter.value(c)).toBe(Number(v))
        if (BigInt(GCounter.get(c, r)) + 1n > BigInt(MAX)) expect(() => GCounter.inc(r, c)).toThrow(SafeIntegerOverflow)
        else {
          const d = GCounter.inc(r, c)
          expect(GCounter.get(d, r)).toBe(GCounter.get(c, r) + 1)
          if (v + 1n > BigInt(MAX)) expect(() => GCounter.value(d)).toThrow(SafeIntegerOverflow)
          else expect(GCounter.value(d)).toBe(GCounter.value(c) + 1)
        }
      }),
      params,
    ))

  it("join, get, leq and happenedBefore near 2^53 are exact (get_join, leq_iff_get, happenedBefore_iff on edge values)", () =>
    fc.assert(
      fc.property(edgeListArb, edgeListArb, (xs, ys) => {
        const j = GCounter.join({ counts: xs }, { counts: ys })
        const a = { ticks: xs }
        const b = { ticks: ys }
        for (let r = 0; r < 6; r++) expect(GCounter.get(j, r)).toBe(Math.max(xs[r] ?? 0, ys[r] ?? 0))
        const pointwise = upTo(a, b).every((r) => (xs[r] ?? 0) <= (ys[r] ?? 0))
        expect(VectorClock.leq(a, b)).toBe(pointwise)
        expect(VectorClock.happenedBefore(a, b)).toBe(VectorClock.leq(a, b) && !VectorClock.leq(b, a))
        const vj = bigSum(j.counts)
        if (vj <= BigInt(MAX)) {
          expect(BigInt(GCounter.value(j)) >= (bigSum(xs) > bigSum(ys) ? bigSum(xs) : bigSum(ys))).toBe(true)
          expect(vj <= bigSum(xs) + bigSum(ys)).toBe(true)
        }
      }),
      params,
    ))

  it("counts, ticks and replica ids that are not Lean Nats (NaN, ±Infinity, negative, fractional, > 2^53 − 1) are OutOfDomain", () =>
    fc.assert(
      fc.property(notNat, fc.nat(3), (bad, ok) => {
        const c = { counts: [1, 2] }
        const badC = { counts: [ok, bad] }
        const v = { ticks: [1, 2] }
        const badV = { ticks: [bad, ok] }
        const pn = { incs: c, decs: c }
        for (const f of [
          () => GCounter.inc(bad, c),
          () => GCounter.incDelta(bad, c),
          () => GCounter.get(c, bad),
          () => GCounter.inc(0, badC),
          () => GCounter.incDelta(1, badC),
          () => GCounter.get(badC, 1),
          () => GCounter.value(badC),
          () => GCounter.join(c, badC),
          () => GCounter.join(badC, GCounter.empty),
          () => GCounter.make([ok, bad]),
          () => PNCounter.make([ok], [bad]),
          () => PNCounter.inc(bad, pn),
          () => PNCounter.dec(bad, pn),
          () => PNCounter.incDelta(bad, pn),
          () => PNCounter.decDelta(bad, pn),
          () => PNCounter.value({ incs: c, decs: badC }),
          () => PNCounter.join(pn, { incs: badC, decs: c }),
          () => VectorClock.make([bad]),
          () => VectorClock.tick(bad, v),
          () => VectorClock.tickDelta(bad, v),
          () => VectorClock.tick(1, badV),
          () => VectorClock.get(v, bad),
          () => VectorClock.get(badV, 0),
          () => VectorClock.join(badV, VectorClock.empty),
          () => VectorClock.leq(badV, v),
          () => VectorClock.leq(v, badV),
          () => VectorClock.happenedBefore(VectorClock.empty, badV),
          () => VectorClock.concurrent(badV, v),
          () => VectorClock.meet([v, badV]),
        ])
          expect(f).toThrow(OutOfDomain)
      }),
      params,
    ))

  it("constructors check and copy; replica ids at or past MAX_REPLICAS (= the encoding's MAX_LENGTH) are a RangeError before any allocation", () => {
    expect(MAX_REPLICAS).toBe(MAX_LENGTH)
    const input = [0, MAX, 5]
    const g = GCounter.make(input)
    expect(g).toEqual({ counts: [0, MAX, 5] })
    expect(g.counts).not.toBe(input)
    expect(PNCounter.make([1], [2, 3])).toEqual({ incs: { counts: [1] }, decs: { counts: [2, 3] } })
    expect(VectorClock.make([MAX])).toEqual({ ticks: [MAX] })
    for (const r of [MAX_REPLICAS, MAX_REPLICAS + 1, MAX]) {
      expect(() => GCounter.inc(r, GCounter.empty)).toThrow(RangeError)
      expect(() => GCounter.incDelta(r, GCounter.empty)).toThrow(RangeError)
      expect(() => PNCounter.dec(r, PNCounter.empty)).toThrow(RangeError)
      expect(() => VectorClock.tick(r, VectorClock.empty)).toThrow(RangeError)
      expect(() => VectorClock.tickDelta(r, VectorClock.empty)).toThrow(RangeError)
      // reading any Nat id is total, as in Lean
      expect(GCounter.get(GCounter.empty, r)).toBe(0)
      expect(VectorClock.get(VectorClock.empty, r)).toBe(0)
    }
    expect(() => GCounter.make({ length: MAX_REPLICAS + 1 } as unknown as number[])).toThrow(RangeError)
  })

  it("the byte codecs round-trip entries near 2^53 and reject an entry of 2^53 with InvalidField", () => {
    fc.assert(
      fc.property(edgeListArb, edgeListArb, (xs, ys) => {
        const g = GCounterCodec.decode(GCounterCodec.encode({ counts: xs }))
        expect(Result.isSuccess(g) && GCounter.equals(g.success, { counts: xs })).toBe(true)
        const p = PNCounterCodec.decode(PNCounterCodec.encode({ incs: { counts: xs }, decs: { counts: ys } }))
        expect(Result.isSuccess(p) && PNCounter.equals(p.success, { incs: { counts: xs }, decs: { counts: ys } })).toBe(true)
        const v = VectorClockCodec.decode(VectorClockCodec.encode({ ticks: ys }))
        expect(Result.isSuccess(v) && VectorClock.equals(v.success, { ticks: ys })).toBe(true)
      }),
      params,
    )
    // MAX = 2^53 − 1 is the varint FF×7 0F; 2^53 is 80×7 10 (same length).
    const bytes = GCounterCodec.encode({ counts: [MAX] })
    const hex = Buffer.from(bytes).toString("hex")
    expect(hex).toContain("ffffffffffffff0f")
    const tooBig = Uint8Array.from(Buffer.from(hex.replace("ffffffffffffff0f", "80808080808080" + "10"), "hex"))
    const r = GCounterCodec.decode(tooBig)
    expect(Result.isFailure(r) && r.failure instanceof InvalidField).toBe(true)
  })
})

// Pinning: value_inc and value_dec hold for any value shifted by a constant;
// these fix the empty value and the count over any sequence of operations.
describe("PNCounter value pinned to the operations", () => {
  const opsArb = fc.array(fc.tuple(fc.boolean(), replicaArb), { maxLength: 20 })
  const applyOps = (ops: ReadonlyArray<readonly [boolean, number]>, c: PNCounter): PNCounter =>
    ops.reduce((acc, [up, r]) => (up ? PNCounter.inc(r, acc) : PNCounter.dec(r, acc)), c)
  const ups = (ops: ReadonlyArray<readonly [boolean, number]>): number => ops.filter(([up]) => up).length

  // @lean Hydrogen.State.GCounter.value_empty
  it("GCounter.value_empty: the empty grow-only counter reads 0, and n increments from it read n", () => {
    expect(GCounter.value(GCounter.empty)).toBe(0)
    fc.assert(
      fc.property(fc.array(replicaArb, { maxLength: 20 }), (rs) => {
        expect(GCounter.value(rs.reduce((c, r) => GCounter.inc(r, c), GCounter.empty))).toBe(rs.length)
      }),
      params,
    )
  })

  // @lean Hydrogen.State.PNCounter.value_empty
  it("PNCounter.value_empty: the empty counter reads 0", () => {
    expect(PNCounter.value(PNCounter.empty)).toBe(0)
  })

  // @lean Hydrogen.State.PNCounter.value_applyOps
  it("PNCounter.value_applyOps: after any increments and decrements the value moved by #inc − #dec", () =>
    fc.assert(
      fc.property(opsArb, pncounterArb, (ops, c) => {
        expect(PNCounter.value(applyOps(ops, c))).toBe(PNCounter.value(c) + ups(ops) - (ops.length - ups(ops)))
      }),
      params,
    ))

  // @lean Hydrogen.State.PNCounter.value_applyOps_empty
  it("PNCounter.value_applyOps_empty: from the empty counter the value is #inc − #dec", () =>
    fc.assert(
      fc.property(opsArb, (ops) => {
        expect(PNCounter.value(applyOps(ops, PNCounter.empty))).toBe(ups(ops) - (ops.length - ups(ops)))
      }),
      params,
    ))
})
