/**
 * `hydrogen/mesh`: seed 002's arrival-time scheduling and trinary quorum
 * (`Hydrogen.Mesh`), with schema decoders for the records they read.
 *
 * @module
 */
export * as Arrival from "./Arrival.ts"
export * as Trinary from "./Trinary.ts"
export * as Conflict from "./Conflict.ts"
