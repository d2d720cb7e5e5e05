// Sync replicas at the protocol's edges (SYNC.md): the buffer after every
// interval was collected, persistence of the old replica, collection when a
// peer's acknowledgement is behind the window, and what a known peer is.
// Each test makes its own protocol value (makeSync inside the test).
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { GCounter } from "../../src/State/Counter.ts"
import { GCounterCodec } from "../../src/State/Encoding.ts"
import { decodeMessage, encodeMessage, makeSync, pairCodec, seqOf } from "../../src/State/Sync.ts"

const inc = (c: GCounter): GCounter => GCounter.incDelta(0, c)
const ack = (sender: number, receiver: number, seq: number) => encodeMessage(GCounterCodec, { kind: "ack", sender, receiver, seq })
const message = (bytes: Uint8Array | undefined) => Result.getOrThrow(decodeMessage(GCounterCodec, bytes!))

describe("sync replica edges", () => {
  it("a window of 1 is allowed; 0 is not", () => {
    expect(makeSync(GCounter.joinSemilattice, GCounterCodec, { window: 1 }).window).toBe(1)
    expect(() => makeSync(GCounter.joinSemilattice, GCounterCodec, { window: 0 })).toThrow(new RangeError("sync: window must be a positive integer, got 0"))
  })

  it("update leaves the replica it was given unchanged (the open interval is copied, not joined in place)", () => {
    const S = makeSync(GCounter.joinSemilattice, GCounterCodec)
    const r1 = S.update(S.init(0), inc(GCounter.empty))
    const r2 = S.update(r1, GCounter.incDelta(0, r1.state))
    expect(r1.buffer).toEqual([{ counts: [1] }])
    expect(r2.buffer).toEqual([{ counts: [2] }])
    expect(seqOf(r2)).toBe(1)
  })

  it("after a peer acknowledged every interval, the next update opens a new interval", () => {
    const S = makeSync(GCounter.joinSemilattice, GCounterCodec)
    let r = S.update(S.init(0), inc(GCounter.empty))
    r = S.receive(r, ack(1, 0, 1)).replica
    expect({ base: r.base, buffer: r.buffer }).toEqual({ base: 1, buffer: [] })
    r = S.update(r, inc(r.state))
    expect({ base: r.base, buffer: r.buffer, seq: seqOf(r) }).toEqual({ base: 1, buffer: [{ counts: [2] }], seq: 2 })
  })

  it("a delta joins every interval from the peer's acknowledgement, also past the window's base", () => {
    const S = makeSync(GCounter.joinSemilattice, GCounterCodec, { window: 3 })
    let r = S.init(0)
    for (let i = 0; i < 4; i++) r = S.deltasFor(S.update(r, inc(r.state)), 1).replica
    // 4 intervals, window 3: interval 0 dropped, base 1; peer 2 acknowledged interval 0 only
    r = S.receive(r, ack(2, 0, 1)).replica
    expect({ base: r.base, seq: seqOf(r) }).toEqual({ base: 1, seq: 4 })
    const m = message(S.deltasFor(r, 2).message)
    expect(m).toEqual({ kind: "delta", sender: 0, receiver: 2, from: 1, to: 4, payload: { counts: [4] } })
    // peer 1 (acknowledged nothing, behind the base) gets the full state
    expect(message(S.deltasFor(r, 1).message)).toMatchObject({ kind: "state", to: 4, payload: { counts: [4] } })
  })

  it("intervals are collected up to the lowest acknowledgement of the known peers, and never when it is behind the base", () => {
    const S = makeSync(GCounter.joinSemilattice, GCounterCodec, { window: 2 })
    let r = S.init(0)
    for (let i = 0; i < 3; i++) r = S.deltasFor(S.deltasFor(S.update(r, inc(r.state)), 1).replica, 2).replica
    expect({ base: r.base, seq: seqOf(r) }).toEqual({ base: 1, seq: 3 })
    // peer 2 at 3, peer 1 still at 0 (behind the base 1): nothing is collected
    const behind = S.receive(r, ack(2, 0, 3)).replica
    expect({ base: behind.base, buffer: behind.buffer.length, seq: seqOf(behind) }).toEqual({ base: 1, buffer: 2, seq: 3 })
    // peer 1 at 2 as well: the lowest is 2, interval 1 is collected
    const some = S.receive(behind, ack(1, 0, 2)).replica
    expect({ base: some.base, buffer: some.buffer, seq: seqOf(some) }).toEqual({ base: 2, buffer: [{ counts: [3] }], seq: 3 })
  })

  it("deltasFor a peer that acknowledged everything: no message, the interval sealed, the peer known", () => {
    const S = makeSync(GCounter.joinSemilattice, GCounterCodec)
    const r = S.receive(S.update(S.init(0), inc(GCounter.empty)), ack(1, 0, 1)).replica
    const out = S.deltasFor(r, 1)
    expect(out.message).toBeUndefined()
    expect(out.replica.open).toBe(false)
    expect(out.replica.acked.get(1)).toBe(1)
  })

  it("an acknowledgement of 0 from a new peer makes it known", () => {
    const S = makeSync(GCounter.joinSemilattice, GCounterCodec)
    const r = S.receive(S.init(0), ack(3, 0, 0)).replica
    expect([...r.acked]).toEqual([[3, 0]])
  })

  it("a rejected message counts, is kept as the last error, and changes nothing else", () => {
    const S = makeSync(GCounter.joinSemilattice, GCounterCodec)
    const r = S.update(S.init(2), inc(GCounter.empty))
    const out = S.receive(r, ack(1, 3, 0))
    expect(out.error).toMatchObject({ _tag: "Misaddressed", sender: 1, receiver: 3, self: 2 })
    expect(out.reply).toBeUndefined()
    expect(out.replica).toEqual({ ...r, rejected: 1, lastError: out.error })
  })
})

describe("sync encoding errors", () => {
  it("encodeMessage names the codec in the RangeError of a field that is not a natural number", () => {
    expect(() => ack(-1, 0, 0)).toThrow(new RangeError("sync: value must be a non-negative safe integer, got -1"))
  })

  it("pairCodec fails when its first component does not decode, even if the second does", () => {
    const P = pairCodec(GCounterCodec, GCounterCodec)
    const second = GCounterCodec.encode({ counts: [5] })
    const r = P.decode(Uint8Array.from([2, 0x48, 0x58, ...second]))
    expect(Result.isFailure(r) && r.failure).toMatchObject({ _tag: "BadHeader", field: "magic", offset: 1 })
  })
})
