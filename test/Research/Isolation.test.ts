/**
 * Seed 004, Property 2 (no cascade failures) with real worker threads: each
 * researcher of a round runs in its own thread over a real temp corpus. The
 * faulty ones attack the thread itself (a busy loop, unbounded allocation,
 * a throw, process.exit, a forged message); the others' answers must come
 * out exactly as in a run without the faulty ones, and as in-process.
 */
import { Effect } from "effect"
import * as Result from "effect/Result"
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type IsolationOptions, isolatedRoster, maxAuditRecords, runIsolated } from "../../src/Research/Isolation.ts"
import { inProcess, type MissionOptions, type Outcome, spiral } from "../../src/Research/Protocol.ts"
import type { AuditRecord } from "../../src/Research/Sandbox.ts"
import { inProcessAllowed, researcherOf, type ResearcherSpec } from "../../src/Research/WorkerRoster.ts"

let root: string
const port = "Which coordinator port is used?"
const lie = "The coordinator port is 1."

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "hydrogen-isolation-"))
  await mkdir(join(root, "notes"), { recursive: true })
  await writeFile(join(root, "README.md"), "# Corpus\nA small corpus for the isolation tests.\n")
  // Two lines answer equally well: honest researchers split by preference.
  await writeFile(join(root, "notes/ports.md"), ["The port of Marlow is busy.", "The coordinator port is 4222.", "Rumour: the coordinator port is 6222.", ""].join("\n"))
})
afterAll(() => rm(root, { recursive: true, force: true }))

// Generous: an honest researcher timing out under machine load would change its answer.
const opts = (over: Partial<MissionOptions> = {}): MissionOptions => ({ root, f: 3, timeoutMs: 15_000, maxRounds: 1, ...over })

/** Six well-behaved researchers: four honest (split 2–2 by preference), one colluder, one fabricator. */
const wellBehaved: ReadonlyArray<ResearcherSpec> = [
  { _tag: "corpus", id: "h0", preference: 0 },
  { _tag: "corpus", id: "h1", preference: 1 },
  { _tag: "corpus", id: "h2", preference: 2 },
  { _tag: "corpus", id: "h3", preference: 3 },
  { _tag: "colludes", id: "c0", claim: lie },
  { _tag: "fabricates", id: "x0", claim: lie },
]
const faulty: ReadonlyArray<ResearcherSpec> = [
  { _tag: "loops", id: "f-loop" },
  { _tag: "exhausts", id: "f-oom" },
  { _tag: "throws", id: "f-throw" },
  { _tag: "exits", id: "f-exit", code: 7 },
]
// Interleaved, so that no position in the roster is special.
const mixed: ReadonlyArray<ResearcherSpec> = [wellBehaved[0]!, faulty[0]!, wellBehaved[1]!, faulty[1]!, wellBehaved[2]!, wellBehaved[3]!, faulty[2]!, wellBehaved[4]!, faulty[3]!, wellBehaved[5]!]

const isolated = (specs: ReadonlyArray<ResearcherSpec>, over: IsolationOptions = {}) => {
  const audit: Array<{ round: number; researcher: string; records: ReadonlyArray<AuditRecord> }> = []
  const made = isolatedRoster(specs, { memoryMb: 64, onAudit: (round, researcher, records) => void audit.push({ round, researcher, records }), ...over })
  if (Result.isFailure(made)) throw made.failure
  return { roster: made.success, audit }
}
const byId = (outcomes: ReadonlyArray<Outcome>) => new Map(outcomes.map((o) => [o.researcher, o]))
const outcomeOf = (outcomes: ReadonlyArray<Outcome>, id: string) => outcomes.find((o) => o.researcher === id)!

