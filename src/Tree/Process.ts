/**
 * Multi-process mode of the coordinator tree: the coordinators of every level
 * above the local level run in separate OS processes that talk to the rest
 * only through NATS.
 *
 * Split (chosen for a 2-core machine, see `planProcesses`):
 *   - the parent process hosts the agent pool and every local coordinator
 *     (level 1): that is where the agents' values live, so folding them stays
 *     in memory (the agents' reports are not bus messages, as in `runTree`);
 *   - one child process per upper level, level 2 first. Level 2 is the busy
 *     one (it receives n/k Ups per round, k times more than level 3), so it
 *     gets a process of its own; when there are more upper levels than
 *     `maxProcesses` (default 4) the highest levels, which hold k, k², …
 *     times fewer coordinators, share the last process. On 2 cores more
 *     processes would only time-share, and one process per coordinator would
 *     mean thousands of Node processes.
 *   Every child opens one NATS connection shared by all its coordinators; the
 *   parent opens `parentConnections` (default 1) for the local coordinators.
 *
 * A child gets its configuration on the command line (`--servers`, `--agents`,
 * `--branching`, `--seed`, `--prefix`, `--name`, `--coordinators
 * LEVEL:LO-HI,…`; `HYDROGEN_NATS_URL` stands in for `--servers`), decoded with
 * Effect Schema and checked against the topology; a bad configuration is a
 * `ProcessConfigError` and exit code 2 (src/Tree/CoordinatorProcess.ts).
 *
 * Control protocol (JSON on `<prefix>.ctl.*`, decoded with Schema; not counted
 * as tree messages). Every control message carries the run's token: 128
 * random bits the parent draws per run and gives each child in its
 * environment (`HYDROGEN_CONTROL_TOKEN`, so not on a `ps` listing). A message
 * that does not decode, lacks the token, names an unknown process or an
 * epoch out of turn is ignored and counted (`controlRejected`), never acted
 * on, so a stray publisher on the bus cannot stop, fail or drive a run. What
 * it does not stop: anyone who can subscribe to `<prefix>.ctl.>` reads the
 * token in the clear and can forge from then on (there are no signatures
 * yet; another issue adds them).
 *   child → parent  `ready`   after its coordinators subscribed (and the server has the subscriptions)
 *   parent → child  `round`   epoch e, and the Down's policy bytes and triggers when there are
 *                             any: the process hosting the root broadcasts Down e with them; every
 *                             coordinator ticks once all its children reported epoch e
 *   child → parent  `done`    after every coordinator of the process ticked for e: its
 *                             cumulative publish counters, and the root's summary if it hosts it
 *   parent → child  `stop`    unsubscribe, close, exit 0
 *   child → parent  `failed`  a fatal error (the parent then kills every child)
 * After a reconnect (a restarted nats-server, a lost cluster node) a child
 * says `ready` again; after that, or a reconnect of its own clients, the
 * parent publishes the round's `round` again while it waits; a child that
 * already has that round re-sends its coordinators' latest Downs and Ups and
 * its `done` (versions and the epoch check make the repeats harmless). Child
 * `i` dials server `i + 1` of the list first (the parent the first), so on a
 * cluster the processes spread over the nodes.
 * A child whose stdin closes (the parent died) exits; the parent SIGKILLs
 * children that outlive `stop` by 5 s, on failure, and when Node exits.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { dirname, extname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { Data, Schema, SchemaIssue, SchemaTransformation } from "effect"
import * as Result from "effect/Result"
import { connectNats } from "../Net/Nats.ts"
import type { Transport } from "../Net/Transport.ts"
import { admitOrThrow } from "./Admission.ts"
import { AgentPool, maxAgentsInProcess } from "./Agents.ts"
import { Coordinator, subscribeLevel } from "./Coordinator.ts"
import { LocalLevel, type TriggerDelivery } from "./LocalLevel.ts"
import { encodePolicy, type Policy } from "./Policy.ts"
import { encodeMessage, type MessageKind } from "./Messages.ts"
import { acceptControl, controlSubjects, controlTokenPattern, encodeControl, newControlToken } from "./Control.ts"
import { policyProvenance } from "./Provenance.ts"
import { resendAfterReconnect, type RoundResult, roundStats, type RunTreeResult } from "./Runner.ts"
import { type Summary, summaryEquals } from "./Summary.ts"
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

// ---------------------------------------------------------------------------
// Control messages: src/Tree/Control.ts (re-exported here)

export { acceptControl, ControlMessage, controlSubjects, controlTokenPattern, decodeControl, encodeControl, newControlToken } from "./Control.ts"

const zeroKinds = (): Record<MessageKind, number> => ({ Up: 0, Down: 0, Heartbeat: 0, Lateral: 0 })

const sumPublished = (cs: Iterable<Coordinator>): Record<MessageKind, number> => {
  const out = zeroKinds()
  for (const c of cs) {
    const p = c.counters.published
    out.Up += p.Up
    out.Down += p.Down
    out.Heartbeat += p.Heartbeat
    out.Lateral += p.Lateral
  }
  return out
}

// ---------------------------------------------------------------------------
// The child side

/**
 * Runs one coordinator process until `stop` (resolves 0) or a fatal error
 * (resolves 1 after reporting `failed`). Used by src/Tree/CoordinatorProcess.ts.
 */
