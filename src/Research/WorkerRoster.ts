/**
 * Researchers named by data, so that a worker thread can build them:
 * functions cannot cross a thread boundary, a `ResearcherSpec` can. Also the
 * messages between the coordinator and a researcher's worker, as schemas:
 * whatever a worker posts is decoded before it is believed.
 *
 * Besides the built-in researchers and the Byzantine behaviours of
 * Researcher.ts, three `hostile` ones attack the process itself: a busy loop,
 * unbounded allocation and `process.exit`. Only isolation (Isolation.ts)
 * contains them; run in-process they would stall or end the coordinator, so
 * `inProcessAllowed` says no to them.
 *
 * @module
 */
import { Effect, Schema, SchemaIssue } from "effect"
import { parentPort } from "node:worker_threads"
import { byzantine, corpusResearcher, type Researcher, ResearchFailed } from "./Researcher.ts"

const Id = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(200))
const Claim = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(2000))
const Nat = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/** Which researcher to build, by name. */
export const ResearcherSpec = Schema.Union([
  Schema.TaggedStruct("corpus", { id: Id, preference: Nat }),
  Schema.TaggedStruct("colludes", { id: Id, claim: Claim }),
  Schema.TaggedStruct("fabricates", { id: Id, claim: Claim }),
  Schema.TaggedStruct("inconsistent", { id: Id }),
  Schema.TaggedStruct("hangs", { id: Id }),
  Schema.TaggedStruct("throws", { id: Id }),
  Schema.TaggedStruct("dies", { id: Id }),
  Schema.TaggedStruct("garbles", { id: Id }),
  // hostile: only for isolated workers
  Schema.TaggedStruct("loops", { id: Id }),
  Schema.TaggedStruct("exhausts", { id: Id }),
  Schema.TaggedStruct("exits", { id: Id, code: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 255 })) }),
  Schema.TaggedStruct("forges", { id: Id }),
  Schema.TaggedStruct("blocks", { id: Id, ms: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 60_000 })) }),
  Schema.TaggedStruct("floods", { id: Id, records: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 1_000_000 })) }),
])
export type ResearcherSpec = typeof ResearcherSpec.Type

const hostileTags: ReadonlySet<ResearcherSpec["_tag"]> = new Set(["loops", "exhausts", "exits", "forges", "blocks", "floods"])

/** Whether `spec` may run on the coordinator's own thread (the hostile ones may not). */
export const inProcessAllowed = (spec: ResearcherSpec): boolean => !hostileTags.has(spec._tag)

/** One real tool call first (so its audit record exists), then `attack`. */
const afterListing = (id: string, attack: () => void): Researcher => ({
  id,
  research: (_task, tools) =>
    tools.listFiles({ directory: "." }).pipe(
      Effect.mapError((e) => new ResearchFailed({ researcher: id, reason: `list_files refused: ${e.reason}` })),
      Effect.andThen(Effect.sync(attack)),
    ),
})

// Each starts working (one list_files), then goes wrong.
const hostile = {
  /** Blocks its thread forever: no fiber timeout can preempt it, only terminating the thread. */
  loops: (id: string): Researcher =>
    afterListing(id, () => {
      let spin = 0
      for (;;) spin = (spin + 1) | 0
    }),
  /** Allocates on the JS heap without bound, until the thread's heap limit stops it. */
  exhausts: (id: string): Researcher =>
    afterListing(id, () => {
      const hoard: Array<Array<number>> = []
      for (;;) hoard.push(Array.from({ length: 1 << 16 }, (_, i) => i + hoard.length))
    }),
  /** Calls `process.exit(code)`: in a worker this ends the worker's thread, not the process. */
  exits: (id: string, code: number): Researcher => afterListing(id, () => process.exit(code)),
  /** Holds its thread synchronously for `ms`, then answers: what a fiber timeout cannot cut short. */
  blocks: (id: string, ms: number): Researcher => ({
    id,
    research: () =>
      Effect.sync(() => {
        const until = Date.now() + ms
        while (Date.now() < until) {
          // busy: no await, no timer can run on this thread meanwhile
        }
        return { claim: `${id} was not stopped`, citations: [] }
      }),
  }),
  /** Posts `records` well-formed but invented audit records, then never answers. */
  floods: (id: string, records: number): Researcher => ({
    id,
    research: () =>
      parentPort === null
        ? Effect.fail(new ResearchFailed({ researcher: id, reason: "floods needs a worker port" }))
        : Effect.andThen(Effect.sync(() => {
          const record = { tool: "list_files", args: {}, outcome: "ok", bytes: 0, outputChars: 0, durationMs: 0, researcher: id, at: new Date(0).toISOString() }
          for (let i = 0; i < records; i++) parentPort!.postMessage({ _tag: "Audit", record })
        }), Effect.never),
  }),
  /** Posts a message that is not a valid reply on its worker's port, then never answers. */
  forges: (id: string): Researcher => ({
    id,
    research: () =>
      parentPort === null
        ? Effect.fail(new ResearchFailed({ researcher: id, reason: "forges needs a worker port" }))
        : Effect.andThen(Effect.sync(() => parentPort!.postMessage({ _tag: "Audit", record: { tool: "rm -rf /", args: null } })), Effect.never),
  }),
} as const

