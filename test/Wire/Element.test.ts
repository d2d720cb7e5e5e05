import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { FieldBounds } from "../../src/Wire/Bounds.ts"
import { u16le, u32le } from "../../src/Wire/Codec.ts"
import { type Atom, atomEquals, atomKind, atomPayload, atomValid, decodeElement, type Element, elementEquals, isValid } from "../../src/Wire/Element.ts"
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

  it("decode errors name the bound: the root, the atom, a field's range, a missing or an extra key", () => {
    const fail = (x: unknown) => {
      const r = decodeElement(x)
      if (Result.isSuccess(r)) throw new Error("accepted")
      return r.failure
    }
    expect(fail(7)).toMatchObject({ path: [], value: 7, bound: "an Element object" })
    expect(fail(null).issues[0]).toMatch(/^\(root\): /)
    expect(fail({ ...base, atom: "rect" })).toMatchObject({ path: ["atom"], value: "rect", bound: "an atom object" })
    expect(fail({ ...base, atom: { _tag: "circle", r: 1 } }).bound).toBe("an atom with _tag rect {cornerRadius}, text {font, size}, image {source} or path {stroke}")
    expect(fail({ ...base, z: 40000 })).toMatchObject({ path: ["z"], value: 40000, bound: "an integer in -32768..32767" })
    expect(fail({ ...base, atom: { _tag: "text", font: 1, size: 4097 } })).toMatchObject({ path: ["atom", "size"], value: 4097, bound: "an integer in 1..4096" })
    const { color: _c, ...noColor } = base
    expect(fail(noColor)).toMatchObject({ path: ["color"], bound: "a value (the field is required)" })
    expect(fail({ ...base, extra: 1 }).bound).toBe("no such field (an Element has exactly atom, z, viewport, x, y, width, height, color)")
    expect(fail({ ...base, x: 1.5, y: 2 ** 31 }).issues).toEqual([expect.stringMatching(/^x: /), expect.stringMatching(/^y: /)])
  })

  it("the InvalidElement message names the path, the value found, the bound, and how many more issues there are", () => {
    const fail = (x: unknown) => {
      const r = decodeElement(x)
      if (Result.isSuccess(r)) throw new Error("accepted")
      return r.failure.message
    }
    expect(fail({ ...base, z: 40000 })).toBe("invalid Element at z: got 40000, expected an integer in -32768..32767")
    expect(fail(null)).toMatch(/^invalid Element at \(root\): got null, expected an Element object$/)
    const { z: _z, ...noZ } = base
    expect(fail(noZ)).toBe("invalid Element at z: got missing, expected a value (the field is required)")
    expect(fail({ ...base, x: 1.5, y: 2 ** 31 })).toMatch(/^invalid Element at x: got 1\.5, expected .* \(and 1 more: y: .+\)$/)
  })

  it("elementEquals and atomEquals hold exactly when the canonical 28-byte encodings are equal", () => {
    const fields = ["atom", "z", "viewport", "x", "y", "width", "height", "color"] as const
    // b is a, or a with one field taken from another Element: equal and nearly equal pairs are both common.
    // The atom is byte 0 (kind) and bytes 24–27 (payload).
    const pairArb = fc.tuple(elementArb, elementArb, fc.constantFrom(...fields, null)).map(([a, o, f]) => [a, f === null ? { ...a } : { ...a, [f]: o[f] }] as const)
    fc.assert(fc.property(pairArb, ([a, b]) => {
      const same = refEncode(a).join() === refEncode(b).join()
      expect(elementEquals(a, b)).toBe(same)
      expect(atomEquals(a.atom, b.atom)).toBe([refEncode(a)[0], ...refEncode(a).slice(24)].join() === [refEncode(b)[0], ...refEncode(b).slice(24)].join())
    }), { numRuns: 2000 })
    expect(atomEquals({ _tag: "rect", cornerRadius: 3 }, { _tag: "path", stroke: 3 })).toBe(false)
    expect(atomEquals({ _tag: "image", source: 9 }, { _tag: "text", font: 9, size: 0 })).toBe(false)
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
