// Over 400 lines: one class over shared columns (Down handling, fold, batched send and counters index the same arrays).
/**
 * Every local coordinator (level 1) of one process, held as columns instead of
 * one `Coordinator` object each: at branching 10 nine coordinators in ten are
 * local, and a million agents have 10^5 of them.
 *
 * Behaviour per local coordinator is that of a `Coordinator` at level 1
 * (src/Tree/Coordinator.ts): it hosts agents `[i·k, min((i+1)·k, n))`, folds
 * them on every tick and sends the summary up to its parent with its data
 * epoch (the lowest version among its agents) and a fresh sequence number;
 * it follows its parent's Down; it routes Lateral messages (delivers to a
 * hosted agent, otherwise forwards to its parent); everything it receives is
 * decoded and checked (`decodeFor`), and a bad message is counted and changes
 * nothing. What differs is only the bookkeeping:
 *
 * - Three wildcard subscriptions serve the whole level: `P.down.2.*` (the
 *   parents' Down and Heartbeat), `P.up.1.*` and `P.lat.1.*` (the locals' own
 *   inboxes), dispatched by the subject's last token. A Down from parent `j`
 *   is decoded and checked once and applies to all of `j`'s children (they
 *   would receive the same bytes on the same subject); it is counted once per
 *   child, as separate coordinators would count it.
 * - Per local: the summary (count, sum, min, max) and its data epoch, in
 *   typed-array columns; epoch, policy and triggers per parent (shared by its
 *   children). The sequence number is one counter for the level, bumped on
 *   every tick, so it still increases with every Up a local sends.
 * - Up messages are written into one preallocated buffer (the transport copies
 *   on publish) and published on the local coordinator's own client when
 *   there is one (`publishers`), so fault injection by client name still
 *   sees each coordinator.
 * - Policy and triggers (src/Tree/Policy.ts): a Down is accepted only if its
 *   policy decodes (otherwise it is rejected as an `InvalidField` and the
 *   previous policy, epoch and triggers stay). The clamp bounds are kept per
 *   parent; `updateAgents(round)` updates every agent with the clamp its
 *   local coordinator holds at that moment. Triggers of an accepted Down are
 *   queued per parent and delivered once, at the agents' next update (their
 *   effect is the next frame, not this one), to `onTriggers` and counted in
 *   `triggersDelivered`; a stale Down (same or older epoch) delivers nothing.
 * - Counters are kept for the level as a whole; per-coordinator figures
 *   (`view(i).counters`) are derived from per-parent columns plus a sparse
 *   record for the rare per-local events (lateral traffic, heartbeats,
 *   rejections on a local's own inbox).
 *
 * @module
 */
import type { Subscription, Transport } from "../Net/Transport.ts"
import { type AgentPool, valueRange } from "./Agents.ts"
import { type CoordinatorCounters, rejectionLogSize, zeroCounters } from "./CoordinatorTypes.ts"
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  checkSender,
  decodeFor,
  decodeMessage,
  encodeMessage,
  Forged,
  type Lateral,
  type SingleMessage,
  type MessageError,
  type MessageErrorTag,
  UP_BATCH_ENTRY_BYTES,
  UP_MESSAGE_BYTES,
  upBatchEntryOffset,
  writeUp,
  writeUpBatchHeader,
  writeUpEntry,
} from "./Messages.ts"
import { checkDownPolicy } from "./Policy.ts"
import { defaultEpochCeiling, downVersionProblem } from "./Versions.ts"
import { type Summary, summaryEmpty } from "./Summary.ts"
import { childRange, type CoordinatorId, subjectIndex, countAt, inSubtree, subjects, type Topology } from "./Topology.ts"
import * as Result from "effect/Result"
import { LocalView } from "./LocalView.ts"

export { LocalView } from "./LocalView.ts"

