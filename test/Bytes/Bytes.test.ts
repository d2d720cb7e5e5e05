// The byte layer (src/Bytes/): one writer, one reader, one set of decode
// errors. Layouts are checked against the platform's DataView (little-endian
// setters) and hand-written LEB128 vectors, not against the layer's own output.
import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { BadHeader, type ByteError, byteErrorTags, InvalidField, TrailingBytes, Truncated } from "../../src/Bytes/Errors.ts"
import { catchFailure, decodeWith, f64At, fail, i16At, i32At, Reader, u16At, u32At } from "../../src/Bytes/Reader.ts"
import { Writer } from "../../src/Bytes/Writer.ts"

type Op =
  | { readonly op: "u8" | "u16" | "u32" | "i16" | "i32" | "f64" | "varint"; readonly v: number }
  | { readonly op: "bytes"; readonly v: Uint8Array }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("u8" as const), v: fc.nat(0xff) }),
  fc.record({ op: fc.constant("u16" as const), v: fc.nat(0xffff) }),
  fc.record({ op: fc.constant("u32" as const), v: fc.nat(0xffffffff) }),
  fc.record({ op: fc.constant("i16" as const), v: fc.integer({ min: -0x8000, max: 0x7fff }) }),
  fc.record({ op: fc.constant("i32" as const), v: fc.integer({ min: -0x80000000, max: 0x7fffffff }) }),
  fc.record({ op: fc.constant("f64" as const), v: fc.double() }),
  fc.record({ op: fc.constant("varint" as const), v: fc.oneof(fc.nat(300), fc.maxSafeNat()) }),
  fc.record({ op: fc.constant("bytes" as const), v: fc.uint8Array({ maxLength: 9 }) }),
)

/** What DataView (the reference) writes for one op, little-endian. */
const reference = (o: Op): Array<number> => {
  if (o.op === "bytes") return [...o.v]
  if (o.op === "varint") return [] // checked by the hand-written vectors below
  const size = { u8: 1, u16: 2, u32: 4, i16: 2, i32: 4, f64: 8 }[o.op]
  const dv = new DataView(new ArrayBuffer(size))
  if (o.op === "u8") dv.setUint8(0, o.v)
  else if (o.op === "u16") dv.setUint16(0, o.v, true)
  else if (o.op === "u32") dv.setUint32(0, o.v, true)
  else if (o.op === "i16") dv.setInt16(0, o.v, true)
  else if (o.op === "i32") dv.setInt32(0, o.v, true)
  else dv.setFloat64(0, o.v, true)
  return [...new Uint8Array(dv.buffer)]
}

const put = (w: Writer, o: Op): void => {
  if (o.op === "bytes") w.bytes(o.v)
  else w[o.op](o.v)
}
const take = (r: Reader, o: Op): number | Uint8Array => (o.op === "bytes" ? r.take(o.v.length, "bytes") : r[o.op](o.op))

const failure = <A>(r: Result.Result<A, ByteError>): ByteError => {
  if (Result.isSuccess(r)) throw new Error("expected a decode failure")
  return r.failure
}
const read = <A>(bytes: ReadonlyArray<number>, f: (r: Reader) => A) => decodeWith(Uint8Array.from(bytes), 0, f)

