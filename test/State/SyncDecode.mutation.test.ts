// Sync message decoding: each failure names its field, absolute byte offset
// and what was expected (SYNC.md's frame: "HYSY" · version 1 · kind ·
// varint body length · body · CRC-32 little-endian of everything before it).
// Frames are built by hand here; only the checksum is computed (crc32).
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { GCounter } from "../../src/State/Counter.ts"
import { GCounterCodec } from "../../src/State/Encoding.ts"
import { crc32, decodeMessage, encodeMessage, makeSync, pairCodec, type SyncError } from "../../src/State/Sync.ts"

const HEAD = [0x48, 0x59, 0x53, 0x59, 1]
const le32 = (c: number): Array<number> => [c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24]
/** A frame of `kind` around `body` with a correct checksum. */
const frame = (kind: number, body: ReadonlyArray<number>): Uint8Array => {
  const head = [...HEAD, kind, body.length, ...body]
  return Uint8Array.from([...head, ...le32(crc32(Uint8Array.from(head)))])
}
const errorOf = (bytes: Uint8Array): SyncError => {
  const r = decodeMessage(GCounterCodec, bytes)
  if (Result.isSuccess(r)) throw new Error("expected a rejection")
  return r.failure
}
const truncated = (field: string, offset: number, needed = 1, available = 0) => ({ _tag: "Truncated", field, offset, needed, available })
// GCounter [2] as state bytes: header, length 1, count 1, gap 0, entry 2
const PAYLOAD = [0x48, 0x59, 0x53, 0x54, 1, 1, 1, 1, 0, 2]

describe("decodeMessage: the frame", () => {
  it("magic and kind", () => {
    expect(errorOf(Uint8Array.from([0x48, 0x59, 0x53, 0x5a]))).toMatchObject({
      _tag: "BadHeader",
      field: "magic",
      offset: 3,
      expected: '"HYSY" (48 59 53 59)',
    })
    expect(errorOf(Uint8Array.from(HEAD))).toMatchObject(truncated("kind", 5))
    for (const k of [0, 4]) {
      expect(errorOf(frame(k, [0, 1, 0]))).toMatchObject({ _tag: "BadHeader", field: "kind", offset: 5, value: k, expected: "1 (delta), 2 (state) or 3 (ack)" })
    }
    expect(Result.getOrThrow(decodeMessage(GCounterCodec, frame(3, [0, 1, 0])))).toEqual({ kind: "ack", sender: 0, receiver: 1, seq: 0 })
  })

  it("body length, then the body and checksum it announces", () => {
    expect(errorOf(Uint8Array.from([...HEAD, 3]))).toMatchObject(truncated("body length", 6))
    expect(errorOf(Uint8Array.from([...HEAD, 3, 5, 0, 1]))).toMatchObject(truncated("body and checksum", 7, 9, 2))
    const good = frame(3, [0, 1, 0])
    expect(errorOf(Uint8Array.from([...good, 7, 7]))).toMatchObject({ _tag: "TrailingBytes", field: "sync message", offset: good.length, count: 2 })
  })

  it("a checksum mismatch gives the trailer's value and the bytes' own", () => {
    const good = frame(3, [0, 1, 0])
    const bad = good.slice()
    bad[bad.length - 4]! ^= 0xff
    const actual = crc32(good.subarray(0, good.length - 4))
    expect(errorOf(bad)).toMatchObject({ _tag: "ChecksumMismatch", expected: (actual ^ 0xff) >>> 0, actual })
  })
})

