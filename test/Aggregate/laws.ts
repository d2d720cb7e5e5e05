/**
 * Reusable law checkers for aggregation monoids and tree folds, shared by the
 * Aggregate tests and the mutation tests. Each checker returns fast-check run
 * details (`fc.check`), so a caller can assert that a law holds
 * (`failed === false`) or that a mutant is caught (`failed === true`).
 */
import fc from "fast-check"
import type { AggregationMonoid } from "../../src/Aggregate/Monoid.ts"
import { fold } from "../../src/Aggregate/Monoid.ts"
import type { Tree } from "../../src/Aggregate/Tree.ts"
import { leaf, leaves, node } from "../../src/Aggregate/Tree.ts"

export const defaultParams = { numRuns: 200 } as const

/** Safe integers within ±1e9 (Lean `Int` values used by the numeric tests). */
export const intArb = fc.integer({ min: -1_000_000_000, max: 1_000_000_000 })
/** Naturals within 1e9 (Lean `Nat`). */
export const natArb = fc.integer({ min: 0, max: 1_000_000_000 })

/** 2^53 − 1, the largest safe integer. */
export const MAX = Number.MAX_SAFE_INTEGER
/** Naturals near the top of the safe range (and small ones, so sums land exactly on 2^53 − 1 or just past it). */
export const edgeNatArb = fc.oneof(
  fc.constantFrom(0, 1, 2, MAX, MAX - 1, MAX - 2, 2 ** 52, 2 ** 52 - 1, 2 ** 52 + 1),
  fc.integer({ min: 0, max: MAX }),
  natArb,
)
/** Safe integers near ±(2^53 − 1), plus the ordinary range. */
export const edgeIntArb = fc.oneof(
  fc.constantFrom(0, 1, -1, 2, -2, MAX, MAX - 1, MAX - 2, -MAX, -MAX + 1, 2 ** 52, -(2 ** 52)),
  fc.integer({ min: -MAX, max: MAX }),
  intArb,
)
/** Numbers outside Lean's `Int` domain: NaN, ±Infinity, fractions, -0 is fine (an integer), non-safe integers. */
export const notIntArb = fc.oneof(
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.5, -1.5, 2 ** 53, -(2 ** 53), 2 ** 60, 1e300),
  fc.double({ noNaN: true }).filter((x) => !Number.isSafeInteger(x)),
)
/** Numbers outside Lean's `Nat` domain: everything outside `Int`, and negative integers. */
export const notNatArb = fc.oneof(notIntArb, fc.integer({ min: -MAX, max: -1 }))

/** `(a ⊕ b) ⊕ c = a ⊕ (b ⊕ c)`. */
export const checkAssoc = <A>(M: AggregationMonoid<A>, arb: fc.Arbitrary<A>, params = defaultParams) =>
  fc.check(
    fc.property(arb, arb, arb, (a, b, c) => M.equals(M.merge(M.merge(a, b), c), M.merge(a, M.merge(b, c)))),
    params,
  )

/** `empty ⊕ a = a`. */
export const checkEmptyMerge = <A>(M: AggregationMonoid<A>, arb: fc.Arbitrary<A>, params = defaultParams) =>
  fc.check(fc.property(arb, (a) => M.equals(M.merge(M.empty, a), a)), params)

/** `a ⊕ empty = a`. */
export const checkMergeEmpty = <A>(M: AggregationMonoid<A>, arb: fc.Arbitrary<A>, params = defaultParams) =>
  fc.check(fc.property(arb, (a) => M.equals(M.merge(a, M.empty), a)), params)

/** `a ⊕ b = b ⊕ a`. */
export const checkComm = <A>(M: AggregationMonoid<A>, arb: fc.Arbitrary<A>, params = defaultParams) =>
  fc.check(fc.property(arb, arb, (a, b) => M.equals(M.merge(a, b), M.merge(b, a))), params)

/** `merge(a, b)` agrees with an independent reference computation. */
export const checkMergeAgainst = <A>(
  M: AggregationMonoid<A>,
  arb: fc.Arbitrary<A>,
  reference: (a: A, b: A) => A,
  params = defaultParams,
) => fc.check(fc.property(arb, arb, (a, b) => M.equals(M.merge(a, b), reference(a, b))), params)

export interface MonoidLawResults<A> {
  readonly assoc: fc.RunDetails<[A, A, A]>
  readonly emptyMerge: fc.RunDetails<[A]>
  readonly mergeEmpty: fc.RunDetails<[A]>
  readonly comm: fc.RunDetails<[A, A]>
}

/** All four monoid laws. */
export const checkMonoidLaws = <A>(
  M: AggregationMonoid<A>,
  arb: fc.Arbitrary<A>,
  params = defaultParams,
): MonoidLawResults<A> => ({
  assoc: checkAssoc(M, arb, params),
  emptyMerge: checkEmptyMerge(M, arb, params),
  mergeEmpty: checkMergeEmpty(M, arb, params),
  comm: checkComm(M, arb, params),
})

/** True when every law in the results held. */
export const allPassed = <A>(r: MonoidLawResults<A>): boolean =>
  !r.assoc.failed && !r.emptyMerge.failed && !r.mergeEmpty.failed && !r.comm.failed

/** Throws with fast-check's report when the run failed (for readable test output). */
export const expectPassed = <Ts>(r: fc.RunDetails<Ts>): void => {
  if (r.failed) throw new Error(fc.defaultReportMessage(r) ?? "property failed")
}

/** Random trees of any shape over `arb`, including empty nodes. */
export const treeArb = <A>(arb: fc.Arbitrary<A>, maxDepth = 5): fc.Arbitrary<Tree<A>> =>
  fc.letrec<{ tree: Tree<A> }>((tie) => ({
    tree: fc.oneof(
      { maxDepth, depthIdentifier: "tree" },
      arb.map((a) => leaf(a)),
      fc.array(tie("tree"), { maxLength: 5 }).map((cs) => node(cs)),
    ),
  })).tree

/** `aggregate t = fold (leaves t)` for the given tree aggregation function. */
export const checkAggregateEqFoldLeaves = <A>(
  M: AggregationMonoid<A>,
  aggregateFn: (M: AggregationMonoid<A>, t: Tree<A>) => A,
  arb: fc.Arbitrary<A>,
  params = defaultParams,
) => fc.check(fc.property(treeArb(arb), (t) => M.equals(aggregateFn(M, t), fold(M, leaves(t)))), params)
