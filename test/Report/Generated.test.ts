// The report's Generated and Differential columns (issue 16): an exported Lean
// definition needs a generated artifact under gen/ts/, a generated reference
// needs a differential test in test/Gen/ that ran and passed.
import { describe, expect, it } from "vitest"
import { parseExportList } from "../../scripts/report/generated.ts"
import { buildReport, type Inputs, renderMarkdown, type TestRun } from "../../scripts/report/traceability.ts"

// Assembled so that this file's own lines carry no tag the real report reads.
const AT = "@" + "lean"
const GEN = "@" + "gen"

const lean = `namespace M
structure S where
  x : Nat
def S.empty : S := ⟨0⟩
def S.merge (a b : S) : S := ⟨a.x + b.x⟩
def h (n : Nat) : Nat := n
end M
`
const src = [`/** ${AT} M.S */`, `/** ${AT} M.S.empty */`, `/** ${AT} M.S.merge */`, `/** ${AT} M.h */`, ""].join("\n")
const exportsTxt = `-- comment
type   M  M.S
const  M  M.S.empty
ref    M  M.S.merge
`
const genTs = `/**\n * ${AT} M.S\n */\nexport interface S {}\n/**\n * ${AT} M.S.empty\n */\n/**\n * ${AT} M.S.merge\n */\n`
const diffTest = `// ${GEN} M.S.merge\nit("S.merge: src equals the reference", () => {});\n`

