import { defineConfig } from "vitest/config";

// The test set `make mutation` runs against each mutant: the core's own
// topics and the vectors. Tests that start nats-server or child processes are
// left out (they cost seconds per mutant), and so is the network soak.
export default defineConfig({
  test: {
    include: [
      "test/Aggregate/**/*.test.ts",
      "test/Scale/**/*.test.ts",
      "test/State/**/*.test.ts",
      "test/Wire/**/*.test.ts",
      "test/Vectors/**/*.test.ts",
    ],
    exclude: [
      "test/State/JetStreamStore.test.ts",
      "test/State/Replica.test.ts",
      // ~9 s per run: a simulated network soak; the State unit and property tests cover the same code.
      "test/State/Network.test.ts",
    ],
    testTimeout: 60_000,
  },
});
