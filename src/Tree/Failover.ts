/**
 * Fault tolerance for the coordinator tree: heartbeats, failure detection,
 * replicated coordinator positions with leases in a KV bucket, and a driver
 * (`ReplicatedTree`) that runs rounds through kills and partitions.
 *
 * Built on the bus's own facilities (JetStream KV on NATS, its in-process
 * twin), not on a home-made consensus protocol:
 *
 * - Every coordinator position (level, index) runs `replicas` replicas
 *   (default 3: one active, two standbys), each on its own bus client named
 *   `coordinator-<level>-<index>-r<replica>`.
 * - Leadership of a position is a lease: the key `L<level>.<index>` in the
 *   bucket `<prefix>-leases`. Every heartbeat interval the active replica
 *   heartbeats (to its parent, its children and its standbys), ticks, and
 *   then renews the lease with compare-and-set on the revision it last wrote
 *   (`update`). The heartbeat does not wait for the renewal's round trip (a
 *   slow KV must not make a live leader look dead); renewals run one at a
 *   time in the background. A failed CAS means someone else took the
 *   position: it steps down at once. If the KV cannot be reached for
 *   `suspectAfter − 1` intervals it steps down too (a standby may have taken
 *   the lease by then). A leader that could not heartbeat for longer than
 *   that (its process stalled, or it was paused) may have been replaced
 *   meanwhile: it renews first and publishes again only once that succeeds.
 * - Takeover does not wait for the server to expire the key. A standby keeps
 *   the last time it had evidence that its leader is alive: the leader's
 *   heartbeat, or a failed claim (below). While heartbeats arrive it makes no
 *   KV request at all. Once the heartbeat is overdue by more than a quarter
 *   interval it reads the key once (`get`) and remembers its revision; once
 *   it has had no evidence for `suspectAfter − 1` intervals (`claimAfterMs`,
 *   200 ms at the defaults) it suspects the leader and claims the lease with
 *   `update(key, claim, revisionRead)`. That succeeds only if nobody wrote
 *   the key since the read (the leader did not renew, no other standby won),
 *   so at most one claimant wins, and the old leader's next renewal fails and
 *   it steps down. A failed claim is evidence of life at the read (someone
 *   wrote after it): the standby waits a full `claimAfterMs` from then and
 *   reads again. An absent key (never held, deleted, or expired) is claimed
 *   with `create` at once. So a silence costs a standby two KV requests
 *   (before: a read every quarter interval while the heartbeat was overdue,
 *   the requests that swamped a loaded process), and a leader that still
 *   renews but cannot be heard is noticed if it renews in the ¾ interval
 *   between the read and the claim (if not, it is deposed: a needless
 *   takeover, but terms keep it safe).
 * - Timing: checks run every quarter interval, and a one-shot timer fires at
 *   the moment the silence reaches `claimAfterMs`. Before touching the KV a
 *   standby lets one I/O phase of the event loop pass (timers run before I/O
 *   in Node, so after a stall of its process, heartbeats that arrived
 *   meanwhile are processed first and no live leader is suspected for the
 *   stall). A killed leader (last heartbeat at R, killed at K ≥ R) is thus
 *   replaced by R + claimAfterMs + one KV round trip (the claim; the read
 *   happened earlier): within `suspectAfter` intervals of the kill, with one
 *   interval minus a round trip to spare for delivery and scheduling delays.
 *   A (re)joining standby (a restart, a reconnect, a leader that stepped
 *   down) reads the key once and waits `claimAfterMs` for a heartbeat before
 *   claiming a held lease, so it does not depose a live leader it has not
 *   heard yet.
 * - The bucket's max age (`leaseMaxAgeIntervals`, default 10 intervals) is
 *   only a backstop, for a key nobody is watching (a whole position gone):
 *   it is not on the takeover path.
 * - The term of a leadership is the KV revision of the winning claim
 *   (`create` or CAS `update`).
 *   Bucket revisions only grow (a JetStream stream sequence), so every
 *   takeover has a higher term than any earlier one, without a counter of our
 *   own (the same trick as etcd's election by create revision). Terms travel
 *   in Heartbeat and Up; a parent keeps per child the summary with the highest
 *   `(term, epoch, seq)`, so a deposed leader's messages are ignored.
 * - Standbys subscribe to exactly what the active replica does (plain
 *   subscriptions, not a queue group: a queue group would hand each child's
 *   Up to one replica only and leave the others with gaps), so each holds the
 *   latest summary per child and publishes its merged summary, with the new
 *   term, the moment it wins. Children need no reconfiguration: they keep
 *   publishing to the position's subject.
 * - Summaries are versioned and latest-per-child, so re-delivery, a
 *   re-published summary after takeover, and messages crossing a failover are
 *   harmless: nothing is counted twice, nothing is lost (the new leader has
 *   every child's latest summary, and publishes only once it has all).
 * - Partitions: a cut-off replica keeps folding its agents (local
 *   coordinators) and merging what it has, but cannot renew, so it steps
 *   down; after healing a replica re-takes the lease (new term) and the tree
 *   converges to the exact aggregate of the current agent values.
 *
 * @module
 */
