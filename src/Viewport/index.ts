/**
 * `hydrogen/viewport`: trigger graphs (acyclic registration, bounded chains
 * and fan-out, settling within the proved number of frames) and the runtime
 * that delivers trigger events frame by frame.
 *
 * @module
 */
export * from "./Trigger.ts"
export * as Trigger from "./Trigger.ts"
