/**
 * Benchmark: the GPU runtime (issue 11) in headless Chromium, WebGPU on
 * SwiftShader (this machine has no GPU).
 *
 *   node bench/gpu.bench.ts [--sizes 10000,100000] [--reps R] [--width W --height H]
 *                           [--live PNG [--agents N] [--rounds R]]
 *
 * For each instance count N: one seeded frame of N visible instances (all four
 * kinds, 1–8 px, z in −3..3) in a W×H framebuffer (default 1280×720), drawn
 * on the same page by
 *   - naive (`perElement`): one draw per Element (`draw(4, 1, 0, i)`);
 *   - instanced: one instanced draw per non-empty kind, the records as
 *     per-instance vertex attributes (the command stream as is);
 *   - pulled: one draw per non-empty kind of 6 vertices per record, the same
 *     records read as a storage buffer (no instancing).
 * First one frame of each mode, read back and compared with the CPU reference
 * renderer's image (differing pixels, largest byte difference; this is also
 * the warm-up). Then R rounds, each drawing the frame once in every mode in
 * turn (interleaved, so the machine's load falls on all modes alike). Frame
 * time: encode + submit until `onSubmittedWorkDone`; each call re-sends the
 * frame, so every mode's timed frame includes the same 24 B/record upload.
 * Reported: the median of the R frames, all R frames, and per round the ratio
 * naive ÷ this (the same round's frames). Draw calls of each, against the
 * proved count (distinct kinds, `drawCalls_eq_length_usedKinds`). The load
 * average (`os.loadavg`) before and after each size is printed, and the
 * browser's CPU time per call (`browserCpuMs`), which the load does not
 * inflate. The
 * reference renderer is timed too (ns per pixel and per instance).
 *
 * With `--live PNG`: the live view (src/Gpu/Live.ts) of a tree of N agents
 * (default 2000) in Chromium for R rounds (default 40): delta sent → pixels on
 * the canvas (p50/p95), frame time, draw calls against the proved count, and
 * a screenshot of the page written to PNG.
 *
 * Timings are reported, never asserted; the pixel comparison exits 1 on a mismatch.
 */
import { readdirSync, readFileSync } from "node:fs"
import { loadavg } from "node:os"
import * as Result from "effect/Result"
import { launchGpu, openChromium } from "../src/Gpu/Browser.ts"
import { startLiveView } from "../src/Gpu/Live.ts"
import type { Frame } from "../src/Gpu/Frame.ts"
import { compareImages, renderReference } from "../src/Gpu/Reference.ts"
import { prng } from "../src/Gpu/Scenes.ts"
import { INSTANCE_WORDS, numKinds } from "../src/Render/Commands.ts"

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name)
  return i < 0 ? dflt : (process.argv[i + 1] ?? dflt)
}
const sizes = arg("--sizes", "10000,100000").split(",").map(Number)
const reps = Number(arg("--reps", "5"))
const width = Number(arg("--width", "1280"))
const height = Number(arg("--height", "720"))

/** N visible instances, kinds round-robin, positions inside the view (1/16 px). */
const benchFrame = (n: number, seed: number): Frame => {
  const r = prng(seed)
  const per = Array.from({ length: numKinds }, (_, k) => Math.floor(n / numKinds) + (k < n % numKinds ? 1 : 0))
  const instances = per.map((count, k) => {
    const buf = new Int32Array(count * INSTANCE_WORDS)
    for (let i = 0; i < count; i++) {
      const w = 1 + Math.floor(r() * 8)
      const h = 1 + Math.floor(r() * 8)
      const o = i * INSTANCE_WORDS
      buf[o] = Math.floor(r() * 16 * (width - w))
      buf[o + 1] = Math.floor(r() * 16 * (height - h))
      buf[o + 2] = w | (h << 16)
      buf[o + 3] = Math.floor(r() * 0x100000000) | 0
      buf[o + 4] = k === 0 ? Math.floor(r() * 4) : k === 3 ? 1 : Math.floor(r() * 0x10000)
      buf[o + 5] = Math.floor(r() * 7) - 3
    }
    return buf
  })
  return { width, height, left: 0, top: 0, counts: per, instances }
}

