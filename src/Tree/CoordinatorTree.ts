/**
 * A started coordinator tree in one process: the local level (every local
 * coordinator in one `LocalLevel` column, src/Tree/LocalLevel.ts; with n ≤ k
 * the one local coordinator is the root), one `Coordinator` per upper tree node, the agent pool, and its configuration of
 * the round driver (src/Tree/Round.ts). `runTree` (src/Tree/Runner.ts) runs
 * rounds on it.
 *
 * @module
 */
import type { Subscription, Transport } from "../Net/Transport.ts"
import { admitOrThrow } from "./Admission.ts"
import { AgentPool } from "./Agents.ts"
import { Coordinator, type CoordinatorCounters, type CoordinatorLike, defaultRates, type Rates, rateOf } from "./Coordinator.ts"
import { columnLevel, type Level, rowLevel } from "./Level.ts"
import { LocalLevel, type LocalView, type TriggerDelivery } from "./LocalLevel.ts"
import { encodeMessage, type Lateral, type MessageErrorTag, type MessageKind } from "./Messages.ts"
import { type PolicyProvenance, policyProvenance } from "./Provenance.ts"
import { driveRound, publishedOf, type RoundConfig, type RoundDown, type RoundResult } from "./Round.ts"
import { subscribeLevel } from "./SubscribeLevel.ts"
import { type CoordinatorId, countAt, localOf, makeTopology, subjects, type Topology } from "./Topology.ts"
import type { Connect } from "./Level.ts"

export interface TreeOptions {
  readonly agents: number
  readonly branching: number
  /** One client shared by every coordinator. */
  readonly transport?: Transport
  /** A factory giving each coordinator its own client (its own connection); preferred over `transport`. */
  readonly connect?: Connect
  /**
   * With `connect`: "coordinator" (default) gives every coordinator a client of its own
   * (`coordinator-L-I`, so faults can be injected per coordinator) and each level a receiving
   * client (`level-L`); "level" gives each level one client (`level-L`) that its coordinators
   * share for publishing and receiving, like the processes of the multi-process mode.
   */
  readonly clients?: "coordinator" | "level"
  /** Seed of the agents' values (default 1). */
  readonly seed?: number
  /** Subject prefix (default "h"). */
  readonly prefix?: string
  /** Largest accepted message (default 64 KiB). */
  readonly maxBytes?: number
  /** Called for each lateral message delivered to its destination agent. */
  readonly onLateral?: (m: Lateral) => void
  /** The agents of some local coordinators react to a Down's triggers (see `LocalLevel`). */
  readonly onTriggers?: (d: TriggerDelivery) => void
  /**
   * What `connect` opens, for admission control (src/Tree/Admission.ts):
   * "nats" (default) counts a file descriptor per client, "in-process" none.
   */
  readonly bus?: "nats" | "in-process"
  /**
   * Signed UpBatches (src/Trust/TreeSeal.ts): the local level seals each one,
   * the level-2 coordinators open (verify) them before acting. Needs batching
   * (`clients: "level"` or a shared transport) and a tree of at least 2 levels.
   */
  readonly upBatchSeal?: { readonly seal: (b: Uint8Array) => Uint8Array; readonly open: (b: Uint8Array) => Uint8Array | undefined }
  /**
   * Signed Downs and Heartbeats (src/Trust/TreeSeal.ts): every upper
   * coordinator seals what it publishes on its down subject; its children
   * (upper coordinators and the local level) open (verify) before acting.
   */
  readonly downSeal?: { readonly seal: (b: Uint8Array) => Uint8Array; readonly open: (b: Uint8Array) => Uint8Array | undefined }
  /** Local coordinators route an agent's Lateral only if this allows it (src/Trust/Capabilities.ts, RateLimit.ts). */
  readonly admitLateral?: (m: Lateral, receiver: CoordinatorId) => boolean
}

/**
 * A started tree: the local level (every local coordinator of the process in
 * one `LocalLevel`, src/Tree/LocalLevel.ts), one `Coordinator` per upper tree
 * node, the agent pool, and the round driver. With a `connect` factory every
 * coordinator publishes on its own client (`coordinator-L-I`); each level
 * receives through one wildcard subscription per subject kind on a client of
 * its own (`level-L`), dispatched to its coordinators by the subject's index.
 * A tree of one coordinator (n ≤ k) is a local level of one, which broadcasts.
 */

