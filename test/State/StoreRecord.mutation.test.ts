// Store records at their edges: a reservation of 0, a header of exactly 9
// bytes, a snapshot body of exactly its 8-byte reservation, which part of a
// record a checksum failure is in, and a delta record read back as a delta.
// Frames are laid out by hand (u32 length, kind byte, CRC-32 of those 5
// bytes, body, CRC-32 of the body; little-endian); only the checksums are computed.
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { GCounterCodec } from "../../src/State/Encoding.ts"
import { decodeRecord, encodeRecord } from "../../src/State/Store.ts"
import { crc32 } from "../../src/State/Sync.ts"

const u32 = (v: number): Array<number> => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]
const frame = (kind: number, body: ReadonlyArray<number>): Array<number> => {
  const head = [...u32(body.length), kind]
  return [...head, ...u32(crc32(Uint8Array.from(head))), ...body, ...u32(crc32(Uint8Array.from(body)))]
}
const decode = (bytes: ReadonlyArray<number>, offset = 0) => decodeRecord(GCounterCodec, Uint8Array.from(bytes), offset, "log-b")
const EMPTY_GCOUNTER = [0x48, 0x59, 0x53, 0x54, 1, 1, 0, 0]

describe("store records at their edges", () => {
  it("a reservation of 0 is a natural number: encoded, and read back", () => {
    const bytes = encodeRecord(GCounterCodec, { kind: "reserve", reserved: 0 })
    expect(Array.from(bytes)).toEqual(frame(3, [0, 0, 0, 0, 0, 0, 0, 0]))
    expect(Result.getOrThrow(decode(Array.from(bytes)))).toEqual({ kind: "record", record: { kind: "reserve", reserved: 0 }, next: 21 })
  })

  it("a delta record decodes as a delta", () => {
    expect(Result.getOrThrow(decode(frame(1, EMPTY_GCOUNTER)))).toEqual({
      kind: "record",
      record: { kind: "delta", payload: { counts: [] } },
      next: 9 + EMPTY_GCOUNTER.length + 4,
    })
  })

  it("a complete 9-byte header whose checksum fails is a corrupt header, not an incomplete record", () => {
    const h = frame(1, EMPTY_GCOUNTER).slice(0, 9)
    h[5]! ^= 1
    const r = decode([7, ...h], 1)
    expect(Result.isFailure(r) && r.failure).toMatchObject({ _tag: "CorruptRecord", where: "log-b", offset: 1, part: "header" })
    // 8 bytes of a header: incomplete
    expect(Result.getOrThrow(decode(h.slice(0, 8)))).toEqual({ kind: "incomplete" })
  })

  it("a body checksum failure names the body part", () => {
    const f = frame(1, EMPTY_GCOUNTER)
    f[9]! ^= 1
    const r = decode(f)
    expect(Result.isFailure(r) && r.failure).toMatchObject({ _tag: "CorruptRecord", offset: 0, part: "body" })
  })

  it("a snapshot body of exactly 8 bytes is long enough for its reservation; its empty state is what the codec rejects", () => {
    const r = decode(frame(2, [1, 0, 0, 0, 0, 0, 0, 0]))
    expect(Result.isFailure(r) && r.failure).toMatchObject({ _tag: "BadRecord", offset: 0 })
    expect(Result.isFailure(r) && r.failure._tag === "BadRecord" && r.failure.reason.startsWith("payload rejected: ")).toBe(true)
    const short = decode(frame(2, [1, 0, 0, 0, 0, 0, 0]))
    expect(Result.isFailure(short) && short.failure).toMatchObject({ _tag: "BadRecord", reason: "body of 7 byte(s) is shorter than 8" })
  })
})
