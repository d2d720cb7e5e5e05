/**
 * `hydrogen tree --processes`: the coordinator tree with every level above
 * the local one in its own OS process, talking only through NATS
 * (src/Tree/Process.ts). Without `--servers` a throw-away nats-server is
 * started on loopback for the life of the run.
 *
 * Scoped: when the run is interrupted (SIGINT/SIGTERM) the coordinator
 * processes it spawned are stopped (SIGTERM, then SIGKILL) and so is the
 * nats-server.
 *
 * `--secure`: a nats-server with mutual TLS, NKEY users per tier and
 * JetStream (the key registry); every process connects with the coordinator
 * tier's credentials and signs what it sends with its own key (src/Trust/ProcessTrust.ts).
 *
 * Exit codes: 0 every round exact, 1 a round inexact or the run failed, 2 bad arguments.
 */
import { Effect } from "effect"
import type { MultiProcessResult } from "../Tree/Process.ts"
import type { ProcessTrustCounters } from "../Trust/ProcessTrust.ts"
import { fmt, type Io, levelLabel, ms } from "./Flags.ts"
import type { Outcome } from "./Invoke.ts"
import { exitForExactness, formatProvenance, formatProvenanceShort, inexactRounds, natsServersFor, reportFailure, secureNatsServer, type TreeCliOptions } from "./TreeOptions.ts"

/** The end-of-run summary. */
export const formatTreeProcessesSummary = (o: TreeCliOptions, r: MultiProcessResult): string => {
  const t = r.topology
  const last = r.rounds[r.rounds.length - 1]!
  const n = r.rounds.length
  const exact = r.rounds.filter((x) => x.exact).length
  return (
    [
      `Tree run: ${fmt(t.agents)} agents, branching ${fmt(t.branching)}, transport nats, ${r.processes.length} coordinator processes, ${fmt(n)} rounds, seed ${o.seed}`,
      `  coordinators per level: ${t.perLevel.map((c, i) => `${fmt(c)} (${levelLabel(i, t.levels)})`).join(" / ")} = ${fmt(t.total)}`,
      `  processes: parent (agents + level 1, pid ${process.pid}); ${r.processes.map((p) => `${p.name} (pid ${p.pid})`).join(", ")}`,
      `  messages per round M (agent reports + Up): ${fmt(r.maxAggregationMessages)} counted, ${fmt(r.plannedMessagesPerRound)} planned [Hydrogen.Scale.messagesPerRound]`,
      `  message bound k·M + k + L ≤ n·k + M + k·L [Hydrogen.Scale.messagesPerRound_bound]: ${fmt(r.bound.lhs)} ≤ ${fmt(r.bound.rhs)}: ${r.bound.holds ? "holds" : "FAILS"}`,
      `  tree messages per round: ${fmt(Math.round(r.meanMessagesPerRound))} mean; bus publishes ${fmt(Math.round(r.meanBusPublishesPerRound))} (an UpBatch carries a parent's local Ups), plus ${r.controlMessagesPerRound} control messages`,
      `  round latency (agents' update → root aggregate): p50 ${ms(r.latencyP50Ms)} ms, p95 ${ms(r.latencyP95Ms)} ms, max ${ms(r.latencyMaxMs)} ms`,
      `  throughput: ${fmt(Math.round(r.agentsPerSecond))} agents/s, ${fmt(Math.round(r.messagesPerSecond))} msg/s (setup ${ms(r.setupMs)} ms)`,
      `  rejected messages: ${fmt(r.rejectedTotal)} (version fields refused: ${fmt(r.versionRejected)}); control messages ignored (malformed, no run token, out of turn): ${fmt(r.controlRejected)}`,
      `  bus reconnects: ${fmt(r.reconnects)}; re-sends after one: ${fmt(r.resends)}`,
      `  last aggregate: count ${fmt(last.aggregate.count)}, sum ${fmt(last.aggregate.sum)}, min ${fmt(last.aggregate.min)}, max ${fmt(last.aggregate.max)}`,
      `  rounds whose aggregate equals the direct fold: ${exact}/${n}; not exact: ${inexactRounds(r.rounds)}`,
      ...(r.trust === undefined ? [] : [formatTrust(r.trust)]),
      ...formatProvenance(r.rounds),
    ].join("\n") + "\n"
  )
}

/** Signed runs: what the processes' verifiers accepted and refused, by reason. */
const formatTrust = (c: ProcessTrustCounters): string => {
  const refused = (Object.keys(c) as Array<keyof ProcessTrustCounters>).filter((k) => k !== "accepted" && c[k] > 0)
  return (
    `  signatures (each process its own Ed25519 key; src/Trust/ProcessTrust.ts): ${fmt(c.accepted)} sealed messages verified; refused: ` +
    (refused.length === 0 ? "none" : refused.map((k) => `${k} ${fmt(c[k])}`).join(", "))
  )
}

/** `tree --processes`, scoped: the nats-server, the parent's connections and the coordinator processes are resources of this scope. */
export const processesRun = (o: TreeCliOptions, io: Io, outcome: Outcome) =>
  Effect.gen(function* () {
    const { treeMultiProcess } = yield* Effect.promise(() => import("../Tree/Process.ts"))
    const secure = o.secure === true ? yield* secureNatsServer(io) : undefined
    const servers = secure?.servers ?? (yield* natsServersFor(o.servers, false, io))
    const every = Math.max(1, Math.ceil(o.rounds / 10))
    let exactSoFar = 0
    const r = yield* treeMultiProcess({
      agents: o.agents,
      branching: o.branching,
      rounds: o.rounds,
      seed: o.seed,
      servers,
      maxProcesses: o.maxProcesses,
      ...(secure === undefined ? {} : { sign: true, credentials: secure.credentials }),
      onRound: (x) => {
        if (x.exact) exactSoFar++
        if (x.round % every === 0 || x.round === o.rounds || !x.exact || !x.provenance.faithful) {
          io.out(
            `round ${x.round}/${o.rounds} | latency ${ms(x.latencyMs)} ms | ${x.messages} msgs in ${x.busPublishes} publishes` +
              ` | ${x.exact ? "exact" : "NOT EXACT"} (${fmt(exactSoFar)}/${fmt(x.round)} rounds exact)${formatProvenanceShort(x.provenance)}\n`,
          )
        }
      },
    })
    io.out(formatTreeProcessesSummary(o, r))
    outcome.code = exitForExactness(io, r.rounds)
  }).pipe(Effect.scoped, Effect.catch(reportFailure(io, outcome, "hydrogen tree")))
