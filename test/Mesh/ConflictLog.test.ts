/**
 * The durable conflict log on real files (a child process SIGKILLed
 * mid-write, flipped bytes, torn tails) and on a real nats-server (delete and
 * purge refused by the server).
 */
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import fc from "fast-check"
import { Effect } from "effect"
import * as Result from "effect/Result"
import { jetstreamManager } from "@nats-io/jetstream"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { conflictKinds, type ConflictRecord, priorityClasses, strategies } from "../../src/Mesh/Conflict.ts"
import { encodeFrame, openFileConflictLog, openNatsConflictLog, scanLog, type TornTail } from "../../src/Mesh/ConflictLog.ts"
import { connectNats } from "../../src/Net/Nats.ts"
import { fixtureRecord } from "./fixtures/records.ts"
import { seededRng, withNatsServer } from "../Net/helpers.ts"

let dir = ""
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hy-conflictlog-"))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const run = Effect.runPromise
const noTear = { onTornTail: () => Effect.die("no torn tail expected") }
const frameOf = (r: ConflictRecord): Uint8Array => Result.getOrThrow(encodeFrame(r))

const record = (i: number): ConflictRecord => fixtureRecord(i, 3)

/** Writes records 0..n-1 through the log; returns the file and each frame's start. */
const writeLog = async (n: number): Promise<{ path: string; starts: Array<number> }> => {
  const path = join(dir, "log")
  const { log } = await run(openFileConflictLog(path, noTear))
  for (let i = 0; i < n; i++) await run(log.append(record(i)))
  await run(log.close)
  const starts: Array<number> = []
  let o = 0
  for (let i = 0; i < n; i++) {
    starts.push(o)
    o += frameOf(record(i)).length
  }
  return { path, starts }
}

const records = fc.record({
  conflictId: fc.string({ minLength: 1, maxLength: 20 }),
  operationId: fc.string({ minLength: 1, maxLength: 20 }),
  agents: fc.array(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 5 }),
  kind: fc.constantFrom(...conflictKinds),
  priority: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const, 4 as const),
  detectedAt: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  strategy: fc.constantFrom(...strategies, "NONE" as const),
  resolution: fc.oneof(
    fc.constant({ _tag: "Pending" as const }),
    fc.record({ _tag: fc.constant("Escalated" as const), to: fc.constantFrom("sector" as const, "orchestrator" as const) }),
    fc.record({ _tag: fc.constantFrom("Settled" as const, "HumanReview" as const), detail: fc.string({ maxLength: 30 }) }),
  ),
}).map((r): ConflictRecord => ({ ...r, priorityClass: priorityClasses[r.priority] }))

