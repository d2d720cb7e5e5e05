/**
 * Benchmark: the MESH-30K simulation (src/Mesh/Sim*.ts).
 *
 * 1. Arrival-time scheduling versus naive broadcast (send everything now) on
 *    the same simulated mesh (virtual clock, same seed, same failures):
 *    arrival spread (p95 − p5 of ready times, median over the mesh-wide
 *    scatter-gathers) and window hit rate for each; target ≥ 5× narrower.
 *    The two strategies alternate seed by seed.
 * 2. The mesh on the wall clock over a nats-server started on loopback, the
 *    agents in host processes: cascade p95 (target ≤ 1,000 ms), messages/s
 *    on the bus (seed's design capacity 100,000/s), memory per agent; at each
 *    size in --live (default 3,000 and 30,000), then a stress run with a
 *    cascade every 500 ms at the largest size.
 *
 *   node bench/mesh.bench.ts [--agents N] [--seeds K] [--live N,N] [--duration S] [--smoke]
 *
 * --smoke: 3,000 agents, one seed, one 5 s live run at 600 agents. Timings are
 * reported, never asserted; exits non-zero only if a run fails.
 */
import { execSync } from "node:child_process"
import { Effect } from "effect"
import { quantile } from "../src/Mesh/SimKpi.ts"
import { type LiveReport, runLive } from "../src/Mesh/SimLive.ts"
import { runVirtual, type SimReport } from "../src/Mesh/SimRun.ts"
import { defaultScenario, formatFailures, seedFailures } from "../src/Mesh/SimScenario.ts"
import type { MeshShape } from "../src/Mesh/Topology.ts"

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name)
  return i < 0 ? undefined : process.argv[i + 1]
}
const smoke = process.argv.includes("--smoke")
const int = (name: string, fallback: number): number => {
  const v = arg(name)
  const n = v === undefined ? fallback : Number(v)
  if (!Number.isSafeInteger(n) || n < 1) {
    console.error(`${name} expects a positive integer, got ${v}`)
    process.exit(2)
  }
  return n
}
const agents = int("--agents", smoke ? 3_000 : 30_000)
const seeds = int("--seeds", smoke ? 1 : 3)
const durationS = int("--duration", smoke ? 5 : 20)
const live = (arg("--live") ?? (smoke ? "600" : "3000,30000")).split(",").map(Number)

/** 30 agents per cluster, 10 clusters per sector (the seed's), as many sectors as `n` needs. */
const shapeOf = (n: number): MeshShape => {
  if (n % 300 === 0) return { sectors: n / 300, clustersPerSector: 10, agentsPerCluster: 30 }
  if (n % 120 === 0) return { sectors: n / 120, clustersPerSector: 4, agentsPerCluster: 30 }
  console.error(`agent counts must be multiples of 300 (or 120), got ${n}`)
  return process.exit(2)
}

const load = (): string => execSync("uptime").toString().trim()
const pct = (x: number | undefined): string => (x === undefined ? "n/a" : `${(100 * x).toFixed(2)} %`)
const f0 = (x: number): string => Math.round(x).toLocaleString("en-US")

console.log(`mesh bench ${new Date().toISOString()}${smoke ? " (smoke)" : ""}`)
console.log(`load before: ${load()}`)

// ---- 1. arrival-time scheduling vs naive broadcast -------------------------------------

