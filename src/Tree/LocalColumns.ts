/**
 * The state of a run of local coordinators (level 1) held as columns: per
 * local its summary and data epoch, per parent the Down its children hold
 * (epoch, policy, clamp bounds, triggers), the counters and the waiters.
 * `LocalLevel` (src/Tree/LocalLevel.ts) receives into it and ticks from it;
 * this module has no bus.
 *
 * Indices are relative to the run: local `i` is coordinator
 * `(1, first + i)`, parent `j` is `(2, firstParent + j)`. A tree whose root
 * is local (n ≤ k) has one local and one virtual parent slot, which holds
 * what the root broadcast.
 *
 * @module
 */
import { type AgentPool, valueRange } from "./Agents.ts"
import { type CoordinatorCounters, zeroCounters } from "./CoordinatorTypes.ts"
import type { MessageErrorTag } from "./Messages.ts"
import type { Policy } from "./Policy.ts"
import { type Summary, summaryEmpty } from "./Summary.ts"
import { childRange, countAt, type CoordinatorId, type Topology } from "./Topology.ts"

/** Triggers of one Down, delivered to the agents of the local coordinators under one parent. */
export interface TriggerDelivery {
  /** The Down's epoch and triggers. */
  readonly epoch: number
  readonly triggers: ReadonlyArray<number>
  /** The round of the update that delivered them. */
  readonly round: number
  /** Local coordinators `[lo, hi)` and their agents `[agentLo, agentHi)` (tree indices). */
  readonly lo: number
  readonly hi: number
  readonly agentLo: number
  readonly agentHi: number
}

/** One run of consecutive parents whose children hold the same Down (src/Tree/Provenance.ts). */
export interface HeldRun {
  readonly epoch: number
  readonly policy: Uint8Array
  /** The run's first parent (tree index). */
  readonly parent: number
  readonly parents: number
  readonly locals: number
  readonly agents: number
}

interface Waiter {
  readonly epoch: number
  /** Parents `[lo, hi)` that must reach `epoch`. */
  readonly lo: number
  readonly hi: number
  remaining: number
  readonly resolve: () => void
}

