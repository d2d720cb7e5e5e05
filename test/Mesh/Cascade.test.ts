import { Effect, Exit, Fiber, type Scope } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { makeInProcessServer } from "../../src/Net/InProcess.ts"
import { connectNats } from "../../src/Net/Nats.ts"
import type { Transport } from "../../src/Net/Transport.ts"
import type { AgentClass } from "../../src/Mesh/Arrival.ts"
import { MeshBreakers } from "../../src/Mesh/Breaker.ts"
import {
  type AgentBehaviour, agentId, budgetMs, cascade, type CascadeOrder, type CascadeSpec, clusterId, layoutOf,
  type MeshLayout, type MeshView, onTime, priorityOrder, sectorId, startMesh,
} from "../../src/Mesh/Cascade.ts"
import type { OpMode } from "../../src/Mesh/Degradation.ts"
import { type Ack, encodeWire, makeGatherer, nodeSubject } from "../../src/Mesh/ScatterGather.ts"
import { withNatsServer } from "../Net/helpers.ts"

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

const ok = <A, E>(e: Exit.Exit<A, E>): A => {
  if (Exit.isSuccess(e)) return e.value
  throw new Error(`expected success, got ${String(e.cause)}`)
}

/** Agent a of each cluster has class mix[a % 5]: two of each class but F in a cluster of 10. */
const mix: ReadonlyArray<AgentClass> = ["CLASS_A_EDGE", "CLASS_B_SERVERLESS", "CLASS_C_PERSISTENT", "CLASS_D_GPU", "CLASS_E_LOCAL"]
const small = (shape = { sectors: 2, clustersPerSector: 3, agentsPerCluster: 10 }, cls = (a: number): AgentClass => mix[a % 5]!) =>
  layoutOf(shape, (_s, _c, a) => ({
    agent_class: cls(a),
    current_latency_ms: 20,
    current_queue_depth: 0,
    last_heartbeat_ms: 0,
    reliability_score: 1,
    drift_coefficient: 0,
  }))

const view = (mode: OpMode = "FULL", breakers = new MeshBreakers()): MeshView => ({ mode: () => mode, breakers })

/** `silent` nodes (coordinators or agents) never answer; the rest keep their contract. */
const faulty = (silent: ReadonlySet<string>, base: AgentBehaviour = onTime): AgentBehaviour => (node, req) =>
  silent.has(node.impedance.agent_id) ? Effect.never : base(node, req)

const runCascade = (
  layout: MeshLayout,
  spec: Omit<CascadeSpec, "opId">,
  opts: { readonly view?: MeshView; readonly behaviour?: AgentBehaviour; readonly host?: MeshLayout; readonly down?: ReadonlySet<string>; readonly bus?: (t: Transport) => void } = {},
) => {
  const server = makeInProcessServer()
  const orch = server.connect("orchestrator")
  const mesh = server.connect("mesh")
  opts.bus?.(orch)
  const v = opts.view ?? view()
  return virtual(
    Effect.gen(function* () {
      yield* startMesh(mesh, "m", opts.host ?? layout, v, opts.behaviour ?? onTime, opts.down)
      return yield* cascade({ transport: orch, prefix: "m", nodeId: "orch", view: v }, layout, { opId: "c1", ...spec })
    }),
  )
}

