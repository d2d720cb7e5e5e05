/**
 * Viewport state replicated over a real nats-server (`src/State/Replica.ts`),
 * with each store (`FileStore.ts`, `JetStreamStore.ts`): three replicas, each
 * its own process, make concurrent mutations and sync with the anti-entropy
 * protocol; one is SIGKILLed mid-run and restarted from its store (and, in
 * two variants, nats-server is SIGKILLed and restarted on its port and store
 * while that replica is down).
 *
 * Checked:
 *  - nothing it acknowledged is lost: its store, read after the kill, holds
 *    every mutation whose `update` had returned and every peer payload it
 *    had sent an ACK for (read off the bus: an ACK(n) to peer p covers every
 *    DELTA/STATE p sent it with `to ≤ n`, since intervals are sealed before
 *    they are sent);
 *  - it restarts at or after its last acknowledged mutation;
 *  - after sync all three hold the same state, equal to the join of every
 *    mutation of every replica (computed here from the workload, not asked of
 *    any replica).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import * as Result from "effect/Result"
import { afterEach, describe, expect, it } from "vitest"
import { connectNats, type NatsTransport } from "../../src/Net/Nats.ts"
import { type NatsServerHandle, startNatsServer } from "../../src/Net/NatsServer.ts"
import { ViewportStateCodec } from "../../src/State/Encoding.ts"
import { openFileStore } from "../../src/State/FileStore.ts"
import { openJetStreamStore } from "../../src/State/JetStreamStore.ts"
import { le } from "../../src/State/Lattice.ts"
import { replay, type Store } from "../../src/State/Store.ts"
import { makeReplica, type ReplicaHandle } from "../../src/State/Replica.ts"
import { StoreIoError } from "../../src/State/Store.ts"
import { decodeMessage, encodeMessage, type SyncMessage } from "../../src/State/Sync.ts"
import { makeInProcessTransport } from "../../src/Net/InProcess.ts"
import type { Transport } from "../../src/Net/Transport.ts"
import { ViewportState } from "../../src/State/Viewport.ts"
import { waitUntil } from "../Net/helpers.ts"
import type { ChildConfig } from "./replica-child.ts"
import { joinOfMutations, mutation, mutationsOf, SUBJECT } from "./replica-workload.ts"

const L = ViewportState.joinSemilattice
const codec = ViewportStateCodec
const here = dirname(fileURLToPath(import.meta.url))
const N = 3
const COUNT = 40
const VICTIM = 2

/** One replica process and what it printed. */
class Child {
  readonly proc: ChildProcess
  readonly lines: Array<string> = []
  stderr = ""
  exited = false
  constructor(config: ChildConfig) {
    this.proc = spawn(process.execPath, [join(here, "replica-child.ts"), JSON.stringify(config)], { stdio: ["pipe", "pipe", "pipe"] })
    let buf = ""
    this.proc.stdout!.on("data", (c: Buffer) => {
      buf += c.toString("utf8")
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        this.lines.push(buf.slice(0, i))
        buf = buf.slice(i + 1)
      }
    })
    this.proc.stderr!.on("data", (c: Buffer) => void (this.stderr = (this.stderr + c.toString("utf8")).slice(-4000)))
    this.proc.once("exit", () => void (this.exited = true))
    live.add(this)
  }
  /** The highest `acked k` printed. */
  acked(): number {
    let k = 0
    for (const l of this.lines) if (l.startsWith("acked ")) k = Math.max(k, Number(l.slice(6)))
    return k
  }
  has(prefix: string): string | undefined {
    return this.lines.find((l) => l.startsWith(prefix))
  }
  async state(): Promise<ViewportState> {
    const before = this.lines.length
    this.proc.stdin!.write("state\n")
    await waitUntil(() => this.lines.slice(before).some((l) => l.startsWith("state ")), 5_000, `state of a replica (stderr: ${this.stderr})`)
    const line = this.lines.slice(before).find((l) => l.startsWith("state "))!
    const decoded = codec.decode(Buffer.from(line.slice(6), "hex"))
    if (Result.isFailure(decoded)) throw new Error(`replica sent an undecodable state: ${decoded.failure.message}`)
    return decoded.success
  }
  async kill(): Promise<void> {
    this.proc.kill("SIGKILL")
    await waitUntil(() => this.exited, 5_000, "the killed replica to exit")
    live.delete(this)
  }
  async close(): Promise<void> {
    this.proc.stdin!.end()
    await waitUntil(() => this.exited, 10_000, `replica to exit after stdin closed (stderr: ${this.stderr})`)
    live.delete(this)
  }
}

