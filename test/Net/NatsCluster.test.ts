/** startNatsCluster and spreadAcross: routes carry messages between nodes; clients spread; stop kills every node. */
import { createConnection } from "node:net"
import { describe, expect, it } from "vitest"
import { connectNats } from "../../src/Net/Nats.ts"
import { spreadAcross, startNatsCluster } from "../../src/Net/NatsCluster.ts"
import { bytes, collect, sleep } from "./helpers.ts"

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = createConnection({ host: "127.0.0.1", port })
    s.once("connect", () => {
      s.destroy()
      resolve(true)
    })
    s.once("error", () => resolve(false))
  })

describe("startNatsCluster", () => {
  it("spreadAcross puts node i mod N first and keeps every node", () => {
    const urls = ["a", "b", "c"]
    expect(spreadAcross(urls, 0)).toEqual(["a", "b", "c"])
    expect(spreadAcross(urls, 1)).toEqual(["b", "c", "a"])
    expect(spreadAcross(urls, 5)).toEqual(["c", "a", "b"])
    expect(() => spreadAcross([], 0)).toThrow(RangeError)
  })

  it("fewer than 2 nodes is refused", async () => {
    await expect(startNatsCluster({ nodes: 1 })).rejects.toBeInstanceOf(RangeError)
  })

  it("3 nodes with JetStream: a message published on one node reaches subscribers on the others; a client of a killed node moves to another; stop ends every node", async () => {
    const c = await startNatsCluster({ nodes: 3, jetstream: true })
    const clients = await Promise.all([0, 1, 2].map((i) => connectNats({ servers: spreadAcross(c.urls, i), name: `n${i}`, noRandomize: true, reconnectTimeWaitMs: 50 })))
    try {
      expect(new Set(c.nodes.map((s) => s.port)).size).toBe(3)
      expect(clients.map((t) => t.connection.info?.port)).toEqual(c.nodes.map((s) => s.port))
      const got = [collect(clients[1]!, "x.>"), collect(clients[2]!, "x.>")]
      await Promise.all(clients.map((t) => t.flush()))
      await sleep(100) // interest crosses the routes
      clients[0]!.publish("x.1", bytes("from node 0"))
      for (const g of got) await g.waitFor(1)
      expect(got.map((g) => g.texts())).toEqual([["from node 0"], ["from node 0"]])
      // node 0 dies: its client reconnects to another node and is heard there
      await c.nodes[0]!.kill()
      await new Promise<void>((resolve) => {
        if (clients[0]!.reconnects > 0) return resolve()
        const off = clients[0]!.onReconnect(() => (off(), resolve()))
      })
      expect(clients[0]!.reconnects).toBe(1)
      expect([c.nodes[1]!.port, c.nodes[2]!.port]).toContain(clients[0]!.connection.info?.port)
      clients[0]!.publish("x.2", bytes("after the kill"))
      for (const g of got) await g.waitFor(2)
    } finally {
      await Promise.all(clients.map((t) => t.close()))
      await c.stop()
    }
    for (const s of c.nodes) expect(await accepts(s.port)).toBe(false)
  })
})
