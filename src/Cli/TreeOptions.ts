/**
 * The flags of `hydrogen tree` and what its three modes share: the decoded
 * options, the combinations the tree cannot run (each error names both flags
 * and why), the scoped nats-server, and the exit code from the rounds'
 * exactness. The modes (Tree.ts, TreeChaos.ts, TreeProcesses.ts) import this
 * module; none of them imports another mode.
 */
import { Effect, Option, Schema, type Scope } from "effect"
import { Command, Flag } from "effect/cli"
import { coordinatorLevels } from "../Scale/Communication.ts"
import type { PolicyProvenance } from "../Tree/Provenance.ts"
import { fmt, intFlag, intFlagOr, invalidCombination, type Io, maxBranching, maxRounds, seedFlag, serversFlag, switchFlag } from "./Flags.ts"
import { decodeArgs, type Outcome } from "./Invoke.ts"

/** Agents `tree` simulates at most (one process hosts every agent's value and version). */
export const maxTreeAgents = 10 ** 7
/** Most coordinator processes of `--processes`. */
export const maxProcessesLimit = 64
/** Most viewport replicas of `--viewport-replicas`. */
export const maxViewportReplicas = 16
/** Most agents with `--viewport-replicas`: every replica holds, and gossips, the whole viewport state. */
export const maxViewportAgents = 10_000

export const treeFlags = {
  agents: intFlag("agents", 1, maxTreeAgents, "N", "simulated agents"),
  branching: intFlag("branching", 2, maxBranching, "K", "most children per coordinator"),
  rounds: intFlagOr("rounds", 1, maxRounds, "R", "rounds to run", 10),
  transport: Flag.Literals("transport", ["in-process", "nats"]).pipe(
    Flag.withDescription("message bus; default in-process, nats with --processes"),
    Flag.optional,
  ),
  servers: serversFlag,
  seed: seedFlag,
  clock: Flag.Literals("clock", ["driven", "rates"]).pipe(
    Flag.withDescription("driven (default): each round runs to completion; rates: coordinators tick at 30 / 10 / 1 Hz"),
    Flag.optional,
  ),
  chaos: switchFlag("chaos", "3 replicas per position, kill coordinators and cut subtrees on a schedule, report recoveries"),
  processes: switchFlag("processes", "every level above the local one in its own OS process (needs --transport nats)"),
  secure: switchFlag(
    "secure",
    "start nats-server with mutual TLS and per-tier NKEY users scoped to their subjects (src/Net/Auth.ts); each client connects with its tier's credentials; with --processes (every process) and --chaos (every replica, standbys too) each signs what it sends with its own Ed25519 key and verifies what it receives",
  ),
  "max-processes": intFlag("max-processes", 1, maxProcessesLimit, "P", "coordinator processes at most with --processes, default 4").pipe(Flag.optional),
  "viewport-replicas": intFlag(
    "viewport-replicas",
    1,
    maxViewportReplicas,
    "V",
    "agents report their Elements each round to V replicas of the viewport state (file stores in a temp directory); prints a viewport line per round",
  ).pipe(Flag.optional),
  "min-exact": Flag.String("min-exact").pipe(
    Flag.withSchema(Schema.String.check(Schema.isPattern(/^(0(\.[0-9]+)?|1(\.0+)?|\.[0-9]+)$/, { expected: "a fraction between 0 and 1, like 0.9" }))),
    Flag.withMetavar("F"),
    Flag.withDescription("with --chaos: least share of exact rounds outside fault windows for exit 0 (0..1), default 1"),
    Flag.optional,
  ),
} as const

type RawTree = Command.Command.Config.Infer<typeof treeFlags>

/** The decoded `tree` options, defaults filled in. */
export interface TreeCliOptions {
  readonly agents: number
  readonly branching: number
  readonly rounds: number
  readonly transport: "in-process" | "nats"
  readonly servers?: string
  readonly seed: number
  readonly clock: "driven" | "rates"
  readonly mode: "single" | "processes" | "chaos"
  /** `--processes`: most coordinator processes. */
  readonly maxProcesses: number
  /** `--chaos`: least share of exact rounds outside fault windows for exit 0. */
  readonly minExact: number
  /** `--viewport-replicas`: replicas of the viewport state (absent: no viewport feed). */
  readonly viewportReplicas?: number
  /** `--secure`: an authenticated TLS nats-server started for the run (absent: plain loopback). */
  readonly secure?: true
}

