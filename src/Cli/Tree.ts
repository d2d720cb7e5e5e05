/**
 * `hydrogen tree`: runs the coordinator tree (src/Tree) for N simulated agents
 * with branching K. One command, three modes chosen by flags: a single process
 * over the in-process bus (the default) or NATS; `--processes` (every level
 * above the local one in its own OS process, src/Cli/TreeProcesses.ts);
 * `--chaos` (replicated positions with injected faults, src/Cli/TreeChaos.ts).
 * `--viewport-replicas` adds the viewport feed to the single-process run
 * (src/Tree/ViewportFeed.ts).
 *
 * Resources are scoped: a nats-server this command starts is stopped when the
 * run ends, fails or is interrupted (SIGINT/SIGTERM, see Main.ts).
 *
 * Exit codes: 0 every round exact (and, with the viewport feed, converged and
 * equal to the agents' Elements), 1 otherwise or the run failed, 2 bad arguments.
 */
import { Effect } from "effect"
import * as Result from "effect/Result"
import { coordinatorLevels, totalCoordinators } from "../Scale/Communication.ts"
import type { TreeConfig } from "../Tree/Admission.ts"
import type { Transport } from "../Net/Transport.ts"
import type { RoundStatus, RunTreeResult } from "../Tree/Runner.ts"
import { summaryAverage } from "../Tree/Summary.ts"
import { fmt, type Io, levelLabel, ms } from "./Flags.ts"
import type { Outcome } from "./Invoke.ts"
import { exitForExactness, formatProvenance, formatProvenanceShort, inexactRounds, natsServersFor, reportFailure, secureNatsBus, type TreeCliOptions, type TreeCommandEnv } from "./TreeOptions.ts"

/** The live status line of a round: this round's exactness, and the count so far. */
export const formatStatus = (s: RoundStatus, exactSoFar: number): string =>
  `round ${s.round}/${s.rounds} | agents ${fmt(s.agents)} | coordinators ${s.perLevel.map(fmt).join("/")}` +
  ` | ${fmt(Math.round(s.messagesPerSecond))} msg/s | latency p50 ${ms(s.latencyP50Ms)} ms p95 ${ms(s.latencyP95Ms)} ms` +
  ` | ${s.exact ? "exact" : "NOT EXACT"} (${fmt(exactSoFar)}/${fmt(s.round)} rounds exact)${formatProvenanceShort(s.provenance)}`

/** The end-of-run summary. */
export const formatTreeSummary = (o: TreeCliOptions, r: RunTreeResult): string => {
  const t = r.topology
  const last = r.rounds[r.rounds.length - 1]!
  const pub = { Up: 0, Down: 0 }
  for (const x of r.rounds) {
    pub.Up += x.published.Up
    pub.Down += x.published.Down
  }
  const n = r.rounds.length
  const exactCount = r.rounds.filter((x) => x.exact).length
  const avg = summaryAverage(last.aggregate)
  const rej = Object.entries(r.rejected).map(([k, v]) => `${k} ${fmt(v)}`).join(", ")
  const lines = [
    `Tree run: ${fmt(t.agents)} agents, branching ${fmt(t.branching)}, transport ${o.transport}, clock ${o.clock}, ${fmt(n)} rounds, seed ${o.seed}`,
    `  coordinators per level: ${t.perLevel.map((c, i) => `${fmt(c)} (${levelLabel(i, t.levels)})`).join(" / ")} = ${fmt(t.total)}`,
    `  messages per round M (agent reports + Up): ${fmt(r.maxAggregationMessages)} counted, ${fmt(r.plannedMessagesPerRound)} planned [Hydrogen.Scale.messagesPerRound]`,
    `  message bound k·M + k + L ≤ n·k + M + k·L [Hydrogen.Scale.messagesPerRound_bound]:`,
    `    ${fmt(r.bound.lhs)} ≤ ${fmt(r.bound.rhs)}: ${r.bound.holds ? "holds" : "FAILS"}`,
    `  tree messages per round: ${fmt(Math.round(r.meanMessagesPerRound))} mean (Up ${fmt(Math.round(pub.Up / n))}, Down ${fmt(Math.round(pub.Down / n))}); bus publishes ${fmt(Math.round(r.meanBusPublishesPerRound))} (an UpBatch carries a parent's local Ups)`,
    `  round latency (agents' update → root aggregate): p50 ${ms(r.latencyP50Ms)} ms, p95 ${ms(r.latencyP95Ms)} ms, max ${ms(r.latencyMaxMs)} ms`,
    `  throughput: ${fmt(Math.round(r.agentsPerSecond))} agents/s, ${fmt(Math.round(r.messagesPerSecond))} msg/s (setup ${ms(r.setupMs)} ms)`,
    `  rejected messages: ${fmt(r.rejectedTotal)}${rej === "" ? "" : ` (${rej})`}`,
    `  version fields refused (beyond the receiver's epoch, seq window or lease revision): ${fmt(r.versionRejected)}`,
    `  bus reconnects: ${fmt(r.reconnects)}; re-sends of the latest Downs and Ups after one: ${fmt(r.resends)}`,
    `  last aggregate: count ${fmt(last.aggregate.count)}, sum ${fmt(last.aggregate.sum)}, min ${fmt(last.aggregate.min)}, max ${fmt(last.aggregate.max)}, average ${avg === null ? "—" : avg.toFixed(4)}`,
    `  rounds whose aggregate equals the direct fold: ${exactCount}/${n}; not exact: ${inexactRounds(r.rounds)}`,
    ...formatProvenance(r.rounds),
    ...(r.viewport === undefined ? [] : [formatViewportSummary(r.viewport)]),
  ]
  return lines.join("\n") + "\n"
}

