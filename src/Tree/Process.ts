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
import { connectNats } from "../Net/Nats.ts"
import type { Transport } from "../Net/Transport.ts"
import { admitOrThrow } from "./Admission.ts"
import { AgentPool } from "./Agents.ts"
import { LocalLevel, type TriggerDelivery } from "./LocalLevel.ts"
import { addKinds, columnLevel, type Level, zeroKinds } from "./Level.ts"
import type { Policy } from "./Policy.ts"
import type { MessageKind } from "./Messages.ts"
import { acceptControl, controlSubjects, encodeControl, newControlToken } from "./Control.ts"
import { CoordinatorProcessFailed, defaultMaxProcesses, encodeProcessArgs, planProcesses, type ProcessPlan } from "./ProcessPlan.ts"
import { policyProvenance } from "./Provenance.ts"
import { driveRounds, type RoundConfig, type RoundResult } from "./Round.ts"
import { roundStats, type RunTreeResult } from "./Runner.ts"
import type { Summary } from "./Summary.ts"
import { countAt, makeTopology } from "./Topology.ts"


export * from "./ProcessPlan.ts"
export { runCoordinatorProcess } from "./ProcessChild.ts"

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

    // The round driver's configuration (src/Tree/Round.ts): the local column here, the coordinator processes as one level above it.
    const level = local
    let roundMessage: Uint8Array | undefined
    const whenDone = (epoch: number): Promise<void> =>
      new Promise((resolve) => {
        const cond = (): boolean => rootResult !== undefined && rootResult.epoch >= epoch && children.every((c) => c.doneEpoch >= epoch)
        if (cond()) return resolve()
        doneWaiter = () => {
          if (!cond()) return
          doneWaiter = undefined
          resolve()
        }
      })
    const processes: Level = {
      waiting: (epoch) => `the root's aggregate for epoch ${epoch}`,
      advance: whenDone,
      published: () => {
        const out = zeroKinds()
        for (const c of children) addKinds(out, c.published)
        return out
      },
      coalesced: () => 0, // coordinator processes send Ups one by one
      // a child that has the round re-sends its latest Downs, Ups and done
      resendDowns: () => {
        if (roundMessage !== undefined) ctlConn.publish(ctl.round, roundMessage)
      },
      resendUps: () => undefined,
    }
    const config: RoundConfig = {
      agentCount: t.agents,
      agents: columnLevel(level),
      above: [processes],
      start: (policy, triggers) => {
        const epoch = currentRound + 1
        for (const x of triggers) {
          if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new RangeError(`runTreeMultiProcess: triggers must be u32, got ${x} in round ${epoch}`)
        }
        currentRound = epoch
        roundMessage = encodeControl({
          type: "round",
          epoch,
          token,
          ...(policy.length === 0 ? {} : { policy: Array.from(policy) }),
          ...(triggers.length === 0 ? {} : { triggers: [...triggers] }),
        })
        ctlConn.publish(ctl.round, roundMessage)
        return epoch
      },
      root: () => rootResult!,
      expected: () => agents.directFold(),
      // the upper coordinators are in other processes: compared with what the root was told to broadcast
      provenance: (epoch, policy) => policyProvenance({ epoch, policy }, level),
      lastReconnectAt: () => lastReconnectAt,
      onResend: () => void resends++,
      timedOut: (ms, what) => new CoordinatorProcessFailed({ process: "*", detail: `timed out after ${ms} ms waiting for ${what}`, stderr: children.map((c) => c.stderr).join("") }),
      failed,
    }
    tRun = performance.now()
    const results = await driveRounds(config, () => currentRound + 1, {
      rounds: opts.rounds,
      roundTimeoutMs,
      ...(opts.policyFor === undefined ? {} : { policyFor: opts.policyFor }),
      ...(opts.triggersFor === undefined ? {} : { triggersFor: opts.triggersFor }),
      ...(opts.onRound === undefined ? {} : { onRound: (rs) => opts.onRound!(rs[rs.length - 1]!) }),
    })
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
