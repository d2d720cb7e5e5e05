/**
 * Hierarchical cascades (seed 002, Part 3.3) through the tree orchestrator →
 * sectors → clusters → agents, every hop a ScatterGather, so arrival windows,
 * stragglers, degradation and breakers apply at each level. Timed by Effect's
 * Clock: the TestClock in tests, the wall clock live.
 *
 * - `wave`: one level per phase, each confirmed before the next (sectors at
 *   98 %, else FAILED_AT_SECTOR; then clusters; then agents).
 * - `parallel`: one phase; every coordinator forwards at once, 90 % of agents.
 * - `priority_first`: one phase per class, D, C, B, A, E at 99 / 98 / 95 / 90 /
 *   85 %, continuing past a short phase. The seed's list has no CLASS_F; those
 *   agents are not asked and are reported as `excluded`.
 *
 * The seed's `parallel` and `priority_first` scatter from the orchestrator to
 * every agent; here they go through the tree, so no node sends more than its
 * children's count.
 */
import { Clock, Effect, Schema, type Scope } from "effect"
import * as Result from "effect/Result"
import type { Transport } from "../Net/Transport.ts"
import { type AgentClass, type AgentImpedance, agentClasses, oneWayMs, processingMs } from "./Arrival.ts"
import type { Addr, Breakers } from "./Breaker.ts"
import type { OpMode } from "./Degradation.ts"
import {
  type Answer, type Coordinate, type GatherResult, type Reach, type ScatterError, type Target,
  makeGatherer, scatterGather, serveNode,
} from "./ScatterGather.ts"
import type { Ratio, Vote } from "./Trinary.ts"

export interface MeshNode {
  readonly addr: Addr
  readonly impedance: AgentImpedance
}
export interface ClusterLayout {
  readonly lead: MeshNode
  readonly agents: ReadonlyArray<MeshNode>
}
export interface SectorLayout {
  readonly coordinator: MeshNode
  readonly clusters: ReadonlyArray<ClusterLayout>
}
export interface MeshLayout {
  readonly sectors: ReadonlyArray<SectorLayout>
}

export const sectorId = (s: number): string => `S${s}`
export const clusterId = (s: number, c: number): string => `S${s}-C${c}`
export const agentId = (s: number, c: number, a: number): string => `S${s}-C${c}-A${a}`

/** A coordinator's record: an edge-class node with `latencyMs` round trip. */
export const coordinatorImpedance = (id: string, latencyMs = 2): AgentImpedance => ({
  agent_id: id,
  agent_class: "CLASS_A_EDGE",
  current_latency_ms: latencyMs,
  current_queue_depth: 0,
  last_heartbeat_ms: 0,
  reliability_score: 1,
  drift_coefficient: 0,
})

/** The mixed hierarchy with `agent(s, c, a)` giving each agent's record (its id is set here). */
export const layoutOf = (
  shape: { readonly sectors: number; readonly clustersPerSector: number; readonly agentsPerCluster: number },
  agent: (s: number, c: number, a: number) => Omit<AgentImpedance, "agent_id">,
): MeshLayout => ({
  sectors: Array.from({ length: shape.sectors }, (_, s) => ({
    coordinator: { addr: { sector: s, cluster: -1 }, impedance: coordinatorImpedance(sectorId(s)) },
    clusters: Array.from({ length: shape.clustersPerSector }, (_, c) => {
      const addr = { sector: s, cluster: s * shape.clustersPerSector + c }
      return {
        lead: { addr, impedance: coordinatorImpedance(clusterId(s, c)) },
        agents: Array.from({ length: shape.agentsPerCluster }, (_, a) => ({ addr, impedance: { ...agent(s, c, a), agent_id: agentId(s, c, a) } })),
      }
    }),
  })),
})

// ---- the cascade request a coordinator receives -------------------------------------------

const ms = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 86_400_000 }))
const RatioSchema = Schema.Struct({ num: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)), den: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)) })

export const CascadeOrder = Schema.Struct({
  /** How far below the receiver the phase goes. */
  depth: Schema.Literals(["self", "clusters", "agents"]),
  classes: Schema.NullOr(Schema.Array(Schema.Literals(agentClasses))),
  clusterWindowMs: ms,
  agentWindowMs: ms,
  marginMs: ms,
  agentMin: RatioSchema,
  priority: Schema.Literals([0, 1, 2, 3]),
})
export type CascadeOrder = typeof CascadeOrder.Type

/**
 * How long a node asked for `depth` may take after it is reached: a cluster,
 * its agents' arrival window and gather window; a sector, its clusters'
 * arrival window, their budget and a margin for the bus.
 */
