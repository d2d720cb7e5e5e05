// Real headless Chromium (Debian's, scripts/chromium/install.sh) with WebGPU
// on SwiftShader. If WebGPU is unavailable, launchGpu rejects with
// GpuUnavailable and every test here fails with that reason: never skipped.
import * as Result from "effect/Result"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { encodeFrame, GpuInputError } from "../../src/Gpu/Frame.ts"
import { GpuUnavailable, type GpuRuntime, launchGpu } from "../../src/Gpu/Browser.ts"
import { compareImages, renderReference } from "../../src/Gpu/Reference.ts"
import { generateScene } from "../../src/Gpu/Scenes.ts"

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
      rows.push(`seed ${1000 + seed}: ${s.frame.width}×${s.frame.height}, ${r.success.instances} instances, kinds ${s.visibleKinds.join("")}, draws ${r.success.drawCalls}/${s.provedDrawCalls}, differing ${d.differing}, max diff ${d.maxByteDiff}`)
      expect(r.success.errors).toEqual([])
      expect(d).toEqual({ differing: 0, maxByteDiff: 0, first: null })
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
