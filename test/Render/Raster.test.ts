import fc from "fast-check"
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { kindCovers } from "../../src/Gpu/Reference.ts"
import { add, compose, dist, eq, frac, fractionOfNumber, type Fraction, le, lt, mul, ofInt, ONE, sub } from "../../src/Render/Error.ts"
import {
  type Box,
  boxContains,
  byteDiff,
  centre,
  conservativeQuad,
  edgeDecision,
  followsEdgeAt,
  gpuQuadDelta,
  gpuQuadPipeline,
  gpuReferencePipeline,
  levelValue,
  marginUnits,
  paintPixel,
  type Quad,
  quadInterior,
  quadWithin,
  rasterizesAt,
  rasterBound,
  rasterBoundLevels,
  rasterEps,
  roundedRectCovers,
  ruleWithinAt,
  clampUnits,
  storesUnormAt,
  storeUnormNearest,
} from "../../src/Render/Raster.ts"

// Expected values are the ones the Lean theorems state (lean/Hydrogen/Render/Raster.lean).

const fracArb: fc.Arbitrary<Fraction> = fc
  .tuple(fc.bigInt({ min: -4000n, max: 4000n }), fc.bigInt({ min: 1n, max: 64n }))
  .map(([n, d]) => frac(n, d))

/** A box in 1/16 px around a small framebuffer, edges anywhere (on, off, between centres). */
const boxArb: fc.Arbitrary<Box> = fc
  .tuple(fc.integer({ min: -40, max: 200 }), fc.integer({ min: -40, max: 200 }), fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 120 }))
  .map(([x0, y0, w, h]) => ({ x0, y0, x1: x0 + w, y1: y0 + h }))

/** A rational offset in [−δ, δ], its ends included (so ±δ exactly are drawn). */
const offsetArb = (delta: Fraction): fc.Arbitrary<Fraction> =>
  fc.oneof(
    fc.constant(delta),
    fc.constant(mul(ofInt(-1), delta)),
    fc.constant(ofInt(0)),
    fc.tuple(fc.bigInt({ min: -1000n, max: 1000n })).map(([n]) => mul(delta, frac(n, 1000n))),
  )

/** A quad computed within δ of the exact one, corner by corner. */
const perturb = (e: Quad, o: ReadonlyArray<Fraction>): Quad => ({
  x0: add(e.x0, o[0]!),
  y0: add(e.y0, o[1]!),
  x1: add(e.x1, o[2]!),
  y1: add(e.y1, o[3]!),
})

/** A rasterizer that follows the rule for `q`: strict interior in; on the edge and outside, `free` decides. */
const rasterizer = (q: Quad, free: (cx: number, cy: number) => boolean) => (cx: number, cy: number): boolean =>
  quadInterior(q, ofInt(cx), ofInt(cy)) || free(cx, cy)

/** Hash-like free choices, so ties and outside points go both ways across a run. */
const freeChoice = (seed: number) => (cx: number, cy: number): boolean => (((cx * 73856093) ^ (cy * 19349663) ^ seed) & 1) === 1

