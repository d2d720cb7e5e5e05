import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { FieldBounds, HEADER_BYTES, RECORD_BYTES } from "../../src/Wire/Bounds.ts"
import {
  columnsOfElements,
  decode,
  decodeAtom,
  decodeBatch,
  decodeColumns,
  elementsOfColumns,
  encode,
  encodeBatch,
  encodeColumns,
  le16,
  le32,
  signed,
  twos,
  u16le,
  u32le,
} from "../../src/Wire/Codec.ts"
import { atomKind, atomPayload, type Element } from "../../src/Wire/Element.ts"
import type { WireError } from "../../src/Wire/Errors.ts"
import { elementArb, refBatch, refDecode, refEncode } from "./arbitraries.ts"

const u16 = fc.integer({ min: 0, max: 65535 })
const byte = fc.integer({ min: 0, max: 255 })
const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 })
const anyInt = fc.oneof(fc.integer(), fc.integer({ min: -(2 ** 40), max: 2 ** 40 }))
const ok = <A, E>(r: Result.Result<A, E>): A => {
  if (Result.isFailure(r)) throw new Error(`expected success, got ${String(r.failure)}`)
  return r.success
}
const err = <A, E>(r: Result.Result<A, E>): E => {
  if (Result.isSuccess(r)) throw new Error("expected a failure")
  return r.failure
}
const sample: Element = { atom: { _tag: "text", font: 3, size: 12 }, z: -2, viewport: 7, x: -160, y: 320, width: 100, height: 20, color: 0xff0000ff }

