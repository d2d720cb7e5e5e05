/**
 * A throw-away nats-server cluster on loopback (tests, local runs): N nodes,
 * each its own `startNatsServer` with a client port, a cluster port and
 * routes to every other node (`--cluster`, `--routes`, `--cluster_name`).
 * The promise resolves once the cluster has formed: a message published on
 * any node reaches a subscriber on every node (routes up, interest
 * propagated), and with JetStream once every node answers a JetStream
 * account request (the meta group has a leader). Every node has its own
 * store dir and server name, which clustered JetStream needs.
 *
 * Clients are spread over the nodes with `spreadAcross`: client `i` dials
 * node `i mod N` first and knows every other node, so when its node dies it
 * reconnects to another one.
 */
import { setTimeout as sleep } from "node:timers/promises"
import { jetstreamManager } from "@nats-io/jetstream"
import { NatsServerStartFailed } from "./Errors.ts"
import { connectNats, type NatsTransport } from "./Nats.ts"
import { freeLoopbackPort, type NatsServerHandle, startNatsServer } from "./NatsServer.ts"

export interface NatsClusterOptions {
  /** Number of nodes (default 3, at least 2). */
  readonly nodes?: number
  /** JetStream on every node (default false). */
  readonly jetstream?: boolean
  /** Path of the nats-server binary (default: searched as by `startNatsServer`). */
  readonly binary?: string
  /** How long to wait for every node to start and the routes to carry messages (default 20 000 ms). */
  readonly startTimeoutMs?: number
}

export interface NatsClusterHandle {
  /** The client URL of every node, node order. */
  readonly urls: ReadonlyArray<string>
  readonly nodes: ReadonlyArray<NatsServerHandle>
  /** The cluster (route) port of every node. */
  readonly clusterPorts: ReadonlyArray<number>
  /** Stops every node (graceful, store dirs removed). Idempotent. */
  stop(): Promise<void>
}

/** The server list of client `i`: node `i mod N` first, then the others in order. */
export const spreadAcross = (urls: ReadonlyArray<string>, i: number): Array<string> => {
  const n = urls.length
  if (n === 0) throw new RangeError("spreadAcross: no server URLs")
  const first = ((i % n) + n) % n
  return [...urls.slice(first), ...urls.slice(0, first)]
}

/** Distinct free loopback ports. */
const freePorts = async (n: number, taken: ReadonlySet<number>): Promise<Array<number>> => {
  const out: Array<number> = []
  while (out.length < n) {
    const p = await freeLoopbackPort()
    if (!taken.has(p) && !out.includes(p)) out.push(p)
  }
  return out
}


/** Whether a message published on every node reaches a subscriber on every node (one probe round). */
const routesCarry = async (clients: ReadonlyArray<NatsTransport>, probe: number): Promise<boolean> => {
  const n = clients.length
  const heard = clients.map(() => new Set<number>())
  const subject = (i: number): string => `_hydrogen.cluster.${probe}.${i}`
  const subs = clients.map((c, i) => c.subscribe(subject(i), (data) => heard[i]!.add(data[0]!)))
  try {
    await Promise.all(clients.map((c) => c.flush()))
    // give the new interest a moment to cross the routes, then publish from every node to every node
    await sleep(50)
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) clients[j]!.publish(subject(i), new Uint8Array([j]))
    await Promise.all(clients.map((c) => c.flush()))
    await sleep(50)
    return heard.every((h) => h.size === n)
  } finally {
    await Promise.all(subs.map((s) => s.unsubscribe()))
  }
}

/** Whether every node answers a JetStream account-info request. */
const jetstreamReady = async (clients: ReadonlyArray<NatsTransport>): Promise<boolean> => {
  try {
    for (const c of clients) await (await jetstreamManager(c.connection, { timeout: 1_000 })).getAccountInfo()
    return true
  } catch {
    return false
  }
}

/** Starts the cluster (see the module doc); on any failure every node started is stopped. */
export const startNatsCluster = async (options: NatsClusterOptions = {}): Promise<NatsClusterHandle> => {
  const count = options.nodes ?? 3
  if (!Number.isSafeInteger(count) || count < 2) throw new RangeError(`startNatsCluster: nodes must be an integer >= 2, got ${count}`)
  const timeoutMs = options.startTimeoutMs ?? 20_000
  const clusterPorts = await freePorts(count, new Set())
  const name = `hydrogen-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
  const route = (p: number): string => `nats://127.0.0.1:${p}`
  const started = await Promise.allSettled(
    clusterPorts.map((cp) =>
      startNatsServer({
        jetstream: options.jetstream ?? false,
        startTimeoutMs: timeoutMs,
        ...(options.binary === undefined ? {} : { binary: options.binary }),
        extraArgs: ["--cluster", route(cp), "--cluster_name", name, "--routes", clusterPorts.filter((o) => o !== cp).map(route).join(",")],
      }),
    ),
  )
  const nodes = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []))
  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    await Promise.all(nodes.map((s) => s.stop()))
  }
  let probes: Array<NatsTransport> = []
  try {
    for (const r of started) if (r.status === "rejected") throw r.reason
    probes = await Promise.all(nodes.map((s, i) => connectNats({ servers: s.url, name: `cluster-probe-${i}`, noRandomize: true })))
    const deadline = Date.now() + timeoutMs
    const formed = async (probe: number): Promise<boolean> =>
      (await routesCarry(probes, probe)) && (options.jetstream !== true || (await jetstreamReady(probes)))
    for (let probe = 0; !(await formed(probe)); probe++) {
      if (Date.now() > deadline) {
        const first = nodes[0]!
        throw new NatsServerStartFailed({
          binary: first.binary,
          args: [],
          detail: `the ${count} nodes did not carry messages between each other${options.jetstream === true ? " or answer JetStream" : ""} within ${timeoutMs} ms`,
          stderr: nodes.map((s, i) => `--- node ${i} ---\n${s.log}`).join("\n"),
        })
      }
      await sleep(100)
    }
  } catch (e) {
    await Promise.allSettled(probes.map((c) => c.close()))
    await stop()
    throw e
  }
  await Promise.allSettled(probes.map((c) => c.close()))
  return { urls: nodes.map((s) => s.url), nodes, clusterPorts, stop }
}
