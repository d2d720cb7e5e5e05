/**
 * Benchmark: exact binomial tail (`tail`, BigInt fractions) versus the float64
 * one (`tailFloat`), src/Quorum/Binomial.ts: time per evaluation and the
 * largest relative error of the float64 value against the exact one.
 *
 *   node bench/quorum-tail.bench.ts [--cases N] [--rounds R]
 *
 * Same seeded inputs (p = a/1000 as a double, the exact side evaluated at
 * that double's exact value) for both; the two paths alternate round by
 * round so machine load hits both alike. Timings are reported, never
 * asserted; exits non-zero only if an error exceeds the stated bound.
 */
import { exactOf, tail, tailFloat, tailFloatRelErrorBound } from "../src/Quorum/Binomial.ts"
import { fractionOfNumber } from "../src/Render/Error.ts"

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name)
  if (i < 0) return dflt
  const v = Number(process.argv[i + 1])
  if (!Number.isSafeInteger(v) || v <= 0) {
    console.error(`${name} expects a positive integer, got ${process.argv[i + 1]}`)
    process.exit(2)
  }
  return v
}
const cases = arg("--cases", 100)
const rounds = arg("--rounds", 3)

let seed = 0x2545f491
const rand = (m: number): number => {
  seed = (seed + 0x6d2b79f5) >>> 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return (((t ^ (t >>> 14)) >>> 0) % m)
}

for (const n of [10, 30, 100]) {
  const inputs = Array.from({ length: cases }, () => ({ k: rand(n + 1), p: (1 + rand(999)) / 1000 }))
  const exactIn = inputs.map((x) => ({ k: x.k, p: exactOf(x.p) }))
  let exactMs = 0, floatMs = 0, sink = 0
  for (let r = 0; r < rounds; r++) {
    let t0 = performance.now()
    for (const x of exactIn) sink += Number(tail(n, x.k, x.p).den & 1n)
    exactMs += performance.now() - t0
    t0 = performance.now()
    for (const x of inputs) sink += tailFloat(n, x.k, x.p)
    floatMs += performance.now() - t0
  }
  let worst = 0
  for (let i = 0; i < cases; i++) {
    const e = tail(n, exactIn[i]!.k, exactIn[i]!.p), g = fractionOfNumber(tailFloat(n, inputs[i]!.k, inputs[i]!.p))
    if (e.num === 0n) continue
    const d = g.num * e.den - e.num * g.den
    const rel = Number(((d < 0n ? -d : d) * e.den * 10n ** 30n) / (g.den * e.num * e.den)) / 1e30
    worst = Math.max(worst, rel)
  }
  const evals = cases * rounds
  const us = (ms: number) => ((ms * 1000) / evals).toFixed(2)
  const bound = tailFloatRelErrorBound(n)
  console.log(`n=${String(n).padStart(3)}: exact ${us(exactMs).padStart(9)} µs/eval, float64 ${us(floatMs).padStart(7)} µs/eval, ` +
    `ratio ${(exactMs / floatMs).toFixed(0)}×; largest relative error ${worst.toExponential(2)} (bound ${bound.toExponential(2)}) [${evals} evals each${sink === -1 ? "" : ""}]`)
  if (worst > bound) process.exitCode = 1
}
