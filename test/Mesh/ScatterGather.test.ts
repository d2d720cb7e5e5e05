import fc from "fast-check"
import { Effect, Exit, Fiber, type Scope } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { makeInProcessServer, type InProcessServer } from "../../src/Net/InProcess.ts"
import type { Transport } from "../../src/Net/Transport.ts"
import { type AgentClass, type AgentImpedance, processingMs } from "../../src/Mesh/Arrival.ts"
import { MeshBreakers } from "../../src/Mesh/Breaker.ts"
import type { OpMode } from "../../src/Mesh/Degradation.ts"
import {
  type Ack, acceptOne, encodeWire, gathered, gatherStatus, makeGatherer, nodeSubject, replySubject,
  type ScatterSpec, scatterGather, serveNode, type Target,
} from "../../src/Mesh/ScatterGather.ts"
import type { Vote } from "../../src/Mesh/Trinary.ts"
import { withNatsServer } from "../Net/helpers.ts"
import { connectNats } from "../../src/Net/Nats.ts"

const macrotask = () => new Promise<void>((r) => setImmediate(r))

/** Runs `eff` on the TestClock: 1 virtual ms per step, after the bus has delivered what is queued. */
const virtual = <A, E>(eff: Effect.Effect<A, E, Scope.Scope>, maxMs = 120_000) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const f = yield* Effect.forkChild(Effect.scoped(eff))
        for (let t = 0; t <= maxMs; t++) {
          for (let i = 0; i < 3; i++) yield* Effect.promise(macrotask)
          if (f.pollUnsafe() !== undefined) break
          yield* TestClock.adjust(1)
        }
        return yield* Fiber.await(f)
      }),
    ).pipe(Effect.provide(TestClock.layer())),
  )

const record = (id: string, cls: AgentClass, latency = 20): AgentImpedance => ({
  agent_id: id,
  agent_class: cls,
  current_latency_ms: latency,
  current_queue_depth: 0,
  last_heartbeat_ms: 0,
  reliability_score: 1,
  drift_coefficient: 0,
})

/** 30 agents in 3 clusters of sector 0: A0 … A29, cluster = a / 10. */
const agents = (n = 30, cls: (a: number) => AgentClass = () => "CLASS_B_SERVERLESS"): ReadonlyArray<Target> =>
  Array.from({ length: n }, (_, a) => ({ addr: { sector: 0, cluster: Math.floor(a / 10) }, impedance: record(`A${a}`, cls(a)) }))

type Fault = { readonly silent?: boolean; readonly lateMs?: number; readonly vote?: Vote }

/** Agents that keep their contract (ready at one-way latency + class processing), with faults by id. */
const serveAgents = (bus: Transport, targets: ReadonlyArray<Target>, faults: Record<string, Fault> = {}) =>
  Effect.forEach(targets, (t) =>
    serveNode(bus, "m", t.impedance.agent_id, () => {
      const f = faults[t.impedance.agent_id] ?? {}
      const ms = Math.ceil(t.impedance.current_latency_ms / 2) + processingMs(t.impedance.agent_class, 0, 0) + (f.lateMs ?? 0)
      return f.silent === true ? Effect.never : Effect.as(Effect.sleep(ms), { state: f.vote ?? 1 })
    }),
  )

const run = (
  server: InProcessServer,
  spec: Omit<ScatterSpec, "opId"> & { readonly opId?: string },
  opts: { readonly faults?: Record<string, Fault>; readonly mode?: OpMode; readonly breakers?: MeshBreakers; readonly serve?: ReadonlyArray<Target> } = {},
) => {
  const bus = server.connect("orchestrator")
  const mesh = server.connect("mesh")
  return virtual(
    Effect.gen(function* () {
      yield* serveAgents(mesh, opts.serve ?? spec.targets, opts.faults)
      const gatherer = yield* makeGatherer(bus, "m", "orch")
      const env = { transport: bus, prefix: "m", gatherer, mode: opts.mode ?? "FULL", breakers: opts.breakers ?? new MeshBreakers() }
      return yield* scatterGather(env, { opId: "op1", ...spec })
    }),
  )
}

