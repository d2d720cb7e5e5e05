// One way to run the npm Lean: node lean.cjs ARGS in a working directory, with
// the standard library and the build directory on LEAN_PATH and the
// repository mounted into the wasm file system. Collects stdout and stderr.
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";

export function runLeanProcess(o: {
  readonly leanJs: string;
  readonly args: ReadonlyArray<string>;
  readonly cwd: string;
  readonly libDir: string;
  readonly buildDir: string;
  readonly mounts: string;
}): Promise<{ readonly code: number | null; readonly text: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [o.leanJs, ...o.args], {
      cwd: o.cwd,
      env: { ...process.env, LEAN_PATH: `${o.libDir}:${o.buildDir}`, HYDROGEN_LEAN_MOUNTS: o.mounts },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => chunks.push(d));
    child.stderr.on("data", (d: Buffer) => chunks.push(d));
    child.on("close", (code) => {
      // The wasm runtime drops an LLVM profile into its working directory.
      rmSync(join(o.cwd, "default.profraw"), { force: true });
      done({ code, text: Buffer.concat(chunks).toString("utf8") });
    });
  });
}
