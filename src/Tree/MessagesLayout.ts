/**
 * The fixed byte layout of the tree's messages (see `Messages.ts` for the
 * format): header constants and writer, the Up body, the UpBatch entries,
 * and the receivers' allocation-free fast paths over them. This is the one
 * module that reads or writes these bytes at absolute offsets; everything
 * else goes through it or through `MessagesCodec.ts` (which reads and writes
 * sequentially with the byte layer, `src/Bytes/`).
 *
 * @module
 */
import { fail, type Reader } from "../Bytes/Reader.ts"
import type { Writer } from "../Bytes/Writer.ts"
import { BadHeader, OversizedMessage, Truncated, UnknownKind } from "./MessagesErrors.ts"
import type { Summary } from "./Summary.ts"

export const MAGIC0 = 0x48 // "H"
export const MAGIC1 = 0x54 // "T"
const MAGIC: ReadonlyArray<number> = [MAGIC0, MAGIC1]
export const MESSAGE_VERSION = 1
export const HEADER_BYTES = 16
export const UP_BODY_BYTES = 40
/** Body of an Up that carries a leadership term (replicated coordinators). */
export const UP_TERM_BODY_BYTES = 44
export const HEARTBEAT_BODY_BYTES = 4
/** Default largest accepted message (header included). */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024
/** Bytes of one UpBatch entry: the sender's index u32, then a term-less Up body. */
export const UP_BATCH_ENTRY_BYTES = 44
/** Bytes of an Up without a term (header + 40-byte body). */
export const UP_MESSAGE_BYTES = HEADER_BYTES + UP_BODY_BYTES

export const KindCode = { Up: 1, Down: 2, Heartbeat: 3, Lateral: 4, UpBatch: 5 } as const

const kindName = (code: number): keyof typeof KindCode | undefined =>
  code === 1 ? "Up" : code === 2 ? "Down" : code === 3 ? "Heartbeat" : code === 4 ? "Lateral" : code === 5 ? "UpBatch" : undefined

/** Up body offsets (relative to the body): epoch u32, seq u32, count, sum, min, max f64. */
const EPOCH = 0
const SEQ = 4
const COUNT = 8
const SUM = 16
const MIN = 24
const MAX = 32

/**
 * Absolute offsets of the fields that other modules name in their errors
 * (version checks, a Down's policy), so that no module hard-codes the layout.
 */
export const FieldOffset = {
  senderLevel: 4,
  bodyLength: 12,
  upEpoch: HEADER_BYTES + EPOCH,
  upSeq: HEADER_BYTES + SEQ,
  upTerm: HEADER_BYTES + UP_BODY_BYTES,
  downEpoch: HEADER_BYTES,
  downPolicyLength: HEADER_BYTES + 4,
  downPolicy: HEADER_BYTES + 8,
  heartbeatTerm: HEADER_BYTES,
} as const

// ---------------------------------------------------------------------------
// Summaries

/** Why a summary is not valid, as field and bound (`at`: offset in the Up body), or `undefined` when it is. */
export const summaryProblem = (s: Summary): { field: string; value: number; expected: string; at: number } | undefined => {
  if (!Number.isSafeInteger(s.count) || s.count < 0) {
    return { field: "count", value: s.count, expected: "an integer in 0..2^53−1", at: COUNT }
  }
  if (s.count === 0) {
    if (s.sum !== 0) return { field: "sum", value: s.sum, expected: "0 when count is 0", at: SUM }
    if (s.min !== Number.POSITIVE_INFINITY) return { field: "min", value: s.min, expected: "+Infinity when count is 0", at: MIN }
    if (s.max !== Number.NEGATIVE_INFINITY) return { field: "max", value: s.max, expected: "−Infinity when count is 0", at: MAX }
    return undefined
  }
  if (!Number.isFinite(s.sum)) return { field: "sum", value: s.sum, expected: "a finite number", at: SUM }
  if (!Number.isFinite(s.min)) return { field: "min", value: s.min, expected: "a finite number", at: MIN }
  if (!Number.isFinite(s.max)) return { field: "max", value: s.max, expected: "a finite number", at: MAX }
  if (!(s.min <= s.max)) return { field: "min", value: s.min, expected: `≤ max (${s.max})`, at: MIN }
  return undefined
}

