import { Effect } from "effect";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditCitations, hallucinationRates, validateCitation, type CitationCheck } from "../../src/Research/Citation.ts";
import { Sandbox } from "../../src/Research/Sandbox.ts";

// Citations are checked against real files in a temp workspace; the expected
// verdicts follow from the file contents written here.

let base: string, ws: string, sb: Sandbox;
const quorumTs = ["// quorum arithmetic", "export const n = 10;", "export const f = 3;", "export const q = n - f; // 7"].join("\n") + "\n";

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "hydrogen-citation-"));
  ws = join(base, "ws");
  await mkdir(join(ws, "src"), { recursive: true });
  await writeFile(join(ws, "src/quorum.ts"), quorumTs);
  await writeFile(join(base, "secret.txt"), "n = 10\n");
  await symlink(join(base, "secret.txt"), join(ws, "link.txt"));
  await writeFile(join(ws, "empty.txt"), "");
  sb = await Effect.runPromise(Sandbox.make({ root: ws }));
});
afterAll(() => rm(base, { recursive: true, force: true }));

const check = (c: unknown) => Effect.runPromise(validateCitation(sb, c)).then((r) => r.verdict);

describe("Research citation validation on real files", () => {
  it("accepts a citation whose line holds the quoted content", async () => {
    expect(await check({ path: "src/quorum.ts", line: 4, quote: "q = n - f" })).toBe("valid");
    expect(await check({ path: "./src/quorum.ts", line: 1, quote: "  quorum arithmetic " })).toBe("valid");
  });

  it("rejects each failing conjunct with its own verdict", async () => {
    expect(await check({ path: "src/missing.ts", line: 1, quote: "x" })).toBe("missing");
    expect(await check({ path: "src/quorum.ts", line: 0, quote: "quorum" })).toBe("line-out-of-range");
    expect(await check({ path: "src/quorum.ts", line: 5, quote: "" })).toBe("line-out-of-range"); // after the final newline
    expect(await check({ path: "src/quorum.ts", line: 6, quote: "quorum" })).toBe("line-out-of-range");
    expect(await check({ path: "src/quorum.ts", line: 2, quote: "n = 11" })).toBe("content-mismatch");
    // Right content, wrong line: a citation names a line, not a file.
    expect(await check({ path: "src/quorum.ts", line: 3, quote: "q = n - f" })).toBe("content-mismatch");
    expect(await check({ path: "src/quorum.ts", line: 2, quote: "   " })).toBe("content-mismatch");
    expect(await check({ path: "empty.txt", line: 1, quote: "" })).toBe("line-out-of-range");
  });

  it("never reads outside the workspace to validate", async () => {
    // The secret file does contain "n = 10" on line 1; the citation must still fail.
    const r = await Effect.runPromise(validateCitation(sb, { path: "link.txt", line: 1, quote: "n = 10" }));
    expect([r.verdict, r.detail?.split(":")[0]]).toEqual(["unreadable", "symlink-escape"]);
    expect(await check({ path: "../secret.txt", line: 1, quote: "n = 10" })).toBe("unreadable");
    expect(await check({ path: join(base, "secret.txt"), line: 1, quote: "n = 10" })).toBe("unreadable");
  });

  it("treats a record that is not a citation as malformed", async () => {
    for (const bad of [null, "src/quorum.ts:4", { path: "src/quorum.ts", line: "4", quote: "q" }, { path: "", line: 1, quote: "q" }, { path: "a", line: 1.5, quote: "q" }]) {
      expect(await check(bad)).toBe("malformed");
    }
  });
});

describe("Research hallucination rates", () => {
  const c = (verdict: CitationCheck["verdict"]): CitationCheck => ({ citation: {}, verdict });

  it("rate is hallucinated / total; flagged strictly above 0.2", () => {
    const rows = [
      ...["valid", "valid", "valid", "valid", "missing"].map((v) => ({ researcher: "r1", check: c(v as CitationCheck["verdict"]) })),
      ...["valid", "valid", "content-mismatch", "line-out-of-range"].map((v) => ({ researcher: "r2", check: c(v as CitationCheck["verdict"]) })),
      { researcher: "r3", check: c("valid") },
    ];
    expect(hallucinationRates(rows)).toEqual([
      { researcher: "r1", total: 5, hallucinated: 1, rate: 0.2, flagged: false },
      { researcher: "r2", total: 4, hallucinated: 2, rate: 0.5, flagged: true },
      { researcher: "r3", total: 1, hallucinated: 0, rate: 0, flagged: false },
    ]);
  });

  it("audits researchers' citations end to end on the real workspace", async () => {
    const { rates, checks } = await Effect.runPromise(auditCitations(sb, [
      { researcher: "honest", citations: [{ path: "src/quorum.ts", line: 2, quote: "n = 10" }, { path: "src/quorum.ts", line: 3, quote: "f = 3" }] },
      { researcher: "fabricator", citations: [{ path: "src/quorum.ts", line: 2, quote: "n = 10" }, { path: "src/byzantine.ts", line: 9, quote: "q = 8" }, { path: "src/quorum.ts", line: 40, quote: "q" }] },
    ]));
    expect(checks.map((x) => x.check.verdict)).toEqual(["valid", "valid", "valid", "missing", "line-out-of-range"]);
    expect(rates.map((r) => [r.researcher, r.hallucinated, r.total, r.flagged])).toEqual([["honest", 0, 2, false], ["fabricator", 2, 3, true]]);
    // Every validation went through the sandbox and left an audit record.
    expect(sb.audit.filter((a) => a.tool === "read_file").length).toBeGreaterThanOrEqual(5);
  });
});
