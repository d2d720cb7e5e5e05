/**
 * The state of one upper coordinator (src/Tree/Coordinator.ts): per child the
 * latest Up (`LatestPerChild`) and its version bookkeeping, the Down it holds,
 * replication state, counters and the log of rejections, and the waiters the
 * drivers block on. Receiving and sending are the subclass's.
 *
 * @module
 */
import type { Subscription, Transport } from "../Net/Transport.ts"
import { DEFAULT_MAX_MESSAGE_BYTES, encodeMessage, type MessageError, type MessageErrorTag, readUpBatchEntry, type SingleMessage, upBatchCount, upBatchEntryShift } from "./Messages.ts"
import { defaultEpochCeiling, SEQ_WINDOW, upVersionProblem } from "./Versions.ts"
import { LatestPerChild, type OfferOutcome, type Summary, summaryEmpty } from "./Summary.ts"
import { childRange, type CoordinatorId, coordinatorName, parent, subjects, type Subjects, type Topology } from "./Topology.ts"
import { type CoordinatorCounters, type CoordinatorOptions, type CoordinatorRole, rejectionLogSize, zeroCounters } from "./CoordinatorTypes.ts"

const noHeartbeats = new Uint32Array(0)
const noHeardAt = new Float64Array(0)
const noPolicy = new Uint8Array(0)
const noRejections: ReadonlyArray<{ readonly subject: string; readonly error: MessageError }> = []
const defaultNow = (): number => performance.now()


interface Waiter {
  readonly epoch: number
  readonly resolve: () => void
}

export class CoordinatorState {
  readonly topology: Topology
  readonly id: CoordinatorId
  /** Its bus client (replaced by `reattach`). */
  transport: Transport
  protected readonly parentId: CoordinatorId | undefined
  protected readonly childLo: number
  protected readonly latest: LatestPerChild
  protected readonly options: CoordinatorOptions
  protected subs: Subscription[] | undefined
  protected clock: ReturnType<typeof setInterval> | undefined

  /** Replication role: only the active replica publishes. */
  role: CoordinatorRole
  /** Leadership term of this replica while active (0: unreplicated). */
  term = 0
  protected heardAt: Float64Array | undefined
  protected heartbeatTerms: Uint32Array | undefined
  /** When the parent's heartbeat was last heard, and its highest term. */
  parentHeardAt = Number.NEGATIVE_INFINITY
  parentTerm = 0
  /** When the active replica of this position was last heard (standbys; `watchPeers`), and its highest term. */
  peerHeardAt = Number.NEGATIVE_INFINITY
  peerTerm = 0

  /** Latest Down epoch seen (the root: broadcast). */
  epoch = 0
  policy: Uint8Array = noPolicy
  triggers: ReadonlyArray<number> = []
  /** Sequence number of the last Up sent. */
  seq = 0
  /** The summary computed at the last tick, and the data epoch it covers. */
  summary: Summary = summaryEmpty
  summaryEpoch = 0
  readonly counters: CoordinatorCounters = zeroCounters()
  // allocated on first use (a large tree has ~10^4 coordinators that never reject anything)
  protected byTag: Partial<Record<MessageErrorTag, number>> | undefined
  protected log: Array<{ readonly subject: string; readonly error: MessageError }> | undefined

  /** Per child slot: the seq of the kept Up and whether one is kept (for the seq window; allocated on first Up). */
  protected keptSeq: Uint32Array | undefined
  protected keptPresent: Uint8Array | undefined
  /** Who sent the Down this coordinator holds (provenance; undefined: none yet, or broadcast here). */
  downFrom: { readonly level: number; readonly index: number } | undefined
  /** The subject that Down arrived on. */
  downSubject: string | undefined

  protected epochWaiters: Waiter[] | undefined
  protected childWaiters: Waiter[] | undefined
  protected summaryWaiters: Waiter[] | undefined

  constructor(options: CoordinatorOptions) {
    const { topology: t, id } = options
    this.options = options
    this.topology = t
    this.id = id
    this.transport = options.transport
    this.parentId = parent(t, id)
    const cr = childRange(t, id)
    this.childLo = cr.lo
    if (id.level < 2) throw new RangeError(`Coordinator ${this.name}: a local coordinator is a LocalLevel (src/Tree/LocalLevel.ts)`)
    this.latest = new LatestPerChild(cr.hi - cr.lo)
    this.role = options.role ?? "active"
  }

