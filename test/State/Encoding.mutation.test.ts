// State encoding: every decoding failure names the field, the byte offset and
// what was expected (Encoding.ts, errors from src/Bytes/Errors.ts). The bytes
// below are written by hand from the layout in Encoding.ts' module comment:
// "HYST" · version 1 · type byte, then the body's varints.
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import type { DecodeError } from "../../src/State/Encoding.ts"
import { decodeAny, encodeAny, GCounterCodec, MAX_LENGTH, VectorClockCodec } from "../../src/State/Encoding.ts"

const errorOf = <A>(r: Result.Result<A, DecodeError>): DecodeError => {
  if (Result.isSuccess(r)) throw new Error("expected a decoding failure")
  return r.failure
}
/** Header of type byte `type`, then `body`. */
const state = (type: number, ...body: ReadonlyArray<number>): Uint8Array => Uint8Array.from([0x48, 0x59, 0x53, 0x54, 1, type, ...body])
const decode = (type: number, ...body: ReadonlyArray<number>) => errorOf(decodeAny(state(type, ...body)))
const truncated = (field: string, offset: number, needed = 1, available = 0) => ({ _tag: "Truncated", field, offset, needed, available })
// 2^53 − 1 as a minimal 8-byte LEB128 varint: seven groups of 7 one-bits, then 4 one-bits.
const MAX_SAFE_VARINT = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]
// 2^24 as a varint: 80 80 80 08.
const MAX_LENGTH_VARINT = [0x80, 0x80, 0x80, 0x08]

describe("state decoding names each list by its type and place", () => {
  it("an empty body is truncated at the first list's length, named by type", () => {
    expect(decode(1)).toMatchObject(truncated("GCounter length", 6))
    expect(decode(2)).toMatchObject(truncated("PNCounter.incs length", 6))
    expect(decode(2, 0, 0)).toMatchObject(truncated("PNCounter.decs length", 8))
    expect(decode(3)).toMatchObject(truncated("VectorClock length", 6))
    expect(decode(5)).toMatchObject(truncated("LWWMap length", 6))
    expect(decode(6)).toMatchObject(truncated("ORSet length", 6))
    expect(decode(7)).toMatchObject(truncated("ORMap length", 6))
  })

  it("a ViewportState's five parts in order: elements, positions, zOrder, animations, clock", () => {
    expect(decode(8)).toMatchObject(truncated("ORMap length", 6))
    expect(decode(8, 0, 0)).toMatchObject(truncated("positions length", 8))
    expect(decode(8, 0, 0, 0, 0)).toMatchObject(truncated("zOrder length", 10))
    expect(decode(8, 0, 0, 0, 0, 0, 0)).toMatchObject(truncated("ORSet length", 12))
    expect(decode(8, 0, 0, 0, 0, 0, 0, 0, 0)).toMatchObject(truncated("clock length", 14))
  })

  it("an LWWReg's timestamp, replica and value", () => {
    expect(decode(4)).toMatchObject(truncated("timestamp", 6))
    expect(decode(4, 1)).toMatchObject(truncated("replica", 7))
    expect(decode(4, 1, 2)).toMatchObject(truncated("value", 8))
  })
})

