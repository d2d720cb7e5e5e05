import { describe, expect, it } from "vitest";
import {
  buildReport,
  countVectors,
  type Inputs,
  parseLean,
  parseLeanFile,
  parseTags,
  parseTestRun,
  renderJson,
  renderMarkdown,
  stripLeanComments,
  type TestRun,
} from "../../scripts/report/traceability.ts";

// Tags in fixtures are assembled from AT so that this file's own lines carry no
// tag the real report would read.
const AT = "@" + "lean";

const leanFixture = `module

public import Init

/-! # Module doc
def NotADecl : Nat := 0
-/

@[expose] public noncomputable section

namespace Demo.Core

/-- A structure. -/
structure Box where
  lo hi : Nat
  width : Nat
deriving DecidableEq

-- def Commented : Nat := 1
/- outer /- nested def Nested : Nat := 2 -/ still comment
theorem AlsoCommented : True := trivial -/

/-- Only used in proofs (proof-only). -/
def helper (n : Nat) : Nat := n + 1

/-- Documented but needs a mirror. -/
@[simp] def Box.size (b : Box) : Nat := b.hi - b.lo

private def hidden : Nat := 3

noncomputable def choice : Nat := 4

example : 1 = 1 := rfl

inductive Tree (α : Type) where
  | leaf (value : α)
  | node (children : List (Tree α))

mutual
def Tree.count : Tree Nat → Nat
  | .leaf _ => 1
  | .node ts => Tree.countAll ts
def Tree.countAll : List (Tree Nat) → Nat
  | [] => 0
  | t :: ts => t.count + Tree.countAll ts
end

class Mergeable (α : Type) where
  merge : α → α → α

namespace Mergeable
/-- A law. -/
@[simp] theorem merge_self : True := trivial
end Mergeable

instance Box.mergeable : Mergeable Box := ⟨fun a _ => a⟩
instance : Inhabited Box := ⟨⟨0, 0, 0⟩⟩
instance (priority := low) Box.other : Inhabited Box := ⟨⟨1, 1, 1⟩⟩

theorem _root_.top_level : True := trivial
theorem str_dashes : "--" = "--" := rfl
def afterString : Nat := 5

end Demo.Core

section
namespace Other
abbrev Alias := Nat
end Other
end

end
`;

describe("Lean parser", () => {
  const { decls, members } = parseLeanFile(leanFixture, "lean/Demo/Core.lean", "Demo.Core");
  const byName = new Map(decls.map((d) => [d.name, d]));

  it("tracks namespace/section/mutual nesting and full names", () => {
    expect(decls.map((d) => `${d.kind} ${d.name}`)).toEqual([
      "structure Demo.Core.Box",
      "def Demo.Core.helper",
      "def Demo.Core.Box.size",
      "def Demo.Core.choice",
      "inductive Demo.Core.Tree",
      "def Demo.Core.Tree.count",
      "def Demo.Core.Tree.countAll",
      "class Demo.Core.Mergeable",
      "theorem Demo.Core.Mergeable.merge_self",
      "instance Demo.Core.Box.mergeable",
      "instance Demo.Core.Box.other",
      "theorem top_level",
      "theorem Demo.Core.str_dashes",
      "def Demo.Core.afterString",
      "abbrev Other.Alias",
    ]);
  });

  it("skips comments (line, nested block, module doc), private declarations, examples and anonymous instances", () => {
    for (const absent of ["NotADecl", "Commented", "Nested", "AlsoCommented", "hidden"]) {
      expect(decls.some((d) => d.name.endsWith(absent))).toBe(false);
    }
    expect(decls.filter((d) => d.kind === "instance")).toHaveLength(2);
  });

  it("reads the docstring right before a declaration, through attributes, for (proof-only)", () => {
    expect(byName.get("Demo.Core.helper")?.proofOnly).toBe(true);
    expect(byName.get("Demo.Core.Box.size")?.proofOnly).toBe(false);
    expect(byName.get("Demo.Core.choice")?.proofOnly).toBe(false);
    const far = parseLean(`/-- (proof-only) -/\ndef a : Nat := 1\ndef b : Nat := 2\n`, "f", "M");
    expect(far.map((d) => [d.name, d.proofOnly])).toEqual([
      ["a", true],
      ["b", false],
    ]);
  });

  it("records line numbers", () => {
    const line = leanFixture.split("\n").findIndex((l) => l.startsWith("@[simp] def Box.size")) + 1;
    expect(byName.get("Demo.Core.Box.size")?.line).toBe(line);
  });

  it("knows members: constructors, fields and structure constructors", () => {
    expect(members).toEqual(
      expect.arrayContaining([
        "Demo.Core.Box.lo",
        "Demo.Core.Box.hi",
        "Demo.Core.Box.width",
        "Demo.Core.Box.mk",
        "Demo.Core.Tree.leaf",
        "Demo.Core.Tree.node",
        "Demo.Core.Mergeable.merge",
      ]),
    );
  });

  it("stripLeanComments keeps offsets and strings", () => {
    const src = `def x := "a -- b" -- gone\n/-- doc -/ def y := 1`;
    const { code, docstrings } = stripLeanComments(src);
    expect(code).toHaveLength(src.length);
    expect(code).toContain(`"a -- b"`);
    expect(code).not.toContain("gone");
    expect(docstrings.map((d) => d.text)).toEqual(["doc"]);
  });
});

