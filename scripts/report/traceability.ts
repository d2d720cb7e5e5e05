// `node scripts/report/traceability.ts [--check]`: ties every Lean declaration
// to its TypeScript mirror, the tests that restate or exercise it, and the
// conformance vectors that name it. Built from the sources themselves:
//   - Lean: declarations in lean/**/*.lean (namespaces, sections, mutual
//     blocks, attributes and modifiers understood; comments skipped; private
//     declarations skipped; a docstring containing "(proof-only)" marks a
//     declaration that needs no TS mirror);
//   - src/**/*.ts: JSDoc tags `@lean <Name>` (mirrors);
//   - test/**/*.ts: comment tags `// @lean <Name>` (tests), with the title of
//     the `it`/`test` that follows;
//   - gen/vectors/*.json: `{ "vectors": [ { "lean": [names...] } ] }`
//     (distinct vectors are counted);
//   - .hydrogen/vitest.json (or --results FILE): vitest's JSON report of the
//     run; a test tag counts only when the test at the line below it passed;
//   - scripts/gen/exports.txt, gen/ts/ and `// @gen <Name>` tags in test/Gen/:
//     the Generated and Differential columns (scripts/report/generated.ts).
// Writes spec/traceability.md and spec/traceability.json (reproducible: no
// timestamps, stable order). Exits 1 on gaps: a def/structure/inductive/
// class/instance without a mirror (unless proof-only), a theorem without a
// test that passed, a tag naming no Lean declaration, a test tag that is not
// on a test or whose test did not pass, an exported definition without a
// generated artifact, a generated reference without a passed differential
// test. `--check` writes nothing and also
// fails when the files on disk differ from what it would write.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type ExportEntry, type GenRole, generatedArtifacts, isDifferentialFile, parseExportList } from "./generated.ts";

// ---------------------------------------------------------------------------
// Lean

export type LeanKind = "def" | "abbrev" | "opaque" | "theorem" | "structure" | "inductive" | "class" | "instance";

export interface LeanDecl {
  /** Full name, e.g. `Hydrogen.Aggregate.Tree.leaves`. */
  readonly name: string;
  readonly kind: LeanKind;
  /** Module, e.g. `Hydrogen.Aggregate.Tree`. */
  readonly module: string;
  readonly file: string;
  readonly line: number;
  /** The docstring right before it says `(proof-only)`: no TS mirror needed. */
  readonly proofOnly: boolean;
}

/** Kinds that need a TypeScript mirror (unless proof-only); theorems need a test instead. */
export const needsMirror = (kind: LeanKind): boolean => kind !== "theorem";

export interface Docstring {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * Blanks out comments (`--` to end of line, nested `/- -/`, docstrings `/-- -/`
 * and module docs `/-! -/`) with spaces, keeping newlines and offsets, and
 * returns the docstrings separately. String and character literals are kept.
 */
export const stripLeanComments = (src: string): { readonly code: string; readonly docstrings: ReadonlyArray<Docstring> } => {
  const out: string[] = [];
  const docstrings: Docstring[] = [];
  const blank = (s: string) => s.replace(/[^\n]/g, " ");
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === "-" && next === "-") {
      let j = src.indexOf("\n", i);
      if (j === -1) j = n;
      out.push(blank(src.slice(i, j)));
      i = j;
    } else if (c === "/" && next === "-") {
      const isDoc = src[i + 2] === "-" && src[i + 3] !== "/";
      let depth = 0;
      let j = i;
      while (j < n) {
        if (src[j] === "/" && src[j + 1] === "-") {
          depth++;
          j += 2;
        } else if (src[j] === "-" && src[j + 1] === "/") {
          depth--;
          j += 2;
          if (depth === 0) break;
        } else j++;
      }
      const text = src.slice(i, j);
      if (isDoc) docstrings.push({ start: i, end: j, text: text.slice(3, -2).trim() });
      out.push(blank(text));
      i = j;
    } else if (c === '"') {
      let j = i + 1;
      while (j < n && src[j] !== '"') j += src[j] === "\\" ? 2 : 1;
      out.push(src.slice(i, j + 1));
      i = j + 1;
    } else if (c === "'" && !/[\p{L}\p{N}_'!?₀-₉]/u.test(src[i - 1] ?? " ")) {
      const m = /^'(?:\\.[^']*|[^\\'\n])'/u.exec(src.slice(i, i + 12));
      const len = m ? m[0].length : 1;
      out.push(src.slice(i, i + len));
      i += len;
    } else {
      out.push(c);
      i++;
    }
  }
  return { code: out.join(""), docstrings };
};

