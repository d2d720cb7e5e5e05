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
 * children that outlive `stop` by 5 s (SIGTERM, then SIGKILL), on failure, on
 * interruption (the children are resources of the run's scope), and when Node exits.
 *
 * Signed runs (`sign`, src/Trust/ProcessTrust.ts): every process draws its own
 * Ed25519 key and publishes it to the key registry (JetStream KV) before it
 * says ready; the parent hands each child the signers table (`--signers`,
 * ids fresh per run) and, for an authenticated bus, its credentials in the
 * environment. Every UpBatch, Up and Down is sealed by its sender and opened
 * (verified, per tier) by its receiver before it acts; each child reports its
 * verifier's counters in its `done`.
 *
 * Files: this one is the parent's configuration of the round driver
 * (src/Tree/Round.ts); the children as one `Level` in ProcessGroup.ts; a
 * child's side in ProcessChild.ts; plans, errors and the child's arguments in
 * ProcessPlan.ts; control messages in Control.ts.
 *
 * @module
 */
import { Effect, type Scope } from "effect"
import * as Result from "effect/Result"
import { type NatsCredentials, natsConnection } from "../Net/Nats.ts"
import { addTrustCounters, processSignerId, type ProcessTrustCounters, type Signers, startProcessTrust } from "../Trust/ProcessTrust.ts"
import type { Transport } from "../Net/Transport.ts"
import { admitOrThrow } from "./Admission.ts"
import { AgentPool } from "./Agents.ts"
import { columnLevel } from "./Level.ts"
import { LocalLevel, type TriggerDelivery } from "./LocalLevel.ts"
import type { Policy } from "./Policy.ts"
import { newControlToken } from "./Control.ts"
import { ProcessGroup } from "./ProcessGroup.ts"
import { defaultMaxProcesses, planProcesses, type ProcessPlan } from "./ProcessPlan.ts"
import { policyProvenance } from "./Provenance.ts"
import { driveRounds, type RoundConfig, type RoundResult } from "./Round.ts"
import { roundStats, type RunTreeResult } from "./Runner.ts"
import { countAt, makeTopology } from "./Topology.ts"

export * from "./ProcessPlan.ts"
export { runCoordinatorProcess } from "./ProcessChild.ts"
export { childNodeFlags, coordinatorProcessEntry } from "./ProcessGroup.ts"

// ---------------------------------------------------------------------------
// Control messages: src/Tree/Control.ts (re-exported here)

export { acceptControl, ControlMessage, controlSubjects, controlTokenPattern, decodeControl, encodeControl, newControlToken } from "./Control.ts"

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
  /** Awaited after every round, outside its counted time (tests inject traffic between rounds). */
  readonly afterRound?: (round: MultiProcessRound) => Promise<void>
  /** The policy the root broadcasts for round `round` (1, 2, …; default: none), sent in the `round` control message. */
  readonly policyFor?: (round: number) => Policy
  /** The triggers the root broadcasts for round `round` (default: none). */
  readonly triggersFor?: (round: number) => ReadonlyArray<number>
  /** The agents of some local coordinators react to a Down's triggers (see `LocalLevel`). */
  readonly onTriggers?: (d: TriggerDelivery) => void
  /** Called with each child's pid once it is ready (tests check they are gone afterwards). */
  readonly onSpawn?: (name: string, pid: number) => void
  /**
   * Signed run (src/Trust/ProcessTrust.ts): every process draws its own Ed25519 key and publishes it to
   * the key registry (JetStream KV: the server needs JetStream); UpBatches, Ups, Downs are sealed by their
   * sender and opened (verified, per tier) by their receiver before it acts. Needs one parent connection.
   */
  readonly sign?: boolean
  /** Authenticated bus (src/Net/Auth.ts): the credentials of every process (the coordinator tier). */
  readonly credentials?: NatsCredentials
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
  /** Signed runs: the verifiers' counters (parent, and each child as last reported), by reason; `refused`: valid signatures from the wrong tier. */
  readonly trust?: ProcessTrustCounters
}

