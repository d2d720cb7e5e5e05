import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { level } from "../../src/Quorum/Arithmetic.ts"
import { nextSupport, roundLevel, rounds, type Round, spent, spiral, stops, supportRun } from "../../src/Research/Spiral.ts"

// Properties restate the theorems of lean/Hydrogen/Research/Spiral.lean over
// arbitrary round functions: a table of rounds indexed by the round number and
// the previous digest, so the digest handed on decides what the next round is.

const runs = { numRuns: 400 } as const
const levelArb = fc.constantFrom("high" as const, "medium" as const, "low" as const)
// agreed and impossible are rare, so long runs of non-stopping rounds occur
const roundArb: fc.Arbitrary<Round<number>> = fc.record({
  agreed: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
  impossible: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
  level: levelArb,
  digest: fc.integer({ min: 0, max: 20 }),
})
const tableArb = fc.array(roundArb, { minLength: 1, maxLength: 8 })
/** A round function with a call log: round i after digest d is table[(i − 1 + d) mod size] (non-negative). */
const runOf = (table: ReadonlyArray<Round<number>>) => {
  const calls: Array<{ round: number; digest: number | undefined }> = []
  const run = (round: number, digest: number | undefined): Round<number> => {
    calls.push({ round, digest })
    const j = (round - 1 + (digest ?? 0)) % table.length
    return table[j < 0 ? j + table.length : j]!
  }
  return { run, calls }
}
const maxArb = fc.integer({ min: 0, max: 12 })

