// The typed fast path (`aggregateKaryTyped`) returns Lean's value or a typed
// error, never a rounded number (Tree.ts). Its fast check must send every
// batch whose sum could leave the safe range to the exact path, including
// batches of even integers so large that the fraction test alone passes them.
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { OutOfDomain, SafeIntegerOverflow } from "../../src/Aggregate/Domain.ts"
import { aggregateKaryTyped, aggregateKaryTypedResult } from "../../src/Aggregate/Tree.ts"

const big = 2 ** 52 // a safe integer; 2 · 2^52 = 2^53 is not

describe("aggregateKaryTyped near 2^53 with exactly representable leaves", () => {
  it("sum / count of 2^52 + 2^52 is SafeIntegerOverflow (2^53 is not safe), naming the op", () => {
    for (const op of ["sum", "count"] as const) {
      for (const k of [2, 3]) {
        const r = aggregateKaryTypedResult(op, k, Float64Array.of(big, big))
        expect(Result.isFailure(r) && r.failure).toBeInstanceOf(SafeIntegerOverflow)
        expect(Result.isFailure(r) && r.failure).toMatchObject({ where: `aggregateKaryTyped(${op})`, operation: "sum", operands: [2] })
      }
    }
    expect(() => aggregateKaryTyped("sum", 2, Float64Array.of(-big, -big, -big))).toThrow(SafeIntegerOverflow)
  })

  it("an exact sum of exactly −(2^53 − 1) is returned, not refused", () => {
    const max = Number.MAX_SAFE_INTEGER
    // Σ|leaf| = 2^53 + 1 sends the batch to the exact (BigInt) sum; the sum itself is safe
    expect(aggregateKaryTyped("sum", 2, Float64Array.of(-max, 1, -1))).toBe(-max)
    expect(aggregateKaryTyped("sum", 2, Float64Array.of(max, 1, -1))).toBe(max)
  })

  it("the exact sum when big leaves cancel: 2^52 + 2^52 − 2^52 − 2^52 + 5 = 5", () => {
    expect(aggregateKaryTyped("sum", 2, Float64Array.of(big, big, -big, -big, 5))).toBe(5)
    expect(aggregateKaryTyped("sum", 4, Float64Array.of(big, -big, big - 1))).toBe(big - 1)
  })

  it("max / min of huge leaves are exact (no overflow possible)", () => {
    const max = Number.MAX_SAFE_INTEGER
    expect(aggregateKaryTyped("max", 2, Float64Array.of(big, max, -max))).toBe(max)
    expect(aggregateKaryTyped("min", 2, Float64Array.of(big, max, -max))).toBe(-max)
  })

  it("the first bad leaf is named, with the Lean type of the op", () => {
    const r = aggregateKaryTypedResult("count", 2, Float64Array.of(1, 2, -3, -4))
    expect(Result.isFailure(r) && r.failure).toBeInstanceOf(OutOfDomain)
    expect(Result.isFailure(r) && r.failure).toMatchObject({ where: "aggregateKaryTyped(count)", field: "leaves[2]", value: -3, domain: "Nat" })
    const s = aggregateKaryTypedResult("sum", 2, Float64Array.of(1, 0.5))
    expect(Result.isFailure(s) && s.failure).toMatchObject({ where: "aggregateKaryTyped(sum)", field: "leaves[1]", value: 0.5, domain: "Int" })
    const m = aggregateKaryTypedResult("max", 2, Float64Array.of(Number.NaN))
    expect(Result.isFailure(m) && m.failure).toMatchObject({ where: "aggregateKaryTyped(max)", field: "leaves[0]", domain: "Int" })
    const n = aggregateKaryTypedResult("min", 2, Float64Array.of(3, Number.NEGATIVE_INFINITY))
    expect(Result.isFailure(n) && n.failure).toMatchObject({ where: "aggregateKaryTyped(min)", field: "leaves[1]", domain: "Int" })
  })

  it("a bad arity or op is a RangeError naming it", () => {
    expect(() => aggregateKaryTyped("sum", 1, Float64Array.of(1))).toThrow(
      new RangeError("aggregateKaryTyped: arity k must be an integer >= 2, got 1"),
    )
    expect(() => aggregateKaryTyped("avg" as never, 2, Float64Array.of(1))).toThrow(
      new RangeError('aggregateKaryTyped: op must be "sum", "count", "min" or "max", got avg'),
    )
  })
})