export interface LocalLevelOptions {
  readonly topology: Topology
  readonly agents: AgentPool
  /**
   * Send each tick's Ups as one UpBatch per parent (src/Tree/Messages.ts) on
   * `transport` (default: when there are no `publishers`; per-coordinator
   * publishers send one Up each, so faults can be injected per coordinator).
   */
  readonly batchUps?: boolean
  /** The client the level subscribes on (and publishes on when `publishers` is not given). */
  readonly transport: Transport
  /** One client per local coordinator, to publish as that coordinator (optional). */
  readonly publishers?: ReadonlyArray<Transport>
  /** Largest accepted message (default 64 KiB). */
  readonly maxBytes?: number
  /** A lateral message reached its destination agent (hosted here). */
  readonly onLateral?: (m: Lateral) => void
  /** The agents under one parent react to the triggers of an accepted Down (at their next update). */
  readonly onTriggers?: (d: TriggerDelivery) => void
}

/** Triggers of one Down, delivered to the agents of the local coordinators under one parent. */
export interface TriggerDelivery {
  /** The Down's epoch and triggers. */
  readonly epoch: number
  readonly triggers: ReadonlyArray<number>
  /** The round of the update that delivered them. */
  readonly round: number
  /** Local coordinators `[lo, hi)` and their agents `[agentLo, agentHi)`. */
  readonly lo: number
  readonly hi: number
  readonly agentLo: number
  readonly agentHi: number
}

interface Waiter {
  readonly epoch: number
  /** Parents `[lo, hi)` that must reach `epoch`. */
  readonly lo: number
  readonly hi: number
  remaining: number
  readonly resolve: () => void
}

/** Per-coordinator record of rare events (or per parent: rejections of its Down subject). */
interface Extra {
  readonly counters: CoordinatorCounters
  readonly rejectedByTag: Partial<Record<MessageErrorTag, number>>
}

interface Rejection {
  readonly subject: string
  readonly error: MessageError
  /** Local coordinators `[lo, hi)` that rejected it. */
  readonly lo: number
  readonly hi: number
}

const noPolicy = new Uint8Array(0)

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
const noTriggers: ReadonlyArray<number> = []

export class LocalLevel {
  readonly topology: Topology
  readonly agents: AgentPool
  /** Local coordinators. */
  readonly count: number
  /** Their parents (level 2). */
  readonly parents: number
  /** Sum over the level's coordinators. */
  readonly counters: CoordinatorCounters = zeroCounters()
  /** Rejections by error tag, summed over the level's coordinators. */
  readonly rejectedByTag: Partial<Record<MessageErrorTag, number>> = {}
  /** Sequence number of the last tick's Up messages (one counter for the level). */
  seq = 0
  /** Ticks of the whole level. */
  ticks = 0
  /** Trigger reactions: each trigger of each accepted Down, counted once per local coordinator it reached. */
  triggersDelivered = 0

  private readonly options: LocalLevelOptions
  private readonly k: number
  // per local coordinator
  private readonly sumCount: Float64Array
  private readonly sumSum: Float64Array
  private readonly sumMin: Float64Array
  private readonly sumMax: Float64Array
  private readonly sumEpoch: Uint32Array
  // per parent
  private readonly epochs: Uint32Array
  private readonly policies: Array<Uint8Array | undefined>
  private readonly triggerLists: Array<ReadonlyArray<number> | undefined>
  /** Clamp bounds of the policy each parent's children hold (the whole range: no policy). */
  private readonly clampLo: Int32Array
  private readonly clampHi: Int32Array
  /** Triggers accepted but not yet delivered, per parent, in epoch order. */
  private readonly pendingTriggers = new Map<number, Array<{ readonly epoch: number; readonly triggers: ReadonlyArray<number> }>>()
  /** Triggers delivered per parent (allocated on the first delivery). */
  private parentTriggers: Float64Array | undefined
  private readonly parentReceived: Uint32Array
  private readonly parentAccepted: Uint32Array
  private readonly parentStale: Uint32Array
  private parentTerms: Uint32Array | undefined
  // sparse
  private readonly localExtra = new Map<number, Extra>()
  private readonly parentExtra = new Map<number, Extra>()
  private readonly log: Rejection[] = []

