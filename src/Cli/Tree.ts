/**
 * `hydrogen tree`: runs the coordinator tree (src/Tree) for N simulated agents
 * with branching K over the in-process bus (the embedded default) or NATS,
 * prints a live status line and a summary: messages per round against the
 * proved bound (`Hydrogen.Scale.messagesPerRound_bound`), round latency, and
 * whether every round's global aggregate equalled the direct fold.
 *
 * Exit codes: 0 every round exact, 1 a round inexact or the run failed, 2 bad arguments.
 */
import { Schema } from "effect"
import type { Transport } from "../Net/Transport.ts"
import { decodeWith, levelLabel, type Either, IntegerArg, type Io, maxBranching, maxSeed, type RawFlags, scanFlags, type FlagSpec } from "./Main.ts"
import type { RoundStatus, RunTreeResult } from "../Tree/Runner.ts"
import { summaryAverage } from "../Tree/Summary.ts"

/** Agents `tree` simulates in one process at most. */
export const maxTreeAgents = 10 ** 7
export const maxRounds = 10 ** 6

export const TreeCliOptions = Schema.Struct({
  agents: IntegerArg(1, maxTreeAgents),
  branching: IntegerArg(2, maxBranching),
  rounds: IntegerArg(1, maxRounds),
  transport: Schema.Literals(["in-process", "nats"]),
  servers: Schema.optionalKey(Schema.String.check(Schema.isPattern(/^nats:\/\/[^\s,]+(,nats:\/\/[^\s,]+)*$/, { expected: "nats:// URLs separated by commas" }))),
  seed: IntegerArg(0, maxSeed),
  clock: Schema.Literals(["driven", "rates"]),
  /** Replicated positions with faults injected on a schedule (src/Cli/TreeChaos.ts). */
  chaos: Schema.optionalKey(Schema.Literal(true)),
})
export type TreeCliOptions = typeof TreeCliOptions.Type

export const decodeTreeOptions: (raw: RawFlags) => Either<string, TreeCliOptions> = decodeWith(TreeCliOptions)

const treeFlags: ReadonlyArray<FlagSpec> = [
  { name: "agents", kind: "value" },
  { name: "branching", kind: "value" },
  { name: "rounds", kind: "value" },
  { name: "transport", kind: "value" },
  { name: "servers", kind: "value" },
  { name: "seed", kind: "value" },
  { name: "clock", kind: "value" },
  { name: "chaos", kind: "boolean" },
]

/** Parses and decodes `tree` arguments; defaults: rounds 10, transport in-process, seed 1, clock driven. */
export const parseTreeArgs = (args: ReadonlyArray<string>): Either<string, TreeCliOptions> => {
  const { flags, errors } = scanFlags(args, treeFlags)
  const decoded = decodeTreeOptions({ rounds: "10", transport: "in-process", seed: "1", clock: "driven", ...flags })
  const all = [...errors, ...(decoded.ok ? [] : decoded.errors)]
  if (decoded.ok && decoded.value.servers !== undefined && decoded.value.transport !== "nats") {
    all.push("--servers only applies to --transport nats")
  }
  if (decoded.ok && decoded.value.chaos === true && decoded.value.clock !== "driven") {
    all.push("--chaos runs on the heartbeat clock; leave out --clock")
  }
  return all.length === 0 && decoded.ok ? decoded : { ok: false, errors: all }
}

const fmt = (x: number | bigint): string => x.toLocaleString("en-US")
const ms = (x: number): string => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0))

