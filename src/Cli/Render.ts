/**
 * `hydrogen render`: builds the draw commands of a seeded scene and checks
 * them against what is proved about them.
 *
 * The scene: `viewports` viewports of `elements` valid Wire Elements each
 * (kinds, sizes, atoms and colours from a seeded mulberry32 stream). Positions
 * are drawn as exact px values (float64, `|x| ≤ 2^14`) and colour channels as
 * reals in `[0, 1]`; the real stages of `src/Render/Graded.ts` turn them into
 * the Elements' fixed-point `x`, `y` (`quantizePositions`), the float32 the GPU
 * gets (`positionsToGpu`) and 8-bit RGBA (`quantizeColors`). Each viewport's
 * Elements are put in `ElementColumns` and culled and batched by
 * `buildDraws` (src/Render/Commands.ts) against a view rectangle.
 *
 * Reported: culled and visible Elements, instances per atom kind, draw calls
 * against `Hydrogen.Render.draw_calls_bounded` (≤ numKinds per viewport),
 * instance bytes, and the graded error: the proved bounds (`compose` of the
 * stages each batch went through: 33/1024 px, 1/510) against the largest
 * error measured exactly (`measureMaxError`, BigInt fractions, after a
 * float pre-filter that provably keeps the worst value: `maxErrorExact`) over every
 * position and colour channel of the scene.
 *
 * Exit codes: 0 every check holds, 1 a check failed, 2 bad arguments.
 */
import { writeFileSync } from "node:fs"
import { Effect } from "effect"
import * as Result from "effect/Result"
import { allocColumns } from "../Wire/Codec.ts"
import { frameOfDraws } from "../Gpu/Frame.ts"
import { encodePng, renderReference } from "../Gpu/Reference.ts"
import { allocDrawBuffers, buildDraws, drawCallsOfBuffers, type DrawBuffers, INSTANCE_BYTES, numKinds, type View } from "../Render/Commands.ts"
import { type Fraction, le, max, show, ZERO } from "../Render/Error.ts"
import { colorValue, decimal, errorBound, exact, maxErrorExact, measureMaxError, positionsToGpu, quantizeColors, quantizePositions } from "../Render/Graded.ts"
import type { Io } from "./Flags.ts"
import type { Outcome } from "./Invoke.ts"
import { mulberry32 } from "./Plan.ts"
import type { RenderArgs } from "./RenderOptions.ts"

export { parseRenderArgs, type RenderArgs } from "./RenderOptions.ts"

/** A viewport's content: positions in `[-64, 1984)` × `[-64, 1144)` px. */
export const sceneWidth = 1920
export const sceneHeight = 1080
const margin = 64

/** The `render` handler: exit 0, 1 if a check failed (or the computation threw). */
export const runRender = (io: Io, outcome: Outcome) => (a: RenderArgs) =>
  Effect.sync(() => {
    try {
      outcome.code = runRenderCommand(a, io)
    } catch (e) {
      io.err(`hydrogen render: ${e instanceof Error ? e.message : String(e)}\n`)
      outcome.code = 1
    }
  })

// ---------------------------------------------------------------------------
// Compute

export const kindNames: ReadonlyArray<string> = ["rect", "text", "image", "path"]
export const drawCallsTheorem = "Hydrogen.Render.draw_calls_bounded"
export const positionTheorem = "Hydrogen.Render.position_error_bound"

export interface ErrorCheck {
  /** The proved bound: `compose` of the stages the values went through. */
  readonly bound: Fraction
  /** The largest exact error over every value of the scene. */
  readonly measured: Fraction
  readonly values: number
}

/** The measured error is at most the proved bound (exact comparison). */
export const withinBound = (c: ErrorCheck): boolean => le(c.measured, c.bound)

export interface RenderReport {
  readonly args: RenderArgs
  readonly elements: number
  readonly culled: number
  readonly visible: number
  /** Instances per atom kind (rect, text, image, path), summed over viewports. */
  readonly instancesPerKind: ReadonlyArray<number>
  readonly drawCalls: number
  readonly maxDrawCallsPerViewport: number
  /** Viewports whose draw calls are ≤ numKinds. */
  readonly viewportsWithinBound: number
  readonly instanceBytes: number
  readonly position: ErrorCheck
  readonly color: ErrorCheck
}

const identity = (o: number): number => o
const level = (k: number): number => k / 255

/**
 * Generates the seeded scene viewport by viewport (columns and draw buffers
 * allocated once, reused), builds its draws and measures its graded error.
 * `visit` sees each viewport's draw buffers before the next overwrites them.
 * Throws only on a `buildDraws` input error, which a generated scene never has.
 */
