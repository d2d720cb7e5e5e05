// Arbitraries and independent references for the Wire tests. Every bound is
// read from src/Wire/Bounds.ts; the reference encoder/decoder below are
// written from the Lean definitions (list-of-bytes arithmetic), not from the
// implementation.
import fc from "fast-check"
import { type Bound, FieldBounds } from "../../src/Wire/Bounds.ts"
import type { Atom, Element } from "../../src/Wire/Element.ts"
import type { Delta } from "../../src/Wire/Delta.ts"

/** Integers in a bound, with the ends and their neighbours drawn often. */
export const inBound = (b: Bound): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: b.min, max: b.max }) },
    { weight: 1, arbitrary: fc.constantFrom(...new Set([b.min, b.max, Math.min(b.min + 1, b.max), Math.max(b.max - 1, b.min), Math.max(b.min, Math.min(0, b.max))])) },
  )

/** Integers just outside a bound (and some far outside). */
export const outOfBound = (b: Bound): fc.Arbitrary<number> =>
  fc.oneof(
    fc.constantFrom(b.min - 1, b.max + 1, b.min - 65536, b.max + 2 ** 32),
    fc.integer({ min: b.max + 1, max: b.max + 1_000_000 }),
    fc.integer({ min: b.min - 1_000_000, max: b.min - 1 }),
  )

export const atomArb: fc.Arbitrary<Atom> = fc.oneof(
  inBound(FieldBounds["atom.cornerRadius"]).map((cornerRadius): Atom => ({ _tag: "rect", cornerRadius })),
  fc.tuple(inBound(FieldBounds["atom.font"]), inBound(FieldBounds["atom.size"])).map(([font, size]): Atom => ({ _tag: "text", font, size })),
  inBound(FieldBounds["atom.source"]).map((source): Atom => ({ _tag: "image", source })),
  inBound(FieldBounds["atom.stroke"]).map((stroke): Atom => ({ _tag: "path", stroke })),
)

/** Arbitrary valid Elements, derived from the bounds. */
export const elementArb: fc.Arbitrary<Element> = fc.record({
  atom: atomArb,
  z: inBound(FieldBounds.z),
  viewport: inBound(FieldBounds.viewport),
  x: inBound(FieldBounds.x),
  y: inBound(FieldBounds.y),
  width: inBound(FieldBounds.width),
  height: inBound(FieldBounds.height),
  color: inBound(FieldBounds.color),
})

/** Small-range Elements, so that pairs share fields often (for diffs). */
export const nearElementArb: fc.Arbitrary<Element> = fc.record({
  atom: fc.oneof(
    fc.integer({ min: 0, max: 2 }).map((cornerRadius): Atom => ({ _tag: "rect", cornerRadius })),
    fc.integer({ min: 1, max: 2 }).map((size): Atom => ({ _tag: "text", font: 0, size })),
    fc.constant<Atom>({ _tag: "image", source: 7 }),
  ),
  z: fc.integer({ min: -1, max: 1 }),
  viewport: fc.integer({ min: 0, max: 1 }),
  x: fc.integer({ min: -1, max: 1 }),
  y: fc.integer({ min: -1, max: 1 }),
  width: fc.integer({ min: 0, max: 1 }),
  height: fc.integer({ min: 0, max: 1 }),
  color: fc.integer({ min: 0, max: 1 }),
})

/** Arbitrary valid deltas (each field present or absent). */
export const deltaArb: fc.Arbitrary<Delta> = fc.record(
  {
    atom: atomArb,
    z: inBound(FieldBounds.z),
    viewport: inBound(FieldBounds.viewport),
    x: inBound(FieldBounds.x),
    y: inBound(FieldBounds.y),
    width: inBound(FieldBounds.width),
    height: inBound(FieldBounds.height),
    color: inBound(FieldBounds.color),
  },
  { requiredKeys: [] },
)

// ---------------------------------------------------------------------------
// Reference encoder/decoder, literally from Element.lean, on number lists.

