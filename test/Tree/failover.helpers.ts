/** Shared set-up of the failover and partition tests: one tree per transport, with a way to cut and heal a subtree. */
import { isolatingAll, makeInProcessServer } from "../../src/Net/InProcess.ts"
import { connectNats } from "../../src/Net/Nats.ts"
import { type NatsServerHandle, startNatsServer } from "../../src/Net/NatsServer.ts"
import type { Kv, Transport } from "../../src/Net/Transport.ts"
import { type FailoverEvent, ReplicatedTree, type ReplicatedTreeOptions } from "../../src/Tree/Failover.ts"
import type { CoordinatorId } from "../../src/Tree/Topology.ts"

export type TransportKind = "in-process" | "nats"
export const transportKinds: ReadonlyArray<TransportKind> = ["in-process", "nats"]

/**
 * Scheduling slack on top of the protocol's deadline of `suspectAfter`
 * heartbeat intervals, for event-loop scheduling only, the same on both
 * transports. The protocol itself leaves room inside the deadline: a standby
 * claims the lease the moment it has heard nothing from its leader for
 * `suspectAfter − 1` intervals (it read the key earlier, once the heartbeat
 * was overdue), so a leader killed at K, whose last heartbeat was at R ≤ K,
 * is replaced by R + 2 intervals + heartbeat delivery + one KV round trip;
 * it does not wait for the server to expire the lease key. The slack covers
 * timer callbacks of a busy test process firing late.
 *
 * Measured on this project's 2-core machine (ms from the kill to the
 * takeover; the tests below, 3 kills per NATS run, 4 per in-process run):
 * - alone, 10 runs: NATS 112–193 (p50 140), in-process 111–187;
 * - during the whole `vitest run test/Tree test/Net`, 4 runs: NATS 131–200;
 * - beside two busy-looping processes, 5 runs: NATS 129–205;
 * - while the rest of test/Tree and test/Net ran in a loop beside it, 15
 *   runs: NATS 105–311 (44 of 45 at most 209; the one at 311 had its claim
 *   delayed ~100 ms, an event-loop stall or a slow read), in-process 108–210.
 * Before standbys read the lease once per silence (instead of every quarter
 * interval) and heartbeats stopped waiting for the renewal's round trip,
 * loaded runs could turn late heartbeats into a storm of needless takeovers
 * (measured with the same 31-position tree as below: up to 387 ms; with
 * 150 positions: up to 615 ms, 18–41 needless takeovers per 20 kills), and
 * the NATS deadline carried 100 ms of slack.
 */
export const schedulingSlackMs = 20

/**
 * Tree size per transport: fewer positions on NATS. Every replica is its own
 * NATS connection in this one test process (3 per position), which plays the
 * part of hundreds of processes: 150 positions (450 connections) keep this
 * process at 50–75% of a core and nats-server at 27–35% in steady state
 * (31 positions: ~25% and ~11%), so on the 2-core machine, beside other
 * test files, the large tree's event loop falls behind by up to 150 ms and
 * its takeovers reach 275 ms (p90) to 451 ms (max) for want of CPU, not
 * because of the protocol (no needless takeovers there any more).
 */
export const failoverTreeFor = (kind: TransportKind, inProcessAgents: number): number =>
  kind === "nats" ? Math.min(inProcessAgents, 100) : inProcessAgents

export interface Harness {
  readonly tree: ReplicatedTree
  /** A raw client (for injecting messages). */
  readonly raw: Transport
  /** Cuts `c`'s subtree off the bus: an in-process partition, or on NATS closing every replica's connection. */
  cut(c: CoordinatorId): Promise<void>
  /** Heals the cut: removes the partition, or reconnects the replicas. */
  heal(c: CoordinatorId): Promise<void>
  close(): Promise<void>
}

/** One KV request of a replica, seen by `observeKv`: when it was issued and what it was. */
export interface KvRequest {
  readonly client: string
  readonly op: keyof Kv
  readonly key: string
  readonly at: number
}

/** The same transport, reporting every KV request made through it. */
const observingKv = (t: Transport, client: string, onKv: (r: KvRequest) => void): Transport => {
  const wrap = (kv: Kv): Kv => ({
    get: (key) => (onKv({ client, op: "get", key, at: performance.now() }), kv.get(key)),
    create: (key, v) => (onKv({ client, op: "create", key, at: performance.now() }), kv.create(key, v)),
    update: (key, v, r) => (onKv({ client, op: "update", key, at: performance.now() }), kv.update(key, v, r)),
    delete: (key) => (onKv({ client, op: "delete", key, at: performance.now() }), kv.delete(key)),
  })
  return {
    kind: t.kind,
    publish: (subject, data) => t.publish(subject, data),
    subscribe: (subject, handler, o) => t.subscribe(subject, handler, o),
    kv: async (bucket, o) => wrap(await t.kv(bucket, o)),
    flush: () => t.flush(),
    close: () => t.close(),
  }
}

export interface HarnessOptions {
  /** Called for every KV request of every replica. */
  readonly observeKv?: (r: KvRequest) => void
}

export const startHarness = async (
  kind: TransportKind,
  opts: Omit<ReplicatedTreeOptions, "connect">,
  harnessOptions: HarnessOptions = {},
): Promise<Harness> => {
  const observe = harnessOptions.observeKv
  const observed = (t: Transport, name: string): Transport => (observe === undefined ? t : observingKv(t, name, observe))
  const closers: Array<() => Promise<void>> = []
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => undefined)
  }
  try {
    if (kind === "in-process") {
      const server = makeInProcessServer()
      const tree = await ReplicatedTree.start({ ...opts, connect: (n) => observed(server.connect(n), n) })
      closers.push(() => tree.stop())
      const raw = server.connect("raw")
      return {
        tree,
        raw,
        cut: async (c) => server.partition(isolatingAll(tree.subtreeClients(c))),
        heal: async () => server.heal(),
        close,
      }
    }
    const handle: NatsServerHandle = await startNatsServer()
    closers.push(() => handle.stop())
    const clients: Transport[] = []
    const connect = async (name: string) => {
      const t = await connectNats({ servers: handle.url, name })
      clients.push(t)
      return observed(t, name)
    }
    closers.push(async () => {
      await Promise.all(clients.map((t) => t.close().catch(() => undefined)))
    })
    const tree = await ReplicatedTree.start({ ...opts, connect })
    closers.push(() => tree.stop())
    const raw = await connect("raw")
    const replicasIn = (c: CoordinatorId) => tree.subtree(c).flatMap((p) => tree.replicasOf(p))
    return {
      tree,
      raw,
      cut: async (c) => {
        await Promise.all(replicasIn(c).map((r) => r.disconnect()))
      },
      heal: async (c) => {
        await Promise.all(replicasIn(c).map((r) => r.reconnect()))
      },
      close,
    }
  } catch (e) {
    await close()
    throw e
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export const waitUntil = async (cond: () => boolean, timeoutMs: number, what: string): Promise<void> => {
  const deadline = performance.now() + timeoutMs
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(5)
  }
}

/** Runs rounds until the root is exact for one (at most `maxRounds`); the number of rounds it took, or undefined. */
export const roundsUntilExact = async (tree: ReplicatedTree, maxRounds: number, perRoundMs: number): Promise<number | undefined> => {
  for (let i = 1; i <= maxRounds; i++) {
    const r = tree.nextRound()
    if ((await tree.untilExact(r, perRoundMs)) !== undefined) return i
  }
  return undefined
}

export const describeEvent = (e: FailoverEvent): string => JSON.stringify(e)