export const computeRender = (
  args: RenderArgs,
  visit?: (viewport: number, view: View, draws: DrawBuffers) => void,
): RenderReport => {
  const n = args.elements
  const rand = mulberry32(args.seed)
  const cols = allocColumns(n)
  const bufs = allocDrawBuffers(n)
  const px = new Float64Array(2 * n) // x0, y0, x1, y1, ... exact positions (px)
  const channels = new Float64Array(4 * n) // r, g, b, a per Element, in [0, 1]
  const perKind = [0, 0, 0, 0]
  let visible = 0
  let drawCalls = 0
  let maxDraws = 0
  let within = 0
  let posBound: Fraction = ZERO
  let posWorst: Fraction = ZERO
  let colBound: Fraction = ZERO
  let colWorst: Fraction = ZERO
  for (let v = 0; v < args.viewports; v++) {
    for (let i = 0; i < n; i++) {
      px[2 * i] = rand() * (sceneWidth + 2 * margin) - margin
      px[2 * i + 1] = rand() * (sceneHeight + 2 * margin) - margin
      for (let c = 0; c < 4; c++) channels[4 * i + c] = rand()
    }
    const fixed = quantizePositions(exact(px))
    const gpu = positionsToGpu(fixed)
    const levels = quantizeColors(exact(channels))
    for (let i = 0; i < n; i++) {
      const k = Math.floor(rand() * numKinds)
      const w = 1 + Math.floor(rand() * 64)
      const h = 1 + Math.floor(rand() * 64)
      const p = Math.floor(rand() * 0x10000)
      cols.kind[i] = k
      // rect radius, text font · size<<16 (size 8..71), image source, path stroke (1..16)
      cols.payload[i] = k === 0 ? p % 17 : k === 1 ? ((p & 3) | ((8 + (p % 64)) << 16)) >>> 0 : k === 2 ? p : 1 + (p % 16)
      cols.z[i] = i
      cols.viewport[i] = v
      cols.x[i] = fixed.values[2 * i]!
      cols.y[i] = fixed.values[2 * i + 1]!
      cols.width[i] = w
      cols.height[i] = h
      const l = levels.values
      cols.color[i] = ((l[4 * i]! << 24) | (l[4 * i + 1]! << 16) | (l[4 * i + 2]! << 8) | l[4 * i + 3]!) >>> 0
    }
    const view: View = { viewport: v, left: 0, top: 0, right: 16 * args.view.width, bottom: 16 * args.view.height }
    const r = buildDraws(view, cols, bufs)
    if (Result.isFailure(r)) throw r.failure
    const b = r.success
    visit?.(v, view, b)
    for (let k = 0; k < numKinds; k++) {
      perKind[k]! += b.counts[k]!
      visible += b.counts[k]!
    }
    const d = drawCallsOfBuffers(b)
    drawCalls += d
    if (d > maxDraws) maxDraws = d
    if (d <= numKinds) within++
    posBound = errorBound(gpu)
    colBound = errorBound(levels)
    posWorst = max(posWorst, maxErrorExact(px, gpu.values, identity))
    colWorst = max(colWorst, maxErrorExact(channels, levels.values, level, colorValue))
  }
  if (args.viewports === 0 || n === 0) {
    posBound = errorBound(positionsToGpu(quantizePositions(exact(new Float64Array(0)))))
    colBound = errorBound(quantizeColors(exact(new Float64Array(0))))
  }
  const elements = args.viewports * n
  return {
    args,
    elements,
    culled: elements - visible,
    visible,
    instancesPerKind: perKind,
    drawCalls,
    maxDrawCallsPerViewport: maxDraws,
    viewportsWithinBound: within,
    instanceBytes: visible * INSTANCE_BYTES,
    position: { bound: posBound, measured: posWorst, values: 2 * elements },
    color: { bound: colBound, measured: colWorst, values: 4 * elements },
  }
}

/** Every check holds: each viewport's draw calls ≤ numKinds, both measured errors ≤ their bounds. */
export const renderOk = (r: RenderReport): boolean =>
  r.viewportsWithinBound === r.args.viewports && withinBound(r.position) && withinBound(r.color)

// ---------------------------------------------------------------------------
// Format

const fmt = (x: number): string => x.toLocaleString("en-US")

const verdict = (c: ErrorCheck): string => (withinBound(c) ? "within the proved bound" : "EXCEEDS the proved bound")

