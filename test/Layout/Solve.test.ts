import fc from "fast-check"
import * as Result from "effect/Result"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { components, InvalidConstraint, noCrossViewportEdges } from "../../src/Layout/Decompose.ts"
import { LayoutPool } from "../../src/Layout/Parallel.ts"
import { check, conflictSet, eventConstraints, holds, LayoutUnsatisfiable, type LinearConstraint, type Layout, solveDecomposed, solveGlobal } from "../../src/Layout/Solve.ts"
import { makeRegistry, TriggerRuntime } from "../../src/Viewport/Trigger.ts"

// Scenes whose optimum is unique, so the answer does not depend on how the
// simplex breaks ties (the hypothesis `Local` holds for kiwi there). Per
// viewport, variables form a random forest of required equalities
// x[i] - x[parent] = d; each tree's root is either pinned (required) or kept
// in [lo, hi] with a weak wish for t, so its optimum is clamp(t). Required
// inequalities with slack, true at the expected values, are mixed in. The
// expected values are computed here from the forest, not by any solver.

const TOL = 1e-6
const close = (x: number, y: number) => Math.abs(x - y) <= TOL * (1 + Math.abs(y))

interface Scene {
  readonly per: number
  readonly nVp: number
  readonly cs: ReadonlyArray<LinearConstraint>
  readonly expected: ReadonlyArray<number>
}

const int = (min: number, max: number) => fc.integer({ min, max })

const viewportArb = (per: number) =>
  fc.record({
    parents: fc.array(fc.option(fc.nat(per), { nil: undefined }), { minLength: per, maxLength: per }),
    d: fc.array(int(-20, 20), { minLength: per, maxLength: per }),
    root: fc.array(fc.record({ pinned: fc.boolean(), h: int(-50, 50), lo: int(-50, 0), span: int(0, 60), t: int(-80, 80) }), { minLength: per, maxLength: per }),
    extra: fc.array(fc.record({ i: fc.nat(per - 1), j: fc.nat(per - 1), slack: int(0, 5) }), { maxLength: 3 }),
  })

const sceneArb: fc.Arbitrary<Scene> = fc.record({ per: int(1, 6), nVp: int(1, 6) }).chain(({ per, nVp }) =>
  fc.tuple(fc.array(viewportArb(per), { minLength: nVp, maxLength: nVp }), fc.nat()).map(([vps, seed]) => {
    const cs: Array<Omit<LinearConstraint, "id">> = []
    const expected: Array<number> = []
    vps.forEach((g, vp) => {
      const base = vp * per
      const root: Array<number> = []
      for (let i = 0; i < per; i++) {
        const p = g.parents[i]
        if (i > 0 && p !== undefined && p < i) {
          root.push(root[p]!)
          expected.push(expected[base + p]! + g.d[i]!)
          cs.push({ vars: [base + i, base + p], coefs: [1, -1], op: "eq", rhs: g.d[i]!, strength: "required" })
        } else {
          root.push(i)
          const r = g.root[i]!
          if (r.pinned) {
            expected.push(r.h)
            cs.push({ vars: [base + i], coefs: [1], op: "eq", rhs: r.h, strength: "required" })
          } else {
            const hi = r.lo + r.span
            expected.push(Math.min(hi, Math.max(r.lo, r.t)))
            cs.push({ vars: [base + i], coefs: [1], op: "ge", rhs: r.lo, strength: "required" })
            cs.push({ vars: [base + i], coefs: [1], op: "le", rhs: hi, strength: "required" })
            cs.push({ vars: [base + i], coefs: [1], op: "eq", rhs: r.t, strength: "weak" })
          }
        }
      }
      for (const { i, j, slack } of g.extra) {
        if (root[i] !== root[j] || i === j) continue // across trees it could move a weak root
        const rhs = expected[base + i]! - expected[base + j]! + slack
        cs.push({ vars: [base + i, base + j], coefs: [1, -1], op: "le", rhs, strength: "required" })
      }
    })
    // interleave the viewports' constraints so the global system is one mixed list
    const order = cs.map((_, i) => i).sort((a, b) => ((a * 7919 + seed) % 104729) - ((b * 7919 + seed) % 104729) || a - b)
    return { per, nVp, cs: order.map((i, id) => ({ ...cs[i]!, id })), expected }
  }))

