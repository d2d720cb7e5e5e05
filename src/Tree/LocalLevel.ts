/**
 * The one implementation of a local coordinator (level 1): a run of them held
 * as columns (src/Tree/LocalColumns.ts) instead of one object each; what it
 * receives is src/Tree/LocalReceive.ts, what it sends is here. At
 * branching 10 nine coordinators in ten are local, and a million agents have
 * 10^5 of them. The same class serves the column of every local coordinator
 * of a process (`runTree`, `runTreeMultiProcess`), a tree whose root is local
 * (n ≤ k: it broadcasts instead of following a parent), and one replica of a
 * replicated local position (a run of one, src/Tree/Replica.ts).
 *
 * Per local coordinator: it hosts agents `[i·k, min((i+1)·k, n))`, folds them
 * on every tick and sends the summary up to its parent with its data epoch
 * (the lowest version among its agents) and a fresh sequence number; it
 * follows its parent's Down; it routes Lateral messages (delivers to a hosted
 * agent, otherwise forwards to its parent); everything it receives is decoded
 * and checked (`decodeFor`), and a bad message is counted and changes nothing.
 *
 * - A column subscribes three wildcards: `P.down.2.*` (the parents' Down and
 *   Heartbeat), `P.up.1.*` and `P.lat.1.*`, dispatched by the subject's last
 *   token; a shorter run subscribes its own subjects. A Down from parent `j`
 *   is decoded and checked once and applies to all of `j`'s children in the
 *   run; it is counted once per child, as separate coordinators would.
 * - Up messages are written into one preallocated buffer (the transport copies
 *   on publish), as UpBatches (one per parent) or one Up per local on its own
 *   client (`publishers`, so faults can be injected per coordinator).
 * - Policy and triggers (src/Tree/Policy.ts): a Down is accepted only if its
 *   policy decodes; `updateAgents(round)` updates every agent with the clamp
 *   its local coordinator holds; an accepted Down's triggers are delivered
 *   once, at the agents' next update.
 * - Replication (src/Tree/Failover.ts): a run is the `active` replica or a
 *   `standby`, which receives and folds but publishes nothing; `promote(term)`
 *   makes it active (its Ups carry the term). With `watchPeers` it hears its
 *   position's active replica on its own down subject.
 *
 * @module
 */
import type { Transport } from "../Net/Transport.ts"
import { encodeMessage, UP_BATCH_ENTRY_BYTES, UP_MESSAGE_BYTES, upBatchEntryOffset, writeUp, writeUpBatchHeader, writeUpEntry } from "./Messages.ts"
import { decodePolicy } from "./Policy.ts"
import type { Summary } from "./Summary.ts"
import { coordinatorName, countAt, subjects } from "./Topology.ts"
import * as Result from "effect/Result"
import { type LocalLevelOptions, LocalReceive } from "./LocalReceive.ts"
import { LocalView } from "./LocalView.ts"
import { takeLead } from "./CoordinatorTypes.ts"

export { LocalView } from "./LocalView.ts"
export type { TriggerDelivery } from "./LocalColumns.ts"
export type { LocalLevelOptions } from "./LocalReceive.ts"

export class LocalLevel extends LocalReceive {
  /** Whether a tick sends UpBatches (one per parent) instead of one Up per local coordinator. */
  readonly batching: boolean
  private readonly batchEntries: number
  private batchView: DataView | undefined
  private batchBytes: Uint8Array | undefined
  private readonly buf = new Uint8Array(UP_MESSAGE_BYTES)
  private readonly dv = new DataView(this.buf.buffer)
  private clock: ReturnType<typeof setInterval> | undefined
  private viewCache: ReadonlyArray<LocalView> | undefined

  constructor(options: LocalLevelOptions) {
    super(options)
    if (options.publishers !== undefined && options.publishers.length !== this.count) {
      throw new RangeError(`LocalLevel: ${options.publishers.length} publishers for ${this.count} local coordinators`)
    }
    this.batching = options.batchUps ?? options.publishers === undefined
    this.batchEntries = Math.min(this.k, Math.floor((this.maxBytes - upBatchEntryOffset(0)) / UP_BATCH_ENTRY_BYTES))
    if (this.batching && this.batchEntries < 1) throw new RangeError(`LocalLevel: maxBytes ${this.maxBytes} leaves no room for an UpBatch entry`)
  }

