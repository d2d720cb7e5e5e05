#!/usr/bin/env node
// Launcher for the `hydrogen` command line. The CLI is TypeScript run directly
// by Node's type stripping, which needs Node >= 24.
const major = Number(process.versions.node.split(".")[0]);
if (!(major >= 24)) {
  process.stderr.write("hydrogen needs Node >= 24 (run `make run`, or use node_modules/.bin/node)\n");
  process.exit(2);
}
// In the repository the CLI runs from src/; the packed package ships only
// the compiled dist/ (`npm run build`: dist/src/ and dist/gen/ts/).
const { existsSync } = await import("node:fs");
const fromSrc = existsSync(new URL("../src/Cli/Main.ts", import.meta.url));
const { main } = await import(fromSrc ? "../src/Cli/Main.ts" : "../dist/src/Cli/Main.js");
const code = await main(process.argv.slice(2));
// Stopped by a signal: what the command started is already released; exit now
// rather than wait for work the interruption abandoned.
if (code >= 128) process.exit(code);
process.exitCode = code;