const modifierWords = new Set(["private", "protected", "public", "noncomputable", "partial", "unsafe", "nonrec", "meta"]);

/** Strips leading `@[...]` attributes (balanced brackets) and modifiers from a trimmed line. */
const stripPrefix = (line: string): { readonly rest: string; readonly modifiers: ReadonlySet<string> } => {
  const modifiers = new Set<string>();
  let rest = line;
  for (;;) {
    rest = rest.trimStart();
    if (rest.startsWith("@[")) {
      let depth = 0;
      let j = 1;
      for (; j < rest.length; j++) {
        if (rest[j] === "[") depth++;
        else if (rest[j] === "]" && --depth === 0) break;
      }
      rest = rest.slice(j + 1);
      continue;
    }
    const m = /^([a-z]+)\b/.exec(rest);
    if (m && modifierWords.has(m[1]!)) {
      modifiers.add(m[1]!);
      rest = rest.slice(m[1]!.length);
      continue;
    }
    return { rest, modifiers };
  }
};

const identifier = /^(?:«[^»]*»|[^\s:()[\]{}⟨⟩,])+/u;

type Scope = { readonly kind: "namespace"; readonly name: string } | { readonly kind: "section" | "mutual"; readonly name?: string };

/** Declarations of one Lean file, in source order. `file` is for locations only. */
export const parseLean = (source: string, file: string, module: string): LeanDecl[] => parseLeanFile(source, file, module).decls;

/**
 * Declarations of one Lean file, plus the full names of their members:
 * constructors of inductives (`Tree.leaf`), fields and constructors of
 * structures and classes (`Box.minX`, `Box.mk`). Members are real Lean names
 * a tag may point at, but need no mirror or test of their own.
 */
