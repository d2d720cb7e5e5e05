import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { EventQueue } from "../../src/Mesh/SimQueue.ts"

describe("mesh simulation: event queue", () => {
  it("pops events in time order, and events at the same time in the order they were pushed (a stable sort)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (times) => {
        const q = new EventQueue<number>()
        times.forEach((t, i) => q.push(t, i))
        const out: number[] = []
        for (let e = q.pop(); e !== undefined; e = q.pop()) out.push(e.e)
        const want = times.map((t, i) => [t, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((x) => x[1])
        expect(out).toEqual(want)
        expect(q.size).toBe(0)
      }),
    )
  })
})
