/**
 * The constraint graph of a layout and its connected components: the
 * TypeScript side of `lean/Hydrogen/Layout/Decompose.lean` (seed 001,
 * Solution 2).
 *
 * A constraint reads a non-empty list of element variables (non-negative
 * integer ids). Two variables are adjacent when one constraint reads both;
 * `components` labels every variable read by some constraint with its
 * connected component, by union-find, in near-linear time. The mirrors
 * (`adjacent`, `connected`, `isValid`, `restrict`, `compCs`, `combine`,
 * `noCrossViewportEdges`, `sat`) are the Lean definitions on arrays; the tests
 * restate the theorems with them.
 *
 * @module
 */
import { Data } from "effect"
import * as Result from "effect/Result"

/**
 * What decomposition needs of a constraint: its id and the variables it reads.
 *
 * @lean Hydrogen.Layout.Constraint
 */
export interface Reads {
  readonly id: number
  readonly vars: ReadonlyArray<number>
}

/** A constraint that reads no variable, or a variable that is not a safe non-negative integer. */
export class InvalidConstraint extends Data.TaggedError("InvalidConstraint")<{
  readonly index: number
  readonly id: number
  readonly field: string
  readonly reason: string
}> {
  override get message(): string {
    return `invalid constraint ${this.id} (index ${this.index}): ${this.field} ${this.reason}`
  }
}

const isVar = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0

/** Checks what the Lean structure guarantees: a non-empty list of `Nat` variables and an integer id. */
export const checkReads = (cs: ReadonlyArray<Reads>): Result.Result<void, InvalidConstraint> => {
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!
    if (!Number.isSafeInteger(c.id)) return Result.fail(new InvalidConstraint({ index: i, id: c.id, field: "id", reason: "is not a safe integer" }))
    if (c.vars.length === 0) return Result.fail(new InvalidConstraint({ index: i, id: c.id, field: "vars", reason: "is empty (a constraint reads at least one variable)" }))
    for (let j = 0; j < c.vars.length; j++) {
      if (!isVar(c.vars[j])) return Result.fail(new InvalidConstraint({ index: i, id: c.id, field: `vars[${j}]`, reason: `is ${String(c.vars[j])}, not a non-negative safe integer` }))
    }
  }
  return Result.succeed(undefined)
}

/**
 * Some constraint reads both variables.
 *
 * @lean Hydrogen.Layout.Adj
 */
export const adjacent = (cs: ReadonlyArray<Reads>, u: number, v: number): boolean =>
  cs.some((c) => c.vars.includes(u) && c.vars.includes(v))

/**
 * A path from `u` to `v` in the constraint graph (breadth-first; the mirror,
 * not the fast path).
 *
 * @lean Hydrogen.Layout.Connected
 */
export const connected = (cs: ReadonlyArray<Reads>, u: number, v: number): boolean => {
  const seen = new Set([u])
  const todo = [u]
  while (todo.length > 0) {
    const x = todo.pop()!
    if (x === v) return true
    for (const c of cs) {
      if (!c.vars.includes(x)) continue
      for (const y of c.vars) if (!seen.has(y)) { seen.add(y); todo.push(y) }
    }
  }
  return false
}

/**
 * No constraint reads variables with two labels.
 *
 * @lean Hydrogen.Layout.Valid
 */
export const isValid = <K>(cs: ReadonlyArray<Reads>, label: (v: number) => K): boolean =>
  cs.every((c) => c.vars.every((u) => label(u) === label(c.vars[0]!)))

/**
 * The constraints of block `k`: those reading a variable labelled `k`.
 *
 * @lean Hydrogen.Layout.restrict
 */
export const restrict = <C extends Reads, K>(cs: ReadonlyArray<C>, label: (v: number) => K, k: K): Array<C> =>
  cs.filter((c) => c.vars.some((u) => label(u) === k))

/**
 * Constraint `c` reads a variable of `v`'s component.
 *
 * @lean Hydrogen.Layout.Touches
 */
export const touches = (cs: ReadonlyArray<Reads>, v: number, c: Reads): boolean => c.vars.some((u) => connected(cs, v, u))

/**
 * The hypothesis of the decomposition theorem, checked on one system: the
 * solver's answer for every variable `cs` reads is its answer on that
 * variable's component alone.
 *
 * @lean Hydrogen.Layout.Local
 */
export const isLocalOn = <C extends Reads, A>(solve: (cs: ReadonlyArray<C>) => (v: number) => A, cs: ReadonlyArray<C>, eq: (x: A, y: A) => boolean = Object.is): boolean => {
  const whole = solve(cs)
  return cs.every((c) => c.vars.every((v) => eq(whole(v), solve(compCs(cs, v))(v))))
}

/**
 * The constraints of `v`'s connected component.
 *
 * @lean Hydrogen.Layout.compCs
 */
export const compCs = <C extends Reads>(cs: ReadonlyArray<C>, v: number): Array<C> =>
  cs.filter((c) => touches(cs, v, c))

/**
 * Per-block answers combined: `v` takes its block's answer.
 *
 * @lean Hydrogen.Layout.combine
 */
