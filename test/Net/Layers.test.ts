/** The Effect layers: the in-process default and scoped NATS (connect on acquire, close on release). */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { InProcessTransportLayer, NatsTransportLayer, TransportService } from "../../src/Net/Layers.ts"
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
})