describe("cascade through sector → cluster → agent (in-process bus, TestClock)", () => {
  it("wave: sectors confirmed, then clusters, then agents; 2 × 3 × 10 all reached; levels in order, latency their sum", async () => {
    const r = ok(await runCascade(small(), { strategy: "wave" }))
    expect(r.status).toBe("COMPLETE")
    expect(r.phases.map((p) => p.name)).toEqual(["sectors", "clusters", "agents"])
    expect(r.reached).toEqual({ sectors: 2, clusters: 6, agents: 60 })
    expect(r.levels.sectorMs + r.levels.clusterMs + r.levels.agentMs).toBe(r.latencyMs)
    // every agent is ready at its cluster's T = receipt + the 500 ms agent window: the agent phase is at least that
    expect(r.levels.agentMs).toBeGreaterThanOrEqual(500)
    expect(r.phases[2]!.reach.agentMs).toBe(500)
    // by hand: a coordinator's lead is ⌈2 / 2⌉ + 10 = 11 ms, sent in the 10 ms bucket below T − 11 and
    // answering on receipt: sectors 180 (T 200); clusters 180 + 80 (T 100 after receipt);
    // agents 180 + 80 + 500 (every agent READY at its cluster's T)
    expect(r.levels).toEqual({ sectorMs: 180, clusterMs: 260, agentMs: 760 })
  })

  it("parallel forwards at once: one phase, the same 60 agents, faster than the wave", async () => {
    const wave = ok(await runCascade(small(), { strategy: "wave" }))
    const par = ok(await runCascade(small(), { strategy: "parallel" }))
    expect([par.status, par.phases.length, par.reached.agents]).toEqual(["COMPLETE", 1, 60])
    expect(par.latencyMs).toBeLessThan(wave.latencyMs)
    expect([par.latencyMs, wave.latencyMs]).toEqual([180 + 80 + 500, 1200])
    // the orchestrator's gather holds the sectors' gathers, which hold the clusters'
    expect(par.levels.sectorMs).toBeGreaterThan(par.levels.clusterMs)
    expect(par.levels.clusterMs).toBeGreaterThan(par.levels.agentMs)
  })

  it("priority_first: D, C, B, A, E in the seed's order with its thresholds; CLASS_F is not asked and is reported", async () => {
    const withHumans = small(undefined, (a) => (a === 9 ? "CLASS_F_HUMAN" : mix[a % 5]!))
    const seen: Array<string> = []
    const r = ok(await runCascade(withHumans, { strategy: "priority_first" }, { bus: (t) => void t.subscribe("m.node.>", (_d, s) => seen.push(s)) }))
    expect(r.phases.map((p) => [p.name, p.minAgentRate.num])).toEqual(priorityOrder.map(([c, m]) => [c, m.num]))
    // per cluster of 10 with agent 9 human: A 0,5; B 1,6; C 2,7; D 3,8; E 4 → × 6 clusters
    expect(r.phases.map((p) => p.expectedAgents)).toEqual([12, 12, 12, 12, 6])
    expect(r.phases.map((p) => p.reach.ready)).toEqual([12, 12, 12, 12, 6])
    expect([r.status, r.excluded, r.reached.agents]).toEqual(["COMPLETE", 6, 54])
    const humans = [0, 1].flatMap((s) => [0, 1, 2].map((c) => agentId(s, c, 9)))
    expect(seen.filter((s) => humans.some((h) => s.endsWith(`.${h}`)))).toEqual([])
  })

  it("human-class agents (a minute each) on the TestClock: a 500 ms window SKIPs them all, a 61 s window reaches them", async () => {
    const humans = small({ sectors: 1, clustersPerSector: 2, agentsPerCluster: 5 }, () => "CLASS_F_HUMAN")
    const short = ok(await runCascade(humans, { strategy: "parallel" }))
    expect([short.status, short.reached.agents, short.phases[0]!.reach.stragglers, short.phases[0]!.reach.unsent]).toEqual(["PARTIAL", 0, 0, 10])
    const long = ok(await runCascade(humans, { strategy: "parallel", agentWindowMs: 61_000 }))
    expect([long.status, long.reached.agents]).toEqual(["COMPLETE", 10])
    expect(long.levels.agentMs).toBe(61_000)
  }, 60_000)

  it("a sector outage stops a wave at the sectors: FAILED_AT_SECTOR, nothing sent below", async () => {
    const layout = small()
    const seen: Array<string> = []
    const r = ok(await runCascade(layout, { strategy: "wave" }, { down: new Set([sectorId(1)]), bus: (t) => void t.subscribe("m.node.>", (_d, s) => seen.push(s)) }))
    expect([r.status, r.phases.length]).toEqual(["FAILED_AT_SECTOR", 1])
    expect(r.phases[0]!.sectors.stragglers).toEqual([sectorId(1)])
    expect(seen.filter((s) => s.includes("-C"))).toEqual([])
  })

  it("parallel with a silent cluster: the rest reached, the cluster's agents not waited for past the budget; 50 / 60 < 90 % is PARTIAL", async () => {
    const layout = small()
    const order: CascadeOrder = { depth: "agents", classes: null, clusterWindowMs: 100, agentWindowMs: 500, marginMs: 50, agentMin: { num: 90, den: 100 }, priority: 2 }
    const r = ok(await runCascade(layout, { strategy: "parallel" }, { down: new Set([clusterId(1, 2)]) }))
    expect([r.status, r.reached.clusters, r.reached.agents]).toEqual(["PARTIAL", 5, 50])
    // sector window 200 + its gather budget: the silent cluster delays, never blocks
    expect(r.latencyMs).toBeLessThanOrEqual(200 + budgetMs(order, "sector") + 50)
    // by hand: sector 1 is reached at 180 and gathers to its deadline 180 + 100 + 2 × 500 + 50
    expect(r.latencyMs).toBe(1330)
  })

  it("silent agents are stragglers at their cluster: 57 / 60 meets the wave's 95 % exactly, 56 / 60 does not but meets parallel's 90 %", async () => {
    const silent = (n: number) => new Set(Array.from({ length: n }, (_, a) => agentId(0, 1, a)))
    const w3 = ok(await runCascade(small(), { strategy: "wave" }, { behaviour: faulty(silent(3)) }))
    const w4 = ok(await runCascade(small(), { strategy: "wave" }, { behaviour: faulty(silent(4)) }))
    const p4 = ok(await runCascade(small(), { strategy: "parallel" }, { behaviour: faulty(silent(4)) }))
    expect([w3.status, w3.reached.agents, w3.phases[2]!.reach.stragglers]).toEqual(["COMPLETE", 57, 3])
    expect([w4.status, w4.reached.agents, p4.status, p4.reached.agents]).toEqual(["PARTIAL", 56, "COMPLETE", 56])
  })

  it("an OPEN cluster breaker: no message enters the cluster; its agents are not reached", async () => {
    const breakers = new MeshBreakers()
    breakers.apply({ _tag: "Cluster", cluster: 4 }, { _tag: "Trip", t: 0 }) // sector 1, cluster 1
    const seen: Array<string> = []
    const r = ok(await runCascade(small(), { strategy: "parallel" }, { view: view("FULL", breakers), bus: (t) => void t.subscribe("m.node.>", (_d, s) => seen.push(s)) }))
    expect(seen.filter((s) => s.includes(clusterId(1, 1)))).toEqual([])
    expect(r.reached.agents).toBe(50)
    expect(r.status).toBe("PARTIAL")
  })

  it("a cascade over 1,000 agents is refused in DEGRADED_MODERATE before anything is sent; 900 are admitted", async () => {
    const big = small({ sectors: 2, clustersPerSector: 5, agentsPerCluster: 101 })
    const seen: Array<string> = []
    const refused = await runCascade(big, { strategy: "parallel", priority: 3 }, { view: view("DEGRADED_MODERATE"), host: { sectors: [] }, bus: (t) => void t.subscribe(">", (_d, s) => seen.push(s)) })
    expect(Exit.isFailure(refused) && JSON.stringify(refused.cause).includes("ScatterTooLarge")).toBe(true)
    expect(Exit.isFailure(refused) && JSON.stringify(refused.cause).includes('"requested":1010')).toBe(true)
    expect(seen).toEqual([])
    const fits = small({ sectors: 2, clustersPerSector: 3, agentsPerCluster: 150 })
    const r = ok(await runCascade(fits, { strategy: "parallel", priority: 3 }, { view: view("DEGRADED_MODERATE") }))
    expect([r.status, r.reached.agents]).toEqual(["COMPLETE", 900])
  })

  it("a coordinator sent an undecodable cascade order answers CONFLICT and sends nothing down", async () => {
    const server = makeInProcessServer()
    const bus = server.connect("x")
    const seen: Array<string> = []
    bus.subscribe("m.node.>", (_d, s) => seen.push(s))
    const acks: Array<Ack> = []
    bus.subscribe("m.reply.probe", (d) => acks.push(JSON.parse(new TextDecoder().decode(d)) as Ack))
    ok(await virtual(Effect.gen(function* () {
      yield* startMesh(bus, "m", small(), view())
      bus.publish(nodeSubject("m", sectorId(0)), encodeWire({ type: "COORDINATE", op_id: "bad", agent_id: sectorId(0), reply_to: "m.reply.probe", target_arrival_ms: 0, payload_weight: 0, payload: { cascade: { depth: "everything" } } }))
      yield* Effect.promise(() => server.settle())
      yield* Effect.sleep(5)
      yield* Effect.promise(() => server.settle())
    })))
    expect(acks.map((a) => [a.agent_id, a.trinary_state])).toEqual([[sectorId(0), -1]])
    expect(seen).toEqual([`m.node.${sectorId(0)}`])
  })
})

