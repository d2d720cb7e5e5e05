/**
 * Signed replicated tree (src/Trust/ReplicaTrust.ts, src/Tree/Failover.ts)
 * on an authenticated, mutual-TLS nats-server with JetStream (leases and key
 * registry): every replica, standbys included, signs with its own key; after
 * the active replica of a position is killed, the standby that takes over
 * signs with its own registered key and its parent accepts it; an Up that
 * claims the new leader but is signed with another key is refused.
 */
import * as crypto from "node:crypto"
import { Effect } from "effect"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { secureBus } from "../../src/Net/Auth.ts"
import { connectNats } from "../../src/Net/Nats.ts"
import { natsServer } from "../../src/Net/NatsServer.ts"
import { ReplicatedTree } from "../../src/Tree/Failover.ts"
import { encodeMessage } from "../../src/Tree/Messages.ts"
import { subjects } from "../../src/Tree/Topology.ts"
import { keyBucket } from "../../src/Trust/ProcessTrust.ts"
import { busKeyRegistry } from "../../src/Trust/Registry.ts"
import { positionOfSigner, type ReplicaSeals, replicaSeals, replicaSignerId, sumReplicaCounters } from "../../src/Trust/ReplicaTrust.ts"
import { generateIdentity, memoryRegistry } from "../../src/Trust/Identity.ts"
import { writeEnvelope } from "../../src/Trust/SignedLayout.ts"
import { waitUntil } from "../Net/helpers.ts"

describe("replica identities", () => {
  it("a replica's id names its position; other ids name none", () => {
    const id = replicaSignerId("h", { level: 2, index: 7 }, 1)
    expect(id).toBe("h-r2-7-1")
    expect(positionOfSigner("h", id)).toEqual({ level: 2, index: 7 })
    for (const other of ["h-local", "h-levels-2", "g-r2-7-1", "h-r2-7", "h-r2-x-1"]) expect(positionOfSigner("h", other)).toBeUndefined()
  })
})

describe("replica seals", () => {
  it("an envelope opens only when its signer is a replica of the message's sender position; another position's valid signature is refused and counted", () => {
    const registry = memoryRegistry()
    const ids = [
      generateIdentity(replicaSignerId("h", { level: 1, index: 4 }, 0), "coordinator", 0),
      generateIdentity(replicaSignerId("h", { level: 1, index: 4 }, 2), "coordinator", 0),
      generateIdentity(replicaSignerId("h", { level: 1, index: 5 }, 0), "coordinator", 0),
      generateIdentity(replicaSignerId("h", { level: 2, index: 1 }, 0), "coordinator", 0),
    ]
    for (const i of ids) registry.put(i.record)
    const [active, standby, sibling, parent] = ids.map((i) => replicaSeals("h", i, registry)) as [ReplicaSeals, ReplicaSeals, ReplicaSeals, ReplicaSeals]
    const up = encodeMessage({ _tag: "Up", from: { level: 1, index: 4 }, epoch: 1, seq: 1, term: 7, summary: { count: 10, sum: 5, min: 0, max: 1 } })
    // the active replica and a standby of L1.4 each sign with their own key: both open
    expect(parent.openUp(active.sealUp(up))).toEqual(up)
    expect(parent.openUp(standby.sealUp(up))).toEqual(up)
    // L1.5's replica, with a valid signature, claiming to be L1.4: refused
    expect(parent.openUp(sibling.sealUp(up))).toBeUndefined()
    // a Down is not accepted on an up subject
    const down = encodeMessage({ _tag: "Down", from: { level: 1, index: 4 }, epoch: 1, policy: new Uint8Array(0), triggers: [] })
    expect(parent.openUp(active.sealUp(down))).toBeUndefined()
    expect(parent.counters()).toMatchObject({ accepted: 4, refused: 1, badPayload: 1, badSignature: 0 })
    expect([...parent.acceptedFrom.keys()].sort()).toEqual([ids[0]!.record.id, ids[1]!.record.id])
  })
})

