/**
 * Impedance (seed 002, Parts 1.3, 2.2–2.3, 4.1): the full `AgentImpedance`
 * record decoded at the boundary, continuous profiling over bounded ring
 * buffers, the six classes A–F, and the 0–1000 score.
 *
 * Mirrors `lean/Hydrogen/Mesh/Impedance.lean` for `classify` and `score`.
 */
import { Data, Schema, SchemaIssue } from "effect"
import * as Result from "effect/Result"
import { type AgentClass, agentClasses, baseMs } from "./Arrival.ts"

export { type AgentClass, agentClasses, baseMs }

/**
 * Seed 2.2 allocations (they sum to 30,000).
 * @lean Hydrogen.Mesh.AgentClass.allocation
 */
export const allocation: Readonly<Record<AgentClass, number>> = {
  CLASS_A_EDGE: 10_000,
  CLASS_B_SERVERLESS: 8_000,
  CLASS_C_PERSISTENT: 5_000,
  CLASS_D_GPU: 2_000,
  CLASS_E_LOCAL: 3_000,
  CLASS_F_HUMAN: 2_000,
}

/**
 * Upper end (ms, inclusive) of each class's round-trip band; the seed's ranges
 * overlap, so the first band that covers a measurement wins. F is unbounded.
 *
 * @lean Hydrogen.Mesh.AgentClass.upper
 */
export const bandUpperMs: ReadonlyArray<readonly [AgentClass, number]> = [
  ["CLASS_A_EDGE", 20],
  ["CLASS_B_SERVERLESS", 150],
  ["CLASS_C_PERSISTENT", 300],
  ["CLASS_D_GPU", 500],
  ["CLASS_E_LOCAL", 1000],
]

/**
 * Lowest round-trip time (ms) in a class's band.
 * @lean Hydrogen.Mesh.AgentClass.lower
 */
export const bandLowerMs = (k: AgentClass): number => {
  const i = bandUpperMs.findIndex(([c]) => c === k)
  return i === 0 ? 0 : (i === -1 ? bandUpperMs[bandUpperMs.length - 1]![1] : bandUpperMs[i - 1]![1]) + 1
}

/**
 * Whether a whole-ms round-trip time lies in class `k`'s band.
 * @lean Hydrogen.Mesh.InBand
 */
export const inBand = (k: AgentClass, rttMs: number): boolean => {
  const hi = bandUpperMs.find(([c]) => c === k)?.[1] ?? Number.POSITIVE_INFINITY
  return bandLowerMs(k) <= rttMs && rttMs <= hi
}

/**
 * The class of a measured round-trip time in ms (whole ms, rounded up).
 * @lean Hydrogen.Mesh.classify
 */
export const classify = (rttMs: number): AgentClass => {
  if (!Number.isFinite(rttMs) || rttMs < 0) throw new RangeError(`classify: rttMs must be finite and >= 0, got ${rttMs}`)
  const r = Math.ceil(rttMs)
  for (const [k, u] of bandUpperMs) if (r <= u) return k
  return "CLASS_F_HUMAN"
}

/** @lean Hydrogen.Mesh.clampScore */
export const clampScore = (x: number): number => Math.max(0, Math.min(1000, x))

/**
 * Score: `clamp(⌊(5·rtt + proc·(10 + queue)) / 10⌋)`, i.e. one-way latency plus
 * queued processing in ms, on the seed's 0–1000 scale.
 *
 * @lean Hydrogen.Mesh.score
 */
export const score = (rttMs: number, processingMs: number, queueDepth: number): number => {
  for (const [n, v] of [["rttMs", rttMs], ["processingMs", processingMs], ["queueDepth", queueDepth]] as const) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`score: ${n} must be finite and >= 0, got ${v}`)
  }
  return clampScore(Math.floor((5 * rttMs + processingMs * (10 + queueDepth)) / 10))
}

// ---- bounded ring buffer ---------------------------------------------------

/** Fixed-capacity window of the last `capacity` samples (the seed's `RingBuffer(size=100)`). */
export class RingBuffer {
  readonly capacity: number
  private readonly data: Float64Array
  private next = 0
  private filled = 0
  private sum = 0

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`RingBuffer: capacity must be >= 1, got ${capacity}`)
    this.capacity = capacity
    this.data = new Float64Array(capacity)
  }

  get size(): number {
    return this.filled
  }

  /** Bytes held by the samples: fixed at construction. */
  get sampleBytes(): number {
    return this.data.byteLength
  }

  add(x: number): void {
    if (!Number.isFinite(x)) throw new RangeError(`RingBuffer.add: sample must be finite, got ${x}`)
    if (this.filled === this.capacity) this.sum -= this.data[this.next]!
    else this.filled++
    this.data[this.next] = x
    this.sum += x
    this.next = (this.next + 1) % this.capacity
    // the running sum drifts under float error; recompute once per lap
    if (this.next === 0) this.sum = this.window().reduce((s, v) => s + v, 0)
  }

  /** The window, oldest first. */
  window(): number[] {
    const out: number[] = []
    const start = this.filled === this.capacity ? this.next : 0
    for (let i = 0; i < this.filled; i++) out.push(this.data[(start + i) % this.capacity]!)
    return out
  }

  mean(): number | undefined {
    return this.filled === 0 ? undefined : this.sum / this.filled
  }

  /** Nearest-rank percentile `p` in (0, 100]: the ⌈p/100·n⌉-th smallest, by selection. */
  percentile(p: number): number | undefined {
    if (!(p > 0 && p <= 100)) throw new RangeError(`percentile: p must be in (0, 100], got ${p}`)
    if (this.filled === 0) return undefined
    const rank = Math.max(1, Math.ceil((p / 100) * this.filled))
    return select(this.window(), rank - 1)
  }

  /** Population standard deviation: the seed's `std_dev()`, its drift coefficient. */
  stdDev(): number | undefined {
    const m = this.mean()
    if (m === undefined) return undefined
    let ss = 0
    for (const v of this.window()) ss += (v - m) * (v - m)
    return Math.sqrt(ss / this.filled)
  }
}

