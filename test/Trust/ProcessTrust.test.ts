/**
 * Signed multi-process tree (src/Trust/ProcessTrust.ts, src/Tree/Process.ts)
 * on an authenticated, mutual-TLS nats-server with JetStream for the key
 * registry: each process signs with its own key; forged and replayed
 * UpBatches injected on a coordinator's subject are rejected and counted by
 * the receiving coordinator process while the root stays exact.
 */
import * as crypto from "node:crypto"
import { Effect } from "effect"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { secureBus } from "../../src/Net/Auth.ts"
import { connectNats } from "../../src/Net/Nats.ts"
import { natsServer } from "../../src/Net/NatsServer.ts"
import { decodeMessage, encodeMessage } from "../../src/Tree/Messages.ts"
import { clamp, encodePolicy } from "../../src/Tree/Policy.ts"
import { decodeProcessConfig, encodeProcessArgs, runTreeMultiProcess } from "../../src/Tree/Process.ts"
import { generateIdentity, memoryRegistry } from "../../src/Trust/Identity.ts"
import { openKindsWith, parseSigners, processSignerId, signerOf } from "../../src/Trust/ProcessTrust.ts"
import { Signer, Verifier } from "../../src/Trust/Signed.ts"
import { SenderAllowList } from "../../src/Trust/TreeSeal.ts"
import { KindCode } from "../../src/Tree/MessagesLayout.ts"
import { decodeEnvelope, writeEnvelope } from "../../src/Trust/SignedLayout.ts"
import { waitUntil } from "../Net/helpers.ts"

/** The payload of a signed UpBatch made to win: newer epoch and sequence, a sum 10^9 larger. */
const inflate = (upBatch: Uint8Array): Uint8Array => {
  const m = Result.getOrThrow(decodeMessage(upBatch))
  if (m._tag !== "UpBatch") throw new Error("expected an UpBatch")
  return encodeMessage({ ...m, ups: m.ups.map((u) => ({ ...u, epoch: u.epoch + 1, seq: u.seq + 1000, summary: { ...u.summary, sum: u.summary.sum + 1e9, max: u.summary.max + 1e9 } })) })
}

const envelope = (sender: string, sequence: number, payload: Uint8Array, key: crypto.KeyObject): Uint8Array =>
  writeEnvelope({ sender, keyRevision: 0, term: 0, sequence, payload }, (signed) => crypto.sign(null, signed, key))

describe("signers table of a signed multi-process run", () => {
  it("round-trips through a child's argv; bad tables and credentials are typed errors naming the part", () => {
    const token = "0123456789abcdef0123456789abcdef"
    const base = { servers: ["nats://127.0.0.1:4222"], agents: 1000, branching: 10, seed: 7, prefix: "h", name: "h-levels-2", groups: [{ level: 2, lo: 0, hi: 10 }] }
    const ok = decodeProcessConfig(encodeProcessArgs({ ...base, signers: "h-local:1-1,h-levels-2:2-2,h-levels-3:3-3" }), { HYDROGEN_CONTROL_TOKEN: token })
    expect(Result.isSuccess(ok) && ok.success.signers).toEqual([
      { id: "h-local", lo: 1, hi: 1 },
      { id: "h-levels-2", lo: 2, hi: 2 },
      { id: "h-levels-3", lo: 3, hi: 3 },
    ])
    expect(signerOf(Result.getOrThrow(parseSigners("a:1-1,b:2-4", "t")), 3)).toBe("b")
    expect(processSignerId("h", "h-levels-2")).toBe("h-levels-2")
    expect(processSignerId("h", "local")).toBe("h-local")
    for (const [text, problem] of [
      ["a:1-1,b:1-2", /overlaps a:1-1/],
      ["a:2-1", /not 1 ≤ LO ≤ HI/],
      ["a/b:1-1", /does not match/],
      ["a:1", /not ID:LO-HI/],
    ] as const) {
      const r = parseSigners(text, "--signers")
      expect(Result.isFailure(r) && r.failure).toMatchObject({ _tag: "BadSigners", source: "--signers" })
      expect(Result.isFailure(r) ? r.failure.message : "").toMatch(problem)
    }
    const bad = decodeProcessConfig(encodeProcessArgs({ ...base, signers: "h-local:1-1,h-local:2-2" }), { HYDROGEN_CONTROL_TOKEN: token, HYDROGEN_NATS_NKEY_SEED: "nope", HYDROGEN_NATS_CERT: "/x" })
    const issues = Result.isFailure(bad) ? bad.failure.issues.join("\n") : ""
    expect(issues).toMatch(/--signers: h-local:2-2 overlaps h-local:1-1/)
    expect(issues).toMatch(/HYDROGEN_NATS_NKEY_SEED: expected an NKEY user seed/)
    expect(issues).toMatch(/HYDROGEN_NATS_CERT \/ _KEY need HYDROGEN_NATS_CA/)
  })
})

