/**
 * `hydrogen/bytes`: the byte layer every binary codec is written on: one
 * writer, one bounds-checked reader, one set of decode errors.
 *
 * @module
 */
export * from "./Crc32.ts"
export * from "./Errors.ts"
export * from "./Reader.ts"
export * from "./Writer.ts"
