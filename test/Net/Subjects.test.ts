import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { isPublishSubject, validatePublishSubject } from "../../src/Net/Subjects.ts"

// The rule as NATS states it: tokens separated by ".", none empty, none containing whitespace, none a wildcard.
const spec = (subject: string): boolean => subject.split(".").every((t) => t !== "" && !/\s/.test(t) && t !== "*" && t !== ">")

const alphabet = ["a", "Z", "0", "-", "_", ".", "*", ">", " ", "\t", "\n", "\u00a0", "\u2003", "\ufeff", "\u0001", "é"]

describe("publish subjects", () => {
  it("isPublishSubject accepts exactly the subjects whose tokens are non-empty, whitespace-free and not wildcards", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 12 }), (chars) => {
        const s = chars.join("")
        expect(isPublishSubject(s)).toBe(spec(s))
      }),
      { numRuns: 5000 },
    )
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 20 }), (s) => {
        expect(isPublishSubject(s)).toBe(spec(s))
      }),
      { numRuns: 2000 },
    )
  })

  it("validatePublishSubject throws a bad-subject TransportError naming the subject", () => {
    for (const bad of ["", "a..b", "a.*", ">", "a. b", ".a", "a."]) {
      expect(() => validatePublishSubject(bad)).toThrow(expect.objectContaining({ reason: "bad-subject", detail: expect.stringContaining(JSON.stringify(bad)) }))
    }
    for (const good of ["a", "h.up.2.17", "a.b*c", "x>.y"]) expect(() => validatePublishSubject(good)).not.toThrow()
  })
})
