/**
 * `hydrogen research`: one research mission (src/Research/Protocol.ts) with
 * the built-in researchers over a corpus directory, B of them Byzantine.
 *
 * Which roster positions are Byzantine is drawn from the seed, so a run is
 * reproducible. The roster is described by data (`ResearcherSpec`), so the
 * same roster runs isolated (default: a worker thread per researcher per
 * round, src/Research/Isolation.ts) or in-process (fibers). Every
 * researcher's sandbox audit records are kept (the protocol counts tool
 * calls only), also when its timeout or a crash ends it. The full trace goes
 * to `<out>/trace.json`.
 *
 * Exit codes: 0 a result was produced (HIGH, MEDIUM or LOW), 1 the mission
 * itself failed (a bad setting the flags let through, an unwritable
 * artifact directory), 2 bad arguments (ResearchOptions.ts).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { Effect } from "effect"
import * as Result from "effect/Result"
import { isolatedRoster } from "../Research/Isolation.ts"
import type { AuditRecord } from "../Research/Sandbox.ts"
import type { Researcher } from "../Research/Researcher.ts"
import { inProcess, type Mission, type Roster, type RoundResult, spiral } from "../Research/Protocol.ts"
import { researcherOf, type ResearcherSpec } from "../Research/WorkerRoster.ts"
import { exitCodes, fmt, type Io } from "./Flags.ts"
import type { Outcome } from "./Invoke.ts"
import { mulberry32 } from "./Plan.ts"
import type { ByzantineMode, ResearchArgs } from "./ResearchOptions.ts"

export { parseResearchArgs, type ResearchArgs } from "./ResearchOptions.ts"

/** One researcher's tool calls in one round. */
export interface AuditEntry {
  readonly round: number
  readonly researcher: string
  readonly records: ReadonlyArray<AuditRecord>
}

export interface ResearchReport {
  readonly args: ResearchArgs
  /** Roster ids that were Byzantine. */
  readonly byzantineIds: ReadonlyArray<string>
  readonly mission: Mission
  readonly audit: ReadonlyArray<AuditEntry>
  readonly toolCalls: number
  readonly artifactDir: string
  readonly wallMs: number
}

const byzantineOf = (mode: ByzantineMode, id: string, claim: string, i: number): ResearcherSpec => {
  switch (mode) {
    case "collude":
      return { _tag: "colludes", id, claim }
    case "fabricate":
      return { _tag: "fabricates", id, claim }
    case "crash":
      return { _tag: i % 2 === 0 ? "throws" : "dies", id }
    case "hang":
      return { _tag: "hangs", id }
    case "inconsistent":
      return { _tag: "inconsistent", id }
    case "loop":
      return { _tag: "loops", id }
    case "exhaust":
      return { _tag: "exhausts", id }
    case "exit":
      return { _tag: "exits", id, code: 1 }
  }
}

/** `b` distinct positions of `0..n-1`, drawn from the seed (a partial Fisher–Yates shuffle). */
export const byzantinePositions = (n: number, b: number, seed: number): ReadonlyArray<number> => {
  const rand = mulberry32(seed)
  const idx = Array.from({ length: n }, (_, i) => i)
  for (let i = 0; i < b; i++) {
    const j = i + Math.floor(rand() * (n - i))
    ;[idx[i], idx[j]] = [idx[j]!, idx[i]!]
  }
  return idx.slice(0, b).sort((x, y) => x - y)
}

/** Keeps the sandbox's audit records of every call `r` makes, also when a timeout interrupts it. */
const audited = (r: Researcher, sink: AuditEntry[]): Researcher => ({
  id: r.id,
  research: (task, tools) =>
    Effect.suspend(() => r.research(task, tools)).pipe(
      Effect.ensuring(Effect.sync(() => void sink.push({ round: task.round, researcher: r.id, records: [...tools.audit] }))),
    ),
})

const artifactDirOf = (out: string | undefined): string => {
  if (out === undefined) return mkdtempSync(join(tmpdir(), "hydrogen-research-"))
  mkdirSync(out, { recursive: true })
  return resolve(out)
}

