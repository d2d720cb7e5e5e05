/**
 * What a `LocalLevel` run (src/Tree/LocalLevel.ts) receives: its parents'
 * Down and Heartbeat (decoded and checked once per parent, applied to all its
 * children in the run), Lateral messages on its locals' own inboxes, and
 * with `watchPeers` the heartbeats of its position's active replica; every
 * rejection counted per coordinator. The columns it receives into are
 * src/Tree/LocalColumns.ts; sending is the subclass's.
 *
 * @module
 */
import type { Subscription, Transport } from "../Net/Transport.ts"
import type { AgentPool } from "./Agents.ts"
import { type CoordinatorCounters, type CoordinatorRole, rejectionLogSize, zeroCounters } from "./CoordinatorTypes.ts"
import { LocalColumns, type TriggerDelivery } from "./LocalColumns.ts"
import { DEFAULT_MAX_MESSAGE_BYTES, checkSender, decodeFor, decodeMessage, encodeMessage, Forged, type Heartbeat, type Lateral, type MessageError, type MessageErrorTag, type SingleMessage } from "./Messages.ts"
import { checkDownPolicy } from "./Policy.ts"
import { defaultEpochCeiling, downVersionProblem, heartbeatTermProblem } from "./Versions.ts"
import { type CoordinatorId, countAt, inSubtree, subjectIndex, subjects, type Topology } from "./Topology.ts"
import * as Result from "effect/Result"

/** How a `LocalLevel` run is built (src/Tree/LocalLevel.ts). */
export interface LocalLevelOptions {
  readonly topology: Topology
  readonly agents: AgentPool
  /** The run: local coordinators `[first, first + count)` (default: all of them). */
  readonly first?: number
  readonly count?: number
  /**
   * Send each tick's Ups as one UpBatch per parent (src/Tree/Messages.ts) on
   * `transport` (default: when there are no `publishers`; per-coordinator
   * publishers send one Up each, so faults can be injected per coordinator).
   */
  readonly batchUps?: boolean
  /**
   * Wraps each UpBatch, Up and Heartbeat it publishes on a parent's up subject (a signed envelope,
   * src/Trust/TreeSeal.ts; a replicated run's single Ups: src/Trust/ReplicaTrust.ts).
   */
  readonly sealUp?: (upBatch: Uint8Array) => Uint8Array
  /** Wraps each Heartbeat it publishes on its own down subject (for its position's replicas). */
  readonly sealDown?: (data: Uint8Array) => Uint8Array
  /** Unwraps each buffer on a parent's down subject before anything reads it (src/Trust/TreeSeal.ts); `undefined` drops it. */
  readonly openDown?: (data: Uint8Array) => Uint8Array | undefined
  /**
   * Whether local coordinator `receiver` may route this agent's Lateral
   * (capabilities, rate limits: src/Trust/Capabilities.ts); false drops it, counted by the gate.
   */
  readonly admitLateral?: (m: Lateral, receiver: CoordinatorId) => boolean
  /** The client the run subscribes on (and publishes on when `publishers` is not given). */
  readonly transport: Transport
  /** One client per local coordinator of the run, to publish as that coordinator (optional). */
  readonly publishers?: ReadonlyArray<Transport>
  /** Largest accepted message (default 64 KiB). */
  readonly maxBytes?: number
  /** A lateral message reached its destination agent (hosted here). */
  readonly onLateral?: (m: Lateral) => void
  /** The agents under one parent react to the triggers of an accepted Down (at their next update). */
  readonly onTriggers?: (d: TriggerDelivery) => void
  /** Replication: start as the active replica (default) or as a standby that publishes nothing. */
  readonly role?: CoordinatorRole
  /** Replication: also subscribe to its own down subjects, to hear its position's active replica. */
  readonly watchPeers?: boolean
  /** The highest epoch an honest Down can carry now (src/Tree/Versions.ts); default the held epoch + 1. */
  readonly epochCeiling?: () => number
  /** Whether a new Heartbeat `term` claimed by `from` (the parent, or this position's replica) is believable (default: yes). */
  readonly termOk?: (from: CoordinatorId, term: number, kind: "Up" | "Heartbeat") => boolean
  /** A heartbeat arrived from the parent or from a replica of this position ("peer"). */
  readonly onHeartbeat?: (m: Heartbeat, from: "parent" | "peer") => void
  /** Clock for the last-heard times, ms (default performance.now). */
  readonly now?: () => number
}

