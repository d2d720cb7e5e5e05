/**
 * The durable conflict log (seed 002, Parts 5.1 and 8.1 `conflict_store`):
 * append-only, immutable records, kept indefinitely. One interface, two
 * implementations:
 *
 * - `openFileConflictLog`, the embedded default: one file of framed records
 *
 *     u32 length · u32 crc32(length bytes) · payload · u32 crc32(payload)
 *
 *   (little-endian; payload = the record as JSON). The header has its own
 *   checksum so that a damaged length is corruption, not a record "running
 *   past the end" that would pass for a torn tail.
 *
 *   Fsync policy: group commit. `append` queues its frame; one writer writes
 *   every queued frame (at most `maxBatch`, default 64) in one write, fsyncs
 *   the file, and only then resolves those appends. So an acknowledged append
 *   is on disk; a batch waits for at most one fsync in flight before its own.
 *
 *   Opening replays the file. A torn tail (the last record cut short, or its
 *   body checksum wrong with nothing after it: what a crash mid-write leaves)
 *   is handed to `onTornTail` first, copied to `<file>.torn-<offset>`, and
 *   only then truncated away. A bad record with records after it is
 *   `LogCorrupt`, and the log does not open: nothing is skipped silently.
 *   One process writes a file at a time.
 *
 * - `openNatsConflictLog`: a JetStream file stream created with `deny_delete`
 *   and `deny_purge`, so the server refuses to remove any record. Append is a
 *   publish that succeeds on the server's ack (message id = conflict id, so a
 *   retried append is not stored twice); read consumes from the first message.
 *
 * @module
 */
import { Data, Effect } from "effect"
import * as Result from "effect/Result"
import { mkdir, open, readFile, truncate, writeFile } from "node:fs/promises"
import { dirname } from "node:path"
import { jetstream, jetstreamManager, StorageType } from "@nats-io/jetstream"
import type { NatsConnection } from "@nats-io/transport-node"
import { crc32 } from "../Bytes/Crc32.ts"
import { Truncated } from "../Bytes/Errors.ts"
import { decodeWith, u32At } from "../Bytes/Reader.ts"
import { Writer } from "../Bytes/Writer.ts"
import { type ConflictDecodeError, type ConflictRecord, decodeConflict } from "./Conflict.ts"

/** The largest payload a frame may hold (a longer length is corruption). */
export const MAX_PAYLOAD = 1 << 20

/** An I/O step failed (`op`) on `where` (a file or a stream). */
export class LogIoError extends Data.TaggedError("LogIoError")<{ readonly where: string; readonly op: string; readonly cause: string }> {
  override get message(): string {
    return `conflict log ${this.where}: ${this.op} failed: ${this.cause}`
  }
}

/** Stored bytes at `offset` of `where` are not a valid record and are not a torn tail. */
export class LogCorrupt extends Data.TaggedError("LogCorrupt")<{ readonly where: string; readonly offset: number; readonly reason: string }> {
  override get message(): string {
    return `conflict log ${this.where} corrupt at byte ${this.offset}: ${this.reason}`
  }
}

export type ConflictLogError = LogIoError | LogCorrupt | ConflictDecodeError

/** The end of a file that a crash left half-written: `length` bytes from `offset`. */
export interface TornTail {
  readonly offset: number
  readonly length: number
  readonly reason: string
  /** The torn bytes themselves (also saved beside the log before truncation). */
  readonly bytes: Uint8Array
}

export interface ConflictLog {
  /** Appends `record`; succeeds with its 1-based position once it is durable. */
  readonly append: (record: ConflictRecord) => Effect.Effect<number, ConflictLogError>
  /** Every acknowledged record, in append order. */
  readonly readAll: Effect.Effect<ReadonlyArray<ConflictRecord>, ConflictLogError>
  readonly close: Effect.Effect<void>
}

const ioError = (where: string, op: string) => (e: unknown): LogIoError =>
  new LogIoError({ where, op, cause: e instanceof Error ? e.message : String(e) })

// ---- frames ----------------------------------------------------------------------

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder("utf-8", { fatal: true })

/** The frame of `record` (validated first: nothing invalid is ever written). */
export const encodeFrame = (record: ConflictRecord): Result.Result<Uint8Array, ConflictDecodeError> => {
  const ok = decodeConflict(record)
  if (Result.isFailure(ok)) return Result.fail(ok.failure)
  const payload = utf8.encode(JSON.stringify(ok.success))
  if (payload.length > MAX_PAYLOAD) throw new RangeError(`conflict record of ${payload.length} bytes exceeds ${MAX_PAYLOAD}`)
  const w = new Writer("conflict log")
  w.u32(payload.length)
  w.u32(crc32(w.view()))
  w.bytes(payload)
  w.u32(crc32(payload))
  return Result.succeed(w.result())
}

