/**
 * Amortized keyframes (seed 001 Solution 5, Critique 5), the runtime side of
 * the keyframe bound proved in `lean/Hydrogen/Render/Error.lean`.
 *
 * There is no diffusion model here. The keyframe source is a deterministic,
 * deliberately expensive procedural surface: `octaves` octaves of 3-D value
 * noise (two space axes, one time axis), seeded, quantized to integers
 * `0…SCALE` (value `k` means `k/SCALE`). The scene scrolls by `(dx, dy)` whole
 * pixels per frame and evolves slowly in time (`tau` per frame).
 *
 * - **Truth** (`renderTruth`): the full recompute of frame `t`, every pixel,
 *   every octave. The reference the drift is measured against.
 * - **Keyframe** (`keyframeAt`): the surface at frame `k`, over a region larger
 *   than the view by the scroll of one interval, so a translation of it covers
 *   the view for the next `N − 1` frames.
 * - **Warp** (`warpInto`): frame `t = k + s` shows the keyframe of `k` shifted
 *   by `s·(dx, dy)`: a copy, exact, so its only error is the surface's change
 *   in time since `k` (the drift). The copy does not amplify error (`s = 1`).
 * - **Scheduler** (`makeScheduler`): double buffer. The front keyframe is warped
 *   every frame; the next keyframe (time `k + N`, known in advance because the
 *   surface is deterministic: the seed's "predictive inference") is built in
 *   the back buffer, `sliceCells` cells per frame, and swapped in at frame
 *   `k + N` only if complete. No frame computes more than its slice.
 *
 * Work is counted in units, never timed: one *sample* is one octave of value
 * noise at one cell; one *copy* is one pixel of the warp.
 *
 * Drift bound: `|F(x, t) − F(x, t+1)| ≤ 1.5·tau` for the exact surface (each
 * octave's time derivative is `fade′ · (difference of two planes in [0,1]) ≤
 * 1.5`, and the octaves are averaged), so one frame adds at most
 * `driftPerFrameBound` units after quantization. Telescoping per pixel is
 * Lean's `drift_le_mul`; with resets every `N` frames it is
 * `error_le_keyframeError` and, for `N ≤ 60`, `w < 1/100`, `error_lt_forever`.
 *
 * @module
 */
import { Data } from "effect"
import * as Result from "effect/Result"
import { type Fraction, frac, keyframeError, maxAccumulatedError } from "./Error.ts"

/** Surface values are integers `0…SCALE`; `k` stands for `k/SCALE`. */
export const SCALE = 65536

/** The procedural surface. */
export interface SurfaceParams {
  /** u32 seed of the lattice hash. */
  readonly seed: number
  /** Octaves of value noise, 1…64: the cost of one cell. */
  readonly octaves: number
  /** Lattice cells per pixel of octave 0, in (0, 1]. */
  readonly baseFreq: number
  /** Frequency factor between octaves, in [1, 4]. */
  readonly lacunarity: number
  /** Amplitude factor between octaves, in (0, 1]. */
  readonly gain: number
  /** Time advance per frame (lattice units), in [0, 1]. */
  readonly tau: number
}

/** A keyframed surface seen through a `width × height` view. */
export interface KeyframeConfig {
  readonly width: number
  readonly height: number
  /** `N`: a keyframe every `interval` frames (frame 0 is one). */
  readonly interval: number
  /** Scroll per frame, whole pixels. */
  readonly dx: number
  readonly dy: number
  readonly surface: SurfaceParams
  /** Keyframe cells built per frame; default `⌈cells/N⌉`, the least that finishes in time. */
  readonly sliceCells?: number
}

/** Bad configuration: `field` has `value`, outside what `expected` says. */
export class KeyframeConfigError extends Data.TaggedError("KeyframeConfigError")<{
  readonly field: string
  readonly value: unknown
  readonly expected: string
}> {
  override get message(): string {
    return `keyframes: ${this.field} must be ${this.expected}, got ${String(this.value)}`
  }
}

/** The keyframe due at `frame` was not complete (`filled` of `cells`); nothing was shown or changed. */
export class KeyframeLate extends Data.TaggedError("KeyframeLate")<{
  readonly frame: number
  readonly keyTime: number
  readonly filled: number
  readonly cells: number
}> {
  override get message(): string {
    return `keyframes: keyframe ${this.keyTime} due at frame ${this.frame} has ${this.filled} of ${this.cells} cells`
  }
}

// ---------------------------------------------------------------------------
// Decoding the configuration

type Check = (v: unknown) => boolean
const int = (lo: number, hi: number): Check => (v) => typeof v === "number" && Number.isSafeInteger(v) && v >= lo && v <= hi
const real = (ok: (x: number) => boolean): Check => (v) => typeof v === "number" && Number.isFinite(v) && ok(v)
const MAX_REGION_CELLS = 1 << 24

