/**
 * The worker side of `LayoutPool`: solves each packed component with its own
 * kiwi solver and answers with `[variable, value]` pairs and the conflicts.
 *
 * @module
 */
import { parentPort } from "node:worker_threads"
import { decode } from "./Parallel.ts"
import { type Conflict, solveComponent } from "./Solve.ts"

parentPort?.on("message", (buf: Float64Array) => {
  const pairs: Array<number> = []
  const conflicts: Array<Conflict> = []
  const write = (id: number, x: number) => { pairs.push(id, x) }
  for (const { component, constraints } of decode(buf)) {
    const c = solveComponent(constraints, component, write)
    if (c !== undefined) conflicts.push(c)
  }
  const out = Float64Array.from(pairs)
  parentPort!.postMessage({ pairs: out, conflicts }, [out.buffer as ArrayBuffer])
})
