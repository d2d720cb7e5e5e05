import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as Result from "effect/Result"
import {
  annealedSelect, decodePosteriorTable, exploitCount, exploitTenths, exploreCount, makeRng, mean, observe, prior, sampleBeta,
  softmax, temperature, thompsonSelect, update, varDen, varNum, type Beta,
} from "../../src/Research/Bandit.ts"

// Properties restate the theorems of lean/Hydrogen/Research/Bandit.lean; expected
// values are counted here from the observations or are the seed's numbers.
// Statistical checks use fixed seeds and fixed sample counts, so they replay exactly.

const counts = fc.record({ alpha: fc.nat({ max: 1000 }), beta: fc.nat({ max: 1000 }) })
const obsArb = fc.array(fc.boolean(), { maxLength: 60 })
const runs = { numRuns: 300 } as const
const countOf = (obs: boolean[], v: boolean) => obs.filter((x) => x === v).length

describe("Hydrogen.Research.Beta posteriors", () => {
  // @lean Hydrogen.Research.Beta.update_comm
  it("update_comm: two updates commute", () => {
    fc.assert(fc.property(counts, fc.boolean(), fc.boolean(), (b, x, y) => {
      expect(update(update(b, x), y)).toEqual(update(update(b, y), x))
    }), runs)
  })

  // @lean Hydrogen.Research.Beta.observe_eq
  it("observe_eq: α = α₀ + successes, β = β₀ + failures", () => {
    fc.assert(fc.property(counts, obsArb, (b, obs) => {
      expect(observe(b, obs)).toEqual({ alpha: b.alpha + countOf(obs, true), beta: b.beta + countOf(obs, false) })
    }), runs)
  })

  // @lean Hydrogen.Research.Beta.observe_perm
  it("observe_perm: the order of observations does not matter", () => {
    fc.assert(fc.property(counts, obsArb.chain((o) => fc.tuple(fc.constant(o), fc.shuffledSubarray(o, { minLength: o.length, maxLength: o.length }))),
      (b, [xs, ys]) => { expect(observe(b, xs)).toEqual(observe(b, ys)) }), runs)
  })

  // @lean Hydrogen.Research.Beta.observe_append
  it("observe_append: observing xs ++ ys is observing xs then ys", () => {
    fc.assert(fc.property(counts, obsArb, obsArb, (b, xs, ys) => {
      expect(observe(b, [...xs, ...ys])).toEqual(observe(observe(b, xs), ys))
    }), runs)
  })

  // @lean Hydrogen.Research.Beta.observe_prior
  it("observe_prior: from Beta(1, 1), α = successes + 1 and β = failures + 1 (the seed's rule)", () => {
    fc.assert(fc.property(obsArb, (obs) => {
      expect(observe(prior, obs)).toEqual({ alpha: countOf(obs, true) + 1, beta: countOf(obs, false) + 1 })
    }), runs)
  })

  // @lean Hydrogen.Research.Beta.observe_total
  it("observe_total: α + β grows by the number of observations", () => {
    fc.assert(fc.property(counts, obsArb, (b, obs) => {
      const p = observe(b, obs)
      expect(p.alpha + p.beta).toBe(b.alpha + b.beta + obs.length)
    }), runs)
  })

  // @lean Hydrogen.Research.Beta.variance_can_grow
  it("variance_can_grow: one failure after ten successes widens the posterior (10/1452 < 20/1872)", () => {
    const before: Beta = { alpha: 10, beta: 1 }
    const after = update(before, false)
    expect([varNum(before), varDen(before)]).toEqual([10, 11 * 11 * 12])
    expect([varNum(after), varDen(after)]).toEqual([20, 12 * 12 * 13])
    expect(10 * 1872).toBeLessThan(20 * 1452)
  })

  // @lean Hydrogen.Research.Beta.variance_le_envelope
  it("variance_le_envelope: Var(α, β) ≤ 1 / (4(α + β + 1))", () => {
    fc.assert(fc.property(counts, (b) => {
      expect(4 * varNum(b) * (b.alpha + b.beta + 1)).toBeLessThanOrEqual(varDen(b))
    }), runs)
  })

  // @lean Hydrogen.Research.Beta.envelope_shrinks
  it("envelope_shrinks: every observation raises α + β + 1 by one", () => {
    fc.assert(fc.property(counts, fc.boolean(), (b, x) => {
      const u = update(b, x)
      expect(u.alpha + u.beta + 1).toBe(b.alpha + b.beta + 2)
    }), runs)
  })
})

