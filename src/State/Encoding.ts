/**
 * Compact binary encoding of the replicated state types (and of their deltas,
 * which are values of the same types: `GCounter.incDelta`, `LWWMap.setDelta`,
 * … are `single`s, which the sparse encoding stores in a few bytes).
 *
 * Layout (all integers unsigned LEB128 varints, minimal length, at most 8
 * bytes, value ≤ 2^53 − 1, unless noted):
 *
 *   header      "HYST" (48 59 53 54) · version byte (1) · type byte
 *   type bytes  1 GCounter · 2 PNCounter · 3 VectorClock · 4 LWWReg ·
 *               5 LWWMap · 6 ORSet · 7 ORMap · 8 ViewportState
 *   sparse<T>   length · count · count × (gap · T)   — the non-bot entries of
 *               a dense list in increasing index order; the first index is
 *               `gap`, each next is `previous + 1 + gap`; every index
 *               < length; bot entries are never written; length ≤ 2^24
 *   nat         varint (entries of GCounter / VectorClock: non-bot = > 0)
 *   reg         timestamp · replica · value
 *   bitset      count · first id · (count − 1) × gap, next = previous + 1 + gap
 *   tagpair     bitset added · bitset removed (non-bot: not both empty)
 *   mapentry    tagpair · flag byte (0 none, 1 some) · [reg if 1]
 *               (non-bot: tags non-empty or flag 1)
 *   GCounter    sparse<nat>        PNCounter   sparse<nat> incs · sparse<nat> decs
 *   VectorClock sparse<nat>        LWWReg      reg
 *   LWWMap      sparse<reg>        ORSet       sparse<tagpair>
 *   ORMap       sparse<mapentry>
 *   ViewportState  ORMap · LWWMap positions · LWWMap zOrder · ORSet · VectorClock
 *
 * Numbers: every integer field is a Lean `Nat` held in a `number`, so at most
 * 2^53 − 1. The encoder throws `OutOfDomain` (Aggregate/Domain.ts) on a field
 * that is not a non-negative safe integer; the decoder rejects a varint above
 * 2^53 − 1 with `InvalidValue` (it would not fit a safe integer), and a gap
 * sum past 2^53 − 1 likewise.
 *
 * Decoders never throw and never return a wrong state: they accept exactly
 * the encoder's outputs (so `encode(decode(b)) = b` whenever decoding
 * succeeds) and otherwise return a typed error with the byte offset.
 *
 * @module
 */
import { Data } from "effect"
import * as Result from "effect/Result"
import type { GCounter, PNCounter, VectorClock } from "./Counter.ts"
import type { Bitset } from "./Lattice.ts"
import type { ORMap, ORMapEntry, ORSet, TagPair } from "./ORSet.ts"
import type { LWWMap, LWWReg } from "./Register.ts"
import type { ViewportState } from "./Viewport.ts"
import { ByteWriter } from "./ByteWriter.ts"
import { requireNat } from "../Aggregate/Domain.ts"

// ---------------------------------------------------------------------------
// Errors

/** The input ends `needed` bytes too early, at byte `offset`. */
export class Truncated extends Data.TaggedError("Truncated")<{ readonly offset: number; readonly needed: number }> {
  override get message(): string {
    return `truncated state encoding: ${this.needed} more byte(s) needed at byte ${this.offset}`
  }
}

/** The header is not `"HYST"`, or names an unknown or unexpected type. */
export class BadHeader extends Data.TaggedError("BadHeader")<{ readonly offset: number; readonly reason: string }> {
  override get message(): string {
    return `bad state header at byte ${this.offset}: ${this.reason}`
  }
}

/** The header's version byte is not 1. */
export class UnsupportedVersion extends Data.TaggedError("UnsupportedVersion")<{ readonly version: number }> {
  override get message(): string {
    return `unsupported state encoding version ${this.version} at byte 4 (only version 1 is known)`
  }
}

