// Replays the Wire conformance vectors (gen/vectors/wire.json, checked by the
// Lean kernel against Hydrogen.Wire) against the TypeScript mirror.
import { readFileSync } from "node:fs"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { decode, encode } from "../../src/Wire/Codec.ts"
import { apply, type Delta, diff } from "../../src/Wire/Delta.ts"
import { decodeElement, type Element } from "../../src/Wire/Element.ts"

interface Vector { readonly family: string; readonly lean: ReadonlyArray<string>; readonly input: any; readonly expected: any }
const parsed = JSON.parse(readFileSync(new URL("../../gen/vectors/wire.json", import.meta.url), "utf8")) as { count: number; vectors: Vector[] }
const vectors = parsed.vectors
const family = (f: string) => vectors.filter((v) => v.family === f)

/** An Element from vector JSON, through the Schema (so vector inputs are also checked to be valid Elements). */
const element = (json: unknown): Element => {
  const r = decodeElement(json)
  if (Result.isFailure(r)) throw new Error(`vector input is not a valid Element: ${r.failure.message}`)
  return r.success
}
const keys = ["atom", "z", "viewport", "x", "y", "width", "height", "color"] as const
/** A Delta as vector JSON: all 8 keys present, `null` for unchanged (Lean's `none`). */
const deltaJson = (d: Delta): Record<string, unknown> => Object.fromEntries(keys.map((k) => [k, d[k] ?? null]))
/** Vector JSON to a Delta (null = absent). */
const deltaOf = (json: Record<string, unknown>): Delta =>
  Object.fromEntries(keys.filter((k) => json[k] !== null && json[k] !== undefined).map((k) => [k, json[k]])) as Delta

describe("Wire conformance vectors (Lean-kernel-checked) replayed against src/Wire", () => {
  it("the file holds `count` vectors, of the three families", () => {
    expect(vectors.length).toBe(parsed.count)
    expect(new Set(vectors.map((v) => v.family))).toEqual(new Set(["Wire.encode", "Wire.decode", "Wire.diff"]))
  })

  const enc = family("Wire.encode")
  // @lean Hydrogen.Wire.encode
  it(`Wire.encode: all ${enc.length} vectors (encode e is the expected 28 bytes, and decodes back to e)`, () => {
    expect(enc.length).toBeGreaterThan(0)
    const failing = enc.filter((v) => {
      const e = element(v.input)
      const bytes = Array.from(encode(e))
      const back = decode(Uint8Array.from(bytes))
      return JSON.stringify(bytes) !== JSON.stringify(v.expected) || !(Result.isSuccess(back) && JSON.stringify(back.success) === JSON.stringify(e))
    })
    expect(failing).toEqual([])
  })

  const dec = family("Wire.decode")
  // @lean Hydrogen.Wire.decode
  it(`Wire.decode: all ${dec.length} vectors (the expected Element, or a typed error where Lean gives none)`, () => {
    expect(dec.length).toBeGreaterThan(0)
    const failing = dec.filter((v) => {
      const bytes: ReadonlyArray<number> = Array.isArray(v.input) ? v.input : v.input.bytes
      const r = decode(bytes)
      if (v.expected === null) return !Result.isFailure(r) || r.failure.message.length === 0
      return !(Result.isSuccess(r) && JSON.stringify(r.success) === JSON.stringify(element(v.expected)) &&
        JSON.stringify(Array.from(encode(r.success))) === JSON.stringify(bytes))
    })
    expect(failing).toEqual([])
  })

  const dif = family("Wire.diff")
  // @lean Hydrogen.Wire.diff
  it(`Wire.diff: all ${dif.length} vectors (diff old new is the expected delta, and apply old it = new)`, () => {
    expect(dif.length).toBeGreaterThan(0)
    const failing = dif.filter((v) => {
      const old = element(v.input.old)
      const next = element(v.input.new)
      const d = diff(old, next)
      return JSON.stringify(deltaJson(d)) !== JSON.stringify(deltaJson(deltaOf(v.expected))) ||
        JSON.stringify(Object.keys(v.expected).sort()) !== JSON.stringify([...keys].sort()) ||
        JSON.stringify(apply(old, deltaOf(v.expected))) !== JSON.stringify(next)
    })
    expect(failing).toEqual([])
  })

  it("a mutant encode (z bytes swapped: big-endian) fails the encode vectors", () => {
    const mutant = (e: Element): number[] => {
      const b = Array.from(encode(e))
      ;[b[2], b[3]] = [b[3]!, b[2]!]
      return b
    }
    const failing = enc.filter((v) => JSON.stringify(mutant(element(v.input))) !== JSON.stringify(v.expected))
    expect(failing.length).toBeGreaterThan(0)
  })
})