export const combine = <K, A>(label: (v: number) => K, sols: (k: K) => (v: number) => A) => (v: number): A => sols(label(v))(v)

/**
 * No constraint reads variables of two viewports (`vp` gives each variable's viewport).
 *
 * @lean Hydrogen.Layout.NoCrossViewportEdges
 */
export const noCrossViewportEdges = (cs: ReadonlyArray<Reads>, vp: (v: number) => number): boolean => isValid(cs, vp)

/**
 * The seed's right-hand side: one `[viewport, solution]` pair per listed viewport.
 *
 * @lean Hydrogen.Layout.solveViewports
 */
export const solveViewports = <C extends Reads, A>(solve: (cs: ReadonlyArray<C>) => (v: number) => A, cs: ReadonlyArray<C>, vp: (v: number) => number, viewports: ReadonlyArray<number>): Array<readonly [number, (v: number) => A]> =>
  viewports.map((k) => [k, solve(restrict(cs, vp, k))] as const)

/** The first pair's value under key `k` (Lean's `List.lookup`). */
export const lookup = <B>(pairs: ReadonlyArray<readonly [number, B]>, k: number): B | undefined => pairs.find(([key]) => key === k)?.[1]

/**
 * Variable `v` read off the per-viewport list (`fallback` if its viewport is not listed).
 *
 * @lean Hydrogen.Layout.glue
 */
export const glue = <A>(vp: (v: number) => number, sols: ReadonlyArray<readonly [number, (v: number) => A]>, fallback: A) => (v: number): A => {
  const s = lookup(sols, vp(v))
  return s === undefined ? fallback : s(v)
}

/**
 * Every constraint holds under the assignment.
 *
 * @lean Hydrogen.Layout.Sat
 */
export const sat = <C>(cs: ReadonlyArray<C>, holds: (c: C, a: (v: number) => number) => boolean, a: (v: number) => number): boolean =>
  cs.every((c) => holds(c, a))

/**
 * An assignment cut down to block `k` (`fallback` elsewhere).
 *
 * @lean Hydrogen.Layout.restrictAssign
 */
export const restrictAssign = <K, A>(label: (v: number) => K, k: K, a: (v: number) => A, fallback: A) => (u: number): A =>
  label(u) === k ? a(u) : fallback

/** Connected components of a constraint system. */
export interface Components {
  /** The number of components. */
  readonly count: number
  /** The component of each variable id (`-1` for a variable no constraint reads); length `maxVar + 1`. */
  readonly ofVar: Int32Array
  /** The component of each constraint, by index in the input. */
  readonly ofConstraint: Int32Array
  /** The constraint indices of each component, in input order. */
  readonly constraints: ReadonlyArray<ReadonlyArray<number>>
  /** The variables of each component, ascending. */
  readonly vars: ReadonlyArray<ReadonlyArray<number>>
}

/**
 * Labels variables and constraints with their connected component (union-find
 * with path halving and union by size). Components are numbered in order of
 * their first constraint, so the numbering is the same on every run. The
 * labelling is valid and two variables share a label exactly when they are
 * connected (`componentLabel_valid`, `componentLabel_eq_iff`).
 *
 * @lean Hydrogen.Layout.componentLabel
 */
export const components = (cs: ReadonlyArray<Reads>): Components => {
  let maxVar = -1
  for (const c of cs) for (const v of c.vars) if (v > maxVar) maxVar = v
  const parent = new Int32Array(maxVar + 1)
  const size = new Int32Array(maxVar + 1).fill(1)
  for (let i = 0; i <= maxVar; i++) parent[i] = i
  const find = (x: number): number => {
    while (parent[x] !== x) {
      const p = parent[x]!
      parent[x] = parent[p]!
      x = p
    }
    return x
  }
  for (const c of cs) {
    let a = find(c.vars[0]!)
    for (let j = 1; j < c.vars.length; j++) {
      const b = find(c.vars[j]!)
      if (a === b) continue
      // union by size keeps the trees shallow; `a` is the root of c's block so far
      if (size[a]! >= size[b]!) { parent[b] = a; size[a]! += size[b]! }
      else { parent[a] = b; size[b]! += size[a]!; a = b }
    }
  }
  const index = new Int32Array(maxVar + 1).fill(-1)
  const ofConstraint = new Int32Array(cs.length)
  const constraints: Array<Array<number>> = []
  for (let i = 0; i < cs.length; i++) {
    const r = find(cs[i]!.vars[0]!)
    let k = index[r]!
    if (k < 0) { k = constraints.length; index[r] = k; constraints.push([]) }
    ofConstraint[i] = k
    constraints[k]!.push(i)
  }
  const ofVar = new Int32Array(maxVar + 1).fill(-1)
  const vars: Array<Array<number>> = constraints.map(() => [])
  const read = new Uint8Array(maxVar + 1)
  for (const c of cs) for (const v of c.vars) read[v] = 1
  for (let v = 0; v <= maxVar; v++) {
    if (read[v] === 0) continue
    const k = index[find(v)]!
    ofVar[v] = k
    vars[k]!.push(v)
  }
  return { count: constraints.length, ofVar, ofConstraint, constraints, vars }
}