describe("byte helpers", () => {
  // @lean Hydrogen.Wire.le16_u16le
  it("le16_u16le: le16 (v % 256) (v / 256 % 256) = v for every v < 65536", () => {
    fc.assert(fc.property(u16, (v) => {
      const [b0, b1] = u16le(v)
      expect(le16(b0!, b1!)).toBe(v)
      expect(le16(v % 256, Math.floor(v / 256) % 256)).toBe(v)
    }))
  })

  // @lean Hydrogen.Wire.le32_u32le
  it("le32_u32le: le32 of the four little-endian bytes of v is v for every v < 4294967296", () => {
    fc.assert(fc.property(u32, (v) => {
      const [b0, b1, b2, b3] = u32le(v)
      expect(le32(b0!, b1!, b2!, b3!)).toBe(v)
      expect(u32le(v)).toEqual([v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24])
    }))
  })

  // @lean Hydrogen.Wire.signed_twos_16
  it("signed_twos_16: signed 16 (twos 16 x) = x for -32768 ≤ x < 32768", () => {
    fc.assert(fc.property(fc.integer({ min: -32768, max: 32767 }), (x) => {
      expect(signed(16, twos(16, x))).toBe(x)
      expect(twos(16, x)).toBe(new Uint16Array(Int16Array.of(x).buffer)[0]) // platform two's complement
    }))
  })

  // @lean Hydrogen.Wire.signed_twos_32
  it("signed_twos_32: signed 32 (twos 32 x) = x for -2147483648 ≤ x < 2147483648", () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (x) => {
      expect(signed(32, twos(32, x))).toBe(x)
      expect(twos(32, x)).toBe(x >>> 0)
    }))
  })

  // @lean Hydrogen.Wire.twos_lt_16
  it("twos_lt_16: twos 16 x < 65536 for every integer x", () => {
    fc.assert(fc.property(anyInt, (x) => {
      const t = twos(16, x)
      expect(t >= 0 && t < 65536 && Number.isInteger(t)).toBe(true)
    }))
  })

  // @lean Hydrogen.Wire.twos_lt_32
  it("twos_lt_32: twos 32 x < 4294967296 for every integer x", () => {
    fc.assert(fc.property(anyInt, (x) => {
      const t = twos(32, x)
      expect(t >= 0 && t < 2 ** 32 && Number.isInteger(t)).toBe(true)
    }))
  })

  // @lean Hydrogen.Wire.u16le_le16
  it("u16le_le16: u16le (le16 b0 b1) = [b0, b1] for bytes b0, b1 < 256", () => {
    fc.assert(fc.property(byte, byte, (b0, b1) => {
      expect(u16le(le16(b0, b1))).toEqual([b0, b1])
    }))
  })

  // @lean Hydrogen.Wire.u32le_le32
  it("u32le_le32: u32le (le32 b0 b1 b2 b3) = [b0, b1, b2, b3] for bytes < 256", () => {
    fc.assert(fc.property(byte, byte, byte, byte, (b0, b1, b2, b3) => {
      expect(u32le(le32(b0, b1, b2, b3))).toEqual([b0, b1, b2, b3])
    }))
  })

  // @lean Hydrogen.Wire.twos_signed_16
  it("twos_signed_16: twos 16 (signed 16 u) = u for every u < 65536", () => {
    fc.assert(fc.property(u16, (u) => twos(16, signed(16, u)) === u))
  })

  // @lean Hydrogen.Wire.twos_signed_32
  it("twos_signed_32: twos 32 (signed 32 u) = u for every u < 4294967296", () => {
    fc.assert(fc.property(u32, (u) => twos(32, signed(32, u)) === u))
  })

  // @lean Hydrogen.Wire.kind_payload_of_decodeAtom
  it("kind_payload_of_decodeAtom: for bytes p0..p3 < 256, decodeAtom k p0 p1 p2 p3 = some a implies a.kind = k and a.payload = [p0, p1, p2, p3]", () => {
    fc.assert(fc.property(fc.nat(6), byte, byte, fc.oneof(byte, fc.constant(0)), fc.oneof(byte, fc.constant(0)), (k, p0, p1, p2, p3) => {
      const a = decodeAtom(k, p0, p1, p2, p3)
      if (a !== null) {
        expect(atomKind(a)).toBe(k)
        expect(atomPayload(a)).toEqual([p0, p1, p2, p3])
      }
    }), { numRuns: 2000 })
  })

  it("decodeAtom: rect/path need zero padding, unknown kinds are none", () => {
    expect(decodeAtom(0, 5, 1, 0, 0)).toEqual({ _tag: "rect", cornerRadius: 261 })
    expect(decodeAtom(0, 5, 1, 1, 0)).toBeNull()
    expect(decodeAtom(1, 1, 0, 16, 0)).toEqual({ _tag: "text", font: 1, size: 16 })
    expect(decodeAtom(2, 1, 2, 3, 4)).toEqual({ _tag: "image", source: 0x04030201 })
    expect(decodeAtom(3, 2, 0, 0, 1)).toBeNull()
    expect(decodeAtom(4, 0, 0, 0, 0)).toBeNull()
  })
})

