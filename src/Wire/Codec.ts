/**
 * The 28-byte little-endian Element record and the batch framing. Mirror of
 * `Hydrogen.Wire.encode` / `Hydrogen.Wire.decode` and their helpers.
 *
 * Record layout (byte offsets, see `lean/Hydrogen/Wire/Element.lean`):
 * 0 kind (0 rect, 1 text, 2 image, 3 path) · 1 reserved 0 · 2 z int16 ·
 * 4 viewport u32 · 8 x int32 · 12 y int32 · 16 width u16 · 18 height u16 ·
 * 20 color u32 · 24 payload (rect: radius u16, 0 u16; text: font u16, size u16;
 * image: source u32; path: stroke u16, 0 u16).
 *
 * Batch: a 12-byte header — magic `"HYEL"`, version u8 = 1, payload kind u8
 * (0 elements, 1 deltas), reserved u16 = 0, count u32 — then the records.
 *
 * Decoders never throw on bad input: they return a `Result` whose failure is a
 * typed `WireError` (the byte layer's errors, `src/Bytes/`) naming the field,
 * the record index and the byte offset. The header is read and written
 * through the byte layer; the 28-byte record is the hot path and keeps its
 * DataView loops, here and only here (this module is where its layout lives). They accept
 * exactly the canonical encodings of valid Elements: for a single record both
 * directions are Lean theorems (`decode_encode`, `encode_of_decode_eq_some`);
 * the batch header and column decoders are tested (fuzz), not proved.
 *
 * @module
 */
import * as Result from "effect/Result"
import {
  FieldBounds,
  HEADER_BYTES,
  Kind,
  KindBound,
  MAGIC,
  PayloadKind,
  RECORD_BYTES,
  showBound,
  TextSize,
  VERSION,
} from "./Bounds.ts"
import { catchFailure, fail, Reader } from "../Bytes/Reader.ts"
import { Writer } from "../Bytes/Writer.ts"
import type { Atom, Element } from "./Element.ts"
import { InvalidField, NotAByte, TrailingBytes, Truncated, type WireError } from "./Errors.ts"

// Lean's `List Nat` byte functions live in ListBytes.ts.
export { decodeAtom, le16, le32, signed, twos, u16le, u32le } from "./ListBytes.ts"

// ---------------------------------------------------------------------------
// One record

/**
 * Writes the record of `e` at byte `o` of `dv`. Total, like Lean's `encode`:
 * an out-of-bound field is written modulo its width (so only valid Elements
 * round-trip). Assumes the 28 bytes are zero (fresh buffers are), so the
 * reserved and padding bytes are not written.
 */
export const writeRecord = (dv: DataView, o: number, e: Element): void => {
  const a = e.atom
  dv.setInt16(o + 2, e.z, true)
  dv.setUint32(o + 4, e.viewport, true)
  dv.setInt32(o + 8, e.x, true)
  dv.setInt32(o + 12, e.y, true)
  dv.setUint16(o + 16, e.width, true)
  dv.setUint16(o + 18, e.height, true)
  dv.setUint32(o + 20, e.color, true)
  switch (a._tag) {
    case "rect":
      dv.setUint16(o + 24, a.cornerRadius, true)
      break
    case "text":
      dv.setUint8(o, Kind.text)
      dv.setUint16(o + 24, a.font, true)
      dv.setUint16(o + 26, a.size, true)
      break
    case "image":
      dv.setUint8(o, Kind.image)
      dv.setUint32(o + 24, a.source, true)
      break
    case "path":
      dv.setUint8(o, Kind.path)
      dv.setUint16(o + 24, a.stroke, true)
      break
  }
}

/**
 * The 28-byte record of an Element.
 *
 * @lean Hydrogen.Wire.encode
 */
export const encode = (e: Element): Uint8Array => {
  const out = new Uint8Array(RECORD_BYTES)
  writeRecord(new DataView(out.buffer), 0, e)
  return out
}

/**
 * Checks the bytes of record `index` at offset `o` that are not determined by
 * their width: reserved byte, kind, rect/path padding, text size. `null` when
 * the record is the canonical encoding of a valid Element.
 */
