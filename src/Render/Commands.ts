/**
 * Draw commands: frustum culling and instanced batches per atom kind. Mirror of
 * `lean/Hydrogen/Render/Commands.lean`.
 *
 * Two layers:
 *
 * - **List mirrors** (`intersects`, `cull`, `batch`, `batches`, `drawList`,
 *   `drawCalls`, `usedKinds`, `zSorted`): the Lean definitions on arrays of
 *   `Element`s, used as the reference in tests.
 * - **Columnar pass** (`buildDraws`): over `ElementColumns`, one loop that culls
 *   (collecting the visible rows' indices) and one that writes each visible
 *   Element into the instance buffer of its kind, with no allocation per
 *   Element (the buffers are allocated once per call, or reused from a
 *   previous frame via `out`). Its output agrees with
 *   `drawList` (tested, not proved).
 *
 * **Instance record: 24 bytes** (`INSTANCE_BYTES`), six 32-bit words:
 *
 * | word | field |
 * |---|---|
 * | 0 | x (int32, 1/16 px) |
 * | 1 | y (int32, 1/16 px) |
 * | 2 | width (u16, bits 0–15) · height (u16, bits 16–31) |
 * | 3 | color (u32 RGBA) |
 * | 4 | payload (u32: rect radius; text font · size<<16; image source; path stroke) |
 * | 5 | z (int16, sign-extended to int32; the depth key across batches) |
 *
 * 16 bytes do not hold an instance exactly: x, y (32 bits each), width,
 * height, z (16 each), color and payload (32 each) are 176 bits = 22 bytes;
 * 24 is that rounded up to whole 32-bit words. Kind and viewport are not
 * stored: the batch is the kind, and culling fixed the viewport.
 *
 * Bad input (view coordinates outside the safe integers, a viewport outside
 * u32, a column shorter than `count`, a kind code ≥ 4) is a typed
 * `DrawInputError`, returned in a `Result`.
 *
 * @module
 */
import { Data } from "effect"
import * as Result from "effect/Result"
import type { ElementColumns } from "../Wire/Codec.ts"
import { atomKind, type Element } from "../Wire/Element.ts"
import { inputErrorMessage, type InputErrorFields } from "./InputError.ts"

/**
 * The view: a viewport and a half-open rectangle `[left, right) × [top, bottom)`
 * in 1/16 px (the units of `Element.x`, `Element.y`).
 *
 * @lean Hydrogen.Render.View
 */
export interface View {
  readonly viewport: number
  readonly left: number
  readonly top: number
  readonly right: number
  readonly bottom: number
}

/**
 * The Element is in the view's viewport and its rectangle
 * `[x, x + 16·width) × [y, y + 16·height)` meets the view rectangle: both are
 * non-empty and they overlap on each axis.
 *
 * @lean Hydrogen.Render.intersects
 */
export const intersects = (v: View, e: Element): boolean =>
  e.viewport === v.viewport &&
  0 < e.width &&
  0 < e.height &&
  v.left < v.right &&
  v.top < v.bottom &&
  v.left < e.x + 16 * e.width &&
  e.x < v.right &&
  v.top < e.y + 16 * e.height &&
  e.y < v.bottom

/**
 * Frustum culling: the Elements that intersect the view, in input order.
 *
 * @lean Hydrogen.Render.cull
 */
export const cull = (v: View, es: ReadonlyArray<Element>): Array<Element> => es.filter((e) => intersects(v, e))

/**
 * The atom kind codes, one per instanced draw: rect, text, image, path.
 *
 * @lean Hydrogen.Render.kinds
 */
export const kinds: ReadonlyArray<number> = [0, 1, 2, 3]

/**
 * The number of atom kinds.
 *
 * @lean Hydrogen.Render.numKinds
 */
export const numKinds = 4

/**
 * The batch of kind `k`: the Elements of that atom kind, in input order.
 *
 * @lean Hydrogen.Render.batch
 */
export const batch = (k: number, es: ReadonlyArray<Element>): Array<Element> => es.filter((e) => atomKind(e.atom) === k)

/**
 * One batch per atom kind, in the order of `kinds`.
 *
 * @lean Hydrogen.Render.batches
 */
export const batches = (es: ReadonlyArray<Element>): Array<Array<Element>> => kinds.map((k) => batch(k, es))

