import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { byzantinePositions } from "../../src/Cli/Research.ts"
import { parseResearchArgs } from "../../src/Cli/ResearchOptions.ts"
import { runMain } from "./run.ts"

// A small corpus whose only line about the question is known in advance.
let dir = ""
let corpus = ""
const truth = "the capital of france is paris"
const question = "What is the capital of France?"

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "hydrogen-research-test-"))
  corpus = join(dir, "corpus")
  mkdirSync(join(corpus, "docs"), { recursive: true })
  writeFileSync(join(corpus, "a.txt"), "Alpha notes\nRivers flow downhill.\n")
  writeFileSync(join(corpus, "docs", "facts.md"), "# Facts\n\nThe capital of France is Paris.\nBread is baked in ovens.\n")
  writeFileSync(join(dir, "file.txt"), "not a directory\n")
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const research = (...extra: string[]) => runMain(["research", "--corpus", corpus, "--question", question, "--out", join(dir, `out-${Math.random().toString(36).slice(2)}`), ...extra])
// Worker isolation (the default) starts ten threads per round; on a loaded machine that takes seconds,
// and the threads compete with each other for CPU: the worker runs give honest researchers 60 s
// (only a researcher that never answers waits that long, and those runs use shorter timeouts).
const workerBudget = 180_000
const artifactDir = (out: string): string => /^artifacts: (.*) \(trace\.json\)$/m.exec(out)![1]!

