// The generator's pure step (scripts/gen: Lean's printed view → TypeScript) on
// recorded Lean output (fixtures/lean-output.txt, copied from a run of
// scripts/gen/generate.ts, plus the real `#print` of a recursive definition).
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { emitAll } from "../../scripts/gen/emit.ts"
import { GenError, parseExports, splitOutput } from "../../scripts/gen/translate.ts"

const recorded = readFileSync(join(import.meta.dirname, "fixtures/lean-output.txt"), "utf8")
const exports = parseExports(`
type   Hydrogen.Aggregate.Numeric  Hydrogen.Aggregate.Max
const  Hydrogen.Aggregate.Numeric  Hydrogen.Aggregate.Max.empty
ref    Hydrogen.Aggregate.Numeric  Hydrogen.Aggregate.Max.merge
type   Hydrogen.Wire.Element  Hydrogen.Wire.Atom
type   Hydrogen.Wire.Element  Hydrogen.Wire.Element
bounds Hydrogen.Wire.Element  Hydrogen.Wire.Atom.Valid
bounds Hydrogen.Wire.Element  Hydrogen.Wire.Element.Valid
ref    Hydrogen.Scale.Communication  Hydrogen.Scale.ceilDiv
`)
const gen = (text: string, ex = exports) => emitAll(ex, splitOutput(text))

describe("generator: translation of Lean's elaborated view", () => {
  it("reads the bounds off Valid as inclusive intervals and schema refinements", () => {
    const wire = gen(recorded).get("Wire/Element.ts")!
    expect(wire).toContain(`text: { font: { min: 0, max: 65535 }, size: { min: 1, max: 4096 } }`)
    expect(wire).toContain(`z: { min: -32768, max: 32767 }`)
    expect(wire).toContain(`size: Schema.BigInt.check(Schema.isBetweenBigInt({ minimum: 1n, maximum: 4096n }))`)
  })

  it("a changed bound in Lean changes the generated TypeScript, so gen/ts/ no longer matches", () => {
    const edited = recorded.replace("s ≤ 4096", "s ≤ 4097")
    expect(edited).not.toBe(recorded)
    const wire = gen(edited).get("Wire/Element.ts")!
    expect(wire).toContain(`size: { min: 1, max: 4097 }`)
    expect(wire).toContain(`maximum: 4097n`)
    const committed = readFileSync(join(import.meta.dirname, "../../gen/ts/Wire/Element.ts"), "utf8")
    expect(wire).not.toBe(committed)
    expect(committed).toContain(`size: { min: 1, max: 4096 }`)
  })

  it("translates Nat arithmetic with Lean's truncating subtraction and division by zero", () => {
    const scale = gen(recorded).get("Scale/Communication.ts")!
    expect(scale).toContain(`export const ceilDiv = (a: bigint, k: bigint): bigint =>\n  natDiv(natSub((a + k), 1n), k)`)
  })

  it("translates a match on Option fields arm by arm, in Lean's order", () => {
    const num = gen(recorded).get("Aggregate/Numeric.ts")!
    expect(num).toContain(`export const Max_empty: Max = { value: null }`)
    expect(num).toMatch(/if \(s0\.value === null\) \{ const b = s1; return b \} if \(s1\.value === null\) \{ const a = s0; return a \} if \(s0\.value !== null && s1\.value !== null\) \{ const x = s0\.value; const y = s1\.value; return \{ value: bigMax\(x, y\) \} \}/)
  })

  it("reports a marked definition outside the fragment (structural recursion) instead of skipping it", () => {
    const ex = parseExports("ref Hydrogen.Scale.Communication Hydrogen.Scale.coordinatorsAbove\nref Hydrogen.Scale.Communication Hydrogen.Scale.ceilDiv")
    expect(() => gen(recorded, ex)).toThrow(GenError)
    expect(() => gen(recorded, ex)).toThrow(/Hydrogen\.Scale\.coordinatorsAbove: outside the fragment/)
  })

  it("reports a marked name that Lean printed nothing for, and a role that does not fit", () => {
    expect(() => gen(recorded, parseExports("const Hydrogen.Wire.Element Hydrogen.Wire.nope"))).toThrow(/Hydrogen\.Wire\.nope: Lean printed nothing/)
    expect(() => gen(recorded, parseExports("type Hydrogen.Scale.Communication Hydrogen.Scale.ceilDiv"))).toThrow(/marked "type" but Lean shows neither/)
    expect(() => parseExports("export Hydrogen.Scale Hydrogen.Scale.ceilDiv")).toThrow(/exports\.txt:1: expected/)
  })
})
