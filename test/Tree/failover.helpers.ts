/** Shared set-up of the failover and partition tests: one tree per transport, with a way to cut and heal a subtree. */
import { isolating, makeInProcessServer } from "../../src/Net/InProcess.ts"
import { connectNats } from "../../src/Net/Nats.ts"
import { type NatsServerHandle, startNatsServer } from "../../src/Net/NatsServer.ts"
import type { Transport } from "../../src/Net/Transport.ts"
import { type FailoverEvent, ReplicatedTree, type ReplicatedTreeOptions } from "../../src/Tree/Failover.ts"
import type { CoordinatorId } from "../../src/Tree/Topology.ts"

export type TransportKind = "in-process" | "nats"
export const transportKinds: ReadonlyArray<TransportKind> = ["in-process", "nats"]

/**
 * Scheduling slack on top of the protocol's deadline of `suspectAfter`
 * heartbeat intervals, for event-loop scheduling only. The protocol itself
 * leaves room inside the deadline: a standby claims the lease after
 * `suspectAfter − 1` intervals without its leader, checking every quarter
 * interval, plus one KV round trip (2¼ intervals + a round trip from the last
 * renewal, which is at or before the kill); it does not wait for the server
 * to expire the lease key. The slack covers timer callbacks of a busy test
 * process firing late.
 */
export const schedulingSlackMs = 20

/**
 * On NATS every replica is its own connection (3 per position) in this one
 * test process, sharing 2 cores with nats-server; loaded runs showed the whole
 * process stalling for 250–450 ms, so the NATS deadline carries more slack and
 * the NATS trees are smaller. Measured takeovers in unloaded runs: 98–260 ms.
 */
export const schedulingSlackFor = (kind: TransportKind): number => (kind === "nats" ? 100 : schedulingSlackMs)

/** Tree size per transport: fewer connections on NATS (see `schedulingSlackFor`). */
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

export const startHarness = async (
  kind: TransportKind,
  opts: Omit<ReplicatedTreeOptions, "connect">,
): Promise<Harness> => {
  const closers: Array<() => Promise<void>> = []
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => undefined)
  }
  try {
    if (kind === "in-process") {
      const server = makeInProcessServer()
      const tree = await ReplicatedTree.start({ ...opts, connect: (n) => server.connect(n) })
      closers.push(() => tree.stop())
      const raw = server.connect("raw")
      return {
        tree,
        raw,
        cut: async (c) => server.partition(isolating(...tree.subtreeClients(c))),
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
      return t
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
