/**
 * One upper coordinator of the tree (level ≥ 2), running on its own
 * `Transport` client: what it does on the bus; its state and version checks
 * are src/Tree/CoordinatorState.ts. Local coordinators (level 1) are
 * `LocalLevel` runs (src/Tree/LocalLevel.ts), the one implementation of those.
 *
 * - Subscribes to its up inbox (children's Up and Heartbeat), its lateral
 *   inbox, and (unless it is the root) its parent's down subject.
 * - Every incoming buffer is decoded and checked against the topology
 *   (`decodeFor`). A rejected message is counted by error tag, kept in a short
 *   log of typed errors, reported through `onReject`, and changes nothing else;
 *   the handler never throws.
 * - Keeps, per child, the summary with the highest `(epoch, seq)`
 *   (`LatestPerChild`) and recomputes its own summary from those on every tick,
 *   then sends it up with its data epoch (the round every agent below has
 *   reached) and a fresh sequence number.
 * - Ticks when told (`tick()`, the runner's driven mode) or at its own rate
 *   (`startClock`, defaults 10 / 1 Hz for regional / global).
 * - The root broadcasts Down with a monotonic epoch; every coordinator with
 *   coordinator children forwards a newer Down to them once.
 * - Lateral messages go up to the lowest common ancestor and down to the
 *   destination's local coordinator.
 * - Replication (src/Tree/Failover.ts): a coordinator is the `active` replica
 *   of its position or a `standby`. A standby receives everything the active
 *   one does (children's Up, the parent's Down, its position's own down
 *   subject where the active one's heartbeats and Downs appear) and keeps
 *   folding / merging on every tick, but publishes nothing; `promote(term)`
 *   makes it active and it publishes at once. Its Up messages carry the term,
 *   so parents ignore a deposed leader. Heartbeats go to the parent (its up
 *   subject) and to the children and standbys (its own down subject); the
 *   time each peer was last heard is kept for failure detection.
 *
 * @module
 */
import type { Transport } from "../Net/Transport.ts"
import {
  type Down,
  decodeFor,
  decodeMessage,
  encodeMessage,
  Forged,
  type Heartbeat,
  type Lateral,
  peekedUp,
  KindCode,
  peekUp,
  peekUpBatch,
  type SingleMessage,
  UP_MESSAGE_BYTES,
  upBatchEntryShift,
} from "./Messages.ts"
import { checkDownPolicy, decodePolicy } from "./Policy.ts"
import { downVersionProblem, heartbeatTermProblem } from "./Versions.ts"
import type { Summary } from "./Summary.ts"
import { ancestorOfAgent, type CoordinatorId, inSubtree, subjects } from "./Topology.ts"
import * as Result from "effect/Result"
import { type ReplicaCoordinator, takeLead } from "./CoordinatorTypes.ts"
import { CoordinatorState } from "./CoordinatorState.ts"

export { type CoordinatorCounters, type CoordinatorLike, type CoordinatorOptions, type CoordinatorRole, type ReplicaCoordinator, defaultRates, type Rates, rateOf, rejectionLogSize, zeroCounters } from "./CoordinatorTypes.ts"
export { subscribeLevel } from "./SubscribeLevel.ts"

/** One upper coordinator: its state (src/Tree/CoordinatorState.ts) and what it does on the bus. */
export class Coordinator extends CoordinatorState implements ReplicaCoordinator {
  /** Subscribes to its subjects. */
  async start(): Promise<void> {
    if (this.options.subscribe === false) return
    const t = this.transport
    this.subs ??= []
    this.subs.push(t.subscribe(this.subjects.up, (d, s) => this.receive(d, s, "up")))
    this.subs.push(t.subscribe(this.subjects.lateral, (d, s) => this.receive(d, s, "lateral")))
    const ps = this.parentSubjects
    if (ps !== undefined) {
      this.subs.push(t.subscribe(ps.down, (d, s) => this.receive(d, s, "down")))
    }
    if (this.options.watchPeers === true) {
      this.subs.push(t.subscribe(this.subjects.down, (d, s) => this.receivePeer(d, s)))
    }
  }

  /** Unsubscribes from the current client and subscribes on `transport` (a reconnected replica); state is kept. */
  async reattach(transport: Transport): Promise<void> {
    const subs = this.subs ?? []
    this.subs = undefined
    await Promise.all(subs.map((s) => s.unsubscribe().catch(() => undefined)))
    this.transport = transport
    await this.start()
  }

