/**
 * The coordinator processes of a multi-process run, seen by the parent as one
 * `Level` (src/Tree/Level.ts) above its local column: spawning them, their
 * control messages (ready, done, failed; only with the run's token), starting
 * a round, and stopping them (politely, then SIGKILL). Protocol:
 * src/Tree/Process.ts.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { dirname, extname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, type Scope } from "effect"
import { killOnExit, scopedProcess, terminate, waitExit } from "../Net/Lifecycle.ts"
import type { Transport } from "../Net/Transport.ts"
import { acceptControl, controlSubjects, encodeControl } from "./Control.ts"
import { addKinds, type Kinds, type Level, zeroKinds } from "./Level.ts"
import { CoordinatorProcessFailed, credentialsEnv, encodeProcessArgs, type ProcessPlan } from "./ProcessPlan.ts"
import type { NatsCredentials } from "../Net/Nats.ts"
import { addTrustCounters, formatSigners, type ProcessTrustCounters, type Signers } from "../Trust/ProcessTrust.ts"
import type { RootView } from "./Round.ts"
import { summaryEmpty } from "./Summary.ts"
import type { Topology } from "./Topology.ts"

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

interface Child {
  readonly plan: ProcessPlan
  readonly proc: ChildProcess
  stderr: string
  ready: boolean
  /** Cumulative counters of its last `done`. */
  published: Kinds
  rejected: number
  internalErrors: number
  controlRejected: number
  versionRejected: number
  trust: ProcessTrustCounters | undefined
  doneEpoch: number
}

export interface ProcessGroupOptions {
  readonly topology: Topology
  readonly plans: ReadonlyArray<ProcessPlan>
  readonly servers: ReadonlyArray<string>
  readonly seed: number
  /** The run's control token (see src/Tree/Control.ts). */
  readonly token: string
  /** The parent's client for control messages. */
  readonly control: Transport
  readonly nodePath?: string
  readonly nodeFlags?: ReadonlyArray<string>
  /** Signed run: every signer and the levels it hosts (src/Trust/ProcessTrust.ts). */
  readonly signers?: Signers
  /** Authenticated bus: the children's credentials (given in their environment). */
  readonly credentials?: NatsCredentials
}

export class ProcessGroup implements Level {
  private readonly options: ProcessGroupOptions
  private readonly ctl: ReturnType<typeof controlSubjects>
  private readonly children: Child[] = []
  private readonly byName = new Map<string, Child>()
  /** Control messages the parent ignored (malformed, without the token, unknown process, out of turn). */
  controlRejected = 0
  /** Reconnects seen (a child's repeated `ready`, or `noteReconnect`), and when the last was. */
  reconnects = 0
  lastReconnectAt = Number.NEGATIVE_INFINITY
  /** The round the children were last told to run. */
  currentRound = 0
  private roundMessage: Uint8Array | undefined
  private rootResult: (RootView & { readonly epoch: number }) | undefined
  private readyWaiter: (() => void) | undefined
  private doneWaiter: (() => void) | undefined
  private stopping = false
  private failure: CoordinatorProcessFailed | undefined
  private onFailure: (e: CoordinatorProcessFailed) => void = () => undefined
  /** Rejects with the first failure (a child died, reported `failed`, or could not be spawned). */
  readonly failed: Promise<never>

  constructor(options: ProcessGroupOptions) {
    this.options = options
    this.ctl = controlSubjects(options.topology.prefix)
    this.failed = new Promise<never>((_, reject) => {
      this.onFailure = reject
    })
    this.failed.catch(() => undefined)
    const on = (data: Uint8Array): void => this.onControl(data)
    options.control.subscribe(this.ctl.ready, on)
    options.control.subscribe(this.ctl.done, on)
    options.control.subscribe(this.ctl.failed, on)
  }

  fail(e: CoordinatorProcessFailed): void {
    if (this.failure !== undefined) return
    this.failure = e
    this.onFailure(e)
  }

  /** A client of the run reconnected. */
  noteReconnect(): void {
    this.reconnects++
    this.lastReconnectAt = performance.now()
  }

