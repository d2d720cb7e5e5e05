/**
 * Failover of coordinator positions (src/Tree/Failover.ts) on both
 * transports: the in-process bus and a real nats-server (JetStream KV leases).
 *
 * Timing assertions here are functional deadlines of the protocol (the death
 * of a leader is detected, and a standby takes over, within `suspectAfter`
 * heartbeat intervals of the kill, plus 20 ms of event-loop scheduling
 * slack on both transports, documented with measured figures in
 * failover.helpers.ts), not performance benchmarks.
 */
import { afterEach, describe, expect, it } from "vitest"
import { encodeMessage } from "../../src/Tree/Messages.ts"
import { summaryOfValue } from "../../src/Tree/Summary.ts"
import { parent, subjects } from "../../src/Tree/Topology.ts"
import {
  failoverTreeFor,
  type Harness,
  type KvRequest,
  roundsUntilExact,
  schedulingSlackMs,
  sleep,
  startHarness,
  transportKinds,
  waitUntil,
} from "./failover.helpers.ts"

const heartbeatMs = 100
const suspectAfter = 3
const deadlineMs = suspectAfter * heartbeatMs + schedulingSlackMs

let harness: Harness | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

for (const kind of transportKinds) {
  describe(`failover on ${kind}`, () => {
    it("killing an active coordinator mid-run: a standby takes over within 3 heartbeats, the root is exact again, nothing counted twice", async () => {
      // Smaller on NATS (every replica is its own connection): 125 agents, levels [25, 5, 1].
      const shape = kind === "nats"
        ? { agents: 125, perLevel: [25, 5, 1], victims: [{ level: 2, index: 3 }, { level: 1, index: 13 }] }
        : { agents: 600, perLevel: [120, 24, 5, 1], victims: [{ level: 2, index: 7 }, { level: 1, index: 33 }] }
      harness = await startHarness(kind, { agents: shape.agents, branching: 5, seed: 7, failover: { heartbeatMs, suspectAfter, replicas: 3 } })
      const { tree } = harness
      expect(tree.topology.perLevel).toEqual(shape.perLevel)
      expect(await roundsUntilExact(tree, 3, 3000)).toBe(1)
      const measured: Array<{ position: string; detectionMs: number; takeoverMs: number }> = []
      const victims = kind === "nats" ? [...shape.victims, tree.root] : [...shape.victims, tree.root, { level: 3, index: 2 }]
      for (const victim of victims) {
        // kill mid-round, at some point between two heartbeats
        const r = tree.nextRound()
        await sleep(17 + measured.length * 23)
        const killed = await tree.kill(victim)
        expect(killed).toBeDefined()
        const exactMs = await tree.untilExact(r, 5000)
        expect(exactMs, `round ${r} exact after killing ${victim.level}.${victim.index}`).toBeDefined()
        await waitUntil(() => tree.takeover(victim, killed!.at) !== undefined, 5000, "the takeover")
        const takeover = tree.takeover(victim, killed!.at)
        const detectionMs = tree.detectionMs(victim, killed!.at)
        expect(takeover).toBeDefined()
        expect(detectionMs).toBeDefined()
        const trace = tree.events.filter((e) => e.at >= killed!.at - 150).map((e) => `${e.kind}@${(e.at - killed!.at).toFixed(0)}`).join(" ")
        expect(takeover!.ms, trace).toBeLessThanOrEqual(deadlineMs)
        expect(detectionMs!, trace).toBeLessThanOrEqual(deadlineMs)
        expect(takeover!.term).toBeGreaterThan(killed!.term)
        expect(tree.activeOf(victim)!.replica).not.toBe(killed!.replica.replica)
        measured.push({ position: `L${victim.level}.${victim.index}`, detectionMs: detectionMs!, takeoverMs: takeover!.ms })
        // a later round is exact too, and the killed replica comes back as a standby
        expect(await roundsUntilExact(tree, 3, 3000)).toBe(1)
        await killed!.replica.restart()
      }
      const v = tree.rootView()!
      expect(v.summary.count).toBe(shape.agents)
      expect(tree.overcounts).toBe(0)
      console.log(`[${kind}] detection/takeover ms: ${measured.map((m) => `${m.position} ${m.detectionMs.toFixed(0)}/${m.takeoverMs.toFixed(0)}`).join(", ")}`)
    })

    it("stale leader messages (an older term) are ignored; a stalled leader steps down when it resumes", async () => {
      harness = await startHarness(kind, { agents: failoverTreeFor(kind, 300), branching: 6, seed: 3, failover: { heartbeatMs, suspectAfter, replicas: 3 } })
      const { tree, raw } = harness
      expect(await roundsUntilExact(tree, 3, 3000)).toBe(1)
      const victim = { level: 1, index: 4 }
      const parentId = parent(tree.topology, victim)!
      // a stalled (not dead) leader: it stops renewing and publishing, a standby takes over
      const old = tree.activeOf(victim)!
      const oldTerm = old.term
      const t0 = performance.now()
      old.pause()
      await sleep(deadlineMs + 50)
      const takeover = tree.takeover(victim, t0)
      expect(takeover).toBeDefined()
      expect(takeover!.term).toBeGreaterThan(oldTerm)
      expect(takeover!.ms).toBeLessThanOrEqual(deadlineMs)
      expect(await roundsUntilExact(tree, 3, 3000)).toBe(1)
      // it resumes: its renewal fails (compare-and-set on a moved revision) or it hears the new term, so it steps down
      old.resume()
      await sleep(2 * heartbeatMs)
      expect(old.isActive).toBe(false)
      expect(tree.events.some((e) => e.kind === "stepdown" && e.position.level === 1 && e.position.index === 4 && e.term === oldTerm)).toBe(true)
      // messages in the old term (a replay, or a deposed leader still talking) change nothing
      const staleBefore = tree.replicasOf(parentId).reduce((n, r) => n + r.coordinator.counters.stale, 0)
      const forged = encodeMessage({ _tag: "Up", from: victim, epoch: 10_000, seq: 10_000, term: oldTerm, summary: summaryOfValue(123_456_789) })
      for (let i = 0; i < 5; i++) raw.publish(subjects(tree.topology, parentId).up, forged)
      raw.publish(subjects(tree.topology, victim).down, encodeMessage({ _tag: "Heartbeat", from: victim, term: oldTerm }))
      await raw.flush()
      await sleep(50)
      const staleAfter = tree.replicasOf(parentId).reduce((n, r) => n + r.coordinator.counters.stale, 0)
      expect(staleAfter - staleBefore).toBe(5 * tree.config.replicas)
      expect(await roundsUntilExact(tree, 2, 3000)).toBe(1)
      expect(tree.activeOf(victim)!.term).toBe(takeover!.term)
      expect(tree.overcounts).toBe(0)
    })

    it("a silent leader costs each standby one lease read and at most one claim; a resumed leader confirms its lease before publishing", async () => {
      const requests: Array<KvRequest> = []
      harness = await startHarness(
        kind,
        { agents: 25, branching: 5, seed: 5, failover: { heartbeatMs, suspectAfter, replicas: 3 } },
        { observeKv: (r) => requests.push(r) },
      )
      const { tree } = harness
      expect(await roundsUntilExact(tree, 3, 3000)).toBe(1)
      const victim = { level: 1, index: 2 }
      const old = tree.activeOf(victim)!
      const standbys = tree.replicasOf(victim).filter((r) => r !== old)
      const t0 = performance.now()
      old.pause()
      await waitUntil(() => tree.takeover(victim, t0) !== undefined, 5000, "the takeover")
      await sleep(2 * heartbeatMs)
      const takeover = tree.firstEvent(t0, (e) => e.kind === "takeover")!
      const winner = standbys.find((r) => r.replica === (takeover.kind === "takeover" ? takeover.replica : -1))!
      expect(winner).toBeDefined()
      const by = (r: { name: string }, ops: ReadonlyArray<KvRequest["op"]>, until = Number.POSITIVE_INFINITY) =>
        requests.filter((q) => q.client === r.name && q.at >= t0 && q.at <= until && ops.includes(q.op)).length
      // (before: a read every quarter interval from the moment the heartbeat was overdue until the claim)
      for (const r of standbys) expect(by(r, ["get"]), `reads by ${r.name}`).toBeLessThanOrEqual(1)
      expect(by(winner, ["update", "create"], takeover.at)).toBe(1) // its claim; renewals follow the takeover
      for (const r of standbys.filter((x) => x !== winner)) expect(by(r, ["update", "create"]), `claims by ${r.name}`).toBeLessThanOrEqual(1)
      // the old leader resumes: it publishes nothing in its old term (its renewal fails, or it heard the new term)
      const beatsBefore = old.coordinator.counters.published.Heartbeat
      const upsBefore = old.coordinator.counters.published.Up
      old.resume()
      await sleep(2 * heartbeatMs)
      expect(old.isActive).toBe(false)
      expect(old.coordinator.counters.published.Heartbeat).toBe(beatsBefore)
      expect(old.coordinator.counters.published.Up).toBe(upsBefore)
      expect(tree.activeOf(victim)).toBe(winner)
      expect(await roundsUntilExact(tree, 3, 3000)).toBe(1)
      expect(tree.overcounts).toBe(0)
    })
  })
}
