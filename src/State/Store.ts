/**
 * Durable storage of a replica's state (`Replica.ts`): the interface both
 * stores implement (`FileStore.ts`, an embedded append-only file;
 * `JetStreamStore.ts`, a JetStream stream on NATS), the record layout they
 * share, and their typed errors.
 *
 * A replica persists a record before it acknowledges what the record holds
 * (see "Persistence" in `SYNC.md`), so a store must make `append` durable
 * before it succeeds, and `load` must return every record that was appended
 * successfully — or fail with a typed error, never skip or alter one.
 *
 * Record bytes (little-endian), the same in a file and in a JetStream message:
 *
 *   u32 bodyLength · u8 kind · u32 crc32(bodyLength · kind) ·
 *   body · u32 crc32(body)
 *
 * The header has its own checksum so that a damaged length is caught as
 * corruption instead of being read as a record running past the end (which
 * would look like a torn tail and drop the records after it). Kinds:
 *
 *   1 DELTA     body = one state encoding (`Encoding.ts`): a local
 *               mutation's delta or a received payload that inflated the state
 *   2 SNAPSHOT  body = u32 reservedLo · u32 reservedHi · state encoding
 *               (written by compaction; replaces every earlier record)
 *   3 RESERVE   body = u32 lo · u32 hi: sequence numbers below this may
 *               have been sent (a restart resumes numbering there)
 *
 * @module
 */
import { Data, type Effect } from "effect"
import * as Result from "effect/Result"
import type { DecodeError } from "./Encoding.ts"
import type { JoinSemilatticeBot } from "./Lattice.ts"
import { u32At } from "../Bytes/Reader.ts"
import { setU32 } from "../Bytes/Writer.ts"
import { crc32, type SyncCodec } from "./Sync.ts"

// ---------------------------------------------------------------------------
// Records

/** One stored record (see the module comment). */
export type StoreRecord<A> =
  | { readonly kind: "delta"; readonly payload: A }
  | { readonly kind: "snapshot"; readonly state: A; readonly reserved: number }
  | { readonly kind: "reserve"; readonly reserved: number }

const KIND = { delta: 1, snapshot: 2, reserve: 3 } as const
/** Bytes of a record header: length, kind, header checksum. */
export const HEADER_BYTES = 9
/** Bytes of the body checksum. */
export const TRAILER_BYTES = 4

const reservedBytes = (n: number): Uint8Array => {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`store: reserved sequence number must be a non-negative safe integer, got ${n}`)
  const b = new Uint8Array(8)
  setU32(b, 0, n >>> 0)
  setU32(b, 4, Math.floor(n / 2 ** 32))
  return b
}

/** The bytes of `parts` back to back. */
export const concatBytes = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** Encode one record (throws a RangeError only on a reservation that is not a safe integer). */
export const encodeRecord = <A>(codec: SyncCodec<A>, r: StoreRecord<A>): Uint8Array => {
  let body: Uint8Array
  switch (r.kind) {
    case "delta":
      body = codec.encode(r.payload)
      break
    case "snapshot": {
      const s = codec.encode(r.state)
      body = new Uint8Array(8 + s.length)
      body.set(reservedBytes(r.reserved), 0)
      body.set(s, 8)
      break
    }
    case "reserve":
      body = reservedBytes(r.reserved)
      break
  }
  const out = new Uint8Array(HEADER_BYTES + body.length + TRAILER_BYTES)
  setU32(out, 0, body.length)
  out[4] = KIND[r.kind]
  setU32(out, 5, crc32(out.subarray(0, 5)))
  out.set(body, HEADER_BYTES)
  setU32(out, HEADER_BYTES + body.length, crc32(body))
  return out
}

// ---------------------------------------------------------------------------
// Errors

/** A record's header or body checksum does not match: the bytes were damaged after they were written. */
export class CorruptRecord extends Data.TaggedError("CorruptRecord")<{
  readonly where: string
  readonly offset: number
  readonly part: "header" | "body"
  readonly expected: number
  readonly actual: number
}> {
  override get message(): string {
    return `corrupt ${this.part} of the record at byte ${this.offset} of ${this.where}: checksum says ${this.expected.toString(16)}, bytes give ${this.actual.toString(16)}`
  }
}

/** A record whose checksums hold but whose content is not a valid record (unknown kind, payload the codec rejects). */
export class BadRecord extends Data.TaggedError("BadRecord")<{
  readonly where: string
  readonly offset: number
  readonly reason: string
  readonly cause?: DecodeError
}> {
  override get message(): string {
    return `bad record at byte ${this.offset} of ${this.where}: ${this.reason}`
  }
}

/**
 * The log ends inside a record: a write that never completed (so was never
 * acknowledged). The loader cuts the log at `offset`, dropping `dropped`
 * bytes, and reports this value.
 */
export class TornTail extends Data.TaggedError("TornTail")<{
  readonly where: string
  readonly offset: number
  readonly dropped: number
}> {
  override get message(): string {
    return `torn tail in ${this.where}: ${this.dropped} byte(s) of an incomplete record at byte ${this.offset} dropped`
  }
}

