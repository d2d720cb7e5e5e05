/**
 * The flags of `hydrogen console` and their checks, apart from the run
 * (CliRun.ts) so the command line loads the console only when it runs.
 *
 * @module
 */
import { Effect, Option, Schema } from "effect"
import * as Result from "effect/Result"
import { Argument, Command, Flag } from "effect/cli"
import { intFlagOr, invalidCombination, seedFlag, serversFlag } from "../Cli/Flags.ts"
import { type ConsoleCommand, type ConsoleScope, defaultSample, maxSample, parseScope } from "./Command.ts"
import { parseWords } from "./Words.ts"

/** Largest simulated mesh the console starts (agents). */
export const maxConsoleAgents = 1_000_000

export interface ConsoleArgs {
  readonly commands: ReadonlyArray<ConsoleCommand>
  readonly bus: "embedded" | "nats"
  readonly servers: ReadonlyArray<string> | undefined
  readonly seed: number
  readonly stateDir: string | undefined
  readonly shape: { readonly sectors: number; readonly clustersPerSector: number; readonly agentsPerCluster: number }
}

export const consoleFlags = {
  words: Argument.String("command").pipe(
    Argument.withDescription("a command (status, broadcast, ask, delegate, heal, freeze, thaw, route-around, stuck, reassign, advance) or a conversational line; ';' separates several"),
    Argument.variadic(),
  ),
  bus: Flag.Literals("bus", ["embedded", "nats"]).pipe(
    Flag.withDescription("embedded: in-process system, no server (default); nats: over a nats-server (started on loopback unless --servers)"),
    Flag.withDefault("embedded" as const),
  ),
  servers: serversFlag,
  sample: intFlagOr("sample", 1, maxSample, "N", "agents sampled by ask", defaultSample),
  to: Flag.String("to").pipe(
    Flag.withSchema(Schema.String.check(Schema.isMaxLength(40))),
    Flag.withMetavar("SCOPE"),
    Flag.withDescription("where delegate sends its task: all, sector-S or cluster-S-C"),
    Flag.optional,
  ),
  stateDir: Flag.String("state-dir").pipe(
    Flag.withSchema(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(4096))),
    Flag.withMetavar("DIR"),
    Flag.withDescription("freeze preserves the frozen state to a file here (0600, directory 0700); thaw reads it back and checks it"),
    Flag.optional,
  ),
  seed: seedFlag,
  sectors: intFlagOr("sectors", 1, 10_000, "S", "sectors of the simulated mesh", 10),
  clusters: intFlagOr("clusters", 1, 1_000, "C", "clusters per sector", 10),
  agentsPerCluster: intFlagOr("agents-per-cluster", 1, 1_000, "A", "agents per cluster", 30),
} as const

type RawConsole = Command.Command.Config.Infer<typeof consoleFlags>

const decode = (o: RawConsole): Result.Result<ConsoleArgs, string> => {
  if (o.sectors * o.clusters * o.agentsPerCluster > maxConsoleAgents) {
    return Result.fail(`--sectors × --clusters × --agents-per-cluster must be at most ${maxConsoleAgents.toLocaleString("en-US")} agents, got ${o.sectors} × ${o.clusters} × ${o.agentsPerCluster}`)
  }
  let to: ConsoleScope | undefined
  if (Option.isSome(o.to)) {
    const s = parseScope(o.to.value, "--to")
    if (Result.isFailure(s)) return Result.fail(s.failure.message)
    to = s.success
  }
  const c = parseWords(o.words, { sample: o.sample, ...(to !== undefined ? { to } : {}) })
  if (Result.isFailure(c)) return Result.fail(c.failure.message)
  const servers = Option.isSome(o.servers) ? o.servers.value.split(",") : undefined
  return Result.succeed({
    commands: c.success,
    bus: servers !== undefined ? "nats" : o.bus,
    servers,
    seed: o.seed,
    stateDir: Option.getOrUndefined(o.stateDir),
    shape: { sectors: o.sectors, clustersPerSector: o.clusters, agentsPerCluster: o.agentsPerCluster },
  })
}

export const consoleDescription = `The orchestrator's console (seed 002 Part 7): every command is signed with
  the orchestrator's Ed25519 key and verified by the system before it acts.
  Commands: status [SCOPE]; broadcast MESSAGE; ask QUESTION [--sample N];
  delegate TASK --to SCOPE; heal|freeze|thaw|route-around|stuck|reassign
  [SCOPE];
  advance N (let the simulated agents report N rounds). SCOPE is all,
  sector-S or cluster-S-C. Anything else is read as a conversational line
  ("what's the status of sector 7", "route around slow agents", "show me what
  they are stuck on", "freeze sector 3"); ';' separates several commands,
  run in order against one system. Exit 0 when every command ran, 1 when the
  system refused one, 2 on bad input (nothing is started).`

/** `console`, with `handler` run on the decoded arguments. */
export const consoleCommand = <E, R>(handler: (a: ConsoleArgs) => Effect.Effect<void, E, R>) =>
  Command.make("console", consoleFlags, (o) => handler(Result.getOrThrow(decode(o)))).pipe(
    Command.validate((o) => {
      const d = decode(o)
      return Result.isFailure(d) ? invalidCombination(d.failure) : Effect.void
    }),
    Command.withDescription(consoleDescription),
  )
