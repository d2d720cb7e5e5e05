// Sync and Store behaviour the mutation run found untested: the buffer
// window (SYNC.md: at most `window` intervals; a peer behind them gets the
// full state), the RangeErrors of bad ids and empty intervals, and the error
// values' messages, which name what failed and where.
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { GCounter } from "../../src/State/Counter.ts"
import { GCounterCodec } from "../../src/State/Encoding.ts"
import { BadRecord, CorruptRecord, StoreIoError, TornTail, ioError } from "../../src/State/Store.ts"
import { BadPayload, ChecksumMismatch, decodeMessage, encodeMessage, makeSync, Misaddressed, seqOf, UnknownSequence } from "../../src/State/Sync.ts"

describe("sync buffer window", () => {
  it("keeps at most `window` intervals when a known peer never acknowledges; that peer then gets the full state", () => {
    const S = makeSync(GCounter.joinSemilattice, GCounterCodec, { window: 2 })
    let a = S.init(0)
    // interval i holds increment i; sealing by deltasFor(a, 1) makes peer 1 known (acked 0) but it never acks
    for (let i = 0; i < 3; i++) {
      a = S.update(a, GCounter.incDelta(0, a.state))
      if (i === 1) {
        // two intervals, within the window: peer 1 still gets a delta from 0
        const m = decodeMessage(GCounterCodec, S.deltasFor(a, 1).message!)
        expect(Result.getOrThrow(m)).toMatchObject({ kind: "delta", from: 0, to: 2 })
      }
      a = S.deltasFor(a, 1).replica
    }
    expect(seqOf(a)).toBe(3)
    expect(a.buffer.length).toBe(2)
    expect(a.base).toBe(1)
    expect(a.buffer.map((d) => d.counts)).toEqual([[2], [3]])
    const m = Result.getOrThrow(decodeMessage(GCounterCodec, S.deltasFor(a, 1).message!))
    expect(m).toMatchObject({ kind: "state", to: 3, payload: { counts: [3] } })
  })

  it("bad ids, windows and empty delta intervals are RangeErrors naming them", () => {
    const S = makeSync(GCounter.joinSemilattice, GCounterCodec)
    expect(() => S.init(-1)).toThrow(new RangeError("sync: replica id must be a non-negative safe integer, got -1"))
    expect(() => S.deltasFor(S.init(0), 0.5)).toThrow(new RangeError("sync: peer id must be a non-negative safe integer, got 0.5"))
    expect(() => makeSync(GCounter.joinSemilattice, GCounterCodec, { window: 1.5 })).toThrow(
      new RangeError("sync: window must be a positive integer, got 1.5"),
    )
    expect(() =>
      encodeMessage(GCounterCodec, { kind: "delta", sender: 0, receiver: 1, from: 3, to: 3, payload: GCounter.empty }),
    ).toThrow(new RangeError("sync: delta interval [3, 3) is empty"))
  })
})

describe("error messages name what failed and where", () => {
  it("sync errors", () => {
    expect(new ChecksumMismatch({ expected: 0xab, actual: 0xcd }).message).toBe("sync message checksum mismatch: trailer says ab, bytes give cd")
    expect(new Misaddressed({ sender: 1, receiver: 2, self: 3 }).message).toBe("sync message from 1 to 2 delivered to replica 3")
    expect(new UnknownSequence({ peer: 4, seq: 9, current: 7 }).message).toBe("peer 4 acknowledged sequence number 9, beyond this replica's 7")
    const inner = new ChecksumMismatch({ expected: 1, actual: 2 })
    expect(new BadPayload({ offset: 12, error: inner as never }).message).toBe(`bad sync payload at byte 12: ${inner.message}`)
  })

  it("store errors", () => {
    expect(new CorruptRecord({ where: "log", offset: 40, part: "body", expected: 0xff, actual: 0x10 }).message).toBe(
      "corrupt body of the record at byte 40 of log: checksum says ff, bytes give 10",
    )
    expect(new BadRecord({ where: "log", offset: 8, reason: "unknown record kind 9" }).message).toBe("bad record at byte 8 of log: unknown record kind 9")
    expect(new TornTail({ where: "log", offset: 100, dropped: 3 }).message).toBe("torn tail in log: 3 byte(s) of an incomplete record at byte 100 dropped")
    expect(new StoreIoError({ where: "f", operation: "append", detail: "EIO" }).message).toBe("store f: append failed: EIO")
    expect(ioError("f", "read")(new Error("boom"))).toMatchObject({ _tag: "StoreIoError", where: "f", operation: "read", detail: "boom" })
    expect(ioError("f", "read")("plain")).toMatchObject({ detail: "plain" })
  })
})