const noPolicy = new Uint8Array(0)
const noTriggers: ReadonlyArray<number> = []
const rootChildren = { lo: 0, hi: 1 } as const

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export class LocalColumns {
  readonly topology: Topology
  readonly agents: AgentPool
  /** Tree index of the first local coordinator of the run. */
  readonly first: number
  /** Local coordinators in the run. */
  readonly count: number
  /** Tree index of the first parent (level 2) of the run. */
  readonly firstParent: number
  /** Parents of the run (one virtual slot when the root is local). */
  readonly parents: number
  /** The tree's root is the (one) local coordinator: no parent, it broadcasts. */
  readonly isRoot: boolean
  /** The run is every local coordinator (run indices are tree indices). */
  protected readonly whole: boolean
  /** Sum over the run's coordinators. */
  readonly counters: CoordinatorCounters = zeroCounters()
  /** Rejections by error tag, summed over the run's coordinators. */
  readonly rejectedByTag: Partial<Record<MessageErrorTag, number>> = {}
  /** Sequence number of the last tick's Up messages (one counter for the run). */
  seq = 0
  /** Ticks of the whole run, and those that sent Ups. */
  ticks = 0
  sentTicks = 0
  /** Trigger reactions: each trigger of each accepted Down, counted once per local coordinator it reached. */
  triggersDelivered = 0

  protected readonly k: number
  // per local coordinator
  protected readonly sumCount: Float64Array
  protected readonly sumSum: Float64Array
  protected readonly sumMin: Float64Array
  protected readonly sumMax: Float64Array
  protected readonly sumEpoch: Uint32Array
  // per parent
  protected readonly epochs: Uint32Array
  private readonly policies: Array<Uint8Array | undefined>
  private readonly triggerLists: Array<ReadonlyArray<number> | undefined>
  /** Clamp bounds of the policy each parent's children hold (the whole range: no policy). */
  private readonly clampLo: Int32Array
  private readonly clampHi: Int32Array
  /** Triggers accepted but not yet delivered, per parent, in epoch order. */
  private readonly pendingTriggers = new Map<number, Array<{ readonly epoch: number; readonly triggers: ReadonlyArray<number> }>>()
  private parentTriggers: Float64Array | undefined
  protected readonly parentReceived: Uint32Array
  protected readonly parentAccepted: Uint32Array
  protected readonly parentStale: Uint32Array
  protected parentTerms: Uint32Array | undefined
  private waiters: Waiter[] = []
  private summaryWaiters: Array<{ readonly index: number; readonly epoch: number; readonly resolve: () => void }> = []
  private readonly onTriggers: ((d: TriggerDelivery) => void) | undefined

  constructor(topology: Topology, agents: AgentPool, first: number, count: number, onTriggers: ((d: TriggerDelivery) => void) | undefined) {
    const t = topology
    const locals = countAt(t, 1)
    if (agents.size !== t.agents) throw new RangeError(`LocalLevel: agent pool has ${agents.size} agents, topology ${t.agents}`)
    if (!Number.isSafeInteger(first) || !Number.isSafeInteger(count) || first < 0 || count < 1 || first + count > locals) {
      throw new RangeError(`LocalLevel: local coordinators [${first}, ${first + count}) are not within [0, ${locals})`)
    }
    this.topology = t
    this.agents = agents
    this.k = t.branching
    this.first = first
    this.count = count
    this.isRoot = t.levels === 1
    this.whole = first === 0 && count === locals
    this.firstParent = this.isRoot ? 0 : Math.floor(first / this.k)
    this.parents = this.isRoot ? 1 : Math.floor((first + count - 1) / this.k) - this.firstParent + 1
    this.onTriggers = onTriggers
    this.sumCount = new Float64Array(count)
    this.sumSum = new Float64Array(count)
    this.sumMin = new Float64Array(count).fill(summaryEmpty.min)
    this.sumMax = new Float64Array(count).fill(summaryEmpty.max)
    this.sumEpoch = new Uint32Array(count)
    this.epochs = new Uint32Array(this.parents)
    this.policies = new Array<Uint8Array | undefined>(this.parents)
    this.triggerLists = new Array<ReadonlyArray<number> | undefined>(this.parents)
    this.clampLo = new Int32Array(this.parents).fill(-valueRange)
    this.clampHi = new Int32Array(this.parents).fill(valueRange)
    this.parentReceived = new Uint32Array(this.parents)
    this.parentAccepted = new Uint32Array(this.parents)
    this.parentStale = new Uint32Array(this.parents)
  }

  /** Local coordinators `[lo, hi)` (run indices) under parent `j`. */
  childrenOf(j: number): { readonly lo: number; readonly hi: number } {
    if (this.isRoot) return rootChildren
    const r = childRange(this.topology, { level: 2, index: this.firstParent + j })
    if (this.whole) return r
    return { lo: Math.max(r.lo, this.first) - this.first, hi: Math.min(r.hi, this.first + this.count) - this.first }
  }

  protected parentOf(i: number): number {
    return this.isRoot ? 0 : Math.floor((this.first + i) / this.k) - this.firstParent
  }

  /** Local `i`'s tree id. */
  idOf(i: number): CoordinatorId {
    return { level: 1, index: this.first + i }
  }

  /** The parent `j`'s tree id (undefined at a local root). */
  parentIdOf(j: number): CoordinatorId | undefined {
    return this.isRoot ? undefined : { level: 2, index: this.firstParent + j }
  }

  // -------------------------------------------------------------------------
  // Downs

  /** Parent `j`'s children take the Down of `epoch` (newer than what they hold; checked by the caller). */
  protected holdDown(j: number, epoch: number, policy: Uint8Array, decoded: Policy, triggers: ReadonlyArray<number>): void {
    const old = this.epochs[j]!
    this.epochs[j] = epoch
    this.policies[j] = policy
    this.clampLo[j] = decoded._tag === "Clamp" ? decoded.lo : -valueRange
    this.clampHi[j] = decoded._tag === "Clamp" ? decoded.hi : valueRange
    this.triggerLists[j] = triggers
    if (triggers.length > 0) {
      const q = this.pendingTriggers.get(j)
      if (q === undefined) this.pendingTriggers.set(j, [{ epoch, triggers }])
      else q.push({ epoch, triggers })
    }
    this.settleEpoch(j, old, epoch)
  }

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

  /** The highest heartbeat term local `i` heard from its parent (0: none). */
  parentTermOf(i: number): number {
    return this.parentTerms?.[this.parentOf(i)] ?? 0
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
  heldDowns(): ReadonlyArray<HeldRun> {
    const out: Array<{ epoch: number; policy: Uint8Array; parent: number; parents: number; locals: number; agents: number }> = []
    const n = this.topology.agents
    for (let j = 0; j < this.parents; j++) {
      const e = this.epochs[j]!
      const p = this.policies[j] ?? noPolicy
      const { lo, hi } = this.childrenOf(j)
      const agents = Math.min((this.first + hi) * this.k, n) - (this.first + lo) * this.k
      const last = out[out.length - 1]
      if (last !== undefined && last.epoch === e && sameBytes(last.policy, p)) {
        last.parents++
        last.locals += hi - lo
        last.agents += agents
      } else out.push({ epoch: e, policy: p, parent: this.firstParent + j, parents: 1, locals: hi - lo, agents })
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
    const cLo = this.clampLo
    const cHi = this.clampHi
    let j = 0
    while (j < this.parents) {
      const lo = cLo[j]!
      const hi = cHi[j]!
      let e = j + 1
      while (e < this.parents && cLo[e] === lo && cHi[e] === hi) e++
      const aLo = (this.first + this.childrenOf(j).lo) * this.k
      const aHi = Math.min((this.first + this.childrenOf(e - 1).hi) * this.k, n)
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
      const gLo = this.first + lo
      const gHi = this.first + hi
      for (const { epoch, triggers } of queue) {
        this.triggersDelivered += (hi - lo) * triggers.length
        counts[j]! += triggers.length
        this.onTriggers?.({ epoch, triggers, round, lo: gLo, hi: gHi, agentLo: gLo * this.k, agentHi: Math.min(gHi * this.k, n) })
      }
    }
  }

  // -------------------------------------------------------------------------
  // Summaries

  /** Folds local `i`'s agents into its columns; returns its data epoch. */
  protected fold(i: number): number {
    const n = this.topology.agents
    const lo = (this.first + i) * this.k
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

  protected settleSummaries(): void {
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
}
