// One way to run the npm Lean: node lean.cjs ARGS in a working directory, with
// the standard library and the build directory on LEAN_PATH and the
// repository mounted into the wasm file system.
//
// Output goes to a file, not a pipe: the wasm runtime writes stdout with
// synchronous writes, and on a pipe that the parent does not drain fast
// enough they fail (EAGAIN) and Lean dies mid-output with exit code 1 — seen
// as the axiom checker "crashing" after a few hundred lines.
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function runLeanProcess(o: {
  readonly leanJs: string;
  readonly args: ReadonlyArray<string>;
  readonly cwd: string;
  readonly libDir: string;
  readonly buildDir: string;
  readonly mounts: string;
}): Promise<{ readonly code: number | null; readonly text: string }> {
  const dir = mkdtempSync(join(tmpdir(), "hydrogen-lean-"));
  const file = join(dir, "out.txt");
  const fd = openSync(file, "w");
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [o.leanJs, ...o.args], {
      cwd: o.cwd,
      env: { ...process.env, LEAN_PATH: `${o.libDir}:${o.buildDir}`, HYDROGEN_LEAN_MOUNTS: o.mounts },
      stdio: ["ignore", fd, fd],
    });
    closeSync(fd);
    child.on("error", (e) => { rmSync(dir, { recursive: true, force: true }); fail(e); });
    child.on("close", (code) => {
      const text = readFileSync(file, "utf8");
      rmSync(dir, { recursive: true, force: true });
      // The wasm runtime drops an LLVM profile into its working directory.
      rmSync(join(o.cwd, "default.profraw"), { force: true });
      done({ code, text });
    });
  });
}