/** The four values of a summary are valid (as `summaryProblem`, without building one). */
const summaryOk = (count: number, sum: number, min: number, max: number): boolean =>
  summaryProblem({ count, sum, min, max }) === undefined

// ---------------------------------------------------------------------------
// Sequential form (MessagesCodec): the header and the Up body through the byte layer

/** Writes the 16-byte header. */
export const putHeader = (w: Writer, kind: number, level: number, index: number, body: number): void => {
  w.u8(MAGIC0)
  w.u8(MAGIC1)
  w.u8(MESSAGE_VERSION)
  w.u8(kind)
  w.u16(level)
  w.u16(0)
  w.u32(index)
  w.u32(body)
}

/** A checked header: the message kind, sender and body length. */
export interface Header {
  readonly kind: keyof typeof KindCode
  readonly level: number
  readonly index: number
  readonly body: number
}

/**
 * Reads and checks the header of the message `r` spans, in order: length,
 * magic, version, kind, reserved, declared length (against `max`, then
 * exactly the bytes after the header). Fails (inside `catchFailure`).
 */
export const takeHeader = (r: Reader, max: number): Header => {
  const n = r.end
  if (n < HEADER_BYTES) fail(new Truncated({ field: "header", offset: 0, needed: HEADER_BYTES, available: n }))
  r.magic(MAGIC, '"HT" (0x48 0x54)')
  r.header("version", MESSAGE_VERSION)
  const code = r.u8("kind")
  const kind = kindName(code)
  if (kind === undefined) return fail(new UnknownKind({ kind: code }))
  const level = r.u16("sender level")
  const reserved = r.u16("reserved")
  if (reserved !== 0) fail(new BadHeader({ field: "reserved", offset: 6, value: reserved, expected: "0" }))
  const index = r.u32("sender index")
  const body = r.u32("body length")
  const total = HEADER_BYTES + body
  if (total > max) fail(new OversizedMessage({ size: total, max }))
  if (n < total) fail(new Truncated({ field: "body", offset: HEADER_BYTES, needed: body, available: n - HEADER_BYTES }))
  if (n > total) fail(new BadHeader({ field: "length", offset: 12, value: body, expected: `${n - HEADER_BYTES} (the bytes after the header)` }))
  return { kind, level, index, body }
}

/** Writes a term-less Up body (the caller checked the bounds). */
export const putUpBody = (w: Writer, epoch: number, seq: number, s: Summary): void => {
  w.u32(epoch)
  w.u32(seq)
  w.f64(s.count)
  w.f64(s.sum)
  w.f64(s.min)
  w.f64(s.max)
}

/** Reads a term-less Up body: epoch, seq and the (unchecked) summary. */
export const takeUpBody = (r: Reader): { readonly epoch: number; readonly seq: number; readonly summary: Summary } => {
  const epoch = r.u32("epoch")
  const seq = r.u32("seq")
  const count = r.f64("count")
  const sum = r.f64("sum")
  const min = r.f64("min")
  const max = r.f64("max")
  return { epoch, seq, summary: { count, sum, min, max } }
}

// ---------------------------------------------------------------------------
// Fixed form: allocation-free writers (many coordinators tick at once)

/** The 16-byte header, without allocating. */
export const writeHeader = (dv: DataView, kind: number, level: number, index: number, body: number): void => {
  dv.setUint8(0, MAGIC0)
  dv.setUint8(1, MAGIC1)
  dv.setUint8(2, MESSAGE_VERSION)
  dv.setUint8(3, kind)
  dv.setUint16(4, level, true)
  dv.setUint16(6, 0, true)
  dv.setUint32(8, index, true)
  dv.setUint32(12, body, true)
}

