import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import {
  adjacent,
  checkReads,
  combine,
  compCs,
  components,
  connected,
  glue,
  InvalidConstraint,
  isLocalOn,
  lookup,
  isValid,
  noCrossViewportEdges,
  type Reads,
  restrict,
  restrictAssign,
  sat,
  solveViewports,
} from "../../src/Layout/Decompose.ts"

const runs = { numRuns: 200 } as const

// A small equality system: `x[vars[0]] - x[vars[1]] = d` (two variables) or
// `x[vars[0]] = d` (a pin). Integer arithmetic, so satisfaction is exact.
interface Eq extends Reads { readonly d: number }

const holds = (c: Eq, a: (v: number) => number): boolean =>
  c.vars.length === 1 ? a(c.vars[0]!) === c.d : a(c.vars[0]!) - a(c.vars[1]!) === c.d

/**
 * A real solver written without components: pins first, then values flow
 * along constraints in scan order until nothing changes; a block nothing
 * reached gets its first variable (in scan order) set to 0 and flows again.
 * Its locality is a fact to check (`isLocalOn`), not built in.
 */
const propagate = (cs: ReadonlyArray<Eq>) => {
  const x = new Map<number, number>()
  for (const c of cs) if (c.vars.length === 1 && !x.has(c.vars[0]!)) x.set(c.vars[0]!, c.d)
  const flow = () => {
    for (let changed = true; changed;) {
      changed = false
      for (const c of cs) {
        if (c.vars.length !== 2) continue
        const [u, w] = c.vars as [number, number]
        if (x.has(u) && !x.has(w)) { x.set(w, x.get(u)! - c.d); changed = true }
        else if (x.has(w) && !x.has(u)) { x.set(u, x.get(w)! + c.d); changed = true }
      }
    }
  }
  flow()
  for (const c of cs) for (const v of c.vars) if (!x.has(v)) { x.set(v, 0); flow() }
  return (v: number): number => x.get(v) ?? 0
}

const eqArb = (nVars: number, dMax = 3): fc.Arbitrary<Array<Eq>> =>
  fc.array(
    fc.oneof(
      fc.record({ u: fc.nat(nVars - 1), d: fc.integer({ min: -dMax, max: dMax }) }).map(({ u, d }) => ({ vars: [u], d })),
      fc.record({ u: fc.nat(nVars - 1), w: fc.nat(nVars - 1), d: fc.integer({ min: -dMax, max: dMax }) }).map(({ u, w, d }) => ({ vars: [u, w], d })),
    ),
    { maxLength: 14 },
  ).map((xs) => xs.map((c, id) => ({ id, ...c })))

/** Constraints consistent with a hidden assignment `h`, so every block is satisfiable. */
const consistentArb = (nVars: number): fc.Arbitrary<Array<Eq>> =>
  fc.tuple(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: nVars, maxLength: nVars }), eqArb(nVars)).map(([h, cs]) =>
    cs.map((c) => ({ ...c, d: c.vars.length === 1 ? h[c.vars[0]!]! : h[c.vars[0]!]! - h[c.vars[1]!]! })))

const readsArb: fc.Arbitrary<Array<Reads>> = fc
  .array(fc.uniqueArray(fc.nat(11), { minLength: 1, maxLength: 3 }), { maxLength: 12 })
  .map((xs) => xs.map((vars, id) => ({ id, vars })))

const varsOf = (cs: ReadonlyArray<Reads>): Array<number> => [...new Set(cs.flatMap((c) => c.vars))]
const labelOf = (cs: ReadonlyArray<Reads>) => { const k = components(cs); return (v: number) => k.ofVar[v] ?? -1 }

/** `perVp` variables per viewport; constraints only inside one viewport. */
const viewportArb = fc.record({ nVp: fc.integer({ min: 1, max: 4 }), perVp: fc.integer({ min: 1, max: 4 }) }).chain(({ nVp, perVp }) =>
  fc.tuple(fc.constant(perVp), fc.array(fc.tuple(fc.nat(nVp - 1), eqArb(perVp).map((cs) => cs.slice(0, 4))), { maxLength: 5 })).map(([per, parts]) => ({
    per,
    cs: parts.flatMap(([vp, cs]) => cs.map((c) => ({ ...c, vars: c.vars.map((v) => vp * per + v) }))).map((c, id) => ({ ...c, id })),
  })))