const roundTrace = (r: RoundResult) => ({
  round: r.round,
  level: r.level,
  agreed: r.agreed ?? null,
  answers: r.outcomes,
  tallies: r.tallies,
  rates: r.rates,
  flagged: r.flagged,
  citationChecks: r.hallucinations,
})

/** Runs the mission and writes `<artifactDir>/trace.json`. */
export const runResearch = (a: ResearchArgs) =>
  Effect.gen(function* () {
    const t0 = performance.now()
    const positions = new Set(byzantinePositions(a.researchers, a.byzantine, a.seed))
    const audit: AuditEntry[] = []
    const specs = Array.from({ length: a.researchers }, (_, i): ResearcherSpec => {
      const id = `r${i + 1}`
      return positions.has(i) ? byzantineOf(a.mode, id, a.lie, i) : { _tag: "corpus", id, preference: 0 }
    })
    let roster: Roster
    if (a.isolation === "worker") {
      const made = isolatedRoster(specs, { memoryMb: a.memoryMb, onAudit: (round, researcher, records) => void audit.push({ round, researcher, records }) })
      if (Result.isFailure(made)) return yield* Effect.fail(made.failure)
      roster = made.success
    } else roster = inProcess(specs.map((s) => audited(researcherOf(s), audit)))
    const mission = yield* spiral(roster, a.question, { root: a.corpus, f: a.faults, timeoutMs: a.timeoutMs, maxRounds: a.maxRounds })
    const wallMs = performance.now() - t0
    const artifactDir = artifactDirOf(a.out)
    audit.sort((x, y) => x.round - y.round || Number(x.researcher.slice(1)) - Number(y.researcher.slice(1)))
    const toolCalls = audit.reduce((s, e) => s + e.records.length, 0)
    const byzantineIds = [...positions].map((i) => `r${i + 1}`)
    const trace = {
      args: a,
      byzantine: byzantineIds,
      quorum: mission.rounds[0]?.quorum ?? null,
      converged: mission.converged,
      level: mission.level,
      agreed: mission.agreed ?? null,
      divergence: mission.divergence ?? null,
      rounds: mission.rounds.map(roundTrace),
      toolCalls,
      audit,
    }
    writeFileSync(join(artifactDir, "trace.json"), JSON.stringify(trace, null, 2) + "\n")
    return { args: a, byzantineIds, mission, audit, toolCalls, artifactDir, wallMs } satisfies ResearchReport
  })

const quote = (s: string, max = 120): string => JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s)

