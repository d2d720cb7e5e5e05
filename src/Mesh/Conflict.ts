/**
 * Conflicts (seed 002, Part 5): a CONFLICT (−1) answer is information, so it
 * is recorded (an immutable `ConflictRecord`, written to `ConflictLog.ts`),
 * quarantined, classified by priority and given a resolution strategy.
 *
 * Closed sets: a kind or strategy the seed does not name is a typed error at
 * the boundary, never a silent default. The seed lists strategies for three
 * kinds only ("... more strategies"); for CAPABILITY_MISMATCH and
 * HASH_MISMATCH `suggestStrategy` answers `NoStrategy` and the record says
 * NONE: those conflicts are settled by escalation (priority), not by a
 * strategy invented here.
 *
 * @module
 */
import { Data, Schema, SchemaIssue } from "effect"
import * as Result from "effect/Result"

export const conflictKinds = ["CONTEXT_DIVERGENCE", "DATA_CONTRADICTION", "TEMPORAL_PARADOX", "CAPABILITY_MISMATCH", "HASH_MISMATCH"] as const
export type ConflictKind = (typeof conflictKinds)[number]

export const strategies = ["BRANCH_AND_RECONCILE", "PROVENANCE_TRACE", "CLOCK_RECONCILIATION"] as const
export type Strategy = (typeof strategies)[number]

/** 0 background … 4 critical, as `classify_conflict_priority` numbers them. */
export const priorityClasses = ["BACKGROUND", "LOW", "MEDIUM", "HIGH", "CRITICAL"] as const
export type PriorityClass = (typeof priorityClasses)[number]
export type Priority = 0 | 1 | 2 | 3 | 4

/** The seed's deadline per priority ("resolve within …"), ms; background has none. */
export const resolveWithinMs: Readonly<Record<PriorityClass, number | undefined>> = {
  BACKGROUND: undefined,
  LOW: 3_600_000,
  MEDIUM: 600_000,
  HIGH: 60_000,
  CRITICAL: 0,
}

export class UnknownConflictKind extends Data.TaggedError("UnknownConflictKind")<{ readonly value: string }> {
  override get message(): string {
    return `unknown conflict kind ${JSON.stringify(this.value)}; expected one of ${conflictKinds.join(", ")}`
  }
}
export class UnknownStrategy extends Data.TaggedError("UnknownStrategy")<{ readonly value: string }> {
  override get message(): string {
    return `unknown resolution strategy ${JSON.stringify(this.value)}; expected one of ${strategies.join(", ")}`
  }
}
/** The seed names no strategy for `kind`. */
export class NoStrategy extends Data.TaggedError("NoStrategy")<{ readonly kind: ConflictKind }> {}

export const decodeKind = (s: string): Result.Result<ConflictKind, UnknownConflictKind> =>
  (conflictKinds as ReadonlyArray<string>).includes(s) ? Result.succeed(s as ConflictKind) : Result.fail(new UnknownConflictKind({ value: s }))
export const decodeStrategy = (s: string): Result.Result<Strategy, UnknownStrategy> =>
  (strategies as ReadonlyArray<string>).includes(s) ? Result.succeed(s as Strategy) : Result.fail(new UnknownStrategy({ value: s }))

/** What `classify_conflict_priority` reads of a `ConflictDetail`. */
export interface ConflictDetail {
  readonly kind: ConflictKind
  /** CONTEXT_DIVERGENCE: how deep the world models differ. */
  readonly divergenceDepth?: number
  /** DATA_CONTRADICTION: how many agents hold the contradicted fact. */
  readonly affectsAgentCount?: number
}

/** `classify_conflict_priority`, branch for branch (a missing measure counts as 0). */
export const classifyPriority = (d: ConflictDetail): Priority => {
  switch (d.kind) {
    case "CONTEXT_DIVERGENCE":
      return (d.divergenceDepth ?? 0) > 10 ? 3 : 2
    case "DATA_CONTRADICTION":
      return (d.affectsAgentCount ?? 0) > 100 ? 3 : 2
    case "TEMPORAL_PARADOX":
      return 4
    case "CAPABILITY_MISMATCH":
      return 1
    case "HASH_MISMATCH":
      return 4
  }
}

export const priorityClass = (p: Priority): PriorityClass => priorityClasses[p]

/** Who is told: ≥ 3 the sector coordinator, ≥ 4 the orchestrator too. */
export const escalation = (p: Priority): ReadonlyArray<"sector" | "orchestrator"> =>
  p >= 4 ? ["sector", "orchestrator"] : p >= 3 ? ["sector"] : []

