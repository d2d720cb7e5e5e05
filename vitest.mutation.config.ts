import { defineConfig } from "vitest/config";

// The test set `make mutation` runs against each mutant: the core's own
// topics and the vectors. Tests that start nats-server or child processes are
// left out (they cost seconds per mutant), and so is the network soak.
// HYDROGEN_MUTATE (the areas under mutation, see stryker.config.mjs) narrows it
// to those areas' tests and the vectors: a mutant another area's tests would
// kill then counts as surviving, so the score can only be lower, and the
// initial coverage run fits a loaded machine.
const areas = process.env.HYDROGEN_MUTATE?.split(",").map((a) => a.replace(/^src\//, "test/")) ?? [
  "test/Aggregate",
  "test/Scale",
  "test/State",
  "test/Wire",
];

export default defineConfig({
  test: {
    include: [...areas.map((a) => `${a}/**/*.test.ts`), "test/Vectors/**/*.test.ts"],
    exclude: [
      "test/State/JetStreamStore.test.ts",
      "test/State/Replica.test.ts",
      // ~9 s per run: a simulated network soak; the State unit and property tests cover the same code.
      "test/State/Network.test.ts",
      // 10^6 leaves: ~60 s instrumented, and the per-mutant timeout of every typed-fold mutant grew with it.
      "test/Aggregate/TypedLarge.test.ts",
    ],
    testTimeout: 60_000,
    // Stryker switches mutants by a global, not by reloading modules, so the
    // test files can share one module cache: 4x faster per mutant here (the
    // per-file isolation was most of the time: imports, not tests).
    isolate: false,
  },
});
