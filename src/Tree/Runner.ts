/**
 * Runs a coordinator tree over a `Transport`: builds the topology (the
 * planner's counts), hosts the agents in one structure-of-arrays pool, starts
 * one `Coordinator` per tree node (each on its own Transport client when a
 * `connect` factory is given) and runs rounds.
 *
 * A round (driven clock, the default):
 *   1. the root broadcasts Down with the next epoch; it is forwarded level by
 *      level until every local coordinator has it;
 *   2. every agent takes its value for the round (no coordination);
 *   3. level by level, bottom-up, every coordinator ticks once (locals fold
 *      their agents' range, the others merge the latest summary per child) and
 *      sends its summary up; the next level starts once every coordinator in it
 *      holds the new epoch from all its children;
 *   4. the root ticks: its summary is the global aggregate, checked against a
 *      direct sequential fold over all agents' values (exact for integers).
 * The root's Down carries the round's policy and triggers (`policyFor`,
 * `triggersFor`, src/Tree/Policy.ts); each local coordinator's agents update
 * under the policy it holds and react to its triggers at that update.
 * With `clock: "rates"` the coordinators instead tick on their own timers
 * (30 / 10 / 1 Hz by default) and a round ends at the root's first tick that
 * covers the round.
 *
 * Counted per round: every publish (by kind), the agents' reports to their
 * local coordinators (in-memory: they are hosted), and the round latency
 * from the end of the agents' update to the root's aggregate reflecting it.
 *
 * @module
 */
import * as Result from "effect/Result"
import type { Subscription, Transport } from "../Net/Transport.ts"
import { messageBound, messagesPerRound as plannedMessagesPerRound } from "../Scale/Communication.ts"
import { admitOrThrow } from "./Admission.ts"
import { AgentPool } from "./Agents.ts"
import { Coordinator, type CoordinatorCounters, subscribeLevel, type CoordinatorLike, defaultRates, type Rates, rateOf } from "./Coordinator.ts"
import { LocalLevel, type TriggerDelivery } from "./LocalLevel.ts"
import { clampBounds, decodePolicy, encodePolicy, noPolicy, type Policy } from "./Policy.ts"
import { encodeMessage, type Lateral, type MessageErrorTag, type MessageKind } from "./Messages.ts"
import { type PolicyProvenance, policyProvenance } from "./Provenance.ts"
import { type Summary, summaryEquals } from "./Summary.ts"
import { childRange, countAt, subjectIndex, localOf, makeTopology, subjects, type Topology } from "./Topology.ts"

export type Connect = (name: string) => Transport | Promise<Transport>

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
}

/** What the root's Down of a round carries. */
export interface RoundDown {
  /** Default: no policy. */
  readonly policy?: Policy
  readonly triggers?: ReadonlyArray<number>
}

export interface RunTreeOptions extends TreeOptions {
  readonly rounds: number
  /** Tick rates for `clock: "rates"` (default 30 / 10 / 1 Hz). */
  readonly rates?: Rates
  /** "driven" (default): the runner ticks every level as soon as it can; "rates": coordinators tick on timers. */
  readonly clock?: "driven" | "rates"
  /** Give up on a round after this long (default 60 s). */
  readonly roundTimeoutMs?: number
  /** Called after every round. */
  readonly onStatus?: (status: RoundStatus) => void
  /** The policy the root broadcasts for round `round` (1, 2, …; default: none). */
  readonly policyFor?: (round: number) => Policy
  /** The triggers the root broadcasts for round `round` (default: none). */
  readonly triggersFor?: (round: number) => ReadonlyArray<number>
}

/** What one round did. */
export interface RoundResult {
  readonly round: number
  /** Root's global aggregate and the direct fold over all agents. */
  readonly aggregate: Summary
  readonly expected: Summary
  readonly exact: boolean
  /** Publishes during the round, by kind. */
  readonly published: Readonly<Record<MessageKind, number>>
  /** All tree messages of the round (an Up inside an UpBatch counts as one). */
  readonly messages: number
  /** Bus publishes of the round: `messages` less what UpBatches saved (one publish carries k Ups). */
  readonly busPublishes: number
  /** Aggregation messages: the agents' reports (n, hosted in memory) plus the Up publishes — `M` of the plan. */
  readonly aggregationMessages: number
  /** ms from the end of the agents' update to the root's aggregate reflecting it. */
  readonly latencyMs: number
  /** ms the agents' update took. */
  readonly updateMs: number
  /** ms of the whole round (Down broadcast to root aggregate). */
  readonly roundMs: number
  /**
   * Which Down each subtree applied this round and whether it is the root's
   * (src/Tree/Provenance.ts): `exact` cannot see a forged Down, this can.
   */
  readonly provenance: PolicyProvenance
}