/** `suggest_resolution`'s method and steps. */
export const strategySteps: Readonly<Record<Strategy, ReadonlyArray<string>>> = {
  BRANCH_AND_RECONCILE: [
    "Create parallel context branches",
    "Let both branches operate independently",
    "Identify convergence points",
    "Human review of irreconcilable differences",
  ],
  PROVENANCE_TRACE: ["Trace both values to origin", "Identify where divergence occurred", "Prefer value with stronger provenance", "Update weaker source"],
  CLOCK_RECONCILIATION: ["Check Lamport timestamps", "Verify causal ordering", "Identify clock drift source", "Rebuild causal chain"],
}

export const suggestStrategy = (kind: ConflictKind): Result.Result<Strategy, NoStrategy> => {
  switch (kind) {
    case "CONTEXT_DIVERGENCE":
      return Result.succeed("BRANCH_AND_RECONCILE")
    case "DATA_CONTRADICTION":
      return Result.succeed("PROVENANCE_TRACE")
    case "TEMPORAL_PARADOX":
      return Result.succeed("CLOCK_RECONCILIATION")
    default:
      return Result.fail(new NoStrategy({ kind }))
  }
}

// ---- the strategies, as pure functions -------------------------------------------

/** How a strategy ended: settled (with what), or handed to a human (why). */
export type Outcome =
  | { readonly _tag: "Settled"; readonly detail: string }
  | { readonly _tag: "HumanReview"; readonly detail: string }

/**
 * BRANCH_AND_RECONCILE over two context histories: both branches are kept;
 * they converge up to their common prefix; what each has past it is
 * irreconcilable unless one branch is a prefix of the other (then the longer
 * one simply extends it).
 */
export const branchAndReconcile = (
  a: ReadonlyArray<string>,
  b: ReadonlyArray<string>,
): { readonly convergedAt: number; readonly branchA: ReadonlyArray<string>; readonly branchB: ReadonlyArray<string>; readonly outcome: Outcome } => {
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  const branchA = a.slice(i)
  const branchB = b.slice(i)
  const outcome: Outcome =
    branchA.length > 0 && branchB.length > 0
      ? { _tag: "HumanReview", detail: `branches differ after entry ${i}` }
      : { _tag: "Settled", detail: `one branch extends the other from entry ${i}` }
  return { convergedAt: i, branchA, branchB, outcome }
}

/** A value with its provenance: the chain of sources it was copied through, origin first. */
export interface Traced {
  readonly value: string
  readonly chain: ReadonlyArray<string>
  /** Whether the chain reaches a primary (authoritative) origin. */
  readonly primary: boolean
}

/**
 * PROVENANCE_TRACE: the stronger provenance is the one reaching a primary
 * origin, then the shorter chain (fewer copies); a tie goes to a human.
 * `update` is the weaker value's last holder, to be corrected.
 */
export const provenanceTrace = (a: Traced, b: Traced): { readonly keep?: Traced; readonly update?: string; readonly outcome: Outcome } => {
  if (a.value === b.value) return { keep: a, outcome: { _tag: "Settled", detail: "the values agree" } }
  const rank = (t: Traced): number => (t.primary ? 0 : 1_000_000) + t.chain.length
  const [ra, rb] = [rank(a), rank(b)]
  if (ra === rb) return { outcome: { _tag: "HumanReview", detail: "equally strong provenance" } }
  const [keep, weak] = ra < rb ? [a, b] : [b, a]
  const update = weak.chain[weak.chain.length - 1]
  return { keep, ...(update !== undefined ? { update } : {}), outcome: { _tag: "Settled", detail: `kept the value from ${keep.chain[0] ?? "?"}` } }
}

/** An event with its Lamport timestamp and the events that caused it. */
export interface CausalEvent {
  readonly id: string
  readonly lamport: number
  readonly causes: ReadonlyArray<string>
}

/**
 * CLOCK_RECONCILIATION: every cause must carry a smaller Lamport time than its
 * effect; violations are listed (effect, cause), and the rebuilt chain orders
 * events by Lamport time then id. Unknown causes are violations too.
 */
export const clockReconciliation = (
  events: ReadonlyArray<CausalEvent>,
): { readonly violations: ReadonlyArray<readonly [string, string]>; readonly chain: ReadonlyArray<string>; readonly outcome: Outcome } => {
  const byId = new Map(events.map((e) => [e.id, e] as const))
  const violations: Array<readonly [string, string]> = []
  for (const e of events) {
    for (const c of e.causes) {
      const cause = byId.get(c)
      if (cause === undefined || cause.lamport >= e.lamport) violations.push([e.id, c])
    }
  }
  const chain = [...events].sort((x, y) => x.lamport - y.lamport || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)).map((e) => e.id)
  const outcome: Outcome =
    violations.length === 0
      ? { _tag: "Settled", detail: "causal order consistent" }
      : { _tag: "HumanReview", detail: `${violations.length} causality violation(s)` }
  return { violations, chain, outcome }
}