  // Only the children's messages with this run's token; the rest is counted and ignored.
  private onControl(data: Uint8Array): void {
    const m = acceptControl(data, this.options.token)
    const c = m !== undefined && "process" in m ? this.byName.get(m.process) : undefined
    if (m === undefined || c === undefined) return void this.controlRejected++
    switch (m.type) {
      case "ready": {
        if (c.ready) this.noteReconnect() // again: the child reconnected
        c.ready = true
        this.readyWaiter?.()
        return
      }
      case "done": {
        if (m.epoch !== this.currentRound) return void this.controlRejected++
        c.published = { ...m.published }
        c.rejected = m.rejected
        c.internalErrors = m.internalErrors
        c.controlRejected = m.controlRejected ?? 0
        c.versionRejected = m.versionRejected ?? 0
        c.trust = m.trust
        c.doneEpoch = m.epoch
        if (m.root !== undefined) this.rootResult = { epoch: m.epoch, summary: m.root.summary, summaryEpoch: m.root.summaryEpoch }
        this.doneWaiter?.()
        return
      }
      case "failed": {
        this.fail(new CoordinatorProcessFailed({ process: m.process, detail: `reported: ${m.error}`, stderr: c.stderr }))
        return
      }
      default:
        this.controlRejected++
        return
    }
  }

  /** Spawns the child of `plan`; child `i` dials server `i + 1` of the list first. */
  private spawnOne(plan: ProcessPlan): ChildProcess {
    const { topology: t, servers, seed, token } = this.options
    const node = this.options.nodePath ?? defaultNode()
    const rotated = servers.map((_, j) => servers[(j + this.children.length + 1) % servers.length]!)
    const name = `${t.prefix}-${plan.name}`
    const signers = this.options.signers === undefined ? {} : { signers: formatSigners(this.options.signers) }
    const args = encodeProcessArgs({ servers: rotated, agents: t.agents, branching: t.branching, seed, prefix: t.prefix, name, groups: plan.groups, ...signers })
    const proc = spawn(node, [...(this.options.nodeFlags ?? childNodeFlags), coordinatorProcessEntry, ...args], {
      stdio: ["pipe", "ignore", "pipe"],
      env: { ...process.env, HYDROGEN_CONTROL_TOKEN: token, ...credentialsEnv(this.options.credentials) },
    })
    const child: Child = { plan, proc, stderr: "", ready: false, published: zeroKinds(), rejected: 0, internalErrors: 0, controlRejected: 0, versionRejected: 0, trust: undefined, doneEpoch: 0 }
    this.children.push(child)
    this.byName.set(name, child)
    proc.stderr?.on("data", (chunk: Buffer) => {
      child.stderr = (child.stderr + chunk.toString("utf8")).slice(-8192)
    })
    proc.once("error", (e) => this.fail(new CoordinatorProcessFailed({ process: plan.name, detail: `spawn failed: ${e.message}`, stderr: child.stderr })))
    proc.once("exit", (code, signal) => {
      if (!this.stopping) {
        this.fail(new CoordinatorProcessFailed({ process: plan.name, detail: `exited early (code ${String(code)}, signal ${String(signal)})`, stderr: child.stderr }))
      }
    })
    // stdin stays open; its end tells the child the parent is gone
    proc.stdin?.on("error", () => undefined)
    return proc
  }

  /** Spawns one process per plan (Promise callers: `stop` ends them; Node's exit SIGKILLs any left). */
  spawnAll(): void {
    for (const plan of this.options.plans) killOnExit(this.spawnOne(plan))
  }

  /**
   * Spawns one process per plan, each a scoped resource: when the scope
   * closes the children are asked to stop (`stopEffect`), and any still
   * running then gets SIGTERM and, after 2 s, SIGKILL.
   */
  spawnScoped(): Effect.Effect<void, never, Scope.Scope> {
    return Effect.forEach(this.options.plans, (plan) => scopedProcess(() => this.spawnOne(plan), { graceMs: 2_000 }), { discard: true }).pipe(
      // added after the children, so it runs before their releases
      Effect.andThen(Effect.addFinalizer(() => this.stopEffect())),
    )
  }

  /** The children's recent stderr, for a failure's report. */
  stderr(): string {
    return this.children.map((c) => c.stderr).join("")
  }

  timedOut(ms: number, what: string): CoordinatorProcessFailed {
    return new CoordinatorProcessFailed({ process: "*", detail: `timed out after ${ms} ms waiting for ${what}`, stderr: this.stderr() })
  }

  /** Succeeds once every child said `ready`; fails after `ms` or with the first failure. */
  readyEffect(ms: number): Effect.Effect<void, CoordinatorProcessFailed> {
    const cond = (): boolean => this.children.every((c) => c.ready)
    return Effect.callback<void, CoordinatorProcessFailed>((resume) => {
      this.failed.catch((e: CoordinatorProcessFailed) => resume(Effect.fail(e)))
      this.readyWaiter = () => {
        if (cond()) resume(Effect.void)
      }
      this.readyWaiter()
    }).pipe(
      Effect.timeoutOrElse({ duration: ms, orElse: () => Effect.fail(this.timedOut(ms, "every coordinator process to be ready")) }),
      Effect.ensuring(Effect.sync(() => (this.readyWaiter = undefined))),
    )
  }

