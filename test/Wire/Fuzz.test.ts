// Fuzzing the decoders: arbitrary bytes and mutations of valid buffers (bit
// flips, byte sets, truncation, extension, header edits). A decoder must never
// throw; it returns either a typed error or a value that re-encodes to exactly
// the input bytes (canonical encodings only).
import fc from "fast-check"
import * as Result from "effect/Result"
import { afterAll, describe, expect, it } from "vitest"
import { decode, decodeBatch, decodeColumns, elementsOfColumns, encode, encodeBatch, encodeColumns } from "../../src/Wire/Codec.ts"
import { applyDeltaBytesToColumns, decodeDeltas, encodeDeltas } from "../../src/Wire/Delta.ts"
import { elementArb, deltaArb, refDecode } from "./arbitraries.ts"

const TAGS = new Set(["Truncated", "BadHeader", "InvalidField", "TrailingBytes", "IndexOutOfRange"])
let cases = 0
const started = performance.now()

/** Runs `f`, failing the property (with the input) if it throws. */
const noThrow = <A>(what: string, bytes: Uint8Array, f: () => A): A => {
  try {
    return f()
  } catch (e) {
    throw new Error(`${what} threw on [${Array.from(bytes).join(",")}]: ${String(e)}`)
  }
}
// Plain checks (not `expect`) in the hot path keep 10^5 cases fast.
const check = (cond: boolean, what: string, bytes: Uint8Array): void => {
  if (!cond) throw new Error(`${what} on [${Array.from(bytes).join(",")}]`)
}
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])
const checkError = (e: { _tag: string; message: string }, bytes: Uint8Array): void =>
  check(TAGS.has(e._tag) && e.message.length > 0, `untyped error ${String(e)}`, bytes)

type Mutation =
  | { readonly op: "flip"; readonly at: number; readonly bit: number }
  | { readonly op: "set"; readonly at: number; readonly value: number }
  | { readonly op: "truncate"; readonly at: number }
  | { readonly op: "extend"; readonly bytes: Uint8Array }
  | { readonly op: "header"; readonly at: number; readonly value: number }

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("set" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("extend" as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("header" as const), at: fc.integer({ min: 0, max: 11 }), value: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 1, 2, 255)) }) },
)

const mutate = (buf: Uint8Array, ms: ReadonlyArray<Mutation>): Uint8Array => {
  let b = buf.slice()
  for (const m of ms) {
    if (b.length === 0 && m.op !== "extend") continue
    switch (m.op) {
      case "flip": b[m.at % b.length]! ^= 1 << m.bit; break
      case "set": b[m.at % b.length] = m.value; break
      case "truncate": b = b.slice(0, m.at % b.length); break
      case "extend": { const c = new Uint8Array(b.length + m.bytes.length); c.set(b); c.set(m.bytes, b.length); b = c; break }
      case "header": if (m.at < b.length) b[m.at] = m.value; break
    }
  }
  return b
}
const mutationsArb = fc.array(mutationArb, { minLength: 1, maxLength: 3 })
const header = (kind: number, count: number) => Uint8Array.from([0x48, 0x59, 0x45, 0x4c, 1, kind, 0, 0, count & 255, (count >>> 8) & 255, (count >>> 16) & 255, count >>> 24])
/** Random bytes, sometimes behind a plausible header so the record decoders are reached. */
const rawBatchArb = (kind: number) => fc.oneof(
  fc.uint8Array({ maxLength: 120 }),
  fc.tuple(fc.integer({ min: 0, max: 5 }), fc.uint8Array({ maxLength: 150 })).map(([n, body]) => {
    const h = header(kind, n)
    const b = new Uint8Array(h.length + body.length)
    b.set(h)
    b.set(body, h.length)
    return b
  }),
)

