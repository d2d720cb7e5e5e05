import { describe, expect, it } from "vitest"
import type { Io } from "../../src/Cli/Main.ts"
import { runMain } from "./run.ts"
import { computeRender, parseRenderArgs, renderOk, runRenderCommand } from "../../src/Cli/Render.ts"
import { maxErrorExact } from "../../src/Render/Graded.ts"
import { numKinds } from "../../src/Render/Commands.ts"
import { eq, frac, show } from "../../src/Render/Error.ts"
import { colorValue, exact, measureMaxError, positionsForGpu, quantizeColors } from "../../src/Render/Graded.ts"
import { mulberry32 } from "../../src/Cli/Plan.ts"


describe("hydrogen render", () => {
  it("default run exits 0: ≤ 4 draw calls per viewport, measured errors within the proved bounds", async () => {
    const t0 = performance.now()
    const r = await runMain(["render"])
    expect(performance.now() - t0).toBeLessThan(5000)
    expect(r.code).toBe(0)
    expect(r.err).toBe("")
    expect(r.out).toContain("100 viewports × 100 Elements")
    const perViewport = Number(/at most (\d+) per viewport/.exec(r.out)![1])
    expect(perViewport).toBeLessThanOrEqual(4)
    expect(r.out).toContain("100 of 100 viewports within it: holds")
    expect(r.out).toContain("bound 33/1024 = 0.0322265625 px")
    expect(r.out).toContain("bound 1/510 = 0.001960784313…")
    expect(r.out.match(/within the proved bound/g)).toHaveLength(2)
    expect(r.out).not.toContain("EXCEEDS")
  })

  it("the same seed gives identical output; another seed a different scene", async () => {
    const a = await runMain(["render", "--seed", "7", "--viewports", "20"])
    const b = await runMain(["render", "--seed", "7", "--viewports", "20"])
    const c = await runMain(["render", "--seed", "8", "--viewports", "20"])
    expect(a.out).toBe(b.out)
    expect(a.out).not.toBe(c.out)
  })

  it("--json: visible + culled = elements, instances per kind sum to visible, draw calls ≤ numKinds × viewports", async () => {
    const r = await runMain(["render", "--viewports", "50", "--elements", "200", "--seed", "3", "--json"])
    expect(r.code).toBe(0)
    const j = JSON.parse(r.out)
    expect(j.elements).toBe(50 * 200)
    expect(j.visible + j.culled).toBe(j.elements)
    expect(j.culled).toBeGreaterThan(0)
    expect(j.visible).toBeGreaterThan(0)
    expect(Object.values(j.instancesPerKind as Record<string, number>).reduce((s, x) => s + x, 0)).toBe(j.visible)
    expect(j.drawCalls.total).toBeLessThanOrEqual(numKinds * j.viewports)
    expect(j.drawCalls.maxPerViewport).toBeLessThanOrEqual(numKinds)
    expect(j.drawCalls.holds).toBe(true)
    expect(j.instanceBytes).toBe(24 * j.visible)
    expect(j.positionError.bound).toBe("33/1024")
    expect(j.positionError.within).toBe(true)
    expect(j.colorError.bound).toBe("1/510")
    expect(j.colorError.within).toBe(true)
    expect(j.ok).toBe(true)
  })

  it("--view W,H sets the view rectangle: a view covering the whole viewport culls only what lies outside it", async () => {
    const small = JSON.parse((await runMain(["render", "--view", "100,100", "--json"])).out)
    const big = JSON.parse((await runMain(["render", "--view", "16384,16384", "--json"])).out)
    expect(small.view).toEqual({ width: 100, height: 100 })
    expect(small.visible).toBeLessThan(big.visible)
    // positions start at -64 px, so Elements left of or above the origin can still be culled
    expect(big.visible).toBeGreaterThan(0.9 * big.elements)
  })

  it("--elements 0: nothing to draw, still exit 0", async () => {
    const r = await runMain(["render", "--elements", "0", "--json"])
    expect(r.code).toBe(0)
    const j = JSON.parse(r.out)
    expect([j.elements, j.visible, j.drawCalls.total]).toEqual([0, 0, 0])
    expect(j.positionError.measured).toBe("0")
  })

  it("maxErrorExact equals measureMaxError over all values (positions and colours)", () => {
    const rand = mulberry32(42)
    const px = Float64Array.from({ length: 5000 }, () => rand() * 4096 - 2048)
    const cs = Float64Array.from({ length: 5000 }, () => rand())
    const gpu = positionsForGpu(exact(px)).values
    const lv = quantizeColors(exact(cs)).values
    expect(show(maxErrorExact(px, gpu, (o) => o))).toBe(show(measureMaxError(px, gpu)))
    expect(eq(maxErrorExact(cs, lv, (k) => k / 255, colorValue), measureMaxError(cs, lv, colorValue))).toBe(true)
    // a near-tie colour that float rounding would misjudge is still measured exactly
    const tie = Float64Array.of(1 / 510, 0.5, 0.00196078431372549)
    const tl = quantizeColors(exact(tie)).values
    expect(eq(maxErrorExact(tie, tl, (k) => k / 255, colorValue), measureMaxError(tie, tl, colorValue))).toBe(true)
  })
})

