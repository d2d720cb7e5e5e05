/**
 * The viewport feed of a running tree (opt-in: `runTree({ viewport })`).
 * After each round every local coordinator publishes one frame with the
 * Element deltas of its agents whose Element changed (src/Tree/ViewportFrame.ts);
 * the ingest decodes each frame (a bad one is rejected and counted, never
 * applied) and applies it as one delta mutation of the proved viewport CRDT
 * (src/State/Viewport.ts) to one of N replicas (`makeReplica`,
 * src/State/Replica.ts: anti-entropy with acks over the bus, a durable store
 * written before anything is applied or acknowledged). The round's report:
 * deltas and bytes sent, whether the live replicas converged (equal states)
 * and whether the replicated Elements equal the agents' own (the direct check).
 *
 * A replica can be killed (its scope closed mid-run: loops stopped, nothing
 * flushed beyond what its store already holds) and restarted from its store;
 * frames meanwhile go to the next live replica.
 *
 * @module
 */
import { Effect, Exit, Scope } from "effect"
import * as Result from "effect/Result"
import type { Transport } from "../Net/Transport.ts"
import { ViewportStateCodec } from "../State/Encoding.ts"
import { le } from "../State/Lattice.ts"
import { makeReplica, type ReplicaHandle } from "../State/Replica.ts"
import type { Store, StoreError } from "../State/Store.ts"
import { ViewportState } from "../State/Viewport.ts"
import type { IndexedDelta } from "../Wire/Delta.ts"
import { type Element, elementEquals } from "../Wire/Element.ts"
import type { AgentPool } from "./Agents.ts"
import type { Connect } from "./Level.ts"
import { agentRange, countAt, type Topology } from "./Topology.ts"
import { checkElement, decodeFrame, deltaOf, elementOf, encodeFrame, type Frame, type FrameError, framesDelta, mismatches } from "./ViewportFrame.ts"

const L = ViewportState.joinSemilattice

/** The viewport feed's configuration. */
export interface ViewportOptions {
  /** Viewport replicas (≥ 1). */
  readonly replicas: number
  /** Replica `i`'s durable store, a scoped resource (`openFileStore`, `openJetStreamStore`). */
  readonly store: (replica: number) => Effect.Effect<Store<ViewportState>, StoreError, Scope.Scope>
  /**
   * Anti-entropy period of the replicas, ms. Default: 50, plus 1 ms per 20
   * agents — a replica re-sends to a peer every period until it acknowledges,
   * so a period shorter than a large state's handling floods the inboxes.
   */
  readonly intervalMs?: number
  /** Give up waiting for the replicas to converge after this long, ms (default 10 s): the round reports not converged. */
  readonly convergeTimeoutMs?: number
  /** Called after each round's report (tests kill and restart replicas here). */
  readonly onRound?: (report: ViewportRound, feed: ViewportFeed) => void | Promise<void>
}

/** One round of the feed. */
export interface ViewportRound {
  readonly round: number
  /** Element deltas published (agents whose Element changed). */
  readonly deltas: number
  /** Frames (one per local coordinator with a change) and their bytes. */
  readonly frames: number
  readonly bytes: number
  /** Frames rejected so far (never applied). */
  readonly rejected: number
  /** Live replicas and whether their states are all equal. */
  readonly live: number
  readonly converged: boolean
  /** The replicated Elements equal every agent's current Element (the direct check). */
  readonly matchesAgents: boolean
  /** Agents whose replicated Element differs (0 when `matchesAgents`). */
  readonly mismatched: number
}

interface Running {
  readonly scope: Scope.Closeable
  readonly handle: ReplicaHandle<ViewportState>
  readonly transport: Transport
  readonly ownsTransport: boolean
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** The feed (see the module doc); `ViewportFeed.start` builds it beside a started tree. */
export class ViewportFeed {
  private readonly replicas: Array<Running | undefined>
  /** Per replica: the join of every frame delta whose update returned (what it acknowledged to the ingest). */
  readonly acknowledged: Array<ViewportState>
  /** Rejected frames by error tag. */
  readonly rejectedByTag: Partial<Record<FrameError["_tag"], number>> = {}
  rejected = 0
  /** Frames applied by a replica, and frames not applied because their replica's store failed or none was live (counted). */
  applied = 0
  storeFailures = 0
  /** Drains that threw (a bug, not bad input: bad frames are `rejected`). */
  internalErrors = 0
  readonly reports: ViewportRound[] = []
  private round = 0
  private handled = 0
  private queue: Promise<void> = Promise.resolve()
  private pending: Uint8Array[] = []
  private readonly last: Array<Element | undefined>
  private readonly sub: { unsubscribe(): Promise<void> }
  private readonly subject: string

  private readonly topology: Topology
  private readonly agents: AgentPool
  private readonly options: ViewportOptions
  private readonly bus: Transport
  private readonly ownsBus: boolean
  private readonly connect: Connect | undefined

