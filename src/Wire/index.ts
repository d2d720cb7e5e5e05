/**
 * `hydrogen/wire`: the bounded Element record, its 28-byte codec (round trip
 * proved, `Hydrogen.Wire`), batches, columns, deltas and element identities.
 * Decoders return a `Result` whose failure is a typed `WireError`. Element
 * constructors and the main codec functions are exported flat; every topic
 * module also whole, as a namespace named after its file.
 *
 * @module
 */
export * from "./Element.ts"
export { decode, decodeBatch, decodeColumns, encode, encodeBatch, encodeColumns } from "./Codec.ts"
export type { WireError } from "./Errors.ts"
export * as Bounds from "./Bounds.ts"
export * as Codec from "./Codec.ts"
export * as Delta from "./Delta.ts"
export * as Errors from "./Errors.ts"
export * as Identity from "./Identity.ts"