const field = <A>(o: Record<string, unknown>, path: string, name: string, ok: Check, expected: string): Result.Result<A, KeyframeConfigError> =>
  ok(o[name]) ? Result.succeed(o[name] as A) : Result.fail(new KeyframeConfigError({ field: path + name, value: o[name], expected }))

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/** Decodes a configuration from untrusted input; the error names the first bad field. */
export const decodeConfig = (input: unknown): Result.Result<KeyframeConfig, KeyframeConfigError> =>
  Result.gen(function* () {
    if (!isRecord(input)) return yield* Result.fail(new KeyframeConfigError({ field: "config", value: input, expected: "an object" }))
    const s = input["surface"]
    if (!isRecord(s)) return yield* Result.fail(new KeyframeConfigError({ field: "surface", value: s, expected: "an object" }))
    const surface: SurfaceParams = {
      seed: yield* field<number>(s, "surface.", "seed", int(0, 0xffffffff), "a u32 integer"),
      octaves: yield* field<number>(s, "surface.", "octaves", int(1, 64), "an integer 1…64"),
      baseFreq: yield* field<number>(s, "surface.", "baseFreq", real((x) => x > 0 && x <= 1), "a number in (0, 1]"),
      lacunarity: yield* field<number>(s, "surface.", "lacunarity", real((x) => x >= 1 && x <= 4), "a number in [1, 4]"),
      gain: yield* field<number>(s, "surface.", "gain", real((x) => x > 0 && x <= 1), "a number in (0, 1]"),
      tau: yield* field<number>(s, "surface.", "tau", real((x) => x >= 0 && x <= 1), "a number in [0, 1]"),
    }
    const width = yield* field<number>(input, "", "width", int(1, 4096), "an integer 1…4096")
    const height = yield* field<number>(input, "", "height", int(1, 4096), "an integer 1…4096")
    const interval = yield* field<number>(input, "", "interval", int(1, 3600), "an integer 1…3600")
    const dx = yield* field<number>(input, "", "dx", int(-64, 64), "an integer −64…64")
    const dy = yield* field<number>(input, "", "dy", int(-64, 64), "an integer −64…64")
    const base = { width, height, interval, dx, dy, surface }
    const cells = regionCells(base)
    if (cells > MAX_REGION_CELLS)
      return yield* Result.fail(new KeyframeConfigError({ field: "region", value: cells, expected: `at most ${MAX_REGION_CELLS} cells` }))
    if (input["sliceCells"] === undefined) return base
    const sliceCells = yield* field<number>(input, "", "sliceCells", int(1, MAX_REGION_CELLS), "an integer ≥ 1")
    return { ...base, sliceCells }
  })

// ---------------------------------------------------------------------------
// The surface

/** A lattice value in [0, 1) for octave `o` at integer point `(ix, iy, iz)`. */
const lattice = (seed: number, o: number, ix: number, iy: number, iz: number): number => {
  let h = seed ^ Math.imul(o + 1, 0x27d4eb2d)
  h = Math.imul(h ^ ix, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h ^ iy, 0xc2b2ae35)
  h ^= h >>> 16
  h = Math.imul(h ^ iz, 0x9e3779b1)
  h ^= h >>> 15
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  return (h >>> 0) / 4294967296
}

/** Smoothstep `3t² − 2t³`: its derivative is at most 1.5. */
const fade = (t: number): number => t * t * (3 - 2 * t)
const lerp = (a: number, b: number, t: number): number => a + (b - a) * t

/** Value noise of octave `o` at `(x, y, z)`: trilinear with smoothstep weights, in [0, 1). */
const valueNoise = (seed: number, o: number, x: number, y: number, z: number): number => {
  const ix = Math.floor(x)
  const iy = Math.floor(y)
  const iz = Math.floor(z)
  const u = fade(x - ix)
  const v = fade(y - iy)
  const w = fade(z - iz)
  const p0 = lerp(
    lerp(lattice(seed, o, ix, iy, iz), lattice(seed, o, ix + 1, iy, iz), u),
    lerp(lattice(seed, o, ix, iy + 1, iz), lattice(seed, o, ix + 1, iy + 1, iz), u),
    v,
  )
  const p1 = lerp(
    lerp(lattice(seed, o, ix, iy, iz + 1), lattice(seed, o, ix + 1, iy, iz + 1), u),
    lerp(lattice(seed, o, ix, iy + 1, iz + 1), lattice(seed, o, ix + 1, iy + 1, iz + 1), u),
    v,
  )
  return lerp(p0, p1, w)
}

/**
 * The surface at world pixel `(x, y)` and frame `t`, quantized to `0…SCALE`:
 * the amplitude-weighted mean of the octaves. Costs `octaves` samples.
 */
