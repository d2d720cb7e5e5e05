import { describe, expect, it } from "vitest"
import { counts, describe as describeMesh, place, rates, seedShape, treeBranching, treeLevels, uniformTreeMatches } from "../../src/Mesh/Topology.ts"

describe("Mesh topology (seed 002 Part 2.1)", () => {
  it("100 × 10 × 30 gives 100 sectors, 1,000 clusters, 30,000 agents, fan-out ≤ 100, 3 hops", () => {
    const c = counts(seedShape)
    expect(c).toEqual({ orchestrators: 1, sectors: 100, clusters: 1000, agents: 30000, maxFanOut: 100, hops: 3, coordinators: 1101 })
  })

  it("generalises to other sizes", () => {
    expect(counts({ sectors: 3, clustersPerSector: 4, agentsPerCluster: 5 })).toMatchObject({ clusters: 12, agents: 60, maxFanOut: 5 })
    expect(() => counts({ sectors: 0, clustersPerSector: 1, agentsPerCluster: 1 })).toThrow(/sectors/)
    expect(() => counts({ sectors: 2, clustersPerSector: 1.5, agentsPerCluster: 1 })).toThrow(/clustersPerSector/)
  })

  it("maps onto tree levels with per-level branching; the uniform tree only matches equal sizes", () => {
    expect(treeBranching(seedShape)).toEqual([30, 10, 100])
    expect(treeLevels(seedShape)).toEqual([1000, 100, 1])
    expect(uniformTreeMatches(seedShape)).toBe(false)
    expect(uniformTreeMatches({ sectors: 7, clustersPerSector: 7, agentsPerCluster: 7 })).toBe(true)
    // the root may have fewer than k children (5 sectors, k = 7) ...
    expect(uniformTreeMatches({ sectors: 5, clustersPerSector: 7, agentsPerCluster: 7 })).toBe(true)
    // ... but not more: 8 sectors under k = 7 need a fourth level
    expect(uniformTreeMatches({ sectors: 8, clustersPerSector: 7, agentsPerCluster: 7 })).toBe(false)
    expect(uniformTreeMatches({ sectors: 2, clustersPerSector: 3, agentsPerCluster: 7 })).toBe(false)
  })

  it("places agents cluster-major", () => {
    expect(place(seedShape, 0)).toEqual({ sector: 0, cluster: 0, clusterInSector: 0, slot: 0 })
    expect(place(seedShape, 29)).toEqual({ sector: 0, cluster: 0, clusterInSector: 0, slot: 29 })
    expect(place(seedShape, 30)).toEqual({ sector: 0, cluster: 1, clusterInSector: 1, slot: 0 })
    expect(place(seedShape, 300)).toEqual({ sector: 1, cluster: 10, clusterInSector: 0, slot: 0 })
    expect(place(seedShape, 29999)).toEqual({ sector: 99, cluster: 999, clusterInSector: 9, slot: 29 })
    expect(() => place(seedShape, 30000)).toThrow(RangeError)
  })
})

describe("Mesh message rates (seed 002 §8.2)", () => {
  it("seed sizes: hand-computed figures", () => {
    const r = rates(seedShape)
    // 30000/5, 1000/5, 100/5
    expect(r.agentHeartbeatsPerS).toBe(6000)
    expect(r.clusterSummariesPerS).toBe(200)
    expect(r.sectorSummariesPerS).toBe(20)
    // 10 × 1000, 1 × 100
    expect(r.intraClusterPerS).toBe(10000)
    expect(r.interClusterPerS).toBe(100)
    expect(r.broadcastsPerS).toBe(0.1)
    // 6000 + 200 + 20 + 10000 + 100 + 0.1: the seed's "~16,000"
    expect(r.baselinePerS).toBeCloseTo(16320.1, 9)
    // 3 × 30000 over 5 s
    expect(r.cascadeBurstMessages).toBe(90000)
    expect(r.peakPerS).toBe(18000)
    // 100000 / 18000: "5× headroom" holds (5.56×)
    expect(r.headroomOverPeak).toBeCloseTo(5.5556, 3)
    expect(r.headroomOverBaseline).toBeCloseTo(6.1274, 3)
  })

  it("scales with the shape", () => {
    const r = rates({ sectors: 2, clustersPerSector: 5, agentsPerCluster: 10 })
    expect(r.agentHeartbeatsPerS).toBe(20)
    expect(r.clusterSummariesPerS).toBe(2)
    expect(r.intraClusterPerS).toBe(100)
    expect(r.interClusterPerS).toBe(2)
    expect(r.peakPerS).toBe(60)
  })

  it("describe prints the figures", () => {
    const text = describeMesh(seedShape).join("\n")
    expect(text).toContain("30,000 agents")
    expect(text).toContain("baseline 16,320.1/s")
    expect(text).toContain("peak 18,000/s")
    expect(text).toContain("uniform tree matches: no")
  })
})
