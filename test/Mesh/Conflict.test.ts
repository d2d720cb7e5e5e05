/** Conflict records, priorities and the seed's resolution strategies (002 Part 5.1). */
import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import {
  branchAndReconcile,
  classifyPriority,
  clockReconciliation,
  conflictKinds,
  decodeConflict,
  decodeKind,
  decodeStrategy,
  escalation,
  makeConflict,
  priorityClass,
  provenanceTrace,
  quarantine,
  resolutionOrder,
  suggestStrategy,
  type ConflictRecord,
} from "../../src/Mesh/Conflict.ts"

describe("classification (classify_conflict_priority)", () => {
  it("follows the seed branch for branch, at the thresholds' edges", () => {
    expect(classifyPriority({ kind: "CONTEXT_DIVERGENCE", divergenceDepth: 10 })).toBe(2)
    expect(classifyPriority({ kind: "CONTEXT_DIVERGENCE", divergenceDepth: 11 })).toBe(3)
    expect(classifyPriority({ kind: "DATA_CONTRADICTION", affectsAgentCount: 100 })).toBe(2)
    expect(classifyPriority({ kind: "DATA_CONTRADICTION", affectsAgentCount: 101 })).toBe(3)
    expect(classifyPriority({ kind: "TEMPORAL_PARADOX" })).toBe(4)
    expect(classifyPriority({ kind: "CAPABILITY_MISMATCH" })).toBe(1)
    expect(classifyPriority({ kind: "HASH_MISMATCH" })).toBe(4)
    expect([0, 1, 2, 3, 4].map((p) => priorityClass(p as 0))).toEqual(["BACKGROUND", "LOW", "MEDIUM", "HIGH", "CRITICAL"])
  })

  it("escalates priority ≥ 3 to the sector coordinator and ≥ 4 to the orchestrator as well", () => {
    expect([0, 1, 2, 3, 4].map((p) => escalation(p as 0))).toEqual([[], [], [], ["sector"], ["sector", "orchestrator"]])
  })

  it("unknown kinds and strategies are typed errors naming the value; known ones decode", () => {
    const k = decodeKind("COSMIC_RAY")
    expect(Result.isFailure(k) && [k.failure._tag, k.failure.value]).toEqual(["UnknownConflictKind", "COSMIC_RAY"])
    const s = decodeStrategy("FLIP_A_COIN")
    expect(Result.isFailure(s) && s.failure._tag).toBe("UnknownStrategy")
    for (const kind of conflictKinds) expect(Result.getOrThrow(decodeKind(kind))).toBe(kind)
    expect(Result.getOrThrow(decodeStrategy("PROVENANCE_TRACE"))).toBe("PROVENANCE_TRACE")
  })

  it("suggests the seed's strategy for the three kinds it lists, and NoStrategy for the others", () => {
    expect(Result.getOrThrow(suggestStrategy("CONTEXT_DIVERGENCE"))).toBe("BRANCH_AND_RECONCILE")
    expect(Result.getOrThrow(suggestStrategy("DATA_CONTRADICTION"))).toBe("PROVENANCE_TRACE")
    expect(Result.getOrThrow(suggestStrategy("TEMPORAL_PARADOX"))).toBe("CLOCK_RECONCILIATION")
    for (const kind of ["CAPABILITY_MISMATCH", "HASH_MISMATCH"] as const) {
      const r = suggestStrategy(kind)
      expect(Result.isFailure(r) && r.failure._tag).toBe("NoStrategy")
    }
  })
})

