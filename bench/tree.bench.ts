/**
 * Benchmark: the coordinator tree end to end (agents update → summaries up →
 * the root's global aggregate), in three deployments on the same seeded data:
 *
 *   embedded     in-process bus, one client per level shared by its coordinators (runTree)
 *   nats-single  one process, one NATS connection per coordinator (runTree);
 *                only trees of at most 1,200 coordinators (connections)
 *   nats-multi   agents + local coordinators in this process, every upper
 *                level in its own OS process, all over NATS (runTreeMultiProcess)
 *
 *   node bench/tree.bench.ts [--max-agents 1000000] [--rounds R] [--quick]
 *
 * For n = 10^3 … max-agents (powers of 10) and k = 10, 100, 1000 it prints:
 * agent summaries aggregated per second, messages per round against the
 * proved bound (`Hydrogen.Scale.messagesPerRound_bound`), the global round
 * latency against the number of coordinator levels, how cost grows with n,
 * resident memory per simulated agent (an AgentPool of 10^6 agents, and whole
 * runs) against the 100 bytes/agent target, and whether the global aggregate
 * of 10^6 agents is refreshed at least once per second over NATS. Defaults:
 * max-agents 10^6, 3 rounds; --quick: max-agents 10^5, 2 rounds, no
 * nats-single. Timings are reported, never asserted; the exit code is
 * non-zero only if some round's global aggregate differs from the direct fold.
 */
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { makeInProcessServer } from "../src/Net/InProcess.ts"
import { connectNats } from "../src/Net/Nats.ts"
import { startNatsServer } from "../src/Net/NatsServer.ts"
import { coordinatorLevels, messageBound, totalCoordinators } from "../src/Scale/Communication.ts"
import { AgentPool } from "../src/Tree/Agents.ts"
import { runTreeMultiProcess } from "../src/Tree/Process.ts"
import { runTree } from "../src/Tree/Runner.ts"
import { foldValues, type Summary, summaryEquals } from "../src/Tree/Summary.ts"

const argValue = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name)
  if (i < 0) return dflt
  const v = Number(process.argv[i + 1])
  if (!Number.isSafeInteger(v) || v < 1) {
    console.error(`${name} expects a positive integer, got ${process.argv[i + 1]}`)
    process.exit(2)
  }
  return v
}
// `--measure-rss MODE N K`: one run in a fresh process (so earlier runs' heap does not blur the figure);
// prints {"baseline":MiB,"peak":MiB,"children":MiB} and exits. Spawned by the main run below.
const measureAt = process.argv.indexOf("--measure-rss")
if (measureAt >= 0) {
  const [mode, nText, kText] = process.argv.slice(measureAt + 1, measureAt + 4)
  const n = Number(nText)
  const k = Number(kText)
  gc()
  const baseline = process.memoryUsage().rss / 2 ** 20
  let peak = baseline
  let children = 0
  let childCount = 0
  const sample = (pids: ReadonlyArray<number> = []): void => {
    gc() // live memory, not garbage waiting for a collection (the main run passes --expose-gc)
    peak = Math.max(peak, process.memoryUsage().rss / 2 ** 20)
    children = Math.max(children, pids.reduce((s, p) => s + childRssMiB(p), 0))
    childCount = pids.length
  }
  let exact = false
  if (mode === "embedded") {
    const bus = makeInProcessServer()
    const r = await runTree({ agents: n, branching: k, rounds: 2, seed: 1, connect: (name) => bus.connect(name), clients: "level", onStatus: () => sample() })
    exact = r.allExact
  } else {
    const srv = await startNatsServer({ jetstream: false })
    try {
      const pids: number[] = []
      const r = await runTreeMultiProcess({
        agents: n,
        branching: k,
        rounds: 2,
        seed: 1,
        servers: srv.url,
        ...(process.argv.includes("--v8-default") ? { nodeFlags: [] } : {}),
        onSpawn: (_, pid) => pids.push(pid),
        onRound: () => sample(pids),
      })
      exact = r.allExact
    } finally {
      await srv.stop()
    }
  }
  process.stdout.write(JSON.stringify({ baseline, peak, children, processes: childCount, exact }) + "\n")
  process.exit(exact ? 0 : 1)
}

const quick = process.argv.includes("--quick")
const maxAgents = argValue("--max-agents", quick ? 100_000 : 1_000_000)
const rounds = argValue("--rounds", quick ? 2 : 3)
const seed = 0x5eed
const maxSingleConnections = 1_200
const targetBytesPerAgent = 100

