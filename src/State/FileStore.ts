/**
 * The embedded durable store (`Store.ts`): one append-only file per replica.
 *
 *   file   = "HYRL" · version byte 1 · record*   (records as in `Store.ts`)
 *
 * `append` writes the records and `fdatasync`s before it succeeds, so a
 * record a replica acknowledged is on disk. `compact` writes a snapshot to
 * `<path>.compact`, fsyncs it, renames it over the log and fsyncs the
 * directory: a crash at any point leaves either the old log or the snapshot.
 *
 * `load` reads every record. The only damage it repairs is a torn tail — the
 * file ends inside a record, or ends in zero bytes (a file system that
 * extended the file before a crash): that write never finished `append`, so
 * it was never acknowledged; the file is cut before it and the cut is
 * reported (`TornTail`). A complete record whose checksum fails is
 * `CorruptRecord` and the load fails: dropping it could lose an acknowledged
 * record, and applying it could apply a corrupt one.
 *
 * One caller at a time (the replica serializes its store calls).
 *
 * @module
 */
import { Effect, type Scope } from "effect"
import * as Result from "effect/Result"
import { mkdir, open, readFile, rename, type FileHandle } from "node:fs/promises"
import { dirname } from "node:path"
import type { SyncCodec } from "./Sync.ts"
import {
  BadRecord,
  concatBytes,
  decodeRecord,
  encodeRecord,
  ioError,
  type Loaded,
  type Store,
  type StoreError,
  type StoreRecord,
  TornTail,
} from "./Store.ts"

/** `"HYRL"` and the version byte: the first bytes of every log file. */
export const LOG_HEADER: ReadonlyArray<number> = [0x48, 0x59, 0x52, 0x4c, 0x01]

const writeAll = async (fh: FileHandle, bytes: Uint8Array): Promise<void> => {
  let done = 0
  while (done < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done)
    done += bytesWritten
  }
}

const allZero = (b: Uint8Array, from: number): boolean => {
  for (let i = from; i < b.length; i++) if (b[i] !== 0) return false
  return true
}

/**
 * Read and check a log's bytes (pure; `openFileStore`'s `load` uses it and
 * cuts the file at `keep`). `where` names the file in errors.
 */
export const scanLog = <A>(
  codec: SyncCodec<A>,
  bytes: Uint8Array,
  where: string,
): Result.Result<{ readonly records: ReadonlyArray<StoreRecord<A>>; readonly keep: number; readonly torn: TornTail | undefined }, StoreError> => {
  const h = LOG_HEADER.length
  for (let i = 0; i < Math.min(h, bytes.length); i++) {
    if (bytes[i] !== LOG_HEADER[i]) {
      return Result.fail(new BadRecord({ where, offset: i, reason: i < 4 ? 'not a replica log (magic is not "HYRL")' : `unsupported log version ${bytes[i]}` }))
    }
  }
  // An empty file, or a header cut short while the file was created: nothing was ever stored.
  if (bytes.length <= h) {
    const torn = bytes.length > 0 && bytes.length < h ? new TornTail({ where, offset: 0, dropped: bytes.length }) : undefined
    return Result.succeed({ records: [], keep: bytes.length === h ? h : 0, torn })
  }
  const records: Array<StoreRecord<A>> = []
  let at = h
  while (at < bytes.length) {
    const r = decodeRecord(codec, bytes, at, where)
    if (Result.isFailure(r)) {
      if (r.failure._tag === "CorruptRecord" && allZero(bytes, at)) break
      return Result.fail(r.failure)
    }
    if (r.success.kind === "incomplete") break
    records.push(r.success.record)
    at = r.success.next
  }
  const torn = at < bytes.length ? new TornTail({ where, offset: at, dropped: bytes.length - at }) : undefined
  return Result.succeed({ records, keep: at, torn })
}

/**
 * The file store at `path` (created with its directory if missing), a scoped
 * resource: the file stays open until the scope closes.
 */
export const openFileStore = <A>(path: string, codec: SyncCodec<A>): Effect.Effect<Store<A>, StoreError, Scope.Scope> =>
  Effect.gen(function* () {
    const fail = (operation: string) => ioError(path, operation)
    const openLog = Effect.tryPromise({
      try: async () => {
        await mkdir(dirname(path), { recursive: true })
        return open(path, "a+")
      },
      catch: fail("open"),
    })
    let fh: FileHandle = yield* Effect.acquireRelease(openLog, () => Effect.promise(() => fh.close().catch(() => undefined)))

    const syncDir = async (): Promise<void> => {
      const d = await open(dirname(path), "r")
      try {
        await d.sync()
      } finally {
        await d.close()
      }
    }

    const load: Effect.Effect<Loaded<A>, StoreError> = Effect.gen(function* () {
      const bytes = yield* Effect.tryPromise({ try: () => readFile(path), catch: fail("read") })
      const scanned = scanLog(codec, bytes, path)
      if (Result.isFailure(scanned)) return yield* Effect.fail(scanned.failure)
      const { records, keep, torn } = scanned.success
      if (keep < bytes.length || bytes.length === 0) {
        yield* Effect.tryPromise({
          try: async () => {
            await fh.truncate(keep)
            if (keep === 0) await writeAll(fh, Uint8Array.from(LOG_HEADER))
            await fh.datasync()
            // a new file: its directory entry must be durable too, or a crash could lose the whole log
            if (keep === 0) await syncDir()
          },
          catch: fail("repair"),
        })
      }
      return { records, repaired: torn }
    })

    const append = (records: ReadonlyArray<StoreRecord<A>>): Effect.Effect<void, StoreError> =>
      records.length === 0
        ? Effect.void
        : Effect.tryPromise({
            try: async () => {
              await writeAll(fh, concatBytes(records.map((r) => encodeRecord(codec, r))))
              await fh.datasync()
            },
            catch: fail("append"),
          })

    const compact = (state: A, reserved: number): Effect.Effect<void, StoreError> =>
      Effect.tryPromise({
        try: async () => {
          const tmp = `${path}.compact`
          const out = await open(tmp, "w")
          try {
            await writeAll(out, concatBytes([Uint8Array.from(LOG_HEADER), encodeRecord(codec, { kind: "snapshot", state, reserved })]))
            await out.sync()
          } finally {
            await out.close()
          }
          await rename(tmp, path)
          await syncDir()
          const old = fh
          fh = await open(path, "a+")
          await old.close()
        },
        catch: fail("compact"),
      })

    return { where: path, load, append, compact }
  })
