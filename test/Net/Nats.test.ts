/**
 * NATS transport specifics: surviving a server crash (kill + restart), connect errors, handler errors,
 * opening a KV bucket once per process.
 */
import { jetstreamManager } from "@nats-io/jetstream"
import { Effect, Exit } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { TransportError } from "../../src/Net/Errors.ts"
import { connectNats, connectSchedule, natsConnection } from "../../src/Net/Nats.ts"
import { freeLoopbackPort, type NatsServerHandle, startNatsServer } from "../../src/Net/NatsServer.ts"
import { bytes, collect, sleep, text, waitUntil } from "./helpers.ts"

describe("NATS transport", () => {
  let server: NatsServerHandle | undefined
  beforeAll(async () => {
    server = await startNatsServer({ jetstream: true })
  }, 30_000)
  afterAll(async () => {
    await server?.stop()
  })

  it("a client survives kill() + restart() of the server: it reconnects (counted, listeners told), its subscriptions resume, KV works", async () => {
    const s = server!
    const sub = await connectNats({ servers: s.url, name: "sub", reconnectTimeWaitMs: 100 })
    const pub = await connectNats({ servers: s.url, name: "pub", reconnectTimeWaitMs: 100 })
    let told = 0
    const off = sub.onReconnect(() => told++)
    try {
      expect(sub.reconnects).toBe(0)
      const r = collect(sub, "chaos.>")
      await sub.flush()
      const kv = await pub.kv("chaos")
      expect(await kv.create("before", bytes("1"))).toBeDefined()
      pub.publish("chaos.before", bytes("before"))
      await r.waitFor(1)

      await s.kill()
      await sleep(300) // both clients notice the disconnect
      await s.restart()

      // Publish until the resubscribed client hears it again.
      let i = 0
      await waitUntil(
        () => {
          pub.publish("chaos.after", bytes(`after-${i++}`))
          return r.texts().some((t) => t.startsWith("after-"))
        },
        15_000,
        "a message after the restart",
      )
      await waitUntil(async () => {
        try {
          return (await kv.create(`after-${i++}`, bytes("2"))) !== undefined
        } catch {
          return false // JetStream may still be recovering
        }
      }, 15_000, "a KV write after the restart")
      expect(sub.connection.stats().inMsgs).toBeGreaterThan(0)
      expect(sub.disconnects).toBeGreaterThanOrEqual(1)
      expect(sub.reconnects).toBeGreaterThanOrEqual(1)
      expect(told).toBe(sub.reconnects)
      expect(pub.reconnects).toBeGreaterThanOrEqual(1)
    } finally {
      off()
      await sub.close()
      await pub.close()
    }
  })

  it("connecting where no server listens is a TransportError(connect) after a bounded number of tries, naming the cause", async () => {
    const port = await freeLoopbackPort()
    const err = await connectNats({ servers: `nats://127.0.0.1:${port}`, timeoutMs: 1_000, connectAttempts: 2, reconnectTimeWaitMs: 50 }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(TransportError)
    expect((err as TransportError).reason).toBe("connect")
    expect((err as TransportError).detail).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} after 2 tries`))
    expect((err as TransportError).detail).toMatch(/ECONNREFUSED|refused/i)
  })

  it("a throwing handler is reported and the subscription keeps working", async () => {
    const errors: Array<string> = []
    const t = await connectNats({ servers: server!.url, onHandlerError: (_e, subject) => errors.push(subject) })
    try {
      let n = 0
      t.subscribe("boom", () => {
        n++
        throw new Error("boom")
      })
      await t.flush()
      t.publish("boom", bytes("1"))
      t.publish("boom", bytes("2"))
      await waitUntil(() => n === 2)
      expect(errors).toEqual(["boom", "boom"])
    } finally {
      await t.close()
    }
  })

  it("a bucket this process opened is bound by its next clients without a JetStream request; a deleted one is created again", async () => {
    const url = server!.url
    const bucket = `once-${process.pid}`
    const a = await connectNats({ servers: url, name: "a", timeoutMs: 1_000 })
    const clients = [a]
    const connect = async (name: string) => {
      const t = await connectNats({ servers: url, name, timeoutMs: 1_000 })
      clients.push(t)
      return t
    }
    try {
      const ka = await a.kv(bucket, { ttlMs: 60_000 })
      const rev = await ka.create("k", bytes("v1"))
      expect(rev).toBeDefined()
      // a second client: opening sends nothing, and its reads, writes and compare-and-set work
      const b = await connect("b")
      const before = b.connection.stats().outMsgs
      const kb = await b.kv(bucket, { ttlMs: 60_000 })
      expect(b.connection.stats().outMsgs).toBe(before)
      expect((await kb.get("k"))?.revision).toBe(rev)
      expect(await kb.update("k", bytes("v2"), rev!)).toBeGreaterThan(rev!)
      expect(await ka.update("k", bytes("v3"), rev!)).toBeUndefined()
      // the stream goes away behind the process's back: a bound client's request fails (here a timeout) ...
      await (await jetstreamManager(a.connection)).streams.delete(`KV_${bucket}`)
      const c = await connect("c")
      const kc = await c.kv(bucket, { ttlMs: 60_000 })
      await expect(kc.get("k")).rejects.toBeInstanceOf(TransportError)
      // ... and the next client creates the bucket again
      const d = await connect("d")
      const kd = await d.kv(bucket, { ttlMs: 60_000 })
      expect(await kd.create("k", bytes("again"))).toBeDefined()
      expect(text((await kd.get("k"))!.value)).toBe("again")
    } finally {
      await Promise.all(clients.map((t) => t.close()))
    }
  })
})

describe("the NATS connection as a scoped resource", () => {
  it("connectSchedule allows the first try and attempts − 1 retries, no more", async () => {
    for (const attempts of [1, 2, 5]) {
      let tries = 0
      const exit = await Effect.runPromiseExit(Effect.retry(Effect.suspend(() => (tries++, Effect.fail("refused"))), connectSchedule(attempts, 1, 4)))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(tries).toBe(attempts)
    }
  })

  it("natsConnection where nothing listens fails with TransportError(connect) when its schedule gives up (no hang), naming the tries", async () => {
    const port = await freeLoopbackPort()
    const exit = await Effect.runPromiseExit(
      Effect.scoped(natsConnection({ servers: `nats://127.0.0.1:${port}`, connectAttempts: 4, reconnectTimeWaitMs: 10, maxReconnectTimeWaitMs: 40, timeoutMs: 1_000 })),
    )
    const error = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail")?.error : undefined
    expect(error).toBeInstanceOf(TransportError)
    expect((error as TransportError).reason).toBe("connect")
    expect((error as TransportError).detail).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} after 4 tries`))
  })

  it("natsConnection closes the connection when its scope closes", async () => {
    const server = await startNatsServer({ jetstream: false })
    try {
      const t = await Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const c = yield* natsConnection({ servers: server.url, name: "scoped" })
            yield* Effect.promise(() => c.flush())
            expect(c.connection.isClosed()).toBe(false)
            return c
          }),
        ),
      )
      expect(t.connection.isClosed()).toBe(true)
      expect(() => t.publish("x", bytes(""))).toThrow(/closed/)
    } finally {
      await server.stop()
    }
  })
})