type Mode = "embedded" | "nats-single" | "nats-multi"
interface Row {
  readonly mode: Mode
  readonly n: number
  readonly k: number
  readonly L: number
  readonly coordinators: number
  readonly exact: boolean
  readonly M: number
  readonly boundLhs: bigint // (k−1)·M counted
  readonly boundRhs: bigint // n·k + (k−1)·(L−1) − 1
  readonly publishes: number
  readonly p50: number
  readonly p95: number
  readonly roundMs: number
  readonly agentsPerSec: number
  readonly setupMs: number
  readonly processes: number
}
const rows: Row[] = []
const notes: string[] = []
let inexact = 0

const rssMiB = (): number => process.memoryUsage().rss / 2 ** 20
function gc(): void {
  ;(globalThis as { gc?: () => void }).gc?.()
}
function childRssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
    return m === null ? 0 : Number(m[1]) / 1024
  } catch {
    return 0
  }
}

/** The direct fold of every agent's value in `round`, from a fresh pool (independent of the run). */
const reference = (n: number, round: number): Summary => {
  const p = new AgentPool(n, seed)
  p.update(round)
  return foldValues(p.values)
}

const fmt = (x: number | bigint): string => x.toLocaleString("en-US")
const f1 = (x: number): string => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0))
const sci = (x: number): string => (x >= 1e4 ? x.toExponential(2) : x.toFixed(0))

// ---------------------------------------------------------------------------
// Memory: an AgentPool of 10^6 agents

gc()
const rss0 = rssMiB()
const pool = new AgentPool(1_000_000, seed)
pool.update(1) // touch every page
const poolBytesPerAgent = ((rssMiB() - rss0) * 2 ** 20) / 1_000_000
const poolCheck = foldValues(pool.values).count === 1_000_000

console.log(`tree bench: n = 10^3..${fmt(maxAgents)}, k = 10/100/1000, ${rounds} rounds each, seed ${seed}, node ${process.version}, ${quick ? "quick" : "default"} run`)

const server = await startNatsServer({ jetstream: false })
const memory: string[] = []
let refresh: string[] = []
try {
  const ns: number[] = []
  for (let n = 1000; n <= maxAgents; n *= 10) ns.push(n)
  for (const n of ns) {
    for (const k of [10, 100, 1000]) {
      const L = coordinatorLevels(n, k)
      const S = totalCoordinators(n, k)
      const bound = messageBound(n, k)
      const check = async (mode: Mode, r: {
        allExact: boolean
        maxAggregationMessages: number
        meanMessagesPerRound: number
        meanBusPublishesPerRound: number
        latencyP50Ms: number
        latencyP95Ms: number
        agentsPerSecond: number
        setupMs: number
        rounds: ReadonlyArray<{ readonly round: number; readonly aggregate: Summary; readonly roundMs: number }>
      }, processes: number): Promise<void> => {
        const last = r.rounds[r.rounds.length - 1]!
        const exact = r.allExact && summaryEquals(last.aggregate, reference(n, last.round))
        if (!exact) inexact++
        const M = BigInt(r.maxAggregationMessages)
        rows.push({
          mode, n, k, L, coordinators: S, exact,
          M: r.maxAggregationMessages,
          boundLhs: (BigInt(k) - 1n) * M,
          boundRhs: bound.rhs,
          publishes: r.meanBusPublishesPerRound,
          p50: r.latencyP50Ms,
          p95: r.latencyP95Ms,
          roundMs: r.rounds.reduce((s, x) => s + x.roundMs, 0) / r.rounds.length,
          agentsPerSec: r.agentsPerSecond,
          setupMs: r.setupMs,
          processes,
        })
      }

      // embedded
      {
        const bus = makeInProcessServer()
        const r = await runTree({ agents: n, branching: k, rounds, seed, connect: (name) => bus.connect(name), clients: "level" })
        await check("embedded", r, 1)
      }

      // nats-single
      if (quick) {
        if (n === ns[0] && k === 10) notes.push("nats-single skipped in --quick runs")
      } else if (S > maxSingleConnections) {
        notes.push(`nats-single n=${fmt(n)} k=${k}: skipped, ${fmt(S)} coordinators would need ${fmt(S)} connections (cap ${fmt(maxSingleConnections)})`)
      } else {
        const r = await runTree({ agents: n, branching: k, rounds, seed, connect: (name) => connectNats({ servers: server.url, name }) })
        await check("nats-single", r, 1)
      }

      // nats-multi
      if (L < 2) {
        notes.push(`nats-multi n=${fmt(n)} k=${k}: not applicable, the tree has no level above the local one (L = ${L})`)
      } else {
        const r = await runTreeMultiProcess({ agents: n, branching: k, rounds, seed, servers: server.url, prefix: `b${n}k${k}` })
        await check("nats-multi", r, 1 + r.processes.length)
      }
      process.stdout.write(".")
    }
  }
  process.stdout.write("\n")
} finally {
  await server.stop()
}

