// The proof gate's layers, tested without running Lean: the source scan on the
// negative suite and on legal code, the reading of Lean's messages, and the
// rules applied to the axiom checker's output. (make test also runs the
// negative suite through Lean itself: scripts/lean/negative.ts.)
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { allowedAxioms, checkerSource, parseAxiomOutput } from "../../scripts/lean/axioms.ts";
import { discoverModules, filterLeanOutput } from "../../scripts/lean/build.ts";
import { negativeCases, scanVerdict } from "../../scripts/lean/negative.ts";
import { lex, scanLean } from "../../scripts/lean/scan.ts";

describe("source scan", () => {
  const cases = negativeCases();

  it("has a negative suite covering every trick the gate must name", () => {
    const rules = new Set(cases.map((c) => c.expect));
    for (const r of ["#exit", "sorry", "sorryAx", "admit", "native_decide", "native", "ofReduceBool", "skipKernelTC", "set_option", "axiom", "opaque", "partial", "implemented_by", "extern", "unsafe", "elab", "macro", "notation", "import", "#eval", "meta", "run_cmd", "unterminated"]) {
      expect(rules, r).toContain(r);
    }
  });

  it.each(cases.map((c) => [c.file, c] as const))("rejects %s for its named reason", (_f, c) => {
    const v = scanVerdict(c);
    expect(v.line).toMatch(/^rejected /);
    expect(v.ok).toBe(true);
  });

  it("accepts every module of the library (lean/ and gen/lean/)", () => {
    for (const m of discoverModules()) expect(scanLean(m.source), `${m.srcRoot}/${m.relPath}`).toEqual([]);
  });

  it("does not see forbidden words in comments, docstrings, strings, characters or longer names", () => {
    const legal = [
      "-- sorry, admit and #exit in a comment",
      "/- nested /- sorry -/ still comment: axiom -/",
      "/-- docstring: native_decide, opaque -/",
      'def s : String := "sorry -- /- axiom"',
      'def r : String := r#"sorry "quoted" axiom"#',
      "def c : Char := 'a'",
      "def q : Char := '\\''",
      "theorem h' (sorryFree : Nat) : sorryFree = sorryFree := rfl",
      "def axiomCount : Nat := 0",
      "def partialSum : Nat := 1",
      "set_option autoImplicit false",
      "set_option maxRecDepth 2000 in",
      "public import Hydrogen.Aggregate.Monoid",
      "import Std.Data.HashMap",
    ].join("\n");
    expect(scanLean(legal)).toEqual([]);
  });

  it("lexes code inside an interpolated string and after a character literal that is a quote", () => {
    const toks = lex(`def a := s!"x {y + 1} z"\ndef b : Char := '"'\ndef c := 1`).tokens.filter((t) => t.kind === "ident").map((t) => t.text);
    expect(toks).toEqual(["def", "a", "y", "def", "b", "Char", "def", "c"]);
  });

  it("reports each finding at its line", () => {
    expect(scanLean("def a := 1\n\ntheorem t : False := sorry\n").map((f) => [f.line, f.rule])).toEqual([[3, "sorry"]]);
  });
});

describe("Lean's messages", () => {
  it("counts warnings (the gate accepts none) and names #exit and sorry", () => {
    const text = [
      "[DEBUG:x] chatter",
      "M.lean:7:0: warning: using 'exit' to interrupt Lean",
      "M.lean:3:8: warning: declaration uses 'sorry'",
      "M.lean:4:4: warning: unused variable `h`",
      "M.lean:9:0: error: unknown identifier 'x'",
    ].join("\n");
    const r = filterLeanOutput(text, "lean");
    expect([r.errors, r.warnings, r.sorries]).toEqual([1, 3, 1]);
    expect(r.messages[0]).toContain("[#exit]");
    expect(r.messages[1]).toContain("[sorry]");
    expect(r.messages[2]).toContain("[warning]");
  });
});

describe("axiom rules", () => {
  const out = (lines: string[], mods = 1) => [...lines, `HAXEND\t${mods}\t${lines.filter((l) => l.startsWith("HAX\t")).length}`].join("\n");

  it("accepts only propext, Classical.choice and Quot.sound (and core lemmas, reported as trusted)", () => {
    expect([...allowedAxioms].sort()).toEqual(["Classical.choice", "Quot.sound", "propext"]);
    const r = parseAxiomOutput(out(["HAXMOD\tM\t2", "HAX\tM\tM.t\ttheorem\t core:propext core:Nat.add_comm", "HAX\tM\tM.f\tdef\t"]), ["M"]);
    expect(r.violations).toEqual([]);
    expect(r.theorems).toBe(1);
    expect([...r.coreLemmas]).toEqual(["Nat.add_comm"]);
  });

  it.each([
    ["core:sorryAx", "sorry (sorryAx)"],
    ["core:Lean.ofReduceBool", "Lean.ofReduceBool"],
    ["core:Lean.trustCompiler", "Lean.trustCompiler"],
    ["own-axiom:M.cheat", "the axiom M.cheat"],
    ["own-opaque:M.secret", "opaque constant M.secret"],
  ])("rejects a theorem that reaches %s", (reached, named) => {
    const r = parseAxiomOutput(out(["HAXMOD\tM\t1", `HAX\tM\tM.t\ttheorem\t ${reached}`]), ["M"]);
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toContain("M.t (M)");
    expect(r.violations[0]).toContain(named);
  });

  it("rejects a project axiom or opaque constant itself", () => {
    const r = parseAxiomOutput(out(["HAXMOD\tM\t2", "HAX\tM\tM.cheat\taxiom\t", "HAX\tM\tM.loop\topaque\t"]), ["M"]);
    expect(r.violations.map((v) => v.split(":")[1]!.trim())).toEqual(["is an axiom — an assertion without proof", "is opaque — hidden from the kernel"]);
  });

  it("fails closed on incomplete output: no end marker, a count mismatch, a module not examined", () => {
    expect(parseAxiomOutput("HAXMOD\tM\t1\nHAX\tM\tM.t\ttheorem\t", ["M"]).violations[0]).toMatch(/did not finish/);
    expect(parseAxiomOutput("HAXMOD\tM\t1\nHAXEND\t1\t2", ["M"]).violations[0]).toMatch(/incomplete/);
    expect(parseAxiomOutput(out(["HAXMOD\tM\t0"]), ["M", "N"]).violations).toEqual(["axiom check: module N was not examined"]);
  });

  it("builds the checker from the reviewed template, importing each module with `import all`", () => {
    const src = checkerSource(["Hydrogen.A", "Hydrogen.B.C"]);
    expect(src).toContain("import all Hydrogen.A\nimport all Hydrogen.B.C");
    expect(src).toContain("meta def hxOwnModules : List Name := [`Hydrogen.A, `Hydrogen.B.C]");
    expect(src.startsWith(readFileSync(new URL("../../scripts/lean/AxiomCheck.lean", import.meta.url), "utf8").split("--IMPORTS--")[0]!)).toBe(true);
    expect(() => checkerSource(["Hydrogen.A\n#exit"])).toThrow(/not a module name/);
  });
});