describe("the constraint graph (Hydrogen.Layout)", () => {
  // @lean Hydrogen.Layout.Adj.symm
  it("Adj.symm: adjacency is symmetric", () => {
    fc.assert(fc.property(readsArb, fc.nat(11), fc.nat(11), (cs, u, v) => adjacent(cs, u, v) === adjacent(cs, v, u)), runs)
  })

  // @lean Hydrogen.Layout.Connected.single
  it("Connected.single: adjacent variables are connected", () => {
    fc.assert(fc.property(readsArb, fc.nat(11), fc.nat(11), (cs, u, v) => !adjacent(cs, u, v) || connected(cs, u, v)), runs)
  })

  // @lean Hydrogen.Layout.Connected.trans
  it("Connected.trans: paths compose", () => {
    fc.assert(fc.property(readsArb, fc.nat(11), fc.nat(11), fc.nat(11), (cs, u, v, w) =>
      !(connected(cs, u, v) && connected(cs, v, w)) || connected(cs, u, w)), runs)
  })

  // @lean Hydrogen.Layout.Connected.symm
  it("Connected.symm: paths reverse", () => {
    fc.assert(fc.property(readsArb, fc.nat(11), fc.nat(11), (cs, u, v) => connected(cs, u, v) === connected(cs, v, u)), runs)
  })

  // @lean Hydrogen.Layout.Connected.mono
  it("Connected.mono: paths survive adding constraints", () => {
    fc.assert(fc.property(readsArb, fc.nat(12), fc.nat(11), fc.nat(11), (cs, k, u, v) =>
      !connected(cs.slice(0, k), u, v) || connected(cs, u, v)), runs)
  })

  // @lean Hydrogen.Layout.componentLabel_valid
  it("componentLabel_valid: no constraint reads two components (union-find labels)", () => {
    fc.assert(fc.property(readsArb, (cs) => isValid(cs, labelOf(cs))), runs)
  })

  // @lean Hydrogen.Layout.componentLabel_eq_iff
  it("componentLabel_eq_iff: two variables share a component label iff they are connected", () => {
    fc.assert(fc.property(readsArb, (cs) => {
      const label = labelOf(cs)
      const vs = varsOf(cs)
      return vs.every((u) => vs.every((w) => (label(u) === label(w)) === connected(cs, u, w)))
    }), runs)
  })

  // @lean Hydrogen.Layout.connected_label
  it("connected_label: connected variables share the label of any valid labelling (here viewports)", () => {
    fc.assert(fc.property(viewportArb, ({ per, cs }) => {
      const vp = (v: number) => Math.floor(v / per)
      expect(isValid(cs, vp)).toBe(true)
      const vs = varsOf(cs)
      return vs.every((u) => vs.every((w) => !connected(cs, u, w) || vp(u) === vp(w)))
    }), runs)
  })

  // @lean Hydrogen.Layout.mem_restrict
  it("mem_restrict: block k holds exactly the constraints reading a variable labelled k", () => {
    fc.assert(fc.property(readsArb, fc.nat(3), (cs, k) => {
      const label = (v: number) => v % 4
      const block = restrict(cs, label, k)
      return cs.every((c) => block.includes(c) === c.vars.some((u) => label(u) === k)) && block.every((c) => cs.includes(c))
    }), runs)
  })

  // @lean Hydrogen.Layout.mem_restrict_iff_label
  it("mem_restrict_iff_label: the components partition the constraints, each in the block of any variable it reads", () => {
    fc.assert(fc.property(readsArb, (cs) => {
      const k = components(cs)
      const label = labelOf(cs)
      for (let b = 0; b < k.count; b++) expect(restrict(cs, label, b)).toEqual(k.constraints[b]!.map((i) => cs[i]!))
      expect(k.constraints.flat().sort((x, y) => x - y)).toEqual(cs.map((_, i) => i))
      return cs.every((c, i) => c.vars.every((u) => k.ofConstraint[i] === label(u)))
    }), runs)
  })

  // @lean Hydrogen.Layout.connected_restrict_iff
  it("connected_restrict_iff: inside its block a variable reaches what it reaches in the whole", () => {
    fc.assert(fc.property(readsArb, fc.nat(11), fc.nat(11), (cs, v, u) => {
      const label = labelOf(cs)
      return connected(restrict(cs, label, label(v)), v, u) === connected(cs, v, u)
    }), runs)
  })

  // @lean Hydrogen.Layout.compCs_restrict
  it("compCs_restrict: restricting to a valid block leaves each component's constraints unchanged", () => {
    fc.assert(fc.property(viewportArb, fc.nat(15), ({ per, cs }, v) => {
      const vp = (x: number) => Math.floor(x / per)
      expect(compCs(restrict(cs, vp, vp(v)), v)).toEqual(compCs(cs, v))
    }), runs)
  })

  it("checkReads names a constraint that reads nothing or a variable outside Nat", () => {
    const r = checkReads([{ id: 4, vars: [1] }, { id: 7, vars: [2, -1] }])
    expect(Result.isFailure(r) && r.failure).toEqual(new InvalidConstraint({ index: 1, id: 7, field: "vars[1]", reason: "is -1, not a non-negative safe integer" }))
    const e = checkReads([{ id: 9, vars: [] }])
    expect(Result.isFailure(e) && e.failure.message).toBe("invalid constraint 9 (index 0): vars is empty (a constraint reads at least one variable)")
  })
})

