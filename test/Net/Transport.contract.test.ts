/**
 * One contract suite for every Transport implementation: the in-process bus
 * and NATS (a real nats-server on a free loopback port, started in beforeAll
 * and stopped in afterAll). Each test uses its own subject prefix and KV
 * bucket, so tests never see each other's traffic.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { TransportError } from "../../src/Net/Errors.ts"
import { makeInProcessServer } from "../../src/Net/InProcess.ts"
import { connectNats } from "../../src/Net/Nats.ts"
import { type NatsServerHandle, startNatsServer } from "../../src/Net/NatsServer.ts"
import type { Transport } from "../../src/Net/Transport.ts"
import { bytes, collect, text, waitUntil } from "./helpers.ts"

interface Env {
  connect(client: string): Promise<Transport>
}

interface Factory {
  readonly name: "in-process" | "nats"
  start(): Promise<Env>
  stop(): Promise<void>
}

const inProcessFactory = (): Factory => ({
  name: "in-process",
  start: async () => {
    const server = makeInProcessServer()
    return { connect: async (client) => server.connect(client) }
  },
  stop: async () => {},
})

const natsFactory = (): Factory => {
  let server: NatsServerHandle | undefined
  return {
    name: "nats",
    start: async () => {
      server = await startNatsServer({ jetstream: true })
      const url = server.url
      return { connect: (client) => connectNats({ servers: url, name: client }) }
    },
    stop: async () => {
      await server?.stop()
      server = undefined
    },
  }
}

let uniq = 0
const fresh = (): string => `t${process.pid}x${++uniq}`

describe.each([inProcessFactory(), natsFactory()])("Transport contract: $name", (factory) => {
  let env: Env
  const open: Array<Transport> = []
  const connect = async (client: string): Promise<Transport> => {
    const t = await env.connect(client)
    open.push(t)
    return t
  }

  /** Resolves once `receivers` have seen everything `pub` published before the call (per-connection FIFO). */
  const barrier = async (pub: Transport, receivers: ReadonlyArray<Transport>): Promise<void> => {
    const subject = `${fresh()}.barrier`
    let seen = 0
    const subs = receivers.map((r) => r.subscribe(subject, () => seen++))
    await Promise.all(receivers.map((r) => r.flush()))
    pub.publish(subject, bytes("barrier"))
    await pub.flush()
    await waitUntil(() => seen >= receivers.length, 5_000, "barrier")
    await Promise.all(subs.map((s) => s.unsubscribe()))
  }

  beforeAll(async () => {
    env = await factory.start()
  }, 30_000)
  afterAll(async () => {
    await factory.stop()
  })
  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close()))
  })

  describe("contract", () => {
    it("reports its kind", async () => {
      const t = await connect("a")
      expect(t.kind).toBe(factory.name)
    })

    it("publish/subscribe across clients; delivery is asynchronous", async () => {
      const p = fresh()
      const a = await connect("a")
      const b = await connect("b")
      const rb = collect(b, `${p}.x`)
      const ra = collect(a, `${p}.x`)
      await b.flush()
      await a.flush()
      a.publish(`${p}.x`, bytes("hello"))
      expect(ra.got).toEqual([]) // never delivered inside publish
      await rb.waitFor(1)
      await ra.waitFor(1)
      expect(rb.got).toEqual([{ subject: `${p}.x`, text: "hello" }])
      expect(ra.got).toEqual([{ subject: `${p}.x`, text: "hello" }])
    })

    it("the payload is copied: mutating the published buffer does not change what arrives", async () => {
      const p = fresh()
      const a = await connect("a")
      const r = collect(a, `${p}.x`)
      await a.flush()
      const buf = bytes("abc")
      a.publish(`${p}.x`, buf)
      buf[0] = 120
      await r.waitFor(1)
      expect(r.texts()).toEqual(["abc"])
    })

    it("wildcards: * matches one token, > one or more trailing tokens", async () => {
      const p = fresh()
      const pub = await connect("pub")
      const sub = await connect("sub")
      const star = collect(sub, `${p}.*.x`)
      const rest = collect(sub, `${p}.>`)
      const exact = collect(sub, `${p}.a`)
      const mid = collect(sub, `${p}.*.*`)
      const tail = collect(sub, `${p}.a.>`)
      await sub.flush()
      for (const s of ["a", "a.x", "b.x", "a.b.c", "b.y"]) pub.publish(`${p}.${s}`, bytes(s))
      await barrier(pub, [sub])
      expect(star.texts()).toEqual(["a.x", "b.x"])
      expect(rest.texts()).toEqual(["a", "a.x", "b.x", "a.b.c", "b.y"])
      expect(exact.texts()).toEqual(["a"])
      expect(mid.texts()).toEqual(["a.x", "b.x", "b.y"])
      expect(tail.texts()).toEqual(["a.x", "a.b.c"])
      expect(rest.got.map((r) => r.subject)).toEqual(["a", "a.x", "b.x", "a.b.c", "b.y"].map((s) => `${p}.${s}`))
    })

    it("rejects invalid subjects with TransportError(bad-subject)", async () => {
      const t = await connect("a")
      const p = fresh()
      for (const bad of ["", `${p}..x`, `${p}.*`, `${p}.>`, "a b"]) {
        expect(() => t.publish(bad, bytes("x")), bad).toThrow(TransportError)
      }
      for (const bad of ["", `${p}..x`, `${p}.>.x`, `${p}.a*`, "a b"]) {
        expect(() => t.subscribe(bad, () => {}), bad).toThrow(TransportError)
      }
      try {
        t.publish(`${p}.*`, bytes("x"))
      } catch (e) {
        expect((e as TransportError).reason).toBe("bad-subject")
      }
    })

    it("queue groups: each message goes to exactly one member; plain subscribers still get all", async () => {
      const p = fresh()
      const pub = await connect("pub")
      const members = await Promise.all([connect("m1"), connect("m2"), connect("m3")])
      const watcher = await connect("w")
      const got = members.map((m) => collect(m, `${p}.work`, "workers"))
      const other = collect(members[0]!, `${p}.work`, "auditors") // a second group
      const all = collect(watcher, `${p}.work`)
      await Promise.all([...members, watcher].map((t) => t.flush()))
      const n = 60
      for (let i = 0; i < n; i++) pub.publish(`${p}.work`, bytes(String(i)))
      await all.waitFor(n)
      await other.waitFor(n)
      await barrier(pub, members)
      const delivered = got.flatMap((g) => g.texts()).map(Number)
      expect(delivered.sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i))
      expect(got.filter((g) => g.got.length > 0).length).toBeGreaterThan(1)
      expect(all.got.length).toBe(n)
      expect(other.got.length).toBe(n)
    })

    it("keeps each publisher's order", async () => {
      const p = fresh()
      const pubs = await Promise.all([connect("p1"), connect("p2"), connect("p3")])
      const sub = await connect("sub")
      const r = collect(sub, `${p}.seq.>`)
      await sub.flush()
      const n = 500
      for (let i = 0; i < n; i++) pubs.forEach((pub, k) => pub.publish(`${p}.seq.${k}`, bytes(`${k}:${i}`)))
      await r.waitFor(n * pubs.length)
      const last = new Map<string, number>()
      for (const m of r.got) {
        const [k, i] = m.text.split(":")
        expect(Number(i)).toBe((last.get(k!) ?? -1) + 1)
        last.set(k!, Number(i))
      }
      expect([...last.values()]).toEqual([n - 1, n - 1, n - 1])
    })

    it("unsubscribe stops delivery (and is idempotent)", async () => {
      const p = fresh()
      const pub = await connect("pub")
      const sub = await connect("sub")
      const r = collect(sub, `${p}.u`)
      const keep = collect(sub, `${p}.u`)
      await sub.flush()
      pub.publish(`${p}.u`, bytes("1"))
      await r.waitFor(1)
      await r.sub.unsubscribe()
      await r.sub.unsubscribe()
      expect(r.sub.subject).toBe(`${p}.u`)
      pub.publish(`${p}.u`, bytes("2"))
      await keep.waitFor(2)
      await barrier(pub, [sub])
      expect(r.texts()).toEqual(["1"])
      expect(keep.texts()).toEqual(["1", "2"])
    })

    it("flush resolves after everything published so far", async () => {
      const p = fresh()
      const pub = await connect("pub")
      const sub = await connect("sub")
      const r = collect(sub, `${p}.f`)
      await sub.flush()
      for (let i = 0; i < 200; i++) pub.publish(`${p}.f`, bytes(String(i)))
      await pub.flush()
      await r.waitFor(200)
      expect(r.texts()).toEqual(Array.from({ length: 200 }, (_, i) => String(i)))
    })

    it("close: no more deliveries to it, publish/subscribe throw TransportError(closed), close is idempotent", async () => {
      const p = fresh()
      const pub = await connect("pub")
      const sub = await connect("sub")
      const watcher = await connect("w")
      const r = collect(sub, `${p}.c`)
      const w = collect(watcher, `${p}.c`)
      await sub.flush()
      await watcher.flush()
      await sub.close()
      await sub.close()
      pub.publish(`${p}.c`, bytes("after"))
      await w.waitFor(1)
      await barrier(pub, [watcher])
      expect(r.got).toEqual([])
      expect(() => sub.publish(`${p}.c`, bytes("x"))).toThrow(TransportError)
      expect(() => sub.subscribe(`${p}.c`, () => {})).toThrow(TransportError)
      await expect(sub.kv("b")).rejects.toBeInstanceOf(TransportError)
      await expect(sub.flush()).rejects.toBeInstanceOf(TransportError)
    })

    it("KV: get / create / update compare-and-set / delete", async () => {
      const a = await connect("a")
      const b = await connect("b")
      const bucket = fresh()
      const ka = await a.kv(bucket)
      const kb = await b.kv(bucket)
      expect(await ka.get("leader")).toBeUndefined()
      const r1 = await ka.create("leader", bytes("a"))
      expect(r1).toBeGreaterThan(0)
      expect(await kb.create("leader", bytes("b"))).toBeUndefined() // exists
      const e1 = await kb.get("leader")
      expect(e1 && { v: text(e1.value), r: e1.revision }).toEqual({ v: "a", r: r1 })

      const r2 = await kb.update("leader", bytes("b"), r1!)
      expect(r2).toBeGreaterThan(r1!)
      expect(await ka.update("leader", bytes("a2"), r1!)).toBeUndefined() // stale revision
      expect(await ka.update("leader", bytes("a2"), 0)).toBeUndefined()
      const e2 = await ka.get("leader")
      expect(e2 && { v: text(e2.value), r: e2.revision }).toEqual({ v: "b", r: r2 })

      // revisions increase across keys of one bucket
      const r3 = await ka.create("other.key", bytes("x"))
      expect(r3).toBeGreaterThan(r2!)

      await ka.delete("leader")
      expect(await kb.get("leader")).toBeUndefined()
      expect(await kb.update("leader", bytes("c"), r2!)).toBeUndefined()
      const r4 = await kb.create("leader", bytes("c")) // create works again after delete
      expect(r4).toBeGreaterThan(r3!)
      expect(text((await ka.get("leader"))!.value)).toBe("c")
      await ka.delete("never-written") // deleting an absent key is fine

      await expect(ka.get("bad key")).rejects.toBeInstanceOf(TransportError)
      await expect(ka.get(".dot")).rejects.toBeInstanceOf(TransportError)
      await expect(a.kv("bad.bucket")).rejects.toBeInstanceOf(TransportError)
      await expect(ka.update("leader", bytes("x"), -1)).rejects.toBeInstanceOf(TransportError)
    })

    it("KV: of concurrent creates exactly one wins; of concurrent updates from one revision exactly one wins", async () => {
      const bucket = fresh()
      const clients = await Promise.all([1, 2, 3, 4, 5].map((i) => connect(`c${i}`)))
      const kvs = await Promise.all(clients.map((c) => c.kv(bucket)))
      const created = await Promise.all(kvs.map((kv, i) => kv.create("lock", bytes(String(i)))))
      const winners = created.filter((r) => r !== undefined)
      expect(winners.length).toBe(1)
      const rev = winners[0]!
      const updated = await Promise.all(kvs.map((kv, i) => kv.update("lock", bytes(`u${i}`), rev)))
      expect(updated.filter((r) => r !== undefined).length).toBe(1)
    })

    it("KV: a value that the caller mutates afterwards is not changed in the store", async () => {
      const a = await connect("a")
      const kv = await a.kv(fresh())
      const v = bytes("abc")
      await kv.create("k", v)
      v[0] = 120
      const got = (await kv.get("k"))!
      expect(text(got.value)).toBe("abc")
      got.value[0] = 121
      expect(text((await kv.get("k"))!.value)).toBe("abc")
    })

    it("KV: entries expire after the bucket TTL unless rewritten", async () => {
      // nats-server 2.9.10 expires max_age entries within ~10 ms of the TTL
      // (measured); the deadline below leaves a wide margin for slow machines.
      const ttlMs = 300
      const a = await connect("a")
      const bucket = fresh()
      const kv = await a.kv(bucket, { ttlMs })
      const t0 = Date.now()
      const r1 = await kv.create("hb", bytes("1"))
      expect(r1).toBeDefined()
      const kept = await kv.create("kept", bytes("1"))
      expect((await kv.get("hb"))?.revision).toBe(r1)
      // rewrite "kept" every 100 ms: it must not expire
      let keptRev = kept!
      const refresher = setInterval(() => {
        void kv.update("kept", bytes("1"), keptRev).then((r) => {
          if (r !== undefined) keptRev = r
        })
      }, 100)
      try {
        await waitUntil(async () => (await kv.get("hb")) === undefined, 5_000, "the entry to expire")
        const elapsed = Date.now() - t0
        expect(elapsed).toBeGreaterThanOrEqual(ttlMs - 50)
        expect(await kv.get("kept")).toBeDefined()
      } finally {
        clearInterval(refresher)
      }
      expect(await kv.update("hb", bytes("2"), r1!)).toBeUndefined() // expired: the old revision is gone
      expect(await kv.create("hb", bytes("3"))).toBeGreaterThan(r1!) // and the key can be created again
      // a second handle on the same bucket sees the same TTL
      const b = await connect("b")
      const kvb = await b.kv(bucket)
      await kvb.create("x", bytes("1"))
      await waitUntil(async () => (await kvb.get("x")) === undefined, 5_000, "the entry to expire (second handle)")
    })
  })
})
