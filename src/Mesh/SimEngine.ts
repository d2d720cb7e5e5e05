/**
 * The mesh simulation on a virtual clock (issue 12, item 8): a discrete-event
 * run over the seeded population (SimModel.ts) with the failures of
 * SimScenario.ts. Events are heartbeat rounds and operations, taken from a
 * time-ordered queue; no event waits for wall time, so a human-class lead of
 * minutes costs nothing.
 *
 * The mesh's own parts decide everything: arrival scheduling (Arrival.plan,
 * 10 ms buckets), the trinary quorum (Trinary.quorum), breakers
 * (MeshBreakers: failures, probes, monitoring), the operational mode
 * (Degradation.opMode over the ImpedanceSummary monoid of cluster and sector
 * summaries) and its admission rules (Degradation.admit), and conflict records
 * (Conflict.makeConflict). SimRun.ts turns the counts into KPIs.
 */
import { bucketSend, bucketWidthMs, plan } from "./Arrival.ts"
import { isRoutable, MeshBreakers } from "./Breaker.ts"
import { type ConflictKind, type ConflictRecord, conflictKinds, makeConflict } from "./Conflict.ts"
import { admit, healthySectorsOnly, type OpMode, opMode, seedModeThresholds } from "./Degradation.ts"
import { merge, empty as emptySummary, type Summary } from "./ImpedanceSummary.ts"
import {
  agentId, classOf, gaussian, healthy, oneWaySample, type Population, predictedLeadMs, processingSample, registryScore, type Slowness, stream,
} from "./SimModel.ts"
import { aliveAt, clusterUp, type FailureSpec, type Injected, isSlow, type Scenario, sectorUp } from "./SimScenario.ts"
import { counts } from "./Topology.ts"
import { gatherStatus } from "./ScatterGather.ts"
import { EventQueue } from "./SimQueue.ts"
import { quorum, seedThresholds } from "./Trinary.ts"

/** A slow cluster: latency ×4, processing ×3. */
export const slowCluster: Slowness = { latency: 4, processing: 3 }
/** The wave's give-up time: the seed's 200 + 1,000 + 2,000 ms of §3.3. */
export const cascadeTimeoutMs = 3_200

export type OpKind = "cluster" | "sector" | "mesh"

export interface Incident {
  readonly kind: "cluster" | "sector"
  readonly id: number
  readonly from: number
  readonly to: number
  detectedAt: number | undefined
  recoveredAt: number | undefined
}

/** Everything counted during a run (SimRun.ts derives the KPIs). */
export class Tallies {
  opsAdmitted = 0
  opsProceeded = 0
  opsRefused = 0
  readonly refusals = new Map<string, number>()
  readonly decisions = new Map<string, number>()
  /** ScatterGather.gatherStatus of each admitted operation (READY ÷ targets against 95 %). */
  readonly verdicts = new Map<string, number>()
  scheduled = 0
  skipped = 0
  responded = 0
  readyVotes = 0
  conflictVotes = 0
  windowHits = 0
  within50 = 0
  readonly within50ByClass = new Float64Array(6)
  readonly respondedByClass = new Float64Array(6)
  readonly windowHitsByClass = new Float64Array(6)
  /** p95 − p5 of ready times, per mesh-wide scatter-gather. */
  readonly meshSpreads: number[] = []
  /** The same over the machine classes A–E only (human touchpoints left out). */
  readonly meshSpreadsMachine: number[] = []
  readonly cascades: number[] = []
  cascadesFailed = 0
  cascadesRefused = 0
  rounds = 0
  availableRounds = 0
  minActiveRate = 1
  readonly modes: Array<{ readonly t: number; readonly mode: OpMode; readonly activeRate: number }> = []
  readonly msgs = { heartbeats: 0, clusterSummaries: 0, sectorSummaries: 0, scatterSends: 0, responses: 0, cascadeDown: 0, cascadeAcks: 0 }
  readonly conflicts: ConflictRecord[] = []
  readonly incidents: Incident[] = []
}

