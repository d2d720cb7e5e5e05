/**
 * A growable little-endian byte writer with minimal LEB128 varints, shared by
 * the state encoding (Encoding.ts) and the sync protocol framing (Sync.ts).
 */
export class ByteWriter {
  buf = new Uint8Array(64)
  len = 0
  /** Names the codec in the message of a rejected varint (e.g. "encode", "sync"). */
  readonly context: string
  constructor(context: string) {
    this.context = context
  }
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return
    let cap = this.buf.length * 2
    while (cap < this.len + n) cap *= 2
    const b = new Uint8Array(cap)
    b.set(this.buf.subarray(0, this.len))
    this.buf = b
  }
  byte(b: number): void {
    this.ensure(1)
    this.buf[this.len++] = b
  }
  bytes(bs: Uint8Array): void {
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
  u32le(v: number): void {
    this.ensure(4)
    for (let i = 0; i < 4; i++) this.buf[this.len++] = (v >>> (8 * i)) & 0xff
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.len)
  }
}
