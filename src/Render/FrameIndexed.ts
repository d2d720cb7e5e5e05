/**
 * A frame's draws as row indices into a resident record table (GPU
 * "instance indirection"): `CheckedFrame` keeps every row's 24-byte instance
 * record (the layout of `INSTANCE_BYTES`) in one table that changes only
 * where rows are written, so it is uploaded once and then by dirty rows; per
 * frame only the visible rows' numbers are written, 4 bytes per instance.
 *
 * Kind `k`'s draw of slot `v` is the index range
 * `indices[k][first[4v + k] .. first[4v + 4 + k])`; gathering the records of
 * those rows (`gatherRecords`) gives exactly the records `CheckedFrame.draws`
 * writes for that slot and kind, in the same order (tested), so the draw
 * count and every batch law of `draws` hold for it too.
 *
 * @module
 */
import { INSTANCE_WORDS, numKinds } from "./Commands.ts"
import { cullCheckedSlot } from "./FrameCull.ts"
import { type FrameStore, maxRowsOf, selection } from "./Frame.ts"

/**
 * The index stream of a frame: `indices[k]` (a view of `words` from word
 * `k · capacity`) holds kind `k`'s row numbers of all viewports, viewport
 * after viewport; `first` is laid out as `FrameDraws.first`.
 */
export interface FrameIndices {
  readonly capacity: number
  readonly maxViewports: number
  viewports: number
  readonly first: Uint32Array
  readonly indices: ReadonlyArray<Uint32Array>
  readonly words: Uint32Array
}

/** An index stream for frames of up to `capacity` rows and `maxViewports` viewports. */
export const allocFrameIndices = (capacity: number, maxViewports: number): FrameIndices => {
  const words = new Uint32Array(numKinds * capacity)
  return {
    capacity,
    maxViewports,
    viewports: 0,
    first: new Uint32Array((maxViewports + 1) * numKinds),
    indices: Array.from({ length: numKinds }, (_, k) => words.subarray(k * capacity, (k + 1) * capacity)),
    words,
  }
}

/** The row numbers of viewport `v`'s kind-`k` draw (a view, no copy). */
export const indexRange = (d: FrameIndices, v: number, k: number): Uint32Array =>
  d.indices[k]!.subarray(d.first[v * numKinds + k]!, d.first[(v + 1) * numKinds + k]!)

/** What the draw of `rows` reads through the indirection: their records from `records`, in order. */
export const gatherRecords = (records: Int32Array, rows: Uint32Array): Int32Array => {
  const out = new Int32Array(rows.length * INSTANCE_WORDS)
  for (let j = 0; j < rows.length; j++) out.set(records.subarray(rows[j]! * INSTANCE_WORDS, (rows[j]! + 1) * INSTANCE_WORDS), j * INSTANCE_WORDS)
  return out
}

/** Next free index per kind during a pass (one per module, as `nextFree`). */
const cursor = new Int32Array(numKinds)

/**
 * The indexed pass over a checked store: per slot the same culling as
 * `CheckedFrame.draws` (`cullCheckedSlot`), then each kept row's number
 * appended to its kind's list. Called by `CheckedFrame.indices`.
 */
export const indexedPass = (s: FrameStore, x1: Int32Array, y1: Int32Array, foreign: Uint32Array, out?: FrameIndices): FrameIndices => {
  const V = s.viewports
  const n = s.columns.count
  const d = out !== undefined && out.capacity >= n && out.maxViewports >= V ? out : allocFrameIndices(n, V)
  const cap = d.capacity
  const kind = s.columns.kind
  const words = d.words
  const sel = selection(maxRowsOf(s.offsets, V))
  const first = d.first
  for (let k = 0; k < numKinds; k++) {
    cursor[k] = k * cap
    first[k] = 0
  }
  for (let v = 0; v < V; v++) {
    const m = cullCheckedSlot(s, x1, y1, foreign, v, sel)
    for (let j = 0; j < m; j++) {
      const i = sel[j]!
      const k = kind[i]!
      const w = cursor[k]!
      words[w] = i
      cursor[k] = w + 1
    }
    const f = (v + 1) * numKinds
    for (let k = 0; k < numKinds; k++) first[f + k] = cursor[k]! - k * cap
  }
  d.viewports = V
  return d
}
