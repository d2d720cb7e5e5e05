/**
 * Decoders for the three tools' arguments. Tool arguments come from
 * researchers (an LLM could write them), so they are untrusted input: each
 * field is checked and a bad one is refused naming the field.
 *
 * @module
 */
import { SandboxRefused, type Tool } from "./SandboxErrors.ts";

export interface ReadFileArgs { readonly path: string; readonly startLine: number; readonly endLine: number | undefined }
export interface GrepArgs { readonly pattern: string; readonly directory: string; readonly filePattern: string }
export interface ListArgs { readonly directory: string; readonly pattern: string; readonly recursive: boolean }

const bad = (tool: Tool, field: string, detail: string) =>
  new SandboxRefused({ tool, path: field, reason: "bad-argument", detail: `${field}: ${detail}` });

const record = (tool: Tool, args: unknown): Record<string, unknown> => {
  if (typeof args !== "object" || args === null || Array.isArray(args)) throw bad(tool, "arguments", "expected an object");
  return args as Record<string, unknown>;
};

const str = (tool: Tool, a: Record<string, unknown>, field: string, fallback?: string): string => {
  const v = a[field] ?? fallback;
  if (typeof v !== "string") throw bad(tool, field, `expected a string, got ${v === undefined ? "nothing" : typeof v}`);
  if (v === "") throw bad(tool, field, "is empty");
  if (v.includes("\0")) throw bad(tool, field, "contains a NUL byte");
  if (v.length > 4096) throw bad(tool, field, `longer than 4096 characters (${v.length})`);
  return v;
};

const line = (tool: Tool, a: Record<string, unknown>, field: string): number | undefined => {
  const v = a[field];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) throw bad(tool, field, `expected an integer ≥ 1, got ${String(v)}`);
  return v;
};

export const decodeReadFile = (args: unknown): ReadFileArgs => {
  const a = record("read_file", args);
  const path = str("read_file", a, "path");
  const startLine = line("read_file", a, "start_line") ?? 1;
  const endLine = line("read_file", a, "end_line");
  if (endLine !== undefined && endLine < startLine) throw bad("read_file", "end_line", `${endLine} is before start_line ${startLine}`);
  return { path, startLine, endLine };
};

export const decodeGrep = (args: unknown): GrepArgs => {
  const a = record("grep_search", args);
  return { pattern: str("grep_search", a, "pattern"), directory: str("grep_search", a, "directory", "."), filePattern: str("grep_search", a, "file_pattern", "*") };
};

export const decodeList = (args: unknown): ListArgs => {
  const a = record("list_files", args);
  const recursive = a.recursive ?? false;
  if (typeof recursive !== "boolean") throw bad("list_files", "recursive", `expected a boolean, got ${typeof recursive}`);
  return { directory: str("list_files", a, "directory", "."), pattern: str("list_files", a, "pattern", "*"), recursive };
};

/** A glob over one name: `*` any run, `?` one character, everything else literal. */
export const globMatch = (glob: string, name: string): boolean => {
  // Iterative matcher with one backtrack point: linear-ish, no regex (no ReDoS).
  let g = 0, n = 0, starG = -1, starN = 0;
  while (n < name.length) {
    if (g < glob.length && glob[g] === "*") { starG = g++; starN = n; }
    else if (g < glob.length && (glob[g] === "?" || glob[g] === name[n])) { g++; n++; }
    else if (starG >= 0) { g = starG + 1; n = ++starN; }
    else return false;
  }
  while (g < glob.length && glob[g] === "*") g++;
  return g === glob.length;
};

/** Cut `text` to at most `max` characters, marking the cut inside the limit. */
export const capOutput = (text: string, max: number): { readonly text: string; readonly truncated: boolean } => {
  if (text.length <= max) return { text, truncated: false };
  const marker = `\n[truncated: ${text.length} chars, first shown]`;
  let keep = Math.max(0, max - marker.length);
  // Do not leave half of a surrogate pair at the cut.
  const code = text.charCodeAt(keep - 1);
  if (keep > 0 && code >= 0xd800 && code <= 0xdbff) keep--;
  return { text: (text.slice(0, keep) + marker).slice(0, max), truncated: true };
};