  /** Whether a tick sends UpBatches (one per parent) instead of one Up per local coordinator. */
  readonly batching: boolean
  private readonly batchEntries: number
  private batchView: DataView | undefined
  private batchBytes: Uint8Array | undefined
  private readonly buf = new Uint8Array(UP_MESSAGE_BYTES)
  private readonly dv = new DataView(this.buf.buffer)
  private subs: Subscription[] = []
  private clock: ReturnType<typeof setInterval> | undefined
  private waiters: Waiter[] = []
  private summaryWaiters: Array<{ readonly index: number; readonly epoch: number; readonly resolve: () => void }> = []
  private viewCache: ReadonlyArray<LocalView> | undefined

  constructor(options: LocalLevelOptions) {
    const t = options.topology
    if (t.levels < 2) throw new RangeError("LocalLevel: the tree needs a level above the local one")
    if (options.agents.size !== t.agents) throw new RangeError(`LocalLevel: agent pool has ${options.agents.size} agents, topology ${t.agents}`)
    this.options = options
    this.topology = t
    this.agents = options.agents
    this.k = t.branching
    this.count = countAt(t, 1)
    this.parents = countAt(t, 2)
    if (options.publishers !== undefined && options.publishers.length !== this.count) {
      throw new RangeError(`LocalLevel: ${options.publishers.length} publishers for ${this.count} local coordinators`)
    }
    this.batching = options.batchUps ?? options.publishers === undefined
    this.batchEntries = Math.min(this.k, Math.floor((this.maxBytes - upBatchEntryOffset(0)) / UP_BATCH_ENTRY_BYTES))
    if (this.batching && this.batchEntries < 1) throw new RangeError(`LocalLevel: maxBytes ${this.maxBytes} leaves no room for an UpBatch entry`)
    this.sumCount = new Float64Array(this.count)
    this.sumSum = new Float64Array(this.count)
    this.sumMin = new Float64Array(this.count).fill(summaryEmpty.min)
    this.sumMax = new Float64Array(this.count).fill(summaryEmpty.max)
    this.sumEpoch = new Uint32Array(this.count)
    this.epochs = new Uint32Array(this.parents)
    this.policies = new Array<Uint8Array | undefined>(this.parents)
    this.triggerLists = new Array<ReadonlyArray<number> | undefined>(this.parents)
    this.clampLo = new Int32Array(this.parents).fill(-valueRange)
    this.clampHi = new Int32Array(this.parents).fill(valueRange)
    this.parentReceived = new Uint32Array(this.parents)
    this.parentAccepted = new Uint32Array(this.parents)
    this.parentStale = new Uint32Array(this.parents)
  }

  private get maxBytes(): number {
    return this.options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES
  }

  /** The client local `i` publishes on. */
  private publisher(i: number): Transport {
    return this.options.publishers?.[i] ?? this.options.transport
  }

  /** Local coordinators `[lo, hi)` under parent `j`. */
  private childrenOf(j: number): { readonly lo: number; readonly hi: number } {
    return childRange(this.topology, { level: 2, index: j })
  }

  private parentOf(i: number): number {
    return Math.floor(i / this.k)
  }

  /** Subscribes the level's three wildcard subjects. */
  start(): void {
    const t = this.topology
    const tr = this.options.transport
    this.subs.push(tr.subscribe(`${t.prefix}.down.2.*`, (d, s) => this.receiveDown(d, s)))
    this.subs.push(tr.subscribe(`${t.prefix}.up.1.*`, (d, s) => this.receiveOwn(d, s, "up")))
    this.subs.push(tr.subscribe(`${t.prefix}.lat.1.*`, (d, s) => this.receiveOwn(d, s, "lateral")))
  }

  async stop(): Promise<void> {
    this.stopClock()
    const subs = this.subs
    this.subs = []
    await Promise.all(subs.map((s) => s.unsubscribe()))
  }