export const runCoordinatorProcess = async (config: CoordinatorProcessConfig): Promise<number> => {
  const t = makeTopology(config.agents, config.branching, config.prefix)
  const ctl = controlSubjects(config.prefix)
  // reconnects forever (a restarted server); the process ends with its parent (stdin) anyway
  const transport = await connectNats({ servers: config.servers, name: config.name, noRandomize: true })
  // Each group receives through three wildcard subscriptions (subscribeLevel), not three per coordinator.
  const coordinators: Coordinator[] = []
  const rows: Array<{ readonly group: CoordinatorGroup; readonly row: Coordinator[] }> = []
  for (const g of config.groups) {
    const row: Coordinator[] = []
    for (let i = g.lo; i < g.hi; i++) row.push(new Coordinator({ topology: t, id: { level: g.level, index: i }, transport, subscribe: false }))
    rows.push({ group: g, row })
    for (const c of row) coordinators.push(c) // no spread: a group can hold 10^5 coordinators
  }
  const root = coordinators.find((c) => c.isRoot)
  const token = config.token
  let controlRejected = 0
  let lastRound = 0
  /** The `done` of the last round this process finished, and that round. */
  let lastDone: Uint8Array | undefined
  let lastDoneEpoch = 0
  let finish: (code: number) => void = () => undefined
  const finished = new Promise<number>((r) => {
    finish = r
  })
  const fail = (error: unknown): void => {
    const text = error instanceof Error ? error.message : String(error)
    try {
      transport.publish(ctl.failed, encodeControl({ type: "failed", process: config.name, error: text, token }))
    } catch {
      // the connection is gone; the parent sees the exit code
    }
    finish(1)
  }
  const runRound = async (epoch: number, policy: ReadonlyArray<number>, triggers: ReadonlyArray<number>): Promise<void> => {
    if (root !== undefined) {
      const e = root.broadcast(Uint8Array.from(policy), triggers)
      if (e !== epoch) throw new Error(`root epoch ${e} does not match round epoch ${epoch}`)
    }
    await Promise.all(coordinators.map((c) => c.whenChildrenAt(epoch).then(() => c.tick())))
    let rejected = 0
    let internalErrors = 0
    let versionRejected = 0
    for (const c of coordinators) {
      rejected += c.counters.rejected
      internalErrors += c.counters.internalErrors
      versionRejected += c.counters.versionRejected
    }
    lastDone = encodeControl({
        type: "done",
        process: config.name,
        epoch,
        published: sumPublished(coordinators),
        rejected,
        internalErrors,
        controlRejected,
        versionRejected,
        token,
        ...(root === undefined ? {} : { root: { summary: { ...root.summary }, summaryEpoch: root.summaryEpoch } }),
      })
    lastDoneEpoch = epoch
    transport.publish(ctl.done, lastDone)
  }
  // The parent repeated the round after a reconnect: what was in flight may be lost; send the latest again.
  const resend = (): void => {
    for (const c of coordinators) {
      if (c.isLocal || c.role !== "active" || c.epoch === 0) continue
      transport.publish(c.subjects.down, encodeMessage({ _tag: "Down", from: c.id, epoch: c.epoch, policy: c.policy, triggers: c.triggers }))
    }
    for (const c of coordinators) if (c.summaryEpoch > 0) c.tick()
    if (lastDone !== undefined && lastDoneEpoch === lastRound) transport.publish(ctl.done, lastDone)
  }
  try {
    for (const { group, row } of rows) subscribeLevel(transport, t, group.level, group.lo, row)
    // only the parent's messages, in turn: rounds 1, 2, … once each
    transport.subscribe(ctl.round, (data) => {
      const m = acceptControl(data, token)
      if (m?.type === "round" && m.epoch === lastRound && lastRound > 0) return resend()
      if (m?.type !== "round" || m.epoch !== lastRound + 1) return void controlRejected++
      lastRound = m.epoch
      runRound(m.epoch, m.policy ?? [], m.triggers ?? []).catch(fail)
    })
    transport.subscribe(ctl.stop, (data) => {
      if (acceptControl(data, token)?.type === "stop") finish(0)
      else controlRejected++
    })
    await transport.flush() // the server has every subscription before we say ready
    const ready = encodeControl({ type: "ready", process: config.name, pid: process.pid, coordinators: coordinators.length, token })
    transport.publish(ctl.ready, ready)
    await transport.flush()
    // subscriptions are back on a server: tell the parent, which repeats the round in progress
    transport.onReconnect(() => transport.publish(ctl.ready, ready))
  } catch (e) {
    fail(e)
  }
  const code = await finished
  // Closing the connection drops every subscription at once (unsubscribing one by one costs a flush each).
  for (const c of coordinators) c.stopClock()
  await transport.close().catch(() => undefined)
  return code
}

