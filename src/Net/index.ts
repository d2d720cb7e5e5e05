/**
 * `hydrogen/net`: the `Transport` interface the tree runs over, with the
 * embedded in-process bus and NATS, as plain constructors and as Effect
 * layers, and loopback nats-server launchers, one server or a cluster
 * (needs `nats-server` on PATH), as Promises or scoped Effects; `Lifecycle`
 * for child processes as scoped resources.
 *
 * @module
 */
export type * from "./Transport.ts"
export { makeInProcessTransport } from "./InProcess.ts"
export { connectNats } from "./Nats.ts"
export * as Auth from "./Auth.ts"
export * as Errors from "./Errors.ts"
export * as InProcess from "./InProcess.ts"
export * as Layers from "./Layers.ts"
export * as Lifecycle from "./Lifecycle.ts"
export * as Nats from "./Nats.ts"
export * as NatsServer from "./NatsServer.ts"
export * as NatsCluster from "./NatsCluster.ts"
