import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import fc from "fast-check"
import * as Result from "effect/Result"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type NatsServerHandle, startNatsServer } from "../../src/Net/NatsServer.ts"
import { coordinatorLevels, messageBound, messagesPerRound } from "../../src/Scale/Communication.ts"
import { AgentPool } from "../../src/Tree/Agents.ts"
import {
  childNodeFlags,
  CoordinatorProcessFailed,
  coordinatorProcessEntry,
  decodeControl,
  decodeProcessConfig,
  encodeControl,
  encodeProcessArgs,
  planProcesses,
  runTreeMultiProcess,
} from "../../src/Tree/Process.ts"
import { foldValues } from "../../src/Tree/Summary.ts"
import { makeTopology } from "../../src/Tree/Topology.ts"

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** A few (n, k) with at least two coordinator levels above the local one (n > k²), from a fixed seed. */
const cases: ReadonlyArray<readonly [number, number, number]> = fc.sample(
  fc
    .integer({ min: 2, max: 12 })
    .chain((k) => fc.tuple(fc.integer({ min: k * k + 1, max: 4000 }), fc.constant(k), fc.nat({ max: 2 ** 32 - 1 }))),
  { numRuns: 3, seed: 20_002 },
)

describe("plan and configuration of coordinator processes", () => {
  it("one process per upper level, the highest levels merged beyond the cap", () => {
    const t = makeTopology(1_000_000, 10) // [100000, 10000, 1000, 100, 10, 1]
    expect(planProcesses(t).map((p) => p.name)).toEqual(["levels-2", "levels-3", "levels-4", "levels-5-6"])
    expect(planProcesses(t, 2).map((p) => p.groups.map((g) => g.level))).toEqual([[2], [3, 4, 5, 6]])
    expect(planProcesses(t, 10)).toHaveLength(5)
    expect(planProcesses(makeTopology(50, 100))).toEqual([])
    for (const p of planProcesses(t)) for (const g of p.groups) expect(g.hi).toBe(t.perLevel[g.level - 1])
  })

  it("argv round-trips through the Schema decoder; bad configurations are typed errors", () => {
    const token = "0123456789abcdef0123456789abcdef"
    const env = { HYDROGEN_CONTROL_TOKEN: token }
    const cfg = { servers: ["nats://127.0.0.1:4222"], agents: 1000, branching: 10, seed: 7, prefix: "h", name: "levels-2", groups: [{ level: 2, lo: 0, hi: 10 }] }
    const ok = decodeProcessConfig(encodeProcessArgs(cfg), env)
    expect(Result.isSuccess(ok) && ok.success).toEqual({ ...cfg, token })
    const viaEnv = decodeProcessConfig(encodeProcessArgs(cfg).slice(2), { ...env, HYDROGEN_NATS_URL: "nats://127.0.0.1:4222" })
    expect(Result.isSuccess(viaEnv)).toBe(true)
    // the control token is required, and must be 32 hex digits
    for (const e of [{}, { HYDROGEN_CONTROL_TOKEN: "short" }, { HYDROGEN_CONTROL_TOKEN: token.toUpperCase() }]) {
      const r = decodeProcessConfig(encodeProcessArgs(cfg), e)
      expect(Result.isFailure(r) && r.failure.issues.join("; ")).toMatch(/HYDROGEN_CONTROL_TOKEN/)
    }
    const bad: ReadonlyArray<ReadonlyArray<string>> = [
      [], // everything missing
      ["--agents", "ten", ...encodeProcessArgs(cfg).slice(2, 4)],
      encodeProcessArgs({ ...cfg, groups: [{ level: 1, lo: 0, hi: 10 }] }), // local level
      encodeProcessArgs({ ...cfg, groups: [{ level: 2, lo: 0, hi: 11 }] }), // past the level
      encodeProcessArgs({ ...cfg, groups: [{ level: 2, lo: 0, hi: 5 }, { level: 2, lo: 4, hi: 6 }] }), // overlap
      [...encodeProcessArgs(cfg), "--bogus", "1"],
      encodeProcessArgs(cfg).map((a) => (a === "nats://127.0.0.1:4222" ? "http://x" : a)),
    ]
    for (const argv of bad) {
      const r = decodeProcessConfig(argv, env)
      expect(Result.isFailure(r)).toBe(true)
      if (Result.isFailure(r)) {
        expect(r.failure._tag).toBe("ProcessConfigError")
        expect(r.failure.issues.length).toBeGreaterThan(0)
      }
    }
  })

  it("control messages are Schema-decoded; malformed ones are dropped", () => {
    const m = { type: "round", epoch: 3 } as const
    expect(decodeControl(encodeControl(m))).toEqual(m)
    expect(decodeControl(new TextEncoder().encode("{nope"))).toBeUndefined()
    expect(decodeControl(new TextEncoder().encode(JSON.stringify({ type: "round", epoch: "3" })))).toBeUndefined()
  })

  it("the entry file exits with code 2 on a bad configuration", async () => {
    const child = spawn(process.execPath, [coordinatorProcessEntry, "--agents", "0"], { stdio: ["pipe", "ignore", "pipe"] })
    let stderr = ""
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()))
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)))
    expect(code).toBe(2)
    expect(stderr).toMatch(/ProcessConfigError|bad coordinator process configuration/)
    expect(stderr).toMatch(/--servers is required/)
  })
})

