/**
 * Lean's `List Nat` byte functions of the wire record (`Hydrogen.Wire`):
 * little-endian bytes, two's complement, and the atom of a kind byte and its
 * payload bytes. The codec (`Codec.ts`) re-exports them; its decoders are the
 * fast equivalents on `Uint8Array`.
 *
 * @module
 */
import type { Atom } from "./Element.ts"

/**
 * Little-endian bytes of an unsigned 16-bit value: `[v % 256, v / 256 % 256]`.
 *
 * @lean Hydrogen.Wire.u16le
 */
export const u16le = (v: number): Array<number> => [v % 256, Math.floor(v / 256) % 256]

/**
 * Little-endian bytes of an unsigned 32-bit value.
 *
 * @lean Hydrogen.Wire.u32le
 */
export const u32le = (v: number): Array<number> => [
  v % 256,
  Math.floor(v / 256) % 256,
  Math.floor(v / 65536) % 256,
  Math.floor(v / 16777216) % 256,
]

/**
 * Two's complement of a signed value in `bits` bits: `(x mod 2^bits)` with the
 * Euclidean (non-negative) remainder. Exact for safe integers and `bits ≤ 52`.
 *
 * @lean Hydrogen.Wire.twos
 */
export const twos = (bits: number, x: number): number => {
  const m = 2 ** bits
  const r = x % m
  return r < 0 ? r + m : r + 0 // `+ 0` turns -0 into 0
}

/**
 * The signed value of a `bits`-bit two's complement pattern.
 *
 * @lean Hydrogen.Wire.signed
 */
export const signed = (bits: number, u: number): number => (u < 2 ** (bits - 1) ? u : u - 2 ** bits)

/** @lean Hydrogen.Wire.le16 */
export const le16 = (b0: number, b1: number): number => b0 + 256 * b1

/** @lean Hydrogen.Wire.le32 */
export const le32 = (b0: number, b1: number, b2: number, b3: number): number =>
  b0 + 256 * b1 + 65536 * b2 + 16777216 * b3

/**
 * The atom of a kind byte and four payload bytes, or `null` (Lean's `none`)
 * for an unknown kind or non-zero rect/path padding. Does not check the text
 * size bound (that is part of `Element.Valid`, checked by `decode`).
 *
 * @lean Hydrogen.Wire.decodeAtom
 */
export const decodeAtom = (kind: number, p0: number, p1: number, p2: number, p3: number): Atom | null => {
  switch (kind) {
    case 0:
      return p2 === 0 && p3 === 0 ? { _tag: "rect", cornerRadius: le16(p0, p1) } : null
    case 1:
      return { _tag: "text", font: le16(p0, p1), size: le16(p2, p3) }
    case 2:
      return { _tag: "image", source: le32(p0, p1, p2, p3) }
    case 3:
      return p2 === 0 && p3 === 0 ? { _tag: "path", stroke: le16(p0, p1) } : null
    default:
      return null
  }
}
