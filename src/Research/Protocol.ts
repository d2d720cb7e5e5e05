/**
 * The scatter-gather research protocol of seed 004 (SCATTER, GATHER = V²C,
 * SPIRAL rounds) over pluggable researchers (src/Research/Researcher.ts).
 *
 * SCATTER runs every researcher as its own fiber with its own timeout and
 * its own sandbox; a hang, a throw or a defect becomes that researcher's
 * outcome and nobody else's. Fibers share one thread, so a researcher that
 * blocks it, exhausts its heap or exits the process is contained only by the
 * isolated roster (Isolation.ts: a worker thread each, timed out from
 * outside); `spiral` takes either. GATHER decodes each answer, validates every citation on
 * the real files (src/Research/Citation.ts), excludes researchers over the
 * seed's 0.2 hallucination rate and answers without one valid citation, and
 * counts agreeing claims against the quorum of src/Quorum (`planQuorum`: the
 * least q whose quorums always share an honest member, live when n ≥ 3f + 1).
 * HIGH needs the quorum reached; with n < 3f + 1 there is no quorum and the
 * result says so. SPIRAL re-runs with the previous digest, at most
 * `maxRounds` times, and returns LOW with a divergence analysis when no round
 * reaches the quorum.
 *
 * @module
 */
import { Cause, Data, Effect, Exit, Option, Schema, SchemaIssue } from "effect"
import * as Result from "effect/Result"
import { level as levelOf, type Level, planQuorum, type QuorumImpossible, type QuorumPlan } from "../Quorum/Arithmetic.ts"
import { auditCitations, type Citation, type CitationCheck, type ResearcherRate } from "./Citation.ts"
import { claimKey, type Digest, type Researcher, type Task } from "./Researcher.ts"
import { Sandbox } from "./Sandbox.ts"
import * as Spiral from "./Spiral.ts"
import type { SignalStore, StigmergyError } from "./Stigmergy.ts"

/** Mission settings: `f` faults tolerated, per-researcher timeout, SPIRAL bound. */
export interface MissionOptions {
  readonly root: string
  readonly f: number
  readonly timeoutMs: number
  readonly maxRounds: number
  /**
   * Virtual stigmergy (seed 004 §5): each answer's confidence is left as a
   * signal on `<topic>-confidence`, and a round without quorum leaves an
   * alert on `<topic>-alerts`; the round reports the live confidences.
   */
  readonly signals?: { readonly store: SignalStore; readonly topic: string }
}

/** A mission setting is out of range (names the field). */
export class BadMission extends Data.TaggedError("BadMission")<{ readonly field: string; readonly problem: string }> {
  override get message(): string {
    return `research mission: ${this.field}: ${this.problem}`
  }
}

/** How a researcher crashed: a throw or defect, its thread exited early, or its heap limit was hit. */
export type CrashKind = "threw" | "exited" | "out-of-memory"

/** What one researcher's fiber ended with. */
export type Outcome =
  | { readonly _tag: "Answered"; readonly researcher: string; readonly claim: string; readonly citations: ReadonlyArray<unknown>; readonly confidence: number | undefined; readonly toolCalls: number }
  | { readonly _tag: "TimedOut"; readonly researcher: string; readonly toolCalls: number }
  | { readonly _tag: "Crashed"; readonly researcher: string; readonly kind: CrashKind; readonly reason: string; readonly toolCalls: number }
  | { readonly _tag: "Failed"; readonly researcher: string; readonly reason: string; readonly toolCalls: number }
  | { readonly _tag: "Malformed"; readonly researcher: string; readonly field: string; readonly toolCalls: number }

const Answer = Schema.Struct({
  claim: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(2000)),
  citations: Schema.Array(Schema.Unknown).check(Schema.isMaxLength(100)),
  confidence: Schema.optionalKey(Schema.Number.check(Schema.isBetween({ minimum: 0, maximum: 1 }))),
})

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()
const fieldOf = (issue: SchemaIssue.Issue): string => {
  const path = formatIssues(issue).issues[0]?.path
  return path !== undefined && path.length > 0 ? path.map(String).join(".") : "(answer)"
}

