/**
 * The tree on a 3-node nats-server cluster on loopback (routes between the
 * nodes, the tree's clients spread across them): exact, and still exact after
 * one node is SIGKILLed mid-run (its clients reconnect to the others).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connectNats } from "../../src/Net/Nats.ts"
import { type NatsClusterHandle, spreadAcross, startNatsCluster } from "../../src/Net/NatsCluster.ts"
import { messagesPerRound } from "../../src/Scale/Communication.ts"
import { runTree } from "../../src/Tree/Runner.ts"

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
      expect(r.internalErrors).toBe(0)
    } finally {
      await chaos?.catch(() => undefined)
    }
  })
})