const values = (r: Result.Result<Layout, unknown>): Float64Array => {
  if (Result.isFailure(r)) throw new Error(`expected a layout, got ${String(r.failure)}`)
  return r.success.values
}

let pool: LayoutPool
beforeAll(() => { pool = new LayoutPool(2, 1) })
afterAll(async () => { await pool.close() })

describe("kiwi per component (Hydrogen.Layout)", () => {
  // @lean Hydrogen.Layout.layout_decomposable
  it("layout_decomposable: one kiwi solver per component gives the global kiwi solution (unique optimum, within 1e-6)", () => {
    fc.assert(fc.property(sceneArb, (s) => {
      const g = values(solveGlobal(s.cs)), d = values(solveDecomposed(s.cs))
      s.expected.forEach((x, v) => {
        expect(close(g[v]!, x)).toBe(true)
        expect(close(d[v]!, g[v]!)).toBe(true)
      })
    }), { numRuns: 150 })
  })

  // @lean Hydrogen.Layout.components_decomposable
  it("components_decomposable: components solved on worker threads equal the serial per-component solve exactly", async () => {
    await fc.assert(fc.asyncProperty(sceneArb, async (s) => {
      const par = values(await pool.solve(s.cs)), ser = values(solveDecomposed(s.cs))
      expect(Array.from(par)).toEqual(Array.from(ser))
    }), { numRuns: 40 })
  })

  // @lean Hydrogen.Layout.combine_sat
  it("combine_sat: the combined per-component solution satisfies every required constraint of the whole", () => {
    fc.assert(fc.property(sceneArb, (s) => {
      const d = values(solveDecomposed(s.cs))
      return s.cs.filter((c) => c.strength === "required").every((c) => holds(c, (v) => d[v]!, 1e-7))
    }), { numRuns: 150 })
  })

  // @lean Hydrogen.Layout.satisfiable_iff_blocks
  it("satisfiable_iff_blocks: the global system is unsatisfiable iff some component is, and the error names each one's conflicting constraints", () => {
    const arb = fc.tuple(sceneArb, fc.array(fc.tuple(fc.nat(35), int(-3, 3)), { maxLength: 3 })).map(([s, pins]) => {
      const n = s.per * s.nVp
      const extra = pins.map(([v, delta], i): LinearConstraint =>
        ({ id: s.cs.length + i, vars: [v % n], coefs: [1], op: "eq", rhs: s.expected[v % n]! + delta, strength: "required" }))
      return { s, cs: [...s.cs, ...extra] }
    })
    fc.assert(fc.property(arb, ({ cs }) => {
      const g = solveGlobal(cs), d = solveDecomposed(cs)
      expect(Result.isFailure(g)).toBe(Result.isFailure(d))
      if (Result.isSuccess(g) && Result.isSuccess(d)) {
        g.success.values.forEach((x, v) => expect(close(d.success.values[v]!, x) || (Number.isNaN(x) && Number.isNaN(d.success.values[v]!))).toBe(true))
        return
      }
      const ge = (g as Result.Failure<Layout, LayoutUnsatisfiable>).failure, de = (d as Result.Failure<Layout, LayoutUnsatisfiable>).failure
      expect(ge).toBeInstanceOf(LayoutUnsatisfiable)
      expect(ge.conflicts).toEqual(de.conflicts)
      const comps = components(cs)
      const byId = new Map(cs.map((c) => [c.id, c]))
      for (const { component, constraints } of de.conflicts) {
        const named = constraints.map((id) => byId.get(id)!)
        // every named constraint is required and belongs to the named component
        for (const c of named) {
          expect(c.strength).toBe("required")
          expect(comps.ofConstraint[cs.indexOf(c)]).toBe(component)
        }
        // the named set cannot hold together, and is irreducible
        expect(conflictSet(named).length).toBeGreaterThan(0)
        named.forEach((_, i) => expect(conflictSet(named.filter((__, j) => j !== i))).toEqual([]))
        // the component's own system is unsatisfiable; every component not named is satisfiable
        expect(conflictSet(comps.constraints[component]!.map((i) => cs[i]!)).length).toBeGreaterThan(0)
      }
      const named = new Set(de.conflicts.map((c) => c.component))
      for (let k = 0; k < comps.count; k++) if (!named.has(k)) expect(conflictSet(comps.constraints[k]!.map((i) => cs[i]!))).toEqual([])
    }), { numRuns: 150 })
  })

  it("an unsatisfiable layout is a typed error naming the component and the constraint ids", () => {
    const cs: Array<LinearConstraint> = [
      { id: 10, vars: [0], coefs: [1], op: "eq", rhs: 5, strength: "required" },
      { id: 11, vars: [3], coefs: [1], op: "ge", rhs: 0, strength: "required" },
      { id: 12, vars: [1, 0], coefs: [1, -1], op: "eq", rhs: 2, strength: "required" },
      { id: 13, vars: [1], coefs: [1], op: "le", rhs: 6, strength: "required" },
      { id: 14, vars: [1], coefs: [1], op: "eq", rhs: 100, strength: "strong" },
    ]
    const r = solveDecomposed(cs)
    expect(Result.isFailure(r) && r.failure).toEqual(new LayoutUnsatisfiable({ conflicts: [{ component: 0, constraints: [10, 12, 13] }] }))
    expect(Result.isFailure(r) && r.failure.message).toBe("unsatisfiable layout: component 0 (constraints 10, 12, 13)")
  })

  it("bad constraints are typed errors naming the constraint and the field", () => {
    const ok = { id: 1, vars: [0], coefs: [1], op: "eq", rhs: 0, strength: "required" } as const
    const bad = (c: object, field: string) => {
      const r = check([ok, { ...ok, id: 2, ...c } as LinearConstraint])
      expect(Result.isFailure(r) && r.failure).toBeInstanceOf(InvalidConstraint)
      expect(Result.isFailure(r) && [r.failure.index, r.failure.id, r.failure.field]).toEqual([1, 2, field])
    }
    bad({ coefs: [1, 2] }, "coefs")
    bad({ coefs: [Infinity] }, "coefs")
    bad({ rhs: NaN }, "rhs")
    bad({ op: "lt" }, "op")
    bad({ strength: "mild" }, "strength")
    bad({ vars: [1.5] }, "vars[0]")
    bad({ vars: [], coefs: [] }, "vars")
    expect(Result.isFailure(solveGlobal([{ ...ok, rhs: Infinity }]))).toBe(true)
  })
})

