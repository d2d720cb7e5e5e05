// Gc: the collected state is a new value (the input is never written to),
// nothing is copied when nothing is dead, and tagCount counts both sets.
import { describe, expect, it } from "vitest"
import { gcORMap, gcORSet, tagCount } from "../../src/State/Gc.ts"
import type { ORMap, ORSet } from "../../src/State/ORSet.ts"

const reg = { timestamp: 1, replica: 0, value: 7 }

describe("Gc", () => {
  it("gcORSet leaves its input unchanged, and returns it as is when the snapshot has no dead tag", () => {
    const s: ORSet = { tags: [[[1, 2], [2]], [[3], []]] }
    const before = structuredClone(s)
    expect(gcORSet(s, { tags: [[[1, 2], [2]]] })).toEqual({ tags: [[[1], []], [[3], []]] })
    expect(s).toEqual(before)
    // live tags only (added, not removed) in the snapshot: nothing to drop, no copy
    expect(gcORSet(s, { tags: [[[1], []], [[3], [4]]] })).toBe(s)
  })

  it("gcORMap leaves its input unchanged, keeps values, and returns it as is when nothing is dead", () => {
    const m: ORMap = { entries: [[[[1], []], undefined], [[[2, 5], [5]], reg]] }
    const before = structuredClone(m)
    const snap: ORMap = { entries: [[[[1], []], undefined], [[[5], [5]], reg]] }
    expect(gcORMap(m, snap)).toEqual({ entries: [[[[1], []], undefined], [[[2], []], reg]] })
    expect(m).toEqual(before)
    expect(gcORMap(m, { entries: [[[[1], []], undefined], [[[2, 5], []], reg]] })).toBe(m)
  })

  it("tagCount adds the added and removed tags of every element", () => {
    expect(tagCount({ tags: [[[1, 2, 3], [2]], [[4], []], [[], [5, 6]]] })).toBe(7)
    expect(tagCount({ entries: [[[[1, 2, 3], [2]], reg], [[[], [7]], undefined]] })).toBe(5)
    expect(tagCount({ tags: [] })).toBe(0)
  })
})