describe("Raster: edges", () => {
  // @lean Hydrogen.Render.Raster.disagree_near_edge
  it("disagree_near_edge: renderers following one edge at a and b disagree only within |a − b| of it (10^4 edges, exact rationals)", () => {
    let disagreements = 0
    fc.assert(
      fc.property(fracArb, fracArb, fracArb, fc.boolean(), fc.boolean(), (a, off, c0, t1, t2) => {
        const b = add(a, mul(off, frac(1n, 64n)))
        // centres on both edges, between them, and elsewhere
        for (const c of [a, b, c0, mul(add(a, b), frac(1n, 2n))]) {
          const d1 = edgeDecision(a, t1)
          const d2 = edgeDecision(b, t2)
          expect(followsEdgeAt(d1, a, c) && followsEdgeAt(d2, b, c)).toBe(true)
          if (d1(c) !== d2(c)) {
            disagreements++
            expect(le(dist(c, a), dist(a, b))).toBe(true)
          }
        }
      }),
      { numRuns: 10_000 },
    )
    expect(disagreements).toBeGreaterThan(100)
  })

  // @lean Hydrogen.Render.Raster.disagree_only_on_edge
  it("disagree_only_on_edge: with the same edge, only a centre on it can differ", () => {
    fc.assert(
      fc.property(fracArb, fracArb, fc.boolean(), fc.boolean(), (a, c, t1, t2) => {
        if (edgeDecision(a, t1)(c) !== edgeDecision(a, t2)(c)) expect(eq(c, a)).toBe(true)
      }),
      { numRuns: 2000 },
    )
  })

  // @lean Hydrogen.Render.Raster.tie_can_disagree
  it("tie_can_disagree: both tie conventions follow the edge and differ on it", () => {
    fc.assert(
      fc.property(fracArb, fracArb, (a, c) => {
        expect(followsEdgeAt(edgeDecision(a, true), a, c)).toBe(true)
        expect(followsEdgeAt(edgeDecision(a, false), a, c)).toBe(true)
        expect(edgeDecision(a, true)(a)).not.toBe(edgeDecision(a, false)(a))
      }),
    )
  })

  // @lean Hydrogen.Render.Raster.tie_pixel_diff
  it("tie_pixel_diff: a white edge through a centre over black differs by 255 under the two conventions", () => {
    const a = frac(24n)
    const p = (tie: boolean) => paintPixel(0, () => 255, () => edgeDecision(a, tie)(a), [null])
    expect(byteDiff(p(true), p(false))).toBe(255)
  })
})

describe("Raster: pixels", () => {
  const paintsArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.boolean(), fc.boolean()), { maxLength: 12 })

  // @lean Hydrogen.Render.Raster.paintPixel_congr
  it("paintPixel_congr: the same coverage decisions paint the same byte", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), paintsArb, (bg, ps) => {
        const byte = (p: (typeof ps)[number]) => p[0]
        expect(paintPixel(bg, byte, (p) => p[1], ps)).toBe(paintPixel(bg, byte, (p) => p[1] === true, [...ps]))
        // and the byte is the last covering instance's, or the background
        const last = [...ps].reverse().find((p) => p[1])
        expect(paintPixel(bg, byte, (p) => p[1], ps)).toBe(last === undefined ? bg : last[0])
      }),
    )
  })

  // @lean Hydrogen.Render.Raster.paintPixel_le
  it("paintPixel_le: a painted byte is a byte", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), paintsArb, (bg, ps) => {
        expect(paintPixel(bg, (p) => p[0], (p) => p[1], ps)).toBeLessThanOrEqual(255)
      }),
    )
  })

  // @lean Hydrogen.Render.Raster.byteDiff_le
  it("byteDiff_le: any two coverage choices differ by at most 255 per channel", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), paintsArb, (bg, ps) => {
        const d = byteDiff(paintPixel(bg, (p) => p[0], (p) => p[1], ps), paintPixel(bg, (p) => p[0], (p) => p[2], ps))
        expect(d).toBeGreaterThanOrEqual(0)
        expect(d).toBeLessThanOrEqual(255)
      }),
    )
  })
})

