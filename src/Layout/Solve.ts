/**
 * Layout solving with a real Cassowary solver (`@lume/kiwi`), one solver per
 * connected component of the constraint graph (`Decompose.ts`), optionally on
 * worker threads.
 *
 * `Hydrogen.Layout.layout_decomposable` says that a **local** solver (its
 * answer for a variable depends only on the constraints of that variable's
 * component) gives the same answer on the whole system as per component.
 * Cassowary's answer is unique when the required and weighted constraints pin
 * every variable; where several optima tie, the simplex pivots of one global
 * tableau may pick a different optimum than per-component tableaux do, so kiwi
 * is local only on systems with a unique optimum. The tests compare the two on
 * such systems, within the solver's float tolerance.
 *
 * Unsatisfiable REQUIRED constraints are a `LayoutUnsatisfiable` error naming,
 * for every unsatisfiable component, an irreducible conflicting set of
 * constraint ids (drop any one and the rest are satisfiable);
 * `satisfiable_iff_blocks` is why naming components loses nothing.
 *
 * @module
 */
import { Data } from "effect"
import * as Result from "effect/Result"
import * as kiwi from "@lume/kiwi"
import type { TriggerEvent } from "../Viewport/Trigger.ts"
import { checkReads, components, InvalidConstraint, type Components, type Reads } from "./Decompose.ts"

export type Op = "le" | "ge" | "eq"
export type StrengthName = "required" | "strong" | "medium" | "weak"

/** `Σ coefs[i] · x[vars[i]]  op  rhs` with a Cassowary strength. */
export interface LinearConstraint extends Reads {
  readonly coefs: ReadonlyArray<number>
  readonly op: Op
  readonly rhs: number
  readonly strength: StrengthName
}

/** One unsatisfiable component and an irreducible set of its required constraints that conflict. */
export interface Conflict {
  readonly component: number
  readonly constraints: ReadonlyArray<number>
}

/** Some components' required constraints cannot all hold. */
export class LayoutUnsatisfiable extends Data.TaggedError("LayoutUnsatisfiable")<{
  readonly conflicts: ReadonlyArray<Conflict>
}> {
  override get message(): string {
    return `unsatisfiable layout: ${this.conflicts.map((c) => `component ${c.component} (constraints ${c.constraints.join(", ")})`).join("; ")}`
  }
}

export type LayoutError = InvalidConstraint | LayoutUnsatisfiable

/** A solved layout: each variable's value (`NaN` where no constraint reads it) and the components. */
export interface Layout {
  readonly values: Float64Array
  readonly components: Components
}

const ops = { le: kiwi.Operator.Le, ge: kiwi.Operator.Ge, eq: kiwi.Operator.Eq } as const
const strengths = { required: kiwi.Strength.required, strong: kiwi.Strength.strong, medium: kiwi.Strength.medium, weak: kiwi.Strength.weak } as const

/** Checks the input beyond `checkReads`: one finite coefficient per variable, a finite rhs, a known op and strength. */
export const check = (cs: ReadonlyArray<LinearConstraint>): Result.Result<void, InvalidConstraint> => {
  const r = checkReads(cs)
  if (Result.isFailure(r)) return r
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!
    const bad = (field: string, reason: string) => Result.fail(new InvalidConstraint({ index: i, id: c.id, field, reason }))
    if (c.coefs.length !== c.vars.length) return bad("coefs", `has ${c.coefs.length} entries for ${c.vars.length} variables`)
    if (!c.coefs.every(Number.isFinite)) return bad("coefs", "has a non-finite entry")
    if (!Number.isFinite(c.rhs)) return bad("rhs", "is not finite")
    if (!(c.op in ops)) return bad("op", `is ${String(c.op)}, not le, ge or eq`)
    if (!(c.strength in strengths)) return bad("strength", `is ${String(c.strength)}, not required, strong, medium or weak`)
  }
  return Result.succeed(undefined)
}

/** `c` holds under `a` within `tol` (the mirror of `Constraint.holds` for linear constraints). */
export const holds = (c: LinearConstraint, a: (v: number) => number, tol = 0): boolean => {
  let lhs = 0
  for (let j = 0; j < c.vars.length; j++) lhs += c.coefs[j]! * a(c.vars[j]!)
  return c.op === "le" ? lhs <= c.rhs + tol : c.op === "ge" ? lhs >= c.rhs - tol : Math.abs(lhs - c.rhs) <= tol
}