describe("hydrogen research", () => {
  it("no Byzantine researchers: HIGH on the corpus's line, cited at docs/facts.md:3, exit 0", async () => {
    const r = await research("--timeout-ms", "60000")
    expect(r.err).toBe("")
    expect(r.code).toBe(0)
    expect(r.out).toContain("quorum: n = 10, f = 3, q = 7")
    expect(r.out).toContain("consensus: HIGH")
    expect(r.out).toContain(`agreed claim: "${truth}"`)
    expect(r.out).toContain("supported by 10:")
    expect(r.out).toContain("citations: docs/facts.md:3")
    expect(r.out).toContain("rounds: 1 of at most 3")
  }, workerBudget)

  it("3 colluders (= f) on a false claim: still HIGH on the truth, for every seed tried", async () => {
    for (const seed of ["1", "2", "3"]) {
      const r = await research("--byzantine", "3", "--seed", seed, "--isolation", "in-process")
      expect(r.code).toBe(0)
      expect(r.out).toContain("consensus: HIGH")
      expect(r.out).toContain(`agreed claim: "${truth}"`)
      expect(r.out).toContain("supported by 7:")
      expect(r.out).not.toContain("warning:")
    }
  })

  it("4 colluders (= f + 1): no HIGH, no agreed claim, the lie not adopted; says why and warns that B > f; exit 0", async () => {
    const r = await research("--byzantine", "4", "--max-rounds", "2", "--isolation", "in-process")
    expect(r.code).toBe(0)
    expect(r.out).toContain("warning: 4 Byzantine > f = 3")
    expect(r.out).toContain("consensus: LOW (no quorum reached)")
    expect(r.out).toContain("agreed claim: none")
    expect(r.out).not.toContain("consensus: HIGH")
    expect(r.out).toContain("why: after 2 round(s) the leading claim had 6 of the 7 needed")
    expect(r.out).toMatch(/support per round 4 → 4: "the corpus does not answer this question"/)
    expect(r.out).toContain("rounds: 2 of at most 2")
  })

  it("7 colluders out of 10 (beyond f): the lie reaches the quorum — what the guarantee does not cover, shown with the warning", async () => {
    const r = await research("--byzantine", "7", "--lie", "Paris is not a capital", "--isolation", "in-process")
    expect(r.code).toBe(0)
    expect(r.out).toContain("warning: 7 Byzantine > f = 3")
    expect(r.out).toContain('agreed claim: "paris is not a capital"')
  })

  it("fabricating researchers: their citations are counted as hallucinated, they are flagged, the truth still reaches HIGH", async () => {
    const r = await research("--byzantine", "3", "--byzantine-mode", "fabricate", "--timeout-ms", "60000")
    expect(r.code).toBe(0)
    expect(r.out).toContain("consensus: HIGH")
    expect(r.out).toContain(`agreed claim: "${truth}"`)
    expect(r.out).toContain("hallucinated citations: 6") // two fabricated citations each
    expect(r.out).toContain("no/such/file.md:1 missing")
    expect(r.out).toContain("README.md:100000 missing")
    const flagged = /flagged researchers \(hallucination rate > 0\.2, votes not counted\): (.*)$/m.exec(r.out)![1]!.split(", ")
    expect(flagged).toHaveLength(3)
  }, workerBudget)

  it("hanging and crashing researchers end as timed out / crashed without affecting the others", async () => {
    const hang = await research("--byzantine", "3", "--byzantine-mode", "hang", "--timeout-ms", "15000")
    expect(hang.code).toBe(0)
    expect(hang.out).toContain("timed out 3, crashed 0")
    expect(hang.out).toContain("consensus: HIGH")
    const crash = await research("--byzantine", "3", "--byzantine-mode", "crash", "--timeout-ms", "60000")
    expect(crash.out).toContain("answered 7, timed out 0, crashed 3")
    expect(crash.out).toContain("consensus: HIGH")
  }, workerBudget)

  it("worker isolation is the default, and gives the same report as in-process apart from the isolation line and the artifact directory", async () => {
    const strip = (out: string) => out.split("\n").filter((l) => !l.startsWith("isolation: ") && !l.startsWith("artifacts: ")).join("\n")
    const worker = await research("--byzantine", "3", "--byzantine-mode", "fabricate", "--seed", "4", "--timeout-ms", "60000")
    const fibers = await research("--byzantine", "3", "--byzantine-mode", "fabricate", "--seed", "4", "--isolation", "in-process", "--timeout-ms", "60000")
    expect(worker.out).toContain("isolation: worker threads (one per researcher per round, heap ≤ 128 MiB, terminated 60000 ms after ready)")
    expect(fibers.out).toContain("isolation: in-process fibers (timeout 60000 ms; a blocking researcher is not contained)")
    expect(strip(worker.out)).toEqual(strip(fibers.out))
    expect(worker.out).toContain("consensus: HIGH")
  }, workerBudget)

  it("researchers that loop forever, exhaust their heap or exit the process are contained by their workers: the truth still reaches HIGH, each fault named with its kind", async () => {
    // Timeouts with room for load: the honest researchers must not time out; the loopers always do.
    const loop = await research("--byzantine", "3", "--byzantine-mode", "loop", "--seed", "2", "--timeout-ms", "15000")
    expect(loop.code).toBe(0)
    expect(loop.out).toContain("answered 7, timed out 3, crashed 0")
    expect(loop.out).toContain("consensus: HIGH")
    expect(loop.out).toContain(`agreed claim: "${truth}"`)
    const positions = byzantinePositions(10, 3, 2).map((i) => `r${i + 1}`)
    expect(loop.out).toContain(`  ${positions.map((id) => `${id} timed out`).join(", ")}\n`)
    const oom = await research("--byzantine", "3", "--byzantine-mode", "exhaust", "--memory-mb", "64", "--timeout-ms", "60000")
    expect(oom.out).toContain("heap ≤ 64 MiB")
    expect(oom.out).toContain("answered 7, timed out 0, crashed 3")
    expect(oom.out.match(/r\d+ crashed \(out-of-memory\)/g)).toHaveLength(3)
    expect(oom.out).toContain("consensus: HIGH")
    const exit = await research("--byzantine", "3", "--byzantine-mode", "exit", "--timeout-ms", "60000")
    expect(exit.out.match(/r\d+ crashed \(exited\)/g)).toHaveLength(3)
    expect(exit.out).toContain("consensus: HIGH")
    // Their one list_files call each is in the trace's audit although their threads were ended.
    const trace = JSON.parse(readFileSync(join(artifactDir(exit.out), "trace.json"), "utf8"))
    for (const id of trace.byzantine) {
      const entry = trace.audit.find((e: { researcher: string }) => e.researcher === id)
      expect(entry.records.map((x: { tool: string }) => x.tool)).toEqual(["list_files"])
    }
    expect(trace.rounds[0].answers.filter((a: { _tag: string; kind?: string }) => a._tag === "Crashed" && a.kind === "exited")).toHaveLength(3)
  }, workerBudget)

  it("the artifact directory holds trace.json: every round's answers, citation checks and each researcher's tool-call audit", async () => {
    const r = await research("--byzantine", "4", "--max-rounds", "2", "--byzantine-mode", "collude", "--timeout-ms", "60000")
    const trace = JSON.parse(readFileSync(join(artifactDir(r.out), "trace.json"), "utf8"))
    expect(trace.rounds).toHaveLength(2)
    expect(trace.converged).toBe(false)
    expect(trace.divergence.reason).toContain("6 of the 7 needed")
    expect(trace.quorum).toMatchObject({ _tag: "QuorumPlan", n: 10, f: 3, q: 7 })
    for (const round of trace.rounds) {
      expect(round.answers).toHaveLength(10)
      expect(round.answers.every((a: { _tag: string }) => a._tag === "Answered")).toBe(true)
      expect(Array.isArray(round.citationChecks)).toBe(true)
    }
    // one audit entry per researcher per round, each with its sandbox's records
    expect(trace.audit).toHaveLength(20)
    const tools = new Set(trace.audit.flatMap((e: { records: Array<{ tool: string }> }) => e.records.map((x) => x.tool)))
    expect([...tools].sort()).toEqual(["grep_search", "list_files", "read_file"])
    const liars = new Set(trace.byzantine)
    expect(liars.size).toBe(4)
    for (const e of trace.audit) {
      expect(e.records.length).toBeGreaterThan(0)
      expect(e.records.every((x: { researcher: string }) => x.researcher === e.researcher)).toBe(true)
      // colluders list the corpus to find a line to cite; honest researchers grep for the question
      expect(e.records[0].tool).toBe(liars.has(e.researcher) ? "list_files" : "grep_search")
    }
    const total = trace.audit.reduce((s: number, e: { records: unknown[] }) => s + e.records.length, 0)
    expect(trace.toolCalls).toBe(total)
    expect(r.out).toContain(`tool calls: ${total}`)
  }, workerBudget)

  it("the Byzantine positions are b distinct roster positions, fixed by the seed", () => {
    for (const [n, b] of [[10, 0], [10, 3], [10, 10], [1, 1]] as const) {
      const p = byzantinePositions(n, b, 5)
      expect(new Set(p).size).toBe(b)
      expect(p.every((i) => i >= 0 && i < n)).toBe(true)
      expect(byzantinePositions(n, b, 5)).toEqual(p)
    }
  })
})

