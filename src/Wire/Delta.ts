/**
 * Element deltas: which fields changed and their new values. Mirror of
 * `Hydrogen.Wire.Delta`, `diff`, `apply` and `applyAll`; plus their byte form
 * and the column (render-path) application.
 *
 * Delta bytes: a batch header (payload kind 1, count = number of records),
 * then per record: element index u32, field mask u8 (bit 0 atom [kind u8 +
 * payload 4 bytes], 1 z [2], 2 viewport [4], 3 x [4], 4 y [4], 5 width [2],
 * 6 height [2], 7 color [4]), then the changed fields' bytes in bit order,
 * encoded as in the Element record. A position-only delta is 4 + 1 + 8 = 13
 * bytes. A mask of 0 (no change) is allowed. The record layout is Lean's
 * `encodeDeltaRecord` (checked by vectors); that decoding accepts exactly the
 * canonical encodings of deltas with valid values is tested, not proved.
 * Encoding and decoding go through the byte layer (`src/Bytes/`); applying
 * checked bytes to columns is the render path and keeps one DataView loop.
 *
 * @module
 */
import * as Result from "effect/Result"
import { OutOfDomain, requireInt, requireNat } from "../Aggregate/Domain.ts"
import { FieldBounds, HEADER_BYTES, Kind, KindBound, PayloadKind, showBound, TextSize } from "./Bounds.ts"
import { catchFailure, fail, Reader } from "../Bytes/Reader.ts"
import { Writer } from "../Bytes/Writer.ts"
import { atomOfWord, atomPayloadWord, type ElementColumns, readHeader, writeHeader } from "./Codec.ts"
import { type Atom, atomEquals, type Element } from "./Element.ts"
import { IndexOutOfRange, InvalidField, TrailingBytes, Truncated, type WireError } from "./Errors.ts"

/**
 * Per-field changes; an absent field (Lean's `none`) is unchanged.
 *
 * @lean Hydrogen.Wire.Delta
 */
export interface Delta {
  readonly atom?: Atom
  readonly z?: number
  readonly viewport?: number
  readonly x?: number
  readonly y?: number
  readonly width?: number
  readonly height?: number
  readonly color?: number
}

/** The numeric fields of an Element and a Delta, in mask-bit order after `atom`. */
export const numericFields = ["z", "viewport", "x", "y", "width", "height", "color"] as const

/**
 * The delta that changes nothing.
 *
 * @lean Hydrogen.Wire.Delta.unchanged
 */
export const unchanged: Delta = {}

/**
 * `new` when the field changed, else `undefined` (Lean's `none`). `equals`
 * is the type's decidable equality (`===` by default).
 *
 * @lean Hydrogen.Wire.changed
 */
export const changed = <A>(old: A, next: A, equals: (a: A, b: A) => boolean = (a, b) => a === b): A | undefined =>
  equals(old, next) ? undefined : next

/**
 * The changes from `old` to `next`: exactly the fields that differ.
 *
 * @lean Hydrogen.Wire.diff
 */
export const diff = (old: Element, next: Element): Delta => {
  const d: { -readonly [K in keyof Delta]: Delta[K] } = {}
  if (!atomEquals(old.atom, next.atom)) d.atom = next.atom
  if (old.z !== next.z) d.z = next.z
  if (old.viewport !== next.viewport) d.viewport = next.viewport
  if (old.x !== next.x) d.x = next.x
  if (old.y !== next.y) d.y = next.y
  if (old.width !== next.width) d.width = next.width
  if (old.height !== next.height) d.height = next.height
  if (old.color !== next.color) d.color = next.color
  return d
}

/**
 * Override the changed fields.
 *
 * @lean Hydrogen.Wire.apply
 */
export const apply = (e: Element, d: Delta): Element => ({
  atom: d.atom ?? e.atom,
  z: d.z ?? e.z,
  viewport: d.viewport ?? e.viewport,
  x: d.x ?? e.x,
  y: d.y ?? e.y,
  width: d.width ?? e.width,
  height: d.height ?? e.height,
  color: d.color ?? e.color,
})

/**
 * Apply several deltas in order (a left fold).
 *
 * @lean Hydrogen.Wire.applyAll
 */
export const applyAll = (e: Element, ds: ReadonlyArray<Delta>): Element => ds.reduce(apply, e)

