/**
 * A throw-away nats-server cluster on loopback (tests, local runs): N nodes,
 * each its own `startNatsServer` with a client port, a cluster port and
 * routes to every other node (`--cluster`, `--routes`, `--cluster_name`).
 * `natsCluster` is the scoped form. The promise resolves once the cluster has formed: a message published on
 * any node reaches a subscriber on every node (routes up, interest
 * propagated), and with JetStream once every node answers a JetStream
 * account request (the meta group has a leader). Every node has its own
 * store dir and server name, which clustered JetStream needs.
 *
 * Clients are spread over the nodes with `spreadAcross`: client `i` dials
 * node `i mod N` first and knows every other node, so when its node dies it
 * reconnects to another one.
 */
import { jetstreamManager } from "@nats-io/jetstream"
import { Effect, type Scope } from "effect"
import { type NatsServerMissing, NatsServerStartFailed } from "./Errors.ts"
import { pollUntil, sleep } from "./Lifecycle.ts"
import { type NatsTransport, natsConnection } from "./Nats.ts"
import { freeLoopbackPort, type NatsServerHandle, startNatsServerEffect } from "./NatsServer.ts"

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

/** Whether the cluster has formed: routes carry messages and, with JetStream, every node answers it. */
const formed = (probes: ReadonlyArray<NatsTransport>, probe: number, jetstream: boolean): Promise<boolean> =>
  routesCarry(probes, probe).then(async (ok) => ok && (!jetstream || (await jetstreamReady(probes))))

/**
 * Starts the cluster (see the module doc) and gives its handle; the caller
 * owns it (`stop`). Formation is polled under a Schedule (every 100 ms) until
 * `startTimeoutMs`, then `NatsServerStartFailed` with every node's log; on any
 * failure or interruption every node started is stopped.
 */
export const startNatsClusterEffect = (options: NatsClusterOptions = {}): Effect.Effect<NatsClusterHandle, NatsServerMissing | NatsServerStartFailed> =>
  Effect.gen(function* () {
    const count = options.nodes ?? 3
    if (!Number.isSafeInteger(count) || count < 2) return yield* Effect.die(new RangeError(`startNatsCluster: nodes must be an integer >= 2, got ${count}`))
    const timeoutMs = options.startTimeoutMs ?? 20_000
    const jetstream = options.jetstream ?? false
    const clusterPorts = yield* Effect.promise(() => freePorts(count, new Set()))
    const name = `hydrogen-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
    const route = (p: number): string => `nats://127.0.0.1:${p}`
    const started = yield* Effect.forEach(
      clusterPorts,
      (cp) =>
        Effect.exit(
          startNatsServerEffect({
            jetstream,
            startTimeoutMs: timeoutMs,
            ...(options.binary === undefined ? {} : { binary: options.binary }),
            extraArgs: ["--cluster", route(cp), "--cluster_name", name, "--routes", clusterPorts.filter((o) => o !== cp).map(route).join(",")],
          }),
        ),
      { concurrency: "unbounded" },
    )
    const nodes = started.flatMap((r) => (r._tag === "Success" ? [r.value] : []))
    let stopped = false
    const stop = async (): Promise<void> => {
      if (stopped) return
      stopped = true
      await Promise.all(nodes.map((s) => s.stop()))
    }
    const form = Effect.gen(function* () {
      for (const r of started) if (r._tag === "Failure") return yield* Effect.failCause(r.cause)
      const probes = yield* Effect.forEach(nodes, (s, i) => natsConnection({ servers: s.url, name: `cluster-probe-${i}`, noRandomize: true }), { concurrency: "unbounded" }).pipe(
        Effect.mapError((e) => new NatsServerStartFailed({ binary: nodes[0]!.binary, args: [], detail: `probe connection: ${e.message}`, stderr: "" })),
      )
      let probe = 0
      yield* pollUntil(Effect.promise(() => formed(probes, probe++, jetstream)), {
        everyMs: 100,
        withinMs: timeoutMs,
        onTimeout: () =>
          new NatsServerStartFailed({
            binary: nodes[0]!.binary,
            args: [],
            detail: `the ${count} nodes did not carry messages between each other${jetstream ? " or answer JetStream" : ""} within ${timeoutMs} ms`,
            stderr: nodes.map((s, i) => `--- node ${i} ---\n${s.log}`).join("\n"),
          }),
      })
    })
    // the probe connections close with this inner scope; the nodes stop on failure or interruption
    yield* Effect.scoped(form).pipe(Effect.onError(() => Effect.promise(stop)))
    return { urls: nodes.map((s) => s.url), nodes, clusterPorts, stop }
  })

/** `startNatsClusterEffect` for Promise callers. */
export const startNatsCluster = (options: NatsClusterOptions = {}): Promise<NatsClusterHandle> => Effect.runPromise(startNatsClusterEffect(options))

/** A cluster as a scoped resource: formed on acquire, every node stopped on release. */
export const natsCluster = (options: NatsClusterOptions = {}): Effect.Effect<NatsClusterHandle, NatsServerMissing | NatsServerStartFailed, Scope.Scope> =>
  Effect.acquireRelease(startNatsClusterEffect(options), (c) => Effect.promise(() => c.stop()), { interruptible: true })
