// The State mirrors' typed-error contract: a number outside Lean's domain is
// an `OutOfDomain` naming the operation (`where`) and the argument or entry
// (`field`); the representation limits (replica ids, list lengths, tag ranges)
// are RangeErrors whose message names the operation and the value. Domain.test.ts
// checks the error class; these pin the names, which the mutation run found
// unasserted.
import { describe, expect, it } from "vitest"
import { OutOfDomain } from "../../src/Aggregate/Domain.ts"
import { GCounter, MAX_REPLICAS, PNCounter, VectorClock } from "../../src/State/Counter.ts"
import { encodeAny } from "../../src/State/Encoding.ts"
import { Bitset, entry, NatMax, setAt, single } from "../../src/State/Lattice.ts"
import { ORMap, ORSet, tagOf } from "../../src/State/ORSet.ts"
import { LWWColumns, LWWMap, LWWReg } from "../../src/State/Register.ts"

const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (e) {
    return e
  }
  throw new Error("expected a throw")
}

const expectOutOfDomain = (f: () => unknown, where: string, field: string, value: unknown) => {
  const e = thrown(f)
  expect(e).toBeInstanceOf(OutOfDomain)
  expect(e).toMatchObject({ where, field, domain: "Nat" })
  expect(Object.is((e as OutOfDomain).value, value)).toBe(true)
}

const N = NatMax.joinSemilatticeBot

describe("Lattice.ts names the operation and argument", () => {
  it("NatMax.join, Bitset constructors, entry / single / setAt", () => {
    expectOutOfDomain(() => NatMax.join(-1, 0), "NatMax.join", "a", -1)
    expectOutOfDomain(() => NatMax.join(0, 0.5), "NatMax.join", "b", 0.5)
    expectOutOfDomain(() => Bitset.singleton(-2), "Bitset.singleton", "id", -2)
    expectOutOfDomain(() => Bitset.ofList([3, Number.NaN]), "Bitset.ofList", "id", Number.NaN)
    expectOutOfDomain(() => Bitset.ofBits(-1n), "Bitset.ofBits", "bits", -1n)
    expectOutOfDomain(() => Bitset.ofBits(3 as unknown as bigint), "Bitset.ofBits", "bits", 3)
    expectOutOfDomain(() => entry(N, [1], -1), "entry", "index", -1)
    expectOutOfDomain(() => single(N, 1.5, 1), "single", "index", 1.5)
    expectOutOfDomain(() => setAt(N, -3, 1, []), "setAt", "index", -3)
  })
})

describe("Counter.ts names the operation, the list and the entry", () => {
  it("GCounter / PNCounter / VectorClock entries and replicas", () => {
    expectOutOfDomain(() => GCounter.join({ counts: [1, -1] }, GCounter.empty), "GCounter.join", "a.counts[1]", -1)
    expectOutOfDomain(() => GCounter.join(GCounter.empty, { counts: [0.5] }), "GCounter.join", "b.counts[0]", 0.5)
    expectOutOfDomain(() => GCounter.make([0, 0, -4]), "GCounter.make", "counts[2]", -4)
    expectOutOfDomain(() => GCounter.inc(-1, GCounter.empty), "GCounter.inc", "replica", -1)
    expectOutOfDomain(() => GCounter.inc(0, { counts: [Number.NaN] }), "GCounter.inc", "counts[0]", Number.NaN)
    expectOutOfDomain(() => GCounter.get({ counts: [1, 0.5] }, 1), "GCounter.get", "counts[1]", 0.5)
    expectOutOfDomain(() => GCounter.value({ counts: [1, -2] }), "GCounter.value", "counts[1]", -2)
    expectOutOfDomain(() => PNCounter.inc(0.5, PNCounter.empty), "PNCounter.inc", "replica", 0.5)
    expectOutOfDomain(() => PNCounter.dec(-1, PNCounter.empty), "PNCounter.dec", "replica", -1)
    expectOutOfDomain(() => PNCounter.incDelta(-1, PNCounter.empty), "PNCounter.incDelta", "replica", -1)
    expectOutOfDomain(() => PNCounter.decDelta(-1, PNCounter.empty), "PNCounter.decDelta", "replica", -1)
    expectOutOfDomain(() => VectorClock.make([-1]), "VectorClock.make", "ticks[0]", -1)
  })

  it("PNCounter.make and every VectorClock operation name their list", () => {
    expectOutOfDomain(() => PNCounter.make([1, -1], []), "PNCounter.make", "incs[1]", -1)
    expectOutOfDomain(() => PNCounter.make([], [0.5]), "PNCounter.make", "decs[0]", 0.5)
    expectOutOfDomain(() => GCounter.incDelta(-1, GCounter.empty), "GCounter.incDelta", "replica", -1)
    expectOutOfDomain(() => VectorClock.join({ ticks: [-1] }, VectorClock.empty), "VectorClock.join", "a.ticks[0]", -1)
    expectOutOfDomain(() => VectorClock.join(VectorClock.empty, { ticks: [0, -1] }), "VectorClock.join", "b.ticks[1]", -1)
    expectOutOfDomain(() => VectorClock.get({ ticks: [0.5] }, 0), "VectorClock.get", "ticks[0]", 0.5)
    expectOutOfDomain(() => VectorClock.tick(-1, VectorClock.empty), "VectorClock.tick", "replica", -1)
    expectOutOfDomain(() => VectorClock.tick(0, { ticks: [-2] }), "VectorClock.tick", "ticks[0]", -2)
    expectOutOfDomain(() => VectorClock.tickDelta(0, { ticks: [-3] }), "VectorClock.tickDelta", "ticks[0]", -3)
    expectOutOfDomain(() => VectorClock.happenedBefore({ ticks: [-1] }, VectorClock.empty), "VectorClock.happenedBefore", "a.ticks[0]", -1)
    expectOutOfDomain(() => VectorClock.concurrent(VectorClock.empty, { ticks: [-1] }), "VectorClock.concurrent", "b.ticks[0]", -1)
    expectOutOfDomain(() => VectorClock.meet([{ ticks: [1] }, { ticks: [0.5] }]), "VectorClock.meet", "ticks[0]", 0.5)
  })

  it("replica ids at or above MAX_REPLICAS = 2^24, and longer lists, are RangeErrors naming the operation", () => {
    expect(MAX_REPLICAS).toBe(2 ** 24)
    expect(() => GCounter.inc(2 ** 24, GCounter.empty)).toThrow(
      new RangeError("GCounter.inc: replica 16777216 is not below MAX_REPLICAS = 2^24 (dense lists are limited to the encoding's longest list)"),
    )
    const long = new Array<number>(2 ** 24 + 1)
    expect(() => GCounter.make(long)).toThrow(new RangeError("GCounter.make: counts has 16777217 entries, more than MAX_REPLICAS = 2^24"))
  })
})