  private constructor(topology: Topology, agents: AgentPool, options: ViewportOptions, bus: Transport, ownsBus: boolean, connect: Connect | undefined) {
    this.topology = topology
    this.agents = agents
    this.options = options
    this.bus = bus
    this.ownsBus = ownsBus
    this.connect = connect
    this.replicas = new Array<Running | undefined>(options.replicas).fill(undefined)
    this.acknowledged = Array.from({ length: options.replicas }, () => ViewportState.empty)
    this.last = new Array<Element | undefined>(agents.size).fill(undefined)
    this.subject = `${topology.prefix}.vp`
    this.sub = bus.subscribe(`${this.subject}.in`, (bytes) => {
      this.pending.push(bytes)
      // a throw in one drain is counted; it must not stop the queue
      this.queue = this.queue.then(() => this.drain()).catch(() => void this.internalErrors++)
    })
  }

  /** Subscribes the ingest and starts every replica (each on its own client when `connect` is given). */
  static async start(t: Topology, agents: AgentPool, options: ViewportOptions, bus: { transport?: Transport; connect?: Connect }): Promise<ViewportFeed> {
    if (!Number.isSafeInteger(options.replicas) || options.replicas < 1) throw new RangeError(`viewport: replicas must be an integer >= 1, got ${options.replicas}`)
    const own = bus.transport === undefined
    const tr = bus.transport ?? (await bus.connect!("viewport-ingest"))
    const feed = new ViewportFeed(t, agents, options, tr, own, bus.transport === undefined ? bus.connect : undefined)
    try {
      for (let i = 0; i < options.replicas; i++) await feed.restart(i)
      await tr.flush()
    } catch (e) {
      await feed.stop()
      throw e
    }
    return feed
  }

  /** Local coordinators: one per level-1 node (the root alone when it hosts every agent). */
  private get locals(): number {
    return countAt(this.topology, 1)
  }

  private agentsOf = (j: number) => agentRange(this.topology, { level: 1, index: j })

  /** The live replica for local coordinator `j`'s frames: `j mod N`, else the next live one. */
  private replicaFor(j: number): number | undefined {
    const n = this.replicas.length
    for (let s = 0; s < n; s++) if (this.replicas[(j + s) % n] !== undefined) return (j + s) % n
    return undefined
  }

  /** Takes every frame waiting and ingests them (one at a time: the queue serializes drains). */
  private drain(): Promise<void> {
    const batch = this.pending
    this.pending = []
    return batch.length === 0 ? Promise.resolve() : this.ingest(batch)
  }

  /**
   * Decodes `frames` (a bad one is counted by tag, never applied), groups the
   * good ones by the replica they go to, and applies each group as one delta
   * mutation: one store write per replica however many frames arrived.
   */
  private async ingest(frames: ReadonlyArray<Uint8Array>): Promise<void> {
    try {
      await this.ingestNow(frames)
    } finally {
      this.handled += frames.length
    }
  }

  private async ingestNow(frames: ReadonlyArray<Uint8Array>): Promise<void> {
    const groups = new Map<number, Frame[]>()
    for (const bytes of frames) {
      const f = decodeFrame(bytes, { locals: this.locals, round: this.round, agentsOf: this.agentsOf })
      if (Result.isFailure(f)) {
        const tag = f.failure._tag
        this.rejectedByTag[tag] = (this.rejectedByTag[tag] ?? 0) + 1
        this.rejected++
        continue
      }
      const i = this.replicaFor(f.success.local)
      if (i === undefined) {
        this.storeFailures++
        continue
      }
      const g = groups.get(i)
      if (g === undefined) groups.set(i, [f.success])
      else g.push(f.success)
    }
    for (const [i, group] of groups) {
      const r = this.replicas[i]!
      let delta = ViewportState.empty
      const mutate = (s: ViewportState): ViewportState => (delta = framesDelta(s, group))
      const res = await Effect.runPromise(Effect.result(r.handle.update(mutate)))
      if (Result.isSuccess(res)) {
        this.acknowledged[i] = L.join(this.acknowledged[i]!, delta)
        this.applied += group.length
      } else this.storeFailures += group.length
    }
  }

  /** Starts replica `i` (again) from its store. */
  async restart(i: number): Promise<void> {
    if (this.replicas[i] !== undefined) throw new Error(`viewport: replica ${i} is running`)
    const transport = this.connect === undefined ? this.bus : await this.connect(`viewport-replica-${i}`)
    const scope = await Effect.runPromise(Scope.make())
    const { options, subject } = this
    const intervalMs = options.intervalMs ?? 50 + Math.ceil(this.agents.size / 20)
    try {
      const handle = await Effect.runPromise(
        Scope.provide(scope)(
          Effect.gen(function* () {
            const store = yield* options.store(i)
            return yield* makeReplica({
              id: i,
              peers: Array.from({ length: options.replicas }, (_, j) => j).filter((j) => j !== i),
              subject: `${subject}.sync`,
              lattice: L,
              codec: ViewportStateCodec,
              transport,
              store,
              intervalMs,
            })
          }),
        ),
      )
      this.replicas[i] = { scope, handle, transport, ownsTransport: transport !== this.bus }
    } catch (e) {
      await Effect.runPromise(Scope.close(scope, Exit.void))
      if (transport !== this.bus) await transport.close()
      throw e
    }
  }