/**
 * Runs the tree with every upper level in its own OS process (see the module
 * doc) for `rounds` driven rounds and gives the same statistics as `runTree`.
 * Needs at least one level above the local level.
 *
 * Scoped: the parent's NATS connections and the coordinator processes are
 * resources of the caller's scope; when it closes (the run ended, failed or
 * was interrupted) the children are stopped (politely, then SIGTERM, then
 * SIGKILL) and the connections closed. The round driver itself stays a
 * Promise loop (src/Tree/Round.ts, the hot path), run inside this Effect.
 */
export const treeMultiProcess = (opts: MultiProcessOptions): Effect.Effect<MultiProcessResult, unknown, Scope.Scope> =>
  Effect.gen(function* () {
    if (!Number.isSafeInteger(opts.rounds) || opts.rounds < 1) return yield* Effect.fail(new RangeError(`runTreeMultiProcess: rounds must be an integer >= 1, got ${opts.rounds}`))
    const prefix = opts.prefix ?? "h"
    const t = makeTopology(opts.agents, opts.branching, prefix)
    if (t.levels < 2) return yield* Effect.fail(new RangeError(`runTreeMultiProcess: ${t.agents} agents with branching ${t.branching} have no level above the local one; use runTree`))
    const servers = typeof opts.servers === "string" ? [opts.servers] : [...opts.servers]
    const seed = opts.seed ?? 1
    const roundTimeoutMs = opts.roundTimeoutMs ?? 60_000
    const plans = planProcesses(t, opts.maxProcesses ?? defaultMaxProcesses)
    const nConns = Math.max(1, Math.min(opts.parentConnections ?? 1, countAt(t, 1)))
    if (opts.sign === true && nConns > 1) return yield* Effect.fail(new RangeError("runTreeMultiProcess: a signed run seals UpBatches, which need one parent connection"))
    // who signs which levels: the parent the local level, each child its plan's levels; ids fresh per run
    // (a record left in the registry by an earlier run on the same server is never taken for this one's)
    const runId = newControlToken().slice(0, 8)
    const signers: Signers | undefined =
      opts.sign === true
        ? [
            { id: processSignerId(prefix, `${runId}-local`), lo: 1, hi: 1 },
            ...plans.map((p) => ({ id: processSignerId(prefix, `${runId}-${p.name}`), lo: p.groups[0]!.level, hi: p.groups[p.groups.length - 1]!.level })),
          ]
        : undefined
    // refuse what this machine cannot hold before spawning or connecting anything (AdmissionRefused)
    yield* Effect.try({
      try: () => admitOrThrow({ mode: "multi-process", agents: t.agents, branching: t.branching, parentConnections: nConns, childLevels: plans.map((p) => p.groups.map((g) => g.level)) }),
      catch: (e) => e,
    })
    const token = newControlToken()
    const tSetup = performance.now()
    const agents = new AgentPool(t.agents, seed)
    const conns: ReadonlyArray<Transport> = yield* Effect.forEach(Array.from({ length: nConns }, (_, i) => i), (i) =>
      natsConnection({ servers, name: `${prefix}-parent-${i}`, noRandomize: true, ...(opts.credentials === undefined ? {} : { credentials: opts.credentials }) }),
    )
    // the parent's key is in the registry before any child looks for it
    const trust =
      signers === undefined
        ? undefined
        : yield* Effect.flatMap(
            Effect.promise(() => startProcessTrust({ transport: conns[0]!, prefix, id: signers[0]!.id, signers, wait: false })),
            (r) => (Result.isFailure(r) ? Effect.fail(r.failure) : Effect.succeed(r.success)),
          )
    const ctlConn = conns[0]!
    const processes = new ProcessGroup({
      topology: t,
      plans,
      servers,
      seed,
      token,
      control: ctlConn,
      ...(opts.nodePath === undefined ? {} : { nodePath: opts.nodePath }),
      ...(opts.nodeFlags === undefined ? {} : { nodeFlags: opts.nodeFlags }),
      ...(signers === undefined ? {} : { signers }),
      ...(opts.credentials === undefined ? {} : { credentials: opts.credentials }),
    })
    for (const c of conns) c.onReconnect?.(() => processes.noteReconnect())
    // Every local coordinator in one LocalLevel (columns, three wildcard subscriptions); with several
    // connections, local i publishes on connection i mod nConns.
    const nLocals = countAt(t, 1)
    const level = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const l = new LocalLevel({
          topology: t,
          agents,
          transport: ctlConn,
          ...(nConns > 1 ? { publishers: Array.from({ length: nLocals }, (_, i) => conns[i % nConns]!) } : {}),
          ...(opts.onTriggers === undefined ? {} : { onTriggers: opts.onTriggers }),
          ...(trust === undefined ? {} : { sealUp: trust.seal, openDown: trust.openDown(1) }),
        })
        l.start()
        return l
      }),
      // closing the connections drops its subscriptions
      (l) => Effect.sync(() => l.stopClock()),
    )
    yield* Effect.tryPromise({ try: () => Promise.all(conns.map((c) => c.flush())), catch: (e) => e })
    yield* processes.spawnScoped()
    yield* processes.readyEffect(opts.readyTimeoutMs ?? 60_000)
    // each child published its key before it said ready
    if (trust !== undefined) {
      const resolved = yield* Effect.promise(() => trust.resolveSigners())
      if (Result.isFailure(resolved)) return yield* Effect.fail(resolved.failure)
    }
    for (const p of processes.processes()) opts.onSpawn?.(p.name, p.pid)
    const setupMs = performance.now() - tSetup

    // The round driver's configuration (src/Tree/Round.ts): the local column here, the coordinator processes as one level above it.
    let resends = 0
    const config: RoundConfig = {
      agentCount: t.agents,
      agents: columnLevel(level),
      above: [processes],
      start: (policy, triggers) => processes.startRound(policy, triggers),
      root: () => processes.root(),
      expected: () => agents.directFold(),
      // the upper coordinators are in other processes: compared with what the root was told to broadcast
      provenance: (epoch, policy) => policyProvenance({ epoch, policy }, level),
      lastReconnectAt: () => processes.lastReconnectAt,
      onResend: () => void resends++,
      timedOut: (ms, what) => processes.timedOut(ms, what),
      failed: processes.failed,
    }
    const tRun = performance.now()
    const results = yield* Effect.tryPromise({
      try: () =>
        driveRounds(config, () => processes.currentRound + 1, {
          rounds: opts.rounds,
          roundTimeoutMs,
          ...(opts.policyFor === undefined ? {} : { policyFor: opts.policyFor }),
          ...(opts.triggersFor === undefined ? {} : { triggersFor: opts.triggersFor }),
          ...(opts.onRound === undefined ? {} : { onRound: (rs) => opts.onRound!(rs[rs.length - 1]!) }),
          ...(opts.afterRound === undefined ? {} : { afterRound: opts.afterRound }),
        }),
      catch: (e) => e,
    })
    const elapsedMs = performance.now() - tRun
    const cs = processes.counters()
    return {
      ...roundStats(t, results),
      rejectedTotal: level.counters.rejected + cs.rejected,
      versionRejected: level.counters.versionRejected + cs.versionRejected,
      exactRounds: results.filter((x) => x.exact).length,
      controlRejected: processes.controlRejected + cs.controlRejected,
      internalErrors: level.counters.internalErrors + cs.internalErrors,
      triggersDelivered: level.triggersDelivered,
      reconnects: processes.reconnects,
      resends,
      allExact: results.every((x) => x.exact),
      elapsedMs,
      setupMs,
      processes: processes.processes(),
      controlMessagesPerRound: 1 + processes.size,
      ...(trust === undefined ? {} : { trust: childTrust(trust.counters(), processes.trustCounters()) }),
    }
  })

const childTrust = (parent: ProcessTrustCounters, children: ProcessTrustCounters | undefined): ProcessTrustCounters =>
  children === undefined ? parent : addTrustCounters(parent, children)

/** `treeMultiProcess` in a scope of its own, for Promise callers: every child and connection is gone when it settles. */
export const runTreeMultiProcess = (opts: MultiProcessOptions): Promise<MultiProcessResult> => Effect.runPromise(Effect.scoped(treeMultiProcess(opts)))