describe("Hydrogen.Research annealing schedule", () => {
  const k = fc.nat({ max: 10_000 })
  const round = fc.nat({ max: 20 })

  // @lean Hydrogen.Research.exploit_add_explore
  it("exploit_add_explore: top-k picks plus Thompson picks are exactly k", () => {
    fc.assert(fc.property(k, round, (k, r) => {
      expect(exploitCount(k, r)).toBeGreaterThanOrEqual(0)
      expect(exploitCount(k, r)).toBeLessThanOrEqual(k)
      expect(exploitCount(k, r) + exploreCount(k, r)).toBe(k)
    }), runs)
  })

  // @lean Hydrogen.Research.exploitCount_le
  it("exploitCount_le: a round never picks more than k by top-k", () => {
    fc.assert(fc.property(k, round, (k, r) => {
      expect(exploitCount(k, r)).toBeLessThanOrEqual(k)
    }), runs)
  })

  // @lean Hydrogen.Research.exploitTenths_mono
  it("exploitTenths_mono: the top-k share (in tenths: 0, 5, 8) never falls from one round to a later one", () => {
    fc.assert(fc.property(round, round, (r, s) => {
      const [lo, hi] = r <= s ? [r, s] : [s, r]
      expect(exploitTenths(lo)).toBeLessThanOrEqual(exploitTenths(hi))
    }), runs)
    expect([0, 1, 2, 3, 4].map(exploitTenths)).toEqual([0, 0, 5, 8, 8])
  })

  // @lean Hydrogen.Research.exploitCount_mono
  it("exploitCount_mono: a later round never exploits less", () => {
    fc.assert(fc.property(k, round, round, (k, r, s) => {
      const [lo, hi] = r <= s ? [r, s] : [s, r]
      expect(exploitCount(k, lo)).toBeLessThanOrEqual(exploitCount(k, hi))
    }), runs)
  })

  // @lean Hydrogen.Research.round1_all_thompson
  it("round1_all_thompson: round 1 picks only by Thompson sampling", () => {
    fc.assert(fc.property(k, (k) => { expect(exploitCount(k, 1)).toBe(0) }), runs)
  })

  // @lean Hydrogen.Research.schedule_seed
  it("schedule_seed: ten researchers split 0/10, 5/5, 8/2 over rounds 1–3", () => {
    expect([1, 2, 3].map((r) => [exploitCount(10, r), exploreCount(10, r)])).toEqual([[0, 10], [5, 5], [8, 2]])
  })

  // @lean Hydrogen.Research.round3_not_all_topk
  it("round3_not_all_topk: round 3's 80/20 split is all top-k only for k = 0", () => {
    fc.assert(fc.property(k, (k) => { expect(exploitCount(k, 3) === k).toBe(k === 0) }), runs)
  })

  it("temperature falls 1.0, 0.5, 0.1 and a lower temperature puts more weight on the best θ", () => {
    expect([1, 2, 3].map(temperature)).toEqual([1, 0.5, 0.1])
    fc.assert(fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 12 }), (thetas) => {
      const best = thetas.indexOf(Math.max(...thetas))
      const ps = [1, 0.5, 0.1].map((t) => softmax(thetas, t)[best]!)
      expect(ps[0]!).toBeLessThanOrEqual(ps[1]! + 1e-12)
      expect(ps[1]!).toBeLessThanOrEqual(ps[2]! + 1e-12)
    }), runs)
  })
})

