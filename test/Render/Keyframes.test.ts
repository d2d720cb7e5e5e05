import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { frac, le, lt, mul, ofInt } from "../../src/Render/Error.ts"
import {
  allTimeBound,
  amortizedBudget,
  decodeConfig,
  driftBound,
  driftPerFrameBound,
  driftsWithKeyframesUnits,
  type FrameReport,
  type KeyframeConfig,
  KeyframeConfigError,
  keyframeAt,
  KeyframeLate,
  makeScheduler,
  maxAbsDiff,
  recomputeOnKeyframeWork,
  regionAt,
  regionCells,
  renderTruth,
  SCALE,
  surfaceAt,
  units,
} from "../../src/Render/Keyframes.ts"

// The drift is measured against a full recompute of every frame (renderTruth).
// The per-frame drift w is measured too: the largest change of the surface
// between two consecutive frames at any point of the keyframe's region. The
// Lean theorems (lean/Hydrogen/Render/Error.lean) then say what the shown
// frames may drift; nothing here is taken from the scheduler's own output.

const surfaceArb = (maxTau: number, maxOctaves: number) =>
  fc.record({
    seed: fc.integer({ min: 0, max: 0xffffffff }),
    octaves: fc.integer({ min: 1, max: maxOctaves }),
    baseFreq: fc.double({ min: 0.02, max: 1, noNaN: true }),
    lacunarity: fc.double({ min: 1, max: 3, noNaN: true }),
    gain: fc.double({ min: 0.3, max: 1, noNaN: true }),
    tau: fc.double({ min: 0, max: maxTau, noNaN: true }),
  })

const configArb = (o: { maxN: number; maxD: number; maxTau: number; maxOctaves: number; maxW: number; maxH: number }) =>
  fc.record({
    width: fc.integer({ min: 1, max: o.maxW }),
    height: fc.integer({ min: 1, max: o.maxH }),
    interval: fc.integer({ min: 1, max: o.maxN }),
    dx: fc.integer({ min: -o.maxD, max: o.maxD }),
    dy: fc.integer({ min: -o.maxD, max: o.maxD }),
    surface: surfaceArb(o.maxTau, o.maxOctaves),
  })

const smallConfig = configArb({ maxN: 12, maxD: 2, maxTau: 0.05, maxOctaves: 4, maxW: 8, maxH: 6 })

interface Run {
  readonly reports: ReadonlyArray<FrameReport>
  /** Shown frame vs full recompute, per frame. */
  readonly shownDrift: ReadonlyArray<number>
  /** The keyframe's whole region vs the surface over it at the same frame, per frame. */
  readonly regionDrift: ReadonlyArray<number>
  /** Largest one-frame change of the surface over a region within one interval. */
  readonly w: number
  /** Largest one-frame change from the last frame of an interval to the next keyframe's frame. */
  readonly wSwap: number
}

/** Runs `frames` frames; measures the drifts and w from independent full recomputes. */
const run = (c: KeyframeConfig, frames: number): Run => {
  const s = makeScheduler(c)
  const reports: FrameReport[] = []
  const shownDrift: number[] = []
  const regionDrift: number[] = []
  let w = 0
  let wSwap = 0
  let key = keyframeAt(c, 0)
  let prev = key
  for (let f = 0; f < frames; f++) {
    const r = s.frame()
    if (Result.isFailure(r)) throw new Error(`unexpected ${r.failure.message}`)
    reports.push(r.success)
    shownDrift.push(maxAbsDiff(renderTruth(c, f), s.display))
    const k = f - (f % c.interval)
    if (k === f) key = keyframeAt(c, k)
    if (k === f && f > 0) wSwap = Math.max(wSwap, maxAbsDiff(regionAt(c, k - c.interval, f), prev))
    const here = regionAt(c, k, f)
    if (k !== f) w = Math.max(w, maxAbsDiff(here, prev))
    regionDrift.push(maxAbsDiff(here, key))
    prev = here
  }
  return { reports, shownDrift, regionDrift, w, wSwap }
}

