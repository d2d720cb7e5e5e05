import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import {
  decodeResponses,
  quorum,
  quorumCheck,
  seedThresholds,
  type Tally,
  tally,
  type Thresholds,
  total,
  type Vote,
} from "../../src/Mesh/Trinary.ts"

// The conditions below restate the Lean definitions `proceedCond`, `waitCond`,
// `resolveCond`, `retryCond` with exact rationals (BigInt cross-products),
// written independently of `quorum`'s branch order.

const count = fc.integer({ min: 0, max: 1e9 })
const tallies = fc.record({ ready: count, transit: count, conflict: count })
const ratio = fc.record({ num: fc.integer({ min: 0, max: 1000 }), den: fc.integer({ min: 1, max: 1000 }) })
const thresholds = fc.record({ ready: ratio, conflict: ratio, transit: ratio })
const runs = { numRuns: 1000 } as const

/** `x / n` against `num / den`: sign of `x·den − num·n`. */
const cmp = (x: number, n: number, r: { num: number; den: number }): bigint => BigInt(x) * BigInt(r.den) - BigInt(r.num) * BigInt(n)

const proceedCond = (th: Thresholds, t: Tally) => {
  const n = t.ready + t.transit + t.conflict
  return n !== 0 && cmp(t.ready, n, th.ready) >= 0n && cmp(t.conflict, n, th.conflict) <= 0n
}
const waitCond = (th: Thresholds, t: Tally) => {
  const n = t.ready + t.transit + t.conflict
  return n === 0 || (cmp(t.ready, n, th.ready) < 0n && cmp(t.transit, n, th.transit) > 0n)
}
const resolveCond = (th: Thresholds, t: Tally) => {
  const n = t.ready + t.transit + t.conflict
  return n !== 0 && !proceedCond(th, t) && !waitCond(th, t) && cmp(t.conflict, n, th.conflict) > 0n
}
const retryCond = (th: Thresholds, t: Tally) => !proceedCond(th, t) && !waitCond(th, t) && !resolveCond(th, t)

