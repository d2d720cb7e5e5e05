/**
 * Trinary quorum (seed 002, Parts 1.4 and 5.2): the TypeScript mirror of
 * `lean/Hydrogen/Mesh/Trinary.lean`.
 *
 * Rates are compared with thresholds `num / den` by cross-multiplication in
 * BigInt, so 0.95 means exactly 95/100 (the seed's floats would make
 * `0.95 * total` round). No responses decide WAIT where the seed divides by zero.
 */
import { Data, Schema, SchemaIssue } from "effect"
import * as Result from "effect/Result"

/**

 * READY +1, TRANSIT 0, CONFLICT −1.

 *

 * @lean Hydrogen.Mesh.Vote

 */
export type Vote = 1 | 0 | -1

/**

 * Counts of the three states.

 *

 * @lean Hydrogen.Mesh.Tally

 */
export interface Tally {
  readonly ready: number
  readonly transit: number
  readonly conflict: number
}

/** @lean Hydrogen.Mesh.Tally.total */
export const total = (t: Tally): number => t.ready + t.transit + t.conflict

/** @lean Hydrogen.Mesh.tally */
export const tally = (votes: Iterable<Vote>): Tally => {
  let ready = 0
  let transit = 0
  let conflict = 0
  for (const v of votes) {
    if (v === 1) ready++
    else if (v === 0) transit++
    else conflict++
  }
  return { ready, transit, conflict }
}

/**

 * The threshold `num / den`.

 *

 * @lean Hydrogen.Mesh.Ratio

 */
export interface Ratio {
  readonly num: number
  readonly den: number
}

/**

 * `required_ready_rate`, `max_conflict_rate`, `max_transit_rate`.

 *

 * @lean Hydrogen.Mesh.Thresholds

 */
export interface Thresholds {
  readonly ready: Ratio
  readonly conflict: Ratio
  readonly transit: Ratio
}

/**

 * The seed's defaults 0.95, 0.05, 0.10.

 *

 * @lean Hydrogen.Mesh.seedThresholds

 */
export const seedThresholds: Thresholds = {
  ready: { num: 95, den: 100 },
  conflict: { num: 5, den: 100 },
  transit: { num: 10, den: 100 },
}

/**

 * `x / total ≥ num / den`.

 *

 * @lean Hydrogen.Mesh.atLeast

 */
export const atLeast = (x: number, t: number, r: Ratio): boolean => BigInt(r.num) * BigInt(t) <= BigInt(x) * BigInt(r.den)
/**
 * `x / total ≤ num / den`.
 *
 * @lean Hydrogen.Mesh.atMost
 */
export const atMost = (x: number, t: number, r: Ratio): boolean => BigInt(x) * BigInt(r.den) <= BigInt(r.num) * BigInt(t)

/** @lean Hydrogen.Mesh.Decision */
export type Decision = "PROCEED" | "WAIT" | "RESOLVE_CONFLICTS" | "RETRY"

/**
 * `trinary_quorum_check`'s decision, branch for branch; WAIT on no responses.
 *
 * @lean Hydrogen.Mesh.quorum
 */
export const quorum = (th: Thresholds, t: Tally): Decision => {
  const n = total(t)
  if (n === 0) return "WAIT"
  const enoughReady = atLeast(t.ready, n, th.ready)
  const conflictsOk = atMost(t.conflict, n, th.conflict)
  if (enoughReady && conflictsOk) return "PROCEED"
  if (!enoughReady && !atMost(t.transit, n, th.transit)) return "WAIT"
  if (!conflictsOk) return "RESOLVE_CONFLICTS"
  return "RETRY"
}

/** The seed's `QuorumResult`, with its reasons and recommendations. */
export interface QuorumResult {
  readonly achieved: boolean
  readonly decision: Decision
  readonly tally: Tally
  /** `ready_rate − conflict_rate / 2` on PROCEED (the seed's confidence). */
  readonly confidence?: number
  readonly reason?: string
  readonly recommendation?: string
}

export const quorumCheck = (votes: Iterable<Vote>, th: Thresholds = seedThresholds): QuorumResult => {
  const t = tally(votes)
  const n = total(t)
  const decision = quorum(th, t)
  switch (decision) {
    case "PROCEED":
      return { achieved: true, decision, tally: t, confidence: (t.ready - t.conflict / 2) / n }
    case "WAIT":
      return n === 0
        ? { achieved: false, decision, tally: t, reason: "No responses yet", recommendation: "Extend arrival window" }
        : { achieved: false, decision, tally: t, reason: "Too many agents still in transit", recommendation: "Extend arrival window" }
    case "RESOLVE_CONFLICTS":
      return {
        achieved: false,
        decision,
        tally: t,
        reason: `Conflict rate ${((100 * t.conflict) / n).toFixed(1)}% exceeds threshold`,
        recommendation: "Run conflict resolution before proceeding",
      }
    case "RETRY":
      return { achieved: false, decision, tally: t, reason: "Insufficient ready agents", recommendation: "Retry with adjusted impedance compensation" }
  }
}

// ---- the boundary: responses from the bus ---------------------------------------

/** One response as it arrives: an agent and its trinary state. */
export const AgentResponse = Schema.Struct({
  agent_id: Schema.String.check(Schema.isNonEmpty()),
  trinary_state: Schema.Literals([1, 0, -1]),
})
export type AgentResponse = typeof AgentResponse.Type

export class ResponseDecodeError extends Data.TaggedError("ResponseDecodeError")<{
  readonly issues: ReadonlyArray<{ readonly field: string; readonly message: string }>
}> {}

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

export const decodeResponses = (raw: unknown): Result.Result<ReadonlyArray<AgentResponse>, ResponseDecodeError> => {
  const r = Schema.decodeUnknownResult(Schema.Array(AgentResponse))(raw, { errors: "all" })
  if (Result.isSuccess(r)) return Result.succeed(r.success)
  const issues = formatIssues(r.failure.issue).issues.map((i) => ({
    field: (i.path ?? []).map(String).join(".") || "(list)",
    message: i.message,
  }))
  return Result.fail(new ResponseDecodeError({ issues }))
}
