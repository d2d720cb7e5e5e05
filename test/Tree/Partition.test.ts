/**
 * Partitions of a subtree (src/Tree/Failover.ts) on both transports: an
 * in-process partition that isolates every replica of the subtree, and on
 * NATS closing every replica's connection (and reconnecting to heal). While
 * cut off, agents keep updating and local coordinators keep folding them;
 * after healing, the root converges to the exact aggregate of the current
 * agent values, with nothing counted twice.
 */
import { afterEach, describe, expect, it } from "vitest"
import { foldValues, summaryEquals } from "../../src/Tree/Summary.ts"
import { childRange } from "../../src/Tree/Topology.ts"
import { type Harness, roundsUntilExact, sleep, startHarness, transportKinds } from "./failover.helpers.ts"

const heartbeatMs = 100

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

for (const kind of transportKinds) {
  describe(`partition on ${kind}`, () => {
    it("a cut-off subtree keeps folding locally; after healing the aggregate converges to the exact value", async () => {
      harness = await startHarness(kind, { agents: 500, branching: 4, seed: 11, failover: { heartbeatMs, suspectAfter: 3, replicas: 3 } })
      const { tree } = harness
      expect(await roundsUntilExact(tree, 3, 3000)).toBe(1)
      const cut = { level: 2, index: 5 } // 4 local coordinators, 16 agents
      const tCut = performance.now()
      await harness.cut(cut)
      // rounds go on: the root cannot be exact for them (it lacks the cut subtree's new values)
      for (let i = 0; i < 3; i++) {
        const r = tree.nextRound()
        expect(await tree.untilExact(r, 4 * heartbeatMs)).toBeUndefined()
      }
      // the cut-off local coordinators keep folding their agents' current values
      await sleep(2 * heartbeatMs)
      const locals = tree.subtree(cut).filter((c) => c.level === 1)
      expect(locals.length).toBe(4)
      for (const c of locals) {
        const r = childRange(tree.topology, c)
        for (const rep of tree.replicasOf(c)) {
          expect(rep.isActive).toBe(false) // cut off: no leader (it could not renew)
          expect(rep.coordinator.summaryEpoch).toBe(tree.round)
          expect(summaryEquals(rep.coordinator.summary, foldValues(tree.agents.values, r.lo, r.hi))).toBe(true)
        }
      }
      // the parent noticed the silence of the cut child
      expect(tree.detectionMs(cut, tCut)).toBeDefined()
      const tHeal = performance.now()
      await harness.heal(cut)
      const rounds = await roundsUntilExact(tree, 10, 3000)
      expect(rounds).toBeDefined()
      const convergedMs = performance.now() - tHeal
      // leadership was re-taken with new terms after healing
      expect(tree.takeover(cut, tHeal)).toBeDefined()
      expect(tree.overcounts).toBe(0)
      expect(tree.rootView()!.summary.count).toBe(500)
      console.log(`[${kind}] partition: detected after ${tree.detectionMs(cut, tCut)!.toFixed(0)} ms; exact again ${convergedMs.toFixed(0)} ms after healing (${rounds} round(s))`)
    })
  })
}