const live = new Set<Child>()
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of live) c.proc.kill("SIGKILL")
  live.clear()
  for (const f of cleanups.splice(0).reverse()) await f()
})

/** Every sync message on the group's subjects, decoded. */
const sniff = (t: NatsTransport): Array<SyncMessage<ViewportState>> => {
  const seen: Array<SyncMessage<ViewportState>> = []
  t.subscribe(`${SUBJECT}.>`, (bytes) => {
    const m = decodeMessage(codec, bytes)
    if (Result.isSuccess(m)) seen.push(m.success)
  })
  return seen
}

/**
 * What `victim` acknowledged to its peers: for each ACK(n) it sent to p, the
 * join of the payloads p sent it with `to ≤ n`. Waits until, for every ACK,
 * the message it answered (`to = n`) has been seen too.
 */
const acknowledgedBy = async (seen: ReadonlyArray<SyncMessage<ViewportState>>, victim: number): Promise<{ state: ViewportState; acks: number }> => {
  const acks = seen.filter((m) => m.kind === "ack" && m.sender === victim)
  const answered = (a: SyncMessage<ViewportState>): boolean =>
    a.kind === "ack" && seen.some((m) => m.kind !== "ack" && m.sender === a.receiver && m.receiver === victim && m.to === a.seq)
  await waitUntil(() => acks.every(answered), 5_000, "the messages each ACK answers")
  let state = L.bot
  for (const a of acks) {
    if (a.kind !== "ack") continue
    for (const m of seen) {
      if (m.kind !== "ack" && m.sender === a.receiver && m.receiver === victim && m.to <= a.seq) state = L.join(state, m.payload)
    }
  }
  return { state, acks: acks.length }
}

type StoreKind = "file" | "jetstream"