/** Fills in defaults; `treeCombinationErrors` lists the combinations that cannot run. */
export const resolveTree = (r: RawTree): TreeCliOptions => ({
  agents: r.agents,
  branching: r.branching,
  rounds: r.rounds,
  transport: Option.getOrElse(r.transport, () => (r.processes || r.secure ? "nats" : "in-process")),
  ...(Option.isSome(r.servers) ? { servers: r.servers.value } : {}),
  seed: r.seed,
  clock: Option.getOrElse(r.clock, () => "driven"),
  mode: r.chaos ? "chaos" : r.processes ? "processes" : "single",
  maxProcesses: Option.getOrElse(r["max-processes"], () => 4),
  minExact: Option.match(r["min-exact"], { onNone: () => 1, onSome: Number }),
  ...(Option.isSome(r["viewport-replicas"]) ? { viewportReplicas: r["viewport-replicas"].value } : {}),
  ...(r.secure ? { secure: true as const } : {}),
})

/** The combinations of flags the tree cannot run, each named with both flags and why. */
export const treeCombinationErrors = (r: RawTree): ReadonlyArray<string> => {
  const o = resolveTree(r)
  const errors: string[] = []
  if (r.chaos && r.processes)
    errors.push("--chaos and --processes cannot be combined: the chaos run keeps all 3 replicas of every position in this one process; leave out one of them")
  if (Option.isSome(r.servers) && o.transport !== "nats") errors.push("--servers only applies to --transport nats")
  if (r.processes && o.transport !== "nats") errors.push("--processes needs --transport nats: the coordinator processes talk to this one only through NATS")
  if (r.chaos && o.clock === "rates") errors.push("--chaos and --clock rates cannot be combined: the chaos run has its own heartbeat clock; leave out --clock")
  if (r.processes && o.clock === "rates") errors.push("--processes and --clock rates cannot be combined: the coordinator processes are driven round by round; leave out --clock")
  if (Option.isSome(r["max-processes"]) && !r.processes) errors.push("--max-processes only applies to --processes")
  if (Option.isSome(r["min-exact"]) && !r.chaos) errors.push("--min-exact only applies to --chaos (a run without faults must be exact in every round)")
  if (Option.isSome(r["viewport-replicas"]) && (r.chaos || r.processes))
    errors.push(`--viewport-replicas cannot be combined with ${r.chaos ? "--chaos" : "--processes"}: the viewport feed runs beside the single-process tree; leave out one of them`)
  if (Option.isSome(r["viewport-replicas"]) && r.agents > maxViewportAgents)
    errors.push(`--viewport-replicas needs --agents ≤ ${fmt(maxViewportAgents)} (got ${fmt(r.agents)}): every replica holds and gossips the whole viewport state`)
  if (r.secure && o.transport !== "nats") errors.push("--secure needs --transport nats: the in-process bus has no network to secure")
  if (r.secure && Option.isSome(r.servers)) errors.push("--secure starts its own nats-server with the run's certificates and keys; leave out --servers")
  if (r.processes && coordinatorLevels(r.agents, r.branching) < 2)
    errors.push(`--processes needs a level above the local one: --agents (${fmt(r.agents)}) must exceed --branching (${fmt(r.branching)})`)
  return errors
}

export const treeDescription = `Runs the coordinator tree: N simulated agents under local, intermediate and
  root coordinators with branching K, for R rounds. Each round the agents
  update, summaries (count, sum, min, max) flow up, and the root's aggregate is
  checked against a direct fold; each round's exactness is shown. Prints
  messages per round against the proved bound and the round latency.
  --transport nats without --servers starts a local nats-server (stopped at the
  end, also on SIGINT/SIGTERM: exit 130/143). Exit 1 if a round is not exact.
  --processes: every level above the local one in its own OS process (at most
  P, default 4), over NATS. --chaos: 3 replicas per position; every few rounds
  kills an active coordinator or cuts a subtree off the bus; exit 0 only if every
  fault recovered, nothing was counted twice, the last round is exact and at
  least --min-exact (default 1) of the rounds outside fault windows are exact (a
  fault's window: its round, the heal round of a partition, and 2 rounds more).
  --viewport-replicas V: after each round every local coordinator sends its
  agents' changed Elements (Wire deltas) to V replicas of the viewport CRDT,
  synced over the bus and stored on disk; a line per round says whether they
  converged and equal the agents' Elements (exit 1 if a round's do not).`

