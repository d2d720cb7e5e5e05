/**
 * Researchers for the scatter-gather protocol (seed 004). The interface is
 * pluggable — an LLM client could implement it; nothing here calls one. The
 * built-in researcher really works over a corpus through the sandbox tools:
 * it greps for the question's keywords, reads the best-matching line and
 * answers with that line as its claim and a citation to it.
 *
 * The Byzantine behaviours exist for tests: hang past the timeout, crash
 * (a synchronous throw or a defect), fabricate citations, collude on one
 * false claim (with real, valid citations, so only the quorum can stop it),
 * and answer inconsistently from round to round.
 *
 * @module
 */
import { Data, Effect } from "effect"
import type { Sandbox } from "./Sandbox.ts"

/** What the protocol tells researchers after a round (the SPIRAL context). */
export interface Digest {
  readonly round: number
  /** The claim with the most support last round, with its support and valid citations. */
  readonly leading: { readonly claim: string; readonly support: number; readonly citations: ReadonlyArray<{ readonly path: string; readonly line: number }> } | undefined
  readonly tallies: ReadonlyArray<{ readonly claim: string; readonly support: number }>
}

export interface Task {
  readonly question: string
  readonly round: number
  readonly digest: Digest | undefined
}

/** A researcher's answer as it arrives: untrusted; the protocol decodes it. */
export type RawAnswer = unknown

/** The researcher gave up (no evidence, a refused tool call, ...): an honest failure. */
export class ResearchFailed extends Data.TaggedError("ResearchFailed")<{ readonly researcher: string; readonly reason: string }> {}

export interface Researcher {
  readonly id: string
  /** One round's work; `tools` is a sandbox on the corpus whose audit names this researcher. */
  readonly research: (task: Task, tools: Sandbox) => Effect.Effect<RawAnswer, ResearchFailed>
}

const stopwords = new Set(["the", "and", "for", "what", "which", "who", "whom", "how", "does", "did", "are", "was", "were", "with", "from", "that", "this", "into", "its", "has", "have", "many", "much", "why", "when", "where"])

/** The question's keywords: lower-case words of 3+ letters that are not stopwords, in order, once each. */
export const keywords = (question: string): ReadonlyArray<string> =>
  [...new Set((question.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((w) => w.length >= 3 && !stopwords.has(w)))]

// The sandbox's regex takes no flags: spell each letter as a two-case class.
const anyCase = (word: string): string => [...word].map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c)).join("")

/** A claim as researchers state it, normalised for agreement: trimmed, spaces collapsed, lower case, no final period. */
export const claimKey = (claim: string): string => claim.trim().replace(/\s+/g, " ").replace(/[.!]+$/, "").toLowerCase()

interface Candidate { readonly path: string; readonly line: number; readonly text: string; readonly score: number }

/** Lines matching the most distinct keywords, in (path, line) order. */
const bestLines = (tools: Sandbox, id: string, words: ReadonlyArray<string>): Effect.Effect<ReadonlyArray<Candidate>, ResearchFailed> =>
  Effect.gen(function* () {
    if (words.length === 0) return yield* Effect.fail(new ResearchFailed({ researcher: id, reason: "the question has no keywords" }))
    const grep = yield* tools.grepSearch({ pattern: words.map(anyCase).join("|"), directory: "." }).pipe(
      Effect.mapError((e) => new ResearchFailed({ researcher: id, reason: `grep_search refused: ${e.reason}` })),
    )
    const scored = grep.matches.map((m) => {
      const lower = m.text.toLowerCase()
      return { path: m.path, line: m.line, text: m.text, score: words.filter((w) => lower.includes(w)).length }
    })
    const top = Math.max(0, ...scored.map((c) => c.score))
    return scored.filter((c) => c.score === top && top > 0).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line))
  })

