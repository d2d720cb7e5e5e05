import { describe, expect, it } from "vitest"
import { parseMeshPlanArgs } from "../../src/Cli/MeshPlan.ts"
import { runMain } from "./run.ts"

// Expected figures are the seed's own (002 §2.1, §8.2: 100 sectors, 1,000
// clusters, 30,000 agents; one heartbeat per agent and one summary per
// cluster and sector every 5 s), or worked by hand for the small shape.

describe("hydrogen mesh plan", () => {
  it("defaults to the seed's 100 × 10 × 30 and prints its hierarchy and §8.2 rates", async () => {
    expect(parseMeshPlanArgs([])).toEqual({ ok: true, value: { sectors: 100, clusters: 10, agentsPerCluster: 30, json: false } })
    const r = await runMain(["mesh", "plan"])
    expect(r.code).toBe(0)
    expect(r.err).toBe("")
    expect(r.out).toContain("1 orchestrator → 100 sectors → 1,000 clusters → 30,000 agents (3 hops, max fan-out 100)")
    expect(r.out).toContain("per-level branching 30/10/100")
    expect(r.out).toContain("heartbeats/s: agents 6,000, cluster summaries 200, sector summaries 20")
    expect(r.out).toContain("cascade burst 90,000 msgs → peak 18,000/s")
  })

  it("--json on a small shape: 2 sectors × 3 clusters × 4 agents = 24 agents, 9 coordinators, 24/5 heartbeats per second", async () => {
    const r = await runMain(["mesh", "plan", "--sectors", "2", "--clusters", "3", "--agents-per-cluster", "4", "--json"])
    expect(r.code).toBe(0)
    const p = JSON.parse(r.out) as { counts: { agents: number; clusters: number; coordinators: number; maxFanOut: number }; treeBranching: number[]; treeLevels: number[]; rates: { agentHeartbeatsPerS: number; clusterSummariesPerS: number; sectorSummariesPerS: number } }
    expect(p.counts).toMatchObject({ agents: 24, clusters: 6, coordinators: 1 + 2 + 6, maxFanOut: 4 })
    expect(p.treeBranching).toEqual([4, 3, 2])
    expect(p.treeLevels).toEqual([6, 2, 1])
    expect(p.rates.agentHeartbeatsPerS).toBeCloseTo(24 / 5, 12)
    expect(p.rates.clusterSummariesPerS).toBeCloseTo(6 / 5, 12)
    expect(p.rates.sectorSummariesPerS).toBeCloseTo(2 / 5, 12)
  })

  it("bad input exits 2 naming the flag; an unknown mesh subcommand names sim and plan", async () => {
    for (const argv of [["--sectors", "0"], ["--clusters", "x"], ["--agents-per-cluster", "10001"]]) {
      const r = await runMain(["mesh", "plan", ...argv])
      expect(r.code).toBe(2)
      expect(r.err).toContain(argv[0]!)
    }
    const u = await runMain(["mesh", "bogus"])
    expect(u.code).toBe(2)
    expect(u.err).toContain("expected sim or plan")
  })
})
