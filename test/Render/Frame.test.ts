import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { buildDraws, cull, DrawInputError, INSTANCE_WORDS, numKinds, usedKinds, type View } from "../../src/Render/Commands.ts"
import {
  allocFrameDraws,
  allocFrameStore,
  buildFrameDraws,
  checkFrame,
  drawCount,
  drawRecords,
  type FrameDraws,
  frameDrawCalls,
  type FrameStore,
  frameView,
  setFrameView,
  VIEW_WORDS,
} from "../../src/Render/Frame.ts"
import { CheckedFrame } from "../../src/Render/FrameChecked.ts"
import { allocColumns, columnsOfElements, type ElementColumns, setColumnsRow } from "../../src/Wire/Codec.ts"
import type { Element } from "../../src/Wire/Element.ts"
import { atomArb, elementArb } from "../Wire/arbitraries.ts"
import { frameArb, reference, safe, sameDrawsAsBuildDraws, type Slot, slotArb, smallElementArb, storeOf, viewArb } from "./frame-arbitraries.ts"

const built = (s: FrameStore, out?: FrameDraws): FrameDraws => {
  const r = buildFrameDraws(s, out)
  if (Result.isFailure(r)) throw r.failure
  return r.success
}

describe("Render.Frame: the frame pass equals buildDraws per viewport", () => {
  it("on random frames, each slot's records per kind are buildDraws' records, in the same order", () => {
    fc.assert(
      fc.property(frameArb, (slots) => {
        sameDrawsAsBuildDraws(slots, built(storeOf(slots)))
        sameDrawsAsBuildDraws(slots, Result.getOrThrow(CheckedFrame.of(storeOf(slots))).draws())
      }),
      { numRuns: 300 },
    )
  })

  // @lean Hydrogen.Render.drawCalls_eq_length_usedKinds
  it("drawCalls_eq_length_usedKinds: the frame's draw count is Σ over slots of the distinct kinds in view", () => {
    fc.assert(
      fc.property(frameArb, (slots) => {
        const d = built(storeOf(slots))
        const proved = slots.reduce((a, sl) => a + usedKinds(cull(sl.view, sl.rows)).length, 0)
        expect(frameDrawCalls(d)).toBe(proved)
        slots.forEach((sl, v) => {
          const kindsInView = usedKinds(cull(sl.view, sl.rows))
          for (let k = 0; k < numKinds; k++) expect(drawCount(d, v, k) > 0).toBe(kindsInView.includes(k))
        })
      }),
      { numRuns: 300 },
    )
  })

  // @lean Hydrogen.Render.drawList_calls_le
  it("drawList_calls_le: every slot makes at most numKinds draws, so the frame at most numKinds × slots", () => {
    fc.assert(
      fc.property(frameArb, (slots) => {
        const d = built(storeOf(slots))
        expect(frameDrawCalls(d)).toBeLessThanOrEqual(numKinds * slots.length)
        slots.forEach((_, v) => {
          let calls = 0
          for (let k = 0; k < numKinds; k++) if (drawCount(d, v, k) > 0) calls++
          expect(calls).toBeLessThanOrEqual(numKinds)
        })
      }),
      { numRuns: 200 },
    )
  })

  it("one output reused across frames of any size gives each frame's own draws", () => {
    fc.assert(
      fc.property(frameArb, frameArb, (a, b) => {
        const rows = Math.max(...[a, b].map((f) => f.reduce((n, sl) => n + sl.rows.length, 0)))
        const out = allocFrameDraws(rows, Math.max(a.length, b.length))
        expect(built(storeOf(a), out)).toBe(out)
        expect(built(storeOf(b), out)).toBe(out)
        sameDrawsAsBuildDraws(b, out)
      }),
      { numRuns: 100 },
    )
  })

  it("an output too small for the frame is replaced by a fresh one", () => {
    const slots: Slot[] = [{ view: { viewport: 0, left: 0, top: 0, right: 160, bottom: 160 }, rows: [elementAt(0, 0, 0), elementAt(0, 16, 1)] }]
    const small = allocFrameDraws(1, 1)
    const d = built(storeOf(slots), small)
    expect(d).not.toBe(small)
    sameDrawsAsBuildDraws(slots, d)
    expect(built(storeOf([...slots, ...slots]), allocFrameDraws(4, 1)).maxViewports).toBe(2)
  })

  it("an empty frame makes no draws", () => {
    const d = built(storeOf([]))
    expect(d.viewports).toBe(0)
    expect(frameDrawCalls(d)).toBe(0)
  })
})

