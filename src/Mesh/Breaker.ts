/**
 * Circuit breakers (seed 002, Part 6.2): the TypeScript mirror of
 * `lean/Hydrogen/Mesh/Breaker.lean`.
 *
 * One pure state machine for every scope, driven by events that carry their
 * own time (ms), so a test walks it with an injected clock. Cluster breakers
 * trip on more than 5 failures in a window, sector breakers on more than 50,
 * the global breaker when more than 10 sectors are OPEN. The seed never resets
 * its failure counts; here they count within `windowMs`.
 */
import { Data, Schema, SchemaIssue } from "effect"
import * as Result from "effect/Result"

/** @lean Hydrogen.Mesh.Circuit */
export type Circuit = "CLOSED" | "OPEN" | "HALF_OPEN"

/**
 * One scope's thresholds and timings (ms).
 * @lean Hydrogen.Mesh.BreakerConfig
 */
export interface BreakerConfig {
  /** Trips when the failures in the window exceed this. */
  readonly tripAbove: number
  readonly windowMs: number
  readonly firstProbeMs: number
  readonly maxProbeMs: number
  readonly monitorMs: number
}

/**
 * `cluster_failures > 5`; probe after 30 s, then every 60 s; 60 s monitoring.
 * @lean Hydrogen.Mesh.clusterConfig
 */
export const clusterConfig: BreakerConfig = { tripAbove: 5, windowMs: 60_000, firstProbeMs: 30_000, maxProbeMs: 60_000, monitorMs: 60_000 }
/**
 * `sector_failures > 50`, same timings.
 * @lean Hydrogen.Mesh.sectorConfig
 */
export const sectorConfig: BreakerConfig = { ...clusterConfig, tripAbove: 50 }
/** The global breaker is tripped by sectors, not failures; it shares the timings. */
export const globalConfig: BreakerConfig = { ...clusterConfig, tripAbove: Number.MAX_SAFE_INTEGER }

/**
 * `min maxProbeMs (firstProbeMs · 2^attempt)`, without overflow.
 * @lean Hydrogen.Mesh.probeDelay
 */
export const probeDelay = (c: BreakerConfig, attempt: number): number => {
  if (c.firstProbeMs === 0) return 0
  let d = c.firstProbeMs
  for (let i = 0; i < attempt && d < c.maxProbeMs; i++) d *= 2
  return Math.min(c.maxProbeMs, d)
}

/** @lean Hydrogen.Mesh.BreakerState */
export interface BreakerState {
  readonly circuit: Circuit
  /** Failures in the current window (CLOSED only). */
  readonly failures: number
  readonly windowStart: number
  /** Failed probes (or HALF_OPEN relapses) since the breaker opened. */
  readonly attempt: number
  /** OPEN: earliest probe time; HALF_OPEN: end of monitoring. */
  readonly dueAt: number
}

/** @lean Hydrogen.Mesh.BreakerState.closedAt */
export const closedAt = (t: number): BreakerState => ({ circuit: "CLOSED", failures: 0, windowStart: t, attempt: 0, dueAt: 0 })

/** @lean Hydrogen.Mesh.BreakerEvent */
export type BreakerEvent =
  | { readonly _tag: "Failure"; readonly t: number }
  | { readonly _tag: "Trip"; readonly t: number }
  | { readonly _tag: "Probe"; readonly t: number; readonly ok: boolean }
  | { readonly _tag: "Tick"; readonly t: number }

/** @lean Hydrogen.Mesh.openAt */
export const openAt = (c: BreakerConfig, t: number, attempt: number): BreakerState => ({
  circuit: "OPEN",
  failures: 0,
  windowStart: t,
  attempt,
  dueAt: t + probeDelay(c, attempt),
})

/** @lean Hydrogen.Mesh.windowCount */
export const windowCount = (c: BreakerConfig, s: BreakerState, t: number): number =>
  s.windowStart + c.windowMs <= t ? 1 : s.failures + 1

/** @lean Hydrogen.Mesh.breakerStep */
export const breakerStep = (c: BreakerConfig, s: BreakerState, e: BreakerEvent): BreakerState => {
  switch (e._tag) {
    case "Failure": {
      if (s.circuit === "HALF_OPEN") return openAt(c, e.t, s.attempt + 1)
      if (s.circuit === "OPEN") return s
      const n = windowCount(c, s, e.t)
      if (c.tripAbove < n) return openAt(c, e.t, 0)
      return { ...s, failures: n, windowStart: s.windowStart + c.windowMs <= e.t ? e.t : s.windowStart }
    }
    case "Trip":
      return s.circuit === "OPEN" ? s : openAt(c, e.t, 0)
    case "Probe":
      if (s.circuit !== "OPEN" || e.t < s.dueAt) return s
      return e.ok ? { ...s, circuit: "HALF_OPEN", dueAt: e.t + c.monitorMs } : openAt(c, e.t, s.attempt + 1)
    case "Tick":
      return s.circuit === "HALF_OPEN" && s.dueAt <= e.t ? closedAt(e.t) : s
  }
}

