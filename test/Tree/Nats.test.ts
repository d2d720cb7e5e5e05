import { describe, expect, it } from "vitest"
import { connectNats } from "../../src/Net/Nats.ts"
import { startNatsServer } from "../../src/Net/NatsServer.ts"
import { messagesPerRound } from "../../src/Scale/Communication.ts"
import { runTree } from "../../src/Tree/Runner.ts"

// Needs nats-server (installed by `make setup-nats`); a missing binary fails with a clear NatsServerMissing error.
describe("runTree on a real nats-server", () => {
  it("every coordinator on its own connection: exact aggregates and the planned message count", async () => {
    const server = await startNatsServer({ jetstream: false })
    try {
      const r = await runTree({
        agents: 3000,
        branching: 10,
        rounds: 3,
        connect: (name) => connectNats({ servers: server.url, name }),
      })
      expect(r.allExact).toBe(true)
      expect(r.maxAggregationMessages).toBe(messagesPerRound(3000, 10))
      expect(r.bound.holds).toBe(true)
      expect(r.rejectedTotal).toBe(0)
    } finally {
      await server.stop()
    }
  })
})
