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
 * 2^53 − 1 with `InvalidField` (it would not fit a safe integer), and a gap
 * sum past 2^53 − 1 likewise.
 *
 * Decoders never throw and never return a wrong state: they accept exactly
 * the encoder's outputs (so `encode(decode(b)) = b` whenever decoding
 * succeeds) and otherwise return a typed error with the byte offset.
 *
 * @module
 */
import * as Result from "effect/Result"
import { BadHeader, type ByteError, InvalidField, TrailingBytes, Truncated } from "../Bytes/Errors.ts"
import { catchFailure, fail, Reader } from "../Bytes/Reader.ts"
import { Writer } from "../Bytes/Writer.ts"
import type { GCounter, PNCounter, VectorClock } from "./Counter.ts"
import type { Bitset } from "./Lattice.ts"
import type { ORMap, ORMapEntry, ORSet, TagPair } from "./ORSet.ts"
import type { LWWMap, LWWReg } from "./Register.ts"
import type { ViewportState } from "./Viewport.ts"
import { requireNat } from "../Aggregate/Domain.ts"

// ---------------------------------------------------------------------------
// Errors: the byte layer's (src/Bytes/Errors.ts)

export { BadHeader, InvalidField, TrailingBytes, Truncated }

/** Every decoding failure. */
export type DecodeError = ByteError

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

/** A Lean `Nat` field: `OutOfDomain` (not the Writer's RangeError) when it is not a non-negative safe integer. */
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
  if (e[1] === undefined) w.u8(0)
  else {
    w.u8(1)
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
  const w = new Writer("encode")
  w.bytes(MAGIC)
  w.u8(VERSION)
  w.u8(TypeTag[s.type])
  ;(bodyWriters[s.type] as (w: Writer, v: unknown) => void)(w, s.value)
  return w.result()
}

// ---------------------------------------------------------------------------
// Reader

const readSparse = <T>(
  r: Reader,
  bot: T,
  isBot: (x: T) => boolean,
  readValue: (r: Reader) => T,
  what: string,
): Array<T> => {
  const lenAt = r.pos
  const length = r.varint(`${what} length`)
  if (length > MAX_LENGTH) r.invalid(`${what} length`, lenAt, length, `≤ ${MAX_LENGTH}`)
  const countAt = r.pos
  const count = r.varint(`${what} count`)
  if (count > length) r.invalid(`${what} count`, countAt, count, `≤ the length ${length}`)
  // Each entry takes at least 2 bytes (gap and value).
  r.need(count * 2, `${what} entries`)
  const out = new Array<T>(length).fill(bot)
  let prev = -1
  for (let j = 0; j < count; j++) {
    const gapAt = r.pos
    const gap = r.varint(`${what} gap`)
    const index = prev + 1 + gap
    if (index >= length) r.invalid(`${what} gap`, gapAt, gap, `an index < the length ${length}`)
    const valueAt = r.pos
    const v = readValue(r)
    if (isBot(v)) r.invalid(`${what} entry`, valueAt, index, "a non-bot entry (bot entries are not written)")
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
  r.need(count, "tags")
  const out = new Array<number>(count)
  let prev = -1
  for (let j = 0; j < count; j++) {
    const at = r.pos
    const d = r.varint("tag")
    const t = prev + 1 + d
    if (t > Number.MAX_SAFE_INTEGER) r.invalid("tag", at, t, "a tag ≤ 2^53 − 1")
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
  const flagAt = r.pos
  const flag = r.u8("value flag")
  if (flag === 0) return [tags, undefined]
  if (flag !== 1) r.invalid("value flag", flagAt, flag, "0 or 1")
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

const readHeader = (r: Reader): StateType => {
  r.magic(MAGIC, '"HYST" (48 59 53 54)')
  r.header("version", VERSION)
  const tag = r.u8("type")
  const type = typeOfTag.get(tag)
  if (type === undefined) fail(new BadHeader({ field: "type", offset: 5, value: tag, expected: "a type byte in 1..8" }))
  return type!
}

const run = <A>(u8: Uint8Array, body: (type: StateType, r: Reader) => A): Result.Result<A, DecodeError> =>
  catchFailure(() => {
    const r = new Reader(u8)
    const v = body(readHeader(r), r)
    r.done("encoded state")
    return v
  })

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
        if (t !== type) fail(new BadHeader({ field: "type", offset: 5, value: TypeTag[t], expected: `${TypeTag[type]} (a ${type})` }))
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
