/**
 * Signed UpBatches on a bus, against both buses (a real nats-server started by
 * the project, and the embedded one): key records distributed through the KV,
 * and a rogue client that forges, replays and sends junk. Every rejection is
 * typed and counted, and the aggregate of what was accepted is exact.
 */
import * as crypto from "node:crypto"
import * as Result from "effect/Result"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeInProcessServer } from "../../src/Net/InProcess.ts"
import { connectNats } from "../../src/Net/Nats.ts"
import { type NatsServerHandle, startNatsServer } from "../../src/Net/NatsServer.ts"
import type { Transport } from "../../src/Net/Transport.ts"
import { encodeMessage, type UpBatch } from "../../src/Tree/Messages.ts"
import { generateIdentity, type Identity } from "../../src/Trust/Identity.ts"
import { busKeyRegistry, recordKey } from "../../src/Trust/Registry.ts"
import { Signer, signUpBatch, Verifier, verifyUpBatch } from "../../src/Trust/Signed.ts"
import { decodeEnvelope, writeEnvelope } from "../../src/Trust/SignedLayout.ts"
import { waitUntil } from "../Net/helpers.ts"

let server: NatsServerHandle | undefined
beforeAll(async () => {
  server = await startNatsServer({ jetstream: true })
}, 30_000)
afterAll(async () => {
  await server?.stop()
})

const buses: ReadonlyArray<readonly [string, () => Promise<(name: string) => Promise<Transport>>]> = [
  ["nats", async () => (name) => connectNats({ servers: server!.url, name })],
  ["embedded", async () => {
    const s = makeInProcessServer()
    return async (name) => s.connect(name)
  }],
]

const batch = (host: number, b: number): UpBatch => ({
  _tag: "UpBatch",
  from: { level: 1, index: host * b },
  ups: Array.from({ length: b }, (_, i) => ({
    index: host * b + i,
    epoch: 1,
    seq: 1,
    summary: { count: 10 + i, sum: 3 * i + host, min: 0, max: 3 * i + host },
  })),
})

const hosts: ReadonlyArray<Identity> = [0, 1, 2].map((h) => generateIdentity(`host-${h}`, "coordinator", 0))
const rogue = generateIdentity("rogue", "agent", 0)