// Needs nats-server (installed by `make setup-nats`); a missing binary fails with a clear NatsServerMissing error.
describe("runTreeMultiProcess on a real nats-server (upper levels in child processes)", () => {
  let server: NatsServerHandle
  beforeAll(async () => {
    server = await startNatsServer({ jetstream: false })
  })
  afterAll(async () => {
    await server.stop()
    expect(server.running).toBe(false)
  })

  it("random (n, k) with ≥ 2 upper levels: the global aggregate equals the direct fold of all agent values every round", async () => {
    for (const [n, k, seed] of cases) {
      const t = makeTopology(n, k)
      expect(t.levels).toBeGreaterThanOrEqual(3)
      const pids: number[] = []
      const r = await runTreeMultiProcess({ agents: n, branching: k, rounds: 3, seed, servers: server.url, prefix: `mp${n}k${k}`, onSpawn: (_, pid) => pids.push(pid) })
      expect(r.processes.length).toBe(Math.min(4, t.levels - 1))
      expect(pids).toHaveLength(r.processes.length)
      // An independent reference: the agents' values of each round, folded sequentially.
      const reference = new AgentPool(n, seed)
      for (const x of r.rounds) {
        reference.update(x.round)
        expect(x.aggregate).toEqual(foldValues(reference.values))
        expect(x.exact).toBe(true)
        expect(x.aggregate.count).toBe(n)
      }
      expect(r.allExact).toBe(true)
      expect(r.rejectedTotal).toBe(0)
      expect(r.internalErrors).toBe(0)
      for (const pid of pids) expect(alive(pid)).toBe(false)
    }
  })

  it("coordinator processes run with the small young generation of childNodeFlags unless nodeFlags says otherwise", async () => {
    const cmdlines: string[][] = []
    const readArgs = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter((x) => x !== "")
    const r = await runTreeMultiProcess({ agents: 1000, branching: 10, rounds: 1, servers: server.url, prefix: "flags", onSpawn: (_, pid) => cmdlines.push(readArgs(pid)) })
    expect(r.allExact).toBe(true)
    expect(cmdlines.length).toBe(r.processes.length)
    for (const args of cmdlines) expect(args).toEqual(expect.arrayContaining([...childNodeFlags]))
    const plain: string[][] = []
    const r2 = await runTreeMultiProcess({ agents: 1000, branching: 10, rounds: 1, servers: server.url, prefix: "noflags", nodeFlags: [], onSpawn: (_, pid) => plain.push(readArgs(pid)) })
    expect(r2.allExact).toBe(true)
    for (const args of plain) for (const f of childNodeFlags) expect(args).not.toContain(f)
  })

  // @lean Hydrogen.Scale.messagesPerRound_bound
  it("messages per round counted across processes are the planned M and satisfy the proved bound", async () => {
    for (const [n, k] of [[1000, 10], [3001, 7], [20_000, 20]] as const) {
      const r = await runTreeMultiProcess({ agents: n, branching: k, rounds: 2, servers: server.url, prefix: `mb${n}` })
      const L = coordinatorLevels(n, k)
      expect(L).toBeGreaterThanOrEqual(3)
      for (const x of r.rounds) {
        expect(x.aggregationMessages).toBe(messagesPerRound(n, k))
        expect(x.published.Up).toBe(r.topology.total - 1)
        expect(x.published.Down).toBe(r.topology.total - r.topology.perLevel[0]!)
        // the agents' process sends its local coordinators' Ups as one UpBatch per level-2 coordinator
        expect(x.busPublishes).toBe(x.messages - (r.topology.perLevel[0]! - r.topology.perLevel[1]!))
        const M = BigInt(x.aggregationMessages)
        // k·M + k + L ≤ n·k + M + k·L, i.e. (k−1)·M ≤ n·k + (k−1)·(L−1) − 1
        expect(BigInt(k) * M + BigInt(k) + BigInt(L) <= BigInt(n) * BigInt(k) + M + BigInt(k) * BigInt(L)).toBe(true)
        expect((BigInt(k) - 1n) * M <= messageBound(n, k).rhs).toBe(true)
      }
      expect(r.bound.holds).toBe(true)
      expect(r.controlMessagesPerRound).toBe(1 + r.processes.length)
    }
  })

  it("a coordinator process that dies fails the run with a typed error, and no process is left", async () => {
    const pids: number[] = []
    const run = runTreeMultiProcess({
      agents: 2000,
      branching: 5,
      rounds: 1000,
      servers: server.url,
      prefix: "mpkill",
      roundTimeoutMs: 10_000,
      onSpawn: (_, pid) => {
        pids.push(pid)
        if (pids.length === 1) process.kill(pid, "SIGKILL")
      },
    })
    await expect(run).rejects.toBeInstanceOf(CoordinatorProcessFailed)
    expect(pids.length).toBeGreaterThanOrEqual(2)
    for (const pid of pids) expect(alive(pid)).toBe(false)
  })
})
