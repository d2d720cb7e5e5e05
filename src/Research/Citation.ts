/**
 * Citation validation (seed 004): `valid(c) ≡ exists ∧ readable ∧ line in
 * range ∧ content matches`, checked against real files through the sandbox
 * (so a citation cannot make the validator read outside the workspace), and
 * the per-researcher hallucination rate with the seed's flag at `> 0.2`.
 *
 * The decision itself is `Path.valid` (mirrored from Lean) over what the
 * sandbox saw; this module only gathers that view and names the first
 * failing conjunct.
 *
 * @module
 */
import { Effect } from "effect";
import { contentMatches, flagged, valid, type FileModel } from "./Path.ts";
import type { Sandbox } from "./Sandbox.ts";

/** A citation as a researcher states it: file (workspace-relative), 1-based line, quoted content. */
export interface Citation {
  readonly path: string;
  readonly line: number;
  readonly quote: string;
}

export type Verdict =
  | "valid"
  | "malformed" // not a {path, line, quote} record
  | "missing" // ¬exists
  | "unreadable" // refused by the sandbox: escape, device, too large, ...
  | "line-out-of-range"
  | "content-mismatch";

export interface CitationCheck {
  readonly citation: unknown;
  readonly verdict: Verdict;
  /** The sandbox's reason when it refused the file. */
  readonly detail?: string;
}

/** Decodes an untrusted citation; `undefined` when it is not one. */
export const decodeCitation = (c: unknown): Citation | undefined => {
  if (typeof c !== "object" || c === null) return undefined;
  const r = c as Record<string, unknown>;
  return typeof r.path === "string" && r.path !== "" && typeof r.line === "number" && Number.isSafeInteger(r.line) && typeof r.quote === "string"
    ? { path: r.path, line: r.line, quote: r.quote }
    : undefined;
};

/** Validates one citation on the real file (never fails: a bad citation is a verdict). */
export const validateCitation = (sandbox: Sandbox, raw: unknown): Effect.Effect<CitationCheck> => {
  const c = decodeCitation(raw);
  if (c === undefined) return Effect.succeed({ citation: raw, verdict: "malformed" });
  const at = c.line >= 1 ? c.line : 1;
  return sandbox.readFile({ path: c.path, start_line: at, end_line: at }).pipe(
    Effect.map((r): CitationCheck => {
      // The sandbox returned the cited line only; the model holds it at its index.
      const lines = Array.from({ length: r.lines }, (_, i) => (i === at - 1 ? r.output : ""));
      const file: FileModel = { present: true, readable: true, lines };
      if (valid(contentMatches, file, c)) return { citation: c, verdict: "valid" };
      const inRange = c.line >= 1 && c.line <= r.lines;
      return { citation: c, verdict: inRange ? "content-mismatch" : "line-out-of-range" };
    }),
    Effect.catchTag("SandboxRefused", (e) =>
      Effect.succeed<CitationCheck>({ citation: c, verdict: e.reason === "not-found" ? "missing" : "unreadable", detail: `${e.reason}: ${e.detail}` })),
  );
};

export interface ResearcherRate {
  readonly researcher: string;
  readonly total: number;
  readonly hallucinated: number;
  /** `hallucinated / total` (0 with no citations). */
  readonly rate: number;
  /** The seed's flag: rate > 0.2, decided on counts (`Path.flagged`). */
  readonly flagged: boolean;
}

/** Per-researcher hallucination rates over checked citations. */
export const hallucinationRates = (
  checks: ReadonlyArray<{ readonly researcher: string; readonly check: CitationCheck }>,
): ResearcherRate[] => {
  const by = new Map<string, { total: number; bad: number }>();
  for (const { researcher, check } of checks) {
    const s = by.get(researcher) ?? { total: 0, bad: 0 };
    s.total++;
    if (check.verdict !== "valid") s.bad++;
    by.set(researcher, s);
  }
  return [...by].map(([researcher, s]) => ({
    researcher, total: s.total, hallucinated: s.bad,
    rate: s.total === 0 ? 0 : s.bad / s.total,
    flagged: flagged(s.bad, s.total),
  }));
};

/** Checks every researcher's citations and returns the checks and the rates. */
export const auditCitations = (
  sandbox: Sandbox,
  byResearcher: ReadonlyArray<{ readonly researcher: string; readonly citations: ReadonlyArray<unknown> }>,
): Effect.Effect<{ readonly checks: ReadonlyArray<{ readonly researcher: string; readonly check: CitationCheck }>; readonly rates: ResearcherRate[] }> =>
  Effect.gen(function* () {
    const checks: { researcher: string; check: CitationCheck }[] = [];
    for (const { researcher, citations } of byResearcher) {
      for (const c of citations) checks.push({ researcher, check: yield* validateCitation(sandbox, c) });
    }
    return { checks, rates: hallucinationRates(checks) };
  });