import { setU32 } from "../Bytes/Writer.ts"
import type { Kv, Transport } from "../Net/Transport.ts"
import { admitOrThrow } from "./Admission.ts"
import { AgentPool } from "./Agents.ts"
import { Coordinator } from "./Coordinator.ts"
import type { Heartbeat } from "./Messages.ts"
import type { Connect } from "./Runner.ts"
import { type Summary, summaryEquals } from "./Summary.ts"
import { type HeldByLocal, type PolicyProvenance, provenanceOfLocals } from "./Provenance.ts"
import { allCoordinators, childRange, children, type CoordinatorId, coordinatorName, makeTopology, parent, type Topology } from "./Topology.ts"

export interface FailoverConfig {
  /** Heartbeat (and tick) interval, ms (default 100). */
  readonly heartbeatMs: number
  /** Replicas per position, active included (default 3). */
  readonly replicas: number
  /**
   * Deadline, in intervals, for detecting a dead leader and taking over
   * (default 3): a standby claims the lease after `suspectAfter − 1` intervals
   * without evidence of the leader; parents and children report a peer silent
   * for more than `suspectAfter` intervals.
   */
  readonly suspectAfter: number
  /** Max age of a lease key in intervals, a backstop only (default 10). */
  readonly leaseMaxAgeIntervals: number
}

export const defaultFailoverConfig: FailoverConfig = { heartbeatMs: 100, replicas: 3, suspectAfter: 3, leaseMaxAgeIntervals: 10 }

/** How long a standby waits without evidence of its leader before claiming the lease, ms. */
export const claimAfterMs = (c: FailoverConfig): number => Math.max(1, c.suspectAfter - 1) * c.heartbeatMs

/** The KV bucket holding the leases of a tree's positions. */
export const leaseBucket = (t: Topology): string => `${t.prefix}-leases`

/** The lease key of a position. */
export const leaseKey = (c: CoordinatorId): string => `L${c.level}.${c.index}`

/** The bus client name of a replica. */
export const replicaName = (c: CoordinatorId, replica: number): string => `coordinator-${c.level}-${c.index}-r${replica}`

/** What the failure detector and the leases did. Times are `performance.now()` ms. */
export type FailoverEvent =
  | {
      readonly kind: "suspect"
      readonly at: number
      /** The position whose replica suspects. */
      readonly by: CoordinatorId
      readonly replica: number
      /** Who is suspected: this position's leader (by a standby), a child, or the parent. */
      readonly peer: "leader" | "child" | "parent"
      readonly suspected: CoordinatorId
      readonly silentMs: number
    }
  | { readonly kind: "takeover"; readonly at: number; readonly position: CoordinatorId; readonly replica: number; readonly term: number }
  | {
      readonly kind: "stepdown"
      readonly at: number
      readonly position: CoordinatorId
      readonly replica: number
      readonly term: number
      readonly reason: "lost-lease" | "unreachable" | "deposed" | "disconnected"
    }
  | {
      readonly kind: "kill" | "restart" | "disconnect" | "reconnect" | "pause" | "resume"
      readonly at: number
      readonly position: CoordinatorId
      readonly replica: number
      readonly term: number
    }

export interface ReplicaOptions {
  readonly topology: Topology
  readonly position: CoordinatorId
  readonly replica: number
  readonly agents: AgentPool
  readonly connect: Connect
  readonly config: FailoverConfig
  readonly onEvent: (e: FailoverEvent) => void
  readonly maxBytes?: number
  /** The highest epoch an honest Up or Down can carry (the tree's round: its agents move on without a Down). */
  readonly epochCeiling?: () => number
}

const now = (): number => performance.now()