  // Derived on demand rather than stored: a large tree holds ~10^4 coordinators.

  /** A short name, e.g. "L2.17". */
  get name(): string {
    return coordinatorName(this.id)
  }

  /** Its bus subjects. */
  get subjects(): Subjects {
    return subjects(this.topology, this.id)
  }

  protected get parentSubjects(): Subjects | undefined {
    return this.parentId === undefined ? undefined : subjects(this.topology, this.parentId)
  }

  protected get maxBytes(): number {
    return this.options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES
  }

  protected get requireComplete(): boolean {
    return this.options.requireComplete ?? false
  }

  protected now(): number {
    return (this.options.now ?? defaultNow)()
  }

  /** Last heartbeat term per child slot (0 = none). */
  get heartbeats(): Uint32Array {
    if (this.latest.size === 0) return noHeartbeats
    return (this.heartbeatTerms ??= new Uint32Array(this.latest.size))
  }

  /** When each child slot's heartbeat was last heard (−Infinity: never). */
  get childHeardAt(): Float64Array {
    if (this.latest.size === 0) return noHeardAt
    return (this.heardAt ??= new Float64Array(this.latest.size).fill(Number.NEGATIVE_INFINITY))
  }

  /** Rejections so far by error tag. */
  get rejectedByTag(): Partial<Record<MessageErrorTag, number>> {
    return (this.byTag ??= {})
  }

  /** The most recent rejections (typed errors), oldest first. */
  get rejections(): ReadonlyArray<{ readonly subject: string; readonly error: MessageError }> {
    return this.log ?? noRejections
  }

  get isRoot(): boolean {
    return this.parentId === undefined
  }

  /** Number of child coordinators. */
  get childCount(): number {
    const r = childRange(this.topology, this.id)
    return r.hi - r.lo
  }

  protected publish(subject: string, m: SingleMessage): void {
    this.counters.published[m._tag]++
    this.transport.publish(subject, encodeMessage(m))
  }

  protected reject(error: MessageError, subject: string): void {
    this.counters.rejected++
    const byTag = this.rejectedByTag
    byTag[error._tag] = (byTag[error._tag] ?? 0) + 1
    const log = (this.log ??= [])
    log.push({ subject, error })
    if (log.length > rejectionLogSize) log.shift()
    this.options.onReject?.(error, subject)
  }

  /** The highest epoch an honest Up or Down can carry now (src/Tree/Versions.ts). */
  protected epochCeiling(): number {
    return this.options.epochCeiling?.() ?? defaultEpochCeiling(this.epoch)
  }

  protected termAllowed(from: CoordinatorId, term: number, kind: "Up" | "Heartbeat"): boolean {
    const ok = this.options.termOk
    return ok !== undefined ? ok(from, term, kind) : kind === "Heartbeat" || term === 0
  }

  /** A version field out of bounds: counted as a rejection (an InvalidField) and as `versionRejected`. */
  protected rejectVersion(error: MessageError, subject: string, wasAccepted = true): void {
    if (wasAccepted) this.counters.accepted--
    this.counters.versionRejected++
    this.reject(error, subject)
  }

  /**
   * Offers a child's Up to its slot once its version is within bounds
   * (src/Tree/Versions.ts); undefined when it was rejected (and counted).
   * `entryOffset` locates the entry in an UpBatch, for the error.
   */
  protected offerChild(slot: number, epoch: number, seq: number, term: number, count: number, sum: number, min: number, max: number, subject: string, entryOffset: number): OfferOutcome | undefined {
    const seqs = (this.keptSeq ??= new Uint32Array(this.latest.size))
    const present = (this.keptPresent ??= new Uint8Array(this.latest.size))
    const has = present[slot] === 1
    const ceiling = this.epochCeiling()
    // the common case, decided without reading the kept version: no term, epoch and seq within bounds
    if (term === 0 && epoch <= ceiling && (!has || seq <= seqs[slot]! + SEQ_WINDOW)) {
      const outcome = this.latest.offerValues(slot, epoch, seq, 0, count, sum, min, max)
      if (outcome === "accepted") {
        present[slot] = 1
        seqs[slot] = seq
      }
      return outcome
    }
    const keptTerm = has ? this.latest.termOf(slot) : 0
    // term 0 claims no leadership; a term already kept was checked when it was adopted
    const allowed = term === 0 || (has && term <= keptTerm) || this.termAllowed(this.childId(slot), term, "Up")
    const problem = upVersionProblem(has, keptTerm, has ? this.latest.epochOf(slot) : 0, seqs[slot]!, term, epoch, seq, ceiling, allowed, entryOffset)
    if (problem !== undefined) {
      this.rejectVersion(problem, subject)
      return undefined
    }
    const outcome = this.latest.offerValues(slot, epoch, seq, term, count, sum, min, max)
    if (outcome === "accepted") {
      present[slot] = 1
      seqs[slot] = seq
    }
    return outcome
  }

