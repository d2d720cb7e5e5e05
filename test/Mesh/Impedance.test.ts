import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import {
  agentClasses,
  allocation,
  baseMs,
  classify,
  decodeAgentImpedance,
  ImpedanceProfiler,
  OutcomeWindow,
  RingBuffer,
  score,
  select,
} from "../../src/Mesh/Impedance.ts"

const good = {
  agent_id: "S3-C7-A12",
  agent_class: "CLASS_E_LOCAL",
  sector_id: "S3",
  cluster_id: "S3-C7",
  current_latency_ms: 120,
  current_processing_ms: 150,
  current_queue_depth: 2,
  last_heartbeat: "2026-12-01T04:40:00.000Z",
  impedance_score: 240,
  reliability_score: 0.99,
  drift_coefficient: 4.5,
  operational_state: "active",
  current_context_hash: "a1b2c3d4",
  capabilities: ["sensor"],
}

const fields = (raw: unknown) => {
  const r = decodeAgentImpedance(raw)
  if (Result.isSuccess(r)) throw new Error("expected a decode error")
  expect(r.failure._tag).toBe("AgentImpedanceError")
  return r.failure.issues.map((i) => i.field)
}

describe("AgentImpedance decoding (seed 002 Part 2.3)", () => {
  it("accepts a possible record", () => {
    const r = decodeAgentImpedance(good)
    expect(Result.isSuccess(r)).toBe(true)
  })

  it("names the field of each impossible value", () => {
    expect(fields({ ...good, current_latency_ms: -1 })).toEqual(["current_latency_ms"])
    expect(fields({ ...good, reliability_score: 1.01 })).toEqual(["reliability_score"])
    expect(fields({ ...good, agent_class: "CLASS_G_QUANTUM" })).toEqual(["agent_class"])
    expect(fields({ ...good, current_queue_depth: 1.5 })).toEqual(["current_queue_depth"])
    expect(fields({ ...good, impedance_score: 1001 })).toEqual(["impedance_score"])
    expect(fields({ ...good, last_heartbeat: "yesterday" })).toEqual(["last_heartbeat"])
    expect(fields({ ...good, operational_state: "asleep" })).toEqual(["operational_state"])
    expect(new Set(fields({ ...good, current_processing_ms: Number.NaN }))).toEqual(new Set(["current_processing_ms"]))
  })

  it("reports every bad field at once, and a missing one", () => {
    const { agent_id: _, ...noId } = good
    expect(fields({ ...noId, drift_coefficient: -0.1, reliability_score: -2 }).sort()).toEqual(
      ["agent_id", "drift_coefficient", "reliability_score"],
    )
    expect(fields("not a record")).toEqual(["(record)"])
  })
})

// naive recomputation over the last `cap` samples
const lastN = (xs: number[], cap: number) => xs.slice(Math.max(0, xs.length - cap))
const naiveRank = (w: number[], p: number) => [...w].sort((a, b) => a - b)[Math.max(1, Math.ceil((p / 100) * w.length)) - 1]
const naiveMean = (w: number[]) => w.reduce((s, x) => s + x, 0) / w.length
const naiveStd = (w: number[]) => {
  const m = naiveMean(w)
  return Math.sqrt(w.reduce((s, x) => s + (x - m) ** 2, 0) / w.length)
}

