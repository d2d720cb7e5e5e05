import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { OutOfDomain } from "../../src/Aggregate/Domain.ts"
import { decodeColumns, encodeBatch } from "../../src/Wire/Codec.ts"
import {
  apply,
  applyAll,
  applyDeltaBytesToColumns,
  applyDeltasToColumns,
  changed,
  decodeDeltas,
  type Delta,
  deltaEquals,
  diff,
  encodeDeltas,
  unchanged,
  encodeDeltaRecord,
} from "../../src/Wire/Delta.ts"
import { type Atom, atomEquals } from "../../src/Wire/Element.ts"
import { deltaArb, elementArb, nearElementArb, refBatch, refDeltaRecord } from "./arbitraries.ts"

const ok = <A, E>(r: Result.Result<A, E>): A => {
  if (Result.isFailure(r)) throw new Error(`expected success, got ${String(r.failure)}`)
  return r.success
}
const err = <A, E>(r: Result.Result<A, E>): E => {
  if (Result.isSuccess(r)) throw new Error("expected a failure")
  return r.failure
}
const elemArb = fc.oneof(elementArb, nearElementArb)
const fields = ["atom", "z", "viewport", "x", "y", "width", "height", "color"] as const

describe("Delta laws", () => {
  // @lean Hydrogen.Wire.getD_changed
  it("getD_changed: (changed old new).getD old = new, for numbers and for atoms (structural equality)", () => {
    fc.assert(fc.property(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 }), (a, b) => (changed(a, b) ?? a) === b))
    fc.assert(fc.property(elemArb, elemArb, (a, b) => {
      expect(atomEquals(changed(a.atom, b.atom, atomEquals) ?? a.atom, b.atom)).toBe(true)
    }))
  })

  // @lean Hydrogen.Wire.apply_diff
  it("apply_diff: apply old (diff old new) = new", () => {
    fc.assert(fc.property(elemArb, elemArb, (a, b) => {
      expect(apply(a, diff(a, b))).toEqual(b)
    }), { numRuns: 2000 })
  })

  // @lean Hydrogen.Wire.diff
  it("diff keeps exactly the changed fields (absent = unchanged)", () => {
    fc.assert(fc.property(elemArb, elemArb, (a, b) => {
      const d = diff(a, b)
      for (const f of fields) {
        const same = f === "atom" ? atomEquals(a.atom, b.atom) : a[f] === b[f]
        expect(f in d).toBe(!same)
      }
    }))
  })

  // @lean Hydrogen.Wire.diff_self
  it("diff_self: diff e e = Delta.unchanged", () => {
    fc.assert(fc.property(elemArb, (e) => {
      expect(diff(e, structuredClone(e))).toEqual(unchanged)
    }))
  })

  // @lean Hydrogen.Wire.apply_unchanged
  it("apply_unchanged: apply e Delta.unchanged = e", () => {
    fc.assert(fc.property(elemArb, (e) => {
      expect(apply(e, unchanged)).toEqual(e)
    }))
  })

  // @lean Hydrogen.Wire.applyAll_diffs
  it("applyAll_diffs: applying the chain of diffs through intermediate versions lands on the last version", () => {
    fc.assert(fc.property(elemArb, fc.array(elemArb, { maxLength: 8 }), (e, vs) => {
      const chain = [e, ...vs]
      const ds = vs.map((v, i) => diff(chain[i]!, v))
      expect(applyAll(e, ds)).toEqual(chain[chain.length - 1])
    }))
  })
})

