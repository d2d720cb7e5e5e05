// The axiom layer of the proof gate: which axioms each project constant
// depends on, computed by the reviewed metaprogram scripts/lean/AxiomCheck.lean
// over the compiled modules (theorem bodies included, via `import all`).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { runLeanProcess } from "./process.ts";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** The three axioms of Lean's standard foundations; nothing else is accepted. */
export const allowedAxioms: ReadonlySet<string> = new Set(["propext", "Classical.choice", "Quot.sound"]);

/** Core axioms that make a proof not a proof: each names its trick. */
export const forbiddenAxioms: ReadonlyMap<string, string> = new Map([
  ["sorryAx", "sorry (sorryAx)"],
  ["Lean.ofReduceBool", "native evaluation (Lean.ofReduceBool, from native_decide or decide +native)"],
  ["Lean.ofReduceNat", "native evaluation (Lean.ofReduceNat)"],
  ["Lean.trustCompiler", "trusting the compiler (Lean.trustCompiler)"],
]);

export interface ConstantAxioms {
  readonly module: string;
  readonly name: string;
  /** axiom, def, theorem, opaque, quot, inductive, ctor, rec */
  readonly kind: string;
  /** What the walk reached: `core:N` (an axiom of a core module, or a core theorem
   * whose body this Lean ships without), `own-axiom:N`, `own-opaque:N`, `core-opaque:N`, `missing:N`. */
  readonly reached: ReadonlyArray<string>;
}

export interface AxiomReport {
  readonly modules: ReadonlyArray<{ readonly name: string; readonly constants: number }>;
  readonly constants: ReadonlyArray<ConstantAxioms>;
  /** Failures, one line each, naming the constant and the trick. */
  readonly violations: ReadonlyArray<string>;
  /** Core constants reached whose bodies this Lean build does not ship (trusted as Lean's own). */
  readonly coreLemmas: ReadonlySet<string>;
  readonly theorems: number;
}

/** The checker's source for the given modules: each is imported with `import all`. */
export function checkerSource(modules: ReadonlyArray<string>): string {
  const template = readFileSync(join(here, "AxiomCheck.lean"), "utf8");
  if (!template.includes("--IMPORTS--") || !template.includes("--OWN--")) throw new Error("AxiomCheck.lean lost its placeholders");
  for (const m of modules) if (!/^[A-Z][\w]*(\.[A-Z][\w]*)*$/.test(m)) throw new Error(`not a module name: ${m}`);
  return template
    .replace("--IMPORTS--", modules.map((m) => `import all ${m}`).join("\n"))
    .replace("--OWN--", `meta def hxOwnModules : List Name := [${modules.map((m) => "`" + m).join(", ")}]`);
}

/** Reads the checker's output and applies the rules. Fails closed: missing
 * modules, a missing end marker or a count mismatch are violations. */
export function parseAxiomOutput(text: string, expectedModules: ReadonlyArray<string>): AxiomReport {
  const modules: Array<{ name: string; constants: number }> = [];
  const constants: ConstantAxioms[] = [];
  const violations: string[] = [];
  const coreLemmas = new Set<string>();
  let end: { modules: number; constants: number } | undefined;
  for (const line of text.split("\n")) {
    const f = line.split("\t");
    if (f[0] === "HAXMOD" && f.length === 3) modules.push({ name: f[1]!, constants: Number(f[2]) });
    else if (f[0] === "HAX" && f.length === 5) {
      constants.push({ module: f[1]!, name: f[2]!, kind: f[3]!, reached: f[4]!.trim() === "" ? [] : f[4]!.trim().split(" ") });
    } else if (f[0] === "HAXEND" && f.length === 3) end = { modules: Number(f[1]), constants: Number(f[2]) };
  }
  if (!end) violations.push("axiom check: the checker did not finish (no HAXEND line)");
  else if (end.modules !== modules.length || end.constants !== constants.length) {
    violations.push(`axiom check: output is incomplete (${modules.length}/${end.modules} modules, ${constants.length}/${end.constants} constants)`);
  }
  const seen = new Set(modules.map((m) => m.name));
  for (const m of expectedModules) if (!seen.has(m)) violations.push(`axiom check: module ${m} was not examined`);
  for (const c of constants) {
    if (c.kind === "axiom") violations.push(`${c.name} (${c.module}): is an axiom — an assertion without proof`);
    if (c.kind === "opaque") violations.push(`${c.name} (${c.module}): is opaque — hidden from the kernel`);
    if (c.kind === "missing") violations.push(`${c.name} (${c.module}): listed by its module but not found`);
    for (const r of c.reached) {
      const [tag, name] = [r.slice(0, r.indexOf(":")), r.slice(r.indexOf(":") + 1)];
      if (tag === "core") {
        const trick = forbiddenAxioms.get(name);
        if (trick) violations.push(`${c.name} (${c.module}): depends on ${trick}`);
        else if (!allowedAxioms.has(name)) coreLemmas.add(name);
      } else if (tag === "own-axiom") violations.push(`${c.name} (${c.module}): depends on the axiom ${name}`);
      else if (tag === "own-opaque" || tag === "core-opaque") violations.push(`${c.name} (${c.module}): depends on the opaque constant ${name}`);
      else violations.push(`${c.name} (${c.module}): depends on ${r}`);
    }
  }
  return { modules, constants, violations, coreLemmas, theorems: constants.filter((c) => c.kind === "theorem").length };
}

/** Runs the checker over compiled modules (their .olean files under `buildDir`). */
export async function checkAxioms(opts: {
  readonly leanJs: string;
  readonly libDir: string;
  readonly buildDir: string;
  readonly workDir: string;
  readonly modules: ReadonlyArray<string>;
  readonly mounts: string;
  /** Where to keep the checker's raw output (for re-reading without a rerun). */
  readonly rawFile?: string;
}): Promise<{ readonly report: AxiomReport; readonly errors: string[]; readonly seconds: number }> {
  const started = Date.now();
  mkdirSync(opts.workDir, { recursive: true });
  writeFileSync(join(opts.workDir, "AxiomCheck.lean"), checkerSource(opts.modules));
  const { code, text } = await runLeanProcess({ leanJs: opts.leanJs, args: ["AxiomCheck.lean"], cwd: opts.workDir, libDir: opts.libDir, buildDir: opts.buildDir, mounts: opts.mounts });
  if (opts.rawFile) writeFileSync(opts.rawFile, text.split("\n").filter((l) => l.startsWith("HAX")).join("\n") + "\n");
  const errors = text.split("\n").filter((l) => /^AxiomCheck\.lean:\d+:\d+: error/.test(l) || /^(Uncaught |RuntimeError|Aborted\()/.test(l));
  if (code !== 0 && errors.length === 0) errors.push(`axiom checker exited with code ${code}`);
  return { report: parseAxiomOutput(text, opts.modules), errors, seconds: (Date.now() - started) / 1000 };
}

export const repoRoot = resolve(here, "../..");
