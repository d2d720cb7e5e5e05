/**
 * The embedded replica store (`src/State/FileStore.ts`): records come back as
 * appended; a torn tail (an append that never finished, so was never
 * acknowledged) is cut and reported with where it was; a damaged complete
 * record fails the load with its offset and is never applied or dropped; an
 * empty file is an empty store; compaction to a snapshot survives a restart.
 */
import { Effect } from "effect"
import fc from "fast-check"
import { mkdtemp, readFile, rm, stat, truncate, writeFile, appendFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { VectorClock } from "../../src/State/Counter.ts"
import { ViewportStateCodec } from "../../src/State/Encoding.ts"
import { LOG_HEADER, openFileStore, scanLog } from "../../src/State/FileStore.ts"
import { ORSet, tagOf } from "../../src/State/ORSet.ts"
import { LWWMap } from "../../src/State/Register.ts"
import { encodeRecord, type Loaded, replay, type StoreError, type StoreRecord } from "../../src/State/Store.ts"
import { ViewportState } from "../../src/State/Viewport.ts"
import { viewportArb } from "./arbitraries.ts"

const L = ViewportState.joinSemilattice
const codec = ViewportStateCodec
const dirs: Array<string> = []
const freshPath = async (): Promise<string> => {
  const d = await mkdtemp(join(tmpdir(), "hydrogen-filestore-"))
  dirs.push(d)
  return join(d, "replica.log")
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true })
})

/** The delta of a position write: key `k` gets (timestamp `t`, replica 0, value `v`). */
const pos = (k: number, t: number, v: number): ViewportState => ({ ...ViewportState.empty, positions: LWWMap.setDelta(k, { timestamp: t, replica: 0, value: v }) })
const anim = (e: number, seq: number): ViewportState => ({ ...ViewportState.empty, animations: ORSet.addDelta(e, tagOf(1, seq)) })
const deltas: ReadonlyArray<ViewportState> = [pos(0, 1, 10), anim(2, 1), pos(3, 2, 30), { ...ViewportState.empty, clock: VectorClock.make([0, 4]) }]
const joinOf = (xs: ReadonlyArray<ViewportState>): ViewportState => xs.reduce(L.join, L.bot)

const withStore = <X>(path: string, f: (s: Effect.Success<ReturnType<typeof openFileStore<ViewportState>>>) => Effect.Effect<X, StoreError>) =>
  Effect.runPromise(Effect.scoped(Effect.flatMap(openFileStore(path, codec), f)))
const loadResult = (path: string) => Effect.runPromise(Effect.scoped(Effect.flatMap(openFileStore(path, codec), (s) => Effect.result(s.load))))
const appendAll = (path: string, records: ReadonlyArray<StoreRecord<ViewportState>>) =>
  withStore(path, (s) => Effect.flatMap(s.load, () => Effect.forEach(records, (r) => s.append([r]))))
const stateOf = (l: Loaded<ViewportState>): ViewportState => replay(L, l.records).state

/** Byte offsets where each record of a log written by `appendAll(records)` ends. */
const recordEnds = (records: ReadonlyArray<StoreRecord<ViewportState>>): number[] => {
  let at = LOG_HEADER.length
  return records.map((r) => (at += encodeRecord(codec, r).length))
}

