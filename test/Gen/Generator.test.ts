// The generator's pure step (scripts/gen: Lean's printed view → TypeScript) on
// recorded Lean output (fixtures/lean-output.txt, copied from a run of
// scripts/gen/generate.ts, plus the real `#print` of a recursive definition).
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { emitAll } from "../../scripts/gen/emit.ts"
import { GenError, parseExports, readEquation, splitOutput } from "../../scripts/gen/translate.ts"
import * as RefTopK from "../../gen/ts/Aggregate/TopK.ts"
import * as RefScale from "../../gen/ts/Scale/Communication.ts"
import * as RefSeed from "../../gen/ts/Scale/SeedModel.ts"

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

  it("reports a marked recursive definition whose equation Lean did not show as outside the fragment, instead of skipping it", () => {
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

// Recorded from a run with `#check @Name.eq_def` (Lean's own equation of each
// ref): coordinatorsAbove, Entry, unionInsert, union and the generic zipJoin.
const recordedRec = readFileSync(join(import.meta.dirname, "fixtures/lean-output-rec.txt"), "utf8")

describe("generator: structural recursion through Lean's equations", () => {
  it("translates a brecOn definition from its eq_def: Nat `fuel.succ` and `::`, the recursive call direct", () => {
    const ex = parseExports("ref Hydrogen.Scale.Communication Hydrogen.Scale.ceilDiv\nref Hydrogen.Scale.Communication Hydrogen.Scale.coordinatorsAbove")
    const scale = gen(recordedRec, ex).get("Scale/Communication.ts")!
    expect(scale).toContain("if (s0 === 0n) { const x = s1; return [] } if (s0 > 0n) { const fuel = s0 - 1n; const a = s1;")
    expect(scale).toContain("[ceilDiv(a, k), ...coordinatorsAbove(k, fuel, ceilDiv(a, k))]")
    // The committed translation computes what the definition says, worked by hand:
    // ⌈1000/10⌉ = 100, ⌈100/10⌉ = 10, ⌈10/10⌉ = 1 ends with the root.
    expect(RefScale.coordinatorsAbove(10n, 1000n, 1000n)).toEqual([100n, 10n, 1n])
    expect(RefScale.coordinatorsAbove(10n, 2n, 1000n)).toEqual([100n, 10n]) // fuel runs out first
    expect(RefScale.coordinatorsAbove(0n, 5n, 7n)).toEqual([1n]) // ⌈7/0⌉ = 0 ≤ 1
    expect(RefScale.messagesPerRound(1000n, 10n)).toBe(1000n + 111n - 1n)
    expect(RefSeed.seedLog(10n, 999n)).toBe(2n)
    expect(RefSeed.seedLog(1n, 999n)).toBe(0n)
  })

  it("a function-valued parameter is called, a function applied to all but its last argument becomes a closure", () => {
    const ex = parseExports(`type Hydrogen.Aggregate.TopK Hydrogen.Aggregate.Entry
ref Hydrogen.Aggregate.TopK Hydrogen.Aggregate.Entry.before
ref Hydrogen.Aggregate.TopK Hydrogen.Aggregate.unionInsert
ref Hydrogen.Aggregate.TopK Hydrogen.Aggregate.union`)
    const topk = gen(recordedRec, ex).get("Aggregate/TopK.ts")!
    expect(topk).toContain("restWith: (a0: ReadonlyArray<Entry>) => ReadonlyArray<Entry>")
    expect(topk).toContain("return [x, ...restWith([])]")
    expect(topk).toContain("unionInsert(x, ((y0: ReadonlyArray<Entry>) => union(xs, y0)), ys)")
    // By hand: higher score first, equal entries once, ties on score by smaller id.
    const e = (score: bigint, id: bigint) => ({ score, id })
    expect(RefTopK.union([e(5n, 1n), e(3n, 2n)], [e(4n, 3n), e(3n, 1n), e(3n, 2n)])).toEqual([e(5n, 1n), e(4n, 3n), e(3n, 1n), e(3n, 2n)])
    expect(RefTopK.mergeEntries(2n, [e(5n, 1n)], [e(4n, 1n), e(2n, 7n), e(1n, 8n)])).toEqual([e(5n, 1n), e(2n, 7n)])
  })

  it("translates Nat's bitwise or and testBit (Bitset.join, Bitset.mem)", () => {
    const ex = parseExports(`type Hydrogen.State.Lattice Hydrogen.State.Bitset
ref Hydrogen.State.Lattice Hydrogen.State.Bitset.join
ref Hydrogen.State.Lattice Hydrogen.State.Bitset.mem`)
    const lattice = gen(recordedRec, ex).get("State/Lattice.ts")!
    expect(lattice).toContain("({ bits: (a.bits | b.bits) })")
    expect(lattice).toContain("(((s.bits >> i) & 1n) === 1n)")
  })

  it("an equation generic over a type class instance (zipJoin) is outside the fragment, reported by name", () => {
    const shown = splitOutput(recordedRec).get("Hydrogen.State.zipJoin")!
    expect(() => readEquation("Hydrogen.State.zipJoin", shown)).toThrow(/Hydrogen\.State\.zipJoin: outside the fragment: recursive, and Lean's equation/)
    expect(readEquation("Hydrogen.Aggregate.union", splitOutput(recordedRec).get("Hydrogen.Aggregate.union")!).params).toEqual(["x", "x_1"])
  })
})
