/**
 * Elements: bounded pure data. Mirror of `Hydrogen.Wire.Atom`,
 * `Hydrogen.Wire.Element` and their validity predicates.
 *
 * The TypeScript types mirror the Lean structures (fields are integers; Lean's
 * `Nat`/`Int` are unbounded, so validity is a separate predicate, `isValid`).
 * The Effect Schema `ElementSchema` decodes unknown JSON into exactly the
 * valid Elements, with every bound read from `Bounds.ts`.
 *
 * @module
 */
import { Schema, SchemaIssue } from "effect"
import * as Result from "effect/Result"
import { type Bound, FieldBounds, Kind, showBound, within } from "./Bounds.ts"
import { u16le, u32le } from "./Codec.ts"
import { InvalidElement } from "./Errors.ts"

/**
 * The atom type and its own fields.
 *
 * @lean Hydrogen.Wire.Atom
 */
export type Atom =
  | { readonly _tag: "rect"; readonly cornerRadius: number }
  | { readonly _tag: "text"; readonly font: number; readonly size: number }
  | { readonly _tag: "image"; readonly source: number }
  | { readonly _tag: "path"; readonly stroke: number }

/** @lean Hydrogen.Wire.Atom.rect */
export const rect = (cornerRadius: number): Atom => ({ _tag: "rect", cornerRadius })
/** @lean Hydrogen.Wire.Atom.text */
export const text = (font: number, size: number): Atom => ({ _tag: "text", font, size })
/** @lean Hydrogen.Wire.Atom.image */
export const image = (source: number): Atom => ({ _tag: "image", source })
/** @lean Hydrogen.Wire.Atom.path */
export const path = (stroke: number): Atom => ({ _tag: "path", stroke })

/**
 * An Element: its atom, stacking order `z`, viewport, position `x`, `y` (units
 * of 1/16 px), size `width` × `height` (px) and RGBA `color`.
 *
 * @lean Hydrogen.Wire.Element
 */
export interface Element {
  readonly atom: Atom
  readonly z: number
  readonly viewport: number
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
  readonly color: number
}

/** Structural equality of atoms (Lean's derived `DecidableEq`). */
export const atomEquals = (a: Atom, b: Atom): boolean => {
  switch (a._tag) {
    case "rect":
      return b._tag === "rect" && a.cornerRadius === b.cornerRadius
    case "text":
      return b._tag === "text" && a.font === b.font && a.size === b.size
    case "image":
      return b._tag === "image" && a.source === b.source
    case "path":
      return b._tag === "path" && a.stroke === b.stroke
  }
}

/** Structural equality of Elements (Lean's derived `DecidableEq`). */
export const elementEquals = (a: Element, b: Element): boolean =>
  atomEquals(a.atom, b.atom) && a.z === b.z && a.viewport === b.viewport && a.x === b.x && a.y === b.y &&
  a.width === b.width && a.height === b.height && a.color === b.color

/**
 * Bounds of the atom fields.
 *
 * @lean Hydrogen.Wire.Atom.Valid
 */
export const atomValid = (a: Atom): boolean => {
  switch (a._tag) {
    case "rect":
      return within(a.cornerRadius, FieldBounds["atom.cornerRadius"])
    case "text":
      return within(a.font, FieldBounds["atom.font"]) && within(a.size, FieldBounds["atom.size"])
    case "image":
      return within(a.source, FieldBounds["atom.source"])
    case "path":
      return within(a.stroke, FieldBounds["atom.stroke"])
  }
}

/**
 * Every field within its bound.
 *
 * @lean Hydrogen.Wire.Element.Valid
 */
export const isValid = (e: Element): boolean =>
  atomValid(e.atom) && within(e.z, FieldBounds.z) && within(e.viewport, FieldBounds.viewport) &&
  within(e.x, FieldBounds.x) && within(e.y, FieldBounds.y) && within(e.width, FieldBounds.width) &&
  within(e.height, FieldBounds.height) && within(e.color, FieldBounds.color)

/**
 * The kind byte: 0 rect, 1 text, 2 image, 3 path.
 *
 * @lean Hydrogen.Wire.Atom.kind
 */
export const atomKind = (a: Atom): number => Kind[a._tag]