/** The `k`-th smallest (0-based) of `xs`, by quickselect (mutates `xs`). */
export const select = (xs: number[], k: number): number => {
  let lo = 0
  let hi = xs.length - 1
  while (lo < hi) {
    const pivot = xs[(lo + hi) >> 1]!
    let i = lo
    let j = hi
    while (i <= j) {
      while (xs[i]! < pivot) i++
      while (xs[j]! > pivot) j--
      if (i <= j) {
        const t = xs[i]!
        xs[i] = xs[j]!
        xs[j] = t
        i++
        j--
      }
    }
    if (k <= j) hi = j
    else if (k >= i) lo = i
    else return xs[k]!
  }
  return xs[k]!
}

/** Success/failure outcomes over a bounded window: the seed's reliability. */
export class OutcomeWindow {
  private readonly buf: RingBuffer
  constructor(capacity: number) {
    this.buf = new RingBuffer(capacity)
  }
  record(ok: boolean): void {
    this.buf.add(ok ? 1 : 0)
  }
  /** Success rate in [0, 1]; `undefined` before any outcome. */
  reliability(): number | undefined {
    return this.buf.mean()
  }
}

// ---- the AgentImpedance record (Part 2.3) ----------------------------------

const nonNegative = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))
const nat = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
const iso = Schema.String.check(
  Schema.makeFilter((s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)) ? undefined : "expected an ISO 8601 timestamp"),
)
const id = Schema.String.check(Schema.isNonEmpty())

export const operationalStates = ["active", "degraded", "offline", "quarantined"] as const

export const AgentImpedanceRecord = Schema.Struct({
  agent_id: id,
  agent_class: Schema.Literals(agentClasses),
  sector_id: id,
  cluster_id: id,
  current_latency_ms: nonNegative,
  current_processing_ms: nonNegative,
  current_queue_depth: nat,
  last_heartbeat: iso,
  impedance_score: Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1000 })),
  reliability_score: Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1 })),
  drift_coefficient: nonNegative,
  operational_state: Schema.Literals(operationalStates),
  current_context_hash: Schema.String,
  capabilities: Schema.Array(Schema.String),
})
export type AgentImpedanceRecord = typeof AgentImpedanceRecord.Type

/** A record that is not a possible `AgentImpedance`; each issue names its field. */
export class AgentImpedanceError extends Data.TaggedError("AgentImpedanceError")<{
  readonly issues: ReadonlyArray<{ readonly field: string; readonly message: string }>
}> {}

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

export const decodeAgentImpedance = (raw: unknown): Result.Result<AgentImpedanceRecord, AgentImpedanceError> => {
  const r = Schema.decodeUnknownResult(AgentImpedanceRecord)(raw, { errors: "all" })
  if (Result.isSuccess(r)) return Result.succeed(r.success)
  const issues = formatIssues(r.failure.issue).issues.map((i) => ({
    field: (i.path ?? []).map(String).join(".") || "(record)",
    message: i.message,
  }))
  return Result.fail(new AgentImpedanceError({ issues }))
}

// ---- the profiler (Part 4.1) -------------------------------------------------

export interface ProfilerIdentity {
  readonly agentId: string
  readonly agentClass: AgentClass
  readonly sectorId: string
  readonly clusterId: string
}

/** One agent's profile: latency and processing windows (seed size 100) and outcomes. */
export class ImpedanceProfiler {
  readonly latency: RingBuffer
  readonly processing: RingBuffer
  readonly outcomes: OutcomeWindow
  readonly identity: ProfilerIdentity
  constructor(identity: ProfilerIdentity, capacity = 100) {
    this.identity = identity
    this.latency = new RingBuffer(capacity)
    this.processing = new RingBuffer(capacity)
    this.outcomes = new OutcomeWindow(capacity)
  }

  /**
   * The record the seed's `calculate_current_impedance` reports: p50 latency and
   * processing, score from them, drift = latency std-dev (ms, as the seed),
   * reliability 0 before any outcome (no evidence, no confidence).
   */
  snapshot(queueDepth: number, now: Date, state: AgentImpedanceRecord["operational_state"] = "active"): AgentImpedanceRecord {
    const lat = this.latency.percentile(50) ?? 0
    const proc = this.processing.percentile(50) ?? 0
    return {
      agent_id: this.identity.agentId,
      agent_class: this.identity.agentClass,
      sector_id: this.identity.sectorId,
      cluster_id: this.identity.clusterId,
      current_latency_ms: lat,
      current_processing_ms: proc,
      current_queue_depth: queueDepth,
      last_heartbeat: now.toISOString(),
      impedance_score: score(lat, proc, queueDepth),
      reliability_score: this.outcomes.reliability() ?? 0,
      drift_coefficient: this.latency.stdDev() ?? 0,
      operational_state: state,
      current_context_hash: "",
      capabilities: [],
    }
  }
}
