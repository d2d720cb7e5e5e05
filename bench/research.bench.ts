/**
 * Benchmark: a research mission over the project's own repository (a copy of
 * src/ and README.md), through the `hydrogen research` command line run
 * in-process, with 10 researchers of whom 3, then 4, collude on one false
 * claim (f = 3, q = 7), each both with worker isolation (a thread per
 * researcher per round, the default) and with in-process fibers; 3 that
 * busy-loop forever (worker isolation only: it terminates them at
 * --timeout-ms); then 4 with --faults 4, which the CLI refuses
 * (quorum impossible: n < 3f+1), and the same setting handed to the protocol
 * directly (src/Research/Protocol.ts), which must say so rather than agree.
 * Last, the exact binomial tail against float64 by bench/quorum-tail.bench.ts.
 *
 *   node bench/research.bench.ts [--reps R]
 *
 * The scenarios alternate rep by rep so machine load hits them alike; the
 * worker / in-process ratio is taken per rep, then its median.
 * Timings are reported, never asserted; exits non-zero only if an outcome is
 * wrong (not HIGH on the README line with 3 colluders, HIGH at all with 4,
 * or a consensus without a quorum).
 */
import { execFileSync } from "node:child_process"
import { cpSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { spiral } from "../src/Research/Protocol.ts"
import { byzantine, corpusResearcher } from "../src/Research/Researcher.ts"
import { runMain } from "../test/Cli/run.ts"

const repsArg = process.argv.indexOf("--reps")
const reps = repsArg < 0 ? 3 : Number(process.argv[repsArg + 1])
if (!Number.isSafeInteger(reps) || reps < 1) {
  console.error(`--reps expects a positive integer, got ${process.argv[repsArg + 1]}`)
  process.exit(2)
}

const repo = join(import.meta.dirname, "..")
const work = mkdtempSync(join(tmpdir(), "hydrogen-research-bench-"))
const corpus = join(work, "corpus")
cpSync(join(repo, "src"), join(corpus, "src"), { recursive: true })
cpSync(join(repo, "README.md"), join(corpus, "README.md"))

// Its answer is README.md line 3 ("Verified coordination for very large agent populations. …").
const question = "Which project gives verified coordination for very large agent populations?"
const expected = "verified coordination for very large agent populations"
const lie = "hydrogen coordinates nothing"

const scenarios = [
  { name: "3 Byzantine (collude), f = 3, worker isolation", byz: 3, extra: [] as string[] },
  { name: "3 Byzantine (collude), f = 3, in-process", byz: 3, extra: ["--isolation", "in-process"] },
  { name: "4 Byzantine (collude), f = 3, worker isolation", byz: 4, extra: [] as string[] },
  { name: "4 Byzantine (collude), f = 3, in-process", byz: 4, extra: ["--isolation", "in-process"] },
  { name: "3 Byzantine (loop forever), f = 3, worker isolation, --timeout-ms 5000", byz: 3, extra: ["--byzantine-mode", "loop", "--timeout-ms", "5000"] },
  { name: "4 Byzantine, --faults 4", byz: 4, extra: ["--faults", "4"] },
]
/** Pairs whose per-rep wall-time ratio is reported (worker / in-process). */
const pairs = [[0, 1], [2, 3]] as const

const field = (out: string, re: RegExp): string => re.exec(out)?.[1] ?? "?"
// cpu: user + system CPU time of this process (all its threads, workers included) — less load-sensitive than wall time.
const results = scenarios.map(() => ({ ms: [] as number[], cpu: [] as number[], out: "", err: "", code: -1 }))
const load = (): string => execFileSync("uptime", { encoding: "utf8" }).trim()

console.log(`research mission over a copy of src/ and README.md (${execFileSync("find", [corpus, "-type", "f"], { encoding: "utf8" }).trim().split("\n").length} files)`)
console.log(`question: ${JSON.stringify(question)}; lie: ${JSON.stringify(lie)}; 10 researchers, ${reps} reps interleaved`)
console.log(`load before: ${load()}`)
for (let r = 0; r < reps; r++) {
  for (const [i, s] of scenarios.entries()) {
    const t0 = performance.now()
    const c0 = process.cpuUsage()
    const run = await runMain(["research", "--corpus", corpus, "--question", question, "--byzantine", String(s.byz), "--lie", lie, "--seed", String(r + 1), "--max-rounds", "3", "--out", join(work, `out-${i}-${r}`), ...s.extra])
    results[i]!.ms.push(performance.now() - t0)
    const c = process.cpuUsage(c0)
    results[i]!.cpu.push((c.user + c.system) / 1000)
    Object.assign(results[i]!, { out: run.out, err: run.err, code: run.code })
  }
}
let bad = false
for (const [i, s] of scenarios.entries()) {
  const { ms, cpu, out, err, code } = results[i]!
  const sorted = [...ms].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)]!
  const consensus = field(out, /^consensus: (.*)$/m)
  const agreed = field(out, /^agreed claim: (.*)$/m)
  const cpuMedian = [...cpu].sort((a, b) => a - b)[Math.floor(cpu.length / 2)]!
  console.log(`\n${s.name}: exit ${code}, wall median ${median.toFixed(0)} ms (min ${sorted[0]!.toFixed(0)}, max ${sorted[sorted.length - 1]!.toFixed(0)}), CPU median ${cpuMedian.toFixed(0)} ms`)
  if (code === 0) {
    console.log(`  ${field(out, /^(quorum: .*)$/m)}`)
    console.log(`  consensus ${consensus}; agreed ${agreed}; rounds ${field(out, /^rounds: (.*)$/m)}; tool calls ${field(out, /^tool calls: (.*)$/m)} (last rep)`)
    const why = field(out, /^why: (.*)$/m)
    if (why !== "?") console.log(`  why: ${why}`)
  } else console.log(`  refused: ${err.trim().split("\n")[0]}`)
  if (s.byz === 3 && !(consensus === "HIGH" && agreed.includes(expected))) bad = true
  if (s.byz === 4 && code === 0 && (consensus.startsWith("HIGH") || agreed !== "none")) bad = true
  if (s.extra.includes("--faults") && !(code === 2 && err.includes("quorum impossible: n < 3f+1"))) bad = true
  // Each round's outcome counts and who did not answer (last rep): a timeout under load shows here.
  for (const line of out.split("\n").filter((l) => l.startsWith("round ") || /^ {2}r\d+ (timed out|crashed|malformed)/.test(l))) console.log(`  ${line.replace(/; leading claim.*$/, "")}`)
  if (s.extra.includes("loop") && !out.includes("timed out 3, crashed 0")) bad = true
}
for (const [w, p] of pairs) {
  const ratio = (k: "ms" | "cpu") => results[w]![k].map((x, r) => x / results[p]![k][r]!).sort((a, b) => a - b)
  const show = (xs: number[]) => `${xs.map((x) => x.toFixed(2)).join(", ")}; median ${xs[Math.floor(xs.length / 2)]!.toFixed(2)}×`
  console.log(`\n${scenarios[w]!.name.replace(", worker isolation", "")}: worker / in-process per rep: wall ${show(ratio("ms"))}; CPU ${show(ratio("cpu"))}`)
}