/**
 * The draw calls of a frame: the batches of its visible Elements.
 *
 * @lean Hydrogen.Render.drawList
 */
export const drawList = (v: View, es: ReadonlyArray<Element>): Array<Array<Element>> => batches(cull(v, es))

/**
 * One instanced draw per non-empty batch.
 *
 * @lean Hydrogen.Render.drawCalls
 */
export const drawCalls = (es: ReadonlyArray<Element>): number => batches(es).filter((b) => b.length > 0).length

/**
 * The atom kinds that occur among the Elements, each once.
 *
 * @lean Hydrogen.Render.usedKinds
 */
export const usedKinds = (es: ReadonlyArray<Element>): Array<number> =>
  kinds.filter((k) => es.some((e) => atomKind(e.atom) === k))

/**
 * Elements in z order (non-decreasing `z`): Lean's `List.Pairwise (·.z ≤ ·.z)`,
 * which for a total order is the adjacent-pairs check.
 *
 * @lean Hydrogen.Render.ZSorted
 */
export const zSorted = (es: ReadonlyArray<Element>): boolean => {
  for (let i = 1; i < es.length; i++) if (es[i - 1]!.z > es[i]!.z) return false
  return true
}

/**
 * A small scene: two rects, a text and an image, one off-view and one in another viewport.
 *
 * @lean Hydrogen.Render.sampleScene
 */
export const sampleScene: ReadonlyArray<Element> = [
  { atom: { _tag: "rect", cornerRadius: 0 }, z: 0, viewport: 0, x: 0, y: 0, width: 10, height: 10, color: 0 },
  { atom: { _tag: "text", font: 1, size: 12 }, z: 1, viewport: 0, x: 80, y: 0, width: 4, height: 4, color: 0 },
  { atom: { _tag: "image", source: 7 }, z: 2, viewport: 0, x: 2000, y: 0, width: 5, height: 5, color: 0 },
  { atom: { _tag: "rect", cornerRadius: 2 }, z: 3, viewport: 1, x: 0, y: 0, width: 10, height: 10, color: 0 },
  { atom: { _tag: "rect", cornerRadius: 3 }, z: 4, viewport: 0, x: -16, y: -16, width: 1, height: 1, color: 0 },
]

/**
 * The view `[0, 160) × [0, 160)` (10 px square) of viewport 0.
 *
 * @lean Hydrogen.Render.sampleView
 */
export const sampleView: View = { viewport: 0, left: 0, top: 0, right: 160, bottom: 160 }

// ---------------------------------------------------------------------------
// Columnar pass

/** 32-bit words per instance record. */
export const INSTANCE_WORDS = 6
/** Bytes per instance record (see the module docs for the layout). */
export const INSTANCE_BYTES = INSTANCE_WORDS * 4

/**
 * Bad input to the columnar pass: `field` (at row `index`, or -1 for the view
 * and the columns as a whole) has `value`, outside what `expected` says.
 */
export class DrawInputError extends Data.TaggedError("DrawInputError")<InputErrorFields> {
  override get message(): string {
    return inputErrorMessage("buildDraws", "row ", this)
  }
}


/**
 * Per-kind instance buffers: `instances[k]` holds `counts[k]` records of
 * `INSTANCE_WORDS` words (the rest of its `capacity` records is scratch).
 * One instanced draw per kind with `counts[k] > 0`. The four buffers are
 * consecutive views of one `words` array, kind `k` from word
 * `k · capacity · INSTANCE_WORDS`, so the pass stores through one array.
 */
export interface DrawBuffers {
  readonly capacity: number
  readonly counts: Uint32Array
  readonly instances: ReadonlyArray<Int32Array>
  readonly words: Int32Array
}

/** Buffers for up to `capacity` visible Elements of any one kind. */
export const allocDrawBuffers = (capacity: number): DrawBuffers => ({
  capacity,
  counts: new Uint32Array(numKinds),
  ...allocKindWords(capacity),
})

/** One `words` array for `capacity` records of each kind, and each kind's view of it (shared with the frame output). */
export const allocKindWords = (capacity: number): { readonly instances: ReadonlyArray<Int32Array>; readonly words: Int32Array } => {
  const stride = capacity * INSTANCE_WORDS
  const words = new Int32Array(numKinds * stride)
  return { instances: kinds.map((k) => words.subarray(k * stride, (k + 1) * stride)), words }
}

