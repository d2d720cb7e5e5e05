/**
 * What a simulation run does: its duration, the operations it issues and the
 * failures it injects (issue 12, item 8). Failures are drawn up front as time
 * intervals, so whether an agent is alive at any instant — also in the future
 * of a long human-class lead — is known exactly and the run is deterministic.
 *
 * `--failures` text (`crash=0.001,slow-cluster=1,cluster-down=1,sector-outage=1,conflict=0.002`,
 * or `none`) is decoded by `decodeFailures`, which names the bad item.
 */
import { Data, Schema } from "effect"
import * as Result from "effect/Result"
import { stream } from "./SimModel.ts"
import { counts, type MeshShape } from "./Topology.ts"

export interface FailureSpec {
  /** Fraction of agents that crash once at a random time (down 60–300 s). */
  readonly crash: number
  /** Clusters whose latency ×4 and processing ×3 for a while (registry not told). */
  readonly slowClusters: number
  /** Clusters that go down entirely (lead and agents). */
  readonly clustersDown: number
  /** Sectors that go down entirely (coordinator, leads, agents). */
  readonly sectorsDown: number
  /** Probability that a response is CONFLICT (−1) rather than READY. */
  readonly conflict: number
}

export const seedFailures: FailureSpec = { crash: 0.001, slowClusters: 1, clustersDown: 1, sectorsDown: 1, conflict: 0.002 }
export const noFailures: FailureSpec = { crash: 0, slowClusters: 0, clustersDown: 0, sectorsDown: 0, conflict: 0 }

/** A `--failures` item that is not one: the item and why. */
export class FailureSpecError extends Data.TaggedError("FailureSpecError")<{ readonly item: string; readonly reason: string }> {}

const fraction = Schema.NumberFromString.check(Schema.isBetween({ minimum: 0, maximum: 1 }))
const countOf = Schema.NumberFromString.check(Schema.isInt(), Schema.isBetween({ minimum: 0, maximum: 1_000_000 }))
const items = {
  crash: ["crash", fraction],
  "slow-cluster": ["slowClusters", countOf],
  "cluster-down": ["clustersDown", countOf],
  "sector-outage": ["sectorsDown", countOf],
  conflict: ["conflict", fraction],
} as const

/** Decodes the `--failures` text; items not named keep the seed defaults. `none` turns every failure off. */
export const decodeFailures = (text: string): Result.Result<FailureSpec, FailureSpecError> => {
  const t = text.trim()
  if (t === "none") return Result.succeed(noFailures)
  const out: Record<string, number> = { ...seedFailures }
  for (const raw of t.split(",")) {
    const item = raw.trim()
    const m = /^([a-z-]+)=(.+)$/.exec(item)
    if (m === null) return Result.fail(new FailureSpecError({ item, reason: "expected NAME=VALUE (crash, slow-cluster, cluster-down, sector-outage, conflict) or none" }))
    const known = items[m[1] as keyof typeof items]
    if (known === undefined) return Result.fail(new FailureSpecError({ item, reason: `unknown failure "${m[1]}" (crash, slow-cluster, cluster-down, sector-outage, conflict)` }))
    const v = Schema.decodeUnknownResult(known[1])(m[2])
    if (Result.isFailure(v)) {
      return Result.fail(new FailureSpecError({ item, reason: known[1] === fraction ? "expected a number in [0, 1]" : "expected a whole number in 0..1,000,000" }))
    }
    out[known[0]] = v.success
  }
  return Result.succeed(out as unknown as FailureSpec)
}

export const formatFailures = (f: FailureSpec): string =>
  f.crash === 0 && f.slowClusters === 0 && f.clustersDown === 0 && f.sectorsDown === 0 && f.conflict === 0
    ? "none"
    : `crash=${f.crash},slow-cluster=${f.slowClusters},cluster-down=${f.clustersDown},sector-outage=${f.sectorsDown},conflict=${f.conflict}`

// ---- the scenario ------------------------------------------------------------------

export interface Scenario {
  readonly durationMs: number
  /** Heartbeat period (§8.1: 5 s) and the silence after which the registry marks an agent offline (§6.1: 30 s). */
  readonly heartbeatMs: number
  readonly offlineAfterMs: number
  /** A scatter-gather to one random cluster every this many ms; one to a random sector; one mesh-wide. */
  readonly clusterOpEveryMs: number
  readonly sectorOpEveryMs: number
  readonly meshOpEveryMs: number
  /** A wave cascade to the whole mesh every this many ms. */
  readonly cascadeEveryMs: number
  /** §3.2's arrival window and a payload weight (tenths: 10 = 1.0). */
  readonly windowMs: number
  readonly weightTenths: number
  /** Longest lead a scatter-gather waits for (agents needing more are SKIPped). */
  readonly maxLeadMs: number
  /** `arrival`: send at T − lead (the seed); `naive`: send everything now. */
  readonly strategy: "arrival" | "naive"
  /** When the failures start: cluster down, sector outage, slow cluster; how long each lasts. */
  readonly clusterDownAt: number
  readonly clusterDownForMs: number
  readonly sectorOutageAt: number
  readonly sectorOutageForMs: number
  readonly slowAt: number
  readonly slowForMs: number
}