/** `busRestart`: nats-server is SIGKILLed too while the replica is down, and restarted on its port and store. */
const run = async (kind: StoreKind, busRestart = false): Promise<void> => {
  const server: NatsServerHandle = await startNatsServer()
  cleanups.push(() => server.stop())
  const dir = await mkdtemp(join(tmpdir(), "hydrogen-replica-"))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  const observer = await connectNats({ servers: server.url, name: "observer" })
  cleanups.push(() => observer.close())
  const seen = sniff(observer)
  await observer.flush()

  const storeOf = (id: number): ChildConfig["store"] =>
    kind === "file" ? { kind, path: join(dir, `replica-${id}.log`) } : { kind, name: `test-${id}` }
  const configOf = (id: number): ChildConfig => ({
    url: server.url,
    id,
    peers: Array.from({ length: N }, (_, i) => i).filter((i) => i !== id),
    store: storeOf(id),
    count: COUNT,
    // the victim mutates slower, so that it is killed mid-run
    periodMs: id === VICTIM ? 40 : 15,
    intervalMs: 20,
    // small, so that the run compacts several times, and the victim restarts from a snapshot
    compactEvery: 4,
  })
  const children = Array.from({ length: N }, (_, id) => new Child(configOf(id)))

  // Kill the victim mid-run, once it has stored some mutations and acknowledged peer payloads.
  await waitUntil(
    () => children[VICTIM]!.acked() >= 5 && seen.some((m) => m.kind === "ack" && m.sender === VICTIM),
    20_000,
    "the victim to store mutations and acknowledge a peer",
  )
  await children[VICTIM]!.kill()
  if (busRestart) {
    await server.kill()
    await server.restart()
    await waitUntil(() => !observer.connection.isClosed() && observer.connection.info !== undefined, 10_000, "the observer to reconnect")
  }
  const ackedLocal = children[VICTIM]!.acked()
  expect(ackedLocal).toBeLessThan(COUNT)
  const { state: ackedRemote, acks } = await acknowledgedBy(seen, VICTIM)
  expect(acks).toBeGreaterThan(0)

  // Nothing acknowledged is lost: read the dead replica's store directly.
  const loaded = await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const store: Store<ViewportState> =
          kind === "file"
            ? yield* openFileStore(join(dir, `replica-${VICTIM}.log`), codec)
            : yield* openJetStreamStore(observer.connection, codec, { name: `test-${VICTIM}` })
        return yield* store.load
      }),
    ),
  )
  expect(loaded.records[0]?.kind).toBe("snapshot")
  const stored = replay(L, loaded.records).state
  expect(le(L, joinOfMutations([0, 0, ackedLocal]), stored)).toBe(true)
  expect(le(L, ackedRemote, stored)).toBe(true)
  // and it holds only real mutations: its own below what it made, nothing past COUNT
  expect(mutationsOf(stored, VICTIM)).toBeGreaterThanOrEqual(ackedLocal)
  expect(le(L, stored, joinOfMutations([COUNT, COUNT, COUNT]))).toBe(true)

  // Restart it from its store; the others went on meanwhile.
  const restarted = new Child(configOf(VICTIM))
  children[VICTIM] = restarted
  await waitUntil(() => restarted.has("ready ") !== undefined, 10_000, `the restarted replica to load its store (stderr: ${restarted.stderr})`)
  const [, start, records] = restarted.has("ready ")!.split(" ")
  expect(Number(start)).toBeGreaterThanOrEqual(ackedLocal)
  expect(Number(records)).toBeGreaterThan(0)

  await waitUntil(
    () => {
      // a replica that died before finishing fails the test now, with its own words
      const dead = children.findIndex((c) => c.exited && c.has("done") === undefined)
      if (dead >= 0) throw new Error(`replica ${dead} exited before finishing: ${children[dead]!.stderr}`)
      return children.every((c) => c.has("done") !== undefined)
    },
    60_000,
    "every replica to finish its mutations",
  ).catch(async (e: Error) => {
    for (const c of children) c.proc.stdin!.write("stats\n")
    await new Promise((r) => setTimeout(r, 1000))
    throw new Error(`${e.message}; ${children.map((c, i) => `replica ${i}: acked ${c.acked()}, done ${c.has("done") !== undefined}, ${c.has("stats ") ?? "no stats"}, stderr ${c.stderr}`).join(" | ")}`)
  })
  const expected = joinOfMutations(Array.from({ length: N }, () => COUNT))
  let states: ViewportState[] = []
  await waitUntil(
    async () => {
      states = await Promise.all(children.map((c) => c.state()))
      return states.every((s) => L.equals(s, expected))
    },
    20_000,
    "every replica to hold the join of all mutations",
  )
  for (const s of states) expect(L.equals(s, expected)).toBe(true)
  expect(Array.from({ length: N }, (_, r) => mutationsOf(states[0]!, r))).toEqual([COUNT, COUNT, COUNT])

  // no replica rejected a message or hit a store failure
  for (const c of children) c.proc.stdin!.write("stats\n")
  await waitUntil(() => children.every((c) => c.has("stats ") !== undefined), 5_000, "stats of every replica")
  for (const c of children) {
    const stats = JSON.parse(c.has("stats ")!.slice(6)) as { rejected: number; storeFailures: number; compactions: number }
    expect(stats.rejected).toBe(0)
    // with the bus down, a JetStream store call may time out: then a message went unacknowledged (and was sent again)
    if (!(busRestart && kind === "jetstream")) expect(stats.storeFailures).toBe(0)
    expect(stats.compactions).toBeGreaterThan(0)
  }
  for (const c of children) await c.close()
  for (const c of children) expect(c.stderr).toBe("")
}

describe("viewport replicas over NATS, one SIGKILLed and restarted", () => {
  it("with the embedded file store: converge to the join of all mutations, nothing acknowledged lost", () => run("file"), 120_000)
  it("with the JetStream store: converge to the join of all mutations, nothing acknowledged lost", () => run("jetstream"), 120_000)
  it("with the JetStream store and the bus SIGKILLed and restarted too: converge, nothing acknowledged lost", () => run("jetstream", true), 120_000)
  it("with the file store and the bus SIGKILLed and restarted too: converge, nothing acknowledged lost", () => run("file", true), 120_000)
})

// ---------------------------------------------------------------------------
// One replica on the in-process bus, its peer played by the test.

/** Replica 0 (peer 1) on `t` with `store`; anti-entropy only when the test calls `gossip` (and once at start). */
const withReplica = <X>(t: Transport, store: Store<ViewportState>, f: (r: ReplicaHandle<ViewportState>) => Promise<X>) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const replica = yield* makeReplica({ id: 0, peers: [1], subject: SUBJECT, lattice: L, codec, transport: t, store, intervalMs: 3_600_000 })
        return yield* Effect.promise(() => f(replica))
      }),
    ),
  )