/** A researcher's raw answer decoded: Answered, or Malformed naming the first bad field. */
export const answerOutcome = (researcher: string, raw: unknown, toolCalls: number): Outcome => {
  const decoded = Schema.decodeUnknownResult(Answer)(raw)
  if (Result.isFailure(decoded)) return { _tag: "Malformed", researcher, field: fieldOf(decoded.failure.issue), toolCalls }
  return { _tag: "Answered", researcher, claim: decoded.success.claim, citations: decoded.success.citations, confidence: decoded.success.confidence, toolCalls }
}

/** SCATTER: every researcher concurrently, each under its own timeout and sandbox. */
export const scatter = (researchers: ReadonlyArray<Researcher>, task: Task, options: MissionOptions): Effect.Effect<ReadonlyArray<Outcome>> =>
  Effect.forEach(researchers, (r) =>
    Effect.gen(function* () {
      const made = yield* Effect.result(Sandbox.make({ root: options.root, researcher: r.id }))
      if (Result.isFailure(made)) return { _tag: "Failed", researcher: r.id, reason: `sandbox: ${made.failure.detail}`, toolCalls: 0 } as Outcome
      const tools = made.success
      const ran = yield* Effect.exit(Effect.suspend(() => r.research(task, tools)).pipe(Effect.timeoutOption(options.timeoutMs)))
      const toolCalls = tools.audit.length
      if (Exit.isFailure(ran)) {
        const failure = ran.cause.reasons.find(Cause.isFailReason)
        return failure !== undefined
          ? ({ _tag: "Failed", researcher: r.id, reason: failure.error.reason, toolCalls } as Outcome)
          : ({ _tag: "Crashed", researcher: r.id, kind: "threw", reason: String(Cause.squash(ran.cause)), toolCalls } as Outcome)
      }
      if (Option.isNone(ran.value)) return { _tag: "TimedOut", researcher: r.id, toolCalls } as Outcome
      return answerOutcome(r.id, ran.value.value, toolCalls)
    }), { concurrency: "unbounded" })

/** A roster and how its SCATTER runs: in this process (`inProcess`) or isolated (Isolation.ts). */
export interface Roster {
  readonly ids: ReadonlyArray<string>
  readonly scatter: (task: Task, options: MissionOptions) => Effect.Effect<ReadonlyArray<Outcome>>
}

/** Researchers run as fibers of this process. */
export const inProcess = (researchers: ReadonlyArray<Researcher>): Roster => ({
  ids: researchers.map((r) => r.id),
  scatter: (task, options) => scatter(researchers, task, options),
})

/** One claim's support after GATHER. */
export interface Tally {
  readonly claim: string
  readonly supporters: ReadonlyArray<string>
  /** Valid citations of its supporters (hallucinated ones excluded). */
  readonly evidence: ReadonlyArray<Citation>
}

export interface RoundResult {
  readonly round: number
  readonly n: number
  readonly quorum: QuorumPlan | QuorumImpossible
  readonly outcomes: ReadonlyArray<Outcome>
  /** Claims by support, most first (ties by claim). */
  readonly tallies: ReadonlyArray<Tally>
  /** The claim that reached the quorum, if any. */
  readonly agreed: Tally | undefined
  /** HIGH only with the quorum reached; otherwise the seed's level of the leading claim, at most MEDIUM. */
  readonly level: Level
  readonly rates: ReadonlyArray<ResearcherRate>
  /** Researchers over the 0.2 hallucination rate (their votes are not counted). */
  readonly flagged: ReadonlyArray<string>
  /** Citations that failed validation, with who made them. */
  readonly hallucinations: ReadonlyArray<{ readonly researcher: string; readonly check: CitationCheck }>
  /** Live confidence signals after the round (with `signals` set): how many, and their mean decayed strength. */
  readonly confidence?: { readonly live: number; readonly mean: number }
}