describe("one record", () => {
  // @lean Hydrogen.Wire.length_encode
  it("length_encode: (encode e).length = 28 for every Element", () => {
    fc.assert(fc.property(elementArb, (e) => encode(e).length === 28))
  })

  // @lean Hydrogen.Wire.encode
  it("encode is Lean's byte list (reference written from Element.lean), with the layout of the header table", () => {
    fc.assert(fc.property(elementArb, (e) => {
      expect(Array.from(encode(e))).toEqual(refEncode(e))
    }))
    expect(Array.from(encode(sample))).toEqual([
      1, 0, 0xfe, 0xff, 7, 0, 0, 0, 0x60, 0xff, 0xff, 0xff, 0x40, 1, 0, 0, 100, 0, 20, 0, 0xff, 0, 0, 0xff, 3, 0, 12, 0,
    ])
  })

  // @lean Hydrogen.Wire.decode_encode
  it("decode_encode: every valid Element decodes from its encoding (decode (encode e) = some e)", () => {
    fc.assert(fc.property(elementArb, (e) => {
      expect(ok(decode(encode(e)))).toEqual(e)
      expect(ok(decode(refEncode(e)))).toEqual(e)
    }), { numRuns: 2000 })
  })

  // @lean Hydrogen.Wire.encode_of_decode_eq_some
  it("encode_of_decode_eq_some: for every 28-byte list b, decode b = some e implies encode e = b (only canonical records decode)", () => {
    // Random bytes rarely decode, so also draw records with a plausible kind and
    // reserved byte, and valid records with one byte changed.
    const random = fc.array(byte, { minLength: 28, maxLength: 28 })
    const plausible = fc.tuple(random, fc.nat(3), fc.boolean()).map(([bs, k, pad]) => {
      const out = [...bs]
      out[0] = k
      out[1] = 0
      if (pad) { out[26] = 0; out[27] = 0 }
      return out
    })
    const near = fc.tuple(elementArb, fc.nat(27), byte).map(([e, i, b]) => {
      const bs = refEncode(e)
      bs[i] = b
      return bs
    })
    let decoded = 0
    fc.assert(fc.property(fc.oneof(random, plausible, near), (bs) => {
      const r = decode(bs)
      if (Result.isSuccess(r)) {
        decoded++
        expect(Array.from(encode(r.success))).toEqual(bs)
        expect(refEncode(r.success)).toEqual(bs)
      }
    }), { numRuns: 10000 })
    expect(decoded).toBeGreaterThan(1000)
  })

  // @lean Hydrogen.Wire.decode
  it("decode agrees with Lean's decode (reference) on arbitrary and near-valid 28-byte lists", () => {
    const near = fc.tuple(elementArb, fc.integer({ min: 0, max: 27 }), fc.integer({ min: 0, max: 255 })).map(([e, i, b]) => {
      const bs = refEncode(e)
      bs[i] = b
      return bs
    })
    const bytes = fc.oneof(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 28, maxLength: 28 }), near)
    fc.assert(fc.property(bytes, (bs) => {
      const want = refDecode(bs)
      const got = decode(Uint8Array.from(bs))
      if (want === null) expect(Result.isFailure(got)).toBe(true)
      else expect(ok(got)).toEqual(want)
    }), { numRuns: 5000 })
  })

  it("decode accepts exactly 28 bytes and names the problem and the byte", () => {
    expect(err(decode(encode(sample).subarray(0, 27)))).toMatchObject({ _tag: "Truncated", field: "record", offset: 0, needed: 28, available: 27 })
    expect(err(decode([...encode(sample), 0]))).toMatchObject({ _tag: "TrailingBytes", field: "record", offset: 28, count: 1 })
    const big = [...encode(sample)] as number[]
    big[5] = 256
    expect(err(decode(big))).toMatchObject({ _tag: "NotAByte", offset: 5, value: 256 })
    const bad = (i: number, v: number) => { const b = encode(sample); b[i] = v; return err(decode(b)) }
    expect(bad(1, 9)).toMatchObject({ _tag: "InvalidField", field: "reserved", index: 0, offset: 1, value: 9, expected: "0" })
    expect(bad(0, 4)).toMatchObject({ _tag: "InvalidField", field: "kind", value: 4, offset: 0 })
    expect(bad(26, 0)).toMatchObject({ _tag: "InvalidField", field: "atom.size", value: 0, offset: 26, expected: "an integer in 1..4096" })
    expect(bad(27, 0x10)).toMatchObject({ _tag: "InvalidField", field: "atom.size", value: 4096 + 12 })
    const r = encode({ ...sample, atom: { _tag: "rect", cornerRadius: 2 } })
    r[27] = 1
    const e = err(decode(r))
    expect(e).toMatchObject({ _tag: "InvalidField", field: "atom padding", offset: 27, value: 1 })
    expect(e.message).toContain("byte 27")
  })
})