/** The live status line of a round. */
export const formatStatus = (s: RoundStatus): string =>
  `round ${s.round}/${s.rounds} | agents ${fmt(s.agents)} | coordinators ${s.perLevel.map(fmt).join("/")}` +
  ` | ${fmt(Math.round(s.messagesPerSecond))} msg/s | latency p50 ${ms(s.latencyP50Ms)} ms p95 ${ms(s.latencyP95Ms)} ms` +
  ` | ${s.allExact ? "exact" : "NOT EXACT"}`

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
    `  last aggregate: count ${fmt(last.aggregate.count)}, sum ${fmt(last.aggregate.sum)}, min ${fmt(last.aggregate.min)}, max ${fmt(last.aggregate.max)}, average ${avg === null ? "—" : avg.toFixed(4)}`,
    `  every round's aggregate equals the direct fold: ${r.allExact ? "yes" : "NO"} (${exactCount}/${n})`,
  ]
  return lines.join("\n") + "\n"
}

/**
 * The NATS servers a tree command talks to: the `--servers` list, or a
 * nats-server started here on loopback (its stop is pushed onto `cleanups`).
 */
export const natsServersFor = async (
  servers: string | undefined,
  jetstream: boolean,
  io: Io,
  cleanups: Array<() => Promise<void>>,
): Promise<ReadonlyArray<string>> => {
  if (servers !== undefined) return servers.split(",")
  const { startNatsServer } = await import("../Net/NatsServer.ts")
  const handle = await startNatsServer({ jetstream })
  cleanups.push(() => handle.stop())
  io.out(`started nats-server at ${handle.url}${jetstream ? " (JetStream, for the lease bucket)" : ""}\n`)
  return [handle.url]
}

export interface TreeCommandEnv {
  /** Overwrite the status line with \r (a terminal) instead of printing one line per few rounds. */
  readonly tty: boolean
}

/** Exit code of a tree run: 1 (and why, on stderr) if a round's aggregate differed from the direct fold, else 0. */
export const exitForExactness = (io: Io, rounds: ReadonlyArray<{ readonly exact: boolean }>): number => {
  const bad = rounds.filter((x) => !x.exact).length
  if (bad === 0) return 0
  io.err(`hydrogen tree: ${bad} round(s) had an aggregate different from the direct fold\n`)
  return 1
}

/** Runs `tree` with decoded options; returns the exit code. */
export const runTreeCommand = async (o: TreeCliOptions, io: Io, env: TreeCommandEnv): Promise<number> => {
  if (o.chaos === true) {
    const { runChaosCommand } = await import("./TreeChaos.ts")
    return runChaosCommand(o, io, env)
  }
  const { runTree } = await import("../Tree/Runner.ts")
  const cleanups: Array<() => Promise<void>> = []
  try {
    let connect: (name: string) => Transport | Promise<Transport>
    if (o.transport === "in-process") {
      const { makeInProcessServer } = await import("../Net/InProcess.ts")
      const server = makeInProcessServer()
      connect = (name) => server.connect(name)
    } else {
      const { connectNats } = await import("../Net/Nats.ts")
      const servers = await natsServersFor(o.servers, false, io, cleanups)
      connect = (name) => connectNats({ servers, name })
    }
    const every = Math.max(1, Math.ceil(o.rounds / 10))
    let wroteLive = false
    const result = await runTree({
      agents: o.agents,
      branching: o.branching,
      rounds: o.rounds,
      seed: o.seed,
      clock: o.clock,
      connect,
      // in-process, the coordinators of a level share one client (memory); over NATS each has its own connection
      clients: o.transport === "in-process" ? "level" : "coordinator",
      onStatus: (s) => {
        if (env.tty) {
          io.out(`\r${formatStatus(s)}\x1b[K`)
          wroteLive = true
        } else if (s.round % every === 0 || s.round === s.rounds) {
          io.out(formatStatus(s) + "\n")
        }
      },
    })
    if (wroteLive) io.out("\n")
    io.out(formatTreeSummary(o, result))
    return exitForExactness(io, result.rounds)
  } catch (e) {
    io.err(`hydrogen tree: ${e instanceof Error ? e.message : String(e)}\n`)
    return 1
  } finally {
    for (const c of cleanups) await c().catch(() => undefined)
  }
}
