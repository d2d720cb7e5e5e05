/**
 * The viewport feed of the running tree (src/Tree/ViewportFeed.ts): agents'
 * Element deltas, batched per local coordinator, applied to replicated
 * viewport state that converges, equals the agents' Elements, survives a
 * killed and restarted replica with nothing acknowledged lost, and rejects
 * forged frames; on the in-process bus and on a real nats-server.
 */
import { spawn } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, type Scope } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { makeInProcessServer } from "../../src/Net/InProcess.ts"
import { connectNats, type NatsTransport } from "../../src/Net/Nats.ts"
import { startNatsServer } from "../../src/Net/NatsServer.ts"
import { messagesPerRound } from "../../src/Scale/Communication.ts"
import { ViewportStateCodec } from "../../src/State/Encoding.ts"
import { openFileStore } from "../../src/State/FileStore.ts"
import { openJetStreamStore } from "../../src/State/JetStreamStore.ts"
import { le } from "../../src/State/Lattice.ts"
import { replay, type Store, type StoreError } from "../../src/State/Store.ts"
import { ViewportState } from "../../src/State/Viewport.ts"
import { AgentPool } from "../../src/Tree/Agents.ts"
import { runTree, type RunTreeOptions } from "../../src/Tree/Runner.ts"
import { agentRange, countAt, makeTopology } from "../../src/Tree/Topology.ts"
import type { ViewportFeed, ViewportOptions, ViewportRound } from "../../src/Tree/ViewportFeed.ts"
import { elementOf, encodeFrame } from "../../src/Tree/ViewportFrame.ts"
import { I32 } from "../../src/Wire/Bounds.ts"
import { ORMap } from "../../src/State/ORSet.ts"
import { LWWMap } from "../../src/State/Register.ts"
import { waitUntil } from "../Net/helpers.ts"
import { runMain } from "../Cli/run.ts"

const L = ViewportState.joinSemilattice
const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const tempDir = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), "hydrogen-viewport-"))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  return dir
}

const fileStores = (dir: string) => (i: number): Effect.Effect<Store<ViewportState>, StoreError, Scope.Scope> =>
  openFileStore(join(dir, `replica-${i}.log`), ViewportStateCodec)

/** What replica `i`'s file store holds, read directly (the replica is not running). */
const storedIn = (dir: string, i: number): Promise<ViewportState> =>
  Effect.runPromise(Effect.scoped(Effect.map(Effect.flatMap(fileStores(dir)(i), (s) => s.load), (l) => replay(L, l.records).state)))

const inProcess = () => {
  const server = makeInProcessServer()
  return (name: string) => server.connect(name)
}

/** Agents whose value in `round` differs from the one before (their Element moved), by the pool's own value function. */
const moved = (n: number, seed: number, round: number): number => {
  const p = new AgentPool(n, seed)
  let c = 0
  for (let i = 0; i < n; i++) if (p.valueAt(round, i) !== p.valueAt(round - 1, i)) c++
  return c
}

/** Frame bytes by the documented layout: 8 header bytes, the 12-byte batch header, per delta 4 + 1 + its fields. */
const frameBytes = (deltas: number, fieldBytes: number): number => 8 + 12 + deltas * (5 + fieldBytes)
/** Every field of an Element: atom 5, z 2, viewport 4, x 4, y 4, width 2, height 2, color 4. */
const WHOLE = 27
/** x alone. */
const X_ONLY = 4

const expectHealthy = (r: ViewportRound, replicas: number): void => {
  expect(r.live).toBe(replicas)
  expect(r.converged).toBe(true)
  expect(r.matchesAgents).toBe(true)
  expect(r.mismatched).toBe(0)
}