describe("signed replicated tree on an authenticated TLS nats-server", () => {
  it("every replica signs with its own key; after a kill the standby that takes over verifies with its registered key; an Up claiming the new leader under another key is refused; exact", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const bus = yield* secureBus()
          const server = yield* natsServer({ jetstream: true, configFile: bus.configFile })
          const connect = (name: string) => connectNats({ servers: server.url, name, credentials: bus.credentials("coordinator") })
          const tree = yield* Effect.acquireRelease(
            Effect.promise(() => ReplicatedTree.start({ agents: 40, branching: 4, seed: 3, connect, sign: true })),
            (t) => Effect.promise(() => t.stop()),
          )
          const attacker = yield* Effect.acquireRelease(Effect.promise(() => connect("attacker")), (c) => Effect.promise(() => c.close()))
          const exact = async (): Promise<void> => {
            const r = tree.nextRound()
            expect(await tree.untilExact(r, 10_000)).toBeDefined()
          }
          yield* Effect.promise(async () => {
            await exact()
            await exact()
            const victim = { level: 2, index: 1 }
            const parent = { level: 3, index: 0 }
            const before = tree.activeOf(victim)!
            const killed = await tree.kill(victim)
            expect(killed).toBeDefined()
            await waitUntil(() => {
              const a = tree.activeOf(victim)
              return a !== undefined && a !== before && a.term > killed!.term
            }, 10_000, "a standby's takeover")
            const next = tree.activeOf(victim)!
            const nextId = replicaSignerId("h", victim, next.replica)
            expect(nextId).not.toBe(replicaSignerId("h", victim, before.replica))
            // the standby's key is in the registry on the bus, and differs from the killed replica's
            const kv = await attacker.kv(keyBucket("h"))
            const reg = busKeyRegistry(kv, keyBucket("h"))
            const rec = Result.getOrThrow(await reg.resolve(nextId, 0))
            const old = Result.getOrThrow(await reg.resolve(replicaSignerId("h", victim, before.replica), 0))
            expect(rec?.publicKey).toBeDefined()
            expect(rec!.publicKey).not.toBe(old!.publicKey)
            await exact()
            await exact()
            // the parent's active replica accepted envelopes signed by the new leader's key
            const parentSeals = tree.seals![tree.topology.perLevel[0]! + tree.topology.perLevel[1]! + parent.index]![tree.activeOf(parent)!.replica]!
            await waitUntil(() => (parentSeals.acceptedFrom.get(nextId) ?? 0) > 0, 5_000, "the parent to accept the new leader's envelopes")
            // another key signing as the new leader: a bad signature, counted
            const refusedBefore = parentSeals.counters().badSignature
            const up = encodeMessage({ _tag: "Up", from: victim, epoch: tree.round, seq: 1_000_000, term: next.term, summary: { count: 10, sum: 1e9, min: 0, max: 1e9 } })
            const other = crypto.generateKeyPairSync("ed25519").privateKey
            const forged = writeEnvelope({ sender: nextId, keyRevision: 0, term: 0, sequence: 1_000_000, payload: up }, (s) => crypto.sign(null, s, other))
            attacker.publish(subjects(tree.topology, parent).up, forged)
            await attacker.flush()
            await waitUntil(() => parentSeals.counters().badSignature > refusedBefore, 5_000, "the forged Up refused")
            await exact()
            // honest traffic all verified: nothing unknown, malformed or signed for another position; the forged Up
            // refused by each of the parent's replicas (standbys hear their children too)
            const sum = sumReplicaCounters(tree.seals!.flat())
            expect(sum).toMatchObject({ unknownKey: 0, malformed: 0, refused: 0, badPayload: 0, badSignature: tree.config.replicas })
            expect(sum.accepted).toBeGreaterThan(100)
          })
        }),
      ),
    )
  }, 120_000)
})
