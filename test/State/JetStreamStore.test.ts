/**
 * The JetStream replica store (`src/State/JetStreamStore.ts`) on a real
 * nats-server: records come back as appended, also from a new connection
 * after the server was SIGKILLed and restarted; compaction leaves one snapshot
 * and the records after it; a damaged or foreign message on the store's
 * subject fails the load naming the message, never applied or skipped.
 */
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connectNats, type NatsTransport } from "../../src/Net/Nats.ts"
import { type NatsServerHandle, startNatsServer } from "../../src/Net/NatsServer.ts"
import { ViewportStateCodec } from "../../src/State/Encoding.ts"
import { openJetStreamStore } from "../../src/State/JetStreamStore.ts"
import { LWWMap } from "../../src/State/Register.ts"
import { encodeRecord, replay, type StoreRecord } from "../../src/State/Store.ts"
import { ViewportState } from "../../src/State/Viewport.ts"

const L = ViewportState.joinSemilattice
const codec = ViewportStateCodec
const pos = (k: number, t: number): ViewportState => ({ ...ViewportState.empty, positions: LWWMap.setDelta(k, { timestamp: t, replica: 1, value: k + t }) })
const deltas = [pos(0, 1), pos(1, 2), pos(2, 3), pos(0, 4)]
const joinOf = (xs: ReadonlyArray<ViewportState>): ViewportState => xs.reduce(L.join, L.bot)
const asDelta = (payload: ViewportState): StoreRecord<ViewportState> => ({ kind: "delta", payload })

let server: NatsServerHandle
let nc: NatsTransport
beforeAll(async () => {
  server = await startNatsServer()
  nc = await connectNats({ servers: server.url, name: "jetstream-store-test" })
})
afterAll(async () => {
  await nc?.close()
  await server?.stop()
})

const store = (t: NatsTransport, name: string) => openJetStreamStore(t.connection, codec, { name })

describe("JetStreamStore", () => {
  it("after compaction a reload reads one snapshot and the records appended after it", async () => {
    const loaded = await Effect.runPromise(
      Effect.gen(function* () {
        const s = yield* store(nc, "compact")
        for (const d of deltas.slice(0, 3)) yield* s.append([asDelta(d)])
        yield* s.compact(joinOf(deltas.slice(0, 3)), 2048)
        yield* s.append([asDelta(deltas[3]!)])
        const again = yield* store(nc, "compact")
        return yield* again.load
      }),
    )
    expect(loaded.records.map((r) => r.kind)).toEqual(["snapshot", "delta"])
    const { state, reserved } = replay(L, loaded.records)
    expect(L.equals(state, joinOf(deltas))).toBe(true)
    expect(reserved).toBe(2048)
  })

  it("a damaged or foreign message fails the load with the message's sequence number and offset", async () => {
    const good = encodeRecord(codec, asDelta(deltas[1]!))
    const flipped = good.slice()
    flipped[good.length - 6] = flipped[good.length - 6]! ^ 0x10
    const cases: ReadonlyArray<readonly [string, Uint8Array, Record<string, unknown>]> = [
      ["flipped", flipped, { _tag: "CorruptRecord", part: "body", offset: 0 }],
      ["cut", good.subarray(0, good.length - 1), { _tag: "BadRecord", offset: 0, reason: "message ends inside a record" }],
      ["foreign", new TextEncoder().encode('{"hello":"world"}'), { _tag: "CorruptRecord", part: "header", offset: 0 }],
    ]
    for (const [name, bad, expected] of cases) {
      const res = await Effect.runPromise(
        Effect.gen(function* () {
          const s = yield* store(nc, `damaged-${name}`)
          yield* s.append([asDelta(deltas[0]!)])
          // as if written by another client, or damaged at rest
          yield* Effect.promise(() => nc.connection.request(`hyrep.damaged-${name}`, bad))
          return yield* Effect.result(s.load)
        }),
      )
      expect(res._tag).toBe("Failure")
      if (res._tag !== "Failure") continue
      expect(res.failure).toMatchObject({ ...expected, where: `stream HYREP_damaged-${name} message 2` })
    }
  })

  it("rejects a store name that is not a stream name", async () => {
    const res = await Effect.runPromise(Effect.result(store(nc, "a.b")))
    expect(res._tag === "Failure" && res.failure).toMatchObject({ _tag: "BadRecord", reason: 'store name "a.b" is not letters, digits, _ or -' })
  })

  it("gives back every appended record, in order, also after the server was SIGKILLed and restarted", async () => {
    await Effect.runPromise(
      Effect.gen(function* () {
        const s = yield* store(nc, "roundtrip")
        yield* s.append([asDelta(deltas[0]!)])
        // one append of several records is one message
        yield* s.append([asDelta(deltas[1]!), { kind: "reserve", reserved: 5000 }, asDelta(deltas[2]!)])
      }),
    )
    await server.kill()
    await server.restart()
    const other = await connectNats({ servers: server.url, name: "after-restart" })
    try {
      const loaded = await Effect.runPromise(Effect.flatMap(store(other, "roundtrip"), (s) => s.load))
      expect(loaded.records.map((r) => r.kind)).toEqual(["delta", "delta", "reserve", "delta"])
      const { state, reserved } = replay(L, loaded.records)
      expect(L.equals(state, joinOf(deltas.slice(0, 3)))).toBe(true)
      expect(reserved).toBe(5000)
    } finally {
      await other.close()
    }
  })
})