  /** Stops the clock and unsubscribes (the transport stays open; its owner closes it). */
  async stop(): Promise<void> {
    this.stopClock()
    const subs = this.subs ?? []
    this.subs = undefined
    await Promise.all(subs.map((s) => s.unsubscribe()))
  }

  /** With `sealDown` / `sealUp`, what goes out on its own down subject / its parent's up subject is wrapped (signed). */
  protected override publish(subject: string, m: SingleMessage): void {
    const seal = subject === this.subjects.down ? this.options.sealDown : subject === this.parentSubjects?.up ? this.options.sealUp : undefined
    if (seal === undefined) return super.publish(subject, m)
    this.counters.published[m._tag]++
    this.transport.publish(subject, seal(encodeMessage(m)))
  }

  /** `bytes` (a Down or Heartbeat for its own down subject) as it goes on the bus: sealed with `sealDown` if set. */
  sealedDown(bytes: Uint8Array): Uint8Array {
    return this.options.sealDown === undefined ? bytes : this.options.sealDown(bytes)
  }

  // -------------------------------------------------------------------------
  // Receiving

  /** Handles one buffer from the bus. Never throws; a bad message only bumps counters. */
  receive(data: Uint8Array, subject: string, inbox: "up" | "down" | "lateral"): void {
    this.counters.received++
    if (inbox === "up" && this.options.openUp !== undefined) {
      const opened = this.options.openUp(data)
      if (opened === undefined) return
      data = opened
    }
    if (inbox === "down" && this.options.openDown !== undefined) {
      const opened = this.options.openDown(data)
      if (opened === undefined) return
      data = opened
    }
    try {
      // Fast path, allocation-free: a well-formed term-less Up from a child (what `decodeFor` accepts and
      // the Up case below does with it); anything else takes the general path.
      if (inbox === "up" && UP_MESSAGE_BYTES <= this.maxBytes && peekUp(data)) {
        const f = peekedUp
        const slot = f[1]! - this.childLo
        if (f[0] === this.id.level - 1 && slot >= 0 && slot < this.latest.size) {
          this.counters.accepted++
          const outcome = this.offerChild(slot, f[2]!, f[3]!, 0, f[4]!, f[5]!, f[6]!, f[7]!, subject, 0)
          if (outcome === "duplicate") this.counters.duplicates++
          else if (outcome === "stale") this.counters.stale++
          else if (outcome === "accepted") this.settleChildWaiters()
          return
        }
      }
      if (inbox === "up" && data.length <= this.maxBytes && data[3] === KindCode.UpBatch) {
        const dv = peekUpBatch(data, this.id.level - 1, this.childLo, this.childLo + this.latest.size)
        if (dv !== undefined) return this.acceptBatch(dv, subject)
      }
      const r = decodeFor(this.topology, this.id, data, { maxBytes: this.maxBytes })
      if (Result.isFailure(r)) return this.reject(r.failure, subject)
      const m = r.success
      const expected =
        inbox === "up"
          ? m._tag === "Up" || m._tag === "Heartbeat" || m._tag === "UpBatch"
          : inbox === "down"
            ? m._tag === "Down" || m._tag === "Heartbeat"
            : m._tag === "Lateral"
      if (!expected) {
        return this.reject(new Forged({ kind: m._tag, sender: m.from, receiver: this.id, reason: `a ${m._tag} is not accepted on ${subject}` }), subject)
      }
      this.counters.accepted++
      switch (m._tag) {
        case "Up": {
          const u = m.summary
          const outcome = this.offerChild(m.from.index - this.childLo, m.epoch, m.seq, m.term ?? 0, u.count, u.sum, u.min, u.max, subject, 0)
          if (outcome === "duplicate") this.counters.duplicates++
          else if (outcome === "stale") this.counters.stale++
          else if (outcome === "accepted") this.settleChildWaiters()
          return
        }
        case "Heartbeat": {
          const fromParent = this.parentId !== undefined && m.from.level === this.parentId.level && m.from.index === this.parentId.index
          if (fromParent !== (inbox === "down")) {
            this.counters.accepted--
            return this.reject(new Forged({ kind: m._tag, sender: m.from, receiver: this.id, reason: `a Heartbeat on ${subject} must come from ${inbox === "down" ? "the parent" : "a child"}` }), subject)
          }
          if (inbox === "down") {
            // from the parent (checked by decodeFor); an older term is a deposed parent leader
            if (m.term < this.parentTerm) {
              this.counters.stale++
              return
            }
            const tp = heartbeatTermProblem(this.parentTerm, m.term, (x) => this.termAllowed(m.from as CoordinatorId, x, "Heartbeat"))
            if (tp !== undefined) return this.rejectVersion(tp, subject)
            this.parentTerm = m.term
            this.parentHeardAt = this.now()
            this.options.onHeartbeat?.(m, "parent")
            return
          }
          const slot = m.from.index - this.childLo
          const terms = this.heartbeats
          if (m.term < terms[slot]!) {
            this.counters.stale++
            return
          }
          const tc = heartbeatTermProblem(terms[slot]!, m.term, (x) => this.termAllowed(m.from as CoordinatorId, x, "Heartbeat"))
          if (tc !== undefined) return this.rejectVersion(tc, subject)
          terms[slot] = m.term
          this.childHeardAt[slot] = this.now()
          this.options.onHeartbeat?.(m, "child")
          return
        }
        case "Down": {
          // a policy the agents could not apply: rejected whole, the previous policy stays (src/Tree/Policy.ts)
          const p = checkDownPolicy(m)
          if (Result.isFailure(p)) {
            this.counters.accepted--
            return this.reject(p.failure, subject)
          }
          const dp = downVersionProblem(this.epoch, m.epoch, this.epochCeiling())
          if (dp !== undefined) return this.rejectVersion(dp, subject)
          return this.acceptDown(m, subject)
        }
        case "Lateral":
          return this.routeLateral(m)
        case "UpBatch": {
          // checked whole by decodeFor; each entry is the Up its sender would have sent
          this.counters.accepted += m.ups.length - 1
          m.ups.forEach((e, i) => {
            const u = e.summary
            const outcome = this.offerChild(e.index - this.childLo, e.epoch, e.seq, 0, u.count, u.sum, u.min, u.max, subject, upBatchEntryShift(i))
            if (outcome !== undefined) this.offerUp(outcome)
          })
          return
        }
      }
    } catch (e) {
      // A bug, not bad input: count it and keep running.
      this.counters.internalErrors++
      void e
    }
  }

