/**
 * Signed UpBatches in the running tree (`TreeOptions.upBatchSeal`), on a real
 * nats-server started by the project: the local level signs each UpBatch, the
 * level-2 coordinators verify before acting. A rogue client's unsigned,
 * forged and replayed batches are dropped and counted; rounds stay exact.
 */
import * as crypto from "node:crypto"
import * as Result from "effect/Result"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connectNats } from "../../src/Net/Nats.ts"
import { type NatsServerHandle, startNatsServer } from "../../src/Net/NatsServer.ts"
import { CoordinatorTree } from "../../src/Tree/CoordinatorTree.ts"
import { decodeMessage, encodeMessage } from "../../src/Tree/Messages.ts"
import { generateIdentity, memoryRegistry } from "../../src/Trust/Identity.ts"
import { Signer, Verifier } from "../../src/Trust/Signed.ts"
import { decodeEnvelope, writeEnvelope } from "../../src/Trust/SignedLayout.ts"
import { upBatchSeal } from "../../src/Trust/TreeSeal.ts"
import { sleep, waitUntil } from "../Net/helpers.ts"

let server: NatsServerHandle | undefined
beforeAll(async () => {
  server = await startNatsServer({ jetstream: false })
}, 30_000)
afterAll(async () => {
  await server?.stop()
})

/**
 * A batch that would win without signatures: L2.3's genuine batch with a newer
 * epoch and sequence and a sum 10^9 larger (the control below shows it does).
 */
const forgeFrom = (genuine: Uint8Array): Uint8Array => {
  const m = Result.getOrThrow(decodeMessage(genuine))
  if (m._tag !== "UpBatch") throw new Error("expected an UpBatch")
  return encodeMessage({
    ...m,
    ups: m.ups.map((u) => ({ ...u, epoch: u.epoch + 1, seq: u.seq + 1000, summary: { ...u.summary, sum: u.summary.sum + 1e9, max: u.summary.max + 1e9 } })),
  })
}

const host = generateIdentity("local-host", "coordinator", 0)
const rogue = generateIdentity("rogue", "agent", 0)

describe("signed UpBatches in the tree over NATS", () => {
  it("rounds are exact with signing on; unsigned, forged and replayed batches are dropped and counted", async () => {
    const registry = memoryRegistry()
    registry.put(host.record)
    const verifier = new Verifier(registry)
    const connect = (name: string) => connectNats({ servers: server!.url, name })
    const tree = await CoordinatorTree.start({
      agents: 1000,
      branching: 10, // 100 locals / 10 / 1
      connect,
      clients: "level",
      seed: 5,
      upBatchSeal: upBatchSeal(new Signer(host), verifier),
    })
    const attacker = await connect("attacker")
    try {
      const target = tree.levels[1]![3]! // L2.3: children L1.30..39
      const captured: Uint8Array[] = []
      attacker.subscribe(target.subjects.up, (d) => captured.push(d.slice()))
      await attacker.flush()
      const r1 = await tree.round()
      expect(r1.exact).toBe(true)
      // every level-2 coordinator got one signed batch per round
      expect(verifier.counters.accepted).toBe(10)
      await waitUntil(() => captured.length >= 1, 5_000, "the attacker sees L2.3's batch")
      expect(Result.getOrThrow(decodeEnvelope(captured[0]!)).sender).toBe("local-host")

      const huge = forgeFrom(Result.getOrThrow(decodeEnvelope(captured[0]!)).payload)
      attacker.publish(target.subjects.up, huge) // 1. unsigned
      attacker.publish(target.subjects.up, writeEnvelope( // 2. claims the host, signed by the rogue
        { sender: "local-host", keyRevision: 0, term: 0, sequence: 1_000, payload: huge },
        (signed) => crypto.sign(null, signed, rogue.privateKey),
      ))
      attacker.publish(target.subjects.up, captured[0]!) // 3. a genuine batch, replayed
      await attacker.flush()
      await waitUntil(() => verifier.counters.malformed + verifier.counters.badSignature + verifier.counters.replay >= 3, 5_000, "three rejections")
      expect(verifier.counters).toMatchObject({ accepted: 10, malformed: 1, badSignature: 1, replay: 1, unknownKey: 0 })

      for (let i = 0; i < 3; i++) {
        const r = await tree.round()
        expect(r.exact).toBe(true)
        expect(r.aggregate).toEqual(r.expected)
      }
      expect(verifier.counters.accepted).toBe(40)
    } finally {
      await attacker.close()
      await tree.stop()
    }
  }, 60_000)

  it("control: without signing, the same forged batch corrupts the next round (what the signed run refuses)", async () => {
    const connect = (name: string) => connectNats({ servers: server!.url, name })
    const tree = await CoordinatorTree.start({ agents: 1000, branching: 10, connect, clients: "level", seed: 5 })
    const attacker = await connect("attacker")
    try {
      const target = tree.levels[1]![3]!
      const captured: Uint8Array[] = []
      attacker.subscribe(target.subjects.up, (d) => captured.push(d.slice()))
      await attacker.flush()
      expect((await tree.round()).exact).toBe(true)
      await waitUntil(() => captured.length >= 1, 5_000, "the attacker sees L2.3's batch")
      const before = target.counters.received
      attacker.publish(target.subjects.up, forgeFrom(captured[0]!))
      await attacker.flush()
      await waitUntil(() => target.counters.received > before, 5_000, "the forged batch arrives")
      const r = await tree.round()
      expect(r.exact).toBe(false)
      expect(r.aggregate.sum - r.expected.sum).toBeGreaterThan(1e9)
    } finally {
      await attacker.close()
      await tree.stop()
    }
  }, 60_000)

  it("sealing needs UpBatches: per-coordinator publishers (no batching) are refused at start", async () => {
    const registry = memoryRegistry()
    const connect = (name: string) => connectNats({ servers: server!.url, name })
    const opened: Array<{ close: () => Promise<void> }> = []
    await expect(
      CoordinatorTree.start({
        agents: 100,
        branching: 10,
        connect: async (name) => {
          const c = await connect(name)
          opened.push(c)
          return c
        },
        clients: "coordinator",
        upBatchSeal: upBatchSeal(new Signer(host), new Verifier(registry)),
      }),
    ).rejects.toThrow(/sealUp/)
    for (const c of opened) await c.close().catch(() => undefined)
    await sleep(10)
  }, 30_000)
})
