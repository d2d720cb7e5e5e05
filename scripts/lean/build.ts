// `make proofs`: the proof gate. Checks every Lean module under lean/ and
// gen/lean/ in import order with the pinned npm Lean (patched by setup.ts), in
// three layers, each failing closed: the source scan (scan.ts), Lean's own
// messages (any error or warning fails), and the axiom check (axioms.ts: every
// project constant depends only on propext, Classical.choice and Quot.sound).
// Incremental: a module is rebuilt only when its source, one of its project
// dependencies, or the toolchain changed; the axiom check reruns when any did.
// There is no `lake build` path: it could not apply these rules here.
import { createHash } from "node:crypto";
import { runLeanProcess } from "./process.ts";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setup } from "./setup.ts";
import { scanLean } from "./scan.ts";
import { checkAxioms, parseAxiomOutput, type AxiomReport } from "./axioms.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const sourceRoots = ["lean", "gen/lean"] as const;
const buildDir = join(root, ".hydrogen/build/lean");

export interface LeanModule {
  readonly name: string; // Hydrogen.Aggregate.Monoid
  readonly srcRoot: string; // lean or gen/lean
  readonly relPath: string; // Hydrogen/Aggregate/Monoid.lean
  readonly source: string;
  readonly imports: ReadonlyArray<string>;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const p = join(dir, entry);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith(".lean") ? [p] : [];
  });
}

export function discoverModules(): LeanModule[] {
  const mods: LeanModule[] = [];
  for (const srcRoot of sourceRoots) {
    for (const file of walk(join(root, srcRoot))) {
      const relPath = relative(join(root, srcRoot), file);
      const source = readFileSync(file, "utf8");
      const imports = [...source.matchAll(/^\s*(?:public\s+)?(?:meta\s+)?import\s+([\w.]+)/gm)].map((m) => m[1]!);
      mods.push({ name: relPath.replace(/\.lean$/, "").split("/").join("."), srcRoot, relPath, source, imports });
    }
  }
  return mods.sort((a, b) => a.name.localeCompare(b.name));
}

/** The source layer's findings for one module, as `file:line: [rule] message`. */
export function findHoles(mod: LeanModule): string[] {
  return scanLean(mod.source).map((f) => `${mod.srcRoot}/${mod.relPath}:${f.line}: [${f.rule}] ${f.message}`);
}

/** `lean/Hydrogen.lean` and `gen/lean/Hydrogen/Vectors.lean` are the roots that
 * `lake build` starts from, so each must import every module beneath it. */
export function aggregatorGaps(mods: ReadonlyArray<LeanModule>): string[] {
  const gaps: string[] = [];
  for (const [agg, prefix, srcRoot] of [["Hydrogen", "Hydrogen.", "lean"], ["Hydrogen.Vectors", "Hydrogen.Vectors.", "gen/lean"]] as const) {
    const aggMod = mods.find((m) => m.name === agg && m.srcRoot === srcRoot);
    const members = mods.filter((m) => m.srcRoot === srcRoot && m.name.startsWith(prefix) && m.name !== agg);
    if (!aggMod) { if (members.length > 0) gaps.push(`${srcRoot}/${agg.split(".").join("/")}.lean is missing`); continue; }
    for (const m of members) if (!aggMod.imports.includes(m.name)) gaps.push(`${srcRoot}/${aggMod.relPath} does not import ${m.name}`);
  }
  return gaps;
}

