import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { INSTANCE_WORDS, numKinds } from "../../src/Render/Commands.ts"
import { drawCount, drawRecords, type FrameDraws } from "../../src/Render/Frame.ts"
import { CheckedFrame } from "../../src/Render/FrameChecked.ts"
import { allocFrameIndices, type FrameIndices, gatherRecords, indexRange } from "../../src/Render/FrameIndexed.ts"
import { atomPayload } from "../../src/Wire/Element.ts"
import { frameArb, sameDrawsAsBuildDraws, type Slot, slotArb, storeOf } from "./frame-arbitraries.ts"

// The reference for the index stream is the record stream: gathering each
// draw's rows from the resident table must give `draws`' records for that
// slot and kind (which equal `buildDraws` per slot, checked here again).

/** Every (slot, kind) draw of `ix`, gathered through `records`, equals `draws`' records. */
const sameAsDraws = (c: CheckedFrame, ix: FrameIndices, d: FrameDraws): void => {
  expect(ix.viewports).toBe(d.viewports)
  for (let v = 0; v < d.viewports; v++)
    for (let k = 0; k < numKinds; k++) {
      expect(indexRange(ix, v, k).length).toBe(drawCount(d, v, k))
      expect(Array.from(gatherRecords(c.records, indexRange(ix, v, k)))).toEqual(Array.from(drawRecords(d, v, k)))
    }
}

/** The instance record of an Element, field by field as INSTANCE_BYTES documents it (not read from the table). */
const recordOf = (c: CheckedFrame, i: number): Array<number> => {
  const e = c.row(i)
  const p = atomPayload(e.atom)
  return [e.x, e.y, e.width | (e.height << 16), e.color | 0, p[0]! | (p[1]! << 8) | (p[2]! << 16) | (p[3]! << 24), e.z]
}

describe("Render.FrameIndexed: the index stream draws what the record stream draws", () => {
  it("on random frames, each slot's rows per kind, gathered from the resident table, are buildDraws' records in the same order", () => {
    fc.assert(
      fc.property(frameArb, (slots) => {
        const c = Result.getOrThrow(CheckedFrame.of(storeOf(slots)))
        const d = c.draws()
        sameDrawsAsBuildDraws(slots, d)
        sameAsDraws(c, c.indices(), d)
      }),
      { numRuns: 200 },
    )
  })

  it("the resident table holds each row's instance record, and follows setRow, moveRow and setView", () => {
    const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
    fc.assert(
      fc.property(fc.array(slotArb, { minLength: 1, maxLength: 5 }), fc.nat(), int32, int32, slotArb, fc.nat(), (slots, ri, x, y, fresh, vi) => {
        const c = Result.getOrThrow(CheckedFrame.of(storeOf(slots)))
        const n = c.count
        for (let i = 0; i < n; i++) expect(Array.from(c.records.subarray(i * INSTANCE_WORDS, (i + 1) * INSTANCE_WORDS))).toEqual(recordOf(c, i))
        expect(c.takeDirty()).toEqual([0, n])
        expect(c.takeDirty()).toEqual([n, 0])
        const out = allocFrameIndices(n, slots.length)
        if (n > 0) {
          const i = ri % n
          expect(Result.isSuccess(c.moveRow(i, x, y))).toBe(true)
          expect(c.takeDirty()).toEqual([i, i + 1])
          expect(Array.from(c.records.subarray(i * INSTANCE_WORDS, (i + 1) * INSTANCE_WORDS))).toEqual(recordOf(c, i))
          sameAsDraws(c, c.indices(out), c.draws())
          const j = (ri * 7 + 3) % n
          const row = fresh.rows[0]
          if (row !== undefined) {
            expect(Result.isSuccess(c.setRow(j, row))).toBe(true)
            expect(Array.from(c.records.subarray(j * INSTANCE_WORDS, (j + 1) * INSTANCE_WORDS))).toEqual(recordOf(c, j))
          }
        }
        expect(Result.isSuccess(c.setView(vi % slots.length, fresh.view))).toBe(true)
        // the same output object, reused
        expect(c.indices(out)).toBe(out)
        sameAsDraws(c, out, c.draws())
      }),
      { numRuns: 200 },
    )
  })

  it("a bad write is refused and leaves the table and the dirty range as they were", () => {
    const slots: Array<Slot> = [{ view: { viewport: 0, left: 0, top: 0, right: 320, bottom: 320 }, rows: [] }]
    const c = Result.getOrThrow(CheckedFrame.of(storeOf(slots)))
    c.takeDirty()
    expect(Result.isFailure(c.moveRow(0, 0, 0))).toBe(true)
    expect(c.takeDirty()).toEqual([0, 0])
  })

  it("an output too small for the frame is replaced by a fresh one; an empty frame has no indices", () => {
    fc.assert(
      fc.property(fc.array(slotArb, { minLength: 1, maxLength: 4 }), (slots) => {
        const c = Result.getOrThrow(CheckedFrame.of(storeOf(slots)))
        const small = allocFrameIndices(0, 0)
        const got = c.indices(small)
        expect(got === small).toBe(c.count === 0 && slots.length === 0)
        sameAsDraws(c, got, c.draws())
      }),
      { numRuns: 50 },
    )
    const empty = Result.getOrThrow(CheckedFrame.of(storeOf([])))
    const ix = empty.indices()
    expect(ix.viewports).toBe(0)
    expect(ix.words.length).toBe(0)
  })
})
