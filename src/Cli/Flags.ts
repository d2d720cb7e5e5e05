/**
 * What every `hydrogen` command shares: where output goes (`Io`), typed flags
 * for Effect's CLI module (whole numbers with their range, the seed, the NATS
 * server list), the text of parse errors, and number formatting.
 *
 * Commands import this module, never `Main.ts` (which imports the commands).
 */
import { Effect, Option, Schema, SchemaTransformation } from "effect"
import { CliError, Flag, type HelpDoc } from "effect/cli"

// ---------------------------------------------------------------------------
// Shared formatting

export const fmt = (x: number | bigint): string => x.toLocaleString("en-US")
export const ms = (x: number): string => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0))

/** Label of coordinator level `i` (0-based) of `count` levels. */
export const levelLabel = (i: number, count: number): string =>
  count === 1 ? "local, root" : i === 0 ? "local" : i === count - 1 ? "root" : "intermediate"

/** Where a command writes; each call is one chunk of text (usually ending in a newline). */
export interface Io {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
}

export type Either<E, A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly errors: ReadonlyArray<E> }

/** Exit codes: success, a check failed (or the run failed), bad arguments, and the two signals. */
export const exitCodes = { ok: 0, failed: 1, usage: 2, sigint: 130, sigterm: 143 } as const

export const maxAgents = 10 ** 15
export const maxBranching = 10 ** 6
export const maxLeaves = 10 ** 8
export const maxSeed = 2 ** 32 - 1
export const maxRounds = 10 ** 6

/** A whole number written in decimal digits, decoded to an integer in `[minimum, maximum]`. */
export const IntegerArg = (minimum: number, maximum: number) =>
  Schema.String.check(Schema.isPattern(/^[0-9]+$/, { expected: "a whole number written in decimal digits" })).pipe(
    Schema.decodeTo(
      Schema.Number.check(Schema.isInt(), Schema.isBetween({ minimum, maximum })),
      SchemaTransformation.numberFromString,
    ),
  )

const range = (minimum: number, maximum: number): string => `${fmt(minimum)}..${fmt(maximum)}`

/** A required whole-number flag in `[minimum, maximum]` (decimal digits only: no `1e3`, no sign). */
export const intFlag = (name: string, minimum: number, maximum: number, metavar: string, description: string): Flag.Flag<number> =>
  Flag.String(name).pipe(
    Flag.withSchema(IntegerArg(minimum, maximum)),
    Flag.withMetavar(metavar),
    Flag.withDescription(`${description} (${range(minimum, maximum)})`),
  )

/** `intFlag` with a default used when the flag is left out. */
export const intFlagOr = (name: string, minimum: number, maximum: number, metavar: string, description: string, fallback: number): Flag.Flag<number> =>
  intFlag(name, minimum, maximum, metavar, `${description}, default ${fmt(fallback)}`).pipe(Flag.withDefault(fallback))

/** A boolean switch, false when absent. */
export const switchFlag = (name: string, description: string): Flag.Flag<boolean> =>
  Flag.Boolean(name).pipe(Flag.withDescription(description), Flag.withDefault(false))

export const seedFlag = intFlagOr("seed", 0, maxSeed, "S", "seed of the generated values", 1)

/** `--servers nats://HOST:PORT[,...]`: servers to use instead of starting one. */
export const serversFlag: Flag.Flag<Option.Option<string>> = Flag.String("servers").pipe(
  Flag.withSchema(
    Schema.String.check(Schema.isPattern(/^nats:\/\/[^\s,]+(,nats:\/\/[^\s,]+)*$/, { expected: "nats:// URLs separated by commas" })),
  ),
  Flag.withMetavar("URLS"),
  Flag.withDescription("NATS servers to use (nats://HOST:PORT, comma-separated) instead of starting a nats-server on loopback"),
  Flag.optional,
)

/** A combination of flags the command cannot run, as the CLI's own validation error. */
export const invalidCombination = (message: string): Effect.Effect<never, CliError.CliError> =>
  Effect.fail(new CliError.ValidationError({ message }))

// ---------------------------------------------------------------------------
// Error text: one line per problem, naming the flag (and the command).

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1)

/** The `expected` of an InvalidValue without the CLI's "Schema validation failed:" / "Expected:" prefixes. */
const expectation = (expected: string): string => {
  const s = expected.replace(/^Schema validation failed:\s*/, "").replace(/^Expected:\s*/, "expected ")
  return lowerFirst(s.startsWith("expected") || s.startsWith("Expected") ? s : `expected ${s}`)
}

/**
 * One parse or validation error as a line of text. `command` is the command
 * path (`hydrogen tree`), `help` the command's help (for the flags it accepts).
 */

/** The subcommands of each command with subcommands (the top level under ""), for the unknown-command message. */
const subcommandsOf: Record<string, string> = {
  "": "plan, run, tree, render, view, research, mesh, console or help",
  mesh: "sim or plan",
}

const subcommandMessage = (subcommand: string, parent: ReadonlyArray<string> | undefined): string => {
  const under = parent === undefined || parent.length <= 1 ? "" : parent[parent.length - 1]!
  const expected = subcommandsOf[under]
  return expected === undefined ? `unknown command "${subcommand}"` : `unknown command "${subcommand}"${under === "" ? "" : ` for '${under}'`} (expected ${expected})`
}

export const formatCliError = (e: CliError.CliError, command: string, help: HelpDoc.HelpDoc | undefined): string => {
  switch (e._tag) {
    case "UnrecognizedOption": {
      const known = (help?.flags ?? []).map((f) => `--${f.name}`)
      const hint = e.suggestions.length > 0 ? ` (did you mean ${e.suggestions.join(" or ")}?)` : known.length > 0 ? ` (${command} accepts ${known.join(", ")})` : ""
      return `unknown flag ${e.option} for '${command}'${hint}`
    }
    case "MissingOption":
      return `--${e.option} is required`
    case "InvalidValue":
      if (e.value === "") return `--${e.option} needs a value (${expectation(e.expected)})`
      if (/^\d+ occurrences$/.test(e.value)) return `--${e.option} is given more than once`
      return `--${e.option}: ${expectation(e.expected)}, got "${e.value}"`
    case "UnexpectedArgument":
      return `unexpected argument ${e.arguments.map((a) => `"${a}"`).join(", ")} (flags look like --name value)`
    case "UnknownSubcommand":
      return subcommandMessage(e.subcommand, e.parent)
    case "MissingArgument":
      return `missing argument ${e.argument}`
    case "ValidationError":
      return e.message
    default:
      return e.message
  }
}