describe("decodeMessage: the body's fields", () => {
  it("each missing field is named, at its absolute offset", () => {
    expect(errorOf(frame(3, []))).toMatchObject(truncated("sender", 7))
    expect(errorOf(frame(3, [0]))).toMatchObject(truncated("receiver", 8))
    expect(errorOf(frame(3, [0, 1]))).toMatchObject(truncated("seq", 9))
    expect(errorOf(frame(1, [0, 1]))).toMatchObject(truncated("from", 9))
    expect(errorOf(frame(1, [0, 1, 2]))).toMatchObject(truncated("to", 10))
    expect(errorOf(frame(2, [0, 1]))).toMatchObject(truncated("to", 9))
  })

  it("a delta's interval must be non-empty: to > from", () => {
    for (const to of [5, 4]) {
      expect(errorOf(frame(1, [0, 1, 5, to, ...PAYLOAD]))).toMatchObject({
        _tag: "InvalidField",
        field: "to",
        offset: 10,
        value: to,
        expected: "> from (5): the interval [from, to) is not empty",
      })
    }
    expect(Result.getOrThrow(decodeMessage(GCounterCodec, frame(1, [0, 1, 5, 6, ...PAYLOAD])))).toEqual({
      kind: "delta",
      sender: 0,
      receiver: 1,
      from: 5,
      to: 6,
      payload: { counts: [2] },
    })
  })

  it("an ack body ends after seq", () => {
    expect(errorOf(frame(3, [0, 1, 0, 9]))).toMatchObject({ _tag: "TrailingBytes", field: "ack body", offset: 10, count: 1 })
  })

  it("a payload the codec rejects is BadPayload at the payload's first byte", () => {
    // state: sender 0, receiver 1, to 1, then a GCounter cut inside its one entry (offsets inside the payload are its own)
    expect(errorOf(frame(2, [0, 1, 1, ...PAYLOAD.slice(0, -1)]))).toMatchObject({
      _tag: "BadPayload",
      offset: 10,
      error: { _tag: "Truncated", field: "GCounter entries", offset: 8, needed: 2, available: 1 },
    })
    expect(errorOf(frame(1, [0, 1, 0, 1, ...PAYLOAD.slice(0, -1)]))).toMatchObject({ _tag: "BadPayload", offset: 11 })
  })
})

describe("receive: misaddressed and unknown acknowledgements", () => {
  const S = makeSync(GCounter.joinSemilattice, GCounterCodec)
  const ack = (sender: number, receiver: number, seq: number) => encodeMessage(GCounterCodec, { kind: "ack", sender, receiver, seq })

  it("Misaddressed names sender, receiver and this replica; a message from itself is misaddressed too", () => {
    const r = S.init(2)
    expect(S.receive(r, ack(1, 3, 0)).error).toMatchObject({ _tag: "Misaddressed", sender: 1, receiver: 3, self: 2 })
    expect(S.receive(r, ack(2, 2, 0)).error).toMatchObject({ _tag: "Misaddressed", sender: 2, receiver: 2, self: 2 })
    expect(S.receive(r, ack(1, 2, 0)).error).toBeUndefined()
  })

  it("an ack beyond this replica's sequence number is UnknownSequence; at it, it is accepted and remembered", () => {
    let r = S.init(0)
    r = S.update(r, GCounter.incDelta(0, r.state))
    r = S.update(S.deltasFor(r, 1).replica, GCounter.incDelta(0, r.state))
    // seq is now 2
    const bad = S.receive(r, ack(1, 0, 3))
    expect(bad.error).toMatchObject({ _tag: "UnknownSequence", peer: 1, seq: 3, current: 2 })
    expect(bad.replica.rejected).toBe(1)
    const ok = S.receive(r, ack(1, 0, 2))
    expect(ok.error).toBeUndefined()
    expect(ok.replica.acked.get(1)).toBe(2)
    // an older ack afterwards does not lower what peer 1 acknowledged
    expect(S.receive(ok.replica, ack(1, 0, 1)).replica.acked.get(1)).toBe(2)
  })
})

describe("pairCodec", () => {
  const P = pairCodec(GCounterCodec, GCounterCodec)
  it("round-trips, and names the first component's length when it is cut", () => {
    const v = [{ counts: [1] }, { counts: [0, 3] }] as const
    expect(Result.getOrThrow(P.decode(P.encode(v)))).toEqual(v)
    const r = P.decode(Uint8Array.from([3, 0x48]))
    expect(Result.isFailure(r) && r.failure).toMatchObject({ _tag: "Truncated", field: "pair first component", offset: 1, needed: 3, available: 1 })
    const e = P.decode(Uint8Array.from([]))
    expect(Result.isFailure(e) && e.failure).toMatchObject({ _tag: "Truncated", field: "pair length", offset: 0 })
  })
})
