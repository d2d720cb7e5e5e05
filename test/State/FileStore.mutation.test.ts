// FileStore failures are typed values naming the file, the operation and the
// cause (StoreIoError), or the byte and reason (BadRecord). The I/O failures
// below are real ones: a parent path that is a file, a log removed while open,
// a compaction file name taken by a directory, and /dev/full (every write to
// it fails with ENOSPC).
import { Effect } from "effect"
import * as Result from "effect/Result"
import { mkdir, mkdtemp, rm, unlink, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { GCounterCodec } from "../../src/State/Encoding.ts"
import { LOG_HEADER, openFileStore, scanLog } from "../../src/State/FileStore.ts"
import type { StoreError } from "../../src/State/Store.ts"

const dirs: Array<string> = []
const freshDir = async (): Promise<string> => {
  const d = await mkdtemp(join(tmpdir(), "hydrogen-filestore-mut-"))
  dirs.push(d)
  return d
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

type Store = Effect.Success<ReturnType<typeof openFileStore<{ counts: ReadonlyArray<number> }>>>
/** The failure of `f` on the store at `path`, or of opening it. */
const failureOf = async (path: string, f: (s: Store) => Effect.Effect<unknown, StoreError>): Promise<StoreError | undefined> => {
  const r = await Effect.runPromise(Effect.scoped(Effect.result(Effect.flatMap(openFileStore(path, GCounterCodec), f))))
  return Result.isFailure(r) ? r.failure : undefined
}

describe("FileStore: I/O failures name the file and the operation", () => {
  it("open: the log's directory cannot be created (its parent is a file)", async () => {
    const d = await freshDir()
    await writeFile(join(d, "plain"), "x")
    const path = join(d, "plain", "replica.log")
    const e = await failureOf(path, () => Effect.void)
    expect(e).toMatchObject({ _tag: "StoreIoError", where: path, operation: "open" })
    expect((e as { detail: string }).detail).toMatch(/ENOTDIR|EEXIST/)
  })

  it("read: the log was removed after the store opened it", async () => {
    const path = join(await freshDir(), "replica.log")
    const e = await failureOf(path, (s) => Effect.flatMap(Effect.promise(() => unlink(path)), () => s.load))
    expect(e).toMatchObject({ _tag: "StoreIoError", where: path, operation: "read" })
    expect((e as { detail: string }).detail).toContain("ENOENT")
  })

  it("append: the device is full", async () => {
    const e = await failureOf("/dev/full", (s) => s.append([{ kind: "delta", payload: { counts: [1] } }]))
    expect(e).toMatchObject({ _tag: "StoreIoError", where: "/dev/full", operation: "append" })
    expect((e as { detail: string }).detail).toContain("ENOSPC")
  })

  it("compact: the compaction file's name is taken by a directory, and the log is left as it was", async () => {
    const path = join(await freshDir(), "replica.log")
    await mkdir(`${path}.compact`)
    const e = await failureOf(path, (s) => Effect.flatMap(s.load, () => s.compact({ counts: [2] }, 0)))
    expect(e).toMatchObject({ _tag: "StoreIoError", where: path, operation: "compact" })
    const after = await failureOf(path, (s) =>
      Effect.flatMap(s.load, (l) => (l.records.length === 0 && l.repaired === undefined ? Effect.void : Effect.die(new Error("log changed")))),
    )
    expect(after).toBeUndefined()
  })
})

describe("scanLog: the header", () => {
  it("a wrong magic byte is 'not a replica log' at that byte; a wrong version byte names the version", () => {
    for (let i = 0; i < 4; i++) {
      const bytes = Uint8Array.from(LOG_HEADER)
      bytes[i] = 0x58
      expect(Result.isFailure(scanLog(GCounterCodec, bytes, "f")) && scanLog(GCounterCodec, bytes, "f")).toMatchObject({
        failure: { _tag: "BadRecord", where: "f", offset: i, reason: 'not a replica log (magic is not "HYRL")' },
      })
    }
    const v = scanLog(GCounterCodec, Uint8Array.from([...LOG_HEADER.slice(0, 4), 7, 0, 0]), "g")
    expect(Result.isFailure(v) && v.failure).toMatchObject({ _tag: "BadRecord", where: "g", offset: 4, reason: "unsupported log version 7" })
  })

  it("a header alone is a complete empty log (kept); a header cut short is torn at byte 0", () => {
    const whole = scanLog(GCounterCodec, Uint8Array.from(LOG_HEADER), "f")
    expect(Result.isSuccess(whole) && whole.success).toEqual({ records: [], keep: LOG_HEADER.length, torn: undefined })
    const cut = scanLog(GCounterCodec, Uint8Array.from(LOG_HEADER.slice(0, 3)), "f")
    expect(Result.isSuccess(cut) && cut.success).toMatchObject({ records: [], keep: 0, torn: { _tag: "TornTail", where: "f", offset: 0, dropped: 3 } })
  })
})
