import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { GCounter, PNCounter, VectorClock } from "../../src/State/Counter.ts"
import type { AnyState, DecodeError, StateCodec } from "../../src/State/Encoding.ts"
import {
  decodeAny,
  encodeAny,
  GCounterCodec,
  LWWMapCodec,
  LWWRegCodec,
  MAX_LENGTH,
  ORMapCodec,
  ORSetCodec,
  PNCounterCodec,
  VectorClockCodec,
  ViewportStateCodec,
} from "../../src/State/Encoding.ts"
import { ORMap, ORSet } from "../../src/State/ORSet.ts"
import { LWWMap, LWWReg } from "../../src/State/Register.ts"
import { ViewportState } from "../../src/State/Viewport.ts"
import {
  gcounterArb,
  lwwMapArb,
  orsetArb,
  ormapArb,
  params,
  pncounterArb,
  regArb,
  vclockArb,
  viewportArb,
} from "./arbitraries.ts"

// Wider values than the law tests: large numbers and ids exercise multi-byte varints.
const bigNat = fc.oneof(fc.nat(300), fc.maxSafeNat())
const bigRegArb: fc.Arbitrary<LWWReg> = fc.record({ timestamp: bigNat, replica: bigNat, value: bigNat })

const anyStateArb: fc.Arbitrary<AnyState> = fc.oneof(
  gcounterArb.map((value) => ({ type: "GCounter" as const, value })),
  pncounterArb.map((value) => ({ type: "PNCounter" as const, value })),
  vclockArb.map((value) => ({ type: "VectorClock" as const, value })),
  fc.oneof(regArb, bigRegArb).map((value) => ({ type: "LWWReg" as const, value })),
  lwwMapArb.map((value) => ({ type: "LWWMap" as const, value })),
  orsetArb.map((value) => ({ type: "ORSet" as const, value })),
  ormapArb.map((value) => ({ type: "ORMap" as const, value })),
  viewportArb.map((value) => ({ type: "ViewportState" as const, value })),
)

const equalsOf: { readonly [K in AnyState["type"]]: (a: any, b: any) => boolean } = {
  GCounter: GCounter.equals,
  PNCounter: PNCounter.equals,
  VectorClock: VectorClock.equals,
  LWWReg: LWWReg.equals,
  LWWMap: LWWMap.equals,
  ORSet: ORSet.equals,
  ORMap: ORMap.equals,
  ViewportState: ViewportState.equals,
}

const errorOf = <A>(r: Result.Result<A, DecodeError>): DecodeError => {
  if (Result.isSuccess(r)) throw new Error("expected a decoding failure")
  return r.failure
}
const hex = (s: string) => Uint8Array.from(s.split(" ").map((b) => parseInt(b, 16)))

