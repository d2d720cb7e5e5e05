/**
 * The decode errors of every binary format (Wire records and deltas, State
 * encoding and sync frames, Tree messages, policies): one set, each naming the
 * field and the absolute byte offset where decoding stopped.
 *
 * Optional context: `index` is the record's position in a batch (Wire), and
 * `kind` the message kind whose body holds the field (Tree messages).
 *
 * @module
 */
import { Data } from "effect"

/** Message kind / record index, as they follow the field's name in an error message. */
const where = (e: { readonly index?: number | undefined; readonly kind?: string | undefined }): string =>
  (e.kind !== undefined ? ` of ${e.kind}` : "") + (e.index !== undefined ? ` in record ${e.index}` : "")

/** The input ends before the `needed` bytes of `field` that start at `offset`. */
export class Truncated extends Data.TaggedError("Truncated")<{
  readonly field: string
  readonly offset: number
  readonly needed: number
  readonly available: number
  readonly index?: number
  readonly kind?: string
}> {
  override get message(): string {
    return `truncated ${this.field}${where(this)}: ${this.needed} bytes needed at byte ${this.offset}, only ${this.available} available`
  }
}

/** A header field (magic, version, kind, reserved, length) is not what the format allows. */
export class BadHeader extends Data.TaggedError("BadHeader")<{
  readonly field: string
  readonly offset: number
  readonly value: number
  readonly expected: string
}> {
  override get message(): string {
    return `bad header ${this.field} at byte ${this.offset}: got ${this.value}, expected ${this.expected}`
  }
}

/** A field's bytes are present but not a canonical, valid value (out of bound, reserved byte not 0, not minimal). */
export class InvalidField extends Data.TaggedError("InvalidField")<{
  readonly field: string
  readonly offset: number
  readonly value: number
  readonly expected: string
  readonly index?: number
  readonly kind?: string
}> {
  override get message(): string {
    return `invalid ${this.field}${where(this)} at byte ${this.offset}: got ${this.value}, expected ${this.expected}`
  }
}

/** `count` bytes are left after the end of the encoded value, which ends at `offset`. */
export class TrailingBytes extends Data.TaggedError("TrailingBytes")<{
  readonly field: string
  readonly offset: number
  readonly count: number
}> {
  override get message(): string {
    return `${this.count} trailing byte(s) after the ${this.field}, from byte ${this.offset}`
  }
}

/** Every error the byte layer's reader can give. */
export type ByteError = Truncated | BadHeader | InvalidField | TrailingBytes

/** The tags of `ByteError`, for exhaustive checks in tests and counters. */
export const byteErrorTags: ReadonlyArray<ByteError["_tag"]> = ["Truncated", "BadHeader", "InvalidField", "TrailingBytes"]