describe("Raster: the project's rule", () => {
  // @lean Hydrogen.Render.Raster.roundedRect_within
  it("roundedRect_within: the rounded rect covers only centres in its box, and is the reference's kind 0", () => {
    fc.assert(
      fc.property(boxArb, fc.integer({ min: 0, max: 300 }), fc.integer({ min: -60, max: 340 }), fc.integer({ min: -60, max: 340 }), (b, p, cx, cy) => {
        const got = roundedRectCovers(p, b, cx, cy)
        if (got) expect(boxContains(b, cx, cy)).toBe(true)
        const inside = boxContains(b, cx, cy)
        expect(got).toBe(inside && kindCovers(0, p, cx - b.x0, cy - b.y0, b.x1 - cx, b.y1 - cy))
      }),
      { numRuns: 5000 },
    )
  })

  /** Pixel indices whose centres are nearest an edge at `e` (one each side), inside `[0, n)`. */
  const near = (e: number, n: number): number[] => {
    const k = Math.floor((e - 8) / 16)
    return [k - 1, k, k + 1, k + 2].filter((i) => i >= 0 && i < n)
  }
  /** Boxes whose edges often lie exactly on pixel centres (16k + 8) or one unit off. */
  const edgeArb = fc.oneof(fc.integer({ min: -40, max: 220 }), fc.tuple(fc.integer({ min: -2, max: 13 }), fc.integer({ min: -1, max: 1 })).map(([k, d]) => 16 * k + 8 + d))
  const tieBoxArb: fc.Arbitrary<Box> = fc
    .tuple(edgeArb, edgeArb, edgeArb, edgeArb)
    .map(([a, b, c, d]) => ({ x0: Math.min(a, b), x1: Math.max(a, b), y0: Math.min(c, d), y1: Math.max(c, d) }))

  // @lean Hydrogen.Render.Raster.gpu_covers_eq_rule
  it("gpu_covers_eq_rule: any quad within gpuQuadDelta of the conservative quad, any tie-breaking: GPU coverage = the rule at every centre next to an edge (10^4 boxes, exact rationals)", () => {
    const [w, h] = [12, 12]
    let covered = 0
    let checked = 0
    fc.assert(
      fc.property(tieBoxArb, fc.integer({ min: 0, max: 300 }), fc.array(offsetArb(gpuQuadDelta), { minLength: 4, maxLength: 4 }), fc.integer(), (b, p, o, seed) => {
        const q = perturb(conservativeQuad(b, w, h), o)
        expect(quadWithin(q, conservativeQuad(b, w, h), gpuQuadDelta)).toBe(true)
        const incl = rasterizer(q, freeChoice(seed))
        const is = [...new Set([...near(b.x0, w), ...near(b.x1, w)])]
        const js = [...new Set([...near(b.y0, h), ...near(b.y1, h)])]
        for (const j of js)
          for (const i of is) {
            const [cx, cy] = [centre(i), centre(j)]
            const rule = roundedRectCovers(p, b, cx, cy)
            checked++
            if (rule) covered++
            expect(incl(cx, cy) && rule).toBe(rule)
          }
      }),
      { numRuns: 10_000 },
    )
    expect(covered).toBeGreaterThan(5_000)
    expect(checked).toBeGreaterThan(50_000)
   }, 120_000)

  // The margin matters: with the quad equal to the box (no margin) a tie-breaking
  // rasterizer does drop covered pixels, so the check above can fail.
  // @lean Hydrogen.Render.Raster.rasterEps_no_margin
  it("rasterEps_no_margin: without the margin, pixels flip and the stage error is 255", () => {
    expect(rasterEps(marginUnits)).toEqual(ofInt(255))
    expect(rasterEps(add(marginUnits, frac(1n, 7n)))).toEqual(ofInt(255))
    const b: Box = { x0: 8, y0: 8, x1: 40, y1: 40 } // edges exactly on the centres of pixel 0
    const q: Quad = { x0: ofInt(8), y0: ofInt(8), x1: ofInt(40), y1: ofInt(40) }
    const incl = rasterizer(q, () => false)
    const gpu = paintPixel(0, () => 255, () => incl(centre(0), centre(0)) && roundedRectCovers(0, b, centre(0), centre(0)), [null])
    const ref = paintPixel(0, () => 255, () => roundedRectCovers(0, b, centre(0), centre(0)), [null])
    expect(byteDiff(gpu, ref)).toBe(255)
  })

  // @lean Hydrogen.Render.Raster.gpu_pixel_eq_reference
  it("gpu_pixel_eq_reference: overlapping instances painted in order, quads perturbed within gpuQuadDelta: every pixel equals the reference's", () => {
    const [w, h] = [10, 10]
    const inst = fc.tuple(boxArb, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 255 }), fc.array(offsetArb(gpuQuadDelta), { minLength: 4, maxLength: 4 }))
    fc.assert(
      fc.property(fc.array(inst, { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 255 }), fc.integer(), (is, bg, seed) => {
        const incls = is.map(([b, , , o]) => rasterizer(perturb(conservativeQuad(b, w, h), o), freeChoice(seed)))
        for (let j = 0; j < h; j++)
          for (let i = 0; i < w; i++) {
            const [cx, cy] = [centre(i), centre(j)]
            const rule = (k: number) => roundedRectCovers(is[k]![1], is[k]![0], cx, cy)
            const idx = is.map((_, k) => k)
            const gpu = paintPixel(bg, (k) => is[k]![2], (k) => incls[k]!(cx, cy) && rule(k), idx)
            const ref = paintPixel(bg, (k) => is[k]![2], rule, idx)
            expect(byteDiff(gpu, ref)).toBeLessThanOrEqual(rasterBoundLevels)
          }
      }),
      { numRuns: 600 },
    )
  })
})

