/**
 * `hydrogen/mesh`: seed 002 on the coordinator tree — arrival-time scheduling,
 * trinary quorum, impedance records and their proved summary, the mixed
 * hierarchy, circuit breakers and degradation modes, and conflict records
 * (`Hydrogen.Mesh`), with schema decoders for the records they read. The
 * durable conflict log (src/Mesh/ConflictLog.ts) is Node-only and not exported here.
 * The simulation's virtual clock (Sim*) is exported; its live mode over NATS
 * (SimLive.ts, SimHost.ts) is Node-only and is not.
 *
 * @module
 */
export * as Arrival from "./Arrival.ts"
export * as Trinary from "./Trinary.ts"
export * as Conflict from "./Conflict.ts"
export * as Impedance from "./Impedance.ts"
export * as ImpedanceSummary from "./ImpedanceSummary.ts"
export * as Topology from "./Topology.ts"
export * as Breaker from "./Breaker.ts"
export * as Degradation from "./Degradation.ts"
export * as SimModel from "./SimModel.ts"
export * as SimScenario from "./SimScenario.ts"
export * as SimEngine from "./SimEngine.ts"
export * as SimKpi from "./SimKpi.ts"
export * as SimRun from "./SimRun.ts"
export * as ScatterGather from "./ScatterGather.ts"
export * as Cascade from "./Cascade.ts"
export * as Registry from "./Registry.ts"