const ok = <A, E>(e: Exit.Exit<A, E>): A => {
  if (Exit.isSuccess(e)) return e.value
  throw new Error(`expected success, got ${String(e.cause)}`)
}

const ratio = fc.record({ num: fc.integer({ min: 0, max: 1000 }), den: fc.integer({ min: 1, max: 1000 }) })
const n = fc.integer({ min: 0, max: 100_000 })

describe("gatherStatus (the verdict)", () => {
  // @lean Hydrogen.Mesh.gatherStatus_failed_iff
  it("gatherStatus_failed_iff: FAILED exactly when no READY response came back", () => {
    fc.assert(fc.property(ratio, n, n, (min, targets, ready) => (gatherStatus(min, targets, ready) === "FAILED") === (ready === 0)), { numRuns: 2000 })
  })

  // @lean Hydrogen.Mesh.gatherStatus_complete_iff
  it("gatherStatus_complete_iff: COMPLETE exactly when some READY and num·targets ≤ ready·den", () => {
    fc.assert(
      fc.property(ratio, n, n, (min, targets, ready) =>
        (gatherStatus(min, targets, ready) === "COMPLETE") === (ready > 0 && min.num * targets <= ready * min.den)),
      { numRuns: 2000 },
    )
  })

  // @lean Hydrogen.Mesh.gatherStatus_partial_iff
  it("gatherStatus_partial_iff: PARTIAL exactly when some READY but ready·den < num·targets", () => {
    fc.assert(
      fc.property(ratio, n, n, (min, targets, ready) =>
        (gatherStatus(min, targets, ready) === "PARTIAL") === (ready > 0 && ready * min.den < min.num * targets)),
      { numRuns: 2000 },
    )
  })

  // @lean Hydrogen.Mesh.gatherStatus_all_ready
  it("gatherStatus_all_ready: every target READY with a minimum ≤ 1 is COMPLETE", () => {
    const atMostOne = ratio.filter((r) => r.num <= r.den)
    fc.assert(fc.property(atMostOne, fc.integer({ min: 1, max: 100_000 }), (min, t) => gatherStatus(min, t, t) === "COMPLETE"))
  })

  it("the seed's 95 %: 95 of 100 is COMPLETE, 94 is PARTIAL, none is FAILED (the seed divides by zero)", () => {
    const min = { num: 95, den: 100 }
    expect([gatherStatus(min, 100, 95), gatherStatus(min, 100, 94), gatherStatus(min, 100, 0), gatherStatus(min, 0, 0)]).toEqual([
      "COMPLETE", "PARTIAL", "FAILED", "FAILED",
    ])
  })
})

