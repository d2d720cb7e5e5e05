/**
 * `hydrogen mesh plan`: the MESH hierarchy for a shape (sectors × clusters ×
 * agents per cluster), its tree levels and the §8.2 message rates, from
 * src/Mesh/Topology.ts. Pure arithmetic: nothing runs.
 */
import { Effect } from "effect"
import { Command } from "effect/cli"
import { counts, describe, type MeshShape, rates, treeBranching, treeLevels, uniformTreeMatches } from "../Mesh/Topology.ts"
import { intFlagOr, type Io, switchFlag } from "./Flags.ts"
import { decodeArgs, type Outcome } from "./Invoke.ts"

export const meshPlanFlags = {
  sectors: intFlagOr("sectors", 1, 10_000, "S", "sector coordinators under the orchestrator", 100),
  clusters: intFlagOr("clusters", 1, 10_000, "C", "cluster leads per sector", 10),
  agentsPerCluster: intFlagOr("agents-per-cluster", 1, 10_000, "A", "agents per cluster lead", 30),
  json: switchFlag("json", "print the plan as JSON"),
} as const

export interface MeshPlanOptions {
  readonly sectors: number
  readonly clusters: number
  readonly agentsPerCluster: number
  readonly json: boolean
}

export const meshPlanDescription = `The MESH hierarchy (seed 002 §2.1) for S sectors × C clusters × A agents
  (default the seed's 100 × 10 × 30 = 30,000): nodes per level, hops and
  fan-out, the per-level branching of the coordinator tree that carries it,
  and the §8.2 message rates (heartbeats, summaries, operational traffic,
  the cascade burst) with the headroom over the seed's design capacity.`

const shapeOf = (o: MeshPlanOptions): MeshShape => ({ sectors: o.sectors, clustersPerSector: o.clusters, agentsPerCluster: o.agentsPerCluster })

/** The plan as JSON-ready data. */
export const meshPlanJson = (s: MeshShape) => ({
  shape: s,
  counts: counts(s),
  treeBranching: treeBranching(s),
  treeLevels: treeLevels(s),
  uniformTreeMatches: uniformTreeMatches(s),
  rates: rates(s),
})

/** `mesh plan`, with `handler` run on the decoded options. */
export const meshPlanCommand = <E, R>(handler: (o: MeshPlanOptions) => Effect.Effect<void, E, R>) =>
  Command.make("plan", meshPlanFlags, handler).pipe(Command.withDescription(meshPlanDescription))

/** Decodes `mesh plan` arguments (without `mesh plan`). */
export const parseMeshPlanArgs = decodeArgs(meshPlanCommand<never, never>)

/** The `mesh plan` handler: prints the plan (text or JSON); exit 0. */
export const runMeshPlan = (io: Io, outcome: Outcome) => (o: MeshPlanOptions) =>
  Effect.sync(() => {
    const s = shapeOf(o)
    io.out(o.json ? JSON.stringify(meshPlanJson(s), null, 2) + "\n" : describe(s).join("\n") + "\n")
    outcome.code = 0
  })
