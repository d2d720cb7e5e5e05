/**
 * The tree on a 3-node nats-server cluster on loopback (routes between the
 * nodes, the tree's clients spread across them): exact, and still exact after
 * one node is SIGKILLed mid-run (its clients reconnect to the others).
 */
import { jetstreamManager } from "@nats-io/jetstream"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connectNats, type NatsTransport } from "../../src/Net/Nats.ts"
import { type NatsClusterHandle, spreadAcross, startNatsCluster } from "../../src/Net/NatsCluster.ts"
import { messagesPerRound } from "../../src/Scale/Communication.ts"
import { leaseBucket, ReplicatedTree } from "../../src/Tree/Failover.ts"
import { runTreeMultiProcess } from "../../src/Tree/Process.ts"
import { runTree } from "../../src/Tree/Runner.ts"
import { makeTopology } from "../../src/Tree/Topology.ts"

describe("the tree on a 3-node nats-server cluster", () => {
  let cluster: NatsClusterHandle | undefined
  beforeAll(async () => {
    cluster = await startNatsCluster({ nodes: 3 })
  }, 60_000)
  afterAll(async () => {
    await cluster?.stop()
  })

  it("clients spread over the nodes: every round exact, the planned message count, each node serves clients", async () => {
    const c = cluster!
    let n = 0
    const nodeOf = new Map<string, number>()
    const r = await runTree({
      agents: 3000,
      branching: 10,
      rounds: 3,
      connect: async (name) => {
        const t = await connectNats({ servers: spreadAcross(c.urls, n++), name, noRandomize: true })
        const port = t.connection.info?.port
        nodeOf.set(name, c.nodes.findIndex((s) => s.port === port))
        return t
      },
    })
    expect(r.allExact).toBe(true)
    expect(r.maxAggregationMessages).toBe(messagesPerRound(3000, 10))
    expect(r.rejectedTotal).toBe(0)
    expect(r.reconnects).toBe(0)
    const perNode = [0, 1, 2].map((i) => [...nodeOf.values()].filter((x) => x === i).length)
    for (const k of perNode) expect(k).toBeGreaterThan(100) // 338 clients over 3 nodes
  })

  it("one node SIGKILLed after round 3: its clients reconnect to the other nodes and every round stays exact", async () => {
    const c = cluster!
    let n = 0
    let chaos: Promise<void> | undefined
    try {
      const r = await runTree({
        agents: 3000,
        branching: 10,
        rounds: 8,
        roundTimeoutMs: 30_000,
        connect: (name) => connectNats({ servers: spreadAcross(c.urls, n++), name, noRandomize: true }),
        onStatus: (s) => {
          if (s.round === 3) chaos = c.nodes[1]!.kill()
        },
      })
      await chaos
      expect(c.nodes[1]!.running).toBe(false)
      expect(r.rounds.length).toBe(8)
      for (const round of r.rounds) {
        expect(round.exact).toBe(true)
        expect(round.aggregate).toEqual(round.expected)
      }
      // about a third of the 338 clients were on the killed node
      expect(r.reconnects).toBeGreaterThan(100)
      expect(r.rejectedTotal).toBe(0)
      expect(r.versionRejected).toBe(0)
      expect(r.internalErrors).toBe(0)
    } finally {
      await chaos?.catch(() => undefined)
    }
  })
})

describe("the multi-process tree on a 3-node nats-server cluster", () => {
  it("processes spread over the nodes; the node of the level-2 process SIGKILLed after round 3: it says ready again, the round is repeated, every round exact", async () => {
    const c = await startNatsCluster({ nodes: 3 })
    let chaos: Promise<void> | undefined
    try {
      // the parent dials node 0 first, coordinator process i node i + 1 (mod 3): node 1 serves the level-2 process
      const r = await runTreeMultiProcess({
        agents: 3000,
        branching: 10,
        rounds: 8,
        servers: c.urls,
        prefix: "cluster",
        roundTimeoutMs: 30_000,
        onRound: (x) => {
          if (x.round === 3) chaos = c.nodes[1]!.kill()
        },
      })
      await chaos
      expect(r.processes[0]!.name).toBe("levels-2")
      expect(r.rounds.map((x) => x.round)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
      for (const round of r.rounds) {
        expect(round.exact).toBe(true)
        expect(round.aggregate).toEqual(round.expected)
      }
      expect(r.reconnects).toBeGreaterThanOrEqual(1)
      expect(r.resends).toBeGreaterThanOrEqual(1)
      expect(r.rejectedTotal).toBe(0)
      expect(r.versionRejected).toBe(0)
      expect(r.controlRejected).toBe(0)
    } finally {
      await chaos?.catch(() => undefined)
      await c.stop()
    }
  })
})

describe("the replicated tree (chaos mode) on a 3-node JetStream cluster", () => {
  it("leases in a bucket with 3 copies: exact; the node leading the leases stream SIGKILLed: 3 exact rounds in a row within 15 rounds of the kill", async () => {
    const c = await startNatsCluster({ nodes: 3, jetstream: true })
    const clients: Array<NatsTransport> = []
    let tree: ReplicatedTree | undefined
    let n = 0
    try {
      // The leases bucket (3 copies) is created once, through one client per node, before the 93 replicas open it:
      // they then bind to it without a request instead of all racing to create it by a cluster-wide vote.
      for (const url of c.urls) {
        const t = await connectNats({ servers: url, name: "leases-setup", kvReplicas: 3, timeoutMs: 20_000 })
        clients.push(t)
        await t.kv(leaseBucket(makeTopology(125, 5)), { ttlMs: 100 * 10 }) // the tree's max age: 10 heartbeats
      }
      tree = await ReplicatedTree.start({
        agents: 125,
        branching: 5,
        seed: 7,
        startTimeoutMs: 30_000,
        failover: { heartbeatMs: 100, suspectAfter: 3, replicas: 3, leaseMaxAgeIntervals: 10 },
        connect: async (name) => {
          const t = await connectNats({ servers: spreadAcross(c.urls, n++), name, noRandomize: true, kvReplicas: 3 })
          clients.push(t)
          return t
        },
      })
      for (let i = 0; i < 2; i++) expect(await tree.untilExact(tree.nextRound(), 5_000)).toBeDefined()
      const info = await (await jetstreamManager(clients[0]!.connection)).streams.info("KV_h-leases")
      expect(info.config.num_replicas).toBe(3)
      const leader = c.nodes.findIndex((s) => s.serverName === info.cluster?.leader)
      expect(leader).toBeGreaterThanOrEqual(0)
      await c.nodes[leader]!.kill()
      // the stream elects a new leader, the leases move on, positions whose leader was cut off are taken over
      const exact: Array<boolean> = []
      const settled = (): boolean => exact.length >= 3 && exact.slice(-3).every((x) => x)
      while (exact.length < 15 && !settled()) exact.push((await tree.untilExact(tree.nextRound(), 5_000)) !== undefined)
      expect(settled(), `exact per round after the kill: ${exact.join(" ")}`).toBe(true)
      // the killed node's clients (about a third of 93) moved to the others
      expect(clients.reduce((k, t) => k + t.reconnects, 0)).toBeGreaterThan(20)
    } finally {
      await tree?.stop()
      await Promise.all(clients.map((t) => t.close()))
      await c.stop()
    }
  }, 120_000)
})