/** Over NATS, a round wait longer than this re-sends the latest Downs and Ups (a message lost with no reconnect). */
export const stalledResendMs = 3_000

export class CoordinatorTree {
  readonly topology: Topology
  readonly agents: AgentPool
  /** The local coordinators (the root too when n ≤ k). */
  readonly local: LocalLevel
  /** `upper[l − 2][i]` is coordinator `(l, i)`, `l ≥ 2` (none when the root is local). */
  private readonly upper: ReadonlyArray<ReadonlyArray<Coordinator>>
  readonly root: Coordinator | LocalView
  readonly transports: ReadonlyArray<Transport>
  private readonly ownsTransports: boolean
  private readonly injector: Transport
  private subs: Subscription[]
  /** Lateral messages injected by agents (publishes not made by a coordinator). */
  agentPublishes = 0
  /** Reconnects of the tree's clients (a restarted server, a lost cluster node). */
  reconnects = 0
  /** Re-sends of the latest Downs and Ups after a reconnect (src/Tree/Round.ts). */
  resends = 0
  private lastReconnectAt = -Infinity
  private readonly unlisten: Array<() => void> = []
  /** Its levels for the round driver: the agents' level (the local column, or a root hosting every agent), then the rows above. */
  private readonly roundLevels: ReadonlyArray<Level>
  /** Its configuration of the round driver (src/Tree/Round.ts). */
  readonly rounds: RoundConfig

  private constructor(
    topology: Topology,
    agents: AgentPool,
    local: LocalLevel,
    upper: ReadonlyArray<ReadonlyArray<Coordinator>>,
    transports: ReadonlyArray<Transport>,
    ownsTransports: boolean,
    subs: Subscription[],
  ) {
    this.topology = topology
    this.agents = agents
    this.local = local
    this.upper = upper
    this.root = upper.length === 0 ? local.view(0) : upper[upper.length - 1]![0]!
    this.transports = transports
    this.ownsTransports = ownsTransports
    this.injector = transports[0]!
    this.subs = subs
    for (const tr of new Set(transports)) {
      const off = tr.onReconnect?.(() => {
        this.reconnects++
        this.lastReconnectAt = performance.now()
      })
      if (off !== undefined) this.unlisten.push(off)
    }
    const agentLevel = columnLevel(local)
    const above = upper.map(rowLevel)
    this.roundLevels = [agentLevel, ...above]
    this.rounds = {
      agentCount: topology.agents,
      agents: agentLevel,
      above,
      start: (policy, triggers) => this.root.broadcast(policy, triggers),
      root: () => this.root,
      expected: () => this.agents.directFold(),
      provenance: () => this.provenance(),
      unowned: () => ({ Lateral: this.agentPublishes }),
      lastReconnectAt: () => this.lastReconnectAt,
      onResend: () => void this.resends++,
      whenRootAt: (epoch) => this.root.whenSummaryAt(epoch),
      ...(transports.some((t) => t.kind === "nats") ? { resendWhenStalledMs: stalledResendMs } : {}),
    }
  }

  /** Builds the topology and agents, connects and starts every coordinator. */
  static async start(opts: TreeOptions): Promise<CoordinatorTree> {
    const t = makeTopology(opts.agents, opts.branching, opts.prefix)
    // refuse what this machine cannot hold before allocating or connecting anything (throws AdmissionRefused)
    const perCoord = opts.connect !== undefined && (opts.clients ?? "coordinator") === "coordinator"
    const connections = opts.connect === undefined ? 0 : t.levels === 1 ? 1 : perCoord ? t.total + t.levels : t.levels
    const socketBus = opts.connect === undefined ? false : (opts.bus ?? "nats") === "nats"
    admitOrThrow({ mode: "tree", agents: opts.agents, branching: opts.branching, connections, socketBus })
    const agents = new AgentPool(opts.agents, opts.seed ?? 1)
    const shared = opts.connect === undefined ? opts.transport : undefined
    if (opts.connect === undefined && shared === undefined) throw new Error("runTree: give a transport or a connect factory")
    // Clients of the coordinators of `level`: at most 64 handshakes in flight, so a real server is not hit by
    // thousands at once; a factory that answers synchronously (in-process) costs no promise.
    // Every client opened so far: a setup that fails (EMFILE, no server) closes them, so the process can end.
    const opened: Transport[] = []
    const track = (tr: Transport): Transport => (opened.push(tr), tr)
    const connectLevel = async (level: number): Promise<Transport[]> => {
      const out: Transport[] = new Array<Transport>(countAt(t, level))
      let pending: Array<Promise<void>> = []
      const settle = async (): Promise<void> => {
        const rs = await Promise.allSettled(pending)
        pending = []
        for (const r of rs) if (r.status === "rejected") throw r.reason
      }
      for (let i = 0; i < out.length; i++) {
        const c = opts.connect!(`coordinator-${level}-${i}`)
        if (!(c instanceof Promise)) {
          out[i] = track(c)
          continue
        }
        pending.push(c.then((tr) => void (out[i] = track(tr))))
        if (pending.length >= 64) await settle()
      }
      await settle()
      return out
    }
    try {
      return await CoordinatorTree.build(opts, t, agents, shared, connectLevel, track)
    } catch (e) {
      if (shared === undefined) await Promise.allSettled(opened.map((tr) => tr.close()))
      throw e
    }
  }

