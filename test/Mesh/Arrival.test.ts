import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import {
  type AgentImpedance,
  agentClasses,
  baseMs,
  bucket,
  bucketSend,
  calculateSendTimes,
  ceilDiv,
  confidence,
  decodeImpedance,
  groupByBucket,
  leadMs,
  MeshDomainError,
  plan,
  processingMs,
} from "../../src/Mesh/Arrival.ts"

// Expected values come from the seed's formulas worked by hand or from the
// theorems' statements, never from the implementation's own output.

const ms = fc.integer({ min: 0, max: 1e12 })
const small = fc.integer({ min: 0, max: 1e6 })
const runs = { numRuns: 500 } as const

describe("plan (one agent's schedule)", () => {
  // @lean Hydrogen.Mesh.plan_sendAt_ge_now
  it("plan_sendAt_ge_now: every SCHEDULED send is at or after now", () => {
    fc.assert(fc.property(ms, ms, small, (now, target, lead) => {
      const p = plan(now, target, lead)
      return p.status !== "SCHEDULED" || p.sendAt >= now
    }), runs)
  })

  // @lean Hydrogen.Mesh.plan_arrives_at_target
  it("plan_arrives_at_target: a SCHEDULED send plus its lead is exactly T, and its lead is the given one", () => {
    fc.assert(fc.property(ms, ms, small, (now, target, lead) => {
      const p = plan(now, target, lead)
      return p.status !== "SCHEDULED" || (p.sendAt + p.leadMs === target && p.leadMs === lead)
    }), runs)
  })

  // @lean Hydrogen.Mesh.plan_skip_iff
  it("plan_skip_iff: SKIP exactly when the lead time exceeds T − now", () => {
    fc.assert(fc.property(ms, ms, small, (now, target, lead) => {
      return (plan(now, target, lead).status === "SKIP") === (lead > target - now)
    }), runs)
    // near the edge, where an off-by-one would show: lead = (T − now) + δ
    fc.assert(fc.property(ms, small, fc.integer({ min: -2, max: 2 }), (now, left, delta) => {
      const lead = Math.max(0, left + delta)
      return (plan(now, now + left, lead).status === "SKIP") === (lead > left)
    }), runs)
  })

  // @lean Hydrogen.Mesh.plan_skip_fields
  it("plan_skip_fields: on SKIP would_need_ms = lead, available_ms = T − now, and would_need_ms > available_ms", () => {
    fc.assert(fc.property(ms, ms, small, (now, target, lead) => {
      const p = plan(now, target, lead)
      return p.status !== "SKIP" || (p.wouldNeedMs === lead && p.availableMs === target - now && p.wouldNeedMs > p.availableMs)
    }), runs)
  })

  // @lean Hydrogen.Mesh.plan_exact_lead
  it("plan_exact_lead: a lead exactly equal to the time left is scheduled now; one ms more is skipped", () => {
    expect(plan(1000, 1250, 250)).toEqual({ status: "SCHEDULED", sendAt: 1000, leadMs: 250 })
    expect(plan(1000, 1250, 251)).toEqual({ status: "SKIP", reason: "insufficient_lead_time", wouldNeedMs: 251, availableMs: 250 })
    // target already past: available is negative
    expect(plan(2000, 1500, 0)).toMatchObject({ status: "SKIP", wouldNeedMs: 0, availableMs: -500 })
  })

  it("rejects times that are not whole non-negative ms with a typed error", () => {
    expect(() => plan(-1, 10, 1)).toThrow(MeshDomainError)
    expect(() => plan(0, 10.5, 1)).toThrow(MeshDomainError)
    expect(() => plan(0, 10, Number.NaN)).toThrow(MeshDomainError)
  })
})

describe("10 ms buckets", () => {
  // @lean Hydrogen.Mesh.bucket_bounds
  it("bucket_bounds: bucket(t) ≤ t < bucket(t) + b", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), ms, (b, t) => {
      const s = bucket(b, t)
      return s <= t && t < s + b && s % b === 0
    }), runs)
    expect(bucket(10, 1234)).toBe(1230)
    expect(bucket(10, 1230)).toBe(1230)
  })

  // @lean Hydrogen.Mesh.bucketSend_window
  it("bucketSend_window: a bucketed send is at or after now and arrives in (T − b, T], never late", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 100 }), ms, ms, small, (b, now, target, lead) => {
      const p = plan(now, target, lead)
      if (p.status !== "SCHEDULED") return true
      const at = bucketSend(b, now, p.sendAt)
      return now <= at && at + lead <= target && target < at + lead + b
    }), runs)
  })
})