describe("TypeScript tags", () => {
  it("reads JSDoc and line-comment tags with the following test title and its line", () => {
    const src = [
      "/**",
      " * Mirror.",
      ` * ${AT} Demo.Core.Box.size`,
      " */",
      "export const size = 1;",
      `// ${AT} Demo.Core.Mergeable.merge_self`,
      `// ${AT} top_level`,
      "// more words",
      `it("merge_self: merging with itself", () => {});`,
      `// ${AT} Demo.Core.helper`,
      "const notATest = 1;",
      `// ${AT} Demo.Core.choice`,
      `it.prop("choice is 4", [], () => {});`,
    ].join("\n");
    expect(parseTags(src, "t.ts")).toEqual([
      { name: "Demo.Core.Box.size", file: "t.ts", line: 3 },
      { name: "Demo.Core.Mergeable.merge_self", file: "t.ts", line: 6, title: "merge_self: merging with itself", testLine: 9 },
      { name: "top_level", file: "t.ts", line: 7, title: "merge_self: merging with itself", testLine: 9 },
      { name: "Demo.Core.helper", file: "t.ts", line: 10 },
      { name: "Demo.Core.choice", file: "t.ts", line: 12, title: "choice is 4", testLine: 13 },
    ]);
  });

  it("ignores the word in code and mid-line prose", () => {
    expect(parseTags(`const s = "${AT} X";\n// see ${AT} Y for details`, "t.ts")).toEqual([]);
  });
});

describe("vectors", () => {
  it("counts vectors per Lean name, once per vector", () => {
    const json = JSON.stringify({ vectors: [{ lean: ["A", "B"] }, { lean: ["A", "A"] }, { input: 1 }] });
    expect([...countVectors(json, "v.json")]).toEqual([
      ["A", 2],
      ["B", 1],
    ]);
    expect(() => countVectors("{", "bad.json")).toThrow(/bad.json/);
  });
});