describe("batches", () => {
  const elementsArb = fc.array(elementArb, { maxLength: 40 })

  it("encodeBatch is the header (HYEL, 1, 0, 0, count) followed by the reference records", () => {
    fc.assert(fc.property(elementsArb, (es) => {
      expect(encodeBatch(es)).toEqual(refBatch(0, es.length, es.flatMap(refEncode)))
    }))
  })

  it("decodeBatch (encodeBatch es) = es and decodeColumns gives the same Elements as columns", () => {
    fc.assert(fc.property(elementsArb, (es) => {
      const buf = encodeBatch(es)
      expect(ok(decodeBatch(buf))).toEqual(es)
      const cols = ok(decodeColumns(buf))
      expect(cols.count).toBe(es.length)
      expect(elementsOfColumns(cols)).toEqual(es)
      expect(encodeColumns(cols)).toEqual(buf)
      expect(encodeColumns(columnsOfElements(es))).toEqual(buf)
    }))
  })

  it("columns hold each field in its typed array, payload as the little-endian word of bytes 24–27", () => {
    const c = ok(decodeColumns(encodeBatch([sample])))
    expect([c.kind[0], c.z[0], c.viewport[0], c.x[0], c.y[0], c.width[0], c.height[0], c.color[0], c.payload[0]]).toEqual([
      1, -2, 7, -160, 320, 100, 20, 0xff0000ff, 3 + 12 * 65536,
    ])
  })

  it("batch decoders work on a subarray at an odd byte offset", () => {
    const es = [sample, { ...sample, atom: { _tag: "image", source: 2 ** 32 - 1 } } as Element]
    const b = encodeBatch(es)
    const host = new Uint8Array(b.length + 3)
    host.set(b, 3)
    const view = host.subarray(3)
    expect(ok(decodeBatch(view))).toEqual(es)
    expect(elementsOfColumns(ok(decodeColumns(view)))).toEqual(es)
  })

  it("header and length errors are typed and say where", () => {
    const good = encodeBatch([sample, sample])
    const edit = (i: number, v: number) => { const b = good.slice(); b[i] = v; return b }
    const decoders: ReadonlyArray<(b: Uint8Array) => Result.Result<unknown, WireError>> = [decodeBatch, decodeColumns]
    for (const dec of decoders) {
      expect(err(dec(good.subarray(0, 11)))).toMatchObject({ _tag: "Truncated", field: "batch header", offset: 0, needed: 12, available: 11 })
      expect(err(dec(edit(0, 0x58)))).toMatchObject({ _tag: "BadHeader", field: "magic", offset: 0, value: 0x58 })
      expect(err(dec(edit(2, 0x44)))).toMatchObject({ _tag: "BadHeader", field: "magic", offset: 2, value: 0x44 })
      expect(err(dec(edit(4, 2)))).toMatchObject({ _tag: "BadHeader", field: "version", offset: 4, value: 2 })
      expect(err(dec(edit(5, 1)))).toMatchObject({ _tag: "BadHeader", field: "payload kind", offset: 5, value: 1, expected: "0 (elements)" })
      expect(err(dec(edit(7, 1)))).toMatchObject({ _tag: "BadHeader", field: "reserved", offset: 7, value: 1 })
      expect(err(dec(good.subarray(0, good.length - 1)))).toMatchObject({ _tag: "Truncated", field: "record", index: 1, offset: HEADER_BYTES + RECORD_BYTES, needed: 28, available: 27 })
      expect(err(dec(Uint8Array.from([...good, 0])))).toMatchObject({ _tag: "TrailingBytes", offset: 68, count: 1 })
      expect(err(dec(edit(8, 255)))).toMatchObject({ _tag: "Truncated", index: 2 })
      expect(err(dec(edit(HEADER_BYTES + RECORD_BYTES + 1, 1)))).toMatchObject({ _tag: "InvalidField", field: "reserved", index: 1, offset: 41 })
    }
    expect(err(decodeColumns(edit(HEADER_BYTES + RECORD_BYTES, 9))).message).toBe("invalid kind in record 1 at byte 40: got 9, expected an integer in 0..3")
  })

  it("bounds in Bounds.ts are the ones the codec enforces at the edges (text size 1 and 4096 pass, 0 and 4097 fail)", () => {
    const at = (size: number) => decode(refEncode({ ...sample, atom: { _tag: "text", font: 0, size } }))
    expect(Result.isSuccess(at(FieldBounds["atom.size"].min))).toBe(true)
    expect(Result.isSuccess(at(FieldBounds["atom.size"].max))).toBe(true)
    expect(Result.isFailure(at(0))).toBe(true)
    expect(Result.isFailure(at(4097))).toBe(true)
  })
})

