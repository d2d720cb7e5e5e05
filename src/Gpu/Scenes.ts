/**
 * Seeded scenes for checking the GPU runtime against the reference renderer:
 * all four atom kinds, z drawn from a few values (so instances overlap with
 * equal and different z), Elements straddling and beyond every edge of the
 * view (culled or clipped), some in another viewport, some with an edge
 * exactly on a pixel centre (offset ≡ 8 mod 16 in 1/16 px), and a view origin
 * that is not on the pixel grid.
 *
 * @module
 */
import * as Result from "effect/Result"
import { buildDraws, cull, drawCalls, usedKinds, type View } from "../Render/Commands.ts"
import { columnsOfElements } from "../Wire/Codec.ts"
import type { Atom, Element } from "../Wire/Element.ts"
import { type Frame, frameOfDraws } from "./Frame.ts"

/** mulberry32: a small seeded PRNG in [0, 1). */
export const prng = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface Scene {
  readonly elements: ReadonlyArray<Element>
  readonly view: View
  readonly frame: Frame
  /**
   * The proved draw-call count of the frame: `drawCalls (cull v es)`, which
   * `Hydrogen.Render.drawCalls_eq_length_usedKinds` says is the number of
   * distinct kinds among the visible Elements (≤ 4 by `draw_calls_bounded`).
   */
  readonly provedDrawCalls: number
  /** Distinct atom kinds among the visible Elements. */
  readonly visibleKinds: ReadonlyArray<number>
}

const atomOf = (k: number, r: () => number): Atom => {
  const n = Math.floor(r() * 0x10000)
  return k === 0
    ? { _tag: "rect", cornerRadius: n % 3 === 0 ? 0 : n % 24 }
    : k === 1
      ? { _tag: "text", font: n & 3, size: 8 + (n % 40) }
      : k === 2
        ? { _tag: "image", source: n }
        : { _tag: "path", stroke: n % 7 }
}

/**
 * A `width × height` px frame of `count` Elements of the atom kinds `kinds`
 * (default all four; the first `kinds.length` Elements are one of each, inside
 * the view). Positions are 1/16 px relative to a view origin off the pixel grid.
 */
export const generateScene = (
  seed: number,
  width: number,
  height: number,
  count: number,
  kinds: ReadonlyArray<number> = [0, 1, 2, 3],
): Scene => {
  const r = prng(seed)
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1))
  const left = int(-4000, 4000)
  const top = int(-4000, 4000)
  const view: View = { viewport: 0, left, top, right: left + 16 * width, bottom: top + 16 * height }
  const elements: Array<Element> = []
  for (let i = 0; i < Math.max(kinds.length, count); i++) {
    const k = i < kinds.length ? kinds[i]! : kinds[int(0, kinds.length - 1)]!
    const w = int(1, Math.max(1, Math.min(64, width)))
    const h = int(1, Math.max(1, Math.min(64, height)))
    const inside = i < kinds.length
    let dx = inside ? int(0, 16 * (width - w)) : int(-16 * (w + 8), 16 * (width + 8))
    let dy = inside ? int(0, 16 * (height - h)) : int(-16 * (h + 8), 16 * (height + 8))
    if (r() < 0.25) dx = 16 * Math.floor(dx / 16) + 8 // left edge on a pixel centre
    if (r() < 0.25) dy = 16 * Math.floor(dy / 16) + 8
    elements.push({
      atom: atomOf(k, r),
      z: int(-3, 3),
      viewport: !inside && r() < 0.05 ? 1 : 0,
      x: left + dx,
      y: top + dy,
      width: w,
      height: h,
      color: Math.floor(r() * 0x100000000) >>> 0,
    })
  }
  const built = buildDraws(view, columnsOfElements(elements))
  if (Result.isFailure(built)) throw built.failure
  const visible = cull(view, elements)
  return {
    elements,
    view,
    frame: frameOfDraws(view, built.success, width, height),
    provedDrawCalls: drawCalls(visible),
    visibleKinds: usedKinds(visible),
  }
}