export interface RoundStatus extends RoundResult {
  readonly rounds: number
  readonly agents: number
  readonly perLevel: ReadonlyArray<number>
  readonly latencyP50Ms: number
  readonly latencyP95Ms: number
  /** Bus publishes per second over the rounds so far. */
  readonly messagesPerSecond: number
  /** Rounds so far whose own aggregate was exact (`exact` is this round's). */
  readonly exactRounds: number
  readonly allExact: boolean
}

export interface RunTreeResult {
  readonly topology: Topology
  readonly rounds: ReadonlyArray<RoundResult>
  /** `Hydrogen.Scale.messagesPerRound n k`. */
  readonly plannedMessagesPerRound: number
  /** Largest counted aggregation messages of a round. */
  readonly maxAggregationMessages: number
  /** Mean tree messages per round (all kinds; an Up inside an UpBatch counts as one). */
  readonly meanMessagesPerRound: number
  /** Mean bus publishes per round (an UpBatch is one). */
  readonly meanBusPublishesPerRound: number
  /** The proved bound `k·M + k + L ≤ n·k + M + k·L` with the counted `M` (largest round). */
  readonly bound: { readonly lhs: bigint; readonly rhs: bigint; readonly holds: boolean; readonly plannedHolds: boolean }
  readonly latencyP50Ms: number
  readonly latencyP95Ms: number
  readonly latencyMaxMs: number
  /** Bus publishes per second. */
  readonly messagesPerSecond: number
  /** Agents updated and aggregated per second (n · rounds / total round time). */
  readonly agentsPerSecond: number
  readonly rejected: Readonly<Partial<Record<MessageErrorTag, number>>>
  readonly rejectedTotal: number
  /** Of `rejectedTotal`: version fields out of bounds (src/Tree/Versions.ts). */
  readonly versionRejected: number
  readonly internalErrors: number
  /** Rounds whose own aggregate was exact. */
  readonly exactRounds: number
  /** Trigger reactions (each trigger once per local coordinator it reached). */
  readonly triggersDelivered: number
  /** Reconnects of the tree's clients, and the re-sends of the latest Downs and Ups they caused (`Tree.resend`). */
  readonly reconnects: number
  readonly resends: number
  readonly allExact: boolean
  readonly elapsedMs: number
  readonly setupMs: number
}

/** The `q`-quantile (0..1) of `xs` by nearest rank; 0 for an empty list. */
export const quantile = (xs: ReadonlyArray<number>, q: number): number => {
  if (xs.length === 0) return 0
  const s = [...xs].sort((a, b) => a - b)
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))
  return s[i]!
}

const withTimeout = <A>(p: Promise<A>, ms: number, what: string): Promise<A> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
  })
  return Promise.race([p, t]).finally(() => clearTimeout(timer))
}

/**
 * While a round waits: if a bus client reconnected during the round (since
 * `roundStart`) or in the last 10 s (`lastReconnectAt`, performance.now()
 * time), calls `resend` with a doubling pause from 250 ms to 2 s. Returns the
 * function that stops it. Shared by the in-process and multi-process drivers.
 */
export const resendAfterReconnect = (lastReconnectAt: () => number, roundStart: number, resend: () => void): (() => void) => {
  let pause = 250
  let timer: ReturnType<typeof setTimeout> | undefined
  const tick = (): void => {
    const at = lastReconnectAt()
    if (at >= roundStart || performance.now() - at < 10_000) {
      resend()
      pause = Math.min(2_000, pause * 2)
    }
    timer = setTimeout(tick, pause)
  }
  timer = setTimeout(tick, pause)
  return () => clearTimeout(timer)
}

const zeroKinds = (): Record<MessageKind, number> => ({ Up: 0, Down: 0, Heartbeat: 0, Lateral: 0 })

