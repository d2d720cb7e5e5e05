/**
 * The seed's sandboxed tools (read_file, grep_search, list_files) over a real
 * workspace root.
 *
 * A path is first resolved lexically (`Path.resolve`, proved in Lean never to
 * leave the root), then by the file system: its real path must still be inside
 * the real root (a symlink pointing out is refused), and a file is opened with
 * O_NOFOLLOW | O_NONBLOCK and its (dev, inode) compared with the one checked,
 * so a file or symlink swapped in between check and use is refused too.
 * Devices, FIFOs, sockets and files over the size cap are refused. Calls time
 * out (≤ 15 s), outputs are cut to ≤ 2,000 characters with a marker, results
 * to ≤ 1,000, and every call leaves an audit record.
 *
 * @module
 */
import { Effect } from "effect";
import { constants, type Stats } from "node:fs";
import { appendFile, lstat, open, readdir, realpath, stat } from "node:fs/promises";
import { join, sep } from "node:path";
import { components, refusal, resolve } from "./Path.ts";
import { capOutput, decodeGrep, decodeList, decodeReadFile, globMatch } from "./SandboxArgs.ts";
import { SandboxConfigError, SandboxRefused, type Reason, type Tool } from "./SandboxErrors.ts";
import { RegexRunner } from "./SandboxRegex.ts";

export { SandboxConfigError, SandboxRefused };

/** The seed's ceilings (Invariant 2 and the tool schema). */
export const LIMITS = { timeoutMs: 15_000, maxOutputChars: 2_000, maxResults: 1_000, maxDepth: 5, regexTimeoutMs: 1_000 } as const;

export interface SandboxOptions {
  readonly root: string;
  readonly timeoutMs?: number;
  readonly maxOutputChars?: number;
  readonly maxResults?: number;
  readonly maxDepth?: number;
  readonly regexTimeoutMs?: number;
  /** Files larger than this are refused (default 1 MiB). */
  readonly maxFileBytes?: number;
  /** When set, every audit record is also appended to this file as a JSON line. */
  readonly auditFile?: string;
  readonly researcher?: string;
  /** Tests only: runs between the check and the open, to stage a swap deterministically. */
  readonly beforeOpen?: (realPath: string) => Promise<void> | void;
}

export interface AuditRecord {
  readonly tool: Tool;
  readonly args: unknown;
  readonly outcome: "ok" | Reason;
  /** Bytes read from files by this call. */
  readonly bytes: number;
  readonly outputChars: number;
  readonly durationMs: number;
  readonly researcher: string | undefined;
  readonly at: string;
}

export interface ReadResult { readonly path: string; readonly output: string; readonly truncated: boolean; readonly lines: number; readonly bytes: number }
export interface ListResult { readonly entries: ReadonlyArray<string>; readonly output: string; readonly truncated: boolean }
export interface GrepMatch { readonly path: string; readonly line: number; readonly text: string }
export interface GrepResult {
  readonly matches: ReadonlyArray<GrepMatch>; readonly output: string; readonly truncated: boolean
  /** Files passed over, with the reason (symlinks out, devices, too large, ...). */
  readonly skipped: ReadonlyArray<{ readonly path: string; readonly reason: Reason }>
}

interface Call { readonly bytes: number; readonly signal: AbortSignal }
type Cfg = Required<Omit<SandboxOptions, "auditFile" | "researcher" | "beforeOpen">> & SandboxOptions;

const kind = (s: Stats): string =>
  s.isDirectory() ? "a directory" : s.isCharacterDevice() ? "a character device" : s.isBlockDevice() ? "a block device"
  : s.isFIFO() ? "a FIFO" : s.isSocket() ? "a socket" : s.isSymbolicLink() ? "a symlink" : "not a regular file";

const errno = (e: unknown): string => (e as NodeJS.ErrnoException)?.code ?? "";

export class Sandbox {
  readonly #audit: AuditRecord[] = [];
  readonly realRoot: string;
  private readonly cfg: Cfg;
  private constructor(realRoot: string, cfg: Cfg) {
    this.realRoot = realRoot;
    this.cfg = cfg;
  }