  // -------------------------------------------------------------------------
  // Receiving

  private extraOf(map: Map<number, Extra>, key: number): Extra {
    let e = map.get(key)
    if (e === undefined) {
      e = { counters: zeroCounters(), rejectedByTag: {} }
      map.set(key, e)
    }
    return e
  }

  /** `error` on `subject`, rejected by locals `[lo, hi)`; `extra` is where it is recorded per coordinator. */
  private reject(error: MessageError, subject: string, lo: number, hi: number, extra: Extra): void {
    const n = hi - lo
    this.counters.rejected += n
    this.rejectedByTag[error._tag] = (this.rejectedByTag[error._tag] ?? 0) + n
    extra.counters.rejected++
    extra.rejectedByTag[error._tag] = (extra.rejectedByTag[error._tag] ?? 0) + 1
    this.log.push({ subject, error, lo, hi })
    if (this.log.length > rejectionLogSize) this.log.shift()
  }

  /** A message on `P.down.2.j`: the Down / Heartbeat of parent `j`, for all its children. Never throws. */
  private receiveDown(data: Uint8Array, subject: string): void {
    const j = subjectIndex(subject, this.parents)
    if (j < 0) return // no local coordinator listens there
    const { lo, hi } = this.childrenOf(j)
    const n = hi - lo
    this.counters.received += n
    this.parentReceived[j]! += 1
    try {
      const d = decodeMessage(data, { maxBytes: this.maxBytes })
      if (Result.isFailure(d)) return this.reject(d.failure, subject, lo, hi, this.extraOf(this.parentExtra, j))
      // every child of j checks the same way (only a Lateral's destination differs, and a Lateral is refused here anyway)
      const receiver: CoordinatorId = { level: 1, index: lo }
      const r = checkSender(this.topology, receiver, d.success)
      if (Result.isFailure(r)) return this.reject(r.failure, subject, lo, hi, this.extraOf(this.parentExtra, j))
      const m = r.success
      if (m._tag !== "Down" && m._tag !== "Heartbeat") {
        return this.reject(new Forged({ kind: m._tag, sender: m.from, receiver, reason: `a ${m._tag} is not accepted on ${subject}` }), subject, lo, hi, this.extraOf(this.parentExtra, j))
      }
      const policy = m._tag === "Down" ? checkDownPolicy(m) : undefined
      if (policy !== undefined && Result.isFailure(policy)) return this.reject(policy.failure, subject, lo, hi, this.extraOf(this.parentExtra, j))
      // checkSender accepted it on a down subject: it is from the parent
      this.counters.accepted += n
      this.parentAccepted[j]! += 1
      if (m._tag === "Heartbeat") {
        const terms = (this.parentTerms ??= new Uint32Array(this.parents))
        if (m.term < terms[j]!) {
          this.counters.stale += n
          this.parentStale[j]! += 1
          return
        }
        terms[j] = m.term
        return
      }
      const old = this.epochs[j]!
      if (m.epoch <= old) {
        this.counters.stale += n
        this.parentStale[j]! += 1
        return
      }
      // an inflated epoch would make every later Down stale: the subtree's policy frozen (src/Tree/Versions.ts)
      const dp = downVersionProblem(old, m.epoch, defaultEpochCeiling(old))
      if (dp !== undefined) {
        this.counters.accepted -= n
        this.parentAccepted[j]! -= 1
        this.counters.versionRejected += n
        return this.reject(dp, subject, lo, hi, this.extraOf(this.parentExtra, j))
      }
      this.epochs[j] = m.epoch
      this.policies[j] = m.policy
      const p = policy!.success
      this.clampLo[j] = p._tag === "Clamp" ? p.lo : -valueRange
      this.clampHi[j] = p._tag === "Clamp" ? p.hi : valueRange
      this.triggerLists[j] = m.triggers
      if (m.triggers.length > 0) {
        const q = this.pendingTriggers.get(j)
        if (q === undefined) this.pendingTriggers.set(j, [{ epoch: m.epoch, triggers: m.triggers }])
        else q.push({ epoch: m.epoch, triggers: m.triggers })
      }
      this.settleEpoch(j, old, m.epoch)
    } catch {
      this.counters.internalErrors++
    }
  }