describe("delta bytes", () => {
  const indexed = fc.array(fc.record({ index: fc.nat({ max: 2 ** 32 - 1 }), delta: deltaArb }), { maxLength: 20 })

  it("encodeDeltas is the header (payload kind 1) then index u32, mask u8 and the changed fields in bit order (reference)", () => {
    fc.assert(fc.property(indexed, (ds) => {
      expect(encodeDeltas(ds)).toEqual(refBatch(1, ds.length, ds.flatMap(({ index, delta }) => refDeltaRecord(index, delta))))
    }))
  })

  it("decodeDeltas (encodeDeltas ds) = ds", () => {
    fc.assert(fc.property(indexed, (ds) => {
      expect(ok(decodeDeltas(encodeDeltas(ds)))).toEqual(ds)
    }))
  })

  it("a position-only delta is 13 bytes (4 index + 1 mask + 8); the unchanged delta 5", () => {
    const pos: Delta = { x: 160, y: -32 }
    expect(encodeDeltas([{ index: 3, delta: pos }]).length - 12).toBe(13)
    expect(Array.from(encodeDeltas([{ index: 3, delta: pos }]).subarray(12))).toEqual([3, 0, 0, 0, 0b11000, 160, 0, 0, 0, 0xe0, 0xff, 0xff, 0xff])
    expect(encodeDeltas([{ index: 0, delta: unchanged }]).length - 12).toBe(5)
  })

  it("malformed delta bytes are typed errors naming the record and byte", () => {
    const good = encodeDeltas([{ index: 1, delta: { atom: { _tag: "text", font: 0, size: 5 }, z: 1 } }])
    const edit = (i: number, v: number) => { const b = good.slice(); b[i] = v; return b }
    expect(err(decodeDeltas(good.subarray(0, good.length - 1)))).toMatchObject({ _tag: "Truncated", field: "delta values", index: 0, offset: 17, needed: 7, available: 6 })
    expect(err(decodeDeltas(good.subarray(0, 14)))).toMatchObject({ _tag: "Truncated", field: "delta record", index: 0, offset: 12, needed: 5, available: 2 })
    expect(err(decodeDeltas(Uint8Array.from([...good, 0])))).toMatchObject({ _tag: "TrailingBytes", offset: good.length, count: 1 })
    expect(err(decodeDeltas(edit(17, 4)))).toMatchObject({ _tag: "InvalidField", index: 0, offset: 17, field: "atom.kind" })
    expect(err(decodeDeltas(edit(20, 0)))).toMatchObject({ _tag: "InvalidField", offset: 20, field: "atom.size", value: 0 })
    expect(err(decodeDeltas(edit(17, 0)))).toMatchObject({ _tag: "InvalidField", field: "atom padding", index: 0, offset: 20 })
    expect(err(decodeDeltas(edit(5, 0)))).toMatchObject({ _tag: "BadHeader", field: "payload kind", offset: 5, value: 0, expected: "1 (deltas)" })
    expect(err(decodeDeltas(encodeBatch([])))).toMatchObject({ _tag: "BadHeader", field: "payload kind" })
  })

  it("the delta decoder takes the record decoder's text-size edges: sizes 1 and 4096 decode, 0 and 4097 fail at the size bytes", () => {
    // Size bytes of the one record's atom: header 12 + index 4 + mask 1 + kind 1 + font 2 = offset 20.
    const withSize = (size: number) => {
      const b = encodeDeltas([{ index: 0, delta: { atom: { _tag: "text", font: 7, size: 1 } } }])
      b[20] = size & 0xff
      b[21] = size >>> 8
      return b
    }
    for (const size of [1, 4096]) {
      expect(ok(decodeDeltas(withSize(size)))).toEqual([{ index: 0, delta: { atom: { _tag: "text", font: 7, size } } }])
    }
    for (const size of [0, 4097, 0xffff]) {
      const want = { _tag: "InvalidField", index: 0, offset: 20, field: "atom.size", value: size, expected: "an integer in 1..4096" }
      expect(err(decodeDeltas(withSize(size)))).toMatchObject(want)
      const cols = ok(decodeColumns(encodeBatch([{ atom: { _tag: "rect", cornerRadius: 0 }, z: 0, viewport: 0, x: 0, y: 0, width: 1, height: 1, color: 0 }])))
      expect(err(applyDeltaBytesToColumns(cols, withSize(size)))).toMatchObject(want)
      expect(cols.kind[0]).toBe(0)
    }
  })
})