describe("Hydrogen.Research.Spiral", () => {
  // @lean Hydrogen.Research.Spiral.spiral_length_le
  it("spiral_length_le: SPIRAL terminates after at most maxRounds rounds", () => {
    fc.assert(fc.property(tableArb, maxArb, (t, m) => {
      const { run, calls } = runOf(t)
      const mission = spiral(run, m)
      expect(mission.rounds.length).toBeLessThanOrEqual(m)
      expect(calls.length).toBe(mission.rounds.length)
    }), runs)
  })

  // @lean Hydrogen.Research.Spiral.spiral_length_pos
  it("spiral_length_pos: with maxRounds ≥ 1 at least one round runs", () => {
    fc.assert(fc.property(tableArb, fc.integer({ min: 1, max: 12 }), (t, m) => {
      expect(spiral(runOf(t).run, m).rounds.length).toBeGreaterThanOrEqual(1)
    }), runs)
  })

  // @lean Hydrogen.Research.Spiral.spiral_first
  it("spiral_first: the first round is round 1 with no digest", () => {
    fc.assert(fc.property(tableArb, fc.integer({ min: 1, max: 12 }), (t, m) => {
      const { run, calls } = runOf(t)
      const mission = spiral(run, m)
      expect(calls[0]).toEqual({ round: 1, digest: undefined })
      expect(mission.rounds[0]).toBe(t[0])
    }), runs)
  })

  // @lean Hydrogen.Research.Spiral.rounds
  it("rounds: round i + 1 is run with the digest of round i", () => {
    fc.assert(fc.property(tableArb, maxArb, fc.integer({ min: 0, max: 5 }), fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }), (t, fuel, i, d) => {
      const { run, calls } = runOf(t)
      const rs = rounds(run, fuel, i, d)
      expect(calls.map((c) => c.round)).toEqual(rs.map((_, j) => i + j))
      calls.forEach((c, j) => expect(c.digest).toBe(j === 0 ? d : rs[j - 1]!.digest))
    }), runs)
  })

  // @lean Hydrogen.Research.Spiral.rounds_head
  it("rounds_head: with fuel left the first round run is run i d", () => {
    fc.assert(fc.property(tableArb, maxArb, fc.integer({ min: 0, max: 5 }), fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }), (t, fuel, i, d) => {
      const rs = rounds(runOf(t).run, fuel + 1, i, d)
      expect(rs[0]).toBe(runOf(t).run(i, d))
    }), runs)
  })

  // @lean Hydrogen.Research.Spiral.rounds_length_le
  // @lean Hydrogen.Research.Spiral.rounds_length_pos
  it("rounds_length_le, rounds_length_pos: from any round and digest, between 1 and fuel rounds (0 without fuel)", () => {
    fc.assert(fc.property(tableArb, maxArb, fc.integer({ min: 0, max: 5 }), fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }), (t, fuel, i, d) => {
      const n = rounds(runOf(t).run, fuel, i, d).length
      expect(n).toBeLessThanOrEqual(fuel)
      if (fuel > 0) expect(n).toBeGreaterThan(0)
    }), runs)
  })

  // @lean Hydrogen.Research.Spiral.spiral_stops_first
  // @lean Hydrogen.Research.Spiral.rounds_dropLast
  it("spiral_stops_first, rounds_dropLast: the loop stops at the first agreed or impossible round — no earlier round stops", () => {
    fc.assert(fc.property(tableArb, maxArb, (t, m) => {
      const rs = spiral(runOf(t).run, m).rounds
      for (const r of rs.slice(0, -1)) expect(stops(r)).toBe(false)
    }), runs)
  })

  // @lean Hydrogen.Research.Spiral.spiral_converged_iff
  it("spiral_converged_iff: converged exactly when the last round reached the quorum", () => {
    fc.assert(fc.property(tableArb, maxArb, (t, m) => {
      const mission = spiral(runOf(t).run, m)
      expect(mission.converged).toBe(mission.rounds.length > 0 && mission.rounds[mission.rounds.length - 1]!.agreed)
    }), runs)
  })

  // @lean Hydrogen.Research.Spiral.spiral_converged_of_agreed
  it("spiral_converged_of_agreed: an agreed round anywhere means the mission converged", () => {
    fc.assert(fc.property(tableArb, maxArb, (t, m) => {
      const mission = spiral(runOf(t).run, m)
      if (mission.rounds.some((r) => r.agreed)) expect(mission.converged).toBe(true)
    }), runs)
  })

  // @lean Hydrogen.Research.Spiral.spiral_level_converged
  it("spiral_level_converged: a converged mission has the level of its agreeing (last) round", () => {
    fc.assert(fc.property(tableArb, maxArb, (t, m) => {
      const mission = spiral(runOf(t).run, m)
      const last = mission.rounds[mission.rounds.length - 1]
      if (mission.converged) {
        expect(last?.agreed).toBe(true)
        expect(mission.level).toBe(last!.level)
      }
    }), runs)
  })

  // @lean Hydrogen.Research.Spiral.spiral_level_low
  it("spiral_level_low: a mission that did not converge is LOW, whatever its rounds' levels", () => {
    fc.assert(fc.property(tableArb, maxArb, (t, m) => {
      const mission = spiral(runOf(t).run, m)
      if (!mission.converged) expect(mission.level).toBe("low")
    }), runs)
  })

  // @lean Hydrogen.Research.Spiral.spiral_length_eq
  // @lean Hydrogen.Research.Spiral.rounds_length_eq
  it("spiral_length_eq, rounds_length_eq: without a round that found no quorum, a mission that did not converge ran all maxRounds", () => {
    fc.assert(fc.property(tableArb, maxArb, (t, m) => {
      const mission = spiral(runOf(t).run, m)
      if (!mission.converged && mission.rounds.every((r) => !r.impossible)) expect(mission.rounds.length).toBe(m)
    }), runs)
    // and the cases occur: all non-stopping rounds
    const never: Round<number> = { agreed: false, impossible: false, level: "high", digest: 1 }
    expect(spiral(runOf([never]).run, 7).rounds.length).toBe(7)
  })

  // @lean Hydrogen.Research.Spiral.spiral_may_not_converge
  it("spiral_may_not_converge: a run that never agrees ends LOW after maxRounds rounds", () => {
    fc.assert(fc.property(maxArb, (m) => {
      const mission = spiral(() => ({ agreed: false, impossible: false, level: "medium", digest: undefined }), m)
      expect(mission.converged).toBe(false)
      expect(mission.level).toBe("low")
      expect(mission.rounds.length).toBe(m)
    }), runs)
  })

  it("the seed's max_rounds = 3: an impossible quorum stops after round 1, an agreement in round 2 stops there", () => {
    const r = (agreed: boolean, impossible: boolean): Round<null> => ({ agreed, impossible, level: agreed ? "high" : "medium", digest: null })
    expect(spiral(() => r(false, true), 3)).toMatchObject({ converged: false, level: "low" })
    expect(spiral(() => r(false, true), 3).rounds.length).toBe(1)
    const script = [r(false, false), r(true, false), r(true, false)]
    const m = spiral((i) => script[i - 1]!, 3)
    expect(m).toMatchObject({ converged: true, level: "high" })
    expect(m.rounds.length).toBe(2)
  })

  // @lean Hydrogen.Research.Spiral.roundLevel_not_high
  it("roundLevel_not_high: without the quorum a round is never HIGH, and otherwise it is the seed's level", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), (n, k) => {
      expect(roundLevel(n, k, false)).not.toBe("high")
      expect(roundLevel(n, k, true)).toBe(level(n, k))
      // below HIGH nothing is capped
      if (10 * k < 7 * n) expect(roundLevel(n, k, false)).toBe(level(n, k))
    }), runs)
  })

  // @lean Hydrogen.Research.Spiral.nextSupport
  // @lean Hydrogen.Research.Spiral.supportRun
  it("nextSupport, supportRun: support is the previous one plus the round's gain, kept in [0, n]; agreed when possible and q ≤ support", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: -40, max: 40 }), (n, prev, g) => {
      const k = nextSupport(n, prev, g)
      expect(k >= 0 && k <= n).toBe(true)
      if (prev + g >= 0 && prev + g <= n) expect(k).toBe(prev + g)
    }), runs)
    const run = supportRun(10, 7, false, [4, 2, 3])
    const m = spiral(run, 3)
    // 4, then 6, then 9 ≥ 7: HIGH in round 3
    expect(m.rounds.map((r) => r.digest)).toEqual([4, 6, 9])
    expect(m).toMatchObject({ converged: true, level: "high" })
    expect(spiral(supportRun(10, 7, true, [10]), 3)).toMatchObject({ converged: false, level: "low" })
    expect(spiral(supportRun(10, 7, true, [10]), 3).rounds).toEqual([{ agreed: false, impossible: true, level: "medium", digest: 10 }])
  })

  // @lean Hydrogen.Research.Spiral.spiral_rounds
  it("spiral_rounds: a mission's rounds are the rounds run from round 1 with no digest, maxRounds of fuel", () => {
    fc.assert(fc.property(tableArb, maxArb, (t, m) => {
      expect(spiral(runOf(t).run, m).rounds).toEqual(rounds(runOf(t).run, m, 1, undefined))
    }), runs)
  })

  // @lean Hydrogen.Research.Spiral.spent_le
  // @lean Hydrogen.Research.Spiral.spiral_spent_le
  it("spent_le, spiral_spent_le: with every round within t, rounds spend at most their number times t, a mission at most maxRounds · t", () => {
    fc.assert(fc.property(tableArb, maxArb, fc.integer({ min: 0, max: 50 }), fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 21, maxLength: 21 }), (t, m, bound, raw) => {
      const cost = (r: Round<number>) => Math.min(bound, raw[r.digest]!)
      const mission = spiral(runOf(t).run, m)
      expect(spent(cost, mission.rounds)).toBeLessThanOrEqual(mission.rounds.length * bound)
      expect(spent(cost, mission.rounds)).toBeLessThanOrEqual(m * bound)
      // and it is the sum over the rounds run
      expect(spent(cost, mission.rounds)).toBe(mission.rounds.map(cost).reduce((a, b) => a + b, 0))
    }), runs)
  })

  /** A mission that never converges, rounds within the seed's limits. */
  const divergent = (m: number) => spiral(() => ({ agreed: false, impossible: false, level: "medium" as const, digest: null }), m)

  // @lean Hydrogen.Research.Spiral.seed_time
  it("seed_time: rounds of 90 + 30 = 120 s give 360 s for the seed's max_rounds = 3, over its duration ≤ 300 s; 3 rounds of 90 s fit", () => {
    expect(spent(() => 90 + 30, divergent(3).rounds)).toBe(360)
    expect(spent(() => 90 + 30, divergent(3).rounds)).toBeGreaterThan(300)
    expect(spent(() => 90, divergent(3).rounds)).toBeLessThanOrEqual(300)
  })

  // @lean Hydrogen.Research.Spiral.seed_space
  // @lean Hydrogen.Research.Spiral.seed_tokens
  it("seed_space, seed_tokens: 5,000 + 10 · 2,000 = 25,000 characters a researcher, 250,000 for ten a round, 750,000 kept over 3 rounds; 500 + 1,000 + 800 = 2,300 tokens", () => {
    const perResearcher = 5000 + 10 * 2000
    expect(perResearcher).toBe(25000)
    expect(spent(() => 10 * perResearcher, divergent(1).rounds)).toBe(250000)
    expect(spent(() => 10 * perResearcher, divergent(3).rounds)).toBe(750000)
    expect(500 + 1000 + 800).toBe(2300)
  })

  // @lean Hydrogen.Research.Spiral.seed_cost
  it("seed_cost: in 10⁻⁸ $, ten researchers at 2,300 tokens cost 230,000 and 575,000; the mixed roster 1,311,000 over 3 rounds, under the claimed 3,000,000", () => {
    // price per token in units of 10⁻⁸ $: $0.10/M = 10, $0.25/M = 25, $1.00/M = 100
    const roster = (prices: number[]) => prices.reduce((a, p) => a + 2300 * p, 0)
    expect(roster(Array(10).fill(10))).toBe(230000)
    expect(roster(Array(10).fill(25))).toBe(575000)
    const mixed = [10, 10, 10, 10, 25, 25, 25, 25, 25, 25]
    expect(spent(() => roster(mixed), divergent(3).rounds)).toBe(1311000)
    expect(spent(() => roster(mixed), divergent(3).rounds)).toBeLessThan(3000000)
    expect(spent(() => roster([10, 10, 10, 10, 100, 100, 100, 100, 100, 100]), divergent(3).rounds)).toBe(4416000)
    // the $0.10 budget (10⁷) is passed by ten researchers at $1.45/M for 3 rounds, or $4.35/M for one
    expect(spent(() => roster(Array(10).fill(145)), divergent(3).rounds)).toBeGreaterThan(10_000_000)
    expect(spent(() => roster(Array(10).fill(435)), divergent(1).rounds)).toBeGreaterThan(10_000_000)
  })

  it("rejects a fuel or round number that is not a natural number", () => {
    expect(() => spiral(() => ({ agreed: true, impossible: false, level: "high", digest: 0 }), -1)).toThrow()
    expect(() => spiral(() => ({ agreed: true, impossible: false, level: "high", digest: 0 }), 1.5)).toThrow()
    expect(() => nextSupport(3, 0, 0.5)).toThrow()
  })
})