  /** Whether ticks send Ups: an active replica below the root. */
  private get sending(): boolean {
    return !this.isRoot && this.role === "active"
  }

  /** Subscribes the run's subjects: wildcards for the whole column, its own subjects for a shorter run. */
  start(): void {
    const t = this.topology
    const tr = this.transport
    const p = t.prefix
    const on = (s: string, f: (d: Uint8Array, s: string) => void): void => void this.subs.push(tr.subscribe(s, f))
    const whole = this.count === countAt(t, 1)
    if (whole) {
      if (!this.isRoot) on(`${p}.down.2.*`, (d, s) => this.receiveDown(d, s))
      on(`${p}.up.1.*`, (d, s) => this.receiveOwn(d, s, "up"))
      on(`${p}.lat.1.*`, (d, s) => this.receiveOwn(d, s, "lateral"))
      if (this.options.watchPeers === true) on(`${p}.down.1.*`, (d, s) => this.receivePeer(d, s))
      return
    }
    if (!this.isRoot) for (let j = 0; j < this.parents; j++) on(`${p}.down.2.${this.firstParent + j}`, (d, s) => this.receiveDown(d, s))
    for (let i = 0; i < this.count; i++) {
      const g = this.first + i
      on(`${p}.up.1.${g}`, (d, s) => this.receiveOwn(d, s, "up"))
      on(`${p}.lat.1.${g}`, (d, s) => this.receiveOwn(d, s, "lateral"))
      if (this.options.watchPeers === true) on(`${p}.down.1.${g}`, (d, s) => this.receivePeer(d, s))
    }
  }

  async stop(): Promise<void> {
    this.stopClock()
    const subs = this.subs
    this.subs = []
    await Promise.all(subs.map((s) => s.unsubscribe()))
  }

  /** Unsubscribes from the current client and subscribes on `transport` (a reconnected replica); state is kept. */
  async reattach(transport: Transport): Promise<void> {
    const subs = this.subs
    this.subs = []
    await Promise.all(subs.map((s) => s.unsubscribe().catch(() => undefined)))
    this.transport = transport
    this.start()
  }

  // -------------------------------------------------------------------------
  // Ticking

  /**
   * The children of parent `j` fold and send up in UpBatches (as many entries
   * as fit in `maxBytes`): one publish where k Ups would be.
   */
  private sendBatches(subject: string, lo: number, hi: number): void {
    const per = this.batchEntries
    const dv = (this.batchView ??= new DataView(new ArrayBuffer(upBatchEntryOffset(per))))
    const bytes = (this.batchBytes ??= new Uint8Array(dv.buffer))
    const tr = this.transport
    const seal = this.options.sealUp
    for (let first = lo; first < hi; first += per) {
      const last = Math.min(first + per, hi)
      const len = writeUpBatchHeader(dv, 1, this.first + first, last - first)
      for (let i = first; i < last; i++) {
        const epoch = this.fold(i)
        writeUpEntry(dv, upBatchEntryOffset(i - first), this.first + i, epoch, this.seq, this.sumCount[i]!, this.sumSum[i]!, this.sumMin[i]!, this.sumMax[i]!)
      }
      const out = len === bytes.length ? bytes : bytes.subarray(0, len)
      tr.publish(subject, seal === undefined ? out : seal(out))
      this.counters.coalesced += last - first - 1
    }
  }

  private sendUp(i: number, subject: string, epoch: number): void {
    if (this.term > 0) {
      // a replica's Up carries its term (the term-less fixed layout is the common case)
      const up = encodeMessage({ _tag: "Up", from: this.idOf(i), epoch, seq: this.seq, term: this.term, summary: this.summaryOf(i) })
      this.publisher(i).publish(subject, this.options.sealUp === undefined ? up : this.options.sealUp(up))
      return
    }
    writeUp(this.dv, 1, this.first + i, epoch, this.seq, this.sumCount[i]!, this.sumSum[i]!, this.sumMin[i]!, this.sumMax[i]!)
    this.publisher(i).publish(subject, this.options.sealUp === undefined ? this.buf : this.options.sealUp(this.buf))
  }