const readLine = (tools: Sandbox, id: string, path: string, line: number): Effect.Effect<string, ResearchFailed> =>
  tools.readFile({ path, start_line: line, end_line: line }).pipe(
    Effect.map((r) => r.output.trim()),
    Effect.mapError((e) => new ResearchFailed({ researcher: id, reason: `read_file refused: ${e.reason}` })),
  )

/** A valid citation of line 1 of the corpus's first file (by name): what the Byzantine answers cite. */
const firstLineCitation = (tools: Sandbox, id: string): Effect.Effect<{ path: string; line: number; quote: string }, ResearchFailed> =>
  Effect.gen(function* () {
    const files = yield* tools.listFiles({ directory: ".", recursive: true }).pipe(
      Effect.mapError((e) => new ResearchFailed({ researcher: id, reason: `list_files refused: ${e.reason}` })),
    )
    const file = files.entries.filter((e) => !e.endsWith("/")).sort()[0]
    if (file === undefined) return yield* Effect.fail(new ResearchFailed({ researcher: id, reason: "empty corpus" }))
    const quote = yield* readLine(tools, id, file, 1)
    return { path: file, line: 1, quote }
  })

/**
 * The built-in honest researcher. Among equally good lines it prefers the
 * previous round's leading claim when that is one of them (SPIRAL), else the
 * `preference`-th (so honest researchers can disagree on an ambiguous corpus).
 */
export const corpusResearcher = (id: string, preference = 0): Researcher => ({
  id,
  research: (task, tools) =>
    Effect.gen(function* () {
      const found = yield* bestLines(tools, id, keywords(task.question))
      if (found.length === 0) return yield* Effect.fail(new ResearchFailed({ researcher: id, reason: "no line of the corpus matches the question" }))
      const leading = task.digest?.leading
      const chosen = (leading !== undefined ? found.find((c) => claimKey(c.text) === claimKey(leading.claim)) : undefined) ?? found[preference % found.length]!
      const text = yield* readLine(tools, id, chosen.path, chosen.line)
      return { claim: text, confidence: chosen.score / Math.max(1, keywords(task.question).length), citations: [{ path: chosen.path, line: chosen.line, quote: text }] }
    }),
})

/** Byzantine behaviours (for tests). */
export const byzantine = {
  /** Never answers (the protocol's timeout must end it). */
  hangs: (id: string): Researcher => ({ id, research: () => Effect.never }),
  /** Throws before producing an effect at all. */
  throws: (id: string): Researcher => ({
    id,
    research: () => {
      throw new Error(`${id} crashed`)
    },
  }),
  /** Dies inside its effect (a defect, not a typed failure). */
  dies: (id: string): Researcher => ({ id, research: () => Effect.die(new Error(`${id} died`)) }),
  /** Answers `claim` with citations to a missing file, a line out of range and a misquote. */
  fabricates: (id: string, claim: string): Researcher => ({
    id,
    research: () =>
      Effect.succeed({
        claim,
        confidence: 1,
        citations: [
          { path: "no/such/file.md", line: 1, quote: claim },
          { path: "README.md", line: 100_000, quote: claim },
        ],
      }),
  }),
  /**
   * Answers the agreed `claim`, citing a real line of the corpus (found with
   * the tools, so the citation is valid): colluders cannot be caught by
   * citation checks, only outvoted.
   */
  colludes: (id: string, claim: string): Researcher => ({
    id,
    research: (_task, tools) => Effect.map(firstLineCitation(tools, id), (c) => ({ claim, confidence: 1, citations: [c] })),
  }),
  /** A different claim every round (validly cited), so it never settles. */
  inconsistent: (id: string): Researcher => ({
    id,
    research: (task, tools) =>
      Effect.map(firstLineCitation(tools, id), (c) => ({ claim: `${id} says answer #${task.round}`, confidence: 0.5, citations: [c] })),
  }),
  /** Not an answer at all (the protocol's decoder must refuse it). */
  garbles: (id: string): Researcher => ({ id, research: () => Effect.succeed({ claim: 42, citations: "none" }) }),
} as const