/** The report as text, one fact a line. */
export const formatResearch = (r: ResearchReport): string => {
  const { args: a, mission: m } = r
  const lines: string[] = []
  const first = m.rounds[0]
  const last = m.rounds[m.rounds.length - 1]
  lines.push(`hydrogen research: ${quote(a.question)} over ${a.corpus}`)
  lines.push(`roster: ${a.researchers} researchers, ${a.byzantine} Byzantine (${a.mode}${a.byzantine > 0 ? `: ${r.byzantineIds.join(", ")}` : ""})`)
  if (first?.quorum._tag === "QuorumPlan") {
    const q = first.quorum
    lines.push(`quorum: n = ${q.n}, f = ${q.f}, q = ${q.q} (least q whose quorums share an honest member; live: q ≤ n − f = ${q.maxQ})`)
  } else if (first !== undefined) {
    lines.push(`quorum impossible: n < 3f+1 (n = ${first.quorum.n}, f = ${first.quorum.f})`)
  }
  lines.push(a.isolation === "worker"
    ? `isolation: worker threads (one per researcher per round, heap ≤ ${a.memoryMb} MiB, terminated ${a.timeoutMs} ms after ready)`
    : `isolation: in-process fibers (timeout ${a.timeoutMs} ms; a blocking researcher is not contained)`)
  if (a.byzantine > a.faults) {
    lines.push(`warning: ${a.byzantine} Byzantine > f = ${a.faults}: the quorum's honest-intersection guarantee does not hold for this roster`)
  }
  for (const rd of m.rounds) {
    const count = (tag: string) => rd.outcomes.filter((o) => o._tag === tag).length
    const top = rd.tallies[0]
    lines.push(
      `round ${rd.round}: answered ${count("Answered")}, timed out ${count("TimedOut")}, crashed ${count("Crashed")}, failed ${count("Failed")}, malformed ${count("Malformed")}; ` +
        `leading claim ${top?.supporters.length ?? 0} of ${rd.n}${rd.quorum._tag === "QuorumPlan" ? ` (q = ${rd.quorum.q})` : ""}, ${rd.tallies.length} distinct claim(s) counted, level ${rd.level.toUpperCase()}`,
    )
    const faults = rd.outcomes.flatMap((o) =>
      o._tag === "TimedOut" ? [`${o.researcher} timed out`] : o._tag === "Crashed" ? [`${o.researcher} crashed (${o.kind})`] : o._tag === "Malformed" ? [`${o.researcher} malformed (${o.field})`] : [])
    if (faults.length > 0) lines.push(`  ${faults.slice(0, 10).join(", ")}${faults.length > 10 ? `, … ${faults.length - 10} more in the trace` : ""}`)
  }
  lines.push(`consensus: ${m.level.toUpperCase()}${m.converged ? "" : " (no quorum reached)"}`)
  if (m.agreed !== undefined) {
    lines.push(`agreed claim: ${quote(m.agreed.claim, 300)}`)
    lines.push(`  supported by ${m.agreed.supporters.length}: ${m.agreed.supporters.join(", ")}`)
    const cited = [...new Set(m.agreed.evidence.map((c) => `${c.path}:${c.line}`))]
    lines.push(`citations: ${cited.length === 0 ? "none" : cited.join(", ")}`)
  } else {
    lines.push("agreed claim: none")
    const top = last?.tallies[0]
    if (top !== undefined) lines.push(`leading claim: ${quote(top.claim, 300)} (${top.supporters.length}: ${top.supporters.join(", ")})`)
    if (m.divergence !== undefined) {
      lines.push(`why: ${m.divergence.reason}`)
      for (const s of m.divergence.support) lines.push(`  support per round ${s.perRound.join(" → ")}: ${quote(s.claim, 80)}`)
      if (m.divergence.silent.length > 0) lines.push(`  not counted: ${m.divergence.silent.map((s) => `${s.researcher} (${s.why})`).join(", ")}`)
      if (m.divergence.unstable.length > 0) lines.push(`  changed claim between rounds: ${m.divergence.unstable.join(", ")}`)
    }
  }
  const hallucinated = m.rounds.flatMap((rd) => rd.hallucinations.map((h) => ({ round: rd.round, ...h })))
  lines.push(`hallucinated citations: ${hallucinated.length}`)
  for (const h of hallucinated.slice(0, 10)) {
    const c = h.check.citation as { path?: unknown; line?: unknown }
    lines.push(`  round ${h.round} ${h.researcher}: ${String(c?.path)}:${String(c?.line)} ${h.check.verdict}`)
  }
  if (hallucinated.length > 10) lines.push(`  … ${fmt(hallucinated.length - 10)} more in the trace`)
  const flagged = [...new Set(m.rounds.flatMap((rd) => rd.flagged))]
  lines.push(`flagged researchers (hallucination rate > 0.2, votes not counted): ${flagged.length === 0 ? "none" : flagged.join(", ")}`)
  lines.push(`rounds: ${m.rounds.length} of at most ${a.maxRounds}`)
  lines.push(`tool calls: ${fmt(r.toolCalls)}`)
  lines.push(`artifacts: ${r.artifactDir} (trace.json)`)
  return lines.join("\n") + "\n"
}

/** The `research` handler: prints the report; exit 0 whenever a result was produced. */
export const runResearchCommand = (io: Io, outcome: Outcome) => (a: ResearchArgs) =>
  runResearch(a).pipe(
    Effect.map((r) => {
      io.out(formatResearch(r))
      outcome.code = exitCodes.ok
    }),
    Effect.catch((e) =>
      Effect.sync(() => {
        io.err(`hydrogen research: ${e.message}\n`)
        outcome.code = exitCodes.failed
      }),
    ),
    Effect.catchDefect((d) =>
      Effect.sync(() => {
        io.err(`hydrogen research: ${d instanceof Error ? d.message : String(d)}\n`)
        outcome.code = exitCodes.failed
      }),
    ),
  )