describe("estimate_processing_time", () => {
  // @lean Hydrogen.Mesh.le_ceilDiv_mul
  it("le_ceilDiv_mul: a ≤ ⌈a / k⌉ · k, and by less than k (BigInt check)", () => {
    fc.assert(fc.property(ms, fc.integer({ min: 1, max: 1e6 }), (a, k) => {
      const c = BigInt(ceilDiv(a, k))
      return BigInt(a) <= c * BigInt(k) && c * BigInt(k) < BigInt(a) + BigInt(k)
    }), runs)
  })

  // @lean Hydrogen.Mesh.processingMs_examples
  it("processingMs_examples: base · (1 + 0.5·w) · (1 + 0.1·q) for the seed's classes", () => {
    expect(processingMs("CLASS_A_EDGE", 10, 0)).toBe(15) // 10 · 1.5 · 1
    expect(processingMs("CLASS_F_HUMAN", 10, 0)).toBe(90000) // 60000 · 1.5
    expect(processingMs("CLASS_C_PERSISTENT", 0, 5)).toBe(300) // 200 · 1 · 1.5
    expect(processingMs("CLASS_D_GPU", 3, 1)).toBe(127) // 100 · 1.15 · 1.1 = 126.5, rounded up
  })

  // @lean Hydrogen.Mesh.base_le_processingMs
  it("base_le_processingMs: the estimate is never below the class's base time", () => {
    fc.assert(fc.property(fc.constantFrom(...agentClasses), small, small, (c, w, q) => processingMs(c, w, q) >= baseMs[c]), runs)
  })

  // @lean Hydrogen.Mesh.processingMs_mono_queue
  it("processingMs_mono_queue: a longer queue never lowers the estimate", () => {
    fc.assert(fc.property(fc.constantFrom(...agentClasses), small, small, small, (c, w, q, dq) =>
      processingMs(c, w, q) <= processingMs(c, w, q + dq)), runs)
  })

  it("matches the exact rational formula rounded up (BigInt model)", () => {
    fc.assert(fc.property(fc.constantFrom(...agentClasses), small, small, (c, w, q) => {
      const num = BigInt(baseMs[c]) * BigInt(20 + w) * BigInt(10 + q)
      const ceil = num % 200n === 0n ? num / 200n : num / 200n + 1n
      return BigInt(processingMs(c, w, q)) === ceil
    }), runs)
  })
})

describe("calculate_confidence", () => {
  // @lean Hydrogen.Mesh.confidence_bounds
  it("confidence_bounds: confidence is always in [0, 1] (0..10000 in its units)", () => {
    fc.assert(fc.property(small, small, fc.boolean(), (r, d, recent) => {
      const c = confidence(r, d, recent)
      return c >= 0 && c <= 10000
    }), runs)
  })

  // @lean Hydrogen.Mesh.confidence_le_seven_tenths
  it("confidence_le_seven_tenths: with reliability ≤ 1 the seed's confidence never exceeds 0.7", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1000 }), small, fc.boolean(), (r, d, recent) => confidence(r, d, recent) <= 7000), runs)
    expect(confidence(1000, 0, true)).toBe(7000)
  })

  // @lean Hydrogen.Mesh.confidence_unclamped
  it("confidence_unclamped: inside the clamp it is 0.5·r − 0.3·d + 0.2·[recent]", () => {
    // r = 0.9, d = 0.2, recent: 0.45 − 0.06 + 0.2 = 0.59
    expect(confidence(900, 200, true)).toBe(5900)
    // r = 1, d = 0, recent: 0.7; r = 0, d = 1, not recent: clamped to 0
    expect(confidence(1000, 0, true)).toBe(7000)
    expect(confidence(0, 1000, false)).toBe(0)
  })
})

const agent = (over: Partial<Record<keyof AgentImpedance, unknown>> = {}): Record<string, unknown> => ({
  agent_id: "S1-C1-A1",
  agent_class: "CLASS_A_EDGE",
  current_latency_ms: 20,
  current_queue_depth: 0,
  last_heartbeat_ms: 99_000,
  reliability_score: 0.9,
  drift_coefficient: 0.2,
  ...over,
})