/** A field's bytes are well-formed but not a canonical, valid value. */
export class InvalidValue extends Data.TaggedError("InvalidValue")<{
  readonly offset: number
  readonly field: string
  readonly reason: string
}> {
  override get message(): string {
    return `invalid ${this.field} at byte ${this.offset}: ${this.reason}`
  }
}

/** Bytes are left after the encoded value. */
export class TrailingBytes extends Data.TaggedError("TrailingBytes")<{ readonly offset: number; readonly count: number }> {
  override get message(): string {
    return `${this.count} trailing byte(s) after the encoded state, from byte ${this.offset}`
  }
}

/** Every decoding failure. */
export type DecodeError = Truncated | BadHeader | UnsupportedVersion | InvalidValue | TrailingBytes

// ---------------------------------------------------------------------------
// Constants

/** `"HYST"`. */
export const MAGIC: ReadonlyArray<number> = [0x48, 0x59, 0x53, 0x54]
export const VERSION = 1
/** Largest dense-list length accepted by the decoders (2^24). */
export const MAX_LENGTH = 2 ** 24

/** The type byte of each state type. */
export const TypeTag = {
  GCounter: 1,
  PNCounter: 2,
  VectorClock: 3,
  LWWReg: 4,
  LWWMap: 5,
  ORSet: 6,
  ORMap: 7,
  ViewportState: 8,
} as const
export type StateType = keyof typeof TypeTag

/** A decoded value of any state type, tagged with its type. */
export type AnyState =
  | { readonly type: "GCounter"; readonly value: GCounter }
  | { readonly type: "PNCounter"; readonly value: PNCounter }
  | { readonly type: "VectorClock"; readonly value: VectorClock }
  | { readonly type: "LWWReg"; readonly value: LWWReg }
  | { readonly type: "LWWMap"; readonly value: LWWMap }
  | { readonly type: "ORSet"; readonly value: ORSet }
  | { readonly type: "ORMap"; readonly value: ORMap }
  | { readonly type: "ViewportState"; readonly value: ViewportState }

const typeOfTag = new Map<number, StateType>(Object.entries(TypeTag).map(([k, v]) => [v, k as StateType]))

// ---------------------------------------------------------------------------
// Writer

type Writer = ByteWriter

const writeSparse = <T>(
  w: Writer,
  xs: ReadonlyArray<T>,
  isBot: (x: T) => boolean,
  writeValue: (w: Writer, x: T) => void,
): void => {
  if (xs.length > MAX_LENGTH) throw new RangeError(`encode: list length ${xs.length} exceeds ${MAX_LENGTH}`)
  w.varint(xs.length, "length")
  let count = 0
  for (const x of xs) if (!isBot(x)) count++
  w.varint(count, "count")
  let prev = -1
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!
    if (isBot(x)) continue
    w.varint(i - prev - 1, "gap")
    writeValue(w, x)
    prev = i
  }
}