const elementAt = (viewport: number, x: number, kindCode: number): Element => ({
  atom: [{ _tag: "rect", cornerRadius: 1 }, { _tag: "text", font: 1, size: 9 }, { _tag: "image", source: 3 }, { _tag: "path", stroke: 2 }][kindCode] as Element["atom"],
  z: 0,
  viewport,
  x,
  y: 0,
  width: 1,
  height: 1,
  color: 0,
})

/** What sequential `buildDraws` over the slots reports first, rows renumbered into the frame and view fields named by slot. */
const firstSequentialError = (slots: ReadonlyArray<Slot>, cols: ReadonlyArray<ElementColumns>): DrawInputError | null => {
  let base = 0
  for (let v = 0; v < slots.length; v++) {
    const r = buildDraws(slots[v]!.view, cols[v]!)
    if (Result.isFailure(r)) {
      const e = r.failure
      return e.field === "kind"
        ? new DrawInputError({ ...e, index: base + e.index })
        : new DrawInputError({ ...e, field: e.field.replace(/^view\./, `views[${v}].`) })
    }
    base += cols[v]!.count
  }
  return null
}

describe("Render.Frame: bad input", () => {
  const badViewArb = fc.oneof(
    fc.record({ field: fc.constant("viewport" as const), value: fc.constantFrom(-1, 2 ** 32, 0.5, Number.NaN) }),
    fc.record({ field: fc.constantFrom("left" as const, "top" as const, "right" as const, "bottom" as const), value: fc.constantFrom(Number.NaN, 0.5, 2 ** 60, -Infinity) }),
  )

  it("bad views and kind codes give the error of the first slot buildDraws rejects, and leave the output untouched", () => {
    fc.assert(
      fc.property(
        fc.array(slotArb, { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(), badViewArb), { maxLength: 2 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 4, max: 255 })), { maxLength: 3 }),
        (slots, badViews, badKinds) => {
          const s = storeOf(slots)
          const n = s.columns.count
          for (const [at, { field, value }] of badViews)
            s.views[(at % slots.length) * VIEW_WORDS + ["viewport", "left", "top", "right", "bottom"].indexOf(field)] = value
          if (n > 0) for (const [at, code] of badKinds) s.columns.kind[at % n] = code
          // The same rows and views, cut per slot, for buildDraws.
          const perSlot = slots.map((_, v) => {
            const c = allocColumns(s.offsets[v + 1]! - s.offsets[v]!)
            for (const key of ["kind", "z", "viewport", "x", "y", "width", "height", "color", "payload"] as const)
              c[key].set(s.columns[key].subarray(s.offsets[v]!, s.offsets[v + 1]!) as never)
            return c
          })
          const expected = firstSequentialError(slots.map((_, v) => ({ view: frameView(s, v), rows: [] })), perSlot)
          const out = allocFrameDraws(n, slots.length)
          out.words.fill(7)
          const r = buildFrameDraws(s, out)
          if (expected === null) {
            expect(Result.isSuccess(r)).toBe(true)
            return
          }
          expect(Result.isFailure(r)).toBe(true)
          if (!Result.isFailure(r)) return
          expect(r.failure).toBeInstanceOf(DrawInputError)
          expect({ field: r.failure.field, index: r.failure.index, value: r.failure.value }).toEqual({
            field: expected.field,
            index: expected.index,
            value: expected.value,
          })
          expect(out.words.every((w) => w === 7)).toBe(true)
          expect(Result.isFailure(CheckedFrame.of(s))).toBe(true)
        },
      ),
      { numRuns: 300 },
    )
  })

  it("a malformed store (offsets, short columns, short views, count) is a typed error naming the field", () => {
    const good = (): FrameStore => storeOf([{ view: { viewport: 0, left: 0, top: 0, right: 9, bottom: 9 }, rows: [elementAt(0, 0, 0), elementAt(0, 0, 1)] }])
    const fieldOf = (s: FrameStore): string | undefined => checkFrame(s)?.field
    expect(fieldOf(good())).toBeUndefined()
    const s1 = good()
    s1.offsets[0] = 1
    expect(fieldOf(s1)).toBe("offsets[0]")
    const s2 = good()
    s2.offsets[1] = 1
    expect(fieldOf(s2)).toBe("offsets[1]")
    const s3 = storeOf([
      { view: { viewport: 0, left: 0, top: 0, right: 9, bottom: 9 }, rows: [elementAt(0, 0, 0), elementAt(0, 0, 0)] },
      { view: { viewport: 1, left: 0, top: 0, right: 9, bottom: 9 }, rows: [elementAt(1, 0, 0)] },
    ])
    s3.offsets[1] = 3
    expect(fieldOf(s3)).toBeUndefined() // [0, 3, 3]: slot 1 empty, still a partition of the rows
    s3.offsets[2] = 2
    expect(fieldOf(s3)).toBe("offsets[2]") // decreasing
    expect(fieldOf({ ...good(), columns: { ...good().columns, count: 3 } })).toBe("columns.kind.length")
    expect(fieldOf({ ...good(), columns: { ...good().columns, count: -1 } })).toBe("count")
    expect(fieldOf({ ...good(), views: new Float64Array(4) })).toBe("views.length")
    expect(fieldOf({ ...good(), offsets: new Uint32Array(1) })).toBe("offsets.length")
    expect(fieldOf({ ...good(), viewports: 1.5 })).toBe("viewports")
    const r = buildFrameDraws(s1)
    expect(Result.isFailure(r) && r.failure._tag === "DrawInputError").toBe(true)
  })
})

