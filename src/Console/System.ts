/**
 * The running system the console talks to when nothing else is given: an
 * in-process mesh of simulated agents (sectors → clusters → agents, seed 002
 * Part 2.1) whose reports add up to a live aggregate. Each agent has an
 * impedance, a health, a context hash and a task; each cluster a breaker.
 *
 * Freeze (per cluster) keeps a snapshot of the frozen agents' values. While a
 * cluster is frozen its agents' reports are HELD in arrival order (up to
 * `maxHeld` in all; past that a report is refused with `UpdateRefused` and
 * counted — never dropped silently). Thaw checks the live values against the
 * snapshot, restores them from it, then applies the held reports in order.
 *
 * @module
 */
import { Data } from "effect"
import * as Result from "effect/Result"
import { type MeshShape, counts } from "../Mesh/Topology.ts"
import { type ConsoleScope, formatScope } from "./Command.ts"
import { readSnapshot, SnapshotError, writeSnapshot } from "./Snapshot.ts"

export const ACTIVE = 0
export const OFFLINE = 1
export const QUARANTINED = 2

/** An agent slower than this (ms) is "slow" (the seed's 500 ms). */
export const slowMs = 500

export interface SystemOptions {
  readonly shape?: MeshShape
  readonly seed?: number
  /** Reports held while frozen, in all, before further ones are refused. */
  readonly maxHeld?: number
  /** Where freeze preserves the frozen state on disk (Snapshot.ts); none by default. */
  readonly stateDir?: string
}

/** The default shape: 10 sectors × 10 clusters × 30 agents (3,000 agents). */
export const defaultShape: MeshShape = { sectors: 10, clustersPerSector: 10, agentsPerCluster: 30 }

/** A report refused because its cluster is frozen and the hold queue is full. */
export class UpdateRefused extends Data.TaggedError("UpdateRefused")<{ readonly agent: string; readonly held: number }> {
  override get message(): string {
    return `report from ${this.agent} refused: its cluster is frozen and ${this.held} reports are already held`
  }
}

/** A scope naming a sector or cluster the mesh does not have. */
export class ScopeOutOfRange extends Data.TaggedError("ScopeOutOfRange")<{ readonly scope: string; readonly sectors: number; readonly clusters: number }> {
  override get message(): string {
    return `${this.scope} is not in this mesh (sectors 1..${this.sectors}, clusters 1..${this.clusters} per sector)`
  }
}

const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** FNV-1a of a string: the context hash a broadcast installs. */
export const hash32 = (s: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0
  return h >>> 0
}

export const idleTask = "idle"

export class MeshSystem {
  readonly shape: MeshShape
  readonly agents: number
  readonly clusters: number
  readonly value: Float64Array
  readonly impedance: Float64Array
  readonly health: Uint8Array
  readonly context: Uint32Array
  readonly avoided: Uint8Array
  readonly task: Array<string>
  readonly waitingOn: Array<string>
  readonly breakerOpen: Uint8Array
  readonly frozen: Uint8Array
  /** Conflicts logged so far (quarantines and refused delegations). */
  conflicts = 0
  round = 0
  refused = 0
  heldTotal = 0
  private readonly maxHeld: number
  private readonly held: Array<Array<{ readonly agent: number; readonly delta: number }>>
  private readonly snapshot = new Map<number, Float64Array>()
  readonly stateDir: string | undefined
  /** The file holding each frozen cluster's preserved state (with `stateDir`). */
  private readonly preserved = new Map<number, string>()

  constructor(options: SystemOptions = {}) {
    this.shape = options.shape ?? defaultShape
    const c = counts(this.shape)
    this.agents = c.agents
    this.clusters = c.clusters
    this.maxHeld = options.maxHeld ?? 1_000_000
    this.stateDir = options.stateDir
    this.value = new Float64Array(this.agents)
    this.impedance = new Float64Array(this.agents)
    this.health = new Uint8Array(this.agents)
    this.context = new Uint32Array(this.agents).fill(hash32("genesis"))
    this.avoided = new Uint8Array(this.agents)
    this.task = new Array<string>(this.agents).fill(idleTask)
    this.waitingOn = new Array<string>(this.agents).fill("")
    this.breakerOpen = new Uint8Array(this.clusters)
    this.frozen = new Uint8Array(this.clusters)
    this.held = Array.from({ length: this.clusters }, () => [])
    this.seedFaults(options.seed ?? 1)
  }