// Whole runs of 10^6 agents, each in a fresh process (RSS of earlier runs would blur the figure), under two
// V8 settings: semi-spaces of at most 4 MiB, a small young generation (`--max-semi-space-size=4`, also the coordinator processes' default,
// `childNodeFlags`) and V8's defaults. Per agent counts what the run adds: the measuring process's RSS
// growth, plus for nats-multi each coordinator process's RSS beyond an idle Node process that loaded the
// same modules (measured below the same way), since a process's fixed cost does not grow with agents.
const self = fileURLToPath(import.meta.url)
const idleChildMiB = (flags: ReadonlyArray<string>): number => {
  const processTs = fileURLToPath(new URL("../src/Tree/Process.ts", import.meta.url))
  const code = `await import(${JSON.stringify(processTs)}); globalThis.gc(); await new Promise((r) => setTimeout(r, 200)); globalThis.gc(); process.stdout.write(String(process.memoryUsage().rss / 2 ** 20))`
  const out = spawnSync(process.execPath, ["--expose-gc", ...flags, "--input-type=module", "-e", code], { encoding: "utf8", timeout: 60_000 })
  return Number(out.stdout.trim())
}
if (maxAgents >= 1_000_000) {
  for (const [setting, flags] of [["semi-spaces ≤ 4 MiB", ["--max-semi-space-size=4"]], ["V8 defaults", []]] as const) {
    const idle = idleChildMiB(flags)
    memory.push(`  ${setting} (an idle Node process with the coordinator modules loaded: ${f1(idle)} MiB)`)
    for (const mode of ["embedded", "nats-multi"] as const) {
      for (const k of [10, 100, 1000]) {
        const args = ["--expose-gc", ...flags, self, "--measure-rss", mode, "1000000", String(k), ...(flags.length === 0 ? ["--v8-default"] : [])]
        const out = spawnSync(process.execPath, args, { encoding: "utf8", timeout: 240_000 })
        const line = out.stdout.trim().split("\n").pop() ?? ""
        try {
          const m = JSON.parse(line) as { baseline: number; peak: number; children: number; processes: number; exact: boolean }
          if (!m.exact) inexact++
          const own = m.peak - m.baseline
          const childGrowth = Math.max(0, m.children - m.processes * idle)
          const total = own + childGrowth
          const perAgent = (mib: number): string => f1((mib * 2 ** 20) / 1_000_000)
          const S = totalCoordinators(1_000_000, k)
          memory.push(
            `    ${mode.padEnd(10)} n = 10^6, k = ${String(k).padEnd(4)} (${fmt(S).padStart(7)} coordinators): ${perAgent(total)} B/agent ` +
              `(${(total * 2 ** 20) / 1_000_000 <= targetBytesPerAgent ? "within" : "OVER"} target): this process +${f1(own)} MiB` +
              (mode === "nats-multi" ? `, ${m.processes} coordinator processes ${f1(m.children)} MiB = ${f1(m.processes * idle)} idle + ${f1(childGrowth)} grown` : "") +
              `; whole run ${perAgent(m.peak + m.children)} B/agent`,
          )
        } catch {
          memory.push(`    ${mode} n = 10^6, k = ${k}: measurement failed (exit ${String(out.status)}): ${(out.stderr ?? "").trim().slice(-300)}`)
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Report

const pad = (s: string, w: number, left = false): string => (left ? s.padEnd(w) : s.padStart(w))
const header = ["mode", "n", "k", "L", "coord", "procs", "M/round", "(k−1)M ≤ bound", "pub/round", "bus msg/s", "lat p50", "lat p95", "round ms", "agents/s", "setup ms", "exact"]
const widths = [11, 9, 5, 2, 7, 5, 9, 28, 9, 9, 8, 8, 8, 9, 8, 5]
const line = (cells: ReadonlyArray<string>): string => cells.map((c, i) => pad(c, widths[i]!, i === 0)).join(" | ")
console.log("\nEnd to end, per deployment (latency: agents' update → root aggregate, ms; round: Down broadcast → root aggregate, ms)")
console.log(line(header))
console.log(widths.map((w) => "-".repeat(w)).join("-|-"))
for (const r of rows) {
  console.log(
    line([
      r.mode, fmt(r.n), String(r.k), String(r.L), fmt(r.coordinators), String(r.processes), fmt(r.M),
      `${sci(Number(r.boundLhs))} ≤ ${sci(Number(r.boundRhs))} ${r.boundLhs <= r.boundRhs ? "ok" : "NO"}`,
      fmt(Math.round(r.publishes)), sci(r.roundMs > 0 ? (r.publishes / r.roundMs) * 1000 : 0), f1(r.p50), f1(r.p95), f1(r.roundMs), sci(r.agentsPerSec), f1(r.setupMs), r.exact ? "yes" : "NO",
    ]),
  )
}
for (const note of notes) console.log(`  note: ${note}`)

console.log("\nGlobal round latency (p50, ms) against coordinator levels L")
for (const mode of ["embedded", "nats-single", "nats-multi"] as const) {
  const byL = new Map<number, Row[]>()
  for (const r of rows.filter((x) => x.mode === mode)) byL.set(r.L, [...(byL.get(r.L) ?? []), r])
  const parts = [...byL.entries()].sort((a, b) => a[0] - b[0]).map(([L, rs]) => `L=${L}: ${rs.map((r) => `${f1(r.p50)} (n=${sci(r.n)},k=${r.k})`).join(", ")}`)
  if (parts.length > 0) console.log(`  ${mode.padEnd(11)} ${parts.join(" | ")}`)
}

console.log("\nCost growth with n (round ms per 10^3 agents; ×: ratio of round time when n grows 10×)")
for (const mode of ["embedded", "nats-single", "nats-multi"] as const) {
  for (const k of [10, 100, 1000]) {
    const rs = rows.filter((x) => x.mode === mode && x.k === k).sort((a, b) => a.n - b.n)
    if (rs.length < 2) continue
    const cells = rs.map((r, i) => `n=${sci(r.n)} ${((r.roundMs / r.n) * 1000).toFixed(3)}${i === 0 ? "" : ` (×${(r.roundMs / rs[i - 1]!.roundMs).toFixed(1)})`}`)
    console.log(`  ${mode.padEnd(11)} k=${String(k).padEnd(4)} ${cells.join(", ")}`)
  }
}

console.log(`\nResident memory per simulated agent (target ≤ ${targetBytesPerAgent} B/agent)`)
console.log(`  AgentPool of 10^6 agents (Float64 value + Uint32 version): +${f1(poolBytesPerAgent * 1e6 / 2 ** 20)} MiB RSS = ${f1(poolBytesPerAgent)} B/agent: ${poolBytesPerAgent <= targetBytesPerAgent ? "within" : "OVER"} target${poolCheck ? "" : " (pool check failed)"}`)
for (const m of memory) console.log(m)
if (memory.length === 0) console.log("  (whole-run figures need --max-agents 1000000)")

console.log("\nIs the global aggregate of 10^6 agents refreshed at least once per second over NATS? (driven rounds back to back: Down → update → aggregate)")
refresh = rows
  .filter((r) => r.n === 1_000_000 && r.mode !== "embedded")
  .map((r) => `  ${r.mode.padEnd(11)} k=${String(r.k).padEnd(4)} round ${f1(r.roundMs)} ms → ${(1000 / r.roundMs).toFixed(2)} refreshes/s: ${r.roundMs <= 1000 ? "yes" : "no"}`)
for (const x of refresh) console.log(x)
if (refresh.length === 0) console.log("  (needs --max-agents 1000000)")

const exactRows = rows.filter((r) => r.exact).length
console.log(`\nExactness: ${exactRows}/${rows.length} runs had every round's global aggregate equal to the direct fold (last round re-checked against an independent fold)`)
if (inexact > 0) {
  console.error(`${inexact} run(s) were not exact`)
  process.exit(1)
}