/** What replaying a byte string found. */
export interface Scan {
  readonly records: ReadonlyArray<ConflictRecord>
  /** Where each record's frame ends. */
  readonly ends: ReadonlyArray<number>
  readonly tornTail: TornTail | undefined
}

type FrameRead = { readonly payload: Uint8Array; readonly next: number }
const readFrame = (bytes: Uint8Array, off: number) =>
  decodeWith<FrameRead>(bytes, off, (r) => {
    const length = r.u32("length")
    const headerCrc = r.u32("header checksum")
    if (crc32(bytes.subarray(off, off + 4)) !== headerCrc) r.invalid("header checksum", off + 4, headerCrc, "crc32 of the length")
    if (length > MAX_PAYLOAD) r.invalid("length", off, length, `at most ${MAX_PAYLOAD}`)
    const payload = r.take(length, "payload")
    const at = r.pos
    const bodyCrc = r.u32("body checksum")
    if (crc32(payload) !== bodyCrc) r.invalid("body checksum", at, bodyCrc, "crc32 of the payload")
    return { payload, next: r.pos }
  })

/**
 * Replays `bytes`: every record, or `LogCorrupt` for a bad record that is
 * not the tail. A truncated frame, a wrong body checksum on the last frame, or
 * a tail of zero bytes (a crash that extended the file) is the torn tail.
 */
export const scanLog = (bytes: Uint8Array, where: string): Result.Result<Scan, LogCorrupt> => {
  const records: Array<ConflictRecord> = []
  const ends: Array<number> = []
  let off = 0
  const torn = (reason: string): Result.Result<Scan, LogCorrupt> =>
    Result.succeed({ records, ends, tornTail: { offset: off, length: bytes.length - off, reason, bytes: bytes.slice(off) } })
  while (off < bytes.length) {
    if (bytes.subarray(off).every((b) => b === 0)) return torn("zero bytes after the last record")
    const f = readFrame(bytes, off)
    if (Result.isFailure(f)) {
      const e = f.failure
      if (e instanceof Truncated) return torn(e.message)
      const field = e.field
      const last = bytes.length - off >= 8 && off + 12 + u32At(bytes, off) === bytes.length
      if (field === "body checksum" && last) return torn(e.message)
      return Result.fail(new LogCorrupt({ where, offset: off, reason: e.message }))
    }
    let raw: unknown
    try {
      raw = JSON.parse(fromUtf8.decode(f.success.payload))
    } catch (e) {
      return Result.fail(new LogCorrupt({ where, offset: off, reason: `payload is not JSON: ${e instanceof Error ? e.message : String(e)}` }))
    }
    const rec = decodeConflict(raw)
    if (Result.isFailure(rec)) {
      return Result.fail(new LogCorrupt({ where, offset: off, reason: `not a conflict record: ${rec.failure.issues.map((i) => `${i.field}: ${i.message}`).join("; ")}` }))
    }
    records.push(rec.success)
    off = f.success.next
    ends.push(off)
  }
  return Result.succeed({ records, ends, tornTail: undefined })
}

// ---- the embedded file log -----------------------------------------------------

export interface FileLogOptions {
  /** Told of a torn tail before it is truncated away (log it, count it). */
  readonly onTornTail: (tail: TornTail) => Effect.Effect<void>
  /** Frames per write + fsync, at most (default 64). */
  readonly maxBatch?: number
}

export interface Opened {
  readonly log: ConflictLog
  /** The records replayed from the file. */
  readonly recovered: ReadonlyArray<ConflictRecord>
  readonly tornTail: TornTail | undefined
  /** Where the torn bytes were saved (`<file>.torn-<offset>`, then `-2`, `-3` … : never overwritten). */
  readonly tornSavedAs: string | undefined
}

/** Writes `bytes` durably to `base` or, if taken, the first free `base-N`; returns the path. */
const saveNew = async (base: string, bytes: Uint8Array): Promise<string> => {
  for (let n = 1; ; n++) {
    const p = n === 1 ? base : `${base}-${n}`
    try {
      await writeFile(p, bytes, { flag: "wx", flush: true })
      return p
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e
    }
  }
}