export const parseLeanFile = (
  source: string,
  file: string,
  module: string,
): { readonly decls: LeanDecl[]; readonly members: string[] } => {
  const { code, docstrings } = stripLeanComments(source);
  const decls: LeanDecl[] = [];
  const members: string[] = [];
  let body: { readonly name: string; readonly kind: LeanKind; ctor: boolean } | undefined;
  const closeBody = () => {
    if (body !== undefined && body.kind !== "inductive" && !body.ctor) members.push(`${body.name}.mk`);
    body = undefined;
  };
  const scopes: Scope[] = [];
  const prefix = () =>
    scopes
      .filter((s): s is Extract<Scope, { kind: "namespace" }> => s.kind === "namespace")
      .map((s) => s.name)
      .join(".");
  let offset = 0;
  const lines = code.split("\n");
  for (let ln = 0; ln < lines.length; ln++) {
    const raw = lines[ln]!;
    const lineStart = offset;
    offset += raw.length + 1;
    const trimmed = raw.trim();
    if (trimmed === "") continue;
    if (body !== undefined && /^\s/.test(raw)) {
      // a member line of the structure/class/inductive above
      let mm: RegExpExecArray | null;
      if (body.kind === "inductive") {
        for (const c of trimmed.matchAll(/(?:^|\s)\|\s*([^\s:()[\]{}⟨⟩,|]+)/gu)) members.push(`${body.name}.${c[1]!}`);
      } else if ((mm = /^([^\s:()[\]{}⟨⟩,]+)\s*::/u.exec(trimmed))) {
        members.push(`${body.name}.${mm[1]!}`);
        body.ctor = true;
      } else if ((mm = /^((?:[^\s:()[\]{}⟨⟩,]+\s+)*[^\s:()[\]{}⟨⟩,]+)\s*:(?!=)/u.exec(trimmed))) {
        for (const f of mm[1]!.split(/\s+/)) members.push(`${body.name}.${f}`);
      } else if ((mm = /^\(\s*((?:[^\s:()[\]{}⟨⟩,]+\s+)*[^\s:()[\]{}⟨⟩,]+)\s*:/u.exec(trimmed))) {
        for (const f of mm[1]!.split(/\s+/)) members.push(`${body.name}.${f}`);
      }
      continue;
    }
    closeBody();
    const { rest, modifiers } = stripPrefix(trimmed);
    let m: RegExpExecArray | null;
    if ((m = /^namespace\s+(\S+)/.exec(rest))) {
      scopes.push({ kind: "namespace", name: m[1]! });
      continue;
    }
    if ((m = /^section\b(?:\s+(\S+))?/.exec(rest))) {
      scopes.push(m[1] === undefined ? { kind: "section" } : { kind: "section", name: m[1] });
      continue;
    }
    if (/^mutual\b/.test(rest)) {
      scopes.push({ kind: "mutual" });
      continue;
    }
    if ((m = /^end\b(?:\s+(\S+))?/.exec(rest)) && rest === trimmed) {
      scopes.pop();
      continue;
    }
    m = /^(def|abbrev|opaque|theorem|lemma|structure|inductive|class\s+inductive|class|instance)\b\s*/.exec(rest);
    if (!m) continue;
    const keyword = m[1]!;
    let after = rest.slice(m[0].length);
    if (keyword === "instance") {
      after = after.replace(/^\(priority\s*:=[^)]*\)\s*/, "");
      if (/^[:([{⟨]|^where\b/.test(after)) continue; // anonymous instance
    }
    const id = identifier.exec(after);
    if (!id) continue;
    if (modifiers.has("private")) continue;
    const local = id[0];
    const kind: LeanKind =
      keyword === "lemma" ? "theorem" : keyword.startsWith("class") ? "class" : (keyword as LeanKind);
    const name = local.startsWith("_root_.") ? local.slice("_root_.".length) : [prefix(), local].filter((s) => s !== "").join(".");
    // the docstring directly before the declaration (attributes may sit in between)
    const declStart = lineStart + raw.indexOf(trimmed);
    const doc = docstrings.findLast((d) => d.end <= declStart);
    const between = doc === undefined ? "" : code.slice(doc.end, declStart).trim();
    const attached = doc !== undefined && (between === "" || /^(@\[[^\]]*\]\s*)+$/.test(between));
    decls.push({ name, kind, module, file, line: ln + 1, proofOnly: attached && doc.text.includes("(proof-only)") });
    if (kind === "structure" || kind === "class" || kind === "inductive") {
      body = { name, kind, ctor: false };
      if (kind === "inductive") {
        for (const c of after.matchAll(/(?:^|\s)\|\s*([^\s:()[\]{}⟨⟩,|]+)/gu)) members.push(`${name}.${c[1]!}`);
      }
    }
  }
  closeBody();
  return { decls, members };
};

// ---------------------------------------------------------------------------
// TypeScript tags

export interface Tag {
  /** The Lean name the tag claims. */
  readonly name: string;
  readonly file: string;
  readonly line: number;
  /** For tests: the title of the `it`/`test` that follows the tag. */
  readonly title?: string;
  /** For tests: the line of that `it`/`test` call (absent: the tag is on no test). */
  readonly testLine?: number;
  /** For tests, from the test run: passed, failed, skipped, todo, not run, or not a test. */
  readonly outcome?: Outcome;
}

export type Outcome = "passed" | "failed" | "skipped" | "todo" | "not run" | "not a test";

const tagLineOf = (word: string) => new RegExp(`^\\s*(?:\\/\\/+|\\/\\*\\*+|\\*)\\s*@${word}\\s+([^\\s*,;]+)`);
const commentLine = /^\s*(?:\/\/|\/\*|\*)/;
const testCall = /\b(?:it|test)(?:\.[A-Za-z]+)*\(\s*(["'`])((?:\\.|(?!\1)[^\\])*)\1/;

/** `@lean <Name>` tags (or `@gen`, with word "gen") at the start of comment lines (`//`, `/**`, ` *`), with the following test title. */
export const parseTags = (source: string, file: string, word: "lean" | "gen" = "lean"): Tag[] => {
  const tagLine = tagLineOf(word);
  const lines = source.split("\n");
  const tags: Tag[] = [];
  lines.forEach((l, i) => {
    const m = tagLine.exec(l);
    if (!m) return;
    const name = m[1]!.replace(/[.)]+$/, "");
    let title: string | undefined;
    let testLine: number | undefined;
    for (let j = i + 1; j < lines.length; j++) {
      const next = lines[j]!;
      if (next.trim() === "" || commentLine.test(next)) continue;
      const t = testCall.exec(next);
      if (t) { title = t[2]!; testLine = j + 1; }
      break;
    }
    tags.push(title === undefined ? { name, file, line: i + 1 } : { name, file, line: i + 1, title, testLine: testLine! });
  });
  return tags;
};

// ---------------------------------------------------------------------------
// Vectors

/** Vectors per Lean name in one vector file's JSON text (a vector that names a
 * declaration twice counts once; identical vectors count once). */
export const countVectors = (json: string, file: string): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const [name, set] of distinctVectors(json, file)) counts.set(name, set.size);
  return counts;
};

/** The distinct vectors (canonical JSON text) naming each Lean name in one file. */
export const distinctVectors = (json: string, file: string): Map<string, Set<string>> => {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const vectors = (data as { vectors?: unknown } | null)?.vectors;
  if (!Array.isArray(vectors)) throw new Error(`${file}: expected { "vectors": [...] }`);
  const byName = new Map<string, Set<string>>();
  for (const v of vectors) {
    const names = (v as { lean?: unknown } | null)?.lean;
    if (!Array.isArray(names)) continue;
    const key = canonicalJson(v);
    for (const name of new Set(names.filter((x): x is string => typeof x === "string"))) {
      let set = byName.get(name);
      if (!set) byName.set(name, (set = new Set()));
      set.add(key);
    }
  }
  return byName;
};

/** JSON with object keys sorted, so equal vectors have equal text. */
const canonicalJson = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(canonicalJson).join(",")}]`
  : v !== null && typeof v === "object" ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(",")}}`
  : JSON.stringify(v);

