/**
 * The console's commands (seed 002 Part 7.1) as data, their scopes, and the
 * schema every command is decoded with where it crosses a boundary (the bus,
 * the command line, the web page). Sectors and clusters are numbered from 1,
 * as the seed writes them ("sector 7", "cluster 7-4").
 *
 * @module
 */
import { Data, Schema, SchemaIssue } from "effect"
import * as Result from "effect/Result"

const positive = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1_000_000 }))
const text = (max: number) => Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(max))

/** Where a command applies: the whole mesh, one sector, or one cluster of a sector. */
export const ConsoleScope = Schema.Union([
  Schema.Struct({ kind: Schema.Literal("all") }),
  Schema.Struct({ kind: Schema.Literal("sector"), sector: positive }),
  Schema.Struct({ kind: Schema.Literal("cluster"), sector: positive, cluster: positive }),
])
export type ConsoleScope = typeof ConsoleScope.Type

export const everywhere: ConsoleScope = { kind: "all" }

/** Largest `ask --sample`. */
export const maxSample = 100_000
export const defaultSample = 100
/** Largest `advance`. */
export const maxRounds = 10_000

const scoped = <T extends string>(tag: T) => Schema.Struct({ _tag: Schema.Literal(tag), scope: ConsoleScope })

/** Every command the console sends; one schema per command. */
export const ConsoleCommand = Schema.Union([
  scoped("Status"),
  Schema.Struct({ _tag: Schema.Literal("Broadcast"), message: text(2000) }),
  Schema.Struct({
    _tag: Schema.Literal("Ask"),
    question: text(2000),
    sample: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: maxSample })),
    scope: ConsoleScope,
  }),
  Schema.Struct({ _tag: Schema.Literal("Delegate"), task: text(2000), to: ConsoleScope }),
  scoped("Heal"),
  scoped("Freeze"),
  scoped("Thaw"),
  // the conversational line's "route around slow agents" and "what are they stuck on"
  scoped("RouteAround"),
  scoped("Stuck"),
  // the seed's "Do it": move the stuck agents' tasks to reachable, fast agents and reset the stuck ones
  scoped("Reassign"),
  // lets the simulated agents report for some rounds (the embedded system has no clock of its own)
  Schema.Struct({ _tag: Schema.Literal("Advance"), rounds: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: maxRounds })) }),
])
export type ConsoleCommand = typeof ConsoleCommand.Type
export type CommandTag = ConsoleCommand["_tag"]

/** The command names as typed on the command line. */
export const commandWords = ["status", "broadcast", "ask", "delegate", "heal", "freeze", "thaw", "route-around", "stuck", "reassign", "advance"] as const
export type CommandWord = (typeof commandWords)[number]

/** A scope as text: `all`, `sector-7`, `cluster-7-4`. */
export const formatScope = (s: ConsoleScope): string =>
  s.kind === "all" ? "all" : s.kind === "sector" ? `sector-${s.sector}` : `cluster-${s.sector}-${s.cluster}`

/** A scope word that is not one of the accepted forms. */
export class BadScope extends Data.TaggedError("BadScope")<{ readonly where: string; readonly got: string }> {
  override get message(): string {
    return `${this.where}: expected all, sector-S or cluster-S-C (S, C from 1), got ${JSON.stringify(this.got)}`
  }
}

/** Reads `all`, `sector-7` / `sector 7` / `7`, `cluster-7-4` / `7-4`. */
export const parseScope = (raw: string, where: string): Result.Result<ConsoleScope, BadScope> => {
  const t = raw.trim().toLowerCase()
  if (t === "all" || t === "everything" || t === "mesh") return Result.succeed(everywhere)
  const n = (s: string) => Number.parseInt(s, 10)
  const sec = /^(?:sector[- ]?)?0*([1-9][0-9]{0,5})$/.exec(t)
  if (sec !== null) return Result.succeed({ kind: "sector", sector: n(sec[1]!) })
  const cl = /^(?:cluster[- ]?)?0*([1-9][0-9]{0,5})[-/.]0*([1-9][0-9]{0,5})$/.exec(t)
  if (cl !== null) return Result.succeed({ kind: "cluster", sector: n(cl[1]!), cluster: n(cl[2]!) })
  return Result.fail(new BadScope({ where, got: raw }))
}

/** A command that does not decode: which field, and what is wrong with it. */
export class BadCommand extends Data.TaggedError("BadCommand")<{ readonly where: string; readonly problem: string }> {
  override get message(): string {
    return `bad command: ${this.where}: ${this.problem}`
  }
}

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

/** Decodes an unknown value as a command; the first issue names its path under `where`. */
export const decodeCommand = (raw: unknown, where = "command"): Result.Result<ConsoleCommand, BadCommand> => {
  const r = Schema.decodeUnknownResult(ConsoleCommand)(raw, { errors: "all", onExcessProperty: "error" })
  if (Result.isSuccess(r)) return Result.succeed(r.success)
  const issues = formatIssues(r.failure.issue).issues
  const first = issues.find((i) => !i.message.includes("excess property")) ?? issues[0]
  const path = first?.path !== undefined && first.path.length > 0 ? `${where}.${first.path.map(String).join(".")}` : where
  return Result.fail(new BadCommand({ where: path, problem: first?.message ?? "invalid" }))
}

/** The command as one line of text (what the status log and replies echo). */
export const describeCommand = (c: ConsoleCommand): string => {
  switch (c._tag) {
    case "Broadcast":
      return `broadcast ${JSON.stringify(c.message)}`
    case "Ask":
      return `ask ${JSON.stringify(c.question)} --sample ${c.sample}${c.scope.kind === "all" ? "" : ` --scope ${formatScope(c.scope)}`}`
    case "Delegate":
      return `delegate ${JSON.stringify(c.task)} --to ${formatScope(c.to)}`
    case "RouteAround":
      return `route-around ${formatScope(c.scope)}`
    case "Advance":
      return `advance ${c.rounds}`
    default:
      return `${c._tag.toLowerCase()} ${formatScope(c.scope)}`
  }
}
