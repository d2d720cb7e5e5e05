import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { average, concat, lwwByTimestamp, type Stamped } from "../../src/Aggregate/Counterexamples.ts"

const smallInt = fc.integer({ min: -1000, max: 1000 })

describe("Counterexamples: merges that are not safe in a tree", () => {
  // @lean Hydrogen.Aggregate.Counterexamples.average_not_assoc
  it("average_not_assoc: avg(avg(1,2),3) = 9/4 but avg(1,avg(2,3)) = 7/4 (Lean witness)", () => {
    expect(average(average(1, 2), 3)).toBe(9 / 4)
    expect(average(1, average(2, 3))).toBe(7 / 4)
    expect(average(average(1, 2), 3)).not.toBe(average(1, average(2, 3)))
  })

  // @lean Hydrogen.Aggregate.Counterexamples.average_not_assoc
  it("average_not_assoc: fast-check refutes ∀ a b c, avg(avg(a,b),c) = avg(a,avg(b,c))", () => {
    const r = fc.check(
      fc.property(smallInt, smallInt, smallInt, (a, b, c) => average(average(a, b), c) === average(a, average(b, c))),
    )
    expect(r.failed).toBe(true)
    const [a, b, c] = r.counterexample ?? [0, 0, 0]
    expect(average(average(a, b), c)).not.toBe(average(a, average(b, c)))
  })

  // @lean Hydrogen.Aggregate.Counterexamples.concat_not_comm
  it("concat_not_comm: [1] ++ [2] ≠ [2] ++ [1] (Lean witness)", () => {
    expect(concat([1], [2])).toEqual([1, 2])
    expect(concat([2], [1])).toEqual([2, 1])
    expect(concat([1], [2])).not.toEqual(concat([2], [1]))
  })

  // @lean Hydrogen.Aggregate.Counterexamples.concat_not_comm
  it("concat_not_comm: fast-check refutes ∀ a b, a ++ b = b ++ a", () => {
    const list = fc.array(fc.nat(9), { maxLength: 5 })
    const r = fc.check(fc.property(list, list, (a, b) => JSON.stringify(concat(a, b)) === JSON.stringify(concat(b, a))))
    expect(r.failed).toBe(true)
    const [a, b] = r.counterexample ?? [[], []]
    expect(concat(a, b)).not.toEqual(concat(b, a))
  })

  // @lean Hydrogen.Aggregate.Counterexamples.lwwByTimestamp_not_comm
  it("lwwByTimestamp_not_comm: equal timestamps ⟨5,1⟩, ⟨5,2⟩ keep the left value (Lean witness)", () => {
    const a: Stamped = { timestamp: 5, value: 1 }
    const b: Stamped = { timestamp: 5, value: 2 }
    expect(lwwByTimestamp(a, b)).toEqual(a)
    expect(lwwByTimestamp(b, a)).toEqual(b)
    expect(lwwByTimestamp(a, b)).not.toEqual(lwwByTimestamp(b, a))
    // distinct timestamps do pick the later write
    expect(lwwByTimestamp({ timestamp: 1, value: 7 }, { timestamp: 2, value: 8 }).value).toBe(8)
  })

  // @lean Hydrogen.Aggregate.Counterexamples.lwwByTimestamp_not_comm
  it("lwwByTimestamp_not_comm: fast-check refutes ∀ a b, lww(a,b) = lww(b,a)", () => {
    const stamped = fc.record({ timestamp: fc.nat(3), value: fc.nat(3) })
    const eq = (x: Stamped, y: Stamped) => x.timestamp === y.timestamp && x.value === y.value
    const r = fc.check(fc.property(stamped, stamped, (a, b) => eq(lwwByTimestamp(a, b), lwwByTimestamp(b, a))))
    expect(r.failed).toBe(true)
    const [a, b] = r.counterexample ?? [{ timestamp: 0, value: 0 }, { timestamp: 0, value: 0 }]
    expect(a.timestamp).toBe(b.timestamp) // a tie is the only way to break it
    expect(eq(lwwByTimestamp(a, b), lwwByTimestamp(b, a))).toBe(false)
  })
})
