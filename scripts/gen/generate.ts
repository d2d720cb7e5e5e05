// `make gen`: TypeScript generated from Lean. For each definition listed in
// scripts/gen/exports.txt, Lean itself shows its elaborated form (`#print`,
// `#check` of an inductive's recursor, `#reduce` of a constant) from a file
// under .hydrogen/gen/ that imports the compiled modules; translate.ts and
// emit.ts turn that into gen/ts/<Area>/<Topic>.ts. `--check` fails when
// gen/ts/ differs from what would be written. Needs the compiled modules
// (`node scripts/lean/build.ts`; `make gen` runs it first).
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { runLeanProcess } from "../lean/process.ts"
import { setup } from "../lean/setup.ts"
import { withBuildLock } from "../lean/build.ts"
import { emitAll } from "./emit.ts"
import { GenError, parseExports, splitOutput, type Export } from "./translate.ts"

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, "../..")
const outDir = join(root, "gen/ts")
const work = join(root, ".hydrogen/gen")

/** The Lean file whose output the generator reads. */
export function leanSource(exports: ReadonlyArray<Export>): string {
  const lines = [...new Set(exports.map((e) => e.module))].sort().map((m) => `import ${m}`)
  lines.push("")
  for (const e of exports) {
    lines.push(`#print "HGEN print ${e.name}"`, `#print ${e.name}`)
    if (e.role === "type") lines.push(`#print "HGEN rec ${e.name}"`, `#check ${e.name}.rec`)
    if (e.role === "const") lines.push(`#print "HGEN reduce ${e.name}"`, `#reduce ${e.name}`)
    if (e.role === "ref") lines.push(`#print "HGEN eqdef ${e.name}"`, `#check @${e.name}.eq_def`)
  }
  lines.push(`#print "HGEN end"`, "")
  return lines.join("\n")
}

function leanFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e)
    return statSync(p).isDirectory() ? leanFiles(p) : p.endsWith(".lean") ? [p] : []
  }).sort()
}

/** Lean's output for the exports; reused while lean/, the exports and the toolchain are unchanged. */
async function leanOutput(exports: ReadonlyArray<Export>): Promise<string> {
  const { leanJs, libDir } = setup(() => {})
  const src = leanSource(exports)
  const key = createHash("sha256").update(src).update(readFileSync(join(libDir, "../stamp.json")))
  for (const f of leanFiles(join(root, "lean"))) key.update(relative(root, f)).update(readFileSync(f))
  const digest = key.digest("hex")
  const cache = join(work, "out.txt")
  if (existsSync(cache + ".key") && readFileSync(cache + ".key", "utf8") === digest) return readFileSync(cache, "utf8")
  mkdirSync(work, { recursive: true })
  writeFileSync(join(work, "Gen.lean"), src)
  const { code, text } = await withBuildLock(() =>
    runLeanProcess({ leanJs, libDir, args: ["Gen.lean"], cwd: work, buildDir: join(root, ".hydrogen/build/lean"), mounts: root }))
  const errors = text.split("\n").filter((l) => /^Gen\.lean:\d+:\d+: error/.test(l) || /^(Uncaught |RuntimeError|Aborted\()/.test(l))
  if (code !== 0 || errors.length > 0) {
    throw new GenError(`Lean failed on the generator's file (exit ${code}):\n  ${(errors.length ? errors : text.split("\n").filter((l) => !l.startsWith("[DEBUG")).slice(-10)).join("\n  ")}\n(are the modules built? run node scripts/lean/build.ts)`)
  }
  writeFileSync(cache, text)
  writeFileSync(cache + ".key", digest)
  return text
}

/** Everything gen/ts/ should hold. */
export async function generate(): Promise<Map<string, string>> {
  const exports = parseExports(readFileSync(join(here, "exports.txt"), "utf8"))
  const files = emitAll(exports, splitOutput(await leanOutput(exports)))
  files.set("Runtime.ts", readFileSync(join(here, "Runtime.template.ts"), "utf8"))
  return files
}

function existing(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e)
    return statSync(p).isDirectory() ? existing(p) : [relative(outDir, p)]
  })
}

export async function main(argv: ReadonlyArray<string>): Promise<number> {
  if (argv.includes("--help")) {
    console.log("usage: node scripts/gen/generate.ts [--check]\n  Writes gen/ts/ from Lean's view of the definitions in scripts/gen/exports.txt; --check fails if gen/ts/ differs.")
    return 0
  }
  const unknown = argv.filter((a) => a !== "--check")
  if (unknown.length > 0) { console.error(`error: unknown argument ${unknown[0]} (expected --check or --help)`); return 2 }
  const files = await generate()
  const have = existing(outDir)
  if (argv.includes("--check")) {
    const diffs = [
      ...[...files].filter(([p, t]) => !existsSync(join(outDir, p)) || readFileSync(join(outDir, p), "utf8") !== t).map(([p]) => `differs or missing: gen/ts/${p}`),
      ...have.filter((p) => !files.has(p)).map((p) => `not generated: gen/ts/${p}`),
    ]
    if (diffs.length > 0) {
      console.error(`gen: gen/ts/ is stale (run make gen):\n  ${diffs.join("\n  ")}`)
      return 1
    }
    console.log(`gen: gen/ts/ matches Lean (${files.size} files)`)
    return 0
  }
  for (const p of have) if (!files.has(p)) rmSync(join(outDir, p))
  for (const [p, t] of files) { mkdirSync(dirname(join(outDir, p)), { recursive: true }); writeFileSync(join(outDir, p), t) }
  console.log(`gen: wrote ${files.size} files under gen/ts/`)
  return 0
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((c) => process.exit(c), (e: unknown) => {
    console.error(`error: ${(e as Error).message}`)
    process.exit(1)
  })
}
