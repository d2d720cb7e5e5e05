/**
 * Arrival-time scheduling (seed 002, Part 3.1): the TypeScript mirror of
 * `lean/Hydrogen/Mesh/Arrival.lean`.
 *
 * Times are whole milliseconds (Lean `Nat`, here non-negative safe integers).
 * Lead times round up, so the integer model never sends late. The seed's
 * `calculate_buffer` is undefined; the buffer is an input (default 0 ms).
 * Inputs from outside (an `AgentImpedance`-like record) go through
 * `decodeImpedance`, which names the field of every impossible value.
 */
import { Data, Schema, SchemaIssue } from "effect"
import * as Result from "effect/Result"

/**

 * The six impedance classes of Part 2.2.

 *

 * @lean Hydrogen.Mesh.AgentClass

 */
export const agentClasses = [
  "CLASS_A_EDGE",
  "CLASS_B_SERVERLESS",
  "CLASS_C_PERSISTENT",
  "CLASS_D_GPU",
  "CLASS_E_LOCAL",
  "CLASS_F_HUMAN",
] as const
export type AgentClass = (typeof agentClasses)[number]

/**
 * The seed's `base_times` in ms.
 *
 * @lean Hydrogen.Mesh.baseMs
 */
export const baseMs: Readonly<Record<AgentClass, number>> = {
  CLASS_A_EDGE: 10,
  CLASS_B_SERVERLESS: 50,
  CLASS_C_PERSISTENT: 200,
  CLASS_D_GPU: 100,
  CLASS_E_LOCAL: 150,
  CLASS_F_HUMAN: 60000,
}

/** Thrown by the pure functions when an argument is not a non-negative safe integer. */
export class MeshDomainError extends Data.TaggedError("MeshDomainError")<{
  readonly fn: string
  readonly arg: string
  readonly value: number
}> {}

const nat = (fn: string, arg: string, value: number): number => {
  if (!Number.isSafeInteger(value) || value < 0) throw new MeshDomainError({ fn, arg, value })
  return value
}

/**

 * `⌈a / k⌉` for `k > 0` (0 for `k = 0`, as Lean's division).

 *

 * @lean Hydrogen.Mesh.ceilDiv

 */
export const ceilDiv = (a: number, k: number): number => {
  nat("ceilDiv", "a", a)
  nat("ceilDiv", "k", k)
  if (k === 0 || a === 0) return 0
  const x = a - 1
  return (x - (x % k)) / k + 1
}

/**
 * `estimate_processing_time` with the payload weight in tenths:
 * `⌈base · (20 + w) · (10 + q) / 200⌉`. BigInt inside, so no product rounds.
 *
 * @lean Hydrogen.Mesh.processingMs
 */
export const processingMs = (cls: AgentClass, weightTenths: number, queueDepth: number): number => {
  nat("processingMs", "weightTenths", weightTenths)
  nat("processingMs", "queueDepth", queueDepth)
  const p = BigInt(baseMs[cls]) * BigInt(20 + weightTenths) * BigInt(10 + queueDepth)
  const r = (p + 199n) / 200n
  if (r > BigInt(Number.MAX_SAFE_INTEGER)) throw new MeshDomainError({ fn: "processingMs", arg: "result", value: Number(r) })
  return Number(r)
}

/**

 * One-way delay from a round trip, rounded up.

 *

 * @lean Hydrogen.Mesh.oneWayMs

 */
export const oneWayMs = (latencyMs: number): number => ceilDiv(latencyMs, 2)

/**

 * `network_delay + processing_delay + buffer`.

 *

 * @lean Hydrogen.Mesh.leadMs

 */
export const leadMs = (latencyMs: number, processing: number, buffer: number): number => {
  const l = oneWayMs(latencyMs) + nat("leadMs", "processing", processing) + nat("leadMs", "buffer", buffer)
  return nat("leadMs", "result", l)
}

/**

 * The schedule for one agent.

 *

 * @lean Hydrogen.Mesh.Plan

 */
export type Plan =
  | { readonly status: "SCHEDULED"; readonly sendAt: number; readonly leadMs: number }
  | { readonly status: "SKIP"; readonly reason: "insufficient_lead_time"; readonly wouldNeedMs: number; readonly availableMs: number }

/**
 * Send at `T − lead` unless that is before `now`; SKIP reports the lead it
 * would need and `T − now` (negative when the target is past).
 *
 * @lean Hydrogen.Mesh.plan
 */
export const plan = (now: number, target: number, lead: number): Plan => {
  nat("plan", "now", now)
  nat("plan", "target", target)
  nat("plan", "lead", lead)
  return now + lead <= target
    ? { status: "SCHEDULED", sendAt: target - lead, leadMs: lead }
    : { status: "SKIP", reason: "insufficient_lead_time", wouldNeedMs: lead, availableMs: target - now }
}

/**

 * Start of the `b`-ms bucket holding `t` (the seed uses `b = 10`).

 *

 * @lean Hydrogen.Mesh.bucket

 */