/** One replica of a coordinator position: a `Coordinator` plus its lease and failure detector. */
export class Replica {
  readonly topology: Topology
  readonly position: CoordinatorId
  readonly replica: number
  readonly name: string
  readonly key: string
  coordinator!: Coordinator
  transport!: Transport
  /** Running (not killed). */
  alive = false
  /** Connected to the bus (not cut off by `disconnect`). */
  connected = false
  /** Frozen (a stalled process): no renewals, no heartbeats, no ticks. */
  paused = false
  private readonly options: ReplicaOptions
  private readonly maxAgeMs: number
  private readonly claimMs: number
  private readonly suspectMs: number
  private kv: Kv | undefined
  /** The revision of the lease this replica last wrote (active). */
  private revision = 0
  /** The lease revision this replica last read (standby; 0: none or absent). */
  private seenRevision = 0
  /** Whether the lease key existed at the last read. */
  private seenPresent = false
  /** When the read that gave `seenRevision` was issued (−∞: no usable read; a failed claim spends it). */
  private readAt = Number.NEGATIVE_INFINITY
  /** When the last read (successful or not) was issued. */
  private readTriedAt = Number.NEGATIVE_INFINITY
  /** Evidence from the KV that the position is alive: the earliest time its revision can have moved. */
  private revisionAliveAt = Number.NEGATIVE_INFINITY
  /** Since when this replica has been listening to its leader (start, reconnect). */
  private watchingSince = 0
  private lastRenewOk = Number.NEGATIVE_INFINITY
  /** When this replica last heartbeated as the active one. */
  private lastBeatAt = Number.NEGATIVE_INFINITY
  private startedAt = 0
  private incarnation = 0
  private renewing = false
  private acquiring = false
  private suspectedLeader = false
  private suspectedParent = false
  private suspectedChildren = new Uint8Array(0)
  private beatTimer: ReturnType<typeof setInterval> | undefined
  private checkTimer: ReturnType<typeof setInterval> | undefined
  /** A one-shot timer for the moment the silence reaches `claimAfterMs` (between two checks). */
  private claimTimer: ReturnType<typeof setTimeout> | undefined

  constructor(options: ReplicaOptions) {
    this.options = options
    this.topology = options.topology
    this.position = options.position
    this.replica = options.replica
    this.name = replicaName(options.position, options.replica)
    this.key = leaseKey(options.position)
    this.maxAgeMs = options.config.heartbeatMs * Math.max(options.config.leaseMaxAgeIntervals, options.config.suspectAfter)
    this.claimMs = claimAfterMs(options.config)
    this.suspectMs = options.config.heartbeatMs * options.config.suspectAfter
  }

  /** The active replica of its position (as far as it knows). */
  get isActive(): boolean {
    return this.alive && this.connected && !this.paused && this.coordinator.role === "active"
  }

  get term(): number {
    return this.coordinator.term
  }

  private emit(e: FailoverEvent): void {
    this.options.onEvent(e)
  }

  private leaseValue(): Uint8Array {
    // the lease record: replica, incarnation (u32 LE each); only its revision is compared, never decoded
    const b = new Uint8Array(8)
    setU32(b, 0, this.replica)
    setU32(b, 4, this.incarnation)
    return b
  }

  private async open(): Promise<void> {
    this.transport = await this.options.connect(this.name)
    this.kv = await this.transport.kv(leaseBucket(this.topology), { ttlMs: this.maxAgeMs })
  }

  /** Starts as a standby (a fresh process: empty state). */
  async start(): Promise<void> {
    this.incarnation++
    await this.open()
    const o = this.options
    this.coordinator = new Coordinator({
      topology: o.topology,
      id: o.position,
      transport: this.transport,
      agents: o.agents,
      role: "standby",
      watchPeers: true,
      requireComplete: true,
      now,
      onHeartbeat: (m, from) => this.onHeartbeat(m, from),
      termOk: (from, term) => this.termOk(from, term),
      ...(o.epochCeiling === undefined ? {} : { epochCeiling: o.epochCeiling }),
      ...(o.maxBytes === undefined ? {} : { maxBytes: o.maxBytes }),
    })
    this.suspectedChildren = new Uint8Array(this.coordinator.childHeardAt.length)
    await this.coordinator.start()
    await this.transport.flush()
    this.alive = true
    this.connected = true
    this.paused = false
    this.startedAt = now()
    this.watchingSince = this.startedAt
    const h = o.config.heartbeatMs
    this.beatTimer = setInterval(() => this.onBeat(), h)
    this.checkTimer = setInterval(() => this.onCheck(), Math.max(2, h / 4))
  }

  /**
   * The bucket's revision as last seen in a KV answer (any key: revisions are
   * one sequence per bucket), and when. Terms are revisions of winning
   * claims, so a believable term is at most that plus what the bucket can
   * have grown since: each position's replicas write at most `replicas`
   * times an interval (renewals, claims). A term above that bound (e.g.
   * 2^32 − 1) is refused and counted (src/Tree/Versions.ts); no KV request is
   * made for it.
   */
  private knownRevision = 0
  private knownAt = now()

