/**
 * The bounds of every Element field, stated once. Mirror of the conjuncts of
 * `Hydrogen.Wire.Element.Valid` and `Hydrogen.Wire.Atom.Valid`; the Schema
 * model (`Element.ts`), the byte codec (`Codec.ts`, `Delta.ts`) and the test
 * arbitraries all read their limits from here.
 *
 * Every bound is an inclusive integer interval `[min, max]` (Lean states the
 * upper ends exclusively: `v < 65536` is `max = 65535` here). The numbers are
 * not restated here: they come from gen/ts/Wire/Element.ts, which the
 * generator (scripts/gen) reads off Lean's own `Valid`.
 *
 * @module
 */
import { Atom_Valid, Element_Valid } from "../../gen/ts/Wire/Element.ts"

/** An inclusive integer interval. */
export interface Bound {
  readonly min: number
  readonly max: number
}

/** Unsigned 16-bit: `v < 65536`. */
export const U16: Bound = Element_Valid.width
/** Unsigned 32-bit: `v < 4294967296`. */
export const U32: Bound = Element_Valid.viewport
/** Signed 16-bit (two's complement): `-32768 ≤ v ∧ v < 32768`. */
export const I16: Bound = Element_Valid.z
/** Signed 32-bit (two's complement): `-2147483648 ≤ v ∧ v < 2147483648`. */
export const I32: Bound = Element_Valid.x
/** Text size: `1 ≤ s ∧ s ≤ 4096`. */
export const TextSize: Bound = Atom_Valid.text.size

/**
 * The bound of each field, by its path in the Element (`atom.*` for the atom's
 * own fields). `x` and `y` are in units of 1/16 px; `color` is RGBA.
 */
export const FieldBounds = {
  "atom.cornerRadius": Atom_Valid.rect.cornerRadius,
  "atom.font": Atom_Valid.text.font,
  "atom.size": Atom_Valid.text.size,
  "atom.source": Atom_Valid.image.source,
  "atom.stroke": Atom_Valid.path.stroke,
  z: Element_Valid.z,
  viewport: Element_Valid.viewport,
  x: Element_Valid.x,
  y: Element_Valid.y,
  width: Element_Valid.width,
  height: Element_Valid.height,
  color: Element_Valid.color,
} as const satisfies Record<string, Bound>

/** A field path that has a bound. */
export type BoundedField = keyof typeof FieldBounds

/** Whether `v` is an integer within `b` (inclusive). */
export const within = (v: unknown, b: Bound): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= b.min && v <= b.max

/** `"an integer in min..max"`, as error messages show a bound. */
export const showBound = (b: Bound): string => `an integer in ${b.min}..${b.max}`

/** Atom kind codes (byte 0 of a record), `Hydrogen.Wire.Atom.kind`. */
export const Kind = { rect: 0, text: 1, image: 2, path: 3 } as const
/** The kinds accepted by the decoder. */
export const KindBound: Bound = { min: 0, max: 3 }

/** Bytes of one Element record. */
export const RECORD_BYTES = 28
/** Bytes of the batch header: magic (4), version (1), payload kind (1), reserved (2), count (4). */
export const HEADER_BYTES = 12
/** The batch magic, `"HYEL"`. */
export const MAGIC: readonly [number, number, number, number] = [0x48, 0x59, 0x45, 0x4c]
/** The only batch format version. */
export const VERSION = 1
/** Payload kinds of a batch. */
export const PayloadKind = { elements: 0, deltas: 1 } as const
