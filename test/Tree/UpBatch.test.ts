// UpBatch: one bus message carrying the term-less Ups of several coordinators of one level to their parent.
// Its codec must be canonical and strict, its allocation-free reader must accept exactly what the general
// decoder and sender check accept, and a tree that batches must count and aggregate as one that does not.
import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { makeInProcessServer } from "../../src/Net/InProcess.ts"
import { checkSender, decodeFor, decodeMessage, encodeMessage, HEADER_BYTES, peekUpBatch, readUpBatchEntry, UP_BATCH_ENTRY_BYTES, type UpBatch, upBatchCount, upBatchEntryOffset, upsOf, writeUpBatchHeader, writeUpEntry } from "../../src/Tree/Messages.ts"
import { countAt, makeTopology } from "../../src/Tree/Topology.ts"
import { messagesPerRound } from "../../src/Scale/Communication.ts"
import { runTree } from "../../src/Tree/Runner.ts"

const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 })
const value = fc.integer({ min: -1_000_000, max: 1_000_000 })
const summaryArb = fc.array(value, { minLength: 0, maxLength: 8 }).map((vs) =>
  vs.length === 0
    ? { count: 0, sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY }
    : { count: vs.length, sum: vs.reduce((s, x) => s + x, 0), min: Math.min(...vs), max: Math.max(...vs) },
)
const batchArb = fc
  .record({
    level: fc.integer({ min: 1, max: 40 }),
    first: fc.integer({ min: 0, max: 2 ** 31 }),
    entries: fc.array(fc.record({ gap: fc.integer({ min: 1, max: 5 }), epoch: u32, seq: u32, summary: summaryArb }), { minLength: 1, maxLength: 12 }),
  })
  .map(({ level, first, entries }): UpBatch => {
    let index = first - entries[0]!.gap
    const ups = entries.map((e) => ({ index: (index += e.gap), epoch: e.epoch, seq: e.seq, summary: e.summary }))
    return { _tag: "UpBatch", from: { level, index: ups[0]!.index }, ups }
  })