const quantileSorted = (xs: Float64Array, q: number): number => xs[Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1))]!

type Event =
  | { readonly _tag: "Heartbeat" }
  | { readonly _tag: "Op"; readonly kind: OpKind }
  | { readonly _tag: "Cascade" }
  /** A sent agent that did not answer, seen at the operation's deadline. */
  | { readonly _tag: "NoAnswer"; readonly sector: number; readonly cluster: number }

/** One virtual-clock run. */
export class VirtualMesh {
  readonly tallies = new Tallies()
  readonly breakers = new MeshBreakers()
  mode: OpMode = "FULL"
  private readonly lastHb: Float64Array
  private readonly offline: Uint8Array
  private readonly scores: Float64Array
  private readonly clusterActive: Uint32Array
  private readonly rOps: () => number
  private readonly rPick: () => number
  private readonly ready: Float64Array
  private readonly readyMachine: Float64Array
  /** The registry's lead per agent (its record does not change during a run). */
  private readonly leads: Float64Array
  private opSeq = 0
  private readonly apc: number
  private readonly cps: number

  readonly pop: Population
  readonly failures: FailureSpec
  readonly inj: Injected
  readonly sc: Scenario

  constructor(pop: Population, failures: FailureSpec, inj: Injected, sc: Scenario, seed: number) {
    this.pop = pop
    this.failures = failures
    this.inj = inj
    this.sc = sc
    const n = pop.n
    this.lastHb = new Float64Array(n)
    this.offline = new Uint8Array(n)
    this.scores = new Float64Array(n)
    for (let i = 0; i < n; i++) this.scores[i] = registryScore(pop, i)
    this.clusterActive = new Uint32Array(counts(pop.shape).clusters).fill(pop.shape.agentsPerCluster)
    this.rOps = stream(seed, 4)
    this.rPick = stream(seed, 5)
    this.ready = new Float64Array(n)
    this.readyMachine = new Float64Array(n)
    this.leads = new Float64Array(n)
    for (let i = 0; i < n; i++) this.leads[i] = predictedLeadMs(pop, i, sc.weightTenths)
    this.apc = pop.shape.agentsPerCluster
    this.cps = pop.shape.clustersPerSector
    for (const [id, [from, to]] of inj.clusterDown) this.tallies.incidents.push({ kind: "cluster", id, from, to, detectedAt: undefined, recoveredAt: undefined })
    for (const [id, [from, to]] of inj.sectorDown) this.tallies.incidents.push({ kind: "sector", id, from, to, detectedAt: undefined, recoveredAt: undefined })
  }

  /** Runs every event up to the scenario's duration. */
  private readonly q = new EventQueue<Event>()

  run(): Tallies {
    const q = this.q
    const sc = this.sc
    const every = (ms: number, e: Event, from: number) => {
      for (let t = from; t <= sc.durationMs; t += ms) q.push(t, e)
    }
    every(sc.heartbeatMs, { _tag: "Heartbeat" }, 0)
    every(sc.clusterOpEveryMs, { _tag: "Op", kind: "cluster" }, sc.clusterOpEveryMs)
    every(sc.sectorOpEveryMs, { _tag: "Op", kind: "sector" }, sc.sectorOpEveryMs)
    every(sc.meshOpEveryMs, { _tag: "Op", kind: "mesh" }, sc.meshOpEveryMs)
    every(sc.cascadeEveryMs, { _tag: "Cascade" }, sc.cascadeEveryMs)
    for (let ev = q.pop(); ev !== undefined && ev.t <= sc.durationMs; ev = q.pop()) {
      const e = ev.e
      if (e._tag === "Heartbeat") this.heartbeat(ev.t)
      else if (e._tag === "Op") this.operation(ev.t, e.kind)
      else if (e._tag === "NoAnswer") this.breakers.recordFailure({ sector: e.sector, cluster: e.cluster }, ev.t)
      else this.cascade(ev.t)
    }
    return this.tallies
  }

