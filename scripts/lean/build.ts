// `make proofs`: checks every Lean module under lean/ and gen/lean/ in import
// order. Uses `lake build` when a native lake is on PATH, else the npm Lean
// (patched by setup.ts). Incremental: a module is rebuilt only when its source,
// one of its project dependencies, or the toolchain changed.
import { createHash } from "node:crypto";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setup } from "./setup.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const sourceRoots = ["lean", "gen/lean"] as const;
const buildDir = join(root, ".hydrogen/build/lean");

/** Words that would let a proof pass without being a proof, or bypass the kernel. */
export const forbiddenWords = ["sorry", "admit", "native_decide", "axiom", "implemented_by", "extern", "unsafe"] as const;

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

/** Strips `--` line comments and `/- -/` block comments (nesting-aware) so that
 * docstrings may discuss the words; code may not use them. */
export function stripComments(src: string): string {
  let out = "";
  let depth = 0;
  for (let i = 0; i < src.length; i++) {
    if (src.startsWith("/-", i)) { depth++; i++; continue; }
    if (depth > 0 && src.startsWith("-/", i)) { depth--; i++; continue; }
    if (depth > 0) { if (src[i] === "\n") out += "\n"; continue; }
    if (src.startsWith("--", i)) { while (i < src.length && src[i] !== "\n") i++; out += "\n"; continue; }
    out += src[i];
  }
  return out;
}

export function findHoles(mod: LeanModule): string[] {
  const lines = stripComments(mod.source).split("\n");
  const found: string[] = [];
  lines.forEach((line, i) => {
    for (const w of forbiddenWords) {
      if (new RegExp(`(^|[^\\w.'])${w}($|[^\\w'])`).test(line)) {
        found.push(`${mod.srcRoot}/${mod.relPath}:${i + 1}: forbidden \`${w}\`: ${line.trim()}`);
      }
    }
  });
  return found;
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

interface Outcome { readonly ok: boolean; readonly seconds: number; readonly messages: string[] }

/** Keeps Lean's own messages (file:line:col: severity: ...) and drops the debug
 * chatter and source echo of the wasm build. */
export function filterLeanOutput(text: string, srcRoot: string): { messages: string[]; errors: number; sorries: number } {
  const messages: string[] = [];
  let errors = 0;
  let sorries = 0;
  let capturing = false;
  for (const raw of text.split("\n")) {
    const line = raw.length > 400 ? raw.slice(0, 400) + "…" : raw;
    const msg = /^(\S+\.lean):(\d+):(\d+): (error|warning|info|information)/.exec(line);
    if (msg) {
      capturing = true;
      if (msg[4] === "error") errors++;
      if (/declaration uses [`']sorry[`']/.test(line)) sorries++;
      messages.push(`${srcRoot}/${line}`);
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
  return { messages, errors, sorries };
}

function runLean(leanJs: string, libDir: string, mod: LeanModule): Promise<Outcome> {
  const started = Date.now();
  const out = join(buildDir, mod.relPath.replace(/\.lean$/, ".olean"));
  mkdirSync(dirname(out), { recursive: true });
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [leanJs, "-o", out, mod.relPath], {
      cwd: join(root, mod.srcRoot),
      env: { ...process.env, LEAN_PATH: `${libDir}:${buildDir}`, HYDROGEN_LEAN_MOUNTS: root },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => chunks.push(d));
    child.stderr.on("data", (d: Buffer) => chunks.push(d));
    child.on("close", (code) => {
      const text = Buffer.concat(chunks).toString("utf8");
      const { messages, errors, sorries } = filterLeanOutput(text, mod.srcRoot);
      if (sorries > 0) messages.push(`${mod.srcRoot}/${mod.relPath}: ${sorries} declaration(s) use sorry`);
      if (code !== 0 && errors === 0) {
        messages.push(`lean exited with code ${code}; last output:`);
        messages.push(...text.split("\n").filter((l) => !l.startsWith("[DEBUG")).slice(-15).map((l) => "  " + l.slice(0, 300)));
      }
      resolvePromise({ ok: code === 0 && errors === 0 && sorries === 0, seconds: (Date.now() - started) / 1000, messages });
    });
  });
}

const fmt = (s: number) => `${s.toFixed(1)}s`.padStart(7);

/** One proof build at a time per checkout: each Lean process takes ~3.5 GB, and
 * two builds would write the same .olean files. Waits for a live holder; takes
 * over a lock whose process is gone. */
async function withBuildLock<T>(body: () => Promise<T>): Promise<T> {
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
  // The wasm runtime drops an LLVM profile into each working directory.
  for (const srcRoot of sourceRoots) rmSync(join(root, srcRoot, "default.profraw"), { force: true });
  const wall = (Date.now() - started) / 1000;
  const cpu = results.reduce((a, [, o]) => a + o.seconds, 0);
  console.log(`proofs: ${done.size}/${order.length} modules checked, ${failed.size} failed; ${wall.toFixed(1)}s wall, ${cpu.toFixed(1)}s summed`);
  return failed.size === 0 && done.size === order.length;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help")) {
    console.log("usage: node scripts/lean/build.ts [--jobs N] [--clean]\n  Checks every Lean module under lean/ and gen/lean/; fails on errors, sorry, and forbidden words.");
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
    console.error(`proofs: ${holes.length} forbidden word(s) in Lean sources:`);
    holes.forEach((h) => console.error(`  ${h}`));
    return 1;
  }
  const missing = aggregatorGaps(mods);
  if (missing.length > 0) {
    console.error("proofs: aggregator modules must import every module of their folder:");
    missing.forEach((m) => console.error(`  ${m}`));
    return 1;
  }
  if (process.env.HYDROGEN_USE_LAKE !== "0" && spawnSync("lake", ["--version"], { stdio: "ignore" }).status === 0) {
    console.log("proofs: native lake found; running lake build");
    return spawnSync("lake", ["build"], { cwd: root, stdio: "inherit" }).status ?? 1;
  }
  return (await withBuildLock(() => buildWithWasm(mods, jobs))) ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
    console.error(`error: ${(e as Error).message}`);
    process.exit(1);
  });
}