const syncPath = async (path: string): Promise<void> => {
  const h = await open(path, "r")
  try {
    await h.sync()
  } finally {
    await h.close()
  }
}

export const openFileConflictLog = (path: string, options: FileLogOptions): Effect.Effect<Opened, ConflictLogError> =>
  Effect.gen(function* () {
    yield* Effect.tryPromise({ try: () => mkdir(dirname(path), { recursive: true }), catch: ioError(path, "mkdir") })
    const bytes = yield* Effect.tryPromise({
      try: () => readFile(path).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.length), (e: NodeJS.ErrnoException) => {
        if (e.code === "ENOENT") return new Uint8Array(0)
        throw e
      }),
      catch: ioError(path, "read"),
    })
    const scanned = scanLog(bytes, path)
    if (Result.isFailure(scanned)) return yield* Effect.fail(scanned.failure)
    const { records, tornTail } = scanned.success
    let tornSavedAs: string | undefined
    if (tornTail !== undefined) {
      yield* options.onTornTail(tornTail)
      tornSavedAs = yield* Effect.tryPromise({ try: () => saveNew(`${path}.torn-${tornTail.offset}`, tornTail.bytes), catch: ioError(path, "save torn tail") })
      yield* Effect.tryPromise({ try: () => truncate(path, tornTail.offset), catch: ioError(path, "truncate torn tail") })
    }
    const handle = yield* Effect.tryPromise({ try: () => open(path, "a"), catch: ioError(path, "open") })
    // The truncation and a new file's directory entry are durable before any append is acknowledged.
    yield* Effect.tryPromise({ try: () => handle.sync().then(() => syncPath(dirname(path))), catch: ioError(path, "fsync") })
    const log = fileLog(path, handle, tornTail?.offset ?? bytes.length, records.length, options.maxBatch ?? 64)
    return { log, recovered: records, tornTail, tornSavedAs }
  })

type Handle = Awaited<ReturnType<typeof open>>
interface Pending {
  readonly frame: Uint8Array
  readonly seq: number
  readonly done: (e: LogIoError | undefined) => void
}

const fileLog = (path: string, handle: Handle, size: number, count: number, maxBatch: number): ConflictLog => {
  const queue: Array<Pending> = []
  let durable = size // bytes acknowledged
  let nextSeq = count + 1
  let writing = false
  let broken: LogIoError | undefined
  let closed = false

  // The one writer: batches of queued frames, each written then fsynced before it is acknowledged.
  const drain = async (): Promise<void> => {
    writing = true
    while (queue.length > 0) {
      const batch = queue.splice(0, maxBatch)
      const total = batch.reduce((n, p) => n + p.frame.length, 0)
      const buf = new Uint8Array(total)
      let o = 0
      for (const p of batch) {
        buf.set(p.frame, o)
        o += p.frame.length
      }
      try {
        let w = 0
        while (w < total) w += (await handle.write(buf, w, total - w)).bytesWritten
        await handle.sync()
        durable += total
        for (const p of batch) p.done(undefined)
      } catch (e) {
        // The file's tail is unknown now: fail this batch and every later append (reopen to recover).
        broken = ioError(path, "write + fsync")(e)
        for (const p of [...batch, ...queue.splice(0)]) p.done(broken)
      }
    }
    writing = false
  }

  const append = (record: ConflictRecord): Effect.Effect<number, ConflictLogError> =>
    Effect.gen(function* () {
      const frame = encodeFrame(record)
      if (Result.isFailure(frame)) return yield* Effect.fail(frame.failure)
      if (closed) return yield* Effect.fail(new LogIoError({ where: path, op: "append", cause: "the log is closed" }))
      if (broken !== undefined) return yield* Effect.fail(broken)
      const seq = nextSeq++
      const err = yield* Effect.promise(
        () =>
          new Promise<LogIoError | undefined>((resolve) => {
            queue.push({ frame: frame.success, seq, done: resolve })
            if (!writing) void drain()
          }),
      )
      if (err !== undefined) return yield* Effect.fail(err)
      return seq
    })

  const readAll = Effect.gen(function* () {
    const upTo = durable
    const all = yield* Effect.tryPromise({ try: () => readFile(path), catch: ioError(path, "read") })
    if (all.length < upTo) return yield* Effect.fail(new LogCorrupt({ where: path, offset: all.length, reason: `file ends before the ${upTo} acknowledged bytes` }))
    const buf = new Uint8Array(all.buffer, all.byteOffset, upTo)
    const scanned = scanLog(buf, path)
    if (Result.isFailure(scanned)) return yield* Effect.fail(scanned.failure)
    if (scanned.success.tornTail !== undefined) {
      return yield* Effect.fail(new LogCorrupt({ where: path, offset: scanned.success.tornTail.offset, reason: "acknowledged bytes end inside a record" }))
    }
    return scanned.success.records
  })

  const close = Effect.promise(async () => {
    if (closed) return
    closed = true
    while (writing) await new Promise((r) => setTimeout(r, 1))
    await handle.close()
  })

  return { append, readAll, close }
}