/** @lean Hydrogen.Mesh.breakerRun */
export const breakerRun = (c: BreakerConfig, s: BreakerState, es: Iterable<BreakerEvent>): BreakerState => {
  let cur = s
  for (const e of es) cur = breakerStep(c, cur, e)
  return cur
}

/**
 * `count_tripped_sectors() > 10`.
 * @lean Hydrogen.Mesh.globalTrips
 */
export const globalTrips = (openSectors: number, limit = 10): boolean => limit < openSectors

// ---- routing ---------------------------------------------------------------------

/**
 * An agent's enclosing scopes (cluster ids are mesh-wide).
 * @lean Hydrogen.Mesh.Addr
 */
export interface Addr {
  readonly sector: number
  readonly cluster: number
}

/** @lean Hydrogen.Mesh.BreakerScope */
export type BreakerScope =
  | { readonly _tag: "Global" }
  | { readonly _tag: "Sector"; readonly sector: number }
  | { readonly _tag: "Cluster"; readonly cluster: number }

/**
 * Every breaker's circuit; absent ids read CLOSED.
 * @lean Hydrogen.Mesh.Breakers
 */
export interface Breakers {
  readonly global: Circuit
  readonly sector: (s: number) => Circuit
  readonly cluster: (c: number) => Circuit
}

/** @lean Hydrogen.Mesh.BreakerScope.encloses */
export const encloses = (sc: BreakerScope, a: Addr): boolean =>
  sc._tag === "Global" ? true : sc._tag === "Sector" ? a.sector === sc.sector : a.cluster === sc.cluster

/** @lean Hydrogen.Mesh.Breakers.circuitOf */
export const circuitOf = (b: Breakers, sc: BreakerScope): Circuit =>
  sc._tag === "Global" ? b.global : sc._tag === "Sector" ? b.sector(sc.sector) : b.cluster(sc.cluster)

/**
 * `is_routable`: no enclosing breaker is OPEN. With `healthySectorsOnly`
 * (DEGRADED_MODERATE's "route to healthy sectors only") the sector must also be CLOSED.
 *
 * @lean Hydrogen.Mesh.isRoutable
 */
export const isRoutable = (b: Breakers, a: Addr, healthySectorsOnly = false): boolean =>
  b.global !== "OPEN" && b.sector(a.sector) !== "OPEN" && b.cluster(a.cluster) !== "OPEN" &&
  (!healthySectorsOnly || b.sector(a.sector) === "CLOSED")

/** The agent, or a refusal naming the scope that is OPEN. */
export class ScopeOpen extends Data.TaggedError("ScopeOpen")<{ readonly addr: Addr; readonly scope: BreakerScope }> {}
export class SectorUnhealthy extends Data.TaggedError("SectorUnhealthy")<{ readonly addr: Addr; readonly circuit: Circuit }> {}

/** @lean Hydrogen.Mesh.route */
export const route = (b: Breakers, a: Addr, healthySectorsOnly = false): Result.Result<Addr, ScopeOpen | SectorUnhealthy> => {
  const scopes: ReadonlyArray<BreakerScope> = [{ _tag: "Global" }, { _tag: "Sector", sector: a.sector }, { _tag: "Cluster", cluster: a.cluster }]
  for (const scope of scopes) if (circuitOf(b, scope) === "OPEN") return Result.fail(new ScopeOpen({ addr: a, scope }))
  if (healthySectorsOnly && b.sector(a.sector) !== "CLOSED") return Result.fail(new SectorUnhealthy({ addr: a, circuit: b.sector(a.sector) }))
  return Result.succeed(a)
}

/** @lean Hydrogen.Mesh.routeAll */
export const routeAll = (b: Breakers, as: Iterable<Addr>, healthySectorsOnly = false): Array<Addr> => {
  const out: Array<Addr> = []
  for (const a of as) if (isRoutable(b, a, healthySectorsOnly)) out.push(a)
  return out
}

// ---- the mesh's breakers (`MeshCircuitBreaker`) -----------------------------------------

export interface MeshBreakerConfig {
  readonly cluster: BreakerConfig
  readonly sector: BreakerConfig
  /** The global breaker trips when more than this many sectors are OPEN. */
  readonly openSectorsAbove: number
}

export const seedMeshBreakerConfig: MeshBreakerConfig = { cluster: clusterConfig, sector: sectorConfig, openSectorsAbove: 10 }

/**
 * `MeshCircuitBreaker`: one state per cluster and sector (absent = CLOSED) and
 * one global. Every failure counts for the agent's cluster and sector; the
 * global breaker trips when too many sectors are OPEN. Times come from the caller.
 */
export class MeshBreakers implements Breakers {
  private readonly sectors = new Map<number, BreakerState>()
  private readonly clusters = new Map<number, BreakerState>()
  private globalState: BreakerState = closedAt(0)

