import { Effect } from "effect";
import fc from "fast-check";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rename, rm, symlink, truncate, unlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Sandbox, type SandboxOptions } from "../../src/Research/Sandbox.ts";
import { capOutput, globMatch } from "../../src/Research/SandboxArgs.ts";
import type { SandboxRefused } from "../../src/Research/SandboxErrors.ts";

// Every case runs on real files in a fresh temp directory: `ws` is the
// workspace root, `outside` a sibling directory the sandbox must never reach.

let base: string, ws: string, outside: string, sock: Server | undefined;
const secret = "TOP SECRET outside the workspace\n";

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "hydrogen-sandbox-"));
  ws = join(base, "ws");
  outside = join(base, "outside");
  await mkdir(join(ws, "src/deep"), { recursive: true });
  await mkdir(outside);
  await writeFile(join(outside, "secret.txt"), secret);
  await writeFile(join(ws, "notes.md"), "alpha\nbeta quorum\ngamma\nquorum delta\n");
  await writeFile(join(ws, "src/main.ts"), "export const q = 7;\n// quorum of ten\n");
  await symlink(join(outside, "secret.txt"), join(ws, "leak.txt"));
  await symlink(outside, join(ws, "outdir"));
  await symlink("/dev/zero", join(ws, "zero"));
  await symlink("notes.md", join(ws, "alias.md")); // a symlink that stays inside is fine
});
afterAll(async () => {
  await new Promise<void>((done) => (sock ? sock.close(() => done()) : done()));
  await rm(base, { recursive: true, force: true });
});

const make = (o: Partial<SandboxOptions> = {}) => Effect.runPromise(Sandbox.make({ root: ws, ...o }));
const refused = <A>(e: Effect.Effect<A, SandboxRefused>) => Effect.runPromise(Effect.flip(e));
const ok = <A>(e: Effect.Effect<A, SandboxRefused>) => Effect.runPromise(e);

describe("Research sandbox: escapes are refused", () => {
  it("reads a file inside the root, also through a symlink that stays inside", async () => {
    const sb = await make();
    // Output is the requested lines joined by newlines (the final newline ends line 4).
    const all = await ok(sb.readFile({ path: "notes.md" }));
    expect([all.output, all.lines]).toEqual(["alpha\nbeta quorum\ngamma\nquorum delta", 4]);
    expect((await ok(sb.readFile({ path: "./src/../alias.md", start_line: 2, end_line: 2 }))).output).toBe("beta quorum");
  });

  it("refuses an absolute path, naming it", async () => {
    const sb = await make();
    const e = await refused(sb.readFile({ path: "/etc/passwd" }));
    expect([e._tag, e.reason, e.path, e.tool]).toEqual(["SandboxRefused", "absolute", "/etc/passwd", "read_file"]);
    // Even an absolute path that points inside the root: the seed blocks absolute paths.
    expect((await refused(sb.readFile({ path: join(ws, "notes.md") }))).reason).toBe("absolute");
  });

  it("refuses ../ traversal, direct and after descending", async () => {
    const sb = await make();
    for (const p of ["../outside/secret.txt", "../../../etc/passwd", "src/../../outside/secret.txt", "src/deep/../../../x"]) {
      const e = await refused(sb.readFile({ path: p }));
      expect([e.reason, e.path]).toEqual(["traversal", p]);
    }
    expect((await refused(sb.listFiles({ directory: ".." }))).reason).toBe("traversal");
    expect((await refused(sb.grepSearch({ pattern: "SECRET", directory: "src/../.." }))).reason).toBe("traversal");
  });

  it("refuses a symlink pointing out, for files and directories", async () => {
    const sb = await make();
    const e = await refused(sb.readFile({ path: "leak.txt" }));
    expect([e.reason, e.path]).toEqual(["symlink-escape", "leak.txt"]);
    expect((await refused(sb.readFile({ path: "outdir/secret.txt" }))).reason).toBe("symlink-escape");
    expect((await refused(sb.listFiles({ directory: "outdir" }))).reason).toBe("symlink-escape");
  });

  it("refuses /dev/zero through a symlink, and a device file itself as not regular", async () => {
    const sb = await make();
    expect((await refused(sb.readFile({ path: "zero" }))).reason).toBe("symlink-escape");
    const dev = await make({ root: "/dev" });
    const e = await refused(dev.readFile({ path: "zero" }));
    expect(e.reason).toBe("not-regular");
    expect(e.detail).toMatch(/character device/);
  });

  it("refuses a FIFO and a socket without blocking", async () => {
    execFileSync("mkfifo", [join(ws, "pipe")]);
    sock = createServer();
    await new Promise<void>((done) => sock!.listen(join(ws, "sock"), done));
    const sb = await make();
    const f = await refused(sb.readFile({ path: "pipe" }));
    expect([f.reason, f.detail]).toEqual(["not-regular", "is a FIFO"]);
    const s = await refused(sb.readFile({ path: "sock" }));
    expect([s.reason, s.detail]).toEqual(["not-regular", "is a socket"]);
    expect((await refused(sb.readFile({ path: "src" }))).reason).toBe("not-regular");
  });

  it("refuses a huge (sparse) file over the size cap without reading it", async () => {
    await truncate(await writeFile(join(ws, "huge.bin"), "").then(() => join(ws, "huge.bin")), 8 * 1024 ** 3);
    const sb = await make();
    const e = await refused(sb.readFile({ path: "huge.bin" }));
    expect(e.reason).toBe("too-large");
    expect(e.detail).toContain(String(8 * 1024 ** 3));
    expect(sb.audit.at(-1)!.bytes).toBe(0);
    await unlink(join(ws, "huge.bin"));
  });
});

