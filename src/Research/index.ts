/**
 * `hydrogen/research`: seed 004's research layer — path containment and
 * citation validity (`Hydrogen.Research`), the sandboxed tools, Thompson
 * sampling and the MAP-Elites archive, stigmergy, the SPIRAL loop and the scatter-gather
 * protocol with its researchers. Quorum arithmetic is `hydrogen/quorum`.
 *
 * @module
 */
export * as Path from "./Path.ts"
export * as Sandbox from "./Sandbox.ts"
export * as Citation from "./Citation.ts"
export * as Bandit from "./Bandit.ts"
export * as Elites from "./Elites.ts"
export * as Stigmergy from "./Stigmergy.ts"
export * as Researcher from "./Researcher.ts"
export * as Protocol from "./Protocol.ts"
export * as Spiral from "./Spiral.ts"
export * as Isolation from "./Isolation.ts"
export * as WorkerRoster from "./WorkerRoster.ts"
