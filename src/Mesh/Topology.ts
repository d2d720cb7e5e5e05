/**
 * Seed 002's mixed hierarchy (Part 2.1): orchestrator → sectors → clusters →
 * agents, default 100 × 10 × 30 = 30,000, for any sizes, and its message
 * rates (§8.2).
 *
 * On the coordinator tree (`src/Tree/Topology.ts`) cluster leads are level 1
 * (local coordinators, children = agents), sector coordinators level 2 and the
 * orchestrator level 3 (the root). That tree has ONE branching `k` for every
 * level, so it equals the mesh only when agents per cluster = clusters per
 * sector ≥ sectors (≥ 2); 30 / 10 / 100 needs per-level branching, which the tree
 * does not have yet. `treeBranching` gives the per-level branching the tree
 * would need; `uniformTreeMatches` says whether today's tree already is it.
 */
import { makeTopology } from "../Tree/Topology.ts"

export interface MeshShape {
  readonly sectors: number
  readonly clustersPerSector: number
  readonly agentsPerCluster: number
}

/** The seed's 100 × 10 × 30. */
export const seedShape: MeshShape = { sectors: 100, clustersPerSector: 10, agentsPerCluster: 30 }

export interface MeshCounts {
  readonly orchestrators: 1
  readonly sectors: number
  readonly clusters: number
  readonly agents: number
  /** Largest number of direct children of any node. */
  readonly maxFanOut: number
  /** Hops from the orchestrator to an agent. */
  readonly hops: 3
  /** Coordinators (orchestrator + sector coordinators + cluster leads). */
  readonly coordinators: number
}

const positive = (name: string, v: number): number => {
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`mesh: ${name} must be a positive integer, got ${v}`)
  return v
}

export const counts = (s: MeshShape): MeshCounts => {
  const sectors = positive("sectors", s.sectors)
  const clusters = sectors * positive("clustersPerSector", s.clustersPerSector)
  const agents = clusters * positive("agentsPerCluster", s.agentsPerCluster)
  if (!Number.isSafeInteger(agents)) throw new RangeError("mesh: agent count is not a safe integer")
  return {
    orchestrators: 1,
    sectors,
    clusters,
    agents,
    maxFanOut: Math.max(s.sectors, s.clustersPerSector, s.agentsPerCluster),
    hops: 3,
    coordinators: 1 + sectors + clusters,
  }
}

/** Per-level branching the tree would need: level 1 (cluster leads) first, root last. */
export const treeBranching = (s: MeshShape): readonly [number, number, number] =>
  [s.agentsPerCluster, s.clustersPerSector, s.sectors]

/** Coordinators per tree level under per-level branching: [clusters, sectors, 1]. */
export const treeLevels = (s: MeshShape): readonly [number, number, number] => {
  const c = counts(s)
  return [c.clusters, c.sectors, 1]
}

/** Whether today's uniform tree (`makeTopology(agents, k)`) has exactly the mesh's levels. */
export const uniformTreeMatches = (s: MeshShape): boolean => {
  const k = s.agentsPerCluster
  if (k < 2) return false
  const t = makeTopology(counts(s).agents, k)
  const want = treeLevels(s)
  return t.perLevel.length === 3 && t.perLevel.every((n, i) => n === want[i])
}

/** Where agent `i` (0-based, cluster-major) sits. */
export interface Placement {
  readonly sector: number
  readonly cluster: number
  /** Cluster index within its sector. */
  readonly clusterInSector: number
  /** Agent index within its cluster. */
  readonly slot: number
}

export const place = (s: MeshShape, agent: number): Placement => {
  const c = counts(s)
  if (!Number.isSafeInteger(agent) || agent < 0 || agent >= c.agents) {
    throw new RangeError(`mesh: agent must be in 0..${c.agents - 1}, got ${agent}`)
  }
  const cluster = Math.floor(agent / s.agentsPerCluster)
  return {
    sector: Math.floor(cluster / s.clustersPerSector),
    cluster,
    clusterInSector: cluster % s.clustersPerSector,
    slot: agent % s.agentsPerCluster,
  }
}