describe("sparse lists: count, entries, gaps", () => {
  it("a missing count", () => {
    expect(decode(1, 3)).toMatchObject(truncated("GCounter count", 7))
  })

  it("count entries need at least 2 bytes each before any is read", () => {
    // length 3, count 3, then 2 bytes: 6 needed
    expect(decode(1, 3, 3, 0, 1)).toMatchObject(truncated("GCounter entries", 8, 6, 2))
  })

  it("a non-minimal gap varint is an invalid gap", () => {
    expect(decode(1, 1, 1, 0x80, 0x00, 5)).toMatchObject({
      _tag: "InvalidField",
      field: "GCounter gap",
      offset: 8,
      expected: "a minimal varint (no trailing zero byte)",
    })
  })

  it("each InvalidField says what was expected", () => {
    expect(decode(1, 1, 2, 0, 1, 0, 1)).toMatchObject({ field: "GCounter count", value: 2, expected: "≤ the length 1" })
    expect(decode(1, 1, 1, 1, 5)).toMatchObject({ field: "GCounter gap", offset: 8, value: 1, expected: "an index < the length 1" })
    expect(decode(1, 1, 1, 0, 0)).toMatchObject({
      field: "GCounter entry",
      offset: 9,
      value: 0,
      expected: "a non-bot entry (bot entries are not written)",
    })
    expect(decode(1, 0x81, 0x80, 0x80, 0x08, 0)).toMatchObject({
      _tag: "InvalidField",
      field: "GCounter length",
      offset: 6,
      value: MAX_LENGTH + 1,
      expected: `≤ ${MAX_LENGTH}`,
    })
  })

  it("a length of exactly MAX_LENGTH = 2^24 is accepted by the decoder and the encoder; one more is refused by both", () => {
    const bytes = state(1, ...MAX_LENGTH_VARINT, 0)
    const r = GCounterCodec.decode(bytes)
    if (Result.isFailure(r)) throw new Error(r.failure.message)
    expect(r.success.counts.length).toBe(MAX_LENGTH)
    expect(r.success.counts.every((c) => c === 0)).toBe(true)
    expect(GCounterCodec.encode(r.success)).toEqual(bytes)
    expect(() => GCounterCodec.encode({ counts: new Array<number>(MAX_LENGTH + 1).fill(0) })).toThrow(
      new RangeError(`encode: list length ${MAX_LENGTH + 1} exceeds ${MAX_LENGTH}`),
    )
  })
})

describe("Bitsets and ORMap entries", () => {
  // ORSet [(added, removed)]: length 1 · count 1 · gap 0 · bitset added · bitset removed
  it("a missing removed-tag count", () => {
    expect(decode(6, 1, 1, 0, 0)).toMatchObject(truncated("tag count", 10))
  })

  it("count tags need at least one byte each before any is read", () => {
    expect(decode(6, 1, 1, 0, 5, 0, 0)).toMatchObject(truncated("tags", 10, 5, 2))
  })

  it("a non-minimal tag varint", () => {
    expect(decode(6, 1, 1, 0, 1, 0x80, 0x00, 0)).toMatchObject({ _tag: "InvalidField", field: "tag", offset: 10 })
  })

  it("a tag past 2^53 − 1 (2^53 − 1, then gap 0) is refused at the second tag", () => {
    const r = decode(6, 1, 1, 0, 2, ...MAX_SAFE_VARINT, 0, 0)
    expect(r).toMatchObject({ _tag: "InvalidField", field: "tag", offset: 18, value: 2 ** 53, expected: "a tag ≤ 2^53 − 1" })
    // the largest tag alone is accepted
    const ok = decodeAny(state(6, 1, 1, 0, 1, ...MAX_SAFE_VARINT, 0))
    expect(Result.isSuccess(ok) && ok.success.value).toEqual({ tags: [[[Number.MAX_SAFE_INTEGER], []]] })
  })

  it("an ORMap entry's value flag: missing, or neither 0 nor 1", () => {
    expect(decode(7, 1, 1, 0, 0, 0)).toMatchObject(truncated("value flag", 11))
    expect(decode(7, 1, 1, 0, 0, 0, 2)).toMatchObject({ _tag: "InvalidField", field: "value flag", offset: 11, value: 2, expected: "0 or 1" })
  })
})

describe("the header", () => {
  it("magic, type byte, and a codec given another type's bytes", () => {
    expect(errorOf(decodeAny(Uint8Array.from([0x48, 0x58])))).toMatchObject({
      _tag: "BadHeader",
      field: "magic",
      offset: 1,
      value: 0x58,
      expected: '"HYST" (48 59 53 54)',
    })
    expect(errorOf(decodeAny(Uint8Array.from([0x48, 0x59, 0x53, 0x54, 1])))).toMatchObject(truncated("type", 5))
    expect(decode(0, 0, 0)).toMatchObject({ _tag: "BadHeader", field: "type", offset: 5, value: 0, expected: "a type byte in 1..8" })
    expect(errorOf(GCounterCodec.decode(VectorClockCodec.encode({ ticks: [1] })))).toMatchObject({
      _tag: "BadHeader",
      field: "type",
      offset: 5,
      value: 3,
      expected: "1 (a GCounter)",
    })
    expect(errorOf(VectorClockCodec.decode(encodeAny({ type: "GCounter", value: { counts: [] } })))).toMatchObject({
      value: 1,
      expected: "3 (a VectorClock)",
    })
  })
})
