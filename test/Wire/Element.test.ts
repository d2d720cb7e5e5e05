import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { FieldBounds } from "../../src/Wire/Bounds.ts"
import { u16le, u32le } from "../../src/Wire/Codec.ts"
import { type Atom, atomKind, atomPayload, atomValid, decodeElement, type Element, isValid } from "../../src/Wire/Element.ts"
import { atomArb, elementArb, outOfBound, refEncode } from "./arbitraries.ts"

const base: Element = { atom: { _tag: "rect", cornerRadius: 4 }, z: 0, viewport: 1, x: 16, y: -16, width: 10, height: 10, color: 0x11223344 }
const topFields = ["z", "viewport", "x", "y", "width", "height", "color"] as const
const atomCases: ReadonlyArray<[Atom["_tag"], string, (v: number) => Atom]> = [
  ["rect", "cornerRadius", (v) => ({ _tag: "rect", cornerRadius: v })],
  ["text", "font", (v) => ({ _tag: "text", font: v, size: 10 })],
  ["text", "size", (v) => ({ _tag: "text", font: 1, size: v })],
  ["image", "source", (v) => ({ _tag: "image", source: v })],
  ["path", "stroke", (v) => ({ _tag: "path", stroke: v })],
]

describe("Element model (Effect Schema)", () => {
  // @lean Hydrogen.Wire.Element.Valid
  it("Element.Valid: every valid Element decodes to itself and satisfies isValid", () => {
    fc.assert(fc.property(elementArb, (e) => {
      expect(isValid(e)).toBe(true)
      const r = decodeElement(JSON.parse(JSON.stringify(e)))
      expect(Result.isSuccess(r) && r.success).toEqual(e)
    }))
  })

  // @lean Hydrogen.Wire.Element.Valid
  it("Element.Valid: a field outside its bound is rejected, naming the field path, the value and the bound", () => {
    for (const f of topFields) {
      fc.assert(fc.property(elementArb, outOfBound(FieldBounds[f]), (e, v) => {
        const bad = { ...e, [f]: v }
        expect(isValid(bad)).toBe(false)
        const r = decodeElement(bad)
        if (Result.isSuccess(r)) throw new Error("accepted")
        expect(r.failure).toMatchObject({ _tag: "InvalidElement", path: [f], value: v, bound: `an integer in ${FieldBounds[f].min}..${FieldBounds[f].max}` })
        expect(r.failure.message).toContain(`at ${f}: got ${v}`)
      }), { numRuns: 50 })
    }
  })

  // @lean Hydrogen.Wire.Atom.Valid
  it("Atom.Valid: each atom field outside its bound is rejected at atom.<field>", () => {
    for (const [, field, mk] of atomCases) {
      const b = FieldBounds[`atom.${field}` as keyof typeof FieldBounds]
      fc.assert(fc.property(outOfBound(b), (v) => {
        expect(atomValid(mk(v))).toBe(false)
        const r = decodeElement({ ...base, atom: mk(v) })
        if (Result.isSuccess(r)) throw new Error("accepted")
        expect(r.failure).toMatchObject({ path: ["atom", field], value: v, bound: `an integer in ${b.min}..${b.max}` })
      }), { numRuns: 50 })
      expect(atomValid(mk(b.min)) && atomValid(mk(b.max))).toBe(true)
    }
  })

  it("non-integers, wrong types, unknown tags, missing and extra keys are rejected with a path", () => {
    const fail = (x: unknown) => {
      const r = decodeElement(x)
      if (Result.isSuccess(r)) throw new Error("accepted")
      return r.failure
    }
    expect(fail({ ...base, x: 1.5 })).toMatchObject({ path: ["x"], value: 1.5 })
    expect(fail({ ...base, color: "red" })).toMatchObject({ path: ["color"], value: "red" })
    expect(fail({ ...base, atom: { _tag: "circle", r: 1 } }).path[0]).toBe("atom")
    const { z: _z, ...noZ } = base
    expect(fail(noZ)).toMatchObject({ path: ["z"], value: undefined })
    expect(fail({ ...base, extra: 1 })).toMatchObject({ path: ["extra"], value: 1 })
    expect(fail(null).path).toEqual([])
    expect(fail({ ...base, z: 40000, y: 2 ** 31 }).issues.length).toBe(2)
  })

  // @lean Hydrogen.Wire.Atom.kind
  it("Atom.kind: rect 0, text 1, image 2, path 3 (byte 0 of the record)", () => {
    expect([atomKind({ _tag: "rect", cornerRadius: 0 }), atomKind({ _tag: "text", font: 0, size: 1 }), atomKind({ _tag: "image", source: 0 }), atomKind({ _tag: "path", stroke: 0 })]).toEqual([0, 1, 2, 3])
    fc.assert(fc.property(atomArb, (a) => refEncode({ ...base, atom: a })[0] === atomKind(a)))
  })

  // @lean Hydrogen.Wire.Atom.payload
  it("Atom.payload: rect/path are u16le ++ [0, 0], text u16le font ++ u16le size, image u32le source (record bytes 24–27)", () => {
    fc.assert(fc.property(atomArb, (a) => {
      const p = atomPayload(a)
      expect(p).toEqual(refEncode({ ...base, atom: a }).slice(24))
      if (a._tag === "rect") expect(p).toEqual([...u16le(a.cornerRadius), 0, 0])
      if (a._tag === "image") expect(p).toEqual(u32le(a.source))
    }))
  })
})
