// Reads Stryker's mutation-testing-report JSON files (one per area run) and
// writes the kept summary: score, per-file status counts, and every surviving
// or uncovered mutant. A file in several reports is taken from the newest.
// Usage: node scripts/mutation/summary.ts <out.txt> <report.json>...
import { readFileSync, statSync, writeFileSync } from "node:fs"

interface Mutant {
  readonly mutatorName: string
  readonly replacement?: string
  readonly status: string
  readonly statusReason?: string
  readonly location: { readonly start: { readonly line: number; readonly column: number } }
}
interface FileResult {
  readonly mutants: ReadonlyArray<Mutant>
}

const [output, ...inputs] = process.argv.slice(2)
if (output === undefined || inputs.length === 0) {
  console.error("usage: node scripts/mutation/summary.ts <out.txt> <report.json>...")
  process.exit(2)
}
const files = new Map<string, { readonly result: FileResult; readonly report: string; readonly mtime: number }>()
for (const input of inputs) {
  const parsed: unknown = JSON.parse(readFileSync(input, "utf8"))
  const fs = (parsed as { files?: unknown } | null)?.files
  if (typeof fs !== "object" || fs === null) {
    console.error(`${input}: not a mutation-testing report (no "files" object)`)
    process.exit(2)
  }
  const mtime = statSync(input).mtimeMs
  for (const [file, result] of Object.entries(fs as Record<string, FileResult>)) {
    const prev = files.get(file)
    if (prev === undefined || prev.mtime < mtime) files.set(file, { result, report: input, mtime })
  }
}
const kinds = ["Killed", "Survived", "Timeout", "NoCoverage", "RuntimeError", "CompileError", "Ignored"] as const
const total = Object.fromEntries(kinds.map((k) => [k, 0])) as Record<string, number>
const rows: string[] = []
const survivors: string[] = []
const disabled: string[] = []
const areaTotals = new Map<string, Record<string, number>>()
const pad = (s: string | number, n: number) => String(s).padStart(n)

for (const [file, { result: { mutants } }] of [...files.entries()].sort(([a], [b]) => a.localeCompare(b))) {
  const c = Object.fromEntries(kinds.map((k) => [k, 0])) as Record<string, number>
  for (const m of mutants) {
    c[m.status] = (c[m.status] ?? 0) + 1
    total[m.status] = (total[m.status] ?? 0) + 1
    const area = file.split("/").slice(0, 2).join("/")
    const a = areaTotals.get(area) ?? {}
    a[m.status] = (a[m.status] ?? 0) + 1
    areaTotals.set(area, a)
    // Ignored by a `Stryker disable` comment: list it with the comment's reason (static mutants are ignored by config).
    if (m.status === "Ignored" && m.statusReason !== undefined && !m.statusReason.startsWith("Static mutant")) {
      disabled.push(`${file}:${m.location.start.line}:${m.location.start.column}  ${m.mutatorName}  ${m.statusReason.replace(/\s+/g, " ")}`)
    }
    if (m.status === "Survived" || m.status === "NoCoverage") {
      const at = `${file}:${m.location.start.line}:${m.location.start.column}`
      survivors.push(`${m.status.padEnd(10)} ${at}  ${m.mutatorName}  ${(m.replacement ?? "").replace(/\s+/g, " ").slice(0, 80)}`)
    }
  }
  rows.push(`${file.padEnd(34)}${kinds.map((k) => pad(c[k] ?? 0, 11)).join("")}${pad(score(c), 9)}`)
}

function score(c: Record<string, number>): string {
  // Stryker's definition: (killed + timeout) / (all valid mutants, ignored excluded).
  const detected = (c.Killed ?? 0) + (c.Timeout ?? 0)
  const valid = detected + (c.Survived ?? 0) + (c.NoCoverage ?? 0)
  return valid === 0 ? "n/a" : `${((100 * detected) / valid).toFixed(2)}%`
}

const header = `${"file".padEnd(34)}${kinds.map((k) => pad(k, 11)).join("")}${pad("score", 9)}`
// An incremental file read directly is what an interrupted run saved: only the mutants it reached.
const partial = (f: string): string => (/incremental-[^/]*\.json$/.test(f) ? ", PARTIAL: interrupted run, untested mutants absent" : "")
const reports = [...new Set([...files.values()].map((f) => `${f.report} (${new Date(f.mtime).toISOString()}${partial(f.report)})`))]
const text = [
  `Reports: ${reports.join(", ")}`,
  `Mutation score (StrykerJS, killed+timeout over killed+timeout+survived+no-coverage): ${score(total)}`,
  "",
  header,
  ...rows,
  `${"TOTAL".padEnd(34)}${kinds.map((k) => pad(total[k] ?? 0, 11)).join("")}${pad(score(total), 9)}`,
  "",
  "Per area:",
  ...[...areaTotals.entries()].sort(([a], [b]) => a.localeCompare(b)).map(
    ([area, c]) => `${area.padEnd(34)}${kinds.map((k) => pad(c[k] ?? 0, 11)).join("")}${pad(score(c), 9)}`,
  ),
  "",
  `Survivors and uncovered mutants (${survivors.length}):`,
  ...survivors,
  "",
  `Disabled by a comment in the source, with its reason (${disabled.length}):`,
  ...disabled,
  "",
].join("\n")
writeFileSync(output, text)
console.log(text.split("\n").slice(0, 4).join("\n"))