  /**
   * A message on its own down subject: the position's active replica (or this
   * replica itself) sending Heartbeat or Down. Standbys follow the epoch and
   * the leader's liveness; an active replica only notes a newer term (it has
   * been deposed). Never throws; not counted as received (it is peer traffic).
   */
  receivePeer(data: Uint8Array, subject: string): void {
    if (this.options.openDown !== undefined) {
      const opened = this.options.openDown(data)
      if (opened === undefined) return
      data = opened
    }
    try {
      const r = decodeMessage(data, { maxBytes: this.maxBytes })
      if (Result.isFailure(r)) return this.reject(r.failure, subject)
      const m = r.success
      if (m.from.level !== this.id.level || m.from.index !== this.id.index || (m._tag !== "Heartbeat" && m._tag !== "Down")) {
        return this.reject(new Forged({ kind: m._tag, sender: m.from, receiver: this.id, reason: `only this position's replicas send Heartbeat/Down on ${subject}` }), subject)
      }
      if (m._tag === "Heartbeat") {
        if (m.term < this.peerTerm) return
        const tp = heartbeatTermProblem(this.peerTerm, m.term, (x) => this.termAllowed(this.id, x, "Heartbeat"))
        if (tp !== undefined) return this.rejectVersion(tp, subject, false)
        this.peerTerm = m.term
        if (this.role === "active" && m.term === this.term) return // our own echo
        this.peerHeardAt = this.now()
        this.options.onHeartbeat?.(m, "peer")
        return
      }
      if (this.role === "standby" && m.epoch > this.epoch) {
        // the same checks as a child's: a standby never adopts a policy the agents could not apply, nor an inflated epoch
        const p = checkDownPolicy(m)
        if (Result.isFailure(p)) return this.reject(p.failure, subject)
        const dp = downVersionProblem(this.epoch, m.epoch, this.epochCeiling())
        if (dp !== undefined) return this.rejectVersion(dp, subject, false)
        this.epoch = m.epoch
        this.downFrom = m.from
        this.downSubject = subject
        this.policy = m.policy
        this.triggers = m.triggers
        this.settleEpochWaiters()
      }
    } catch {
      this.counters.internalErrors++
    }
  }

