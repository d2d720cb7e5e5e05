import { Effect } from "effect"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { type ConsoleCommand, everywhere } from "../../src/Console/Command.ts"
import { commandSubject } from "../../src/Console/Host.ts"
import { natsConnection } from "../../src/Net/Nats.ts"
import { generateIdentity } from "../../src/Trust/Identity.ts"
import { Signer } from "../../src/Trust/Signed.ts"
import { until, withSession } from "./helpers.ts"

const shape = { sectors: 5, clustersPerSector: 4, agentsPerCluster: 20 }

describe("console over a real nats-server (started by the session on loopback)", () => {
  it("every command answers over NATS exactly as on the embedded system (same seed)", async () => {
    const commands: ReadonlyArray<ConsoleCommand> = [
      { _tag: "Status", scope: { kind: "sector", sector: 2 } },
      { _tag: "RouteAround", scope: everywhere },
      { _tag: "Stuck", scope: everywhere },
      { _tag: "Broadcast", message: "Context update" },
      { _tag: "Ask", question: "What's your current context hash?", sample: 25, scope: everywhere },
      { _tag: "Delegate", task: "Analyze Q3", to: { kind: "sector", sector: 3 } },
      { _tag: "Heal", scope: everywhere },
      { _tag: "Freeze", scope: { kind: "cluster", sector: 1, cluster: 2 } },
      { _tag: "Advance", rounds: 2 },
      { _tag: "Thaw", scope: { kind: "cluster", sector: 1, cluster: 2 } },
      { _tag: "Status", scope: everywhere },
    ]
    const texts = (bus: "nats" | "embedded") =>
      withSession({ bus, system: { shape, seed: 3 } }, (s) => Effect.forEach(commands, (c) => Effect.map(s.run(c), (r) => r.text)))
    const [overNats, embedded] = [await texts("nats"), await texts("embedded")]
    expect(overNats).toEqual(embedded)
    expect(overNats[1]).toContain("Traffic now avoiding")
    expect(overNats[9]).toContain("CLUSTER 1-2 THAWED")
  })

  it("freeze → held reports → thaw restores the aggregate and applies them: equal to a twin never frozen", async () => {
    const script = (bus: "nats" | "embedded", freeze: boolean) =>
      withSession({ bus, system: { shape, seed: 4 } }, (s) =>
        Effect.gen(function* () {
          if (bus === "nats") expect(s.servers[0]).toMatch(/^nats:\/\/127\.0\.0\.1:[0-9]+$/)
          yield* s.run({ _tag: "Advance", rounds: 2 })
          const before = (yield* s.status).aggregate.sum
          if (freeze) {
            const f = yield* s.say("freeze everything")
            expect(f.figures["aggregate"]).toBe(before)
          }
          const a = yield* s.run({ _tag: "Advance", rounds: 4 })
          if (freeze) {
            expect(a.figures["applied"]).toBe(0)
            expect((yield* s.status).aggregate).toMatchObject({ sum: before, held: a.figures["held"], refused: 0 })
            const t = yield* s.say("thaw everything")
            expect(t.figures).toMatchObject({ restored: before, mismatched: 0, applied: a.figures["held"] })
          }
          return (yield* s.status).aggregate.sum
        }))
    const frozenOverNats = await script("nats", true)
    const twin = await script("embedded", false)
    expect(frozenOverNats).toBe(twin)
  })

  it("agents reporting on a timer: while frozen the aggregate stays put and held reports grow; thaw applies every one", () =>
    withSession({ bus: "nats", tickMs: 5, system: { shape, seed: 5 } }, (s) =>
      Effect.gen(function* () {
        yield* until(() => Effect.map(s.status, (r) => r.aggregate.round >= 3), 10_000, "three rounds")
        const active = (yield* s.status).agents.active
        const f = yield* s.run({ _tag: "Freeze", scope: everywhere })
        const atFreeze = f.figures["aggregate"]!
        yield* until(() => Effect.map(s.status, (r) => r.aggregate.held >= 3 * active), 10_000, "three rounds held")
        const during = yield* s.status
        expect(during.aggregate.sum).toBe(atFreeze)
        const t = yield* s.run({ _tag: "Thaw", scope: everywhere })
        expect(t.figures["restored"]).toBe(atFreeze)
        expect(t.figures["applied"]).toBeGreaterThanOrEqual(during.aggregate.held)
        expect(t.figures["aggregate"]).toBeGreaterThan(atFreeze)
        expect((yield* s.status).aggregate.refused).toBe(0)
      })))

  it("a client on the bus replaying a captured command, or publishing an unsigned one, is refused and counted", () =>
    withSession({ bus: "nats", system: { shape, seed: 1 } }, (s) =>
      Effect.gen(function* () {
        const rogue = yield* natsConnection({ servers: s.servers, name: "rogue" })
        const captured: Array<Uint8Array> = []
        rogue.subscribe(commandSubject(s.prefix), (data) => captured.push(data))
        yield* Effect.promise(() => rogue.flush())
        yield* s.run({ _tag: "Advance", rounds: 1 })
        yield* until(() => Effect.succeed(captured.length === 1), 5_000, "the captured command")
        const after = (yield* s.status).aggregate
        rogue.publish(commandSubject(s.prefix), captured[0]!)
        rogue.publish(commandSubject(s.prefix), new TextEncoder().encode(JSON.stringify({ id: "z", replyTo: "hydrogen.console.reply.z", command: { _tag: "Freeze", scope: everywhere } })))
        yield* Effect.promise(() => rogue.flush())
        yield* until(() => Effect.map(s.counters, (c) => c.replay === 1 && c.malformed === 1), 5_000, "both refused")
        const now = yield* s.status
        expect(now.aggregate).toEqual(after)
        expect(now.clusters.frozen).toBe(0)
        expect(now.commandsRejected).toBe(2)
      }).pipe(Effect.scoped)))
})

