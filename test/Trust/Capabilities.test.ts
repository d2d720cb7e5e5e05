/**
 * Capabilities (issue 13, Part 9.1): the table is decoded with a schema; the
 * local coordinator refuses, with a typed error and a count, a Lateral whose
 * action the sending agent lacks, and routes the others — on a real
 * nats-server started by the project, with every round exact.
 */
import * as Result from "effect/Result"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connectNats } from "../../src/Net/Nats.ts"
import { type NatsServerHandle, startNatsServer } from "../../src/Net/NatsServer.ts"
import { CoordinatorTree } from "../../src/Tree/CoordinatorTree.ts"
import type { Lateral } from "../../src/Tree/Messages.ts"
import { makeTopology } from "../../src/Tree/Topology.ts"
import { actionOf, CapabilityGate, decodeCapabilities, parseCapabilities } from "../../src/Trust/Capabilities.ts"
import { RateLimiter, TokenBucket } from "../../src/Trust/RateLimit.ts"
import { sleep, waitUntil } from "../Net/helpers.ts"

const one = new Uint8Array([1])
const lateral = (fromAgent: number, toAgent: number): Lateral => ({ _tag: "Lateral", from: { level: 0, index: fromAgent }, fromAgent, toAgent, payload: new Uint8Array([1]) })

describe("capability table decoding", () => {
  it("a good table decodes; grants replace the default", () => {
    const c = Result.getOrThrow(decodeCapabilities({ default: ["lateral.cluster"], agents: [{ agent: 5, actions: ["lateral.any"] }, { agent: 7, actions: [] }] }, "test"))
    expect(c.allows(0, "lateral.cluster")).toBe(true)
    expect(c.allows(0, "lateral.any")).toBe(false)
    expect(c.allows(5, "lateral.any")).toBe(true)
    expect(c.allows(5, "lateral.cluster")).toBe(false)
    expect(c.allows(7, "lateral.cluster")).toBe(false)
  })

  it("bad tables are typed errors naming the source and the field", () => {
    const unknownAction = decodeCapabilities({ default: [], agents: [{ agent: 1, actions: ["lateral.everywhere"] }] }, "caps.json")
    expect(Result.isFailure(unknownAction) && unknownAction.failure).toMatchObject({ _tag: "BadCapabilities", source: "caps.json", field: "agents.0.actions.0" })
    const negative = decodeCapabilities({ default: [], agents: [{ agent: -1, actions: [] }] }, "caps.json")
    expect(Result.isFailure(negative) && negative.failure).toMatchObject({ _tag: "BadCapabilities", field: "agents.0.agent" })
    const twice = decodeCapabilities({ default: [], agents: [{ agent: 2, actions: [] }, { agent: 2, actions: ["lateral.any"] }] }, "caps.json")
    expect(Result.isFailure(twice) && twice.failure).toMatchObject({ _tag: "BadCapabilities", field: "agents.1.agent" })
    const json = parseCapabilities("{ not json", "caps.json")
    expect(Result.isFailure(json) && json.failure).toMatchObject({ _tag: "BadCapabilities", field: "(json)" })
    const missing = decodeCapabilities({ agents: [] }, "kv/caps")
    expect(Result.isFailure(missing) && missing.failure).toMatchObject({ _tag: "BadCapabilities", source: "kv/caps", field: "default" })
  })

  it("the action is read from the message: same local cluster or beyond", () => {
    const t = makeTopology(1000, 10) // local i hosts agents 10i … 10i + 9
    expect(actionOf(t, lateral(3, 8))).toBe("lateral.cluster")
    expect(actionOf(t, lateral(3, 10))).toBe("lateral.any")
  })
})

describe("token bucket", () => {
  it("spends the burst, drops the excess, refills at its rate; high priority is never dropped", () => {
    const b = new TokenBucket(2, 3, 0)
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false])
    expect(b.take(499)).toBe(false) // 0.998 token
    expect(b.take(500)).toBe(true) // one token after 500 ms at 2/s
    expect(() => new TokenBucket(0, 1, 0)).toThrow(RangeError)
    let now = 0
    const l = new RateLimiter({ perSecond: 1, burst: 1, now: () => now })
    expect([l.admit("a", "low"), l.admit("a", "low"), l.admit("b", "low")]).toEqual([true, false, true])
    for (let i = 0; i < 10; i++) expect(l.admit("a", "high")).toBe(true)
    now = 1000
    expect(l.admit("a", "low")).toBe(true)
    expect(l.counters).toEqual({ admitted: 13, high: 10, dropped: 1 })
    expect(l.droppedBy.get("a")).toBe(1)
  })
})

let server: NatsServerHandle | undefined
beforeAll(async () => {
  server = await startNatsServer({ jetstream: false })
}, 30_000)
afterAll(async () => {
  await server?.stop()
})

describe("the local coordinator enforces capabilities over NATS", () => {
  it("routes granted Laterals, refuses the others (typed, counted), rounds exact", async () => {
    const caps = Result.getOrThrow(decodeCapabilities({ default: ["lateral.cluster"], agents: [{ agent: 5, actions: ["lateral.cluster", "lateral.any"] }, { agent: 7, actions: [] }] }, "test"))
    const topology = makeTopology(1000, 10)
    const gate = new CapabilityGate(topology, caps)
    const delivered: Array<[number, number]> = []
    const tree = await CoordinatorTree.start({
      agents: 1000,
      branching: 10,
      connect: (name) => connectNats({ servers: server!.url, name }),
      clients: "level",
      seed: 3,
      admitLateral: gate.admit,
      onLateral: (m) => delivered.push([m.fromAgent, m.toAgent]),
    })
    try {
      expect((await tree.round()).exact).toBe(true)
      tree.sendLateral(5, 95, one) // another cluster, granted
      tree.sendLateral(3, 95, one) // another cluster, the default lacks it
      tree.sendLateral(3, 8, one) // same cluster, default grant
      tree.sendLateral(7, 8, one) // same cluster, agent 7 holds nothing
      // 5 → 95 is checked at both ends (local 0 and local 9)
      await waitUntil(() => gate.counters.allowed + gate.counters.refused >= 5, 10_000, "every Lateral checked")
      await waitUntil(() => delivered.length >= 2, 10_000, "the granted Laterals delivered")
      await sleep(200) // nothing else may arrive
      expect(delivered.sort((a, b) => a[0] - b[0])).toEqual([[3, 8], [5, 95]])
      expect(gate.counters).toEqual({ allowed: 3, refused: 2, rateLimited: 0 })
      expect(gate.refusedBy).toEqual({ "lateral.cluster": 1, "lateral.any": 1 })
      expect(gate.recent.map((e) => [e._tag, e.agent, "action" in e ? e.action : "", e.receiver.index])).toEqual([
        ["NotPermitted", 3, "lateral.any", 0],
        ["NotPermitted", 7, "lateral.cluster", 0],
      ])
      const r = await tree.round()
      expect(r.exact).toBe(true)
      expect(r.aggregate).toEqual(r.expected)
    } finally {
      await tree.stop()
    }
  }, 60_000)
})