describe("file conflict log", () => {
  it("append then read back and reopen: the same records in append order, positions 1, 2, 3 …", async () => {
    const path = join(dir, "sub", "log")
    const a = await run(openFileConflictLog(path, noTear))
    expect(a.recovered).toEqual([])
    const seqs = []
    for (let i = 0; i < 5; i++) seqs.push(await run(a.log.append(record(i))))
    expect(seqs).toEqual([1, 2, 3, 4, 5])
    expect(await run(a.log.readAll)).toEqual([0, 1, 2, 3, 4].map(record))
    await run(a.log.close)
    const b = await run(openFileConflictLog(path, noTear))
    expect(b.recovered).toEqual([0, 1, 2, 3, 4].map(record))
    expect(b.tornTail).toBeUndefined()
    expect(await run(b.log.append(record(5)))).toBe(6)
    await run(b.log.close)
  })

  it("concurrent appends are each acknowledged once, with distinct positions, all durable", async () => {
    const path = join(dir, "log")
    const { log } = await run(openFileConflictLog(path, { ...noTear, maxBatch: 4 }))
    const seqs = await Promise.all(Array.from({ length: 40 }, (_, i) => run(log.append(record(i)))))
    expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    await run(log.close)
    const back = await run(openFileConflictLog(path, noTear))
    expect(back.recovered.map((r) => r.conflictId).sort()).toEqual(Array.from({ length: 40 }, (_, i) => record(i).conflictId).sort())
    await run(back.log.close)
  })

  it("an invalid record is refused with a typed error naming the field, and nothing is written", async () => {
    const path = join(dir, "log")
    const { log } = await run(openFileConflictLog(path, noTear))
    const bad = { ...record(1), priorityClass: "LOW" } as unknown as ConflictRecord
    const err = await run(Effect.flip(log.append(bad)))
    expect(err._tag).toBe("ConflictDecodeError")
    expect(err._tag === "ConflictDecodeError" && err.issues.map((i) => i.field)).toEqual(["priorityClass"])
    expect(statSync(path).size).toBe(0)
    await run(log.close)
  })

  it("round trip: any record framed and replayed is the same record, and the frame's bytes decode to exactly it", () => {
    fc.assert(
      fc.property(fc.array(records, { maxLength: 6 }), (rs) => {
        const frames = rs.map(frameOf)
        const bytes = new Uint8Array(frames.reduce((n, f) => n + f.length, 0))
        let o = 0
        for (const f of frames) {
          bytes.set(f, o)
          o += f.length
        }
        const s = Result.getOrThrow(scanLog(bytes, "mem"))
        expect(s.records).toEqual(rs)
        expect(s.tornTail).toBeUndefined()
      }),
    )
  })

  it("round trip through a real file: any records appended are the records a reopen replays", async () => {
    let n = 0
    await fc.assert(
      fc.asyncProperty(fc.array(records, { maxLength: 5 }), async (rs) => {
        const path = join(dir, `prop-${n++}`)
        const a = await run(openFileConflictLog(path, noTear))
        for (const r of rs) await run(a.log.append(r))
        await run(a.log.close)
        const b = await run(openFileConflictLog(path, noTear))
        await run(b.log.close)
        expect(b.recovered).toEqual(rs)
        expect(b.tornTail).toBeUndefined()
      }),
      { numRuns: 25 },
    )
  })

  it("a flipped byte in a middle record's payload is LogCorrupt at that record's offset; the log does not open", async () => {
    const { path, starts } = await writeLog(5)
    const bytes = readFileSync(path)
    bytes[starts[2]! + 20]! ^= 0x40
    writeFileSync(path, bytes)
    const err = await run(Effect.flip(openFileConflictLog(path, noTear)))
    expect(err._tag).toBe("LogCorrupt")
    expect(err._tag === "LogCorrupt" && err.offset).toBe(starts[2])
    expect(err.message).toMatch(/body checksum/)
    expect(statSync(path).size).toBe(bytes.length) // nothing truncated
  })

  it("a flipped length byte is caught by the header checksum (corruption, not a record running past the end)", async () => {
    const { path, starts } = await writeLog(4)
    const bytes = readFileSync(path)
    bytes[starts[1]! + 1]! ^= 0x01
    writeFileSync(path, bytes)
    const err = await run(Effect.flip(openFileConflictLog(path, noTear)))
    expect(err._tag === "LogCorrupt" && [err.offset, /header checksum/.test(err.message)]).toEqual([starts[1], true])
  })

  it("a torn tail (the last record cut at any byte) is reported with offset and length before it is truncated, saved beside the log (never over an earlier one), and the rest kept", async () => {
    const { path, starts } = await writeLog(3)
    const whole = readFileSync(path)
    const saved: Array<string> = []
    for (const cut of [starts[2]! + 1, starts[2]! + 4, starts[2]! + 9, whole.length - 5, whole.length - 1]) {
      writeFileSync(path, whole.subarray(0, cut))
      const seen: Array<{ tail: TornTail; sizeWhenTold: number }> = []
      const o = await run(openFileConflictLog(path, { onTornTail: (tail) => Effect.sync(() => seen.push({ tail, sizeWhenTold: statSync(path).size })) }))
      expect(seen.map((s) => [s.tail.offset, s.tail.length, s.sizeWhenTold])).toEqual([[starts[2], cut - starts[2]!, cut]])
      expect(o.tornTail?.offset).toBe(starts[2])
      expect(o.recovered).toEqual([record(0), record(1)])
      expect(statSync(path).size).toBe(starts[2])
      expect(o.tornSavedAs).toBe(`${path}.torn-${starts[2]}${saved.length === 0 ? "" : `-${saved.length + 1}`}`)
      saved.push(o.tornSavedAs!)
      expect(readFileSync(o.tornSavedAs!)).toEqual(whole.subarray(starts[2]!, cut))
      await run(o.log.close)
    }
  })

  it("a bad body checksum on the last record, or zero bytes after it, is a torn tail, not corruption", async () => {
    const { path, starts } = await writeLog(3)
    const whole = readFileSync(path)
    const flipped = Buffer.from(whole)
    flipped[whole.length - 6]! ^= 0xff
    writeFileSync(path, flipped)
    const a = await run(openFileConflictLog(path, { onTornTail: () => Effect.void }))
    expect([a.tornTail?.offset, a.tornTail?.reason.includes("body checksum"), a.recovered.length]).toEqual([starts[2], true, 2])
    await run(a.log.close)
    writeFileSync(path, Buffer.concat([whole, Buffer.alloc(100)]))
    const b = await run(openFileConflictLog(path, { onTornTail: () => Effect.void }))
    expect([b.tornTail?.offset, b.tornTail?.length, b.recovered.length]).toEqual([whole.length, 100, 3])
    await run(b.log.close)
  })

  it(
    "SIGKILL mid-write: every acknowledged record survives, the torn tail is reported, nothing else is lost",
    async () => {
      const path = join(dir, "log")
      const child = fileURLToPath(new URL("./fixtures/appendLoop.ts", import.meta.url))
      const agents = 10_000 // ~150 KB frames: a batch write takes long enough to be cut
      const frame = frameOf(fixtureRecord(0, agents)).length
      const rng = seededRng(17)
      const acked = new Map<number, number>() // seq → record index
      let torn = 0
      let rounds = 0
      let expected = 0 // records the log holds after the last reopen
      while (rounds < 6 && (torn === 0 || rounds < 2)) {
        const start = rounds * 1_000_000
        rounds++
        const p = spawn(process.execPath, [child, path, String(start), String(agents), "16"], { stdio: ["ignore", "pipe", "pipe"] })
        let out = ""
        let err = ""
        p.stdout.on("data", (d: Buffer) => (out += d.toString()))
        p.stderr.on("data", (d: Buffer) => (err += d.toString()))
        // "close", not "exit": every line the child wrote is read before we check
        const exited = new Promise<NodeJS.Signals | null>((resolve) => p.on("close", (_c, s) => resolve(s)))
        const ackedNow = () => out.split("\n").filter((l) => l.startsWith("ack ")).length
        try {
          // After a few acks, kill while the file's size is between frames: a write in progress.
          const wantAcks = 2 + Math.floor(rng() * 4)
          const deadline = Date.now() + 60_000
          while (ackedNow() < wantAcks && Date.now() < deadline && p.exitCode === null) await new Promise((r) => setTimeout(r, 5))
          expect(ackedNow(), err).toBeGreaterThanOrEqual(wantAcks)
          const spinUntil = Date.now() + 15_000
          while (Date.now() < spinUntil && statSync(path).size % frame === 0) {
            /* spin: stat until a write is under way */
          }
        } finally {
          p.kill("SIGKILL")
        }
        expect(await exited).toBe("SIGKILL")
        // Only whole lines: the child may die inside a write to stdout.
        for (const l of out.split("\n").slice(0, -1)) {
          const m = /^ack (\d+) (\d+)$/.exec(l)
          if (m !== null) acked.set(Number(m[1]), Number(m[2]))
        }
        const tails: Array<TornTail> = []
        const o = await run(openFileConflictLog(path, { onTornTail: (t) => Effect.sync(() => tails.push(t)) }))
        await run(o.log.close)
        // Every acknowledged record at its position; every record is one the child appended, whole.
        for (const [seq, i] of acked) expect(o.recovered[seq - 1]).toEqual(fixtureRecord(i, agents))
        for (const r of o.recovered) expect(r).toEqual(fixtureRecord(Number(r.conflictId.slice(2)), agents))
        expect(o.recovered.length).toBeGreaterThanOrEqual(Math.max(expected, ...acked.keys()))
        // Nothing before the tear is lost: the tail starts where the last whole record ends.
        expect(tails.length).toBeLessThanOrEqual(1)
        if (tails[0] !== undefined) {
          torn++
          expect(tails[0].offset).toBe(o.recovered.length * frame)
          expect(tails[0].length).toBeGreaterThan(0)
          expect(statSync(path).size).toBe(tails[0].offset)
        } else {
          expect(statSync(path).size).toBe(o.recovered.length * frame)
        }
        expected = o.recovered.length
      }
      expect(torn).toBeGreaterThanOrEqual(1)
    },
    240_000,
  )
})