  private termOk(_from: CoordinatorId, term: number): boolean {
    const intervals = Math.ceil(Math.max(0, now() - this.knownAt) / this.options.config.heartbeatMs) + 2
    return term <= this.knownRevision + intervals * this.topology.total * this.options.config.replicas
  }

  private noteRevision(revision: number): void {
    if (revision >= this.knownRevision) {
      this.knownRevision = revision
      this.knownAt = now()
    }
  }

  private onHeartbeat(m: Heartbeat, from: "child" | "parent" | "peer"): void {
    if (from === "peer") {
      this.suspectedLeader = false
      if (this.coordinator.role === "active" && m.term > this.coordinator.term) this.stepDown("deposed")
    } else if (from === "parent") {
      this.suspectedParent = false
    } else {
      this.suspectedChildren[m.from.index - this.childLo()] = 0
    }
  }

  private childLo(): number {
    const c = children(this.topology, this.position)
    return c.length === 0 ? 0 : c[0]!.index
  }

  private stepDown(reason: "lost-lease" | "unreachable" | "deposed" | "disconnected"): void {
    if (this.coordinator.role !== "active") return
    const term = this.coordinator.term
    this.coordinator.demote()
    // it rejoins as a standby: it watches its successor afresh (a read, then `claimAfterMs` for a heartbeat)
    this.watchingSince = now()
    this.emit({ kind: "stepdown", at: now(), position: this.position, replica: this.replica, term, reason })
  }

  /**
   * Every heartbeat interval: the active replica heartbeats, ticks and renews
   * its lease; a standby ticks (folds) only. The heartbeat does not wait for
   * the renewal's round trip (the renewal is issued right after it and runs
   * in the background, one at a time): a slow KV must not make a live leader
   * look dead. A leader that has not heartbeaten for longer than a standby
   * waits before claiming (this process stalled, or the replica was paused)
   * may have been replaced meanwhile, so it confirms its lease first and
   * publishes only once the renewal succeeds.
   */
  private onBeat(): void {
    if (!this.alive || this.paused) return
    const c = this.coordinator
    if (c.role === "active" && this.connected) {
      const confirmFirst = now() - this.lastBeatAt > this.claimMs
      if (!confirmFirst) this.publishBeat(c)
      if (!this.renewing) void this.renew(c, confirmFirst)
      return
    }
    try {
      c.tick()
    } catch {
      // a standby only folds; nothing to publish
    }
  }

  /** The active replica's heartbeat and tick, then its failure detector. */
  private publishBeat(c: Coordinator): void {
    this.lastBeatAt = now()
    try {
      c.beat()
      c.tick()
    } catch {
      // the client went away under us (closed or cut off); the next beat tries again
    }
    if (c.role === "active" && this.connected) this.detect()
  }

  /** Renews the lease (compare-and-set on the revision last written); steps down if that fails. */
  private async renew(c: Coordinator, thenBeat: boolean): Promise<void> {
    const kv = this.kv
    if (kv === undefined) return
    this.renewing = true
    try {
      const rev = await kv.update(this.key, this.leaseValue(), this.revision)
      // (paused meanwhile: the new revision is still ours, so it is kept)
      if (!this.alive || c !== this.coordinator || c.role !== "active") return
      if (rev === undefined) return this.stepDown("lost-lease")
      this.revision = rev
      this.noteRevision(rev)
      this.lastRenewOk = now()
      if (thenBeat && !this.paused && this.connected) this.publishBeat(c)
    } catch {
      if (this.alive && c === this.coordinator && now() - this.lastRenewOk >= this.claimMs) this.stepDown("unreachable")
    } finally {
      this.renewing = false
    }
  }

  /** The active replica notes children and parent silent for more than `suspectAfter` intervals. */
  private detect(): void {
    const t = now()
    const c = this.coordinator
    const since = (heard: number): number => t - Math.max(heard, this.startedAt)
    const kids = children(this.topology, this.position)
    for (let s = 0; s < kids.length; s++) {
      const silent = since(c.childHeardAt[s]!)
      if (silent > this.suspectMs && this.suspectedChildren[s] === 0) {
        this.suspectedChildren[s] = 1
        this.emit({ kind: "suspect", at: t, by: this.position, replica: this.replica, peer: "child", suspected: kids[s]!, silentMs: silent })
      }
    }
    if (this.position.level < this.topology.levels) {
      const silent = since(c.parentHeardAt)
      if (silent > this.suspectMs && !this.suspectedParent) {
        this.suspectedParent = true
        const p = { level: this.position.level + 1, index: Math.floor(this.position.index / this.topology.branching) }
        this.emit({ kind: "suspect", at: t, by: this.position, replica: this.replica, peer: "parent", suspected: p, silentMs: silent })
      }
    }
  }