describe("byte helpers and padding at their edges (cases the random inputs rarely hit)", () => {
  it("signed turns the top half of the range negative from exactly 2^(bits-1); twos maps -0 to 0", () => {
    expect([signed(16, 32767), signed(16, 32768), signed(16, 65535), signed(16, 0)]).toEqual([32767, -32768, -1, 0])
    expect([signed(32, 2 ** 31 - 1), signed(32, 2 ** 31), signed(32, 2 ** 32 - 1)]).toEqual([2 ** 31 - 1, -(2 ** 31), -1])
    expect(Object.is(twos(16, -0), 0)).toBe(true)
    expect([twos(16, -1), twos(16, -32768), twos(32, -(2 ** 31))]).toEqual([65535, 32768, 2 ** 31])
  })

  it("decodeAtom reads each kind; rect and path need both padding bytes zero; kinds 4 and up are none", () => {
    expect(decodeAtom(0, 5, 1, 0, 0)).toEqual({ _tag: "rect", cornerRadius: 261 })
    expect(decodeAtom(1, 2, 0, 0, 16)).toEqual({ _tag: "text", font: 2, size: 4096 })
    expect(decodeAtom(2, 1, 2, 3, 4)).toEqual({ _tag: "image", source: 0x04030201 })
    expect(decodeAtom(3, 7, 0, 0, 0)).toEqual({ _tag: "path", stroke: 7 })
    for (const kind of [0, 3]) {
      expect(decodeAtom(kind, 7, 0, 1, 0)).toBeNull()
      expect(decodeAtom(kind, 7, 0, 0, 1)).toBeNull()
    }
    for (const kind of [4, 5, 255]) expect(decodeAtom(kind, 0, 0, 0, 0)).toBeNull()
  })

  it("a set padding byte of a rect or path record is reported at its offset in the batch (record 1: bytes 66 and 67)", () => {
    const rect: Element = { atom: { _tag: "rect", cornerRadius: 1 }, z: 0, viewport: 0, x: 0, y: 0, width: 1, height: 1, color: 0 }
    const path: Element = { ...rect, atom: { _tag: "path", stroke: 2 } }
    for (const second of [rect, path]) {
      for (const at of [26, 27]) {
        const b = encodeBatch([rect, second])
        b[HEADER_BYTES + RECORD_BYTES + at] = 3
        const e = { _tag: "InvalidField", index: 1, offset: HEADER_BYTES + RECORD_BYTES + at, field: "atom padding", value: 3, expected: "0" }
        expect(Result.isFailure(decodeBatch(b)) && decodeBatch(b)).toMatchObject({ failure: e })
        expect(Result.isFailure(decodeColumns(b)) && decodeColumns(b)).toMatchObject({ failure: e })
      }
    }
  })

  it("a list of numbers is decoded only if every entry is a byte; NotAByte names the first bad offset", () => {
    const good = Array.from(encode({ atom: { _tag: "rect", cornerRadius: 1 }, z: 0, viewport: 0, x: 0, y: 0, width: 1, height: 1, color: 0 }))
    expect(Result.isSuccess(decode(good))).toBe(true)
    for (const bad of [-1, 256, 1.5, Number.NaN, "7" as unknown as number]) {
      const b = [...good]
      b[9] = bad
      const r = decode(b)
      expect(Result.isFailure(r) && r.failure).toMatchObject({ _tag: "NotAByte", offset: 9 })
    }
  })

  it("a batch cut inside record i is Truncated at record i, offset 12 + 28·i", () => {
    const e: Element = { atom: { _tag: "image", source: 9 }, z: 0, viewport: 0, x: 0, y: 0, width: 1, height: 1, color: 0 }
    const full = encodeBatch([e, e, e])
    for (const [len, index] of [[HEADER_BYTES + 5, 0], [HEADER_BYTES + RECORD_BYTES + 1, 1], [full.length - 1, 2]] as const) {
      const r = decodeBatch(full.subarray(0, len))
      const offset = HEADER_BYTES + RECORD_BYTES * index
      expect(Result.isFailure(r) && r.failure).toMatchObject({ _tag: "Truncated", field: "record", index, offset, needed: RECORD_BYTES, available: len - offset })
    }
  })
})