  private routable(i: number, t: number): boolean {
    if (t - this.lastHb[i]! > this.sc.offlineAfterMs) return false
    const cluster = Math.floor(i / this.apc)
    return isRoutable(this.breakers, { sector: Math.floor(cluster / this.cps), cluster }, healthySectorsOnly(this.mode))
  }

  /** A heartbeat round: agents report, leads and coordinators summarise, the mode follows; probes and monitoring advance. */
  heartbeat(t: number): void {
    const { pop, inj, sc, tallies } = this
    const m = tallies.msgs
    let mesh: Summary = emptySummary
    for (let s = 0; s < pop.shape.sectors; s++) {
      let sector: Summary = emptySummary
      for (let k = 0; k < this.cps; k++) {
        const c = s * this.cps + k
        let active = 0
        let sum = 0
        let worst = -1
        let best = Number.POSITIVE_INFINITY
        for (let i = c * this.apc; i < (c + 1) * this.apc; i++) {
          if (aliveAt(inj, pop.shape, i, c, t)) {
            this.lastHb[i] = t
            m.heartbeats++
          }
          const seen = t - this.lastHb[i]! <= sc.offlineAfterMs
          if (!seen && this.offline[i] === 0) {
            this.offline[i] = 1
            this.breakers.recordFailure({ sector: s, cluster: c }, t)
          } else if (seen) this.offline[i] = 0
          if (seen) active++
          const x = this.scores[i]!
          sum += x
          if (x > worst) worst = x
          if (x < best) best = x
        }
        this.clusterActive[c] = active
        if (clusterUp(inj, pop.shape, c, t)) m.clusterSummaries++
        sector = merge(sector, { sum, count: this.apc, active, worst, best })
      }
      if (sectorUp(inj, s, t)) m.sectorSummaries++
      mesh = merge(mesh, sector)
    }
    const rate = mesh.active / mesh.count
    tallies.rounds++
    if (mesh.active * 100 >= 95 * mesh.count) tallies.availableRounds++
    tallies.minActiveRate = Math.min(tallies.minActiveRate, rate)
    const mode = opMode(seedModeThresholds, mesh.active, mesh.count)
    if (mode !== this.mode || tallies.modes.length === 0) tallies.modes.push({ t, mode, activeRate: rate })
    this.mode = mode
    for (const scope of this.breakers.dueProbes(t)) {
      const ok = scope._tag === "Cluster" ? clusterUp(inj, pop.shape, scope.cluster, t) : scope._tag === "Sector" ? sectorUp(inj, scope.sector, t) : true
      this.breakers.apply(scope, { _tag: "Probe", t, ok })
    }
    this.breakers.tick(t)
    this.trackIncidents(t)
  }

  private trackIncidents(t: number): void {
    for (const inc of this.tallies.incidents) {
      const clusters = inc.kind === "cluster" ? [inc.id] : Array.from({ length: this.cps }, (_, k) => inc.id * this.cps + k)
      const open = clusters.some((c) => this.breakers.cluster(c) !== "CLOSED") ||
        (inc.kind === "sector" && this.breakers.sector(inc.id) !== "CLOSED")
      const active = clusters.reduce((s, c) => s + this.clusterActive[c]!, 0)
      const size = clusters.length * this.apc
      const healthyNow = !open && active * 100 >= 95 * size
      // detected: a breaker of the scope opened, or the registry lost half of it
      if (inc.detectedAt === undefined && t >= inc.from && (open || active * 2 < size)) inc.detectedAt = t
      if (inc.detectedAt !== undefined && inc.recoveredAt === undefined && t >= inc.to && healthyNow) inc.recoveredAt = t
    }
  }

