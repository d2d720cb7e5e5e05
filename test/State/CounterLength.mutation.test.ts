// GCounter.make accepts exactly MAX_REPLICAS = 2^24 entries (the encoding's
// longest list); Domain.mutation.test.ts checks that one more is refused.
import { describe, expect, it } from "vitest"
import { GCounter, MAX_REPLICAS } from "../../src/State/Counter.ts"

describe("GCounter.make at the list limit", () => {
  it("accepts a list of exactly MAX_REPLICAS entries", () => {
    const c = GCounter.make(new Array<number>(MAX_REPLICAS).fill(0))
    expect(c.counts.length).toBe(MAX_REPLICAS)
    expect(GCounter.value(c)).toBe(0)
  })
})