/**
 * A started tree: the local level (every local coordinator of the process in
 * one `LocalLevel`, src/Tree/LocalLevel.ts), one `Coordinator` per upper tree
 * node, the agent pool, and the round driver. With a `connect` factory every
 * coordinator publishes on its own client (`coordinator-L-I`); each level
 * receives through one wildcard subscription per subject kind on a client of
 * its own (`level-L`), dispatched to its coordinators by the subject's index.
 * A tree of one coordinator (n ≤ k) runs it as a plain `Coordinator`.
 */
export class Tree {
  readonly topology: Topology
  readonly agents: AgentPool
  /** The local coordinators (trees with a level above the local one). */
  readonly local: LocalLevel | undefined
  /** `upper[l − 2][i]` is coordinator `(l, i)`, `l ≥ 2` (all levels when the root is local). */
  private readonly upper: ReadonlyArray<ReadonlyArray<Coordinator>>
  readonly root: Coordinator
  readonly transports: ReadonlyArray<Transport>
  private readonly ownsTransports: boolean
  private readonly injector: Transport
  private subs: Subscription[]
  /** Lateral messages injected by agents (publishes not made by a coordinator). */
  agentPublishes = 0
  /** Reconnects of the tree's clients (a restarted server, a lost cluster node). */
  reconnects = 0
  /** Re-sends of the latest Downs and Ups (see `resend`) and the Downs they re-published. */
  resends = 0
  private resentDowns = 0
  private lastReconnectAt = -Infinity
  private readonly unlisten: Array<() => void> = []
  private readonly onTriggers: ((d: TriggerDelivery) => void) | undefined
  /** A tree of one coordinator: its trigger reactions, and the last epoch whose triggers it delivered. */
  private rootTriggersDelivered = 0
  private rootTriggerEpoch = 0

  private constructor(
    topology: Topology,
    agents: AgentPool,
    local: LocalLevel | undefined,
    upper: ReadonlyArray<ReadonlyArray<Coordinator>>,
    transports: ReadonlyArray<Transport>,
    ownsTransports: boolean,
    subs: Subscription[],
    onTriggers: ((d: TriggerDelivery) => void) | undefined,
  ) {
    this.onTriggers = onTriggers
    this.topology = topology
    this.agents = agents
    this.local = local
    this.upper = upper
    this.root = upper[upper.length - 1]![0]!
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
  }

  /** Builds the topology and agents, connects and starts every coordinator. */
  static async start(opts: TreeOptions): Promise<Tree> {
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
      return await Tree.build(opts, t, agents, shared, connectLevel, track)
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
  ): Promise<Tree> {
    const transports: Transport[] = []
    const localRoot = t.levels === 1
    const common = {
      topology: t,
      ...(opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes }),
      ...(opts.onLateral === undefined ? {} : { onLateral: opts.onLateral }),
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
    let local: LocalLevel | undefined
    const upper: Coordinator[][] = []
    const subs: Subscription[] = []
    if (localRoot) {
      const root = new Coordinator({ ...common, id: { level: 1, index: 0 }, transport: shared ?? clients[0]![0]!, agents })
      await root.start()
      upper.push([root])
    } else {
      local = new LocalLevel({
        ...common,
        agents,
        transport: receivers[0]!,
        ...(perCoordinator ? { publishers: clients[0]! } : {}),
        ...(opts.onTriggers === undefined ? {} : { onTriggers: opts.onTriggers }),
      })
      local.start()
      for (let l = 2; l <= t.levels; l++) {
        const row: Coordinator[] = []
        for (let i = 0; i < countAt(t, l); i++) {
          row.push(new Coordinator({ ...common, id: { level: l, index: i }, transport: shared ?? (perCoordinator ? clients[l - 1]![i]! : receivers[l - 1]!), subscribe: false }))
        }
        upper.push(row)
        for (const s of subscribeLevel(receivers[l - 1]!, t, l, 0, row)) subs.push(s)
      }
    }
    await Promise.all(subscribed.map((tr) => tr.flush()))
    return new Tree(t, agents, local, upper, transports, shared === undefined, subs, opts.onTriggers)
  }

  /** `levels[l − 1][i]` is coordinator `(l, i)` (local coordinators as views of the local level). */
  get levels(): ReadonlyArray<ReadonlyArray<CoordinatorLike>> {
    return this.local === undefined ? this.upper : [this.local.views(), ...this.upper]
  }