  /** `readyEffect` for Promise callers. */
  whenReady(ms: number): Promise<void> {
    return Effect.runPromise(this.readyEffect(ms))
  }

  /** Tells the children to run the next round; the process hosting the root broadcasts its Down with `policy` and `triggers`. */
  startRound(policy: Uint8Array, triggers: ReadonlyArray<number>): number {
    const epoch = this.currentRound + 1
    for (const x of triggers) {
      if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new RangeError(`runTreeMultiProcess: triggers must be u32, got ${x} in round ${epoch}`)
    }
    this.currentRound = epoch
    this.roundMessage = encodeControl({
      type: "round",
      epoch,
      token: this.options.token,
      ...(policy.length === 0 ? {} : { policy: Array.from(policy) }),
      ...(triggers.length === 0 ? {} : { triggers: [...triggers] }),
    })
    this.options.control.publish(this.ctl.round, this.roundMessage)
    return epoch
  }

  /** The root's summary as its process last reported it. */
  root(): RootView {
    return this.rootResult ?? { summary: summaryEmpty, summaryEpoch: 0 }
  }

  // Level

  waiting(epoch: number): string {
    return `the root's aggregate for epoch ${epoch}`
  }

  /** Resolves once every process reported `done` for `epoch` and the root's summary is in. */
  advance(epoch: number): Promise<void> {
    const cond = (): boolean => this.rootResult !== undefined && this.rootResult.epoch >= epoch && this.children.every((c) => c.doneEpoch >= epoch)
    return new Promise((resolve) => {
      if (cond()) return resolve()
      this.doneWaiter = () => {
        if (!cond()) return
        this.doneWaiter = undefined
        resolve()
      }
    })
  }

  published(): Kinds {
    const out = zeroKinds()
    for (const c of this.children) addKinds(out, c.published)
    return out
  }

  /** Coordinator processes send Ups one by one. */
  coalesced(): number {
    return 0
  }

  /** The round again: a child that has it re-sends its latest Downs, Ups and done. */
  resendDowns(): void {
    if (this.roundMessage !== undefined) this.options.control.publish(this.ctl.round, this.roundMessage)
  }

  resendUps(): void {}

  /** The children's counters as their last `done` reported them. */
  counters(): { readonly rejected: number; readonly internalErrors: number; readonly versionRejected: number; readonly controlRejected: number } {
    let rejected = 0
    let internalErrors = 0
    let versionRejected = 0
    let controlRejected = 0
    for (const c of this.children) {
      rejected += c.rejected
      internalErrors += c.internalErrors
      versionRejected += c.versionRejected
      controlRejected += c.controlRejected
    }
    return { rejected, internalErrors, versionRejected, controlRejected }
  }

  /** Signed runs: the children's verifier counters as their last `done` reported them (undefined if none reported). */
  trustCounters(): ProcessTrustCounters | undefined {
    let out: ProcessTrustCounters | undefined
    for (const c of this.children) if (c.trust !== undefined) out = out === undefined ? { ...c.trust } : addTrustCounters(out, c.trust)
    return out
  }

  processes(): ReadonlyArray<ProcessPlan & { readonly pid: number }> {
    return this.children.map((c) => ({ ...c.plan, pid: c.proc.pid ?? -1 }))
  }

  get size(): number {
    return this.children.length
  }

  /**
   * Asks every child to stop and waits up to 5 s; then SIGTERM, and SIGKILL
   * 2 s later, for whatever is left (at once after a failure, or for a child
   * that never said ready). Never fails.
   */
  stopEffect(): Effect.Effect<void> {
    const self = this
    return Effect.gen(function* () {
      self.stopping = true
      const polite = self.failure === undefined
      if (polite) {
        yield* Effect.tryPromise(() => {
          self.options.control.publish(self.ctl.stop, encodeControl({ type: "stop", token: self.options.token }))
          return self.options.control.flush()
        }).pipe(Effect.ignore)
      }
      yield* Effect.forEach(
        self.children,
        // a child that never said ready may not hear `stop`: straight to SIGTERM
        (c) => Effect.flatMap(polite && c.ready ? waitExit(c.proc, 5_000) : Effect.succeed(false), (gone) => (gone ? Effect.void : terminate(c.proc, { graceMs: 2_000 }))),
        { concurrency: "unbounded", discard: true },
      )
      for (const c of self.children) c.proc.stdin?.destroy()
    }).pipe(Effect.uninterruptible)
  }

  /** `stopEffect` for Promise callers. */
  stop(): Promise<void> {
    return Effect.runPromise(this.stopEffect())
  }
}
