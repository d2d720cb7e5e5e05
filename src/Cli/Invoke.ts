/**
 * Runs an Effect CLI command on an argument list and turns the outcome into
 * an exit code, writing help and errors through an `Io` (so tests can run the
 * CLI in-process). The CLI module wants a few platform services (file system,
 * terminal, child processes) for features `hydrogen` does not use (prompts,
 * file flags, the wizard); they are provided as stubs, and the only built-in
 * global flag is `--help`.
 */
import { Cause, Effect, Exit, FileSystem, Layer, Path, Stdio, Terminal } from "effect"
import { CliConfig, CliError, CliOutput, Command, GlobalFlag } from "effect/cli"
import { ChildProcessSpawner } from "effect/process"
import { type Either, exitCodes, formatCliError, type Io } from "./Flags.ts"

/** What a command's handler reports back: its exit code. */
export interface Outcome {
  code: number
}

const unused = Effect.die("not used by hydrogen")

const platformStubs = Layer.mergeAll(
  FileSystem.layerNoop({}),
  Path.layer,
  Stdio.layerTest({}),
  Layer.succeed(Terminal.Terminal)(
    Terminal.make({ columns: Effect.succeed(100), rows: Effect.succeed(24), size: unused, readInput: unused, readLine: unused, display: () => Effect.void }),
  ),
  Layer.succeed(ChildProcessSpawner.ChildProcessSpawner)(ChildProcessSpawner.make(() => unused)),
  CliConfig.layer({ builtIns: [GlobalFlag.Help] }),
)

const formatter = CliOutput.defaultFormatter({ colors: false })

export interface PresentOptions {
  /** Text printed for help on the root command (`hydrogen --help`, `hydrogen`). */
  readonly rootHelp: string
}

/** Help to `out`; errors to `err`, one line each naming the command, then where to find usage. */
const presenter = (io: Io, o: PresentOptions): CliOutput.Presenter => ({
  present: (event) =>
    Effect.sync(() => {
      switch (event._tag) {
        case "Help":
          io.out(event.commandPath.length <= 1 ? o.rootHelp : formatter.formatHelpDoc(event.helpDoc) + "\n")
          return
        case "InvalidInvocation": {
          const command = event.commandPath.join(" ")
          for (const e of event.errors) for (const line of formatCliError(e, command, event.helpDoc).split("\n")) io.err(`${command}: ${line}\n`)
          io.err(`Run '${event.commandPath.length > 1 ? `${command} --help` : "hydrogen help"}' for usage${event.commandPath.length > 1 ? " ('hydrogen help' for every command)" : ""}.\n`)
          return
        }
        case "Version":
          io.out(`${event.name} ${event.version}\n`)
          return
      }
    }),
})

export const layer = (io: Io, o: PresentOptions) => Layer.merge(platformStubs, CliOutput.layerPresenter(presenter(io, o)))

/**
 * The exit code of a finished CLI run: the handler's code on success; 2 for a
 * parse error (already printed), 0 for help shown without an error (no
 * command given); 1, with the reason on `err`, for anything else.
 */
export const exitCodeOf = (exit: Exit.Exit<unknown, unknown>, outcome: Outcome, io: Io): number => {
  if (Exit.isSuccess(exit)) return outcome.code
  if (Cause.hasInterruptsOnly(exit.cause)) return outcome.code
  const failure = exit.cause.reasons.find(Cause.isFailReason)?.error
  if (CliError.isCliError(failure)) {
    if (failure._tag === "ShowHelp") return failure.errors.length === 0 ? exitCodes.ok : exitCodes.usage
    io.err(`hydrogen: ${failure.message}\n`)
    return exitCodes.usage
  }
  io.err(`hydrogen: ${Cause.pretty(exit.cause)}\n`)
  return exitCodes.failed
}

/** The command run on `argv` with the stubs and the `Io` presenter. */
export const invokeCommand = <Name extends string, Input, E, R>(
  command: Command.Command<Name, Input, {}, E, R>,
  argv: ReadonlyArray<string>,
  io: Io,
  o: PresentOptions,
) => Command.runWith(command, { version: "0" })(argv).pipe(Effect.provide(layer(io, o))) as Effect.Effect<void, unknown, Exclude<R, Command.Environment>>

/**
 * Decodes `args` with the flags and checks of a command, without running it:
 * the decoded input, or the error lines the CLI would print. For tests and
 * callers that want the options only.
 */
export const decodeArgs =
  // any: the command's own input (raw flags) is not the handler's (resolved options)
  <Input>(make: (handler: (input: Input) => Effect.Effect<void>) => Command.Command<any, any, any, any, any>) =>
  (args: ReadonlyArray<string>): Either<string, Input> => {
    let decoded: { value: Input } | undefined
    let err = ""
    const io: Io = { out: () => undefined, err: (t) => void (err += t) }
    const command = make((input) => Effect.sync(() => void (decoded = { value: input })))
    Effect.runSync(Effect.exit(invokeCommand(command, args, io, { rootHelp: "" })) as Effect.Effect<unknown>)
    if (decoded !== undefined) return { ok: true, value: decoded.value }
    const lines = err.split("\n").filter((l) => l !== "" && !l.startsWith("Run '"))
    return { ok: false, errors: lines.map((l) => l.replace(/^[^:]*: /, "")) }
  }