/** The report as text. */
export const formatRender = (r: RenderReport): string => {
  const a = r.args
  const kinds = kindNames.map((name, k) => `${name} ${fmt(r.instancesPerKind[k]!)}`).join(", ")
  const lines = [
    `Render of a seeded scene (seed ${a.seed}): ${fmt(a.viewports)} viewports × ${fmt(a.elements)} Elements, ` +
      `view [0, ${a.view.width}) × [0, ${a.view.height}) px of each ${sceneWidth}×${sceneHeight} viewport`,
    `  elements:            ${fmt(r.elements)}`,
    `  culled:              ${fmt(r.culled)}`,
    `  visible:             ${fmt(r.visible)}`,
    `  instances per kind:  ${kinds}`,
    `  draw calls:          ${fmt(r.drawCalls)} in all, at most ${r.maxDrawCallsPerViewport} per viewport`,
    `  instance bytes:      ${fmt(r.instanceBytes)} (${INSTANCE_BYTES}-byte records)`,
    `  draw-call bound:     ≤ ${numKinds} per viewport (atom kinds)  [${drawCallsTheorem}]`,
    `    ${fmt(r.viewportsWithinBound)} of ${fmt(a.viewports)} viewports within it: ${r.viewportsWithinBound === a.viewports ? "holds" : "FAILS"}`,
    `Graded error (exact rationals)`,
    `  position (px → 1/16 px fixed point → float32), bound ${show(r.position.bound)} = ${decimal(r.position.bound)} px  [${positionTheorem}]`,
    `    measured max over ${fmt(r.position.values)} coordinates: ${show(r.position.measured)} = ${decimal(r.position.measured)} px, ${verdict(r.position)}`,
    `  colour (channel in [0, 1] → 8 bits), bound ${show(r.color.bound)} = ${decimal(r.color.bound)}`,
    `    measured max over ${fmt(r.color.values)} channels: ${show(r.color.measured)} = ${decimal(r.color.measured)}, ${verdict(r.color)}`,
  ]
  return lines.join("\n") + "\n"
}

const errorJson = (c: ErrorCheck) => ({
  bound: show(c.bound),
  boundDecimal: decimal(c.bound),
  measured: show(c.measured),
  measuredDecimal: decimal(c.measured),
  values: c.values,
  within: withinBound(c),
})

/** The report as JSON-ready data (fractions as "num/den" strings). */
export const renderToJson = (r: RenderReport) => ({
  seed: r.args.seed,
  viewports: r.args.viewports,
  elementsPerViewport: r.args.elements,
  view: r.args.view,
  elements: r.elements,
  culled: r.culled,
  visible: r.visible,
  instancesPerKind: Object.fromEntries(kindNames.map((name, k) => [name, r.instancesPerKind[k]!])),
  drawCalls: {
    total: r.drawCalls,
    maxPerViewport: r.maxDrawCallsPerViewport,
    boundPerViewport: numKinds,
    theorem: drawCallsTheorem,
    viewportsWithinBound: r.viewportsWithinBound,
    holds: r.viewportsWithinBound === r.args.viewports,
  },
  instanceBytes: r.instanceBytes,
  instanceRecordBytes: INSTANCE_BYTES,
  positionError: { theorem: positionTheorem, unit: "px", ...errorJson(r.position) },
  colorError: errorJson(r.color),
  ok: renderOk(r),
})

/** What `--out` wrote: viewport 0's frame as PNG. */
export interface PngWritten {
  readonly path: string
  readonly width: number
  readonly height: number
  readonly instances: number
  readonly drawCalls: number
}

/**
 * Runs `render`: prints the report (text or JSON); with `--out`, first writes
 * viewport 0's frame as drawn by the CPU reference renderer. 0 when every
 * check holds, else 1 (also when the PNG cannot be written).
 */
export const runRenderCommand = (
  args: RenderArgs,
  io: Io,
  compute: (a: RenderArgs, visit?: (viewport: number, view: View, draws: DrawBuffers) => void) => RenderReport = computeRender,
): number => {
  let png: Uint8Array | undefined
  let written: PngWritten | undefined
  const r = compute(args, (v, view, b) => {
    if (args.out === undefined || v !== 0) return
    const frame = frameOfDraws(view, b, args.view.width, args.view.height)
    png = encodePng(renderReference(frame))
    const instances = frame.counts.reduce((a, c) => a + c, 0)
    written = { path: args.out, width: frame.width, height: frame.height, instances, drawCalls: drawCallsOfBuffers(b) }
  })
  if (args.out !== undefined) {
    try {
      if (png === undefined || written === undefined) throw new Error("no viewport 0 was rendered")
      writeFileSync(args.out, png)
    } catch (e) {
      io.err(`hydrogen render: cannot write --out ${args.out}: ${e instanceof Error ? e.message : String(e)}\n`)
      return 1
    }
  }
  const w = written
  io.out(
    args.json
      ? JSON.stringify(w === undefined ? renderToJson(r) : { ...renderToJson(r), png: w }, null, 2) + "\n"
      : formatRender(r) +
          (w === undefined
            ? ""
            : `Wrote ${w.path}: viewport 0, ${w.width}×${w.height} px, ${fmt(w.instances)} instances in ${w.drawCalls} draw calls (CPU reference renderer, src/Gpu/Reference.ts)\n`),
  )
  if (renderOk(r)) return 0
  io.err(`hydrogen render: a check failed (draw calls over the bound or a measured error EXCEEDS the proved bound)\n`)
  return 1
}
