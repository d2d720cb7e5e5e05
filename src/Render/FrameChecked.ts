/**
 * A frame store checked once (`CheckedFrame`): its columns, offsets and views
 * are private copies, written only through `setRow` and `setView`, which
 * check what they write. So `draws` needs no check per frame and cannot fail,
 * and the store can keep what the culling loop would otherwise recompute per
 * row, updated where rows and views are written:
 *
 * - far edges `x1 = x + 16·width`, `y1 = y + 16·height` as int32 (clamped to
 *   2^31 − 1; `x1` = −2^31 for an empty rectangle, right of no view's left edge);
 * - width | height << 16, the record's third word;
 * - per slot, how many of its rows name another viewport than its view
 *   ("foreign" rows); a slot without any skips the viewport test.
 *
 * Its draws are exactly `buildFrameDraws`' (tested against `buildDraws` per slot).
 *
 * @module
 */
import * as Result from "effect/Result"
import { allocColumns, columnsRow, type ElementColumns, setColumnsRow } from "../Wire/Codec.ts"
import { type Element, isValid } from "../Wire/Element.ts"
import { type DrawInputError, INSTANCE_WORDS, type View } from "./Commands.ts"
import {
  badView,
  checkFrame,
  closeSlot,
  cullWide,
  type FrameDraws,
  frameError,
  framePassOutput,
  type FrameStore,
  frameView,
  maxRowsOf,
  nextFree,
  selection,
  slotOfRow,
  VIEW_WORDS,
} from "./Frame.ts"

const I32_MIN = -0x80000000
const I32_MAX = 0x7fffffff
/**
 * View coordinates the int32 loop takes. The clamped edges compare as the
 * true ones there: a non-empty view has left < right ≤ 2^31 − 1, so a clamped
 * far edge is still right of it, and −2^31 is right of no left edge.
 */
const inFastRange = (a: number): boolean => (a | 0) === a

export class CheckedFrame {
  readonly #s: FrameStore
  readonly #x1: Int32Array
  readonly #y1: Int32Array
  readonly #wh: Int32Array
  readonly #foreign: Uint32Array

  private constructor(s: FrameStore) {
    this.#s = s
    const n = s.columns.count
    this.#x1 = new Int32Array(n)
    this.#y1 = new Int32Array(n)
    this.#wh = new Int32Array(n)
    this.#foreign = new Uint32Array(s.viewports)
    for (let i = 0; i < n; i++) this.#edges(i)
    for (let v = 0; v < s.viewports; v++) this.#recount(v)
  }

  /** A checked copy of `s`: the error of `checkFrame` if it has one. */
  static of(s: FrameStore): Result.Result<CheckedFrame, DrawInputError> {
    const bad = checkFrame(s)
    if (bad !== null) return Result.fail(bad)
    const n = s.columns.count
    const cols = allocColumns(n)
    for (const key of ["kind", "z", "viewport", "x", "y", "width", "height", "color", "payload"] as const)
      cols[key].set(s.columns[key].subarray(0, n) as never)
    return Result.succeed(
      new CheckedFrame({
        viewports: s.viewports,
        columns: cols,
        offsets: s.offsets.slice(0, s.viewports + 1),
        views: s.views.slice(0, s.viewports * VIEW_WORDS),
      }),
    )
  }