describe("Hydrogen.Render keyframes: drift against a full recompute", () => {
  // @lean Hydrogen.Render.drift_le_mul
  it("drift_le_mul: t frames after its keyframe the shown frame is within t·w of the full recompute", () => {
    fc.assert(
      fc.property(smallConfig, fc.integer({ min: 1, max: 30 }), (c, extra) => {
        const { shownDrift, regionDrift, w } = run(c, 2 * c.interval + extra)
        // w is bounded by the surface's time-Lipschitz constant (1.5·tau, + 1 for rounding).
        expect(w).toBeLessThanOrEqual(driftPerFrameBound(c.surface))
        shownDrift.forEach((d, f) => {
          const t = f % c.interval
          // The hypotheses per interval: err 0 = 0, err (t+1) ≤ err t + w …
          if (t === 0) expect(regionDrift[f]).toBe(0)
          else expect(regionDrift[f]!).toBeLessThanOrEqual(regionDrift[f - 1]! + w)
          // … and the conclusion, for the region and for the view inside it.
          expect(regionDrift[f]!).toBeLessThanOrEqual(t * w)
          expect(d).toBeLessThanOrEqual(regionDrift[f]!)
        })
      }),
      { numRuns: 30 },
    )
  })

  // @lean Hydrogen.Render.error_le_keyframeError
  it("error_le_keyframeError: the drifts satisfy DriftsWithKeyframes N w, so frame f is within (f mod N)·w", () => {
    fc.assert(
      fc.property(smallConfig, fc.integer({ min: 1, max: 30 }), (c, extra) => {
        const { shownDrift, regionDrift, w } = run(c, 3 * c.interval + extra)
        expect(driftsWithKeyframesUnits(c.interval, w, regionDrift)).toBe(true)
        shownDrift.forEach((d, f) => {
          // Exact: d/SCALE ≤ (f mod N)·(w/SCALE), written out here from the Lean definition.
          const bound = mul(ofInt(f % c.interval), frac(BigInt(w), BigInt(SCALE)))
          expect(le(units(d), bound)).toBe(true)
          expect(le(units(d), driftBound(c.interval, w, f))).toBe(true)
        })
      }),
      { numRuns: 25 },
    )
  })

  // tau ≤ 0.006 gives w ≤ ⌊1.5·0.006·2^16 + 1⌋ = 590 < 2^16/100, the theorem's w < 1/100.
  const lowDrift = configArb({ maxN: 60, maxD: 1, maxTau: 0.006, maxOctaves: 3, maxW: 6, maxH: 3 })

  // @lean Hydrogen.Render.error_lt_forever
  it("error_lt_forever: N ≤ 60 and w < 1/100 keep every shown frame's drift below 3/5", () => {
    fc.assert(
      fc.property(lowDrift, fc.integer({ min: 1, max: 20 }), (c0, extra) => {
        const c = { ...c0, dy: 0 }
        const { shownDrift, regionDrift, w } = run(c, 2 * c.interval + extra)
        expect(lt(units(w), frac(1n, 100n))).toBe(true)
        expect(driftsWithKeyframesUnits(c.interval, w, regionDrift)).toBe(true)
        for (const d of shownDrift) expect(lt(units(d), frac(3n, 5n))).toBe(true)
      }),
      { numRuns: 12 },
    )
  })

  // @lean Hydrogen.Render.amortized_diffusion_quality
  it("amortized_diffusion_quality: the seed's N = 60, w < 1/100 gives N·w < 3/5, and 200 measured frames stay below it", () => {
    const c: KeyframeConfig = {
      width: 16,
      height: 8,
      interval: 60,
      dx: 1,
      dy: 0,
      surface: { seed: 2026, octaves: 6, baseFreq: 0.07, lacunarity: 2, gain: 0.5, tau: 1 / 256 },
    }
    const { shownDrift, regionDrift, w } = run(c, 200)
    expect(lt(units(w), frac(1n, 100n))).toBe(true)
    expect(lt(allTimeBound(60, w), frac(3n, 5n))).toBe(true)
    expect(driftsWithKeyframesUnits(60, w, regionDrift)).toBe(true)
    const worst = Math.max(...shownDrift)
    expect(worst).toBeGreaterThan(0) // the surface really moves: the bound is not vacuous
    expect(lt(units(worst), allTimeBound(60, w))).toBe(true)
  })
})