/** `tree`, with `handler` run on the resolved options after the combination checks. */
export const treeCommand = <E, R>(handler: (o: TreeCliOptions) => Effect.Effect<void, E, R>) =>
  Command.make("tree", treeFlags, (raw) => handler(resolveTree(raw))).pipe(
    Command.validate((raw) => {
      const errors = treeCombinationErrors(raw)
      return errors.length === 0 ? Effect.void : invalidCombination(errors.join("\n"))
    }),
    Command.withDescription(treeDescription),
  )

/** Decodes `tree` arguments to options with defaults (rounds 10, seed 1, clock driven; transport in-process, nats with --processes). */
export const parseTreeArgs = decodeArgs(treeCommand<never, never>)

/** The rounds that were not exact, as a short list ("none", or their numbers). */
export const inexactRounds = (rounds: ReadonlyArray<{ readonly round: number; readonly exact: boolean }>, limit = 20): string => {
  const bad = rounds.filter((x) => !x.exact).map((x) => x.round)
  if (bad.length === 0) return "none"
  const shown = bad.slice(0, limit).map(String).join(", ")
  return bad.length > limit ? `${shown}, … (${fmt(bad.length)} in all)` : shown
}

/**
 * The NATS servers a tree command talks to: the `--servers` list, or a
 * nats-server started on loopback for the life of the scope
 * (`natsServersLayer` of src/Net/Layers.ts, built into the caller's scope).
 */
export const natsServersFor = (servers: string | undefined, jetstream: boolean, io: Io): Effect.Effect<ReadonlyArray<string>, unknown, Scope.Scope> =>
  Effect.flatMap(
    Effect.promise(() => import("../Net/Layers.ts")),
    ({ natsServers, natsServersLayer }) =>
      natsServers(
        natsServersLayer({
          servers: servers?.split(","),
          jetstream,
          onStart: (url) => io.out(`started nats-server at ${url}${jetstream ? " (JetStream, for the lease bucket)" : ""}\n`),
        }),
      ),
  )

/**
 * `--secure --processes` / `--secure --chaos`: the same material and a nats-server requiring it,
 * with JetStream (the key registry, and the chaos run's leases, are KV buckets); every process
 * connects with the coordinator tier's credentials.
 */
export const secureNatsServer = (io: Io) =>
  Effect.gen(function* () {
    const [{ secureBus }, { natsServer }] = yield* Effect.promise(() => Promise.all([import("../Net/Auth.ts"), import("../Net/NatsServer.ts")]))
    const material = yield* secureBus()
    const server = yield* natsServer({ jetstream: true, configFile: material.configFile })
    io.out(`started nats-server at ${server.url} (mutual TLS, NKEY users per tier; JetStream, for the key registry)\n`)
    return { servers: [server.url], credentials: material.credentials("coordinator") }
  })

/**
 * `--secure`: fresh certificates and NKEYs (src/Net/Auth.ts), a nats-server
 * requiring them, and a bus whose clients connect with their tier's
 * credentials. Every client of the single-process tree is a coordinator (the
 * simulated agents live inside the local level), so all take the coordinator
 * tier; the viewport replicas too.
 */
export const secureNatsBus = (io: Io) =>
  Effect.gen(function* () {
    const [{ secureBus }, { natsServer }, { natsBus }] = yield* Effect.promise(() => Promise.all([import("../Net/Auth.ts"), import("../Net/NatsServer.ts"), import("../Net/Layers.ts")]))
    const material = yield* secureBus()
    const server = yield* natsServer({ jetstream: false, configFile: material.configFile })
    io.out(`started nats-server at ${server.url} (mutual TLS, NKEY users per tier)\n`)
    return yield* natsBus([server.url], () => material.credentials("coordinator"))
  })