  /** Deterministic faults for the console to find: slow agents, offline ones, a tripped cluster, divergent contexts. */
  private seedFaults(seed: number): void {
    const rnd = mulberry32(seed)
    const A = this.shape.agentsPerCluster
    for (let i = 0; i < this.agents; i++) {
      this.impedance[i] = 5 + Math.floor(rnd() * 295)
      if (rnd() < 0.003) this.health[i] = OFFLINE
    }
    // the seed's example: two slow agents in cluster 7-4 (or the last cluster of a smaller mesh)
    const slowCluster = this.clusterIndex(Math.min(7, this.shape.sectors), Math.min(4, this.shape.clustersPerSector))
    const slow: ReadonlyArray<[number, number]> = [[11, 847], [18, 612]]
    for (const [slot, ms] of slow) {
      const i = slowCluster * A + (slot % A)
      this.health[i] = ACTIVE
      this.impedance[i] = ms
      this.task[i] = "Process large language model inference request"
      this.waitingOn[i] = "GPU memory allocation"
    }
    // one cluster past its breaker's threshold (6 failures > 5), unless the mesh is a single cluster
    if (this.clusters > 1) {
      const tripped = Math.floor(rnd() * this.clusters) === slowCluster ? (slowCluster + 1) % this.clusters : Math.floor(rnd() * this.clusters)
      for (let k = 0; k < Math.min(6, A); k++) this.health[tripped * A + k] = OFFLINE
      this.breakerOpen[tripped] = 1
    }
    for (let q = 0; q < 3; q++) {
      const i = Math.floor(rnd() * this.agents)
      if (this.health[i] !== ACTIVE || this.impedance[i]! >= slowMs) continue
      this.health[i] = QUARANTINED
      this.context[i] = hash32(`divergent-${i}`)
      this.conflicts++
    }
  }

  clusterIndex(sector: number, cluster: number): number {
    return (sector - 1) * this.shape.clustersPerSector + (cluster - 1)
  }

  clusterOf(agent: number): number {
    return Math.floor(agent / this.shape.agentsPerCluster)
  }

  /** `S7-C4-A12`: 1-based sector, cluster and slot. */
  agentName(i: number): string {
    const A = this.shape.agentsPerCluster
    const cl = Math.floor(i / A)
    const s = Math.floor(cl / this.shape.clustersPerSector)
    return `S${s + 1}-C${(cl % this.shape.clustersPerSector) + 1}-A${(i % A) + 1}`
  }

  clusterName(cl: number): string {
    return `cluster ${Math.floor(cl / this.shape.clustersPerSector) + 1}-${(cl % this.shape.clustersPerSector) + 1}`
  }

  /** The clusters a scope covers, or why it is not in this mesh. */
  clustersIn(scope: ConsoleScope): Result.Result<ReadonlyArray<number>, ScopeOutOfRange> {
    const C = this.shape.clustersPerSector
    const out = () => Result.fail(new ScopeOutOfRange({ scope: formatScope(scope), sectors: this.shape.sectors, clusters: C }))
    if (scope.kind === "all") return Result.succeed(Array.from({ length: this.clusters }, (_, k) => k))
    if (scope.sector > this.shape.sectors) return out()
    if (scope.kind === "sector") return Result.succeed(Array.from({ length: C }, (_, k) => (scope.sector - 1) * C + k))
    if (scope.cluster > C) return out()
    return Result.succeed([this.clusterIndex(scope.sector, scope.cluster)])
  }

  /** The agents of some clusters, in index order. */
  *agentsOf(clusters: ReadonlyArray<number>): Generator<number> {
    const A = this.shape.agentsPerCluster
    for (const cl of clusters) for (let i = cl * A; i < (cl + 1) * A; i++) yield i
  }

  /** The live aggregate: the sum of every agent's reported value. */
  aggregate(): number {
    let s = 0
    for (let i = 0; i < this.agents; i++) s += this.value[i]!
    return s
  }

  /** One report from agent `i`: applied, held (its cluster is frozen), or refused (hold queue full). */
  report(i: number, delta: number): Result.Result<"applied" | "held", UpdateRefused> {
    const cl = this.clusterOf(i)
    if (this.frozen[cl] === 0) {
      this.value[i] = this.value[i]! + delta
      return Result.succeed("applied")
    }
    if (this.heldTotal >= this.maxHeld) {
      this.refused++
      return Result.fail(new UpdateRefused({ agent: this.agentName(i), held: this.heldTotal }))
    }
    this.held[cl]!.push({ agent: i, delta })
    this.heldTotal++
    return Result.succeed("held")
  }