/** Per-coordinator record of rare events (or per parent: rejections of its Down subject). */
export interface Extra {
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

/** The receiving half of a `LocalLevel` run, with the replication state receiving updates. */
export class LocalReceive extends LocalColumns {
  /** Its bus client (replaced by `reattach`). */
  transport: Transport
  /** Replication role: only the active replica publishes. */
  role: CoordinatorRole
  /** Leadership term while active (0: unreplicated). */
  term = 0
  /** When a parent's heartbeat was last heard; the highest term heard from this position's replicas, and when. */
  parentHeardAt = Number.NEGATIVE_INFINITY
  peerTerm = 0
  peerHeardAt = Number.NEGATIVE_INFINITY
  protected readonly options: LocalLevelOptions
  protected subs: Subscription[] = []
  protected readonly localExtra = new Map<number, Extra>()
  protected readonly parentExtra = new Map<number, Extra>()
  private readonly log: Rejection[] = []

  constructor(options: LocalLevelOptions) {
    const t = options.topology
    const first = options.first ?? 0
    super(t, options.agents, first, options.count ?? countAt(t, 1) - first, options.onTriggers)
    this.options = options
    this.transport = options.transport
    this.role = options.role ?? "active"
  }

  protected get maxBytes(): number {
    return this.options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES
  }

  private now(): number {
    return (this.options.now ?? performance.now.bind(performance))()
  }

  /** The client local `i` publishes on. */
  protected publisher(i: number): Transport {
    return this.options.publishers?.[i] ?? this.transport
  }

  protected extraOf(map: Map<number, Extra>, key: number): Extra {
    let e = map.get(key)
    if (e === undefined) {
      e = { counters: zeroCounters(), rejectedByTag: {} }
      map.set(key, e)
    }
    return e
  }

  /** `error` on `subject`, rejected by locals `[lo, hi)`; `extra` is where it is recorded per coordinator. */
  protected reject(error: MessageError, subject: string, lo: number, hi: number, extra: Extra): void {
    const n = hi - lo
    this.counters.rejected += n
    this.rejectedByTag[error._tag] = (this.rejectedByTag[error._tag] ?? 0) + n
    extra.counters.rejected++
    extra.rejectedByTag[error._tag] = (extra.rejectedByTag[error._tag] ?? 0) + 1
    this.log.push({ subject, error, lo, hi })
    if (this.log.length > rejectionLogSize) this.log.shift()
  }

  // -------------------------------------------------------------------------
  // Receiving

  /** The run index of the local named by `subject`'s last token, or −1. */
  private localIndex(subject: string): number {
    const g = subjectIndex(subject, countAt(this.topology, 1))
    return g < this.first || g >= this.first + this.count ? -1 : g - this.first
  }

  private termAllowed(from: CoordinatorId, term: number, kind: "Up" | "Heartbeat"): boolean {
    const ok = this.options.termOk
    return ok !== undefined ? ok(from, term, kind) : kind === "Heartbeat" || term === 0
  }

  /** A version field out of bounds: a rejection (InvalidField) also counted as `versionRejected`. */
  private rejectVersion(error: MessageError, subject: string, lo: number, hi: number, key: number, perParent: boolean): void {
    const extra = this.extraOf(perParent ? this.parentExtra : this.localExtra, key)
    this.counters.versionRejected += hi - lo
    extra.counters.versionRejected++
    this.reject(error, subject, lo, hi, extra)
  }

