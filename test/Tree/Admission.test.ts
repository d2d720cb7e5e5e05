// Admission control (issue 15): a configuration the machine cannot hold is
// refused with a typed error naming the resource, before anything starts.
import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { makeInProcessServer } from "../../src/Net/InProcess.ts"
import {
  admit,
  AdmissionRefused,
  estimateLoad,
  fdReserve,
  loadsOf,
  machineResources,
  parseOpenFilesLimit,
  type Resources,
} from "../../src/Tree/Admission.ts"
import { ReplicatedTree } from "../../src/Tree/Failover.ts"
import { runTreeMultiProcess } from "../../src/Tree/Process.ts"
import { runTree } from "../../src/Tree/Runner.ts"
import { makeTopology } from "../../src/Tree/Topology.ts"

const gib = 2 ** 30
const roomy: Resources = { fdLimit: 1_000_000, fdInUse: 10, heapLimit: 64 * gib, heapUsed: 0 }
const heapOf = (agents: number, branching: number, connections = 0): number =>
  loadsOf({ mode: "tree", agents, branching, connections, socketBus: true }).map(({ load, socketBus }) => estimateLoad(load, socketBus).heapBytes)[0]!

describe("the estimate", () => {
  it("is monotone: more agents or more connections never need less heap or fewer descriptors", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 ** 8 }), fc.integer({ min: 1, max: 10 ** 8 }), fc.integer({ min: 2, max: 1000 }), fc.nat(10 ** 6), fc.nat(10 ** 6), (a, b, k, c, d) => {
        const [n1, n2] = a <= b ? [a, b] : [b, a]
        const [c1, c2] = c <= d ? [c, d] : [d, c]
        expect(heapOf(n1, k, c1)).toBeLessThanOrEqual(heapOf(n2, k, c2))
      }),
    )
  })

  it("counts every coordinator of the topology once (locals as columns, the rest as objects)", () => {
    for (const [n, k] of [[1000, 10], [100_000, 2], [7, 10]] as const) {
      const t = makeTopology(n, k)
      const { load } = loadsOf({ mode: "tree", agents: n, branching: k, connections: 0, socketBus: false })[0]!
      expect(load.locals + load.coordinators).toBe(t.levels === 1 ? 1 : t.total)
    }
  })

  it("admits small configurations and refuses absurd ones, naming the resource, what is needed and what is available", () => {
    expect(Result.isSuccess(admit({ mode: "tree", agents: 1000, branching: 10, connections: 0, socketBus: false }, roomy))).toBe(true)
    const heap = admit({ mode: "tree", agents: 10 ** 12, branching: 2, connections: 0, socketBus: false }, roomy)
    expect(Result.isFailure(heap)).toBe(true)
    if (Result.isFailure(heap)) {
      expect(heap.failure).toBeInstanceOf(AdmissionRefused)
      expect(heap.failure.resource).toBe("heap")
      expect(heap.failure.needed).toBeGreaterThan(heap.failure.available)
      expect(heap.failure.available).toBe(64 * gib)
      expect(heap.failure.message).toMatch(/heap/)
    }
    const fds = admit({ mode: "tree", agents: 10 ** 6, branching: 10, connections: 111_117, socketBus: true }, { ...roomy, fdLimit: 20_000, fdInUse: 36 })
    expect(Result.isFailure(fds) && fds.failure.resource).toBe("file descriptors")
    if (Result.isFailure(fds)) {
      expect(fds.failure.needed).toBe(111_117)
      expect(fds.failure.available).toBe(20_000 - 36 - fdReserve)
      expect(fds.failure.message).toMatch(/111117 file descriptors.*ulimit -n/)
    }
    // the same connections in-process cost no descriptors
    expect(Result.isSuccess(admit({ mode: "tree", agents: 10 ** 6, branching: 10, connections: 111_117, socketBus: false }, { ...roomy, fdLimit: 20_000 }))).toBe(true)
    // multi-process: a child process that cannot hold its levels refuses the run
    const mp = admit({ mode: "multi-process", agents: 10 ** 9, branching: 2, parentConnections: 1, childLevels: [[2], [3]] }, { ...roomy, heapLimit: 64 * gib })
    expect(Result.isFailure(mp) && mp.failure.process).toMatch(/this process|levels 2/)
  })

  it("reads the soft open-files limit of /proc/self/limits", () => {
    const limits = "Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n"
    expect(parseOpenFilesLimit(limits)).toBe(1024)
    expect(parseOpenFilesLimit("Max open files            unlimited            unlimited            files")).toBe(Number.POSITIVE_INFINITY)
    expect(parseOpenFilesLimit("nothing here")).toBeUndefined()
    const r = machineResources()
    expect(r.heapLimit).toBeGreaterThan(r.heapUsed)
    if (process.platform === "linux") expect(r.fdLimit).toBeGreaterThan(0)
  })
})