/** The 40-byte term-less Up body at `o`; an UpBatch entry is the sender's index followed by this body. */
const writeUpBody = (dv: DataView, o: number, epoch: number, seq: number, count: number, sum: number, min: number, max: number): void => {
  dv.setUint32(o + EPOCH, epoch, true)
  dv.setUint32(o + SEQ, seq, true)
  dv.setFloat64(o + COUNT, count, true)
  dv.setFloat64(o + SUM, sum, true)
  dv.setFloat64(o + MIN, min, true)
  dv.setFloat64(o + MAX, max, true)
}

/** Writes one UpBatch entry at `p` (the caller guarantees the bounds, as for `writeUp`). */
export const writeUpEntry = (dv: DataView, p: number, index: number, epoch: number, seq: number, count: number, sum: number, min: number, max: number): void => {
  dv.setUint32(p, index, true)
  writeUpBody(dv, p + 4, epoch, seq, count, sum, min, max)
}

/** Where entry `i` of an UpBatch starts. */
export const upBatchEntryOffset = (i: number): number => HEADER_BYTES + 4 + UP_BATCH_ENTRY_BYTES * i

/**
 * How far entry `i`'s Up body lies past where a lone Up's body starts: added
 * to an Up body field's offset, it names that field of the entry in the batch.
 */
export const upBatchEntryShift = (i: number): number => upBatchEntryOffset(i) + 4 - HEADER_BYTES

/**
 * Writes the header and count of an UpBatch of `count` entries from level
 * `level`, the first from coordinator `first`; the entries follow at
 * `upBatchEntryOffset(i)` (`writeUpEntry`). Returns the message's length.
 */
export const writeUpBatchHeader = (dv: DataView, level: number, first: number, count: number): number => {
  const body = 4 + UP_BATCH_ENTRY_BYTES * count
  writeHeader(dv, KindCode.UpBatch, level, first, body)
  dv.setUint32(HEADER_BYTES, count, true)
  return HEADER_BYTES + body
}

/**
 * Writes the canonical bytes of an unreplicated Up (no term) from
 * `(level, index)` into `dv[0..UP_MESSAGE_BYTES)`: the same bytes as
 * `encodeMessage`, without allocating. The caller guarantees the bounds that
 * `encodeMessage` checks (level u16, index / epoch / seq u32, a valid summary).
 */
export const writeUp = (dv: DataView, level: number, index: number, epoch: number, seq: number, count: number, sum: number, min: number, max: number): void => {
  writeHeader(dv, KindCode.Up, level, index, UP_BODY_BYTES)
  writeUpBody(dv, HEADER_BYTES, epoch, seq, count, sum, min, max)
}

// ---------------------------------------------------------------------------
// Fixed form: the receivers' fast paths

const peekBytes = new Uint8Array(UP_MESSAGE_BYTES)
const peekView = new DataView(peekBytes.buffer)

/**
 * The fields of a canonical term-less Up, filled by `peekUp`: sender level,
 * sender index, epoch, seq, count, sum, min, max.
 */
export const peekedUp = new Float64Array(8)

/**
 * Whether `bytes` is an Up without a term that `decodeMessage` accepts (with
 * a limit of at least `UP_MESSAGE_BYTES`); if so its fields are in `peekedUp`.
 * Allocates nothing (the bytes are read through a module scratch view): the
 * receivers' fast path. Anything else (`false`) goes through `decodeMessage`,
 * which gives the typed error.
 */