/** A Lean `Nat` field: `OutOfDomain` (not ByteWriter's RangeError) when it is not a non-negative safe integer. */
const nat = (w: Writer, x: number, field: string): void => w.varint(requireNat("encode", field, x), field)
const writeNat = (w: Writer, x: number): void => nat(w, x, "entry")
const writeReg = (w: Writer, r: LWWReg): void => {
  nat(w, r.timestamp, "timestamp")
  nat(w, r.replica, "replica")
  nat(w, r.value, "value")
}
const writeBitset = (w: Writer, s: Bitset): void => {
  w.varint(s.length, "tag count")
  let prev = -1
  for (const t of s) {
    requireNat("encode", "tag", t)
    if (!(t > prev)) throw new RangeError("encode: Bitset must be strictly increasing")
    w.varint(prev < 0 ? t : t - prev - 1, "tag")
    prev = t
  }
}
const pairIsBot = (p: TagPair): boolean => p[0].length === 0 && p[1].length === 0
const writePair = (w: Writer, p: TagPair): void => {
  writeBitset(w, p[0])
  writeBitset(w, p[1])
}
const entryIsBot = (e: ORMapEntry): boolean => pairIsBot(e[0]) && e[1] === undefined
const writeEntry = (w: Writer, e: ORMapEntry): void => {
  writePair(w, e[0])
  if (e[1] === undefined) w.byte(0)
  else {
    w.byte(1)
    writeReg(w, e[1])
  }
}
const writeNats = (w: Writer, xs: ReadonlyArray<number>): void => writeSparse(w, xs, (x) => x === 0, writeNat)
const writeLWWMap = (w: Writer, m: LWWMap): void => writeSparse(w, m.entries, (x) => x === undefined, (w2, x) => writeReg(w2, x!))
const writeORSet = (w: Writer, s: ORSet): void => writeSparse(w, s.tags, pairIsBot, writePair)
const writeORMap = (w: Writer, m: ORMap): void => writeSparse(w, m.entries, entryIsBot, writeEntry)

const bodyWriters: { readonly [K in StateType]: (w: Writer, v: Extract<AnyState, { type: K }>["value"]) => void } = {
  GCounter: (w, c) => writeNats(w, c.counts),
  PNCounter: (w, c) => {
    writeNats(w, c.incs.counts)
    writeNats(w, c.decs.counts)
  },
  VectorClock: (w, v) => writeNats(w, v.ticks),
  LWWReg: writeReg,
  LWWMap: writeLWWMap,
  ORSet: writeORSet,
  ORMap: writeORMap,
  ViewportState: (w, s) => {
    writeORMap(w, s.elements)
    writeLWWMap(w, s.positions)
    writeLWWMap(w, s.zOrder)
    writeORSet(w, s.animations)
    writeNats(w, s.clock.ticks)
  },
}

/**
 * Encode a value of any state type. Throws `OutOfDomain` on a number that is
 * not a Lean `Nat` (negative, fractional, NaN, ±Infinity, beyond 2^53 − 1),
 * and a RangeError on another invalid state (an unsorted Bitset, a list longer
 * than `MAX_LENGTH`).
 */
export const encodeAny = (s: AnyState): Uint8Array => {
  const w = new ByteWriter("encode")
  for (const b of MAGIC) w.byte(b)
  w.byte(VERSION)
  w.byte(TypeTag[s.type])
  ;(bodyWriters[s.type] as (w: Writer, v: unknown) => void)(w, s.value)
  return w.result()
}

// ---------------------------------------------------------------------------
// Reader

/** Internal: carries a decode error out of nested readers; never escapes `decode*`. */
class Failure {
  readonly error: DecodeError
  constructor(error: DecodeError) {
    this.error = error
  }
}

class Reader {
  readonly u8: Uint8Array
  off: number
  constructor(u8: Uint8Array, off: number) {
    this.u8 = u8
    this.off = off
  }
  remaining(): number {
    return this.u8.length - this.off
  }
  byte(): number {
    if (this.off >= this.u8.length) throw new Failure(new Truncated({ offset: this.off, needed: 1 }))
    return this.u8[this.off++]!
  }
  invalid(offset: number, field: string, reason: string): never {
    throw new Failure(new InvalidValue({ offset, field, reason }))
  }
  varint(field: string): number {
    const start = this.off
    let result = 0
    let mul = 1
    for (let i = 0; i < 8; i++) {
      const b = this.byte()
      result += (b & 127) * mul
      if ((b & 128) === 0) {
        if (i > 0 && b === 0) this.invalid(start, field, "varint is not minimal (trailing zero byte)")
        if (result > Number.MAX_SAFE_INTEGER) this.invalid(start, field, "varint exceeds 2^53 - 1")
        return result
      }
      mul *= 128
    }
    return this.invalid(start, field, "varint longer than 8 bytes")
  }
}