describe("acceptOne (the gathered set)", () => {
  const id = fc.constantFrom<string>("a", "b", "c", "d", "e", "f")
  const ids = fc.array(id, { maxLength: 30 })
  // @lean Hydrogen.Mesh.mem_gathered
  it("mem_gathered: a is gathered iff it was sent to and it answered", () => {
    fc.assert(fc.property(ids, ids, id, (e, rs, a) =>
      gathered(e, rs).includes(a) === (e.includes(a) && rs.includes(a))))
  })

  // @lean Hydrogen.Mesh.gathered_subset
  it("gathered_subset: nothing from outside the scatter is gathered", () => {
    fc.assert(fc.property(ids, ids, (e, rs) => gathered(e, rs).every((a) => e.includes(a))))
  })

  // @lean Hydrogen.Mesh.mem_foldl_acceptOne
  it("mem_foldl_acceptOne: from a start set, a is in the result iff it was there or was sent to and answered", () => {
    const start = fc.uniqueArray(id, { maxLength: 6 })
    fc.assert(fc.property(ids, ids, start, id, (e, rs, from, a) =>
      gathered(e, rs, from).includes(a) === (from.includes(a) || (e.includes(a) && rs.includes(a)))))
  })

  // @lean Hydrogen.Mesh.nodup_foldl_acceptOne
  it("nodup_foldl_acceptOne: from a start set without repeats, the result has none", () => {
    const start = fc.uniqueArray(id, { maxLength: 6 })
    fc.assert(fc.property(ids, ids, start, (e, rs, from) => new Set(gathered(e, rs, from)).size === gathered(e, rs, from).length))
  })

  it("acceptOne names why a response is left out, and gathered keeps Lean's order (newest first)", () => {
    expect([acceptOne(new Set(["a"]), new Set(), "b"), acceptOne(new Set(["a"]), new Set(["a"]), "a"), acceptOne(new Set(["a"]), new Set(), "a")]).toEqual([
      "UnexpectedResponder", "DuplicateResponse", "accepted",
    ])
    expect(gathered(["a", "b", "c"], ["b", "x", "a", "b", "c"])).toEqual(["c", "a", "b"])
  })

  // @lean Hydrogen.Mesh.gathered_nodup
  it("gathered_nodup: each target is gathered at most once", () => {
    fc.assert(fc.property(ids, ids, (e, rs) => new Set(gathered(e, rs)).size === gathered(e, rs).length))
  })
})

describe("scatterGather on the in-process bus (TestClock)", () => {
  it("30 agents keeping their contract: COMPLETE, all READY at T, closed as the last arrives", async () => {
    const r = ok(await run(makeInProcessServer(), { targets: agents(), arrivalWindowMs: 500 }))
    // lead = ⌈20 / 2⌉ + 50 = 60 ms: each is sent at 440 and ready at T = 500
    expect(r.status).toBe("COMPLETE")
    expect(r.recommendation).toBeUndefined()
    expect(r.ready).toHaveLength(30)
    expect(r.ready.every((x) => x.readyAt === 500 && x.processingMs === 60)).toBe(true)
    expect([r.startedAt, r.targetAt, r.closedAt, r.closedEarly]).toEqual([0, 500, 500, true])
    expect(r.stragglers).toEqual([])
  })

  it("stragglers are noted and never waited for past T + gather window; 27 of 30 is PARTIAL with the seed's recommendation", async () => {
    const faults = { A3: { silent: true }, A14: { silent: true }, A25: { lateMs: 10_000 } }
    const r = ok(await run(makeInProcessServer(), { targets: agents(), arrivalWindowMs: 500, gatherWindowMs: 300 }, { faults }))
    expect(r.status).toBe("PARTIAL")
    expect(r.recommendation).toBe("retry_with_larger_window")
    expect([...r.stragglers].sort()).toEqual(["A14", "A25", "A3"])
    expect(r.ready).toHaveLength(27)
    expect(r.responseRate).toBeCloseTo(0.9)
    expect([r.closedAt, r.closedEarly]).toEqual([800, false])
  })

  it("28 READY of 30 with 2 CONFLICTs and no straggler: PARTIAL, recommending conflict resolution; at 90 % it is COMPLETE", async () => {
    const faults = { A7: { vote: -1 as Vote }, A8: { vote: -1 as Vote } }
    const r = ok(await run(makeInProcessServer(), { targets: agents() }, { faults }))
    expect([r.status, r.recommendation]).toEqual(["PARTIAL", "resolve_conflicts"])
    expect(r.conflicts.map((c) => c.agentId).sort()).toEqual(["A7", "A8"])
    const r90 = ok(await run(makeInProcessServer(), { targets: agents(), minResponseRate: { num: 90, den: 100 } }, { faults }))
    expect(r90.status).toBe("COMPLETE")
  })

  it("agents whose lead exceeds the window are SKIPped (would need, available), not sent, and count against the rate", async () => {
    const targets = agents(30, (a) => (a < 2 ? "CLASS_F_HUMAN" : "CLASS_A_EDGE"))
    const server = makeInProcessServer()
    const r = ok(await run(server, { targets, arrivalWindowMs: 500 }))
    expect(r.skipped).toEqual([
      { agentId: "A0", wouldNeedMs: 10 + 60_000, availableMs: 500 },
      { agentId: "A1", wouldNeedMs: 10 + 60_000, availableMs: 500 },
    ])
    expect(r.sent).toHaveLength(28)
    expect(r.status).toBe("PARTIAL") // 28 / 30 < 95 %
  })

  it("nothing routable: FAILED, recommending a look at breakers and lead times", async () => {
    const breakers = new MeshBreakers()
    breakers.apply({ _tag: "Sector", sector: 0 }, { _tag: "Trip", t: 0 })
    const r = ok(await run(makeInProcessServer(), { targets: agents() }, { breakers }))
    expect([r.status, r.recommendation, r.sent.length, r.unroutable.length]).toEqual(["FAILED", "check_breakers_and_lead_time", 0, 30])
  })
})

