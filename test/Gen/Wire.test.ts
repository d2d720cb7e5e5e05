// Differential test: src/Wire/Element.ts's validity check (plain numbers)
// against the Effect Schema generated from Lean's `Element.Valid` and
// `Atom.Valid` (bigint fields, each bound a refinement). The values are drawn
// around the 8-, 12-, 16- and 32-bit edges, written out here, not read from
// either side's bounds.
import fc from "fast-check"
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import * as Ref from "../../gen/ts/Wire/Element.ts"
import { type Atom, type Element, isValid } from "../../src/Wire/Element.ts"
import { params, runs } from "./seed.ts"

const edges = [0, 1, -1, 255, 256, 4095, 4096, 4097, 32767, 32768, -32768, -32769, 65535, 65536,
  2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32 - 1, 2 ** 32]
const vArb = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...edges) }, { weight: 1, arbitrary: fc.integer({ min: -(2 ** 33), max: 2 ** 33 }) })
const atomArb: fc.Arbitrary<Atom> = fc.oneof(
  vArb.map((cornerRadius) => ({ _tag: "rect" as const, cornerRadius })),
  fc.tuple(vArb, vArb).map(([font, size]) => ({ _tag: "text" as const, font, size })),
  vArb.map((source) => ({ _tag: "image" as const, source })),
  vArb.map((stroke) => ({ _tag: "path" as const, stroke })),
)
// Mostly-valid elements (one field off at a time is where a wrong bound shows).
const elementArb: fc.Arbitrary<Element> = fc.record({
  atom: atomArb, z: vArb, viewport: vArb, x: vArb, y: vArb, width: vArb, height: vArb, color: vArb,
})

const toRef = (e: Element): Ref.Element => {
  const a = e.atom
  const atom: Ref.Atom = a._tag === "rect" ? { _tag: "rect", cornerRadius: BigInt(a.cornerRadius) }
    : a._tag === "text" ? { _tag: "text", font: BigInt(a.font), size: BigInt(a.size) }
    : a._tag === "image" ? { _tag: "image", source: BigInt(a.source) }
    : { _tag: "path", stroke: BigInt(a.stroke) }
  return { atom, z: BigInt(e.z), viewport: BigInt(e.viewport), x: BigInt(e.x), y: BigInt(e.y), width: BigInt(e.width), height: BigInt(e.height), color: BigInt(e.color) }
}
const refValid = Schema.is(Ref.Element_ValidSchema)

describe(`Wire: src against the Lean-generated schema (${runs} cases)`, () => {
  // @gen Hydrogen.Wire.Atom.Valid
  // @gen Hydrogen.Wire.Element.Valid
  // @lean Hydrogen.Wire.Element.Valid
  it("Element.Valid: isValid e holds exactly when the generated Element.Valid schema accepts e", () => {
    let valid = 0
    fc.assert(fc.property(elementArb, (e) => {
      const v = isValid(e)
      if (v) valid++
      return v === refValid(toRef(e))
    }), params)
    // Both answers occur: the property is not vacuous.
    expect(valid).toBeGreaterThan(0)
    expect(valid).toBeLessThan(runs)
  })
})