describe("Render.Frame: CheckedFrame", () => {
  it("draws equal buildFrameDraws on the same store, and later changes to that store do not reach the copy", () => {
    fc.assert(
      fc.property(frameArb, (slots) => {
        const s = storeOf(slots)
        const c = Result.getOrThrow(CheckedFrame.of(s))
        sameDrawsAsBuildDraws(slots, c.draws())
        if (s.columns.count > 0) s.columns.kind[0] = 9
        if (slots.length > 0) s.views[1] = Number.NaN
        sameDrawsAsBuildDraws(slots, c.draws())
      }),
      { numRuns: 100 },
    )
  })

  it("setRow and setView write checked values; bad ones are typed errors and change nothing", () => {
    fc.assert(
      fc.property(fc.array(slotArb, { minLength: 1, maxLength: 5 }), fc.nat(), fc.nat(), slotArb, (slots, ri, vi, fresh) => {
        const c = Result.getOrThrow(CheckedFrame.of(storeOf(slots)))
        const n = c.count
        const v = vi % slots.length
        const edited = slots.map((sl) => ({ view: sl.view, rows: [...sl.rows] }))
        expect(Result.isSuccess(c.setView(v, fresh.view))).toBe(true)
        edited[v] = { view: fresh.view, rows: edited[v]!.rows }
        if (n > 0 && fresh.rows.length > 0) {
          const i = ri % n
          expect(Result.isSuccess(c.setRow(i, fresh.rows[0]!))).toBe(true)
          const slot = edited.findIndex((_, u) => c.rows(u)[0] <= i && i < c.rows(u)[1])
          edited[slot]!.rows[i - c.rows(slot)[0]] = fresh.rows[0]!
        }
        const bad = [
          c.setRow(n, elementAt(0, 0, 0)),
          c.setRow(0, { ...elementAt(0, 0, 0), width: 70000 }),
          c.setRow(0, { ...elementAt(0, 0, 0), x: 2 ** 31 }),
          c.setView(v, { ...fresh.view, left: 0.5 }),
          c.setView(v, { ...fresh.view, viewport: -1 }),
          c.setView(slots.length, fresh.view),
        ]
        for (const r of bad) expect(Result.isFailure(r) && r.failure instanceof DrawInputError).toBe(true)
        sameDrawsAsBuildDraws(edited, c.draws())
      }),
      { numRuns: 200 },
    )
  })

  it("after a view or a row changes viewport, rows of another viewport are culled (the stored counts follow)", () => {
    const rows = [elementAt(0, 0, 0), elementAt(0, 16, 1), elementAt(0, 32, 2)]
    const view = { viewport: 0, left: 0, top: 0, right: 160, bottom: 160 }
    const c = Result.getOrThrow(CheckedFrame.of(storeOf([{ view, rows }])))
    expect(frameDrawCalls(c.draws())).toBe(3)
    expect(Result.isSuccess(c.setRow(1, elementAt(5, 16, 1)))).toBe(true)
    sameDrawsAsBuildDraws([{ view, rows: [rows[0]!, elementAt(5, 16, 1), rows[2]!] }], c.draws())
    expect(frameDrawCalls(c.draws())).toBe(2)
    expect(Result.isSuccess(c.setRow(1, rows[1]!))).toBe(true)
    expect(frameDrawCalls(c.draws())).toBe(3)
    expect(Result.isSuccess(c.setView(0, { ...view, viewport: 1 }))).toBe(true)
    expect(frameDrawCalls(c.draws())).toBe(0)
    expect(Result.isSuccess(c.setView(0, view))).toBe(true)
    expect(frameDrawCalls(c.draws())).toBe(3)
  })

  it("far edges past int32 and empty rectangles are culled as buildDraws culls them", () => {
    const e = (x: number, y: number, width: number, height: number): Element => ({ ...elementAt(0, x, 0), y, width, height })
    const cases: Array<Slot> = [
      // x + 16·width = 2^31 + 15: past int32, kept by a view ending inside it.
      { view: { viewport: 0, left: 0, top: 0, right: 2 ** 31 - 2, bottom: 16 }, rows: [e(2 ** 31 - 17, 0, 2, 1)] },
      // The same row against a view starting at 2^31 − 1 (the edge of the int32 loop's range).
      { view: { viewport: 0, left: 2 ** 31 - 1, top: 0, right: 2 ** 31 + 100, bottom: 16 }, rows: [e(2 ** 31 - 17, 0, 2, 1)] },
      { view: { viewport: 0, left: -(2 ** 31), top: 0, right: 0, bottom: 16 }, rows: [e(-(2 ** 31), 0, 1, 1)] },
      // Zero height (or width) inside the view: culled.
      { view: { viewport: 0, left: -100, top: -100, right: 100, bottom: 100 }, rows: [e(0, -32, 1, 0), e(0, 0, 0, 1)] },
    ]
    const expectedVisible = [1, 1, 1, 0]
    cases.forEach((sl, i) => {
      sameDrawsAsBuildDraws([sl], built(storeOf([sl])))
      const d = Result.getOrThrow(CheckedFrame.of(storeOf([sl]))).draws()
      sameDrawsAsBuildDraws([sl], d)
      expect(drawCount(d, 0, 0)).toBe(expectedVisible[i])
    })
  })

  it("a bad row names its index; a bad view names its slot and field", () => {
    const c = Result.getOrThrow(CheckedFrame.of(storeOf([{ view: { viewport: 0, left: 0, top: 0, right: 9, bottom: 9 }, rows: [elementAt(0, 0, 0)] }])))
    const r = c.setRow(0, { ...elementAt(0, 0, 0), height: -1 })
    expect(Result.isFailure(r) && [r.failure.field, r.failure.index]).toEqual(["element", 0])
    const w = c.setView(0, { viewport: 0, left: 0, top: 0, right: Number.POSITIVE_INFINITY, bottom: 9 })
    expect(Result.isFailure(w) && w.failure.field).toBe("views[0].right")
    expect(c.row(0)).toEqual(elementAt(0, 0, 0))
    expect(c.view(0)).toEqual({ viewport: 0, left: 0, top: 0, right: 9, bottom: 9 })
  })
})