const readSparse = <T>(
  r: Reader,
  bot: T,
  isBot: (x: T) => boolean,
  readValue: (r: Reader) => T,
  what: string,
): Array<T> => {
  const lenAt = r.off
  const length = r.varint(`${what} length`)
  if (length > MAX_LENGTH) r.invalid(lenAt, `${what} length`, `${length} exceeds the limit ${MAX_LENGTH}`)
  const countAt = r.off
  const count = r.varint(`${what} count`)
  if (count > length) r.invalid(countAt, `${what} count`, `${count} entries in a list of length ${length}`)
  // Each entry takes at least 2 bytes (gap and value).
  if (count * 2 > r.remaining()) throw new Failure(new Truncated({ offset: r.off, needed: count * 2 - r.remaining() }))
  const out = new Array<T>(length).fill(bot)
  let prev = -1
  for (let j = 0; j < count; j++) {
    const gapAt = r.off
    const gap = r.varint(`${what} gap`)
    const index = prev + 1 + gap
    if (index >= length) r.invalid(gapAt, `${what} gap`, `index ${index} outside length ${length}`)
    const valueAt = r.off
    const v = readValue(r)
    if (isBot(v)) r.invalid(valueAt, `${what} entry`, "bot entries are not written")
    out[index] = v
    prev = index
  }
  return out
}

const readNat = (r: Reader): number => r.varint("entry")
const readReg = (r: Reader): LWWReg => {
  const timestamp = r.varint("timestamp")
  const replica = r.varint("replica")
  const value = r.varint("value")
  return { timestamp, replica, value }
}
const readBitset = (r: Reader): Bitset => {
  const count = r.varint("tag count")
  if (count > r.remaining()) throw new Failure(new Truncated({ offset: r.off, needed: count - r.remaining() }))
  const out = new Array<number>(count)
  let prev = -1
  for (let j = 0; j < count; j++) {
    const at = r.off
    const d = r.varint("tag")
    const t = prev + 1 + d
    if (t > Number.MAX_SAFE_INTEGER) r.invalid(at, "tag", "tag exceeds 2^53 - 1")
    out[j] = t
    prev = t
  }
  return out
}
const EMPTY_PAIR: TagPair = [[], []]
const readPair = (r: Reader): TagPair => {
  const added = readBitset(r)
  const removed = readBitset(r)
  return [added, removed]
}
const EMPTY_ENTRY: ORMapEntry = [EMPTY_PAIR, undefined]
const readEntry = (r: Reader): ORMapEntry => {
  const tags = readPair(r)
  const flagAt = r.off
  const flag = r.byte()
  if (flag === 0) return [tags, undefined]
  if (flag !== 1) r.invalid(flagAt, "value flag", `expected 0 or 1, got ${flag}`)
  return [tags, readReg(r)]
}
const readNats = (r: Reader, what: string): Array<number> => readSparse(r, 0, (x) => x === 0, readNat, what)
const readLWWMap = (r: Reader, what: string): LWWMap => ({
  entries: readSparse<LWWReg | undefined>(r, undefined, (x) => x === undefined, readReg, what),
})
const readORSet = (r: Reader): ORSet => ({ tags: readSparse(r, EMPTY_PAIR, pairIsBot, readPair, "ORSet") })
const readORMap = (r: Reader): ORMap => ({ entries: readSparse(r, EMPTY_ENTRY, entryIsBot, readEntry, "ORMap") })

