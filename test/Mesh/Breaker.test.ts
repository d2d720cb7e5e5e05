import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import {
  type Addr,
  type BreakerConfig,
  type BreakerEvent,
  type Breakers,
  type BreakerScope,
  type BreakerState,
  breakerRun,
  breakerStep,
  type Circuit,
  circuitOf,
  closedAt,
  clusterConfig,
  decodeMeshBreakerConfig,
  encloses,
  globalTrips,
  isRoutable,
  MeshBreakers,
  probeDelay,
  route,
  routeAll,
  sectorConfig,
  windowCount,
} from "../../src/Mesh/Breaker.ts"

const runs = { numRuns: 1000 } as const
const time = fc.integer({ min: 0, max: 2_000_000 })
const circuit = fc.constantFrom<Circuit>("CLOSED", "OPEN", "HALF_OPEN")
const config: fc.Arbitrary<BreakerConfig> = fc.record({
  tripAbove: fc.integer({ min: 0, max: 60 }),
  windowMs: fc.integer({ min: 1, max: 100_000 }),
  firstProbeMs: fc.integer({ min: 0, max: 100_000 }),
  maxProbeMs: fc.integer({ min: 0, max: 400_000 }),
  monitorMs: fc.integer({ min: 0, max: 100_000 }),
})
const state: fc.Arbitrary<BreakerState> = fc.record({
  circuit,
  failures: fc.integer({ min: 0, max: 100 }),
  windowStart: time,
  attempt: fc.integer({ min: 0, max: 70 }),
  dueAt: time,
})
const event: fc.Arbitrary<BreakerEvent> = fc.oneof(
  time.map((t) => ({ _tag: "Failure", t }) as const),
  time.map((t) => ({ _tag: "Trip", t }) as const),
  fc.tuple(time, fc.boolean()).map(([t, ok]) => ({ _tag: "Probe", t, ok }) as const),
  time.map((t) => ({ _tag: "Tick", t }) as const),
)
const fail = (t: number): BreakerEvent => ({ _tag: "Failure", t })
const probe = (t: number, ok: boolean): BreakerEvent => ({ _tag: "Probe", t, ok })
const tick = (t: number): BreakerEvent => ({ _tag: "Tick", t })

describe("probe backoff", () => {
  // @lean Hydrogen.Mesh.probeDelay_le_max
  it("probeDelay_le_max: the probe wait never exceeds its cap", () => {
    fc.assert(fc.property(config, fc.integer({ min: 0, max: 10_000 }), (c, n) => probeDelay(c, n) <= c.maxProbeMs), runs)
  })

  // @lean Hydrogen.Mesh.probeDelay_mono
  it("probeDelay_mono: a later attempt never waits less", () => {
    fc.assert(fc.property(config, fc.nat(200), fc.nat(200), (c, x, y) => {
      const [n, m] = x <= y ? [x, y] : [y, x]
      return probeDelay(c, n) <= probeDelay(c, m)
    }), runs)
  })

  // @lean Hydrogen.Mesh.probeDelay_seed
  it("probeDelay_seed: 30 s before the first probe, 60 s before every later one", () => {
    expect(probeDelay(clusterConfig, 0)).toBe(30_000)
    fc.assert(fc.property(fc.integer({ min: 0, max: 100_000 }), (n) => probeDelay(clusterConfig, n + 1) === 60_000), runs)
    // An uncapped exponential doubles: 1, 2, 4 ... times the first wait.
    const c = { ...clusterConfig, maxProbeMs: 1e12 }
    expect([0, 1, 2, 3].map((n) => probeDelay(c, n))).toEqual([30_000, 60_000, 120_000, 240_000])
  })
})