console.log(`\n1. arrival-time scheduling vs naive broadcast: ${f0(agents)} agents, virtual clock, ${defaultScenario.durationMs / 60_000} simulated minutes, failures ${formatFailures(seedFailures)}`)
const rows: Array<{ seed: number; strategy: string; r: SimReport; wallMs: number }> = []
for (let seed = 1; seed <= seeds; seed++) {
  for (const strategy of seed % 2 === 1 ? (["arrival", "naive"] as const) : (["naive", "arrival"] as const)) {
    const t0 = performance.now()
    const r = runVirtual({ shape: shapeOf(agents), seed, failures: seedFailures, scenario: { ...defaultScenario, strategy } })
    rows.push({ seed, strategy, r, wallMs: performance.now() - t0 })
  }
}
const hit = (r: SimReport) => r.kpis.find((k) => k.name === "arrival window hit rate")!.value
const success = (r: SimReport) => r.kpis.find((k) => k.name === "coordination success rate")!.value
for (const row of rows) {
  console.log(`  seed ${row.seed} ${row.strategy.padEnd(7)} spread p95−p5 ${row.r.spreadMs!.toFixed(1).padStart(9)} ms (A–E only ${row.r.spreadMachineMs!.toFixed(1).padStart(7)} ms)  window hit ${pct(hit(row.r)).padStart(8)}  quorum success ${pct(success(row.r)).padStart(8)}  (${(row.wallMs / 1000).toFixed(2)} s wall)`)
}
for (let seed = 1; seed <= seeds; seed++) {
  const a = rows.find((x) => x.seed === seed && x.strategy === "arrival")!.r
  const n = rows.find((x) => x.seed === seed && x.strategy === "naive")!.r
  const ratio = n.spreadMs! / a.spreadMs!
  const machine = n.spreadMachineMs! / a.spreadMachineMs!
  console.log(`  seed ${seed}: naive spread ÷ arrival spread = ${ratio.toFixed(0)}× all classes, ${machine.toFixed(1)}× classes A–E only (target ≥ 5×: ${Math.min(ratio, machine) >= 5 ? "met" : "NOT met"} for ${ratio >= 5 && machine >= 5 ? "both" : ratio >= 5 ? "all classes only" : "neither"})`)
}

// ---- 2. the mesh over NATS ---------------------------------------------------------------

const liveRow = (name: string, r: LiveReport): void => {
  const p95 = quantile(r.cascades, 0.95)
  console.log(`  ${name}: cascade p95 ${p95 === undefined ? "none completed" : `${p95.toFixed(0)} ms`} (${r.cascades.length} completed, ${r.cascadesFailed} timed out; target ≤ 1,000 ms: ${p95 !== undefined && p95 <= 1000 && r.cascadesFailed === 0 ? "met" : "NOT met"})`)
  console.log(`    messages on the bus ${f0(r.messagesPerS)}/s sustained over ${(r.wallMs / 1000).toFixed(1)} s (${(r.messagesPerS / 1000).toFixed(1)} % of the seed's 100,000/s); ${Object.entries(r.received).map(([k, v]) => `${k} ${f0(v)}`).join(", ")}; malformed ${r.malformed}`)
  console.log(`    memory per agent: host processes' RSS ${r.hostRssBytesPerAgent === undefined ? "n/a" : f0(r.hostRssBytesPerAgent)} bytes (runtimes included), orchestrator ${f0(r.rssBytesPerAgent)} bytes`)
}

console.log(`\n2. the mesh over a nats-server on loopback (wall clock, 4 host processes + orchestrator, ${durationS} s, failures none)`)
let failed = false
for (const n of live) {
  for (const every of n === Math.max(...live) && !smoke ? [2_000, 500] : [2_000]) {
    const name = `${f0(n)} agents, a cascade every ${every} ms`
    try {
      const r = await Effect.runPromise(runLive({ shape: shapeOf(n), seed: 1, failures: { ...seedFailures, crash: 0, slowClusters: 0, clustersDown: 0, sectorsDown: 0, conflict: 0 }, durationMs: durationS * 1000, cascadeEveryMs: every, hosts: 4 }))
      liveRow(name, r)
    } catch (e) {
      failed = true
      console.log(`  ${name}: FAILED ${e instanceof Error ? e.message : String(e)}`)
    }
    console.log(`    load: ${load()}`)
  }
}
console.log(`\nload after: ${load()}`)
if (failed) process.exit(1)