export const checkRecord = (u8: Uint8Array, o: number, index: number): WireError | null => {
  const r = u8[o + 1]!
  if (r !== 0) return new InvalidField({ index, offset: o + 1, field: "reserved", value: r, expected: "0" })
  const k = u8[o]!
  if (k > KindBound.max) {
    return new InvalidField({ index, offset: o, field: "kind", value: k, expected: showBound(KindBound) })
  }
  if (k === Kind.text) {
    const s = u8[o + 26]! + 256 * u8[o + 27]!
    if (s < TextSize.min || s > TextSize.max) {
      return new InvalidField({ index, offset: o + 26, field: "atom.size", value: s, expected: showBound(FieldBounds["atom.size"]) })
    }
  } else if (k !== Kind.image) {
    if (u8[o + 26] !== 0) return new InvalidField({ index, offset: o + 26, field: "atom padding", value: u8[o + 26]!, expected: "0" })
    if (u8[o + 27] !== 0) return new InvalidField({ index, offset: o + 27, field: "atom padding", value: u8[o + 27]!, expected: "0" })
  }
  return null
}

/** Reads the (already checked) record at offset `o`. */
export const readRecord = (dv: DataView, o: number): Element => {
  const k = dv.getUint8(o)
  const atom: Atom =
    k === Kind.rect
      ? { _tag: "rect", cornerRadius: dv.getUint16(o + 24, true) }
      : k === Kind.text
        ? { _tag: "text", font: dv.getUint16(o + 24, true), size: dv.getUint16(o + 26, true) }
        : k === Kind.image
          ? { _tag: "image", source: dv.getUint32(o + 24, true) }
          : { _tag: "path", stroke: dv.getUint16(o + 24, true) }
  return {
    atom,
    z: dv.getInt16(o + 2, true),
    viewport: dv.getUint32(o + 4, true),
    x: dv.getInt32(o + 8, true),
    y: dv.getInt32(o + 12, true),
    width: dv.getUint16(o + 16, true),
    height: dv.getUint16(o + 18, true),
    color: dv.getUint32(o + 20, true),
  }
}

const viewOf = (u8: Uint8Array): DataView => new DataView(u8.buffer, u8.byteOffset, u8.byteLength)

/** Bytes given either as a `Uint8Array` or as a list of numbers (Lean's `List Nat`): the latter must all be bytes. */
export type Bytes = Uint8Array | ReadonlyArray<number>

const toBytes = (bytes: Bytes): Result.Result<Uint8Array, NotAByte> => {
  if (bytes instanceof Uint8Array) return Result.succeed(bytes)
  const out = new Uint8Array(bytes.length)
  for (let i = 0; i < bytes.length; i++) {
    const b: unknown = bytes[i]
    if (typeof b !== "number" || !Number.isInteger(b) || b < 0 || b > 255) return Result.fail(new NotAByte({ offset: i, value: b }))
    out[i] = b
  }
  return Result.succeed(out)
}

/**
 * Accepts exactly 28 bytes that are the canonical encoding of a valid Element.
 *
 * @lean Hydrogen.Wire.decode
 */
export const decode = (bytes: Bytes): Result.Result<Element, WireError> => {
  const n = bytes.length
  if (n < RECORD_BYTES) return Result.fail(new Truncated({ field: "record", offset: 0, needed: RECORD_BYTES, available: n }))
  if (n > RECORD_BYTES) return Result.fail(new TrailingBytes({ field: "record", offset: RECORD_BYTES, count: n - RECORD_BYTES }))
  const b = toBytes(bytes)
  if (Result.isFailure(b)) return Result.fail(b.failure)
  const u8 = b.success
  const err = checkRecord(u8, 0, 0)
  return err === null ? Result.succeed(readRecord(viewOf(u8), 0)) : Result.fail(err)
}

// ---------------------------------------------------------------------------
// Batch framing

/** Writes the 12-byte batch header at the start of `out`. */
export const writeHeader = (out: Uint8Array, payloadKind: number, count: number): void => {
  const w = new Writer("writeHeader", out)
  w.bytes(MAGIC)
  w.u8(VERSION)
  w.u8(payloadKind)
  w.u16(0)
  w.u32(count)
}

const payloadName = (k: number): string => (k === PayloadKind.elements ? "0 (elements)" : "1 (deltas)")

/** Checks the batch header for the given payload kind; the record count, or the error. */
export const readHeader = (u8: Uint8Array, payloadKind: number): Result.Result<number, WireError> =>
  catchFailure<number, WireError>(() => {
    if (u8.length < HEADER_BYTES) fail(new Truncated({ field: "batch header", offset: 0, needed: HEADER_BYTES, available: u8.length }))
    const r = new Reader(u8)
    r.magic(MAGIC, '"HYEL" (48 59 45 4c)')
    r.header("version", VERSION)
    r.header("payload kind", payloadKind, payloadName(payloadKind))
    r.header("reserved", 0)
    r.header("reserved", 0)
    return r.u32("count")
  })