describe("breaker state machine", () => {
  // @lean Hydrogen.Mesh.breakerStep_failure_trips
  it("breakerStep_failure_trips: a failure on CLOSED opens exactly when the window's count exceeds the threshold", () => {
    fc.assert(fc.property(config, state, time, (c, s0, t) => {
      const s = { ...s0, circuit: "CLOSED" as const }
      const inWindow = t < s.windowStart + c.windowMs
      const count = inWindow ? s.failures + 1 : 1
      return (breakerStep(c, s, fail(t)).circuit === "OPEN") === (count > c.tripAbove) && windowCount(c, s, t) === count
    }), runs)
  })

  // @lean Hydrogen.Mesh.breakerStep_probe_early
  it("breakerStep_probe_early: a probe before its time changes nothing", () => {
    fc.assert(fc.property(config, state, fc.boolean(), (c, s, ok) => {
      if (s.dueAt === 0) return true
      const t = s.dueAt - 1
      return breakerStep(c, s, probe(t, ok)) === s
    }), runs)
  })

  // @lean Hydrogen.Mesh.breakerStep_leave_opened
  it("breakerStep_leave_opened: the only way out of OPEN is a successful probe on time, into HALF_OPEN", () => {
    fc.assert(fc.property(config, state, event, (c, s0, e) => {
      const s = { ...s0, circuit: "OPEN" as const }
      const next = breakerStep(c, s, e)
      if (next.circuit === "OPEN") return true
      return next.circuit === "HALF_OPEN" && e._tag === "Probe" && e.ok && s.dueAt <= e.t
    }), runs)
  })

  // @lean Hydrogen.Mesh.breakerStep_to_closed
  it("breakerStep_to_closed: the only way into CLOSED is a quiet HALF_OPEN monitoring period", () => {
    fc.assert(fc.property(config, state, event, (c, s, e) => {
      if (s.circuit === "CLOSED" || breakerStep(c, s, e).circuit !== "CLOSED") return true
      return s.circuit === "HALF_OPEN" && e._tag === "Tick" && s.dueAt <= e.t
    }), runs)
  })

  // @lean Hydrogen.Mesh.cluster_walk_seed
  it("cluster_walk_seed: 6th failure opens; failed probe at 30 s waits 60 s; good probe → HALF_OPEN; 60 s quiet → CLOSED", () => {
    // The injected clock: each event carries its own time in ms.
    const five = [1, 2, 3, 4, 5].map(fail)
    expect(breakerRun(clusterConfig, closedAt(0), five).circuit).toBe("CLOSED")
    const opened = breakerRun(clusterConfig, closedAt(0), [...five, fail(6)])
    expect(opened).toEqual({ circuit: "OPEN", failures: 0, windowStart: 6, attempt: 0, dueAt: 6 + 30_000 })
    const retried = breakerRun(clusterConfig, opened, [probe(30_005, true), probe(30_006, false)])
    expect(retried).toEqual({ circuit: "OPEN", failures: 0, windowStart: 30_006, attempt: 1, dueAt: 30_006 + 60_000 })
    const half = breakerRun(clusterConfig, retried, [probe(90_006, true), tick(150_005)])
    expect(half.circuit).toBe("HALF_OPEN")
    expect(half.dueAt).toBe(90_006 + 60_000)
    expect(breakerRun(clusterConfig, half, [tick(150_006)])).toEqual(closedAt(150_006))
    // A failure while HALF_OPEN reopens with the longer wait.
    expect(breakerStep(clusterConfig, half, fail(100_000))).toMatchObject({ circuit: "OPEN", attempt: 2, dueAt: 160_000 })
    // Failures a whole window apart do not add up.
    expect(breakerRun(clusterConfig, closedAt(0), [...five, fail(60_000)]).circuit).toBe("CLOSED")
    // A sector takes 51.
    const fifty = Array.from({ length: 50 }, (_, i) => fail(i + 1))
    expect(breakerRun(sectorConfig, closedAt(0), fifty).circuit).toBe("CLOSED")
    expect(breakerRun(sectorConfig, closedAt(0), [...fifty, fail(51)]).circuit).toBe("OPEN")
  })

  // @lean Hydrogen.Mesh.globalTrips_seed
  it("globalTrips_seed: the global breaker trips at 11 open sectors, not 10", () => {
    expect(globalTrips(10)).toBe(false)
    expect(globalTrips(11)).toBe(true)
  })
})

// Breakers over a few ids so that random addresses hit open scopes often.
const ids = fc.integer({ min: 0, max: 5 })
const addr: fc.Arbitrary<Addr> = fc.record({ sector: ids, cluster: ids })
const breakers: fc.Arbitrary<Breakers> = fc.record({
  global: fc.constantFrom<Circuit>("CLOSED", "CLOSED", "CLOSED", "HALF_OPEN", "OPEN"),
  sectors: fc.array(circuit, { minLength: 6, maxLength: 6 }),
  clusters: fc.array(circuit, { minLength: 6, maxLength: 6 }),
}).map(({ global, sectors, clusters }) => ({ global, sector: (s: number) => sectors[s] ?? "CLOSED", cluster: (c: number) => clusters[c] ?? "CLOSED" }))
const allScopes: ReadonlyArray<BreakerScope> = [
  { _tag: "Global" },
  ...[0, 1, 2, 3, 4, 5].map((sector) => ({ _tag: "Sector", sector }) as const),
  ...[0, 1, 2, 3, 4, 5].map((cluster) => ({ _tag: "Cluster", cluster }) as const),
]
const noOpenEnclosing = (b: Breakers, a: Addr) => allScopes.every((sc) => !encloses(sc, a) || circuitOf(b, sc) !== "OPEN")

