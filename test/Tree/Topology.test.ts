import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { coordinatorsPerLevel, levels, roundTripHops, totalCoordinators } from "../../src/Scale/Communication.ts"
import {
  agentRange,
  allCoordinators,
  childRange,
  children,
  inSubtree,
  lateralRoute,
  localOf,
  lowestCommonAncestor,
  makeTopology,
  parent,
  root,
  subjects,
} from "../../src/Tree/Topology.ts"

const nk = fc.tuple(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 2, max: 300 }))

describe("Tree topology", () => {
  // @lean Hydrogen.Scale.coordinatorsPerLevel
  // @lean Hydrogen.Scale.totalCoordinators
  it("has exactly the planner's coordinators per level, and parent/child/agent ranges partition every level", () => {
    fc.assert(
      fc.property(nk, ([n, k]) => {
        const t = makeTopology(n, k)
        expect(t.perLevel).toEqual(coordinatorsPerLevel(n, k))
        expect(t.levels).toBe(levels(n, k) - 1)
        expect(t.total).toBe(totalCoordinators(n, k))
        expect(t.perLevel[t.levels - 1]).toBe(1)
        // locals' agent ranges tile [0, n), each of size 1..k
        const bad: string[] = []
        let next = 0
        for (let i = 0; i < t.perLevel[0]!; i++) {
          const r = childRange(t, { level: 1, index: i })
          const a = agentRange(t, { level: 1, index: i })
          if (r.lo !== next || r.hi - r.lo < 1 || r.hi - r.lo > k || a.lo !== r.lo || a.hi !== r.hi) bad.push(`local ${i}`)
          next = r.hi
        }
        if (next !== n) bad.push(`locals end at ${next}`)
        // every upper level's children tile the level below; parent inverts children
        for (let l = 2; l <= t.levels; l++) {
          let below = 0
          for (let i = 0; i < t.perLevel[l - 1]!; i++) {
            const c = { level: l, index: i }
            const cs = children(t, c)
            if (cs.length < 1 || cs.length > k) bad.push(`L${l}.${i} has ${cs.length} children`)
            for (const ch of cs) {
              const p = parent(t, ch)
              if (ch.index !== below++ || p?.level !== l || p.index !== i) bad.push(`child ${ch.level}.${ch.index}`)
            }
          }
          if (below !== t.perLevel[l - 2]) bad.push(`level ${l} covers ${below}`)
        }
        expect(bad).toEqual([])
        expect(parent(t, root(t))).toBeUndefined()
        expect(agentRange(t, root(t))).toEqual({ lo: 0, hi: n })
      }),
      { numRuns: 150 },
    )
  })

  // @lean Hydrogen.Scale.roundTripHops_eq
  it("routes a lateral message through the lowest common ancestor in at most 2·(levels − 1) hops", () => {
    fc.assert(
      fc.property(
        nk.chain(([n, k]) => fc.tuple(fc.constant(n), fc.constant(k), fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 }))),
        ([n, k, a, b]) => {
          const t = makeTopology(n, k)
          const route = lateralRoute(t, a, b)
          expect(route.hops).toBeLessThanOrEqual(2 * (levels(n, k) - 1))
          expect(route.hops).toBeLessThanOrEqual(roundTripHops(n, k))
          expect(route.hops).toBe(2 * route.lca.level)
          const lca = lowestCommonAncestor(t, a, b)
          expect(inSubtree(t, lca, a) && inSubtree(t, lca, b)).toBe(true)
          // no lower common ancestor: the LCA's children on the path differ
          if (lca.level > 1) {
            const ca = route.coordinators[lca.level - 2]!
            const cb = route.coordinators[lca.level]!
            expect(ca).not.toEqual(cb)
          }
          expect(route.coordinators[0]).toEqual(localOf(t, a))
          expect(route.coordinators[route.coordinators.length - 1]).toEqual(localOf(t, b))
          // consecutive coordinators are parent and child
          for (let i = 0; i + 1 < route.coordinators.length; i++) {
            const x = route.coordinators[i]!
            const y = route.coordinators[i + 1]!
            const linked = (parent(t, x)?.index === y.index && y.level === x.level + 1) || (parent(t, y)?.index === x.index && x.level === y.level + 1)
            expect(linked).toBe(true)
          }
        },
      ),
      { numRuns: 500 },
    )
  })

  it("names subjects per coordinator and rejects bad shapes", () => {
    const t = makeTopology(5, 4)
    expect(t.perLevel).toEqual([2, 1])
    expect(subjects(t, { level: 1, index: 1 })).toEqual({ up: "h.up.1.1", down: "h.down.1.1", lateral: "h.lat.1.1" })
    expect(allCoordinators(t)).toHaveLength(3)
    expect(lateralRoute(t, 0, 4).hops).toBe(4)
    expect(lateralRoute(t, 0, 3).hops).toBe(2)
    expect(makeTopology(1, 2).perLevel).toEqual([1])
    expect(() => makeTopology(0, 2)).toThrow(RangeError)
    expect(() => makeTopology(10, 1)).toThrow(RangeError)
    expect(() => makeTopology(10, 2, "a.b")).toThrow(RangeError)
    const big = makeTopology(10 ** 6, 100)
    expect(big.perLevel).toEqual([10000, 100, 1])
    expect(lowestCommonAncestor(big, 0, 999_999)).toEqual({ level: 3, index: 0 })
  })
})
