/**
 * Benchmark: layout by components versus one global Cassowary system, on the
 * same seeded data (issue 10, Bench "Layout").
 *
 *   node bench/layout.bench.ts [--viewports 10000] [--global-budget 60] [--workers N]
 *
 * Each viewport has 50 variables and 100 constraints: 5 roots kept in a
 * [lo, hi] box with a weak wish (3 constraints each), 45 required equalities
 * hanging the other variables off them, and 40 required inequalities inside a
 * tree with slack (true at the optimum). For 10^2, 10^3, 10^4 viewports it
 * times, once each:
 *
 *   global      ONE kiwi Solver with every constraint, added in order; it stops
 *               at --global-budget seconds (default 60): the time spent then
 *               is a lower bound on the full solve, and the cost per
 *               constraint of the last tenth added, times the constraints
 *               left, gives an extrapolation (marked as such)
 *   serial      one kiwi Solver per component on this thread (`solveDecomposed`,
 *               including finding the components)
 *   parallel    the same on worker threads plus this one (`LayoutPool`), packing and posting included
 *
 * and prints ns per constraint, the ratios global/serial and global/parallel,
 * and the growth of each from one size to the next (×10 data). The workers
 * and the JIT are warmed on a 200-viewport scene first. The exit code is
 * non-zero only if the answers differ (beyond 1e-6 relative; the global
 * answer is compared only where it finished). Timings are reported, never
 * asserted.
 */
import { availableParallelism } from "node:os"
import * as Result from "effect/Result"
import { LayoutPool } from "../src/Layout/Parallel.ts"
import * as kiwi from "@lume/kiwi"
import { type LinearConstraint, solveDecomposed } from "../src/Layout/Solve.ts"

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name)
  const v = i < 0 ? dflt : Number(process.argv[i + 1])
  if (!Number.isSafeInteger(v) || v < 0) { console.error(`${name} expects a non-negative integer`); process.exit(2) }
  return v
}
const maxViewports = arg("--viewports", 10_000)
const budgetNs = arg("--global-budget", 60) * 1e9
const workers = arg("--workers", Math.max(1, availableParallelism() - 1)) // this thread solves a share too

const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const PER = 50
const scene = (viewports: number, seed = 10): Array<LinearConstraint> => {
  const r = rng(seed)
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1))
  const cs: Array<LinearConstraint> = []
  const push = (c: Omit<LinearConstraint, "id">) => cs.push({ ...c, id: cs.length })
  for (let vp = 0; vp < viewports; vp++) {
    const base = vp * PER
    const x: Array<number> = [], root: Array<number> = []
    for (let i = 0; i < PER; i++) {
      if (i % 10 === 0) {
        const lo = int(0, 500), hi = lo + int(0, 500), t = int(-200, 1200)
        x.push(Math.min(hi, Math.max(lo, t))); root.push(i)
        push({ vars: [base + i], coefs: [1], op: "ge", rhs: lo, strength: "required" })
        push({ vars: [base + i], coefs: [1], op: "le", rhs: hi, strength: "required" })
        push({ vars: [base + i], coefs: [1], op: "eq", rhs: t, strength: "weak" })
      } else {
        const p = i - 1 - int(0, (i % 10) - 1), d = int(-40, 40)
        x.push(x[p]! + d); root.push(root[p]!)
        push({ vars: [base + i, base + p], coefs: [1, -1], op: "eq", rhs: d, strength: "required" })
      }
    }
    for (let k = 0; k < 40; k++) {
      const t = int(0, 4) * 10, i = t + int(0, 9), j = t + int(0, 9)
      push({ vars: [base + i, base + j], coefs: [1, -1], op: "le", rhs: x[i]! - x[j]! + int(0, 5), strength: "required" })
    }
  }
  return cs
}

const ops = { le: kiwi.Operator.Le, ge: kiwi.Operator.Ge, eq: kiwi.Operator.Eq } as const
const strengths = { required: kiwi.Strength.required, strong: kiwi.Strength.strong, medium: kiwi.Strength.medium, weak: kiwi.Strength.weak } as const