// ---- the NATS log -----------------------------------------------------------------

export interface NatsLogOptions {
  /** Names the stream `HYCONFLICT_<name>`: letters, digits, `_` and `-` only. */
  readonly name: string
  readonly replicas?: number
  /** JetStream request timeout, ms (default 5000). */
  readonly timeoutMs?: number
}

/** The stream and subject of log `name`. */
export const natsLogNames = (name: string) => ({ stream: `HYCONFLICT_${name}`, subject: `hyconflict.${name}` })

export const openNatsConflictLog = (nc: NatsConnection, options: NatsLogOptions): Effect.Effect<ConflictLog, ConflictLogError> =>
  Effect.gen(function* () {
    const { stream, subject } = natsLogNames(options.name)
    const where = `stream ${stream}`
    if (!/^[A-Za-z0-9_-]+$/.test(options.name)) {
      return yield* Effect.fail(new LogIoError({ where, op: "open", cause: `log name ${JSON.stringify(options.name)} is not letters, digits, _ or -` }))
    }
    const timeout = options.timeoutMs ?? 5_000
    const jsm = yield* Effect.tryPromise({ try: () => jetstreamManager(nc, { timeout, checkAPI: false }), catch: ioError(where, "connect") })
    const js = jetstream(nc, { timeout })
    const info = yield* Effect.tryPromise({
      try: () =>
        jsm.streams
          .add({ name: stream, subjects: [subject], storage: StorageType.File, num_replicas: options.replicas ?? 1, deny_delete: true, deny_purge: true })
          .catch(async (e: unknown) => {
            if (!/already in use|exists/i.test(e instanceof Error ? e.message : String(e))) throw e
            return jsm.streams.info(stream)
          }),
      catch: ioError(where, "create stream"),
    })
    // An existing stream that would let records be removed is not an append-only log.
    if (info.config.deny_delete !== true || info.config.deny_purge !== true) {
      return yield* Effect.fail(new LogIoError({ where, op: "open", cause: "the stream exists without deny_delete and deny_purge" }))
    }

    const append = (record: ConflictRecord): Effect.Effect<number, ConflictLogError> =>
      Effect.gen(function* () {
        const frame = encodeFrame(record)
        if (Result.isFailure(frame)) return yield* Effect.fail(frame.failure)
        const ack = yield* Effect.tryPromise({
          try: () => js.publish(subject, frame.success, { msgID: record.conflictId, expect: { streamName: stream } }),
          catch: ioError(where, "publish"),
        })
        return ack.seq
      })

    const readAll = Effect.gen(function* () {
      const now = yield* Effect.tryPromise({ try: () => jsm.streams.info(stream), catch: ioError(where, "stream info") })
      const { messages, last_seq: last } = now.state
      const out: Array<ConflictRecord> = []
      if (messages === 0) return out
      const consumer = yield* Effect.tryPromise({ try: () => js.consumers.get(stream), catch: ioError(where, "ordered consumer") })
      yield* Effect.tryPromise({
        try: async () => {
          let seen = 0
          while (seen < last) {
            const batch = await consumer.fetch({ max_messages: Math.max(1, Math.min(1000, messages - out.length)), expires: timeout })
            let got = 0
            for await (const m of batch) {
              got++
              seen = m.seq
              const s = scanLog(m.data, `${where} message ${m.seq}`)
              if (Result.isFailure(s)) throw s.failure
              // A message is stored whole: a torn frame in it is damage.
              if (s.success.tornTail !== undefined || s.success.records.length !== 1) {
                throw new LogCorrupt({ where: `${where} message ${m.seq}`, offset: 0, reason: "a message must hold exactly one whole record" })
              }
              out.push(s.success.records[0]!)
              if (m.seq >= last) break
            }
            if (got === 0) throw new Error(`no message after sequence ${seen} of ${last}`)
          }
        },
        catch: (e) => (e instanceof LogCorrupt ? e : ioError(where, "consume")(e)),
      })
      return out
    })

    return { append, readAll, close: Effect.void }
  })