/** An operating-system or server failure while reading or writing the store. */
export class StoreIoError extends Data.TaggedError("StoreIoError")<{
  readonly where: string
  readonly operation: string
  readonly detail: string
}> {
  override get message(): string {
    return `store ${this.where}: ${this.operation} failed: ${this.detail}`
  }
}

/** Every reason a store fails. */
export type StoreError = CorruptRecord | BadRecord | StoreIoError

export const ioError = (where: string, operation: string) => (cause: unknown): StoreIoError =>
  new StoreIoError({ where, operation, detail: cause instanceof Error ? cause.message : String(cause) })

// ---------------------------------------------------------------------------
// Decoding

/** What `decodeRecord` found at `offset`. */
export type Scanned<A> =
  | { readonly kind: "record"; readonly record: StoreRecord<A>; readonly next: number }
  /** `bytes` end inside the record at `offset`. */
  | { readonly kind: "incomplete" }

/**
 * Decode the record at `offset` of `bytes`; `where` names the log in errors.
 * Never throws. A header or body that is complete but fails its checksum is
 * `CorruptRecord`; bytes that end first are `incomplete`.
 */
export const decodeRecord = <A>(
  codec: SyncCodec<A>,
  bytes: Uint8Array,
  offset: number,
  where: string,
): Result.Result<Scanned<A>, CorruptRecord | BadRecord> => {
  if (bytes.length - offset < HEADER_BYTES) return Result.succeed({ kind: "incomplete" })
  const expectedHeader = u32At(bytes, offset + 5)
  const actualHeader = crc32(bytes.subarray(offset, offset + 5))
  if (expectedHeader !== actualHeader) {
    return Result.fail(new CorruptRecord({ where, offset, part: "header", expected: expectedHeader, actual: actualHeader }))
  }
  const length = u32At(bytes, offset)
  const kind = bytes[offset + 4]!
  const start = offset + HEADER_BYTES
  const next = start + length + TRAILER_BYTES
  if (next > bytes.length) return Result.succeed({ kind: "incomplete" })
  const body = bytes.subarray(start, start + length)
  const expected = u32At(bytes, start + length)
  const actual = crc32(body)
  if (expected !== actual) return Result.fail(new CorruptRecord({ where, offset, part: "body", expected, actual }))
  const reserved = (at: number): number => u32At(body, at) + u32At(body, at + 4) * 2 ** 32
  const state = (from: number): Result.Result<A, BadRecord> => {
    const d = codec.decode(body.subarray(from))
    return Result.isFailure(d)
      ? Result.fail(new BadRecord({ where, offset, reason: `payload rejected: ${d.failure.message}`, cause: d.failure }))
      : Result.succeed(d.success)
  }
  const fixed = (n: number): BadRecord | undefined =>
    length < n ? new BadRecord({ where, offset, reason: `body of ${length} byte(s) is shorter than ${n}` }) : undefined
  switch (kind) {
    case KIND.delta: {
      const p = state(0)
      return Result.isFailure(p) ? Result.fail(p.failure) : Result.succeed({ kind: "record", record: { kind: "delta", payload: p.success }, next })
    }
    case KIND.snapshot: {
      const short = fixed(8)
      if (short !== undefined) return Result.fail(short)
      const s = state(8)
      if (Result.isFailure(s)) return Result.fail(s.failure)
      return Result.succeed({ kind: "record", record: { kind: "snapshot", state: s.success, reserved: reserved(0) }, next })
    }
    case KIND.reserve: {
      if (length !== 8) return Result.fail(new BadRecord({ where, offset, reason: `reserve body has ${length} byte(s), not 8` }))
      return Result.succeed({ kind: "record", record: { kind: "reserve", reserved: reserved(0) }, next })
    }
    default:
      return Result.fail(new BadRecord({ where, offset, reason: `unknown record kind ${kind}` }))
  }
}

// ---------------------------------------------------------------------------
// Stores

/** What a store held when it was loaded. */
export interface Loaded<A> {
  /** Every record, oldest first (a snapshot first after compaction). */
  readonly records: ReadonlyArray<StoreRecord<A>>
  /** An incomplete last record that the loader cut off, if any. */
  readonly repaired: TornTail | undefined
}

/** Durable storage of one replica. */
export interface Store<A> {
  /** Names the store in errors and logs (a path, a stream). */
  readonly where: string
  readonly load: Effect.Effect<Loaded<A>, StoreError>
  /** Appends the records; durable when it succeeds. */
  readonly append: (records: ReadonlyArray<StoreRecord<A>>) => Effect.Effect<void, StoreError>
  /** Replaces every record by one snapshot (atomically: a crash leaves the old records or the snapshot). */
  readonly compact: (state: A, reserved: number) => Effect.Effect<void, StoreError>
}

/** The state and sequence reservation that `records` add up to. */
export const replay = <A>(lattice: JoinSemilatticeBot<A>, records: ReadonlyArray<StoreRecord<A>>): { readonly state: A; readonly reserved: number } => {
  let state = lattice.bot
  let reserved = 0
  for (const r of records) {
    switch (r.kind) {
      case "delta":
        state = lattice.join(state, r.payload)
        break
      case "snapshot":
        state = lattice.join(state, r.state)
        reserved = Math.max(reserved, r.reserved)
        break
      case "reserve":
        reserved = Math.max(reserved, r.reserved)
        break
    }
  }
  return { state, reserved }
}