/** Adds `cs` to ONE fresh kiwi solver (the global baseline when `cs` is everything); the index of the first required constraint kiwi rejects, or the solved variables. */
export const kiwiSolve = (cs: ReadonlyArray<LinearConstraint>): { readonly failed: number; readonly vars: Map<number, kiwi.Variable> } => {
  const solver = new kiwi.Solver()
  const vars = new Map<number, kiwi.Variable>()
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!
    let e = new kiwi.Expression(-c.rhs)
    for (let j = 0; j < c.vars.length; j++) {
      const id = c.vars[j]!
      let x = vars.get(id)
      if (x === undefined) { x = new kiwi.Variable(); vars.set(id, x) }
      e = e.plus(new kiwi.Expression([c.coefs[j]!, x]))
    }
    try {
      solver.addConstraint(new kiwi.Constraint(e, ops[c.op], 0, strengths[c.strength]))
    } catch {
      // kiwi throws only for a required constraint it cannot satisfy
      return { failed: i, vars }
    }
  }
  solver.updateVariables()
  return { failed: -1, vars }
}

const feasible = (cs: ReadonlyArray<LinearConstraint>): boolean => kiwiSolve(cs).failed < 0

/**
 * An irreducible infeasible subset of the required constraints of an
 * infeasible system (deletion filter: drop each constraint whose removal
 * keeps the rest infeasible). Only runs on the error path.
 */
export const conflictSet = (cs: ReadonlyArray<LinearConstraint>): Array<LinearConstraint> => {
  const failed = kiwiSolve(cs).failed
  if (failed < 0) return []
  let set = cs.slice(0, failed + 1).filter((c) => c.strength === "required")
  for (let i = set.length - 1; i >= 0; i--) {
    const without = set.filter((_, j) => j !== i)
    if (!feasible(without)) set = without
  }
  return set
}

/** Solves one component: hands each of its variables' values to `write`, or returns its conflict. */
export const solveComponent = (cs: ReadonlyArray<LinearConstraint>, component: number, write: (id: number, value: number) => void): Conflict | undefined => {
  const { failed, vars } = kiwiSolve(cs)
  if (failed >= 0) return { component, constraints: conflictSet(cs).map((c) => c.id) }
  for (const [id, x] of vars) write(id, x.value())
  return undefined
}

/** Checks the input and finds the components; `values` starts as all `NaN`. */
export const prepare = (cs: ReadonlyArray<LinearConstraint>): Result.Result<{ comps: Components; values: Float64Array }, InvalidConstraint> => {
  const ok = check(cs)
  if (Result.isFailure(ok)) return Result.fail(ok.failure)
  const comps = components(cs)
  return Result.succeed({ comps, values: new Float64Array(comps.ofVar.length).fill(NaN) })
}

/** The baseline: ONE kiwi solver with every constraint. Conflicts are named per component as in `solveDecomposed`. */
export const solveGlobal = (cs: ReadonlyArray<LinearConstraint>): Result.Result<Layout, LayoutError> => {
  const p = prepare(cs)
  if (Result.isFailure(p)) return Result.fail(p.failure)
  const { comps, values } = p.success
  const { failed, vars } = kiwiSolve(cs)
  if (failed >= 0) return Result.fail(conflictsOf(cs, comps))
  for (const [id, x] of vars) values[id] = x.value()
  return Result.succeed({ values, components: comps })
}

const conflictsOf = (cs: ReadonlyArray<LinearConstraint>, comps: Components): LayoutUnsatisfiable => {
  const conflicts: Array<Conflict> = []
  for (let k = 0; k < comps.count; k++) {
    const c = solveComponent(comps.constraints[k]!.map((i) => cs[i]!), k, () => {})
    if (c !== undefined) conflicts.push(c)
  }
  return new LayoutUnsatisfiable({ conflicts })
}

/** One kiwi solver per connected component, on this thread (`layout_decomposable`). */
export const solveDecomposed = (cs: ReadonlyArray<LinearConstraint>): Result.Result<Layout, LayoutError> => {
  const p = prepare(cs)
  if (Result.isFailure(p)) return Result.fail(p.failure)
  const { comps, values } = p.success
  const conflicts: Array<Conflict> = []
  const write = (id: number, x: number) => { values[id] = x }
  for (let k = 0; k < comps.count; k++) {
    const c = solveComponent(comps.constraints[k]!.map((i) => cs[i]!), k, write)
    if (c !== undefined) conflicts.push(c)
  }
  return conflicts.length > 0 ? Result.fail(new LayoutUnsatisfiable({ conflicts })) : Result.succeed({ values, components: comps })
}

/**
 * Delivered trigger events as input to the next frame's layout: each event
 * asks its target viewport's own variable `anchor(viewport)` to take
 * `value(event)` (a `strong` preference). Each such constraint reads one
 * variable of one viewport: a trigger is a message that changes a viewport's
 * next system, never an edge between two viewports (seed 001, Critique 2).
 */
export const eventConstraints = (
  events: ReadonlyArray<TriggerEvent>,
  anchor: (viewport: number) => number,
  value: (event: TriggerEvent) => number,
  firstId: number,
): Array<LinearConstraint> =>
  events.map((e, i) => ({ id: firstId + i, vars: [anchor(e.viewport)], coefs: [1], op: "eq", rhs: value(e), strength: "strong" }))