describe("FileStore", () => {
  it("gives back every appended record, in order, after a reopen", async () => {
    const path = await freshPath()
    const records: StoreRecord<ViewportState>[] = [...deltas.map((payload) => ({ kind: "delta" as const, payload })), { kind: "reserve", reserved: 2 ** 40 + 3 }]
    await appendAll(path, records)
    const loaded = await withStore(path, (s) => s.load)
    expect(loaded.repaired).toBeUndefined()
    expect(loaded.records.map((r) => r.kind)).toEqual(["delta", "delta", "delta", "delta", "reserve"])
    const { state, reserved } = replay(L, loaded.records)
    expect(L.equals(state, joinOf(deltas))).toBe(true)
    expect(reserved).toBe(2 ** 40 + 3)
  })

  it("an empty file is an empty store, and takes appends", async () => {
    const path = await freshPath()
    await writeFile(path, new Uint8Array(0))
    const loaded = await withStore(path, (s) => s.load)
    expect(loaded).toEqual({ records: [], repaired: undefined })
    expect([...(await readFile(path))]).toEqual(LOG_HEADER)
    await appendAll(path, [{ kind: "delta", payload: deltas[0]! }])
    const again = await withStore(path, (s) => s.load)
    expect(again.records).toHaveLength(1)
    expect(L.equals(stateOf(again), deltas[0]!)).toBe(true)
  })

  it("a missing file (and directory) is created empty", async () => {
    const path = join(await freshPath(), "..", "sub", "replica.log")
    const loaded = await withStore(path, (s) => s.load)
    expect(loaded.records).toEqual([])
    expect((await stat(path)).size).toBe(LOG_HEADER.length)
  })

  it("cuts a torn tail at every length inside the last record, reports where, and keeps the complete records", async () => {
    const records = deltas.map((payload) => ({ kind: "delta" as const, payload }))
    const ends = recordEnds(records)
    const lastStart = ends[ends.length - 2]!
    for (let cut = lastStart + 1; cut < ends[ends.length - 1]!; cut++) {
      const path = await freshPath()
      await appendAll(path, records)
      await truncate(path, cut)
      const loaded = await withStore(path, (s) => s.load)
      expect(loaded.repaired?._tag).toBe("TornTail")
      expect(loaded.repaired).toMatchObject({ where: path, offset: lastStart, dropped: cut - lastStart })
      expect(loaded.repaired?.message).toContain(`at byte ${lastStart}`)
      expect(loaded.records).toHaveLength(records.length - 1)
      expect(L.equals(stateOf(loaded), joinOf(deltas.slice(0, -1)))).toBe(true)
      // the file was cut: an append after the repair is read back after the kept records
      expect((await stat(path)).size).toBe(lastStart)
      await appendAll(path, [records[records.length - 1]!])
      const again = await withStore(path, (s) => s.load)
      expect(again.repaired).toBeUndefined()
      expect(L.equals(stateOf(again), joinOf(deltas))).toBe(true)
    }
  })

  it("a header cut short while the file was created is a torn tail at byte 0", async () => {
    for (let n = 1; n < LOG_HEADER.length; n++) {
      const path = await freshPath()
      await writeFile(path, Uint8Array.from(LOG_HEADER.slice(0, n)))
      const loaded = await withStore(path, (s) => s.load)
      expect(loaded.repaired).toMatchObject({ _tag: "TornTail", offset: 0, dropped: n })
      expect(loaded.records).toEqual([])
      expect([...(await readFile(path))]).toEqual(LOG_HEADER)
    }
  })

  it("a tail of zero bytes (a file extended before a crash) is a torn tail", async () => {
    const path = await freshPath()
    const records = deltas.map((payload) => ({ kind: "delta" as const, payload }))
    await appendAll(path, records)
    const end = recordEnds(records).at(-1)!
    await appendFile(path, new Uint8Array(37))
    const loaded = await withStore(path, (s) => s.load)
    expect(loaded.repaired).toMatchObject({ _tag: "TornTail", offset: end, dropped: 37 })
    expect(L.equals(stateOf(loaded), joinOf(deltas))).toBe(true)
  })

  it("a flipped bit anywhere in a complete record fails the load with CorruptRecord at that record, and the file is left as it was", async () => {
    const records = deltas.map((payload) => ({ kind: "delta" as const, payload }))
    const path = await freshPath()
    await appendAll(path, records)
    const good = new Uint8Array(await readFile(path)) // a copy: Buffer.slice would share memory
    const ends = recordEnds(records)
    const starts = [LOG_HEADER.length, ...ends.slice(0, -1)]
    let checked = 0
    for (let byte = LOG_HEADER.length; byte < good.length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const bad = good.slice()
        bad[byte] = bad[byte]! ^ (1 << bit)
        await writeFile(path, bad)
        const res = await loadResult(path)
        const recordStart = starts.filter((s) => s <= byte).at(-1)!
        expect(res._tag).toBe("Failure")
        if (res._tag !== "Failure") continue
        expect(res.failure).toMatchObject({ _tag: "CorruptRecord", where: path, offset: recordStart })
        expect(res.failure.message).toContain(`record at byte ${recordStart}`)
        expect(Buffer.compare(await readFile(path), bad)).toBe(0)
        checked++
      }
    }
    expect(checked).toBe((good.length - LOG_HEADER.length) * 8)
  })

  it("rejects a file that is not a replica log, naming the byte", async () => {
    const path = await freshPath()
    await writeFile(path, new TextEncoder().encode("HYRX\u0001"))
    const res = await loadResult(path)
    expect(res._tag === "Failure" && res.failure).toMatchObject({ _tag: "BadRecord", offset: 3 })
    await writeFile(path, Uint8Array.from([...LOG_HEADER.slice(0, 4), 2]))
    const v = await loadResult(path)
    expect(v._tag === "Failure" && v.failure).toMatchObject({ _tag: "BadRecord", offset: 4, reason: "unsupported log version 2" })
  })

  it("after compaction a restart reads the snapshot and the records appended after it", async () => {
    const path = await freshPath()
    const before = deltas.slice(0, 2)
    const after = deltas.slice(2)
    await withStore(path, (s) =>
      Effect.gen(function* () {
        yield* s.load
        for (const d of before) yield* s.append([{ kind: "delta", payload: d }])
        yield* s.append([{ kind: "reserve", reserved: 1024 }])
        yield* s.compact(joinOf(before), 1024)
        for (const d of after) yield* s.append([{ kind: "delta", payload: d }])
      }),
    )
    // a crash during a later compaction leaves its temporary file behind: it is not read
    await writeFile(`${path}.compact`, new Uint8Array([1, 2, 3]))
    const loaded = await withStore(path, (s) => s.load)
    expect(loaded.records.map((r) => r.kind)).toEqual(["snapshot", "delta", "delta"])
    const { state, reserved } = replay(L, loaded.records)
    expect(L.equals(state, joinOf(deltas))).toBe(true)
    expect(reserved).toBe(1024)
    expect((await stat(path)).size).toBe(recordEnds([{ kind: "snapshot", state: joinOf(before), reserved: 1024 }, ...after.map((payload) => ({ kind: "delta" as const, payload }))]).at(-1))
  })

  it("cut anywhere, a log loads exactly the records written completely before the cut", () => {
    fc.assert(
      fc.property(fc.array(viewportArb, { minLength: 1, maxLength: 6 }), fc.nat(), (states, cutSeed) => {
        const records = states.map((payload) => ({ kind: "delta" as const, payload }))
        const parts = [Uint8Array.from(LOG_HEADER), ...records.map((r) => encodeRecord(codec, r))]
        const bytes = Buffer.concat(parts)
        const cut = LOG_HEADER.length + (cutSeed % (bytes.length - LOG_HEADER.length + 1))
        const scanned = scanLog(codec, bytes.subarray(0, cut), "mem")
        expect(scanned._tag).toBe("Success")
        if (scanned._tag !== "Success") return
        const ends = recordEnds(records)
        const complete = ends.filter((e) => e <= cut).length
        expect(scanned.success.records).toHaveLength(complete)
        expect(scanned.success.keep).toBe(complete === 0 ? LOG_HEADER.length : ends[complete - 1])
        expect(scanned.success.torn === undefined).toBe(scanned.success.keep === cut)
        expect(L.equals(replay(L, scanned.success.records).state, joinOf(states.slice(0, complete)))).toBe(true)
      }),
      { numRuns: 200 },
    )
  })
})