  /** One scatter-gather (§3.2) to a random cluster, a random sector or the whole mesh. */
  operation(t: number, kind: OpKind): void {
    const { pop, inj, sc, tallies } = this
    const [lo, hi] = this.range(kind)
    const targets: number[] = []
    for (let i = lo; i < hi; i++) if (this.routable(i, t)) targets.push(i)
    const adm = admit({ targets: targets.length, priority: 2, meshWide: kind === "mesh", automated: true, humanApproved: false }, this.mode)
    if (adm._tag !== "Admitted") {
      tallies.opsRefused++
      const why = adm._tag === "Refused" ? adm.refusal._tag : "Queued"
      tallies.refusals.set(why, (tallies.refusals.get(why) ?? 0) + 1)
      return
    }
    tallies.opsAdmitted++
    const op = `op-${++this.opSeq}`
    let maxLead = 0
    for (const i of targets) maxLead = Math.max(maxLead, this.leads[i]!)
    const T = t + Math.min(Math.max(sc.windowMs, maxLead), sc.maxLeadMs)
    const half = sc.windowMs / 2
    let ready = 0, conflict = 0, transit = 0, n = 0, nm = 0
    const r = this.rOps
    for (const i of targets) {
      const p = plan(t, T, this.leads[i]!)
      if (p.status === "SKIP") {
        tallies.skipped++
        continue
      }
      tallies.scheduled++
      tallies.msgs.scatterSends++
      const sendAt = sc.strategy === "arrival" ? bucketSend(bucketWidthMs, t, p.sendAt) : t
      const cluster = Math.floor(i / this.apc)
      const slow = isSlow(inj, cluster, sendAt) ? slowCluster : healthy
      const at = sendAt + oneWaySample(pop, i, r, slow) + processingSample(pop, i, sc.weightTenths, r, slow)
      if (!aliveAt(inj, pop.shape, i, cluster, sendAt) || !aliveAt(inj, pop.shape, i, cluster, at)) {
        // no answer at all: a failure for its breakers, seen when the window has closed and the
        // answer is overdue (a late answer is a straggler, not a failure)
        transit++
        this.q.push(Math.max(T + half, at), { _tag: "NoAnswer", sector: Math.floor(cluster / this.cps), cluster })
        continue
      }
      tallies.msgs.responses++
      tallies.responded++
      const k = pop.cls[i]!
      tallies.respondedByClass[k]!++
      const off = at - T
      if (Math.abs(off) <= 50) {
        tallies.within50++
        tallies.within50ByClass[k]!++
      }
      if (Math.abs(off) <= half) {
        tallies.windowHits++
        tallies.windowHitsByClass[k]!++
      }
      this.ready[n++] = at
      if (k !== 5) this.readyMachine[nm++] = at
      if (r() < this.failures.conflict) {
        conflict++
        tallies.conflictVotes++
        tallies.conflicts.push(this.conflictOf(op, i, at, r))
      } else if (off <= half) {
        ready++
        tallies.readyVotes++
      } else transit++
    }
    const v = gatherStatus({ num: 95, den: 100 }, targets.length, ready)
    tallies.verdicts.set(v, (tallies.verdicts.get(v) ?? 0) + 1)
    const d = quorum(seedThresholds, { ready, transit, conflict })
    tallies.decisions.set(d, (tallies.decisions.get(d) ?? 0) + 1)
    if (d === "PROCEED") tallies.opsProceeded++
    if (kind === "mesh" && n > 0) {
      const xs = this.ready.subarray(0, n).sort()
      tallies.meshSpreads.push(quantileSorted(xs, 0.95) - quantileSorted(xs, 0.05))
      if (nm > 0) {
        const ms = this.readyMachine.subarray(0, nm).sort()
        tallies.meshSpreadsMachine.push(quantileSorted(ms, 0.95) - quantileSorted(ms, 0.05))
      }
    }
  }

