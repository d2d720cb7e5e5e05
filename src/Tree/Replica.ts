// Over 400 lines: one class, the lease state machine of one replica (heartbeat, detection, claim, renewal); see src/Tree/Failover.ts for the protocol.
/**
 * One replica of a coordinator position: its lease in the KV bucket
 * (claim, renew, step down), heartbeats and failure detection, and the fault
 * injection the chaos driver uses (kill, pause, disconnect). The protocol is
 * described in src/Tree/Failover.ts.
 *
 * @module
 */
import { setU32 } from "../Bytes/Writer.ts"
import type { Kv, Transport } from "../Net/Transport.ts"
import type { AgentPool } from "./Agents.ts"
import { Coordinator, type ReplicaCoordinator } from "./Coordinator.ts"
import { LocalLevel } from "./LocalLevel.ts"
import type { Heartbeat } from "./Messages.ts"
import { addKinds, type Connect, type Kinds, zeroKinds } from "./Level.ts"
import { children, type CoordinatorId, type Topology } from "./Topology.ts"
import type { ReplicaSeals } from "../Trust/ReplicaTrust.ts"

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
  /** Signed run: this replica's own key and verifier (src/Trust/ReplicaTrust.ts); kept across restarts. */
  readonly seals?: ReplicaSeals
}

const now = (): number => performance.now()

/**
 * One replica of a coordinator position: the coordinator it runs (an upper
 * `Coordinator`, or a `LocalLevel` run of one local coordinator) plus its
 * lease and failure detector.
 */
export class Replica {
  readonly topology: Topology
  readonly position: CoordinatorId
  readonly replica: number
  readonly name: string
  readonly key: string
  /** The coordinator of its current incarnation (undefined before the first start). */
  coordinator!: ReplicaCoordinator
  transport!: Transport
  /** Running (not killed). */
  alive = false
  /** Connected to the bus (not cut off by `disconnect`). */
  connected = false
  /** Frozen (a stalled process): no renewals, no heartbeats, no ticks. */
  paused = false
  private readonly options: ReplicaOptions
  /** Publishes of its killed incarnations (a restart starts a fresh coordinator). */
  private readonly retired: Kinds = zeroKinds()
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

  /** Publishes of every incarnation so far, by kind. */
  published(): Kinds {
    const out = addKinds(zeroKinds(), this.retired)
    return this.coordinator === undefined ? out : addKinds(out, this.coordinator.counters.published)
  }

  /** Starts as a standby (a fresh process: empty state). */
  async start(): Promise<void> {
    if (this.coordinator !== undefined) addKinds(this.retired, this.coordinator.counters.published)
    this.incarnation++
    await this.open()
    const o = this.options
    const common = {
      topology: o.topology,
      transport: this.transport,
      role: "standby",
      watchPeers: true,
      now,
      onHeartbeat: (m: Heartbeat, from: "child" | "parent" | "peer") => this.onHeartbeat(m, from),
      termOk: (from: CoordinatorId, term: number) => this.termOk(from, term),
      ...(o.epochCeiling === undefined ? {} : { epochCeiling: o.epochCeiling }),
      ...(o.maxBytes === undefined ? {} : { maxBytes: o.maxBytes }),
      ...(o.seals === undefined ? {} : { sealUp: o.seals.sealUp, sealDown: o.seals.sealDown, openUp: o.seals.openUp, openDown: o.seals.openDown }),
    } as const
    this.coordinator =
      o.position.level === 1
        ? new LocalLevel({ ...common, agents: o.agents, first: o.position.index, count: 1, batchUps: false }).view(0)
        : new Coordinator({ ...common, id: o.position, requireComplete: true })
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
  private publishBeat(c: ReplicaCoordinator): void {
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
  private async renew(c: ReplicaCoordinator, thenBeat: boolean): Promise<void> {
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
