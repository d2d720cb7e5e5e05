// Real headless Chromium (Debian's, scripts/chromium/install.sh) with WebGPU
// on SwiftShader. If WebGPU is unavailable, launchGpu rejects with
// GpuUnavailable and every test here fails with that reason: never skipped.
import * as Result from "effect/Result"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { encodeFrame, GpuInputError } from "../../src/Gpu/Frame.ts"
import { GpuUnavailable, type GpuRuntime, launchGpu } from "../../src/Gpu/Browser.ts"
import { compareImages, renderReference } from "../../src/Gpu/Reference.ts"
import { generateScene, prng } from "../../src/Gpu/Scenes.ts"
import { rasterBoundLevels } from "../../src/Render/Raster.ts"
import type { Frame } from "../../src/Gpu/Frame.ts"

let gpu: GpuRuntime | undefined
let launchError: unknown

beforeAll(async () => {
  try {
    gpu = await launchGpu()
  } catch (e) {
    launchError = e
  }
}, 60_000)

afterAll(async () => {
  await gpu?.close()
})

const runtime = (): GpuRuntime => {
  if (gpu === undefined) throw launchError instanceof Error ? launchError : new Error(String(launchError))
  return gpu
}

/**
 * A frame of raw records, not culled: some far outside the view (empty pixel
 * span), some larger than the view (span clipped on every side), edges on
 * pixel centres, extreme z (equal z across kinds), payloads past every cap.
 */
const rawFrame = (seed: number, width: number, height: number, perKind: ReadonlyArray<number>): Frame => {
  const r = prng(seed)
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1))
  const left = int(-5000, 5000)
  const top = int(-5000, 5000)
  const zs = [-32768, -1, 0, 0, 1, 32767]
  const instances = perKind.map((count) => {
    const buf = new Int32Array(6 * count)
    for (let i = 0; i < count; i++) {
      const big = r() < 0.05
      const w = big ? int(width, 4 * width) : int(1, 40)
      const h = big ? int(height, 4 * height) : int(1, 40)
      let dx = big ? int(-16 * (w - width), 0) : int(-16 * (w + 20), 16 * (width + 20))
      let dy = big ? int(-16 * (h - height), 0) : int(-16 * (h + 20), 16 * (height + 20))
      if (r() < 0.3) dx = 16 * Math.floor(dx / 16) + 8 // left edge on a pixel centre
      if (r() < 0.3) dy = 16 * Math.floor(dy / 16) + 8
      buf.set([left + dx, top + dy, w | (h << 16), int(0, 0xffffffff) | 0, r() < 0.2 ? int(0, 0xffffffff) | 0 : int(0, 12), zs[int(0, zs.length - 1)]!], 6 * i)
    }
    return buf
  })
  return { width, height, left, top, counts: perKind.slice(), instances }
}

/** Kind subsets, so that the proved draw count varies from 1 to 4 across scenes. */
const kindSets: ReadonlyArray<ReadonlyArray<number>> = [[0, 1, 2, 3], [0, 1, 2, 3], [0, 2], [1, 3], [2], [0, 1, 3]]

