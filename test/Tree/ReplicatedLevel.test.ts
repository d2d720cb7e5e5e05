/**
 * The replicated tree is a configuration of the one round driver: one
 * replicated `Level` per tree level (src/Tree/ReplicatedLevel.ts), driven
 * like any other tree.
 */
import { afterEach, describe, expect, it } from "vitest"
import { makeInProcessServer } from "../../src/Net/InProcess.ts"
import { ReplicatedTree } from "../../src/Tree/Failover.ts"
import { driveRound } from "../../src/Tree/Round.ts"
import { foldValues, summaryEquals } from "../../src/Tree/Summary.ts"
import { childRange } from "../../src/Tree/Topology.ts"

let tree: ReplicatedTree | undefined
afterEach(async () => {
  await tree?.stop()
  tree = undefined
})

const start = async (agents: number, branching: number, seed: number): Promise<ReplicatedTree> => {
  const server = makeInProcessServer()
  tree = await ReplicatedTree.start({ agents, branching, seed, connect: (name) => server.connect(name), bus: "in-process", failover: { heartbeatMs: 100, replicas: 3 } })
  return tree
}

describe("replicated positions as levels of the round driver (in-process bus)", () => {
  it("one replicated level per tree level; driven and rates rounds are exact and count every replica's publishes", async () => {
    const t = await start(125, 5, 3) // 25 locals, 5 regionals, 1 root: 3 levels
    expect(t.topology.levels).toBe(3)
    expect(t.rounds.above.length).toBe(2)
    for (const clock of ["driven", "rates", "driven"] as const) {
      const r = await driveRound(t.rounds, 5_000, {}, clock)
      expect(r.exact, `${clock} round ${r.round}`).toBe(true)
      expect(summaryEquals(r.aggregate, t.agents.directFold())).toBe(true)
      // the active replicas of the 30 non-root positions sent at least one Up each during the round
      expect(r.published.Up).toBeGreaterThanOrEqual(30)
    }
  })

  it("a replicated local position is a LocalLevel run of one: its replicas fold exactly their agents", async () => {
    const t = await start(40, 4, 11) // 10 locals
    expect((await driveRound(t.rounds, 5_000, {}, "driven")).exact).toBe(true)
    for (let i = 0; i < 10; i++) {
      const id = { level: 1, index: i }
      const r = childRange(t.topology, id)
      for (const rep of t.replicasOf(id)) {
        rep.coordinator.tick() // a standby folds too; only the active one sends
        expect(rep.coordinator.id).toEqual(id)
        expect(summaryEquals(rep.coordinator.summary, foldValues(t.agents.values, r.lo, r.hi))).toBe(true)
      }
    }
  })

  it("publishes stay counted across a kill and restart (a fresh incarnation starts its counters at 0)", async () => {
    const t = await start(40, 4, 5)
    expect((await driveRound(t.rounds, 5_000, {}, "driven")).exact).toBe(true)
    const victim = { level: 2, index: 1 }
    const killed = await t.kill(victim)
    expect(killed).toBeDefined()
    const before = killed!.replica.published().Up
    expect(before).toBeGreaterThan(0)
    await killed!.replica.restart()
    expect(killed!.replica.coordinator.counters.published.Up).toBe(0)
    expect(killed!.replica.published().Up).toBe(before)
    let exact = false
    for (let i = 0; i < 5 && !exact; i++) exact = (await driveRound(t.rounds, 3_000, {}, "rates")).exact
    expect(exact).toBe(true)
  })
})