/** The default run: 20 virtual minutes, failures in the first half so that recovery fits. */
export const defaultScenario: Scenario = {
  durationMs: 20 * 60_000,
  heartbeatMs: 5_000,
  offlineAfterMs: 30_000,
  clusterOpEveryMs: 1_000,
  sectorOpEveryMs: 5_000,
  meshOpEveryMs: 10_000,
  cascadeEveryMs: 30_000,
  windowMs: 500,
  weightTenths: 10,
  maxLeadMs: 10 * 60_000,
  strategy: "arrival",
  clusterDownAt: 90_000,
  clusterDownForMs: 120_000,
  sectorOutageAt: 240_000,
  sectorOutageForMs: 240_000,
  slowAt: 60_000,
  slowForMs: 180_000,
}

/** Failures drawn for one run: intervals [from, to) per agent, cluster and sector. */
export interface Injected {
  readonly crashFrom: Float64Array
  readonly crashTo: Float64Array
  readonly clusterDown: ReadonlyMap<number, readonly [number, number]>
  readonly sectorDown: ReadonlyMap<number, readonly [number, number]>
  readonly slow: ReadonlyMap<number, readonly [number, number]>
}

const distinct = (r: () => number, n: number, want: number, avoid: ReadonlySet<number>): Array<number> => {
  const out: number[] = []
  const k = Math.min(want, n - avoid.size)
  while (out.length < k) {
    const x = Math.floor(r() * n)
    if (!avoid.has(x) && !out.includes(x)) out.push(x)
  }
  return out
}

/** Draws the failures of `f` over `shape`: outage sectors first, then down and slow clusters outside them. */
export const inject = (shape: MeshShape, f: FailureSpec, sc: Scenario, seed: number): Injected => {
  const c = counts(shape)
  const r = stream(seed, 3)
  const sectors = distinct(r, c.sectors, f.sectorsDown, new Set())
  const sectorDown = new Map(sectors.map((s) => [s, [sc.sectorOutageAt, sc.sectorOutageAt + sc.sectorOutageForMs] as const]))
  const inOutage = new Set<number>()
  for (const s of sectors) for (let k = 0; k < shape.clustersPerSector; k++) inOutage.add(s * shape.clustersPerSector + k)
  const down = distinct(r, c.clusters, f.clustersDown, inOutage)
  const clusterDown = new Map(down.map((k) => [k, [sc.clusterDownAt, sc.clusterDownAt + sc.clusterDownForMs] as const]))
  const slowIds = distinct(r, c.clusters, f.slowClusters, new Set([...inOutage, ...down]))
  const slow = new Map(slowIds.map((k) => [k, [sc.slowAt, sc.slowAt + sc.slowForMs] as const]))
  const crashFrom = new Float64Array(c.agents).fill(Number.POSITIVE_INFINITY)
  const crashTo = new Float64Array(c.agents).fill(Number.POSITIVE_INFINITY)
  for (let i = 0; i < c.agents; i++) {
    if (r() < f.crash) {
      crashFrom[i] = Math.floor(r() * sc.durationMs * 0.75)
      crashTo[i] = crashFrom[i]! + 60_000 + Math.floor(r() * 240_000)
    }
  }
  return { crashFrom, crashTo, clusterDown, sectorDown, slow }
}

const within = (iv: readonly [number, number] | undefined, t: number): boolean => iv !== undefined && iv[0] <= t && t < iv[1]

export const clusterUp = (inj: Injected, shape: MeshShape, cluster: number, t: number): boolean =>
  !within(inj.clusterDown.get(cluster), t) && !within(inj.sectorDown.get(Math.floor(cluster / shape.clustersPerSector)), t)

export const sectorUp = (inj: Injected, sector: number, t: number): boolean => !within(inj.sectorDown.get(sector), t)

/** Agent `i` of `cluster` is alive at `t`: not crashed, its cluster and sector up. */
export const aliveAt = (inj: Injected, shape: MeshShape, i: number, cluster: number, t: number): boolean =>
  !(inj.crashFrom[i]! <= t && t < inj.crashTo[i]!) && clusterUp(inj, shape, cluster, t)

export const isSlow = (inj: Injected, cluster: number, t: number): boolean => within(inj.slow.get(cluster), t)
