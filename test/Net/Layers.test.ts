/** The Effect layers: the in-process default and scoped NATS (connect on acquire, close on release). */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { BusService, InProcessBusLayer, InProcessTransportLayer, NatsBusLayer, NatsTransportLayer, TransportService } from "../../src/Net/Layers.ts"
import { startNatsServer } from "../../src/Net/NatsServer.ts"
import type { Transport } from "../../src/Net/Transport.ts"
import { bytes, collect } from "./helpers.ts"

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
    const server = await startNatsServer({ jetstream: false })
    try {
      const out = await Effect.runPromise(Effect.provide(roundTrip, NatsTransportLayer(server.url)))
      expect(out.kind).toBe("nats")
      expect(out.texts).toEqual(["hi"])
      expect(() => out.transport.publish("x", bytes(""))).toThrow(/closed/)
    } finally {
      await server.stop()
    }
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
    const server = await startNatsServer({ jetstream: false })
    try {
      const out = await Effect.runPromise(Effect.provide(openThree, NatsBusLayer([server.url])))
      expect(out.bus.kind).toBe("nats")
      expect(out.texts).toEqual(["from a"])
      for (const c of out.clients) expect(() => c.publish("x", bytes(""))).toThrow(/closed/)
      await expect(out.bus.connect("late")).rejects.toThrow(/released/)
    } finally {
      await server.stop()
    }
  })
})