// The protocol itself with f = 4 for n = 10: no quorum exists, so it must stop at LOW and say why.
const roster = Array.from({ length: 10 }, (_, i) => (i < 4 ? byzantine.colludes(`b${i}`, lie) : corpusResearcher(`h${i}`)))
const m = await Effect.runPromise(spiral(roster, question, { root: corpus, f: 4, timeoutMs: 30_000, maxRounds: 3 }))
console.log(`\nprotocol directly, n = 10, f = 4: level ${m.level.toUpperCase()}, converged ${m.converged}, rounds ${m.rounds.length}; ${m.divergence?.reason ?? "?"}`)
if (m.converged || m.level !== "low" || m.rounds.length !== 1) bad = true

console.log(`load after: ${load()}`)
rmSync(work, { recursive: true, force: true })

console.log("\nexact binomial tail vs float64: node bench/quorum-tail.bench.ts --cases 50 --rounds 3")
try {
  process.stdout.write(execFileSync(process.execPath, [join(repo, "bench", "quorum-tail.bench.ts"), "--cases", "50", "--rounds", "3"], { encoding: "utf8" }))
} catch (e) {
  console.log(`quorum-tail bench failed: ${(e as { stdout?: string }).stdout ?? String(e)}`)
  bad = true
}
if (bad) {
  console.log("\nOUTCOME WRONG (see above)")
  process.exitCode = 1
}
