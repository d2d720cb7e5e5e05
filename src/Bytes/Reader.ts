/**
 * The one byte reader of every codec: bounds-checked, little-endian, minimal
 * LEB128 varints; it tracks its offset so that each error names where it is.
 *
 * A read that fails throws a private `Failure` carrying the typed error;
 * `decodeWith` (the only way a codec runs a reader) turns it back into a
 * `Result`, so nothing escapes a decoder as an exception. Integers are
 * composed from bytes and floats go through a module scratch view, so the
 * input's `.buffer` is never touched (for a small on-heap `Uint8Array` that
 * would move it to a separate backing store).
 *
 * @module
 */
import * as Result from "effect/Result"
import { BadHeader, type ByteError, InvalidField, TrailingBytes, Truncated } from "./Errors.ts"

/** Carries a decode error out of nested reads; never escapes `decodeWith`. */
class Failure {
  readonly error: unknown
  constructor(error: unknown) {
    this.error = error
  }
}

/** Stops decoding with `error` (inside `decodeWith`). */
export const fail = (error: ByteError | { readonly _tag: string }): never => {
  throw new Failure(error)
}

const f64Bytes = new Uint8Array(8)
const f64View = new DataView(f64Bytes.buffer)

/** Little-endian u16 at `o` (the caller checked the bounds). */
export const u16At = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8)
/** Little-endian u32 at `o` (the caller checked the bounds). */
export const u32At = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
/** Little-endian i16 at `o`. */
export const i16At = (b: Uint8Array, o: number): number => (u16At(b, o) << 16) >> 16
/** Little-endian i32 at `o`. */
export const i32At = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)
/** Little-endian IEEE-754 double at `o`. */
export const f64At = (b: Uint8Array, o: number): number => {
  for (let i = 0; i < 8; i++) f64Bytes[i] = b[o + i]!
  return f64View.getFloat64(0, true)
}

export class Reader {
  readonly bytes: Uint8Array
  /** Offset of the next byte read. */
  pos: number
  /** Offset one past the last byte this reader may read. */
  readonly end: number
  constructor(bytes: Uint8Array, pos = 0, end = bytes.length) {
    this.bytes = bytes
    this.pos = pos
    this.end = end
  }

  remaining(): number {
    return this.end - this.pos
  }

  /** Fails with `Truncated` unless `n` bytes of `field` remain. */
  need(n: number, field: string): void {
    if (this.end - this.pos < n) fail(new Truncated({ field, offset: this.pos, needed: n, available: this.end - this.pos }))
  }

  /** Fails with `InvalidField` for `field` at `offset`. */
  invalid(field: string, offset: number, value: number, expected: string): never {
    return fail(new InvalidField({ field, offset, value, expected }))
  }

  u8(field: string): number {
    this.need(1, field)
    return this.bytes[this.pos++]!
  }
  u16(field: string): number {
    this.need(2, field)
    const v = u16At(this.bytes, this.pos)
    this.pos += 2
    return v
  }
  u32(field: string): number {
    this.need(4, field)
    const v = u32At(this.bytes, this.pos)
    this.pos += 4
    return v
  }
  i16(field: string): number {
    this.need(2, field)
    const v = i16At(this.bytes, this.pos)
    this.pos += 2
    return v
  }
  i32(field: string): number {
    this.need(4, field)
    const v = i32At(this.bytes, this.pos)
    this.pos += 4
    return v
  }
  f64(field: string): number {
    this.need(8, field)
    const v = f64At(this.bytes, this.pos)
    this.pos += 8
    return v
  }
  /** The next `n` bytes, as a view (callers that keep them copy). */
  take(n: number, field: string): Uint8Array {
    this.need(n, field)
    const v = this.bytes.subarray(this.pos, this.pos + n)
    this.pos += n
    return v
  }

  /** Header bytes that must be `magic` (`shown` in the error): `BadHeader` at the first that differs. */
  magic(magic: ReadonlyArray<number>, shown: string): void {
    for (const m of magic) this.header("magic", m, shown)
  }

  /** A header byte that must be `value`: `BadHeader` naming `field` otherwise. */
  header(field: string, value: number, expected = String(value)): void {
    const at = this.pos
    const b = this.u8(field)
    if (b !== value) fail(new BadHeader({ field, offset: at, value: b, expected }))
  }

  /** A byte that must be 0 (reserved or padding). */
  zero(field: string): void {
    const at = this.pos
    const b = this.u8(field)
    if (b !== 0) this.invalid(field, at, b, "0")
  }

  /** Minimal unsigned LEB128 of at most 8 bytes and at most 2^53 − 1 (a Lean `Nat` held in a `number`). */
  varint(field: string): number {
    const start = this.pos
    let result = 0
    let mul = 1
    for (let i = 0; i < 8; i++) {
      const b = this.u8(field)
      result += (b & 127) * mul
      if ((b & 128) === 0) {
        if (i > 0 && b === 0) this.invalid(field, start, result, "a minimal varint (no trailing zero byte)")
        if (result > Number.MAX_SAFE_INTEGER) this.invalid(field, start, result, "a varint ≤ 2^53 − 1")
        return result
      }
      mul *= 128
    }
    return this.invalid(field, start, result, "a varint of at most 8 bytes")
  }

  /** Fails with `TrailingBytes` unless every byte up to `end` was read. */
  done(field: string): void {
    if (this.pos !== this.end) fail(new TrailingBytes({ field, offset: this.pos, count: this.end - this.pos }))
  }
}

/**
 * Runs `read` over a reader on `bytes` from `start`: its value, or the typed
 * error a read (or `fail`) stopped it with. Any other exception is a bug and
 * propagates.
 */
export const decodeWith = <A, E = never>(
  bytes: Uint8Array,
  start: number,
  read: (r: Reader) => A,
): Result.Result<A, ByteError | E> => catchFailure(() => read(new Reader(bytes, start)))

/** Runs `body` (which may `fail`) and returns its value or the error it failed with. */
export const catchFailure = <A, E>(body: () => A): Result.Result<A, E> => {
  try {
    return Result.succeed(body())
  } catch (e) {
    if (e instanceof Failure) return Result.fail(e.error as E)
    throw e
  }
}