  /** One round: every active agent reports a small whole number (sums stay exact). */
  tick(): { readonly applied: number; readonly held: number; readonly refused: number } {
    let applied = 0
    let held = 0
    let refused = 0
    for (let i = 0; i < this.agents; i++) {
      if (this.health[i] !== ACTIVE) continue
      const r = this.report(i, 1 + ((i * 7 + this.round) % 5))
      if (Result.isFailure(r)) refused++
      else if (r.success === "applied") applied++
      else held++
    }
    this.round++
    return { applied, held, refused }
  }

  heldIn(clusters: ReadonlyArray<number>): number {
    let n = 0
    for (const cl of clusters) n += this.held[cl]!.length
    return n
  }

  /** Writes the current values of `clusters` to a file in `stateDir` (before they freeze); the file, if any. */
  preserve(clusters: ReadonlyArray<number>, scope: string, now = Date.now()): Result.Result<string | undefined, SnapshotError> {
    if (this.stateDir === undefined || clusters.length === 0) return Result.succeed(undefined)
    const A = this.shape.agentsPerCluster
    const w = writeSnapshot(this.stateDir, scope, this.shape, clusters.map((cl) => ({ cluster: cl, values: this.value.subarray(cl * A, (cl + 1) * A) })), now)
    if (Result.isSuccess(w)) for (const cl of clusters) this.preserved.set(cl, w.success)
    return w
  }

  /** Reads back the files of the frozen `clusters` and checks them against the in-memory snapshot; the files read. */
  checkPreserved(clusters: ReadonlyArray<number>): Result.Result<number, SnapshotError> {
    const files = new Map<string, Array<number>>()
    for (const cl of clusters) {
      const f = this.preserved.get(cl)
      if (f !== undefined) files.set(f, [...(files.get(f) ?? []), cl])
    }
    for (const [file, cls] of files) {
      const r = readSnapshot(file, this.shape)
      if (Result.isFailure(r)) return Result.fail(r.failure)
      for (const cl of cls) {
        const entry = r.success.clusters.find((c) => c.cluster === cl)
        const snap = this.snapshot.get(cl)!
        if (entry === undefined || entry.values.length !== snap.length || entry.values.some((v, k) => v !== snap[k])) {
          return Result.fail(new SnapshotError({ file, where: `clusters[cluster=${cl}]`, problem: "differs from the state frozen in memory" }))
        }
      }
    }
    return Result.succeed(files.size)
  }

  /** Freezes the clusters not yet frozen; the number of clusters newly frozen. */
  freeze(clusters: ReadonlyArray<number>): number {
    const A = this.shape.agentsPerCluster
    let n = 0
    for (const cl of clusters) {
      if (this.frozen[cl] === 1) continue
      this.snapshot.set(cl, this.value.slice(cl * A, (cl + 1) * A))
      this.frozen[cl] = 1
      n++
    }
    return n
  }

  /**
   * Thaws the frozen clusters among `clusters`: checks and restores each from
   * its snapshot, then applies its held reports in arrival order.
   */
  thaw(clusters: ReadonlyArray<number>): { readonly thawed: number; readonly restored: number; readonly mismatched: number; readonly applied: number; readonly restoredSum: number } {
    const A = this.shape.agentsPerCluster
    let thawed = 0
    let mismatched = 0
    let applied = 0
    let restoredSum = 0
    for (const cl of clusters) {
      if (this.frozen[cl] === 0) continue
      const snap = this.snapshot.get(cl)!
      for (let k = 0; k < A; k++) {
        if (this.value[cl * A + k] !== snap[k]) mismatched++
        this.value[cl * A + k] = snap[k]!
        restoredSum += snap[k]!
      }
      this.snapshot.delete(cl)
      this.preserved.delete(cl)
      this.frozen[cl] = 0
      thawed++
      const queue = this.held[cl]!
      for (const h of queue) this.value[h.agent] = this.value[h.agent]! + h.delta
      applied += queue.length
      this.heldTotal -= queue.length
      this.held[cl] = []
    }
    return { thawed, restored: thawed * A, mismatched, applied, restoredSum }
  }
}
