/**
 * CPU reference renderer: a `Frame` (src/Gpu/Frame.ts) to an RGBA8 buffer, by
 * the rules below, which the WebGPU shaders (src/Gpu/Shaders.ts) implement
 * word for word. All coverage arithmetic is on integers in 1/16 px, so both
 * sides decide every pixel identically; no float enters a coverage decision.
 *
 * **Coordinates.** Pixel (i, j) has its centre at `cx = 16i + 8`,
 * `cy = 16j + 8` (1/16 px, relative to the view origin `left, top`). An
 * instance spans `X0 = x − left`, `X1 = X0 + 16·width` and `Y0 = y − top`,
 * `Y1 = Y0 + 16·height`. Its local offsets at a centre are `u = cx − X0`,
 * `v = cy − Y0`, `u' = X1 − cx`, `v' = Y1 − cy`.
 *
 * **Coverage.** A pixel is covered iff its centre is in the half-open
 * rectangle `[X0, X1) × [Y0, Y1)` (`u ≥ 0, v ≥ 0, u' > 0, v' > 0`) and the
 * kind's rule holds:
 * - rect (0): radius `R = min(16·min(payload, 256), 8·width, 8·height)`;
 *   with `dx = max(0, R − u, R − u')`, `dy = max(0, R − v, R − v')`:
 *   `dx² + dy² ≤ R²` (R = 0 is the plain rectangle);
 * - text (1): with `px = u >> 4`, `py = v >> 4` (whole px from the top-left
 *   corner), cell `c = ⌊px / 6⌋`: `px mod 6 < 5`, `py mod 8 < 7` and the glyph
 *   atlas (src/Gpu/Atlas.ts) has ink at texel `(5·g + px mod 6, py mod 8)` of
 *   digit `g = (c + font) mod 10`, `font = payload & 0xffff`;
 * - image (2): the image atlas has ink at texel `(8·t + px mod 8, py mod 8)`
 *   of tile `t = payload mod 16`;
 * - path (3): the stroke of the rectangle's outline, `S = 16·min(payload, 255)`:
 *   `min(u, v, u', v') < S`.
 *
 * **Colour and order.** Opaque replace: a covered pixel's RGBA bytes become
 * the instance's colour word `RRGGBBAA` as is (no blending, no rounding).
 * Instances are painted in order of (z, kind, index in its batch), later on
 * top; the background is (0, 0, 0, 0).
 *
 * @module
 */
import { PNG } from "pngjs"
import { INSTANCE_WORDS, numKinds } from "../Render/Commands.ts"
import {
  cellHeight,
  cellWidth,
  glyphAtlas,
  glyphAtlasWidth,
  glyphCount,
  glyphHeight,
  glyphWidth,
  imageAtlas,
  imageAtlasWidth,
  tileSize,
} from "./Atlas.ts"
import type { Frame } from "./Frame.ts"

/** An RGBA8 image, rows top to bottom, 4 bytes per pixel. */
export interface Image {
  readonly width: number
  readonly height: number
  readonly data: Uint8Array
}

/** Does kind `k`'s rule cover the centre with local offsets `u, v, u2 = u', v2 = v'` (all in the rectangle)? */
export const kindCovers = (k: number, payload: number, u: number, v: number, u2: number, v2: number): boolean => {
  switch (k) {
    case 0: {
      const r = Math.min(16 * Math.min(payload, 256), (u + u2) >> 1, (v + v2) >> 1)
      const dx = Math.max(0, r - u, r - u2)
      const dy = Math.max(0, r - v, r - v2)
      return dx * dx + dy * dy <= r * r
    }
    case 1: {
      const px = u >> 4
      const py = v >> 4
      const cu = px % cellWidth
      const cv = py % cellHeight
      if (cu >= glyphWidth || cv >= glyphHeight) return false
      const g = (Math.floor(px / cellWidth) + (payload & 0xffff)) % glyphCount
      return glyphAtlas[cv * glyphAtlasWidth + g * glyphWidth + cu] === 1
    }
    case 2:
      return imageAtlas[((v >> 4) & 7) * imageAtlasWidth + (payload & 15) * tileSize + ((u >> 4) & 7)] === 1
    default:
      return Math.min(u, v, u2, v2) < 16 * Math.min(payload, 255)
  }
}

