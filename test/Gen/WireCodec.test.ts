// Differential tests: the byte codec of src/Wire (number arithmetic, DataView
// writes) against the references generated from Lean's u16le/u32le/twos/
// signed/le16/le32/Atom.kind/Atom.payload/encode/decodeAtom (bigint, Lean's
// Nat/Int semantics). Inputs around the 8/16/32-bit edges, written out here.
import fc from "fast-check"
import { describe, it } from "vitest"
import * as Ref from "../../gen/ts/Wire/Element.ts"
import { encode } from "../../src/Wire/Codec.ts"
import { type Atom, atomKind, atomPayload, type Element } from "../../src/Wire/Element.ts"
import * as LB from "../../src/Wire/ListBytes.ts"
import { params, runs } from "./seed.ts"

const B = BigInt
const sameList = (a: ReadonlyArray<number>, b: ReadonlyArray<bigint>) => a.length === b.length && a.every((x, i) => B(x) === b[i])
const edge = (bits: number) => [0, 1, 2 ** (bits - 1) - 1, 2 ** (bits - 1), 2 ** bits - 1]
const u = (bits: number) => fc.oneof(fc.constantFrom(...edge(bits)), fc.integer({ min: 0, max: 2 ** bits - 1 }))
const s = (bits: number) => fc.oneof(fc.constantFrom(0, -1, 1, -(2 ** (bits - 1)), 2 ** (bits - 1) - 1), fc.integer({ min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 }))
const byte = u(8)
const atomArb: fc.Arbitrary<Atom> = fc.oneof(
  u(16).map((cornerRadius) => ({ _tag: "rect" as const, cornerRadius })),
  fc.tuple(u(16), fc.oneof(fc.constantFrom(1, 4096), fc.integer({ min: 1, max: 4096 }))).map(([font, size]) => ({ _tag: "text" as const, font, size })),
  u(32).map((source) => ({ _tag: "image" as const, source })),
  u(16).map((stroke) => ({ _tag: "path" as const, stroke })),
)
const elementArb: fc.Arbitrary<Element> = fc.record({ atom: atomArb, z: s(16), viewport: u(32), x: s(32), y: s(32), width: u(16), height: u(16), color: u(32) })
const refAtom = (a: Atom): Ref.Atom =>
  a._tag === "rect" ? { _tag: "rect", cornerRadius: B(a.cornerRadius) }
  : a._tag === "text" ? { _tag: "text", font: B(a.font), size: B(a.size) }
  : a._tag === "image" ? { _tag: "image", source: B(a.source) }
  : { _tag: "path", stroke: B(a.stroke) }
const refElement = (e: Element): Ref.Element =>
  ({ atom: refAtom(e.atom), z: B(e.z), viewport: B(e.viewport), x: B(e.x), y: B(e.y), width: B(e.width), height: B(e.height), color: B(e.color) })
const sameAtom = (a: Atom | null, b: Ref.Atom | null) => (a === null || b === null ? a === b : JSON.stringify(refAtom(a), (_, v) => (typeof v === "bigint" ? `${v}` : v)) === JSON.stringify(b, (_, v) => (typeof v === "bigint" ? `${v}` : v)))

describe(`Wire codec: src against the Lean-generated references (${runs} cases each)`, () => {
  // @gen Hydrogen.Wire.u16le
  // @lean Hydrogen.Wire.u16le
  it("u16le: u16le v equals the reference u16le for every 16-bit v", () => {
    fc.assert(fc.property(u(16), (v) => sameList(LB.u16le(v), Ref.u16le(B(v)))), params)
  })

  // @gen Hydrogen.Wire.u32le
  // @lean Hydrogen.Wire.u32le
  it("u32le: u32le v equals the reference u32le for every 32-bit v", () => {
    fc.assert(fc.property(u(32), (v) => sameList(LB.u32le(v), Ref.u32le(B(v)))), params)
  })

  // @gen Hydrogen.Wire.twos
  // @lean Hydrogen.Wire.twos
  it("twos: twos 16/32 x equals the reference twos on signed inputs", () => {
    fc.assert(fc.property(fc.constantFrom(16, 32), s(32), (bits, x) => B(LB.twos(bits, x)) === Ref.twos(B(bits), B(x))), params)
  })

  // @gen Hydrogen.Wire.signed
  // @lean Hydrogen.Wire.signed
  it("signed: signed 16/32 u equals the reference signed on unsigned patterns", () => {
    fc.assert(fc.property(fc.constantFrom(16, 32), u(32), (bits, v) => {
      const w = bits === 16 ? v % 65536 : v
      return B(LB.signed(bits, w)) === Ref.signed(B(bits), B(w))
    }), params)
  })

  // @gen Hydrogen.Wire.le16
  // @gen Hydrogen.Wire.le32
  // @lean Hydrogen.Wire.le32
  it("le16, le32: the little-endian readers equal the references on bytes", () => {
    fc.assert(fc.property(byte, byte, byte, byte, (a, b, c, d) =>
      B(LB.le16(a, b)) === Ref.le16(B(a), B(b)) && B(LB.le32(a, b, c, d)) === Ref.le32(B(a), B(b), B(c), B(d))), params)
  })

  // @gen Hydrogen.Wire.Atom.kind
  // @gen Hydrogen.Wire.Atom.payload
  // @lean Hydrogen.Wire.Atom.payload
  it("Atom.payload: atomKind and atomPayload equal the references Atom.kind and Atom.payload", () => {
    fc.assert(fc.property(atomArb, (a) => B(atomKind(a)) === Ref.Atom_kind(refAtom(a)) && sameList(atomPayload(a), Ref.Atom_payload(refAtom(a)))), params)
  })

  // @gen Hydrogen.Wire.encode
  // @lean Hydrogen.Wire.encode
  it("encode: the 28-byte record of src's encode equals the reference encode of a valid Element", () => {
    fc.assert(fc.property(elementArb, (e) => sameList([...encode(e)], Ref.encode(refElement(e)))), params)
  })

  // @gen Hydrogen.Wire.decodeAtom
  // @lean Hydrogen.Wire.decodeAtom
  it("decodeAtom: decodeAtom k p0..p3 equals the reference decodeAtom (kinds 0..5, all bytes)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 5 }), byte, byte, fc.oneof(fc.constant(0), byte), fc.oneof(fc.constant(0), byte), (k, p0, p1, p2, p3) =>
      sameAtom(LB.decodeAtom(k, p0, p1, p2, p3), Ref.decodeAtom(B(k), B(p0), B(p1), B(p2), B(p3)))), params)
  })
})
