/**
 * Benchmark: `aggregateKaryTyped` (k-ary tree aggregation over a Float64Array)
 * versus a plain array-of-objects `reduce`, for sum / min / max / count.
 *
 *   node bench/aggregate.bench.ts [--leaves N] [--k K]
 *
 * Defaults: 10^7 leaves, k = 1000. Same seeded data for both, one warm-up run
 * then one timed run each. Exits non-zero only if the two results differ;
 * timings are reported, never asserted.
 */
import { aggregateKaryTyped, type TypedOp } from "../src/Aggregate/Tree.ts"

const argValue = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name)
  if (i < 0) return dflt
  const v = Number(process.argv[i + 1])
  if (!Number.isSafeInteger(v) || v < 0) {
    console.error(`${name} expects a non-negative integer, got ${process.argv[i + 1]}`)
    process.exit(2)
  }
  return v
}

const n = argValue("--leaves", 10_000_000)
const k = argValue("--k", 1000)

// Seeded data (mulberry32): natural numbers below 10^6, valid for all four ops
// (counts are naturals) and summing exactly (< 2^53).
let seed = 0x9e3779b9
const rand = (): number => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const typed = new Float64Array(n)
const objects: Array<{ value: number }> = new Array(n)
for (let i = 0; i < n; i++) {
  const v = Math.floor(rand() * 1_000_000)
  typed[i] = v
  objects[i] = { value: v }
}

const reducers: Record<TypedOp, () => number> = {
  sum: () => objects.reduce((acc, o) => acc + o.value, 0),
  count: () => objects.reduce((acc, o) => acc + o.value, 0),
  min: () => objects.reduce((acc, o) => Math.min(acc, o.value), Number.POSITIVE_INFINITY),
  max: () => objects.reduce((acc, o) => Math.max(acc, o.value), Number.NEGATIVE_INFINITY),
}

/** Best of `REPEATS` timed runs after one warm-up, so one GC pause does not decide a ratio. */
const REPEATS = 5
const time = (f: () => number): { result: number; ms: number } => {
  let result = f() // warm-up
  let best = Number.POSITIVE_INFINITY
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now()
    result = f()
    best = Math.min(best, performance.now() - t0)
  }
  return { result, ms: best }
}

const rate = (ms: number): string => (ms > 0 ? `${(n / (ms / 1000)).toExponential(3)} leaves/s` : "n/a")

console.log(`aggregate bench: ${n} leaves, k = ${k}, best of ${REPEATS} runs each, node ${process.version}`)
let mismatch = false
for (const op of ["sum", "min", "max", "count"] as const) {
  const fast = time(() => aggregateKaryTyped(op, k, typed))
  const base = time(reducers[op])
  const same = Object.is(fast.result, base.result)
  if (!same) mismatch = true
  console.log(
    `${op.padEnd(5)} typed ${fast.ms.toFixed(1).padStart(8)} ms  ${rate(fast.ms)} | ` +
      `reduce ${base.ms.toFixed(1).padStart(8)} ms  ${rate(base.ms)} | ` +
      `speedup ${(base.ms / fast.ms).toFixed(2)}x | result ${fast.result}${same ? "" : ` MISMATCH (reduce: ${base.result})`}`,
  )
}
if (mismatch) {
  console.error("results differ")
  process.exit(1)
}
