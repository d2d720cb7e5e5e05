/**
 * `hydrogen console`: opens a session (Session.ts) on the embedded system or
 * over NATS, runs the decoded commands in order and prints each answer. A
 * command the system refuses stops the run with exit 1.
 *
 * @module
 */
import { Effect } from "effect"
import { exitCodes, type Io } from "../Cli/Flags.ts"
import type { Outcome } from "../Cli/Invoke.ts"
import type { ConsoleArgs } from "./CliOptions.ts"
import { describeCommand } from "./Command.ts"
import { makeConsoleSession } from "./Session.ts"

export const runConsole = (io: Io, outcome: Outcome) => (a: ConsoleArgs) =>
  Effect.scoped(
    Effect.gen(function* () {
      const session = yield* makeConsoleSession({
        bus: a.bus,
        ...(a.servers !== undefined ? { servers: a.servers } : {}),
        system: { shape: a.shape, seed: a.seed, ...(a.stateDir !== undefined ? { stateDir: a.stateDir } : {}) },
      })
      if (a.bus === "nats") io.out(`bus: nats ${session.servers.join(",")}\n`)
      for (const command of a.commands) {
        if (a.commands.length > 1) io.out(`> ${describeCommand(command)}\n`)
        const reply = yield* session.run(command)
        io.out(reply.text)
      }
      const c = yield* session.counters
      io.out(`signed commands: ${c.executed + c.failed} verified, ${session.orchestrator.record.id} (Ed25519, key revision ${session.orchestrator.record.revision})\n`)
      outcome.code = exitCodes.ok
    }),
  ).pipe(
    Effect.catch((e) =>
      Effect.sync(() => {
        io.err(`hydrogen console: ${e.message}\n`)
        outcome.code = exitCodes.failed
      }),
    ),
  )
