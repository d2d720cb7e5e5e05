/**
 * The frame the GPU runtime executes: a framebuffer size, the view origin and
 * the per-kind instance buffers of `buildDraws` (src/Render/Commands.ts,
 * 24-byte records). This module is the runtime's input boundary: a frame from
 * outside (a JS value, or the byte stream that goes to the page) is decoded
 * here, and anything malformed — a buffer of the wrong length, NaN or a
 * non-integer word, a kind code ≥ 4, a size out of range — is a typed
 * `GpuInputError` before any byte reaches the GPU.
 *
 * Byte stream (little-endian int32 words): `width, height, left, top,
 * batchCount`, then per batch `kind, count` and `count × 6` instance words.
 *
 * @module
 */
import { Data } from "effect"
import * as Result from "effect/Result"
import { type DrawBuffers, INSTANCE_BYTES, INSTANCE_WORDS, numKinds, type View } from "../Render/Commands.ts"
import { inputErrorMessage, type InputErrorFields } from "../Render/InputError.ts"

/** Largest framebuffer side, px (WebGPU's default `maxTextureDimension2D`). */
export const maxFrameSide = 8192

/** A frame: `instances[k]` holds exactly `counts[k]` records of kind `k`. */
export interface Frame {
  /** Framebuffer size, px; pixel (i, j) has its centre at view point (left + 16i + 8, top + 16j + 8) in 1/16 px. */
  readonly width: number
  readonly height: number
  /** The view's top-left corner, 1/16 px (int32). */
  readonly left: number
  readonly top: number
  readonly counts: ReadonlyArray<number>
  readonly instances: ReadonlyArray<Int32Array>
}

/** Malformed runtime input: `field` (at `index`, or -1) has `value`, not what `expected` says. */
export class GpuInputError extends Data.TaggedError("GpuInputError")<InputErrorFields> {
  override get message(): string {
    return inputErrorMessage("gpu frame", "", this)
  }
}

const err = (field: string, index: number, value: unknown, expected: string): GpuInputError =>
  new GpuInputError({ field, index, value, expected })
const fail = (field: string, index: number, value: unknown, expected: string) => Result.fail(err(field, index, value, expected))

const isInt32 = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff

/** The frame of `buildDraws` output for a `width × height` px framebuffer showing `view` from its top-left corner. */
export const frameOfDraws = (view: View, b: DrawBuffers, width: number, height: number): Frame => ({
  width,
  height,
  left: view.left,
  top: view.top,
  counts: Array.from(b.counts),
  instances: b.instances.map((buf, k) => buf.subarray(0, b.counts[k]! * INSTANCE_WORDS)),
})

const checkHeader = (width: unknown, height: unknown, left: unknown, top: unknown): GpuInputError | null => {
  for (const [f, v] of [["width", width], ["height", height]] as const)
    if (!isInt32(v) || v < 1 || v > maxFrameSide) return err(f, -1, v, `an integer in 1..${maxFrameSide} px`)
  for (const [f, v] of [["left", left], ["top", top]] as const) if (!isInt32(v)) return err(f, -1, v, "an int32 (1/16 px)")
  return null
}

/** View-relative positions stay within ±2^27 (1/16 px), so the runtime's int32 arithmetic never wraps. */
export const maxRelative = 2 ** 27

/** Word 5 (z) is an int16; words 2–4 are u32 bit patterns, stored as int32; x, y within `maxRelative` of the view origin. */
const checkRecord = (buf: ArrayLike<number>, k: number, i: number, left: number, top: number): GpuInputError | null => {
  for (let w = 0; w < INSTANCE_WORDS; w++) {
    const v = buf[i * INSTANCE_WORDS + w]
    if (!isInt32(v)) return err(`instances[${k}] word ${w}`, i, v, "an int32")
  }
  const z = buf[i * INSTANCE_WORDS + 5]!
  if (z < -0x8000 || z > 0x7fff) return err(`instances[${k}].z`, i, z, "an int16")
  const dx = buf[i * INSTANCE_WORDS]! - left
  const dy = buf[i * INSTANCE_WORDS + 1]! - top
  if (Math.abs(dx) >= maxRelative || Math.abs(dy) >= maxRelative)
    return err(`instances[${k}].x,y − view origin`, i, `${dx},${dy}`, "within ±2^27 (1/16 px)")
  return null
}

/**
 * Decodes a frame given as a JS value: `instances` has one buffer (Int32Array
 * or array of numbers) per kind, each exactly `6 × counts[k]` int32 words.
 */