describe("deltas on columns (render path)", () => {
  const pairs = fc.array(fc.tuple(elemArb, elemArb), { maxLength: 30 })

  it("applying the batch diff (objects or bytes) to the old columns equals decoding the new batch", () => {
    fc.assert(fc.property(pairs, (ps) => {
      const olds = ps.map((p) => p[0])
      const news = ps.map((p) => p[1])
      const deltas = ps.map(([a, b], index) => ({ index, delta: diff(a, b) })).filter((d) => Object.keys(d.delta).length > 0)
      const want = ok(decodeColumns(encodeBatch(news)))
      const viaObjects = ok(decodeColumns(encodeBatch(olds)))
      ok(applyDeltasToColumns(viaObjects, deltas))
      expect(viaObjects).toEqual(want)
      const viaBytes = ok(decodeColumns(encodeBatch(olds)))
      ok(applyDeltaBytesToColumns(viaBytes, encodeDeltas(deltas)))
      expect(viaBytes).toEqual(want)
      expect(news.map((n, i) => apply(olds[i]!, diff(olds[i]!, n)))).toEqual(news)
    }))
  })

  it("later deltas to the same index win (applyAll order); out-of-range indices write nothing", () => {
    fc.assert(fc.property(elementArb, fc.array(elementArb, { minLength: 1, maxLength: 5 }), (e, vs) => {
      const chain = [e, ...vs]
      const ds = vs.map((v, i) => ({ index: 0, delta: diff(chain[i]!, v) }))
      const cols = ok(decodeColumns(encodeBatch([e])))
      ok(applyDeltaBytesToColumns(cols, encodeDeltas(ds)))
      expect(cols).toEqual(ok(decodeColumns(encodeBatch([vs[vs.length - 1]!]))))
    }))
    const cols = ok(decodeColumns(encodeBatch([])))
    const before = structuredClone(cols)
    expect(err(applyDeltasToColumns(cols, [{ index: 0, delta: { x: 1 } }]))._tag).toBe("IndexOutOfRange")
    expect(err(applyDeltaBytesToColumns(cols, encodeDeltas([{ index: 0, delta: { x: 1 } }])))._tag).toBe("IndexOutOfRange")
    expect(cols).toEqual(before)
  })

  it("indices that are negative, fractional or past the last row are rejected before anything is written", () => {
    const rect = { atom: { _tag: "rect", cornerRadius: 0 }, z: 0, viewport: 0, x: 0, y: 0, width: 1, height: 1, color: 0 } as const
    const cols = ok(decodeColumns(encodeBatch([rect, rect])))
    const before = structuredClone(cols)
    for (const index of [-1, 0.5, 2, Number.NaN]) {
      expect(err(applyDeltasToColumns(cols, [{ index: 0, delta: { x: 5 } }, { index, delta: { x: 1 } }]))).toMatchObject({ _tag: "IndexOutOfRange", delta: 1, count: 2 })
    }
    expect(err(applyDeltaBytesToColumns(cols, encodeDeltas([{ index: 1, delta: { y: 5 } }, { index: 2, delta: { x: 1 } }])))).toMatchObject({ _tag: "IndexOutOfRange", delta: 1, index: 2, count: 2 })
    expect(cols).toEqual(before)
    expect(ok(applyDeltaBytesToColumns(cols, encodeDeltas([{ index: 1, delta: { y: 5 } }])))).toBe(1)
    expect(cols.y[1]).toBe(5)
  })
})

