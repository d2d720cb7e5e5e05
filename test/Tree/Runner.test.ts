import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { makeInProcessServer } from "../../src/Net/InProcess.ts"
import { coordinatorLevels, messageBound, messagesPerRound } from "../../src/Scale/Communication.ts"
import { quantile, runTree, type RoundStatus } from "../../src/Tree/Runner.ts"

const inProcess = () => {
  const server = makeInProcessServer()
  return (name: string) => server.connect(name)
}

describe("runTree on the in-process bus", () => {
  // @lean Hydrogen.Aggregate.Tree.aggregate_eq_fold_leaves
  it("random small trees (n ≤ 5000, k 2..20): the root's aggregate equals the direct fold every round", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 2, max: 20 }), fc.nat({ max: 2 ** 32 - 1 }), async (n, k, seed) => {
        const r = await runTree({ agents: n, branching: k, rounds: 3, seed, connect: inProcess() })
        expect(r.rounds).toHaveLength(3)
        for (const x of r.rounds) {
          expect(x.exact).toBe(true)
          expect(x.aggregate.count).toBe(n)
          expect(x.aggregate).toEqual(x.expected)
        }
        expect(r.allExact).toBe(true)
        expect(r.rejectedTotal).toBe(0)
        expect(r.internalErrors).toBe(0)
      }),
      { numRuns: 25 },
    )
  })

  // @lean Hydrogen.Scale.messagesPerRound_bound
  it("messages per round counted on a real run are the planned M and satisfy the proved bound", async () => {
    for (const [n, k] of [[5, 4], [1, 2], [1000, 10], [4999, 7], [20_000, 100], [3, 2]] as const) {
      const r = await runTree({ agents: n, branching: k, rounds: 2, connect: inProcess() })
      const M = messagesPerRound(n, k)
      const L = coordinatorLevels(n, k)
      for (const x of r.rounds) {
        // n agent reports (hosted in memory) + one Up per non-root coordinator
        expect(x.aggregationMessages).toBe(M)
        expect(x.published.Up).toBe(r.topology.total - 1)
        // one Down per coordinator that has coordinator children
        expect(x.published.Down).toBe(r.topology.total - r.topology.perLevel[0]!)
        // k·M + k + L ≤ n·k + M + k·L with the counted M
        const counted = BigInt(x.aggregationMessages)
        expect(BigInt(k) * counted + BigInt(k) + BigInt(L) <= BigInt(n) * BigInt(k) + counted + BigInt(k) * BigInt(L)).toBe(true)
      }
      expect(r.maxAggregationMessages).toBe(M)
      expect(r.bound.holds).toBe(true)
      expect(r.bound.lhs).toBe(messageBound(n, k).leanLhs)
      expect(r.bound.rhs).toBe(messageBound(n, k).leanRhs)
    }
  })

  it("reports status each round with latency quantiles and message rates", async () => {
    const seen: RoundStatus[] = []
    const r = await runTree({ agents: 10_000, branching: 10, rounds: 4, connect: inProcess(), onStatus: (s) => seen.push(s) })
    expect(seen.map((s) => s.round)).toEqual([1, 2, 3, 4])
    expect(seen.every((s) => s.allExact && s.rounds === 4 && s.agents === 10_000)).toBe(true)
    expect(seen[3]!.perLevel).toEqual([1000, 100, 10, 1])
    expect(r.latencyP50Ms).toBeGreaterThan(0)
    expect(r.latencyP95Ms).toBeGreaterThanOrEqual(r.latencyP50Ms)
    expect(r.messagesPerSecond).toBeGreaterThan(0)
    expect(r.agentsPerSecond).toBeGreaterThan(0)
    expect(quantile([5, 1, 3, 2, 4], 0.5)).toBe(3)
    expect(quantile([], 0.5)).toBe(0)
  })

  it("runs on coordinator clocks (rates) and on one shared client", async () => {
    const clocked = await runTree({ agents: 400, branching: 5, rounds: 2, connect: inProcess(), clock: "rates", rates: { local: 200, regional: 100, global: 50 } })
    expect(clocked.allExact).toBe(true)
    const shared = await runTree({ agents: 400, branching: 5, rounds: 2, transport: makeInProcessServer().connect("shared") })
    expect(shared.allExact).toBe(true)
  })

  it("one client per level (clients: \"level\"): as many clients as levels, and every round's aggregate equals the direct fold", async () => {
    for (const [n, k] of [[1, 2], [7, 7], [1000, 10], [4999, 7], [20_000, 100]] as const) {
      const server = makeInProcessServer()
      const names: string[] = []
      const r = await runTree({ agents: n, branching: k, rounds: 3, seed: n, clients: "level", connect: (name) => (names.push(name), server.connect(name)) })
      const L = coordinatorLevels(n, k)
      expect(names).toHaveLength(L)
      if (L > 1) expect(names.sort()).toEqual(Array.from({ length: L }, (_, i) => `level-${i + 1}`).sort())
      for (const x of r.rounds) {
        expect(x.exact).toBe(true)
        expect(x.aggregate).toEqual(x.expected)
        expect(x.aggregationMessages).toBe(messagesPerRound(n, k))
      }
    }
  })

  it("cutting one level's shared client off makes the round time out instead of reporting a wrong aggregate", async () => {
    const server = makeInProcessServer()
    server.partition((from) => from === "level-2")
    await expect(runTree({ agents: 100, branching: 5, rounds: 1, roundTimeoutMs: 200, clients: "level", connect: (n) => server.connect(n) })).rejects.toThrow(/timed out/)
  })

  it("a partitioned coordinator makes the round time out instead of reporting a wrong aggregate", async () => {
    const server = makeInProcessServer()
    server.partition((from) => from === "coordinator-1-3")
    await expect(runTree({ agents: 100, branching: 5, rounds: 1, roundTimeoutMs: 200, connect: (n) => server.connect(n) })).rejects.toThrow(/timed out/)
  })
})