export const bucket = (b: number, t: number): number => {
  nat("bucket", "b", b)
  nat("bucket", "t", t)
  return b === 0 ? 0 : t - (t % b)
}

/**

 * When a bucket fires: its start, or `now` if that is past.

 *

 * @lean Hydrogen.Mesh.bucketSend

 */
export const bucketSend = (b: number, now: number, s: number): number => Math.max(nat("bucketSend", "now", now), bucket(b, s))

/** The seed's bucket width for grouped sends. */
export const bucketWidthMs = 10

/**
 * `calculate_confidence` in units of 1/10000, reliability and drift in
 * per-mille: `clamp(5·r − 3·d + 2000·[recent], 0, 10000)`.
 *
 * @lean Hydrogen.Mesh.confidence
 */
export const confidence = (reliabilityMilli: number, driftMilli: number, recent: boolean): number => {
  nat("confidence", "reliabilityMilli", reliabilityMilli)
  nat("confidence", "driftMilli", driftMilli)
  const raw = 5 * reliabilityMilli - 3 * driftMilli + (recent ? 2000 : 0)
  return Math.max(0, Math.min(10000, raw))
}

// ---- the boundary: an AgentImpedance-like record -------------------------------

const nonNegative = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))
const unit = Schema.Finite.check(Schema.isBetween({ minimum: 0, maximum: 1 }))
const count = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/** The fields of Part 2.3's `AgentImpedance` that scheduling reads. */
export const AgentImpedance = Schema.Struct({
  agent_id: Schema.String.check(Schema.isNonEmpty()),
  agent_class: Schema.Literals(agentClasses),
  current_latency_ms: nonNegative,
  current_queue_depth: count,
  last_heartbeat_ms: count,
  reliability_score: unit,
  drift_coefficient: nonNegative,
})
export type AgentImpedance = typeof AgentImpedance.Type

/** A record that is not a possible `AgentImpedance`; `issues` name each field. */
export class ImpedanceDecodeError extends Data.TaggedError("ImpedanceDecodeError")<{
  readonly issues: ReadonlyArray<{ readonly field: string; readonly message: string }>
}> {}

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

export const decodeImpedance = (raw: unknown): Result.Result<AgentImpedance, ImpedanceDecodeError> => {
  const r = Schema.decodeUnknownResult(AgentImpedance)(raw, { errors: "all" })
  if (Result.isSuccess(r)) return Result.succeed(r.success)
  const issues = formatIssues(r.failure.issue).issues.map((i) => ({
    field: (i.path ?? []).map(String).join(".") || "(record)",
    message: i.message,
  }))
  return Result.fail(new ImpedanceDecodeError({ issues }))
}

/** Per-mille, rounded to nearest: how floats in [0, 1] and drift enter the exact model. */
const milli = (x: number): number => Math.round(x * 1000)

/** Heartbeats at most this old count as recent (the seed's 10 s). */
export const recentMs = 10_000

/**
 * `calculate_send_times` for decoded records: one plan per agent, plus the
 * confidence (in [0, 1]) of each scheduled send. Payload weight is quantised
 * to tenths (nearest), latency rounded up to whole ms.
 */
export const calculateSendTimes = (
  now: number,
  target: number,
  agents: ReadonlyArray<AgentImpedance>,
  payloadWeight: number,
  bufferMs: (a: AgentImpedance) => number = () => 0,
): ReadonlyMap<string, Plan & { readonly confidence?: number }> => {
  if (!Number.isFinite(payloadWeight) || payloadWeight < 0) {
    throw new MeshDomainError({ fn: "calculateSendTimes", arg: "payloadWeight", value: payloadWeight })
  }
  const w = Math.round(payloadWeight * 10)
  const out = new Map<string, Plan & { readonly confidence?: number }>()
  for (const a of agents) {
    const lead = leadMs(Math.ceil(a.current_latency_ms), processingMs(a.agent_class, w, a.current_queue_depth), bufferMs(a))
    const p = plan(now, target, lead)
    if (p.status === "SKIP") out.set(a.agent_id, p)
    else {
      const recent = a.last_heartbeat_ms > now - recentMs
      const c = confidence(milli(a.reliability_score), milli(a.drift_coefficient), recent) / 10000
      out.set(a.agent_id, { ...p, confidence: c })
    }
  }
  return out
}

/** Scheduled sends grouped by the bucket they fire in (`bucketSend`), in firing order. */
export const groupByBucket = (
  now: number,
  plans: ReadonlyMap<string, Plan>,
  b: number = bucketWidthMs,
): ReadonlyArray<readonly [number, ReadonlyArray<string>]> => {
  const groups = new Map<number, string[]>()
  for (const [id, p] of plans) {
    if (p.status !== "SCHEDULED") continue
    const at = bucketSend(b, now, p.sendAt)
    const g = groups.get(at)
    if (g === undefined) groups.set(at, [id])
    else g.push(id)
  }
  return [...groups.entries()].sort((x, y) => x[0] - y[0])
}