  /** Every local coordinator folds its agents and sends its summary up (one tick of the run). */
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
    if (!this.sending) return
    this.sentTicks++
    this.counters.published.Up += this.count
  }

  /** The children of parents `[jLo, jHi)` fold and (unless standby or root) send up. */
  private tickParents(jLo: number, jHi: number): void {
    const send = this.sending
    const batch = this.batching && this.term === 0
    for (let j = jLo; j < jHi; j++) {
      const { lo, hi } = this.childrenOf(j)
      if (!send) {
        for (let i = lo; i < hi; i++) this.fold(i)
        continue
      }
      const subject = `${this.topology.prefix}.up.2.${this.firstParent + j}`
      if (batch) this.sendBatches(subject, lo, hi)
      else for (let i = lo; i < hi; i++) this.sendUp(i, subject, this.fold(i))
    }
  }

  /** Local `i` alone ticks. */
  tickOne(i: number): Summary {
    this.seq = (this.seq + 1) >>> 0
    const epoch = this.fold(i)
    const p = this.parentIdOf(this.parentOf(i))
    if (this.sending && p !== undefined) {
      this.sendUp(i, subjects(this.topology, p).up, epoch)
      this.counters.published.Up++
      if (this.count > 1) this.extraOf(this.localExtra, i).counters.published.Up++
    }
    this.settleSummaries()
    return this.summaryOf(i)
  }

  /** Local `i` sends a heartbeat with `term` to its parent (none at a local root). */
  heartbeat(i: number, term: number): void {
    const p = this.parentIdOf(this.parentOf(i))
    if (p !== undefined) this.publishAs(i, subjects(this.topology, p).up, { _tag: "Heartbeat", from: this.idOf(i), term })
  }

  /** Replication: the active run heartbeats with its term to each parent and on each local's own down subject. */
  beat(): void {
    if (this.role !== "active") return
    for (let i = 0; i < this.count; i++) {
      this.heartbeat(i, this.term)
      this.publishAs(i, subjects(this.topology, this.idOf(i)).down, { _tag: "Heartbeat", from: this.idOf(i), term: this.term })
    }
  }

  /** Replication: becomes the active replica with leadership `term`; heartbeats and sends its summaries at once. */
  promote(term: number): void {
    takeLead(this, term)
    this.beat()
    this.tickAll()
  }

  /** Replication: back to standby (lost or gave up the lease); publishes nothing from now on. */
  demote(): void {
    this.role = "standby"
  }

  /**
   * A local root (n ≤ k) starts epoch `epoch + 1` with a policy and triggers:
   * what it holds is what it broadcast (nobody is below it to send a Down to).
   *
   * @throws RangeError when `policy` does not decode (src/Tree/Policy.ts); nothing changes then.
   */
  broadcast(policy: Uint8Array = new Uint8Array(0), triggers: ReadonlyArray<number> = []): number {
    const name = coordinatorName(this.idOf(0))
    if (!this.isRoot) throw new Error(`${name} is not the root; only the root broadcasts`)
    const p = decodePolicy(policy)
    if (Result.isFailure(p)) throw new RangeError(`${name}: cannot broadcast an invalid policy: ${p.failure.message}`)
    const epoch = this.epochs[0]! + 1
    this.holdDown(0, epoch, policy, p.success, triggers)
    return epoch
  }

  /** The run ticks at `hz` until `stopClock` (or `stop`). */
  startClock(hz: number): void {
    this.stopClock()
    if (!(hz > 0)) throw new RangeError(`local level: rate must be > 0 Hz, got ${hz}`)
    this.clock = setInterval(() => this.tickAll(), 1000 / hz)
  }

  stopClock(): void {
    if (this.clock !== undefined) clearInterval(this.clock)
    this.clock = undefined
  }

  /** A view of local `i` (run index) with the observable surface of a `Coordinator`. */
  view(i: number): LocalView {
    return this.views()[i]!
  }

  /** Views of every local coordinator of the run (made on first use). */
  views(): ReadonlyArray<LocalView> {
    if (this.viewCache === undefined) {
      const out: LocalView[] = []
      for (let i = 0; i < this.count; i++) out.push(new LocalView(this, i))
      this.viewCache = out
    }
    return this.viewCache
  }
}
