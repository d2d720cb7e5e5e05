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
 *
 * @module
 */
import * as Result from "effect/Result"
import { OutOfDomain, requireInt, requireNat } from "../Aggregate/Domain.ts"
import { FieldBounds, HEADER_BYTES, Kind, KindBound, PayloadKind, showBound, TextSize } from "./Bounds.ts"
import { atomOfWord, atomPayloadWord, type ElementColumns, readHeader, writeHeader } from "./Codec.ts"
import { type Atom, atomEquals, type Element } from "./Element.ts"
import { IndexOutOfRange, InvalidField, LengthMismatch, ReservedNonZero, Truncated, type WireError } from "./Errors.ts"

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
  const dv = new DataView(out.buffer)
  writeHeader(dv, PayloadKind.deltas, deltas.length)
  let o = HEADER_BYTES
  for (const { index, delta: d } of deltas) {
    dv.setUint32(o, index, true)
    dv.setUint8(o + 4, maskOf(d))
    o += DELTA_RECORD_PREFIX
    if (d.atom !== undefined) {
      dv.setUint8(o, Kind[d.atom._tag])
      dv.setUint32(o + 1, atomPayloadWord(d.atom), true)
      o += 5
    }
    if (d.z !== undefined) (dv.setInt16(o, d.z, true), (o += 2))
    if (d.viewport !== undefined) (dv.setUint32(o, d.viewport, true), (o += 4))
    if (d.x !== undefined) (dv.setInt32(o, d.x, true), (o += 4))
    if (d.y !== undefined) (dv.setInt32(o, d.y, true), (o += 4))
    if (d.width !== undefined) (dv.setUint16(o, d.width, true), (o += 2))
    if (d.height !== undefined) (dv.setUint16(o, d.height, true), (o += 2))
    if (d.color !== undefined) (dv.setUint32(o, d.color, true), (o += 4))
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

/** Checks an atom value (kind byte at `o`, payload word after it) of delta record `i`. */
const checkAtomAt = (u8: Uint8Array, dv: DataView, o: number, i: number): WireError | null => {
  const k = u8[o]!
  if (k > KindBound.max) return new InvalidField({ index: i, offset: o, field: "atom.kind", value: k, bound: showBound(KindBound) })
  const hi = dv.getUint16(o + 3, true)
  if (k === Kind.text) {
    if (hi < TextSize.min || hi > TextSize.max) {
      return new InvalidField({ index: i, offset: o + 3, field: "atom.size", value: hi, bound: showBound(FieldBounds["atom.size"]) })
    }
  } else if (k !== Kind.image && hi !== 0) {
    const off = u8[o + 3] !== 0 ? o + 3 : o + 4
    return new ReservedNonZero({ index: i, offset: off, value: u8[off]! })
  }
  return null
}

/**
 * Walks a deltas batch, checking everything; calls `visit(i, o, index, mask)`
 * for each record whose values start at `o`. The record count, or the error.
 */
const scanDeltas = <E>(
  u8: Uint8Array,
  dv: DataView,
  visit: (i: number, o: number, index: number, mask: number) => E | null,
): Result.Result<number, WireError | E> => {
  const h = readHeader(u8, PayloadKind.deltas)
  if (Result.isFailure(h)) return Result.fail(h.failure)
  const n = h.success
  const len = u8.length
  let o = HEADER_BYTES
  for (let i = 0; i < n; i++) {
    if (len - o < DELTA_RECORD_PREFIX) {
      return Result.fail(new Truncated({ index: i, offset: o, needed: DELTA_RECORD_PREFIX, available: len - o }))
    }
    const index = dv.getUint32(o, true)
    const mask = u8[o + 4]!
    const v = o + DELTA_RECORD_PREFIX
    const need = VALUE_BYTES[mask]!
    if (len - v < need) return Result.fail(new Truncated({ index: i, offset: v, needed: need, available: len - v }))
    if (mask & MaskBit.atom) {
      const err = checkAtomAt(u8, dv, v, i)
      if (err !== null) return Result.fail(err)
    }
    const err = visit(i, v, index, mask)
    if (err !== null) return Result.fail(err)
    o = v + need
  }
  if (o !== len) return Result.fail(new LengthMismatch({ expected: o, actual: len }))
  return Result.succeed(n)
}

const viewOf = (u8: Uint8Array): DataView => new DataView(u8.buffer, u8.byteOffset, u8.byteLength)

/** Decodes a deltas batch into `{ index, delta }` records. */
export const decodeDeltas = (buf: Uint8Array): Result.Result<Array<IndexedDelta>, WireError> => {
  const dv = viewOf(buf)
  const out: Array<IndexedDelta> = []
  const r = scanDeltas<never>(buf, dv, (_i, o, index, mask) => {
    const d: { -readonly [K in keyof Delta]: Delta[K] } = {}
    if (mask & MaskBit.atom) (d.atom = atomOfWord(buf[o]!, dv.getUint32(o + 1, true))), (o += 5)
    if (mask & MaskBit.z) (d.z = dv.getInt16(o, true)), (o += 2)
    if (mask & MaskBit.viewport) (d.viewport = dv.getUint32(o, true)), (o += 4)
    if (mask & MaskBit.x) (d.x = dv.getInt32(o, true)), (o += 4)
    if (mask & MaskBit.y) (d.y = dv.getInt32(o, true)), (o += 4)
    if (mask & MaskBit.width) (d.width = dv.getUint16(o, true)), (o += 2)
    if (mask & MaskBit.height) (d.height = dv.getUint16(o, true)), (o += 2)
    if (mask & MaskBit.color) d.color = dv.getUint32(o, true)
    out.push({ index, delta: d })
    return null
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
  const dv = viewOf(buf)
  const checked = scanDeltas(buf, dv, (i, _o, index) =>
    index < c.count ? null : new IndexOutOfRange({ delta: i, index, count: c.count }),
  )
  if (Result.isFailure(checked)) return Result.fail(checked.failure)
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
