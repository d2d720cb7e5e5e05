/**
 * Virtual stigmergy: the decay law as properties, the embedded store on an
 * injected clock, and the JetStream KV store on a real nats-server started by
 * the project (one client writes, another reads; expired signals are gone).
 */
import { Effect } from "effect"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connectNats } from "../../src/Net/Nats.ts"
import { type NatsServerHandle, startNatsServer } from "../../src/Net/NatsServer.ts"
import { decayed, indexKey, kvSignalStore, memoryKv, memorySignalStore, signalKey } from "../../src/Research/Stigmergy.ts"
import { bytes, waitUntil } from "../Net/helpers.ts"

const run = Effect.runPromise
const fail = <A, E>(e: Effect.Effect<A, E>) => run(Effect.flip(e))

const strength = fc.double({ min: 0, max: 1, noNaN: true })
const ttl = fc.integer({ min: 1, max: 1_000_000 })
const age = fc.integer({ min: -1_000_000, max: 2_000_000 })

describe("stigmergy decay law", () => {
  it("strength is non-increasing in age", () => {
    fc.assert(fc.property(strength, ttl, age, age, (s, t, a, b) => {
      const [young, old] = a <= b ? [a, b] : [b, a]
      expect(decayed(s, old, t)).toBeLessThanOrEqual(decayed(s, young, t))
    }))
  })

  it("strength is zero from the TTL on, and never above the deposited strength", () => {
    fc.assert(fc.property(strength, ttl, fc.nat({ max: 1_000_000 }), (s, t, extra) => {
      expect(decayed(s, t + extra, t)).toBe(0)
    }))
    fc.assert(fc.property(strength, ttl, age, (s, t, a) => {
      const d = decayed(s, a, t)
      expect(d).toBeGreaterThanOrEqual(0)
      expect(d).toBeLessThanOrEqual(s)
    }))
  })

  it("linear between the deposit and the TTL: a quarter of the way, three quarters left", () => {
    expect(decayed(0.8, 0, 1000)).toBe(0.8)
    expect(decayed(0.8, 250, 1000)).toBeCloseTo(0.6, 12)
    expect(decayed(0.8, 999, 1000)).toBeCloseTo(0.0008, 12)
    // A writer's clock ahead of the reader's: no boost.
    expect(decayed(0.8, -500, 1000)).toBe(0.8)
  })
})

describe("embedded signal store (injected clock)", () => {
  it("senses live signals strongest first, decayed by age; expired ones are invisible", async () => {
    let now = 10_000
    const store = memorySignalStore(1000, () => now)
    await run(store.deposit("r1", "quorum", 0.8))
    now += 500
    await run(store.deposit("r2", "quorum", 0.5))
    await run(store.deposit("r3", "other", 1))
    now += 250 // r1 is 750 ms old, r2 250 ms
    const seen = await run(store.sense("quorum"))
    expect(seen.map((s) => s.researcher)).toEqual(["r2", "r1"])
    expect(seen[0]!.current).toBeCloseTo(0.375, 12) // 0.5 · 750/1000
    expect(seen[1]!.current).toBeCloseTo(0.2, 12) // 0.8 · 250/1000
    now += 250 // r1 exactly at its TTL
    expect((await run(store.sense("quorum"))).map((s) => s.researcher)).toEqual(["r2"])
    now += 500
    expect(await run(store.sense("quorum"))).toEqual([])
    expect(await run(store.sense("never-written"))).toEqual([])
  })

  it("a refreshed signal starts its decay again", async () => {
    let now = 0
    const store = memorySignalStore(1000, () => now)
    await run(store.deposit("r1", "t", 1))
    now = 900
    await run(store.deposit("r1", "t", 1))
    now = 1400
    const seen = await run(store.sense("t"))
    expect(seen).toHaveLength(1)
    expect(seen[0]!.current).toBeCloseTo(0.5, 12)
  })

  it("bad deposits and bad records are typed errors naming the field", async () => {
    let now = 0
    const kv = memoryKv(1000, () => now)
    const store = kvSignalStore(kv, 1000, () => now)
    const tooStrong = await fail(store.deposit("r1", "t", 1.5))
    expect(tooStrong._tag).toBe("BadSignal")
    expect(tooStrong).toMatchObject({ field: "strength" })
    expect(await fail(store.deposit("r.1", "t", 0.5))).toMatchObject({ _tag: "BadSignal", field: "researcher" })

    await run(store.deposit("r1", "t", 0.5))
    const cur = (await kv.get(signalKey("t", "r1")))!
    await kv.update(signalKey("t", "r1"), bytes(JSON.stringify({ researcher: "r1", topic: "t", strength: "high", created: 0 })), cur.revision)
    expect(await fail(store.sense("t"))).toMatchObject({ _tag: "BadSignal", key: "sig.t.r1", field: "strength" })

    const cur2 = (await kv.get(signalKey("t", "r1")))!
    await kv.update(signalKey("t", "r1"), bytes(JSON.stringify({ researcher: "r1", topic: "elsewhere", strength: 0.5, created: 0 })), cur2.revision)
    expect(await fail(store.sense("t"))).toMatchObject({ _tag: "BadSignal", field: "topic" })

    await kv.create(indexKey("junk"), bytes("{not json"))
    expect(await fail(store.sense("junk"))).toMatchObject({ _tag: "BadSignal", key: "idx.junk", field: "(json)" })
  })
})

describe("JetStream KV signal store on a real nats-server", () => {
  let server: NatsServerHandle | undefined
  beforeAll(async () => {
    server = await startNatsServer({ jetstream: true })
  }, 30_000)
  afterAll(async () => {
    await server?.stop()
  })

  it("signals written by one client are read by another; expired ones are gone from the KV and from sense", async () => {
    const a = await connectNats({ servers: server!.url, name: "stig-writer" })
    const b = await connectNats({ servers: server!.url, name: "stig-reader" })
    try {
      const ttlMs = 1500
      const writer = kvSignalStore(await a.kv("stigmergy_test", { ttlMs }), ttlMs)
      const reader = kvSignalStore(await b.kv("stigmergy_test", { ttlMs }), ttlMs)
      await run(writer.deposit("alice", "quorum", 0.9))
      await run(writer.deposit("bob", "quorum", 0.4))
      const seen = await run(reader.sense("quorum"))
      expect(seen.map((s) => [s.researcher, s.strength])).toEqual([["alice", 0.9], ["bob", 0.4]])
      for (const s of seen) expect(s.current).toBeLessThanOrEqual(s.strength)

      // A record put on the bus by someone else is decoded, not trusted.
      const raw = await b.kv("stigmergy_test", { ttlMs })
      await raw.create(signalKey("junk", "mallory"), bytes(JSON.stringify({ researcher: "mallory", topic: "junk", strength: -1, created: 0 })))
      await raw.create(indexKey("junk"), bytes(JSON.stringify(["mallory"])))
      expect(await fail(reader.sense("junk"))).toMatchObject({ _tag: "BadSignal", field: "strength" })

      await waitUntil(async () => (await run(reader.sense("quorum"))).length === 0, 10_000, "signals to decay")
      // The server drops the entries too (bucket max age), not just the reader's decay.
      await waitUntil(async () => (await raw.get(signalKey("quorum", "alice"))) === undefined, 10_000, "the server to expire the entry")
      expect(await raw.get(signalKey("quorum", "bob"))).toBeUndefined()
    } finally {
      await a.close()
      await b.close()
    }
  }, 30_000)
})