  /** A message on local `i`'s own up or lateral inbox. Never throws. */
  private receiveOwn(data: Uint8Array, subject: string, inbox: "up" | "lateral"): void {
    const i = subjectIndex(subject, this.count)
    if (i < 0) return
    const extra = this.extraOf(this.localExtra, i)
    this.counters.received++
    extra.counters.received++
    try {
      const receiver: CoordinatorId = { level: 1, index: i }
      const r = decodeFor(this.topology, receiver, data, { maxBytes: this.maxBytes })
      if (Result.isFailure(r)) return this.reject(r.failure, subject, i, i + 1, extra)
      const m = r.success
      if (inbox === "up" || m._tag !== "Lateral") {
        // a local coordinator's up inbox accepts nothing (its agents are hosted); only Lateral on its lateral inbox
        const reason = m._tag === "Heartbeat" ? `a Heartbeat on ${subject} must come from a child` : `a ${m._tag} is not accepted on ${subject}`
        return this.reject(new Forged({ kind: m._tag, sender: m.from, receiver, reason }), subject, i, i + 1, extra)
      }
      this.counters.accepted++
      extra.counters.accepted++
      if (inSubtree(this.topology, receiver, m.toAgent)) {
        this.counters.lateralDelivered++
        extra.counters.lateralDelivered++
        this.options.onLateral?.(m)
        return
      }
      this.publishAs(i, subjects(this.topology, { level: 2, index: this.parentOf(i) }).lateral, { ...m, from: receiver })
    } catch {
      this.counters.internalErrors++
      extra.counters.internalErrors++
    }
  }

  private publishAs(i: number, subject: string, m: SingleMessage): void {
    this.counters.published[m._tag]++
    this.extraOf(this.localExtra, i).counters.published[m._tag]++
    this.publisher(i).publish(subject, encodeMessage(m))
  }

  // -------------------------------------------------------------------------
  // Epochs

  private settleEpoch(j: number, old: number, now: number): void {
    if (this.waiters.length === 0) return
    let done = false
    for (const w of this.waiters) {
      if (j >= w.lo && j < w.hi && old < w.epoch && now >= w.epoch && --w.remaining === 0) {
        w.resolve()
        done = true
      }
    }
    if (done) this.waiters = this.waiters.filter((w) => w.remaining > 0)
  }

