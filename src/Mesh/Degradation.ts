/**
 * Graceful degradation (seed 002, Part 6.3): the TypeScript mirror of the
 * operational modes and restrictions in `lean/Hydrogen/Mesh/Breaker.lean`.
 *
 * The mode compares `active / total` with percent thresholds by
 * cross-multiplication (exact); no agents at all is EMERGENCY where the seed
 * divides by zero. The restrictions are enforced by `admit`, which returns a
 * typed refusal; they are cumulative as the mode degrades.
 */
import { Data, Schema, SchemaIssue } from "effect"
import * as Result from "effect/Result"

/** @lean Hydrogen.Mesh.OpMode */
export type OpMode = "FULL" | "DEGRADED_LIGHT" | "DEGRADED_MODERATE" | "DEGRADED_SEVERE" | "EMERGENCY"

/**
 * 0 = FULL … 4 = EMERGENCY: larger is more degraded.
 * @lean Hydrogen.Mesh.OpMode.rank
 */
export const rank = (m: OpMode): number =>
  m === "FULL" ? 0 : m === "DEGRADED_LIGHT" ? 1 : m === "DEGRADED_MODERATE" ? 2 : m === "DEGRADED_SEVERE" ? 3 : 4

/**
 * Lower bounds of the active rate, in percent.
 * @lean Hydrogen.Mesh.ModeThresholds
 */
export interface ModeThresholds {
  readonly full: number
  readonly light: number
  readonly moderate: number
  readonly severe: number
}

/**
 * 95 / 80 / 60 / 30 %.
 * @lean Hydrogen.Mesh.seedModeThresholds
 */
export const seedModeThresholds: ModeThresholds = { full: 95, light: 80, moderate: 60, severe: 30 }

/**
 * `determine_operational_mode`, exact.
 * @lean Hydrogen.Mesh.opMode
 */
export const opMode = (th: ModeThresholds, active: number, total: number): OpMode => {
  if (total === 0) return "EMERGENCY"
  const a = BigInt(active) * 100n
  const t = BigInt(total)
  if (BigInt(th.full) * t <= a) return "FULL"
  if (BigInt(th.light) * t <= a) return "DEGRADED_LIGHT"
  if (BigInt(th.moderate) * t <= a) return "DEGRADED_MODERATE"
  if (BigInt(th.severe) * t <= a) return "DEGRADED_SEVERE"
  return "EMERGENCY"
}

/** The seed's restriction texts, per mode (for display; `admit` enforces them). */
export const restrictions: Record<OpMode, ReadonlyArray<string>> = {
  FULL: [],
  DEGRADED_LIGHT: ["Disable non-critical background tasks", "Increase retry timeouts"],
  DEGRADED_MODERATE: ["Route to healthy sectors only", "Disable scatter operations over 1000 agents", "Queue non-urgent operations"],
  DEGRADED_SEVERE: ["Critical operations only", "Human approval for all mesh-wide operations", "Prepare for potential full shutdown"],
  EMERGENCY: ["Halt all automated operations", "Preserve state to persistent storage", "Alert all human operators", "Investigate root cause before any action"],
}

/** Whether routing must avoid sectors that are not CLOSED ("healthy sectors only"). */
export const healthySectorsOnly = (m: OpMode): boolean => rank(m) >= 2

/**
 * What an operation asks for; priority as in `MeshMessage`: 0 background … 3 critical.
 * @lean Hydrogen.Mesh.Operation
 */
export interface Operation {
  readonly targets: number
  readonly priority: 0 | 1 | 2 | 3
  readonly meshWide: boolean
  readonly automated: boolean
  readonly humanApproved: boolean
}