// ---------------------------------------------------------------------------
// Test run

/** Outcomes of one vitest run, per test file (repository-relative) and line of the test call. */
export type TestRun = ReadonlyMap<string, ReadonlyMap<number, ReadonlyArray<string>>>;

/**
 * Reads vitest's JSON report (`--reporter=json`, with `includeTaskLocation`).
 * Fails when a test has no location: without it no tag can be tied to a result.
 */
export const parseTestRun = (json: string, root: string, file: string): TestRun => {
  let data: unknown;
  try { data = JSON.parse(json); } catch (e) { throw new Error(`${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})`); }
  const results = (data as { testResults?: unknown } | null)?.testResults;
  if (!Array.isArray(results)) throw new Error(`${file}: expected vitest's JSON report ({ testResults: [...] })`);
  const run = new Map<string, Map<number, string[]>>();
  for (const r of results as Array<{ name?: unknown; assertionResults?: unknown }>) {
    if (typeof r.name !== "string" || !Array.isArray(r.assertionResults)) throw new Error(`${file}: a test file entry without name or assertionResults`);
    const rel = posix(root, r.name);
    const lines = new Map<number, string[]>();
    for (const a of r.assertionResults as Array<{ status?: unknown; location?: { line?: unknown }; fullName?: unknown }>) {
      const line = a.location?.line;
      if (typeof line !== "number") throw new Error(`${file}: test ${String(a.fullName)} in ${rel} has no location (run vitest with includeTaskLocation)`);
      const list = lines.get(line) ?? [];
      list.push(String(a.status));
      lines.set(line, list);
    }
    run.set(rel, lines);
  }
  return run;
};

/** A test tag's outcome in the run: every test at the tagged call passed, or why not. */
export const outcomeOf = (t: Tag, run: TestRun): Outcome => {
  if (t.testLine === undefined) return "not a test";
  const statuses = run.get(t.file)?.get(t.testLine);
  if (!statuses || statuses.length === 0) return "not run";
  if (statuses.every((x) => x === "passed")) return "passed";
  if (statuses.some((x) => x === "failed")) return "failed";
  if (statuses.some((x) => x === "todo")) return "todo";
  return "skipped";
};

// ---------------------------------------------------------------------------
// Report

export interface SourceFile {
  readonly path: string; // relative, with forward slashes
  readonly text: string;
}

export interface Inputs {
  /** `.lean` files, paths relative to the repository; `leanRoot` is the directory module names start from. */
  readonly lean: ReadonlyArray<SourceFile & { readonly leanRoot: string }>;
  readonly src: ReadonlyArray<SourceFile>;
  readonly test: ReadonlyArray<SourceFile>;
  readonly vectors: ReadonlyArray<SourceFile>;
  /** scripts/gen/exports.txt (absent: nothing is exported, the Generated columns stay empty). */
  readonly exports?: SourceFile;
  /** The generated TypeScript: every .ts file under gen/ts/. */
  readonly gen?: ReadonlyArray<SourceFile>;
  /** The test run the report is tied to (vitest's JSON report). */
  readonly run: TestRun;
}

export type Status = "ok" | "proof-only" | "no mirror" | "no test";

export interface Row {
  readonly name: string;
  readonly kind: LeanKind;
  readonly file: string;
  readonly line: number;
  readonly proofOnly: boolean;
  readonly mirrors: ReadonlyArray<Tag>;
  readonly tests: ReadonlyArray<Tag>;
  readonly vectors: number;
  /** Exported to gen/ts/ (scripts/gen/exports.txt): the role and the generated files naming it. */
  readonly generated?: { readonly role: GenRole; readonly files: ReadonlyArray<string> };
  /** Differential tests (`// @gen <Name>` in test/Gen/) comparing src with the generated reference. */
  readonly differential: ReadonlyArray<Tag>;
  readonly status: Status;
}