  /** Opens a sandbox on an existing directory; limits above the seed's ceilings are refused. */
  static make(options: SandboxOptions): Effect.Effect<Sandbox, SandboxConfigError> {
    return Effect.tryPromise({
      try: async () => {
        const cfg: Cfg = { maxFileBytes: 1 << 20, ...LIMITS, ...options };
        for (const k of Object.keys(LIMITS) as (keyof typeof LIMITS)[]) {
          const v = cfg[k];
          if (!Number.isSafeInteger(v) || v < 1 || v > LIMITS[k]) throw new SandboxConfigError({ field: k, detail: `${v} is not an integer in [1, ${LIMITS[k]}]` });
        }
        if (!Number.isSafeInteger(cfg.maxFileBytes) || cfg.maxFileBytes < 1) throw new SandboxConfigError({ field: "maxFileBytes", detail: `${cfg.maxFileBytes} is not a positive integer` });
        let real: string;
        try { real = await realpath(options.root); } catch (e) { throw new SandboxConfigError({ field: "root", detail: `${options.root}: ${errno(e) || String(e)}` }); }
        if (!(await stat(real)).isDirectory()) throw new SandboxConfigError({ field: "root", detail: `${options.root} is not a directory` });
        return new Sandbox(real, cfg);
      },
      catch: (e) => (e instanceof SandboxConfigError ? e : new SandboxConfigError({ field: "root", detail: String(e) })),
    });
  }