/** The §8.2 traffic assumptions; defaults are the seed's. */
export interface RateAssumptions {
  /** Heartbeat (and summary) period, seconds. Seed: 5. */
  readonly heartbeatPeriodS: number
  /** Messages per second within one cluster. Seed: 10. */
  readonly intraClusterPerS: number
  /** Messages per second between clusters, per sector. Seed: 1. */
  readonly interClusterPerSectorPerS: number
  /** Mesh-wide broadcasts per second. Seed: 0.1. */
  readonly broadcastsPerS: number
  /** Window a cascade's burst is spread over, seconds. Seed: 5. */
  readonly cascadeWindowS: number
  /** Design capacity, messages per second. Seed: 100,000. */
  readonly designCapacityPerS: number
}

export const seedAssumptions: RateAssumptions = {
  heartbeatPeriodS: 5,
  intraClusterPerS: 10,
  interClusterPerSectorPerS: 1,
  broadcastsPerS: 0.1,
  cascadeWindowS: 5,
  designCapacityPerS: 100_000,
}

export interface MessageRates {
  readonly agentHeartbeatsPerS: number
  readonly clusterSummariesPerS: number
  readonly sectorSummariesPerS: number
  readonly intraClusterPerS: number
  readonly interClusterPerS: number
  readonly broadcastsPerS: number
  /** Sum of the six above (the seed's "~16,000"). */
  readonly baselinePerS: number
  /** Cascade burst: one message, one ack, one status per agent (the seed's 90,000). */
  readonly cascadeBurstMessages: number
  /** Burst over the cascade window (the seed's 18,000/s). */
  readonly peakPerS: number
  /** Design capacity ÷ peak (the seed says "5× headroom"). */
  readonly headroomOverPeak: number
  /** Design capacity ÷ baseline. */
  readonly headroomOverBaseline: number
}

export const rates = (s: MeshShape, a: RateAssumptions = seedAssumptions): MessageRates => {
  const c = counts(s)
  // heartbeats: A / period; summaries: C / period and S / period
  const agentHeartbeatsPerS = c.agents / a.heartbeatPeriodS
  const clusterSummariesPerS = c.clusters / a.heartbeatPeriodS
  const sectorSummariesPerS = c.sectors / a.heartbeatPeriodS
  // operational: intra = rate × C, inter = rate × S, broadcasts as given
  const intraClusterPerS = a.intraClusterPerS * c.clusters
  const interClusterPerS = a.interClusterPerSectorPerS * c.sectors
  const baselinePerS = agentHeartbeatsPerS + clusterSummariesPerS + sectorSummariesPerS +
    intraClusterPerS + interClusterPerS + a.broadcastsPerS
  // peak: 3 × A (send + ack + status) over the window; the seed ignores the
  // S + C coordinator hops of a cascade, as this does.
  const cascadeBurstMessages = 3 * c.agents
  const peakPerS = cascadeBurstMessages / a.cascadeWindowS
  return {
    agentHeartbeatsPerS,
    clusterSummariesPerS,
    sectorSummariesPerS,
    intraClusterPerS,
    interClusterPerS,
    broadcastsPerS: a.broadcastsPerS,
    baselinePerS,
    cascadeBurstMessages,
    peakPerS,
    headroomOverPeak: a.designCapacityPerS / peakPerS,
    headroomOverBaseline: a.designCapacityPerS / baselinePerS,
  }
}

/** Lines for `hydrogen plan --mesh`. */
export const describe = (s: MeshShape, a: RateAssumptions = seedAssumptions): ReadonlyArray<string> => {
  const c = counts(s)
  const r = rates(s, a)
  const f = (x: number) => x.toLocaleString("en-US", { maximumFractionDigits: 2 })
  return [
    `mesh: 1 orchestrator → ${f(c.sectors)} sectors → ${f(c.clusters)} clusters → ${f(c.agents)} agents (${c.hops} hops, max fan-out ${c.maxFanOut})`,
    `tree levels (per-level branching ${treeBranching(s).join("/")}): ${treeLevels(s).join(", ")}; uniform tree matches: ${uniformTreeMatches(s) ? "yes" : "no"}`,
    `heartbeats/s: agents ${f(r.agentHeartbeatsPerS)}, cluster summaries ${f(r.clusterSummariesPerS)}, sector summaries ${f(r.sectorSummariesPerS)}`,
    `operational/s: intra-cluster ${f(r.intraClusterPerS)}, inter-cluster ${f(r.interClusterPerS)}, broadcasts ${f(r.broadcastsPerS)}`,
    `baseline ${f(r.baselinePerS)}/s; cascade burst ${f(r.cascadeBurstMessages)} msgs → peak ${f(r.peakPerS)}/s; headroom ${f(r.headroomOverPeak)}× over peak`,
  ]
}