describe("NATS conflict log (real nats-server, JetStream)", () => {
  it("append/read round trip; delete and purge are refused by the server; a retried append is stored once", async () => {
    await withNatsServer(
      async (server) => {
        const t = await connectNats({ servers: server.url, name: "conflict-log" })
        try {
          const log = await run(openNatsConflictLog(t.connection, { name: "t1" }))
          expect(await run(log.readAll)).toEqual([])
          const seqs = []
          for (let i = 0; i < 5; i++) seqs.push(await run(log.append(record(i))))
          expect(seqs).toEqual([1, 2, 3, 4, 5])
          expect(await run(log.append(record(2)))).toBe(3) // same conflict id: deduplicated
          expect(await run(log.readAll)).toEqual([0, 1, 2, 3, 4].map(record))

          const jsm = await jetstreamManager(t.connection)
          const del = await jsm.streams.deleteMessage("HYCONFLICT_t1", 2).then(() => "deleted", (e: Error) => e.message)
          expect(del).toMatch(/delete/i)
          expect(del).not.toBe("deleted")
          const purge = await jsm.streams.purge("HYCONFLICT_t1").then(() => "purged", (e: Error) => e.message)
          expect(purge).toMatch(/purge/i)
          expect(purge).not.toBe("purged")
          // Still all there, also for a second opener of the same log.
          const again = await run(openNatsConflictLog(t.connection, { name: "t1" }))
          expect(await run(again.readAll)).toEqual([0, 1, 2, 3, 4].map(record))
          expect((await jsm.streams.info("HYCONFLICT_t1")).state.messages).toBe(5)
          // Reading spans several fetches (at most 1,000 messages each).
          for (let c = 0; c < 11; c++) await Promise.all(Array.from({ length: 100 }, (_, k) => run(log.append(record(5 + c * 100 + k)))))
          const all = await run(again.readAll)
          expect(all.length).toBe(1105)
          expect(new Set(all.map((r) => r.conflictId)).size).toBe(1105)
          expect(all.slice(0, 5)).toEqual([0, 1, 2, 3, 4].map(record))
        } finally {
          await t.close()
        }
      },
      { jetstream: true },
    )
  }, 60_000)

  it("an existing stream that allows delete or purge is refused as a conflict log; a bad log name is a typed error", async () => {
    await withNatsServer(
      async (server) => {
        const t = await connectNats({ servers: server.url, name: "conflict-log-2" })
        try {
          const jsm = await jetstreamManager(t.connection)
          await jsm.streams.add({ name: "HYCONFLICT_loose", subjects: ["hyconflict.loose"] })
          const err = await run(Effect.flip(openNatsConflictLog(t.connection, { name: "loose" })))
          expect(err._tag === "LogIoError" && err.cause).toMatch(/deny_delete and deny_purge/)
          const bad = await run(Effect.flip(openNatsConflictLog(t.connection, { name: "a.b" })))
          expect(bad._tag === "LogIoError" && bad.cause).toMatch(/not letters/)
        } finally {
          await t.close()
        }
      },
      { jetstream: true },
    )
  }, 60_000)
})

it("the fixture's records are all one size (the SIGKILL test finds frame boundaries by it)", () => {
  const sizes = new Set([0, 7, 99, 12_345, 999_999].map((i) => frameOf(fixtureRecord(i, 50)).length))
  expect(sizes.size).toBe(1)
  expect(existsSync(fileURLToPath(new URL("./fixtures/appendLoop.ts", import.meta.url)))).toBe(true)
})