  /** Every call so far, oldest first. */
  get audit(): ReadonlyArray<AuditRecord> { return this.#audit; }

  readFile(args: unknown): Effect.Effect<ReadResult, SandboxRefused> {
    return this.#call("read_file", args, async (call) => {
      const a = decodeReadFile(args);
      const { rel, text } = await this.#readChecked("read_file", a.path, call);
      // A final newline ends the last line; it does not start another (an empty file has no lines).
      const lines = text.split("\n");
      if (lines.at(-1) === "") lines.pop();
      const body = lines.slice(a.startLine - 1, a.endLine ?? lines.length).join("\n");
      const out = capOutput(body, this.cfg.maxOutputChars);
      return { path: rel, output: out.text, truncated: out.truncated, lines: lines.length, bytes: Buffer.byteLength(text) };
    });
  }

  listFiles(args: unknown): Effect.Effect<ListResult, SandboxRefused> {
    return this.#call("list_files", args, async (call) => {
      const a = decodeList(args);
      const entries: string[] = [];
      let more = false;
      await this.#walk("list_files", a.directory, a.recursive ? this.cfg.maxDepth : 1, call, (rel, isDir, name) => {
        if (!globMatch(a.pattern, name)) return true;
        if (entries.length >= this.cfg.maxResults) { more = true; return false; }
        entries.push(isDir ? `${rel}/` : rel);
        return true;
      });
      const out = capOutput(entries.join("\n") + (more ? `\n[results capped at ${this.cfg.maxResults}]` : ""), this.cfg.maxOutputChars);
      return { entries, output: out.text, truncated: out.truncated || more };
    });
  }

  grepSearch(args: unknown): Effect.Effect<GrepResult, SandboxRefused> {
    return this.#call("grep_search", args, async (call) => {
      const a = decodeGrep(args);
      try { new RegExp(a.pattern); } catch (e) {
        throw new SandboxRefused({ tool: "grep_search", path: a.pattern, reason: "bad-pattern", detail: (e as Error).message });
      }
      const files: string[] = [];
      await this.#walk("grep_search", a.directory, this.cfg.maxDepth, call, (rel, isDir, name) => {
        if (!isDir && globMatch(a.filePattern, name)) files.push(rel);
        return true;
      });
      const matches: GrepMatch[] = [];
      const skipped: { path: string; reason: Reason }[] = [];
      let more = false;
      const regex = new RegexRunner(a.pattern, this.cfg.regexTimeoutMs);
      try {
        for (const rel of files) {
          if (matches.length >= this.cfg.maxResults) { more = true; break; }
          let text: string;
          try { text = (await this.#readChecked("grep_search", rel, call)).text; } catch (e) {
            if (e instanceof SandboxRefused && e.reason !== "timeout") { skipped.push({ path: rel, reason: e.reason }); continue; }
            throw e;
          }
          const found = await regex.scan(text, this.cfg.maxResults - matches.length + 1, call.signal).catch((e: Error) => {
            throw new SandboxRefused({ tool: "grep_search", path: rel, reason: "timeout", detail: e.message });
          });
          for (const [line, t] of found) {
            if (matches.length >= this.cfg.maxResults) { more = true; break; }
            matches.push({ path: rel, line, text: t });
          }
        }
      } finally { regex.close(); }
      const listing = matches.map((m) => `${m.path}:${m.line}: ${m.text}`).join("\n") + (more ? `\n[results capped at ${this.cfg.maxResults}]` : "");
      const out = capOutput(listing, this.cfg.maxOutputChars);
      return { matches, output: out.text, truncated: out.truncated || more, skipped };
    });
  }

  /** Runs one tool call under the deadline and records it, whatever the outcome. */
  #call<A extends { readonly output: string }>(tool: Tool, args: unknown, body: (call: { bytes: number; signal: AbortSignal }) => Promise<A>): Effect.Effect<A, SandboxRefused> {
    return Effect.tryPromise({
      try: async () => {
        const started = performance.now();
        const ctl = new AbortController();
        const call = { bytes: 0, signal: ctl.signal };
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            ctl.abort();
            reject(new SandboxRefused({ tool, path: pathOf(args), reason: "timeout", detail: `call ran over ${this.cfg.timeoutMs} ms` }));
          }, this.cfg.timeoutMs);
        });
        let outcome: "ok" | Reason = "ok";
        let outputChars = 0;
        try {
          const r = await Promise.race([body(call), deadline]);
          outputChars = r.output.length;
          return r;
        } catch (e) {
          const err = e instanceof SandboxRefused ? e : new SandboxRefused({ tool, path: pathOf(args), reason: "unreadable", detail: String(e) });
          outcome = err.reason;
          throw err;
        } finally {
          clearTimeout(timer);
          ctl.abort();
          await this.#record({ tool, args, outcome, bytes: call.bytes, outputChars, durationMs: performance.now() - started, researcher: this.cfg.researcher, at: new Date().toISOString() });
        }
      },
      catch: (e) => (e instanceof SandboxRefused ? e : new SandboxRefused({ tool, path: pathOf(args), reason: "unreadable", detail: String(e) })),
    });
  }

  async #record(r: AuditRecord): Promise<void> {
    this.#audit.push(r);
    if (this.cfg.auditFile !== undefined) await appendFile(this.cfg.auditFile, JSON.stringify(r) + "\n");
  }

  /** Lexical resolution, then the real path must stay inside the real root. */
  async #locate(tool: Tool, given: string): Promise<{ real: string; rel: string; st: Stats }> {
    const comps = components(given);
    const rel = resolve([], comps);
    if (rel === undefined) {
      const why = refusal(comps);
      throw new SandboxRefused({ tool, path: given, reason: why, detail: why === "absolute" ? "absolute paths are not allowed" : "climbs above the workspace root" });
    }
    let real: string;
    try { real = await realpath(join(this.realRoot, ...rel)); } catch (e) {
      const code = errno(e);
      throw new SandboxRefused({ tool, path: given, reason: code === "ENOENT" || code === "ENOTDIR" ? "not-found" : "unreadable", detail: code || String(e) });
    }
    if (real !== this.realRoot && !real.startsWith(this.realRoot + sep)) {
      throw new SandboxRefused({ tool, path: given, reason: "symlink-escape", detail: `resolves outside the workspace root` });
    }
    return { real, rel: rel.join("/"), st: await stat(real) };
  }

  /** Check, open without following links, and make sure the opened file is the checked one. */
  async #readChecked(tool: Tool, given: string, call: Call & { bytes: number }): Promise<{ rel: string; text: string }> {
    const { real, rel, st } = await this.#locate(tool, given);
    const refuse = (reason: Reason, detail: string) => new SandboxRefused({ tool, path: given, reason, detail });
    if (!st.isFile()) throw refuse("not-regular", `is ${kind(st)}`);
    if (st.size > this.cfg.maxFileBytes) throw refuse("too-large", `${st.size} bytes, at most ${this.cfg.maxFileBytes}`);
    await this.cfg.beforeOpen?.(real);
    let fh;
    try { fh = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK); } catch (e) {
      const code = errno(e);
      if (code === "ELOOP" || code === "ENOENT") throw refuse("swapped", `${code}: the checked file was replaced before it was opened`);
      throw refuse("unreadable", code || String(e));
    }
    try {
      const fst = await fh.stat();
      if (fst.dev !== st.dev || fst.ino !== st.ino) throw refuse("swapped", "the opened file is not the checked one (different inode)");
      // A freed inode number can be reused at once: a different type is a swap too.
      if (fst.mode !== st.mode) throw refuse("swapped", `the opened file is not the checked one (now ${kind(fst)})`);
      if (!fst.isFile()) throw refuse("not-regular", `is ${kind(fst)}`);
      // Read at most cap + 1 bytes: a file that grew past the cap is refused, not cut.
      const buf = Buffer.alloc(Math.min(fst.size, this.cfg.maxFileBytes) + 1);
      let n = 0;
      for (;;) {
        if (call.signal.aborted) throw refuse("timeout", "call deadline passed while reading");
        const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
        if (bytesRead === 0) break;
        n += bytesRead;
        if (n === buf.length) {
          if (n > this.cfg.maxFileBytes) throw refuse("too-large", `grew past ${this.cfg.maxFileBytes} bytes while read`);
          break;
        }
      }
      call.bytes += n;
      return { rel, text: buf.subarray(0, n).toString("utf8") };
    } finally { await fh.close(); }
  }

  /**
   * Visits a directory's entries breadth-first to `depth` levels; symlinks are
   * listed but never followed. `visit` returns false to stop.
   */
  async #walk(tool: Tool, dir: string, depth: number, call: Call, visit: (rel: string, isDir: boolean, name: string) => boolean): Promise<void> {
    const { real, rel, st } = await this.#locate(tool, dir);
    if (!st.isDirectory()) throw new SandboxRefused({ tool, path: dir, reason: "not-directory", detail: `is ${kind(st)}` });
    let level: { real: string; rel: string; st: Stats }[] = [{ real, rel, st }];
    for (let d = 0; d < depth && level.length > 0; d++) {
      const next: typeof level = [];
      for (const at of level) {
        if (call.signal.aborted) throw new SandboxRefused({ tool, path: dir, reason: "timeout", detail: "call deadline passed while listing" });
        const ents = await readdir(at.real, { withFileTypes: true });
        // The directory read must be the one checked (not a symlink swapped in).
        const now = await lstat(at.real);
        if (now.dev !== at.st.dev || now.ino !== at.st.ino) throw new SandboxRefused({ tool, path: at.rel || ".", reason: "swapped", detail: "directory replaced while listed" });
        ents.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
        for (const e of ents) {
          const r = at.rel === "" ? e.name : `${at.rel}/${e.name}`;
          const isDir = e.isDirectory();
          if (!visit(r, isDir, e.name)) return;
          if (isDir) next.push({ real: join(at.real, e.name), rel: r, st: await lstat(join(at.real, e.name)) });
        }
      }
      level = next;
    }
  }
}

const pathOf = (args: unknown): string => {
  if (typeof args !== "object" || args === null) return "";
  const a = args as Record<string, unknown>;
  const v = a.path ?? a.directory ?? a.pattern;
  return typeof v === "string" ? v : "";
};