export const surfaceAt = (p: SurfaceParams, x: number, y: number, t: number): number => {
  let sum = 0
  let norm = 0
  let a = 1
  let f = p.baseFreq
  const z = t * p.tau
  for (let o = 0; o < p.octaves; o++) {
    // Per-octave offsets keep lattice points of different octaves apart.
    sum += a * valueNoise(p.seed, o, x * f + o * 17.31, y * f + o * 5.77, z + o * 0.61)
    norm += a
    a *= p.gain
    f *= p.lacunarity
  }
  return Math.round((sum / norm) * SCALE)
}

/**
 * Largest one-frame change of the quantized surface at any point, in units:
 * `1.5·tau` of the exact surface scaled to `SCALE`, plus 1 for the two roundings
 * (the `1e-6` absorbs float64 error, far below one unit).
 */
export const driftPerFrameBound = (p: SurfaceParams): number => Math.floor(1.5 * p.tau * SCALE + 1 + 1e-6)

// ---------------------------------------------------------------------------
// Regions, truth, keyframes, warps

/** Keyframe region: the view widened by the scroll of `N − 1` frames on each axis. */
export const regionWidth = (c: KeyframeConfig): number => c.width + (c.interval - 1) * Math.abs(c.dx)
export const regionHeight = (c: KeyframeConfig): number => c.height + (c.interval - 1) * Math.abs(c.dy)
export const regionCells = (c: KeyframeConfig): number => regionWidth(c) * regionHeight(c)
/** World offset of a keyframe's cell (0, 0) from the view's origin at its frame. */
const originX = (c: KeyframeConfig): number => Math.min(0, (c.interval - 1) * c.dx)
const originY = (c: KeyframeConfig): number => Math.min(0, (c.interval - 1) * c.dy)

/** The keyframe's time for frame `f`: the last multiple of `N` at or before `f`. */
export const keyTimeOf = (c: KeyframeConfig, f: number): number => f - (f % c.interval)

/** Full recompute of frame `t` into `out` (`width·height`, row-major): view pixel `(px, py)` is world `(px + t·dx, py + t·dy)`. */
export const renderTruth = (c: KeyframeConfig, t: number, out: Int32Array = new Int32Array(c.width * c.height)): Int32Array => {
  for (let py = 0; py < c.height; py++)
    for (let px = 0; px < c.width; px++) out[py * c.width + px] = surfaceAt(c.surface, px + t * c.dx, py + t * c.dy, t)
  return out
}

/** Computes cells `[from, to)` of the region of keyframe `k`, at frame `t`, into `key` (row-major). */
const fillCells = (c: KeyframeConfig, k: number, t: number, key: Int32Array, from: number, to: number): void => {
  const rw = regionWidth(c)
  const x0 = k * c.dx + originX(c)
  const y0 = k * c.dy + originY(c)
  for (let i = from; i < to; i++) key[i] = surfaceAt(c.surface, x0 + (i % rw), y0 + Math.floor(i / rw), t)
}

/**
 * The surface over the region of keyframe `k` at frame `t`: what a warp of
 * the keyframe of `k` would show everywhere if it had no drift. The keyframe
 * itself is `regionAt(c, k, k)`.
 */
export const regionAt = (c: KeyframeConfig, k: number, t: number): Int32Array => {
  const key = new Int32Array(regionCells(c))
  fillCells(c, k, t, key, 0, key.length)
  return key
}

/** The whole keyframe of frame `k` in one go (the reference, and the startup keyframe). */
export const keyframeAt = (c: KeyframeConfig, k: number): Int32Array => regionAt(c, k, k)

/** Frame `k + s` (`0 ≤ s < N`) from the keyframe of `k`: the view shifted by `s·(dx, dy)` into the region. */
export const warpInto = (c: KeyframeConfig, key: Int32Array, s: number, out: Int32Array): Int32Array => {
  const rw = regionWidth(c)
  const ox = s * c.dx - originX(c)
  const oy = s * c.dy - originY(c)
  for (let py = 0; py < c.height; py++) {
    const src = (py + oy) * rw + ox
    out.set(key.subarray(src, src + c.width), py * c.width)
  }
  return out
}

/** Largest `|a[i] − b[i]|` over equal-length arrays (exact: integers). */
export const maxAbsDiff = (a: Int32Array, b: Int32Array): number => {
  let m = 0
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!)
    if (d > m) m = d
  }
  return m
}

// ---------------------------------------------------------------------------
// The proved bound, instantiated in surface units

/** `u` surface units as the exact fraction `u/SCALE`. */
export const units = (u: number): Fraction => frac(BigInt(u), BigInt(SCALE))