  /**
   * Every quarter interval, a standby checks for evidence of its leader (see
   * the module doc). Cheap while heartbeats arrive: no KV request, no
   * promise. Otherwise it lets one I/O phase pass before touching the KV
   * (timers run before I/O in Node's event loop, so after a stall of this
   * process heartbeats that arrived meanwhile are still unread), then reads
   * the lease once per silence and claims it once the silence exceeds
   * `claimAfterMs`.
   */
  private onCheck(): void {
    if (!this.alive || this.paused || !this.connected || this.acquiring || this.kv === undefined) return
    if (this.coordinator.role === "active") return
    const t = now()
    if (!this.wantsKv(t)) return this.armClaim(t, Math.max(2, this.options.config.heartbeatMs / 4))
    this.acquiring = true
    setImmediate(() => void this.acquire())
  }

  /**
   * Once this silence has its read, the claim is due the moment the silence
   * exceeds `claimAfterMs`; if that falls before the next check, a one-shot
   * timer runs the check then, so the quarter-interval granularity of the
   * checks does not add to the takeover time.
   */
  private armClaim(t: number, period: number): void {
    if (this.claimTimer !== undefined || this.readAt < this.aliveAt()) return
    const due = this.aliveAt() + this.claimMs - t
    if (due >= period) return
    this.claimTimer = setTimeout(() => {
      this.claimTimer = undefined
      this.onCheck()
    }, Math.max(0, due) + 1)
  }

  /** Whether the lease needs a read (once after (re)joining, once per overdue heartbeat) or a claim. */
  private wantsKv(t: number): boolean {
    if (this.readTriedAt < this.watchingSince) return true
    const silent = t - this.aliveAt()
    return silent > this.claimMs || (silent > 1.25 * this.options.config.heartbeatMs && this.readAt < this.aliveAt())
  }

  /**
   * Reads the lease if this silence has no read yet, and claims it once the
   * silence exceeds `claimAfterMs`: `create` if the key is absent, else
   * compare-and-set on the revision read, which fails if anyone (the leader
   * renewing, another standby claiming) wrote the key since that read.
   */
  private async acquire(): Promise<void> {
    const c = this.coordinator
    const kv = this.kv
    const standby = (): boolean => this.alive && !this.paused && this.connected && c === this.coordinator && c.role !== "active"
    try {
      if (kv === undefined || !standby() || !this.wantsKv(now())) return
      if (this.readAt < this.aliveAt() || this.readTriedAt < this.watchingSince) {
        const t = now()
        this.readTriedAt = t
        const entry = await kv.get(this.key)
        if (!standby()) return
        this.readAt = t
        this.seenRevision = entry?.revision ?? 0
        this.noteRevision(this.seenRevision)
        this.seenPresent = entry !== undefined
      }
      const tr = now()
      if (this.seenPresent) {
        // a heartbeat may have arrived during the read
        const silent = tr - this.aliveAt()
        if (!(silent > this.claimMs) || this.readAt < this.aliveAt()) return
        if (!this.suspectedLeader) {
          this.suspectedLeader = true
          this.emit({ kind: "suspect", at: tr, by: this.position, replica: this.replica, peer: "leader", suspected: this.position, silentMs: silent })
        }
      }
      const rev = this.seenPresent ? await kv.update(this.key, this.leaseValue(), this.seenRevision) : await kv.create(this.key, this.leaseValue())
      if (rev === undefined) {
        // Someone wrote the key after our read (the leader renewed, or another replica won): evidence of
        // life at the read. The revision read is spent; the next silence reads again.
        this.revisionAliveAt = Math.max(this.revisionAliveAt, this.readAt)
        this.readAt = Number.NEGATIVE_INFINITY
        return
      }
      if (!standby()) return
      this.revision = rev
      this.seenRevision = rev
      this.noteRevision(rev)
      this.lastRenewOk = now()
      this.suspectedLeader = false
      this.lastBeatAt = now()
      c.promote(rev)
      this.emit({ kind: "takeover", at: now(), position: this.position, replica: this.replica, term: rev })
    } catch {
      // KV unreachable (cut off): stay standby
    } finally {
      this.acquiring = false
    }
  }

  /** The last evidence that this position's leader is alive (its heartbeat, a failed claim, or when this replica began watching). */
  private aliveAt(): number {
    return Math.max(this.coordinator.peerHeardAt, this.revisionAliveAt, this.watchingSince)
  }