describe("hydrogen research: bad input is refused with exit 2 and a message naming the flag", () => {
  const errorsOf = (args: string[]): ReadonlyArray<string> => {
    const r = parseResearchArgs(args)
    expect(r.ok).toBe(false)
    return r.ok ? [] : r.errors
  }

  it("a missing corpus directory, or a file given as one", async () => {
    const r = await runMain(["research", "--corpus", join(dir, "nope"), "--question", question])
    expect(r.code).toBe(2)
    expect(r.err).toContain(`--corpus ${join(dir, "nope")}: no such directory`)
    expect(r.out).toBe("")
    expect(errorsOf(["--corpus", join(dir, "file.txt"), "--question", question])).toEqual([`--corpus ${join(dir, "file.txt")}: is not a directory`])
  })

  it("an empty or missing question", async () => {
    const r = await runMain(["research", "--corpus", corpus, "--question", "   "])
    expect(r.code).toBe(2)
    expect(r.err).toContain("--question: expected non-empty text")
    expect(errorsOf(["--corpus", corpus])).toEqual(["--question is required"])
  })

  it("more Byzantine than researchers", () => {
    expect(errorsOf(["--corpus", corpus, "--question", question, "--researchers", "5", "--byzantine", "6"])).toEqual(["--byzantine 6 is more than --researchers 5"])
  })

  it("f with no quorum: quorum impossible: n < 3f+1", async () => {
    const r = await runMain(["research", "--corpus", corpus, "--question", question, "--faults", "4"])
    expect(r.code).toBe(2)
    expect(r.err).toContain("quorum impossible: n < 3f+1 (n = 10, f = 4, needs n ≥ 13)")
    expect(errorsOf(["--corpus", corpus, "--question", question, "--researchers", "3", "--faults", "1"])).toEqual(["quorum impossible: n < 3f+1 (n = 3, f = 1, needs n ≥ 4)"])
  })

  it("an unknown Byzantine mode, a count out of range, a non-number", () => {
    expect(errorsOf(["--corpus", corpus, "--question", question, "--byzantine-mode", "lies"]).join("\n")).toContain("--byzantine-mode")
    expect(errorsOf(["--corpus", corpus, "--question", question, "--researchers", "0"]).join("\n")).toMatch(/--researchers: .*got "0"/)
    expect(errorsOf(["--corpus", corpus, "--question", question, "--max-rounds", "two"]).join("\n")).toMatch(/--max-rounds: expected a whole number/)
  })

  it("process-attacking modes in-process, an unknown isolation, a heap limit out of range", () => {
    expect(errorsOf(["--corpus", corpus, "--question", question, "--byzantine", "1", "--byzantine-mode", "loop", "--isolation", "in-process"])).toEqual([
      "--byzantine-mode loop needs --isolation worker (in-process it would stall or end the coordinator itself)",
    ])
    expect(errorsOf(["--corpus", corpus, "--question", question, "--isolation", "threads"]).join("\n")).toContain("--isolation")
    expect(errorsOf(["--corpus", corpus, "--question", question, "--memory-mb", "8"]).join("\n")).toMatch(/--memory-mb: .*got "8"/)
  })

  it("research --help (and help research) lists the research flags with their ranges; the overview lists the command", async () => {
    const h = await runMain(["research", "--help"])
    expect(h.code).toBe(0)
    for (const flag of ["--corpus DIR", "--question TEXT", "--byzantine-mode", "--faults F", "--max-rounds R", "--out DIR", "--isolation", "--memory-mb MB"]) expect(h.out).toContain(flag)
    expect(h.out).not.toContain("--agents")
    expect(await runMain(["help", "research"])).toEqual(h)
    expect((await runMain(["help"])).out).toContain("hydrogen research --corpus DIR --question TEXT")
  })

  it("defaults: 10 researchers, none Byzantine, collude, f = ⌊(n − 1)/3⌋, 3 rounds, worker isolation with 128 MiB heaps", () => {
    const r = parseResearchArgs(["--corpus", corpus, "--question", question, "--researchers", "13"])
    expect(r.ok && r.value).toMatchObject({ researchers: 13, byzantine: 0, mode: "collude", faults: 4, maxRounds: 3, isolation: "worker", memoryMb: 128 })
  })
})