// ---------------------------------------------------------------------------
// The parent side

export interface MultiProcessOptions {
  readonly agents: number
  readonly branching: number
  readonly rounds: number
  /** NATS server URL(s) every process connects to. */
  readonly servers: string | ReadonlyArray<string>
  /** Seed of the agents' values (default 1). */
  readonly seed?: number
  /** Subject prefix (default "h"); use distinct prefixes for concurrent runs on one server. */
  readonly prefix?: string
  /** Most child processes (default 4; see `planProcesses`). */
  readonly maxProcesses?: number
  /** NATS connections of the parent for its local coordinators (default 1). */
  readonly parentConnections?: number
  /** Give up on a round after this long (default 60 s). */
  readonly roundTimeoutMs?: number
  /** Give up on the children's readiness after this long (default 60 s). */
  readonly readyTimeoutMs?: number
  /** Node binary for the children (default: this Node if ≥ 24, else node_modules/.bin/node). */
  readonly nodePath?: string
  /**
   * V8 flags of the children (default `childNodeFlags`: V8 semi-spaces of at most 4 MiB, a small young generation). A coordinator
   * process allocates its coordinators once at start; with V8's default the young generation then
   * grows to tens of MiB and stays there, most of a child's memory beyond Node's own.
   */
  readonly nodeFlags?: ReadonlyArray<string>
  /** Called after every round. */
  readonly onRound?: (round: MultiProcessRound) => void
  /** The policy the root broadcasts for round `round` (1, 2, …; default: none), sent in the `round` control message. */
  readonly policyFor?: (round: number) => Policy
  /** The triggers the root broadcasts for round `round` (default: none). */
  readonly triggersFor?: (round: number) => ReadonlyArray<number>
  /** The agents of some local coordinators react to a Down's triggers (see `LocalLevel`). */
  readonly onTriggers?: (d: TriggerDelivery) => void
  /** Called with each child's pid once it is ready (tests check they are gone afterwards). */
  readonly onSpawn?: (name: string, pid: number) => void
}

/** One round: the same fields as `runTree`'s rounds. */
export type MultiProcessRound = Pick<
  RoundResult,
  "round" | "aggregate" | "expected" | "exact" | "published" | "messages" | "busPublishes" | "aggregationMessages" | "latencyMs" | "updateMs" | "roundMs" | "provenance"
>