describe("Raster: the clamp, the casts and the whole-pixel theorem", () => {
  // @lean Hydrogen.Render.Raster.clampUnits_le
  it("clampUnits_le: v ≤ t and −16 ≤ t give clampUnits v n ≤ t", () => {
    fc.assert(
      fc.property(fracArb, fracArb, fc.nat({ max: 300 }), (v, t, n) => {
        if (le(v, t) && le(ofInt(-16), t)) expect(le(clampUnits(v, n), t)).toBe(true)
      }),
      { numRuns: 5000 },
    )
  })

  // @lean Hydrogen.Render.Raster.le_clampUnits
  it("le_clampUnits: t ≤ v and t ≤ 16n + 16 give t ≤ clampUnits v n", () => {
    fc.assert(
      fc.property(fracArb, fracArb, fc.nat({ max: 300 }), (v, t, n) => {
        if (le(t, v) && le(t, ofInt(16 * n + 16))) expect(le(t, clampUnits(v, n))).toBe(true)
      }),
      { numRuns: 5000 },
    )
  })

  // @lean Hydrogen.Render.Raster.int_le_cast
  it("int_le_cast: a ≤ b between integers stays a ≤ b as rationals", () => {
    fc.assert(fc.property(fc.bigInt(), fc.bigInt(), (a, b) => {
      if (a <= b) expect(le(frac(a, 1n), frac(b, 1n))).toBe(true)
    }))
  })

  // @lean Hydrogen.Render.Raster.int_lt_cast
  it("int_lt_cast: a < b between integers gives a + 1 ≤ b as rationals", () => {
    fc.assert(fc.property(fc.bigInt(), fc.bigInt(), (a, b) => {
      if (a < b) expect(le(add(frac(a, 1n), ONE), frac(b, 1n))).toBe(true)
    }))
  })

  // @lean Hydrogen.Render.Raster.gpu_reference_sound
  it("gpu_reference_sound: rules within their boxes, quads within gpuQuadDelta, rasterizers following them: every pixel's byte differs from the reference's by ≤ compose gpuReferencePipeline", () => {
    const [w, h] = [10, 10]
    const inst = fc.tuple(boxArb, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 255 }), fc.array(offsetArb(gpuQuadDelta), { minLength: 4, maxLength: 4 }))
    const bound = compose(gpuReferencePipeline)
    fc.assert(
      fc.property(fc.array(inst, { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 255 }), fc.integer(), (is, bg, seed) => {
        const quads = is.map(([b, , , o]) => perturb(conservativeQuad(b, w, h), o))
        const incls = quads.map((q) => rasterizer(q, freeChoice(seed)))
        is.forEach(([b], k) => expect(quadWithin(quads[k]!, conservativeQuad(b, w, h), gpuQuadDelta)).toBe(true))
        for (let j = 0; j < h; j++)
          for (let i = 0; i < w; i++) {
            const [cx, cy] = [centre(i), centre(j)]
            const idx = is.map((_, k) => k)
            const rule = (k: number) => roundedRectCovers(is[k]![1], is[k]![0], cx, cy)
            for (const k of idx) {
              expect(ruleWithinAt((x, y) => roundedRectCovers(is[k]![1], is[k]![0], x, y), is[k]![0], cx, cy)).toBe(true)
              expect(rasterizesAt((x, y) => incls[k]!(Number(x.num / x.den), Number(y.num / y.den)), quads[k]!, ofInt(cx), ofInt(cy))).toBe(true)
            }
            const gpu = paintPixel(bg, (k) => is[k]![2], (k) => incls[k]!(cx, cy) && rule(k), idx)
            const ref = paintPixel(bg, (k) => is[k]![2], rule, idx)
            expect(le(ofInt(byteDiff(gpu, ref)), bound)).toBe(true)
          }
      }),
      { numRuns: 300 },
    )
  })

  it("the pointwise checkers fail where the predicates do: a rule outside its box, a rasterizer dropping an interior point, a store off by one", () => {
    const b: Box = { x0: 0, y0: 0, x1: 16, y1: 16 }
    expect(ruleWithinAt(() => true, b, 40, 8)).toBe(false)
    const q: Quad = { x0: ofInt(0), y0: ofInt(0), x1: ofInt(16), y1: ofInt(16) }
    expect(rasterizesAt(() => false, q, ofInt(8), ofInt(8))).toBe(false)
    expect(rasterizesAt(() => false, q, ofInt(16), ofInt(8))).toBe(true)
    expect(storesUnormAt((v) => storeUnormNearest(v) + 1, levelValue(7))).toBe(false)
    for (let k = 0; k <= 255; k++) expect(storesUnormAt(storeUnormNearest, levelValue(k))).toBe(true)
  })
})

