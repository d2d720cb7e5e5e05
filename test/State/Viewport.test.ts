import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { joinAll } from "../../src/State/Lattice.ts"
import { ORMap, ORSet } from "../../src/State/ORSet.ts"
import { LWWMap } from "../../src/State/Register.ts"
import { ViewportState } from "../../src/State/Viewport.ts"
import { assoc, comm, idem, params, sameMembersArb, viewportArb } from "./arbitraries.ts"

const V = ViewportState.joinSemilattice

describe("ViewportState", () => {
  it("join is componentwise; empty has every component empty", () => {
    expect(ViewportState.empty).toEqual({
      elements: { entries: [] },
      positions: { entries: [] },
      zOrder: { entries: [] },
      animations: { tags: [] },
      clock: { ticks: [] },
    })
    fc.assert(
      fc.property(viewportArb, viewportArb, (a, b) => {
        const j = ViewportState.join(a, b)
        expect(ORMap.equals(j.elements, ORMap.join(a.elements, b.elements))).toBe(true)
        expect(LWWMap.equals(j.positions, LWWMap.join(a.positions, b.positions))).toBe(true)
        expect(LWWMap.equals(j.zOrder, LWWMap.join(a.zOrder, b.zOrder))).toBe(true)
        expect(ORSet.equals(j.animations, ORSet.join(a.animations, b.animations))).toBe(true)
        expect(j.clock.ticks).toEqual(
          Array.from({ length: Math.max(a.clock.ticks.length, b.clock.ticks.length) }, (_, r) =>
            Math.max(a.clock.ticks[r] ?? 0, b.clock.ticks[r] ?? 0),
          ),
        )
      }),
      params,
    )
  })

  // @lean Hydrogen.State.ViewportState.join_assoc
  it("ViewportState.join_assoc: (a ⊔ b) ⊔ c = a ⊔ (b ⊔ c)", () => assoc(V, viewportArb))
  // @lean Hydrogen.State.ViewportState.join_comm
  it("ViewportState.join_comm: a ⊔ b = b ⊔ a", () => comm(V, viewportArb))
  // @lean Hydrogen.State.ViewportState.join_idem
  it("ViewportState.join_idem: a ⊔ a = a", () => idem(V, viewportArb))

  // @lean Hydrogen.State.ViewportState.convergence
  it("ViewportState.convergence: replicas that merged the same updates in any order, with any duplication, hold the same state", () =>
    fc.assert(
      fc.property(sameMembersArb(viewportArb), ([s, xs, ys]) => {
        const a = joinAll(V, s, xs)
        const b = joinAll(V, s, ys)
        expect(ViewportState.equals(a, b)).toBe(true)
        // and every element/animation query agrees
        for (let e = 0; e < 6; e++) {
          expect(ORMap.get(a.elements, e)).toEqual(ORMap.get(b.elements, e))
          expect(ORSet.contains(a.animations, e)).toBe(ORSet.contains(b.animations, e))
        }
      }),
      params,
    ))
})
