/**
 * Draw commands for a whole frame at once: every viewport's Elements in one
 * set of columns (viewport slot `v`'s rows a range given by `offsets`, views
 * rows of a `Float64Array`), culled and batched in one call into one
 * reusable output, with no per-viewport objects, checks or `Result`.
 *
 * Output: per kind `k`, one instance buffer with every viewport's records,
 * viewport after viewport; slot `v`'s kind-`k` draw is the record range
 * `[first[4v + k], first[4v + 4 + k])` (an instanced draw with a base
 * instance). Each range holds exactly the records `buildDraws(view v, rows
 * of v)` writes for kind `k`, in the same order (tested), so the draw count is
 * Σ_v |usedKinds(cull(view v, rows of v))|.
 *
 * Bad input: `buildFrameDraws` checks the whole store on every call (typed
 * arrays cannot be made read-only) and returns the `DrawInputError` of the
 * first slot `buildDraws` would reject, rows numbered in the frame's columns,
 * before writing anything. `CheckedFrame` (FrameChecked.ts) checks once and
 * then only what `setRow` / `setView` write.
 *
 * @module
 */
import * as Result from "effect/Result"
import type { ElementColumns } from "../Wire/Codec.ts"
import {
  allocKindWords,
  appendRecords,
  checkColumnLengths,
  DrawInputError,
  INSTANCE_WORDS,
  kindsValid,
  nextFree,
  numKinds,
  selection,
  type View,
} from "./Commands.ts"

export { nextFree, selection }

/** Float64 words per view in `FrameStore.views`: viewport, left, top, right, bottom. */
export const VIEW_WORDS = 5

/**
 * A frame's Elements and views. Viewport slot `v` (`0 ≤ v < viewports`) has
 * rows `[offsets[v], offsets[v + 1])` of `columns` and the view
 * `views[5v .. 5v + 5)` = viewport, left, top, right, bottom (as `View`).
 * `offsets` starts at 0, never decreases and ends at `columns.count`.
 */
export interface FrameStore {
  readonly viewports: number
  readonly columns: ElementColumns
  readonly offsets: Uint32Array
  readonly views: Float64Array
}

/**
 * The draws of a frame. `instances[k]` (a view of `words` from word
 * `k · capacity · INSTANCE_WORDS`) holds kind `k`'s records of all viewports;
 * viewport `v`'s kind-`k` draw is records `[first[4v + k], first[4v + 4 + k])`.
 * `viewports` is the number of viewports of the last frame built into it.
 */
export interface FrameDraws {
  readonly capacity: number
  readonly maxViewports: number
  viewports: number
  readonly first: Uint32Array
  readonly instances: ReadonlyArray<Int32Array>
  readonly words: Int32Array
}

/** Output for frames of up to `capacity` rows and `maxViewports` viewports. */
export const allocFrameDraws = (capacity: number, maxViewports: number): FrameDraws => ({
  capacity,
  maxViewports,
  viewports: 0,
  first: new Uint32Array((maxViewports + 1) * numKinds),
  ...allocKindWords(capacity),
})

/** A store over `columns` with `viewports` slots (offsets and views zeroed). */
export const allocFrameStore = (columns: ElementColumns, viewports: number): FrameStore => ({
  viewports,
  columns,
  offsets: new Uint32Array(viewports + 1),
  views: new Float64Array(viewports * VIEW_WORDS),
})

/** Writes `view` into slot `v` of the store's views (checked with the frame when it is built). */
export const setFrameView = (s: FrameStore, v: number, view: View): void => {
  const o = v * VIEW_WORDS
  s.views[o] = view.viewport
  s.views[o + 1] = view.left
  s.views[o + 2] = view.top
  s.views[o + 3] = view.right
  s.views[o + 4] = view.bottom
}

/** The view in slot `v`. */
export const frameView = (s: FrameStore, v: number): View => {
  const o = v * VIEW_WORDS
  const w = s.views
  return { viewport: w[o]!, left: w[o + 1]!, top: w[o + 2]!, right: w[o + 3]!, bottom: w[o + 4]! }
}

/** The number of records of viewport `v`, kind `k`. */
export const drawCount = (d: FrameDraws, v: number, k: number): number =>
  d.first[(v + 1) * numKinds + k]! - d.first[v * numKinds + k]!

/** Viewport `v`'s kind-`k` records (a view into `instances[k]`, no copy). */
export const drawRecords = (d: FrameDraws, v: number, k: number): Int32Array =>
  d.instances[k]!.subarray(d.first[v * numKinds + k]! * INSTANCE_WORDS, d.first[(v + 1) * numKinds + k]! * INSTANCE_WORDS)

