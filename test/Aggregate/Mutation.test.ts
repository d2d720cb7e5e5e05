/**
 * Mutation tests: the law checkers used for the real monoids and trees must
 * catch deliberately broken implementations, and the typed fast path must
 * agree with a plain sequential loop.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { AggregationMonoid } from "../../src/Aggregate/Monoid.ts"
import { Max, Sum } from "../../src/Aggregate/Numeric.ts"
import { aggregate, aggregateKaryTyped, type Tree, type TypedOp } from "../../src/Aggregate/Tree.ts"
import { allPassed, checkAggregateEqFoldLeaves, checkMergeAgainst, checkMonoidLaws, intArb } from "./laws.ts"

const maxArb = fc.oneof(intArb, fc.constant(Number.NEGATIVE_INFINITY))

/** Mutant: Max whose merge is min (identity still -Infinity). */
const MutantMax: AggregationMonoid<number> = { ...Max, merge: (a, b) => Math.min(a, b) }

/** Mutant tree fold: drops the last child of every node. */
const droppingAggregate = <A>(M: AggregationMonoid<A>, t: Tree<A>): A => {
  if (t.tag === "leaf") return t.value
  let acc = M.empty
  for (let i = t.children.length - 2; i >= 0; i--) acc = M.merge(droppingAggregate(M, t.children[i] as Tree<A>), acc)
  return acc
}

/** Plain sequential reference loops (left to right, no tree). */
const sequential = (op: TypedOp, xs: Float64Array): number => {
  let acc = op === "max" ? Number.NEGATIVE_INFINITY : op === "min" ? Number.POSITIVE_INFINITY : 0
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] as number
    if (op === "max") acc = x > acc ? x : acc
    else if (op === "min") acc = x < acc ? x : acc
    else acc += x
  }
  return acc
}

describe("mutation: law checkers catch broken merges", () => {
  it("the monoid-law checker passes the real Max and fails a Max whose merge is min", () => {
    const real = checkMonoidLaws(Max, maxArb)
    expect(allPassed(real)).toBe(true)
    const mutant = checkMonoidLaws(MutantMax, maxArb)
    expect(allPassed(mutant)).toBe(false)
    // min with identity -Infinity: empty ⊕ a = -Infinity ≠ a
    expect(mutant.emptyMerge.failed).toBe(true)
    expect(mutant.mergeEmpty.failed).toBe(true)
    // the max-against-reference check also separates them
    const ref = (a: number, b: number) => (a < b ? b : a)
    expect(checkMergeAgainst(Max, maxArb, ref).failed).toBe(false)
    expect(checkMergeAgainst(MutantMax, maxArb, ref).failed).toBe(true)
  })

  it("aggregate_eq_fold_leaves holds for the real tree fold and fails for one dropping each node's last child", () => {
    expect(checkAggregateEqFoldLeaves(Sum, aggregate, intArb).failed).toBe(false)
    const mutant = checkAggregateEqFoldLeaves(Sum, droppingAggregate, intArb)
    expect(mutant.failed).toBe(true)
    expect(checkAggregateEqFoldLeaves(Max, droppingAggregate, maxArb).failed).toBe(true)
  })
})

describe("aggregateKaryTyped equals a plain sequential loop", () => {
  const ops: ReadonlyArray<TypedOp> = ["sum", "count", "min", "max"]

  it("for random integer arrays and random k in 2..50", () => {
    for (const op of ops) {
      const valueArb = op === "count" ? fc.nat(1_000_000) : intArb
      fc.assert(
        fc.property(fc.integer({ min: 2, max: 50 }), fc.array(valueArb, { maxLength: 3000 }), (k, xs) => {
          const a = Float64Array.from(xs)
          expect(aggregateKaryTyped(op, k, a)).toBe(sequential(op, a))
        }),
        { numRuns: 150 },
      )
    }
  })
})
