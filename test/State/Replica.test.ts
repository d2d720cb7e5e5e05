/**
 * Viewport state replicated over a real nats-server (`src/State/Replica.ts`),
 * with each store (`FileStore.ts`, `JetStreamStore.ts`): three replicas, each
 * its own process, make concurrent mutations and sync with the anti-entropy
 * protocol; one is SIGKILLed mid-run and restarted from its store.
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
import { decodeMessage, type SyncMessage } from "../../src/State/Sync.ts"
import { ViewportState } from "../../src/State/Viewport.ts"
import { waitUntil } from "../Net/helpers.ts"
import type { ChildConfig } from "./replica-child.ts"
import { joinOfMutations, mutationsOf, SUBJECT } from "./replica-workload.ts"

const L = ViewportState.joinSemilattice
const codec = ViewportStateCodec
const here = dirname(fileURLToPath(import.meta.url))
const N = 3
const COUNT = 30
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

const run = async (kind: StoreKind): Promise<void> => {
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
    periodMs: 15,
    intervalMs: 20,
    // small, so that the run compacts several times, and the victim restarts from a snapshot
    compactEvery: 16,
  })
  const children = Array.from({ length: N }, (_, id) => new Child(configOf(id)))

  // Kill the victim mid-run, once it has stored some mutations and acknowledged peer payloads.
  await waitUntil(
    () => children[VICTIM]!.acked() >= 8 && seen.some((m) => m.kind === "ack" && m.sender === VICTIM),
    20_000,
    "the victim to store mutations and acknowledge a peer",
  )
  await children[VICTIM]!.kill()
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

  await waitUntil(() => children.every((c) => c.has("done") !== undefined), 30_000, "every replica to finish its mutations")
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

  for (const c of children) await c.close()
  for (const c of children) expect(c.stderr).toBe("")
}

describe("viewport replicas over NATS, one SIGKILLed and restarted", () => {
  it("with the embedded file store: converge to the join of all mutations, nothing acknowledged lost", () => run("file"))
  it("with the JetStream store: converge to the join of all mutations, nothing acknowledged lost", () => run("jetstream"))
})
