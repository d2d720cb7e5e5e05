import { Effect } from "effect"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { type ConsoleCommand, everywhere } from "../../src/Console/Command.ts"
import { commandSubject, ConsoleHost, encodeCommand } from "../../src/Console/Host.ts"
import { MeshSystem } from "../../src/Console/System.ts"
import { generateIdentity, memoryRegistry, retire } from "../../src/Trust/Identity.ts"
import { Signer } from "../../src/Trust/Signed.ts"
import { failureOf, until, withSession } from "./helpers.ts"

const freezeAll: ConsoleCommand = { _tag: "Freeze", scope: everywhere }
const shape = { sectors: 4, clustersPerSector: 5, agentsPerCluster: 10 }
const payload = (c: ConsoleCommand, id = "t-1") => encodeCommand(id, "hydrogen.console.reply.test", c)

describe("console commands are orchestrator-signed; the system verifies before it acts", () => {
  it("unsigned, forged, altered, unknown-key and agent-signed commands are refused by reason, counted, and change nothing", () =>
    withSession({ system: { shape, seed: 1 } }, (s) =>
      Effect.gen(function* () {
        const sign = (id: ReturnType<typeof generateIdentity>, c: ConsoleCommand) => Result.getOrThrow(new Signer(id, 3).sign(payload(c)))
        // 1. unsigned: the command as plain JSON
        yield* s.inject(new TextEncoder().encode(JSON.stringify({ id: "x", replyTo: "hydrogen.console.reply.x", command: freezeAll })))
        // 2. forged: another key claiming the orchestrator's id and revision
        yield* s.inject(sign(generateIdentity("orchestrator", "orchestrator", Date.now() - 1000), freezeAll))
        // 3. altered: a genuinely signed command with one payload byte changed
        const genuine = sign(s.orchestrator, { _tag: "Freeze", scope: { kind: "sector", sector: 1 } })
        const altered = genuine.slice()
        const at = altered.length - 70 // inside the payload (the signature is the last 64 bytes)
        altered[at] = altered[at]! ^ 0x01
        yield* s.inject(altered)
        // 4. a key nobody registered
        yield* s.inject(sign(generateIdentity("mallory", "orchestrator", Date.now() - 1000), freezeAll))
        // 5. a registered agent's key: valid signature, wrong role
        const agent = generateIdentity("agent-7", "agent", Date.now() - 1000)
        s.registry.put(agent.record)
        yield* s.inject(sign(agent, freezeAll))
        yield* until(() => Effect.map(s.counters, (c) => c.malformed + c.badSignature + c.unknownKey + c.notOrchestrator >= 5), 5_000, "5 refusals")
        const c = yield* s.counters
        expect(c).toMatchObject({ malformed: 1, badSignature: 2, unknownKey: 1, notOrchestrator: 1, executed: 0, accepted: 1 })
        const st = yield* s.status
        expect(st.clusters.frozen).toBe(0)
        expect(st.commandsRejected).toBe(5)
        expect(st.box).toContain("Commands rejected: 5")
      })))

  it("a replayed command runs once: the copy is refused as a replay and counted", () =>
    withSession({ system: { shape, seed: 1 } }, (s) =>
      Effect.gen(function* () {
        const bytes = yield* s.sign({ _tag: "Advance", rounds: 1 })
        yield* s.inject(bytes)
        yield* until(() => Effect.map(s.counters, (c) => c.executed === 1), 5_000, "the first copy")
        const once = (yield* s.status).aggregate.sum
        yield* s.inject(bytes)
        yield* until(() => Effect.map(s.counters, (c) => c.replay === 1), 5_000, "the replay refused")
        expect((yield* s.status).aggregate).toMatchObject({ sum: once, round: 1 })
        expect((yield* s.counters).executed).toBe(3) // the advance and the two status commands
      })))

  it("a retired orchestrator key is refused (KeyNotValid) and the session gets a typed CommandRejected", () =>
    withSession({ system: { shape, seed: 1 } }, (s) =>
      Effect.gen(function* () {
        s.registry.put(retire(s.orchestrator.record, Date.now() - 10, 0))
        const e = yield* failureOf(s.run(freezeAll))
        expect(e).toMatchObject({ _tag: "CommandRejected", reason: "KeyNotValid" })
        expect((yield* s.counters).keyNotValid).toBe(1)
      })))

  it("ConsoleHost.receive: each failed check is its typed error", () => {
    const registry = memoryRegistry()
    const boss = generateIdentity("boss", "orchestrator", 0)
    const coordinator = generateIdentity("coord-1", "coordinator", 0)
    registry.put(boss.record)
    registry.put(coordinator.record)
    const host = new ConsoleHost(new MeshSystem({ shape }), registry, () => 1_000)
    const signer = new Signer(boss)
    const reason = (bytes: Uint8Array) => {
      const r = host.receive(bytes)
      return Result.isFailure(r) ? r.failure.reason : "accepted"
    }
    const ok = Result.getOrThrow(signer.sign(payload(freezeAll)))
    expect(reason(ok)).toBe("accepted")
    expect(reason(ok)).toBe("Replayed")
    expect(reason(new Uint8Array([1, 2, 3]))).toBe("MalformedEnvelope")
    expect(reason(Result.getOrThrow(new Signer(coordinator).sign(payload(freezeAll))))).toBe("NotOrchestrator")
    expect(reason(Result.getOrThrow(signer.sign(new TextEncoder().encode("not json"))))).toBe("BadCommand")
    expect(reason(Result.getOrThrow(signer.sign(encodeCommand("i", "r", { _tag: "Freeze" } as unknown as ConsoleCommand))))).toBe("BadCommand")
    expect(host.counters()).toMatchObject({ accepted: 4, replay: 1, malformed: 1, notOrchestrator: 1, badCommand: 2 })
    expect(host.rejected()).toBe(5)
    expect(commandSubject("hydrogen")).toBe("hydrogen.console.cmd")
  })
})
