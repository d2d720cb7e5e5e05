/** In-process transport specifics: fault injection, queue-group fairness, TTL with a test clock, scheduling. */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { TransportError } from "../../src/Net/Errors.ts"
import { isolating, makeInProcessServer, makeInProcessTransport, SERVER_CLIENT } from "../../src/Net/InProcess.ts"
import { subjectMatches } from "../../src/Net/Subjects.ts"
import { bytes, collect, seededRng, text, waitUntil } from "./helpers.ts"

describe("in-process transport", () => {
  it("makeInProcessTransport: a single client on its own server", async () => {
    const t = makeInProcessTransport()
    expect(t.kind).toBe("in-process")
    expect(t.clientName).toBe("local")
    const r = collect(t, "a.b")
    t.publish("a.b", bytes("x"))
    await t.flush()
    expect(r.texts()).toEqual(["x"]) // in-process flush means delivered
    expect(makeInProcessTransport({ clientName: "p7" }).clientName).toBe("p7")
    await t.close()
  })

  it("partition(predicate on fromClient, subject) cuts exactly those paths; heal restores", async () => {
    const server = makeInProcessServer()
    const a = server.connect("a")
    const b = server.connect("b")
    const c = server.connect("c")
    const rb = collect(b, "s.>")
    const rc = collect(c, "s.>")
    server.partition((from, subject) => from === "a" && subject.startsWith("s.blocked"))
    a.publish("s.blocked.1", bytes("a-blocked"))
    a.publish("s.open", bytes("a-open"))
    c.publish("s.blocked.2", bytes("c-blocked"))
    await server.settle()
    expect(rb.texts()).toEqual(["a-open", "c-blocked"])
    expect(rc.texts()).toEqual(["a-open", "c-blocked"])
    expect(server.stats.dropped).toBe(2)
    server.heal()
    a.publish("s.blocked.3", bytes("healed"))
    await server.settle()
    expect(rb.texts()).toEqual(["a-open", "c-blocked", "healed"])
  })

  it("partition predicates also see the receiving client", async () => {
    const server = makeInProcessServer()
    const a = server.connect("a")
    const b = server.connect("b")
    const c = server.connect("c")
    const rb = collect(b, "x")
    const rc = collect(c, "x")
    server.partition((from, _s, to) => from === "a" && to === "b") // one-way cut a → b
    a.publish("x", bytes("1"))
    b.publish("x", bytes("2"))
    await server.settle()
    expect(rb.texts()).toEqual(["2"])
    expect(rc.texts()).toEqual(["1", "2"])
    void a
  })

  it("isolating(name) cuts a client off from the server: no sends, no receives, KV fails with 'partitioned'", async () => {
    const server = makeInProcessServer()
    const a = server.connect("a")
    const b = server.connect("b")
    const ra = collect(a, "x")
    const rb = collect(b, "x")
    const kva = await a.kv("bucket")
    const kvb = await b.kv("bucket")
    await kva.create("k", bytes("1"))
    a.partition(isolating("a")) // the transport's fault controls act on its server
    a.publish("x", bytes("from-a"))
    b.publish("x", bytes("from-b"))
    await server.settle()
    expect(ra.texts()).toEqual([])
    expect(rb.texts()).toEqual(["from-b"])
    const err = await kva.get("k").then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(TransportError)
    expect((err as TransportError).reason).toBe("partitioned")
    expect(text((await kvb.get("k"))!.value)).toBe("1")
    a.heal()
    a.publish("x", bytes("again"))
    await server.settle()
    expect(ra.texts()).toEqual(["again"])
    expect(await kva.get("k")).toBeDefined()
    expect(SERVER_CLIENT).toBe("$server")
  })

  it("drop(1) loses everything, drop(p, seeded rng) a reproducible share, drop(0) nothing", async () => {
    const server = makeInProcessServer()
    const a = server.connect("a")
    const r = collect(a, "d")
    server.drop(1)
    for (let i = 0; i < 100; i++) a.publish("d", bytes(String(i)))
    await server.settle()
    expect(r.got.length).toBe(0)

    const run = async (seed: number): Promise<Array<string>> => {
      const s = makeInProcessServer()
      const t = s.connect("t")
      const got = collect(t, "d")
      s.drop(0.3, seededRng(seed))
      for (let i = 0; i < 1000; i++) t.publish("d", bytes(String(i)))
      await s.settle()
      expect(s.stats.dropped + got.got.length).toBe(1000)
      return got.texts()
    }
    const first = await run(42)
    expect(first.length).toBeGreaterThan(600)
    expect(first.length).toBeLessThan(800)
    expect(await run(42)).toEqual(first) // reproducible
    // survivors keep their order
    const nums = first.map(Number)
    expect([...nums].sort((x, y) => x - y)).toEqual(nums)

    server.drop(0)
    a.publish("d", bytes("kept"))
    await server.settle()
    expect(r.texts()).toEqual(["kept"])
    expect(() => server.drop(1.5)).toThrow(TransportError)
    expect(() => server.drop(Number.NaN)).toThrow(TransportError)
  })

  it("queue groups are round-robin (fair) and skip members cut off by a partition", async () => {
    const server = makeInProcessServer()
    const pub = server.connect("pub")
    const ms = ["m1", "m2", "m3"].map((n) => server.connect(n))
    const rs = ms.map((m) => collect(m, "job", "q"))
    for (let i = 0; i < 30; i++) pub.publish("job", bytes(String(i)))
    await server.settle()
    expect(rs.map((r) => r.got.length)).toEqual([10, 10, 10])
    server.partition(isolating("m2"))
    for (let i = 0; i < 30; i++) pub.publish("job", bytes(String(i)))
    await server.settle()
    expect(rs[1]!.got.length).toBe(10)
    expect(rs[0]!.got.length + rs[2]!.got.length).toBe(50)
    server.partition(isolating("m1", "m2", "m3"))
    pub.publish("job", bytes("nobody"))
    await server.settle()
    expect(rs.reduce((n, r) => n + r.got.length, 0)).toBe(60)
  })

  it("same queue name on different subjects forms different groups (as in NATS)", async () => {
    const server = makeInProcessServer()
    const t = server.connect("t")
    const r1 = collect(t, "a.*", "q")
    const r2 = collect(t, "a.b", "q")
    t.publish("a.b", bytes("x"))
    await t.flush()
    expect([r1.got.length, r2.got.length]).toEqual([1, 1])
  })

  it("KV TTL is checked lazily against the injected clock; rewriting refreshes it", async () => {
    let now = 1_000
    const server = makeInProcessServer({ now: () => now })
    const t = server.connect("t")
    const kv = await t.kv("b", { ttlMs: 100 })
    const r1 = (await kv.create("k", bytes("1")))!
    now += 99
    expect((await kv.get("k"))?.revision).toBe(r1)
    const r2 = (await kv.update("k", bytes("2"), r1))!
    now += 99
    expect((await kv.get("k"))?.revision).toBe(r2) // refreshed by the update
    now += 1
    expect(await kv.get("k")).toBeUndefined()
    expect(await kv.update("k", bytes("3"), r2)).toBeUndefined()
    expect(await kv.create("k", bytes("4"))).toBeGreaterThan(r2)
    // the bucket's TTL is fixed by its first opener
    const kv2 = await server.connect("u").kv("b", { ttlMs: 1_000_000 })
    now += 100
    expect(await kv2.get("k")).toBeUndefined()
    // no TTL: never expires
    const forever = await t.kv("forever")
    await forever.create("k", bytes("1"))
    now += 1e12
    expect(await forever.get("k")).toBeDefined()
  })

  it("a throwing handler is reported and does not stop other deliveries", async () => {
    const errors: Array<string> = []
    const t = makeInProcessTransport({ onHandlerError: (_e, subject) => errors.push(subject) })
    t.subscribe("e", () => {
      throw new Error("boom")
    })
    const r = collect(t, "e")
    t.publish("e", bytes("1"))
    t.publish("e", bytes("2"))
    await t.flush()
    expect(errors).toEqual(["e", "e"])
    expect(r.texts()).toEqual(["1", "2"])
  })

  it("handlers may publish (request/reply ping-pong) and large bursts are delivered in order, in batches", async () => {
    const server = makeInProcessServer({ batchSize: 64 })
    const a = server.connect("a")
    const b = server.connect("b")
    let rounds = 0
    b.subscribe("ping", (d) => b.publish("pong", d))
    a.subscribe("pong", (d) => {
      rounds++
      if (rounds < 100) a.publish("ping", d)
    })
    a.publish("ping", bytes("x"))
    const r = collect(b, "burst")
    let timerFired = false
    let deliveredWhenTimerFired = -1
    setTimeout(() => {
      timerFired = true
      deliveredWhenTimerFired = r.got.length
    }, 0)
    for (let i = 0; i < 5_000; i++) a.publish("burst", bytes(String(i)))
    await server.settle() // covers what was queued at the call; the ping-pong goes on after it
    await waitUntil(() => rounds === 100)
    expect(r.texts()).toEqual(Array.from({ length: 5_000 }, (_, i) => String(i)))
    expect(timerFired).toBe(true) // the event loop was not starved by the burst
    expect(deliveredWhenTimerFired).toBeLessThan(5_000)
  })

  it("unsubscribed and closed clients' subscriptions are removed from the routing table", async () => {
    const server = makeInProcessServer()
    const a = server.connect("a")
    const subs = ["x.y.z", "x.*.z", "x.>", "x.y.*"].map((s) => a.subscribe(s, () => {}))
    a.publish("x.y.z", bytes("1"))
    await server.settle()
    expect(server.stats.delivered).toBe(4)
    await Promise.all(subs.slice(0, 2).map((s) => s.unsubscribe()))
    a.publish("x.y.z", bytes("2"))
    await server.settle()
    expect(server.stats.delivered).toBe(6)
    await a.close()
    const b = server.connect("b")
    b.publish("x.y.z", bytes("3"))
    await server.settle()
    expect(server.stats.delivered).toBe(6)
    expect(server.stats.published).toBe(3)
  })

  it("routing agrees with subjectMatches for random patterns and subjects (property)", async () => {
    const token = fc.constantFrom("a", "b", "c")
    const subjectArb = fc.array(token, { minLength: 1, maxLength: 4 }).map((ts) => ts.join("."))
    const patternArb = fc
      .tuple(fc.array(fc.constantFrom("a", "b", "*"), { minLength: 0, maxLength: 3 }), fc.constantFrom("a", "*", ">"))
      .map(([ts, last]) => [...ts, last].join("."))
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(patternArb, { maxLength: 8 }), fc.array(subjectArb, { maxLength: 6 }), async (patterns, subjects) => {
        const t = makeInProcessTransport()
        const got = new Map<string, Array<string>>()
        for (const p of patterns) t.subscribe(p, (_d, s) => got.set(p, [...(got.get(p) ?? []), s]))
        for (const s of subjects) t.publish(s, bytes(""))
        await t.flush()
        for (const p of patterns) expect(got.get(p) ?? []).toEqual(subjects.filter((s) => subjectMatches(p, s)))
        await t.close()
      }),
      { numRuns: 200 },
    )
  })
})