  /** A message on `P.down.2.j`: the Down / Heartbeat of parent `j`, for all its children in the run. Never throws. */
  protected receiveDown(data: Uint8Array, subject: string): void {
    const g = subjectIndex(subject, countAt(this.topology, 2))
    const j = g - this.firstParent
    if (g < 0 || j < 0 || j >= this.parents) return // no local coordinator of the run listens there
    const { lo, hi } = this.childrenOf(j)
    const n = hi - lo
    this.counters.received += n
    this.parentReceived[j]! += 1
    if (this.options.openDown !== undefined) {
      const opened = this.options.openDown(data)
      if (opened === undefined) return
      data = opened
    }
    try {
      const d = decodeMessage(data, { maxBytes: this.maxBytes })
      if (Result.isFailure(d)) return this.reject(d.failure, subject, lo, hi, this.extraOf(this.parentExtra, j))
      // every child of j checks the same way (only a Lateral's destination differs, and a Lateral is refused here anyway)
      const receiver = this.idOf(lo)
      const r = checkSender(this.topology, receiver, d.success)
      if (Result.isFailure(r)) return this.reject(r.failure, subject, lo, hi, this.extraOf(this.parentExtra, j))
      const m = r.success
      if (m._tag !== "Down" && m._tag !== "Heartbeat") {
        return this.reject(new Forged({ kind: m._tag, sender: m.from, receiver, reason: `a ${m._tag} is not accepted on ${subject}` }), subject, lo, hi, this.extraOf(this.parentExtra, j))
      }
      const policy = m._tag === "Down" ? checkDownPolicy(m) : undefined
      if (policy !== undefined && Result.isFailure(policy)) return this.reject(policy.failure, subject, lo, hi, this.extraOf(this.parentExtra, j))
      // checkSender accepted it on a down subject: it is from the parent
      if (m._tag === "Heartbeat") {
        const terms = (this.parentTerms ??= new Uint32Array(this.parents))
        // an older term is a deposed parent leader; a newer one must be believable
        const tp = heartbeatTermProblem(terms[j]!, m.term, (x) => this.termAllowed(m.from as CoordinatorId, x, "Heartbeat"))
        if (tp !== undefined) return this.rejectVersion(tp, subject, lo, hi, j, true)
        this.counters.accepted += n
        this.parentAccepted[j]! += 1
        if (m.term < terms[j]!) {
          this.counters.stale += n
          this.parentStale[j]! += 1
          return
        }
        terms[j] = m.term
        this.parentHeardAt = this.now()
        this.options.onHeartbeat?.(m, "parent")
        return
      }
      const old = this.epochs[j]!
      // an inflated epoch would make every later Down stale: the subtree's policy frozen (src/Tree/Versions.ts)
      const dp = downVersionProblem(old, m.epoch, this.options.epochCeiling?.() ?? defaultEpochCeiling(old))
      if (dp !== undefined) return this.rejectVersion(dp, subject, lo, hi, j, true)
      this.counters.accepted += n
      this.parentAccepted[j]! += 1
      if (m.epoch <= old) {
        this.counters.stale += n
        this.parentStale[j]! += 1
        return
      }
      this.holdDown(j, m.epoch, m.policy, policy!.success, m.triggers)
    } catch {
      this.counters.internalErrors++
    }
  }

  /** A message on local `i`'s own up or lateral inbox. Never throws. */
  protected receiveOwn(data: Uint8Array, subject: string, inbox: "up" | "lateral"): void {
    const i = this.localIndex(subject)
    if (i < 0) return
    const extra = this.extraOf(this.localExtra, i)
    this.counters.received++
    extra.counters.received++
    try {
      const receiver = this.idOf(i)
      const r = decodeFor(this.topology, receiver, data, { maxBytes: this.maxBytes })
      if (Result.isFailure(r)) return this.reject(r.failure, subject, i, i + 1, extra)
      const m = r.success
      if (inbox === "up" || m._tag !== "Lateral") {
        // a local coordinator's up inbox accepts nothing (its agents are hosted); only Lateral on its lateral inbox
        const reason = m._tag === "Heartbeat" ? `a Heartbeat on ${subject} must come from a child` : `a ${m._tag} is not accepted on ${subject}`
        return this.reject(new Forged({ kind: m._tag, sender: m.from, receiver, reason }), subject, i, i + 1, extra)
      }
      if (this.options.admitLateral?.(m, receiver) === false) return
      this.counters.accepted++
      extra.counters.accepted++
      if (this.role !== "active") return // the active replica routes it
      if (inSubtree(this.topology, receiver, m.toAgent)) {
        this.counters.lateralDelivered++
        extra.counters.lateralDelivered++
        this.options.onLateral?.(m)
        return
      }
      const p = this.parentIdOf(this.parentOf(i))
      if (p !== undefined) this.publishAs(i, subjects(this.topology, p).lateral, { ...m, from: receiver })
    } catch {
      this.counters.internalErrors++
      extra.counters.internalErrors++
    }
  }

