// The CRDT mirrors are total over Lean's domain: every number is a Lean `Nat`
// (a non-negative safe integer); values near 2^53 behave exactly, anything
// else is an `OutOfDomain` error, never a merged-in NaN.
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Result from "effect/Result"
import { OutOfDomain } from "../../src/Aggregate/Domain.ts"
import { VectorClock } from "../../src/State/Counter.ts"
import { decodeAny, encodeAny, LWWMapCodec, ORMapCodec, ORSetCodec, ViewportStateCodec } from "../../src/State/Encoding.ts"
import { Bitset, NatMax, setAt, single } from "../../src/State/Lattice.ts"
import { ORMap, ORSet } from "../../src/State/ORSet.ts"
import { LWWColumns, LWWMap, LWWReg } from "../../src/State/Register.ts"
import { ViewportState } from "../../src/State/Viewport.ts"
import { assoc, comm, idem, params } from "./arbitraries.ts"

const MAX = Number.MAX_SAFE_INTEGER
const edgeNat = fc.oneof(fc.constantFrom(0, 1, 2, MAX, MAX - 1, MAX - 2, 2 ** 52), fc.integer({ min: 0, max: MAX }), fc.nat(5))
const notNat = fc.oneof(
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.5, -1, -MAX, 2 ** 53, 1e300),
  fc.double({ noNaN: true }).filter((x) => !(Number.isSafeInteger(x) && x >= 0)),
)
const edgeReg: fc.Arbitrary<LWWReg> = fc.record({ timestamp: edgeNat, replica: edgeNat, value: edgeNat })
const edgeMap: fc.Arbitrary<LWWMap> = fc
  .array(fc.option(edgeReg, { nil: undefined }), { maxLength: 4 })
  .map((entries) => ({ entries }))
/** Tags near 2^53 (sparse sorted arrays, as the mirror stores them). */
const edgeBitset = fc.uniqueArray(edgeNat, { maxLength: 4 }).map((xs) => Bitset.ofList(xs))
const edgeORSet: fc.Arbitrary<ORSet> = fc
  .array(fc.tuple(edgeBitset, edgeBitset), { maxLength: 3 })
  .map((tags) => ({ tags }))

describe("State near 2^53: the lattice laws hold and encodings round-trip", () => {
  // @lean Hydrogen.State.LWWReg.join
  it("LWWReg.join with timestamps, replicas and values near 2^53 is associative, commutative, idempotent", () => {
    assoc(LWWReg.joinSemilattice, edgeReg)
    comm(LWWReg.joinSemilattice, edgeReg)
    idem(LWWReg.joinSemilattice, edgeReg)
    expect(LWWReg.join({ timestamp: MAX, replica: 0, value: 0 }, { timestamp: MAX - 1, replica: MAX, value: MAX })).toEqual({
      timestamp: MAX, replica: 0, value: 0,
    })
  })

  // @lean Hydrogen.State.NatMax.join
  it("NatMax.join and Bitset.join near 2^53", () => {
    assoc(NatMax.joinSemilattice, edgeNat)
    comm(Bitset.joinSemilattice, edgeBitset)
    expect(NatMax.join(MAX, MAX - 1)).toBe(MAX)
    expect(Bitset.join([0, MAX], [MAX - 1])).toEqual([0, MAX - 1, MAX])
  })

  it("LWWMap, ORSet, ORMap and viewport states with values near 2^53 round-trip through the state encoding", () => {
    fc.assert(
      fc.property(edgeMap, edgeORSet, (m, s) => {
        expect(LWWMap.equals(Result.getOrThrow(LWWMapCodec.decode(LWWMapCodec.encode(m))), m)).toBe(true)
        expect(ORSet.equals(Result.getOrThrow(ORSetCodec.decode(ORSetCodec.encode(s))), s)).toBe(true)
        const om = ORMap.put(0, MAX, { timestamp: MAX, replica: MAX, value: MAX }, ORMap.empty)
        expect(ORMap.equals(Result.getOrThrow(ORMapCodec.decode(ORMapCodec.encode(om))), om)).toBe(true)
        const vs: ViewportState = { ...ViewportState.empty, positions: m, animations: s, clock: { ticks: [MAX, 0, 1] } }
        expect(ViewportState.equals(Result.getOrThrow(ViewportStateCodec.decode(ViewportStateCodec.encode(vs))), vs)).toBe(true)
      }),
      params,
    )
  })

  it("the decoder rejects a varint of 2^53 (one past the safe range) with InvalidField", () => {
    // LWWReg: header, then timestamp = 2^53 as LEB128 (8 bytes: 7 × 0x80 then 0x10), replica 0, value 0.
    const bytes = Uint8Array.of(0x48, 0x59, 0x53, 0x54, 1, 4, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10, 0, 0)
    const r = decodeAny(bytes)
    expect(Result.isFailure(r) && r.failure._tag).toBe("InvalidField")
    const ok = encodeAny({ type: "LWWReg", value: { timestamp: MAX, replica: 0, value: 0 } })
    expect(Result.getOrThrow(decodeAny(ok))).toEqual({ type: "LWWReg", value: { timestamp: MAX, replica: 0, value: 0 } })
  })
})