  /** Every coordinator, local level first (local ones as views of the local level). */
  *coordinators(): Iterable<CoordinatorLike> {
    for (const row of this.levels) yield* row
  }

  /** The counters of the local level (summed) and of every other coordinator. */
  private *countersOfAll(): Iterable<CoordinatorCounters> {
    if (this.local !== undefined) yield this.local.counters
    for (const row of this.upper) for (const c of row) yield c.counters
  }

  /** Publishes saved by UpBatches so far (see `CoordinatorCounters.coalesced`). */
  coalesced(): number {
    let n = 0
    for (const c of this.countersOfAll()) n += c.coalesced
    return n
  }

  /** Publishes so far, by kind (coordinators' publishes plus agents' lateral injections). */
  published(): Record<MessageKind, number> {
    const out = zeroKinds()
    for (const c of this.countersOfAll()) {
      const p = c.published
      out.Up += p.Up
      out.Down += p.Down
      out.Heartbeat += p.Heartbeat
      out.Lateral += p.Lateral
    }
    out.Lateral += this.agentPublishes
    out.Down += this.resentDowns
    return out
  }

  /** Rejections so far by error tag, and their total. */
  rejected(): { readonly byTag: Partial<Record<MessageErrorTag, number>>; readonly total: number; readonly internalErrors: number; readonly versionRejected: number } {
    const byTag: Partial<Record<MessageErrorTag, number>> = {}
    let total = 0
    let internalErrors = 0
    let versionRejected = 0
    const sources: Array<{ readonly rejectedByTag: Partial<Record<MessageErrorTag, number>>; readonly counters: CoordinatorCounters }> = []
    if (this.local !== undefined) sources.push(this.local)
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

  /** Resolves once every local coordinator holds epoch `epoch`. */
  private localsAt(epoch: number): Promise<void> {
    return this.local === undefined ? this.root.whenEpoch(epoch) : this.local.whenAllAt(epoch)
  }

  /** Trigger reactions so far (each trigger once per local coordinator it reached). */
  get triggersDelivered(): number {
    return this.local?.triggersDelivered ?? this.rootTriggersDelivered
  }

  /** Every agent updates for `epoch` under the policy its local coordinator holds. */
  private updateAgents(epoch: number): void {
    if (this.local !== undefined) return this.local.updateAgents(epoch)
    // one coordinator (the root) hosts every agent: what it broadcast is what it holds
    const r = decodePolicy(this.root.policy)
    const { lo, hi } = clampBounds(Result.isSuccess(r) ? r.success : noPolicy)
    this.agents.updateRangeClamped(epoch, 0, this.agents.size, lo, hi)
    const triggers = this.root.triggers
    if (triggers.length > 0 && this.root.epoch > this.rootTriggerEpoch) {
      this.rootTriggerEpoch = this.root.epoch
      this.rootTriggersDelivered += triggers.length
      this.onTriggers?.({ epoch: this.root.epoch, triggers, round: epoch, lo: 0, hi: 1, agentLo: 0, agentHi: this.agents.size })
    }
  }

  /**
   * After a reconnect what was in flight is lost: every upper coordinator
   * publishes its latest Down again and every coordinator that has ticked
   * sends its latest Up again (a new seq, same data). Receivers drop a Down
   * they hold and keep the newest Up per child, so repeats change nothing.
   */
  resend(): void {
    this.resends++
    for (const row of this.upper) {
      for (const c of row) {
        if (c.isLocal || c.role !== "active" || c.epoch === 0) continue
        this.resentDowns++
        c.transport.publish(c.subjects.down, encodeMessage({ _tag: "Down", from: c.id, epoch: c.epoch, policy: c.policy, triggers: c.triggers }))
      }
    }
    if (this.local !== undefined && this.local.ticks > 0) this.local.tickAll()
    for (const row of this.upper) for (const c of row) if (c.summaryEpoch > 0) c.tick()
  }

  /**
   * `p`, or an error after `ms`. While it waits after a reconnect (during
   * this round or in the last 10 s), re-sends with a doubling pause (250 ms
   * to 2 s), so a round that lost messages to a bus restart goes on.
   */
  private async waitFor<A>(p: Promise<A>, ms: number, what: string, roundStart: number): Promise<A> {
    const stop = resendAfterReconnect(() => this.lastReconnectAt, roundStart, () => this.resend())
    try {
      return await withTimeout(p, ms, what)
    } finally {
      stop()
    }
  }

  private broadcast(down: RoundDown): number {
    return this.root.broadcast(encodePolicy(down.policy ?? noPolicy), down.triggers ?? [])
  }

  /** One driven round (see the module doc) whose Down carries `down`. */
  async round(timeoutMs = 60_000, down: RoundDown = {}): Promise<RoundResult> {
    const before = this.published()
    const coalescedBefore = this.coalesced()
    const tStart = performance.now()
    const epoch = this.broadcast(down)
    await this.waitFor(this.localsAt(epoch), timeoutMs, `Down epoch ${epoch} to reach every local coordinator`, tStart)
    const tUpdate = performance.now()
    this.updateAgents(epoch)
    const t0 = performance.now()
    await this.local?.tickAllPaced()
    for (const row of this.upper) {
      const level = row[0]!.id.level
      if (level > 1) {
        await this.waitFor(Promise.all(row.map((c) => c.whenChildrenAt(epoch))), timeoutMs, `level ${level} to hear epoch ${epoch} from all children`, tStart)
      }
      for (const c of row) c.tick()
    }
    const t1 = performance.now()
    return this.finishRound(epoch, before, coalescedBefore, tStart, tUpdate, t0, t1)
  }

  /** One round with the coordinators on their own clocks (`startClocks` first). */
  async timedRound(timeoutMs = 60_000, down: RoundDown = {}): Promise<RoundResult> {
    const before = this.published()
    const coalescedBefore = this.coalesced()
    const tStart = performance.now()
    const epoch = this.broadcast(down)
    await this.waitFor(this.localsAt(epoch), timeoutMs, `Down epoch ${epoch} to reach every local coordinator`, tStart)
    const tUpdate = performance.now()
    this.updateAgents(epoch)
    const t0 = performance.now()
    await this.waitFor(this.root.whenSummaryAt(epoch), timeoutMs, `the root's aggregate for epoch ${epoch}`, tStart)
    const t1 = performance.now()
    return this.finishRound(epoch, before, coalescedBefore, tStart, tUpdate, t0, t1)
  }

  private finishRound(epoch: number, before: Record<MessageKind, number>, coalescedBefore: number, tStart: number, tUpdate: number, t0: number, t1: number): RoundResult {
    const after = this.published()
    const published = zeroKinds()
    for (const k of Object.keys(published) as MessageKind[]) published[k] = after[k] - before[k]
    const messages = published.Up + published.Down + published.Heartbeat + published.Lateral
    const aggregate = this.root.summary
    const expected = this.agents.directFold()
    return {
      round: epoch,
      aggregate,
      expected,
      exact: summaryEquals(aggregate, expected) && this.root.summaryEpoch >= epoch,
      published,
      messages,
      busPublishes: messages - (this.coalesced() - coalescedBefore),
      aggregationMessages: this.topology.agents + published.Up,
      latencyMs: t1 - t0,
      updateMs: t0 - tUpdate,
      roundMs: t1 - tStart,
      provenance: this.provenance(),
    }
  }

  /** Which Down each subtree holds now, against the root's (src/Tree/Provenance.ts). */
  provenance(): PolicyProvenance {
    const row = this.upper[0]
    const parents = row !== undefined && row[0]!.id.level === 2 ? row : undefined
    return policyProvenance({ epoch: this.root.epoch, policy: this.root.policy }, this.local, parents === undefined ? undefined : (j) => parents[j]!)
  }

  /** Every coordinator ticks on its own timer at its role's rate. */
  startClocks(rates: Rates = defaultRates): void {
    this.local?.startClock(rates.local)
    for (const row of this.upper) for (const c of row) c.startClock(rateOf(this.topology, c.id, rates))
  }

  /** Stops every coordinator and, if the tree opened them, closes its transports. */
  async stop(): Promise<void> {
    this.local?.stopClock()
    for (const row of this.upper) for (const c of row) c.stopClock()
    await this.local?.stop()
    for (const row of this.upper) for (const c of row) await c.stop()
    const subs = this.subs
    this.subs = []
    await Promise.all(subs.map((s) => s.unsubscribe()))
    for (const off of this.unlisten.splice(0)) off()
    if (this.ownsTransports) await Promise.all(this.transports.map((t) => t.close()))
  }
}

/**
 * Per-run figures shared by the single- and multi-process runners: message
 * counts against the proved bound (`k·M + k + L ≤ n·k + M + k·L`, in BigInt),
 * latency quantiles and throughput over the rounds' own time.
 */
export const roundStats = (t: Topology, results: ReadonlyArray<RoundResult>) => {
  const lat = results.map((x) => x.latencyMs)
  const totalMs = results.reduce((s, x) => s + x.roundMs, 0)
  const totalMsgs = results.reduce((s, x) => s + x.messages, 0)
  const totalBus = results.reduce((s, x) => s + x.busPublishes, 0)
  const M = results.reduce((m, x) => Math.max(m, x.aggregationMessages), Number.NEGATIVE_INFINITY)
  const [bn, bk, bM, bL] = [BigInt(t.agents), BigInt(t.branching), BigInt(M), BigInt(t.levels)]
  const lhs = bk * bM + bk + bL
  const rhs = bn * bk + bM + bk * bL
  return {
    topology: t,
    rounds: results,
    plannedMessagesPerRound: plannedMessagesPerRound(t.agents, t.branching),
    maxAggregationMessages: M,
    meanMessagesPerRound: totalMsgs / results.length,
    meanBusPublishesPerRound: totalBus / results.length,
    bound: { lhs, rhs, holds: lhs <= rhs, plannedHolds: messageBound(t.agents, t.branching).holds },
    latencyP50Ms: quantile(lat, 0.5),
    latencyP95Ms: quantile(lat, 0.95),
    latencyMaxMs: lat.reduce((m, x) => Math.max(m, x), Number.NEGATIVE_INFINITY),
    messagesPerSecond: totalMs > 0 ? (totalBus / totalMs) * 1000 : 0,
    agentsPerSecond: totalMs > 0 ? ((t.agents * results.length) / totalMs) * 1000 : 0,
  }
}

/** Runs `rounds` rounds and returns the statistics (see the module doc). */
export const runTree = async (opts: RunTreeOptions): Promise<RunTreeResult> => {
  if (!Number.isSafeInteger(opts.rounds) || opts.rounds < 1) throw new RangeError(`runTree: rounds must be an integer >= 1, got ${opts.rounds}`)
  const tSetup = performance.now()
  const tree = await Tree.start(opts)
  const setupMs = performance.now() - tSetup
  const t = tree.topology
  const results: RoundResult[] = []
  const tRun = performance.now()
  try {
    if (opts.clock === "rates") tree.startClocks(opts.rates ?? defaultRates)
    for (let r = 0; r < opts.rounds; r++) {
      const round = tree.root.epoch + 1
      const down: RoundDown = {
        ...(opts.policyFor === undefined ? {} : { policy: opts.policyFor(round) }),
        ...(opts.triggersFor === undefined ? {} : { triggers: opts.triggersFor(round) }),
      }
      const res = opts.clock === "rates" ? await tree.timedRound(opts.roundTimeoutMs, down) : await tree.round(opts.roundTimeoutMs, down)
      results.push(res)
      if (opts.onStatus !== undefined) {
        const lat = results.map((x) => x.latencyMs)
        const totalMs = results.reduce((s, x) => s + x.roundMs, 0)
        const totalBus = results.reduce((s, x) => s + x.busPublishes, 0)
        opts.onStatus({
          ...res,
          rounds: opts.rounds,
          agents: t.agents,
          perLevel: t.perLevel,
          latencyP50Ms: quantile(lat, 0.5),
          latencyP95Ms: quantile(lat, 0.95),
          messagesPerSecond: totalMs > 0 ? (totalBus / totalMs) * 1000 : 0,
          exactRounds: results.filter((x) => x.exact).length,
          allExact: results.every((x) => x.exact),
        })
      }
    }
  } finally {
    await tree.stop()
  }
  const elapsedMs = performance.now() - tRun
  const rej = tree.rejected()
  return {
    ...roundStats(t, results),
    rejected: rej.byTag,
    rejectedTotal: rej.total,
    versionRejected: rej.versionRejected,
    internalErrors: rej.internalErrors,
    exactRounds: results.filter((x) => x.exact).length,
    triggersDelivered: tree.triggersDelivered,
    reconnects: tree.reconnects,
    resends: tree.resends,
    allExact: results.every((x) => x.exact),
    elapsedMs,
    setupMs,
  }
}