/**
 * CPU time (user + system, ms) of this process's descendants — Chromium's
 * processes, SwiftShader's threads included — from /proc (10 ms ticks). Unlike
 * wall time it does not grow with other jobs' load; it also counts the page's
 * per-call decode and upload, the same for every mode.
 */
const browserCpuMs = (): number => {
  const parent = new Map<number, number>()
  const cpu = new Map<number, number>()
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8")
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      parent.set(Number(d), Number(f[1]))
      cpu.set(Number(d), (Number(f[11]) + Number(f[12])) * 10)
    } catch {
      // the process ended while we read
    }
  }
  const mine = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === process.pid) return true
    return false
  }
  let ms = 0
  for (const [pid, t] of cpu) if (mine(pid)) ms += t
  return ms
}

const median = (xs: ReadonlyArray<number>): number => {
  const s = xs.slice().sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}
const f2 = (x: number): string => x.toFixed(2)

const livePath = process.argv.includes("--live") ? arg("--live", "bench/results/gpu-live.png") : undefined

/** The live view: `rounds` rounds of a tree of `agents`, delta → pixel latency on the page, and a screenshot. */
const liveBench = async (path: string, agents: number, rounds: number): Promise<void> => {
  const view = await startLiveView({ agents, width: 960, height: 540, pauseMs: 50 })
  const browser = await openChromium(view.url)
  try {
    const page = browser.page
    type Drawn = { round: number; ms: number; drawCalls: number; proved: number; instances: number; entries: number; latencyMs: number }
    const history = async () => (await page.evaluate("window.live ? window.live.history : []")) as Drawn[]
    const deadline = Date.now() + 120_000
    while ((await history()).length < rounds && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
    await view.pause()
    await new Promise((r) => setTimeout(r, 500))
    const h = await history()
    await page.screenshot({ path })
    const st = view.status()!
    const lat = h.map((d) => d.latencyMs)
    const ft = h.map((d) => d.ms)
    const q = (xs: number[], p: number) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)]!
    console.log(`Live view (hydrogen view): ${agents} agents, branching 8, 960×540 px, ${h.length} rounds drawn; screenshot ${path}`)
    console.log(`  tree: levels ${st.perLevel.join("/")}, last round ${st.round} ${st.exact ? "exact" : "INEXACT"}, update → root aggregate ${f2(st.latencyMs)} ms`)
    console.log(`  delta sent → pixels on the canvas: p50 ${q(lat, 0.5)} ms, p95 ${q(lat, 0.95)} ms (Date.now() on both sides, ms resolution)`)
    console.log(`  frame (draw only): p50 ${f2(q(ft, 0.5))} ms, p95 ${f2(q(ft, 0.95))} ms; delta entries per round: median ${q(h.map((d) => d.entries), 0.5)} of ${agents}`)
    console.log(`  draw calls = proved count in ${h.filter((d) => d.drawCalls === d.proved).length} of ${h.length} rounds; page console errors: ${browser.consoleErrors().length}`)
    if (h.some((d) => d.drawCalls !== d.proved) || browser.consoleErrors().length > 0) failed = true
  } finally {
    await browser.close()
    await view.close()
  }
}