/** GATHER (V²C): validate citations, exclude hallucinators, count agreeing claims against the quorum. */
export const gather = (round: number, n: number, f: number, outcomes: ReadonlyArray<Outcome>, validator: Sandbox): Effect.Effect<RoundResult> =>
  Effect.gen(function* () {
    const answered = outcomes.filter((o): o is Extract<Outcome, { _tag: "Answered" }> => o._tag === "Answered")
    const { checks, rates } = yield* auditCitations(validator, answered.map((o) => ({ researcher: o.researcher, citations: o.citations })))
    const flagged = rates.filter((r) => r.flagged).map((r) => r.researcher)
    const valid = new Map<string, Citation[]>()
    for (const { researcher, check } of checks) {
      if (check.verdict === "valid") valid.set(researcher, [...(valid.get(researcher) ?? []), check.citation as Citation])
    }
    const byClaim = new Map<string, { claim: string; supporters: string[]; evidence: Citation[] }>()
    for (const o of answered) {
      const evidence = valid.get(o.researcher) ?? []
      if (flagged.includes(o.researcher) || evidence.length === 0) continue
      const key = claimKey(o.claim)
      const t = byClaim.get(key) ?? { claim: key, supporters: [], evidence: [] }
      t.supporters.push(o.researcher)
      t.evidence.push(...evidence)
      byClaim.set(key, t)
    }
    const tallies = [...byClaim.values()].sort((a, b) => b.supporters.length - a.supporters.length || (a.claim < b.claim ? -1 : 1))
    const quorum = planQuorum(n, f)
    const top = tallies[0]
    const k = top?.supporters.length ?? 0
    // Two tallies cannot both reach q > n/2, so at most one claim is agreed.
    const agreed = quorum._tag === "QuorumPlan" && top !== undefined && k >= quorum.q ? top : undefined
    const seen = levelOf(n, k)
    const level: Level = agreed !== undefined ? seen : seen === "high" ? "medium" : seen
    const hallucinations = checks.filter((c) => c.check.verdict !== "valid")
    return { round, n, quorum, outcomes, tallies, agreed, level, rates, flagged, hallucinations }
  })

/** The digest handed to the next round. */
export const digestOf = (r: RoundResult): Digest => ({
  round: r.round,
  leading: r.tallies[0] === undefined
    ? undefined
    : { claim: r.tallies[0].claim, support: r.tallies[0].supporters.length, citations: r.tallies[0].evidence.map((c) => ({ path: c.path, line: c.line })) },
  tallies: r.tallies.map((t) => ({ claim: t.claim, support: t.supporters.length })),
})

/** Why SPIRAL did not converge. */
export interface Divergence {
  readonly reason: string
  /** Support of every claim seen, per round (0 where it had none). */
  readonly support: ReadonlyArray<{ readonly claim: string; readonly perRound: ReadonlyArray<number> }>
  /** Researchers whose counted claim changed between rounds. */
  readonly unstable: ReadonlyArray<string>
  /** Researchers with no counted vote in the last round, with why. */
  readonly silent: ReadonlyArray<{ readonly researcher: string; readonly why: string }>
}

export interface Mission {
  readonly converged: boolean
  readonly rounds: ReadonlyArray<RoundResult>
  /** The agreed claim's round level when converged; LOW otherwise. */
  readonly level: Level
  readonly agreed: Tally | undefined
  readonly divergence: Divergence | undefined
}

const checkOptions = (o: MissionOptions, n: number): BadMission | undefined => {
  const int = (field: string, v: number, min: number, max: number) =>
    Number.isSafeInteger(v) && v >= min && v <= max ? undefined : new BadMission({ field, problem: `${v} is not an integer in [${min}, ${max}]` })
  return int("researchers", n, 1, 1000) ?? int("f", o.f, 0, n) ?? int("timeoutMs", o.timeoutMs, 1, 300_000) ?? int("maxRounds", o.maxRounds, 1, 100)
}