  private acceptDown(m: Down, subject: string): void {
    if (m.epoch <= this.epoch) {
      this.counters.stale++
      return
    }
    this.epoch = m.epoch
    this.downFrom = m.from
    this.downSubject = subject
    this.policy = m.policy
    this.triggers = m.triggers
    if (this.role === "active") this.publish(this.subjects.down, { ...m, from: this.id })
    this.options.onDown?.(m)
    this.settleEpochWaiters()
  }

  private routeLateral(m: Lateral): void {
    if (this.role !== "active") return // the active replica routes it
    const t = this.topology
    if (inSubtree(t, this.id, m.toAgent)) {
      const child = ancestorOfAgent(t, m.toAgent, this.id.level - 1)
      this.publish(subjects(t, child).lateral, { ...m, from: this.id })
      return
    }
    // Not below us: up (the root holds every agent, so parentSubjects is defined here).
    const ps = this.parentSubjects
    if (ps !== undefined) this.publish(ps.lateral, { ...m, from: this.id })
  }

  // -------------------------------------------------------------------------
  // Ticking

  /**
   * Recomputes the summary (the merge of the latest summary per child, with
   * the lowest data epoch among them) and, unless this is the root, sends it up.
   */
  tick(): Summary {
    const epoch = this.latest.minEpoch()
    this.summary = this.latest.merged()
    this.summaryEpoch = epoch
    if (this.parentId !== undefined && this.role === "active" && (!this.requireComplete || this.latest.complete)) {
      this.seq = (this.seq + 1) >>> 0
      const up = { _tag: "Up", from: this.id, epoch, seq: this.seq, summary: this.summary } as const
      this.publish(this.parentSubjects!.up, this.term > 0 ? { ...up, term: this.term } : up)
    }
    if (this.summaryWaiters !== undefined) this.settle(this.summaryWaiters, this.summaryEpoch)
    return this.summary
  }

  /**
   * Root only: starts epoch `epoch + 1` with a policy and triggers, broadcast down the tree.
   *
   * @throws RangeError when `policy` does not decode (src/Tree/Policy.ts); nothing changes then.
   */
  broadcast(policy: Uint8Array = new Uint8Array(0), triggers: ReadonlyArray<number> = []): number {
    if (!this.isRoot) throw new Error(`${this.name} is not the root; only the root broadcasts`)
    const p = decodePolicy(policy)
    if (Result.isFailure(p)) throw new RangeError(`${this.name}: cannot broadcast an invalid policy: ${p.failure.message}`)
    this.epoch++
    this.policy = policy
    this.triggers = triggers
    if (this.role === "active") this.publish(this.subjects.down, { _tag: "Down", from: this.id, epoch: this.epoch, policy, triggers })
    this.settleEpochWaiters()
    return this.epoch
  }

  /**
   * Replication: heartbeat with this replica's term to the parent (its up
   * subject) and to the children and standbys (its own down subject).
   */
  beat(): void {
    if (this.role !== "active") return
    const m: Heartbeat = { _tag: "Heartbeat", from: this.id, term: this.term }
    const ps = this.parentSubjects
    if (ps !== undefined) this.publish(ps.up, m)
    this.publish(this.subjects.down, m)
  }

  /**
   * Replication: this replica becomes the active one with leadership `term`
   * and publishes at once: a heartbeat, the latest Down again (children drop
   * it if they have it), and its merged summary with the new term.
   */
  promote(term: number): void {
    takeLead(this, term)
    this.beat()
    if (this.epoch > 0) {
      this.publish(this.subjects.down, { _tag: "Down", from: this.id, epoch: this.epoch, policy: this.policy, triggers: this.triggers })
    }
    this.tick()
  }

  /** Replication: back to standby (lost or gave up the lease); publishes nothing from now on. */
  demote(): void {
    this.role = "standby"
  }

  /** Sends a heartbeat with `term` to the parent (no-op at the root). */
  heartbeat(term: number): void {
    const ps = this.parentSubjects
    if (ps !== undefined) this.publish(ps.up, { _tag: "Heartbeat", from: this.id, term })
  }

  /** Ticks at `hz` until `stopClock` (or `stop`). */
  startClock(hz: number): void {
    this.stopClock()
    if (!(hz > 0)) throw new RangeError(`${this.name}: rate must be > 0 Hz, got ${hz}`)
    this.clock = setInterval(() => this.tick(), 1000 / hz)
  }

  stopClock(): void {
    if (this.clock !== undefined) clearInterval(this.clock)
    this.clock = undefined
  }
}