describe("UpBatch codec", () => {
  it("decode ∘ encode = id, and an accepted buffer re-encodes to itself", () => {
    fc.assert(
      fc.property(batchArb, (b) => {
        const bytes = encodeMessage(b)
        expect(bytes.length).toBe(HEADER_BYTES + 4 + UP_BATCH_ENTRY_BYTES * b.ups.length)
        const d = decodeMessage(bytes)
        expect(Result.isSuccess(d)).toBe(true)
        if (Result.isSuccess(d)) {
          expect(d.success).toEqual(b)
          expect([...encodeMessage(d.success)]).toEqual([...bytes])
        }
      }),
    )
  })

  it("writeUpBatchHeader + writeUpEntry write the same bytes as encodeMessage", () => {
    fc.assert(
      fc.property(batchArb, (b) => {
        const dv = new DataView(new ArrayBuffer(upBatchEntryOffset(b.ups.length)))
        const len = writeUpBatchHeader(dv, b.from.level, b.ups[0]!.index, b.ups.length)
        b.ups.forEach((e, i) => writeUpEntry(dv, upBatchEntryOffset(i), e.index, e.epoch, e.seq, e.summary.count, e.summary.sum, e.summary.min, e.summary.max))
        expect(len).toBe(dv.byteLength)
        expect([...new Uint8Array(dv.buffer)]).toEqual([...encodeMessage(b)])
      }),
    )
  })

  it("malformed batches are typed errors naming the field and its offset", () => {
    const b: UpBatch = {
      _tag: "UpBatch",
      from: { level: 1, index: 10 },
      ups: [
        { index: 10, epoch: 3, seq: 1, summary: { count: 1, sum: 5, min: 5, max: 5 } },
        { index: 11, epoch: 3, seq: 1, summary: { count: 2, sum: 1, min: -1, max: 2 } },
      ],
    }
    const good = encodeMessage(b)
    const e1 = upBatchEntryOffset(1)
    const cases: Array<[string, (x: Uint8Array, dv: DataView) => void, string, string, number]> = [
      ["count disagrees with the body", (_, dv) => dv.setUint32(HEADER_BYTES, 3, true), "InvalidField", "count", HEADER_BYTES],
      ["indices not increasing", (_, dv) => dv.setUint32(e1, 10, true), "InvalidField", "index", e1],
      ["first entry is not the header's sender", (_, dv) => dv.setUint32(8, 9, true), "InvalidField", "index", upBatchEntryOffset(0)],
      ["min above max", (_, dv) => dv.setFloat64(e1 + 28, 3, true), "InvalidField", "min", e1 + 28],
      ["NaN sum", (_, dv) => dv.setFloat64(e1 + 20, Number.NaN, true), "InvalidField", "sum", e1 + 20],
    ]
    for (const [, edit, tag, field, offset] of cases) {
      const x = good.slice()
      edit(x, new DataView(x.buffer))
      const d = decodeMessage(x)
      expect(Result.isFailure(d)).toBe(true)
      if (Result.isFailure(d)) {
        expect(d.failure._tag).toBe(tag)
        expect(d.failure).toMatchObject({ field, offset })
      }
      expect(peekUpBatch(x, 1, 0, 100)).toBeUndefined()
    }
    // body length not 4 + 44·count
    const cut = good.slice(0, good.length - 1)
    new DataView(cut.buffer).setUint32(12, good.length - 1 - HEADER_BYTES, true)
    const d = decodeMessage(cut)
    expect(Result.isFailure(d) && d.failure._tag === "InvalidField" && d.failure.field === "body length").toBe(true)
    expect(() => encodeMessage({ ...b, ups: [] })).toThrow(RangeError)
    expect(() => encodeMessage({ ...b, ups: [b.ups[1]!, b.ups[0]!], from: { level: 1, index: 11 } })).toThrow(RangeError)
  })

  it("checkSender accepts a batch only from children of the receiver, every entry", () => {
    const t = makeTopology(1000, 10) // 100 / 10 / 1
    const at = (indices: number[]): UpBatch => ({
      _tag: "UpBatch",
      from: { level: 1, index: indices[0]! },
      ups: indices.map((index) => ({ index, epoch: 1, seq: 1, summary: { count: 1, sum: 1, min: 1, max: 1 } })),
    })
    expect(Result.isSuccess(checkSender(t, { level: 2, index: 3 }, at([30, 31, 39])))).toBe(true)
    const outside = checkSender(t, { level: 2, index: 3 }, at([30, 40]))
    expect(Result.isFailure(outside) && outside.failure._tag === "Forged").toBe(true)
    const local = checkSender(t, { level: 1, index: 3 }, at([30]))
    expect(Result.isFailure(local) && local.failure._tag === "Forged").toBe(true)
    const wrongLevel = checkSender(t, { level: 3, index: 0 }, at([3]))
    expect(Result.isFailure(wrongLevel) && wrongLevel.failure._tag === "Forged").toBe(true)
  })

  it("peekUpBatch accepts exactly the batches decodeFor accepts for a receiver, and reads the same entries", () => {
    const t = makeTopology(10_000, 10) // 1000 / 100 / 10 / 1
    const receiver = { level: 2, index: 7 } // children 70..79
    const entriesArb = fc.uniqueArray(fc.integer({ min: 65, max: 84 }), { minLength: 1, maxLength: 10 }).map((xs) => xs.sort((a, b) => a - b))
    const mutated = fc.tuple(entriesArb, summaryArb, fc.array(fc.tuple(fc.nat(200), fc.nat(255)), { maxLength: 2 }), fc.nat(2))
    fc.assert(
      fc.property(mutated, ([indices, summary, edits, cut]) => {
        const b: UpBatch = { _tag: "UpBatch", from: { level: 1, index: indices[0]! }, ups: indices.map((index) => ({ index, epoch: 4, seq: 2, summary })) }
        let bytes = encodeMessage(b)
        for (const [at, v] of edits) if (at < bytes.length) bytes[at] = v
        if (cut > 0) bytes = bytes.slice(0, bytes.length - cut)
        const general = decodeFor(t, receiver, bytes)
        const accepted = Result.isSuccess(general) && general.success._tag === "UpBatch"
        const dv = peekUpBatch(bytes, 1, 70, 80)
        expect(dv !== undefined).toBe(accepted)
        if (dv !== undefined && Result.isSuccess(general) && general.success._tag === "UpBatch") {
          const ups = upsOf(general.success)
          expect(upBatchCount(dv)).toBe(ups.length)
          ups.forEach((u, i) => {
            // the receivers' per-entry reader (no allocation: one shared Float64Array)
            const e = readUpBatchEntry(dv, i)
            expect(e).toBe(readUpBatchEntry(dv, i))
            expect([...e]).toEqual([u.from.index, u.epoch, u.seq, u.summary.count, u.summary.sum, u.summary.min, u.summary.max])
          })
        }
      }),
      { numRuns: 3000 },
    )
  })
})

describe("a tree whose local level batches", () => {
  // @lean Hydrogen.Scale.messagesPerRound_bound
  it("counts the same tree messages (M of the plan) and publishes one UpBatch per level-2 coordinator instead of its children's Ups", async () => {
    for (const [n, k] of [[1000, 10], [4999, 7], [20_000, 100], [30, 4]] as const) {
      const server = makeInProcessServer()
      const r = await runTree({ agents: n, branching: k, rounds: 2, seed: 5, clients: "level", connect: (name) => server.connect(name) })
      const t = makeTopology(n, k)
      const locals = countAt(t, 1)
      const parents = countAt(t, 2)
      for (const x of r.rounds) {
        expect(x.exact).toBe(true)
        expect(x.aggregationMessages).toBe(messagesPerRound(n, k))
        // the local level's Ups travel in one batch per parent: locals − parents publishes fewer
        expect(x.busPublishes).toBe(x.messages - (locals - parents))
      }
      // what the bus itself saw: every publish, control-free (runTree publishes nothing else)
      expect(server.stats.published).toBe(r.rounds.reduce((s, x) => s + x.busPublishes, 0))
    }
  })

  it("with one client per coordinator the local coordinators send one Up each (no batching)", async () => {
    const server = makeInProcessServer()
    const r = await runTree({ agents: 1000, branching: 10, rounds: 2, seed: 5, connect: (name) => server.connect(name) })
    for (const x of r.rounds) expect(x.busPublishes).toBe(x.messages)
    expect(server.stats.published).toBe(r.rounds.reduce((s, x) => s + x.messages, 0))
  })
})
