import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { type AggregationMonoid, fold } from "../../src/Aggregate/Monoid.ts"
import { Max, Sum } from "../../src/Aggregate/Numeric.ts"
import { SetUnion } from "../../src/Aggregate/SetUnion.ts"
import { type Entry, mergeEntries, topK } from "../../src/Aggregate/TopK.ts"
import { intArb } from "./laws.ts"

const maxArb = fc.oneof(intArb, fc.constant(Number.NEGATIVE_INFINITY))
const setArb = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n })
const entryArb = fc.record({ score: fc.nat(10), id: fc.nat(10) })
const K = 4
const TopK4 = topK(K)
const topKArb = fc.array(entryArb, { maxLength: 8 }).map((es) =>
  es.reduce<ReadonlyArray<Entry>>((acc, e) => mergeEntries(K, acc, [e]), []),
)

/** Each instance with a generator of its values; the fold laws are generic. */
const instances: ReadonlyArray<readonly [string, AggregationMonoid<any>, fc.Arbitrary<any>]> = [
  ["Sum", Sum, intArb],
  ["Max", Max, maxArb],
  ["SetUnion", SetUnion, setArb],
  ["TopK 4", TopK4, topKArb],
]

describe("AggregationMonoid.fold", () => {
  it("is a right fold: fold [a, b, c] = merge a (merge b (merge c empty)) (order of merges observed)", () => {
    const calls: Array<string> = []
    const Str: AggregationMonoid<string> = {
      empty: "e",
      merge: (a, b) => {
        calls.push(`${a}|${b}`)
        return `(${a}${b})`
      },
      equals: (a, b) => a === b,
    }
    expect(fold(Str, ["a", "b", "c"])).toBe("(a(b(ce)))")
    expect(calls).toEqual(["c|e", "b|(ce)", "a|(b(ce))"])
  })

  it("fold Sum agrees with an exact BigInt sum of the list", () => {
    fc.assert(
      fc.property(fc.array(intArb, { maxLength: 200 }), (xs) => {
        expect(BigInt(fold(Sum, xs))).toBe(xs.reduce((s, x) => s + BigInt(x), 0n))
      }),
    )
  })

  for (const [name, M, arb] of instances) {
    describe(name, () => {
      // @lean Hydrogen.Aggregate.AggregationMonoid.fold_nil
      it(`fold_nil: fold [] = empty (${name})`, () => {
        expect(M.equals(fold(M, []), M.empty)).toBe(true)
      })

      // @lean Hydrogen.Aggregate.AggregationMonoid.fold_cons
      it(`fold_cons: fold (a :: xs) = merge a (fold xs) (${name})`, () => {
        fc.assert(
          fc.property(arb, fc.array(arb, { maxLength: 20 }), (a, xs) =>
            M.equals(fold(M, [a, ...xs]), M.merge(a, fold(M, xs))),
          ),
        )
      })

      // @lean Hydrogen.Aggregate.AggregationMonoid.fold_singleton
      it(`fold_singleton: fold [a] = a (${name})`, () => {
        fc.assert(fc.property(arb, (a) => M.equals(fold(M, [a]), a)))
      })

      // @lean Hydrogen.Aggregate.AggregationMonoid.fold_append
      it(`fold_append: fold (xs ++ ys) = merge (fold xs) (fold ys) (${name})`, () => {
        fc.assert(
          fc.property(fc.array(arb, { maxLength: 20 }), fc.array(arb, { maxLength: 20 }), (xs, ys) =>
            M.equals(fold(M, [...xs, ...ys]), M.merge(fold(M, xs), fold(M, ys))),
          ),
        )
      })

      // @lean Hydrogen.Aggregate.AggregationMonoid.fold_perm
      it(`fold_perm: a permutation of the summaries folds to the same value (${name})`, () => {
        fc.assert(
          fc.property(
            fc.array(arb, { maxLength: 20 }).chain((xs) =>
              fc.tuple(fc.constant(xs), fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length })),
            ),
            ([xs, ys]) => M.equals(fold(M, xs), fold(M, ys)),
          ),
        )
      })
    })
  }
})
