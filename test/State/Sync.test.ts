import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { GCounter, PNCounter, VectorClock } from "../../src/State/Counter.ts"
import { GCounterCodec, ORSetCodec, PNCounterCodec, ViewportStateCodec } from "../../src/State/Encoding.ts"
import { joinAll } from "../../src/State/Lattice.ts"
import { ORMap, ORSet, tagOf } from "../../src/State/ORSet.ts"
import { LWWMap } from "../../src/State/Register.ts"
import type { Replica, SyncError, SyncMessage } from "../../src/State/Sync.ts"
import { crc32, decodeMessage, encodeMessage, makeSync, pairCodec, seqOf } from "../../src/State/Sync.ts"
import { ViewportState } from "../../src/State/Viewport.ts"
import { viewportArb } from "./arbitraries.ts"

const VS = makeSync(ViewportState.joinSemilattice, ViewportStateCodec)
const E = ViewportState.empty

/** A replica that made a few local operations of every kind. */
const busy = (id: number): Replica<ViewportState> => {
  let r = VS.init(id)
  r = VS.update(r, { ...E, positions: LWWMap.setDelta(2, { timestamp: 5, replica: id, value: 7 }) })
  r = VS.update(r, { ...E, elements: ORMap.putDelta(1, tagOf(id, 1), { timestamp: 1, replica: id, value: 3 }) })
  r = VS.update(r, { ...E, animations: ORSet.addDelta(0, tagOf(id, 2)) })
  r = VS.update(r, { ...E, clock: VectorClock.tickDelta(id, r.state.clock) })
  return r
}

/** Receive, expecting a rejection: the state and the buffer are unchanged, the rejection is counted. */
const expectRejected = (r: Replica<ViewportState>, bytes: Uint8Array, tags: ReadonlyArray<SyncError["_tag"]>): SyncError => {
  const { replica, reply, error } = VS.receive(r, bytes)
  expect(error).toBeDefined()
  expect(tags).toContain(error!._tag)
  expect(replica.state).toBe(r.state)
  expect(replica.buffer).toBe(r.buffer)
  expect(replica.acked).toBe(r.acked)
  expect(replica.rejected).toBe(r.rejected + 1)
  expect(replica.lastError).toBe(error)
  expect(reply).toBeUndefined()
  return error!
}

/** Re-frame a body with a correct checksum (to reach the field and payload checks). */
const frame = (kind: number, body: ReadonlyArray<number>): Uint8Array => {
  const head = [0x48, 0x59, 0x53, 0x59, 1, kind, body.length, ...body]
  const c = crc32(Uint8Array.from(head))
  return Uint8Array.from([...head, c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24])
}

