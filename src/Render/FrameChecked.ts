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
import { cullCheckedSlot } from "./FrameCull.ts"
import { type FrameIndices, indexedPass } from "./FrameIndexed.ts"
import {
  badView,
  checkFrame,
  closeSlot,
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

export class CheckedFrame {
  readonly #s: FrameStore
  readonly #x1: Int32Array
  readonly #y1: Int32Array
  readonly #wh: Int32Array
  readonly #foreign: Uint32Array
  /** Every row's instance record (INSTANCE_WORDS words per row): the resident table of `indices`. */
  readonly #records: Int32Array
  /** Rows written since the last `takeDirty`: `[lo, hi)`, empty when lo ≥ hi. */
  #dirtyLo: number
  #dirtyHi: number

  private constructor(s: FrameStore) {
    this.#s = s
    const n = s.columns.count
    this.#x1 = new Int32Array(n)
    this.#y1 = new Int32Array(n)
    this.#wh = new Int32Array(n)
    this.#records = new Int32Array(n * INSTANCE_WORDS)
    this.#dirtyLo = 0
    this.#dirtyHi = n
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
    const q = i * INSTANCE_WORDS
    const r = this.#records
    r[q] = c.x[i]!
    r[q + 1] = c.y[i]!
    r[q + 2] = w | (h << 16)
    r[q + 3] = c.color[i]!
    r[q + 4] = c.payload[i]!
    r[q + 5] = c.z[i]!
    this.#dirtyLo = Math.min(this.#dirtyLo, i)
    this.#dirtyHi = Math.max(this.#dirtyHi, i + 1)
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
    const c = this.#s.columns
    c.x[i] = x
    c.y[i] = y
    // Only what depends on x and y: the far edges and the record's first two words.
    const wh = this.#wh[i]!
    const w = wh & 0xffff
    const h = wh >>> 16
    this.#x1[i] = w === 0 || h === 0 ? I32_MIN : Math.min(I32_MAX, x + 16 * w)
    this.#y1[i] = Math.min(I32_MAX, y + 16 * h)
    const q = i * INSTANCE_WORDS
    this.#records[q] = x
    this.#records[q + 1] = y
    this.#dirtyLo = Math.min(this.#dirtyLo, i)
    this.#dirtyHi = Math.max(this.#dirtyHi, i + 1)
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

  /**
   * The frame's draws as row numbers into `records` (FrameIndexed.ts): the
   * same draws as `draws`, 4 bytes per instance (into `out` when it has room).
   */
  indices(out?: FrameIndices): FrameIndices {
    return indexedPass(this.#s, this.#x1, this.#y1, this.#foreign, out)
  }

  /**
   * The resident record table: row `i`'s instance record at words
   * `[6i, 6i + 6)`, kept up to date by `setRow` and `moveRow`. It is this
   * frame's own array, for uploading (a GPU upload copies it): writing into it
   * bypasses the checks.
   */
  get records(): Int32Array {
    return this.#records
  }

  /** The rows written since the last call (`[lo, hi)`, empty when lo ≥ hi): what an upload must refresh. All rows at first. */
  takeDirty(): readonly [number, number] {
    const range = [this.#dirtyLo, this.#dirtyHi] as const
    this.#dirtyLo = this.count
    this.#dirtyHi = 0
    return range
  }
}

/** `buildFrameDraws`' pass with the stored far edges (`cullCheckedSlot`) and `width | height << 16`. */
const checkedPass = (s: FrameStore, x1: Int32Array, y1: Int32Array, wh: Int32Array, foreign: Uint32Array, out?: FrameDraws): FrameDraws => {
  const V = s.viewports
  const d = framePassOutput(s, out)
  const { kind, z, x, y, color, payload } = s.columns
  const words = d.words
  const off = nextFree
  const sel = selection(maxRowsOf(s.offsets, V))
  for (let v = 0; v < V; v++) {
    const m = cullCheckedSlot(s, x1, y1, foreign, v, sel)
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