describe("Raster: the shader's float32 corners and colour store", () => {
  // The shader: sx = f32(x0)/16 ∓ 1/2 clamped to [−1, W+1], then sx/W·2 − 1; the
  // viewport maps n back to (n + 1)·W/2. Every step in float32, as on the GPU.
  const gpuCorner = (x: number, hi: boolean, W: number): number => {
    const f = Math.fround
    const sx = Math.min(Math.max(f(f(x) / 16 + (hi ? 0.5 : -0.5)), -1), W + 1)
    const n = f(f(f(sx / W) * 2) - 1)
    return f(f(n + 1) * f(W / 2))
  }

  // @lean Hydrogen.Render.Raster.gpuQuad_error
  it("gpuQuad_error: compose gpuQuadPipeline = 17/256 px, and the float32 corners stay within it (before the snap)", () => {
    expect(compose(gpuQuadPipeline)).toEqual(frac(17n, 256n))
    const floatOnly = compose(gpuQuadPipeline.slice(0, 4))
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 13 }), fc.integer({ min: -(2 ** 18), max: 2 ** 18 }), fc.boolean(), (W, x, hi) => {
        const e = conservativeQuad({ x0: x, y0: 0, x1: x, y1: 0 }, W, 1)
        const exactPx = mul(hi ? e.x1 : e.x0, frac(1n, 16n))
        expect(le(dist(fractionOfNumber(gpuCorner(x, hi, W)), exactPx), floatOnly)).toBe(true)
      }),
      { numRuns: 10_000 },
    )
  })

  // @lean Hydrogen.Render.Raster.gpuQuadDelta_lt_margin
  it("gpuQuadDelta_lt_margin: 17/16 units < 8", () => {
    expect(gpuQuadDelta).toEqual(frac(17n, 16n))
    expect(lt(gpuQuadDelta, marginUnits)).toBe(true)
  })

  // @lean Hydrogen.Render.Raster.unorm_roundtrip
  it("unorm_roundtrip: f32(k)/255 stored to unorm8 is k again, for every byte k", () => {
    for (let k = 0; k <= 255; k++) {
      const v = fractionOfNumber(Math.fround(Math.fround(k) / 255))
      expect(le(dist(v, levelValue(k)), frac(1n, 2n ** 24n))).toBe(true)
      expect(storeUnormNearest(v)).toBe(k)
      // any store within 3/5 of 255·v (StoresUnorm) can only return k: no other byte is that close
      for (let n = Math.max(0, k - 2); n <= Math.min(255, k + 2); n++)
        if (le(dist(ofInt(n), mul(ofInt(255), v)), frac(3n, 5n))) expect(n).toBe(k)
    }
  })

  // @lean Hydrogen.Render.Raster.raster_error_bound
  it("raster_error_bound: compose gpuReferencePipeline = 0 levels", () => {
    expect(rasterBound).toEqual(ofInt(0))
    expect(rasterBoundLevels).toBe(0)
    expect(gpuReferencePipeline).toHaveLength(7)
    expect(sub(compose(gpuReferencePipeline), rasterBound)).toEqual(ofInt(0))
  })
})