describe("Hydrogen.Render keyframes: the double-buffered schedule", () => {
  it("every frame's work is within the amortized budget, and each interval computes exactly one keyframe", () => {
    fc.assert(
      fc.property(smallConfig, fc.integer({ min: 1, max: 20 }), (c, extra) => {
        const s = makeScheduler(c)
        const budget = amortizedBudget(c)
        const cells = regionCells(c)
        expect(budget.samples).toBe(Math.ceil(cells / c.interval) * c.surface.octaves)
        let intervalSamples = 0
        for (let f = 0; f < 3 * c.interval + extra; f++) {
          const r = Result.getOrThrow(s.frame())
          expect(r.samples).toBeLessThanOrEqual(budget.samples)
          expect(r.copies).toBe(c.width * c.height)
          intervalSamples += r.samples
          if (f % c.interval === c.interval - 1) {
            expect(intervalSamples).toBe(cells * c.surface.octaves)
            intervalSamples = 0
          }
        }
        // Recomputing on the keyframe frame instead costs the whole keyframe in one frame.
        expect(recomputeOnKeyframeWork(c).samples).toBe(cells * c.surface.octaves)
        expect(recomputeOnKeyframeWork(c).samples).toBeGreaterThanOrEqual(budget.samples)
      }),
      { numRuns: 60 },
    )
  })

  it("the schedule completes each keyframe before it is needed and swaps it in exactly at its frame", () => {
    fc.assert(
      fc.property(smallConfig, fc.integer({ min: 1, max: 20 }), (c, extra) => {
        const s = makeScheduler(c)
        for (let f = 0; f < 3 * c.interval + extra; f++) {
          const r = Result.getOrThrow(s.frame())
          expect(r.swapped).toBe(f > 0 && f % c.interval === 0)
          expect(r.backTime).toBe(f - (f % c.interval) + c.interval)
          if (f % c.interval === c.interval - 1) expect(r.backFilled).toBe(s.cells)
        }
      }),
      { numRuns: 60 },
    )
  })

  it("the double buffer never shows a half-built keyframe: every shown pixel is its keyframe's surface, recomputed", () => {
    fc.assert(
      fc.property(smallConfig, fc.integer({ min: 1, max: 20 }), (c, extra) => {
        const s = makeScheduler(c)
        for (let f = 0; f < 2 * c.interval + extra; f++) {
          const r = Result.getOrThrow(s.frame())
          const k = f - (f % c.interval)
          expect(r.keyTime).toBe(k)
          expect(r.frontFilled).toBe(s.cells)
          // Pixel (px, py) of frame f shows world (px + f·dx, py + f·dy) as it was at frame k.
          for (let py = 0; py < c.height; py++)
            for (let px = 0; px < c.width; px++)
              expect(s.display[py * c.width + px]).toBe(surfaceAt(c.surface, px + f * c.dx, py + f * c.dy, k))
        }
      }),
      { numRuns: 30 },
    )
  })

  it("each world point holds still between keyframes and jumps by at most (N−1)·w + one frame's change at a swap (keyframe jank, bounded)", () => {
    fc.assert(
      fc.property(smallConfig, fc.integer({ min: 1, max: 12 }), (c, extra) => {
        const { w, wSwap } = run(c, 2 * c.interval + extra)
        // The jump is the drift just before the swap plus the surface's change over that frame.
        expect(wSwap).toBeLessThanOrEqual(driftPerFrameBound(c.surface))
        const s = makeScheduler(c)
        let prev = Int32Array.from(s.display)
        for (let f = 0; f < 2 * c.interval + extra; f++) {
          Result.getOrThrow(s.frame())
          if (f > 0) {
            // World point x is view pixel p at frame f and p + (dx, dy) at frame f − 1.
            let jump = 0
            for (let py = 0; py < c.height; py++)
              for (let px = 0; px < c.width; px++) {
                const qx = px + c.dx
                const qy = py + c.dy
                if (qx < 0 || qy < 0 || qx >= c.width || qy >= c.height) continue
                jump = Math.max(jump, Math.abs(s.display[py * c.width + px]! - prev[qy * c.width + qx]!))
              }
            if (f % c.interval !== 0) expect(jump).toBe(0)
            else expect(jump).toBeLessThanOrEqual((c.interval - 1) * w + wSwap)
          }
          prev = Int32Array.from(s.display)
        }
      }),
      { numRuns: 30 },
    )
  })

  it("a plain swap is not smooth: at frame N some world point's shown value jumps (the seed's 'swap smoothly', refuted)", () => {
    const c: KeyframeConfig = {
      width: 12,
      height: 6,
      interval: 60,
      dx: 0,
      dy: 0,
      surface: { seed: 77, octaves: 4, baseFreq: 0.1, lacunarity: 2, gain: 0.5, tau: 1 / 256 },
    }
    const s = makeScheduler(c)
    for (let f = 0; f < 60; f++) Result.getOrThrow(s.frame())
    const before = Int32Array.from(s.display) // frame 59: keyframe 0 warped (no scroll: unchanged)
    expect(Array.from(before)).toEqual(Array.from(renderTruth(c, 0)))
    Result.getOrThrow(s.frame()) // frame 60: keyframe 60
    expect(Array.from(s.display)).toEqual(Array.from(renderTruth(c, 60)))
    expect(maxAbsDiff(s.display, before)).toBeGreaterThan(0)
  })

  it("a slice below ⌈cells/N⌉ is late: KeyframeLate names the frame and the filled cells, and nothing changes", () => {
    const base: KeyframeConfig = {
      width: 5,
      height: 4,
      interval: 6,
      dx: 1,
      dy: 1,
      surface: { seed: 9, octaves: 2, baseFreq: 0.2, lacunarity: 2, gain: 0.5, tau: 0.01 },
    }
    const cells = regionCells(base) // (5 + 5)·(4 + 5) = 90, so ⌈90/6⌉ = 15
    expect(cells).toBe(90)
    const s = makeScheduler({ ...base, sliceCells: 14 })
    for (let f = 0; f < 6; f++) Result.getOrThrow(s.frame())
    const shown = Int32Array.from(s.display)
    for (let again = 0; again < 2; again++) {
      const r = s.frame()
      expect(Result.isFailure(r)).toBe(true)
      if (Result.isFailure(r)) {
        expect(r.failure).toBeInstanceOf(KeyframeLate)
        expect(r.failure).toMatchObject({ frame: 6, keyTime: 6, filled: 84, cells: 90 })
        expect(r.failure.message).toContain("frame 6")
      }
      expect(Array.from(s.display)).toEqual(Array.from(shown))
    }
    const ok = makeScheduler({ ...base, sliceCells: 15 })
    for (let f = 0; f < 13; f++) expect(Result.isSuccess(ok.frame())).toBe(true)
  })
})