describe("the entry points refuse before starting anything", () => {
  it("runTree over a connection per coordinator beyond the descriptor limit: refused, no connection opened", async () => {
    const r = machineResources()
    // 10^7 agents at k = 10: 1.1 million coordinators, each with a connection (and too much heap for one process as well)
    let opened = 0
    const run = runTree({
      agents: 10 ** 7,
      branching: 10,
      rounds: 1,
      connect: () => {
        opened++
        throw new Error("no connection may be opened")
      },
    })
    await expect(run).rejects.toBeInstanceOf(AdmissionRefused)
    await run.catch((e: AdmissionRefused) => {
      if (r.fdLimit !== undefined && r.fdLimit < 1_111_111) expect(e.resource).toBe("file descriptors")
    })
    expect(opened).toBe(0)
  })

  it("runTreeMultiProcess and ReplicatedTree.start refuse too, before spawning or connecting", async () => {
    let opened = 0
    const connect = () => {
      opened++
      throw new Error("no connection may be opened")
    }
    await expect(runTreeMultiProcess({ agents: 10 ** 8, branching: 2, rounds: 1, servers: "nats://127.0.0.1:1" })).rejects.toBeInstanceOf(AdmissionRefused)
    await expect(ReplicatedTree.start({ agents: 10 ** 6, branching: 10, connect })).rejects.toBeInstanceOf(AdmissionRefused)
    expect(opened).toBe(0)
  })

  it("the issue's configurations: 10^7 agents at k = 2 (heap) and 10^6 at k = 10 with a connection per coordinator (descriptors) are refused on this machine", async () => {
    const r = machineResources()
    const heapNeed = estimateLoad(loadsOf({ mode: "tree", agents: 10 ** 7, branching: 2, connections: 0, socketBus: false })[0]!.load, false).heapBytes
    expect(heapNeed).toBeGreaterThan(16 * gib) // 5 million coordinator objects
    const server = makeInProcessServer()
    const big = runTree({ agents: 10 ** 7, branching: 2, rounds: 1, transport: server.connect("t") })
    if (heapNeed > r.heapLimit - r.heapUsed) await expect(big).rejects.toMatchObject({ _tag: "AdmissionRefused", resource: "heap" })
    else expect((await big).allExact).toBe(true)
    const connections = makeTopology(10 ** 6, 10).total + makeTopology(10 ** 6, 10).levels
    let opened = 0
    const nats = runTree({ agents: 10 ** 6, branching: 10, rounds: 1, connect: () => (opened++, server.connect("never")) })
    if (r.fdLimit !== undefined && connections > r.fdLimit - r.fdInUse - fdReserve) {
      await expect(nats).rejects.toMatchObject({ _tag: "AdmissionRefused", resource: "file descriptors", needed: connections })
      expect(opened).toBe(0)
    } else await nats.catch(() => undefined)
  }, 120_000)

  it("10^6 agents at k = 2 in-process either runs exact or is refused cleanly (no stack overflow)", async () => {
    const server = makeInProcessServer()
    try {
      const r = await runTree({ agents: 10 ** 6, branching: 2, rounds: 1, transport: server.connect("t") })
      expect(r.allExact).toBe(true)
      expect(r.rounds[0]!.aggregate.count).toBe(10 ** 6)
    } catch (e) {
      expect(e).toBeInstanceOf(AdmissionRefused)
    }
  }, 120_000)
})