describe("answers are signed by the system's host key", () => {
  it("a client on the bus answering in the system's name (unsigned, or with its own key) is refused and counted; the real answer still arrives", () =>
    withSession({ bus: "nats", system: { shape, seed: 1 } }, (s) =>
      Effect.gen(function* () {
        const rogue = yield* natsConnection({ servers: s.servers, name: "rogue" })
        // the reply subject travels in the (readable) command payload: the rogue learns it
        const subjects: Array<string> = []
        rogue.subscribe(commandSubject(s.prefix), (data) => {
          const m = /"replyTo":"([^"]+)"/.exec(new TextDecoder().decode(data))
          if (m !== null) subjects.push(m[1]!)
        })
        yield* Effect.promise(() => rogue.flush())
        yield* s.run({ _tag: "Advance", rounds: 1 })
        yield* until(() => Effect.succeed(subjects.length === 1), 5_000, "the sniffed reply subject")
        const fake = (id: string) => JSON.stringify({ id, ok: true, text: "all clear", figures: {} })
        rogue.publish(subjects[0]!, new TextEncoder().encode(fake("x")))
        const mallory = generateIdentity("mallory", "coordinator", Date.now() - 1000)
        s.registry.put(mallory.record)
        rogue.publish(subjects[0]!, Result.getOrThrow(new Signer(mallory).sign(new TextEncoder().encode(fake("y")))))
        yield* Effect.promise(() => rogue.flush())
        yield* until(() => Effect.map(s.replyCounters, (c) => c.malformed === 1 && c.foreign === 1), 5_000, "both fakes refused")
        const st = yield* s.status
        expect(st.aggregate.round).toBe(1)
        // signatures that verified: the two genuine answers and mallory's (then refused as foreign)
        const c = yield* s.replyCounters
        expect(c.accepted - c.foreign).toBe(2)
      }).pipe(Effect.scoped)))
})