/** Structural equality of deltas (Lean's derived `DecidableEq`). */
export const deltaEquals = (a: Delta, b: Delta): boolean =>
  (a.atom === undefined ? b.atom === undefined : b.atom !== undefined && atomEquals(a.atom, b.atom)) &&
  numericFields.every((f) => a[f] === b[f])

// ---------------------------------------------------------------------------
// Bytes

/** A delta addressed to the Element at `index` of a batch. */
export interface IndexedDelta {
  readonly index: number
  readonly delta: Delta
}

/** Mask bits, in field order. */
export const MaskBit = { atom: 1, z: 2, viewport: 4, x: 8, y: 16, width: 32, height: 64, color: 128 } as const

/** Bytes of each field's value, in mask-bit order. */
const FIELD_BYTES = [5, 2, 4, 4, 4, 2, 2, 4] as const

/** Bytes of a record's field values for each of the 256 masks. */
const VALUE_BYTES: Uint8Array = (() => {
  const t = new Uint8Array(256)
  for (let m = 0; m < 256; m++) {
    let s = 0
    for (let b = 0; b < 8; b++) if (m & (1 << b)) s += FIELD_BYTES[b]!
    t[m] = s
  }
  return t
})()

/** Index (u32) and mask (u8) of a delta record. */
export const DELTA_RECORD_PREFIX = 5

/**
 * The field mask of a delta: bit `i` set exactly when field `i` changed.
 *
 * @lean Hydrogen.Wire.Delta.mask
 */
export const maskOf = (d: Delta): number =>
  (d.atom !== undefined ? 1 : 0) | (d.z !== undefined ? 2 : 0) | (d.viewport !== undefined ? 4 : 0) |
  (d.x !== undefined ? 8 : 0) | (d.y !== undefined ? 16 : 0) | (d.width !== undefined ? 32 : 0) |
  (d.height !== undefined ? 64 : 0) | (d.color !== undefined ? 128 : 0)

/** Bytes of one delta record. */
export const deltaRecordBytes = (d: Delta): number => DELTA_RECORD_PREFIX + VALUE_BYTES[maskOf(d)]!

/**
 * Checks that every number of an indexed delta is in Lean's domain (the index
 * and the `Nat` fields non-negative safe integers, `z`/`x`/`y` safe integers);
 * throws `OutOfDomain` naming the delta and field otherwise.
 */
const checkDelta = (j: number, { index, delta: d }: IndexedDelta): void => {
  const where = `encodeDeltas[${j}]`
  requireNat(where, "index", index)
  const a = d.atom
  if (a !== undefined) {
    if (a._tag === "rect") requireNat(where, "atom.cornerRadius", a.cornerRadius)
    else if (a._tag === "text") (requireNat(where, "atom.font", a.font), requireNat(where, "atom.size", a.size))
    else if (a._tag === "image") requireNat(where, "atom.source", a.source)
    else if (a._tag === "path") requireNat(where, "atom.stroke", a.stroke)
    else throw new OutOfDomain({ where, field: "atom._tag", value: (a as { _tag: unknown })._tag, domain: "Nat" })
  }
  if (d.z !== undefined) requireInt(where, "z", d.z)
  if (d.viewport !== undefined) requireNat(where, "viewport", d.viewport)
  if (d.x !== undefined) requireInt(where, "x", d.x)
  if (d.y !== undefined) requireInt(where, "y", d.y)
  if (d.width !== undefined) requireNat(where, "width", d.width)
  if (d.height !== undefined) requireNat(where, "height", d.height)
  if (d.color !== undefined) requireNat(where, "color", d.color)
}

/**
 * A deltas batch (payload kind 1): the header, then `encodeDeltaRecord` of
 * each delta. Total like Lean's `encode` on its domain: integral values out of
 * their bounds are written modulo their width (two's complement for z, x, y),
 * so only valid deltas round-trip. Numbers outside Lean's domain (NaN,
 * ±Infinity, fractions, non-safe integers, negative `Nat` fields or index),
 * which DataView would silently truncate to some other value, throw
 * `OutOfDomain`; the check is one pass over the batch before any byte is
 * written.
 */