describe("WebGPU runtime vs the CPU reference (Chromium, SwiftShader)", () => {
  it("reports a WebGPU adapter", () => {
    expect(runtime().adapter.length).toBeGreaterThan(0)
  })

  // Rule tested: the fragment shaders decide coverage at pixel centres in the
  // reference's int32 arithmetic (the quads are one px wider, so rasterizer
  // tie-breaking never decides a pixel) and write the 8-bit colour as is, so
  // every pixel must agree exactly: 0 differing pixels, max difference 0.
  // @lean Hydrogen.Render.drawCalls_eq_length_usedKinds
  it("24 generated scenes: GPU pixels equal the reference's exactly; draw calls equal the proved count (drawCalls_eq_length_usedKinds)", async () => {
    const g = runtime()
    const rows: Array<string> = []
    let drawn = 0
    for (let seed = 1; seed <= 24; seed++) {
      const kinds = kindSets[seed % kindSets.length]!
      const s = generateScene(1000 + seed, 96 + 8 * (seed % 5), 72 + 4 * (seed % 7), 40 + 5 * seed, kinds)
      const r = await g.render(s.frame)
      if (Result.isFailure(r)) throw r.failure
      const gpuImg = await g.readPixels()
      const ref = renderReference(s.frame)
      const d = compareImages(gpuImg, ref)
      const covered = ref.data.reduce((n, b, i) => (i % 4 === 3 && b !== 0 ? n + 1 : n), 0)
      rows.push(`seed ${1000 + seed}: ${s.frame.width}×${s.frame.height}, ${r.success.instances} instances, kinds ${s.visibleKinds.join("")}, draws ${r.success.drawCalls}/${s.provedDrawCalls}, differing ${d.differing}, max diff ${d.maxByteDiff} (proved ≤ ${rasterBoundLevels})`)
      expect(r.success.errors).toEqual([])
      // The tolerance is the proved rasterize-stage bound (Hydrogen.Render.Raster.raster_error_bound), not a literal.
      expect(d.maxByteDiff).toBeLessThanOrEqual(rasterBoundLevels)
      expect(d.differing === 0).toBe(d.maxByteDiff === 0)
      expect(r.success.drawCalls).toBe(s.provedDrawCalls)
      expect(s.visibleKinds).toEqual(kinds.slice().sort())
      expect(s.elements.length).toBeGreaterThan(r.success.instances) // some were culled
      drawn += covered
    }
    console.log(rows.join("\n"))
    expect(drawn).toBeGreaterThan(0)
  })

  it("every draw mode draws the reference's pixels: instanced and pulled with the proved count, naive with one draw per instance", async () => {
    const g = runtime()
    for (const seed of [77, 78, 79]) {
      const s = generateScene(seed, 120, 90, 150)
      const ref = renderReference(s.frame)
      for (const mode of ["instanced", "pulled", "perElement"] as const) {
        const r = await g.render(s.frame, { mode })
        if (Result.isFailure(r)) throw r.failure
        expect(r.success.drawCalls).toBe(mode === "perElement" ? r.success.instances : s.provedDrawCalls)
        expect(compareImages(await g.readPixels(), ref).differing).toBe(0)
      }
    }
  })

  // Rule tested: the quad is the reference's covered pixel span, clipped to the
  // frame (empty when the record misses every centre), and depth comes from
  // the vertex stage; so every mode must still equal the reference exactly,
  // also on records that culling would have removed.
  it("raw records (outside the view, larger than it, edges on centres, extreme z, capped payloads): every mode equals the reference", async () => {
    const g = runtime()
    for (let seed = 1; seed <= 6; seed++) {
      const f = rawFrame(seed, 64 + 8 * seed, 48 + 4 * seed, [60, 60, 60, 60].map((n, k) => (seed % 4 === k ? 0 : n + seed)))
      const ref = renderReference(f)
      expect(ref.data.some((b) => b !== 0)).toBe(true)
      for (const mode of ["pulled", "instanced", "perElement"] as const) {
        const r = await g.render(f, { mode })
        if (Result.isFailure(r)) throw r.failure
        expect(r.success.errors).toEqual([])
        expect(r.success.drawCalls).toBe(mode === "perElement" ? r.success.instances : 3)
        expect(compareImages(await g.readPixels(), ref)).toEqual({ differing: 0, maxByteDiff: 0, first: null })
      }
    }
  })

  it("pulled draws after a frame with more records per kind than any before (the index buffer grows): pixels equal the reference", async () => {
    const g = runtime()
    for (const [seed, n] of [[21, 10], [22, 3000], [23, 40], [24, 5000]] as const) {
      const f = rawFrame(seed, 96, 64, [n, 1, 0, n >> 1])
      const r = await g.render(f, { mode: "pulled" })
      if (Result.isFailure(r)) throw r.failure
      expect(r.success.instances).toBe(n + 1 + (n >> 1))
      expect(compareImages(await g.readPixels(), renderReference(f)).differing).toBe(0)
    }
  })

  it("malformed frames are typed errors before the GPU: the page renders nothing and keeps the last good frame", async () => {
    const g = runtime()
    const good = generateScene(9, 64, 64, 30).frame
    const r0 = await g.render(good)
    if (Result.isFailure(r0)) throw r0.failure
    const before = await g.readPixels()
    const short = { ...good, instances: [good.instances[0]!.subarray(1), ...good.instances.slice(1)] }
    const nan = { ...good, instances: good.instances.map((b, k) => (k === 2 ? Array.from(b, (v, i) => (i === 0 ? Number.NaN : v)) : b)) }
    const words = new Int32Array(encodeFrame(good).buffer.slice(0))
    words[5] = 4 // first batch's kind code out of range
    for (const bad of [g.render(short), g.render(nan), g.renderStream(new Uint8Array(words.buffer))]) {
      const r = await bad
      expect(Result.isFailure(r)).toBe(true)
      if (Result.isFailure(r)) expect(r.failure).toBeInstanceOf(GpuInputError)
    }
    const after = await g.render(good, { repeat: 0 }) // a no-op frame reports the page's frame counter
    if (Result.isFailure(after)) throw after.failure
    expect(after.success.frames).toBe(r0.success.frames + 1)
    expect(compareImages(await g.readPixels(), before).differing).toBe(0)
  })

  it("without a browser, launchGpu fails with GpuUnavailable pointing at the CPU renderer", async () => {
    const e = await launchGpu({ executablePath: "/nonexistent/chromium" }).then(
      () => null,
      (err: unknown) => err,
    )
    expect(e).toBeInstanceOf(GpuUnavailable)
    expect((e as GpuUnavailable).message).toContain("hydrogen render --out frame.png")
  })

  it("nothing in the page's console errors", () => {
    expect(runtime().consoleErrors()).toEqual([])
  })
})