/** The viewport feed's line of the summary: rounds healthy, deltas and bytes sent, frames rejected. */
const formatViewportSummary = (v: NonNullable<RunTreeResult["viewport"]>): string => {
  const ok = v.rounds.filter((x) => x.converged && x.matchesAgents).length
  const deltas = v.rounds.reduce((s, x) => s + x.deltas, 0)
  const bytes = v.rounds.reduce((s, x) => s + x.bytes, 0)
  const rej = Object.entries(v.rejected).map(([k, n]) => `${k} ${fmt(n)}`).join(", ")
  return `  viewport: replicas converged and equal to the agents' Elements in ${ok}/${v.rounds.length} rounds; ${fmt(deltas)} Element deltas, ${fmt(bytes)} B sent; frames rejected: ${rej === "" ? "0" : rej}`
}

/** The single-process run (in-process bus or NATS), scoped. */
const singleRun = (o: TreeCliOptions, io: Io, env: TreeCommandEnv, outcome: Outcome) =>
  Effect.gen(function* () {
    const { runTree } = yield* Effect.promise(() => import("../Tree/Runner.ts"))
    // every client the tree opens comes from the bus and is closed with this scope (even on SIGINT/SIGTERM)
    const { inProcessBus, natsBus } = yield* Effect.promise(() => import("../Net/Layers.ts"))
    const bus = o.transport === "in-process" ? yield* inProcessBus() : o.secure === true ? yield* secureNatsBus(io) : yield* natsBus(yield* natsServersFor(o.servers, false, io))
    const connect = (name: string): Promise<Transport> => bus.connect(name)
    const viewport = o.viewportReplicas === undefined ? undefined : yield* viewportOptions(o.viewportReplicas, io)
    const { viewportLine } = yield* Effect.promise(() => import("../Tree/ViewportFeed.ts"))
    const every = Math.max(1, Math.ceil(o.rounds / 10))
    let wroteLive = false
    let exactSoFar = 0
    const result = yield* Effect.tryPromise(() =>
      runTree({
        agents: o.agents,
        branching: o.branching,
        rounds: o.rounds,
        seed: o.seed,
        clock: o.clock,
        connect,
        // in-process, the coordinators of a level share one client (memory); over NATS each has its own connection
        clients: o.transport === "in-process" ? "level" : "coordinator",
        ...(viewport === undefined ? {} : { viewport }),
        onStatus: (s) => {
          if (s.exact) exactSoFar++
          if (s.viewport !== undefined) {
            if (wroteLive) io.out("\n")
            wroteLive = false
            io.out(viewportLine(s.viewport) + "\n")
          }
          if (env.tty) {
            io.out(`\r${formatStatus(s, exactSoFar)}\x1b[K`)
            wroteLive = true
          } else if (s.round % every === 0 || s.round === s.rounds || !s.exact) {
            io.out(formatStatus(s, exactSoFar) + "\n")
          }
        },
      }),
    )
    if (wroteLive) io.out("\n")
    io.out(formatTreeSummary(o, result))
    outcome.code = exitForExactness(io, result.rounds)
    const vp = result.viewport?.rounds.filter((x) => !(x.converged && x.matchesAgents)) ?? []
    if (vp.length > 0) {
      io.err(`hydrogen tree: in ${vp.length} round(s) the viewport replicas did not converge or differ from the agents' Elements (rounds ${vp.map((x) => x.round).join(", ")})\n`)
      outcome.code = 1
    }
  }).pipe(Effect.scoped, Effect.catch(reportFailure(io, outcome, "hydrogen tree")))