describe("state encoding", () => {
  it("has the documented layout (reference bytes written by hand)", () => {
    // GCounter [0, 0, 300]: length 3, one entry, gap 2, value 300 = ac 02
    expect(GCounterCodec.encode({ counts: [0, 0, 300] })).toEqual(hex("48 59 53 54 01 01 03 01 02 ac 02"))
    // the delta single 5 (some w): length 6, one entry at gap 5
    expect(LWWMapCodec.encode(LWWMap.setDelta(5, { timestamp: 1, replica: 2, value: 3 }))).toEqual(
      hex("48 59 53 54 01 05 06 01 05 01 02 03"),
    )
    // ORSet [([1, 4], [4])]: added count 2, ids 1, gap 2; removed count 1, id 4
    expect(ORSetCodec.encode({ tags: [[[1, 4], [4]]] })).toEqual(hex("48 59 53 54 01 06 01 01 00 02 01 02 01 04"))
    expect(ORMapCodec.encode(ORMap.empty)).toEqual(hex("48 59 53 54 01 07 00 00"))
    // a large GCounter delta is a few bytes
    expect(GCounterCodec.encode(GCounter.incDelta(1_000_000, GCounter.empty)).length).toBeLessThan(15)
  })

  it("round-trips every state type (decode ∘ encode = id) and the re-encoding is identical", () =>
    fc.assert(
      fc.property(anyStateArb, (s) => {
        const bytes = encodeAny(s)
        const r = decodeAny(bytes)
        if (Result.isFailure(r)) throw new Error(r.failure.message)
        expect(r.success.type).toBe(s.type)
        expect(equalsOf[s.type](r.success.value, s.value)).toBe(true)
        expect(encodeAny(r.success)).toEqual(bytes)
      }),
      { numRuns: 1000 },
    ))

  it("per-type codecs round-trip and reject another type's bytes with BadHeader", () => {
    const codecs: ReadonlyArray<[StateCodec<any>, fc.Arbitrary<any>, (a: any, b: any) => boolean]> = [
      [GCounterCodec, gcounterArb, GCounter.equals],
      [PNCounterCodec, pncounterArb, PNCounter.equals],
      [VectorClockCodec, vclockArb, VectorClock.equals],
      [LWWRegCodec, bigRegArb, LWWReg.equals],
      [LWWMapCodec, lwwMapArb, LWWMap.equals],
      [ORSetCodec, orsetArb, ORSet.equals],
      [ORMapCodec, ormapArb, ORMap.equals],
      [ViewportStateCodec, viewportArb, ViewportState.equals],
    ]
    for (const [C, arb, eq] of codecs) {
      fc.assert(
        fc.property(arb, (a) => {
          const r = C.decode(C.encode(a))
          expect(Result.isSuccess(r) && eq(r.success, a)).toBe(true)
        }),
        params,
      )
    }
    expect(errorOf(GCounterCodec.decode(VectorClockCodec.encode(VectorClock.empty)))._tag).toBe("BadHeader")
  })

  it("returns the byte layer's typed errors with field and offset: Truncated, BadHeader, InvalidField, TrailingBytes", () => {
    const good = GCounterCodec.encode({ counts: [0, 0, 300] })
    const t = errorOf(GCounterCodec.decode(good.subarray(0, good.length - 1)))
    expect(t).toMatchObject({ _tag: "Truncated", field: "entry", offset: 10, needed: 1, available: 0 })
    expect(errorOf(GCounterCodec.decode(hex("48 59")))._tag).toBe("Truncated")
    expect(errorOf(GCounterCodec.decode(hex("48 59 53 55 01 01 00 00")))).toMatchObject({ _tag: "BadHeader", field: "magic", offset: 3, value: 0x55 })
    expect(errorOf(decodeAny(hex("48 59 53 54 01 09 00 00")))).toMatchObject({ _tag: "BadHeader", field: "type", offset: 5, value: 9 })
    expect(errorOf(GCounterCodec.decode(hex("48 59 53 54 02 01 00 00")))).toMatchObject({ _tag: "BadHeader", field: "version", offset: 4, value: 2 })
    // non-minimal varint (80 00 for 0)
    expect(errorOf(GCounterCodec.decode(hex("48 59 53 54 01 01 80 00 00")))).toMatchObject({ _tag: "InvalidField", field: "GCounter length", offset: 6 })
    // a bot entry written explicitly
    expect(errorOf(GCounterCodec.decode(hex("48 59 53 54 01 01 01 01 00 00")))).toMatchObject({ _tag: "InvalidField", field: "GCounter entry", offset: 9 })
    // index outside the length
    expect(errorOf(GCounterCodec.decode(hex("48 59 53 54 01 01 01 01 01 05")))).toMatchObject({ _tag: "InvalidField", field: "GCounter gap", offset: 8, value: 1 })
    // more entries than the length
    expect(errorOf(GCounterCodec.decode(hex("48 59 53 54 01 01 01 02 00 01 00 01")))).toMatchObject({ _tag: "InvalidField", field: "GCounter count", offset: 7, value: 2 })
    // length beyond the limit (no allocation happens)
    const huge = encodeAny({ type: "GCounter", value: { counts: [] } }).slice(0, 6)
    const lenBytes: number[] = []
    for (let v = MAX_LENGTH + 1; ; v = Math.floor(v / 128)) {
      if (v < 128) {
        lenBytes.push(v)
        break
      }
      lenBytes.push((v % 128) | 128)
    }
    expect(errorOf(GCounterCodec.decode(Uint8Array.from([...huge, ...lenBytes, 0])))).toMatchObject({
      _tag: "InvalidField",
      field: "GCounter length",
      offset: 6,
      value: MAX_LENGTH + 1,
    })
    // varint above 2^53 - 1
    expect(errorOf(LWWRegCodec.decode(hex("48 59 53 54 01 04 ff ff ff ff ff ff ff 7f 00 00")))).toMatchObject({ _tag: "InvalidField", field: "timestamp", offset: 6 })
    // ORMap value flag other than 0/1
    expect(errorOf(ORMapCodec.decode(hex("48 59 53 54 01 07 01 01 00 00 00 02")))).toMatchObject({ _tag: "InvalidField", field: "value flag", offset: 11, value: 2 })
    expect(errorOf(GCounterCodec.decode(Uint8Array.from([...good, 0])))).toMatchObject({ _tag: "TrailingBytes", field: "encoded state", offset: 11, count: 1 })
    expect(t.message).toContain("byte 10")
  })

  it("fuzz: decoders never throw on arbitrary bytes and mutations of valid encodings; what decodes re-encodes to the same bytes", () => {
    const mutated = fc
      .tuple(anyStateArb, fc.array(fc.tuple(fc.nat(), fc.nat(255), fc.nat(3)), { minLength: 1, maxLength: 4 }))
      .map(([s, muts]) => {
        const b = Array.from(encodeAny(s))
        for (const [pos, val, kind] of muts) {
          const i = b.length === 0 ? 0 : pos % b.length
          if (kind === 0) b[i] = val // overwrite
          else if (kind === 1) b.splice(i, 1) // delete
          else if (kind === 2) b.splice(i, 0, val) // insert
          else b.length = i // truncate
        }
        return Uint8Array.from(b)
      })
    const header = Uint8Array.from([0x48, 0x59, 0x53, 0x54, 1])
    const raw = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc.tuple(fc.nat({ max: 9 }), fc.uint8Array({ maxLength: 40 })).map(([t, rest]) => Uint8Array.from([...header, t, ...rest])),
    )
    let decoded = 0
    fc.assert(
      fc.property(fc.oneof(mutated, raw), (bytes) => {
        const r = decodeAny(bytes)
        if (Result.isSuccess(r)) {
          decoded++
          expect(encodeAny(r.success)).toEqual(bytes)
        } else expect(r.failure._tag).toMatch(/^(Truncated|BadHeader|InvalidField|TrailingBytes)$/)
        for (const C of [GCounterCodec, ORSetCodec, ORMapCodec, ViewportStateCodec] as ReadonlyArray<StateCodec<any>>) {
          const rc = C.decode(bytes)
          if (Result.isSuccess(rc)) expect(C.encode(rc.success)).toEqual(bytes)
        }
      }),
      { numRuns: 25_000 },
    )
    expect(decoded).toBeGreaterThan(100)
  })
})