  private stopTimers(): void {
    if (this.beatTimer !== undefined) clearInterval(this.beatTimer)
    if (this.checkTimer !== undefined) clearInterval(this.checkTimer)
    if (this.claimTimer !== undefined) clearTimeout(this.claimTimer)
    this.claimTimer = undefined
    this.beatTimer = undefined
    this.checkTimer = undefined
  }

  /** Abrupt stop (a crashed process): no more renewals or publishes; the lease is left to expire. */
  async kill(): Promise<void> {
    if (!this.alive) return
    const term = this.coordinator.term
    this.alive = false
    this.connected = false
    this.stopTimers()
    this.emit({ kind: "kill", at: now(), position: this.position, replica: this.replica, term })
    await this.coordinator.stop().catch(() => undefined)
    await this.transport.close().catch(() => undefined)
  }

  /** A killed replica comes back as a fresh standby (new client, empty state). */
  async restart(): Promise<void> {
    if (this.alive) return
    await this.start()
    this.emit({ kind: "restart", at: now(), position: this.position, replica: this.replica, term: 0 })
  }

  /** Freezes the replica (a stalled process): it neither renews nor publishes, but keeps its state. */
  pause(): void {
    this.paused = true
    this.emit({ kind: "pause", at: now(), position: this.position, replica: this.replica, term: this.coordinator.term })
  }

  /** Unfreezes it; a leader that lost its lease meanwhile finds out at its next renewal and steps down. */
  resume(): void {
    this.paused = false
    this.emit({ kind: "resume", at: now(), position: this.position, replica: this.replica, term: this.coordinator.term })
  }

  /**
   * Cuts its bus connection (closes the client). It steps down at once (it
   * cannot renew) but keeps ticking: a local coordinator keeps folding its agents.
   */
  async disconnect(): Promise<void> {
    if (!this.alive || !this.connected) return
    this.connected = false
    this.stepDown("disconnected")
    this.emit({ kind: "disconnect", at: now(), position: this.position, replica: this.replica, term: this.coordinator.term })
    await this.transport.close().catch(() => undefined)
  }

  /** Opens a new client and re-subscribes, keeping its state; it rejoins as a standby. */
  async reconnect(): Promise<void> {
    if (!this.alive || this.connected) return
    await this.open()
    await this.coordinator.reattach(this.transport)
    await this.transport.flush()
    this.watchingSince = now()
    this.connected = true
    this.emit({ kind: "reconnect", at: now(), position: this.position, replica: this.replica, term: this.coordinator.term })
  }

  /** Final stop (end of run): the lease is deleted if held, so a next run starts clean. */
  async stop(): Promise<void> {
    this.stopTimers()
    if (!this.alive) return
    this.alive = false
    const held = this.coordinator.role === "active" && this.connected
    this.coordinator.demote()
    await this.coordinator.stop().catch(() => undefined)
    if (held && this.kv !== undefined) await this.kv.delete(this.key).catch(() => undefined)
    if (this.connected) await this.transport.close().catch(() => undefined)
    this.connected = false
  }
}

export interface ReplicatedTreeOptions {
  readonly agents: number
  readonly branching: number
  /** A factory giving each replica its own bus client. */
  readonly connect: Connect
  /** Seed of the agents' values (default 1). */
  readonly seed?: number
  /** Subject prefix and lease-bucket prefix (default "h"). */
  readonly prefix?: string
  readonly maxBytes?: number
  readonly failover?: Partial<FailoverConfig>
  /** Called for every failover event (they are also kept in `events`). */
  readonly onEvent?: (e: FailoverEvent) => void
  /** How long `start` waits for every position to elect a leader (default 10 s). */
  readonly startTimeoutMs?: number
  /** What `connect` opens, for admission control: "nats" (default) a file descriptor per replica, "in-process" none. */
  readonly bus?: "nats" | "in-process"
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

const sameId = (a: CoordinatorId, b: CoordinatorId): boolean => a.level === b.level && a.index === b.index

/**
 * A coordinator tree with replicated positions, ticking on the heartbeat
 * clock. Rounds are driven from outside: `nextRound()` updates every agent
 * (they never wait on coordination) and the active root broadcasts Down;
 * `untilExact(round)` waits until the active root's aggregate covers the
 * round and equals the direct fold over all agents.
 */
export class ReplicatedTree {
  readonly topology: Topology
  readonly agents: AgentPool
  readonly config: FailoverConfig
  /** Replicas per position, positions in `allCoordinators` order (local level first). */
  readonly replicas: ReadonlyArray<ReadonlyArray<Replica>>
  readonly events: FailoverEvent[] = []
  /** The last round started. */
  round = 0
  /** Samples of the active root's aggregate with a count above the number of agents (double counting). */
  overcounts = 0
  private readonly positionIndex: Map<string, number>

