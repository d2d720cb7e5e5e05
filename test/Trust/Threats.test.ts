/**
 * The threat model (issue 13, Part 9.2), each threat against a real
 * nats-server started by the project (TLS + NKEYs, src/Net/Auth.ts, where the
 * threat is about transport). For each: what is rejected, where it is
 * counted, and that the aggregate stays exact.
 */
import * as crypto from "node:crypto"
import { nkeys } from "@nats-io/transport-node"
import { Effect } from "effect"
import * as Result from "effect/Result"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { secureBus } from "../../src/Net/Auth.ts"
import { connectNats, connectNatsEffect } from "../../src/Net/Nats.ts"
import { natsServer, type NatsServerHandle, startNatsServer } from "../../src/Net/NatsServer.ts"
import { CoordinatorTree, type TreeOptions } from "../../src/Tree/CoordinatorTree.ts"
import { decodeMessage, encodeMessage } from "../../src/Tree/Messages.ts"
import { clamp, encodePolicy } from "../../src/Tree/Policy.ts"
import { makeTopology } from "../../src/Tree/Topology.ts"
import { CapabilityGate, decodeCapabilities } from "../../src/Trust/Capabilities.ts"
import { generateIdentity, type Identity, memoryRegistry, rotateIdentity } from "../../src/Trust/Identity.ts"
import { RateLimiter } from "../../src/Trust/RateLimit.ts"
import { Signer, Verifier } from "../../src/Trust/Signed.ts"
import { decodeEnvelope, writeEnvelope } from "../../src/Trust/SignedLayout.ts"
import { downSeal, SenderAllowList, upBatchSeal } from "../../src/Trust/TreeSeal.ts"
import { waitUntil } from "../Net/helpers.ts"

let server: NatsServerHandle | undefined
beforeAll(async () => {
  server = await startNatsServer({ jetstream: false })
}, 30_000)
afterAll(async () => {
  await server?.stop()
})

/** An UpBatch that would win without signatures: newer epoch and sequence, a sum 10^9 larger. */
const inflate = (upBatch: Uint8Array): Uint8Array => {
  const m = Result.getOrThrow(decodeMessage(upBatch))
  if (m._tag !== "UpBatch") throw new Error("expected an UpBatch")
  return encodeMessage({ ...m, ups: m.ups.map((u) => ({ ...u, epoch: u.epoch + 1, seq: u.seq + 1000, summary: { ...u.summary, sum: u.summary.sum + 1e9, max: u.summary.max + 1e9 } })) })
}

/** An envelope claiming `sender` (revision `revision`), signed with `key`. */
const envelope = (sender: string, revision: number, sequence: number, payload: Uint8Array, key: crypto.KeyObject): Uint8Array =>
  writeEnvelope({ sender, keyRevision: revision, term: 0, sequence, payload }, (signed) => crypto.sign(null, signed, key))

/** A 1000-agent tree (100 locals / 10 / root) on the plain server, with Ups and Downs signed. */
const signedTree = async (extra: Partial<TreeOptions> = {}) => {
  const localHost = generateIdentity("local-host", "coordinator", 0)
  const upperHost = generateIdentity("upper-host", "coordinator", 0)
  // an agent with valid credentials: its own key in the registry
  const rogue = generateIdentity("agent-42", "agent", 0)
  const registry = memoryRegistry()
  for (const r of [localHost.record, upperHost.record, rogue.record]) registry.put(r)
  const up = new Verifier(registry)
  const down = new Verifier(registry, { window: 4096 })
  const upAllow = new SenderAllowList(["local-host"])
  const downAllow = new SenderAllowList(["upper-host"])
  const upSigner = new Signer(localHost)
  const connect = (name: string) => connectNats({ servers: server!.url, name })
  const tree = await CoordinatorTree.start({
    agents: 1000,
    branching: 10,
    connect,
    clients: "level",
    seed: 11,
    upBatchSeal: upBatchSeal(upSigner, up, upAllow),
    downSeal: downSeal(new Signer(upperHost), down, downAllow),
    ...extra,
  })
  const attacker = await connect("attacker")
  return { tree, attacker, registry, up, down, upAllow, downAllow, upSigner, localHost, rogue }
}

const exactRounds = async (tree: CoordinatorTree, n: number): Promise<void> => {
  for (let i = 0; i < n; i++) {
    const r = await tree.round()
    expect(r.exact).toBe(true)
    expect(r.aggregate).toEqual(r.expected)
  }
}