const refU16 = (v: number): number[] => [v % 256, Math.floor(v / 256) % 256]
const refU32 = (v: number): number[] => [v % 256, Math.floor(v / 256) % 256, Math.floor(v / 65536) % 256, Math.floor(v / 16777216) % 256]
const refTwos = (bits: number, x: number): number => ((x % 2 ** bits) + 2 ** bits) % 2 ** bits
const refSigned = (bits: number, u: number): number => (u < 2 ** (bits - 1) ? u : u - 2 ** bits)
const refKind = (a: Atom): number => ({ rect: 0, text: 1, image: 2, path: 3 })[a._tag]
const refPayload = (a: Atom): number[] =>
  a._tag === "rect" ? [...refU16(a.cornerRadius), 0, 0]
  : a._tag === "text" ? [...refU16(a.font), ...refU16(a.size)]
  : a._tag === "image" ? refU32(a.source)
  : [...refU16(a.stroke), 0, 0]

/** Lean's `encode`, as a list of bytes. */
export const refEncode = (e: Element): number[] => [
  refKind(e.atom), 0, ...refU16(refTwos(16, e.z)), ...refU32(e.viewport), ...refU32(refTwos(32, e.x)),
  ...refU32(refTwos(32, e.y)), ...refU16(e.width), ...refU16(e.height), ...refU32(e.color), ...refPayload(e.atom),
]

const refValid = (e: Element): boolean => {
  const inB = (v: number, b: Bound) => Number.isInteger(v) && b.min <= v && v <= b.max
  const a = e.atom
  const atomOk =
    a._tag === "rect" ? a.cornerRadius < 65536
    : a._tag === "text" ? a.font < 65536 && 1 <= a.size && a.size <= 4096
    : a._tag === "image" ? a.source < 4294967296
    : a.stroke < 65536
  return atomOk && -32768 <= e.z && e.z < 32768 && e.viewport < 4294967296 && -2147483648 <= e.x && e.x < 2147483648 &&
    -2147483648 <= e.y && e.y < 2147483648 && e.width < 65536 && e.height < 65536 && e.color < 4294967296 && inB(e.z, { min: -32768, max: 32767 })
}

/** Lean's `decode`, on a list of numbers. */
export const refDecode = (bs: ReadonlyArray<number>): Element | null => {
  if (bs.length !== 28 || !bs.every((b) => Number.isInteger(b) && b >= 0 && b < 256) || bs[1] !== 0) return null
  const b = (i: number) => bs[i]!
  const l16 = (i: number) => b(i) + 256 * b(i + 1)
  const l32 = (i: number) => b(i) + 256 * b(i + 1) + 65536 * b(i + 2) + 16777216 * b(i + 3)
  let atom: Atom | null
  switch (b(0)) {
    case 0: atom = b(26) === 0 && b(27) === 0 ? { _tag: "rect", cornerRadius: l16(24) } : null; break
    case 1: atom = { _tag: "text", font: l16(24), size: l16(26) }; break
    case 2: atom = { _tag: "image", source: l32(24) }; break
    case 3: atom = b(26) === 0 && b(27) === 0 ? { _tag: "path", stroke: l16(24) } : null; break
    default: atom = null
  }
  if (atom === null) return null
  const e: Element = {
    atom, z: refSigned(16, l16(2)), viewport: l32(4), x: refSigned(32, l32(8)), y: refSigned(32, l32(12)),
    width: l16(16), height: l16(18), color: l32(20),
  }
  return refValid(e) ? e : null
}

/** A batch written byte by byte from the spec (header then reference records). */
export const refBatch = (payloadKind: number, count: number, body: ReadonlyArray<number>): Uint8Array =>
  Uint8Array.from([0x48, 0x59, 0x45, 0x4c, 1, payloadKind, 0, 0, ...refU32(count), ...body])

/** One delta record written byte by byte from the spec. */
export const refDeltaRecord = (index: number, d: Delta): number[] => {
  const fields: Array<[boolean, () => number[]]> = [
    [d.atom !== undefined, () => [refKind(d.atom!), ...refPayload(d.atom!)]],
    [d.z !== undefined, () => refU16(refTwos(16, d.z!))],
    [d.viewport !== undefined, () => refU32(d.viewport!)],
    [d.x !== undefined, () => refU32(refTwos(32, d.x!))],
    [d.y !== undefined, () => refU32(refTwos(32, d.y!))],
    [d.width !== undefined, () => refU16(d.width!)],
    [d.height !== undefined, () => refU16(d.height!)],
    [d.color !== undefined, () => refU32(d.color!)],
  ]
  let mask = 0
  const values: number[] = []
  fields.forEach(([present, bytes], bit) => {
    if (present) {
      mask |= 1 << bit
      values.push(...bytes())
    }
  })
  return [...refU32(index), mask, ...values]
}