export const encodeDeltas = (deltas: ReadonlyArray<IndexedDelta>): Uint8Array => {
  let size = HEADER_BYTES
  for (let j = 0; j < deltas.length; j++) checkDelta(j, deltas[j]!)
  for (const { delta } of deltas) size += deltaRecordBytes(delta)
  const out = new Uint8Array(size)
  writeHeader(out, PayloadKind.deltas, deltas.length)
  const w = new Writer("encodeDeltas", out)
  w.len = HEADER_BYTES
  for (const { index, delta: d } of deltas) {
    w.u32(index)
    w.u8(maskOf(d))
    if (d.atom !== undefined) {
      w.u8(Kind[d.atom._tag])
      w.u32(atomPayloadWord(d.atom))
    }
    if (d.z !== undefined) w.i16(d.z)
    if (d.viewport !== undefined) w.u32(d.viewport)
    if (d.x !== undefined) w.i32(d.x)
    if (d.y !== undefined) w.i32(d.y)
    if (d.width !== undefined) w.u16(d.width)
    if (d.height !== undefined) w.u16(d.height)
    if (d.color !== undefined) w.u32(d.color)
  }
  return out
}

/**
 * One delta record's bytes: index (u32 LE), mask byte, the changed fields in
 * mask-bit order (as `encodeDeltas` writes each record after the header).
 * Throws `OutOfDomain` as `encodeDeltas` does.
 *
 * @lean Hydrogen.Wire.encodeDeltaRecord
 * @lean Hydrogen.Wire.Delta.fieldBytes
 */
export const encodeDeltaRecord = (index: number, delta: Delta): Uint8Array =>
  encodeDeltas([{ index, delta }]).subarray(HEADER_BYTES)

/** Checks the atom value (kind byte, payload word) of delta record `i` at the reader's position; fails on a bad one. */
const checkAtom = (r: Reader, i: number): void => {
  const o = r.pos
  const k = r.bytes[o]!
  if (k > KindBound.max) fail(new InvalidField({ index: i, offset: o, field: "atom.kind", value: k, expected: showBound(KindBound) }))
  const hi = r.bytes[o + 3]! + 256 * r.bytes[o + 4]!
  if (k === Kind.text) {
    if (hi < TextSize.min || hi > TextSize.max) {
      fail(new InvalidField({ index: i, offset: o + 3, field: "atom.size", value: hi, expected: showBound(FieldBounds["atom.size"]) }))
    }
  } else if (k !== Kind.image && hi !== 0) {
    const off = r.bytes[o + 3] !== 0 ? o + 3 : o + 4
    fail(new InvalidField({ index: i, offset: off, field: "atom padding", value: r.bytes[off]!, expected: "0" }))
  }
}

/**
 * Walks a deltas batch, checking everything; calls `visit(r, i, index,
 * mask)` for each record with the reader at its values (the visitor may read
 * them, or fail). The record count, or the first error.
 */
const scanDeltas = <E>(
  u8: Uint8Array,
  visit: (r: Reader, i: number, index: number, mask: number) => void,
): Result.Result<number, WireError | E> => {
  const h = readHeader(u8, PayloadKind.deltas)
  if (Result.isFailure(h)) return Result.fail(h.failure)
  const n = h.success
  return catchFailure<number, WireError | E>(() => {
    const r = new Reader(u8, HEADER_BYTES)
    for (let i = 0; i < n; i++) {
      if (r.remaining() < DELTA_RECORD_PREFIX) {
        fail(new Truncated({ field: "delta record", index: i, offset: r.pos, needed: DELTA_RECORD_PREFIX, available: r.remaining() }))
      }
      const index = r.u32("index")
      const mask = r.u8("mask")
      const v = r.pos
      const need = VALUE_BYTES[mask]!
      if (r.remaining() < need) fail(new Truncated({ field: "delta values", index: i, offset: v, needed: need, available: r.remaining() }))
      if (mask & MaskBit.atom) checkAtom(r, i)
      visit(r, i, index, mask)
      r.pos = v + need
    }
    if (r.pos !== u8.length) fail(new TrailingBytes({ field: "deltas batch", offset: r.pos, count: u8.length - r.pos }))
    return n
  })
}

const viewOf = (u8: Uint8Array): DataView => new DataView(u8.buffer, u8.byteOffset, u8.byteLength)

