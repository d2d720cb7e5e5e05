/**
 * The multi-process mode's plan (which levels run in which process), its
 * errors, and the coordinator process's configuration: argv / env decoded with
 * Effect Schema and checked against the topology (see src/Tree/Process.ts).
 *
 * @module
 */
import { Data, Schema, SchemaIssue, SchemaTransformation } from "effect"
import * as Result from "effect/Result"
import { maxAgentsInProcess } from "./Agents.ts"
import { controlTokenPattern } from "./Control.ts"
import { countAt, makeTopology, type Topology } from "./Topology.ts"

// ---------------------------------------------------------------------------
// Errors

/** The child's command line / environment does not describe a valid coordinator process. */
export class ProcessConfigError extends Data.TaggedError("ProcessConfigError")<{
  readonly issues: ReadonlyArray<string>
}> {
  override get message(): string {
    return `bad coordinator process configuration: ${this.issues.join("; ")}`
  }
}

/** A coordinator process failed: exited early, reported an error, or was not ready / done in time. */
export class CoordinatorProcessFailed extends Data.TaggedError("CoordinatorProcessFailed")<{
  readonly process: string
  readonly detail: string
  readonly stderr: string
}> {
  override get message(): string {
    const tail = this.stderr.trim()
    return `coordinator process ${this.process} failed: ${this.detail}` + (tail === "" ? "" : `\n--- stderr ---\n${tail}`)
  }
}

// ---------------------------------------------------------------------------
// Plan: which process hosts which coordinators

/** Coordinators `[lo, hi)` of one level. */
export interface CoordinatorGroup {
  readonly level: number
  readonly lo: number
  readonly hi: number
}

export interface ProcessPlan {
  /** Process name (also its NATS connection name), e.g. "levels-2" or "levels-3-5". */
  readonly name: string
  readonly groups: ReadonlyArray<CoordinatorGroup>
}

/** Default cap on child processes. */
export const defaultMaxProcesses = 4

/**
 * One process per upper level (2..L), level 2 first; with more upper levels
 * than `maxProcesses`, the last process takes every remaining (higher, smaller)
 * level. Empty when the tree has no level above the local one.
 */
export const planProcesses = (t: Topology, maxProcesses = defaultMaxProcesses): ReadonlyArray<ProcessPlan> => {
  if (!Number.isSafeInteger(maxProcesses) || maxProcesses < 1) {
    throw new RangeError(`planProcesses: maxProcesses must be an integer >= 1, got ${maxProcesses}`)
  }
  const upper: number[] = []
  for (let l = 2; l <= t.levels; l++) upper.push(l)
  const out: ProcessPlan[] = []
  for (let p = 0; p < Math.min(maxProcesses, upper.length); p++) {
    const levels = p === maxProcesses - 1 ? upper.slice(p) : [upper[p]!]
    const first = levels[0]!
    const last = levels[levels.length - 1]!
    out.push({
      name: first === last ? `levels-${first}` : `levels-${first}-${last}`,
      groups: levels.map((level) => ({ level, lo: 0, hi: countAt(t, level) })),
    })
  }
  return out
}

/** `"2:0-100,3:0-10"` (half-open index ranges). */
export const formatGroups = (groups: ReadonlyArray<CoordinatorGroup>): string =>
  groups.map((g) => `${g.level}:${g.lo}-${g.hi}`).join(",")

// ---------------------------------------------------------------------------
// Child configuration (argv / env, decoded with Schema)

const maxSeed = 2 ** 32 - 1

const IntegerText = (minimum: number, maximum: number) =>
  Schema.String.check(Schema.isPattern(/^[0-9]+$/, { expected: "a whole number written in decimal digits" })).pipe(
    Schema.decodeTo(Schema.Number.check(Schema.isInt(), Schema.isBetween({ minimum, maximum })), SchemaTransformation.numberFromString),
  )

/** The raw (string) configuration of a coordinator process, as Schema decodes it. */
export const CoordinatorProcessArgs = Schema.Struct({
  servers: Schema.String.check(
    Schema.isPattern(/^nats:\/\/[^\s,]+(,nats:\/\/[^\s,]+)*$/, { expected: "nats:// URLs separated by commas" }),
  ),
  agents: IntegerText(1, maxAgentsInProcess),
  branching: IntegerText(2, 10 ** 6),
  seed: IntegerText(0, maxSeed),
  prefix: Schema.String.check(Schema.isPattern(/^[A-Za-z0-9_-]+$/, { expected: "one subject token of [A-Za-z0-9_-]" })),
  name: Schema.String.check(Schema.isPattern(/^[A-Za-z0-9_.-]{1,64}$/, { expected: "a name of [A-Za-z0-9_.-], 1..64 characters" })),
  coordinators: Schema.String.check(
    Schema.isPattern(/^[0-9]+:[0-9]+-[0-9]+(,[0-9]+:[0-9]+-[0-9]+)*$/, { expected: "LEVEL:LO-HI groups separated by commas" }),
  ),
})