export interface ModuleReport {
  readonly module: string;
  readonly file: string;
  readonly declarations: ReadonlyArray<Row>;
}

export type GapKind =
  | "no mirror" | "no test" | "unknown lean name" | "tag not on a test" | "test did not pass"
  | "not generated" | "no differential" | "misplaced differential";

export interface Gap {
  readonly kind: GapKind;
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface Report {
  readonly summary: {
    readonly declarations: number;
    readonly byKind: Readonly<Record<string, number>>;
    readonly needMirror: number;
    readonly mirrored: number;
    readonly proofOnly: number;
    readonly theorems: number;
    readonly tested: number;
    /** Test tags whose test ran and passed in the run the report is tied to. */
    readonly passedTags: number;
    /** Distinct conformance vectors that name at least one declaration. */
    readonly vectors: number;
    /** Exported definitions (exports.txt) with a generated artifact, of all exported. */
    readonly generated: number;
    readonly exported: number;
    /** Generated references with a differential test that passed, of all references. */
    readonly differential: number;
    readonly refs: number;
    readonly gaps: number;
  };
  readonly modules: ReadonlyArray<ModuleReport>;
  readonly gaps: ReadonlyArray<Gap>;
  /** Not failures: vector names that match no Lean declaration. */
  readonly warnings: ReadonlyArray<string>;
}

const byLocation = (a: Tag, b: Tag) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line);

export const moduleName = (path: string, leanRoot: string): string =>
  relative(leanRoot, path).split(sep).join("/").replace(/\.lean$/, "").split("/").join(".");