describe("delta bytes: edges the random batches rarely reach", () => {
  it("an unchanged record (mask 0, exactly 5 bytes) may end the batch", () => {
    const ds = [{ index: 3, delta: { x: 1 } }, { index: 7, delta: unchanged }]
    expect(ok(decodeDeltas(encodeDeltas(ds)))).toEqual(ds)
    expect(ok(decodeDeltas(encodeDeltas([{ index: 0, delta: unchanged }])))).toEqual([{ index: 0, delta: {} }])
  })

  it("a set padding byte of a rect or path atom is reported at its own offset (low byte 20, high byte 21)", () => {
    for (const atom of [{ _tag: "rect", cornerRadius: 1 }, { _tag: "path", stroke: 1 }] as const) {
      const b = encodeDeltas([{ index: 0, delta: { atom } }])
      const high = b.slice()
      high[21] = 9
      expect(err(decodeDeltas(high))).toMatchObject({ _tag: "InvalidField", field: "atom padding", index: 0, offset: 21, value: 9 })
      const low = b.slice()
      low[20] = 4
      expect(err(decodeDeltas(low))).toMatchObject({ _tag: "InvalidField", field: "atom padding", index: 0, offset: 20, value: 4 })
    }
  })

  it("changed is undefined exactly when the values are equal (=== by default, or the given equality)", () => {
    expect(changed(3, 3)).toBeUndefined()
    expect(changed(3, 4)).toBe(4)
    expect(changed(0, -0)).toBeUndefined()
    expect(changed({ _tag: "rect", cornerRadius: 2 }, { _tag: "rect", cornerRadius: 2 }, atomEquals)).toBeUndefined()
    expect(changed({ _tag: "rect", cornerRadius: 2 }, { _tag: "rect", cornerRadius: 3 }, atomEquals)).toEqual({ _tag: "rect", cornerRadius: 3 })
  })

  it("deltaEquals holds exactly when the encoded records are equal", () => {
    // b is a, or a with one field taken from another delta (possibly removing it).
    const keys = ["atom", "z", "viewport", "x", "y", "width", "height", "color"] as const
    const pairArb = fc.tuple(deltaArb, deltaArb, fc.constantFrom(...keys, null)).map(([a, o, k]) => [a, k === null ? { ...a } : { ...a, [k]: o[k] }] as const)
    fc.assert(fc.property(pairArb, ([a, b]) => {
      expect(deltaEquals(a, b)).toBe(Array.from(encodeDeltaRecord(0, a)).join() === Array.from(encodeDeltaRecord(0, b)).join())
    }), { numRuns: 2000 })
  })

  it("an atom with an unknown tag is OutOfDomain at atom._tag", () => {
    const bad = { _tag: "circle", stroke: 1 } as unknown as Atom
    expect(() => encodeDeltas([{ index: 0, delta: { atom: bad } }])).toThrow(expect.objectContaining({ _tag: "OutOfDomain", field: "atom._tag", value: "circle" }))
  })
})


describe("delta encoding over Lean's domain (typed errors)", () => {
  const bad = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.5, -1.5, 2 ** 53, -(2 ** 60))
  it("encodeDeltas throws OutOfDomain on a non-safe-integer field, a negative Nat field or index, before writing", () => {
    fc.assert(
      fc.property(bad, fc.constantFrom("z", "viewport", "x", "y", "width", "height", "color"), (v, f) => {
        expect(() => encodeDeltas([{ index: 0, delta: { [f]: v } }])).toThrow(OutOfDomain)
      }),
    )
    for (const f of ["viewport", "width", "height", "color"] as const) {
      expect(() => encodeDeltas([{ index: 0, delta: { [f]: -1 } }])).toThrow(OutOfDomain)
    }
    expect(() => encodeDeltas([{ index: -1, delta: {} }])).toThrow(/index must be a natural number/)
    expect(() => encodeDeltas([{ index: 0, delta: { atom: { _tag: "text", font: 0, size: Number.NaN } } }])).toThrow(OutOfDomain)
    expect(() => encodeDeltaRecord(2 ** 53, {})).toThrow(OutOfDomain)
  })

  // @lean Hydrogen.Wire.encodeDeltaRecord
  it("integral values beyond a field's width are written modulo the width, as Lean's encodeDeltaRecord", () => {
    const MAX = Number.MAX_SAFE_INTEGER
    expect(Array.from(encodeDeltaRecord(MAX, { z: -MAX, width: MAX }))).toEqual(
      [255, 255, 255, 255, 2 + 32, 1, 0, 255, 255],
    )
  })
})

// Pinning: apply_diff and applyAll_diffs do not say which of two deltas naming
// the same field wins; this does (the last one), field by field.
describe("delta order pinned: the last delta that names a field wins", () => {
  const fields = ["atom", "z", "viewport", "x", "y", "width", "height", "color"] as const

  // @lean Hydrogen.Wire.applyAll_last_wins
  it("applyAll_last_wins: each field holds the value of the last delta that changed it, or its old value", () => {
    fc.assert(
      fc.property(elementArb, fc.array(deltaArb, { maxLength: 6 }), (e, ds) => {
        const out = applyAll(e, ds)
        for (const f of fields) {
          const last = [...ds].reverse().find((d) => d[f] !== undefined)
          expect(out[f]).toEqual(last === undefined ? e[f] : last[f])
        }
      }),
      { numRuns: 500 },
    )
  })
})