/** Builds the researcher `spec` names. */
export const researcherOf = (spec: ResearcherSpec): Researcher => {
  switch (spec._tag) {
    case "corpus":
      return corpusResearcher(spec.id, spec.preference)
    case "colludes":
      return byzantine.colludes(spec.id, spec.claim)
    case "fabricates":
      return byzantine.fabricates(spec.id, spec.claim)
    case "inconsistent":
      return byzantine.inconsistent(spec.id)
    case "hangs":
      return byzantine.hangs(spec.id)
    case "throws":
      return byzantine.throws(spec.id)
    case "dies":
      return byzantine.dies(spec.id)
    case "garbles":
      return byzantine.garbles(spec.id)
    case "loops":
      return hostile.loops(spec.id)
    case "exhausts":
      return hostile.exhausts(spec.id)
    case "exits":
      return hostile.exits(spec.id, spec.code)
    case "forges":
      return hostile.forges(spec.id)
    case "blocks":
      return hostile.blocks(spec.id, spec.ms)
    case "floods":
      return hostile.floods(spec.id, spec.records)
  }
}

const Citation = Schema.Struct({ path: Schema.String, line: Schema.Number })
/** The SPIRAL digest as it crosses into a worker. */
const DigestSchema = Schema.Struct({
  round: Nat,
  leading: Schema.UndefinedOr(Schema.Struct({ claim: Schema.String, support: Nat, citations: Schema.Array(Citation) })),
  tallies: Schema.Array(Schema.Struct({ claim: Schema.String, support: Nat })),
})

/** What a worker is started with (its `workerData`). */
export const WorkerInput = Schema.Struct({
  spec: ResearcherSpec,
  root: Schema.String,
  task: Schema.Struct({ question: Schema.String, round: Nat, digest: Schema.UndefinedOr(DigestSchema) }),
})
export type WorkerInput = typeof WorkerInput.Type

const reasons = ["ok", "absolute", "traversal", "symlink-escape", "swapped", "not-found", "not-regular", "not-directory", "too-large", "unreadable", "bad-argument", "bad-pattern", "timeout"] as const
const NonNegative = Schema.Number.check(Schema.isGreaterThanOrEqualTo(0))

/** A sandbox audit record as a worker reports it (src/Research/Sandbox.ts `AuditRecord`). */
export const AuditRecordSchema = Schema.Struct({
  tool: Schema.Literals(["read_file", "grep_search", "list_files"]),
  args: Schema.Unknown,
  outcome: Schema.Literals(reasons),
  bytes: NonNegative,
  outputChars: NonNegative,
  durationMs: NonNegative,
  researcher: Schema.UndefinedOr(Schema.String),
  at: Schema.String,
})

const Reason = Schema.String.check(Schema.isMaxLength(4000))

/** Everything a worker may post: ready (research starts now), one audit record, or its last word. */
export const FromWorker = Schema.Union([
  Schema.TaggedStruct("Ready", {}),
  Schema.TaggedStruct("Audit", { record: AuditRecordSchema }),
  Schema.TaggedStruct("Answered", { answer: Schema.Unknown }),
  Schema.TaggedStruct("Failed", { reason: Reason }),
  Schema.TaggedStruct("Crashed", { reason: Reason }),
  Schema.TaggedStruct("Unsendable", { reason: Reason }),
])
export type FromWorker = typeof FromWorker.Type

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

/** The path of the first problem in a decoding issue, dotted ("record.tool"), or `fallback` at the top. */
export const issuePath = (issue: SchemaIssue.Issue, fallback: string): string => {
  const path = formatIssues(issue).issues[0]?.path
  return path !== undefined && path.length > 0 ? path.map(String).join(".") : fallback
}