  readonly config: MeshBreakerConfig
  constructor(config: MeshBreakerConfig = seedMeshBreakerConfig) {
    this.config = config
  }

  get global(): Circuit { return this.globalState.circuit }
  readonly sector = (s: number): Circuit => this.sectors.get(s)?.circuit ?? "CLOSED"
  readonly cluster = (c: number): Circuit => this.clusters.get(c)?.circuit ?? "CLOSED"

  state(scope: BreakerScope): BreakerState {
    if (scope._tag === "Global") return this.globalState
    const m = scope._tag === "Sector" ? this.sectors.get(scope.sector) : this.clusters.get(scope.cluster)
    return m ?? closedAt(0)
  }

  openSectors(): number {
    let n = 0
    for (const s of this.sectors.values()) if (s.circuit === "OPEN") n++
    return n
  }

  /** `record_failure`. */
  recordFailure(a: Addr, t: number): void {
    this.clusters.set(a.cluster, breakerStep(this.config.cluster, this.state({ _tag: "Cluster", cluster: a.cluster }), { _tag: "Failure", t }))
    this.sectors.set(a.sector, breakerStep(this.config.sector, this.state({ _tag: "Sector", sector: a.sector }), { _tag: "Failure", t }))
    if (globalTrips(this.openSectors(), this.config.openSectorsAbove)) {
      this.globalState = breakerStep(globalConfig, this.globalState, { _tag: "Trip", t })
    }
  }

  /** Applies one event to one scope's breaker (probe results, ticks, operator trips). */
  apply(scope: BreakerScope, e: BreakerEvent): BreakerState {
    const next = (c: BreakerConfig) => breakerStep(c, this.state(scope), e)
    if (scope._tag === "Global") return (this.globalState = next(globalConfig))
    if (scope._tag === "Sector") {
      const s = next(this.config.sector)
      this.sectors.set(scope.sector, s)
      return s
    }
    const s = next(this.config.cluster)
    this.clusters.set(scope.cluster, s)
    return s
  }

  /** Scopes whose probe is due at `t` (OPEN and `dueAt ≤ t`). */
  dueProbes(t: number): Array<BreakerScope> {
    const out: Array<BreakerScope> = []
    if (this.globalState.circuit === "OPEN" && this.globalState.dueAt <= t) out.push({ _tag: "Global" })
    for (const [sector, s] of this.sectors) if (s.circuit === "OPEN" && s.dueAt <= t) out.push({ _tag: "Sector", sector })
    for (const [cluster, s] of this.clusters) if (s.circuit === "OPEN" && s.dueAt <= t) out.push({ _tag: "Cluster", cluster })
    return out
  }

  /** Advances every HALF_OPEN breaker's monitoring to `t`. */
  tick(t: number): void {
    this.globalState = breakerStep(globalConfig, this.globalState, { _tag: "Tick", t })
    for (const [k, s] of this.sectors) this.sectors.set(k, breakerStep(this.config.sector, s, { _tag: "Tick", t }))
    for (const [k, s] of this.clusters) this.clusters.set(k, breakerStep(this.config.cluster, s, { _tag: "Tick", t }))
  }
}

// ---- configuration boundary -------------------------------------------------------------

const ms = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 86_400_000 }))
const positiveMs = Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 86_400_000 }))

export const BreakerConfigSchema = Schema.Struct({
  tripAbove: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 1_000_000 })),
  windowMs: positiveMs,
  firstProbeMs: ms,
  maxProbeMs: ms,
  monitorMs: ms,
})

export const MeshBreakerConfigSchema = Schema.Struct({
  cluster: BreakerConfigSchema,
  sector: BreakerConfigSchema,
  openSectorsAbove: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 1_000_000 })),
})

export interface ConfigIssue {
  readonly field: string
  readonly message: string
}
export class BreakerConfigError extends Data.TaggedError("BreakerConfigError")<{ readonly issues: ReadonlyArray<ConfigIssue> }> {}

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

/** Decodes a `MeshBreakerConfig`; also refuses a first probe wait above its cap. */
export const decodeMeshBreakerConfig = (raw: unknown): Result.Result<MeshBreakerConfig, BreakerConfigError> => {
  const r = Schema.decodeUnknownResult(MeshBreakerConfigSchema)(raw, { errors: "all" })
  if (Result.isFailure(r)) {
    const issues = formatIssues(r.failure.issue).issues.map((i) => ({
      field: (i.path ?? []).map(String).join(".") || "(config)",
      message: i.message,
    }))
    return Result.fail(new BreakerConfigError({ issues }))
  }
  const issues: Array<ConfigIssue> = []
  for (const k of ["cluster", "sector"] as const) {
    const c = r.success[k]
    if (c.firstProbeMs > c.maxProbeMs) issues.push({ field: `${k}.firstProbeMs`, message: `must be ≤ ${k}.maxProbeMs (${c.maxProbeMs})` })
  }
  return issues.length > 0 ? Result.fail(new BreakerConfigError({ issues })) : Result.succeed(r.success)
}