describe("all of 30,000 nodes up at once", () => {
  // @lean Hydrogen.Mesh.allUp_30000_bounds
  it("allUp_30000_bounds: 9·10⁻¹⁴ ≤ 0.999^30000 < 10⁻¹³ (exact integers)", () => {
    const p = 999n ** 30000n
    const d = 10n ** 90000n
    expect(9n * d <= p * 10n ** 14n && p * 10n ** 13n < d).toBe(true)
  })

  // @lean Hydrogen.Mesh.allUp_30000_four_digits
  it("allUp_30000_four_digits: 9.218·10⁻¹⁴ ≤ 0.999^30000 < 9.219·10⁻¹⁴", () => {
    const p = 999n ** 30000n * 10n ** 17n
    const d = 10n ** 90000n
    expect(9218n * d <= p && p < 9219n * d).toBe(true)
    // and the float the seed would have computed agrees to four digits
    expect(0.999 ** 30000).toBeGreaterThan(9.218e-14)
    expect(0.999 ** 30000).toBeLessThan(9.219e-14)
  })
})

describe("the AgentImpedance boundary", () => {
  it("decodes a possible record", () => {
    const r = decodeImpedance(agent())
    expect(Result.isSuccess(r)).toBe(true)
  })

  it.each([
    ["current_latency_ms", -5],
    ["current_latency_ms", Number.POSITIVE_INFINITY],
    ["current_queue_depth", 1.5],
    ["reliability_score", 1.2],
    ["drift_coefficient", -0.1],
    ["agent_class", "CLASS_G"],
    ["agent_id", ""],
    ["last_heartbeat_ms", "yesterday"],
  ])("rejects an impossible %s (%s) with a typed error naming the field", (field, value) => {
    const r = decodeImpedance(agent({ [field]: value } as never))
    expect(Result.isFailure(r)).toBe(true)
    if (Result.isFailure(r)) {
      expect(r.failure._tag).toBe("ImpedanceDecodeError")
      expect(r.failure.issues.map((i) => i.field)).toEqual([field])
    }
  })

  it("names every bad field at once", () => {
    const r = decodeImpedance(agent({ current_latency_ms: -1, reliability_score: 2 }))
    expect(Result.isFailure(r) && r.failure.issues.map((i) => i.field).sort()).toEqual(["current_latency_ms", "reliability_score"])
  })
})

describe("calculate_send_times", () => {
  const decoded = (over: Parameters<typeof agent>[0]) => {
    const r = decodeImpedance(agent(over))
    if (Result.isFailure(r)) throw new Error("fixture did not decode")
    return r.success
  }

  it("leads slow agents earlier and skips the human class when 500 ms is not enough", () => {
    const edge = decoded({ agent_id: "edge", current_latency_ms: 20 }) // 10 + 15 = 25 ms
    const gpu = decoded({ agent_id: "gpu", agent_class: "CLASS_D_GPU", current_latency_ms: 300, current_queue_depth: 2 }) // 150 + ⌈100·1.5·1.2⌉ = 330
    const human = decoded({ agent_id: "human", agent_class: "CLASS_F_HUMAN" }) // 10 + 90000
    const now = 100_000
    const plans = calculateSendTimes(now, now + 500, [edge, gpu, human], 1.0)
    expect(plans.get("edge")).toMatchObject({ status: "SCHEDULED", sendAt: now + 475, leadMs: 25 })
    expect(plans.get("gpu")).toMatchObject({ status: "SCHEDULED", sendAt: now + 170, leadMs: 330 })
    expect(plans.get("human")).toMatchObject({ status: "SKIP", wouldNeedMs: 90010, availableMs: 500 })
    // recent heartbeat (1 s old): 0.45 − 0.06 + 0.2
    expect(plans.get("edge")).toMatchObject({ confidence: 0.59 })
    // grouped into 10 ms buckets in firing order
    expect(groupByBucket(now, plans)).toEqual([
      [now + 170, ["gpu"]],
      [now + 470, ["edge"]],
    ])
  })

  it("a stale heartbeat loses the recency term", () => {
    const stale = decoded({ last_heartbeat_ms: 80_000 })
    const p = calculateSendTimes(100_000, 101_000, [stale], 0).get("S1-C1-A1")
    expect(p).toMatchObject({ status: "SCHEDULED", confidence: 0.39 })
  })

  it("lead = ⌈latency / 2⌉ + processing + buffer", () => {
    expect(leadMs(41, 15, 5)).toBe(21 + 15 + 5)
    const withBuffer = calculateSendTimes(0, 1000, [decoded({})], 1.0, () => 7).get("S1-C1-A1")
    expect(withBuffer).toMatchObject({ status: "SCHEDULED", leadMs: 32, sendAt: 968 })
  })
})
