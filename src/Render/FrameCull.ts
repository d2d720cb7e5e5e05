/**
 * The culling of one slot of a checked frame, shared by `CheckedFrame.draws`
 * (FrameChecked.ts) and `CheckedFrame.indices` (FrameIndexed.ts).
 *
 * @module
 */
import { cullWide, type FrameStore, VIEW_WORDS } from "./Frame.ts"

/**
 * View coordinates the int32 loop takes. The clamped edges compare as the
 * true ones there: a non-empty view has left < right ≤ 2^31 − 1, so a clamped
 * far edge is still right of it, and −2^31 is right of no left edge.
 */
export const inFastRange = (a: number): boolean => (a | 0) === a

/**
 * Culls slot `v` of a checked store into `sel` (the kept rows, in row order)
 * and returns how many: a view inside the fast range tests 4 loaded words per
 * row with the stored far edges (and the viewport only in a slot with
 * foreign rows); any other view takes `cullWide` on the Elements' own fields.
 * One call per slot, the loops inside.
 */
export const cullCheckedSlot = (s: FrameStore, x1: Int32Array, y1: Int32Array, foreign: Uint32Array, v: number, sel: Int32Array): number => {
  const { viewport, x, y } = s.columns
  const { offsets, views } = s
  const o = v * VIEW_WORDS
  const l = views[o + 1]!
  const t = views[o + 2]!
  const r = views[o + 3]!
  const b = views[o + 4]!
  const a = offsets[v]! | 0
  const end = offsets[v + 1]! | 0
  let m = 0
  if (!(l < r && t < b)) return 0
  if (!(inFastRange(l) && inFastRange(t) && inFastRange(r) && inFastRange(b))) return cullWide(s.columns, a, end, sel, views[o]!, l, t, r, b)
  const left = l | 0
  const top = t | 0
  const right = r | 0
  const bottom = b | 0
  if (foreign[v] === 0)
    for (let i = a; i < end; i++) {
      sel[m] = i
      m += +(left < x1[i]!) & +(x[i]! < right) & +(top < y1[i]!) & +(y[i]! < bottom)
    }
  else {
    const want = views[o]! | 0
    for (let i = a; i < end; i++) {
      sel[m] = i
      m += +((viewport[i]! | 0) === want) & +(left < x1[i]!) & +(x[i]! < right) & +(top < y1[i]!) & +(y[i]! < bottom)
    }
  }
  return m
}

