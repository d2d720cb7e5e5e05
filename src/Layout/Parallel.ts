/**
 * Components solved in parallel on worker threads. Each worker holds its own
 * kiwi solvers; a request is a contiguous run of components, packed into one
 * transferred `Float64Array` (no per-constraint structured clone), and the
 * answer is `[variable, value]` pairs plus the conflicts found. The
 * decomposition theorem is what makes the split sound: no constraint crosses
 * two components, so the workers never need each other's variables.
 *
 * @module
 */
import { Worker } from "node:worker_threads"
import * as Result from "effect/Result"
import type { Components } from "./Decompose.ts"
import { type Conflict, type LayoutError, type Layout, type LinearConstraint, type Op, type StrengthName, LayoutUnsatisfiable, prepare, solveComponent, solveDecomposed } from "./Solve.ts"

const opCode: Record<Op, number> = { le: 0, ge: 1, eq: 2 }
const opOf: ReadonlyArray<Op> = ["le", "ge", "eq"]
const strengthCode: Record<StrengthName, number> = { required: 0, strong: 1, medium: 2, weak: 3 }
const strengthOf: ReadonlyArray<StrengthName> = ["required", "strong", "medium", "weak"]

/** Packs components `from..to-1`: `[count, (component, n, (id, op, strength, rhs, k, (var, coef)×k)×n)×count]`. */
export const encode = (cs: ReadonlyArray<LinearConstraint>, comps: Components, from: number, to: number): Float64Array => {
  let size = 1
  for (let k = from; k < to; k++) {
    size += 2
    for (const i of comps.constraints[k]!) size += 5 + 2 * cs[i]!.vars.length
  }
  const out = new Float64Array(size)
  let p = 0
  out[p++] = to - from
  for (let k = from; k < to; k++) {
    const idx = comps.constraints[k]!
    out[p++] = k
    out[p++] = idx.length
    for (const i of idx) {
      const c = cs[i]!
      out[p++] = c.id; out[p++] = opCode[c.op]; out[p++] = strengthCode[c.strength]; out[p++] = c.rhs; out[p++] = c.vars.length
      for (let j = 0; j < c.vars.length; j++) { out[p++] = c.vars[j]!; out[p++] = c.coefs[j]! }
    }
  }
  return out
}

/** Unpacks what `encode` packed: each component's index and constraints. */
export const decode = (buf: Float64Array): Array<{ component: number; constraints: Array<LinearConstraint> }> => {
  let p = 0
  const count = buf[p++]!
  const out: Array<{ component: number; constraints: Array<LinearConstraint> }> = []
  for (let k = 0; k < count; k++) {
    const component = buf[p++]!
    const n = buf[p++]!
    const constraints: Array<LinearConstraint> = []
    for (let i = 0; i < n; i++) {
      const id = buf[p++]!, op = opOf[buf[p++]!]!, strength = strengthOf[buf[p++]!]!, rhs = buf[p++]!, m = buf[p++]!
      const vars: Array<number> = [], coefs: Array<number> = []
      for (let j = 0; j < m; j++) { vars.push(buf[p++]!); coefs.push(buf[p++]!) }
      constraints.push({ id, vars, coefs, op, rhs, strength })
    }
    out.push({ component, constraints })
  }
  return out
}

/** A worker's answer. */
export interface Reply {
  readonly pairs: Float64Array
  readonly conflicts: ReadonlyArray<Conflict>
}

const workerUrl = new URL(import.meta.url.endsWith(".ts") ? "./SolveWorker.ts" : "./SolveWorker.js", import.meta.url)

/** A fixed set of solver threads; `close` when done. */
export class LayoutPool {
  readonly size: number
  /** Below this many components `solve` stays on the calling thread: posting costs more than it saves. */
  readonly minComponents: number
  private readonly workers: ReadonlyArray<Worker>

  constructor(size: number, minComponents = 64) {
    this.size = size
    this.minComponents = minComponents
    this.workers = Array.from({ length: size }, () => new Worker(workerUrl))
  }

  private ask(w: Worker, buf: Float64Array): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const onMessage = (r: Reply) => { w.off("error", onError); resolve(r) }
      const onError = (e: Error) => { w.off("message", onMessage); reject(e) }
      w.once("message", onMessage)
      w.once("error", onError)
      w.postMessage(buf, [buf.buffer as ArrayBuffer])
    })
  }

  /**
   * Solves like `solveDecomposed`: the components are cut into `size + 1` runs
   * of about equal constraint count; the workers take one run each and this
   * thread solves the first meanwhile (it would otherwise only wait).
   */
  async solve(cs: ReadonlyArray<LinearConstraint>): Promise<Result.Result<Layout, LayoutError>> {
    const p = prepare(cs)
    if (Result.isFailure(p)) return Result.fail(p.failure)
    const { comps, values } = p.success
    if (comps.count < this.minComponents || this.size === 0) return solveDecomposed(cs)
    const parts = this.size + 1
    const cuts = [0]
    let acc = 0
    for (let k = 0; k < comps.count && cuts.length < parts; k++) {
      acc += comps.constraints[k]!.length
      if (acc >= (cs.length / parts) * cuts.length) cuts.push(k + 1)
    }
    if (cuts[cuts.length - 1] !== comps.count) cuts.push(comps.count)
    const asked = cuts.slice(2).map((to, i) => this.ask(this.workers[i]!, encode(cs, comps, cuts[i + 1]!, to)))
    const conflicts: Array<Conflict> = []
    const write = (id: number, x: number) => { values[id] = x }
    for (let k = 0; k < cuts[1]!; k++) {
      const c = solveComponent(comps.constraints[k]!.map((i) => cs[i]!), k, write)
      if (c !== undefined) conflicts.push(c)
    }
    for (const r of await Promise.all(asked)) {
      for (let j = 0; j < r.pairs.length; j += 2) values[r.pairs[j]!] = r.pairs[j + 1]!
      conflicts.push(...r.conflicts)
    }
    conflicts.sort((a, b) => a.component - b.component)
    return conflicts.length > 0 ? Result.fail(new LayoutUnsatisfiable({ conflicts })) : Result.succeed({ values, components: comps })
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()))
  }
}