describe("viewport feed on the in-process bus", () => {
  it("after R rounds the replicas converge and hold every agent's Element; deltas and bytes are what moved", async () => {
    const dir = await tempDir()
    const [n, k, seed, R] = [300, 10, 7, 4]
    const r = await runTree({ agents: n, branching: k, rounds: R, seed, connect: inProcess(), viewport: { replicas: 3, store: fileStores(dir) } })
    expect(r.allExact).toBe(true)
    const rounds = r.viewport!.rounds
    expect(rounds.map((x) => x.round)).toEqual([1, 2, 3, 4])
    const locals = countAt(makeTopology(n, k), 1)
    // round 1: every agent's whole Element, one frame per local coordinator
    expect(rounds[0]!.deltas).toBe(n)
    expect(rounds[0]!.frames).toBe(locals)
    expect(rounds[0]!.bytes).toBe(locals * frameBytes(0, 0) + n * (5 + WHOLE))
    for (const x of rounds.slice(1)) {
      expect(x.deltas).toBe(moved(n, seed, x.round))
      expect(x.bytes).toBe(x.frames * frameBytes(0, 0) + x.deltas * (5 + X_ONLY))
    }
    for (const x of rounds) expectHealthy(x, 3)
    expect(r.viewport!.rejected).toEqual({})
    // the tree's own figures are the planned ones with the feed on
    for (const x of r.rounds) expect(x.aggregationMessages).toBe(messagesPerRound(n, k))
  })

  it("with the feed off, runTree's message counts are the planned ones and equal those with it on", async () => {
    const [n, k] = [1000, 10]
    const off = await runTree({ agents: n, branching: k, rounds: 3, connect: inProcess() })
    expect(off.viewport).toBeUndefined()
    const on = await runTree({ agents: n, branching: k, rounds: 3, connect: inProcess(), viewport: { replicas: 2, store: fileStores(await tempDir()) } })
    for (const x of off.rounds) {
      expect(x.aggregationMessages).toBe(messagesPerRound(n, k))
      expect(x.published.Up).toBe(off.topology.total - 1)
      expect(x.published.Down).toBe(off.topology.total - off.topology.perLevel[0]!)
    }
    expect(on.rounds.map((x) => x.published)).toEqual(off.rounds.map((x) => x.published))
    expect(on.rounds.map((x) => x.busPublishes)).toEqual(off.rounds.map((x) => x.busPublishes))
  })

  it("a replica killed mid-run and restarted from its store loses nothing it acknowledged and converges again", async () => {
    const dir = await tempDir()
    const checks: string[] = []
    const onRound = async (rep: ViewportRound, feed: ViewportFeed): Promise<void> => {
      if (rep.round === 2) {
        const held = await Effect.runPromise(feed.replica(1)!.state)
        const acked = feed.acknowledged[1]!
        expect(L.equals(acked, ViewportState.empty)).toBe(false)
        await feed.kill(1)
        const stored = await storedIn(dir, 1)
        expect(le(L, acked, stored)).toBe(true)
        expect(le(L, held, stored)).toBe(true)
        checks.push("killed")
      }
      if (rep.round === 3) {
        // frames of round 3 went around the dead replica
        expect(rep.live).toBe(2)
        expect(rep.converged).toBe(true)
        expect(rep.matchesAgents).toBe(true)
        await feed.restart(1)
        expect(await feed.keepsAcknowledged()).toBe(true)
        checks.push("restarted")
      }
    }
    const r = await runTree({ agents: 200, branching: 10, rounds: 5, seed: 3, connect: inProcess(), viewport: { replicas: 3, store: fileStores(dir), onRound } })
    expect(checks).toEqual(["killed", "restarted"])
    const rounds = r.viewport!.rounds
    expectHealthy(rounds[3]!, 3)
    expectHealthy(rounds[4]!, 3)
  })

  it("forged and garbled frames are rejected by their typed error and counted, never applied", async () => {
    const [n, k] = [100, 10]
    const t = makeTopology(n, k)
    let states: ReadonlyArray<ViewportState> = []
    const onRound = async (rep: ViewportRound, feed: ViewportFeed): Promise<void> => {
      if (rep.round !== 2) return
      const before = await feed.states()
      const { lo, hi } = agentRange(t, { level: 1, index: 1 })
      const move = { index: lo, delta: { x: 12345 } }
      const good = encodeFrame(2, 1, [move])
      const badMagic = good.slice()
      badMagic[8] = 0x00
      const forged: ReadonlyArray<Uint8Array> = [
        good.subarray(0, 5), // cut inside the header
        encodeFrame(99, 1, [move]), // a round not yet run
        encodeFrame(2, 1000, [move]), // no such local coordinator
        badMagic, // the deltas batch's magic garbled
        encodeFrame(2, 0, [move]), // local 0 moving an agent of local 1
        Uint8Array.from([...good, 0]), // a trailing byte
        encodeFrame(2, 1, [{ index: hi, delta: { x: 1 } }]), // past local 1's agents
      ]
      for (const bytes of forged) await feed.inject(bytes)
      expect(feed.rejected).toBe(forged.length)
      expect({ ...feed.rejectedByTag }).toEqual({ Truncated: 1, InvalidField: 2, BadHeader: 1, ForeignElement: 2, TrailingBytes: 1 })
      const after = await feed.states()
      expect(after.map((s, i) => L.equals(s, before[i]!))).toEqual(before.map(() => true))
      states = after
    }
    const r = await runTree({ agents: n, branching: k, rounds: 3, connect: inProcess(), viewport: { replicas: 2, store: fileStores(await tempDir()), onRound } })
    expect(states).toHaveLength(2)
    expect(r.viewport!.rejected).toEqual({ Truncated: 1, InvalidField: 2, BadHeader: 1, ForeignElement: 2, TrailingBytes: 1 })
    // a report counts the rejections so far: the forgeries came after round 2's
    expect(r.viewport!.rounds.map((x) => x.rejected)).toEqual([0, 0, 7])
    for (const x of r.viewport!.rounds) expectHealthy(x, 2)
  })

  it("a well-formed frame from the same injection path is applied (the rejections are not vacuous)", async () => {
    const [n, k] = [100, 10]
    let placedX: number | undefined
    const onRound = async (rep: ViewportRound, feed: ViewportFeed): Promise<void> => {
      if (rep.round !== 1) return
      await feed.inject(encodeFrame(1, 0, [{ index: 3, delta: { x: 777 } }]))
      expect(feed.rejected).toBe(0)
      // two LWW writes with the same (round, local): the larger value wins (`LWWReg.lt`'s last tie-break)
      const s = (await feed.states())[0]!
      const raw = s.positions.entries[6]
      placedX = raw === undefined ? undefined : raw.value - 2 ** 31
    }
    const pool = new AgentPool(n, 1)
    pool.update(1)
    const r = await runTree({ agents: n, branching: k, rounds: 1, connect: inProcess(), viewport: { replicas: 1, store: fileStores(await tempDir()), onRound } })
    expect(placedX).toBe(Math.max(777, elementOf(3, pool.values[3]!).x))
    expect(r.viewport!.rejected).toEqual({})
  })
})