describe("byte layer", () => {
  it("the writer lays out integers and doubles exactly as DataView's little-endian setters", () => {
    fc.assert(
      fc.property(fc.array(opArb.filter((o) => o.op !== "varint"), { maxLength: 12 }), (ops) => {
        const w = new Writer("test")
        for (const o of ops) put(w, o)
        expect([...w.result()]).toEqual(ops.flatMap(reference))
      }),
      { numRuns: 1000 },
    )
  })

  it("minimal LEB128 varints: hand-written vectors, and the writer refuses what is not a safe natural", () => {
    const vectors: ReadonlyArray<readonly [number, ReadonlyArray<number>]> = [
      [0, [0x00]],
      [1, [0x01]],
      [127, [0x7f]],
      [128, [0x80, 0x01]],
      [300, [0xac, 0x02]],
      [2 ** 53 - 1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]],
    ]
    for (const [v, bytes] of vectors) {
      const w = new Writer("test")
      w.varint(v)
      expect([...w.result()]).toEqual(bytes)
      expect(Result.getOrThrow(read(bytes, (r) => r.varint("v")))).toBe(v)
    }
    for (const bad of [-1, 0.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new Writer("test").varint(bad, "n")).toThrow(RangeError)
    }
  })

  it("round trip: what the writer writes, the reader reads back, ending exactly at the end", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 16 }), fc.nat(5), (ops, lead) => {
        const w = new Writer("test")
        for (let i = 0; i < lead; i++) w.u8(0xee) // reads at a non-zero offset
        for (const o of ops) put(w, o)
        const got = decodeWith(w.result(), lead, (r) => {
          const out = ops.map((o) => take(r, o))
          r.done("value")
          return out
        })
        expect(Result.isSuccess(got)).toBe(true)
        if (Result.isSuccess(got)) {
          got.success.forEach((v, i) => {
            const o = ops[i]!
            if (o.op === "bytes") expect([...(v as Uint8Array)]).toEqual([...o.v])
            else expect(Number.isNaN(o.v) ? Number.isNaN(v) : Object.is(v, o.v)).toBe(true)
          })
        }
      }),
      { numRuns: 1000 },
    )
  })

  it("the absolute readers agree with DataView on any offset of a subarray", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 9, maxLength: 24 }), fc.nat(3), (raw, cut) => {
        const b = raw.subarray(cut)
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
        for (let o = 0; o + 8 <= b.length; o++) {
          expect(u16At(b, o)).toBe(dv.getUint16(o, true))
          expect(i16At(b, o)).toBe(dv.getInt16(o, true))
          expect(u32At(b, o)).toBe(dv.getUint32(o, true))
          expect(i32At(b, o)).toBe(dv.getInt32(o, true))
          const want = dv.getFloat64(o, true)
          expect(Number.isNaN(want) ? Number.isNaN(f64At(b, o)) : Object.is(f64At(b, o), want)).toBe(true)
        }
      }),
      { numRuns: 300 },
    )
  })

  it("Truncated names the field, the offset, the bytes needed and those available", () => {
    const e = failure(read([1, 2, 3], (r) => (r.u8("kind"), r.u32("count"))))
    expect(e).toBeInstanceOf(Truncated)
    expect(e).toMatchObject({ _tag: "Truncated", field: "count", offset: 1, needed: 4, available: 2 })
    expect(e.message).toBe("truncated count: 4 bytes needed at byte 1, only 2 available")
    // a reader's end is a bound even when the array holds more bytes
    const bounded = catchFailure<number, ByteError>(() => new Reader(Uint8Array.of(9, 9, 9, 9), 1, 3).u32("x"))
    expect(failure(bounded)).toMatchObject({ _tag: "Truncated", field: "x", offset: 1, needed: 4, available: 2 })
    expect(failure(read([0x80, 0x80], (r) => r.varint("length")))).toMatchObject({ _tag: "Truncated", field: "length", offset: 2, needed: 1, available: 0 })
  })

  it("InvalidField names the field, offset, value and bound (non-minimal, too large or too long varints; a reserved byte)", () => {
    expect(failure(read([5, 0x80, 0x00], (r) => (r.u8("a"), r.varint("gap"))))).toMatchObject({
      _tag: "InvalidField", field: "gap", offset: 1, value: 0, expected: "a minimal varint (no trailing zero byte)",
    })
    const big = failure(read([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x10], (r) => r.varint("timestamp")))
    expect(big).toMatchObject({ _tag: "InvalidField", field: "timestamp", offset: 0, value: 2 ** 53 + 2 ** 49 - 1, expected: "a varint ≤ 2^53 − 1" })
    expect(failure(read([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], (r) => r.varint("n")))).toMatchObject({
      _tag: "InvalidField", field: "n", offset: 0, expected: "a varint of at most 8 bytes",
    })
    const z = failure(read([0, 7], (r) => (r.zero("reserved"), r.zero("reserved"))))
    expect(z).toBeInstanceOf(InvalidField)
    expect(z).toMatchObject({ field: "reserved", offset: 1, value: 7, expected: "0" })
    expect(new InvalidField({ field: "kind", offset: 40, value: 9, expected: "0..3", index: 1 }).message).toBe("invalid kind in record 1 at byte 40: got 9, expected 0..3")
    expect(new InvalidField({ field: "epoch", offset: 16, value: 9, expected: "≤ 3", kind: "Down" }).message).toBe("invalid epoch of Down at byte 16: got 9, expected ≤ 3")
  })

  it("TrailingBytes names where the value ends and how many bytes follow", () => {
    const e = failure(read([1, 2, 3, 4, 5], (r) => (r.u16("a"), r.u8("b"), r.done("policy"))))
    expect(e).toBeInstanceOf(TrailingBytes)
    expect(e).toMatchObject({ _tag: "TrailingBytes", field: "policy", offset: 3, count: 2 })
    expect(e.message).toBe("2 trailing byte(s) after the policy, from byte 3")
  })

  it("BadHeader names the header field, its offset and the byte found (magic, version, any byte a format fixes)", () => {
    const e = failure(read([0x48, 0x58, 1], (r) => r.magic([0x48, 0x54], '"HT"')))
    expect(e).toBeInstanceOf(BadHeader)
    expect(e).toMatchObject({ field: "magic", offset: 1, value: 0x58, expected: '"HT"' })
    expect(e.message).toBe('bad header magic at byte 1: got 88, expected "HT"')
    expect(failure(read([0x48, 0x54, 2], (r) => (r.magic([0x48, 0x54], '"HT"'), r.header("version", 1))))).toMatchObject({
      _tag: "BadHeader", field: "version", offset: 2, value: 2, expected: "1",
    })
    expect(failure(read([0x48], (r) => r.magic([0x48, 0x54], '"HT"')))).toMatchObject({ _tag: "Truncated", field: "magic", offset: 1 })
    // a codec's own header check, through fail, comes back as the same value
    const own = failure(read([7], (r) => fail(new BadHeader({ field: "type", offset: r.pos, value: 7, expected: "1..3" }))))
    expect(own).toMatchObject({ _tag: "BadHeader", field: "type", offset: 0, value: 7 })
  })

  it("a fixed writer refuses to grow past its buffer; a growable one grows and keeps what it wrote", () => {
    const w = new Writer("fixed", new Uint8Array(3))
    w.u16(0x0102)
    expect(() => w.u16(3)).toThrow(RangeError)
    const g = new Writer("growable")
    for (let i = 0; i < 100; i++) g.u32(i)
    const r = new Reader(g.result())
    for (let i = 0; i < 100; i++) expect(r.u32("i")).toBe(i)
    g.reset()
    g.u8(7)
    expect([...g.result()]).toEqual([7])
  })

  it("an exception that is not a decode failure (a bug) is not swallowed", () => {
    expect(() => decodeWith(Uint8Array.of(1), 0, () => { throw new TypeError("bug") })).toThrow(TypeError)
  })

  it("fuzz: arbitrary bytes under arbitrary read programs never throw; every failure is a typed error inside the buffer", () => {
    const programArb = fc.array(opArb, { minLength: 1, maxLength: 10 })
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), programArb, fc.boolean(), (bytes, program, strict) => {
        const r = decodeWith(bytes, 0, (rd) => {
          for (const o of program) take(rd, o)
          if (strict) rd.done("value")
        })
        if (Result.isFailure(r)) {
          const e = r.failure
          expect(byteErrorTags).toContain(e._tag)
          expect(e.offset).toBeGreaterThanOrEqual(0)
          expect(e.offset).toBeLessThanOrEqual(bytes.length)
          expect(e.message).toContain(`byte ${e.offset}`)
          if (e._tag === "Truncated") expect(e.available).toBeLessThan(e.needed)
        }
      }),
      { numRuns: 5000 },
    )
  })
})
