// The gate's negative suite: every file in test/Lean/negative/ is an attempt
// to slip a false or unproved statement past the proof gate, and must be
// rejected, for the reason its header names:
//   -- expect: <rule>   the source scan must report this rule;
//   -- deep: <a|b|…>    with the scan switched off, Lean's messages or the
//                       axiom check must reject it with one of these (as text).
// `node scripts/lean/negative.ts [--scan-only]`; exits 1 when a file gets through.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { scanLean } from "./scan.ts";
import { compileLean, withBuildLock, type Outcome } from "./build.ts";
import { checkAxioms } from "./axioms.ts";
import { setup } from "./setup.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const negativeDir = join(root, "test/Lean/negative");

export interface NegativeCase {
  readonly file: string;
  readonly module: string;
  readonly source: string;
  readonly expect: string;
  readonly deep: ReadonlyArray<string>;
}

export function negativeCases(dir = negativeDir): NegativeCase[] {
  return readdirSync(dir).filter((f) => f.endsWith(".lean")).sort().map((file) => {
    const source = readFileSync(join(dir, file), "utf8");
    const expect = /^-- expect: (\S+)/m.exec(source)?.[1];
    if (!expect) throw new Error(`${file}: no "-- expect: <rule>" header`);
    const deep = /^-- deep: (.+)$/m.exec(source)?.[1]?.split("|").map((s) => s.trim()) ?? [];
    return { file, module: file.replace(/\.lean$/, ""), source, expect, deep };
  });
}

/** The scan layer's verdict: rejected with the expected rule, or why not. */
export function scanVerdict(c: NegativeCase): { readonly ok: boolean; readonly line: string } {
  const findings = scanLean(c.source);
  const hit = findings.find((f) => f.rule === c.expect);
  if (hit) return { ok: true, line: `rejected  ${c.file}:${hit.line}  [${hit.rule}] ${hit.message}` };
  const got = findings.map((f) => f.rule).join(", ") || "nothing";
  return { ok: false, line: `GOT PAST  ${c.file}: the scan should report [${c.expect}], it reported ${got}` };
}

async function deepLayer(cases: NegativeCase[], jobs: number): Promise<boolean> {
  const { leanJs, libDir } = setup(() => {});
  const buildDir = join(root, ".hydrogen/build/negative");
  rmSync(buildDir, { recursive: true, force: true });
  mkdirSync(buildDir, { recursive: true });
  const outcomes = new Map<string, Outcome>();
  const queue = [...cases];
  await Promise.all(Array.from({ length: jobs }, async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      outcomes.set(c.file, await compileLean({ leanJs, libDir, buildDir, cwd: negativeDir, relPath: c.file, label: `test/Lean/negative/${c.file}` }));
    }
  }));
  // Files Lean accepted go on to the axiom check, all in one run.
  const accepted = cases.filter((c) => outcomes.get(c.file)!.ok && existsSync(join(buildDir, `${c.module}.olean`)));
  const axiomViolations = new Map<string, string[]>();
  if (accepted.length > 0) {
    const r = await checkAxioms({ leanJs, libDir, buildDir, workDir: join(buildDir, "axiom-check"), modules: accepted.map((c) => c.module), mounts: root });
    if (r.errors.length > 0) {
      console.log(`negative: the axiom checker failed to run: ${r.errors.join("; ")}`);
      return false;
    }
    for (const c of accepted) axiomViolations.set(c.file, r.report.violations.filter((v) => v.includes(`(${c.module})`) || v.includes(` ${c.module} `)));
  }
  let ok = true;
  for (const c of cases) {
    const o = outcomes.get(c.file)!;
    const evidence = o.ok ? axiomViolations.get(c.file) ?? [] : o.messages;
    const layer = o.ok ? "axiom check" : "Lean";
    const match = evidence.find((m) => c.deep.some((p) => m.includes(p)));
    if (match) console.log(`  rejected  ${c.file}  by ${layer}: ${match.trim().slice(0, 160)}`);
    else {
      ok = false;
      console.log(`  GOT PAST  ${c.file}  with the scan off: expected ${c.deep.join(" or ")} from Lean or the axiom check; got ${evidence.length === 0 ? "nothing" : evidence.join(" | ").slice(0, 300)}`);
    }
  }
  rmSync(join(negativeDir, "default.profraw"), { force: true });
  return ok;
}

export async function main(argv: string[]): Promise<number> {
  const cases = negativeCases();
  console.log(`negative: ${cases.length} attempts to get past the proof gate (test/Lean/negative/)`);
  let ok = true;
  for (const c of cases) {
    const v = scanVerdict(c);
    if (!v.ok) ok = false;
    console.log(`  ${v.line}`);
  }
  if (!argv.includes("--scan-only")) {
    const deep = cases.filter((c) => c.deep.length > 0);
    console.log(`negative: ${deep.length} of them again with the scan switched off (Lean's messages, then the axiom check)`);
    if (!(await withBuildLock(() => deepLayer(deep, Number(process.env.HYDROGEN_LEAN_JOBS ?? 2))))) ok = false;
  }
  console.log(ok ? "negative: every attempt was rejected for its named reason" : "negative: FAIL, an attempt got past the gate");
  return ok ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
    console.error(`error: ${(e as Error).message}`);
    process.exit(1);
  });
}
