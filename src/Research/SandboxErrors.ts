/**
 * Why a sandboxed tool call is refused. Every refusal names the tool, the path
 * (or argument) as given, and one reason from a closed list, so callers (and
 * the audit trail) can tell an escape attempt from a missing file.
 *
 * @module
 */
import { Data } from "effect";

export type Tool = "read_file" | "grep_search" | "list_files";

export type Reason =
  | "absolute" // an absolute path; the seed blocks them outright
  | "traversal" // `..` climbing above the workspace root
  | "symlink-escape" // resolves (through a symlink) outside the root
  | "swapped" // what was opened is not what was checked (a race)
  | "not-found"
  | "not-regular" // a device, FIFO, socket or directory where a file was expected
  | "not-directory"
  | "too-large" // over the sandbox's file-size cap
  | "unreadable"
  | "bad-argument" // argument missing, of the wrong type or out of range
  | "bad-pattern" // regex that does not compile
  | "timeout";

/** A refused tool call. */
export class SandboxRefused extends Data.TaggedError("SandboxRefused")<{
  readonly tool: Tool;
  readonly path: string;
  readonly reason: Reason;
  readonly detail: string;
}> {
  override get message(): string {
    return `${this.tool}: ${JSON.stringify(this.path)} refused (${this.reason}): ${this.detail}`;
  }
}

/** The sandbox's own configuration is invalid (limits over the seed's ceilings, bad root). */
export class SandboxConfigError extends Data.TaggedError("SandboxConfigError")<{
  readonly field: string;
  readonly detail: string;
}> {
  override get message(): string {
    return `sandbox config: ${this.field}: ${this.detail}`;
  }
}