describe("routing", () => {
  // @lean Hydrogen.Mesh.isRoutable_iff
  it("isRoutable_iff: routable exactly when no enclosing scope is OPEN", () => {
    fc.assert(fc.property(breakers, addr, (b, a) => isRoutable(b, a) === noOpenEnclosing(b, a)), runs)
  })

  // @lean Hydrogen.Mesh.route_none_of_open
  it("route_none_of_open: no message is routed into an OPEN scope", () => {
    fc.assert(fc.property(breakers, addr, fc.boolean(), (b, a, healthy) => {
      const r = route(b, a, healthy)
      const open = allScopes.find((sc) => encloses(sc, a) && circuitOf(b, sc) === "OPEN")
      if (open === undefined) return Result.isSuccess(r) || (healthy && b.sector(a.sector) === "HALF_OPEN")
      return Result.isFailure(r) && r.failure._tag === "ScopeOpen"
    }), runs)
  })

  // @lean Hydrogen.Mesh.routeAll_not_open
  it("routeAll_not_open: every agent a multicast reaches was addressed and has no OPEN enclosing scope", () => {
    fc.assert(fc.property(breakers, fc.array(addr, { maxLength: 30 }), fc.boolean(), (b, as, healthy) => {
      const got = routeAll(b, as, healthy)
      return got.every((a) => as.includes(a) && noOpenEnclosing(b, a)) &&
        got.length === as.filter((a) => noOpenEnclosing(b, a) && (!healthy || b.sector(a.sector) === "CLOSED")).length
    }), runs)
  })
})

describe("MeshBreakers (record_failure, probes, is_routable)", () => {
  it("trips a cluster on its 6th failure, a sector on its 51st, the global breaker on the 11th open sector", () => {
    const m = new MeshBreakers()
    const a: Addr = { sector: 3, cluster: 37 }
    for (let t = 1; t <= 5; t++) m.recordFailure(a, t)
    expect(m.cluster(37)).toBe("CLOSED")
    m.recordFailure(a, 6)
    expect(m.cluster(37)).toBe("OPEN")
    expect(isRoutable(m, a)).toBe(false)
    expect(isRoutable(m, { sector: 3, cluster: 38 })).toBe(true)
    const r = route(m, a)
    expect(Result.isFailure(r) && r.failure._tag === "ScopeOpen" && r.failure.scope).toEqual({ _tag: "Cluster", cluster: 37 })

    // Sector 3: 51 failures spread over its clusters.
    const s3 = new MeshBreakers()
    for (let i = 0; i < 51; i++) s3.recordFailure({ sector: 3, cluster: 30 + (i % 10) }, 100 + i)
    expect(s3.sector(3)).toBe("OPEN")
    expect(isRoutable(s3, { sector: 3, cluster: 99 })).toBe(false)
    expect(isRoutable(s3, { sector: 4, cluster: 40 })).toBe(true)

    const g = new MeshBreakers()
    const trip = (sector: number, t: number) => { for (let i = 0; i < 51; i++) g.recordFailure({ sector, cluster: sector * 10 + (i % 10) }, t) }
    for (let s = 0; s < 10; s++) trip(s, 1000 + s)
    expect(g.openSectors()).toBe(10)
    expect(g.global).toBe("CLOSED")
    trip(10, 2000)
    expect(g.global).toBe("OPEN")
    expect(isRoutable(g, { sector: 50, cluster: 500 })).toBe(false)
  })

  it("walks OPEN → probe → HALF_OPEN → CLOSED on an injected clock and routes again", () => {
    const m = new MeshBreakers()
    const a: Addr = { sector: 1, cluster: 12 }
    for (let t = 0; t < 6; t++) m.recordFailure(a, 10_000 + t)
    expect(m.dueProbes(40_004)).toEqual([])
    const scope = { _tag: "Cluster", cluster: 12 } as const
    expect(m.dueProbes(40_005)).toEqual([scope])
    m.apply(scope, probe(40_005, false)) // still failing: 60 s more
    expect(m.dueProbes(100_004)).toEqual([])
    m.apply(scope, probe(100_005, true))
    expect(m.cluster(12)).toBe("HALF_OPEN")
    expect(isRoutable(m, a)).toBe(true) // limited traffic flows while HALF_OPEN
    m.tick(160_004)
    expect(m.cluster(12)).toBe("HALF_OPEN")
    m.tick(160_005)
    expect(m.cluster(12)).toBe("CLOSED")
  })

  it("decodes a breaker configuration; bad fields get a typed error naming them", () => {
    const good = { cluster: clusterConfig, sector: sectorConfig, openSectorsAbove: 10 }
    expect(Result.isSuccess(decodeMeshBreakerConfig(good))).toBe(true)
    const bad = decodeMeshBreakerConfig({ cluster: { ...clusterConfig, tripAbove: -1, windowMs: 0 }, sector: sectorConfig, openSectorsAbove: 1.5 })
    expect(Result.isFailure(bad)).toBe(true)
    if (Result.isFailure(bad)) {
      expect(bad.failure._tag).toBe("BreakerConfigError")
      expect(bad.failure.issues.map((i) => i.field).sort()).toEqual(["cluster.tripAbove", "cluster.windowMs", "openSectorsAbove"])
    }
    const inverted = decodeMeshBreakerConfig({ ...good, sector: { ...sectorConfig, firstProbeMs: 90_000 } })
    expect(Result.isFailure(inverted) && inverted.failure.issues.map((i) => i.field)).toEqual(["sector.firstProbeMs"])
    expect(Result.isFailure(decodeMeshBreakerConfig("nope"))).toBe(true)
  })
})
