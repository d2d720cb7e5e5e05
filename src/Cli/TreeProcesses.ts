/**
 * `hydrogen tree --agents N --branching K --transport nats --processes
 * [--rounds R] [--servers URLS] [--seed S] [--max-processes P]`: the
 * coordinator tree with every level above the local one in its own OS process,
 * talking only through NATS (src/Tree/Process.ts). Without `--servers` a
 * throw-away nats-server is started on loopback and stopped at the end.
 *
 * Kept beside src/Cli/Tree.ts: `main` sends `tree` arguments that contain
 * `--processes` here (`isMultiProcessTreeArgs`).
 *
 * Exit codes: 0 every round exact, 1 a round inexact or the run failed, 2 bad arguments.
 */
import { Schema } from "effect"
import { coordinatorLevels } from "../Scale/Communication.ts"
import type { MultiProcessResult } from "../Tree/Process.ts"
import { decodeWith, type Either, IntegerArg, type Io, levelLabel, maxSeed, type RawFlags, scanFlags, type FlagSpec } from "./Main.ts"
import { exitForExactness, natsServersFor } from "./Tree.ts"

/** Whether `tree` arguments ask for the multi-process mode. */
export const isMultiProcessTreeArgs = (args: ReadonlyArray<string>): boolean => args.includes("--processes")

/** Agents the parent process hosts at most (values and versions: 12 bytes each). */
export const maxMultiProcessAgents = 10 ** 7

export const TreeProcessesOptions = Schema.Struct({
  agents: IntegerArg(1, maxMultiProcessAgents),
  branching: IntegerArg(2, 10 ** 6),
  rounds: IntegerArg(1, 10 ** 6),
  transport: Schema.Literals(["nats"]),
  servers: Schema.optionalKey(Schema.String.check(Schema.isPattern(/^nats:\/\/[^\s,]+(,nats:\/\/[^\s,]+)*$/, { expected: "nats:// URLs separated by commas" }))),
  seed: IntegerArg(0, maxSeed),
  "max-processes": IntegerArg(1, 64),
  processes: Schema.Literal(true),
})
export type TreeProcessesOptions = typeof TreeProcessesOptions.Type

const flags: ReadonlyArray<FlagSpec> = [
  { name: "agents", kind: "value" },
  { name: "branching", kind: "value" },
  { name: "rounds", kind: "value" },
  { name: "transport", kind: "value" },
  { name: "servers", kind: "value" },
  { name: "seed", kind: "value" },
  { name: "max-processes", kind: "value" },
  { name: "processes", kind: "boolean" },
]

const decode: (raw: RawFlags) => Either<string, TreeProcessesOptions> = decodeWith(TreeProcessesOptions)

/** Parses and decodes; defaults: rounds 10, transport nats, seed 1, max-processes 4. `--transport in-process` is an error. */
export const parseTreeProcessesArgs = (args: ReadonlyArray<string>): Either<string, TreeProcessesOptions> => {
  const scanned = scanFlags(args, flags)
  const decoded = decode({ rounds: "10", transport: "nats", seed: "1", "max-processes": "4", ...scanned.flags })
  const errors = [...scanned.errors, ...(decoded.ok ? [] : decoded.errors)]
  if (scanned.flags["transport"] !== undefined && scanned.flags["transport"] !== "nats" && !errors.some((e) => e.startsWith("--transport"))) {
    errors.push("--processes needs --transport nats")
  }
  if (decoded.ok && coordinatorLevels(decoded.value.agents, decoded.value.branching) < 2) {
    errors.push(`--processes needs a level above the local one (more agents than --branching; got ${decoded.value.agents} ≤ ${decoded.value.branching})`)
  }
  return errors.length === 0 && decoded.ok ? decoded : { ok: false, errors }
}

const fmt = (x: number | bigint): string => x.toLocaleString("en-US")
const ms = (x: number): string => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0))

/** The end-of-run summary. */
export const formatTreeProcessesSummary = (o: TreeProcessesOptions, r: MultiProcessResult): string => {
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
      `  rejected messages: ${fmt(r.rejectedTotal)}`,
      `  last aggregate: count ${fmt(last.aggregate.count)}, sum ${fmt(last.aggregate.sum)}, min ${fmt(last.aggregate.min)}, max ${fmt(last.aggregate.max)}`,
      `  every round's aggregate equals the direct fold: ${r.allExact ? "yes" : "NO"} (${exact}/${n})`,
    ].join("\n") + "\n"
  )
}

/** Runs the multi-process tree with decoded options; returns the exit code. */
export const runTreeProcessesCommand = async (o: TreeProcessesOptions, io: Io): Promise<number> => {
  const { runTreeMultiProcess } = await import("../Tree/Process.ts")
  const cleanups: Array<() => Promise<void>> = []
  try {
    const servers = await natsServersFor(o.servers, false, io, cleanups)
    const every = Math.max(1, Math.ceil(o.rounds / 10))
    const r = await runTreeMultiProcess({
      agents: o.agents,
      branching: o.branching,
      rounds: o.rounds,
      seed: o.seed,
      servers,
      maxProcesses: o["max-processes"],
      onRound: (x) => {
        if (x.round % every === 0 || x.round === o.rounds) {
          io.out(`round ${x.round}/${o.rounds} | latency ${ms(x.latencyMs)} ms | ${x.messages} msgs in ${x.busPublishes} publishes | ${x.exact ? "exact" : "NOT EXACT"}\n`)
        }
      },
    })
    io.out(formatTreeProcessesSummary(o, r))
    return exitForExactness(io, r.rounds)
  } catch (e) {
    io.err(`hydrogen tree: ${e instanceof Error ? e.message : String(e)}\n`)
    return 1
  } finally {
    for (const c of cleanups) await c().catch(() => undefined)
  }
}
