// Differential test: src/Scale/Communication.ts's ceilDiv (an overflow-free
// rewrite) against the reference generated from Lean's `(a + k - 1) / k`.
import fc from "fast-check"
import { describe, it } from "vitest"
import * as Ref from "../../gen/ts/Scale/Communication.ts"
import { ceilDiv } from "../../src/Scale/Communication.ts"
import { params, runs } from "./seed.ts"

const natArb = fc.oneof(
  fc.integer({ min: 0, max: 1000 }),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  fc.constantFrom(0, 1, 2, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1),
)

describe(`Scale: src against the Lean-generated reference (${runs} cases)`, () => {
  // @gen Hydrogen.Scale.ceilDiv
  // @lean Hydrogen.Scale.ceilDiv
  it("ceilDiv: ceilDiv a k equals the reference ceilDiv (k = 0 and a = 0 included)", () => {
    fc.assert(fc.property(natArb, natArb, (a, k) => BigInt(ceilDiv(a, k)) === Ref.ceilDiv(BigInt(a), BigInt(k))), params)
  })
})