describe("Hydrogen.Render keyframes: configuration decoding", () => {
  const good = {
    width: 8,
    height: 6,
    interval: 10,
    dx: 1,
    dy: -2,
    surface: { seed: 1, octaves: 4, baseFreq: 0.1, lacunarity: 2, gain: 0.5, tau: 0.01 },
  }
  const fieldOf = (input: unknown): string | undefined => {
    const r = decodeConfig(input)
    if (Result.isSuccess(r)) return undefined
    expect(r.failure).toBeInstanceOf(KeyframeConfigError)
    return r.failure.field
  }

  it("valid configurations decode to themselves", () => {
    fc.assert(
      fc.property(smallConfig, fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }), (c, slice) => {
        const input = slice === undefined ? c : { ...c, sliceCells: slice }
        expect(Result.getOrThrow(decodeConfig(input))).toEqual(input)
      }),
      { numRuns: 100 },
    )
  })

  it("bad input is a KeyframeConfigError naming the field", () => {
    expect(fieldOf(null)).toBe("config")
    expect(fieldOf({ ...good, surface: 3 })).toBe("surface")
    expect(fieldOf({ ...good, width: 0 })).toBe("width")
    expect(fieldOf({ ...good, height: 2.5 })).toBe("height")
    expect(fieldOf({ ...good, interval: "60" })).toBe("interval")
    expect(fieldOf({ ...good, dx: 65 })).toBe("dx")
    expect(fieldOf({ ...good, sliceCells: 0 })).toBe("sliceCells")
    expect(fieldOf({ ...good, surface: { ...good.surface, octaves: 0 } })).toBe("surface.octaves")
    expect(fieldOf({ ...good, surface: { ...good.surface, tau: Number.NaN } })).toBe("surface.tau")
    expect(fieldOf({ ...good, surface: { ...good.surface, seed: -1 } })).toBe("surface.seed")
    expect(fieldOf({ ...good, width: 4096, height: 4096, interval: 2, dx: 64 })).toBe("region")
    const r = decodeConfig({ ...good, surface: { ...good.surface, baseFreq: 0 } })
    expect(Result.isFailure(r) && r.failure.message).toBe("keyframes: surface.baseFreq must be a number in (0, 1], got 0")
  })
})
