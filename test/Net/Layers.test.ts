/** The Effect layers: the in-process default and scoped NATS (connect on acquire, close on release). */
import { Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import {
  BusService,
  InProcessBusLayer,
  InProcessTransportLayer,
  NatsBusLayer,
  natsServers,
  natsServersLayer,
  NatsTransportLayer,
  TransportService,
} from "../../src/Net/Layers.ts"
import { natsConnection } from "../../src/Net/Nats.ts"
import type { Transport } from "../../src/Net/Transport.ts"
import { bytes, collect, withNatsServer } from "./helpers.ts"

const roundTrip = Effect.gen(function* () {
  const t = yield* TransportService
  const r = collect(t, "layer.test")
  yield* Effect.promise(() => t.flush())
  t.publish("layer.test", bytes("hi"))
  yield* Effect.promise(() => r.waitFor(1))
  return { kind: t.kind, texts: r.texts(), transport: t as Transport }
})

describe("Transport layers", () => {
  it("InProcessTransportLayer provides a working in-process transport and closes it on release", async () => {
    const out = await Effect.runPromise(Effect.provide(roundTrip, InProcessTransportLayer))
    expect(out.kind).toBe("in-process")
    expect(out.texts).toEqual(["hi"])
    expect(() => out.transport.publish("x", bytes(""))).toThrow(/closed/)
  })

  it("NatsTransportLayer connects on acquire and closes on release", async () => {
    await withNatsServer(async (server) => {
      const out = await Effect.runPromise(Effect.provide(roundTrip, NatsTransportLayer(server.url)))
      expect(out.kind).toBe("nats")
      expect(out.texts).toEqual(["hi"])
      expect(() => out.transport.publish("x", bytes(""))).toThrow(/closed/)
    })
  })

  it("NatsTransportLayer fails with TransportError when no server answers", async () => {
    const exit = await Effect.runPromiseExit(
      Effect.provide(roundTrip, NatsTransportLayer({ servers: "nats://127.0.0.1:1", timeoutMs: 500 })),
    )
    expect(exit._tag).toBe("Failure")
    expect(JSON.stringify(exit)).toMatch(/TransportError/)
  })

  // The tree opens one client per coordinator; the bus must close every one of them when its scope ends.
  const openThree = Effect.gen(function* () {
    const bus = yield* BusService
    const clients = [yield* Effect.promise(() => bus.connect("a")), yield* Effect.promise(() => bus.connect("b")), yield* Effect.promise(() => bus.connect("c"))]
    const r = collect(clients[1]!, "bus.test")
    yield* Effect.promise(() => clients[1]!.flush())
    clients[0]!.publish("bus.test", bytes("from a"))
    yield* Effect.promise(() => r.waitFor(1))
    // a client the user closes early is fine to close again at release
    yield* Effect.promise(() => clients[2]!.close())
    return { bus, clients, open: bus.open(), texts: r.texts() }
  })

  it("InProcessBusLayer: clients of one bus reach each other, and every client it opened is closed at release", async () => {
    const out = await Effect.runPromise(Effect.provide(openThree, InProcessBusLayer))
    expect(out.bus.kind).toBe("in-process")
    expect(out.open).toBe(3)
    expect(out.texts).toEqual(["from a"])
    for (const c of out.clients) expect(() => c.publish("x", bytes(""))).toThrow(/closed/)
    expect(out.bus.open()).toBe(0)
    await expect(out.bus.connect("late")).rejects.toThrow(/released/)
  })

  it("NatsBusLayer: one connection per client, all closed at release", async () => {
    await withNatsServer(async (server) => {
      const out = await Effect.runPromise(Effect.provide(openThree, NatsBusLayer([server.url])))
      expect(out.bus.kind).toBe("nats")
      expect(out.texts).toEqual(["from a"])
      for (const c of out.clients) expect(() => c.publish("x", bytes(""))).toThrow(/closed/)
      await expect(out.bus.connect("late")).rejects.toThrow(/released/)
    })
  })

  // The CLI's tree modes take their servers from natsServersLayer, built into the run's scope.
  it("natsServersLayer: given URLs start nothing; without them a server of its own lives exactly as long as the scope", async () => {
    const given = await Effect.runPromise(Effect.scoped(natsServers(natsServersLayer({ servers: ["nats://127.0.0.1:1"] }))))
    expect(given).toEqual(["nats://127.0.0.1:1"])
    let started: string | undefined
    const seen = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const urls = yield* natsServers(natsServersLayer({ onStart: (url) => void (started = url) }))
          // still up inside the scope: a client connects and round-trips
          const t = yield* natsConnection({ servers: [...urls], name: "in-scope" })
          yield* Effect.promise(() => t.flush())
          return { urls, port: Number(new URL(urls[0]!).port) }
        }),
      ),
    )
    expect(seen.urls).toEqual([started])
    const after = await Effect.runPromiseExit(Effect.scoped(natsConnection({ servers: [...seen.urls], connectAttempts: 1, timeoutMs: 500 })))
    expect(Exit.isFailure(after)).toBe(true)
  })
})
