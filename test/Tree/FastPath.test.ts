// The allocation-free fast paths of the tree (writeUp / peekUp, subjectIndex)
// must agree exactly with the general codec and parser they shortcut.
import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { decodeMessage, encodeMessage, peekedUp, peekUp, UP_MESSAGE_BYTES, writeUp } from "../../src/Tree/Messages.ts"
import { subjectIndex } from "../../src/Tree/Topology.ts"

const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 })
const value = fc.integer({ min: -1_000_000_000, max: 1_000_000_000 })
const upArb = fc.record({
  level: fc.integer({ min: 1, max: 40 }),
  index: u32,
  epoch: u32,
  seq: u32,
  values: fc.array(value, { minLength: 1, maxLength: 20 }),
})

describe("tree message fast paths", () => {
  it("writeUp writes the same bytes as encodeMessage for every term-less Up", () => {
    fc.assert(
      fc.property(upArb, ({ level, index, epoch, seq, values }) => {
        const summary = { count: values.length, sum: values.reduce((s, x) => s + x, 0), min: Math.min(...values), max: Math.max(...values) }
        const reference = encodeMessage({ _tag: "Up", from: { level, index }, epoch, seq, summary })
        const buf = new Uint8Array(UP_MESSAGE_BYTES)
        writeUp(new DataView(buf.buffer), level, index, epoch, seq, summary.count, summary.sum, summary.min, summary.max)
        expect([...buf]).toEqual([...reference])
      }),
    )
  })

  it("peekUp accepts exactly the term-less Ups decodeMessage accepts, with the same fields", () => {
    const mutated = fc.tuple(upArb, fc.array(fc.tuple(fc.nat(UP_MESSAGE_BYTES - 1), fc.nat(255)), { maxLength: 3 }), fc.nat(3))
    fc.assert(
      fc.property(mutated, ([{ level, index, epoch, seq, values }, edits, cut]) => {
        const summary = { count: values.length, sum: values.reduce((s, x) => s + x, 0), min: Math.min(...values), max: Math.max(...values) }
        let bytes = encodeMessage({ _tag: "Up", from: { level, index }, epoch, seq, summary })
        for (const [at, b] of edits) bytes[at] = b
        if (cut > 0) bytes = bytes.slice(0, bytes.length - cut)
        const general = decodeMessage(bytes)
        const fast = peekUp(bytes)
        const generalUp = Result.isSuccess(general) && general.success._tag === "Up" && (general.success.term ?? 0) === 0
        expect(fast).toBe(generalUp)
        if (fast && Result.isSuccess(general) && general.success._tag === "Up") {
          const m = general.success
          expect([...peekedUp]).toEqual([m.from.level, m.from.index, m.epoch, m.seq, m.summary.count, m.summary.sum, m.summary.min, m.summary.max])
        }
      }),
      { numRuns: 5000 },
    )
  })

  it("subjectIndex reads the canonical decimal last token below the bound, else -1", () => {
    const reference = (s: string, count: number): number => {
      const last = s.split(".").pop() ?? ""
      if (!/^(0|[1-9][0-9]{0,14})$/.test(last)) return -1
      const i = Number(last)
      return i < count ? i : -1
    }
    const token = fc.oneof(fc.nat(10 ** 6).map(String), fc.stringMatching(/^[0-9a-z+-]{0,6}$/), fc.constant("007"), fc.constant(""))
    fc.assert(
      fc.property(fc.array(fc.constantFrom("h", "up", "down", "2"), { maxLength: 3 }), token, fc.nat(10 ** 6 + 5), (prefix, last, count) => {
        const s = [...prefix, last].join(".")
        expect(subjectIndex(s, count)).toBe(reference(s, count))
      }),
      { numRuns: 5000 },
    )
  })
})