/**
 * The four payload bytes of an atom (record bytes 24–27).
 *
 * @lean Hydrogen.Wire.Atom.payload
 */
export const atomPayload = (a: Atom): Array<number> => {
  switch (a._tag) {
    case "rect":
      return [...u16le(a.cornerRadius), 0, 0]
    case "text":
      return [...u16le(a.font), ...u16le(a.size)]
    case "image":
      return u32le(a.source)
    case "path":
      return [...u16le(a.stroke), 0, 0]
  }
}

// ---------------------------------------------------------------------------
// Schema

const bounded = (b: Bound) => Schema.Int.check(Schema.isBetween({ minimum: b.min, maximum: b.max }))

/**
 * Schema of the valid atoms (a tagged union on `_tag`).
 *
 * @lean Hydrogen.Wire.Atom.Valid
 */
export const AtomSchema = Schema.Union([
  Schema.TaggedStruct("rect", { cornerRadius: bounded(FieldBounds["atom.cornerRadius"]) }),
  Schema.TaggedStruct("text", { font: bounded(FieldBounds["atom.font"]), size: bounded(FieldBounds["atom.size"]) }),
  Schema.TaggedStruct("image", { source: bounded(FieldBounds["atom.source"]) }),
  Schema.TaggedStruct("path", { stroke: bounded(FieldBounds["atom.stroke"]) }),
])

/**
 * Schema of the valid Elements: decoding succeeds exactly when the value is an
 * Element (no other keys) with `isValid`.
 *
 * @lean Hydrogen.Wire.Element.Valid
 */
export const ElementSchema = Schema.Struct({
  atom: AtomSchema,
  z: bounded(FieldBounds.z),
  viewport: bounded(FieldBounds.viewport),
  x: bounded(FieldBounds.x),
  y: bounded(FieldBounds.y),
  width: bounded(FieldBounds.width),
  height: bounded(FieldBounds.height),
  color: bounded(FieldBounds.color),
})

// The schema's type is the mirror type (checked at compile time both ways).
const _typeCheck1 = (e: typeof ElementSchema.Type): Element => e
const _typeCheck2 = (a: Atom): typeof AtomSchema.Type => a
void _typeCheck1
void _typeCheck2

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()
const decodeRaw = Schema.decodeUnknownResult(ElementSchema)

const valueAt = (input: unknown, path: ReadonlyArray<PropertyKey>): unknown => {
  let v: unknown = input
  for (const k of path) {
    if (typeof v !== "object" || v === null) return undefined
    v = (v as Record<PropertyKey, unknown>)[k]
  }
  return v
}

const boundAt = (path: ReadonlyArray<PropertyKey>, value: unknown, message: string): string => {
  if (message.includes("excess property")) return "no such field (an Element has exactly atom, z, viewport, x, y, width, height, color)"
  if (message === "Missing key") return "a value (the field is required)"
  const key = path.map(String).join(".")
  if (key === "atom" || key === "atom._tag") {
    return typeof value === "object" && value !== null
      ? "an atom with _tag rect {cornerRadius}, text {font, size}, image {source} or path {stroke}"
      : "an atom object"
  }
  if (key in FieldBounds) return showBound(FieldBounds[key as keyof typeof FieldBounds])
  return path.length === 0 ? "an Element object" : message
}

/**
 * Decodes unknown JSON into a valid Element, or an `InvalidElement` error that
 * names the (first) offending field path, the value found and the bound.
 */
export const decodeElement = (input: unknown): Result.Result<Element, InvalidElement> => {
  const r = decodeRaw(input, { errors: "all", onExcessProperty: "error" })
  if (Result.isSuccess(r)) return Result.succeed(r.success)
  const issues = formatIssues(r.failure.issue).issues
  const first = issues[0]
  const path: ReadonlyArray<PropertyKey> = (first?.path ?? []).map((p) =>
    typeof p === "object" && p !== null && "key" in p ? (p as { key: PropertyKey }).key : (p as PropertyKey),
  )
  const value = valueAt(input, path)
  return Result.fail(
    new InvalidElement({
      path,
      value,
      bound: boundAt(path, value, first?.message ?? ""),
      issues: issues.map((i) => `${(i.path ?? []).map(String).join(".") || "(root)"}: ${i.message}`),
    }),
  )
}