/** Subscribes `attacker` to L2.3's up subject: the sealed batches it will capture. */
const capture = async (s: Awaited<ReturnType<typeof signedTree>>): Promise<{ subject: string; got: Uint8Array[] }> => {
  const subject = s.tree.levels[1]![3]!.subjects.up
  const got: Uint8Array[] = []
  s.attacker.subscribe(subject, (d) => got.push(d.slice()))
  await s.attacker.flush()
  return { subject, got }
}

describe("the Down opener", () => {
  it("verifies one bus message once however many children it is handed to; a copy is a replay; only Downs and Heartbeats open", () => {
    const host = generateIdentity("upper-host", "coordinator", 0)
    const registry = memoryRegistry()
    registry.put(host.record)
    const verifier = new Verifier(registry)
    const { seal, open } = downSeal(new Signer(host), verifier)
    const down = encodeMessage({ _tag: "Down", from: { level: 2, index: 0 }, epoch: 1, policy: encodePolicy(clamp(0, 1)), triggers: [] })
    const sealed = seal(down)
    for (let i = 0; i < 10; i++) expect(open(sealed)).toEqual(down)
    expect(verifier.counters.accepted).toBe(1)
    expect(open(sealed.slice())).toBeUndefined()
    expect(verifier.counters.replay).toBe(1)
    const heartbeat = encodeMessage({ _tag: "Heartbeat", from: { level: 2, index: 0 }, term: 0 })
    expect(open(seal(heartbeat))).toEqual(heartbeat)
    const lateral = encodeMessage({ _tag: "Lateral", from: { level: 0, index: 1 }, fromAgent: 1, toAgent: 2, payload: new Uint8Array(1) })
    expect(open(seal(lateral))).toBeUndefined()
    expect(verifier.counters).toMatchObject({ accepted: 3, replay: 1, badPayload: 1 })
  })
})