/** The whole report from in-memory sources. Pure. */
export const buildReport = (inputs: Inputs): Report => {
  const modules = inputs.lean
    .map((f) => {
      const module = moduleName(f.path, f.leanRoot);
      return { module, file: f.path, ...parseLeanFile(f.text, f.path, module) };
    })
    .sort((a, b) => (a.module < b.module ? -1 : a.module > b.module ? 1 : 0));
  const known = new Set(modules.flatMap((m) => [...m.decls.map((d) => d.name), ...m.members]));
  const mirrors = inputs.src.flatMap((f) => parseTags(f.text, f.path)).sort(byLocation);
  const tests = inputs.test.flatMap((f) => parseTags(f.text, f.path)).map((t) => ({ ...t, outcome: outcomeOf(t, inputs.run) })).sort(byLocation);
  const exportList: ReadonlyArray<ExportEntry> = inputs.exports ? parseExportList(inputs.exports.text, inputs.exports.path) : [];
  const exported = new Map(exportList.map((e) => [e.name, e] as const));
  const artifacts = generatedArtifacts(inputs.gen ?? []);
  const diffTags = inputs.test.flatMap((f) => parseTags(f.text, f.path, "gen")).map((t) => ({ ...t, outcome: outcomeOf(t, inputs.run) })).sort(byLocation);
  const vectorSets = new Map<string, Set<string>>();
  const allVectors = new Set<string>();
  const warnings: string[] = [];
  for (const f of [...inputs.vectors].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    for (const [name, set] of distinctVectors(f.text, f.path)) {
      const acc = vectorSets.get(name) ?? new Set<string>();
      for (const v of set) { acc.add(v); if (known.has(name)) allVectors.add(v); }
      vectorSets.set(name, acc);
      if (!known.has(name)) warnings.push(`${f.path}: ${set.size} vector(s) name ${name}, which is no Lean declaration`);
    }
  }
  const vectorCounts = new Map([...vectorSets].map(([k, v]) => [k, v.size] as const));
  const gaps: Gap[] = [];
  const moduleReports: ModuleReport[] = modules.map(({ module, file, decls }) => ({
    module,
    file,
    declarations: decls.map((d): Row => {
      const ms = mirrors.filter((t) => t.name === d.name);
      const ts = tests.filter((t) => t.name === d.name);
      let status: Status;
      if (d.kind === "theorem") {
        // A restating test names the theorem in its title: a tag alone, on some
        // other passing test, is not evidence.
        const short = d.name.split(".").pop()!;
        const passed = ts.some((t) => t.outcome === "passed" && t.title !== undefined && t.title.includes(short));
        status = passed ? "ok" : "no test";
        if (!passed)
          gaps.push({ kind: "no test", name: d.name, file: d.file, line: d.line, message: ts.length === 0 ? `theorem ${d.name} has no test (// @lean ${d.name})` : `theorem ${d.name} has no test that ran and passed and names ${short} in its title (${ts.map((t) => `${t.file}:${t.line} ${t.outcome}`).join(", ")})` });
      } else if (ms.length > 0) status = "ok";
      else if (d.proofOnly) status = "proof-only";
      else {
        status = "no mirror";
        gaps.push({ kind: "no mirror", name: d.name, file: d.file, line: d.line, message: `${d.kind} ${d.name} has no TS mirror (@lean ${d.name})` });
      }
      const ex = exported.get(d.name);
      const generated = ex === undefined ? undefined : { role: ex.role, files: artifacts.get(d.name) ?? [] };
      const differential = diffTags.filter((t) => t.name === d.name);
      return { ...d, mirrors: ms, tests: ts, vectors: vectorCounts.get(d.name) ?? 0, ...(generated ? { generated } : {}), differential, status };
    }),
  }));
  for (const [where, tags] of [["src", mirrors], ["test", tests]] as const) {
    for (const t of tags) {
      if (!known.has(t.name))
        gaps.push({ kind: "unknown lean name", name: t.name, file: t.file, line: t.line, message: `${where} tag @lean ${t.name} names no Lean declaration` });
    }
  }
  // A test tag is evidence only when its test ran and passed in this run.
  for (const t of tests) {
    if (t.outcome === "not a test")
      gaps.push({ kind: "tag not on a test", name: t.name, file: t.file, line: t.line, message: `test tag @lean ${t.name} is not directly above an it/test call` });
    else if (t.outcome !== "passed")
      gaps.push({ kind: "test did not pass", name: t.name, file: t.file, line: t.line, message: `the test tagged @lean ${t.name} (line ${t.testLine}) ${t.outcome === "not run" ? "did not run" : `was ${t.outcome}`} in the test run` });
  }
  gaps.push(...generationGaps(exportList, inputs.exports?.path ?? "scripts/gen/exports.txt", known, artifacts, diffTags));
  const rows = moduleReports.flatMap((m) => m.declarations);
  const byKind: Record<string, number> = {};
  for (const r of rows) byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
  const needing = rows.filter((r) => needsMirror(r.kind));
  const theorems = rows.filter((r) => r.kind === "theorem");
  return {
    summary: {
      declarations: rows.length,
      byKind: Object.fromEntries(Object.entries(byKind).sort(([a], [b]) => (a < b ? -1 : 1))),
      needMirror: needing.length,
      mirrored: needing.filter((r) => r.mirrors.length > 0).length,
      proofOnly: needing.filter((r) => r.proofOnly && r.mirrors.length === 0).length,
      theorems: theorems.length,
      tested: theorems.filter((r) => r.status === "ok").length,
      passedTags: tests.filter((t) => t.outcome === "passed").length,
      vectors: allVectors.size,
      generated: exportList.filter((e) => artifacts.has(e.name)).length,
      exported: exportList.length,
      differential: exportList.filter((e) => e.role === "ref" && diffTags.some((t) => t.name === e.name && t.outcome === "passed" && isDifferentialFile(t.file))).length,
      refs: exportList.filter((e) => e.role === "ref").length,
      gaps: gaps.length,
    },
    modules: moduleReports,
    gaps,
    warnings,
  };
};

