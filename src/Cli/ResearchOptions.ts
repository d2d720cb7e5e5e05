/**
 * The flags of `hydrogen research` and their checks, apart from the mission
 * (Research.ts) so that the command line loads the research modules only
 * when `research` runs.
 */
import { statSync } from "node:fs"
import { Effect, Option, Schema } from "effect"
import { Command, Flag } from "effect/cli"
import { type Either, intFlag, intFlagOr, invalidCombination, seedFlag } from "./Flags.ts"
import { decodeArgs } from "./Invoke.ts"

export const maxResearchers = 1000
export const byzantineModes = ["collude", "fabricate", "crash", "hang", "inconsistent", "loop", "exhaust", "exit"] as const
export type ByzantineMode = (typeof byzantineModes)[number]
/** Modes that attack the process itself (busy loop, unbounded heap, process.exit): only worker isolation contains them. */
export const workerOnlyModes: ReadonlyArray<ByzantineMode> = ["loop", "exhaust", "exit"]
export const isolationModes = ["worker", "in-process"] as const
export type IsolationMode = (typeof isolationModes)[number]

/** The false claim Byzantine researchers push (colluders cite a real line, fabricators invent citations). */
export const defaultLie = "the corpus does not answer this question"

export interface ResearchArgs {
  readonly corpus: string
  readonly question: string
  readonly researchers: number
  readonly byzantine: number
  readonly mode: ByzantineMode
  /** Faults tolerated; default the most `researchers` allow, ⌊(n − 1)/3⌋. */
  readonly faults: number
  readonly maxRounds: number
  readonly timeoutMs: number
  readonly seed: number
  /** Artifact directory; a fresh one under the OS temp dir when absent. */
  readonly out: string | undefined
  readonly lie: string
  /** worker: each researcher in its own worker thread (default); in-process: fibers of this process. */
  readonly isolation: IsolationMode
  /** Each worker's heap limit in MiB (worker isolation). */
  readonly memoryMb: number
}

const textFlag = (name: string, metavar: string, description: string) =>
  Flag.String(name).pipe(
    Flag.withSchema(Schema.String.check(Schema.makeFilter((s: string) => s.trim().length > 0 || "expected non-empty text"))),
    Flag.withMetavar(metavar),
    Flag.withDescription(description),
  )

export const researchFlags = {
  corpus: textFlag("corpus", "DIR", "directory the researchers may read (sandboxed: nothing outside it)"),
  question: textFlag("question", "TEXT", "the question; researchers grep the corpus for its keywords"),
  researchers: intFlagOr("researchers", 1, maxResearchers, "N", "researchers in the roster", 10),
  byzantine: intFlagOr("byzantine", 0, maxResearchers, "B", "how many of them are Byzantine", 0),
  mode: Flag.Literals("byzantine-mode", byzantineModes).pipe(
    Flag.withDescription("what the Byzantine researchers do, default collude (all push one false claim with valid citations)"),
    Flag.withDefault("collude" as ByzantineMode),
  ),
  faults: intFlag("faults", 0, maxResearchers, "F", "faults the quorum tolerates, default ⌊(N − 1)/3⌋").pipe(Flag.optional),
  maxRounds: intFlagOr("max-rounds", 1, 100, "R", "SPIRAL rounds at most", 3),
  timeoutMs: intFlagOr("timeout-ms", 1, 300_000, "MS", "per-researcher timeout per round (with worker isolation, from the moment its thread is ready)", 5000),
  seed: seedFlag,
  out: textFlag("out", "DIR", "artifact directory for the trace (created; default a fresh temp dir)").pipe(Flag.optional),
  lie: textFlag("lie", "TEXT", `the Byzantine researchers' false claim, default "${defaultLie}"`).pipe(Flag.withDefault(defaultLie)),
  isolation: Flag.Literals("isolation", isolationModes).pipe(
    Flag.withDescription("worker: each researcher in its own worker thread, terminated from outside at its timeout (default); in-process: fibers of this process"),
    Flag.withDefault("worker" as IsolationMode),
  ),
  memoryMb: intFlagOr("memory-mb", 16, 4096, "MB", "heap limit of each researcher's worker", 128),
} as const