/** Instanced draws of the frame: the non-empty (viewport, kind) ranges. */
export const frameDrawCalls = (d: FrameDraws): number => {
  let n = 0
  for (let v = 0; v < d.viewports; v++) for (let k = 0; k < numKinds; k++) if (drawCount(d, v, k) > 0) n++
  return n
}

// ---------------------------------------------------------------------------
// Checks

export const frameError = (field: string, index: number, value: unknown, expected: string): DrawInputError =>
  new DrawInputError({ field, index, value, expected })

/** The store's shape: count, column lengths, offsets. Anything wrong here is not any one viewport's. */
const checkShape = (s: FrameStore): DrawInputError | null => {
  const V = s.viewports
  if (!Number.isSafeInteger(V) || V < 0) return frameError("viewports", -1, V, "a natural number")
  const c = s.columns
  const n = c.count
  // Below 2^31 rows: the pass indexes rows as int32.
  if (!Number.isSafeInteger(n) || n < 0 || n > 0x7fffffff) return frameError("count", -1, n, "a natural number below 2^31")
  const columns = checkColumnLengths(c, n)
  if (columns !== null) return columns
  if (s.views.length < V * VIEW_WORDS) return frameError("views.length", -1, s.views.length, `≥ ${VIEW_WORDS} × viewports (${V * VIEW_WORDS})`)
  const off = s.offsets
  if (off.length < V + 1) return frameError("offsets.length", -1, off.length, `≥ viewports + 1 (${V + 1})`)
  if (off[0] !== 0) return frameError("offsets[0]", -1, off[0], "0")
  for (let v = 1; v <= V; v++)
    if (off[v]! < off[v - 1]!) return frameError(`offsets[${v}]`, -1, off[v], `≥ offsets[${v - 1}] (${off[v - 1]})`)
  if (off[V] !== n) return frameError(`offsets[${V}]`, -1, off[V], `count (${n})`)
  return null
}

const fieldNames = ["viewport", "left", "top", "right", "bottom"] as const

/** View slot `v`'s first bad field (`views[o .. o + 5)`), or null; the same rules as `buildDraws`' view check. */
export const badView = (w: ArrayLike<number>, o: number, v: number): DrawInputError | null => {
  const vp = w[o]!
  if (!Number.isSafeInteger(vp) || vp < 0 || vp > 0xffffffff) return frameError(`views[${v}].viewport`, -1, vp, "a u32 integer")
  for (let f = 1; f < VIEW_WORDS; f++)
    if (!Number.isSafeInteger(w[o + f]!)) return frameError(`views[${v}].${fieldNames[f]}`, -1, w[o + f], "a safe integer")
  return null
}

/** The first bad view as `[slot, error]`, or null. */
const firstBadView = (s: FrameStore): readonly [number, DrawInputError] | null => {
  for (let v = 0; v < s.viewports; v++) {
    const e = badView(s.views, v * VIEW_WORDS, v)
    if (e !== null) return [v, e]
  }
  return null
}

/** The first row whose kind code is ≥ 4, or -1 (`kindsValid` first: the common case is one OR pass). */
const firstBadKindRow = (kind: Uint8Array, n: number): number => {
  if (kindsValid(kind, n)) return -1
  let r = 0
  while (kind[r]! < numKinds) r++
  return r
}

/** The viewport slot holding row `r`: the last `v` with `offsets[v] ≤ r` and a non-empty range. */
export const slotOfRow = (off: Uint32Array, V: number, r: number): number => {
  let lo = 0
  let hi = V - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1
    if (off[mid]! <= r) lo = mid
    else hi = mid - 1
  }
  return lo
}

/**
 * The error of the first viewport that `buildDraws` would reject, in slot
 * order (its view is checked before its rows, as there), or null.
 */
export const checkFrame = (s: FrameStore): DrawInputError | null => {
  const shape = checkShape(s)
  if (shape !== null) return shape
  const view = firstBadView(s)
  const row = firstBadKindRow(s.columns.kind, s.columns.count)
  if (row < 0) return view === null ? null : view[1]
  const kindError = new DrawInputError({ field: "kind", index: row, value: s.columns.kind[row], expected: "an atom kind code 0–3" })
  if (view === null) return kindError
  return view[0] <= slotOfRow(s.offsets, s.viewports, row) ? view[1] : kindError
}

// ---------------------------------------------------------------------------
// The pass

/**
 * The output of a frame pass over `s` (`out` when it has room for the frame's
 * rows and viewports, else fresh), with `nextFree` at each kind's first word
 * and slot 0's starts at 0.
 */