export class Halted extends Data.TaggedError("Halted")<{ readonly mode: OpMode }> {}
export class NeedsHumanApproval extends Data.TaggedError("NeedsHumanApproval")<{ readonly mode: OpMode }> {}
export class NotCritical extends Data.TaggedError("NotCritical")<{ readonly priority: number; readonly mode: OpMode }> {}
export class ScatterTooLarge extends Data.TaggedError("ScatterTooLarge")<{
  readonly requested: number
  readonly limit: number
  readonly mode: OpMode
}> {}
export class BackgroundDisabled extends Data.TaggedError("BackgroundDisabled")<{ readonly mode: OpMode }> {}

/** @lean Hydrogen.Mesh.Refusal */
export type Refusal = Halted | NeedsHumanApproval | NotCritical | ScatterTooLarge | BackgroundDisabled

/** @lean Hydrogen.Mesh.Admission */
export type Admission =
  | { readonly _tag: "Admitted" }
  | { readonly _tag: "Queued"; readonly mode: OpMode }
  | { readonly _tag: "Refused"; readonly refusal: Refusal }

/**
 * The seed's restrictions, cumulative: LIGHT disables background tasks;
 * MODERATE refuses scatters over `limit` agents and queues non-urgent work
 * (priority < 2); SEVERE admits critical operations only and mesh-wide ones only
 * with human approval; EMERGENCY halts every automated operation.
 *
 * @lean Hydrogen.Mesh.admitOp
 */
export const admit = (op: Operation, mode: OpMode, limit = 1000): Admission => {
  const r = rank(mode)
  const refuse = (refusal: Refusal): Admission => ({ _tag: "Refused", refusal })
  if (r >= 4 && op.automated) return refuse(new Halted({ mode }))
  if (r >= 3 && op.meshWide && !op.humanApproved) return refuse(new NeedsHumanApproval({ mode }))
  if (r >= 3 && op.priority < 3) return refuse(new NotCritical({ priority: op.priority, mode }))
  if (r >= 2 && limit < op.targets) return refuse(new ScatterTooLarge({ requested: op.targets, limit, mode }))
  if (r >= 1 && op.priority === 0) return refuse(new BackgroundDisabled({ mode }))
  if (r >= 2 && op.priority < 2) return { _tag: "Queued", mode }
  return { _tag: "Admitted" }
}

// ---- configuration boundary -------------------------------------------------------------

const percent = Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 100 }))

export const DegradationConfigSchema = Schema.Struct({
  thresholds: Schema.Struct({ full: percent, light: percent, moderate: percent, severe: percent }),
  scatterLimit: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: 1_000_000 })),
})
export type DegradationConfig = typeof DegradationConfigSchema.Type

export const seedDegradationConfig: DegradationConfig = { thresholds: seedModeThresholds, scatterLimit: 1000 }

export class DegradationConfigError extends Data.TaggedError("DegradationConfigError")<{
  readonly issues: ReadonlyArray<{ readonly field: string; readonly message: string }>
}> {}

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

/** Decodes the mode thresholds (integers 0–100, strictly descending) and the scatter limit. */
export const decodeDegradationConfig = (raw: unknown): Result.Result<DegradationConfig, DegradationConfigError> => {
  const r = Schema.decodeUnknownResult(DegradationConfigSchema)(raw, { errors: "all" })
  if (Result.isFailure(r)) {
    const issues = formatIssues(r.failure.issue).issues.map((i) => ({
      field: (i.path ?? []).map(String).join(".") || "(config)",
      message: i.message,
    }))
    return Result.fail(new DegradationConfigError({ issues }))
  }
  const th = r.success.thresholds
  const order = [["full", th.full], ["light", th.light], ["moderate", th.moderate], ["severe", th.severe]] as const
  const issues: Array<{ field: string; message: string }> = []
  for (let i = 1; i < order.length; i++) {
    const [name, v] = order[i]!
    const [above, w] = order[i - 1]!
    if (!(v < w)) issues.push({ field: `thresholds.${name}`, message: `must be below thresholds.${above} (${w}), got ${v}` })
  }
  return issues.length > 0 ? Result.fail(new DegradationConfigError({ issues })) : Result.succeed(r.success)
}