  private constructor(topology: Topology, agents: AgentPool, config: FailoverConfig, replicas: ReadonlyArray<ReadonlyArray<Replica>>) {
    this.topology = topology
    this.agents = agents
    this.config = config
    this.replicas = replicas
    this.positionIndex = new Map(allCoordinators(topology).map((c, i) => [coordinatorName(c), i]))
  }

  static async start(opts: ReplicatedTreeOptions): Promise<ReplicatedTree> {
    const t = makeTopology(opts.agents, opts.branching, opts.prefix)
    const config: FailoverConfig = { ...defaultFailoverConfig, ...opts.failover }
    if (Number.isSafeInteger(config.replicas) && config.replicas >= 1) {
      // refuse what this machine cannot hold before allocating or connecting anything (throws AdmissionRefused)
      admitOrThrow({ mode: "replicated", agents: t.agents, branching: t.branching, replicas: config.replicas, socketBus: (opts.bus ?? "nats") === "nats" })
    }
    const agents = new AgentPool(opts.agents, opts.seed ?? 1)
    if (!Number.isSafeInteger(config.replicas) || config.replicas < 1) throw new RangeError(`replicas must be an integer >= 1, got ${config.replicas}`)
    if (!(config.heartbeatMs >= 10)) throw new RangeError(`heartbeatMs must be >= 10, got ${config.heartbeatMs}`)
    if (!(config.suspectAfter >= 1)) throw new RangeError(`suspectAfter must be >= 1, got ${config.suspectAfter}`)
    if (!(config.leaseMaxAgeIntervals >= config.suspectAfter)) {
      throw new RangeError(`leaseMaxAgeIntervals must be >= suspectAfter (${config.suspectAfter}), got ${config.leaseMaxAgeIntervals}`)
    }
    let tree: ReplicatedTree | undefined
    const pending: FailoverEvent[] = []
    const onEvent = (e: FailoverEvent): void => {
      if (tree === undefined) pending.push(e)
      else tree.events.push(e)
      opts.onEvent?.(e)
    }
    const replicas = allCoordinators(t).map((position) =>
      Array.from({ length: config.replicas }, (_, r) =>
        new Replica({
          topology: t,
          position,
          replica: r,
          agents,
          connect: opts.connect,
          config,
          onEvent,
          epochCeiling: () => tree?.round ?? 0,
          ...(opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes }),
        }),
      ),
    )
    tree = new ReplicatedTree(t, agents, config, replicas)
    for (const e of pending) tree.events.push(e)
    try {
      const all = replicas.flat()
      for (let i = 0; i < all.length; i += 64) await Promise.all(all.slice(i, i + 64).map((r) => r.start()))
      await tree.whenLeaders(opts.startTimeoutMs ?? 10_000)
    } catch (e) {
      await tree.stop()
      throw e
    }
    return tree
  }

  replicasOf(c: CoordinatorId): ReadonlyArray<Replica> {
    const i = this.positionIndex.get(coordinatorName(c))
    if (i === undefined) throw new RangeError(`no position ${coordinatorName(c)}`)
    return this.replicas[i]!
  }

  /** The active replica of a position (the highest term if, briefly, two think they are). */
  activeOf(c: CoordinatorId): Replica | undefined {
    let best: Replica | undefined
    for (const r of this.replicasOf(c)) if (r.isActive && (best === undefined || r.term > best.term)) best = r
    return best
  }

  get root(): CoordinatorId {
    return { level: this.topology.levels, index: 0 }
  }

  /** Resolves once every position has an active replica. */
  async whenLeaders(timeoutMs: number): Promise<void> {
    const deadline = now() + timeoutMs
    const positions = allCoordinators(this.topology)
    for (;;) {
      if (positions.every((c) => this.activeOf(c) !== undefined)) return
      if (now() > deadline) {
        const missing = positions.filter((c) => this.activeOf(c) === undefined).map(coordinatorName)
        throw new Error(`timed out after ${timeoutMs} ms waiting for leaders of ${missing.slice(0, 8).join(", ")}${missing.length > 8 ? ", …" : ""}`)
      }
      await sleep(5)
    }
  }

