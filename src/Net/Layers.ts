/**
 * The message bus as Effect services, each with the embedded in-process
 * default and NATS:
 *
 * - `TransportService`: one client (scoped: connects on acquire, closes on release);
 * - `BusService`: a connection factory for code that opens a client per
 *   coordinator (the tree): every client it opened is closed when its scope
 *   closes, whatever the code that asked for them did (`inProcessBus`,
 *   `natsBus`, and their layers). The CLI's tree run takes its clients from it.
 *
 * - `NatsServers`: the server URLs a run talks to: given (`--servers`), or a
 *   nats-server (`NatsServerLayer`) or cluster (`NatsClusterLayer`) started on
 *   loopback for the life of the layer; the CLI's tree modes and the tests
 *   build it into their scope (`natsServers`).
 *
 * Code that does not use Effect can use the plain constructors directly.
 */
import { Context, Effect, Layer, type Scope } from "effect"
import { type NatsServerMissing, type NatsServerStartFailed, TransportError } from "./Errors.ts"
import { type InProcessOptions, makeInProcessServer, makeInProcessTransport } from "./InProcess.ts"
import { connectNats, type NatsCredentials, natsConnection, type NatsTransportOptions } from "./Nats.ts"
import { type NatsClusterHandle, type NatsClusterOptions, natsCluster } from "./NatsCluster.ts"
import { type NatsServerHandle, type NatsServerOptions, natsServer } from "./NatsServer.ts"
import type { Transport } from "./Transport.ts"

/** The transport service. */
export class TransportService extends Context.Service<TransportService, Transport>()("hydrogen/Net/Transport") {}

/** The embedded default: a fresh in-process bus, closed when the layer is released. */
export const InProcessTransportLayer: Layer.Layer<TransportService> = Layer.effect(TransportService)(
  Effect.acquireRelease(
    Effect.sync(() => makeInProcessTransport()),
    (t) => Effect.promise(() => t.close()),
  ),
)

/** An in-process bus with options (clock, handler-error hook). */
export const inProcessTransportLayer = (options: InProcessOptions & { readonly clientName?: string }): Layer.Layer<TransportService> =>
  Layer.effect(TransportService)(
    Effect.acquireRelease(
      Effect.sync(() => makeInProcessTransport(options)),
      (t) => Effect.promise(() => t.close()),
    ),
  )

/** NATS at `url` (or full options); connects on acquire (retried under its Schedule), closes on release. */
export const NatsTransportLayer = (urlOrOptions: string | NatsTransportOptions): Layer.Layer<TransportService, TransportError> =>
  Layer.effect(TransportService)(natsConnection(typeof urlOrOptions === "string" ? { servers: urlOrOptions, name: "hydrogen" } : urlOrOptions))

/** A connection factory whose clients live as long as its scope. */
export interface Bus {
  readonly kind: "in-process" | "nats"
  /** Opens one client named `name` (a failure to connect is a `TransportError`). */
  connect(name: string): Promise<Transport>
  /** Clients opened and not yet closed by the bus (the tree may close its own earlier). */
  readonly open: () => number
}

/** The bus service. */
export class BusService extends Context.Service<BusService, Bus>()("hydrogen/Net/Bus") {}

const trackedBus = (kind: Bus["kind"], open: (name: string) => Transport | Promise<Transport>): Effect.Effect<Bus, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const clients = new Set<Transport>()
      let released = false
      const bus: Bus & { readonly release: () => Promise<void> } = {
        kind,
        connect: async (name) => {
          if (released) throw new TransportError({ reason: "closed", detail: `bus released; cannot open ${name}` })
          const t = await open(name)
          clients.add(t)
          return t
        },
        open: () => clients.size,
        release: async () => {
          released = true
          await Promise.all([...clients].map((c) => c.close().catch(() => undefined)))
          clients.clear()
        },
      }
      return bus
    }),
    (bus) => Effect.promise(() => bus.release()),
  )

/** The embedded bus: one in-process server; its clients are closed when the scope closes. */
export const inProcessBus = (): Effect.Effect<Bus, never, Scope.Scope> => {
  const server = makeInProcessServer()
  return trackedBus("in-process", (name) => server.connect(name))
}

/** NATS at `servers`: one connection per client, all closed when the scope closes; `credentialsFor` names each client's credentials (src/Net/Auth.ts). */
export const natsBus = (servers: ReadonlyArray<string>, credentialsFor?: (name: string) => NatsCredentials): Effect.Effect<Bus, never, Scope.Scope> =>
  trackedBus("nats", (name) => connectNats({ servers: [...servers], name, ...(credentialsFor === undefined ? {} : { credentials: credentialsFor(name) }) }))

/** `inProcessBus` as a layer. */
export const InProcessBusLayer: Layer.Layer<BusService> = Layer.effect(BusService)(Effect.suspend(inProcessBus))

/** `natsBus` as a layer. */
export const NatsBusLayer = (servers: ReadonlyArray<string>): Layer.Layer<BusService> => Layer.effect(BusService)(natsBus(servers))

/** The NATS server URLs a run talks to. */
export class NatsServers extends Context.Service<NatsServers, ReadonlyArray<string>>()("hydrogen/Net/NatsServers") {}

/** One nats-server on loopback, as a service (its handle: url, pid, kill/restart for chaos). */
export class NatsServerService extends Context.Service<NatsServerService, NatsServerHandle>()("hydrogen/Net/NatsServer") {}

/** A nats-server started on acquire and stopped on release (also on interruption); provides its handle and its URL. */
export const NatsServerLayer = (options: NatsServerOptions = {}): Layer.Layer<NatsServerService | NatsServers, NatsServerMissing | NatsServerStartFailed> =>
  Layer.effectContext(Effect.map(natsServer(options), (h) => Context.make(NatsServerService, h).pipe(Context.add(NatsServers, [h.url]))))

/** A cluster on loopback, as a service. */
export class NatsClusterService extends Context.Service<NatsClusterService, NatsClusterHandle>()("hydrogen/Net/NatsCluster") {}

/** A nats-server cluster formed on acquire and stopped on release; provides its handle and every node's URL. */
export const NatsClusterLayer = (options: NatsClusterOptions = {}): Layer.Layer<NatsClusterService | NatsServers, NatsServerMissing | NatsServerStartFailed> =>
  Layer.effectContext(Effect.map(natsCluster(options), (c) => Context.make(NatsClusterService, c).pipe(Context.add(NatsServers, c.urls))))

/** Given URLs, or else a nats-server of its own (`onStart` is told its URL). */
export const natsServersLayer = (options: {
  readonly servers?: ReadonlyArray<string> | undefined
  readonly jetstream?: boolean
  readonly onStart?: (url: string) => void
}): Layer.Layer<NatsServers, NatsServerMissing | NatsServerStartFailed> =>
  options.servers !== undefined
    ? Layer.succeed(NatsServers)(options.servers)
    : Layer.effect(NatsServers)(
        natsServer({ jetstream: options.jetstream ?? false }).pipe(
          Effect.tap((h) => Effect.sync(() => options.onStart?.(h.url))),
          Effect.map((h) => [h.url]),
        ),
      )

/** Builds `layer` into the current scope and gives its URLs: they stay up until that scope closes. */
export const natsServers = <E>(layer: Layer.Layer<NatsServers, E>): Effect.Effect<ReadonlyArray<string>, E, Scope.Scope> =>
  Effect.map(Layer.build(layer), (ctx) => Context.get(ctx, NatsServers))