describe("viewport feed on a real nats-server", () => {
  const run = async (kind: "file" | "jetstream"): Promise<void> => {
    const server = await startNatsServer({ jetstream: kind === "jetstream" })
    cleanups.push(() => server.stop())
    const admin: NatsTransport = await connectNats({ servers: server.url, name: "viewport-store" })
    cleanups.push(() => admin.close())
    const dir = await tempDir()
    const store: ViewportOptions["store"] =
      kind === "file" ? fileStores(dir) : (i) => openJetStreamStore(admin.connection, ViewportStateCodec, { name: `viewport-${i}` })
    let killed = false
    const onRound = async (rep: ViewportRound, feed: ViewportFeed): Promise<void> => {
      if (rep.round === 2) {
        const acked = feed.acknowledged[0]!
        await feed.kill(0)
        const stored =
          kind === "file"
            ? await storedIn(dir, 0)
            : await Effect.runPromise(
                Effect.map(Effect.flatMap(openJetStreamStore(admin.connection, ViewportStateCodec, { name: "viewport-0" }), (s) => s.load), (l) => replay(L, l.records).state),
              )
        expect(le(L, acked, stored)).toBe(true)
        killed = true
      }
      if (rep.round === 3) await feed.restart(0)
    }
    const opts: RunTreeOptions = {
      agents: 500,
      branching: 10,
      rounds: 5,
      connect: (name) => connectNats({ servers: server.url, name }),
      viewport: { replicas: 3, store, onRound },
    }
    const r = await runTree(opts)
    expect(killed).toBe(true)
    expect(r.allExact).toBe(true)
    expect(r.maxAggregationMessages).toBe(messagesPerRound(500, 10))
    const rounds = r.viewport!.rounds
    expect(rounds[2]!.live).toBe(2)
    for (const x of rounds) expect(x.converged && x.matchesAgents).toBe(true)
    expectHealthy(rounds[4]!, 3)
  }
  it("with the file store: a replica killed and restarted converges, nothing acknowledged lost", () => run("file"), 60_000)
  it("with the JetStream store: a replica killed and restarted converges, nothing acknowledged lost", () => run("jetstream"), 60_000)

  it("the process hosting the feed SIGKILLed mid-run: every replica's store holds each Element as of the last acknowledged round or later", async () => {
    const server = await startNatsServer({ jetstream: false })
    cleanups.push(() => server.stop())
    const dir = await tempDir()
    const n = 300
    const script = fileURLToPath(new URL("./viewportChild.ts", import.meta.url))
    const child = spawn(process.execPath, [script, server.url, dir, String(n)], { stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let err = ""
    child.stdout!.on("data", (c: Buffer) => (out += c.toString("utf8")))
    child.stderr!.on("data", (c: Buffer) => (err += c.toString("utf8")))
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)))
    cleanups.push(async () => void child.kill("SIGKILL"))
    await waitUntil(() => /acked 3\n/.test(out), 30_000, `round 3 acknowledged (stderr: ${err})`)
    child.kill("SIGKILL")
    expect(await exited).toBe("SIGKILL")
    const acked = Math.max(...[...out.matchAll(/acked (\d+)/g)].map((m) => Number(m[1])))
    expect(acked).toBeGreaterThanOrEqual(3)
    const pool = new AgentPool(n, 1)
    for (let i = 0; i < 3; i++) {
      const s = await storedIn(dir, i)
      let behind = 0
      let wrong = 0
      for (let a = 0; a < n; a++) {
        const x = LWWMap.get(s.positions, 2 * a)
        if (x === undefined || x.timestamp < acked) behind++
        // the write of round t holds the agent's x in round t (its Element then)
        else if (x.value + I32.min !== elementOf(a, pool.valueAt(x.timestamp, a)).x) wrong++
        if (!ORMap.contains(s.elements, a)) behind++
      }
      expect({ replica: i, behind, wrong }).toEqual({ replica: i, behind: 0, wrong: 0 })
    }
  }, 60_000)
})