const checkRecordDecode = (bytes: Uint8Array): boolean => {
  cases++
  const r = noThrow("decode", bytes, () => decode(bytes))
  if (Result.isSuccess(r)) check(sameBytes(encode(r.success), bytes), "decode accepted non-canonical bytes", bytes)
  else checkError(r.failure, bytes)
  // and agrees with Lean's decode (reference)
  check(Result.isSuccess(r) === (refDecode(Array.from(bytes)) !== null), "decode disagrees with the reference", bytes)
  return true
}

const checkBatchDecode = (bytes: Uint8Array): boolean => {
  cases++
  const r = noThrow("decodeBatch", bytes, () => decodeBatch(bytes))
  const c = noThrow("decodeColumns", bytes, () => decodeColumns(bytes))
  if (Result.isSuccess(r)) {
    check(sameBytes(encodeBatch(r.success), bytes), "decodeBatch accepted non-canonical bytes", bytes)
    check(Result.isSuccess(c) && JSON.stringify(elementsOfColumns(c.success)) === JSON.stringify(r.success), "decoders disagree", bytes)
  } else {
    checkError(r.failure, bytes)
    // the same typed error from both decoders
    check(Result.isFailure(c) && c.failure.message === r.failure.message && c.failure._tag === r.failure._tag, "decoders disagree on the error", bytes)
  }
  if (Result.isSuccess(c)) check(sameBytes(encodeColumns(c.success), bytes), "decodeColumns accepted non-canonical bytes", bytes)
  return true
}

const noColumns = Result.getOrThrow(decodeColumns(encodeBatch([])))
const checkDeltaDecode = (bytes: Uint8Array): boolean => {
  cases++
  const r = noThrow("decodeDeltas", bytes, () => decodeDeltas(bytes))
  if (Result.isSuccess(r)) check(sameBytes(encodeDeltas(r.success), bytes), "decodeDeltas accepted non-canonical bytes", bytes)
  else checkError(r.failure, bytes)
  const a = noThrow("applyDeltaBytesToColumns", bytes, () => applyDeltaBytesToColumns(noColumns, bytes))
  if (Result.isFailure(a)) checkError(a.failure, bytes)
  else check(Result.isSuccess(r) && r.success.length === 0, "deltas applied to no columns", bytes) // only empty delta lists apply
  return true
}

describe("fuzz: decoders never throw and accept only canonical bytes", () => {
  it("decode: 20 000 arbitrary byte strings (0..40 bytes) and 20 000 mutations of valid records", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), checkRecordDecode), { numRuns: 10_000 })
    fc.assert(fc.property(fc.uint8Array({ minLength: 28, maxLength: 28 }), checkRecordDecode), { numRuns: 10_000 })
    fc.assert(fc.property(elementArb, mutationsArb, (e, ms) => checkRecordDecode(mutate(encode(e), ms))), { numRuns: 20_000 })
  })

  it("decodeBatch / decodeColumns: 15 000 arbitrary buffers and 25 000 mutations of valid batches (both decoders agree)", () => {
    fc.assert(fc.property(rawBatchArb(0), checkBatchDecode), { numRuns: 15_000 })
    fc.assert(fc.property(fc.array(elementArb, { maxLength: 4 }), mutationsArb, (es, ms) => checkBatchDecode(mutate(encodeBatch(es), ms))), { numRuns: 25_000 })
  })

  it("decodeDeltas: 10 000 arbitrary buffers and 15 000 mutations of valid delta batches", () => {
    fc.assert(fc.property(rawBatchArb(1), checkDeltaDecode), { numRuns: 10_000 })
    const ds = fc.array(fc.record({ index: fc.nat(), delta: deltaArb }), { maxLength: 4 })
    fc.assert(fc.property(ds, mutationsArb, (d, ms) => checkDeltaDecode(mutate(encodeDeltas(d), ms))), { numRuns: 15_000 })
  })

  afterAll(() => {
    console.log(`wire fuzz: ${cases} cases in ${((performance.now() - started) / 1000).toFixed(2)} s`)
  })

  it("ran at least 10^5 fuzz cases in total", () => {
    expect(cases).toBeGreaterThanOrEqual(100_000)
  })
})
