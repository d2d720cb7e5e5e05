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
import type { NatsCredentials } from "../Net/Nats.ts"
import { parseSigners, type Signers } from "../Trust/ProcessTrust.ts"

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
  /** Signed runs: every signer of the run and the levels it hosts (src/Trust/ProcessTrust.ts). */
  signers: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(8192))),
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
  /** Signed run: the signers table; this process signs as `<prefix>-<name>` (src/Trust/ProcessTrust.ts). */
  readonly signers?: Signers
  /** Authenticated bus: the NKEY seed (`HYDROGEN_NATS_NKEY_SEED`) and TLS files (`HYDROGEN_NATS_CA`, `_CERT`, `_KEY`). */
  readonly credentials?: NatsCredentials
}

const argKeys = ["servers", "agents", "branching", "seed", "prefix", "name", "coordinators", "signers"] as const

/** The argv of a child for `config` (the token goes in its environment, see `decodeProcessConfig`). */
export const encodeProcessArgs = (config: Omit<CoordinatorProcessConfig, "token" | "signers" | "credentials"> & { readonly signers?: string }): ReadonlyArray<string> => [
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
  ...(config.signers === undefined ? [] : ["--signers", config.signers]),
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
  let signers: Signers | undefined
  if (a.signers !== undefined) {
    const sg = parseSigners(a.signers, "--signers")
    if (Result.isFailure(sg)) issues.push(sg.failure.message)
    else signers = sg.success
  }
  const credentials = decodeCredentials(env, issues)
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
    ...(signers === undefined ? {} : { signers }),
    ...(credentials === undefined ? {} : { credentials }),
  })
}

/** The environment a child needs for `credentials` (secrets stay off the command line). */
export const credentialsEnv = (c: NatsCredentials | undefined): Record<string, string> => ({
  ...(c?.nkeySeed === undefined ? {} : { HYDROGEN_NATS_NKEY_SEED: new TextDecoder().decode(c.nkeySeed) }),
  ...(c?.tls === undefined
    ? {}
    : { HYDROGEN_NATS_CA: c.tls.caFile, ...(c.tls.certFile === undefined ? {} : { HYDROGEN_NATS_CERT: c.tls.certFile }), ...(c.tls.keyFile === undefined ? {} : { HYDROGEN_NATS_KEY: c.tls.keyFile }) }),
})

const decodeCredentials = (env: Readonly<Record<string, string | undefined>>, issues: string[]): NatsCredentials | undefined => {
  const seed = env["HYDROGEN_NATS_NKEY_SEED"]
  const ca = env["HYDROGEN_NATS_CA"]
  const cert = env["HYDROGEN_NATS_CERT"]
  const key = env["HYDROGEN_NATS_KEY"]
  // an NKEY user seed: "SU" and 56 more base32 characters
  if (seed !== undefined && !/^SU[A-Z2-7]{56}$/.test(seed)) issues.push("HYDROGEN_NATS_NKEY_SEED: expected an NKEY user seed (SU…, 58 characters)")
  if (ca === undefined && (cert !== undefined || key !== undefined)) issues.push("HYDROGEN_NATS_CERT / _KEY need HYDROGEN_NATS_CA")
  if ((cert === undefined) !== (key === undefined)) issues.push("HYDROGEN_NATS_CERT and HYDROGEN_NATS_KEY go together")
  if (seed === undefined && ca === undefined) return undefined
  return {
    ...(seed === undefined ? {} : { nkeySeed: new TextEncoder().encode(seed) }),
    ...(ca === undefined ? {} : { tls: { caFile: ca, ...(cert === undefined ? {} : { certFile: cert }), ...(key === undefined ? {} : { keyFile: key }) } }),
  }
}
