import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { agentClasses, allocation, type AgentClass, bandLowerMs, clampScore, classify, inBand as inBandImpl, score } from "../../src/Mesh/Impedance.ts"
import { activeRate, empty, mean, merge, ofAgent, type Summary, summarize } from "../../src/Mesh/ImpedanceSummary.ts"

const runs = { numRuns: 1000 } as const

// The bands of `Hydrogen.Mesh.AgentClass.lower` / `.upper`, restated.
const band: Readonly<Record<AgentClass, readonly [number, number]>> = {
  CLASS_A_EDGE: [0, 20],
  CLASS_B_SERVERLESS: [21, 150],
  CLASS_C_PERSISTENT: [151, 300],
  CLASS_D_GPU: [301, 500],
  CLASS_E_LOCAL: [501, 1000],
  CLASS_F_HUMAN: [1001, Number.POSITIVE_INFINITY],
}
const inBand = (k: AgentClass, rtt: number) => band[k][0] <= rtt && rtt <= band[k][1]

const rtt = fc.oneof(fc.integer({ min: 0, max: 1200 }), fc.integer({ min: 0, max: 10_000_000 }))
const agent = fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.boolean())
const agents = fc.array(agent, { maxLength: 40 })
const summary = agents.map((xs) => summarize(xs))

