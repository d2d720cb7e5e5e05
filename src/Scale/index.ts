/**
 * `hydrogen/scale`: coordinator counts, messages per round and their proved
 * bound (`Hydrogen.Scale`), and the seed's message model for comparison.
 *
 * @module
 */
export * from "./Communication.ts"
export * as Communication from "./Communication.ts"
export * as SeedModel from "./SeedModel.ts"