describe("Register.ts and ORSet.ts name the operation and the field", () => {
  const w = { timestamp: 1, replica: 2, value: 3 }
  it("LWWReg / LWWMap / LWWColumns", () => {
    expectOutOfDomain(() => LWWReg.join({ ...w, timestamp: -1 }, w), "LWWReg.lt", "a.timestamp", -1)
    expectOutOfDomain(() => LWWReg.join(w, { ...w, replica: 0.5 }), "LWWReg.lt", "b.replica", 0.5)
    expectOutOfDomain(() => LWWReg.join(w, { ...w, value: -9 }), "LWWReg.lt", "b.value", -9)
    expectOutOfDomain(() => LWWMap.set(0, { ...w, value: -1 }, LWWMap.empty), "LWWMap.set", "w.value", -1)
    expectOutOfDomain(() => LWWMap.setDelta(0, { ...w, timestamp: Number.NaN }), "LWWMap.setDelta", "w.timestamp", Number.NaN)
    expectOutOfDomain(() => LWWMap.get(LWWMap.empty, -1), "LWWMap", "key", -1)
    expectOutOfDomain(() => LWWColumns.fromMap({ entries: [{ ...w, replica: -1 }] }), "LWWColumns", "w.replica", -1)
    expect(() => LWWColumns.fromMap({ entries: [{ ...w, replica: 2 ** 32 }] })).toThrow(
      new RangeError("LWWColumns: replica must be < 2^32, got 4294967296"),
    )
    expect(() => LWWColumns.fromMap({ entries: [{ ...w, replica: 2 ** 32 - 1 }] })).not.toThrow()
  })

  it("ORSet / ORMap / tagOf", () => {
    expectOutOfDomain(() => ORSet.contains(ORSet.empty, -1), "ORSet", "element", -1)
    expectOutOfDomain(() => ORSet.Fresh(ORSet.empty, 0, 0.5), "ORSet.Fresh", "tag", 0.5)
    expectOutOfDomain(() => ORMap.get(ORMap.empty, -2), "ORMap", "key", -2)
    expectOutOfDomain(() => ORMap.put(0, 1, { ...w, value: -1 }, ORMap.empty), "ORMap.put", "w.value", -1)
    expectOutOfDomain(() => ORMap.putDelta(0, 1, { ...w, replica: -1 }), "ORMap.putDelta", "w.replica", -1)
    expect(() => tagOf(-1, 0)).toThrow(/^tagOf: replica must be an integer in \[0, \d+\), got -1$/)
    expect(() => tagOf(0, -1)).toThrow(/^tagOf: seq must be an integer in \[0, \d+\], got -1$/)
  })

  it("the state encoder names the field and rejects an unsorted Bitset", () => {
    expectOutOfDomain(() => encodeAny({ type: "GCounter", value: { counts: [1, -1] } }), "encode", "entry", -1)
    expectOutOfDomain(() => encodeAny({ type: "LWWReg", value: { ...w, timestamp: -1 } }), "encode", "timestamp", -1)
    expectOutOfDomain(() => encodeAny({ type: "LWWReg", value: { ...w, replica: 0.5 } }), "encode", "replica", 0.5)
    expectOutOfDomain(() => encodeAny({ type: "LWWReg", value: { ...w, value: -2 } }), "encode", "value", -2)
    const set = (added: ReadonlyArray<number>): ORSet => ({ tags: [[added as never, Bitset.empty]] })
    expect(() => encodeAny({ type: "ORSet", value: set([2, 1]) })).toThrow(new RangeError("encode: Bitset must be strictly increasing"))
    expect(() => encodeAny({ type: "ORSet", value: set([1, 1]) })).toThrow(RangeError)
    expectOutOfDomain(() => encodeAny({ type: "ORSet", value: set([-1]) }), "encode", "tag", -1)
  })
})