describe("per-tier opening (openKindsWith)", () => {
  it("opens a fresh envelope of the expected kinds from the allowed signer; another tier's valid signature, a replay and a wrong kind are refused and counted", () => {
    const host1 = generateIdentity("h-run-local", "coordinator", 0)
    const host3 = generateIdentity("h-run-levels-3", "coordinator", 0)
    const registry = memoryRegistry()
    for (const i of [host1, host3]) registry.put(i.record)
    const verifier = new Verifier(registry)
    const allow = new SenderAllowList(["h-run-local"])
    const open = openKindsWith(verifier, allow, [KindCode.UpBatch])
    const batch = encodeMessage({ _tag: "UpBatch", from: { level: 1, index: 0 }, ups: [{ index: 0, epoch: 1, seq: 1, summary: { count: 1, sum: 2, min: 2, max: 2 } }] })
    const down = encodeMessage({ _tag: "Down", from: { level: 2, index: 0 }, epoch: 1, policy: new Uint8Array(0), triggers: [] })
    const s1 = new Signer(host1)
    const sealed = Result.getOrThrow(s1.sign(batch))
    expect(open(sealed)).toEqual(batch)
    // the same bus message again (a new buffer): a replay
    expect(open(sealed.slice())).toBeUndefined()
    // a valid signature by the level-3 host on the level-2 up subject: another tier
    expect(open(Result.getOrThrow(new Signer(host3).sign(batch)))).toBeUndefined()
    // the allowed signer, but a Down where UpBatches belong
    expect(open(Result.getOrThrow(s1.sign(down)))).toBeUndefined()
    expect(verifier.counters).toMatchObject({ accepted: 3, replay: 1, badPayload: 1 })
    expect(allow.refused).toBe(1)
  })
})