export interface TreeCommandEnv {
  /** Overwrite the status line with \r (a terminal) instead of printing one line per few rounds. */
  readonly tty: boolean
}

/** What the exit code and the reports read of a round. */
export interface RoundVerdict {
  readonly round: number
  readonly exact: boolean
  /** Which Down each subtree applied (src/Tree/Provenance.ts). */
  readonly provenance?: PolicyProvenance
}

const unfaithful = (rounds: ReadonlyArray<RoundVerdict>): ReadonlyArray<RoundVerdict> => rounds.filter((x) => x.provenance !== undefined && !x.provenance.faithful)

/**
 * Exit code of a tree run: 1 (and why, on stderr) if a round's aggregate
 * differed from the direct fold, or a subtree applied a Down the root did not
 * send that round (which the fold cannot see); else 0.
 */
export const exitForExactness = (io: Io, rounds: ReadonlyArray<RoundVerdict>): number => {
  const bad = rounds.filter((x) => !x.exact).length
  const forged = unfaithful(rounds)
  if (bad > 0) io.err(`hydrogen tree: ${bad} of ${rounds.length} round(s) had an aggregate different from the direct fold (rounds ${inexactRounds(rounds)})\n`)
  if (forged.length > 0)
    io.err(`hydrogen tree: in ${forged.length} of ${rounds.length} round(s) a subtree applied a Down the root did not send (rounds ${inexactRounds(forged.map((x) => ({ round: x.round, exact: false })))})\n`)
  return bad === 0 && forged.length === 0 ? 0 : 1
}

/** One round's provenance for a status line. */
export const formatProvenanceShort = (p: PolicyProvenance | undefined): string =>
  p === undefined
    ? ""
    : p.faithful
      ? " | policy: the root's Down everywhere"
      : ` | policy: ${fmt(p.divergentLocals)} local coordinator(s) NOT on the root's Down${p.senderMismatches ? `, ${p.senderMismatches} sender mismatch(es)` : ""}`

const heldPolicy = (policy: string): string => (policy === "" ? "none" : `0x${policy}`)

/** The run's policy provenance: rounds where every subtree applied the root's Down, and the last round's subtrees. */
export const formatProvenance = (rounds: ReadonlyArray<RoundVerdict>): ReadonlyArray<string> => {
  const last = rounds[rounds.length - 1]?.provenance
  if (last === undefined) return []
  const forged = unfaithful(rounds)
  const runs = last.runs.map(
    (r) =>
      `    from ${r.from} ×${fmt(r.parents)} parent(s) (${fmt(r.locals)} local coordinators, ${fmt(r.agents)} agents): epoch ${r.epoch}, policy ${heldPolicy(r.policy)}, ${r.matchesRoot ? "the root's" : "NOT the root's"}`,
  )
  return [
    `  policy provenance (a forged Down is invisible to the direct fold; src/Tree/Provenance.ts): every subtree applied the root's Down in ${rounds.length - forged.length}/${rounds.length} rounds; not: ${inexactRounds(forged.map((x) => ({ round: x.round, exact: false })))}`,
    `    last round: the root sent epoch ${last.root.epoch}, policy ${heldPolicy(last.root.policy)}${last.senderMismatches === undefined ? "" : `; sender mismatches ${last.senderMismatches}`}`,
    ...runs,
    ...(last.runsOmitted > 0 ? [`    … ${fmt(last.runsOmitted)} more run(s)`] : []),
  ]
}

/** A failed run: its reason on stderr, exit 1 (2 for a configuration admission control refused before starting). */
export const reportFailure = (io: Io, outcome: Outcome, what: string) => (e: unknown) =>
  Effect.sync(() => {
    const cause = e instanceof Error && e.name === "UnknownError" && e.cause !== undefined ? e.cause : e
    io.err(`${what}: ${cause instanceof Error ? cause.message : String(cause)}\n`)
    outcome.code = (cause as { _tag?: unknown } | null)?._tag === "AdmissionRefused" ? 2 : 1
  })