export const decodeFrame = (input: unknown): Result.Result<Frame, GpuInputError> => {
  if (typeof input !== "object" || input === null) return fail("frame", -1, input, "an object")
  const o = input as Record<string, unknown>
  const h = checkHeader(o.width, o.height, o.left, o.top)
  if (h !== null) return Result.fail(h)
  const { counts, instances } = o
  if (!Array.isArray(counts) || counts.length !== numKinds) return fail("counts", -1, counts, `an array of ${numKinds} counts`)
  if (!Array.isArray(instances) || instances.length !== numKinds)
    return fail("instances", -1, instances, `an array of ${numKinds} buffers (one per kind)`)
  const out: Array<Int32Array> = []
  for (let k = 0; k < numKinds; k++) {
    const n: unknown = counts[k]
    if (!isInt32(n) || n < 0) return fail("counts", k, n, "a natural number")
    const buf: unknown = instances[k]
    if (!(buf instanceof Int32Array) && !Array.isArray(buf)) return fail("instances", k, buf, "an Int32Array or an array of numbers")
    if (buf.length !== n * INSTANCE_WORDS)
      return fail(`instances[${k}].length`, -1, buf.length, `${INSTANCE_WORDS} × counts[${k}] = ${n * INSTANCE_WORDS} words`)
    for (let i = 0; i < n; i++) {
      const r = checkRecord(buf, k, i, o.left as number, o.top as number)
      if (r !== null) return Result.fail(r)
    }
    out.push(buf instanceof Int32Array ? buf : Int32Array.from(buf as ReadonlyArray<number>))
  }
  return Result.succeed({
    width: o.width as number,
    height: o.height as number,
    left: o.left as number,
    top: o.top as number,
    counts: counts.slice() as Array<number>,
    instances: out,
  })
}

/** The frame as the byte stream the page decodes (batches in kind order, empty ones left out). */
export const encodeFrame = (f: Frame): Uint8Array => {
  const kinds = f.counts.flatMap((n, k) => (n > 0 ? [k] : []))
  const words = 5 + kinds.reduce((s, k) => s + 2 + f.counts[k]! * INSTANCE_WORDS, 0)
  const out = new Int32Array(words)
  out.set([f.width, f.height, f.left, f.top, kinds.length])
  let o = 5
  for (const k of kinds) {
    out[o++] = k
    out[o++] = f.counts[k]!
    out.set(f.instances[k]!, o)
    o += f.counts[k]! * INSTANCE_WORDS
  }
  return new Uint8Array(out.buffer)
}

/**
 * Decodes the byte stream: whole int32 words, no truncated batch and no
 * trailing bytes, kinds 0–3 each at most once, every record as `decodeFrame`
 * checks it.
 */
export const decodeStream = (bytes: Uint8Array): Result.Result<Frame, GpuInputError> => {
  if (bytes.length % 4 !== 0) return fail("stream.length", -1, bytes.length, "a multiple of 4 bytes (int32 words)")
  const words = bytes.length / 4
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const word = (i: number): number => dv.getInt32(4 * i, true)
  if (words < 5) return fail("stream.length", -1, bytes.length, "at least a 20-byte header")
  const h = checkHeader(word(0), word(1), word(2), word(3))
  if (h !== null) return Result.fail(h)
  const batchCount = word(4)
  if (batchCount < 0 || batchCount > numKinds) return fail("batchCount", -1, batchCount, `0..${numKinds}`)
  const counts = [0, 0, 0, 0]
  const instances = counts.map(() => new Int32Array(0))
  const seen = new Set<number>()
  let o = 5
  for (let b = 0; b < batchCount; b++) {
    if (o + 2 > words) return fail("stream.length", -1, bytes.length, `room for the header of batch ${b}`)
    const k = word(o)
    const n = word(o + 1)
    if (k < 0 || k >= numKinds) return fail("kind", b, k, `an atom kind code 0–${numKinds - 1}`)
    if (seen.has(k)) return fail("kind", b, k, "a kind not already drawn in this frame")
    seen.add(k)
    if (n < 0) return fail("count", b, n, "a natural number")
    o += 2
    if (o + n * INSTANCE_WORDS > words)
      return fail("stream.length", -1, bytes.length, `room for ${n} records of batch ${b} (${n * INSTANCE_BYTES} bytes)`)
    const buf = new Int32Array(n * INSTANCE_WORDS)
    for (let i = 0; i < buf.length; i++) buf[i] = word(o + i)
    for (let i = 0; i < n; i++) {
      const r = checkRecord(buf, k, i, word(2), word(3))
      if (r !== null) return Result.fail(r)
    }
    counts[k] = n
    instances[k] = buf
    o += n * INSTANCE_WORDS
  }
  if (o !== words) return fail("stream.length", -1, bytes.length, `exactly ${4 * o} bytes (no trailing words)`)
  return Result.succeed({ width: word(0), height: word(1), left: word(2), top: word(3), counts, instances })
}