export const framePassOutput = (s: FrameStore, out?: FrameDraws): FrameDraws => {
  const V = s.viewports
  const n = s.columns.count
  const d = out !== undefined && out.capacity >= n && out.maxViewports >= V ? out : allocFrameDraws(n, V)
  const stride = d.capacity * INSTANCE_WORDS
  for (let k = 0; k < numKinds; k++) {
    nextFree[k] = k * stride
    d.first[k] = 0
  }
  return d
}

/** Records slot `v`'s ends (the next slot's starts) from `nextFree`. */
export const closeSlot = (d: FrameDraws, v: number): void => {
  const stride = d.capacity * INSTANCE_WORDS
  const f = (v + 1) * numKinds
  for (let k = 0; k < numKinds; k++) d.first[f + k] = (nextFree[k]! - k * stride) / INSTANCE_WORDS
}

/** The most rows of any slot. */
export const maxRowsOf = (offsets: Uint32Array, V: number): number => {
  let m = 0
  for (let v = 0; v < V; v++) m = Math.max(m, offsets[v + 1]! - offsets[v]!)
  return m
}

const isInt32 = (a: number): boolean => (a | 0) === a

/**
 * The culling loop for a view with a coordinate outside int32 (rare): the
 * same test as below, in float64. Stores the kept rows of `[a, end)` in `sel`.
 */
export const cullWide = (c: ElementColumns, a: number, end: number, sel: Int32Array, want: number, left: number, top: number, right: number, bottom: number): number => {
  const { viewport, x, y, width, height } = c
  let m = 0
  for (let i = a; i < end; i++) {
    const wi = width[i]!
    const hi = height[i]!
    sel[m] = i
    m += +(viewport[i] === want && wi !== 0 && hi !== 0 && left < x[i]! + 16 * wi && x[i]! < right && top < y[i]! + 16 * hi && y[i]! < bottom)
  }
  return m
}

/**
 * Culls and batches every viewport of the frame into `out` (reused when it
 * has room for the frame's rows and viewports, else fresh). Per viewport the
 * same two loops as `buildDraws`: the visible rows' indices compacted without
 * a branch on visibility, then each one's record appended to its kind's buffer.
 * View coordinates are compared as int32 (they are checked safe integers;
 * a view outside int32 takes `cullWide`): float64 comparisons in the hot loop
 * cost about 1 ns per Element.
 */
export const buildFrameDraws = (s: FrameStore, out?: FrameDraws): Result.Result<FrameDraws, DrawInputError> => {
  const bad = checkFrame(s)
  return bad !== null ? Result.fail(bad) : Result.succeed(drawPass(s, out))
}

/** The pass over a checked store. */
const drawPass = (s: FrameStore, out?: FrameDraws): FrameDraws => {
  const V = s.viewports
  const c = s.columns
  const d = framePassOutput(s, out)
  const { viewport, x, y, width, height } = c
  const offsets = s.offsets
  const views = s.views
  const sel = selection(maxRowsOf(offsets, V))
  for (let v = 0; v < V; v++) {
    const o = v * VIEW_WORDS
    const l = views[o + 1]!
    const t = views[o + 2]!
    const r = views[o + 3]!
    const b = views[o + 4]!
    // Row counts fit int32 (typed arrays here are far below 2^31 rows).
    const a = offsets[v]! | 0
    const end = offsets[v + 1]! | 0
    let m = 0
    // An empty view keeps nothing.
    if (l < r && t < b) {
      if (isInt32(l) && isInt32(t) && isInt32(r) && isInt32(b)) {
        const left = l | 0
        const top = t | 0
        const right = r | 0
        const bottom = b | 0
        // Viewports compared as int32 bit patterns (a bijection on u32).
        // A copy of `buildDraws`' culling loop on int32 views: sharing it would cost the hot loop.
        const want = views[o]! | 0
        for (let i = a; i < end; i++) {
          const xi = x[i]!
          const yi = y[i]!
          const wi = width[i]!
          const hi = height[i]!
          sel[m] = i
          m +=
            +((viewport[i]! | 0) === want && wi !== 0 && hi !== 0) &
            +(left < xi + (wi << 4)) &
            +(xi < right) &
            +(top < yi + (hi << 4)) &
            +(yi < bottom)
        }
      } else m = cullWide(c, a, end, sel, views[o]!, l, t, r, b)
    }
    appendRecords(c, sel, m, d.words, nextFree)
    closeSlot(d, v)
  }
  d.viewports = V
  return d
}
