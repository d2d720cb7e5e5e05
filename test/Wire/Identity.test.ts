import { createHash } from "node:crypto"
import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { encode } from "../../src/Wire/Codec.ts"
import { elementId, formatUuid, NAMESPACE_DNS, NAMESPACE_URL, parseUuid, uuidV5, uuidV5Bytes } from "../../src/Wire/Identity.ts"
import { elementArb } from "./arbitraries.ts"

describe("UUIDv5 identity", () => {
  it("RFC 9562 example: DNS namespace, name www.example.com → 2ed6657d-e927-568b-95e1-2665a8aea6a2", () => {
    expect(uuidV5(NAMESPACE_DNS, "www.example.com")).toBe("2ed6657d-e927-568b-95e1-2665a8aea6a2")
    expect(uuidV5(NAMESPACE_DNS, new TextEncoder().encode("www.example.com"))).toBe("2ed6657d-e927-568b-95e1-2665a8aea6a2")
  })

  it("version nibble is 5 and variant bits are 10, for any namespace and name", () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 64 }), (ns, name) => {
      const u = uuidV5Bytes(ns as never, name)
      expect(u[6]! >> 4).toBe(5)
      expect(u[8]! >> 6).toBe(0b10)
      // the rest is SHA-1(namespace ‖ name)
      const h = createHash("sha1").update(ns).update(name).digest()
      expect(u[0]).toBe(h[0])
      expect(u[6]! & 0x0f).toBe(h[6]! & 0x0f)
      expect(u[15]).toBe(h[15])
      expect(formatUuid(u)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    }))
  })

  it("parseUuid ∘ formatUuid round-trips; malformed strings are typed errors", () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
      const r = parseUuid(formatUuid(b))
      expect(Result.isSuccess(r) && Array.from(r.success)).toEqual(Array.from(b))
    }))
    for (const s of ["", "6ba7b810-9dad-11d1-80b4-00c04fd430c", "6ba7b8109dad11d180b400c04fd430c8", "gba7b810-9dad-11d1-80b4-00c04fd430c8"]) {
      const r = parseUuid(s)
      expect(Result.isFailure(r) && r.failure).toMatchObject({ _tag: "InvalidUuid", input: s })
    }
  })

  it("elementId is UUIDv5 over the canonical 28-byte encoding: equal Elements, equal ids; namespaces separate", () => {
    fc.assert(fc.property(elementArb, (e) => {
      expect(elementId(NAMESPACE_URL, e)).toBe(uuidV5(NAMESPACE_URL, encode(e)))
      expect(elementId(NAMESPACE_URL, structuredClone(e))).toBe(elementId(NAMESPACE_URL, e))
      expect(elementId(NAMESPACE_DNS, e)).not.toBe(elementId(NAMESPACE_URL, e))
    }))
    fc.assert(fc.property(elementArb, elementArb, (a, b) =>
      JSON.stringify(a) === JSON.stringify(b) || elementId(NAMESPACE_DNS, a) !== elementId(NAMESPACE_DNS, b)))
  })
})