// Rows written at the int32 edges, with views straddling them: the int32
// comparisons and the float64 fallback must agree with buildDraws.
describe("Render.Frame: CheckedFrame.moveRow", () => {
  it("moveRow(i, x, y) draws what setRow(i, {...row, x, y}) draws; a non-int32 coordinate or a bad row is a typed error and changes nothing", () => {
    const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
    fc.assert(
      fc.property(fc.array(slotArb, { minLength: 1, maxLength: 5 }), fc.nat(), int32, int32, (slots, ri, x, y) => {
        const moved = Result.getOrThrow(CheckedFrame.of(storeOf(slots)))
        const set = Result.getOrThrow(CheckedFrame.of(storeOf(slots)))
        const n = moved.count
        const edited = slots.map((sl) => ({ view: sl.view, rows: [...sl.rows] }))
        if (n > 0) {
          const i = ri % n
          const slot = edited.findIndex((_, u) => moved.rows(u)[0] <= i && i < moved.rows(u)[1])
          const row = { ...edited[slot]!.rows[i - moved.rows(slot)[0]]!, x, y }
          expect(Result.isSuccess(moved.moveRow(i, x, y))).toBe(true)
          expect(Result.isSuccess(set.setRow(i, row))).toBe(true)
          edited[slot]!.rows[i - moved.rows(slot)[0]] = row
        }
        const bad = [moved.moveRow(n, 0, 0), moved.moveRow(0, 2 ** 31, 0), moved.moveRow(0, 0, -(2 ** 31) - 1), moved.moveRow(0, 0.5, 0), moved.moveRow(0, 0, Number.NaN)]
        for (const r of bad) expect(Result.isFailure(r) && r.failure instanceof DrawInputError).toBe(true)
        sameDrawsAsBuildDraws(edited, moved.draws())
        sameDrawsAsBuildDraws(edited, set.draws())
      }),
      { numRuns: 200 },
    )
  })

  it("moveRow out of the view and back: the row is culled, then drawn again (its stored far edges follow the move)", () => {
    const view = { viewport: 0, left: 0, top: 0, right: 160, bottom: 160 }
    const rows = [elementAt(0, 0, 0), elementAt(0, 16, 1)]
    const c = Result.getOrThrow(CheckedFrame.of(storeOf([{ view, rows }])))
    expect(frameDrawCalls(c.draws())).toBe(2)
    expect(Result.isSuccess(c.moveRow(1, -16 * 1000, 0))).toBe(true)
    expect(frameDrawCalls(c.draws())).toBe(1)
    expect(Result.isSuccess(c.moveRow(1, 16, 16 * 1000))).toBe(true)
    expect(frameDrawCalls(c.draws())).toBe(1)
    expect(Result.isSuccess(c.moveRow(1, 16, 0))).toBe(true)
    expect(frameDrawCalls(c.draws())).toBe(2)
  })
})