describe("Hydrogen.Mesh impedance theorems, restated", () => {
  // @lean Hydrogen.Mesh.classify_inBand
  it("classify_inBand: every round-trip time gets a class and lies in its band", () => {
    fc.assert(fc.property(rtt, (r) => inBand(classify(r), r)), runs)
  })

  // @lean Hydrogen.Mesh.inBand_unique
  it("inBand_unique: no round-trip time lies in two classes' bands", () => {
    fc.assert(
      fc.property(rtt, (r) => agentClasses.filter((k) => inBand(k, r)).length === 1),
      runs,
    )
  })

  // @lean Hydrogen.Mesh.classify_eq_iff
  it("classify_eq_iff: classify rtt = k iff rtt is in k's band", () => {
    fc.assert(
      fc.property(rtt, fc.constantFrom(...agentClasses), (r, k) => (classify(r) === k) === inBand(k, r)),
      runs,
    )
  })

  // @lean Hydrogen.Mesh.allocation_total
  it("allocation_total: the class allocations add up to 30,000", () => {
    expect(agentClasses.map((k) => allocation[k]).reduce((a, b) => a + b, 0)).toBe(30_000)
  })

  // @lean Hydrogen.Mesh.clampScore_bounds
  it("clampScore_bounds: 0 ≤ clampScore x ≤ 1000", () => {
    fc.assert(fc.property(fc.integer({ min: -1e9, max: 1e9 }), (x) => clampScore(x) >= 0 && clampScore(x) <= 1000), runs)
  })

  // @lean Hydrogen.Mesh.clampScore_of_mem
  it("clampScore_of_mem: a value already in [0, 1000] is left alone", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1000 }), (x) => clampScore(x) === x), runs)
  })

  // @lean Hydrogen.Mesh.clampScore_mono
  it("clampScore_mono: x ≤ y implies clampScore x ≤ clampScore y", () => {
    fc.assert(
      fc.property(fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: -5000, max: 5000 }), (a, b) => {
        const [x, y] = a <= b ? [a, b] : [b, a]
        return clampScore(x) <= clampScore(y)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Mesh.score_bounds
  it("score_bounds: every score is in [0, 1000]", () => {
    const nat = fc.integer({ min: 0, max: 1_000_000 })
    fc.assert(fc.property(nat, nat, fc.integer({ min: 0, max: 1000 }), (r, p, q) => {
      const s = score(r, p, q)
      return Number.isInteger(s) && s >= 0 && s <= 1000
    }), runs)
  })

  // @lean Hydrogen.Mesh.Summary.merge_assoc
  it("Summary.merge_assoc: (x ⊕ y) ⊕ z = x ⊕ (y ⊕ z)", () => {
    fc.assert(fc.property(summary, summary, summary, (x, y, z) => {
      expect(merge(merge(x, y), z)).toEqual(merge(x, merge(y, z)))
    }), runs)
  })

  // @lean Hydrogen.Mesh.Summary.empty_merge
  it("Summary.empty_merge: empty ⊕ x = x", () => {
    fc.assert(fc.property(summary, (x) => {
      expect(merge(empty, x)).toEqual(x)
    }), runs)
  })

  // @lean Hydrogen.Mesh.Summary.merge_empty
  it("Summary.merge_empty: x ⊕ empty = x", () => {
    fc.assert(fc.property(summary, (x) => {
      expect(merge(x, empty)).toEqual(x)
    }), runs)
  })

  // @lean Hydrogen.Mesh.Summary.merge_comm
  it("Summary.merge_comm: x ⊕ y = y ⊕ x", () => {
    fc.assert(fc.property(summary, summary, (x, y) => {
      expect(merge(x, y)).toEqual(merge(y, x))
    }), runs)
  })

  // @lean Hydrogen.Mesh.summarize_append
  it("summarize_append: summarize (xs ++ ys) = summarize xs ⊕ summarize ys (clusters merge into sectors)", () => {
    fc.assert(fc.property(agents, agents, (xs, ys) => {
      expect(summarize([...xs, ...ys])).toEqual(merge(summarize(xs), summarize(ys)))
    }), runs)
  })

  // @lean Hydrogen.Mesh.summarize_count
  it("summarize_count: every agent is counted once", () => {
    fc.assert(fc.property(agents, (xs) => summarize(xs).count === xs.length), runs)
  })

  // @lean Hydrogen.Mesh.summarize_active_le
  it("summarize_active_le: active agents never outnumber agents", () => {
    fc.assert(fc.property(agents, (xs) => summarize(xs).active <= summarize(xs).count), runs)
  })
})

describe("band table", () => {
  it("bandLowerMs and inBand agree with the Lean bands", () => {
    for (const k of agentClasses) expect(bandLowerMs(k)).toBe(band[k][0])
    fc.assert(fc.property(rtt, fc.constantFrom(...agentClasses), (r, k) => inBandImpl(k, r) === inBand(k, r)), runs)
  })
})

describe("sector summaries from cluster summaries", () => {
  it("any split of a sector's agents into clusters gives the sector's exact mean, worst, best and active rate", () => {
    fc.assert(fc.property(fc.array(agents, { minLength: 1, maxLength: 10 }), (clusters) => {
      const all = clusters.flat()
      const sector: Summary = clusters.map((c) => summarize(c)).reduce(merge, empty)
      const scores = all.map(([s]) => s)
      expect(sector.count).toBe(all.length)
      expect(sector.worst).toBe(all.length === 0 ? undefined : Math.max(...scores))
      expect(sector.best).toBe(all.length === 0 ? undefined : Math.min(...scores))
      if (all.length > 0) {
        expect(mean(sector)).toBeCloseTo(scores.reduce((a, b) => a + b, 0) / all.length, 9)
        expect(activeRate(sector)).toBe(all.filter(([, a]) => a).length / all.length)
      } else {
        expect(mean(sector)).toBeUndefined()
      }
    }), runs)
  })

  it("the seed's mean of cluster means differs from the agent mean when cluster sizes differ", () => {
    const small = summarize([[900, true]])
    const big = summarize([[100, true], [100, true], [100, true]])
    // agents: (900 + 300) / 4 = 300; seed's mean of means: (900 + 100) / 2 = 500
    expect(mean(merge(small, big))).toBe(300)
    expect(((mean(small) ?? 0) + (mean(big) ?? 0)) / 2).toBe(500)
    expect(ofAgent(7, false)).toEqual({ sum: 7, count: 1, active: 0, worst: 7, best: 7 })
  })
})