/** The element count of an elements batch after checking the header and the exact length. */
const elementsCount = (u8: Uint8Array): Result.Result<number, WireError> => {
  const h = readHeader(u8, PayloadKind.elements)
  if (Result.isFailure(h)) return h
  const count = h.success
  const expected = HEADER_BYTES + RECORD_BYTES * count
  if (u8.length < expected) {
    const index = Math.floor((u8.length - HEADER_BYTES) / RECORD_BYTES)
    const offset = HEADER_BYTES + RECORD_BYTES * index
    return Result.fail(new Truncated({ field: "record", index, offset, needed: RECORD_BYTES, available: u8.length - offset }))
  }
  if (u8.length > expected) return Result.fail(new TrailingBytes({ field: "elements batch", offset: expected, count: u8.length - expected }))
  return h
}

/** A batch of Elements: header (payload kind 0) then one record each, written into one buffer. */
export const encodeBatch = (elements: ReadonlyArray<Element>): Uint8Array => {
  const n = elements.length
  const out = new Uint8Array(HEADER_BYTES + RECORD_BYTES * n)
  const dv = new DataView(out.buffer)
  writeHeader(out, PayloadKind.elements, n)
  for (let i = 0, o = HEADER_BYTES; i < n; i++, o += RECORD_BYTES) writeRecord(dv, o, elements[i]!)
  return out
}

/** Decodes an elements batch into Element objects. */
export const decodeBatch = (buf: Uint8Array): Result.Result<Array<Element>, WireError> => {
  const c = elementsCount(buf)
  if (Result.isFailure(c)) return Result.fail(c.failure)
  const n = c.success
  const dv = viewOf(buf)
  const out: Array<Element> = new Array(n)
  for (let i = 0, o = HEADER_BYTES; i < n; i++, o += RECORD_BYTES) {
    const err = checkRecord(buf, o, i)
    if (err !== null) return Result.fail(err)
    out[i] = readRecord(dv, o)
  }
  return Result.succeed(out)
}

// ---------------------------------------------------------------------------
// Structure of arrays

/**
 * Elements as typed columns (structure of arrays), one entry per Element.
 * `payload` is the record's bytes 24–27 read as a little-endian u32 (so the
 * atom is `kind` + `payload`).
 */
export interface ElementColumns {
  readonly count: number
  readonly kind: Uint8Array
  readonly z: Int16Array
  readonly viewport: Uint32Array
  readonly x: Int32Array
  readonly y: Int32Array
  readonly width: Uint16Array
  readonly height: Uint16Array
  readonly color: Uint32Array
  readonly payload: Uint32Array
}

/** Zeroed columns for `count` Elements. */
export const allocColumns = (count: number): ElementColumns => ({
  count,
  kind: new Uint8Array(count),
  z: new Int16Array(count),
  viewport: new Uint32Array(count),
  x: new Int32Array(count),
  y: new Int32Array(count),
  width: new Uint16Array(count),
  height: new Uint16Array(count),
  color: new Uint32Array(count),
  payload: new Uint32Array(count),
})

/** The payload word of an atom (bytes 24–27 as a little-endian u32). */
export const atomPayloadWord = (a: Atom): number => {
  switch (a._tag) {
    case "rect":
      return a.cornerRadius & 0xffff
    case "text":
      return ((a.font & 0xffff) | ((a.size & 0xffff) << 16)) >>> 0
    case "image":
      return a.source >>> 0
    case "path":
      return a.stroke & 0xffff
  }
}

/** The atom of a kind code and payload word (assumed checked). */
export const atomOfWord = (kind: number, payload: number): Atom =>
  kind === Kind.rect
    ? { _tag: "rect", cornerRadius: payload & 0xffff }
    : kind === Kind.text
      ? { _tag: "text", font: payload & 0xffff, size: payload >>> 16 }
      : kind === Kind.image
        ? { _tag: "image", source: payload }
        : { _tag: "path", stroke: payload & 0xffff }