  private conflictOf(op: string, i: number, at: number, r: () => number): ConflictRecord {
    const kind: ConflictKind = conflictKinds[Math.floor(r() * conflictKinds.length)]!
    return makeConflict({
      conflictId: `${op}-${i}`,
      operationId: op,
      agents: [agentId(this.pop, i)],
      detail: { kind, divergenceDepth: Math.floor(r() * 20), affectsAgentCount: Math.floor(r() * 200) },
      detectedAt: Math.round(at),
    })
  }

  private range(kind: OpKind): readonly [number, number] {
    const s = this.pop.shape
    if (kind === "mesh") return [0, this.pop.n]
    if (kind === "sector") {
      const x = Math.floor(this.rPick() * s.sectors)
      return [x * this.cps * this.apc, (x + 1) * this.cps * this.apc]
    }
    const c = Math.floor(this.rPick() * s.sectors * this.cps)
    return [c * this.apc, (c + 1) * this.apc]
  }

  /**
   * A wave cascade (§3.3) to every routable agent: orchestrator → sector
   * coordinators (50 ms ± 20 % + 10 ms, §8.3) → cluster leads (30 ms + 10 ms)
   * → agents, and the acknowledgements back the same way. It completes when
   * 95 % of the targets have acknowledged. An agent acknowledges after
   * processing the message (the seed's estimate at weight 0); a human-class
   * touchpoint's queue acknowledges receipt in 10 ms (the judgment is not
   * part of a cascade).
   */
  cascade(t: number): void {
    const { pop, inj, tallies } = this
    const m = tallies.msgs
    const r = this.rOps
    let routable = 0
    for (let i = 0; i < pop.n; i++) if (this.routable(i, t)) this.ready[routable++] = i
    const adm = admit({ targets: routable, priority: 3, meshWide: true, automated: true, humanApproved: false }, this.mode)
    if (adm._tag !== "Admitted" || routable === 0) {
      tallies.cascadesRefused++
      return
    }
    const acks = new Float64Array(routable)
    const hop = (net: number) => Math.max(1, net * (1 + 0.2 * gaussian(r))) + 10
    let lastSector = -1, lastCluster = -1, os = 0, scHop = 0
    for (let j = 0; j < routable; j++) {
      const i = this.ready[j]!
      const cluster = Math.floor(i / this.apc)
      const sector = Math.floor(cluster / this.cps)
      if (sector !== lastSector) {
        lastSector = sector
        os = sectorUp(inj, sector, t) ? hop(50) : Number.POSITIVE_INFINITY
        if (os < Number.POSITIVE_INFINITY) m.cascadeDown++
      }
      if (cluster !== lastCluster) {
        lastCluster = cluster
        scHop = clusterUp(inj, pop.shape, cluster, t) ? hop(30) : Number.POSITIVE_INFINITY
        if (os + scHop < Number.POSITIVE_INFINITY) m.cascadeDown++
      }
      const arrive = t + os + scHop
      if (!(arrive < Number.POSITIVE_INFINITY)) {
        acks[j] = Number.POSITIVE_INFINITY
        continue
      }
      m.cascadeDown++
      const slow = isSlow(inj, cluster, t) ? slowCluster : healthy
      const reached = arrive + oneWaySample(pop, i, r, slow)
      if (!aliveAt(inj, pop.shape, i, cluster, reached)) {
        acks[j] = Number.POSITIVE_INFINITY
        continue
      }
      const proc = classOf(pop, i) === "CLASS_F_HUMAN" ? 10 : processingSample(pop, i, 0, r, slow)
      m.cascadeAcks++
      acks[j] = reached + proc + oneWaySample(pop, i, r, slow) + hop(30) + hop(50) - t
    }
    const p95 = quantileSorted(acks.sort(), 0.95)
    if (p95 <= cascadeTimeoutMs) tallies.cascades.push(p95)
    else {
      tallies.cascadesFailed++
      tallies.cascades.push(cascadeTimeoutMs)
    }
  }
}