/** Gaps of the Generated and Differential columns (see scripts/report/generated.ts). */
const generationGaps = (
  exportList: ReadonlyArray<ExportEntry>,
  exportsFile: string,
  known: ReadonlySet<string>,
  artifacts: ReadonlyMap<string, ReadonlyArray<string>>,
  diffTags: ReadonlyArray<Tag>,
): Gap[] => {
  const gaps: Gap[] = [];
  const gap = (kind: GapKind, name: string, file: string, line: number, message: string) => gaps.push({ kind, name, file, line, message });
  for (const e of exportList) {
    if (!known.has(e.name)) gap("unknown lean name", e.name, exportsFile, e.line, `exported ${e.role} ${e.name} names no Lean declaration`);
    if (!artifacts.has(e.name)) gap("not generated", e.name, exportsFile, e.line, `exported ${e.role} ${e.name} has no generated artifact under gen/ts/ (run make gen)`);
    if (e.role === "ref" && !diffTags.some((t) => t.name === e.name && t.outcome === "passed" && isDifferentialFile(t.file))) {
      const tried = diffTags.filter((t) => t.name === e.name);
      gap("no differential", e.name, exportsFile, e.line, tried.length === 0
        ? `generated reference ${e.name} has no differential test (// @gen ${e.name} in test/Gen/)`
        : `generated reference ${e.name} has no differential test in test/Gen/ that ran and passed (${tried.map((t) => `${t.file}:${t.line} ${t.outcome}`).join(", ")})`);
    }
  }
  const exportedNames = new Set(exportList.map((e) => e.name));
  for (const t of diffTags) {
    if (!exportedNames.has(t.name)) gap("misplaced differential", t.name, t.file, t.line, `@gen ${t.name} names no definition exported in ${exportsFile}`);
    else if (!isDifferentialFile(t.file)) gap("misplaced differential", t.name, t.file, t.line, `@gen ${t.name} is outside test/Gen/, where differential tests live`);
    if (t.outcome === "not a test") gap("tag not on a test", t.name, t.file, t.line, `test tag @gen ${t.name} is not directly above an it/test call`);
    else if (t.outcome !== "passed") gap("test did not pass", t.name, t.file, t.line, `the test tagged @gen ${t.name} (line ${t.testLine}) ${t.outcome === "not run" ? "did not run" : `was ${t.outcome}`} in the test run`);
  }
  return gaps;
};

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const link = (file: string, line: number) => `[${file}:${line}](../${file}#L${line})`;

/** spec/traceability.md */
export const renderMarkdown = (r: Report): string => {
  const s = r.summary;
  const out: string[] = [
    "# Traceability: Lean ↔ TypeScript ↔ tests ↔ vectors",
    "",
    "Generated by `node scripts/report/traceability.ts` from the sources; do not edit by hand.",
    "`node scripts/report/traceability.ts --check` fails when this file is stale or when a gap is open.",
    "",
    "## Summary",
    "",
    `- Lean declarations: ${s.declarations} (${Object.entries(s.byKind).map(([k, v]) => `${v} ${k}`).join(", ")})`,
    `- Definitions, structures, inductives, classes and instances: ${s.needMirror}; with a TS mirror: ${s.mirrored}; ` +
      `proof-only without a mirror: ${s.proofOnly}`,
    `- Theorems with a restating test that ran and passed in the test run: ${s.tested} of ${s.theorems}`,
    `- Test tags tied to a passed test: ${s.passedTags}`,
    `- Distinct conformance vectors naming a declaration: ${s.vectors}`,
    `- Exported to gen/ts/ with a generated artifact: ${s.generated} of ${s.exported}; generated references with a passed differential test: ${s.differential} of ${s.refs}`,
    `- Gaps: ${s.gaps}`,
    "",
  ];
  if (r.gaps.length > 0) {
    out.push("### Gaps", "");
    for (const g of r.gaps) out.push(`- ${link(g.file, g.line)}: ${cell(g.message)}`);
    out.push("");
  }
  if (r.warnings.length > 0) {
    out.push("### Warnings", "");
    for (const w of r.warnings) out.push(`- ${cell(w)}`);
    out.push("");
  }
  for (const m of r.modules) {
    out.push(`## ${m.module}`, "", `Source: [${m.file}](../${m.file})`, "");
    if (m.declarations.length === 0) {
      out.push("No declarations.", "");
      continue;
    }
    out.push("| Name | Kind | TS mirror | Tests | Generated | Differential | Vectors | Status |", "| --- | --- | --- | --- | --- | --- | ---: | --- |");
    for (const d of m.declarations) {
      const mirror = d.mirrors.map((t) => link(t.file, t.line)).join("<br>") || (d.proofOnly ? "proof-only" : "—");
      const tests =
        d.tests.map((t) => link(t.file, t.line) + (t.title === undefined ? "" : ` ${cell(t.title)}`) + (t.outcome === "passed" ? "" : ` (${t.outcome})`)).join("<br>") || "—";
      const generated = d.generated === undefined ? "—" : `${d.generated.role}: ${d.generated.files.map((f) => `[${f}](../${f})`).join("<br>") || "missing"}`;
      const differential = d.differential.map((t) => link(t.file, t.line) + (t.outcome === "passed" ? "" : ` (${t.outcome})`)).join("<br>") || "—";
      out.push(`| [\`${d.name}\`](../${d.file}#L${d.line}) | ${d.kind} | ${mirror} | ${tests} | ${generated} | ${differential} | ${d.vectors} | ${d.status} |`);
    }
    out.push("");
  }
  return out.join("\n");
};

/** spec/traceability.json */
export const renderJson = (r: Report): string => JSON.stringify(r, null, 2) + "\n";

// ---------------------------------------------------------------------------
// Files and main