/** The number of instanced draws the buffers hold (non-empty kinds). */
export const drawCallsOfBuffers = (b: DrawBuffers): number => {
  let n = 0
  for (let k = 0; k < numKinds; k++) if (b.counts[k]! > 0) n++
  return n
}

const viewError = (field: string, value: unknown, expected: string): DrawInputError =>
  new DrawInputError({ field, index: -1, value, expected })

/** The view's first bad field, or null. Written out field by field: this runs once per viewport. */
const checkView = (v: View): DrawInputError | null => {
  const vp = v.viewport
  if (!Number.isSafeInteger(vp) || vp < 0 || vp > 0xffffffff) return viewError("view.viewport", vp, "a u32 integer")
  if (!Number.isSafeInteger(v.left)) return viewError("view.left", v.left, "a safe integer")
  if (!Number.isSafeInteger(v.top)) return viewError("view.top", v.top, "a safe integer")
  if (!Number.isSafeInteger(v.right)) return viewError("view.right", v.right, "a safe integer")
  if (!Number.isSafeInteger(v.bottom)) return viewError("view.bottom", v.bottom, "a safe integer")
  return null
}

const short = (c: string, length: number, n: number): DrawInputError =>
  viewError(`columns.${c}.length`, length, `≥ count (${n})`)

/** The columns' first problem (a bad count, a column shorter than it), or null. */
const checkColumns = (cols: ElementColumns): DrawInputError | null => {
  const n = cols.count
  if (!Number.isSafeInteger(n) || n < 0) return viewError("count", n, "a natural number")
  return checkColumnLengths(cols, n)
}

/** The first column shorter than `n` (a natural number), or null; shared with the frame checks. */
export const checkColumnLengths = (cols: ElementColumns, n: number): DrawInputError | null => {
  if (cols.kind.length < n) return short("kind", cols.kind.length, n)
  if (cols.z.length < n) return short("z", cols.z.length, n)
  if (cols.viewport.length < n) return short("viewport", cols.viewport.length, n)
  if (cols.x.length < n) return short("x", cols.x.length, n)
  if (cols.y.length < n) return short("y", cols.y.length, n)
  if (cols.width.length < n) return short("width", cols.width.length, n)
  if (cols.height.length < n) return short("height", cols.height.length, n)
  if (cols.color.length < n) return short("color", cols.color.length, n)
  if (cols.payload.length < n) return short("payload", cols.payload.length, n)
  return null
}

/** `out` when it holds `n` records per kind, else fresh buffers. */
const buffersFor = (n: number, out?: DrawBuffers): DrawBuffers =>
  out !== undefined && out.capacity >= n ? out : allocDrawBuffers(n)

/** Next free word of each kind's buffer: scratch for `buildDraws` and the frame passes (single-threaded: each pass fills it before use). */
export const nextFree = new Int32Array(numKinds)

let selWords = new Int32Array(256)
/** A selection scratch of at least `n + 1` entries (as `nextFree`). */
export const selection = (n: number): Int32Array => {
  if (selWords.length < n + 1) selWords = new Int32Array(n + 1)
  return selWords
}

const badKind = (i: number, k: number): DrawInputError =>
  new DrawInputError({ field: "kind", index: i, value: k, expected: "an atom kind code 0–3" })

/**
 * Every kind code of rows `[0, n)` is below 4: the codes OR-ed together, four
 * at a time through a 32-bit view when the bytes are 4-aligned (this check
 * would otherwise cost a third of the culling loop).
 */
export const kindsValid = (kind: Uint8Array, n: number): boolean => {
  let bits = 0
  let i = 0
  if ((kind.byteOffset & 3) === 0 && n >= 32) {
    const q = wordsOf(kind.buffer)
    const a = kind.byteOffset >>> 2
    const e = a + (n >>> 2)
    if (e <= q.length) {
      for (let j = a; j < e; j++) bits |= q[j]!
      i = (e - a) << 2
    }
  }
  for (; i < n; i++) bits |= kind[i]!
  return (bits & 0xfcfcfcfc) === 0
}

/**
 * A 32-bit view of the last buffer asked for (one entry: columns are reused
 * frame after frame, and a view per call costs as much as the check). It keeps
 * that one buffer alive until another is asked for.
 */
