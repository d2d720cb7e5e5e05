/**
 * Typed errors of the wire codec. Every decoder returns one of these (in a
 * `Result`) instead of throwing; each message says what is wrong and where:
 * the element (or delta) index and the absolute byte offset in the buffer.
 *
 * `index` is `null` where the problem is in the batch header.
 *
 * @module
 */
import { Data } from "effect"

const at = (index: number | null, offset: number): string =>
  index === null ? `in the batch header at byte ${offset}` : `in record ${index} at byte ${offset}`

/** The buffer ends before the bytes a header or record needs. */
export class Truncated extends Data.TaggedError("Truncated")<{
  readonly index: number | null
  readonly offset: number
  readonly needed: number
  readonly available: number
}> {
  override get message(): string {
    return `truncated ${this.index === null ? "batch header" : `record ${this.index}`}: ${this.needed} bytes needed at byte ${this.offset}, only ${this.available} available`
  }
}

/** The batch does not start with `"HYEL"`. */
export class BadMagic extends Data.TaggedError("BadMagic")<{ readonly found: ReadonlyArray<number> }> {
  override get message(): string {
    return `bad magic at byte 0: expected 48 59 45 4c ("HYEL"), found ${this.found.map((b) => b.toString(16).padStart(2, "0")).join(" ")}`
  }
}

/** The batch header's version byte (byte 4) is not 1. */
export class UnsupportedVersion extends Data.TaggedError("UnsupportedVersion")<{ readonly version: number }> {
  override get message(): string {
    return `unsupported batch version ${this.version} at byte 4 (only version 1 is known)`
  }
}

/** The batch header's payload kind (byte 5) is not the one the decoder reads. */
export class WrongPayloadKind extends Data.TaggedError("WrongPayloadKind")<{
  readonly expected: number
  readonly actual: number
}> {
  override get message(): string {
    const name = (k: number) => (k === 0 ? "0 (elements)" : k === 1 ? "1 (deltas)" : `${k} (unknown)`)
    return `wrong payload kind at byte 5: expected ${name(this.expected)}, found ${name(this.actual)}`
  }
}

/** The buffer's length is not the one its header (or the record size) implies. */
export class LengthMismatch extends Data.TaggedError("LengthMismatch")<{
  readonly expected: number
  readonly actual: number
}> {
  override get message(): string {
    return `length mismatch: expected exactly ${this.expected} bytes, got ${this.actual}` +
      (this.actual > this.expected ? ` (${this.actual - this.expected} trailing bytes)` : "")
  }
}

/** A decoded field is outside its bound (see `Bounds.ts`), or a kind byte is unknown. */
export class InvalidField extends Data.TaggedError("InvalidField")<{
  readonly index: number
  readonly offset: number
  readonly field: string
  readonly value: number
  readonly bound: string
}> {
  override get message(): string {
    return `invalid ${this.field} ${at(this.index, this.offset)}: got ${this.value}, expected ${this.bound}`
  }
}

/** A reserved or padding byte is not 0. */
export class ReservedNonZero extends Data.TaggedError("ReservedNonZero")<{
  readonly index: number | null
  readonly offset: number
  readonly value: number
}> {
  override get message(): string {
    return `reserved byte ${at(this.index, this.offset)} must be 0, found ${this.value}`
  }
}

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
export type WireError =
  | Truncated
  | BadMagic
  | UnsupportedVersion
  | WrongPayloadKind
  | LengthMismatch
  | InvalidField
  | ReservedNonZero
  | NotAByte