  private static async build(
    opts: TreeOptions,
    t: Topology,
    agents: AgentPool,
    shared: Transport | undefined,
    connectLevel: (level: number) => Promise<Transport[]>,
    track: (tr: Transport) => Transport,
  ): Promise<CoordinatorTree> {
    const transports: Transport[] = []
    const localRoot = t.levels === 1
    const common = {
      topology: t,
      ...(opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes }),
    }
    // one client per coordinator (publishing), then one per level (receiving)
    const clients: Transport[][] = []
    const perCoordinator = shared === undefined && (opts.clients ?? "coordinator") === "coordinator"
    for (let l = 1; l <= t.levels; l++) {
      const cs = perCoordinator || (shared === undefined && localRoot) ? await connectLevel(l) : []
      clients.push(cs)
      for (const c of cs) transports.push(c) // no spread: a level can hold 10^5 clients
    }
    const receivers: Transport[] = []
    if (!localRoot) {
      for (let l = 1; l <= t.levels; l++) {
        const r = shared ?? track(await opts.connect!(`level-${l}`))
        receivers.push(r)
        if (shared === undefined) transports.push(r)
      }
    }
    if (shared !== undefined) transports.push(shared)
    // only the receiving clients have subscribed; the others have done nothing yet that a flush would wait for
    const subscribed = shared !== undefined ? [shared] : localRoot ? [clients[0]![0]!] : receivers
    const upper: Coordinator[][] = []
    const subs: Subscription[] = []
    // the level-2 opener takes UpBatches only; per-coordinator publishers send single Ups
    if (opts.upBatchSeal !== undefined && perCoordinator && !localRoot) throw new RangeError("CoordinatorTree: upBatchSeal's sealUp wraps UpBatches and needs batchUps (clients \"level\")")
    const local = new LocalLevel({
      ...common,
      ...(opts.onLateral === undefined ? {} : { onLateral: opts.onLateral }),
      agents,
      // a local root publishes no Up: its one client only receives
      transport: shared ?? (localRoot ? clients[0]![0]! : receivers[0]!),
      ...(perCoordinator && !localRoot ? { publishers: clients[0]! } : {}),
      ...(opts.onTriggers === undefined ? {} : { onTriggers: opts.onTriggers }),
      ...(opts.upBatchSeal === undefined ? {} : { sealUp: opts.upBatchSeal.seal }),
      ...(opts.downSeal === undefined ? {} : { openDown: opts.downSeal.open }),
      ...(opts.admitLateral === undefined ? {} : { admitLateral: opts.admitLateral }),
    })
    local.start()
    if (!localRoot) {
      for (let l = 2; l <= t.levels; l++) {
        const row: Coordinator[] = []
        for (let i = 0; i < countAt(t, l); i++) {
          const open = {
            ...(l === 2 && opts.upBatchSeal !== undefined ? { openUp: opts.upBatchSeal.open } : {}),
            ...(opts.downSeal === undefined ? {} : { sealDown: opts.downSeal.seal, openDown: opts.downSeal.open }),
          }
          row.push(new Coordinator({ ...common, ...open, id: { level: l, index: i }, transport: shared ?? (perCoordinator ? clients[l - 1]![i]! : receivers[l - 1]!), subscribe: false }))
        }
        upper.push(row)
        for (const s of subscribeLevel(receivers[l - 1]!, t, l, 0, row)) subs.push(s)
      }
    }
    await Promise.all(subscribed.map((tr) => tr.flush()))
    return new CoordinatorTree(t, agents, local, upper, transports, shared === undefined, subs)
  }

  /** `levels[l − 1][i]` is coordinator `(l, i)` (local coordinators as views of the local level). */
  get levels(): ReadonlyArray<ReadonlyArray<CoordinatorLike>> {
    return [this.local.views(), ...this.upper]
  }

  /** Every coordinator, local level first (local ones as views of the local level). */
  *coordinators(): Iterable<CoordinatorLike> {
    for (const row of this.levels) yield* row
  }

  /** Publishes saved by UpBatches so far (see `CoordinatorCounters.coalesced`). */
  coalesced(): number {
    return this.roundLevels.reduce((n, l) => n + l.coalesced(), 0)
  }

  /** Publishes so far, by kind (coordinators' publishes, re-sent Downs, agents' lateral injections). */
  published(): Record<MessageKind, number> {
    return publishedOf(this.rounds)
  }

  /** Rejections so far by error tag, and their total. */
  rejected(): { readonly byTag: Partial<Record<MessageErrorTag, number>>; readonly total: number; readonly internalErrors: number; readonly versionRejected: number } {
    const byTag: Partial<Record<MessageErrorTag, number>> = {}
    let total = 0
    let internalErrors = 0
    let versionRejected = 0
    const sources: Array<{ readonly rejectedByTag: Partial<Record<MessageErrorTag, number>>; readonly counters: CoordinatorCounters }> = []
    sources.push(this.local)
    for (const row of this.upper) for (const c of row) sources.push(c) // no spread: a row can hold 10^5 coordinators
    for (const c of sources) {
      versionRejected += c.counters.versionRejected
      for (const [tag, v] of Object.entries(c.rejectedByTag)) {
        byTag[tag as MessageErrorTag] = (byTag[tag as MessageErrorTag] ?? 0) + v
        total += v
      }
      internalErrors += c.counters.internalErrors
    }
    return { byTag, total, internalErrors, versionRejected }
  }

  /** Agent `from` sends `payload` to agent `to`: published on its local coordinator's lateral inbox. */
  sendLateral(from: number, to: number, payload: Uint8Array): void {
    const local = localOf(this.topology, from)
    this.agentPublishes++
    this.injector.publish(
      subjects(this.topology, local).lateral,
      encodeMessage({ _tag: "Lateral", from: { level: 0, index: from }, fromAgent: from, toAgent: to, payload }),
    )
  }

  /** Trigger reactions so far (each trigger once per local coordinator it reached). */
  get triggersDelivered(): number {
    return this.rounds.agents.triggersDelivered
  }

  /** One driven round (src/Tree/Round.ts) whose Down carries `down`. */
  round(timeoutMs = 60_000, down: RoundDown = {}): Promise<RoundResult> {
    return driveRound(this.rounds, timeoutMs, down, "driven")
  }

  /** One round with the coordinators on their own clocks (`startClocks` first). */
  timedRound(timeoutMs = 60_000, down: RoundDown = {}): Promise<RoundResult> {
    return driveRound(this.rounds, timeoutMs, down, "rates")
  }

  /** Which Down each subtree holds now, against the root's (src/Tree/Provenance.ts). */
  provenance(): PolicyProvenance {
    const row = this.upper[0]
    const parents = row !== undefined && row[0]!.id.level === 2 ? row : undefined
    // a local root applies what it broadcast: no subtree to report
    return policyProvenance({ epoch: this.root.epoch, policy: this.root.policy }, this.local.isRoot ? undefined : this.local, parents === undefined ? undefined : (j) => parents[j]!)
  }

  /** Every coordinator ticks on its own timer at its role's rate. */
  startClocks(rates: Rates = defaultRates): void {
    // a local root keeps the root's rate
    this.local.startClock(this.local.isRoot ? rates.global : rates.local)
    for (const row of this.upper) for (const c of row) c.startClock(rateOf(this.topology, c.id, rates))
  }

  /** Stops every coordinator and, if the tree opened them, closes its transports. */
  async stop(): Promise<void> {
    this.local.stopClock()
    for (const row of this.upper) for (const c of row) c.stopClock()
    await this.local.stop()
    for (const row of this.upper) for (const c of row) await c.stop()
    const subs = this.subs
    this.subs = []
    await Promise.all(subs.map((s) => s.unsubscribe()))
    for (const off of this.unlisten.splice(0)) off()
    if (this.ownsTransports) await Promise.all(this.transports.map((t) => t.close()))
  }
}
