/**
 * Faults of the bus under a running tree, on a real nats-server: the server
 * SIGKILLed and restarted on the same port mid-run, and a setup that cannot
 * open its connections (EMFILE).
 */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { jetstreamManager } from "@nats-io/jetstream"
import { describe, expect, it } from "vitest"
import { connectNats, type NatsTransport } from "../../src/Net/Nats.ts"
import { startNatsServer } from "../../src/Net/NatsServer.ts"
import { ReplicatedTree } from "../../src/Tree/Failover.ts"
import { runTreeMultiProcess } from "../../src/Tree/Process.ts"
import { type RoundStatus, runTree } from "../../src/Tree/Runner.ts"
import { makeTopology } from "../../src/Tree/Topology.ts"

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe("the tree on NATS survives a bus restart", () => {
  it("nats-server SIGKILLed after round 3 and restarted 1 s later: the run completes, every round is exact, every client's reconnect is counted", async () => {
    const server = await startNatsServer({ jetstream: false })
    let chaos: Promise<void> | undefined
    const seen: Array<RoundStatus> = []
    try {
      const agents = 3000
      const branching = 10
      const r = await runTree({
        agents,
        branching,
        rounds: 10,
        roundTimeoutMs: 30_000,
        connect: (name) => connectNats({ servers: server.url, name }),
        onStatus: (s) => {
          seen.push(s)
          // the next round starts at once, while the kill is under way
          if (s.round === 3) chaos = server.kill().then(() => sleep(1_000)).then(() => server.restart())
        },
      })
      await chaos
      expect(r.rounds.length).toBe(10)
      for (const round of r.rounds) {
        expect(round.exact).toBe(true)
        expect(round.aggregate).toEqual(round.expected)
      }
      expect(seen.map((s) => s.round)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
      // one client per coordinator plus one receiving client per level, each reconnected at least once
      const t = makeTopology(agents, branching)
      const clients = t.perLevel.reduce((a, b) => a + b, 0) + t.levels
      expect(r.reconnects).toBeGreaterThanOrEqual(clients)
      expect(r.resends).toBeGreaterThanOrEqual(1)
      expect(r.rejectedTotal).toBe(0)
      expect(r.versionRejected).toBe(0) // the repeats are not taken for inflated versions
      expect(r.internalErrors).toBe(0)
    } finally {
      await chaos?.catch(() => undefined)
      await server.stop()
    }
  })
})

describe("the multi-process tree survives a bus restart", () => {
  it("nats-server SIGKILLed after round 3 and restarted 1 s later: coordinator processes and parent reconnect, the round is repeated, every round is exact", async () => {
    const server = await startNatsServer({ jetstream: false })
    let chaos: Promise<void> | undefined
    try {
      const r = await runTreeMultiProcess({
        agents: 3000,
        branching: 10,
        rounds: 8,
        servers: server.url,
        prefix: "restart",
        roundTimeoutMs: 30_000,
        onRound: (x) => {
          if (x.round === 3) chaos = server.kill().then(() => sleep(1_000)).then(() => server.restart())
        },
      })
      await chaos
      expect(r.rounds.map((x) => x.round)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
      for (const round of r.rounds) {
        expect(round.exact).toBe(true)
        expect(round.aggregate).toEqual(round.expected)
      }
      expect(r.reconnects).toBeGreaterThanOrEqual(1)
      expect(r.resends).toBeGreaterThanOrEqual(1)
      expect(r.rejectedTotal).toBe(0)
      expect(r.versionRejected).toBe(0) // the repeats are not taken for inflated versions
      expect(r.controlRejected).toBe(0)
    } finally {
      await chaos?.catch(() => undefined)
      await server.stop()
    }
  })
})

describe("the replicated tree (chaos mode, JetStream leases) survives a bus restart", () => {
  it("nats-server SIGKILLed and restarted 1 s later on the same store dir: the lease bucket is still there, the round in flight and every later round become exact", async () => {
    const server = await startNatsServer({ jetstream: true })
    const clients: Array<NatsTransport> = []
    let tree: ReplicatedTree | undefined
    try {
      tree = await ReplicatedTree.start({
        agents: 125,
        branching: 5,
        seed: 7,
        failover: { heartbeatMs: 100, suspectAfter: 3, replicas: 3 },
        connect: async (name) => {
          const t = await connectNats({ servers: server.url, name })
          clients.push(t)
          return t
        },
      })
      for (let i = 0; i < 2; i++) expect(await tree.untilExact(tree.nextRound(), 5_000)).toBeDefined()
      const inFlight = tree.nextRound()
      await server.kill()
      await sleep(1_000)
      await server.restart()
      expect(await tree.untilExact(inFlight, 15_000)).toBeDefined()
      // the leases' stream was recovered from the kept store dir
      const jsm = await jetstreamManager(clients[0]!.connection)
      expect((await jsm.streams.info("KV_h-leases")).config.name).toBe("KV_h-leases")
      for (let i = 0; i < 5; i++) expect(await tree.untilExact(tree.nextRound(), 5_000)).toBeDefined()
      // every replica's client (31 positions × 3) reconnected
      expect(clients.reduce((n, t) => n + t.reconnects, 0)).toBeGreaterThanOrEqual(93)
    } finally {
      await tree?.stop()
      await Promise.all(clients.map((t) => t.close()))
      await server.stop()
    }
  })
})

describe("a tree setup that cannot connect", () => {
  it("EMFILE while opening one client per coordinator (descriptors taken after admission): runTree rejects with TransportError(connect) naming EMFILE, and the process exits by itself", async () => {
    const server = await startNatsServer({ jetstream: false })
    const script = fileURLToPath(new URL("./emfileChild.ts", import.meta.url))
    // 338 clients (3000 agents, k = 10) pass admission in 600 descriptors, but not once 400 of them are taken
    const child = spawn("sh", ["-c", `ulimit -n 600 && exec "$0" "$1" "$2"`, process.execPath, script, server.url], { stdio: ["ignore", "pipe", "inherit"] })
    let out = ""
    child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")))
    try {
      const exit = await Promise.race([
        new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code))),
        sleep(45_000).then(() => "still running" as const),
      ])
      expect(exit).toBe(0)
      const report = JSON.parse(out.trim().split("\n")[0]!) as { ok: boolean; tag?: string; reason?: string; detail?: string }
      expect(report.ok).toBe(false)
      expect(report.tag).toBe("TransportError")
      expect(report.reason).toBe("connect")
      expect(report.detail).toMatch(/EMFILE/)
      expect(report.detail).toMatch(/after 2 tries/)
    } finally {
      child.kill("SIGKILL")
      await server.stop()
    }
  })
})