describe("signed multi-process tree on an authenticated TLS nats-server", () => {
  it("is exact; a forged UpBatch (wrong key, unknown key) and a replayed one on a coordinator subject are rejected and counted; the root stays exact", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const bus = yield* secureBus()
          const server = yield* natsServer({ jetstream: true, configFile: bus.configFile })
          const credentials = bus.credentials("coordinator")
          // a client with valid coordinator credentials but none of the run's signing keys
          const attacker = yield* Effect.acquireRelease(
            Effect.promise(() => connectNats({ servers: server.url, name: "attacker", credentials })),
            (c) => Effect.promise(() => c.close()),
          )
          const got: Uint8Array[] = []
          attacker.subscribe("h.up.2.3", (d) => void got.push(d.slice()))
          yield* Effect.promise(() => attacker.flush())
          const stranger = crypto.generateKeyPairSync("ed25519").privateKey
          const r = yield* Effect.promise(() =>
            runTreeMultiProcess({
              agents: 1000,
              branching: 10,
              rounds: 6,
              seed: 5,
              servers: server.url,
              sign: true,
              credentials,
              afterRound: async (round) => {
                if (round.round !== 2) return
                await waitUntil(() => got.length >= 2, 5_000, "two sealed UpBatches of round 1 and 2")
                const honest = Result.getOrThrow(decodeEnvelope(got[1]!))
                // the parent's identity, fresh for this run
                expect(honest.sender).toMatch(/^h-[0-9a-f]{8}-local$/)
                const huge = inflate(honest.payload)
                // valid shape, claims the local host, signed with another key
                attacker.publish("h.up.2.3", envelope(honest.sender, honest.sequence + 1_000, huge, stranger))
                // an identity the registry does not know
                attacker.publish("h.up.2.3", envelope("h-mallory", 0, huge, stranger))
                // round 1's genuine envelope again
                attacker.publish("h.up.2.3", got[0]!)
                await attacker.flush()
              },
            }),
          )
          expect(r.processes.map((p) => p.name)).toEqual(["levels-2", "levels-3"])
          expect(r.allExact).toBe(true)
          for (const x of r.rounds) expect(x.aggregate).toEqual(x.expected)
          // counted where they arrived: the level-2 process's verifier, reported in its `done`
          expect(r.trust).toMatchObject({ badSignature: 1, unknownKey: 1, replay: 1, malformed: 0, refused: 0, badPayload: 0 })
          // every honest sealed message verified: 10 UpBatches to level 2, 10 Ups to the root, 10 Downs to the locals' parents… per round
          expect(r.trust!.accepted).toBeGreaterThanOrEqual(6 * (10 + 10 + 10))
        }),
      ),
    )
  }, 120_000)

  it("a forged Down (another key, the root's identity) and a replayed one on the root's down subject are rejected and counted; every subtree applies the root's Down", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const bus = yield* secureBus()
          const server = yield* natsServer({ jetstream: true, configFile: bus.configFile })
          const credentials = bus.credentials("coordinator")
          const attacker = yield* Effect.acquireRelease(
            Effect.promise(() => connectNats({ servers: server.url, name: "attacker", credentials })),
            (c) => Effect.promise(() => c.close()),
          )
          const downs: Uint8Array[] = []
          attacker.subscribe("h.down.3.0", (d) => void downs.push(d.slice()))
          yield* Effect.promise(() => attacker.flush())
          const stranger = crypto.generateKeyPairSync("ed25519").privateKey
          const r = yield* Effect.promise(() =>
            runTreeMultiProcess({
              agents: 1000,
              branching: 10,
              rounds: 5,
              seed: 6,
              servers: server.url,
              sign: true,
              credentials,
              afterRound: async (round) => {
                if (round.round !== 2) return
                await waitUntil(() => downs.length >= 2, 5_000, "the root's Downs of rounds 1 and 2")
                const honest = Result.getOrThrow(decodeEnvelope(downs[1]!))
                expect(honest.sender).toMatch(/^h-[0-9a-f]{8}-levels-3$/)
                // the next epoch with a policy clamping every value to 0, as the root, under another key
                const evil = encodeMessage({ _tag: "Down", from: { level: 3, index: 0 }, epoch: 3, policy: encodePolicy(clamp(0, 0)), triggers: [] })
                attacker.publish("h.down.3.0", envelope(honest.sender, honest.sequence + 1, evil, stranger))
                attacker.publish("h.down.3.0", downs[0]!)
                await attacker.flush()
              },
              policyFor: () => clamp(-1e6, 1e6),
            }),
          )
          expect(r.allExact).toBe(true)
          for (const x of r.rounds) expect(x.provenance.faithful).toBe(true)
          // counted by the levels-2 process, which hears the root's down subject
          expect(r.trust).toMatchObject({ badSignature: 1, replay: 1, unknownKey: 0, malformed: 0, refused: 0, badPayload: 0 })
        }),
      ),
    )
  }, 120_000)
})