/** A run in which every it/test call of each file ran with `status` (by default passed). */
const runOf = (files: ReadonlyArray<{ path: string; text: string }>, status: (file: string, line: number) => string | undefined = () => "passed"): TestRun =>
  new Map(files.map((f) => [f.path, new Map(f.text.split("\n").flatMap((l, i) => {
    const s = /\b(?:it|test)\(/.test(l) ? status(f.path, i + 1) : undefined
    return s === undefined ? [] : [[i + 1, [s]] as const]
  }))] as const))

const inputs = (o: { exports?: string; gen?: string; tests?: Array<{ path: string; text: string }>; run?: TestRun } = {}): Inputs => {
  const tests = o.tests ?? [{ path: "test/Gen/M.test.ts", text: diffTest }]
  return {
    lean: [{ path: "lean/M.lean", leanRoot: "lean", text: lean }],
    src: [{ path: "src/M.ts", text: src }],
    test: tests,
    vectors: [],
    exports: { path: "scripts/gen/exports.txt", text: o.exports ?? exportsTxt },
    gen: [{ path: "gen/ts/M.ts", text: o.gen ?? genTs }],
    run: o.run ?? runOf(tests),
  }
}
const gapsOf = (i: Inputs) => buildReport(i).gaps.map((g) => [g.kind, g.name, `${g.file}:${g.line}`])

describe("traceability: Generated and Differential columns", () => {
  it("is clean when every export is generated and every reference has a passed differential test", () => {
    const r = buildReport(inputs())
    expect(r.gaps).toEqual([])
    expect(r.summary).toMatchObject({ exported: 3, generated: 3, refs: 1, differential: 1 })
    const rows = new Map(r.modules[0]!.declarations.map((d) => [d.name, d]))
    expect(rows.get("M.S")!.generated).toEqual({ role: "type", files: ["gen/ts/M.ts"] })
    expect(rows.get("M.S.merge")!.generated).toEqual({ role: "ref", files: ["gen/ts/M.ts"] })
    expect(rows.get("M.S.merge")!.differential.map((t) => [t.file, t.line, t.outcome])).toEqual([["test/Gen/M.test.ts", 1, "passed"]])
    expect(rows.get("M.h")!.generated).toBeUndefined()
    const md = renderMarkdown(r)
    expect(md).toContain("| Name | Kind | TS mirror | Tests | Generated | Differential | Vectors | Status |")
    expect(md).toContain("ref: [gen/ts/M.ts](../gen/ts/M.ts) | [test/Gen/M.test.ts:1](../test/Gen/M.test.ts#L1) |")
    expect(md).toContain("- Exported to gen/ts/ with a generated artifact: 3 of 3; generated references with a passed differential test: 1 of 1")
  })

  it("gap: an exported definition with no generated artifact, at its exports.txt line", () => {
    const gen = genTs.replace(`${AT} M.S.empty`, "")
    expect(gapsOf(inputs({ gen }))).toEqual([["not generated", "M.S.empty", "scripts/gen/exports.txt:3"]])
    expect(buildReport(inputs({ gen })).summary).toMatchObject({ exported: 3, generated: 2 })
  })

  it("gap: an export naming no Lean declaration", () => {
    const gaps = gapsOf(inputs({ exports: exportsTxt + "const M M.nope\n" }))
    expect(gaps).toEqual([["unknown lean name", "M.nope", "scripts/gen/exports.txt:5"], ["not generated", "M.nope", "scripts/gen/exports.txt:5"]])
  })

  it("gap: a generated reference without a differential test", () => {
    expect(gapsOf(inputs({ tests: [] }))).toEqual([["no differential", "M.S.merge", "scripts/gen/exports.txt:4"]])
  })

  it("gap: a differential test that failed, was skipped or did not run is no evidence", () => {
    for (const status of ["failed", "skipped", "todo", undefined] as const) {
      const tests = [{ path: "test/Gen/M.test.ts", text: diffTest }]
      const r = buildReport(inputs({ tests, run: runOf(tests, () => status) }))
      expect(r.summary.differential).toBe(0)
      expect(r.gaps.map((g) => [g.kind, g.name])).toEqual([["no differential", "M.S.merge"], ["test did not pass", "M.S.merge"]])
      expect(r.gaps[0]!.message).toContain(`test/Gen/M.test.ts:1 ${status ?? "not run"}`)
    }
  })

  it("gap: a differential tag outside test/Gen/, on no test, or naming no export", () => {
    const outside = [{ path: "test/M.test.ts", text: diffTest }]
    expect(gapsOf(inputs({ tests: outside }))).toEqual([
      ["no differential", "M.S.merge", "scripts/gen/exports.txt:4"],
      ["misplaced differential", "M.S.merge", "test/M.test.ts:1"],
    ])
    const notOnTest = [{ path: "test/Gen/M.test.ts", text: diffTest + `// ${GEN} M.S.merge\nconst x = 1\n` }]
    expect(gapsOf(inputs({ tests: notOnTest }))).toEqual([["tag not on a test", "M.S.merge", "test/Gen/M.test.ts:3"]])
    const unknown = [{ path: "test/Gen/M.test.ts", text: diffTest + `// ${GEN} M.h\nit("h", () => {})\n` }]
    expect(gapsOf(inputs({ tests: unknown }))).toEqual([["misplaced differential", "M.h", "test/Gen/M.test.ts:3"]])
  })

  it("a tag stack above one test credits each name; the @lean tag below stays directly above it", () => {
    const text = `// ${GEN} M.S.merge\n// ${GEN} M.S.empty\n// ${AT} M.S.merge\nit("S.merge and S.empty", () => {})\n`
    const tests = [{ path: "test/Gen/M.test.ts", text }]
    const r = buildReport(inputs({ tests }))
    expect(r.gaps).toEqual([])
    const rows = new Map(r.modules[0]!.declarations.map((d) => [d.name, d]))
    expect(rows.get("M.S.empty")!.differential.map((t) => t.testLine)).toEqual([4])
    expect(rows.get("M.S.merge")!.tests.map((t) => t.testLine)).toEqual([4])
  })

  it("parseExportList reads ROLE MODULE NAME with line numbers and rejects a malformed line by file:line", () => {
    expect(parseExportList(exportsTxt, "x.txt")).toEqual([
      { role: "type", module: "M", name: "M.S", line: 2 },
      { role: "const", module: "M", name: "M.S.empty", line: 3 },
      { role: "ref", module: "M", name: "M.S.merge", line: 4 },
    ])
    expect(() => parseExportList("fn M M.f\n", "x.txt")).toThrow(/x\.txt:1: expected "ROLE MODULE NAME"/)
    expect(() => parseExportList("ref M\n", "x.txt")).toThrow(/x\.txt:1/)
  })
})