  /** Kills replica `i`: its scope closes under it (loops interrupted, store closed), nothing more is written. */
  async kill(i: number): Promise<void> {
    const r = this.replicas[i]
    if (r === undefined) return
    this.replicas[i] = undefined
    await Effect.runPromise(Scope.close(r.scope, Exit.void))
    if (r.ownsTransport) await r.transport.close()
  }

  /** Replica `i`'s handle while it runs. */
  replica(i: number): ReplicaHandle<ViewportState> | undefined {
    return this.replicas[i]?.handle
  }

  /** The live replicas' states. */
  async states(): Promise<ReadonlyArray<ViewportState>> {
    const out: ViewportState[] = []
    for (const r of this.replicas) if (r !== undefined) out.push(await Effect.runPromise(r.handle.state))
    return out
  }

  /** Every live replica acknowledged at least what the ingest saw it acknowledge. */
  async keepsAcknowledged(): Promise<boolean> {
    for (let i = 0; i < this.replicas.length; i++) {
      const r = this.replicas[i]
      if (r !== undefined && !le(L, this.acknowledged[i]!, await Effect.runPromise(r.handle.state))) return false
    }
    return true
  }

  /**
   * The feed's part of round `round`, after the tree's: every local
   * coordinator publishes its frame, the ingest applies them, the replicas
   * gossip until they agree (or the timeout), the report.
   */
  async afterRound(round: number): Promise<ViewportRound> {
    this.round = round
    const { values } = this.agents
    let deltas = 0
    let frames = 0
    let bytes = 0
    const expected = this.handled
    for (let j = 0; j < this.locals; j++) {
      const { lo, hi } = this.agentsOf(j)
      const out: IndexedDelta[] = []
      for (let a = lo; a < hi; a++) {
        const e = elementOf(a, values[a]!)
        const prev = this.last[a]
        if (prev !== undefined && elementEquals(prev, e)) continue
        out.push({ index: a, delta: deltaOf(prev, checkElement(e)) })
        this.last[a] = e
      }
      if (out.length === 0) continue
      const frame = encodeFrame(round, j, out)
      this.bus.publish(`${this.subject}.in`, frame)
      deltas += out.length
      frames++
      bytes += frame.length
    }
    await this.bus.flush()
    const deadline = performance.now() + (this.options.convergeTimeoutMs ?? 10_000)
    while (this.handled < expected + frames && performance.now() < deadline) await sleep(2)
    await this.queue
    let states = await this.states()
    // the replicas' own anti-entropy loops carry it; gossiping faster here only floods their inboxes
    while (!allEqual(states) && performance.now() < deadline) {
      await sleep(10)
      states = await this.states()
    }
    const converged = allEqual(states)
    const mismatched = states.length === 0 ? values.length : mismatches(states[0]!, values)
    const report: ViewportRound = { round, deltas, frames, bytes, rejected: this.rejected, live: states.length, converged, matchesAgents: mismatched === 0, mismatched }
    this.reports.push(report)
    await this.options.onRound?.(report, this)
    return report
  }

  /** Publishes raw bytes on the ingest subject (for tests of forged frames) and waits until the ingest handled them. */
  async inject(bytes: Uint8Array): Promise<void> {
    const before = this.handled
    this.bus.publish(`${this.subject}.in`, bytes)
    await this.bus.flush()
    const deadline = performance.now() + 10_000
    while (this.handled <= before) {
      if (performance.now() > deadline) throw new Error("viewport: an injected frame was not handled within 10 s")
      await sleep(2)
    }
  }

  /** Stops the ingest and every replica, and closes the clients it opened. */
  async stop(): Promise<void> {
    await this.sub.unsubscribe().catch(() => undefined)
    await this.queue
    for (let i = 0; i < this.replicas.length; i++) await this.kill(i)
    if (this.ownsBus) await this.bus.close()
  }
}

const allEqual = (xs: ReadonlyArray<ViewportState>): boolean => xs.every((x) => L.equals(x, xs[0]!))

/** One line per round for the CLI. */
export const viewportLine = (r: ViewportRound): string =>
  `viewport round ${r.round}: ${r.deltas} Element deltas in ${r.frames} frames (${r.bytes} B), ` +
  `${r.live} replicas ${r.converged ? "converged" : "NOT converged"}, ` +
  `${r.matchesAgents ? "equal to the agents' Elements" : `${r.mismatched} Elements differ from the agents'`}, ${r.rejected} frames rejected`