export const peekUp = (bytes: Uint8Array): boolean => {
  if (bytes.length !== UP_MESSAGE_BYTES) return false
  if (bytes[0] !== MAGIC0 || bytes[1] !== MAGIC1 || bytes[2] !== MESSAGE_VERSION || bytes[3] !== KindCode.Up) return false
  if (bytes[6] !== 0 || bytes[7] !== 0 || bytes[12] !== UP_BODY_BYTES || bytes[13] !== 0 || bytes[14] !== 0 || bytes[15] !== 0) return false
  peekBytes.set(bytes)
  const dv = peekView
  const level = dv.getUint16(4, true)
  if (level === 0) return false
  const o = HEADER_BYTES
  const count = dv.getFloat64(o + COUNT, true)
  const sum = dv.getFloat64(o + SUM, true)
  const min = dv.getFloat64(o + MIN, true)
  const max = dv.getFloat64(o + MAX, true)
  if (!summaryOk(count, sum, min, max)) return false
  const f = peekedUp
  f[0] = level
  f[1] = dv.getUint32(8, true)
  f[2] = dv.getUint32(o + EPOCH, true)
  f[3] = dv.getUint32(o + SEQ, true)
  f[4] = count
  f[5] = sum
  f[6] = min
  f[7] = max
  return true
}

/**
 * Whether `bytes` is an UpBatch that `decodeMessage` accepts (with a limit of
 * at least its length) and whose entries all come from coordinators
 * `[lo, hi)` of level `level` (what `checkSender` accepts for a receiver with
 * those children). If so, returns a view to read the entries with
 * (`upBatchCount`, `readUpBatchEntry`); otherwise `undefined`, and
 * `decodeFor` gives the typed error. Allocates only the view: the receivers'
 * fast path.
 */
export const peekUpBatch = (bytes: Uint8Array, level: number, lo: number, hi: number): DataView | undefined => {
  const n = bytes.length
  if (n < HEADER_BYTES + 4 + UP_BATCH_ENTRY_BYTES) return undefined
  if (bytes[0] !== MAGIC0 || bytes[1] !== MAGIC1 || bytes[2] !== MESSAGE_VERSION || bytes[3] !== KindCode.UpBatch || bytes[6] !== 0 || bytes[7] !== 0) return undefined
  const dv = new DataView(bytes.buffer, bytes.byteOffset, n)
  if (dv.getUint16(4, true) !== level || level === 0) return undefined
  const body = dv.getUint32(12, true)
  if (HEADER_BYTES + body !== n) return undefined
  const count = dv.getUint32(HEADER_BYTES, true)
  if (count === 0 || 4 + UP_BATCH_ENTRY_BYTES * count !== body) return undefined
  let last = -1
  for (let i = 0; i < count; i++) {
    const p = upBatchEntryOffset(i)
    const index = dv.getUint32(p, true)
    if (index <= last || index < lo || index >= hi) return undefined
    if (i === 0 && index !== dv.getUint32(8, true)) return undefined
    last = index
    const b = p + 4
    if (!summaryOk(dv.getFloat64(b + COUNT, true), dv.getFloat64(b + SUM, true), dv.getFloat64(b + MIN, true), dv.getFloat64(b + MAX, true))) return undefined
  }
  return dv
}

/** The number of entries of an UpBatch that `peekUpBatch` accepted. */
export const upBatchCount = (dv: DataView): number => dv.getUint32(HEADER_BYTES, true)

/**
 * The fields of one UpBatch entry, filled by `readUpBatchEntry`: index, epoch,
 * seq, count, sum, min, max.
 */
export const upBatchEntry = new Float64Array(7)

/**
 * Reads entry `i` of an UpBatch that `peekUpBatch` accepted into
 * `upBatchEntry` (and returns it): the receivers' loop over a batch, which
 * allocates nothing per entry.
 */
export const readUpBatchEntry = (dv: DataView, i: number): Float64Array => {
  const p = upBatchEntryOffset(i)
  const b = p + 4
  const e = upBatchEntry
  e[0] = dv.getUint32(p, true)
  e[1] = dv.getUint32(b + EPOCH, true)
  e[2] = dv.getUint32(b + SEQ, true)
  e[3] = dv.getFloat64(b + COUNT, true)
  e[4] = dv.getFloat64(b + SUM, true)
  e[5] = dv.getFloat64(b + MIN, true)
  e[6] = dv.getFloat64(b + MAX, true)
  return e
}