describe("State: typed errors outside Lean's Nat", () => {
  it("NatMax.join, Bitset.singleton/ofList/ofBits, single, setAt reject non-Nat with OutOfDomain", () => {
    fc.assert(
      fc.property(notNat, edgeNat, (bad, ok) => {
        expect(() => NatMax.join(bad, ok)).toThrow(OutOfDomain)
        expect(() => Bitset.singleton(bad)).toThrow(OutOfDomain)
        expect(() => Bitset.ofList([ok, bad])).toThrow(OutOfDomain)
        expect(() => single(NatMax.joinSemilatticeBot, bad, 1)).toThrow(OutOfDomain)
        expect(() => setAt(NatMax.joinSemilatticeBot, bad, 1, [])).toThrow(OutOfDomain)
      }),
      params,
    )
    expect(() => Bitset.ofBits(-1n)).toThrow(OutOfDomain)
  })

  it("LWWReg.join, LWWMap.set/setDelta/get, LWWColumns reject non-Nat fields and keys with OutOfDomain", () => {
    fc.assert(
      fc.property(notNat, edgeReg, (bad, w) => {
        const badW = { ...w, timestamp: bad }
        expect(() => LWWReg.join(w, badW)).toThrow(OutOfDomain)
        expect(() => LWWMap.set(0, badW, LWWMap.empty)).toThrow(OutOfDomain)
        expect(() => LWWMap.setDelta(0, { ...w, value: bad })).toThrow(OutOfDomain)
        expect(() => LWWMap.get(LWWMap.empty, bad)).toThrow(OutOfDomain)
        expect(() => LWWColumns.fromMap({ entries: [{ ...w, replica: bad }] })).toThrow(OutOfDomain)
      }),
      params,
    )
    // A replica id that is a Nat but too wide for the Uint32 column stays a RangeError (a column limit).
    expect(() => LWWColumns.fromMap({ entries: [{ timestamp: 0, replica: 2 ** 32, value: 0 }] })).toThrow(RangeError)
  })

  it("ORSet / ORMap operations reject non-Nat elements, keys, tags and written values with OutOfDomain", () => {
    fc.assert(
      fc.property(notNat, edgeNat, (bad, ok) => {
        expect(() => ORSet.add(bad, ok, ORSet.empty)).toThrow(OutOfDomain)
        expect(() => ORSet.add(ok % 4, bad, ORSet.empty)).toThrow(OutOfDomain)
        expect(() => ORSet.remove(bad, ORSet.empty)).toThrow(OutOfDomain)
        expect(() => ORSet.contains(ORSet.empty, bad)).toThrow(OutOfDomain)
        expect(() => ORSet.Fresh(ORSet.empty, 0, bad)).toThrow(OutOfDomain)
        expect(() => ORMap.put(0, 1, { timestamp: bad, replica: 0, value: 0 }, ORMap.empty)).toThrow(OutOfDomain)
        expect(() => ORMap.putDelta(0, 1, { timestamp: 0, replica: 0, value: bad })).toThrow(OutOfDomain)
        expect(() => ORMap.get(ORMap.empty, bad)).toThrow(OutOfDomain)
      }),
      params,
    )
  })

  it("a viewport state holding a NaN timestamp or tick is rejected by its join and by the encoder", () => {
    const bad: ViewportState = { ...ViewportState.empty, positions: { entries: [{ timestamp: Number.NaN, replica: 0, value: 0 }] } }
    const other: ViewportState = { ...ViewportState.empty, positions: { entries: [{ timestamp: 1, replica: 0, value: 0 }] } }
    expect(() => ViewportState.join(bad, other)).toThrow(OutOfDomain)
    expect(() => ViewportStateCodec.encode(bad)).toThrow(OutOfDomain)
    const badClock: ViewportState = { ...ViewportState.empty, clock: { ticks: [0.5] } }
    expect(() => ViewportState.join(badClock, { ...ViewportState.empty, clock: VectorClock.tick(0, VectorClock.empty) })).toThrow(OutOfDomain)
    expect(() => encodeAny({ type: "VectorClock", value: { ticks: [-1] } })).toThrow(OutOfDomain)
  })
})
