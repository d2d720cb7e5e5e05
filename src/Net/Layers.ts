/**
 * The message bus as an Effect service: `TransportService` (the tag, shape =
 * the plain `Transport` interface) and two layers, the embedded in-process bus
 * (the default) and NATS (scoped: connects on acquire, closes on release).
 * Code that does not use Effect can use the plain constructors directly.
 */
import { Context, Effect, Layer } from "effect"
import { TransportError } from "./Errors.ts"
import { type InProcessOptions, makeInProcessTransport } from "./InProcess.ts"
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