  /**
   * A message on local `i`'s own down subject: its position's active replica
   * (or this replica itself) heartbeating. A local coordinator forwards no
   * Down, so only Heartbeats belong there. Never throws; not counted as
   * received (peer traffic).
   */
  protected receivePeer(data: Uint8Array, subject: string): void {
    const i = this.localIndex(subject)
    if (i < 0) return
    if (this.options.openDown !== undefined) {
      const opened = this.options.openDown(data)
      if (opened === undefined) return
      data = opened
    }
    const extra = this.extraOf(this.localExtra, i)
    try {
      const self = this.idOf(i)
      const r = decodeMessage(data, { maxBytes: this.maxBytes })
      if (Result.isFailure(r)) return this.reject(r.failure, subject, i, i + 1, extra)
      const m = r.success
      if (m.from.level !== 1 || m.from.index !== self.index || m._tag !== "Heartbeat") {
        return this.reject(new Forged({ kind: m._tag, sender: m.from, receiver: self, reason: `only this position's replicas send Heartbeat on ${subject}` }), subject, i, i + 1, extra)
      }
      if (m.term < this.peerTerm) return
      const tp = heartbeatTermProblem(this.peerTerm, m.term, (x) => this.termAllowed(self, x, "Heartbeat"))
      if (tp !== undefined) return this.rejectVersion(tp, subject, i, i + 1, i, false)
      this.peerTerm = m.term
      if (this.role === "active" && m.term === this.term) return // our own echo
      this.peerHeardAt = this.now()
      this.options.onHeartbeat?.(m, "peer")
    } catch {
      this.counters.internalErrors++
    }
  }

  protected publishAs(i: number, subject: string, m: SingleMessage): void {
    this.counters.published[m._tag]++
    if (this.count > 1) this.extraOf(this.localExtra, i).counters.published[m._tag]++
    // laterals are not sealed; Heartbeats on its own down subject go to its replicas, the rest up
    const seal = m._tag === "Lateral" ? undefined : subject.startsWith(`${this.topology.prefix}.down.`) ? this.options.sealDown : this.options.sealUp
    this.publisher(i).publish(subject, seal === undefined ? encodeMessage(m) : seal(encodeMessage(m)))
  }

  // -------------------------------------------------------------------------
  // Per-coordinator figures

  /** Local `i`'s counters: its parent's Down traffic plus its own events (a run of one: the run's counters). */
  countersOf(i: number): CoordinatorCounters {
    if (this.count === 1) return this.counters
    const j = this.parentOf(i)
    const out = zeroCounters()
    out.received = this.parentReceived[j]!
    out.accepted = this.parentAccepted[j]!
    out.stale = this.parentStale[j]!
    out.published.Up = this.sentTicks
    for (const e of [this.parentExtra.get(j), this.localExtra.get(i)]) {
      if (e === undefined) continue
      const c = e.counters
      out.received += c.received // a parent's record holds only rejections; its traffic is in the columns
      out.accepted += c.accepted
      out.rejected += c.rejected
      out.versionRejected += c.versionRejected
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

  /** The run's recent rejections that local `i` took part in, oldest first. */
  rejectionsOf(i: number): ReadonlyArray<{ readonly subject: string; readonly error: MessageError }> {
    return this.log.filter((r) => i >= r.lo && i < r.hi).map((r) => ({ subject: r.subject, error: r.error }))
  }
}
