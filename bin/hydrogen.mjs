#!/usr/bin/env node
// Launcher for the `hydrogen` command line. The CLI is TypeScript run directly
// by Node's type stripping, which needs Node >= 24.
const major = Number(process.versions.node.split(".")[0]);
if (!(major >= 24)) {
  process.stderr.write("hydrogen needs Node >= 24 (run `make run`, or use node_modules/.bin/node)\n");
  process.exit(2);
}
const { main } = await import("../src/Cli/Main.ts");
process.exitCode = await main(process.argv.slice(2));