/** Whole pixels `i` with `lo ≤ 16i + 8 < hi`, clipped to `[0, n)`: `[first, end)`. */
const span = (lo: number, hi: number, n: number): [number, number] => [
  Math.max(0, Math.ceil((lo - 8) / 16)),
  Math.min(n, Math.ceil((hi - 8) / 16)),
]

/** The painting order: (z, kind, index) ascending, as [kind, index] pairs. */
export const paintOrder = (f: Frame): Array<readonly [number, number]> => {
  const order: Array<readonly [number, number]> = []
  for (let k = 0; k < numKinds; k++) for (let i = 0; i < f.counts[k]!; i++) order.push([k, i])
  const z = ([k, i]: readonly [number, number]) => f.instances[k]![i * INSTANCE_WORDS + 5]!
  return order.sort((a, b) => z(a) - z(b) || a[0] - b[0] || a[1] - b[1])
}

/** Renders `f` by the rules in the module docs. */
export const renderReference = (f: Frame): Image => {
  const { width, height } = f
  const data = new Uint8Array(width * height * 4)
  for (const [k, i] of paintOrder(f)) {
    const buf = f.instances[k]!
    const o = i * INSTANCE_WORDS
    const x0 = buf[o]! - f.left
    const y0 = buf[o + 1]! - f.top
    const wh = buf[o + 2]! >>> 0
    const x1 = x0 + 16 * (wh & 0xffff)
    const y1 = y0 + 16 * (wh >>> 16)
    const c = buf[o + 3]! >>> 0
    const payload = buf[o + 4]! >>> 0
    const [i0, i1] = span(x0, x1, width)
    const [j0, j1] = span(y0, y1, height)
    for (let py = j0; py < j1; py++) {
      const cy = 16 * py + 8
      for (let px = i0; px < i1; px++) {
        const cx = 16 * px + 8
        if (!kindCovers(k, payload, cx - x0, cy - y0, x1 - cx, y1 - cy)) continue
        const p = 4 * (py * width + px)
        data[p] = c >>> 24
        data[p + 1] = (c >>> 16) & 0xff
        data[p + 2] = (c >>> 8) & 0xff
        data[p + 3] = c & 0xff
      }
    }
  }
  return { width, height, data }
}

/** Per-pixel comparison: pixels whose RGBA differ in any byte, and the largest byte difference. */
export interface ImageDiff {
  readonly differing: number
  readonly maxByteDiff: number
  /** The first differing pixel, or null. */
  readonly first: { readonly x: number; readonly y: number } | null
}

/** Compares two images of the same size, pixel by pixel. */
export const compareImages = (a: Image, b: Image): ImageDiff => {
  if (a.width !== b.width || a.height !== b.height)
    throw new Error(`compareImages: sizes differ (${a.width}×${a.height} vs ${b.width}×${b.height})`)
  let differing = 0
  let maxByteDiff = 0
  let first: { x: number; y: number } | null = null
  for (let p = 0; p < a.width * a.height; p++) {
    let d = 0
    for (let c = 0; c < 4; c++) d = Math.max(d, Math.abs(a.data[4 * p + c]! - b.data[4 * p + c]!))
    if (d === 0) continue
    differing++
    if (d > maxByteDiff) maxByteDiff = d
    if (first === null) first = { x: p % a.width, y: Math.floor(p / a.width) }
  }
  return { differing, maxByteDiff, first }
}

/** The image as PNG bytes (RGBA, 8 bits per channel). */
export const encodePng = (img: Image): Uint8Array => {
  const png = new PNG({ width: img.width, height: img.height })
  png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength)
  return new Uint8Array(PNG.sync.write(png, { colorType: 6 }))
}

/** Decodes PNG bytes to RGBA8 (throws on a malformed PNG: pngjs's error). */
export const decodePng = (bytes: Uint8Array): Image => {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) }
}