/** One global kiwi system, built like `Solve.kiwiSolve`, stopping at the budget. */
const globalSolve = (cs: ReadonlyArray<LinearConstraint>) => {
  const t0 = process.hrtime.bigint()
  const elapsed = () => Number(process.hrtime.bigint() - t0)
  const solver = new kiwi.Solver()
  const vars = new Map<number, kiwi.Variable>()
  const checkpoints: Array<number> = [0] // elapsed ns after every 256 constraints
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!
    let e = new kiwi.Expression(-c.rhs)
    for (let j = 0; j < c.vars.length; j++) {
      let x = vars.get(c.vars[j]!)
      if (x === undefined) { x = new kiwi.Variable(); vars.set(c.vars[j]!, x) }
      e = e.plus(new kiwi.Expression([c.coefs[j]!, x]))
    }
    solver.addConstraint(new kiwi.Constraint(e, ops[c.op], 0, strengths[c.strength]))
    if (((i + 1) & 255) === 0) {
      const ns = elapsed()
      checkpoints.push(ns)
      if (ns > budgetNs) {
        const k = checkpoints.length - 1, from = Math.floor(k * 0.9)
        return { done: false, added: i + 1, ns, vars, marginal: (ns - checkpoints[from]!) / ((k - from) * 256) }
      }
    }
  }
  solver.updateVariables()
  return { done: true, added: cs.length, ns: elapsed(), vars, marginal: NaN }
}

const time = <A>(f: () => A): [A, number] => { const t = process.hrtime.bigint(); const a = f(); return [a, Number(process.hrtime.bigint() - t)] }
const timeAsync = async <A>(f: () => Promise<A>): Promise<[A, number]> => { const t = process.hrtime.bigint(); const a = await f(); return [a, Number(process.hrtime.bigint() - t)] }

const fmt = (x: number, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d })
const pad = (s: string, n: number) => s.padStart(n)

console.log(`layout bench: ${PER} variables and 100 constraints per viewport, seed 10, node ${process.version}, ${workers} worker threads + this one, ${availableParallelism()} CPUs`)
console.log(`${pad("viewports", 9)} | ${pad("constraints", 11)} | ${pad("components", 10)} | ${pad("serial ns/c", 11)} | ${pad("parallel ns/c", 13)} | ${pad("global ns/c", 13)} | ${pad("global/serial", 13)} | ${pad("global/parallel", 15)} | ${pad("global: done / marginal ns/c at stop / extrapolated ns/c", 58)} | same`)
const pool = new LayoutPool(workers)
// warm the JIT and the workers (module loading, JIT) on a 200-viewport scene of another seed, so they do not compete with the timed runs
const warm = scene(200, 1)
solveDecomposed(warm)
await pool.solve(warm)
let bad = false
const prev: Record<string, { t: number; lower: boolean }> = {}
const growth: Array<string> = []
for (let v = 100; v <= maxViewports; v *= 10) {
  const cs = scene(v)
  const n = cs.length
  const [ser, tSer] = time(() => solveDecomposed(cs))
  const [par, tPar] = await timeAsync(() => pool.solve(cs))
  if (Result.isFailure(ser) || Result.isFailure(par)) { console.error("unexpected unsatisfiable scene"); process.exit(1) }
  let same = Array.from(par.success.values).every((x, i) => x === ser.success.values[i] || (Number.isNaN(x) && Number.isNaN(ser.success.values[i]!)))
  const g = globalSolve(cs)
  if (g.done) {
    for (const [id, x] of g.vars) {
      const y = ser.success.values[id]!
      if (!(Math.abs(x.value() - y) <= 1e-6 * (1 + Math.abs(y)))) same = false
    }
  }
  bad ||= !same
  const ge = g.done ? "" : "≥ "
  const extrapolated = g.done ? g.ns : g.ns + g.marginal * (n - g.added)
  const note = g.done ? "done" : `stopped at ${fmt(g.added)} (${fmt((100 * g.added) / n, 1)}%) / ${fmt(g.marginal)} / ~${fmt(extrapolated / n)}`
  console.log(`${pad(fmt(v), 9)} | ${pad(fmt(n), 11)} | ${pad(fmt(ser.success.components.count), 10)} | ${pad(fmt(tSer / n), 11)} | ${pad(fmt(tPar / n), 13)} | ${pad(ge + fmt(g.ns / n), 13)} | ${pad(ge + fmt(g.ns / tSer, 1) + "×", 13)} | ${pad(ge + fmt(g.ns / tPar, 1) + "×", 15)} | ${pad(note, 58)} | ${same ? "yes" : "NO"}`)
  for (const [k, t, lower] of [["global", g.ns, !g.done], ["serial", tSer, false], ["parallel", tPar, false]] as const) {
    const p = prev[k]
    if (p !== undefined) growth.push(`${k} ${fmt(v / 10)}→${fmt(v)}: time ×${p.lower ? "?" : (lower ? "≥ " : "") + fmt(t / p.t, 1)}`)
    prev[k] = { t, lower }
  }
}
await pool.close()
console.log("growth (data ×10 each step): " + (growth.length > 0 ? growth.join("; ") : "-"))
process.exit(bad ? 1 : 0)