describe("restrictions: degradation and breakers", () => {
  it("a scatter over 1,000 agents is refused in DEGRADED_MODERATE before anything is sent; 1,000 is admitted", async () => {
    const server = makeInProcessServer()
    const big = agents(1001, () => "CLASS_A_EDGE")
    const refused = await run(server, { targets: big }, { mode: "DEGRADED_MODERATE", serve: [] })
    expect(Exit.isFailure(refused)).toBe(true)
    const err = Exit.isFailure(refused) ? JSON.stringify(refused.cause) : ""
    expect(err).toContain("ScatterTooLarge")
    expect(err).toContain("1001")
    expect(server.stats.published).toBe(0)
    const admitted = ok(await run(makeInProcessServer(), { targets: big.slice(0, 1000) }, { mode: "DEGRADED_MODERATE", serve: [] }))
    expect([admitted.sent.length, admitted.status]).toEqual([1000, "FAILED"])
  })

  it("non-urgent scatters are queued in DEGRADED_MODERATE and background ones refused in DEGRADED_LIGHT", async () => {
    const q = await run(makeInProcessServer(), { targets: agents(), priority: 1 }, { mode: "DEGRADED_MODERATE" })
    expect(Exit.isFailure(q) && JSON.stringify(q.cause).includes("ScatterQueued")).toBe(true)
    const b = await run(makeInProcessServer(), { targets: agents(), priority: 0 }, { mode: "DEGRADED_LIGHT" })
    expect(Exit.isFailure(b) && JSON.stringify(b.cause).includes("BackgroundDisabled")).toBe(true)
  })

  it("no message is routed into an OPEN cluster; in DEGRADED_MODERATE none into a sector that is not CLOSED", async () => {
    const server = makeInProcessServer()
    const spy = server.connect("spy")
    const seen: Array<string> = []
    spy.subscribe("m.node.>", (_d, subject) => seen.push(subject.slice("m.node.".length)))
    const breakers = new MeshBreakers()
    breakers.apply({ _tag: "Cluster", cluster: 1 }, { _tag: "Trip", t: 0 })
    const r = ok(await run(server, { targets: agents() }, { breakers }))
    const inCluster1 = agents().slice(10, 20).map((t) => t.impedance.agent_id)
    expect([...r.unroutable].sort()).toEqual([...inCluster1].sort())
    expect(seen.filter((id) => inCluster1.includes(id))).toEqual([])
    expect(seen).toHaveLength(20)

    const half = new MeshBreakers()
    half.apply({ _tag: "Sector", sector: 0 }, { _tag: "Trip", t: 0 })
    half.apply({ _tag: "Sector", sector: 0 }, { _tag: "Probe", t: half.state({ _tag: "Sector", sector: 0 }).dueAt, ok: true })
    expect(half.sector(0)).toBe("HALF_OPEN")
    const full = ok(await run(makeInProcessServer(), { targets: agents() }, { breakers: half, mode: "FULL" }))
    const moderate = ok(await run(makeInProcessServer(), { targets: agents() }, { breakers: half, mode: "DEGRADED_MODERATE" }))
    expect([full.sent.length, moderate.sent.length, moderate.unroutable.length]).toEqual([30, 0, 30])
  })
})

