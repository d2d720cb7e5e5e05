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
 * Code that does not use Effect can use the plain constructors directly.
 */
import { Context, Effect, Layer, type Scope } from "effect"
import { TransportError } from "./Errors.ts"
import { type InProcessOptions, makeInProcessServer, makeInProcessTransport } from "./InProcess.ts"
import { connectNats, type NatsTransportOptions } from "./Nats.ts"
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

/** NATS at `url` (or full options); connects on acquire, closes on release. */
export const NatsTransportLayer = (
  urlOrOptions: string | NatsTransportOptions,
): Layer.Layer<TransportService, TransportError> =>
  Layer.effect(TransportService)(
    Effect.acquireRelease(
      Effect.tryPromise({
        try: () => connectNats(typeof urlOrOptions === "string" ? { servers: urlOrOptions, name: "hydrogen" } : urlOrOptions),
        catch: (e) =>
          e instanceof TransportError
            ? e
            : new TransportError({ reason: "connect", detail: e instanceof Error ? e.message : String(e), cause: e }),
      }),
      (t) => Effect.promise(() => t.close().catch(() => undefined)),
    ),
  )

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

/** NATS at `servers`: one connection per client, all closed when the scope closes. */
export const natsBus = (servers: ReadonlyArray<string>): Effect.Effect<Bus, never, Scope.Scope> =>
  trackedBus("nats", (name) => connectNats({ servers: [...servers], name }))

/** `inProcessBus` as a layer. */
export const InProcessBusLayer: Layer.Layer<BusService> = Layer.effect(BusService)(Effect.suspend(inProcessBus))

/** `natsBus` as a layer. */
export const NatsBusLayer = (servers: ReadonlyArray<string>): Layer.Layer<BusService> => Layer.effect(BusService)(natsBus(servers))