describe("trinary_quorum_check", () => {
  // @lean Hydrogen.Mesh.quorum_spec
  it("quorum_spec: each decision is taken exactly when its condition holds", () => {
    fc.assert(fc.property(thresholds, tallies, (th, t) => {
      const d = quorum(th, t)
      return (d === "PROCEED") === proceedCond(th, t) && (d === "WAIT") === waitCond(th, t) &&
        (d === "RESOLVE_CONFLICTS") === resolveCond(th, t) && (d === "RETRY") === retryCond(th, t)
    }), runs)
  })

  // @lean Hydrogen.Mesh.quorum_exhaustive
  it("quorum_exhaustive: one of the four conditions always holds", () => {
    fc.assert(fc.property(thresholds, tallies, (th, t) =>
      proceedCond(th, t) || waitCond(th, t) || resolveCond(th, t) || retryCond(th, t)), runs)
  })

  // @lean Hydrogen.Mesh.quorum_exclusive
  it("quorum_exclusive: no two of the four conditions hold together", () => {
    fc.assert(fc.property(thresholds, tallies, (th, t) =>
      [proceedCond(th, t), waitCond(th, t), resolveCond(th, t), retryCond(th, t)].filter(Boolean).length === 1), runs)
  })

  // @lean Hydrogen.Mesh.quorum_proceed
  it("quorum_proceed: PROCEED implies some response, ready rate ≥ required and conflict rate ≤ max", () => {
    fc.assert(fc.property(thresholds, tallies, (th, t) => {
      if (quorum(th, t) !== "PROCEED") return true
      const n = total(t)
      return n > 0 && cmp(t.ready, n, th.ready) >= 0n && cmp(t.conflict, n, th.conflict) <= 0n
    }), runs)
  })

  // @lean Hydrogen.Mesh.quorum_proceed_seed_transit
  it("quorum_proceed_seed_transit: at the seed's thresholds PROCEED leaves at most 5 % in transit", () => {
    fc.assert(fc.property(tallies, (t) => quorum(seedThresholds, t) !== "PROCEED" || t.transit * 100 <= 5 * total(t)), runs)
  })

  // @lean Hydrogen.Mesh.quorum_empty
  it("quorum_empty: no responses decide WAIT (the seed divides by zero), never PROCEED", () => {
    const r = quorumCheck([])
    expect(r.decision).toBe("WAIT")
    expect(r.achieved).toBe(false)
    expect(r.reason).toBe("No responses yet")
    // even with a ready threshold of 0, which cross-multiplication alone would pass
    expect(quorum({ ...seedThresholds, ready: { num: 0, den: 1 } }, { ready: 0, transit: 0, conflict: 0 })).toBe("WAIT")
  })

  // @lean Hydrogen.Mesh.quorum_all_conflict
  it("quorum_all_conflict: every response in CONFLICT resolves conflicts first", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1e9 }), (n) => quorum(seedThresholds, { ready: 0, transit: 0, conflict: n }) === "RESOLVE_CONFLICTS"), runs)
    const r = quorumCheck(Array<Vote>(7).fill(-1))
    expect(r.reason).toBe("Conflict rate 100.0% exceeds threshold")
  })

  // @lean Hydrogen.Mesh.quorum_seed_examples
  it("quorum_seed_examples: worked cases per hundred at 0.95 / 0.05 / 0.10", () => {
    const at = (ready: number, transit: number, conflict: number) => quorum(seedThresholds, { ready, transit, conflict })
    expect(at(95, 0, 5)).toBe("PROCEED") // both thresholds met exactly
    expect(at(95, 5, 0)).toBe("PROCEED")
    expect(at(94, 6, 0)).toBe("RETRY") // not enough ready, transit within 10 %, no conflicts
    expect(at(80, 20, 0)).toBe("WAIT")
    expect(at(90, 0, 10)).toBe("RESOLVE_CONFLICTS")
    expect(at(96, 0, 4)).toBe("PROCEED")
    expect(at(85, 11, 4)).toBe("WAIT")
    expect(at(80, 12, 8)).toBe("WAIT") // the seed's order: 8 % conflict, yet WAIT comes first
  })

  it("thresholds are inclusive at exactly the boundary: 19 of 20 ready is 0.95, 1 of 20 conflict is 0.05", () => {
    expect(quorum(seedThresholds, { ready: 19, transit: 0, conflict: 1 })).toBe("PROCEED")
    expect(quorum(seedThresholds, { ready: 18, transit: 1, conflict: 1 })).toBe("RETRY")
  })

  // @lean Hydrogen.Mesh.tally_total
  it("tally_total: every response is counted exactly once", () => {
    fc.assert(fc.property(fc.array(fc.constantFrom<Vote>(1, 0, -1), { maxLength: 500 }), (vs) => {
      const t = tally(vs)
      return total(t) === vs.length && t.ready === vs.filter((v) => v === 1).length && t.conflict === vs.filter((v) => v === -1).length
    }), runs)
  })

  // @lean Hydrogen.Mesh.tally_total_aux
  it("tally_total_aux: counting more votes onto a tally adds exactly their number", () => {
    const votes = fc.array(fc.constantFrom<Vote>(1, 0, -1), { maxLength: 200 })
    fc.assert(fc.property(votes, votes, (xs, ys) => total(tally([...xs, ...ys])) === total(tally(xs)) + ys.length), runs)
  })

  it("reports the seed's confidence ready_rate − conflict_rate / 2 on PROCEED", () => {
    const votes: Vote[] = [...Array<Vote>(96).fill(1), ...Array<Vote>(4).fill(-1)]
    const r = quorumCheck(votes)
    expect(r).toMatchObject({ achieved: true, decision: "PROCEED", tally: { ready: 96, transit: 0, conflict: 4 } })
    expect(r.confidence).toBeCloseTo(0.94, 12)
  })
})

describe("the response boundary", () => {
  it("decodes well-formed responses", () => {
    const r = decodeResponses([{ agent_id: "a", trinary_state: 1 }, { agent_id: "b", trinary_state: -1 }])
    expect(Result.isSuccess(r) && r.success.length).toBe(2)
  })

  it("rejects a state outside {+1, 0, −1} naming the element and field", () => {
    const r = decodeResponses([{ agent_id: "a", trinary_state: 1 }, { agent_id: "b", trinary_state: 2 }])
    expect(Result.isFailure(r)).toBe(true)
    if (Result.isFailure(r)) {
      expect(r.failure._tag).toBe("ResponseDecodeError")
      expect(r.failure.issues.map((i) => i.field)).toEqual(["1.trinary_state"])
    }
  })

  it("rejects a missing agent id and a non-list", () => {
    const r = decodeResponses([{ trinary_state: 0 }])
    expect(Result.isFailure(r) && r.failure.issues.map((i) => i.field)).toEqual(["0.agent_id"])
    expect(Result.isFailure(decodeResponses({ responses: [] }))).toBe(true)
  })
})
