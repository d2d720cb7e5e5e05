import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { type Breakers, routeAll } from "../../src/Mesh/Breaker.ts"
import {
  admit,
  decodeDegradationConfig,
  healthySectorsOnly,
  type ModeThresholds,
  opMode,
  type OpMode,
  type Operation,
  rank,
  seedDegradationConfig,
  seedModeThresholds,
} from "../../src/Mesh/Degradation.ts"

const runs = { numRuns: 1000 } as const
const modes: ReadonlyArray<OpMode> = ["FULL", "DEGRADED_LIGHT", "DEGRADED_MODERATE", "DEGRADED_SEVERE", "EMERGENCY"]
const mode = fc.constantFrom(...modes)
const pct = fc.integer({ min: 0, max: 100 })
// Any thresholds, ordered or not: monotonicity holds for all of them.
const thresholds: fc.Arbitrary<ModeThresholds> = fc.record({ full: pct, light: pct, moderate: pct, severe: pct })
const operation: fc.Arbitrary<Operation> = fc.record({
  targets: fc.integer({ min: 0, max: 40_000 }),
  priority: fc.constantFrom(0, 1, 2, 3),
  meshWide: fc.boolean(),
  automated: fc.boolean(),
  humanApproved: fc.boolean(),
})
const limit = fc.integer({ min: 1, max: 30_000 })

describe("operational modes", () => {
  // @lean Hydrogen.Mesh.opMode_mono
  it("opMode_mono: more active agents never give a more degraded mode", () => {
    fc.assert(fc.property(thresholds, fc.nat(100_000), fc.nat(100_000), fc.nat(100_000), (th, x, y, total) => {
      const [a, a2] = x <= y ? [x, y] : [y, x]
      return rank(opMode(th, a2, total)) <= rank(opMode(th, a, total))
    }), runs)
  })

  // @lean Hydrogen.Mesh.opMode_seed_examples
  it("opMode_seed_examples: 95 / 80 / 60 / 30 % are each the lowest rate of their mode; no agents is EMERGENCY", () => {
    const th = seedModeThresholds
    expect([95, 94, 80, 79, 60, 59, 30, 29].map((a) => opMode(th, a, 100))).toEqual([
      "FULL", "DEGRADED_LIGHT", "DEGRADED_LIGHT", "DEGRADED_MODERATE", "DEGRADED_MODERATE", "DEGRADED_SEVERE", "DEGRADED_SEVERE", "EMERGENCY",
    ])
    expect(opMode(th, 28_500, 30_000)).toBe("FULL")
    expect(opMode(th, 28_499, 30_000)).toBe("DEGRADED_LIGHT")
    expect(opMode(th, 0, 0)).toBe("EMERGENCY")
    // Exact where floats are not: against the rational rate for random meshes.
    fc.assert(fc.property(fc.nat(1_000_000), fc.integer({ min: 1, max: 1_000_000 }), (x, total) => {
      const a = x % (total + 1)
      const m = opMode(th, a, total)
      const ge = (p: number) => BigInt(a) * 100n >= BigInt(p) * BigInt(total)
      const want = ge(95) ? "FULL" : ge(80) ? "DEGRADED_LIGHT" : ge(60) ? "DEGRADED_MODERATE" : ge(30) ? "DEGRADED_SEVERE" : "EMERGENCY"
      return m === want
    }), runs)
  })
})