describe("bad input on the bus: typed, counted, nothing corrupted", () => {
  const ack = (over: Partial<Ack>): Uint8Array =>
    encodeWire({ type: "ACK", op_id: "op1", agent_id: "A0", trinary_state: 1, actual_arrival_ms: 0, processing_time_ms: 0, ...over })

  it("malformed, unknown-operation, unexpected, duplicate and late responses are rejected with their names", async () => {
    const server = makeInProcessServer()
    const bus = server.connect("orchestrator")
    const rogue = server.connect("rogue")
    const mesh = server.connect("mesh")
    const exit = await virtual(
      Effect.gen(function* () {
        const targets = agents(3)
        yield* serveAgents(mesh, targets, { A2: { silent: true } })
        const gatherer = yield* makeGatherer(bus, "m", "orch")
        const to = replySubject("m", "orch")
        const inject = Effect.gen(function* () {
          yield* Effect.sleep(100)
          rogue.publish(to, new TextEncoder().encode("{not json"))
          rogue.publish(to, encodeWire({ type: "ACK", op_id: "op1", agent_id: "A1", trinary_state: 7, actual_arrival_ms: -1, processing_time_ms: 0 } as unknown as Ack))
          rogue.publish(to, ack({ op_id: "nope" }))
          rogue.publish(to, ack({ agent_id: "A99" }))
          rogue.publish(to, ack({ agent_id: "A2", trinary_state: -1 }))
          rogue.publish(to, ack({ agent_id: "A2" }))
        })
        yield* Effect.forkChild(inject)
        const r = yield* scatterGather({ transport: bus, prefix: "m", gatherer, mode: "FULL", breakers: new MeshBreakers() }, { opId: "op1", targets })
        rogue.publish(to, ack({ agent_id: "A0" }))
        yield* Effect.promise(() => server.settle())
        return { r, stats: gatherer.stats(), rejections: gatherer.rejections() }
      }),
    )
    const { r, stats, rejections } = ok(exit)
    // A2 (silent itself) has a forged CONFLICT kept: the gatherer cannot tell a forgery (signatures are src/Trust's job); the second is the duplicate
    expect(r.conflicts.map((x) => x.agentId)).toEqual(["A2"])
    expect(r.ready.map((x) => x.agentId).sort()).toEqual(["A0", "A1"])
    expect(stats).toEqual({ accepted: 3, MalformedResponse: 2, UnknownOperation: 1, UnexpectedResponder: 1, DuplicateResponse: 1, LateResponse: 1 })
    const malformed = rejections.filter((x) => x._tag === "MalformedResponse")
    expect(malformed[0]!.issues[0]!.field).toBe("(bytes)")
    expect(malformed[1]!.issues.map((i) => i.field).sort()).toEqual(["actual_arrival_ms", "trinary_state"])
    expect(rejections.find((x) => x._tag === "UnknownOperation")).toMatchObject({ opId: "nope", agentId: "A0" })
  })

  it("a responder counts malformed and misaddressed requests and answers neither", async () => {
    const server = makeInProcessServer()
    const bus = server.connect("x")
    const exit = await virtual(
      Effect.gen(function* () {
        const node = yield* serveNode(bus, "m", "A0", () => Effect.succeed({ state: 1 as Vote }))
        const replies: Array<string> = []
        bus.subscribe("m.reply.>", (_d, s) => replies.push(s))
        bus.publish(nodeSubject("m", "A0"), new TextEncoder().encode(JSON.stringify({ type: "COORDINATE", op_id: "o", agent_id: "A0" })))
        bus.publish(nodeSubject("m", "A0"), encodeWire({ type: "COORDINATE", op_id: "o", agent_id: "A1", reply_to: "m.reply.z", target_arrival_ms: 0, payload_weight: 0, payload: null }))
        bus.publish(nodeSubject("m", "A0"), encodeWire({ type: "COORDINATE", op_id: "o", agent_id: "A0", reply_to: "m.reply.z", target_arrival_ms: 0, payload_weight: 0, payload: null }))
        yield* Effect.promise(() => server.settle())
        yield* Effect.sleep(1)
        yield* Effect.promise(() => server.settle())
        return { stats: node.stats(), replies }
      }),
    )
    expect(ok(exit)).toEqual({ stats: { received: 1, malformed: 1, misaddressed: 1 }, replies: ["m.reply.z"] })
  })

  it("an invalid scatter (duplicate target, bad op id, rate above 1, an id already open) fails naming the field", async () => {
    const dup = [...agents(2), agents(1)[0]!]
    const cases: Array<[Omit<ScatterSpec, "opId"> & { opId?: string }, string]> = [
      [{ targets: dup }, "targets.2.impedance.agent_id"],
      [{ opId: "a.b", targets: agents(2) }, "opId"],
      [{ targets: agents(2), minResponseRate: { num: 3, den: 2 } }, "minResponseRate"],
    ]
    for (const [spec, field] of cases) {
      const e = await run(makeInProcessServer(), spec)
      expect(Exit.isFailure(e) && JSON.stringify(e.cause).includes(`"field":"${field}"`)).toBe(true)
    }
    // the same id twice at once: the second is refused, the first runs
    const server = makeInProcessServer()
    const bus = server.connect("o")
    const both = ok(await virtual(Effect.gen(function* () {
      const gatherer = yield* makeGatherer(bus, "m", "orch")
      const env = { transport: bus, prefix: "m", gatherer, mode: "FULL" as const, breakers: new MeshBreakers() }
      const first = yield* Effect.forkChild(scatterGather(env, { opId: "same", targets: agents(2) }))
      yield* Effect.sleep(10)
      const second = yield* Effect.exit(scatterGather(env, { opId: "same", targets: agents(2) }))
      return { first: yield* Fiber.await(first), second }
    })))
    expect(Exit.isSuccess(both.first)).toBe(true)
    expect(Exit.isFailure(both.second) && JSON.stringify(both.second.cause).includes("an operation with this id is open")).toBe(true)
  })
})

