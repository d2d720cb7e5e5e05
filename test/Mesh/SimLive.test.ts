import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { decodeHostConfig, decodePair, pairBytes } from "../../src/Mesh/SimHost.ts"
import { runLive } from "../../src/Mesh/SimLive.ts"
import { noFailures } from "../../src/Mesh/SimScenario.ts"

// 5 sectors × 4 clusters × 30 agents over a nats-server the run starts on loopback.
const shape = { sectors: 5, clustersPerSector: 4, agentsPerCluster: 30 }

describe("mesh simulation: the live mesh's bus payloads", () => {
  it("decodes the hot messages (one or two decimal numbers) and refuses anything else", () => {
    expect(decodePair(pairBytes(12))).toEqual([12, undefined])
    expect(decodePair(pairBytes(7, 29_999))).toEqual([7, 29_999])
    const bytes = (s: string) => new TextEncoder().encode(s)
    for (const bad of ["", "a", "1 2 3", "-1", "1.5", " 1", "1 ", "1  2", "9".repeat(40), "{\"op\":1}"]) expect(decodePair(bytes(bad)), bad).toBeUndefined()
  })

  it("a host process's config is decoded with a schema: a wrong field is refused", () => {
    const good = { url: "nats://127.0.0.1:4222", run: "r1", shape, seed: 1, failures: noFailures, durationMs: 1000, hosts: 2, host: 0 }
    expect(decodeHostConfig(JSON.stringify(good))._tag).toBe("Success")
    for (const bad of [{ ...good, hosts: 0 }, { ...good, run: "a.b" }, { ...good, shape: { sectors: "5" } }, "not json"]) {
      expect(decodeHostConfig(typeof bad === "string" ? bad : JSON.stringify(bad))._tag).toBe("Failure")
    }
  })
})

describe("mesh simulation: wall clock over a real nats-server", () => {
  it("two host processes: cascades complete at 95 % of the agents, heartbeats and summaries flow, the mode is FULL, nothing malformed", async () => {
    const r = await Effect.runPromise(runLive({ shape, seed: 4, failures: noFailures, durationMs: 6_000, cascadeEveryMs: 1_000, hosts: 2 }))
    expect(r.cascadesFailed).toBe(0)
    expect(r.cascades.length).toBeGreaterThanOrEqual(4)
    for (const ms of r.cascades) expect(ms).toBeGreaterThan(0)
    // every alive agent heartbeats once per 5 s: 600 agents for at least 6 s
    expect(r.received.heartbeat).toBeGreaterThanOrEqual(600)
    // each cascade reaches every agent: sectors + clusters + agents per cascade
    expect(r.received.cascadeDown).toBeGreaterThanOrEqual(r.cascades.length * (5 + 20 + 600))
    expect(r.received.ack).toBeGreaterThanOrEqual(r.cascades.length * 570)
    expect(r.received.sectorSummary).toBeGreaterThanOrEqual(5)
    expect(r.malformed).toBe(0)
    expect(r.modes[0]?.mode).toBe("FULL")
    expect(r.messagesPerS).toBeGreaterThan(0)
  }, 60_000)

  it("a sector outage (20 % of the mesh) makes the cascades during it time out and the others complete", async () => {
    // the outage covers 40–70 % of the run: 4.8–8.4 s of 12 s
    const r = await Effect.runPromise(runLive({ shape, seed: 5, failures: { ...noFailures, sectorsDown: 1 }, durationMs: 12_000, cascadeEveryMs: 1_000, hosts: 2, inProcess: true }))
    expect(r.cascadesFailed).toBeGreaterThanOrEqual(2)
    expect(r.cascades.length).toBeGreaterThanOrEqual(4)
    expect(r.malformed).toBe(0)
  }, 60_000)
})