describe("Research sandbox: a swap between check and use is refused", () => {
  it("a symlink to the outside swapped in for the checked file (O_NOFOLLOW)", async () => {
    const target = join(ws, "race1.txt");
    await writeFile(target, "innocent\n");
    const sb = await make({
      beforeOpen: async (real) => {
        if (real !== target) return;
        await unlink(target);
        await symlink(join(outside, "secret.txt"), target);
      },
    });
    const e = await refused(sb.readFile({ path: "race1.txt" }));
    expect(e.reason).toBe("swapped");
    expect(JSON.stringify(e)).not.toContain("TOP SECRET");
    await unlink(target);
  });

  it("another regular file renamed over the checked one (inode differs)", async () => {
    const target = join(ws, "race2.txt");
    await writeFile(target, "checked\n");
    await writeFile(join(ws, "other.txt"), "not the checked file\n");
    const sb = await make({ beforeOpen: (real) => (real === target ? rename(join(ws, "other.txt"), target) : undefined) });
    const e = await refused(sb.readFile({ path: "race2.txt" }));
    expect([e.reason, e.detail]).toEqual(["swapped", "the opened file is not the checked one (different inode)"]);
    await unlink(target);
  });

  it("a FIFO swapped in does not block the open and is refused", async () => {
    const target = join(ws, "race3.txt");
    await writeFile(target, "checked\n");
    const sb = await make({
      beforeOpen: async (real) => {
        if (real !== target) return;
        await unlink(target);
        execFileSync("mkfifo", [target]);
      },
    });
    // The freed inode number may be reused by the FIFO: the type check catches it then.
    expect((await refused(sb.readFile({ path: "race3.txt" }))).reason).toBe("swapped");
    await unlink(target);
  });

  it("a call that runs past its deadline is refused as a timeout", async () => {
    const sb = await make({ timeoutMs: 50, beforeOpen: () => new Promise((done) => setTimeout(done, 400)) });
    const e = await refused(sb.readFile({ path: "notes.md" }));
    expect(e.reason).toBe("timeout");
  });
});