// ---- the record -------------------------------------------------------------------

const nonEmpty = Schema.String.check(Schema.isNonEmpty())

/** A resolution: none yet, escalated, or ended by a strategy. */
export const Resolution = Schema.Union([
  Schema.Struct({ _tag: Schema.Literal("Pending") }),
  Schema.Struct({ _tag: Schema.Literal("Escalated"), to: Schema.Literals(["sector", "orchestrator"]) }),
  Schema.Struct({ _tag: Schema.Literals(["Settled", "HumanReview"]), detail: Schema.String }),
])
export type Resolution = typeof Resolution.Type

/** One conflict, as the log stores it (immutable once appended). */
export const ConflictRecord = Schema.Struct({
  conflictId: nonEmpty,
  operationId: nonEmpty,
  agents: Schema.Array(nonEmpty).check(Schema.isMinLength(1)),
  kind: Schema.Literals(conflictKinds),
  priority: Schema.Literals([0, 1, 2, 3, 4]),
  priorityClass: Schema.Literals(priorityClasses),
  /** Detection time, ms since the epoch. */
  detectedAt: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  strategy: Schema.Literals([...strategies, "NONE"]),
  resolution: Resolution,
})
export type ConflictRecord = typeof ConflictRecord.Type

/** A value that is not a `ConflictRecord`; `issues` name each field. */
export class ConflictDecodeError extends Data.TaggedError("ConflictDecodeError")<{
  readonly issues: ReadonlyArray<{ readonly field: string; readonly message: string }>
}> {}

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

export const decodeConflict = (raw: unknown): Result.Result<ConflictRecord, ConflictDecodeError> => {
  const r = Schema.decodeUnknownResult(ConflictRecord)(raw, { errors: "all" })
  if (Result.isSuccess(r)) {
    // The class must be the priority's: a record saying otherwise is not one we write.
    if (priorityClasses[r.success.priority] !== r.success.priorityClass) {
      return Result.fail(new ConflictDecodeError({ issues: [{ field: "priorityClass", message: `must be ${priorityClasses[r.success.priority]} for priority ${r.success.priority}` }] }))
    }
    return Result.succeed(r.success)
  }
  const issues = formatIssues(r.failure.issue).issues.map((i) => ({ field: (i.path ?? []).map(String).join(".") || "(record)", message: i.message }))
  return Result.fail(new ConflictDecodeError({ issues }))
}

/**
 * `on_conflict_received`'s record: classified, with the suggested strategy (or
 * NONE), and escalated when the priority asks for it.
 */
export const makeConflict = (input: {
  readonly conflictId: string
  readonly operationId: string
  readonly agents: ReadonlyArray<string>
  readonly detail: ConflictDetail
  readonly detectedAt: number
}): ConflictRecord => {
  const priority = classifyPriority(input.detail)
  const s = suggestStrategy(input.detail.kind)
  const up = escalation(priority)
  const top = up[up.length - 1]
  return {
    conflictId: input.conflictId,
    operationId: input.operationId,
    agents: [...input.agents],
    kind: input.detail.kind,
    priority,
    priorityClass: priorityClass(priority),
    detectedAt: input.detectedAt,
    strategy: Result.isSuccess(s) ? s.success : "NONE",
    resolution: top === undefined ? { _tag: "Pending" } : { _tag: "Escalated", to: top },
  }
}

/** The quarantine: conflicting data held apart, by conflict id, until resolved. */
export interface Quarantined {
  readonly conflictId: string
  readonly sourceAgent: string
  readonly sourceOperation: string
  readonly data: string
}

/** Adds `q` (the first entry for an id stays: quarantine never overwrites). */
export const quarantine = (store: ReadonlyMap<string, Quarantined>, q: Quarantined): ReadonlyMap<string, Quarantined> =>
  store.has(q.conflictId) ? store : new Map([...store, [q.conflictId, q]])

/** Resolution order: higher priority first, then earlier detection, then id. */
export const resolutionOrder = (a: ConflictRecord, b: ConflictRecord): number =>
  b.priority - a.priority || a.detectedAt - b.detectedAt || (a.conflictId < b.conflictId ? -1 : a.conflictId > b.conflictId ? 1 : 0)