describe("triggers are messages, not constraints (seed 001, Critique 2)", () => {
  // @lean Hydrogen.Layout.no_cross_viewport_edges
  it("no_cross_viewport_edges: frames fed by cross-viewport trigger cascades keep every constraint inside one viewport, and per-component solving equals the global solve", () => {
    let crossTriggers = 0
    fc.assert(fc.property(sceneArb, fc.array(fc.tuple(fc.nat(5), fc.nat(5)), { maxLength: 8 }), fc.array(fc.nat(5), { minLength: 1, maxLength: 3 }), (s, edges, starts) => {
      const vp = (v: number) => Math.floor(v / s.per)
      const registry = Result.getOrThrow(makeRegistry(3))
      for (const [a, b] of edges) if (a % s.nVp !== b % s.nVp && Result.isSuccess(registry.register(a % s.nVp, b % s.nVp))) crossTriggers++
      const runtime = new TriggerRuntime(registry)
      for (const v of starts) runtime.emit(v % s.nVp)
      const base = components(s.cs)
      for (const report of runtime.settle()) {
        const frame = [...s.cs, ...eventConstraints(report.delivered, (w) => w * s.per, () => report.frame, s.cs.length)]
        expect(noCrossViewportEdges(frame, vp)).toBe(true)
        const comps = components(frame)
        expect(comps.vars).toEqual(base.vars)
        const g = values(solveGlobal(frame)), d = values(solveDecomposed(frame))
        g.forEach((x, v) => expect(close(d[v]!, x)).toBe(true))
      }
    }), { numRuns: 100 })
    expect(crossTriggers).toBeGreaterThan(0)
  })
})
