/**
 * The one byte writer of every codec: little-endian integers and doubles,
 * minimal LEB128 varints, raw bytes. Growable (the default) or fixed over a
 * buffer the caller owns (a scratch buffer reused between messages, or an
 * exact-size output). Integers are written modulo their width, as DataView
 * does; only `varint` checks its domain (a negative or unsafe value is the
 * caller's bug: `RangeError`).
 *
 * @module
 */

const f64Bytes = new Uint8Array(8)
const f64View = new DataView(f64Bytes.buffer)

/** Writes little-endian u16 at `o` of `b` (modulo 2^16). */
export const setU16 = (b: Uint8Array, o: number, v: number): void => {
  b[o] = v
  b[o + 1] = v >>> 8
}
/** Writes little-endian u32 (or i32, two's complement) at `o` of `b` (modulo 2^32). */
export const setU32 = (b: Uint8Array, o: number, v: number): void => {
  b[o] = v
  b[o + 1] = v >>> 8
  b[o + 2] = v >>> 16
  b[o + 3] = v >>> 24
}
/** Writes a little-endian IEEE-754 double at `o` of `b`. */
export const setF64 = (b: Uint8Array, o: number, v: number): void => {
  f64View.setFloat64(0, v, true)
  b.set(f64Bytes, o)
}

export class Writer {
  buf: Uint8Array
  /** Bytes written so far (the next write's offset). */
  len = 0
  private readonly growable: boolean
  /** Names the codec in the message of a rejected varint (e.g. "encode", "sync"). */
  readonly context: string

  /** A growable writer (`buf` given: a fixed one over `buf`, from offset 0). */
  constructor(context: string, buf?: Uint8Array) {
    this.context = context
    this.growable = buf === undefined
    this.buf = buf ?? new Uint8Array(64)
  }

  /** Starts over (the bytes are overwritten by the next writes). */
  reset(): void {
    this.len = 0
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return
    if (!this.growable) throw new RangeError(`${this.context}: ${this.len + n} bytes do not fit a ${this.buf.length}-byte buffer`)
    let cap = this.buf.length * 2
    while (cap < this.len + n) cap *= 2
    const b = new Uint8Array(cap)
    b.set(this.buf.subarray(0, this.len))
    this.buf = b
  }

  u8(v: number): void {
    this.ensure(1)
    this.buf[this.len++] = v
  }
  u16(v: number): void {
    this.ensure(2)
    setU16(this.buf, this.len, v)
    this.len += 2
  }
  u32(v: number): void {
    this.ensure(4)
    setU32(this.buf, this.len, v)
    this.len += 4
  }
  /** Two's complement of `v` in 16 bits. */
  i16(v: number): void {
    this.u16(v)
  }
  /** Two's complement of `v` in 32 bits. */
  i32(v: number): void {
    this.u32(v)
  }
  f64(v: number): void {
    this.ensure(8)
    setF64(this.buf, this.len, v)
    this.len += 8
  }
  bytes(bs: Uint8Array | ReadonlyArray<number>): void {
    this.ensure(bs.length)
    this.buf.set(bs, this.len)
    this.len += bs.length
  }
  /** Minimal LEB128 of a non-negative safe integer; `field` names it in the error. */
  varint(v: number, field = "value"): void {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new RangeError(`${this.context}: ${field} must be a non-negative safe integer, got ${v}`)
    }
    this.ensure(8)
    while (v >= 128) {
      this.buf[this.len++] = (v % 128) | 128
      v = Math.floor(v / 128)
    }
    this.buf[this.len++] = v
  }

  /** A copy of the bytes written. */
  result(): Uint8Array {
    return this.buf.slice(0, this.len)
  }
  /** The bytes written, as a view of the buffer (valid until the next write or reset). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len)
  }
}
