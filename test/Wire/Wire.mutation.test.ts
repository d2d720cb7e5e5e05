// Wire's constructors and error values, found unasserted by the mutation run:
// the Atom constructors are Lean's (`Atom.rect` …), and each error's message
// names what was wrong and where (part of the typed-error contract).
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { OutOfDomain } from "../../src/Aggregate/Domain.ts"
import { decode } from "../../src/Wire/Codec.ts"
import { type Delta, encodeDeltas } from "../../src/Wire/Delta.ts"
import { atomEquals, image, path, rect, text } from "../../src/Wire/Element.ts"
import { InvalidElement, NotAByte } from "../../src/Wire/Errors.ts"
import { InvalidUuid, NAMESPACE_DNS, parseUuid, uuidV5 } from "../../src/Wire/Identity.ts"

describe("Atom constructors (Lean's Atom.rect/text/image/path)", () => {
  it("rect, text, image, path build the tagged atom with their fields", () => {
    expect(rect(3)).toEqual({ _tag: "rect", cornerRadius: 3 })
    expect(text(2, 14)).toEqual({ _tag: "text", font: 2, size: 14 })
    expect(image(7)).toEqual({ _tag: "image", source: 7 })
    expect(path(5)).toEqual({ _tag: "path", stroke: 5 })
    // distinct constructors are distinct atoms
    expect(atomEquals(rect(1), image(1))).toBe(false)
    expect(atomEquals(text(1, 2), text(1, 3))).toBe(false)
    expect(atomEquals(path(4), path(4))).toBe(true)
  })
})

describe("Wire error messages name the offender", () => {
  it("NotAByte: position and value", () => {
    const bytes = new Array<number>(28).fill(0)
    bytes[5] = 256
    const r = decode(bytes)
    expect(Result.isFailure(r) && r.failure).toMatchObject({ _tag: "NotAByte", offset: 5, value: 256 })
    const e = new NotAByte({ offset: 4, value: 300 })
    expect(e.message).toBe("not a byte at position 4: 300 is not an integer in 0..255")
  })

  it("InvalidUuid: the input, quoted", () => {
    const r = parseUuid("not-a-uuid")
    expect(Result.isFailure(r) && r.failure).toBeInstanceOf(InvalidUuid)
    expect(Result.isFailure(r) && r.failure.message).toBe('not a UUID (expected 8-4-4-4-12 hex digits): "not-a-uuid"')
  })

  it("InvalidElement: a value JSON cannot show is shown with String", () => {
    const e = new InvalidElement({ path: ["z"], value: 10n, bound: "an integer", issues: ["z: bad"] })
    expect(e.message).toBe("invalid Element at z: got 10, expected an integer")
    const u = new InvalidElement({ path: [], value: Symbol.for("s"), bound: "b", issues: [] })
    expect(u.message).toBe("invalid Element at (root): got Symbol(s), expected b")
  })

  it("uuidV5 of a string name is the UUIDv5 of its UTF-8 bytes", () => {
    const bytes = new TextEncoder().encode("héllo")
    expect(uuidV5(NAMESPACE_DNS, "héllo")).toBe(uuidV5(NAMESPACE_DNS, bytes))
  })
})

describe("encodeDeltas names the delta and the field outside Lean's domain", () => {
  const bad = (delta: Delta, field: string, value: unknown, domain: "Nat" | "Int") => {
    let e: unknown
    try {
      encodeDeltas([{ index: 0, delta: {} }, { index: 1, delta }])
    } catch (x) {
      e = x
    }
    expect(e).toBeInstanceOf(OutOfDomain)
    expect(e).toMatchObject({ where: "encodeDeltas[1]", field, domain })
    expect(Object.is((e as OutOfDomain).value, value)).toBe(true)
  }
  it("each field of a delta record", () => {
    expect(() => encodeDeltas([{ index: -1, delta: {} }])).toThrow(expect.objectContaining({ where: "encodeDeltas[0]", field: "index" }))
    bad({ atom: rect(-1) }, "atom.cornerRadius", -1, "Nat")
    bad({ atom: text(0.5, 12) }, "atom.font", 0.5, "Nat")
    bad({ atom: text(1, -12) }, "atom.size", -12, "Nat")
    bad({ atom: image(Number.NaN) }, "atom.source", Number.NaN, "Nat")
    bad({ atom: path(-3) }, "atom.stroke", -3, "Nat")
    bad({ atom: { _tag: "circle" } } as unknown as Delta, "atom._tag", "circle", "Nat")
    bad({ z: 0.5 }, "z", 0.5, "Int")
    bad({ viewport: -1 }, "viewport", -1, "Nat")
    bad({ x: Number.POSITIVE_INFINITY }, "x", Number.POSITIVE_INFINITY, "Int")
    bad({ y: 2 ** 53 }, "y", 2 ** 53, "Int")
    bad({ width: -2 }, "width", -2, "Nat")
    bad({ height: 1.25 }, "height", 1.25, "Nat")
    bad({ color: -5 }, "color", -5, "Nat")
  })
})