function topoOrder(mods: LeanModule[]): LeanModule[] {
  const byName = new Map(mods.map((m) => [m.name, m]));
  const order: LeanModule[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (m: LeanModule, path: string[]) => {
    if (state.get(m.name) === "done") return;
    if (state.get(m.name) === "visiting") throw new Error(`import cycle: ${[...path, m.name].join(" -> ")}`);
    state.set(m.name, "visiting");
    for (const dep of m.imports) {
      const d = byName.get(dep);
      if (d) visit(d, [...path, m.name]);
      else if (dep.startsWith("Hydrogen")) throw new Error(`${m.srcRoot}/${m.relPath}: imports unknown module ${dep}`);
    }
    state.set(m.name, "done");
    order.push(m);
  };
  mods.forEach((m) => visit(m, []));
  return order;
}

export interface Outcome { readonly ok: boolean; readonly seconds: number; readonly messages: string[] }

/** Keeps Lean's own messages (file:line:col: severity: ...) and drops the debug
 * chatter and source echo of the wasm build. */
export function filterLeanOutput(text: string, srcRoot: string): { messages: string[]; errors: number; warnings: number; sorries: number } {
  const messages: string[] = [];
  let errors = 0;
  let warnings = 0;
  let sorries = 0;
  let capturing = false;
  for (const raw of text.split("\n")) {
    const line = raw.length > 400 ? raw.slice(0, 400) + "…" : raw;
    const msg = /^(\S+\.lean):(\d+):(\d+): (error|warning|info|information)/.exec(line);
    if (msg) {
      capturing = true;
      if (msg[4] === "error") errors++;
      // A warning fails the build: `#exit` and `sorry` only warn, and so do
      // linters whose findings we do not want to carry.
      if (msg[4] === "warning") warnings++;
      if (/declaration uses [`']sorry[`']/.test(line)) sorries++;
      messages.push(`${srcRoot}/${line}${warningTrick(line)}`);
    } else if (/^error[: ]/.test(line) || /^(Uncaught |RuntimeError|Aborted\()/.test(line)) {
      capturing = true;
      errors++;
      messages.push(line);
    } else if (line.startsWith("[DEBUG")) {
      capturing = false;
    } else if (capturing) {
      messages.push(line);
    }
  }
  return { messages, errors, warnings, sorries };
}

/** Names the trick behind a warning Lean prints for it. */
export function warningTrick(line: string): string {
  if (!/: warning/.test(line)) return "";
  if (/declaration uses [`']sorry[`']/.test(line)) return "  [sorry]";
  if (/using [`']exit[`'] to interrupt Lean/.test(line)) return "  [#exit]";
  return "  [warning]";
}

function runLean(leanJs: string, libDir: string, mod: LeanModule): Promise<Outcome> {
  return compileLean({ leanJs, libDir, buildDir, cwd: join(root, mod.srcRoot), relPath: mod.relPath, label: `${mod.srcRoot}/${mod.relPath}` });
}

/** Compiles one file to `<buildDir>/<relPath>.olean` (its imports found under
 * `buildDir`) and applies the Lean layer: any error, warning or sorry fails. */
export async function compileLean(o: {
  readonly leanJs: string; readonly libDir: string; readonly buildDir: string;
  readonly cwd: string; readonly relPath: string; readonly label: string;
}): Promise<Outcome> {
  const started = Date.now();
  const out = join(o.buildDir, o.relPath.replace(/\.lean$/, ".olean"));
  mkdirSync(dirname(out), { recursive: true });
  const srcRoot = o.label.slice(0, o.label.length - o.relPath.length - 1);
  const { code, text } = await runLeanProcess({ leanJs: o.leanJs, args: ["-o", out, o.relPath], cwd: o.cwd, libDir: o.libDir, buildDir: o.buildDir, mounts: root });
  const { messages, errors, warnings, sorries } = filterLeanOutput(text, srcRoot);
  if (sorries > 0) messages.push(`${o.label}: ${sorries} declaration(s) use sorry  [sorry]`);
  if (warnings > 0) messages.push(`${o.label}: ${warnings} warning(s); the gate accepts none`);
  if (code !== 0 && errors === 0) {
    messages.push(`lean exited with code ${code}; last output:`);
    messages.push(...text.split("\n").filter((l) => !l.startsWith("[DEBUG")).slice(-15).map((l) => "  " + l.slice(0, 300)));
  }
  return { ok: code === 0 && errors === 0 && warnings === 0 && sorries === 0, seconds: (Date.now() - started) / 1000, messages };
}

const fmt = (s: number) => `${s.toFixed(1)}s`.padStart(7);

/** One proof build at a time per checkout: each Lean process takes ~3.5 GB, and
 * two builds would write the same .olean files. Waits for a live holder; takes
 * over a lock whose process is gone. */
export async function withBuildLock<T>(body: () => Promise<T>): Promise<T> {
  const lock = join(root, ".hydrogen/build/lock");
  mkdirSync(dirname(lock), { recursive: true });
  let waited = false;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
      break;
    } catch {
      const holder = Number(readFileSync(lock, "utf8"));
      let alive = false;
      try { process.kill(holder, 0); alive = Number.isInteger(holder) && holder > 0; } catch { alive = false; }
      if (!alive) { rmSync(lock, { force: true }); continue; }
      if (!waited) { console.log(`proofs: waiting for another proof build (pid ${holder})`); waited = true; }
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  try { return await body(); } finally { rmSync(lock, { force: true }); }
}

async function buildWithWasm(mods: LeanModule[], jobs: number): Promise<boolean> {
  const { leanJs, libDir } = setup();
  const toolDigest = createHash("sha256").update(readFileSync(join(dirname(libDir), "stamp.json"))).digest("hex");
  const order = topoOrder(mods);
  const byName = new Map(order.map((m) => [m.name, m]));
  const hashes = new Map<string, string>();
  for (const m of order) {
    const h = createHash("sha256").update(toolDigest).update(m.source);
    for (const dep of m.imports) if (hashes.has(dep)) h.update(hashes.get(dep)!);
    hashes.set(m.name, h.digest("hex"));
  }
  const stampOf = (m: LeanModule) => join(buildDir, m.relPath.replace(/\.lean$/, ".hash"));
  const upToDate = (m: LeanModule) => {
    const s = stampOf(m);
    return existsSync(s) && readFileSync(s, "utf8") === hashes.get(m.name) && existsSync(s.replace(/\.hash$/, ".olean"));
  };
  const todo = order.filter((m) => !upToDate(m));
  console.log(`proofs: ${order.length} modules, ${order.length - todo.length} up to date, ${todo.length} to check (${jobs} in parallel)`);
  const started = Date.now();
  const done = new Set(order.filter((m) => !todo.includes(m)).map((m) => m.name));
  const failed = new Set<string>();
  const running = new Set<string>();
  const results: Array<[LeanModule, Outcome]> = [];
  await new Promise<void>((finish) => {
    const pump = () => {
      for (const m of todo) {
        if (running.size >= jobs) break;
        if (done.has(m.name) || failed.has(m.name) || running.has(m.name)) continue;
        const deps = m.imports.filter((d) => byName.has(d));
        if (deps.some((d) => failed.has(d))) { failed.add(m.name); console.log(`  skip  ${m.name} (a dependency failed)`); continue; }
        if (!deps.every((d) => done.has(d))) continue;
        running.add(m.name);
        rmSync(stampOf(m), { force: true });
        void runLean(leanJs, libDir, m).then((o) => {
          running.delete(m.name);
          results.push([m, o]);
          console.log(`  ${o.ok ? "ok  " : "FAIL"} ${fmt(o.seconds)}  ${m.name}`);
          for (const line of o.messages) console.log(`        ${line}`);
          if (o.ok) { done.add(m.name); writeFileSync(stampOf(m), hashes.get(m.name)!); } else failed.add(m.name);
          pump();
        });
      }
      if (running.size === 0) finish();
    };
    pump();
  });
  const wall = (Date.now() - started) / 1000;
  const cpu = results.reduce((a, [, o]) => a + o.seconds, 0);
  console.log(`proofs: ${done.size}/${order.length} modules checked, ${failed.size} failed; ${wall.toFixed(1)}s wall, ${cpu.toFixed(1)}s summed`);
  if (failed.size > 0 || done.size !== order.length) return false;
  // The axiom layer, over every module of lean/ (gen/lean holds only `example`s,
  // which leave no constants behind; the scan and Lean's messages cover them).
  const library = order.filter((m) => m.srcRoot === "lean").map((m) => m.name);
  const key = createHash("sha256").update(readFileSync(join(here, "AxiomCheck.lean")));
  for (const m of library) key.update(m).update(hashes.get(m)!);
  return axiomLayer(leanJs, libDir, library, key.digest("hex"));
}

const here = dirname(fileURLToPath(import.meta.url));
export const axiomReportFile = join(root, ".hydrogen/build/axioms.json");

/** Runs the axiom check (or reuses the last run's output for the same module
 * hashes), prints its summary and writes .hydrogen/build/axioms.json. */
async function axiomLayer(leanJs: string, libDir: string, modules: string[], key: string): Promise<boolean> {
  const rawFile = join(root, ".hydrogen/build/axioms.out");
  const keyFile = rawFile + ".key";
  let report: AxiomReport;
  if (existsSync(keyFile) && readFileSync(keyFile, "utf8") === key && existsSync(rawFile)) {
    report = parseAxiomOutput(readFileSync(rawFile, "utf8"), modules);
    console.log("axioms: modules unchanged since the last check; its output re-read");
  } else {
    rmSync(keyFile, { force: true });
    const run = () => checkAxioms({ leanJs, libDir, buildDir, workDir: join(root, ".hydrogen/build/axiom-check"), modules, mounts: root, rawFile });
    let r = await run();
    // Runs that died mid-output were pipe write failures (fixed in
    // process.ts); one "memory access out of bounds" was also seen with other
    // Lean processes beside it. A crash is retried once; a clean run with
    // violations is never retried.
    if (r.errors.some((e) => /RuntimeError|Aborted|memory access|exited with code/.test(e))) {
      console.log(`axioms: the checker crashed (${r.errors[0]}); running it once more`);
      r = await run();
    }
    report = r.report;
    console.log(`axioms: checked in ${r.seconds.toFixed(1)}s`);
    if (r.errors.length > 0) {
      console.log("axioms: FAIL, the checker did not run cleanly:");
      r.errors.forEach((e) => console.log(`        ${e}`));
      return false;
    }
    if (report.violations.length === 0) writeFileSync(keyFile, key);
  }
  const used = new Map<string, number>();
  for (const c of report.constants) for (const x of c.reached) if (x.startsWith("core:")) used.set(x.slice(5), (used.get(x.slice(5)) ?? 0) + 1);
  const allowed = ["propext", "Classical.choice", "Quot.sound"].map((a) => `${a} ${used.get(a) ?? 0}`).join(", ");
  console.log(`axioms: ${report.constants.length} constants (${report.theorems} theorems) in ${report.modules.length} modules; direct uses of the allowed axioms: ${allowed}; ${report.coreLemmas.size} core lemmas reached (bodies not shipped with this Lean, trusted as Lean's own)`);
  writeFileSync(axiomReportFile, JSON.stringify({
    modules: report.modules,
    theorems: report.constants.filter((c) => c.kind === "theorem").map((c) => ({ name: c.name, module: c.module, axioms: c.reached.filter((x) => x.startsWith("core:")).map((x) => x.slice(5)).filter((x) => ["propext", "Classical.choice", "Quot.sound"].includes(x)) })),
    violations: report.violations,
  }, null, 1) + "\n");
  if (report.violations.length > 0) {
    console.log(`axioms: FAIL, ${report.violations.length} violation(s):`);
    report.violations.slice(0, 50).forEach((v) => console.log(`        ${v}`));
    return false;
  }
  return true;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help")) {
    console.log("usage: node scripts/lean/build.ts [--jobs N] [--clean]\n  The proof gate: checks every Lean module under lean/ and gen/lean/; fails on a forbidden construct in the source (scan.ts), on any Lean error or warning, and on any axiom beyond propext, Classical.choice and Quot.sound (axioms.ts).");
    return 0;
  }
  const jobsArg = argv.indexOf("--jobs");
  const jobs = jobsArg >= 0 ? Number(argv[jobsArg + 1]) : Number(process.env.HYDROGEN_LEAN_JOBS ?? 2);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 16) {
    console.error(`error: --jobs must be an integer from 1 to 16 (got ${JSON.stringify(argv[jobsArg + 1] ?? process.env.HYDROGEN_LEAN_JOBS)})`);
    return 2;
  }
  if (argv.includes("--clean")) rmSync(buildDir, { recursive: true, force: true });
  const mods = discoverModules();
  const holes = mods.flatMap(findHoles);
  if (holes.length > 0) {
    console.error(`proofs: ${holes.length} forbidden construct(s) in Lean sources:`);
    holes.forEach((h) => console.error(`  ${h}`));
    return 1;
  }
  const missing = aggregatorGaps(mods);
  if (missing.length > 0) {
    console.error("proofs: aggregator modules must import every module of their folder:");
    missing.forEach((m) => console.error(`  ${m}`));
    return 1;
  }
  return (await withBuildLock(() => buildWithWasm(mods, jobs))) ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
    console.error(`error: ${(e as Error).message}`);
    process.exit(1);
  });
}