describe("scatterGather on a real nats-server (wall clock)", () => {
  it("the same code: 30 agents COMPLETE; with 3 silent agents PARTIAL, stragglers named, closed at the deadline", async () => {
    await withNatsServer(async (server) => {
      const orch = await connectNats({ servers: server.url, name: "orchestrator" })
      const mesh = await connectNats({ servers: server.url, name: "mesh" })
      try {
        const targets = agents(30, () => "CLASS_A_EDGE")
        const once = (opId: string, faults: Record<string, Fault>) =>
          Effect.runPromise(
            Effect.scoped(
              Effect.gen(function* () {
                yield* serveAgents(mesh, targets, faults)
                yield* Effect.promise(() => mesh.flush())
                const gatherer = yield* makeGatherer(orch, "m", "orch")
                yield* Effect.promise(() => orch.flush())
                return yield* scatterGather(
                  { transport: orch, prefix: "m", gatherer, mode: "FULL", breakers: new MeshBreakers() },
                  { opId, targets, arrivalWindowMs: 400, gatherWindowMs: 600 },
                )
              }),
            ),
          )
        const all = await once("live1", {})
        expect([all.status, all.ready.length, all.closedEarly]).toEqual(["COMPLETE", 30, true])
        const some = await once("live2", { A1: { silent: true }, A2: { silent: true }, A3: { silent: true } })
        expect([some.status, some.recommendation, [...some.stragglers].sort()]).toEqual(["PARTIAL", "retry_with_larger_window", ["A1", "A2", "A3"]])
        expect(some.closedAt - some.targetAt).toBeGreaterThanOrEqual(600)
      } finally {
        await orch.close()
        await mesh.close()
      }
    }, { jetstream: false })
  }, 30_000)
})