export const budgetMs = (o: CascadeOrder, level: "sector" | "cluster"): number => {
  if (level === "cluster") return o.depth === "agents" ? 2 * o.agentWindowMs : 0
  if (o.depth === "self") return 0
  return o.clusterWindowMs + budgetMs({ ...o, depth: o.depth === "agents" ? "agents" : "self" }, "cluster") + o.marginMs
}

/** The mesh as a node sees it now (mode and breakers may change between scatters). */
export interface MeshView {
  mode(): OpMode
  readonly breakers: Breakers
}

const zeroReach: Reach = { clusters: 0, agents: 0, ready: 0, conflicts: 0, stragglers: 0, unsent: 0, clusterMs: 0, agentMs: 0 }
const span = (g: GatherResult) => g.closedAt - g.startedAt
const sumReach = (g: GatherResult): Reach =>
  [...g.ready, ...g.transit, ...g.conflicts].reduce<Reach>((acc, r) => {
    const x = r.reach ?? zeroReach
    return {
      clusters: acc.clusters + x.clusters,
      agents: acc.agents + x.agents,
      ready: acc.ready + x.ready,
      conflicts: acc.conflicts + x.conflicts,
      stragglers: acc.stragglers + x.stragglers,
      unsent: acc.unsent + x.unsent,
      clusterMs: Math.max(acc.clusterMs, x.clusterMs),
      agentMs: Math.max(acc.agentMs, x.agentMs),
    }
  }, zeroReach)

const decodeOrder = (req: Coordinate): CascadeOrder | undefined => {
  const r = Schema.decodeUnknownResult(Schema.Struct({ cascade: CascadeOrder }))(req.payload)
  return Result.isSuccess(r) ? r.success.cascade : undefined
}

export type AgentBehaviour = (node: MeshNode, req: Coordinate) => Effect.Effect<Answer>

/** An agent that keeps its impedance contract: ready after one-way latency plus its class's processing. */
export const onTime: AgentBehaviour = (node, req) =>
  Effect.as(
    Effect.sleep(oneWayMs(Math.ceil(node.impedance.current_latency_ms)) + processingMs(node.impedance.agent_class, Math.round(req.payload_weight * 10), node.impedance.current_queue_depth)),
    { state: 1 as Vote },
  )

/**
 * Starts every coordinator and agent of `layout` on `transport` under `prefix`
 * (one process or several: pass the part a process hosts), except the ids in
 * `down` (crashed nodes, for fault injection). Stopped with the scope.
 */