const bodyReaders: { readonly [K in StateType]: (r: Reader) => Extract<AnyState, { type: K }>["value"] } = {
  GCounter: (r) => ({ counts: readNats(r, "GCounter") }),
  PNCounter: (r) => {
    const incs = { counts: readNats(r, "PNCounter.incs") }
    const decs = { counts: readNats(r, "PNCounter.decs") }
    return { incs, decs }
  },
  VectorClock: (r) => ({ ticks: readNats(r, "VectorClock") }),
  LWWReg: readReg,
  LWWMap: (r) => readLWWMap(r, "LWWMap"),
  ORSet: readORSet,
  ORMap: readORMap,
  ViewportState: (r) => {
    const elements = readORMap(r)
    const positions = readLWWMap(r, "positions")
    const zOrder = readLWWMap(r, "zOrder")
    const animations = readORSet(r)
    const clock = { ticks: readNats(r, "clock") }
    return { elements, positions, zOrder, animations, clock }
  },
}

const HEADER_BYTES = 6

const readHeader = (u8: Uint8Array): StateType => {
  for (let i = 0; i < 4; i++) {
    if (i >= u8.length) throw new Failure(new Truncated({ offset: u8.length, needed: HEADER_BYTES - u8.length }))
    if (u8[i] !== MAGIC[i]) throw new Failure(new BadHeader({ offset: i, reason: 'magic is not "HYST"' }))
  }
  if (u8.length < HEADER_BYTES) throw new Failure(new Truncated({ offset: u8.length, needed: HEADER_BYTES - u8.length }))
  if (u8[4] !== VERSION) throw new Failure(new UnsupportedVersion({ version: u8[4]! }))
  const type = typeOfTag.get(u8[5]!)
  if (type === undefined) throw new Failure(new BadHeader({ offset: 5, reason: `unknown type byte ${u8[5]}` }))
  return type
}

const run = <A>(u8: Uint8Array, body: (type: StateType, r: Reader) => A): Result.Result<A, DecodeError> => {
  try {
    const type = readHeader(u8)
    const r = new Reader(u8, HEADER_BYTES)
    const v = body(type, r)
    if (r.off !== u8.length) return Result.fail(new TrailingBytes({ offset: r.off, count: u8.length - r.off }))
    return Result.succeed(v)
  } catch (e) {
    if (e instanceof Failure) return Result.fail(e.error)
    throw e
  }
}

/** Decode a value of any state type (the type byte says which). Never throws. */
export const decodeAny = (bytes: Uint8Array): Result.Result<AnyState, DecodeError> =>
  run(bytes, (type, r) => ({ type, value: bodyReaders[type](r) }) as AnyState)

// ---------------------------------------------------------------------------
// Per-type codecs

/** Encoder and validating decoder of one state type (states and deltas alike). */
export interface StateCodec<A> {
  readonly type: StateType
  readonly encode: (a: A) => Uint8Array
  /** Never throws; fails with `BadHeader` when the bytes encode another type. */
  readonly decode: (bytes: Uint8Array) => Result.Result<A, DecodeError>
}

type ValueOf<K extends StateType> = Extract<AnyState, { type: K }>["value"]

const codec = <K extends StateType>(type: K): StateCodec<ValueOf<K>> => {
  const read = bodyReaders[type] as (r: Reader) => ValueOf<K>
  return {
    type,
    encode: (a) => encodeAny({ type, value: a } as AnyState),
    decode: (bytes) =>
      run<ValueOf<K>>(bytes, (t, r) => {
        if (t !== type) throw new Failure(new BadHeader({ offset: 5, reason: `expected a ${type}, found a ${t}` }))
        return read(r)
      }),
  }
}

export const GCounterCodec: StateCodec<GCounter> = codec("GCounter")
export const PNCounterCodec: StateCodec<PNCounter> = codec("PNCounter")
export const VectorClockCodec: StateCodec<VectorClock> = codec("VectorClock")
export const LWWRegCodec: StateCodec<LWWReg> = codec("LWWReg")
export const LWWMapCodec: StateCodec<LWWMap> = codec("LWWMap")
export const ORSetCodec: StateCodec<ORSet> = codec("ORSet")
export const ORMapCodec: StateCodec<ORMap> = codec("ORMap")
export const ViewportStateCodec: StateCodec<ViewportState> = codec("ViewportState")