/** A decoded, topology-checked coordinator process configuration. */
export interface CoordinatorProcessConfig {
  readonly servers: ReadonlyArray<string>
  readonly agents: number
  readonly branching: number
  readonly seed: number
  readonly prefix: string
  readonly name: string
  readonly groups: ReadonlyArray<CoordinatorGroup>
  /** The run's control token (from `HYDROGEN_CONTROL_TOKEN`; not on the command line). */
  readonly token: string
}

const argKeys = ["servers", "agents", "branching", "seed", "prefix", "name", "coordinators"] as const

/** The argv of a child for `config` (the token goes in its environment, see `decodeProcessConfig`). */
export const encodeProcessArgs = (config: Omit<CoordinatorProcessConfig, "token">): ReadonlyArray<string> => [
  "--servers",
  config.servers.join(","),
  "--agents",
  String(config.agents),
  "--branching",
  String(config.branching),
  "--seed",
  String(config.seed),
  "--prefix",
  config.prefix,
  "--name",
  config.name,
  "--coordinators",
  formatGroups(config.groups),
]

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

/**
 * Decodes a child's argv (`--key value` pairs) with `HYDROGEN_NATS_URL` as the
 * fallback for `--servers` and the control token from `HYDROGEN_CONTROL_TOKEN`
 * (required, 32 hex digits), then checks the groups against the topology:
 * levels 2..L, `0 ≤ lo < hi ≤ count(level)`, no overlap.
 */
export const decodeProcessConfig = (
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>> = {},
): Result.Result<CoordinatorProcessConfig, ProcessConfigError> => {
  const issues: string[] = []
  const raw: Record<string, string> = {}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    const key = a.startsWith("--") ? a.slice(2) : undefined
    if (key === undefined || !(argKeys as ReadonlyArray<string>).includes(key)) {
      issues.push(`unexpected argument ${JSON.stringify(a)}`)
      continue
    }
    const v = argv[i + 1]
    if (v === undefined) {
      issues.push(`--${key} needs a value`)
      continue
    }
    if (key in raw) issues.push(`--${key} given twice`)
    raw[key] = v
    i++
  }
  const envUrl = env["HYDROGEN_NATS_URL"]
  if (raw["servers"] === undefined && envUrl !== undefined) raw["servers"] = envUrl
  const decoded = Schema.decodeUnknownResult(CoordinatorProcessArgs)(raw, { errors: "all" })
  if (Result.isFailure(decoded)) {
    for (const issue of formatIssues(decoded.failure.issue).issues) {
      const key = String(issue.path?.[0] ?? "?")
      issues.push(issue.message === "Missing key" ? `--${key} is required` : `--${key}: ${issue.message}`)
    }
    return Result.fail(new ProcessConfigError({ issues }))
  }
  const token = env["HYDROGEN_CONTROL_TOKEN"]
  if (token === undefined) issues.push("HYDROGEN_CONTROL_TOKEN is required (the run's control token)")
  else if (!controlTokenPattern.test(token)) issues.push("HYDROGEN_CONTROL_TOKEN: expected 32 hex digits")
  if (issues.length > 0 || token === undefined) return Result.fail(new ProcessConfigError({ issues }))
  const a = decoded.success
  const t = makeTopology(a.agents, a.branching, a.prefix)
  const groups: CoordinatorGroup[] = []
  for (const part of a.coordinators.split(",")) {
    const m = /^([0-9]+):([0-9]+)-([0-9]+)$/.exec(part)!
    const g = { level: Number(m[1]), lo: Number(m[2]), hi: Number(m[3]) }
    if (g.level < 2 || g.level > t.levels) issues.push(`--coordinators: level ${g.level} is not an upper level (2..${t.levels})`)
    else if (!(g.lo < g.hi && g.hi <= countAt(t, g.level))) {
      issues.push(`--coordinators: range ${g.lo}-${g.hi} of level ${g.level} is not within 0-${countAt(t, g.level)} (or empty)`)
    } else if (groups.some((h) => h.level === g.level && h.lo < g.hi && g.lo < h.hi)) {
      issues.push(`--coordinators: ${part} overlaps another group`)
    }
    groups.push(g)
  }
  if (issues.length > 0) return Result.fail(new ProcessConfigError({ issues }))
  return Result.succeed({
    servers: a.servers.split(","),
    agents: a.agents,
    branching: a.branching,
    seed: a.seed,
    prefix: a.prefix,
    name: a.name,
    groups,
    token,
  })
}