describe("RingBuffer (seed 002 Part 4.1)", () => {
  it("holds at most `capacity` samples; memory fixed at construction", () => {
    const b = new RingBuffer(100)
    const bytes = b.sampleBytes
    for (let i = 0; i < 100_000; i++) b.add(i)
    expect(b.size).toBe(100)
    expect(b.sampleBytes).toBe(bytes)
    expect(b.window()).toEqual(Array.from({ length: 100 }, (_, i) => 99_900 + i))
  })

  it("mean, p50, p95 and std-dev equal a naive recomputation over the window", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 300 }),
        (cap, xs) => {
          const b = new RingBuffer(cap)
          for (const x of xs) b.add(x)
          const w = lastN(xs, cap)
          expect(b.window()).toEqual(w)
          expect(b.size).toBe(w.length)
          expect(b.mean()).toBeCloseTo(naiveMean(w), 6)
          expect(b.percentile(50)).toBe(naiveRank(w, 50))
          expect(b.percentile(95)).toBe(naiveRank(w, 95))
          expect(b.percentile(100)).toBe(Math.max(...w))
          expect(b.stdDev()).toBeCloseTo(naiveStd(w), 6)
        },
      ),
      { numRuns: 500 },
    )
  })

  it("select returns the k-th smallest", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 60 }), fc.nat(), (xs, k0) => {
        const k = k0 % xs.length
        expect(select([...xs], k)).toBe([...xs].sort((a, b) => a - b)[k])
      }),
      { numRuns: 500 },
    )
  })

  it("empty windows have no statistics; bad input is refused", () => {
    const b = new RingBuffer(3)
    expect(b.mean()).toBeUndefined()
    expect(b.percentile(50)).toBeUndefined()
    expect(b.stdDev()).toBeUndefined()
    expect(() => b.add(Number.NaN)).toThrow(RangeError)
    expect(() => b.percentile(0)).toThrow(RangeError)
    expect(() => new RingBuffer(0)).toThrow(RangeError)
  })

  it("reliability is the success rate over the last outcomes", () => {
    const o = new OutcomeWindow(4)
    expect(o.reliability()).toBeUndefined()
    for (const ok of [false, false, true, true, true, false]) o.record(ok)
    // window: true, true, true, false
    expect(o.reliability()).toBe(0.75)
  })
})

describe("classes and score (seed 002 Part 2.2)", () => {
  it("allocations sum to 30,000 and base times are the seed's", () => {
    expect(agentClasses.reduce((s, k) => s + allocation[k], 0)).toBe(30_000)
    expect(baseMs.CLASS_F_HUMAN).toBe(60_000)
    expect(baseMs.CLASS_D_GPU).toBe(100)
  })

  it("classify: band edges", () => {
    expect(classify(0)).toBe("CLASS_A_EDGE")
    expect(classify(20)).toBe("CLASS_A_EDGE")
    expect(classify(20.5)).toBe("CLASS_B_SERVERLESS")
    expect(classify(150)).toBe("CLASS_B_SERVERLESS")
    expect(classify(151)).toBe("CLASS_C_PERSISTENT")
    expect(classify(300)).toBe("CLASS_C_PERSISTENT")
    expect(classify(500)).toBe("CLASS_D_GPU")
    expect(classify(1000)).toBe("CLASS_E_LOCAL")
    expect(classify(1001)).toBe("CLASS_F_HUMAN")
    expect(classify(3_600_000)).toBe("CLASS_F_HUMAN")
    expect(() => classify(-1)).toThrow(RangeError)
  })

  it("score: ⌊(5·rtt + proc·(10+q))/10⌋ clamped to [0, 1000]", () => {
    expect(score(100, 200, 0)).toBe(250)
    expect(score(100, 200, 5)).toBe(350)
    expect(score(400, 60_000, 0)).toBe(1000)
    expect(score(0, 0, 0)).toBe(0)
    expect(() => score(-1, 0, 0)).toThrow(RangeError)
  })

  it("profiler snapshot decodes and reports p50s, score, drift and reliability", () => {
    const p = new ImpedanceProfiler({ agentId: "a", agentClass: "CLASS_B_SERVERLESS", sectorId: "s", clusterId: "c" }, 5)
    for (const x of [999, 10, 20, 30, 40, 50]) p.latency.add(x) // 999 falls out
    for (const x of [100, 300, 200]) p.processing.add(x)
    p.outcomes.record(true)
    p.outcomes.record(false)
    const snap = p.snapshot(1, new Date("2026-12-01T00:00:00Z"))
    expect(snap.current_latency_ms).toBe(30)
    expect(snap.current_processing_ms).toBe(200)
    expect(snap.impedance_score).toBe(Math.floor((5 * 30 + 200 * 11) / 10))
    expect(snap.drift_coefficient).toBeCloseTo(Math.sqrt(200), 9)
    expect(snap.reliability_score).toBe(0.5)
    expect(Result.isSuccess(decodeAgentImpedance(snap))).toBe(true)
  })
})