type RawResearch = Command.Command.Config.Infer<typeof researchFlags>

const toResearchArgs = (o: RawResearch): ResearchArgs => ({
  corpus: o.corpus,
  question: o.question,
  researchers: o.researchers,
  byzantine: o.byzantine,
  mode: o.mode,
  faults: Option.getOrElse(o.faults, () => Math.floor((o.researchers - 1) / 3)),
  maxRounds: o.maxRounds,
  timeoutMs: o.timeoutMs,
  seed: o.seed,
  out: Option.getOrUndefined(o.out),
  lie: o.lie,
  isolation: o.isolation,
  memoryMb: o.memoryMb,
})

const isDirectory = (p: string): string | undefined => {
  try {
    return statSync(p).isDirectory() ? undefined : "is not a directory"
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such directory" : `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`
  }
}

/** Every problem with a combination of flags (or the corpus on disk), one line each. */
export const researchErrors = (o: RawResearch): ReadonlyArray<string> => {
  const errors: string[] = []
  const corpus = isDirectory(o.corpus)
  if (corpus !== undefined) errors.push(`--corpus ${o.corpus}: ${corpus}`)
  if (o.byzantine > o.researchers) errors.push(`--byzantine ${o.byzantine} is more than --researchers ${o.researchers}`)
  const f = toResearchArgs(o).faults
  if (3 * f + 1 > o.researchers) errors.push(`quorum impossible: n < 3f+1 (n = ${o.researchers}, f = ${f}, needs n ≥ ${3 * f + 1})`)
  if (o.isolation === "in-process" && o.byzantine > 0 && workerOnlyModes.includes(o.mode)) {
    errors.push(`--byzantine-mode ${o.mode} needs --isolation worker (in-process it would stall or end the coordinator itself)`)
  }
  if (Option.isSome(o.out)) {
    try {
      if (!statSync(o.out.value).isDirectory()) errors.push(`--out ${o.out.value}: exists and is not a directory`)
    } catch {
      // absent: created when the mission runs
    }
  }
  return errors
}

export const researchDescription = `Runs a research mission (seed 004: SCATTER, GATHER = V²C, SPIRAL) with the
  built-in researchers over the corpus: each greps for the question's keywords
  through a sandbox on DIR and cites the best line. B of the N are Byzantine
  (--byzantine-mode; loop, exhaust and exit attack the process and need
  --isolation worker, the default: one worker thread per researcher per
  round, with a heap limit, terminated from outside at --timeout-ms after it
  is ready). Prints the quorum (n, f, q), the consensus level, the
  agreed claim, flagged hallucinations, citations, rounds, and the artifact
  directory holding trace.json (every round's answers, citation checks and
  tool-call audit records). Exit 0 when a result was produced (even LOW),
  2 on bad input (missing corpus, empty question, B > N, n < 3f+1).`

/** `research`, with `handler` run on the decoded arguments after the checks. */
export const researchCommand = <E, R>(handler: (a: ResearchArgs) => Effect.Effect<void, E, R>) =>
  Command.make("research", researchFlags, (o) => handler(toResearchArgs(o))).pipe(
    Command.validate((o) => {
      const errors = researchErrors(o)
      return errors.length === 0 ? Effect.void : invalidCombination(errors.join("\n"))
    }),
    Command.withDescription(researchDescription),
  )

/** Decodes `research` arguments (checks the corpus on disk); defaults: 10 researchers, 0 Byzantine, collude, f = ⌊(N − 1)/3⌋, 3 rounds, worker isolation. */
export const parseResearchArgs: (args: ReadonlyArray<string>) => Either<string, ResearchArgs> = decodeArgs(researchCommand)