describe("strategies", () => {
  it("BRANCH_AND_RECONCILE keeps both branches from the convergence point; differing branches go to a human", () => {
    const r = branchAndReconcile(["a", "b", "c", "x"], ["a", "b", "y"])
    expect([r.convergedAt, r.branchA, r.branchB, r.outcome._tag]).toEqual([2, ["c", "x"], ["y"], "HumanReview"])
    const ext = branchAndReconcile(["a", "b"], ["a", "b", "c"])
    expect([ext.convergedAt, ext.branchA, ext.branchB, ext.outcome._tag]).toEqual([2, [], ["c"], "Settled"])
  })

  it("branching property: both histories are the common prefix followed by their own branch", () => {
    const hist = fc.array(fc.constantFrom("a", "b", "c"), { maxLength: 8 })
    fc.assert(
      fc.property(hist, hist, (a, b) => {
        const r = branchAndReconcile(a, b)
        expect([...a.slice(0, r.convergedAt), ...r.branchA]).toEqual(a)
        expect([...b.slice(0, r.convergedAt), ...r.branchB]).toEqual(b)
        expect(a.slice(0, r.convergedAt)).toEqual(b.slice(0, r.convergedAt))
        // The prefix is the longest: the branches do not start with the same entry.
        if (r.branchA.length > 0 && r.branchB.length > 0) expect(r.branchA[0]).not.toBe(r.branchB[0])
      }),
    )
  })

  it("PROVENANCE_TRACE prefers a primary origin, then the shorter chain, and names the weaker holder to update; a tie goes to a human", () => {
    const primary = { value: "42", chain: ["registry", "s1", "s2", "s3"], primary: true }
    const copy = { value: "41", chain: ["cache", "s9"], primary: false }
    const r = provenanceTrace(copy, primary)
    expect([r.keep?.value, r.update, r.outcome._tag]).toEqual(["42", "s9", "Settled"])
    const short = { value: "7", chain: ["registry"], primary: true }
    expect(provenanceTrace(primary, short).keep?.value).toBe("7")
    expect(provenanceTrace({ ...copy, value: "x" }, { ...copy, value: "y" }).outcome._tag).toBe("HumanReview")
  })

  it("CLOCK_RECONCILIATION lists effects not after their causes (and unknown causes) and rebuilds the chain by Lamport time", () => {
    const ok = clockReconciliation([
      { id: "c", lamport: 3, causes: ["b"] },
      { id: "a", lamport: 1, causes: [] },
      { id: "b", lamport: 2, causes: ["a"] },
    ])
    expect([ok.violations, ok.chain, ok.outcome._tag]).toEqual([[], ["a", "b", "c"], "Settled"])
    const bad = clockReconciliation([
      { id: "a", lamport: 5, causes: [] },
      { id: "b", lamport: 5, causes: ["a", "ghost"] },
    ])
    expect([bad.violations, bad.outcome._tag]).toEqual([[["b", "a"], ["b", "ghost"]], "HumanReview"])
  })
})

describe("records", () => {
  const base = makeConflict({
    conflictId: "c1",
    operationId: "op1",
    agents: ["S1-C1-A1", "S1-C1-A2"],
    detail: { kind: "TEMPORAL_PARADOX" },
    detectedAt: 1_700_000_000_000,
  })

  it("makeConflict classifies, suggests and escalates (on_conflict_received)", () => {
    expect(base).toEqual({
      conflictId: "c1",
      operationId: "op1",
      agents: ["S1-C1-A1", "S1-C1-A2"],
      kind: "TEMPORAL_PARADOX",
      priority: 4,
      priorityClass: "CRITICAL",
      detectedAt: 1_700_000_000_000,
      strategy: "CLOCK_RECONCILIATION",
      resolution: { _tag: "Escalated", to: "orchestrator" },
    })
    const low = makeConflict({ conflictId: "c2", operationId: "op", agents: ["a"], detail: { kind: "CAPABILITY_MISMATCH" }, detectedAt: 0 })
    expect([low.priorityClass, low.strategy, low.resolution]).toEqual(["LOW", "NONE", { _tag: "Pending" }])
    expect(Result.getOrThrow(decodeConflict(base))).toEqual(base)
  })

  it("bad records are rejected with every offending field named", () => {
    const raw = { ...base, agents: [], kind: "OOPS", detectedAt: -1, priority: 9, resolution: { _tag: "Escalated", to: "moon" } }
    const r = decodeConflict(raw)
    expect(Result.isFailure(r)).toBe(true)
    const fields = Result.isFailure(r) ? r.failure.issues.map((i) => i.field) : []
    for (const f of ["agents", "kind", "detectedAt", "priority", "resolution"]) expect(fields.some((x) => x.startsWith(f))).toBe(true)
    const mismatch = decodeConflict({ ...base, priorityClass: "LOW" })
    expect(Result.isFailure(mismatch) && mismatch.failure.issues[0]?.field).toBe("priorityClass")
    expect(Result.isFailure(decodeConflict("not a record"))).toBe(true)
  })

  it("quarantine never overwrites; resolution order is priority first, then detection time", () => {
    const q = quarantine(new Map(), { conflictId: "c1", sourceAgent: "a", sourceOperation: "op", data: "first" })
    const q2 = quarantine(q, { conflictId: "c1", sourceAgent: "b", sourceOperation: "op", data: "second" })
    expect(q2.get("c1")?.data).toBe("first")
    const mk = (id: string, priority: 0 | 4, t: number): ConflictRecord => ({ ...base, conflictId: id, priority, priorityClass: priorityClass(priority), detectedAt: t })
    const sorted = [mk("x", 0, 1), mk("y", 4, 9), mk("z", 4, 3)].sort(resolutionOrder).map((r) => r.conflictId)
    expect(sorted).toEqual(["z", "y", "x"])
  })
})
