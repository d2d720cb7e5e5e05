// Version inflation in the replicated tree (issue 15): a term or epoch at
// 2^32 − 1 (in an Up, a Heartbeat, or a Down) used to freeze a child's slot at
// every replica of its parent, depose a live leader, or freeze a subtree's
// policy. Terms are now bounded by the lease bucket's revision and epochs by
// the tree's round; the rest is rejected and counted. Both transports.
import { afterEach, describe, expect, it } from "vitest"
import { encodeMessage } from "../../src/Tree/Messages.ts"
import { summaryOfValue } from "../../src/Tree/Summary.ts"
import { subjects } from "../../src/Tree/Topology.ts"
import { type Harness, roundsUntilExact, sleep, startHarness, transportKinds } from "./failover.helpers.ts"

const max = 2 ** 32 - 1

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

for (const kind of transportKinds) {
  describe(`version inflation on ${kind}`, () => {
    it("forged terms and epochs at 2^32 − 1 mid-run are rejected and counted; no slot freezes, no forged term is adopted, rounds stay exact", async () => {
      harness = await startHarness(kind, { agents: 25, branching: 5, seed: 9, failover: { heartbeatMs: 100, suspectAfter: 3, replicas: 3 } }) // 5 locals, 1 root
      const { tree, raw } = harness
      expect(await roundsUntilExact(tree, 3, 3000)).toBe(1)
      const t = tree.topology
      const victim = { level: 1, index: 2 }
      const root = tree.root
      const leader = tree.activeOf(victim)!
      const leaderTerm = leader.term
      const versionRejected = () => tree.replicas.flat().reduce((n, r) => n + r.coordinator.counters.versionRejected, 0)
      const before = versionRejected()
      const t0 = performance.now()
      const up = (epoch: number, term: number) => encodeMessage({ _tag: "Up", from: victim, epoch, seq: 1, term, summary: summaryOfValue(123_456_789) })
      raw.publish(subjects(t, root).up, up(tree.round, max)) // a term no lease has reached: 3 root replicas
      raw.publish(subjects(t, root).up, up(max, leaderTerm)) // the leader's own term, an epoch past the round: 3
      raw.publish(subjects(t, root).up, encodeMessage({ _tag: "Heartbeat", from: victim, term: max })) // 3
      raw.publish(subjects(t, victim).down, encodeMessage({ _tag: "Heartbeat", from: victim, term: max })) // to its own replicas: 3
      // a Down past the round from the root: 5 positions × 3 replicas below, and the root's 2 standbys
      raw.publish(subjects(t, root).down, encodeMessage({ _tag: "Down", from: root, epoch: max, policy: new Uint8Array(0), triggers: [] }))
      await raw.flush()
      await sleep(150)
      expect(versionRejected() - before).toBe(3 + 3 + 3 + 3 + (5 * 3 + 2))
      // nothing froze: later rounds are exact and no double counting
      expect(await roundsUntilExact(tree, 3, 3000)).toBe(1)
      expect(await roundsUntilExact(tree, 3, 3000)).toBe(1)
      // no forged term was adopted anywhere (a takeover under load is fine; one to a forged term is not)
      for (const e of tree.events) if (e.at >= t0 && "term" in e) expect(e.term).toBeLessThan(2 ** 20)
      for (const r of tree.replicas.flat()) {
        const c = r.coordinator
        expect(Math.max(c.peerTerm, c.parentTerm, ...c.heartbeats)).toBeLessThan(2 ** 20)
      }
      expect(tree.overcounts).toBe(0)
      // every local position holds the active root's Down of this round, from its parent
      const prov = tree.provenance()!
      expect(prov.faithful).toBe(true)
      expect(prov.runs).toEqual([{ epoch: tree.round, policy: prov.root.policy, from: "L2.0", parents: 1, locals: 5, agents: 25, matchesRoot: true }])
      for (const r of tree.replicas.flat()) expect(r.coordinator.epoch).toBeLessThanOrEqual(tree.round)
    })
  })
}
