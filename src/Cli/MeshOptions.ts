/**
 * The flags of `hydrogen mesh sim` and their checks, apart from the run
 * (Mesh.ts) so that the command line loads the simulation only when it runs.
 */
import { Effect, Option, Schema } from "effect"
import * as Result from "effect/Result"
import { Command, Flag } from "effect/cli"
import { decodeFailures, type FailureSpec, formatFailures, seedFailures } from "../Mesh/SimScenario.ts"
import type { MeshShape } from "../Mesh/Topology.ts"
import { type Either, intFlag, intFlagOr, invalidCombination, seedFlag } from "./Flags.ts"
import { decodeArgs } from "./Invoke.ts"
import { meshPlanCommand, type MeshPlanOptions } from "./MeshPlan.ts"

export const maxSimAgents = 1_000_000

export interface MeshSimArgs {
  readonly shape: MeshShape
  readonly seed: number
  readonly clock: "virtual" | "wall"
  readonly failures: FailureSpec
  readonly failuresText: string
  /** Simulated (virtual) or real (wall) seconds. */
  readonly durationS: number
  readonly strategy: "arrival" | "naive"
  /** Append the run's conflicts to this durable conflict log (virtual clock). */
  readonly conflictLog: string | undefined
  /** Host processes of a wall-clock run. */
  readonly processes: number
}

export const meshSimFlags = {
  agents: intFlagOr("agents", 1, maxSimAgents, "N", "agents in the mesh (sectors × clusters × agents per cluster)", 30_000),
  sectors: intFlagOr("sectors", 1, 10_000, "S", "sector coordinators", 100),
  clusters: intFlagOr("clusters", 1, 10_000, "C", "cluster leads per sector", 10),
  seed: seedFlag,
  clock: Flag.Literals("clock", ["virtual", "wall"]).pipe(
    Flag.withDescription("virtual: deterministic discrete-event run, minutes cost no wall time (default); wall: real time over a nats-server on loopback"),
    Flag.withDefault("virtual" as const),
  ),
  failures: Flag.String("failures").pipe(
    Flag.withSchema(Schema.String),
    Flag.withMetavar("LIST"),
    Flag.withDescription(`injected failures, NAME=VALUE,...: crash=FRACTION, slow-cluster=N, cluster-down=N, sector-outage=N, conflict=PROBABILITY (items left out keep their default), or none; default ${formatFailures(seedFailures)}`),
    Flag.withDefault(formatFailures(seedFailures)),
  ),
  duration: intFlag("duration", 1, 86_400, "SECONDS", "run length: simulated seconds (virtual, default 1,200) or real seconds (wall, default 20)").pipe(Flag.optional),
  strategy: Flag.Literals("strategy", ["arrival", "naive"]).pipe(
    Flag.withDescription("arrival: send at T − lead (the seed's scheduling, default); naive: send everything now"),
    Flag.withDefault("arrival" as const),
  ),
  processes: intFlagOr("processes", 1, 16, "P", "host processes of a --clock wall run (each owns every P-th sector)", 4),
  conflictLog: Flag.String("conflict-log").pipe(
    Flag.withMetavar("FILE"),
    Flag.withDescription("append the run's conflicts to this durable conflict log (checksummed, fsynced)"),
    Flag.optional,
  ),
} as const

type RawMeshSim = Command.Command.Config.Infer<typeof meshSimFlags>

/** Every problem with a combination of flags, one line each. */
export const meshSimErrors = (o: RawMeshSim): ReadonlyArray<string> => {
  const errors: string[] = []
  const leaves = o.sectors * o.clusters
  if (o.agents % leaves !== 0) errors.push(`--agents ${o.agents} is not a multiple of --sectors × --clusters = ${leaves} (every cluster holds the same number of agents)`)
  const f = decodeFailures(o.failures)
  if (Result.isFailure(f)) errors.push(`--failures: "${f.failure.item}": ${f.failure.reason}`)
  if (Option.isSome(o.conflictLog) && o.clock === "wall") errors.push("--conflict-log is for --clock virtual")
  return errors
}

const toArgs = (o: RawMeshSim): MeshSimArgs => {
  const f = decodeFailures(o.failures)
  return {
    shape: { sectors: o.sectors, clustersPerSector: o.clusters, agentsPerCluster: o.agents / (o.sectors * o.clusters) },
    seed: o.seed,
    clock: o.clock,
    failures: Result.isSuccess(f) ? f.success : (undefined as never),
    failuresText: o.failures,
    durationS: Option.getOrElse(o.duration, () => (o.clock === "virtual" ? 1200 : 20)),
    strategy: o.strategy,
    conflictLog: Option.getOrUndefined(o.conflictLog),
    processes: o.processes,
  }
}

export const meshSimDescription = `Simulates the MESH-30K mesh (seed 002): agents with the seed's class mix
  (A–F) under sector coordinators and cluster leads, seeded latency,
  processing and queue models per class, and injected failures; runs
  scatter-gathers with arrival-time scheduling, the trinary quorum, breakers,
  degradation modes and conflict records, and prints the Part 11 KPIs with
  their targets (met / NOT met) and the §8.2 message rates as observed.
  --clock virtual (default) is deterministic: the same seed gives the same
  KPIs. --clock wall runs cascades and heartbeats over a nats-server it starts
  on loopback, the agents in P host processes. Exit 0 when the run completed
  (KPIs not met are reported, not failures), 1 when it could not run, 2 on
  bad input.`

/** `mesh sim`, with `handler` run on the decoded arguments after the checks. */
export const meshSimCommand = <E, R>(handler: (a: MeshSimArgs) => Effect.Effect<void, E, R>) =>
  Command.make("sim", meshSimFlags, (o) => handler(toArgs(o))).pipe(
    Command.validate((o) => {
      const errors = meshSimErrors(o)
      return errors.length === 0 ? Effect.void : invalidCombination(errors.join("\n"))
    }),
    Command.withDescription(meshSimDescription),
  )

/** `mesh` with its subcommands, `sim` and `plan`. */
export const meshCommand = <E, R, E2, R2>(handler: (a: MeshSimArgs) => Effect.Effect<void, E, R>, plan: (o: MeshPlanOptions) => Effect.Effect<void, E2, R2>) =>
  Command.make("mesh").pipe(
    Command.withDescription("The MESH-30K protocol (seed 002): 'hydrogen mesh sim' simulates it and prints its KPIs; 'hydrogen mesh plan' prints the hierarchy and its message rates."),
    Command.withSubcommands([meshSimCommand(handler), meshPlanCommand(plan)]),
  )

/** Decodes `mesh sim` arguments (without `mesh sim`); defaults 30,000 agents, 100 sectors, 10 clusters, virtual clock. */
export const parseMeshSimArgs: (args: ReadonlyArray<string>) => Either<string, MeshSimArgs> = decodeArgs(meshSimCommand)
