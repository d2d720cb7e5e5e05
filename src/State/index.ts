/**
 * `hydrogen/state`: the proved state-based CRDTs (`lean/Hydrogen/State/`),
 * their binary encoding, garbage collection and the anti-entropy sync
 * protocol. The CRDT values are exported flat (each a type and a namespace
 * object of the same name: `LWWMap.join`, `ORSet.add`, ...); the other topics
 * as namespaces named after their files.
 *
 * @module
 */
export { GCounter, PNCounter, VectorClock } from "./Counter.ts"
export { LWWColumns, LWWMap, LWWReg } from "./Register.ts"
export { ORMap, ORSet } from "./ORSet.ts"
export { ViewportState } from "./Viewport.ts"
export * as Encoding from "./Encoding.ts"
export * as Gc from "./Gc.ts"
export * as Lattice from "./Lattice.ts"
export * as Sync from "./Sync.ts"
