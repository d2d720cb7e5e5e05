/**
 * `hydrogen console serve`: opens a console session (the embedded system, or
 * one over NATS) and serves the web console (src/Console/Web.ts) for it on
 * 127.0.0.1 until SIGINT/SIGTERM, which close the server, the session and
 * any nats-server it started. The login token comes from the environment
 * (HYDROGEN_CONSOLE_TOKEN: a flag's value would show in `ps`), or is
 * generated and printed once.
 *
 * @module
 */
import { Effect, Option } from "effect"
import * as Result from "effect/Result"
import { Command } from "effect/cli"
import { exitCodes, type Io, intFlagOr, invalidCombination } from "../Cli/Flags.ts"
import type { Outcome } from "../Cli/Invoke.ts"
import { consoleFlags, maxConsoleAgents } from "./CliOptions.ts"

/** The environment variable the login token is read from. */
export const tokenVariable = "HYDROGEN_CONSOLE_TOKEN"

export const serveFlags = {
  port: intFlagOr("port", 0, 65_535, "N", "port on 127.0.0.1 (0: a free one, printed)", 0),
  tick: intFlagOr("tick-ms", 0, 60_000, "MS", "the simulated agents report every MS ms (0: only on 'advance')", 1000),
  bus: consoleFlags.bus,
  servers: consoleFlags.servers,
  seed: consoleFlags.seed,
  sectors: consoleFlags.sectors,
  clusters: consoleFlags.clusters,
  agentsPerCluster: consoleFlags.agentsPerCluster,
} as const

type RawServe = Command.Command.Config.Infer<typeof serveFlags>

export interface ServeArgs {
  readonly port: number
  readonly tickMs: number
  readonly bus: "embedded" | "nats"
  readonly servers: ReadonlyArray<string> | undefined
  readonly seed: number
  readonly shape: { readonly sectors: number; readonly clustersPerSector: number; readonly agentsPerCluster: number }
  /** From the environment; undefined: generate one. */
  readonly token: string | undefined
}

/** Checks the flags and the token variable; the error names the flag or the variable. */
export const decodeServe = (o: RawServe, env: Readonly<Record<string, string | undefined>>): Result.Result<ServeArgs, string> => {
  if (o.sectors * o.clusters * o.agentsPerCluster > maxConsoleAgents) {
    return Result.fail(`--sectors × --clusters × --agents-per-cluster must be at most ${maxConsoleAgents.toLocaleString("en-US")} agents, got ${o.sectors} × ${o.clusters} × ${o.agentsPerCluster}`)
  }
  const token = env[tokenVariable]
  if (token !== undefined && token !== "" && (token.length < 8 || token.length > 512)) {
    return Result.fail(`${tokenVariable} must hold 8 to 512 characters, got ${token.length}`)
  }
  const servers = Option.isSome(o.servers) ? o.servers.value.split(",") : undefined
  return Result.succeed({
    port: o.port,
    tickMs: o.tick,
    bus: servers !== undefined ? "nats" : o.bus,
    servers,
    seed: o.seed,
    shape: { sectors: o.sectors, clustersPerSector: o.clusters, agentsPerCluster: o.agentsPerCluster },
    token: token === "" ? undefined : token,
  })
}

export const serveDescription = `Serves the web console on 127.0.0.1 (--port, default a free one): a page
  with the status box, the live aggregate, sectors, breakers and conflicts,
  updated as they change, and the console's commands (broadcast, ask,
  delegate, heal, freeze, thaw, a conversational line), each signed by the
  orchestrator's key. The page asks for a login token: ${tokenVariable} if set
  (8..512 characters), else one generated and printed. Runs until Ctrl-C.`

/** Opens the session, serves the page, prints where, and holds until interrupted. */
export const runServe = (io: Io, outcome: Outcome) => (a: ServeArgs) =>
  Effect.scoped(
    Effect.gen(function* () {
      const { makeConsoleSession } = yield* Effect.promise(() => import("./Session.ts"))
      const { webConsole } = yield* Effect.promise(() => import("./Web.ts"))
      const { sessionBackend } = yield* Effect.promise(() => import("./WebBackend.ts"))
      const session = yield* makeConsoleSession({
        bus: a.bus,
        ...(a.servers !== undefined ? { servers: a.servers } : {}),
        system: { shape: a.shape, seed: a.seed },
        ...(a.tickMs > 0 ? { tickMs: a.tickMs } : {}),
      })
      const web = yield* webConsole(sessionBackend(session), { port: a.port, ...(a.token !== undefined ? { token: a.token } : {}) })
      const bus = session.bus === "nats" ? `NATS ${session.servers.join(",")}` : "embedded"
      // The token line first: whoever waits for the URL line then has both.
      io.out(a.token === undefined ? `login token: ${web.token}\n` : `login token: from ${tokenVariable}\n`)
      io.out(`hydrogen console serve: ${web.url} (system: ${bus}; Ctrl-C stops)\n`)
      return yield* Effect.never
    }),
  ).pipe(
    Effect.catch((e) =>
      Effect.sync(() => {
        io.err(`hydrogen console serve: ${e.message}\n`)
        outcome.code = exitCodes.failed
      }),
    ),
  )

/** `serve`, with `handler` run on the decoded arguments (the token from `env`). */
export const serveCommand = <E, R>(handler: (a: ServeArgs) => Effect.Effect<void, E, R>, env: Readonly<Record<string, string | undefined>> = process.env) =>
  Command.make("serve", serveFlags, (o) => handler(Result.getOrThrow(decodeServe(o, env)))).pipe(
    Command.validate((o) => {
      const d = decodeServe(o, env)
      return Result.isFailure(d) ? invalidCombination(d.failure) : Effect.void
    }),
    Command.withDescription(serveDescription),
  )