describe("hydrogen tree --viewport-replicas", () => {
  it("prints a viewport line per round: deltas, frames, bytes by the layout, converged and equal to the agents", async () => {
    const [n, k] = [200, 10]
    const r = await runMain(["tree", "--agents", String(n), "--branching", String(k), "--rounds", "2", "--viewport-replicas", "2"])
    expect(r.err).toBe("")
    expect(r.code).toBe(0)
    const locals = countAt(makeTopology(n, k), 1)
    const b1 = locals * frameBytes(0, 0) + n * (5 + WHOLE)
    expect(r.out).toContain(`viewport round 1: ${n} Element deltas in ${locals} frames (${b1} B), 2 replicas converged, equal to the agents' Elements, 0 frames rejected`)
    const d2 = moved(n, 1, 2)
    expect(r.out).toMatch(new RegExp(`viewport round 2: ${d2} Element deltas in \\d+ frames \\(\\d+ B\\), 2 replicas converged, equal to the agents' Elements`))
    expect(r.out).toContain("viewport: replicas converged and equal to the agents' Elements in 2/2 rounds")
    const help = await runMain(["tree", "--help"])
    expect(help.out).toMatch(/--viewport-replicas V +agents report their Elements/)
  })

  it("refuses --viewport-replicas with --chaos or --processes, out of range, or with too many agents (exit 2)", async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
      [["--chaos"], /--viewport-replicas cannot be combined with --chaos/],
      [["--processes", "--transport", "nats"], /--viewport-replicas cannot be combined with --processes/],
      [["--viewport-replicas", "0"], /--viewport-replicas: expected a value between 1 and 16/],
    ]
    for (const [extra, re] of cases) {
      const argv = ["tree", "--agents", "100", "--branching", "10", ...(extra.includes("--viewport-replicas") ? [] : ["--viewport-replicas", "2"]), ...extra]
      const r = await runMain(argv)
      expect(r.code).toBe(2)
      expect(r.err).toMatch(re)
    }
    const big = await runMain(["tree", "--agents", "10001", "--branching", "10", "--viewport-replicas", "2"])
    expect(big.code).toBe(2)
    expect(big.err).toMatch(/--viewport-replicas needs --agents ≤ 10,000 \(got 10,001\)/)
  })
})