  protected childId(slot: number): CoordinatorId {
    return { level: this.id.level - 1, index: this.childLo + slot }
  }

  protected offerUp(outcome: OfferOutcome): void {
    if (outcome === "duplicate") this.counters.duplicates++
    else if (outcome === "stale") this.counters.stale++
    else this.settleChildWaiters()
  }

  /** An UpBatch that `peekUpBatch` accepted: every entry offered as its Up. */
  protected acceptBatch(dv: DataView, subject: string): void {
    const count = upBatchCount(dv)
    this.counters.accepted += count
    for (let i = 0; i < count; i++) {
      // index, epoch, seq, count, sum, min, max (MessagesLayout.ts reads the entry)
      const e = readUpBatchEntry(dv, i)
      const outcome = this.offerChild(e[0]! - this.childLo, e[1]!, e[2]!, 0, e[3]!, e[4]!, e[5]!, e[6]!, subject, upBatchEntryShift(i))
      if (outcome === "duplicate") this.counters.duplicates++
      else if (outcome === "stale") this.counters.stale++
    }
    this.settleChildWaiters()
  }


  // -------------------------------------------------------------------------
  // Observing

  /** Children that have reported at least once, and the lowest epoch among them (0 if any is missing). */
  get childEpoch(): number {
    return this.latest.minEpoch()
  }

  /** The current merge of the latest summary per child (without ticking). */
  mergedChildren(): Summary {
    return this.latest.merged()
  }

  protected settleEpochWaiters(): void {
    if (this.epochWaiters !== undefined) this.settle(this.epochWaiters, this.epoch)
  }

  protected settle(waiters: Waiter[], current: number): void {
    if (waiters.length === 0) return
    const keep: Waiter[] = []
    for (const w of waiters) {
      if (w.epoch <= current) w.resolve()
      else keep.push(w)
    }
    waiters.length = 0
    for (const w of keep) waiters.push(w)
  }

  protected settleChildWaiters(): void {
    const ws = this.childWaiters
    if (ws === undefined || ws.length === 0 || !this.latest.reached) return
    this.settle(ws, this.latest.minEpoch())
    this.watchChildWaiters()
  }

  /** The children's columns count the slots below the lowest epoch still waited for. */
  protected watchChildWaiters(): void {
    const ws = this.childWaiters
    if (ws === undefined || ws.length === 0) return
    let lowest = ws[0]!.epoch
    for (const w of ws) if (w.epoch < lowest) lowest = w.epoch
    this.latest.watch(lowest)
  }

  /** Resolves once a Down of epoch ≥ `epoch` has arrived (or been broadcast here). */
  whenEpoch(epoch: number): Promise<void> {
    if (this.epoch >= epoch) return Promise.resolve()
    return new Promise((resolve) => (this.epochWaiters ??= []).push({ epoch, resolve }))
  }

  /** Resolves once every child's latest summary has data epoch ≥ `epoch`. */
  whenChildrenAt(epoch: number): Promise<void> {
    if (this.latest.minEpoch() >= epoch) return Promise.resolve()
    return new Promise((resolve) => {
      ;(this.childWaiters ??= []).push({ epoch, resolve })
      this.watchChildWaiters()
    })
  }

  /** Resolves at the first tick whose summary covers data epoch ≥ `epoch`. */
  whenSummaryAt(epoch: number): Promise<void> {
    if (this.summaryEpoch >= epoch) return Promise.resolve()
    return new Promise((resolve) => (this.summaryWaiters ??= []).push({ epoch, resolve }))
  }
}