let lastBuffer: ArrayBufferLike | null = null
// Int32, not Uint32: OR-ing words above 2^31 as uint32 is twice as slow.
let lastWords: Int32Array<ArrayBufferLike> = new Int32Array(0)
const wordsOf = (buf: ArrayBufferLike): Int32Array => {
  if (buf !== lastBuffer || lastWords.byteLength !== (buf.byteLength & ~3)) {
    lastBuffer = buf
    lastWords = new Int32Array(buf, 0, buf.byteLength >>> 2)
  }
  return lastWords
}

const firstBadKind = (kind: Uint8Array, n: number): DrawInputError => {
  let i = 0
  while (i < n - 1 && kind[i]! < numKinds) i++
  return badKind(i, kind[i]!)
}

/**
 * One pass from columns to per-kind instance buffers: row `i` is written to
 * the buffer of its kind iff it intersects the view, in row order. Reuses
 * `out` when its capacity covers `cols.count`; otherwise allocates buffers of
 * capacity `cols.count` (once per call, never per Element). On error the
 * buffers' contents are unspecified.
 *
 * Two loops, neither with a branch on the data: the first compacts the
 * indices of the visible rows (always storing the index, advancing the length
 * by the 0/1 "visible" bit: about half the rows of a typical view are culled,
 * so a branch there would be mispredicted often), the second appends each
 * visible row's record to its kind's buffer through a per-kind offset.
 */
export const buildDraws = (
  v: View,
  cols: ElementColumns,
  out?: DrawBuffers,
): Result.Result<DrawBuffers, DrawInputError> => {
  const bad = checkView(v) ?? checkColumns(cols)
  if (bad !== null) return Result.fail(bad)
  const n = cols.count
  const b = buffersFor(n, out)
  const { kind, viewport, x, y, width, height } = cols
  const words = b.words
  const stride = b.capacity * INSTANCE_WORDS
  // Next free word of each kind's buffer (a typed array: indexing by kind is branch-free).
  const off = nextFree
  for (let k = 0; k < numKinds; k++) off[k] = k * stride
  const vp = v.viewport
  const left = v.left
  const top = v.top
  const right = v.right
  const bottom = v.bottom
  // An empty view keeps nothing: fold it into the viewport test (no row has viewport -1).
  const want = left < right && top < bottom ? vp : -1
  if (!kindsValid(kind, n)) return Result.fail(firstBadKind(kind, n))
  // Pass 1: the visible rows' indices, compacted without branches on
  // visibility (the index is always stored, the length advanced by the 0/1
  // "visible" bit). The first three tests almost always hold, so `&&` is cheap.
  // The frame pass (Frame.ts) has its own copy of this loop over a slot's rows: sharing it would cost the hot loop.
  const sel = selection(n)
  let m = 0
  for (let i = 0; i < n; i++) {
    const xi = x[i]!
    const yi = y[i]!
    const wi = width[i]!
    const hi = height[i]!
    sel[m] = i
    m +=
      +(viewport[i] === want && wi !== 0 && hi !== 0) &
      +(left < xi + (wi << 4)) &
      +(xi < right) &
      +(top < yi + (hi << 4)) &
      +(yi < bottom)
  }
  // Pass 2: each visible row's record, appended to its kind's buffer.
  appendRecords(cols, sel, m, words, off)
  const counts = b.counts
  for (let k = 0; k < numKinds; k++) counts[k] = (off[k]! - k * stride) / INSTANCE_WORDS
  return Result.succeed(b)
}

/**
 * Appends the records of rows `sel[0 .. m)` to their kinds' buffers in
 * `words`, `off[k]` the next free word of kind `k` (advanced). The second loop
 * of `buildDraws` and `buildFrameDraws` (once per viewport, not per row).
 */
export const appendRecords = (cols: ElementColumns, sel: Int32Array, m: number, words: Int32Array, off: Int32Array): void => {
  const { kind, z, x, y, width, height, color, payload } = cols
  for (let j = 0; j < m; j++) {
    const i = sel[j]!
    const k = kind[i]!
    const o = off[k]!
    words[o] = x[i]!
    words[o + 1] = y[i]!
    words[o + 2] = width[i]! | (height[i]! << 16)
    words[o + 3] = color[i]!
    words[o + 4] = payload[i]!
    words[o + 5] = z[i]!
    off[k] = o + INSTANCE_WORDS
  }
}