describe("Research sandbox: limits and audit", () => {
  it("cuts output to 2,000 characters and marks the cut", async () => {
    const body = Array.from({ length: 500 }, (_, i) => `line ${i} ${"x".repeat(10)}`).join("\n");
    await writeFile(join(ws, "long.txt"), body);
    const sb = await make();
    const r = await ok(sb.readFile({ path: "long.txt" }));
    expect(body.length).toBeGreaterThan(2000);
    expect(r.truncated).toBe(true);
    expect(r.output.length).toBeLessThanOrEqual(2000);
    expect(r.output).toMatch(new RegExp(`\\[truncated: ${body.length} chars, first shown\\]$`));
    const shown = r.output.slice(0, r.output.indexOf("\n[truncated"));
    expect(body.startsWith(shown)).toBe(true);
    expect(shown.length).toBeGreaterThan(1900);
    const small = await ok(sb.readFile({ path: "notes.md" }));
    expect(small.truncated).toBe(false);
  });

  it("caps list_files at 1,000 results and says so", async () => {
    const many = join(ws, "many");
    await mkdir(many);
    await Promise.all(Array.from({ length: 1005 }, (_, i) => writeFile(join(many, `f${String(i).padStart(4, "0")}.txt`), "")));
    const sb = await make();
    const r = await ok(sb.listFiles({ directory: "many" }));
    expect(r.entries.length).toBe(1000);
    expect(r.entries[0]).toBe("many/f0000.txt");
    expect(r.truncated).toBe(true);
    expect(r.output.length).toBeLessThanOrEqual(2000);
    await rm(many, { recursive: true });
  });

  it("lists with a glob, recursively to at most 5 levels, never following symlinks", async () => {
    // at5.ts is five components deep (listed), at6.ts six (beyond the limit).
    await mkdir(join(ws, "d1/d2/d3/d4/d5"), { recursive: true });
    await writeFile(join(ws, "d1/d2/d3/d4/at5.ts"), "");
    await writeFile(join(ws, "d1/d2/d3/d4/d5/at6.ts"), "");
    const sb = await make();
    const r = await ok(sb.listFiles({ directory: ".", pattern: "*.ts", recursive: true }));
    expect(r.entries).toContain("src/main.ts");
    expect(r.entries).toContain("d1/d2/d3/d4/at5.ts");
    expect(r.entries).not.toContain("d1/d2/d3/d4/d5/at6.ts");
    const top = await ok(sb.listFiles({ directory: "." }));
    expect(top.entries).toContain("outdir"); // listed as an entry, not entered
    expect(top.entries.some((e) => e.startsWith("outdir/"))).toBe(false);
  });

  it("greps inside the root with line numbers, skipping files that point out", async () => {
    const sb = await make();
    const r = await ok(sb.grepSearch({ pattern: "quorum|SECRET", directory: "." }));
    expect(r.matches).toContainEqual({ path: "notes.md", line: 2, text: "beta quorum" });
    expect(r.matches).toContainEqual({ path: "src/main.ts", line: 2, text: "// quorum of ten" });
    expect(r.matches.some((m) => m.text.includes("SECRET"))).toBe(false);
    expect(r.skipped).toContainEqual({ path: "leak.txt", reason: "symlink-escape" });
    expect(r.skipped).toContainEqual({ path: "zero", reason: "symlink-escape" });
  });

  it("caps grep results and refuses bad patterns and catastrophic regexes", async () => {
    await writeFile(join(ws, "rep.txt"), "hit\n".repeat(30) + "a".repeat(40) + "!\n");
    const sb = await make({ maxResults: 10 }); // the default 1 s regex budget
    const r = await ok(sb.grepSearch({ pattern: "^hit$", directory: ".", file_pattern: "rep.txt" }));
    expect(r.matches.length).toBe(10);
    expect(r.truncated).toBe(true);
    expect((await refused(sb.grepSearch({ pattern: "(", directory: "." }))).reason).toBe("bad-pattern");
    const slow = await refused(sb.grepSearch({ pattern: "^(a+)+$", directory: ".", file_pattern: "rep.txt" }));
    expect([slow.reason, slow.path]).toEqual(["timeout", "rep.txt"]);
    await unlink(join(ws, "rep.txt"));
  });

  it("decodes arguments and names the bad field", async () => {
    const sb = await make();
    const e = await refused(sb.readFile({ path: 3 }));
    expect([e.reason, e.path]).toEqual(["bad-argument", "path"]);
    expect((await refused(sb.readFile({ path: "notes.md", start_line: 0 }))).detail).toMatch(/^start_line/);
    expect((await refused(sb.listFiles({ recursive: "yes" }))).path).toBe("recursive");
    expect((await refused(sb.readFile("notes.md"))).path).toBe("arguments");
  });

  it("refuses limits above the seed's ceilings", async () => {
    for (const [k, v] of [["timeoutMs", 15_001], ["maxOutputChars", 2_001], ["maxResults", 1_001], ["maxDepth", 6]] as const) {
      const e = await Effect.runPromise(Effect.flip(Sandbox.make({ root: ws, [k]: v })));
      expect([e._tag, e.field]).toEqual(["SandboxConfigError", k]);
    }
    expect((await Effect.runPromise(Effect.flip(Sandbox.make({ root: join(base, "nope") })))).field).toBe("root");
  });

  it("records every call, accepted or refused, in memory and as JSON lines", async () => {
    const auditFile = join(base, "audit.jsonl");
    const sb = await make({ auditFile, researcher: "r3" });
    await ok(sb.readFile({ path: "notes.md" }));
    await refused(sb.readFile({ path: "leak.txt" }));
    await ok(sb.listFiles({ directory: "src" }));
    await ok(sb.grepSearch({ pattern: "q =", directory: "src" }));
    expect(sb.audit.map((a) => [a.tool, a.outcome])).toEqual([
      ["read_file", "ok"], ["read_file", "symlink-escape"], ["list_files", "ok"], ["grep_search", "ok"],
    ]);
    expect(sb.audit[0]!.bytes).toBe(Buffer.byteLength("alpha\nbeta quorum\ngamma\nquorum delta\n"));
    expect(sb.audit[0]!.args).toEqual({ path: "notes.md" });
    expect(sb.audit[1]!.bytes).toBe(0);
    expect(sb.audit[3]!.bytes).toBe(Buffer.byteLength("export const q = 7;\n// quorum of ten\n"));
    for (const a of sb.audit) expect(a.researcher).toBe("r3");
    const lines = (await readFile(auditFile, "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual(JSON.parse(JSON.stringify(sb.audit)));
  });
});

describe("Research sandbox: glob and output cap", () => {
  it("globMatch agrees with an anchored regex built from the glob (* any run, ? one char)", () => {
    const ch = fc.constantFrom("a", "b", ".", "*", "?");
    fc.assert(fc.property(fc.array(ch, { maxLength: 7 }).map((x) => x.join("")), fc.array(fc.constantFrom("a", "b", ".", "*"), { maxLength: 8 }).map((x) => x.join("")), (g, name) => {
      const re = new RegExp("^" + [...g].map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.*?]/, "\\$&"))).join("") + "$", "s");
      expect(globMatch(g, name)).toBe(re.test(name));
    }), { numRuns: 2000 });
  });

  it("capOutput keeps short text, and cuts long text to the limit without splitting a surrogate pair", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), fc.integer({ min: 60, max: 200 }), (t, max) => {
      const r = capOutput(t, max);
      expect(r.text.length).toBeLessThanOrEqual(max);
      expect(r.truncated).toBe(t.length > max);
      if (!r.truncated) expect(r.text).toBe(t);
      else {
        const shown = r.text.slice(0, r.text.indexOf("\n[truncated"));
        expect(t.startsWith(shown)).toBe(true);
        expect(/[\ud800-\udbff]$/.test(shown)).toBe(false);
      }
    }));
  });
});