describe("restrictions (admit)", () => {
  // @lean Hydrogen.Mesh.admitOp_full
  it("admitOp_full: FULL has no restrictions", () => {
    fc.assert(fc.property(operation, limit, (op, l) => admit(op, "FULL", l)._tag === "Admitted"), runs)
  })

  // @lean Hydrogen.Mesh.admitOp_moderate_scatter
  it("admitOp_moderate_scatter: in DEGRADED_MODERATE a scatter over the limit is refused, naming both numbers", () => {
    fc.assert(fc.property(operation, limit, (op0, l) => {
      const op = { ...op0, targets: l + 1 + (op0.targets % 1000) }
      const d = admit(op, "DEGRADED_MODERATE", l)
      return d._tag === "Refused" && d.refusal._tag === "ScatterTooLarge" &&
        d.refusal.requested === op.targets && d.refusal.limit === l && d.refusal.mode === "DEGRADED_MODERATE"
    }), runs)
  })

  // @lean Hydrogen.Mesh.admitOp_mono
  it("admitOp_mono: what a more degraded mode admits, a less degraded one admits too", () => {
    fc.assert(fc.property(mode, mode, operation, limit, (x, y, op, l) => {
      const [m, m2] = rank(x) <= rank(y) ? [x, y] : [y, x]
      return admit(op, m2, l)._tag !== "Admitted" || admit(op, m, l)._tag === "Admitted"
    }), runs)
  })

  // @lean Hydrogen.Mesh.admitOp_mono_active
  it("admitOp_mono_active: more active agents never turn an admitted operation away", () => {
    fc.assert(fc.property(thresholds, fc.nat(50_000), fc.nat(50_000), fc.nat(50_000), operation, limit, (th, x, y, total, op, l) => {
      const [a, a2] = x <= y ? [x, y] : [y, x]
      return admit(op, opMode(th, a, total), l)._tag !== "Admitted" || admit(op, opMode(th, a2, total), l)._tag === "Admitted"
    }), runs)
  })

  // @lean Hydrogen.Mesh.admitOp_seed_examples
  it("admitOp_seed_examples: each mode's restrictions from the seed, enforced", () => {
    const op = (o: Partial<Operation>): Operation => ({ targets: 10, priority: 3, meshWide: false, automated: true, humanApproved: false, ...o })
    const refusal = (o: Operation, m: OpMode) => {
      const d = admit(o, m)
      return d._tag === "Refused" ? d.refusal : d._tag
    }
    expect(refusal(op({ targets: 1001 }), "DEGRADED_MODERATE")).toMatchObject({ _tag: "ScatterTooLarge", requested: 1001, limit: 1000, mode: "DEGRADED_MODERATE" })
    expect(admit(op({ targets: 1000 }), "DEGRADED_MODERATE")._tag).toBe("Admitted")
    expect(admit(op({ targets: 1001 }), "DEGRADED_LIGHT")._tag).toBe("Admitted")
    expect(admit(op({ priority: 1 }), "DEGRADED_MODERATE")).toEqual({ _tag: "Queued", mode: "DEGRADED_MODERATE" })
    expect(refusal(op({ priority: 0 }), "DEGRADED_LIGHT")).toMatchObject({ _tag: "BackgroundDisabled" })
    expect(admit(op({ priority: 1 }), "DEGRADED_LIGHT")._tag).toBe("Admitted")
    expect(refusal(op({ priority: 2 }), "DEGRADED_SEVERE")).toMatchObject({ _tag: "NotCritical", priority: 2 })
    expect(refusal(op({ targets: 30_000, meshWide: true }), "DEGRADED_SEVERE")).toMatchObject({ _tag: "NeedsHumanApproval" })
    expect(admit(op({ targets: 900, meshWide: true, humanApproved: true }), "DEGRADED_SEVERE")._tag).toBe("Admitted")
    expect(refusal(op({}), "EMERGENCY")).toMatchObject({ _tag: "Halted", mode: "EMERGENCY" })
    expect(admit(op({ automated: false }), "EMERGENCY")._tag).toBe("Admitted")
  })

  it("the whole path: 70 % active gives DEGRADED_MODERATE, which refuses a 2,000-agent scatter and routes to healthy sectors only", () => {
    const m = opMode(seedDegradationConfig.thresholds, 21_000, 30_000)
    expect(m).toBe("DEGRADED_MODERATE")
    const d = admit({ targets: 2000, priority: 3, meshWide: false, automated: true, humanApproved: false }, m, seedDegradationConfig.scatterLimit)
    expect(d._tag === "Refused" && d.refusal._tag).toBe("ScatterTooLarge")
    const b: Breakers = { global: "CLOSED", sector: (s) => (s === 1 ? "HALF_OPEN" : "CLOSED"), cluster: () => "CLOSED" }
    const targets = [{ sector: 0, cluster: 0 }, { sector: 1, cluster: 10 }, { sector: 2, cluster: 20 }]
    expect(routeAll(b, targets, healthySectorsOnly(m))).toEqual([targets[0], targets[2]])
    expect(routeAll(b, targets, healthySectorsOnly("DEGRADED_LIGHT"))).toEqual(targets)
  })
})

describe("degradation configuration", () => {
  it("decodes the seed's values; out-of-range or unordered thresholds get a typed error naming the field", () => {
    const ok = decodeDegradationConfig({ thresholds: { full: 95, light: 80, moderate: 60, severe: 30 }, scatterLimit: 1000 })
    expect(Result.isSuccess(ok) && ok.success).toEqual(seedDegradationConfig)
    const range = decodeDegradationConfig({ thresholds: { full: 120, light: 80, moderate: -5, severe: 30 }, scatterLimit: 0 })
    expect(Result.isFailure(range)).toBe(true)
    if (Result.isFailure(range)) {
      expect(range.failure._tag).toBe("DegradationConfigError")
      expect(range.failure.issues.map((i) => i.field).sort()).toEqual(["scatterLimit", "thresholds.full", "thresholds.moderate"])
    }
    const order = decodeDegradationConfig({ thresholds: { full: 95, light: 96, moderate: 60, severe: 60 }, scatterLimit: 1000 })
    expect(Result.isFailure(order) && order.failure.issues.map((i) => i.field)).toEqual(["thresholds.light", "thresholds.severe"])
    expect(Result.isFailure(decodeDegradationConfig({ thresholds: { full: 95 } }))).toBe(true)
  })
})