describe("sync messages", () => {
  const msgArb: fc.Arbitrary<SyncMessage<ViewportState>> = fc.oneof(
    fc
      .tuple(fc.nat(1000), fc.nat(1000), fc.nat(2 ** 40), fc.integer({ min: 1, max: 1000 }), viewportArb)
      .map(([sender, receiver, from, len, payload]) => ({ kind: "delta" as const, sender, receiver, from, to: from + len, payload })),
    fc
      .tuple(fc.nat(1000), fc.nat(1000), fc.nat(2 ** 40), viewportArb)
      .map(([sender, receiver, to, payload]) => ({ kind: "state" as const, sender, receiver, to, payload })),
    fc
      .tuple(fc.nat(1000), fc.nat(1000), fc.maxSafeNat())
      .map(([sender, receiver, seq]) => ({ kind: "ack" as const, sender, receiver, seq })),
  )

  it("round-trip: decode(encode(m)) = m", () => {
    fc.assert(
      fc.property(msgArb, (m) => {
        const d = decodeMessage(ViewportStateCodec, encodeMessage(ViewportStateCodec, m))
        expect(Result.isSuccess(d)).toBe(true)
        const got = Result.getOrThrow(d)
        expect({ ...got, payload: undefined }).toEqual({ ...m, payload: undefined })
        if ("payload" in m && "payload" in got) expect(ViewportState.equals(got.payload, m.payload)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  it("crc32 is the IEEE CRC-32", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926)
    expect(crc32(new Uint8Array(0))).toBe(0)
  })

  it("every truncation of a message is rejected as Truncated, leaving the replica unchanged", () => {
    const a = busy(0)
    const b = busy(1)
    const { message } = VS.deltasFor(a, 1)
    const ack = VS.receive(b, message!).reply!
    for (const bytes of [message!, ack]) {
      for (let len = 0; len < bytes.length; len++) expectRejected(b, bytes.slice(0, len), ["Truncated"])
    }
  })

  it("every single-byte corruption of a message is rejected with a typed error, leaving the replica unchanged", () => {
    const a = busy(0)
    const b = busy(1)
    const { message } = VS.deltasFor(a, 1)
    fc.assert(
      fc.property(fc.nat(message!.length - 1), fc.integer({ min: 1, max: 255 }), (pos, mask) => {
        const bytes = message!.slice()
        bytes[pos] = bytes[pos]! ^ mask
        expectRejected(b, bytes, ["BadHeader", "InvalidField", "TrailingBytes", "Truncated", "ChecksumMismatch"])
      }),
      { numRuns: 500 },
    )
  })

  it("random bytes never throw and are never applied", () => {
    const b = busy(1)
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (bytes, withMagic) => {
        const input = withMagic ? Uint8Array.from([0x48, 0x59, 0x53, 0x59, 1, ...bytes]) : bytes
        expectRejected(b, input, ["BadHeader", "InvalidField", "TrailingBytes", "Truncated", "ChecksumMismatch"])
      }),
      { numRuns: 500 },
    )
  })

  it("names each malformed field", () => {
    const b = busy(1)
    const good = VS.deltasFor(busy(0), 1).message!
    const bad = (i: number, v: number) => {
      const x = good.slice()
      x[i] = v
      return x
    }
    expect(expectRejected(b, bad(0, 0x58), ["BadHeader"])).toMatchObject({ field: "magic", offset: 0, value: 0x58 })
    expect(expectRejected(b, bad(4, 2), ["BadHeader"])).toMatchObject({ field: "version", offset: 4, value: 2 })
    expect(expectRejected(b, bad(5, 9), ["BadHeader"])).toMatchObject({ field: "kind", offset: 5, value: 9 })
    expect(expectRejected(b, Uint8Array.from([...good, 0]), ["TrailingBytes"])).toMatchObject({ offset: good.length, count: 1 })
    expectRejected(b, bad(good.length - 1, good[good.length - 1]! ^ 1), ["ChecksumMismatch"])
    // well-framed, but the fields are wrong
    expect(expectRejected(b, frame(1, [0, 1, 5, 5]), ["InvalidField"])).toMatchObject({ field: "to", value: 5 })
    expect(expectRejected(b, frame(3, [0, 1, 0x80, 0x00]), ["InvalidField"])).toMatchObject({ field: "seq", expected: "a minimal varint (no trailing zero byte)" })
    expectRejected(b, frame(3, [0, 1, 0, 0]), ["TrailingBytes"]) // trailing byte in an ack
    expectRejected(b, frame(3, [0, 1]), ["Truncated"])
    // a payload of another type (an ORSet where a ViewportState is expected)
    const orset = encodeMessage(ORSetCodec, { kind: "state", sender: 0, receiver: 1, to: 1, payload: ORSet.addDelta(0, 1) })
    const e = expectRejected(b, orset, ["BadPayload"])
    expect(e._tag === "BadPayload" && e.error._tag).toBe("BadHeader")
    // a payload whose bytes are cut inside a well-framed message
    const payload = ViewportStateCodec.encode(b.state)
    expect(expectRejected(b, frame(2, [0, 1, 1, ...payload.slice(0, -1)]), ["BadPayload"])).toMatchObject({
      error: { _tag: "Truncated" },
    })
    // addressed to someone else, or from itself
    expectRejected(b, VS.deltasFor(busy(0), 2).message!, ["Misaddressed"])
    expectRejected(b, encodeMessage(ViewportStateCodec, { kind: "ack", sender: 1, receiver: 1, seq: 0 }), ["Misaddressed"])
    // an acknowledgement of an interval never sent
    const ack = encodeMessage(ViewportStateCodec, { kind: "ack", sender: 0, receiver: 1, seq: seqOf(b) + 1 })
    expect(expectRejected(b, ack, ["UnknownSequence"])).toMatchObject({ peer: 0, seq: seqOf(b) + 1, current: seqOf(b) })
    expect(b.rejected).toBe(0)
  })
})

describe("anti-entropy protocol", () => {
  it("delta, acknowledgement, then nothing left to send; duplicates change nothing", () => {
    let a = busy(0)
    let b = VS.init(1)
    const s1 = VS.deltasFor(a, 1)
    a = s1.replica
    expect(s1.message![5]).toBe(1) // a delta: b's acknowledged 0 is still buffered
    const r1 = VS.receive(b, s1.message!)
    b = r1.replica
    expect(ViewportState.equals(b.state, a.state)).toBe(true)
    const dup = VS.receive(b, s1.message!)
    expect(dup.replica.state).toBe(b.state)
    expect(dup.replica.buffer).toBe(b.buffer) // not re-forwarded
    a = VS.receive(a, r1.reply!).replica
    expect(a.acked.get(1)).toBe(seqOf(a))
    expect(a.buffer.length).toBe(0) // every known peer acknowledged every interval
    expect(VS.deltasFor(a, 1).message).toBeUndefined()
    // a duplicated (old) acknowledgement changes nothing
    expect(VS.receive(a, r1.reply!).replica.acked.get(1)).toBe(seqOf(a))
  })

  it("local deltas are joined into the open interval until a message seals it", () => {
    let a = VS.init(0)
    a = VS.update(a, { ...E, clock: VectorClock.tickDelta(0, a.state.clock) })
    a = VS.update(a, { ...E, clock: VectorClock.tickDelta(0, a.state.clock) })
    expect(seqOf(a)).toBe(1)
    a = VS.deltasFor(a, 1).replica
    a = VS.update(a, { ...E, clock: VectorClock.tickDelta(0, a.state.clock) })
    expect(seqOf(a)).toBe(2)
    expect(a.buffer.map((d) => d.clock.ticks)).toEqual([[2], [3]])
  })

  it("a peer behind the buffer window gets the full state", () => {
    const S = makeSync(GCounter.joinSemilattice, GCounterCodec, { window: 2 })
    let a = S.init(0)
    let b = S.init(1)
    let c = S.init(2)
    for (let i = 0; i < 5; i++) {
      a = S.update(a, GCounter.incDelta(0, a.state))
      const s = S.deltasFor(a, 1) // b keeps up
      a = s.replica
      const got = S.receive(b, s.message!)
      b = got.replica
      a = S.receive(a, got.reply!).replica
    }
    expect(a.base).toBeGreaterThan(0)
    const toC = S.deltasFor(a, 2)
    expect(toC.message![5]).toBe(2) // state
    c = S.receive(c, toC.message!).replica
    expect(GCounter.value(c.state)).toBe(5)
    expect(GCounter.equals(b.state, a.state)).toBe(true)
    expect(() => makeSync(GCounter.joinSemilattice, GCounterCodec, { window: 0 })).toThrow(RangeError)
  })

  it("a non-bot initial state is buffered as interval 0", () => {
    const S = makeSync(GCounter.joinSemilattice, GCounterCodec)
    const a = S.init(0, { counts: [0, 4] })
    expect(seqOf(a)).toBe(1)
    const b = S.receive(S.init(1), S.deltasFor(a, 1).message!).replica
    expect(b.state).toEqual({ counts: [0, 4] })
  })

  it("pairCodec: round-trip and typed errors", () => {
    const P = pairCodec(GCounterCodec, PNCounterCodec)
    const v = [{ counts: [1, 0, 2] }, PNCounter.inc(3, PNCounter.empty)] as const
    const bytes = P.encode(v)
    expect(Result.getOrThrow(P.decode(bytes))).toEqual(v)
    for (let len = 0; len < bytes.length; len++) expect(Result.isFailure(P.decode(bytes.slice(0, len)))).toBe(true)
    expect(Result.isFailure(P.decode(Uint8Array.from([0x80, 0x00])))).toBe(true)
  })

  // Causal delivery is not needed: the intervals of one sender, delivered in
  // any order with any duplication, give the sender's state (SYNC.md).
  // @lean Hydrogen.State.JoinSemilattice.joinAll_perm
  it("reordered and duplicated delta intervals from one sender converge to the sender's state", () => {
    type Op = { readonly kind: "put" | "del" | "add" | "rem" | "pos" | "tick"; readonly e: number; readonly v: number }
    const opArb: fc.Arbitrary<Op> = fc.record({
      kind: fc.constantFrom("put" as const, "del" as const, "add" as const, "rem" as const, "pos" as const, "tick" as const),
      e: fc.nat(2),
      v: fc.nat(5),
    })
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 1, maxLength: 20 }),
        fc.array(fc.double({ noNaN: true }), { minLength: 40, maxLength: 40 }),
        fc.array(fc.nat(19), { maxLength: 5 }),
        (ops, keys, dups) => {
          // The sender seals an interval after every operation (a message to a third replica).
          let a = VS.init(0)
          let seq = 0
          for (const op of ops) {
            const s = a.state
            const tag = tagOf(0, ++seq)
            const w = { timestamp: seq, replica: 0, value: op.v }
            const d: ViewportState =
              op.kind === "put" ? { ...E, elements: ORMap.putDelta(op.e, tag, w) }
              : op.kind === "del" ? { ...E, elements: ORMap.removeDelta(op.e, s.elements) }
              : op.kind === "add" ? { ...E, animations: ORSet.addDelta(op.e, tag) }
              : op.kind === "rem" ? { ...E, animations: ORSet.removeDelta(op.e, s.animations) }
              : op.kind === "pos" ? { ...E, positions: LWWMap.setDelta(op.e, w) }
              : { ...E, clock: VectorClock.tickDelta(0, s.clock) }
            a = VS.deltasFor(VS.update(a, d), 9).replica
          }
          // One message per interval [i, i + 1), delivered shuffled, some twice: a remove
          // may arrive before its add, a later counter/clock value before an earlier one.
          const msgs = a.buffer.map((payload, i) =>
            encodeMessage(ViewportStateCodec, { kind: "delta", sender: 0, receiver: 1, from: a.base + i, to: a.base + i + 1, payload }),
          )
          const items = [...msgs.keys(), ...dups.filter((i) => i < msgs.length)]
          const order = items
            .map((_, p) => p)
            .sort((p, q) => keys[p]! - keys[q]! || p - q)
            .map((p) => items[p]!)
          let b = VS.init(1)
          for (const i of order) {
            const r = VS.receive(b, msgs[i]!)
            expect(r.error).toBeUndefined()
            b = r.replica
          }
          expect(ViewportState.equals(b.state, a.state)).toBe(true)
          expect(ViewportState.equals(joinAll(ViewportState.joinSemilattice, E, a.buffer), a.state)).toBe(true)
        },
      ),
      { numRuns: 300 },
    )
  })
})
