// StrykerJS configuration for `make mutation`: the verified core under mutation.
// The network-bound State modules (JetStreamStore, Replica) are left out: their
// tests start nats-server and child processes, seconds per mutant.
// HYDROGEN_MUTATE=src/Wire (one area, or a comma-separated list) narrows the run; each area keeps its own
// incremental file and report, so areas can be run (and re-run) one at a time.
const area = process.env.HYDROGEN_MUTATE
const areas = area ? area.split(",") : ["src/Aggregate", "src/Scale", "src/State", "src/Wire"]
const tag = area ? areas.map((a) => a.replace(/^src\//, "").replace(/\W+/g, "-")).join("+") : "all"

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  packageManager: "npm",
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts", related: false },
  coverageAnalysis: "perTest",
  // Module-level constants would need the whole test set per mutant; the
  // bounds they hold are checked by the vectors and the edge tests instead.
  ignoreStatic: true,
  // One runner: the machine is shared; HYDROGEN_MUTATE_JOBS raises it on a free one.
  concurrency: Number(process.env.HYDROGEN_MUTATE_JOBS ?? 1),
  // Slack on top of Stryker's 1.5x the dry run's time per test: enough for load
  // noise; a looping mutant then costs seconds, not 20 s.
  timeoutMS: 5000,
  // The initial coverage run executes the whole test set; on a loaded machine it needs more than the default 5 min.
  dryRunTimeoutMinutes: 30,
  incremental: true,
  incrementalFile: `.hydrogen/mutation/incremental-${tag}.json`,
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  // TypeScript 7 (the native compiler) has no JS API for Stryker's tsconfig
  // rewriter; the project's tsconfig has no extends/references to rewrite, so
  // point the rewriter at a file that does not exist and it skips.
  tsconfigFile: "tsconfig.stryker-none.json",
  ignorePatterns: [".hydrogen", ".lake", "dist", "coverage", "lean", "spec", "bench", "examples", "default.profraw", ".scratch"],
  mutate: [
    ...areas.map((a) => `${a}/**/*.ts`),
    "!src/**/index.ts",
    "!src/State/JetStreamStore.ts",
    "!src/State/Replica.ts",
  ],
  reporters: ["json", "clear-text", "progress-append-only"],
  jsonReporter: { fileName: `.hydrogen/mutation/report-${tag}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false },
}
