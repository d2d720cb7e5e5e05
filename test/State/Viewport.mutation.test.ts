// ViewportState.equals compares all five components: two states that differ
// in exactly one of them are not equal.
import { describe, expect, it } from "vitest"
import { ViewportState } from "../../src/State/Viewport.ts"

const w = { timestamp: 1, replica: 0, value: 5 }
const base: ViewportState = {
  elements: { entries: [[[[1], []], w]] },
  positions: { entries: [w] },
  zOrder: { entries: [undefined, w] },
  animations: { tags: [[[2], []]] },
  clock: { ticks: [1, 2] },
}

describe("ViewportState.equals", () => {
  it("is true on equal states built separately, false when exactly one component differs", () => {
    expect(ViewportState.equals(base, structuredClone(base))).toBe(true)
    const other = { ...w, value: 6 }
    const oneOff: ReadonlyArray<ViewportState> = [
      { ...base, elements: { entries: [[[[1], [1]], w]] } },
      { ...base, positions: { entries: [other] } },
      { ...base, zOrder: { entries: [undefined, other] } },
      { ...base, animations: { tags: [[[2, 3], []]] } },
      { ...base, clock: { ticks: [1, 3] } },
    ]
    for (const s of oneOff) {
      expect(ViewportState.equals(base, s)).toBe(false)
      expect(ViewportState.equals(s, base)).toBe(false)
    }
  })
})