const walk = (dir: string, ext: string): string[] => {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const p = join(dir, entry);
      return statSync(p).isDirectory() ? walk(p, ext) : p.endsWith(ext) ? [p] : [];
    });
};

const posix = (root: string, p: string) => relative(root, p).split(sep).join("/");

/** Reads the sources under `root` (lean/, src/, test/, gen/vectors/) and the test run's JSON report. */
export const collect = (root: string, resultsFile: string): Inputs => {
  if (!existsSync(resultsFile)) {
    throw new Error(`no test run at ${posix(root, resultsFile)}: run vitest with the JSON reporter first (make test does: vitest run --reporter=default --reporter=json --outputFile.json=${defaultResults})`);
  }
  const read = (p: string) => ({ path: posix(root, p), text: readFileSync(p, "utf8") });
  const leanRoot = "lean";
  return {
    lean: walk(join(root, leanRoot), ".lean").map((p) => ({ ...read(p), leanRoot })),
    src: walk(join(root, "src"), ".ts").map(read),
    test: walk(join(root, "test"), ".ts").map(read),
    vectors: existsSync(join(root, "gen/vectors"))
      ? readdirSync(join(root, "gen/vectors"))
          .filter((f) => f.endsWith(".json"))
          .sort()
          .map((f) => read(join(root, "gen/vectors", f)))
      : [],
    ...(existsSync(join(root, "scripts/gen/exports.txt")) ? { exports: read(join(root, "scripts/gen/exports.txt")) } : {}),
    gen: walk(join(root, "gen/ts"), ".ts").map(read),
    run: parseTestRun(readFileSync(resultsFile, "utf8"), root, posix(root, resultsFile)),
  };
};

export const defaultResults = ".hydrogen/vitest.json";

export const outputs = ["spec/traceability.md", "spec/traceability.json"] as const;

export interface Console {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Returns the exit code: 0 clean, 1 gaps (or, with --check, stale files), 2 bad usage. */
export const main = (argv: ReadonlyArray<string>, root: string, io: Console): number => {
  const resultsAt = argv.indexOf("--results");
  const resultsFile = resultsAt >= 0 ? argv[resultsAt + 1] : defaultResults;
  const unknown = argv.filter((a, i) => a !== "--check" && !(resultsAt >= 0 && (i === resultsAt || i === resultsAt + 1)));
  if (unknown.length > 0 || resultsFile === undefined || resultsFile.startsWith("--")) {
    io.err(`usage: node scripts/report/traceability.ts [--check] [--results VITEST_JSON]  (default ${defaultResults}; ${unknown.length > 0 ? `unknown: ${unknown.join(" ")}` : "--results needs a file"})`);
    return 2;
  }
  const check = argv.includes("--check");
  let report: Report;
  try {
    report = buildReport(collect(root, resolve(root, resultsFile)));
  } catch (e) {
    io.err(`traceability: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  const rendered: Record<(typeof outputs)[number], string> = {
    "spec/traceability.md": renderMarkdown(report),
    "spec/traceability.json": renderJson(report),
  };
  let failed = false;
  if (check) {
    for (const f of outputs) {
      const p = join(root, f);
      const current = existsSync(p) ? readFileSync(p, "utf8") : undefined;
      if (current !== rendered[f]) {
        io.err(`${f}: ${current === undefined ? "missing" : "out of date"} (run node scripts/report/traceability.ts)`);
        failed = true;
      }
    }
  } else {
    for (const f of outputs) {
      mkdirSync(dirname(join(root, f)), { recursive: true });
      writeFileSync(join(root, f), rendered[f]);
    }
    io.out(`wrote ${outputs.join(" and ")}`);
  }
  const s = report.summary;
  io.out(
    `traceability: ${s.declarations} Lean declarations; ${s.mirrored} mirrored, ${s.proofOnly} proof-only; ` +
      `${s.tested}/${s.theorems} theorems with a passed restating test (${s.passedTags} tags tied to passed tests); ${s.vectors} distinct vectors; ` +
      `${s.generated}/${s.exported} exports generated, ${s.differential}/${s.refs} references differentially tested; ${s.gaps} gaps`,
  );
  for (const w of report.warnings) io.err(`warning: ${w}`);
  for (const g of report.gaps) io.err(`${g.file}:${g.line}: ${g.message}`);
  return failed || report.gaps.length > 0 ? 1 : 0;
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
  process.exitCode = main(process.argv.slice(2), root, {
    out: (l) => console.log(l),
    err: (l) => console.error(l),
  });
}