/** The same statistics as `runTree`, plus the process layout. */
export interface MultiProcessResult
  extends Pick<
    RunTreeResult,
    | "topology"
    | "plannedMessagesPerRound"
    | "maxAggregationMessages"
    | "meanMessagesPerRound"
    | "meanBusPublishesPerRound"
    | "bound"
    | "latencyP50Ms"
    | "latencyP95Ms"
    | "latencyMaxMs"
    | "messagesPerSecond"
    | "agentsPerSecond"
    | "rejectedTotal"
    | "versionRejected"
    | "exactRounds"
    | "internalErrors"
    | "triggersDelivered"
    | "reconnects"
    | "resends"
    | "allExact"
    | "elapsedMs"
    | "setupMs"
  > {
  readonly rounds: ReadonlyArray<MultiProcessRound>
  readonly processes: ReadonlyArray<ProcessPlan & { readonly pid: number }>
  /** Control messages per round (1 round + one done per process), not counted in `messages`. */
  readonly controlMessagesPerRound: number
  /** Control messages ignored (malformed, without the run's token, unknown process, out of turn): by the parent and, as last reported, by each child. */
  readonly controlRejected: number
}

const here = dirname(fileURLToPath(import.meta.url))

/** Default V8 flags of the coordinator processes (see `MultiProcessOptions.nodeFlags`). */
export const childNodeFlags: ReadonlyArray<string> = ["--max-semi-space-size=4"]

/** The entry file the children run. */
// `.ts` in the repository (run by type stripping), `.js` in the compiled package (dist/)
export const coordinatorProcessEntry = join(here, `CoordinatorProcess${extname(fileURLToPath(import.meta.url))}`)

const defaultNode = (): string => {
  const major = Number(process.versions.node.split(".")[0])
  if (major >= 24) return process.execPath
  const local = resolve(here, "../../node_modules/.bin/node")
  return existsSync(local) ? local : process.execPath
}

// Children still running when this Node process exits are killed.
const liveChildren = new Set<ChildProcess>()
let exitHook = false
const installExitHook = (): void => {
  if (exitHook) return
  exitHook = true
  process.once("exit", () => {
    for (const c of liveChildren) {
      try {
        c.kill("SIGKILL")
      } catch {
        // gone
      }
    }
  })
}

const exitedChild = (c: ChildProcess): boolean => c.exitCode !== null || c.signalCode !== null

const waitChildExit = (c: ChildProcess, ms: number): Promise<boolean> =>
  exitedChild(c)
    ? Promise.resolve(true)
    : new Promise((r) => {
        const timer = setTimeout(() => {
          c.off("exit", onExit)
          r(false)
        }, ms)
        const onExit = (): void => {
          clearTimeout(timer)
          r(true)
        }
        c.once("exit", onExit)
      })

interface Child {
  readonly plan: ProcessPlan
  readonly proc: ChildProcess
  stderr: string
  ready: boolean
  /** Cumulative counters of its last `done`. */
  published: Record<MessageKind, number>
  rejected: number
  internalErrors: number
  controlRejected: number
  versionRejected: number
  doneEpoch: number
}

/**
 * Runs the tree with every upper level in its own OS process (see the module
 * doc) for `rounds` driven rounds and returns the same statistics as
 * `runTree`. Needs at least one level above the local level.
 */