describe("cascade on a real nats-server (wall clock)", () => {
  it("the same code over NATS: wave and parallel reach all 60 agents of 2 × 3 × 10 (edge class, generous windows)", async () => {
    await withNatsServer(async (server) => {
      const orch = await connectNats({ servers: server.url, name: "orchestrator" })
      const mesh = await connectNats({ servers: server.url, name: "mesh" })
      try {
        const layout = small(undefined, () => "CLASS_A_EDGE")
        const v = view()
        // generous windows: this machine is shared and loaded; the test is about reach, not speed
        const windows = { sectorWindowMs: 300, clusterWindowMs: 300, agentWindowMs: 400, marginMs: 300 }
        const results = await Effect.runPromise(
          Effect.scoped(
            Effect.gen(function* () {
              yield* startMesh(mesh, "live", layout, v)
              yield* Effect.promise(() => mesh.flush())
              yield* makeGatherer(orch, "live", "warm")
              const env = { transport: orch, prefix: "live", nodeId: "orch", view: v }
              const wave = yield* Effect.scoped(cascade(env, layout, { opId: "w1", strategy: "wave", ...windows }))
              const par = yield* Effect.scoped(cascade(env, layout, { opId: "p1", strategy: "parallel", ...windows }))
              return { wave, par }
            }),
          ),
        )
        expect([results.wave.status, results.wave.reached]).toEqual(["COMPLETE", { sectors: 2, clusters: 6, agents: 60 }])
        expect([results.par.status, results.par.reached.agents]).toEqual(["COMPLETE", 60])
        expect(results.wave.levels.agentMs).toBeGreaterThanOrEqual(400)
      } finally {
        await orch.close()
        await mesh.close()
      }
    }, { jetstream: false })
  }, 30_000)
})
