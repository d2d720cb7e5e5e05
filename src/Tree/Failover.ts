/**
 * Fault tolerance for the coordinator tree: heartbeats, failure detection,
 * replicated coordinator positions with leases in a KV bucket, and the
 * replicated tree (`ReplicatedTree`), whose levels of replicated positions
 * (src/Tree/ReplicatedLevel.ts) the one round driver runs through kills and
 * partitions.
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
import { setTimeout as sleep } from "node:timers/promises"
import { admitOrThrow } from "./Admission.ts"
import { AgentPool } from "./Agents.ts"
import { defaultFailoverConfig, type FailoverConfig, type FailoverEvent, Replica } from "./Replica.ts"
import type { Connect } from "./Level.ts"
import { type Summary, summaryEquals } from "./Summary.ts"
import { type HeldByLocal, type PolicyProvenance, provenanceOfLocals } from "./Provenance.ts"
import { allCoordinators, childRange, children, type CoordinatorId, coordinatorName, makeTopology, parent, type Topology } from "./Topology.ts"
import type { Level } from "./Level.ts"
import { activeReplica, replicatedAgentLevel, replicatedLevel } from "./ReplicatedLevel.ts"
import type { RoundConfig } from "./Round.ts"
import { summaryEmpty } from "./Summary.ts"
import { replicaKeysVia, type ReplicaSeals } from "../Trust/ReplicaTrust.ts"

export * from "./Replica.ts"

const now = (): number => performance.now()

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
  /** Signed run: every replica, standbys too, its own key in the KV registry; all sealed and opened (src/Trust/ReplicaTrust.ts). */
  readonly sign?: boolean
}


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
  /** Signed run: each replica's seals, positions in `allCoordinators` order. */
  seals: ReadonlyArray<ReadonlyArray<ReplicaSeals>> | undefined
  private readonly positionIndex: Map<string, number>
  /**
   * Its configuration of the round driver (src/Tree/Round.ts): one replicated
   * level per tree level (src/Tree/ReplicatedLevel.ts), the local one hosting
   * the agents, which update without waiting on coordination. The chaos run
   * lets the positions tick on the heartbeat clock (`clock: "rates"`): a
   * round ends once the active root is exact, and one that runs out of time
   * ends inexact (a fault may hold it up) instead of failing the run.
   */
  readonly rounds: RoundConfig

  private constructor(topology: Topology, agents: AgentPool, config: FailoverConfig, replicas: ReadonlyArray<ReadonlyArray<Replica>>) {
    this.topology = topology
    this.agents = agents
    this.config = config
    this.replicas = replicas
    this.positionIndex = new Map(allCoordinators(topology).map((c, i) => [coordinatorName(c), i]))
    // replicas are in allCoordinators order: level by level, from the local one up
    const rows: Array<ReadonlyArray<ReadonlyArray<Replica>>> = []
    let at = 0
    for (const count of topology.perLevel) {
      rows.push(replicas.slice(at, at + count))
      at += count
    }
    const above: Level[] = rows.slice(1).map((row, l) => replicatedLevel(l + 2, row))
    this.rounds = {
      agentCount: topology.agents,
      agents: replicatedAgentLevel(agents, rows[0]!),
      above,
      start: (policy, triggers) => this.startRound(policy, triggers),
      root: () => {
        const v = this.rootView()
        return v === undefined ? { summary: summaryEmpty, summaryEpoch: 0 } : { summary: v.summary, summaryEpoch: v.epoch }
      },
      expected: () => this.agents.directFold(),
      provenance: (epoch, policy) => this.provenance() ?? this.provenanceAgainst({ epoch, policy }),
      lastReconnectAt: () => Number.NEGATIVE_INFINITY,
      whenRootAt: (epoch, signal) => this.whenExact(epoch, signal),
      lateIsInexact: true,
    }
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
    const seals = opts.sign === true ? await replicaKeysVia(opts.connect, t.prefix, allCoordinators(t), config.replicas) : undefined
    const replicas = allCoordinators(t).map((position, p) =>
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
          ...(seals === undefined ? {} : { seals: seals[p]![r]! }),
          ...(opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes }),
        }),
      ),
    )
    tree = new ReplicatedTree(t, agents, config, replicas)
    tree.seals = seals
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
    return activeReplica(this.replicasOf(c))
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
    this.broadcast(new Uint8Array(0), [])
    return this.round
  }

  private broadcast(policy: Uint8Array, triggers: ReadonlyArray<number>): void {
    try {
      this.activeOf(this.root)?.coordinator.broadcast(policy, triggers)
    } catch {
      // a cut-off root: the round goes on without the Down
    }
  }

  /** The round driver's start: the active root broadcasts the next round's Down (the agents update after). */
  private startRound(policy: Uint8Array, triggers: ReadonlyArray<number>): number {
    this.round++
    this.broadcast(policy, triggers)
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
    return root === undefined ? undefined : this.provenanceAgainst(root.coordinator)
  }

  /** The Down each local position's active replica holds, against `root` (src/Tree/Provenance.ts). */
  private provenanceAgainst(root: { readonly epoch: number; readonly policy: Uint8Array }): PolicyProvenance {
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
    return provenanceOfLocals({ epoch: root.epoch, policy: root.policy }, locals)
  }

  /** Whether the active root's aggregate covers `round` and equals `expected` (default: the direct fold). */
  isExact(round: number, expected: Summary = this.agents.directFold()): boolean {
    const v = this.rootView()
    if (v !== undefined && v.summary.count > this.topology.agents) this.overcounts++
    return v !== undefined && v.epoch >= round && summaryEquals(v.summary, expected)
  }

  /** Resolves once the root is exact for `round` (polled every 2 ms), or when `signal` aborts. */
  private async whenExact(round: number, signal: AbortSignal): Promise<void> {
    const expected = this.agents.directFold()
    while (!signal.aborted && !this.isExact(round, expected)) await sleep(2)
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
