import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import {
  checkSender,
  decodeFor,
  decodeMessage,
  encodeMessage,
  HEADER_BYTES,
  type Message,
  messageErrorTags,
} from "../../src/Tree/Messages.ts"
import { foldValues, type Summary, summaryEmpty, summaryMerge, summaryOfValue } from "../../src/Tree/Summary.ts"
import { makeTopology } from "../../src/Tree/Topology.ts"

const u32 = fc.nat({ max: 0xffffffff })
const sender = fc.record({ level: fc.integer({ min: 1, max: 0xffff }), index: u32 })
const summary: fc.Arbitrary<Summary> = fc
  .array(fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.double({ noNaN: true, noDefaultInfinity: true })), { maxLength: 6 })
  // The codec carries any float64 summary; the checked merge (Lean's Int
  // domain) takes only integers, so fractional values go through the plain fold.
  .map((vs) => (vs.every(Number.isSafeInteger) ? vs.map(summaryOfValue).reduce(summaryMerge, summaryEmpty) : foldValues(Float64Array.from(vs))))
  .filter((s) => Number.isFinite(s.sum) || s.count === 0)
const bytes = (max: number) => fc.uint8Array({ maxLength: max })

const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ _tag: fc.constant("Up" as const), from: sender, epoch: u32, seq: u32, summary }),
  fc.record({ _tag: fc.constant("Down" as const), from: sender, epoch: u32, policy: bytes(64), triggers: fc.array(u32, { maxLength: 16 }) }),
  fc.record({ _tag: fc.constant("Heartbeat" as const), from: sender, term: u32 }),
  fc.record({
    _tag: fc.constant("Lateral" as const),
    from: fc.record({ level: fc.integer({ min: 0, max: 0xffff }), index: u32 }),
    fromAgent: u32,
    toAgent: u32,
    payload: bytes(64),
  }),
)

const sameMessage = (a: Message, b: Message): void => {
  expect(Array.from(encodeMessage(a))).toEqual(Array.from(encodeMessage(b)))
  expect(b._tag).toBe(a._tag)
}

/** Decodes without throwing; a success must re-encode to the same bytes, a failure must be a typed error. */
const checkDecode = (buf: Uint8Array, maxBytes?: number): void => {
  let r: ReturnType<typeof decodeMessage>
  try {
    r = decodeMessage(buf, maxBytes === undefined ? {} : { maxBytes })
  } catch (e) {
    throw new Error(`decodeMessage threw on ${Array.from(buf).join(",")}: ${String(e)}`)
  }
  if (Result.isSuccess(r)) {
    expect(Array.from(encodeMessage(r.success))).toEqual(Array.from(buf))
  } else {
    expect(messageErrorTags).toContain(r.failure._tag)
    expect(r.failure.message.length).toBeGreaterThan(0)
  }
}