/** `--viewport-replicas`: file stores in a temp directory removed when the run's scope closes. */
const viewportOptions = (replicas: number, io: Io) =>
  Effect.gen(function* () {
    const [{ mkdtemp, rm }, { tmpdir }, { join }, { openFileStore }, { ViewportStateCodec }] = yield* Effect.promise(() =>
      Promise.all([import("node:fs/promises"), import("node:os"), import("node:path"), import("../State/FileStore.ts"), import("../State/Encoding.ts")]),
    )
    const dir = yield* Effect.acquireRelease(
      Effect.tryPromise(() => mkdtemp(join(tmpdir(), "hydrogen-viewport-"))),
      (d) => Effect.promise(() => rm(d, { recursive: true, force: true }).catch(() => undefined)),
    )
    io.out(`viewport: ${replicas} replica(s), stores in ${dir}\n`)
    return { replicas, store: (i: number) => openFileStore(join(dir, `replica-${i}.log`), ViewportStateCodec) }
  })

/**
 * The run's shape for admission control (src/Tree/Admission.ts), as the entry
 * points compute it: over NATS a connection per coordinator plus one per
 * level (Runner), or per replica (Failover); in-process no descriptors. The
 * multi-process mode is checked by `runTreeMultiProcess` before it spawns.
 */
export const admissionConfig = (o: TreeCliOptions, replicas: number): TreeConfig | undefined => {
  const socketBus = o.transport === "nats"
  if (o.mode === "chaos") return { mode: "replicated", agents: o.agents, branching: o.branching, replicas, socketBus }
  if (o.mode === "processes") return undefined
  const levels = coordinatorLevels(o.agents, o.branching)
  const connections = levels === 1 ? 1 : socketBus ? totalCoordinators(o.agents, o.branching) + levels : levels
  return { mode: "tree", agents: o.agents, branching: o.branching, connections, socketBus }
}

/** The `tree` handler: the mode the flags chose, after admission control (refused: exit 2, nothing started). */
export const runTreeCommand = (io: Io, env: TreeCommandEnv, outcome: Outcome) => (o: TreeCliOptions) =>
  Effect.gen(function* () {
    const { admit } = yield* Effect.promise(() => import("../Tree/Admission.ts"))
    const { defaultFailoverConfig } = o.mode === "chaos" ? yield* Effect.promise(() => import("../Tree/Failover.ts")) : { defaultFailoverConfig: { replicas: 0 } }
    const config = admissionConfig(o, defaultFailoverConfig.replicas)
    const admitted = config === undefined ? undefined : admit(config)
    if (admitted !== undefined && Result.isFailure(admitted)) {
      io.err(`hydrogen tree: ${admitted.failure.message}\n`)
      outcome.code = 2
      return
    }
    if (o.mode === "chaos") {
      const { chaosRun } = yield* Effect.promise(() => import("./TreeChaos.ts"))
      return yield* chaosRun(o, io, env, outcome)
    }
    if (o.mode === "processes") {
      const { processesRun } = yield* Effect.promise(() => import("./TreeProcesses.ts"))
      return yield* processesRun(o, io, outcome)
    }
    return yield* singleRun(o, io, env, outcome)
  })