describe("Render.Frame: coordinates at the int32 edges", () => {
  it("rows near ±2^31 against views inside and outside int32 agree with buildDraws", () => {
    const edge = fc.constantFrom(-(2 ** 31), -(2 ** 31) + 1, -(2 ** 31) + 16, 2 ** 31 - 17, 2 ** 31 - 2, 2 ** 31 - 1, 0)
    const rowArb = fc.record({
      atom: atomArb,
      z: fc.constant(0),
      viewport: fc.constant(0),
      x: edge,
      y: edge,
      width: fc.constantFrom(1, 2, 0xffff),
      height: fc.constantFrom(1, 0xffff),
      color: fc.constant(0),
    })
    const edgeView = fc
      .tuple(
        fc.constantFrom(-(2 ** 31), -(2 ** 31) - 1, -(2 ** 31) + 1, -(2 ** 31) + 15, 2 ** 31 - 18, 2 ** 31 - 3, 2 ** 31 - 2, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 2 ** 20, 0),
        fc.constantFrom(1, 2, 16, 17, 2 ** 21, 2 ** 33),
      )
      .map(([a, w]) => [a, a + w] as const)
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 20 }), edgeView, edgeView, (rows, [left, right], [top, bottom]) => {
        const slots = [{ view: { viewport: 0, left, top, right, bottom }, rows }]
        sameDrawsAsBuildDraws(slots, built(storeOf(slots)))
        sameDrawsAsBuildDraws(slots, Result.getOrThrow(CheckedFrame.of(storeOf(slots))).draws())
      }),
      { numRuns: 300 },
    )
    const c = allocColumns(1)
    setColumnsRow(c, 0, { ...elementAt(0, 2 ** 31 - 1, 0), width: 0xffff })
    const s = allocFrameStore(c, 1)
    s.offsets[1] = 1
    setFrameView(s, 0, { viewport: 0, left: 2 ** 31 + 100, top: 0, right: 2 ** 31 + 200, bottom: 16 })
    expect(drawCount(built(s), 0, 0)).toBe(1)
    expect(drawCount(Result.getOrThrow(CheckedFrame.of(s)).draws(), 0, 0)).toBe(1)
  })
})