describe("decomposition (Hydrogen.Layout)", () => {
  it("the propagation solver used below is local on these systems (the theorem's hypothesis holds)", () => {
    fc.assert(fc.property(eqArb(10), (cs) => isLocalOn(propagate, cs)), runs)
  })

  // @lean Hydrogen.Layout.local_congr
  it("local_congr: a local solver answers the same on two systems where the variable's component is the same", () => {
    fc.assert(fc.property(eqArb(10), eqArb(10), fc.nat(9), fc.nat(30), (cs, extra, v, seed) => {
      // constraints over other variables (ids shifted by 100), spliced in between
      const moved = extra.map((c) => ({ ...c, id: 1000 + c.id, vars: c.vars.map((x) => x + 100) }))
      const mixed = [...cs]
      moved.forEach((c, i) => mixed.splice((seed * (i + 1)) % (mixed.length + 1), 0, c))
      expect(compCs(mixed, v)).toEqual(compCs(cs, v))
      return propagate(mixed)(v) === propagate(cs)(v)
    }), runs)
  })

  // @lean Hydrogen.Layout.layout_decomposable
  it("layout_decomposable: a local solver on the whole equals per-block solving combined, for any valid labelling", () => {
    fc.assert(fc.property(eqArb(10), (cs) => {
      expect(isLocalOn(propagate, cs)).toBe(true)
      const label = labelOf(cs)
      const glued = combine(label, (k: number) => propagate(restrict(cs, label, k)))
      const whole = propagate(cs)
      return varsOf(cs).every((v) => glued(v) === whole(v))
    }), runs)
  })

  // @lean Hydrogen.Layout.components_decomposable
  it("components_decomposable: per-component solving equals solving the whole", () => {
    fc.assert(fc.property(consistentArb(10), (cs) => {
      const k = components(cs)
      const whole = propagate(cs)
      for (let b = 0; b < k.count; b++) {
        const part = propagate(k.constraints[b]!.map((i) => cs[i]!))
        for (const v of k.vars[b]!) expect(part(v)).toBe(whole(v))
      }
    }), runs)
  })

  // @lean Hydrogen.Layout.viewport_union_of_components
  it("viewport_union_of_components: each viewport's variables are a union of components", () => {
    fc.assert(fc.property(viewportArb, ({ per, cs }) => {
      const vp = (v: number) => Math.floor(v / per)
      expect(noCrossViewportEdges(cs, vp)).toBe(true)
      const k = components(cs)
      return k.vars.every((vs) => vs.every((v) => vp(v) === vp(vs[0]!)))
    }), runs)
  })

  // @lean Hydrogen.Layout.no_cross_viewport_edges
  it("no_cross_viewport_edges: with no constraint across viewports, per-viewport solving equals solving the whole", () => {
    fc.assert(fc.property(viewportArb, ({ per, cs }) => {
      const vp = (v: number) => Math.floor(v / per)
      const glued = combine(vp, (k: number) => propagate(restrict(cs, vp, k)))
      const whole = propagate(cs)
      return varsOf(cs).every((v) => glued(v) === whole(v))
    }), runs)
  })

  // @lean Hydrogen.Layout.lookup_map_pair
  it("lookup_map_pair: looking up a listed key in the list of (key, f key) pairs gives f key", () => {
    fc.assert(fc.property(fc.array(fc.nat(9), { minLength: 1 }), fc.nat(), (l, i) => {
      const x = l[i % l.length]!
      return lookup(l.map((k) => [k, k * 31 + 7] as const), x) === x * 31 + 7
    }), runs)
  })

  // @lean Hydrogen.Layout.layout_decomposable_list
  it("layout_decomposable_list: the seed's list of per-viewport solutions gives every listed viewport's variables their whole-system values", () => {
    fc.assert(fc.property(viewportArb, fc.array(fc.nat(4), { maxLength: 6 }), ({ per, cs }, viewports) => {
      const vp = (v: number) => Math.floor(v / per)
      const glued = glue(vp, solveViewports(propagate, cs, vp, viewports), NaN)
      const whole = propagate(cs)
      return varsOf(cs).every((v) => (viewports.includes(vp(v)) ? glued(v) === whole(v) : Number.isNaN(glued(v))))
    }), runs)
  })

  it("noCrossViewportEdges is false as soon as one constraint reads two viewports", () => {
    expect(noCrossViewportEdges([{ id: 0, vars: [0, 1] }, { id: 1, vars: [2, 5] }], (v) => Math.floor(v / 3))).toBe(false)
  })
})