export const startMesh = (
  transport: Transport,
  prefix: string,
  layout: MeshLayout,
  view: MeshView,
  behaviour: AgentBehaviour = onTime,
  down: ReadonlySet<string> = new Set(),
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.gen(function* () {
    const up = (n: MeshNode) => !down.has(n.impedance.agent_id)
    for (const sector of layout.sectors) {
      for (const cluster of sector.clusters) {
        for (const agent of cluster.agents.filter(up)) yield* serveNode(transport, prefix, agent.impedance.agent_id, (req) => behaviour(agent, req))
        if (up(cluster.lead)) yield* serveCluster(transport, prefix, cluster, view)
      }
      if (up(sector.coordinator)) yield* serveSector(transport, prefix, sector, view)
    }
  })

const asTarget = (n: MeshNode): Target => ({ addr: n.addr, impedance: n.impedance })
const conflict: Answer = { state: -1 }

export const serveCluster = (transport: Transport, prefix: string, cluster: ClusterLayout, view: MeshView) =>
  Effect.gen(function* () {
    const id = cluster.lead.impedance.agent_id
    const gatherer = yield* makeGatherer(transport, prefix, id)
    return yield* serveNode(transport, prefix, id, (req) => {
      const o = decodeOrder(req)
      if (o === undefined) return Effect.succeed(conflict)
      if (o.depth !== "agents") return Effect.succeed<Answer>({ state: 1, reach: zeroReach })
      const classes = o.classes
      const agents = classes === null ? cluster.agents : cluster.agents.filter((a) => classes.includes(a.impedance.agent_class))
      const env = { transport, prefix, gatherer, mode: view.mode(), breakers: view.breakers }
      return scatterGather(env, {
        opId: `${req.op_id}-${id}`,
        targets: agents.map(asTarget),
        arrivalWindowMs: o.agentWindowMs,
        minResponseRate: o.agentMin,
        payloadWeight: req.payload_weight,
        priority: o.priority,
      }).pipe(
        // reached and done: READY; how much of the subtree answered travels in `reach`
        Effect.map((g): Answer => ({
          state: 1,
          reach: { clusters: 1, agents: agents.length, ready: g.ready.length, conflicts: g.conflicts.length, stragglers: g.stragglers.length, unsent: g.skipped.length + g.unroutable.length, clusterMs: 0, agentMs: span(g) },
        })),
        Effect.orElseSucceed(() => conflict),
      )
    })
  })

export const serveSector = (transport: Transport, prefix: string, sector: SectorLayout, view: MeshView) =>
  Effect.gen(function* () {
    const id = sector.coordinator.impedance.agent_id
    const gatherer = yield* makeGatherer(transport, prefix, id)
    return yield* serveNode(transport, prefix, id, (req) => {
      const o = decodeOrder(req)
      if (o === undefined) return Effect.succeed(conflict)
      if (o.depth === "self") return Effect.succeed<Answer>({ state: 1, reach: zeroReach })
      const env = { transport, prefix, gatherer, mode: view.mode(), breakers: view.breakers }
      const down: CascadeOrder = { ...o, depth: o.depth === "agents" ? "agents" : "self" }
      return scatterGather(env, {
        opId: `${req.op_id}-${id}`,
        targets: sector.clusters.map((c) => asTarget(c.lead)),
        arrivalWindowMs: o.clusterWindowMs,
        gatherWindowMs: budgetMs(down, "cluster") + o.marginMs,
        minResponseRate: { num: 1, den: 1 },
        payloadWeight: req.payload_weight,
        payload: { cascade: down },
        priority: o.priority,
      }).pipe(
        Effect.map((g): Answer => {
          const below = sumReach(g)
          const reach = o.depth === "agents" ? { ...below, clusterMs: span(g) } : { ...zeroReach, clusters: g.ready.length, clusterMs: span(g) }
          return { state: 1, reach }
        }),
        Effect.orElseSucceed(() => conflict),
      )
    })
  })

// ---- the orchestrator's side --------------------------------------------------------------

export type Strategy = "wave" | "parallel" | "priority_first"

export interface CascadeSpec {
  readonly opId: string
  readonly strategy: Strategy
  readonly sectorWindowMs?: number
  readonly clusterWindowMs?: number
  readonly agentWindowMs?: number
  readonly marginMs?: number
  readonly payloadWeight?: number
  readonly priority?: 0 | 1 | 2 | 3
  readonly humanApproved?: boolean
}

export interface CascadeEnv {
  readonly transport: Transport
  readonly prefix: string
  /** The orchestrator's node id (its reply inbox). */
  readonly nodeId: string
  readonly view: MeshView
}

export interface Phase {
  readonly name: string
  readonly sectors: GatherResult
  /** Agents asked for in this phase, and what came back from below. */
  readonly expectedAgents: number
  readonly reach: Reach
  readonly minAgentRate: Ratio
  readonly met: boolean
  readonly ms: number
}

export interface CascadeResult {
  readonly opId: string
  readonly strategy: Strategy
  readonly status: "COMPLETE" | "PARTIAL" | "FAILED_AT_SECTOR"
  readonly phases: ReadonlyArray<Phase>
  /**
   * Time spent gathering at each level: the orchestrator's gather of sectors,
   * the slowest sector's gather of clusters, the slowest cluster's gather of
   * agents (wave: each phase's span, as each level is confirmed in turn).
   */
  readonly levels: { readonly sectorMs: number; readonly clusterMs: number; readonly agentMs: number }
  readonly latencyMs: number
  readonly reached: { readonly sectors: number; readonly clusters: number; readonly agents: number }
  /** CLASS_F agents that `priority_first` does not ask (the seed's list has none). */
  readonly excluded: number
}

/** priority_first's order and thresholds (seed Part 3.3). */
export const priorityOrder: ReadonlyArray<readonly [AgentClass, Ratio]> = [
  ["CLASS_D_GPU", { num: 99, den: 100 }],
  ["CLASS_C_PERSISTENT", { num: 98, den: 100 }],
  ["CLASS_B_SERVERLESS", { num: 95, den: 100 }],
  ["CLASS_A_EDGE", { num: 90, den: 100 }],
  ["CLASS_E_LOCAL", { num: 85, den: 100 }],
]

const agentsOf = (layout: MeshLayout, classes: ReadonlyArray<AgentClass> | null): number =>
  layout.sectors.reduce((n, s) => n + s.clusters.reduce((m, c) => m + (classes === null ? c.agents.length : c.agents.filter((a) => classes.includes(a.impedance.agent_class)).length), 0), 0)

/** `cascade_to_mesh`. Fails only when the orchestrator's first scatter may not run. */
export const cascade = (env: CascadeEnv, layout: MeshLayout, spec: CascadeSpec): Effect.Effect<CascadeResult, ScatterError, Scope.Scope> =>
  Effect.gen(function* () {
    const gatherer = yield* makeGatherer(env.transport, env.prefix, env.nodeId)
    const t0 = yield* Clock.currentTimeMillis
    const sw = spec.sectorWindowMs ?? 200
    const base = {
      clusterWindowMs: spec.clusterWindowMs ?? 100,
      agentWindowMs: spec.agentWindowMs ?? 500,
      marginMs: spec.marginMs ?? 50,
      priority: spec.priority ?? 2,
    }
    const sectors = layout.sectors.map((s) => asTarget(s.coordinator))
    const phase = (name: string, depth: CascadeOrder["depth"], classes: ReadonlyArray<AgentClass> | null, sectorMin: Ratio, agentMin: Ratio) =>
      Effect.gen(function* () {
        const order: CascadeOrder = { ...base, depth, classes, agentMin }
        const expected = depth === "agents" ? agentsOf(layout, classes) : 0
        const g = yield* scatterGather(
          { transport: env.transport, prefix: env.prefix, gatherer, mode: env.view.mode(), breakers: env.view.breakers },
          {
            opId: `${spec.opId}-${name}`,
            targets: sectors,
            arrivalWindowMs: sw,
            gatherWindowMs: budgetMs(order, "sector") + base.marginMs,
            minResponseRate: sectorMin,
            payloadWeight: spec.payloadWeight ?? 0,
            payload: { cascade: order },
            priority: base.priority,
            // the agents below are the operation's size: a cascade over 1,000 agents is refused in DEGRADED_MODERATE
            operationSize: Math.max(expected, sectors.length),
            meshWide: true,
            ...(spec.humanApproved === undefined ? {} : { humanApproved: spec.humanApproved }),
          },
        )
        const reach = sumReach(g)
        const met = depth === "agents" ? BigInt(agentMin.num) * BigInt(expected) <= BigInt(reach.ready) * BigInt(agentMin.den) : g.status === "COMPLETE"
        return { name, sectors: g, expectedAgents: expected, reach, minAgentRate: agentMin, met, ms: span(g) } satisfies Phase
      })
    const phases: Array<Phase> = []
    let status: CascadeResult["status"] = "COMPLETE"
    let excluded = 0
    if (spec.strategy === "wave") {
      const p1 = yield* phase("sectors", "self", null, { num: 98, den: 100 }, { num: 95, den: 100 })
      phases.push(p1)
      if (p1.sectors.status !== "COMPLETE") status = "FAILED_AT_SECTOR"
      else {
        phases.push(yield* phase("clusters", "clusters", null, { num: 98, den: 100 }, { num: 95, den: 100 }))
        const p3 = yield* phase("agents", "agents", null, { num: 98, den: 100 }, { num: 95, den: 100 })
        phases.push(p3)
        if (!p3.met) status = "PARTIAL"
      }
    } else if (spec.strategy === "parallel") {
      const p = yield* phase("all", "agents", null, { num: 90, den: 100 }, { num: 90, den: 100 })
      phases.push(p)
      if (!p.met) status = "PARTIAL"
    } else {
      for (const [cls, min] of priorityOrder) {
        const p = yield* phase(cls, "agents", [cls], min, min)
        phases.push(p)
        if (!p.met) status = "PARTIAL"
      }
      excluded = agentsOf(layout, ["CLASS_F_HUMAN"])
    }
    const t1 = yield* Clock.currentTimeMillis
    const last = phases[phases.length - 1]!
    const wave = spec.strategy === "wave" && phases.length === 3
    const levels = wave
      ? { sectorMs: phases[0]!.ms, clusterMs: phases[1]!.ms, agentMs: phases[2]!.ms }
      : {
          sectorMs: Math.max(...phases.map((p) => p.ms)),
          clusterMs: Math.max(...phases.map((p) => p.reach.clusterMs)),
          agentMs: Math.max(...phases.map((p) => p.reach.agentMs)),
        }
    const agentsReached = phases.filter((p) => p.expectedAgents > 0).reduce((n, p) => n + p.reach.ready, 0)
    return {
      opId: spec.opId,
      strategy: spec.strategy,
      status,
      phases,
      levels,
      latencyMs: t1 - t0,
      reached: {
        sectors: last.sectors.ready.length,
        clusters: wave ? phases[1]!.reach.clusters : Math.max(...phases.map((p) => p.reach.clusters)),
        agents: agentsReached,
      },
      excluded,
    } satisfies CascadeResult
  })
