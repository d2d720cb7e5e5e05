// Differential tests: the State lattices of src/State (plain numbers, arrays of
// counts) against the references generated from Lean's NatMax.join,
// LWWReg.lt/join, GCounter.value and PNCounter.value (bigint, structures,
// `List.map … |>.sum`), and the generated empty values. Inputs weighted to
// equal fields, where the orders' tie-breaks decide.
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as RefC from "../../gen/ts/State/Counter.ts"
import * as RefL from "../../gen/ts/State/Lattice.ts"
import * as RefR from "../../gen/ts/State/Register.ts"
import { GCounter, PNCounter, VectorClock } from "../../src/State/Counter.ts"
import { Bitset, NatMax } from "../../src/State/Lattice.ts"
import { LWWReg } from "../../src/State/Register.ts"
import { params, runs } from "./seed.ts"

const B = BigInt
const natArb = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom(0, Number.MAX_SAFE_INTEGER))
// Few distinct values, so equal timestamps/replicas/values are common.
const smallArb = fc.integer({ min: 0, max: 2 })
const regArb = fc.record({ timestamp: fc.oneof(smallArb, natArb), replica: fc.oneof(smallArb, natArb), value: fc.oneof(smallArb, natArb) })
const toReg = (r: LWWReg): RefR.LWWReg => ({ timestamp: B(r.timestamp), replica: B(r.replica), value: B(r.value) })
// Counts whose sum stays a safe integer (src throws past 2^53 − 1 by design).
const countsArb = fc.array(fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 2 ** 40 })), { maxLength: 12 })
const toCounts = (xs: ReadonlyArray<number>): RefC.GCounter => ({ counts: xs.map((v) => ({ value: B(v) })) })
// Id sets as src keeps them (sorted ids) and as Lean does (the mask ∑ 2^i, built here).
const idsArb = fc.array(fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 300 })), { maxLength: 10 }).map((xs) => Bitset.ofList(xs))
const mask = (ids: ReadonlyArray<number>): bigint => ids.reduce((m, i) => m | (1n << B(i)), 0n)

describe(`State: src against the Lean-generated references (${runs} cases each)`, () => {
  // @gen Hydrogen.State.NatMax.join
  // @lean Hydrogen.State.NatMax.join
  it("NatMax.join: NatMax.join a b equals the reference NatMax.join", () => {
    fc.assert(fc.property(natArb, natArb, (a, b) => B(NatMax.join(a, b)) === RefL.NatMax_join({ value: B(a) }, { value: B(b) }).value), params)
  })

  // @gen Hydrogen.State.LWWReg.lt
  // @gen Hydrogen.State.LWWReg.join
  // @lean Hydrogen.State.LWWReg.join
  it("LWWReg.join: LWWReg.lt and LWWReg.join equal the references on every pair (ties included)", () => {
    let ties = 0
    fc.assert(fc.property(regArb, regArb, (a, b) => {
      if (a.timestamp === b.timestamp) ties++
      const j = RefR.LWWReg_join(toReg(a), toReg(b))
      const mine = toReg(LWWReg.join(a, b))
      return LWWReg.lt(a, b) === RefR.LWWReg_lt(toReg(a), toReg(b)) &&
        mine.timestamp === j.timestamp && mine.replica === j.replica && mine.value === j.value
    }), params)
    // The tie-break paths are exercised, not just the timestamp comparison.
    expect(ties).toBeGreaterThan(runs / 10)
  })

  // @gen Hydrogen.State.GCounter.value
  // @lean Hydrogen.State.GCounter.value
  it("GCounter.value: GCounter.value of a counter equals the reference GCounter.value (sum of the entries)", () => {
    expect(GCounter.value(GCounter.empty)).toBe(Number(RefC.GCounter_value(RefC.GCounter_empty)))
    fc.assert(fc.property(countsArb, (xs) => B(GCounter.value(GCounter.make(xs))) === RefC.GCounter_value(toCounts(xs))), params)
  })

  // @gen Hydrogen.State.PNCounter.value
  // @lean Hydrogen.State.PNCounter.value
  it("PNCounter.value: PNCounter.value equals the reference PNCounter.value (increments minus decrements, an Int)", () => {
    expect(PNCounter.value(PNCounter.empty)).toBe(Number(RefC.PNCounter_value(RefC.PNCounter_empty)))
    fc.assert(fc.property(countsArb, countsArb, (inc, dec) =>
      B(PNCounter.value(PNCounter.make(inc, dec))) === RefC.PNCounter_value({ incs: toCounts(inc), decs: toCounts(dec) })), params)
  })

  // @gen Hydrogen.State.Bitset.join
  // @gen Hydrogen.State.Bitset.mem
  // @lean Hydrogen.State.Bitset.mem
  it("Bitset.mem: Bitset.join and Bitset.mem on sorted ids equal the references Bitset.join and Bitset.mem on masks", () => {
    fc.assert(fc.property(idsArb, idsArb, fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 400 })), (a, b, i) =>
      mask(Bitset.join(a, b)) === RefL.Bitset_join({ bits: mask(a) }, { bits: mask(b) }).bits &&
      Bitset.mem(i, a) === RefL.Bitset_mem(B(i), { bits: mask(a) })), params)
  })

  // @gen Hydrogen.State.GCounter.empty
  // @gen Hydrogen.State.PNCounter.empty
  // @gen Hydrogen.State.VectorClock.empty
  // @lean Hydrogen.State.VectorClock.empty
  it("empty: the empty counters and clock of src are the generated GCounter.empty, PNCounter.empty, VectorClock.empty", () => {
    expect(GCounter.empty.counts).toEqual(RefC.GCounter_empty.counts.map((c) => Number(c.value)))
    expect(PNCounter.empty.incs.counts).toEqual(RefC.PNCounter_empty.incs.counts.map((c) => Number(c.value)))
    expect(PNCounter.empty.decs.counts).toEqual(RefC.PNCounter_empty.decs.counts.map((c) => Number(c.value)))
    expect(VectorClock.empty.ticks).toEqual(RefC.VectorClock_empty.ticks.map((c) => Number(c.value)))
  })
})