describe("satisfaction per block (Hydrogen.Layout)", () => {
  // @lean Hydrogen.Layout.sat_iff_blocks
  it("sat_iff_blocks: an assignment satisfies the system iff its restriction satisfies every block", () => {
    fc.assert(fc.property(eqArb(8, 1), fc.array(fc.integer({ min: -1, max: 1 }), { minLength: 8, maxLength: 8 }), (cs, xs) => {
      const a = (v: number) => xs[v] ?? 0
      const label = labelOf(cs)
      const k = components(cs)
      const blocks = Array.from({ length: k.count }, (_, b) => sat(restrict(cs, label, b), holds, restrictAssign(label, b, a, 0)))
      return sat(cs, holds, a) === blocks.every(Boolean)
    }), { numRuns: 500 })
  })

  // @lean Hydrogen.Layout.combine_sat
  it("combine_sat: solutions of the blocks combine into a solution of the whole", () => {
    fc.assert(fc.property(consistentArb(10), (cs) => {
      const label = labelOf(cs)
      const sols = (b: number) => propagate(restrict(cs, label, b))
      for (let b = 0; b < components(cs).count; b++) expect(sat(restrict(cs, label, b), holds, sols(b))).toBe(true)
      return sat(cs, holds, combine(label, sols))
    }), runs)
  })

  // @lean Hydrogen.Layout.satisfiable_iff_blocks
  it("satisfiable_iff_blocks: a system is satisfiable iff every component is (brute force over small values)", () => {
    const values = [-2, -1, 0, 1, 2]
    const satisfiable = (cs: ReadonlyArray<Eq>): boolean => {
      const vs = varsOf(cs)
      const a = new Map<number, number>()
      const go = (i: number): boolean => {
        if (i === vs.length) return sat(cs, holds, (v) => a.get(v)!)
        return values.some((x) => { a.set(vs[i]!, x); return go(i + 1) })
      }
      return go(0)
    }
    fc.assert(fc.property(eqArb(5, 2).map((cs) => cs.slice(0, 6)), (cs) => {
      const k = components(cs)
      const label = labelOf(cs)
      const blocks = Array.from({ length: k.count }, (_, b) => satisfiable(restrict(cs, label, b)))
      return satisfiable(cs) === blocks.every(Boolean)
    }), runs)
  })
})