describe("hydrogen render: bad arguments exit 2 with a message naming the flag", () => {
  for (const [args, flag] of [
    [["--viewports", "0"], "--viewports"],
    [["--viewports", "abc"], "--viewports"],
    [["--viewports", "100001"], "--viewports"],
    [["--elements", "10001"], "--elements"],
    [["--seed", "-1"], "--seed"],
    [["--seed", "4294967296"], "--seed"],
    [["--view", "0,10"], "--view"],
    [["--view", "wide"], "--view"],
    [["--frames", "3"], "--frames"],
    [["--json=maybe"], "--json"],
    [["--viewports", "100000", "--elements", "10000"], "--viewports × --elements"],
  ] as const) {
    it(`${args.join(" ")} → exit 2 naming ${flag}`, async () => {
      const r = await runMain(["render", ...args])
      expect(r.code).toBe(2)
      expect(r.out).toBe("")
      expect(r.err).toContain(`hydrogen render: `)
      expect(r.err).toContain(flag)
    })
  }

  it("parseRenderArgs decodes good arguments with defaults", () => {
    expect(parseRenderArgs([])).toEqual({
      ok: true,
      value: { viewports: 100, elements: 100, seed: 1, view: { width: 1280, height: 720 }, json: false },
    })
    expect(parseRenderArgs(["--viewports=3", "--elements", "0", "--seed", "4294967295", "--view", "640,480", "--json"])).toEqual({
      ok: true,
      value: { viewports: 3, elements: 0, seed: 4294967295, view: { width: 640, height: 480 }, json: true },
    })
  })

  it("help and the unknown-command message mention render", async () => {
    expect((await runMain(["help"])).out).toContain("hydrogen render [--viewports N]")
    expect((await runMain(["nope"])).err).toContain("expected plan, run, tree, render, view, research, mesh, console or help")
  })
})

describe("hydrogen render: a measured error over the bound", () => {
  it("says EXCEEDS the proved bound and exits 1 (never 'within')", () => {
    let out = ""
    let err = ""
    const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t) }
    const args = parseRenderArgs(["--viewports", "2", "--elements", "10"])
    if (!args.ok) throw new Error("bad args")
    const over = (a: Parameters<typeof computeRender>[0]) => {
      const r = computeRender(a)
      return { ...r, position: { ...r.position, measured: frac(33n * 1024n + 1n, 1024n * 1024n) } }
    }
    expect(runRenderCommand(args.value, io, over)).toBe(1)
    expect(out).toContain("33793/1048576 = 0.032227516174… px, EXCEEDS the proved bound")
    expect(out.match(/within the proved bound/g)).toHaveLength(1) // the colour line only
    expect(err).toContain("EXCEEDS")
    expect(renderOk(over(args.value))).toBe(false)
    expect(renderOk(computeRender(args.value))).toBe(true)
  })
})