/** Writes Element `e` into row `i` of the columns. */
export const setColumnsRow = (c: ElementColumns, i: number, e: Element): void => {
  c.kind[i] = Kind[e.atom._tag]
  c.payload[i] = atomPayloadWord(e.atom)
  c.z[i] = e.z
  c.viewport[i] = e.viewport
  c.x[i] = e.x
  c.y[i] = e.y
  c.width[i] = e.width
  c.height[i] = e.height
  c.color[i] = e.color
}

/** Row `i` of the columns as an Element. */
export const columnsRow = (c: ElementColumns, i: number): Element => ({
  atom: atomOfWord(c.kind[i]!, c.payload[i]!),
  z: c.z[i]!,
  viewport: c.viewport[i]!,
  x: c.x[i]!,
  y: c.y[i]!,
  width: c.width[i]!,
  height: c.height[i]!,
  color: c.color[i]!,
})

/** Columns holding the given Elements. */
export const columnsOfElements = (elements: ReadonlyArray<Element>): ElementColumns => {
  const c = allocColumns(elements.length)
  for (let i = 0; i < elements.length; i++) setColumnsRow(c, i, elements[i]!)
  return c
}

/** The Elements held in the columns. */
export const elementsOfColumns = (c: ElementColumns): Array<Element> => {
  const out: Array<Element> = new Array(c.count)
  for (let i = 0; i < c.count; i++) out[i] = columnsRow(c, i)
  return out
}

/** An elements batch from columns (the inverse of `decodeColumns`). */
export const encodeColumns = (c: ElementColumns): Uint8Array => {
  const n = c.count
  const out = new Uint8Array(HEADER_BYTES + RECORD_BYTES * n)
  const dv = new DataView(out.buffer)
  writeHeader(out, PayloadKind.elements, n)
  const { kind, z, viewport, x, y, width, height, color, payload } = c
  for (let i = 0, o = HEADER_BYTES; i < n; i++, o += RECORD_BYTES) {
    dv.setUint8(o, kind[i]!)
    dv.setInt16(o + 2, z[i]!, true)
    dv.setUint32(o + 4, viewport[i]!, true)
    dv.setInt32(o + 8, x[i]!, true)
    dv.setInt32(o + 12, y[i]!, true)
    dv.setUint16(o + 16, width[i]!, true)
    dv.setUint16(o + 18, height[i]!, true)
    dv.setUint32(o + 20, color[i]!, true)
    dv.setUint32(o + 24, payload[i]!, true)
  }
  return out
}

/** Whether a record with kind byte `k`, reserved byte `r` and payload word `p` is canonical and valid. */
const recordOk = (k: number, r: number, p: number): boolean =>
  r === 0 &&
  (k === Kind.image ||
    (k === Kind.text ? p >>> 16 >= TextSize.min && p >>> 16 <= TextSize.max : (k === Kind.rect || k === Kind.path) && p >>> 16 === 0))

/**
 * Decodes an elements batch straight into typed columns, validating every
 * record (no per-Element objects): one plain loop over a `DataView`, any
 * alignment. (Reading aligned records as 32-bit words measured no faster.)
 */
export const decodeColumns = (buf: Uint8Array): Result.Result<ElementColumns, WireError> => {
  const cnt = elementsCount(buf)
  if (Result.isFailure(cnt)) return Result.fail(cnt.failure)
  const n = cnt.success
  const c = allocColumns(n)
  const err = fillColumns(buf, n, c)
  return err === null ? Result.succeed(c) : Result.fail(err)
}

/** Fills the columns through a `DataView`: the error of the first bad record, or `null`. */
const fillColumns = (buf: Uint8Array, n: number, c: ElementColumns): WireError | null => {
  const { kind, z, viewport, x, y, width, height, color, payload } = c
  const dv = viewOf(buf)
  for (let i = 0, o = HEADER_BYTES; i < n; i++, o += RECORD_BYTES) {
    const k = buf[o]!
    const p = dv.getUint32(o + 24, true)
    if (!recordOk(k, buf[o + 1]!, p)) return checkRecord(buf, o, i)
    kind[i] = k
    payload[i] = p
    z[i] = dv.getInt16(o + 2, true)
    viewport[i] = dv.getUint32(o + 4, true)
    x[i] = dv.getInt32(o + 8, true)
    y[i] = dv.getInt32(o + 12, true)
    width[i] = dv.getUint16(o + 16, true)
    height[i] = dv.getUint16(o + 18, true)
    color[i] = dv.getUint32(o + 20, true)
  }
  return null
}