// Replays gen/vectors/render-raster.json (kernel-checked in gen/lean/Hydrogen/Vectors/RenderRaster.lean).
describe("Raster: vectors (Lean-kernel-checked) replayed against src/Render/Raster.ts", () => {
  interface V { readonly family: string; readonly input: any; readonly expected: any }
  const parsed = JSON.parse(readFileSync(new URL("../../gen/vectors/render-raster.json", import.meta.url), "utf8")) as { count: number; vectors: V[] }
  const of = (fam: string) => parsed.vectors.filter((v) => v.family === fam)
  const q = (s: string): Fraction => {
    const [n, d] = s.split("/")
    return frac(BigInt(n!), BigInt(d ?? "1"))
  }

  // @lean Hydrogen.Render.Raster.roundedRectCovers
  // @lean Hydrogen.Render.Raster.paintPixel
  // @lean Hydrogen.Render.Raster.conservativeQuad
  // @lean Hydrogen.Render.Raster.rasterEps
  it(`render raster vectors: all ${parsed.vectors.length} replay (roundedRectCovers, paintPixel/byteDiff, conservativeQuad, rasterEps)`, () => {
    expect(parsed.vectors.length).toBe(parsed.count)
    expect(of("Raster.roundedRectCovers").length).toBeGreaterThanOrEqual(40)
    for (const v of of("Raster.roundedRectCovers"))
      expect(roundedRectCovers(v.input.p, v.input.box, v.input.cx, v.input.cy), JSON.stringify(v.input)).toBe(v.expected)
    for (const v of of("Raster.paintPixel")) {
      const paint = paintPixel(v.input.bg, (p: any) => p.byte, (p: any) => p.covers, v.input.paints)
      expect({ paint, byteDiff: byteDiff(paint, v.input.other) }, JSON.stringify(v.input)).toEqual(v.expected)
    }
    for (const v of of("Raster.conservativeQuad")) {
      const e = conservativeQuad(v.input.box, v.input.w, v.input.h)
      expect([e.x0, e.y0, e.x1, e.y1].every((c, k) => eq(c, q([v.expected.x0, v.expected.y0, v.expected.x1, v.expected.y1][k]!))), JSON.stringify(v.input)).toBe(true)
    }
    for (const v of of("Raster.rasterEps")) expect(eq(rasterEps(q(v.input.delta)), q(v.expected)), v.input.delta).toBe(true)
    expect(of("Raster.paintPixel").length + of("Raster.conservativeQuad").length + of("Raster.rasterEps").length + of("Raster.roundedRectCovers").length).toBe(parsed.vectors.length)
  })
})