  /** Resolves once every parent in `[lo, hi)` has delivered a Down of epoch ≥ `epoch`. */
  private whenParentsAt(epoch: number, lo: number, hi: number): Promise<void> {
    let remaining = 0
    for (let j = lo; j < hi; j++) if (this.epochs[j]! < epoch) remaining++
    if (remaining === 0) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({ epoch, lo, hi, remaining, resolve }))
  }

  /** Resolves once every local coordinator holds a Down of epoch ≥ `epoch`. */
  whenAllAt(epoch: number): Promise<void> {
    return this.whenParentsAt(epoch, 0, this.parents)
  }

  /** Resolves once local `i` holds a Down of epoch ≥ `epoch`. */
  whenEpochAt(i: number, epoch: number): Promise<void> {
    const j = this.parentOf(i)
    return this.whenParentsAt(epoch, j, j + 1)
  }

  /** The latest Down epoch local `i` holds. */
  epochOf(i: number): number {
    return this.epochs[this.parentOf(i)]!
  }

  policyOf(i: number): Uint8Array {
    return this.policies[this.parentOf(i)] ?? noPolicy
  }

  triggersOf(i: number): ReadonlyArray<number> {
    return this.triggerLists[this.parentOf(i)] ?? noTriggers
  }

  /** The clamp bounds local `i`'s agents update with (the whole value range: no policy). */
  clampOf(i: number): { readonly lo: number; readonly hi: number } {
    const j = this.parentOf(i)
    return { lo: this.clampLo[j]!, hi: this.clampHi[j]! }
  }

  /**
   * Policy provenance: the (Down epoch, policy) the local coordinators hold,
   * as runs of consecutive parents holding the same one; `parent` is the
   * first parent of the run (every Down a local accepts came on its parent's
   * subject, claiming that parent as sender: `decodeFor` checks the claim).
   */
  heldDowns(): ReadonlyArray<{ readonly epoch: number; readonly policy: Uint8Array; readonly parent: number; readonly parents: number; readonly locals: number; readonly agents: number }> {
    const out: Array<{ epoch: number; policy: Uint8Array; parent: number; parents: number; locals: number; agents: number }> = []
    const n = this.topology.agents
    for (let j = 0; j < this.parents; j++) {
      const e = this.epochs[j]!
      const p = this.policies[j] ?? noPolicy
      const { lo, hi } = this.childrenOf(j)
      const agents = Math.min(hi * this.k, n) - lo * this.k
      const last = out[out.length - 1]
      if (last !== undefined && last.epoch === e && sameBytes(last.policy, p)) {
        last.parents++
        last.locals += hi - lo
        last.agents += agents
      } else out.push({ epoch: e, policy: p, parent: j, parents: 1, locals: hi - lo, agents })
    }
    return out
  }

  /** Trigger reactions of local `i` so far (each trigger of each accepted Down once). */
  triggersDeliveredOf(i: number): number {
    return this.parentTriggers?.[this.parentOf(i)] ?? 0
  }

  // -------------------------------------------------------------------------
  // Agents

  /**
   * Every hosted agent takes its value for `round` under the policy its local
   * coordinator holds now; then the triggers accepted since the last update
   * are delivered. Consecutive parents with the same clamp update as one
   * range, so with no policy this is one `AgentPool.updateRange`.
   */
  updateAgents(round: number): void {
    const n = this.topology.agents
    const perParent = this.k * this.k
    const cLo = this.clampLo
    const cHi = this.clampHi
    let j = 0
    while (j < this.parents) {
      const lo = cLo[j]!
      const hi = cHi[j]!
      let e = j + 1
      while (e < this.parents && cLo[e] === lo && cHi[e] === hi) e++
      const aLo = j * perParent
      const aHi = Math.min(e * perParent, n)
      this.agents.updateRangeClamped(round, aLo, aHi, lo, hi)
      j = e
    }
    if (this.pendingTriggers.size > 0) this.deliverTriggers(round)
  }

  private deliverTriggers(round: number): void {
    const pending = [...this.pendingTriggers].sort((a, b) => a[0] - b[0])
    this.pendingTriggers.clear()
    const counts = (this.parentTriggers ??= new Float64Array(this.parents))
    const n = this.topology.agents
    for (const [j, queue] of pending) {
      const { lo, hi } = this.childrenOf(j)
      for (const { epoch, triggers } of queue) {
        this.triggersDelivered += (hi - lo) * triggers.length
        counts[j]! += triggers.length
        this.options.onTriggers?.({ epoch, triggers, round, lo, hi, agentLo: lo * this.k, agentHi: Math.min(hi * this.k, n) })
      }
    }
  }

  // -------------------------------------------------------------------------
  // Ticking

  /** Folds local `i`'s agents into its columns; returns its data epoch. */
  private fold(i: number): number {
    const n = this.topology.agents
    const lo = i * this.k
    const hi = Math.min(lo + this.k, n)
    const values = this.agents.values
    const versions = this.agents.versions
    // one group of at most k leaves: the k-ary tree is one node, a right fold
    // from the identity (exactly `aggregateKaryTyped` / `foldRange` for n ≤ k)
    let sum = 0
    let min = Number.POSITIVE_INFINITY
    let max = Number.NEGATIVE_INFINITY
    let epoch = 0xffffffff
    for (let a = hi - 1; a >= lo; a--) {
      const v = values[a]!
      sum = v + sum
      min = Math.min(v, min)
      max = Math.max(v, max)
      const e = versions[a]!
      if (e < epoch) epoch = e
    }
    if (hi - lo === 1) sum = values[lo]!
    if (hi <= lo) epoch = 0
    this.sumCount[i] = hi > lo ? hi - lo : 0
    this.sumSum[i] = sum
    this.sumMin[i] = min
    this.sumMax[i] = max
    this.sumEpoch[i] = epoch
    return epoch
  }

  /**
   * The children of parent `j` fold and send up in UpBatches (as many entries
   * as fit in `maxBytes`): one publish where k Ups would be.
   */
  private sendBatches(subject: string, lo: number, hi: number): void {
    const per = this.batchEntries
    const dv = (this.batchView ??= new DataView(new ArrayBuffer(upBatchEntryOffset(per))))
    const bytes = (this.batchBytes ??= new Uint8Array(dv.buffer))
    const tr = this.options.transport
    for (let first = lo; first < hi; first += per) {
      const last = Math.min(first + per, hi)
      const len = writeUpBatchHeader(dv, 1, first, last - first)
      for (let i = first; i < last; i++) {
        const epoch = this.fold(i)
        writeUpEntry(dv, upBatchEntryOffset(i - first), i, epoch, this.seq, this.sumCount[i]!, this.sumSum[i]!, this.sumMin[i]!, this.sumMax[i]!)
      }
      tr.publish(subject, len === bytes.length ? bytes : bytes.subarray(0, len))
      this.counters.coalesced += last - first - 1
    }
  }

  private sendUp(i: number, subject: string, epoch: number): void {
    writeUp(this.dv, 1, i, epoch, this.seq, this.sumCount[i]!, this.sumSum[i]!, this.sumMin[i]!, this.sumMax[i]!)
    this.publisher(i).publish(subject, this.buf)
  }

  /** Every local coordinator folds its agents and sends its summary up (one tick of the level). */
  tickAll(): void {
    this.beginTick()
    this.tickParents(0, this.parents)
    this.settleSummaries()
  }

  /**
   * `tickAll`, yielding to the event loop after about every `chunk` Up
   * messages, so the bus delivers them as they come instead of queueing one
   * per local coordinator at once (at 10^5 local coordinators that queue is
   * most of a round's memory).
   */
  async tickAllPaced(chunk = 2048): Promise<void> {
    this.beginTick()
    const per = Math.max(1, Math.floor(chunk / this.k))
    for (let j = 0; j < this.parents; j += per) {
      if (j > 0) await new Promise<void>((resolve) => setImmediate(resolve))
      this.tickParents(j, Math.min(j + per, this.parents))
    }
    this.settleSummaries()
  }

  private beginTick(): void {
    this.seq = (this.seq + 1) >>> 0
    this.ticks++
    this.counters.published.Up += this.count
  }

  /** The children of parents `[jLo, jHi)` fold and send up. */
  private tickParents(jLo: number, jHi: number): void {
    const t = this.topology
    for (let j = jLo; j < jHi; j++) {
      const subject = `${t.prefix}.up.2.${j}`
      const { lo, hi } = this.childrenOf(j)
      if (this.batching) this.sendBatches(subject, lo, hi)
      else for (let i = lo; i < hi; i++) this.sendUp(i, subject, this.fold(i))
    }
  }

  /** Local `i` alone ticks. */
  tickOne(i: number): Summary {
    this.seq = (this.seq + 1) >>> 0
    const epoch = this.fold(i)
    this.sendUp(i, subjects(this.topology, { level: 2, index: this.parentOf(i) }).up, epoch)
    this.counters.published.Up++
    this.extraOf(this.localExtra, i).counters.published.Up++
    this.settleSummaries()
    return this.summaryOf(i)
  }

  private settleSummaries(): void {
    if (this.summaryWaiters.length === 0) return
    const keep = []
    for (const w of this.summaryWaiters) {
      if (this.sumEpoch[w.index]! >= w.epoch) w.resolve()
      else keep.push(w)
    }
    this.summaryWaiters = keep
  }

  /** Local `i`'s summary at its last tick. */
  summaryOf(i: number): Summary {
    return { count: this.sumCount[i]!, sum: this.sumSum[i]!, min: this.sumMin[i]!, max: this.sumMax[i]! }
  }

  /** The data epoch of local `i`'s last summary. */
  summaryEpochOf(i: number): number {
    return this.sumEpoch[i]!
  }

  whenSummaryAt(i: number, epoch: number): Promise<void> {
    if (this.sumEpoch[i]! >= epoch) return Promise.resolve()
    return new Promise((resolve) => this.summaryWaiters.push({ index: i, epoch, resolve }))
  }

  /** Local `i` sends a heartbeat with `term` to its parent. */
  heartbeat(i: number, term: number): void {
    const from = { level: 1, index: i }
    this.publishAs(i, subjects(this.topology, { level: 2, index: this.parentOf(i) }).up, { _tag: "Heartbeat", from, term })
  }

  /** The level ticks at `hz` until `stopClock` (or `stop`). */
  startClock(hz: number): void {
    this.stopClock()
    if (!(hz > 0)) throw new RangeError(`local level: rate must be > 0 Hz, got ${hz}`)
    this.clock = setInterval(() => this.tickAll(), 1000 / hz)
  }

  stopClock(): void {
    if (this.clock !== undefined) clearInterval(this.clock)
    this.clock = undefined
  }

  // -------------------------------------------------------------------------
  // Per-coordinator views

  /** Local `i`'s counters: its parent's Down traffic plus its own events. */
  countersOf(i: number): CoordinatorCounters {
    const j = this.parentOf(i)
    const out = zeroCounters()
    out.received = this.parentReceived[j]!
    out.accepted = this.parentAccepted[j]!
    out.stale = this.parentStale[j]!
    out.published.Up = this.ticks
    for (const e of [this.parentExtra.get(j), this.localExtra.get(i)]) {
      if (e === undefined) continue
      const c = e.counters
      out.received += c.received // a parent's record holds only rejections; its traffic is in the columns
      out.accepted += c.accepted
      out.rejected += c.rejected
      out.internalErrors += c.internalErrors
      out.lateralDelivered += c.lateralDelivered
      out.published.Up += c.published.Up
      out.published.Heartbeat += c.published.Heartbeat
      out.published.Lateral += c.published.Lateral
    }
    return out
  }

  rejectedByTagOf(i: number): Partial<Record<MessageErrorTag, number>> {
    const out: Partial<Record<MessageErrorTag, number>> = {}
    for (const e of [this.parentExtra.get(this.parentOf(i)), this.localExtra.get(i)]) {
      if (e === undefined) continue
      for (const [tag, v] of Object.entries(e.rejectedByTag)) out[tag as MessageErrorTag] = (out[tag as MessageErrorTag] ?? 0) + v
    }
    return out
  }

  /** The level's recent rejections that local `i` took part in, oldest first. */
  rejectionsOf(i: number): ReadonlyArray<{ readonly subject: string; readonly error: MessageError }> {
    return this.log.filter((r) => i >= r.lo && i < r.hi).map((r) => ({ subject: r.subject, error: r.error }))
  }

  /** A view of local `i` with the observable surface of a `Coordinator`. */
  view(i: number): LocalView {
    return this.views()[i]!
  }

  /** Views of every local coordinator (made on first use). */
  views(): ReadonlyArray<LocalView> {
    if (this.viewCache === undefined) {
      const out: LocalView[] = []
      for (let i = 0; i < this.count; i++) out.push(new LocalView(this, i))
      this.viewCache = out
    }
    return this.viewCache
  }
}