/** Decodes a deltas batch into `{ index, delta }` records. */
export const decodeDeltas = (buf: Uint8Array): Result.Result<Array<IndexedDelta>, WireError> => {
  const out: Array<IndexedDelta> = []
  const r = scanDeltas<never>(buf, (r, _i, index, mask) => {
    const d: { -readonly [K in keyof Delta]: Delta[K] } = {}
    if (mask & MaskBit.atom) {
      const kind = r.u8("atom.kind")
      d.atom = atomOfWord(kind, r.u32("atom payload"))
    }
    if (mask & MaskBit.z) d.z = r.i16("z")
    if (mask & MaskBit.viewport) d.viewport = r.u32("viewport")
    if (mask & MaskBit.x) d.x = r.i32("x")
    if (mask & MaskBit.y) d.y = r.i32("y")
    if (mask & MaskBit.width) d.width = r.u16("width")
    if (mask & MaskBit.height) d.height = r.u16("height")
    if (mask & MaskBit.color) d.color = r.u32("color")
    out.push({ index, delta: d })
  })
  return Result.isFailure(r) ? Result.fail(r.failure) : Result.succeed(out)
}

/**
 * Applies deltas to columns in place, in order (`apply` per row). All indices
 * are checked first, so on error nothing is written. The deltas' values are
 * assumed valid (as `decodeDeltas` returns them).
 */
export const applyDeltasToColumns = (
  c: ElementColumns,
  deltas: ReadonlyArray<IndexedDelta>,
): Result.Result<void, IndexOutOfRange> => {
  for (let j = 0; j < deltas.length; j++) {
    const index = deltas[j]!.index
    if (!(Number.isInteger(index) && index >= 0 && index < c.count)) {
      return Result.fail(new IndexOutOfRange({ delta: j, index, count: c.count }))
    }
  }
  for (const { index: i, delta: d } of deltas) {
    if (d.atom !== undefined) (c.kind[i] = Kind[d.atom._tag]), (c.payload[i] = atomPayloadWord(d.atom))
    if (d.z !== undefined) c.z[i] = d.z
    if (d.viewport !== undefined) c.viewport[i] = d.viewport
    if (d.x !== undefined) c.x[i] = d.x
    if (d.y !== undefined) c.y[i] = d.y
    if (d.width !== undefined) c.width[i] = d.width
    if (d.height !== undefined) c.height[i] = d.height
    if (d.color !== undefined) c.color[i] = d.color
  }
  return Result.succeed(undefined)
}

/**
 * Applies a deltas batch (bytes) straight to columns, in place, without
 * building delta objects. The whole buffer is checked first (as
 * `decodeDeltas`, plus every index < `c.count`), so on error nothing is written.
 */
export const applyDeltaBytesToColumns = (c: ElementColumns, buf: Uint8Array): Result.Result<number, WireError | IndexOutOfRange> => {
  const checked = scanDeltas<IndexOutOfRange>(buf, (_r, i, index) => {
    if (index >= c.count) fail(new IndexOutOfRange({ delta: i, index, count: c.count }))
  })
  if (Result.isFailure(checked)) return Result.fail(checked.failure)
  const dv = viewOf(buf)
  const { kind, payload, z, viewport, x, y, width, height, color } = c
  let o = HEADER_BYTES
  for (let j = 0; j < checked.success; j++) {
    const i = dv.getUint32(o, true)
    const mask = buf[o + 4]!
    o += DELTA_RECORD_PREFIX
    if (mask & MaskBit.atom) (kind[i] = buf[o]!), (payload[i] = dv.getUint32(o + 1, true)), (o += 5)
    if (mask & MaskBit.z) (z[i] = dv.getInt16(o, true)), (o += 2)
    if (mask & MaskBit.viewport) (viewport[i] = dv.getUint32(o, true)), (o += 4)
    if (mask & MaskBit.x) (x[i] = dv.getInt32(o, true)), (o += 4)
    if (mask & MaskBit.y) (y[i] = dv.getInt32(o, true)), (o += 4)
    if (mask & MaskBit.width) (width[i] = dv.getUint16(o, true)), (o += 2)
    if (mask & MaskBit.height) (height[i] = dv.getUint16(o, true)), (o += 2)
    if (mask & MaskBit.color) (color[i] = dv.getUint32(o, true)), (o += 4)
  }
  return checked
}