const divergence = (rounds: ReadonlyArray<RoundResult>): Divergence => {
  const last = rounds[rounds.length - 1]!
  const claims = [...new Set(rounds.flatMap((r) => r.tallies.map((t) => t.claim)))].sort()
  const support = claims.map((claim) => ({ claim, perRound: rounds.map((r) => r.tallies.find((t) => t.claim === claim)?.supporters.length ?? 0) }))
  const voteOf = (r: RoundResult, id: string) => r.tallies.find((t) => t.supporters.includes(id))?.claim
  const ids = last.outcomes.map((o) => o.researcher)
  const unstable = ids.filter((id) => new Set(rounds.map((r) => voteOf(r, id)).filter((c) => c !== undefined)).size > 1)
  const silent = last.outcomes.filter((o) => voteOf(last, o.researcher) === undefined).map((o) => ({
    researcher: o.researcher,
    why: o._tag === "Answered" ? (last.flagged.includes(o.researcher) ? "flagged for hallucinations" : "no valid citation") : o._tag,
  }))
  const top = last.tallies[0]?.supporters.length ?? 0
  const reason = last.quorum._tag === "QuorumImpossible"
    ? `no quorum exists: n = ${last.n} < 3f + 1 = ${last.quorum.needed}`
    : `after ${rounds.length} round(s) the leading claim had ${top} of the ${last.quorum.q} needed`
  return { reason, support, unstable, silent }
}

/** Deposits the round's confidences (and an alert without quorum), then senses the live confidences. */
const leaveSignals = (signals: NonNullable<MissionOptions["signals"]>, r: RoundResult): Effect.Effect<{ live: number; mean: number }, StigmergyError> =>
  Effect.gen(function* () {
    const topic = `${signals.topic}-confidence`
    for (const o of r.outcomes) {
      if (o._tag === "Answered" && o.confidence !== undefined) yield* signals.store.deposit(o.researcher, topic, o.confidence)
    }
    if (r.agreed === undefined) yield* signals.store.deposit("coordinator", `${signals.topic}-alerts`, 1)
    const live = yield* signals.store.sense(topic)
    return { live: live.length, mean: live.length === 0 ? 0 : live.reduce((a, s) => a + s.current, 0) / live.length }
  })

/** SPIRAL: rounds of SCATTER + GATHER, each given the previous digest, until a quorum or `maxRounds`. */
export const spiral = (researchers: ReadonlyArray<Researcher> | Roster, question: string, options: MissionOptions): Effect.Effect<Mission, BadMission | StigmergyError> =>
  Effect.gen(function* () {
    const roster = Array.isArray(researchers) ? inProcess(researchers) : (researchers as Roster)
    const n = roster.ids.length
    const bad = checkOptions(options, n)
    if (bad !== undefined) return yield* Effect.fail(bad)
    const validator = yield* Sandbox.make({ root: options.root, researcher: "validator" }).pipe(
      Effect.mapError((e) => new BadMission({ field: "root", problem: e.detail })),
    )
    const rounds: RoundResult[] = []
    // The loop is Spiral.plan (lean/Hydrogen/Research/Spiral.lean): it stops at an
    // agreed round, at one where no quorum exists (no later round can reach
    // it), or after maxRounds; a mission that did not converge is LOW.
    const loop = Spiral.plan<Digest>(options.maxRounds)
    for (let next = loop.next(); ; ) {
      if (next.done) {
        return next.value.converged
          ? { converged: true, rounds, level: next.value.level, agreed: rounds[rounds.length - 1]!.agreed, divergence: undefined }
          : { converged: false, rounds, level: next.value.level, agreed: undefined, divergence: divergence(rounds) }
      }
      const { round, digest } = next.value
      const outcomes = yield* roster.scatter({ question, round, digest }, options)
      const gathered = yield* gather(round, n, options.f, outcomes, validator)
      const result = options.signals === undefined ? gathered : { ...gathered, confidence: yield* leaveSignals(options.signals, gathered) }
      rounds.push(result)
      next = loop.next({ agreed: result.agreed !== undefined, impossible: result.quorum._tag === "QuorumImpossible", level: result.level, digest: digestOf(result) })
    }
  })