/** What replica 0 sends to peer 1, decoded. */
const toPeer = (t: Transport): Array<SyncMessage<ViewportState>> => {
  const got: Array<SyncMessage<ViewportState>> = []
  t.subscribe(`${SUBJECT}.1`, (bytes) => {
    const m = decodeMessage(codec, bytes)
    if (Result.isSuccess(m)) got.push(m.success)
  })
  return got
}

describe("a replica and its store", () => {
  it("a restart resumes sequence numbers above every one sent, so a stale ACK from before the crash skips nothing", async () => {
    const t = makeInProcessTransport()
    cleanups.push(() => t.close())
    const dir = await mkdtemp(join(tmpdir(), "hydrogen-replica-"))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const path = join(dir, "replica-0.log")
    const sent = toPeer(t)
    // First life: one mutation, sent as DELTA [·, n) and never acknowledged.
    const first = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const store = yield* openFileStore(path, codec)
          return yield* Effect.promise(() =>
            withReplica(t, store, async (r) => {
              await Effect.runPromise(r.update(() => mutation(0, 1)))
              const before = sent.length
              await Effect.runPromise(r.gossip)
              await waitUntil(() => sent.length > before, 2_000, "the first delta")
              return sent[sent.length - 1]!
            }),
          )
        }),
      ),
    )
    expect(first.kind).toBe("delta")
    const n = first.kind === "ack" ? 0 : first.to
    // Second life: a new mutation; then peer 1's ACK(n) of the first life arrives late.
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const store = yield* openFileStore(path, codec)
          yield* Effect.promise(() =>
            withReplica(t, store, async (r) => {
              await Effect.runPromise(r.update(() => mutation(0, 2)))
              t.publish(`${SUBJECT}.0`, encodeMessage(codec, { kind: "ack", sender: 1, receiver: 0, seq: n }))
              await waitUntil(async () => (await Effect.runPromise(r.stats)).received >= 1, 2_000, "the stale ACK to be handled")
              const before = sent.length
              await Effect.runPromise(r.gossip)
              await waitUntil(() => sent.length > before, 2_000, "the message after the restart")
              const m = sent[sent.length - 1]!
              // the peer is sent the new mutation (and, as a full state, the old one), numbered above n
              expect(m.kind).toBe("state")
              if (m.kind === "ack") return
              expect(m.to).toBeGreaterThan(n)
              expect(L.equals(m.payload, joinOfMutations([2]))).toBe(true)
            }),
          )
        }),
      ),
    )
  })

  it("an update the store cannot take fails, is not applied and is not sent; a payload it cannot take is not acknowledged", async () => {
    const t = makeInProcessTransport()
    cleanups.push(() => t.close())
    const sent = toPeer(t)
    const broken: Store<ViewportState> = {
      where: "broken",
      load: Effect.succeed({ records: [], repaired: undefined }),
      append: () => Effect.fail(new StoreIoError({ where: "broken", operation: "append", detail: "disk full" })),
      compact: () => Effect.void,
    }
    await withReplica(t, broken, async (r) => {
      const res = await Effect.runPromise(Effect.result(r.update(() => mutation(0, 1))))
      expect(res._tag === "Failure" && res.failure).toMatchObject({ _tag: "StoreIoError", detail: "disk full" })
      expect(L.equals(await Effect.runPromise(r.state), L.bot)).toBe(true)
      // nothing is sent before its sequence numbers are reserved in the store
      const g = await Effect.runPromise(Effect.result(r.gossip))
      expect(g._tag === "Failure" && g.failure).toMatchObject({ _tag: "StoreIoError" })
      const failuresBefore = (await Effect.runPromise(r.stats)).storeFailures
      t.publish(`${SUBJECT}.0`, encodeMessage(codec, { kind: "delta", sender: 1, receiver: 0, from: 0, to: 1, payload: mutation(1, 1) }))
      await waitUntil(async () => (await Effect.runPromise(r.stats)).storeFailures > failuresBefore, 2_000, "the receive to hit the store failure")
      await t.flush()
      expect(L.equals(await Effect.runPromise(r.state), L.bot)).toBe(true)
      expect(sent.filter((m) => m.kind === "ack")).toEqual([])
      expect(sent).toEqual([])
      expect((await Effect.runPromise(r.stats)).acksSent).toBe(0)
    })
  })
})
