// Counter.ts: the OutOfDomain of a replica id or an entry names the operation
// and the field, including where a call reads one entry without checking the
// whole list first (get, incDelta) and the clock comparison.
import { describe, expect, it } from "vitest"
import { OutOfDomain } from "../../src/Aggregate/Domain.ts"
import { GCounter, VectorClock } from "../../src/State/Counter.ts"

const outOfDomain = (f: () => unknown, where: string, field: string, value: number) => {
  let e: unknown
  try {
    f()
  } catch (x) {
    e = x
  }
  expect(e).toBeInstanceOf(OutOfDomain)
  expect(e).toMatchObject({ where, field, value, domain: "Nat" })
}

describe("Counter: OutOfDomain names", () => {
  it("get: the replica id", () => {
    outOfDomain(() => GCounter.get({ counts: [1] }, -1), "GCounter.get", "replica", -1)
    outOfDomain(() => VectorClock.get({ ticks: [1] }, 0.5), "VectorClock.get", "replica", 0.5)
  })

  it("get and incDelta name the entry they read with its index", () => {
    outOfDomain(() => GCounter.get({ counts: [0, -3] }, 1), "GCounter.get", "counts[1]", -3)
    outOfDomain(() => GCounter.incDelta(1, { counts: [0, 1.5] }), "GCounter.incDelta", "counts[1]", 1.5)
  })

  it("leq names itself and the operand", () => {
    outOfDomain(() => VectorClock.leq({ ticks: [-1] }, { ticks: [] }), "VectorClock.leq", "a.ticks[0]", -1)
    outOfDomain(() => VectorClock.leq({ ticks: [] }, { ticks: [0, -2] }), "VectorClock.leq", "b.ticks[1]", -2)
  })
})
