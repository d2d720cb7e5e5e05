/**
 * Typed errors of the wire codec. Every decoder returns one of these (in a
 * `Result`) instead of throwing. Malformed bytes fail with the byte layer's
 * errors (`src/Bytes/Errors.ts`), each naming the field, the absolute byte
 * offset and, inside a batch, the record's `index`:
 * - `Truncated`: the buffer ends before a header or record;
 * - `BadHeader`: the batch header's magic (`"HYEL"`), version (1), payload
 *   kind (0 elements, 1 deltas) or reserved bytes;
 * - `InvalidField`: a field outside its bound (see `Bounds.ts`), an unknown
 *   kind byte, or a reserved / padding byte that is not 0;
 * - `TrailingBytes`: bytes after the last record.
 * The ones here are the codec's own.
 *
 * @module
 */
import { Data } from "effect"
import { BadHeader, type ByteError, InvalidField, TrailingBytes, Truncated } from "../Bytes/Errors.ts"

export { BadHeader, InvalidField, TrailingBytes, Truncated }

/** An input given as a list of numbers holds something that is not a byte (Lean's `all (· < 256)`). */
export class NotAByte extends Data.TaggedError("NotAByte")<{ readonly offset: number; readonly value: unknown }> {
  override get message(): string {
    return `not a byte at position ${this.offset}: ${String(this.value)} is not an integer in 0..255`
  }
}

/** A delta names an element index outside the columns it is applied to. */
export class IndexOutOfRange extends Data.TaggedError("IndexOutOfRange")<{
  readonly delta: number
  readonly index: number
  readonly count: number
}> {
  override get message(): string {
    return `delta ${this.delta} targets element ${this.index}, but there are only ${this.count} elements`
  }
}

/** A JSON value is not a valid Element (Schema decoding): the field path, the value found, the bound. */
export class InvalidElement extends Data.TaggedError("InvalidElement")<{
  readonly path: ReadonlyArray<PropertyKey>
  readonly value: unknown
  readonly bound: string
  readonly issues: ReadonlyArray<string>
}> {
  override get message(): string {
    const p = this.path.length === 0 ? "(root)" : this.path.map(String).join(".")
    let shown: string
    try {
      shown = this.value === undefined ? "missing" : JSON.stringify(this.value) ?? String(this.value)
    } catch {
      shown = String(this.value)
    }
    return `invalid Element at ${p}: got ${shown}, expected ${this.bound}` +
      (this.issues.length > 1 ? ` (and ${this.issues.length - 1} more: ${this.issues.slice(1).join("; ")})` : "")
  }
}

/** Every error a byte decoder can return. */
export type WireError = ByteError | NotAByte
