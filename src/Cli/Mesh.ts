/**
 * `hydrogen mesh sim`: the MESH-30K simulation (src/Mesh/Sim*.ts) and its
 * KPI table. The virtual clock runs here, synchronously; the wall clock runs
 * over a nats-server it starts on loopback (stopped when the run ends, also
 * on interruption). Exit 0 when the run completed, 1 when it could not run.
 */
import { Effect } from "effect"
import { openFileConflictLog } from "../Mesh/ConflictLog.ts"
import { type LiveReport, runLive } from "../Mesh/SimLive.ts"
import { quantile } from "../Mesh/SimKpi.ts"
import { formatReport, runVirtual, type SimReport } from "../Mesh/SimRun.ts"
import { defaultScenario, formatFailures } from "../Mesh/SimScenario.ts"
import { counts } from "../Mesh/Topology.ts"
import { exitCodes, type Io } from "./Flags.ts"
import type { Outcome } from "./Invoke.ts"
import type { MeshSimArgs } from "./MeshOptions.ts"

/** The virtual run of `a`. */
export const simulate = (a: MeshSimArgs): SimReport =>
  runVirtual({ shape: a.shape, seed: a.seed, failures: a.failures, scenario: { ...defaultScenario, durationMs: a.durationS * 1000, strategy: a.strategy } })

const f0 = (x: number): string => Math.round(x).toLocaleString("en-US")

/** The live run's report text. */
export const formatLive = (r: LiveReport): string => {
  const c = counts(r.config.shape)
  const p95 = quantile(r.cascades, 0.95)
  const lines = [
    `mesh sim (wall clock, NATS on loopback): ${f0(c.agents)} agents = ${c.sectors} sectors × ${r.config.shape.clustersPerSector} clusters × ${r.config.shape.agentsPerCluster} agents, seed ${r.config.seed}`,
    `  ${(r.wallMs / 1000).toFixed(1)} s of wall time; ${r.config.hosts} host ${r.config.inProcess === true ? "connections in this process" : "processes"} + the orchestrator; a cascade every ${r.config.cascadeEveryMs} ms; failures: ${formatFailures(r.config.failures)}`,
    "",
    "KPIs measured live (seed 002 Part 11):",
    `  cascade latency p95  ${p95 === undefined ? "no cascade completed" : `${p95.toFixed(0)} ms`} over ${r.cascades.length} completed, ${r.cascadesFailed} timed out (target <= 1000 ms: ${p95 === undefined ? "n/a" : p95 <= 1000 && r.cascadesFailed === 0 ? "met" : "NOT met"})`,
    `  messages on the bus  ${f0(r.messagesPerS)}/s sustained (seed's design capacity 100,000/s; ${r.malformed} malformed dropped)`,
    `    ${Object.entries(r.received).map(([k, v]) => `${k} ${f0(v)}`).join(", ")}`,
    `  modes                ${r.modes.length === 0 ? "no summary yet" : r.modes.map((m) => `${(m.atMs / 1000).toFixed(1)} s ${m.mode} (${(100 * m.activeRate).toFixed(1)} %)`).join(" → ")}`,
    `  memory per agent     ${r.hostRssBytesPerAgent === undefined ? "n/a (hosts in this process)" : `${f0(r.hostRssBytesPerAgent)} bytes`} (host processes' RSS ÷ agents, Node runtimes and NATS clients included); orchestrator ${f0(r.rssBytesPerAgent)} bytes per agent`,
    "The scatter-gather KPIs (success, window hits, prediction accuracy, conflicts, recovery) come from --clock virtual.",
  ]
  return lines.join("\n") + "\n"
}

const appendConflicts = (path: string, r: SimReport) =>
  Effect.gen(function* () {
    const opened = yield* openFileConflictLog(path, { onTornTail: () => Effect.void })
    for (const rec of r.conflicts) yield* opened.log.append(rec)
    const all = yield* opened.log.readAll
    yield* opened.log.close
    return all.length
  })

/** The `mesh sim` handler. */
export const runMeshSim = (io: Io, outcome: Outcome) => (a: MeshSimArgs) =>
  Effect.gen(function* () {
    if (a.clock === "wall") {
      const r = yield* runLive({ shape: a.shape, seed: a.seed, failures: a.failures, durationMs: a.durationS * 1000, cascadeEveryMs: 2_000, hosts: a.processes })
      io.out(formatLive(r))
    } else {
      const t0 = performance.now()
      const r = simulate(a)
      io.out(formatReport(r, performance.now() - t0))
      if (a.conflictLog !== undefined) {
        const n = yield* appendConflicts(a.conflictLog, r)
        io.out(`conflict log: ${a.conflictLog} holds ${f0(n)} records (${f0(r.conflicts.length)} from this run)\n`)
      }
    }
    outcome.code = exitCodes.ok
  }).pipe(
    Effect.catch((e) =>
      Effect.sync(() => {
        io.err(`hydrogen mesh sim: ${e instanceof Error ? e.message : String(e)}\n`)
        outcome.code = exitCodes.failed
      }),
    ),
    Effect.catchDefect((d) =>
      Effect.sync(() => {
        io.err(`hydrogen mesh sim: ${d instanceof Error ? d.message : String(d)}\n`)
        outcome.code = exitCodes.failed
      }),
    ),
  )