let failed = false
const gpu = await launchGpu()
try {
  console.log(`GPU runtime bench: Chromium WebGPU, adapter "${gpu.adapter}", ${width}×${height} framebuffer, median of ${reps} interleaved rounds after a checked warm-up frame; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`)
  console.log(`${"N".padStart(8)} | mode       | ${"ms/frame".padStart(9)} | ${"draws".padStart(6)} | proved | naive ms ÷ this | pixels vs reference`)
  const refRows: Array<string> = []
  for (const n of sizes) {
    const frame = benchFrame(n, 7 + n)
    const t0 = process.hrtime.bigint()
    const ref = renderReference(frame)
    const refNs = Number(process.hrtime.bigint() - t0)
    refRows.push(`${String(n).padStart(8)} | ${f2(refNs / 1e6).padStart(9)} ms | ${f2(refNs / (width * height)).padStart(6)} ns/pixel | ${f2(refNs / n).padStart(8)} ns/instance`)
    const proved = frame.counts.filter((c) => c > 0).length
    const load0 = loadavg()[0]!
    const modes = ["perElement", "instanced", "pulled"] as const
    const results = modes.map((mode) => ({ mode, ms: [] as Array<number>, cpu: [] as Array<number>, draws: 0, diff: "" }))
    for (const x of results) {
      const r = await gpu.render(frame, { mode: x.mode })
      if (Result.isFailure(r)) throw r.failure
      const d = compareImages(await gpu.readPixels(), ref)
      if (d.differing !== 0 || r.success.errors.length > 0) failed = true
      if (x.mode !== "perElement" && r.success.drawCalls !== proved) failed = true
      x.draws = r.success.drawCalls
      x.diff = `${d.differing} differing, max ${d.maxByteDiff}`
    }
    const baseCpu: Array<number> = []
    for (let round = 0; round < reps; round++) {
      const c0 = browserCpuMs()
      const r = await gpu.render(frame, { mode: "pulled", repeat: 0 }) // the call without its frame: send, decode, upload
      baseCpu.push(browserCpuMs() - c0)
      if (Result.isFailure(r)) throw r.failure
      for (const x of results) {
        const c0 = browserCpuMs()
        const r = await gpu.render(frame, { mode: x.mode })
        x.cpu.push(browserCpuMs() - c0)
        if (Result.isFailure(r)) throw r.failure
        if (r.success.errors.length > 0 || r.success.drawCalls !== x.draws) failed = true
        x.ms.push(r.success.ms[0]!)
      }
    }
    const naive = results[0]!
    for (const x of results)
      console.log(
        `${String(n).padStart(8)} | ${x.mode.padEnd(10)} | ${f2(median(x.ms)).padStart(9)} | ${String(x.draws).padStart(6)} | ${String(proved).padStart(6)} | ${(median(naive.ms) / median(x.ms)).toFixed(1).padStart(14)}× | ${x.diff}`,
      )
    console.log(`${"".padStart(8)} | frames, ms: ${results.map((x) => `${x.mode} ${x.ms.map(f2).join(" ")}`).join("; ")}`)
    console.log(
      `${"".padStart(8)} | per round naive ÷ pulled: ${naive.ms.map((m, i) => (m / results[2]!.ms[i]!).toFixed(1) + "×").join(" ")}; load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`,
    )
    console.log(
      `${"".padStart(8)} | browser CPU ms per call (median): ${results.map((x) => `${x.mode} ${median(x.cpu).toFixed(0)}`).join(", ")}, the call without a frame ${median(baseCpu).toFixed(0)}; naive ÷ pulled ${(median(naive.cpu) / median(results[2]!.cpu)).toFixed(1)}× (${((median(naive.cpu) - median(baseCpu)) / (median(results[2]!.cpu) - median(baseCpu))).toFixed(1)}× net of the call)`,
    )
  }
  console.log(`CPU reference renderer (same frames, one run each):`)
  for (const row of refRows) console.log(row)
  console.log(`Console errors on the page: ${gpu.consoleErrors().length}`)
} finally {
  await gpu.close()
}
if (livePath !== undefined) await liveBench(livePath, Number(arg("--agents", "2000")), Number(arg("--rounds", "40")))
if (failed) {
  console.error("gpu bench: a frame differed from the reference, or draw calls differed from the proved count")
  process.exit(1)
}