describe("report and gaps", () => {
  const lean = `namespace M
def f (n : Nat) : Nat := n
/-- (proof-only) -/
def g : Nat := 0
structure S where
  x : Nat
theorem f_id (n : Nat) : f n = n := rfl
theorem g_zero : g = 0 := rfl
end M
`;
  /** A run in which every it/test call of `test` ran with `status` (by default passed). */
  const runOf = (test: string, status: (line: number) => string | undefined = () => "passed"): TestRun =>
    new Map([["test/M.test.ts", new Map(test.split("\n").flatMap((l, i) => {
      const s = /\b(?:it|test)\(/.test(l) ? status(i + 1) : undefined;
      return s === undefined ? [] : [[i + 1, [s]] as const];
    }))]]);
  const inputs = (src: string, test: string, vectors: string[] = [], run: TestRun = runOf(test)): Inputs => ({
    lean: [{ path: "lean/M.lean", leanRoot: "lean", text: lean }],
    src: [{ path: "src/M.ts", text: src }],
    test: [{ path: "test/M.test.ts", text: test }],
    vectors: vectors.map((text, i) => ({ path: `gen/vectors/v${i}.json`, text })),
    run,
  });
  const fullSrc = `/** ${AT} M.f */\nexport const f = 1;\n/** ${AT} M.S */\nexport interface S {}\n`;
  const fullTest = `// ${AT} M.f_id\nit("f_id", () => {});\n// ${AT} M.g_zero\nit("g_zero", () => {});\n`;

  it("is clean when every def is mirrored (or proof-only) and every theorem tested", () => {
    const r = buildReport(inputs(fullSrc, fullTest, [JSON.stringify({ vectors: [{ lean: ["M.f"] }, { lean: ["M.f", "Nope"] }] })]));
    expect(r.gaps).toEqual([]);
    expect(r.summary).toMatchObject({ declarations: 5, theorems: 2, tested: 2, mirrored: 2, proofOnly: 1, vectors: 2 });
    const rows = r.modules[0]!.declarations;
    expect(rows.map((d) => [d.name, d.status, d.vectors])).toEqual([
      ["M.f", "ok", 2],
      ["M.g", "proof-only", 0],
      ["M.S", "ok", 0],
      ["M.f_id", "ok", 0],
      ["M.g_zero", "ok", 0],
    ]);
    expect(r.warnings).toEqual(["gen/vectors/v0.json: 1 vector(s) name Nope, which is no Lean declaration"]);
  });

  it("gap: a def or structure without a mirror, at its Lean file:line", () => {
    const r = buildReport(inputs(`/** ${AT} M.f */\n`, fullTest));
    expect(r.gaps).toEqual([
      { kind: "no mirror", name: "M.S", file: "lean/M.lean", line: 5, message: "structure M.S has no TS mirror (@lean M.S)" },
    ]);
  });

  it("gap: a tag on a skipped, todo, failed or unrun test is no evidence", () => {
    for (const status of ["skipped", "todo", "failed", undefined] as const) {
      const r = buildReport(inputs(fullSrc, fullTest, [], runOf(fullTest, (line) => (line === 4 ? status : "passed"))));
      expect(r.summary.tested).toBe(1);
      expect(r.gaps.map((g) => [g.kind, g.name, `${g.file}:${g.line}`])).toEqual([
        ["no test", "M.g_zero", "lean/M.lean:8"],
        ["test did not pass", "M.g_zero", "test/M.test.ts:3"],
      ]);
      expect(r.gaps[1]!.message).toContain(status === undefined ? "did not run" : `was ${status}`);
    }
  });

  it("gap: a theorem whose only passing tagged test does not name it in its title", () => {
    const test = `// ${AT} M.f_id\nit("f_id", () => {});\n// ${AT} M.g_zero\nit("an unrelated test", () => {});\n`;
    const r = buildReport(inputs(fullSrc, test));
    expect(r.gaps.map((g) => [g.kind, g.name])).toEqual([["no test", "M.g_zero"]]);
    expect(r.gaps[0]!.message).toContain("names g_zero in its title");
  });

  it("gap: a tag that is not directly above an it/test call", () => {
    const test = `// ${AT} M.f_id\nit("f_id", () => {});\n// ${AT} M.g_zero\nconst helper = () => 1;\n`;
    const r = buildReport(inputs(fullSrc, test));
    expect(r.gaps.map((g) => [g.kind, g.name, `${g.file}:${g.line}`])).toEqual([
      ["no test", "M.g_zero", "lean/M.lean:8"],
      ["tag not on a test", "M.g_zero", "test/M.test.ts:3"],
    ]);
  });

  it("counts distinct vectors: per declaration and in all, identical vectors once", () => {
    const v = JSON.stringify({ vectors: [{ input: 1, lean: ["M.f"] }, { lean: ["M.f"], input: 1 }, { input: 2, lean: ["M.f", "M.g"] }] });
    const r = buildReport(inputs(fullSrc, fullTest, [v, v]));
    expect(r.modules[0]!.declarations.filter((d) => d.vectors > 0).map((d) => [d.name, d.vectors])).toEqual([["M.f", 2], ["M.g", 1]]);
    expect(r.summary.vectors).toBe(2);
  });

  it("reads vitest's JSON report by file and line, and refuses one without locations", () => {
    const json = (loc: object) => JSON.stringify({ testResults: [{ name: "/repo/test/M.test.ts", assertionResults: [
      { fullName: "a", status: "passed", ...loc }, { fullName: "b", status: "skipped", location: { line: 9, column: 3 } },
    ] }] });
    const run = parseTestRun(json({ location: { line: 2, column: 3 } }), "/repo", "r.json");
    expect([...run.get("test/M.test.ts")!]).toEqual([[2, ["passed"]], [9, ["skipped"]]]);
    expect(() => parseTestRun(json({}), "/repo", "r.json")).toThrow(/no location/);
    expect(() => parseTestRun("{}", "/repo", "r.json")).toThrow(/testResults/);
  });

  it("gap: a theorem without a test", () => {
    const r = buildReport(inputs(fullSrc, `// ${AT} M.f_id\nit("f_id", () => {});\n`));
    expect(r.gaps.map((g) => [g.kind, g.name, `${g.file}:${g.line}`])).toEqual([["no test", "M.g_zero", "lean/M.lean:8"]]);
  });

  it("gap: a tag in src or test naming no Lean declaration, at the tag's file:line", () => {
    const r = buildReport(inputs(fullSrc + `/** ${AT} M.missing */\n`, fullTest + `\n// ${AT} M.f_idd\n`));
    expect(r.gaps.map((g) => [g.kind, g.name, `${g.file}:${g.line}`])).toEqual([
      ["unknown lean name", "M.missing", "src/M.ts:5"],
      ["unknown lean name", "M.f_idd", "test/M.test.ts:6"],
      ["tag not on a test", "M.f_idd", "test/M.test.ts:6"],
    ]);
  });

  it("accepts tags on structure fields and constructors", () => {
    const r = buildReport(inputs(fullSrc + `/** ${AT} M.S.x */\n/** ${AT} M.S.mk */\n`, fullTest));
    expect(r.gaps).toEqual([]);
  });

  it("renders reproducibly: same inputs, same bytes; markdown has the summary and a table per module", () => {
    const a = buildReport(inputs(fullSrc, fullTest));
    const b = buildReport(inputs(fullSrc, fullTest));
    expect(renderJson(a)).toBe(renderJson(b));
    const md = renderMarkdown(a);
    expect(md).toBe(renderMarkdown(b));
    expect(md.indexOf("## Summary")).toBeLessThan(md.indexOf("## M"));
    expect(md).toContain("| [`M.g`](../lean/M.lean#L4) | def | proof-only | — | — | — | 0 | proof-only |");
    expect(md).toContain("[test/M.test.ts:1](../test/M.test.ts#L1) f_id");
    expect(JSON.parse(renderJson(a)).modules[0].module).toBe("M");
  });
});
