// aggregateKaryTyped on 10^6 leaves against a plain sequential loop. Its own
// file so that `make mutation` can leave it out (vitest.mutation.config.ts):
// instrumented, it runs ~60 s, and every mutant of the typed fold would wait
// for it; the random-array property in Mutation.test.ts covers the same code.
import { describe, expect, it } from "vitest"
import { aggregateKaryTyped, type TypedOp } from "../../src/Aggregate/Tree.ts"

/** Plain sequential reference loop (left to right, no tree). */
const sequential = (op: TypedOp, xs: Float64Array): number => {
  let acc = op === "max" ? Number.NEGATIVE_INFINITY : op === "min" ? Number.POSITIVE_INFINITY : 0
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] as number
    if (op === "max") acc = x > acc ? x : acc
    else if (op === "min") acc = x < acc ? x : acc
    else acc += x
  }
  return acc
}

describe("aggregateKaryTyped equals a plain sequential loop", () => {
  const ops: ReadonlyArray<TypedOp> = ["sum", "count", "min", "max"]

  it("for 10^6 leaves (k = 2, 7, 1000)", () => {
    const n = 1_000_000
    const a = new Float64Array(n)
    let s = 12345
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0
      a[i] = (s % 2_000_001) - 1_000_000
    }
    const counts = a.map((x) => Math.abs(x))
    for (const k of [2, 7, 1000]) {
      for (const op of ops) {
        const data = op === "count" ? counts : a
        expect(aggregateKaryTyped(op, k, data)).toBe(sequential(op, data))
      }
    }
  })
})