describe("seeded sampling", () => {
  it("the generator stays in the open interval (0, 1) and replays from its seed", () => {
    const a = makeRng(7), b = makeRng(7)
    const xs = Array.from({ length: 10_000 }, () => a.next())
    expect(xs.every((x) => x > 0 && x < 1)).toBe(true)
    expect(xs.map(() => b.next())).toEqual(xs)
    expect(makeRng(8).next()).not.toBe(xs[0])
  })

  it("Beta samples: mean within 5 standard errors of α/(α+β), derived from the Beta variance (fixed seed, 20,000 draws)", () => {
    const n = 20_000
    for (const [alpha, beta] of [[1, 1], [2, 5], [30, 3], [0.5, 0.5], [0.3, 2]] as const) {
      const rng = makeRng(1234)
      let s = 0, s2 = 0, inside = true
      for (let i = 0; i < n; i++) {
        const x = sampleBeta(rng, alpha, beta)
        inside &&= x >= 0 && x <= 1
        s += x; s2 += x * x
      }
      expect(inside).toBe(true)
      const m = alpha / (alpha + beta)
      const v = (alpha * beta) / ((alpha + beta) ** 2 * (alpha + beta + 1))
      expect(Math.abs(s / n - m)).toBeLessThan(5 * Math.sqrt(v / n))
      // the sample variance within 10 % of the Beta variance
      expect(Math.abs(s2 / n - (s / n) ** 2 - v)).toBeLessThan(0.1 * v)
    }
  })

  it("Thompson sampling picks the best of five Bernoulli arms most often after 3,000 seeded rounds", () => {
    const p = [0.2, 0.45, 0.5, 0.7, 0.3]
    const pickRng = makeRng(42), worldRng = makeRng(99)
    let roster: Beta[] = p.map(() => prior)
    const picks = p.map(() => 0)
    const late = p.map(() => 0)
    for (let t = 0; t < 3000; t++) {
      const [i] = thompsonSelect(pickRng, roster, 1) as [number]
      picks[i]!++
      if (t >= 2000) late[i]!++
      roster = roster.map((b, j) => (j === i ? update(b, worldRng.next() < p[i]!) : b))
    }
    expect(picks.indexOf(Math.max(...picks))).toBe(3)
    expect(late[3]!).toBeGreaterThan(800) // > 80 % of the last 1,000 rounds
    expect(mean(roster[3]!)).toBeGreaterThan(0.6)
  })

  it("thompsonSelect returns k distinct researchers", () => {
    fc.assert(fc.property(fc.array(counts.map((b) => ({ alpha: b.alpha + 1, beta: b.beta + 1 })), { minLength: 1, maxLength: 20 }), fc.nat(), fc.nat(),
      (roster, kk, seed) => {
        const k = kk % (roster.length + 1)
        const s = thompsonSelect(makeRng(seed), roster, k)
        expect(s.length).toBe(k)
        expect(new Set(s).size).toBe(k)
        expect(s.every((i) => i >= 0 && i < roster.length)).toBe(true)
      }), runs)
    expect(() => thompsonSelect(makeRng(1), [prior], 2)).toThrow(RangeError)
  })

  it("annealedSelect in round 3 takes the 8 best posterior means first, then 2 Thompson picks among the rest", () => {
    const roster: Beta[] = Array.from({ length: 14 }, (_, i) => ({ alpha: 1 + ((i * 7) % 13), beta: 1 + ((i * 5) % 11) }))
    const byMean = roster.map((b, i) => [b.alpha / (b.alpha + b.beta), i] as const).sort((x, y) => y[0] - x[0] || x[1] - y[1])
    const s = annealedSelect(makeRng(5), roster, 10, 3)
    expect(s.slice(0, 8)).toEqual(byMean.slice(0, 8).map(([, i]) => i))
    expect(new Set(s).size).toBe(10)
    const r1 = annealedSelect(makeRng(5), roster, 10, 1)
    expect(new Set(r1).size).toBe(10)
  })
})

describe("posterior table boundary", () => {
  it("decodes counts ≥ 1 and names bad input with a typed error", () => {
    const ok = decodePosteriorTable("roster.json", { a: { alpha: 3, beta: 1 } })
    expect(Result.isSuccess(ok) && ok.success["a"]).toEqual({ alpha: 3, beta: 1 })
    for (const bad of [{ a: { alpha: 0, beta: 1 } }, { a: { alpha: 1.5, beta: 1 } }, { a: { alpha: 1 } }, [1]]) {
      const r = decodePosteriorTable("roster.json", bad)
      expect(Result.isFailure(r)).toBe(true)
      if (Result.isFailure(r)) {
        expect(r.failure._tag).toBe("PosteriorTableError")
        expect(r.failure.where).toBe("roster.json")
      }
    }
  })
})