export const runTreeMultiProcess = async (opts: MultiProcessOptions): Promise<MultiProcessResult> => {
  if (!Number.isSafeInteger(opts.rounds) || opts.rounds < 1) throw new RangeError(`runTreeMultiProcess: rounds must be an integer >= 1, got ${opts.rounds}`)
  const prefix = opts.prefix ?? "h"
  const t = makeTopology(opts.agents, opts.branching, prefix)
  if (t.levels < 2) throw new RangeError(`runTreeMultiProcess: ${t.agents} agents with branching ${t.branching} have no level above the local one; use runTree`)
  const servers = typeof opts.servers === "string" ? [opts.servers] : [...opts.servers]
  const seed = opts.seed ?? 1
  const roundTimeoutMs = opts.roundTimeoutMs ?? 60_000
  const plans = planProcesses(t, opts.maxProcesses ?? defaultMaxProcesses)
  // refuse what this machine cannot hold before spawning or connecting anything (throws AdmissionRefused)
  admitOrThrow({
    mode: "multi-process",
    agents: t.agents,
    branching: t.branching,
    parentConnections: Math.max(1, Math.min(opts.parentConnections ?? 1, countAt(t, 1))),
    childLevels: plans.map((p) => p.groups.map((g) => g.level)),
  })
  const ctl = controlSubjects(prefix)
  const token = newControlToken()
  let controlRejected = 0
  let currentRound = 0
  installExitHook()

  const tSetup = performance.now()
  const agents = new AgentPool(t.agents, seed)
  const conns: Transport[] = []
  const children: Child[] = []
  let local: LocalLevel | undefined
  let failure: CoordinatorProcessFailed | undefined
  let onFailure: (e: CoordinatorProcessFailed) => void = () => undefined
  const failed = new Promise<never>((_, reject) => {
    onFailure = reject
  })
  failed.catch(() => undefined)
  const fail = (e: CoordinatorProcessFailed): void => {
    if (failure !== undefined) return
    failure = e
    onFailure(e)
  }
  let stopping = false
  // Resolvers waiting on control messages.
  let readyWaiter: (() => void) | undefined
  let doneWaiter: (() => void) | undefined
  let rootResult: { readonly epoch: number; readonly summary: Summary; readonly summaryEpoch: number } | undefined

  const byName = new Map<string, Child>()
  // reconnects of the parent's clients and of the children (a repeated `ready`), and the round repeats they caused
  let reconnects = 0
  let resends = 0
  let lastReconnectAt = -Infinity
  // Only the children's messages with this run's token (see the module doc); the rest is counted and ignored.
  const onControl = (data: Uint8Array): void => {
    const m = acceptControl(data, token)
    const c = m !== undefined && "process" in m ? byName.get(m.process) : undefined
    if (m === undefined || c === undefined) return void controlRejected++
    switch (m.type) {
      case "ready": {
        if (c.ready) {
          // again: the child reconnected
          reconnects++
          lastReconnectAt = performance.now()
        }
        c.ready = true
        readyWaiter?.()
        return
      }
      case "done": {
        if (m.epoch !== currentRound) return void controlRejected++
        c.published = { ...m.published }
        c.rejected = m.rejected
        c.internalErrors = m.internalErrors
        c.controlRejected = m.controlRejected ?? 0
        c.versionRejected = m.versionRejected ?? 0
        c.doneEpoch = m.epoch
        if (m.root !== undefined) rootResult = { epoch: m.epoch, summary: m.root.summary, summaryEpoch: m.root.summaryEpoch }
        doneWaiter?.()
        return
      }
      case "failed": {
        fail(new CoordinatorProcessFailed({ process: m.process, detail: `reported: ${m.error}`, stderr: c.stderr }))
        return
      }
      default:
        controlRejected++
        return
    }
  }

  const until = async (cond: () => boolean, set: (w: (() => void) | undefined) => void, ms: number, what: string): Promise<void> => {
    if (cond()) return
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      await Promise.race([
        failed,
        new Promise<void>((resolve, reject) => {
          timer = setTimeout(() => reject(new CoordinatorProcessFailed({ process: "*", detail: `timed out after ${ms} ms waiting for ${what}`, stderr: children.map((c) => c.stderr).join("") })), ms)
          set(() => {
            if (cond()) resolve()
          })
        }),
      ])
    } finally {
      clearTimeout(timer)
      set(undefined)
    }
  }

  const withTimeout = async (p: Promise<unknown>, ms: number, what: string): Promise<void> => {
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      await Promise.race([
        failed,
        p,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new CoordinatorProcessFailed({ process: "*", detail: `timed out after ${ms} ms waiting for ${what}`, stderr: "" })), ms)
        }),
      ])
    } finally {
      clearTimeout(timer)
    }
  }

  const results: MultiProcessRound[] = []
  let tRun = 0
  try {
    const nConns = Math.max(1, Math.min(opts.parentConnections ?? 1, countAt(t, 1)))
    for (let i = 0; i < nConns; i++) conns.push(await connectNats({ servers, name: `${prefix}-parent-${i}`, noRandomize: true }))
    for (const c of conns) {
      c.onReconnect?.(() => {
        reconnects++
        lastReconnectAt = performance.now()
      })
    }
    const ctlConn = conns[0]!
    ctlConn.subscribe(ctl.ready, onControl)
    ctlConn.subscribe(ctl.done, onControl)
    ctlConn.subscribe(ctl.failed, onControl)
    // Every local coordinator in one LocalLevel (columns, three wildcard subscriptions); with several
    // connections, local i publishes on connection i mod nConns.
    const nLocals = countAt(t, 1)
    local = new LocalLevel({
      topology: t,
      agents,
      transport: ctlConn,
      ...(nConns > 1 ? { publishers: Array.from({ length: nLocals }, (_, i) => conns[i % nConns]!) } : {}),
      ...(opts.onTriggers === undefined ? {} : { onTriggers: opts.onTriggers }),
    })
    local.start()
    await Promise.all(conns.map((c) => c.flush()))

    const node = opts.nodePath ?? defaultNode()
    for (const plan of plans) {
      const rotated = servers.map((_, j) => servers[(j + children.length + 1) % servers.length]!)
      const args = encodeProcessArgs({ servers: rotated, agents: t.agents, branching: t.branching, seed, prefix, name: `${prefix}-${plan.name}`, groups: plan.groups })
      const proc = spawn(node, [...(opts.nodeFlags ?? childNodeFlags), coordinatorProcessEntry, ...args], {
        stdio: ["pipe", "ignore", "pipe"],
        env: { ...process.env, HYDROGEN_CONTROL_TOKEN: token },
      })
      liveChildren.add(proc)
      const child: Child = { plan, proc, stderr: "", ready: false, published: zeroKinds(), rejected: 0, internalErrors: 0, controlRejected: 0, versionRejected: 0, doneEpoch: 0 }
      children.push(child)
      byName.set(`${prefix}-${plan.name}`, child)
      proc.stderr?.on("data", (chunk: Buffer) => {
        child.stderr = (child.stderr + chunk.toString("utf8")).slice(-8192)
      })
      proc.once("error", (e) => fail(new CoordinatorProcessFailed({ process: plan.name, detail: `spawn failed: ${e.message}`, stderr: child.stderr })))
      proc.once("exit", (code, signal) => {
        liveChildren.delete(proc)
        if (!stopping) {
          fail(new CoordinatorProcessFailed({ process: plan.name, detail: `exited early (code ${String(code)}, signal ${String(signal)})`, stderr: child.stderr }))
        }
      })
      // stdin stays open; its end tells the child the parent is gone
      proc.stdin?.on("error", () => undefined)
    }
    await until(() => children.every((c) => c.ready), (w) => (readyWaiter = w), opts.readyTimeoutMs ?? 60_000, "every coordinator process to be ready")
    for (const c of children) opts.onSpawn?.(c.plan.name, c.proc.pid ?? -1)
    const setupMs = performance.now() - tSetup

    tRun = performance.now()
    for (let r = 0; r < opts.rounds; r++) {
      const epoch = r + 1
      const level = local
      const beforeLocal = { ...level.counters.published }
      const coalescedBefore = level.counters.coalesced // only the local level batches (coordinator processes send Ups one by one)
      const beforeChildren = children.map((c) => ({ ...c.published }))
      const tStart = performance.now()
      const policy = opts.policyFor === undefined ? undefined : Array.from(encodePolicy(opts.policyFor(epoch)))
      const triggers = opts.triggersFor?.(epoch)
      for (const x of triggers ?? []) {
        if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new RangeError(`runTreeMultiProcess: triggers must be u32, got ${x} in round ${epoch}`)
      }
      currentRound = epoch
      const roundMessage = encodeControl({
        type: "round",
        epoch,
        token,
        ...(policy === undefined || policy.length === 0 ? {} : { policy }),
        ...(triggers === undefined || triggers.length === 0 ? {} : { triggers }),
      })
      ctlConn.publish(ctl.round, roundMessage)
      // after a reconnect: the round again (children re-send), and the local level's latest Ups
      const resend = (): void => {
        resends++
        ctlConn.publish(ctl.round, roundMessage)
        if (level.ticks > 0) level.tickAll()
      }
      let stopResend = resendAfterReconnect(() => lastReconnectAt, tStart, resend)
      let tUpdate: number
      let t0: number
      try {
        await withTimeout(level.whenAllAt(epoch), roundTimeoutMs, `Down epoch ${epoch} to reach every local coordinator`)
        stopResend()
        tUpdate = performance.now()
        level.updateAgents(epoch)
        t0 = performance.now()
        // paced: the Ups leave as they are written instead of queueing n/k of them in the client at once
        await level.tickAllPaced()
        stopResend = resendAfterReconnect(() => lastReconnectAt, tStart, resend)
        await until(
          () => rootResult !== undefined && rootResult.epoch >= epoch && children.every((c) => c.doneEpoch >= epoch),
          (w) => (doneWaiter = w),
          roundTimeoutMs,
          `the root's aggregate for epoch ${epoch}`,
        )
      } finally {
        stopResend()
      }
      const t1 = performance.now()
      const afterLocal = level.counters.published
      const published = zeroKinds()
      for (const k of Object.keys(published) as MessageKind[]) {
        published[k] = afterLocal[k] - beforeLocal[k]
        children.forEach((c, i) => (published[k] += c.published[k] - beforeChildren[i]![k]))
      }
      const aggregate = rootResult!.summary
      const expected = agents.directFold()
      const messages = published.Up + published.Down + published.Heartbeat + published.Lateral
      results.push({
        round: epoch,
        aggregate,
        expected,
        exact: summaryEquals(aggregate, expected) && rootResult!.summaryEpoch >= epoch,
        published,
        messages,
        busPublishes: messages - (level.counters.coalesced - coalescedBefore),
        aggregationMessages: t.agents + published.Up,
        latencyMs: t1 - t0,
        updateMs: t0 - tUpdate,
        roundMs: t1 - tStart,
        // the upper coordinators are in other processes: compared with what the root was told to broadcast
        provenance: policyProvenance({ epoch, policy: Uint8Array.from(policy ?? []) }, level),
      })
      opts.onRound?.(results[results.length - 1]!)
    }
    const elapsedMs = performance.now() - tRun
    let rejectedTotal = 0
    let internalErrors = 0
    rejectedTotal += local.counters.rejected
    internalErrors += local.counters.internalErrors
    let versionRejected = local.counters.versionRejected
    let childControlRejected = 0
    for (const c of children) {
      rejectedTotal += c.rejected
      internalErrors += c.internalErrors
      versionRejected += c.versionRejected
      childControlRejected += c.controlRejected
    }
    return {
      ...roundStats(t, results),
      rejectedTotal,
      versionRejected,
      exactRounds: results.filter((x) => x.exact).length,
      controlRejected: controlRejected + childControlRejected,
      internalErrors,
      triggersDelivered: local.triggersDelivered,
      reconnects,
      resends,
      allExact: results.every((x) => x.exact),
      elapsedMs,
      setupMs,
      processes: children.map((c) => ({ ...c.plan, pid: c.proc.pid ?? -1 })),
      controlMessagesPerRound: 1 + children.length,
    }
  } finally {
    stopping = true
    // Ask politely, then SIGKILL whatever is left (at once after a failure).
    const ctlConn = conns[0]
    if (ctlConn !== undefined && failure === undefined) {
      try {
        ctlConn.publish(ctl.stop, encodeControl({ type: "stop", token }))
        await ctlConn.flush()
      } catch {
        // fall through to the kill
      }
    }
    await Promise.all(
      children.map(async (c) => {
        if (failure === undefined && (await waitChildExit(c.proc, 5_000))) return
        if (!exitedChild(c.proc)) c.proc.kill("SIGKILL")
        await waitChildExit(c.proc, 5_000)
      }),
    )
    for (const c of children) {
      c.proc.stdin?.destroy()
      liveChildren.delete(c.proc)
    }
    local?.stopClock() // closing the connections drops its subscriptions
    await Promise.all(conns.map((c) => c.close().catch(() => undefined)))
  }
}
