// Store record decoding: a record whose checksums hold but whose content is
// not a valid record is a `BadRecord` naming the log, the byte offset and the
// reason (Store.ts). The layout is the module's: u32 length, kind byte, CRC-32
// of those 5 bytes, body, CRC-32 of the body (little-endian). The records
// below are framed by hand from that layout, not by `encodeRecord`.
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { GCounterCodec } from "../../src/State/Encoding.ts"
import { decodeRecord, encodeRecord } from "../../src/State/Store.ts"
import { crc32 } from "../../src/State/Sync.ts"

const u32 = (v: number): Array<number> => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]
const frame = (kind: number, body: ReadonlyArray<number>): Uint8Array => {
  const head = [...u32(body.length), kind]
  return Uint8Array.from([...head, ...u32(crc32(Uint8Array.from(head))), ...body, ...u32(crc32(Uint8Array.from(body)))])
}
/** `rec` after `pad` bytes of an earlier record, decoded at its offset. */
const at = (pad: number, rec: Uint8Array) => {
  const bytes = new Uint8Array(pad + rec.length)
  bytes.set(rec, pad)
  return decodeRecord(GCounterCodec, bytes, pad, "log-a")
}
const failure = (r: ReturnType<typeof at>) => (Result.isFailure(r) ? r.failure : undefined)

describe("decodeRecord: BadRecord names the log, the offset and the reason", () => {
  it("an unknown kind", () => {
    expect(failure(at(3, frame(9, [])))).toMatchObject({ _tag: "BadRecord", where: "log-a", offset: 3, reason: "unknown record kind 9" })
  })
  it("a snapshot body shorter than its 8-byte reservation", () => {
    expect(failure(at(0, frame(2, [0, 0, 0, 0, 0])))).toMatchObject({ _tag: "BadRecord", offset: 0, reason: "body of 5 byte(s) is shorter than 8" })
  })
  it("a reserve body that is not 8 bytes", () => {
    expect(failure(at(5, frame(3, [1, 2, 3, 4, 5, 6, 7])))).toMatchObject({ _tag: "BadRecord", offset: 5, reason: "reserve body has 7 byte(s), not 8" })
    expect(failure(at(0, frame(3, new Array(9).fill(0))))).toMatchObject({ reason: "reserve body has 9 byte(s), not 8" })
  })
  it("a payload the state codec rejects: the reason quotes the codec's error, kept as the cause", () => {
    // a GCounter body needs at least a length and a count varint; one 0x80 byte is an unfinished varint
    const r = failure(at(2, frame(1, [0x80])))
    expect(r).toMatchObject({ _tag: "BadRecord", where: "log-a", offset: 2 })
    const bad = r as { reason: string; cause?: { message: string } }
    expect(bad.cause).toBeDefined()
    expect(bad.reason).toBe(`payload rejected: ${bad.cause!.message}`)
    const s = failure(at(0, frame(2, [0, 0, 0, 0, 0, 0, 0, 0, 0x80])))
    expect(s).toMatchObject({ _tag: "BadRecord" })
    expect((s as { reason: string }).reason.startsWith("payload rejected: ")).toBe(true)
  })
  it("a snapshot and a reserve record carry their 64-bit reservation (low word, then high word)", () => {
    const r = at(0, frame(3, [...u32(5), ...u32(1)]))
    expect(Result.getOrThrow(r)).toMatchObject({ kind: "record", record: { kind: "reserve", reserved: 2 ** 32 + 5 } })
    const s = at(0, frame(2, [...u32(7), ...u32(0), ...GCounterCodec.encode({ counts: [] })]))
    expect(Result.getOrThrow(s)).toMatchObject({ kind: "record", record: { kind: "snapshot", reserved: 7, state: { counts: [] } } })
  })
  it("encodeRecord refuses a reservation that is not a natural number, naming it", () => {
    expect(() => encodeRecord(GCounterCodec, { kind: "reserve", reserved: -1 })).toThrow(
      new RangeError("store: reserved sequence number must be a non-negative safe integer, got -1"),
    )
    expect(() => encodeRecord(GCounterCodec, { kind: "snapshot", reserved: 0.5, state: { counts: [] } })).toThrow(RangeError)
  })
})
