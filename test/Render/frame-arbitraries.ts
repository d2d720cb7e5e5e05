/** Random frames for the frame tests (Frame.test.ts, FrameIndexed.test.ts), and their reference draws. */
import fc from "fast-check"
import * as Result from "effect/Result"
import { expect } from "vitest"
import { buildDraws, INSTANCE_WORDS, numKinds, type View } from "../../src/Render/Commands.ts"
import { allocFrameStore, drawRecords, type FrameDraws, type FrameStore, setFrameView } from "../../src/Render/Frame.ts"
import { columnsOfElements } from "../../src/Wire/Codec.ts"
import type { Element } from "../../src/Wire/Element.ts"
import { atomArb, elementArb } from "../Wire/arbitraries.ts"

// The reference is `buildDraws` run on each slot alone (its own columns, its
// own view); it agrees with the Lean mirror `drawList` (test/Render/Commands.test.ts).

export interface Slot {
  readonly view: View
  readonly rows: ReadonlyArray<Element>
}

/** Small coordinates (culling both keeps and drops), viewports 0–2 so some rows belong to another view. */
export const smallElementArb: fc.Arbitrary<Element> = fc.record({
  atom: atomArb,
  z: fc.integer({ min: -3, max: 3 }),
  viewport: fc.integer({ min: 0, max: 2 }),
  x: fc.integer({ min: -400, max: 400 }),
  y: fc.integer({ min: -400, max: 400 }),
  width: fc.integer({ min: 0, max: 20 }),
  height: fc.integer({ min: 0, max: 20 }),
  color: fc.integer({ min: 0, max: 0xffffffff }),
})

/** A coordinate: mostly small, sometimes at or beyond the int32 edges (still a safe integer). */
export const coordArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -300, max: 300 }) },
  { weight: 1, arbitrary: fc.constantFrom(-(2 ** 31), 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 2 ** 19, -(2 ** 40), 2 ** 40, -(2 ** 53) + 1) },
)

export const safe = (a: number): number => Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, a))

export const viewArb: fc.Arbitrary<View> = fc
  .record({
    viewport: fc.oneof(fc.integer({ min: 0, max: 2 }), fc.constant(0xffffffff)),
    left: coordArb,
    top: coordArb,
    w: fc.oneof(fc.integer({ min: -20, max: 400 }), fc.constant(2 ** 33)),
    h: fc.oneof(fc.integer({ min: -20, max: 400 }), fc.constant(2 ** 33)),
  })
  .map(({ viewport, left, top, w, h }) => ({
    viewport,
    left,
    top,
    right: safe(left + w),
    bottom: safe(top + h),
  }))

export const slotArb: fc.Arbitrary<Slot> = fc.record({
  view: viewArb,
  rows: fc.array(fc.oneof({ weight: 4, arbitrary: smallElementArb }, { weight: 1, arbitrary: elementArb }), { maxLength: 40 }),
})
export const frameArb = fc.array(slotArb, { maxLength: 8 })

/** The slots as one store: rows concatenated in slot order. */
export const storeOf = (slots: ReadonlyArray<Slot>): FrameStore => {
  const s = allocFrameStore(columnsOfElements(slots.flatMap((sl) => sl.rows)), slots.length)
  slots.forEach((sl, v) => {
    s.offsets[v + 1] = s.offsets[v]! + sl.rows.length
    setFrameView(s, v, sl.view)
  })
  return s
}

/** Slot `v`'s kind-`k` records as `buildDraws` writes them on the slot alone. */
export const reference = (sl: Slot, k: number): Int32Array => {
  const r = buildDraws(sl.view, columnsOfElements(sl.rows))
  if (Result.isFailure(r)) throw r.failure
  return r.success.instances[k]!.slice(0, r.success.counts[k]! * INSTANCE_WORDS)
}

export const sameDrawsAsBuildDraws = (slots: ReadonlyArray<Slot>, d: FrameDraws): void => {
  expect(d.viewports).toBe(slots.length)
  slots.forEach((sl, v) => {
    for (let k = 0; k < numKinds; k++) expect(Array.from(drawRecords(d, v, k))).toEqual(Array.from(reference(sl, k)))
  })
}

