import { defineConfig } from "vitest/config";

// Tests whose assertions include a protocol deadline (failover detection and
// takeover within suspectAfter heartbeats) run after everything else, one file
// at a time, so that other test files' load does not eat the deadline's slack.
const deadlineTests = ["test/Tree/Failover.test.ts", "test/Tree/FailoverVersions.test.ts", "test/Tree/Partition.test.ts"];

const shared = {
  testTimeout: 60_000,
  // The traceability report ties each @lean tag to the test at its line.
  includeTaskLocation: true,
};

export default defineConfig({
  test: {
    coverage: { provider: "v8", include: ["src/**/*.ts"], reporter: ["text-summary"] },
    projects: [
      { test: { ...shared, name: "main", include: ["test/**/*.test.ts"], exclude: deadlineTests } },
      { test: { ...shared, name: "deadlines", include: deadlineTests, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