describe.each(buses)("signed UpBatches on the %s bus", (name, makeBus) => {
  it("key records travel through the KV; a bad record there is a BadKeyRecord naming entry and field", async () => {
    const connect = await makeBus()
    const a = await connect("publisher")
    const b = await connect("reader")
    try {
      const bucket = `trust_keys_${name}_1`
      const pub = busKeyRegistry(await a.kv(bucket), bucket)
      const read = busKeyRegistry(await b.kv(bucket), bucket)
      expect(Result.isSuccess(await pub.publish(hosts[0]!.record))).toBe(true)
      expect(Result.getOrThrow(await read.resolve("host-0", 0))).toEqual(hosts[0]!.record)
      expect(Result.getOrThrow(await read.resolve("host-0", 1))).toBeUndefined()
      // a rotation republishes revision 0 with its notAfter; a refreshing reader sees it
      expect(Result.isSuccess(await pub.publish({ ...hosts[0]!.record, notAfter: 99 }))).toBe(true)
      expect(Result.getOrThrow(await read.resolve("host-0", 0, true))?.notAfter).toBe(99)
      // someone writes garbage into the bucket
      const kv = await a.kv(bucket)
      await kv.create(recordKey("host-9", 0), new TextEncoder().encode(JSON.stringify({ ...hosts[1]!.record, id: "host-9", role: "king" })))
      const bad = await read.resolve("host-9", 0)
      expect(Result.isFailure(bad)).toBe(true)
      if (Result.isFailure(bad)) {
        expect(bad.failure._tag).toBe("BadKeyRecord")
        expect(bad.failure).toMatchObject({ field: "role", source: `${bucket}/host-9.0` })
      }
      await kv.create(recordKey("host-8", 0), new TextEncoder().encode(JSON.stringify(hosts[1]!.record)))
      const moved = await read.resolve("host-8", 0)
      expect(Result.isFailure(moved) && moved.failure._tag === "BadKeyRecord" && moved.failure.field).toBe("id")
    } finally {
      await a.close()
      await b.close()
    }
  }, 30_000)

  it("forged, replayed, unknown and junk messages are rejected and counted; the aggregate is exact", async () => {
    const connect = await makeBus()
    const bucket = `trust_keys_${name}_2`
    const senders = await Promise.all(hosts.map((h) => connect(h.record.id)))
    const evil = await connect("rogue")
    const root = await connect("root")
    try {
      for (const [i, h] of hosts.entries()) Result.getOrThrow(await busKeyRegistry(await senders[i]!.kv(bucket), bucket).publish(h.record))
      const registry = busKeyRegistry(await root.kv(bucket), bucket)
      const verifier = new Verifier(registry.cache)
      let count = 0
      let sum = 0
      let handled = 0
      // verify in arrival order: fetch an unseen key from the KV first, then verify synchronously
      let chain = Promise.resolve()
      const onMessage = (data: Uint8Array) => {
        chain = chain.then(async () => {
          const env = decodeEnvelope(data)
          if (Result.isSuccess(env)) await registry.resolve(env.success.sender, env.success.keyRevision)
          const v = verifyUpBatch(verifier, data)
          if (Result.isSuccess(v)) {
            for (const u of v.success.batch.ups) {
              count += u.summary.count
              sum += u.summary.sum
            }
          }
          handled++
        })
      }
      root.subscribe("trust.up", onMessage)
      const genuine: Uint8Array[] = []
      evil.subscribe("trust.up", (d) => genuine.push(d.slice()))
      await root.flush()
      await evil.flush()

      const b = 50
      for (const [i, h] of hosts.entries()) {
        senders[i]!.publish("trust.up", Result.getOrThrow(signUpBatch(new Signer(h), batch(i, b))))
        await senders[i]!.flush()
      }
      await waitUntil(() => genuine.length >= 3, 10_000, "the rogue sees the three batches")
      // 1. replay host-1's genuine batch
      evil.publish("trust.up", genuine.find((g) => Result.getOrThrow(decodeEnvelope(g)).sender === "host-1")!)
      // 2. a batch with a huge sum claiming to be host-0, signed with the rogue's key
      const huge = batch(0, 1)
      const forged = writeEnvelope(
        { sender: "host-0", keyRevision: 0, term: 0, sequence: 1, payload: encodeMessage({ ...huge, ups: [{ ...huge.ups[0]!, summary: { count: 1e9, sum: 1e12, min: 0, max: 1e12 } }] }) },
        (signed) => crypto.sign(null, signed, rogue.privateKey),
      )
      evil.publish("trust.up", forged)
      // 3. correctly signed by the rogue, whose key nobody published
      evil.publish("trust.up", Result.getOrThrow(signUpBatch(new Signer(rogue), batch(5, 2))))
      // 4. junk
      evil.publish("trust.up", new Uint8Array([0x48, 0x53, 1, 0, 200, 1, 2, 3]))
      await evil.flush()
      await waitUntil(() => handled >= 7, 10_000, "seven messages handled")
      await chain

      const expected = hosts.map((_, i) => batch(i, b).ups).flat()
      expect(count).toBe(expected.reduce((a, u) => a + u.summary.count, 0))
      expect(sum).toBe(expected.reduce((a, u) => a + u.summary.sum, 0))
      expect(verifier.counters).toMatchObject({ accepted: 3, replay: 1, badSignature: 1, unknownKey: 1, malformed: 1, badPayload: 0 })
    } finally {
      for (const t of [...senders, evil, root]) await t.close()
    }
  }, 30_000)
})