describe("threats on a real nats-server", () => {
  it("(a) rogue client without credentials: refused at connect by the authenticated TLS server; the tree on it stays exact", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const bus = yield* secureBus()
          const secured = yield* natsServer({ jetstream: false, configFile: bus.configFile })
          const tree = yield* Effect.acquireRelease(
            Effect.promise(() => CoordinatorTree.start({ agents: 100, branching: 10, clients: "level", seed: 2, connect: (name) => connectNats({ servers: secured.url, name, credentials: bus.credentials("coordinator") }) })),
            (t) => Effect.promise(() => t.stop()),
          )
          yield* Effect.promise(() => exactRounds(tree, 1))
          const attempt = (credentials: Parameters<typeof connectNatsEffect>[0]["credentials"]) =>
            Effect.flip(connectNatsEffect({ servers: secured.url, connectAttempts: 1, timeoutMs: 1_500, maxReconnectAttempts: 0, ...(credentials === undefined ? {} : { credentials }) }))
          // nothing at all: TLS is required, then a client certificate, then an NKEY
          const bare = yield* attempt(undefined)
          const certOnly = yield* attempt({ tls: bus.credentials("agent").tls! })
          const strangerKey = yield* attempt({ nkeySeed: nkeys.createUser().getSeed(), tls: bus.credentials("agent").tls! })
          for (const e of [bare, certOnly, strangerKey]) expect(e).toMatchObject({ _tag: "TransportError", reason: "connect" })
          expect(certOnly.detail).toMatch(/authoriz/i)
          expect(strangerKey.detail).toMatch(/authoriz/i)
          // counted where it is refused: the server logs each refused client (the bare one at the TLS handshake)
          const count = (re: RegExp) => (secured.log.match(re) ?? []).length
          yield* Effect.promise(() => waitUntil(() => count(/authentication error/g) >= 2 && count(/TLS handshake error/g) >= 1, 5_000, "the refusals in the server log"))
          expect(count(/authentication error/g)).toBe(2)
          yield* Effect.promise(() => exactRounds(tree, 2))
          expect(tree.rejected().total).toBe(0)
        }),
      ),
    )
  }, 60_000)

  it("(b) rogue agent with valid credentials forging another's identity: bad signature / not allowed to seal, counted, exact", async () => {
    const s = await signedTree()
    try {
      const c = await capture(s)
      await exactRounds(s.tree, 1)
      await waitUntil(() => c.got.length >= 1, 5_000, "a captured batch")
      const huge = inflate(Result.getOrThrow(decodeEnvelope(c.got[0]!)).payload)
      // claims the local host, signed with the agent's own (registered) key
      s.attacker.publish(c.subject, envelope("local-host", 0, 1_000, huge, s.rogue.privateKey))
      // signed honestly under its own id: the signature holds, but an agent may not seal UpBatches
      s.attacker.publish(c.subject, envelope("agent-42", 0, 0, huge, s.rogue.privateKey))
      await s.attacker.flush()
      await waitUntil(() => s.up.counters.badSignature >= 1 && s.upAllow.refused >= 1, 5_000, "both refused")
      expect(s.up.counters).toMatchObject({ badSignature: 1, malformed: 0, replay: 0 })
      expect(s.upAllow.refused).toBe(1)
      await exactRounds(s.tree, 2)
      // 10 level-2 coordinators × 3 rounds, plus the agent's own envelope (verified, then refused)
      expect(s.up.counters.accepted).toBe(31)
    } finally {
      await s.attacker.close()
      await s.tree.stop()
    }
  }, 60_000)

  it("(c) replayed Up: a captured signed UpBatch re-published is rejected as a replay, counted, exact", async () => {
    const s = await signedTree()
    try {
      const c = await capture(s)
      await exactRounds(s.tree, 2)
      await waitUntil(() => c.got.length >= 2, 5_000, "two captured batches")
      for (const b of c.got.slice(0, 2)) s.attacker.publish(c.subject, b)
      await s.attacker.flush()
      await waitUntil(() => s.up.counters.replay >= 2, 5_000, "two replays")
      expect(s.up.counters).toMatchObject({ replay: 2, badSignature: 0, outOfWindow: 0 })
      await exactRounds(s.tree, 2)
      expect(s.up.counters.accepted).toBe(40)
    } finally {
      await s.attacker.close()
      await s.tree.stop()
    }
  }, 60_000)

  it("(d) forged Down: unsigned or wrongly signed Downs are rejected and counted; the honest Down still applies; exact", async () => {
    const s = await signedTree()
    try {
      const root = s.tree.levels[2]![0]!
      const l24 = s.tree.levels[1]![4]!
      const heard: Uint8Array[] = []
      s.attacker.subscribe(l24.subjects.down, (d) => heard.push(d.slice()))
      await s.attacker.flush()
      await exactRounds(s.tree, 1)
      await waitUntil(() => heard.length >= 1, 5_000, "L2.4's signed Down heard")
      s.attacker.publish(l24.subjects.down, heard[0]!) // a genuine Down, replayed
      const evil = (from: { level: number; index: number }, epoch: number) => encodeMessage({ _tag: "Down", from, epoch, policy: encodePolicy(clamp(0, 0)), triggers: [] })
      s.attacker.publish(root.subjects.down, evil(root.id, root.epoch + 1)) // unsigned, to the level-2 coordinators
      s.attacker.publish(l24.subjects.down, envelope("upper-host", 0, 100_000, evil(l24.id, l24.epoch + 1), s.rogue.privateKey)) // to locals 40..49
      s.attacker.publish(l24.subjects.down, envelope("agent-42", 0, 0, evil(l24.id, l24.epoch + 1), s.rogue.privateKey))
      await s.attacker.flush()
      await waitUntil(() => s.down.counters.replay >= 1 && s.down.counters.malformed >= 1 && s.down.counters.badSignature >= 1 && s.downAllow.refused >= 1, 5_000, "the forged Downs refused")
      // per bus message: the unsigned one is handed to the root's 10 children but verified once
      expect(s.down.counters).toMatchObject({ malformed: 1, badSignature: 1, replay: 1 })
      expect(s.downAllow.refused).toBe(1)
      const honest = clamp(-1e6, 1e6)
      const r = await s.tree.round(60_000, { policy: honest })
      expect(r.exact).toBe(true)
      expect(r.aggregate).toEqual(r.expected)
      const p = s.tree.provenance()
      expect(p.faithful).toBe(true)
      expect(p.divergentLocals).toBe(0)
      expect(Array.from(root.policy)).toEqual(Array.from(encodePolicy(honest)))
    } finally {
      await s.attacker.close()
      await s.tree.stop()
    }
  }, 60_000)

  it("(d, control) without downSeal the same unsigned Down is believed: a subtree takes the attacker's policy", async () => {
    const connect = (name: string) => connectNats({ servers: server!.url, name })
    const tree = await CoordinatorTree.start({ agents: 1000, branching: 10, connect, clients: "level", seed: 11 })
    const attacker = await connect("attacker")
    try {
      await exactRounds(tree, 1)
      const l24 = tree.levels[1]![4]!
      const before = l24.counters.received
      attacker.publish(l24.subjects.down, encodeMessage({ _tag: "Down", from: l24.id, epoch: l24.epoch + 1, policy: encodePolicy(clamp(0, 0)), triggers: [] }))
      await attacker.flush()
      await waitUntil(() => tree.provenance().divergentLocals > 0, 5_000, "the forged Down held by locals 40..49")
      expect(tree.provenance().divergentLocals).toBe(10)
      expect(l24.counters.received).toBe(before)
    } finally {
      await attacker.close()
      await tree.stop()
    }
  }, 60_000)

  it("(e) compromised coordinator key revoked by rotation (overlap 0): the old key's messages are refused, the new key's accepted, exact", async () => {
    const s = await signedTree()
    try {
      const c = await capture(s)
      await exactRounds(s.tree, 1)
      await waitUntil(() => c.got.length >= 1, 5_000, "a captured batch")
      const stolen: Identity = s.localHost // the attacker holds revision 0's private key
      const { next, retired } = rotateIdentity(stolen, Date.now(), 0)
      s.registry.put(retired)
      s.registry.put(next.record)
      s.upSigner.rekey(next)
      const huge = inflate(Result.getOrThrow(decodeEnvelope(c.got[0]!)).payload)
      s.attacker.publish(c.subject, envelope("local-host", 0, 1_000_000, huge, stolen.privateKey))
      await s.attacker.flush()
      await waitUntil(() => s.up.counters.keyNotValid >= 1, 5_000, "the old key refused")
      expect(s.up.counters).toMatchObject({ keyNotValid: 1, badSignature: 0 })
      await exactRounds(s.tree, 2)
      expect(s.up.counters.accepted).toBe(30)
      await waitUntil(() => c.got.length >= 3, 5_000, "batches after the rotation")
      expect(Result.getOrThrow(decodeEnvelope(c.got.at(-1)!)).keyRevision).toBe(1)
    } finally {
      await s.attacker.close()
      await s.tree.stop()
    }
  }, 60_000)

  it("(f) flood at 10× baseline from one client: the sender's excess Laterals dropped and counted, honest ones delivered, the root exact and the tree live", async () => {
    let now = 0
    const limiter = new RateLimiter({ perSecond: 4, burst: 4, now: () => now })
    const caps = Result.getOrThrow(decodeCapabilities({ default: ["lateral.cluster", "lateral.any"], agents: [] }, "test"))
    const gate = new CapabilityGate(makeTopology(1000, 10), caps, limiter)
    const delivered = new Map<number, number>()
    const s = await signedTree({ admitLateral: gate.admit, onLateral: (m) => void delivered.set(m.fromAgent, (delivered.get(m.fromAgent) ?? 0) + 1) })
    try {
      const honest = [11, 22, 33, 44] // one Lateral each per round, inside their clusters: the baseline (4 per round)
      const flood = encodeMessage({ _tag: "Lateral", from: { level: 0, index: 0 }, fromAgent: 0, toAgent: 9, payload: new Uint8Array(8) })
      const rounds = 3
      for (let k = 1; k <= rounds; k++) {
        for (const a of honest) s.tree.sendLateral(a, a + 1, new Uint8Array(8))
        for (let i = 0; i < 40; i++) s.attacker.publish(s.tree.levels[0]![0]!.subjects.lateral, flood)
        await s.attacker.flush()
        await waitUntil(() => gate.counters.allowed + gate.counters.rateLimited >= 44 * k, 10_000, `round ${k}'s Laterals checked`)
        const r = await s.tree.round()
        expect(r.exact).toBe(true)
        expect(r.aggregate).toEqual(r.expected)
        now += 1_000 // the next round: each bucket refills 4 tokens
      }
      expect(gate.counters).toEqual({ allowed: (4 + 4) * rounds, refused: 0, rateLimited: 36 * rounds })
      expect(limiter.droppedBy.get("0:0")).toBe(36 * rounds)
      expect(limiter.droppedBy.size).toBe(1)
      for (const a of honest) expect(delivered.get(a)).toBe(rounds)
      expect(delivered.get(0)).toBe(4 * rounds)
      // the tree is live: Ups and Downs never pass through the limiter
      expect(s.up.counters.accepted).toBe(10 * rounds)
    } finally {
      await s.attacker.close()
      await s.tree.stop()
    }
  }, 90_000)
})