  /** Starts the next round: every agent takes its value for it; the active root broadcasts Down. */
  nextRound(): number {
    this.round++
    this.agents.update(this.round)
    const root = this.activeOf(this.root)
    try {
      root?.coordinator.broadcast()
    } catch {
      // a cut-off root: the round goes on without the Down
    }
    return this.round
  }

  /** The active root's aggregate and the data epoch (round) it covers, or undefined when the root has no leader. */
  rootView(): { readonly summary: Summary; readonly epoch: number; readonly term: number } | undefined {
    const r = this.activeOf(this.root)
    return r === undefined ? undefined : { summary: r.coordinator.summary, epoch: r.coordinator.summaryEpoch, term: r.term }
  }

  /**
   * Policy provenance now (src/Tree/Provenance.ts): the Down each local
   * position's active replica holds, who sent it, and whether it is the
   * active root's; undefined when the root has no active replica.
   */
  provenance(): PolicyProvenance | undefined {
    const root = this.activeOf(this.root)
    if (root === undefined) return undefined
    const t = this.topology
    const locals: Array<HeldByLocal | undefined> = []
    for (let i = 0; i < t.perLevel[0]!; i++) {
      const id = { level: 1, index: i }
      const c = this.activeOf(id)?.coordinator
      if (c === undefined) {
        locals.push(undefined)
        continue
      }
      const p = parent(t, id)
      const s = p === undefined ? undefined : this.activeOf(p)?.coordinator
      const r = childRange(t, id)
      locals.push({
        epoch: c.epoch,
        policy: c.policy,
        from: c.downFrom === undefined ? "—" : coordinatorName(c.downFrom),
        agents: r.hi - r.lo,
        sender: s === undefined ? undefined : { epoch: s.epoch, policy: s.policy },
      })
    }
    return provenanceOfLocals({ epoch: root.coordinator.epoch, policy: root.coordinator.policy }, locals)
  }

  /** Whether the active root's aggregate covers `round` and equals `expected` (default: the direct fold). */
  isExact(round: number, expected: Summary = this.agents.directFold()): boolean {
    const v = this.rootView()
    if (v !== undefined && v.summary.count > this.topology.agents) this.overcounts++
    return v !== undefined && v.epoch >= round && summaryEquals(v.summary, expected)
  }

  /** Ms until the root is exact for `round` (polled every 2 ms), or undefined after `timeoutMs`. */
  async untilExact(round: number, timeoutMs: number): Promise<number | undefined> {
    const t0 = now()
    const expected = this.agents.directFold()
    for (;;) {
      if (this.isExact(round, expected)) return now() - t0
      if (now() - t0 > timeoutMs) return undefined
      await sleep(2)
    }
  }

  /** Kills the active replica of `c`; its time and term, or undefined if it had none. */
  async kill(c: CoordinatorId): Promise<{ readonly at: number; readonly term: number; readonly replica: Replica } | undefined> {
    const r = this.activeOf(c)
    if (r === undefined) return undefined
    const at = now()
    const term = r.term
    await r.kill()
    return { at, term, replica: r }
  }

  /** The positions of `c`'s subtree (itself first, then every coordinator below it). */
  subtree(c: CoordinatorId): ReadonlyArray<CoordinatorId> {
    const out: CoordinatorId[] = [c]
    for (let i = 0; i < out.length; i++) for (const c of children(this.topology, out[i]!)) out.push(c)
    return out
  }

  /** The bus client names of every replica in `c`'s subtree (for in-process partitions). */
  subtreeClients(c: CoordinatorId): ReadonlyArray<string> {
    return this.subtree(c).flatMap((p) => this.replicasOf(p).map((r) => r.name))
  }

  /** The first event matching `pred` at or after `since`. */
  firstEvent(since: number, pred: (e: FailoverEvent) => boolean): FailoverEvent | undefined {
    return this.events.find((e) => e.at >= since && pred(e))
  }

  /** ms from `since` to the first suspicion of `c` (by its standbys, its parent or its children). */
  detectionMs(c: CoordinatorId, since: number): number | undefined {
    const e = this.firstEvent(since, (x) => x.kind === "suspect" && sameId(x.suspected, c))
    return e === undefined ? undefined : e.at - since
  }

  /** ms from `since` to the first takeover of `c`, and the new term. */
  takeover(c: CoordinatorId, since: number): { readonly ms: number; readonly term: number } | undefined {
    const e = this.firstEvent(since, (x) => x.kind === "takeover" && sameId(x.position, c))
    return e === undefined || e.kind !== "takeover" ? undefined : { ms: e.at - since, term: e.term }
  }

  async stop(): Promise<void> {
    await Promise.all(this.replicas.flat().map((r) => r.stop()))
  }
}