describe("isolated SCATTER: one researcher per worker thread (seed 004, Property 2)", () => {
  it("with a looping, a memory-exhausting, a throwing and an exiting researcher among 10, the other six answer exactly as without them; each faulty one is reported with its kind; audit records arrive", async () => {
    const alone = isolated(wellBehaved)
    const base = await Effect.runPromise(spiral(alone.roster, port, opts()))
    const withFaults = isolated(mixed)
    // The mission ends although f-loop never would: its thread is terminated at the deadline.
    const m = await Effect.runPromise(spiral(withFaults.roster, port, opts()))
    const outcomes = m.rounds[0]!.outcomes
    expect(outcomes.map((o) => o.researcher)).toEqual(mixed.map((s) => s.id))

    const baseline = byId(base.rounds[0]!.outcomes)
    for (const s of wellBehaved) expect(outcomeOf(outcomes, s.id)).toEqual(baseline.get(s.id))
    // The baseline is real work: the honest ones split over the two port lines, with valid citations.
    const claims = wellBehaved.slice(0, 4).map((s) => (baseline.get(s.id) as Extract<Outcome, { _tag: "Answered" }>).claim)
    expect(claims).toEqual(["The coordinator port is 4222.", "Rumour: the coordinator port is 6222.", "The coordinator port is 4222.", "Rumour: the coordinator port is 6222."])
    expect(base.rounds[0]!.tallies.map((t) => [t.claim, t.supporters])).toEqual([
      ["rumour: the coordinator port is 6222", ["h1", "h3"]],
      ["the coordinator port is 4222", ["h0", "h2"]],
      ["the coordinator port is 1", ["c0"]],
    ])
    // …and GATHER counts the same votes with the faulty ones present.
    expect(m.rounds[0]!.tallies.map((t) => [t.claim, t.supporters])).toEqual(base.rounds[0]!.tallies.map((t) => [t.claim, t.supporters]))

    expect(outcomeOf(outcomes, "f-loop")).toEqual({ _tag: "TimedOut", researcher: "f-loop", toolCalls: 1 })
    expect(outcomeOf(outcomes, "f-oom")).toMatchObject({ _tag: "Crashed", kind: "out-of-memory", toolCalls: 1 })
    expect(outcomeOf(outcomes, "f-throw")).toMatchObject({ _tag: "Crashed", kind: "threw", reason: "Error: f-throw crashed", toolCalls: 0 })
    expect(outcomeOf(outcomes, "f-exit")).toMatchObject({ _tag: "Crashed", kind: "exited", toolCalls: 1 })
    expect((outcomeOf(outcomes, "f-exit") as { reason: string }).reason).toContain("exited with code 7")

    // One audit entry per researcher; the terminated and crashed ones' list_files calls made it out.
    expect(withFaults.audit.map((e) => e.researcher).sort()).toEqual(mixed.map((s) => s.id).sort())
    const recordsOf = (id: string) => withFaults.audit.find((e) => e.researcher === id)!.records
    for (const id of ["f-loop", "f-oom", "f-exit"]) expect(recordsOf(id).map((r) => [r.tool, r.outcome, r.researcher])).toEqual([["list_files", "ok", id]])
    expect(recordsOf("f-throw")).toEqual([])
    for (const id of ["h0", "h1", "h2", "h3"]) expect(recordsOf(id).map((r) => r.tool)).toEqual(["grep_search", "read_file"])
    // Tool calls counted in the outcome are the records that arrived.
    for (const o of outcomes) expect(o.toolCalls).toBe(recordsOf(o.researcher).length)
  }, 180_000)

  it("well-behaved researchers answer the same isolated (here two threads at a time, in waves) as in-process", async () => {
    const { roster } = isolated(wellBehaved, { maxThreads: 2 })
    const [iso, fib] = await Promise.all([
      Effect.runPromise(roster.scatter({ question: port, round: 1, digest: undefined }, opts())),
      Effect.runPromise(inProcess(wellBehaved.map(researcherOf)).scatter({ question: port, round: 1, digest: undefined }, opts())),
    ])
    expect(iso).toEqual(fib)
  }, 120_000)

  it("a researcher that holds its thread for 3 s under a 100 ms timeout: a fiber timeout cannot cut it short (it answers), its worker is terminated (TimedOut)", async () => {
    const blocker: ResearcherSpec = { _tag: "blocks", id: "b", ms: 3_000 }
    const task = { question: port, round: 1, digest: undefined }
    const fiber = await Effect.runPromise(inProcess([researcherOf(blocker)]).scatter(task, opts({ timeoutMs: 100 })))
    expect(fiber).toEqual([{ _tag: "Answered", researcher: "b", claim: "b was not stopped", citations: [], confidence: undefined, toolCalls: 0 }])
    const { roster } = isolated([blocker])
    expect(await Effect.runPromise(roster.scatter(task, opts({ timeoutMs: 100 })))).toEqual([{ _tag: "TimedOut", researcher: "b", toolCalls: 0 }])
  }, 90_000)

  it("a researcher that waits on nothing (its thread would go idle) is timed out, not mistaken for an exit", async () => {
    const s = await Effect.runPromise(runIsolated({ _tag: "hangs", id: "idle" }, { question: port, round: 1, digest: undefined }, root, 200, { memoryMb: 64, startTimeoutMs: 60_000 }))
    expect(s.outcome).toEqual({ _tag: "TimedOut", researcher: "idle", toolCalls: 0 })
  }, 90_000)

  it("a malformed reply is a typed outcome for that researcher only: a forged message names the bad field, a non-answer is Malformed", async () => {
    const { roster } = isolated([{ _tag: "forges", id: "forger" }, { _tag: "garbles", id: "garbler" }, { _tag: "dies", id: "dier" }, wellBehaved[0]!])
    const outcomes = await Effect.runPromise(roster.scatter({ question: port, round: 1, digest: undefined }, opts()))
    expect(outcomes[0]).toEqual({ _tag: "Malformed", researcher: "forger", field: "reply.record.tool", toolCalls: 0 })
    expect(outcomes[1]).toEqual({ _tag: "Malformed", researcher: "garbler", field: "claim", toolCalls: 0 })
    expect(outcomes[2]).toMatchObject({ _tag: "Crashed", researcher: "dier", kind: "threw", reason: "Error: dier died" })
    expect(outcomes[3]).toMatchObject({ _tag: "Answered", researcher: "h0", claim: "The coordinator port is 4222." })
  }, 120_000)

  it("a flood of invented audit records is cut off at maxAuditRecords (Malformed); the records below the cap were well-formed and kept", async () => {
    const s = await Effect.runPromise(runIsolated({ _tag: "floods", id: "flood", records: maxAuditRecords + 5 }, { question: port, round: 1, digest: undefined }, root, 60_000, { memoryMb: 64, startTimeoutMs: 60_000 }))
    expect(s.outcome).toEqual({ _tag: "Malformed", researcher: "flood", field: `reply (over ${maxAuditRecords} audit records)`, toolCalls: maxAuditRecords })
    expect(s.records).toHaveLength(maxAuditRecords)
  }, 90_000)

  it("a worker started with input that does not decode fails with a message naming the field (the worker decodes its own input)", async () => {
    const bad = { _tag: "corpus", id: "", preference: -1 } as unknown as ResearcherSpec
    const s = await Effect.runPromise(runIsolated(bad, { question: port, round: 1, digest: undefined }, root, 5_000, { memoryMb: 64, startTimeoutMs: 60_000 }))
    expect(s.outcome).toMatchObject({ _tag: "Failed", researcher: "" })
    expect((s.outcome as { reason: string }).reason).toMatch(/^worker input: spec\.\w+ is malformed$/)
  }, 90_000)

  it("a sandbox that cannot open (missing root) is that researcher's Failed outcome", async () => {
    const s = await Effect.runPromise(runIsolated(wellBehaved[0]!, { question: port, round: 1, digest: undefined }, join(root, "missing"), 5_000, { memoryMb: 64, startTimeoutMs: 60_000 }))
    expect(s.outcome).toMatchObject({ _tag: "Failed", researcher: "h0" })
    expect((s.outcome as { reason: string }).reason).toMatch(/^sandbox: .*missing/)
  }, 90_000)

  it("settings out of range are refused, naming the setting; hostile researchers are not allowed in-process", () => {
    for (const [over, field] of [[{ memoryMb: 8 }, "memoryMb"], [{ memoryMb: 1.5 }, "memoryMb"], [{ startTimeoutMs: 0 }, "startTimeoutMs"], [{ maxThreads: 0 }, "maxThreads"]] as const) {
      const r = isolatedRoster(wellBehaved, over)
      expect(Result.isFailure(r) && r.failure).toMatchObject({ _tag: "BadIsolation", field })
    }
    expect(faulty.filter(inProcessAllowed).map((s) => s.id)).toEqual(["f-throw"])
    expect(wellBehaved.every(inProcessAllowed)).toBe(true)
  })
})