/**
 * The proved drift bound at frame `f` with interval `N` and per-frame drift
 * `w` units: `(f mod N)·w/SCALE`.
 *
 * @lean Hydrogen.Render.keyframeError
 */
export const driftBound = (N: number, w: number, f: number): Fraction => keyframeError(N, units(w), f)

/**
 * The seed's `maxAccumulatedError` in surface units: `N·w/SCALE`.
 *
 * @lean Hydrogen.Render.maxAccumulatedError
 */
export const allTimeBound = (N: number, w: number): Fraction => maxAccumulatedError(N, units(w))

/**
 * Lean's `DriftsWithKeyframes N w err` on integer drifts `errs[0…]`: zero
 * when `f mod N = 0`, and at most `w` above the previous frame otherwise.
 *
 * @lean Hydrogen.Render.DriftsWithKeyframes
 */
export const driftsWithKeyframesUnits = (N: number, w: number, errs: ReadonlyArray<number>): boolean =>
  errs.every((e, f) => (f % N === 0 ? e === 0 : e <= errs[f - 1]! + w))

// ---------------------------------------------------------------------------
// The scheduler

/** Work of one frame: noise samples (keyframe slice) and pixel copies (warp). */
export interface Work {
  readonly samples: number
  readonly copies: number
}

export interface FrameReport extends Work {
  readonly frame: number
  /** The frame of the keyframe the shown frame was warped from. */
  readonly keyTime: number
  /** Cells of the shown (front) keyframe computed: always all of them. */
  readonly frontFilled: number
  /** The back keyframe's frame and its cells computed after this frame. */
  readonly backTime: number
  readonly backFilled: number
  readonly swapped: boolean
}

export interface Scheduler {
  readonly config: KeyframeConfig
  readonly cells: number
  readonly sliceCells: number
  /** Samples spent before frame 0 on the first keyframe. */
  readonly startupSamples: number
  /** The shown frame (`width·height`), rewritten by each `frame()`. */
  readonly display: Int32Array
  /** Renders the next frame (0, 1, …): swap if due, one slice of the back keyframe, the warp. */
  readonly frame: () => Result.Result<FrameReport, KeyframeLate>
}

/** The default slice: the fewest cells per frame that finish a keyframe in `N` frames. */
export const defaultSlice = (c: KeyframeConfig): number => Math.ceil(regionCells(c) / c.interval)

/** Per-frame budget of the amortized schedule: one slice of samples and one warp. */
export const amortizedBudget = (c: KeyframeConfig): Work => ({
  samples: Math.min(c.sliceCells ?? defaultSlice(c), regionCells(c)) * c.surface.octaves,
  copies: c.width * c.height,
})

/** The largest frame of the unamortized schedule: the whole keyframe on keyframe frames, plus the warp. */
export const recomputeOnKeyframeWork = (c: KeyframeConfig): Work => ({
  samples: regionCells(c) * c.surface.octaves,
  copies: c.width * c.height,
})

/** A full recompute of every frame (the truth): every view pixel, every octave. */
export const fullRecomputeWork = (c: KeyframeConfig): Work => ({ samples: c.width * c.height * c.surface.octaves, copies: 0 })

/** A double-buffered scheduler; frame 0's keyframe is built at startup. */
export const makeScheduler = (c: KeyframeConfig): Scheduler => {
  const N = c.interval
  const cells = regionCells(c)
  const slice = c.sliceCells ?? defaultSlice(c)
  const o = c.surface.octaves
  interface Buf {
    key: Int32Array
    time: number
    filled: number
  }
  let front: Buf = { key: keyframeAt(c, 0), time: 0, filled: cells }
  let back: Buf = { key: new Int32Array(cells), time: N, filled: 0 }
  const display = new Int32Array(c.width * c.height)
  let next = 0
  const frame = (): Result.Result<FrameReport, KeyframeLate> => {
    const f = next
    let swapped = false
    if (f > 0 && f % N === 0) {
      // Never show a half-built keyframe: a late one is an error, and nothing changes.
      if (back.filled < cells) return Result.fail(new KeyframeLate({ frame: f, keyTime: back.time, filled: back.filled, cells }))
      const old = front
      front = back
      back = { key: old.key, time: f + N, filled: 0 }
      swapped = true
    }
    const n = Math.min(slice, cells - back.filled)
    fillCells(c, back.time, back.time, back.key, back.filled, back.filled + n)
    back.filled += n
    warpInto(c, front.key, f - front.time, display)
    next = f + 1
    return Result.succeed({
      frame: f,
      keyTime: front.time,
      frontFilled: front.filled,
      backTime: back.time,
      backFilled: back.filled,
      swapped,
      samples: n * o,
      copies: c.width * c.height,
    })
  }
  return { config: c, cells, sliceCells: slice, startupSamples: cells * o, display, frame }
}