describe("tree message codec", () => {
  it("round-trips every message kind", () => {
    fc.assert(
      fc.property(message, (m) => {
        const r = decodeMessage(encodeMessage(m))
        expect(Result.isSuccess(r)).toBe(true)
        if (Result.isSuccess(r)) sameMessage(m, r.success)
      }),
      { numRuns: 2000 },
    )
  })

  it("fuzz: 12,000 arbitrary buffers never throw and fail with typed errors", () => {
    const header = fc.tuple(fc.constantFrom(0x48, 0x00, 0xff), fc.constantFrom(0x54, 0x00), fc.constantFrom(1, 0, 2), fc.integer({ min: 0, max: 6 }))
    const arb = fc.oneof(
      bytes(200),
      // plausible headers with random bodies, so the body checks are reached too
      fc.tuple(header, bytes(120)).map(([[m0, m1, v, k], rest]) => Uint8Array.from([m0, m1, v, k, ...rest])),
    )
    fc.assert(fc.property(arb, (buf) => checkDecode(buf)), { numRuns: 12_000 })
  })

  it("fuzz: 12,000 mutations of valid messages (flips, cuts, extensions, overwrites) never throw", () => {
    const mutation = fc.oneof(
      fc.record({ op: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
      fc.record({ op: fc.constant("set" as const), at: fc.nat(), value: fc.nat({ max: 255 }) }),
      fc.record({ op: fc.constant("cut" as const), at: fc.nat() }),
      fc.record({ op: fc.constant("extend" as const), extra: bytes(8) }),
      fc.record({ op: fc.constant("u32" as const), at: fc.nat(), value: u32 }),
    )
    fc.assert(
      fc.property(message, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.constantFrom(undefined, 32, 64, 1024), (m, muts, max) => {
        let buf = encodeMessage(m)
        for (const mu of muts) {
          const at = buf.length === 0 ? 0 : ("at" in mu ? mu.at % buf.length : 0)
          if (mu.op === "flip" && buf.length > 0) buf[at] = buf[at]! ^ (1 << mu.bit)
          else if (mu.op === "set" && buf.length > 0) buf[at] = mu.value
          else if (mu.op === "cut") buf = buf.slice(0, at)
          else if (mu.op === "extend") buf = Uint8Array.from([...buf, ...mu.extra])
          else if (mu.op === "u32" && buf.length >= 4) new DataView(buf.buffer).setUint32(Math.min(at, buf.length - 4), mu.value, true)
        }
        checkDecode(buf, max)
      }),
      { numRuns: 12_000 },
    )
  })

  it("names the problem: truncated, bad header, unknown kind, oversized, invalid field", () => {
    const up = encodeMessage({ _tag: "Up", from: { level: 2, index: 3 }, epoch: 1, seq: 1, summary: summaryOfValue(5) })
    const tag = (b: Uint8Array, max?: number) => {
      const r = decodeMessage(b, max === undefined ? {} : { maxBytes: max })
      return Result.isFailure(r) ? r.failure._tag : "ok"
    }
    const with_ = (f: (b: Uint8Array, dv: DataView) => void): Uint8Array => {
      const b = up.slice()
      f(b, new DataView(b.buffer))
      return b
    }
    expect(tag(up)).toBe("ok")
    expect(tag(up.slice(0, 10))).toBe("Truncated")
    expect(tag(up.slice(0, up.length - 1))).toBe("Truncated")
    expect(tag(with_((b) => (b[0] = 0x49)))).toBe("BadHeader")
    expect(tag(with_((b) => (b[2] = 2)))).toBe("BadHeader")
    expect(tag(with_((b) => (b[6] = 1)))).toBe("BadHeader")
    expect(tag(Uint8Array.from([...up, 0]))).toBe("BadHeader")
    expect(tag(with_((b) => (b[3] = 9)))).toBe("UnknownKind")
    expect(tag(up, 40)).toBe("OversizedMessage")
    expect(tag(with_((_, dv) => dv.setUint32(12, 1 << 20, true)))).toBe("OversizedMessage")
    expect(tag(new Uint8Array(70_000))).toBe("OversizedMessage")
    expect(tag(with_((_, dv) => dv.setFloat64(HEADER_BYTES + 8, -1, true)))).toBe("InvalidField") // count
    expect(tag(with_((_, dv) => dv.setFloat64(HEADER_BYTES + 8, 1.5, true)))).toBe("InvalidField")
    expect(tag(with_((_, dv) => dv.setFloat64(HEADER_BYTES + 16, Number.NaN, true)))).toBe("InvalidField") // sum
    expect(tag(with_((_, dv) => dv.setFloat64(HEADER_BYTES + 24, 6, true)))).toBe("InvalidField") // min > max
    expect(tag(with_((_, dv) => dv.setUint16(4, 0, true)))).toBe("InvalidField") // Up from an agent
    const down = encodeMessage({ _tag: "Down", from: { level: 2, index: 0 }, epoch: 3, policy: Uint8Array.of(1, 2, 3), triggers: [7, 8] })
    const badDown = down.slice()
    new DataView(badDown.buffer).setUint32(HEADER_BYTES + 4, 999, true)
    expect(tag(badDown)).toBe("InvalidField")
    expect(() => encodeMessage({ _tag: "Heartbeat", from: { level: 1, index: -1 }, term: 0 })).toThrow(RangeError)
    expect(() => encodeMessage({ _tag: "Up", from: { level: 1, index: 0 }, epoch: 0, seq: 0, summary: { ...summaryEmpty, sum: 1 } })).toThrow(RangeError)
  })

  it("the receiver rejects senders that are not its children or parent (Forged)", () => {
    const t = makeTopology(1000, 10) // 100 / 10 / 1
    expect(t.perLevel).toEqual([100, 10, 1])
    const L2 = { level: 2, index: 3 } // children L1.30..39, parent L3.0
    const up = (level: number, index: number): Message => ({ _tag: "Up", from: { level, index }, epoch: 1, seq: 1, summary: summaryOfValue(1) })
    const tagOf = (r: ReturnType<typeof checkSender>) => (Result.isFailure(r) ? r.failure._tag : "ok")
    expect(tagOf(checkSender(t, L2, up(1, 30)))).toBe("ok")
    expect(tagOf(checkSender(t, L2, up(1, 39)))).toBe("ok")
    expect(tagOf(checkSender(t, L2, up(1, 40)))).toBe("Forged") // someone else's child
    expect(tagOf(checkSender(t, L2, up(2, 3)))).toBe("Forged") // level mismatch
    expect(tagOf(checkSender(t, L2, up(3, 0)))).toBe("Forged") // the parent sending up
    expect(tagOf(checkSender(t, { level: 1, index: 0 }, up(1, 1)))).toBe("Forged") // locals take no Up
    const down = (level: number, index: number): Message => ({ _tag: "Down", from: { level, index }, epoch: 1, policy: new Uint8Array(0), triggers: [] })
    expect(tagOf(checkSender(t, L2, down(3, 0)))).toBe("ok")
    expect(tagOf(checkSender(t, L2, down(2, 0)))).toBe("Forged")
    expect(tagOf(checkSender(t, { level: 3, index: 0 }, down(3, 0)))).toBe("Forged")
    const lat = (level: number, index: number, fromAgent: number, toAgent: number): Message => ({
      _tag: "Lateral",
      from: { level, index },
      fromAgent,
      toAgent,
      payload: new Uint8Array(0),
    })
    expect(tagOf(checkSender(t, L2, lat(1, 31, 315, 5)))).toBe("ok") // from a child, origin below it
    expect(tagOf(checkSender(t, L2, lat(1, 31, 325, 5)))).toBe("Forged") // origin not below that child
    expect(tagOf(checkSender(t, L2, lat(3, 0, 5, 335)))).toBe("ok") // from the parent, destination below
    expect(tagOf(checkSender(t, L2, lat(3, 0, 5, 500)))).toBe("Forged")
    expect(tagOf(checkSender(t, { level: 1, index: 2 }, lat(0, 25, 25, 900)))).toBe("ok") // hosted agent
    expect(tagOf(checkSender(t, { level: 1, index: 2 }, lat(0, 35, 35, 900)))).toBe("Forged")
    expect(tagOf(checkSender(t, { level: 1, index: 2 }, lat(0, 25, 26, 900)))).toBe("Forged") // impersonation
    expect(tagOf(checkSender(t, L2, lat(1, 31, 315, 5000)))).toBe("InvalidField")
    const r = decodeFor(t, L2, encodeMessage(up(1, 77)))
    expect(Result.isFailure(r) && r.failure._tag === "Forged" && r.failure.message.includes("L2.3")).toBe(true)
  })
})