  #edges(i: number): void {
    const c = this.#s.columns
    const w = c.width[i]!
    const h = c.height[i]!
    this.#x1[i] = w === 0 || h === 0 ? I32_MIN : Math.min(I32_MAX, c.x[i]! + 16 * w)
    this.#y1[i] = Math.min(I32_MAX, c.y[i]! + 16 * h)
    this.#wh[i] = w | (h << 16)
  }

  #recount(v: number): void {
    const want = this.#s.views[v * VIEW_WORDS]!
    const vp = this.#s.columns.viewport
    let f = 0
    for (let i = this.#s.offsets[v]!; i < this.#s.offsets[v + 1]!; i++) if (vp[i] !== want) f++
    this.#foreign[v] = f
  }

  get viewports(): number {
    return this.#s.viewports
  }

  get count(): number {
    return this.#s.columns.count
  }

  /** Slot `v`'s rows: `[start, end)`. */
  rows(v: number): readonly [number, number] {
    return [this.#s.offsets[v]!, this.#s.offsets[v + 1]!]
  }

  row(i: number): Element {
    return columnsRow(this.#s.columns, i)
  }

  view(v: number): View {
    return frameView(this.#s, v)
  }

  /** Writes row `i` if `i` is a row and `e` a valid Wire Element; otherwise a `DrawInputError` and no change. */
  setRow(i: number, e: Element): Result.Result<void, DrawInputError> {
    const n = this.count
    if (!Number.isSafeInteger(i) || i < 0 || i >= n) return Result.fail(frameError("row", -1, i, `a row below ${n}`))
    if (!isValid(e)) return Result.fail(frameError("element", i, JSON.stringify(e), "a valid Wire Element"))
    const v = slotOfRow(this.#s.offsets, this.viewports, i)
    const want = this.#s.views[v * VIEW_WORDS]!
    this.#foreign[v] = this.#foreign[v]! - +(this.#s.columns.viewport[i] !== want) + +(e.viewport !== want)
    setColumnsRow(this.#s.columns, i, e)
    this.#edges(i)
    return Result.void
  }

  /**
   * Moves row `i` to (`x`, `y`), the only fields an animation writes: checked
   * as the Wire record checks them (int32), without `setRow`'s whole-record check.
   */
  moveRow(i: number, x: number, y: number): Result.Result<void, DrawInputError> {
    const n = this.count
    if (!Number.isSafeInteger(i) || i < 0 || i >= n) return Result.fail(frameError("row", -1, i, `a row below ${n}`))
    if ((x | 0) !== x) return Result.fail(frameError("x", i, x, "an int32"))
    if ((y | 0) !== y) return Result.fail(frameError("y", i, y, "an int32"))
    this.#s.columns.x[i] = x
    this.#s.columns.y[i] = y
    this.#edges(i)
    return Result.void
  }

  /** Writes the view of slot `v` if it passes `buildDraws`' view check; otherwise a `DrawInputError` and no change. */
  setView(v: number, view: View): Result.Result<void, DrawInputError> {
    if (!Number.isSafeInteger(v) || v < 0 || v >= this.viewports)
      return Result.fail(frameError("slot", -1, v, `a viewport slot below ${this.viewports}`))
    const w = [view.viewport, view.left, view.top, view.right, view.bottom]
    const bad = badView(w, 0, v)
    if (bad !== null) return Result.fail(bad)
    this.#s.views.set(w, v * VIEW_WORDS)
    this.#recount(v)
    return Result.void
  }

  /** The frame's draws, the same as `buildFrameDraws` makes (into `out` when it has room). */
  draws(out?: FrameDraws): FrameDraws {
    return checkedPass(this.#s, this.#x1, this.#y1, this.#wh, this.#foreign, out)
  }
}

/**
 * `buildFrameDraws`' pass with the stored far edges: a view inside the fast
 * range tests 4 loaded words per row (and the viewport only in a slot with
 * foreign rows); any other view takes `cullWide` on the Elements' own fields.
 */
const checkedPass = (
  s: FrameStore,
  x1: Int32Array,
  y1: Int32Array,
  wh: Int32Array,
  foreign: Uint32Array,
  out?: FrameDraws,
): FrameDraws => {
  const V = s.viewports
  const c: ElementColumns = s.columns
  const d = framePassOutput(s, out)
  const { kind, z, viewport, x, y, color, payload } = c
  const { offsets, views } = s
  const words = d.words
  const off = nextFree
  const sel = selection(maxRowsOf(offsets, V))
  // The slot loop of `drawPass` (Frame.ts) written again with other inner loops: a callback per slot would cost the hot loop.
  for (let v = 0; v < V; v++) {
    const o = v * VIEW_WORDS
    const l = views[o + 1]!
    const t = views[o + 2]!
    const r = views[o + 3]!
    const b = views[o + 4]!
    const a = offsets[v]! | 0
    const end = offsets[v + 1]! | 0
    let m = 0
    if (l < r && t < b) {
      if (inFastRange(l) && inFastRange(t) && inFastRange(r) && inFastRange(b)) {
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
      } else m = cullWide(c, a, end, sel, views[o]!, l, t, r, b)
    }
    // Not `appendRecords`: the third word is the stored `wh`, not recomputed per row.
    for (let j = 0; j < m; j++) {
      const i = sel[j]!
      const k = kind[i]!
      const w = off[k]!
      words[w] = x[i]!
      words[w + 1] = y[i]!
      words[w + 2] = wh[i]!
      words[w + 3] = color[i]!
      words[w + 4] = payload[i]!
      words[w + 5] = z[i]!
      off[k] = w + INSTANCE_WORDS
    }
    closeSlot(d, v)
  }
  d.viewports = V
  return d
}
