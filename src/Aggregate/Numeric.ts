/**
 * Numeric summaries: sum, count, max, min, and sum+count for averages.
 * Mirror of `Hydrogen.Aggregate.Numeric`.
 *
 * Lean's `Int` and `Nat` are JS `number`s holding safe integers
 * (`Number.isSafeInteger`); the laws are exact as long as every intermediate
 * value stays within ±(2^53 − 1). The merges enforce that (Domain.ts): an
 * operand outside the domain (NaN, ±Infinity other than the `none` sentinel,
 * a fraction, a non-safe integer, a negative count) throws `OutOfDomain`, and
 * a sum whose exact value is not safe throws `SafeIntegerOverflow`, never a
 * rounded number. The checks are a few comparisons per merge; the typed-array
 * fast path (`Tree.aggregateKaryTyped`) validates its batch once instead.
 *
 * Encoding of `Option Int` for `Max`/`Min`: Lean's `none` ("no value yet",
 * the identity) is `-Infinity` for `Max` and `+Infinity` for `Min`. With that
 * encoding the Lean merge (`none` is neutral, otherwise `max`/`min`) is
 * exactly `Math.max`/`Math.min`.
 *
 * @module
 */
import { addExact, OutOfDomain, requireInt, requireNat } from "./Domain.ts"
import type { AggregationMonoid } from "./Monoid.ts"

const numberEquals = (a: number, b: number): boolean => a === b

// ---------------------------------------------------------------------------
// Sum

/**
 * Sum of integer leaf values (the `total` field, as a plain number).
 *
 * @lean Hydrogen.Aggregate.Sum
 */
export type Sum = number

/**
 * The empty sum, 0.
 *
 * @lean Hydrogen.Aggregate.Sum.empty
 */
export const sumEmpty: Sum = 0

/**
 * Merge two sums: `a + b`. Throws `OutOfDomain` unless both are safe integers,
 * `SafeIntegerOverflow` when the sum is not.
 *
 * @lean Hydrogen.Aggregate.Sum.merge
 */
export const sumMerge = (a: Sum, b: Sum): Sum =>
  addExact("Sum.merge", requireInt("Sum.merge", "a", a), requireInt("Sum.merge", "b", b))

/**
 * The sum monoid.
 *
 * @lean Hydrogen.Aggregate.Sum.aggregationMonoid
 */
export const Sum: AggregationMonoid<Sum> = { empty: sumEmpty, merge: sumMerge, equals: numberEquals }

// ---------------------------------------------------------------------------
// Count

/**
 * Number of leaves (a natural number).
 *
 * @lean Hydrogen.Aggregate.Count
 */
export type Count = number

/**
 * The empty count, 0.
 *
 * @lean Hydrogen.Aggregate.Count.empty
 */
export const countEmpty: Count = 0

/**
 * Merge two counts: `a + b`. Throws `OutOfDomain` unless both are natural
 * numbers, `SafeIntegerOverflow` when the sum is not safe.
 *
 * @lean Hydrogen.Aggregate.Count.merge
 */
export const countMerge = (a: Count, b: Count): Count =>
  addExact("Count.merge", requireNat("Count.merge", "a", a), requireNat("Count.merge", "b", b))

/** A `Max`/`Min` operand: a safe integer, or the `none` sentinel of that monoid. */
const requireOption = (where: string, field: string, x: number, none: number): number => {
  if (x !== none && !Number.isSafeInteger(x)) throw new OutOfDomain({ where, field, value: x, domain: "Int" })
  return x
}

/**
 * The count monoid.
 *
 * @lean Hydrogen.Aggregate.Count.aggregationMonoid
 */
export const Count: AggregationMonoid<Count> = { empty: countEmpty, merge: countMerge, equals: numberEquals }

// ---------------------------------------------------------------------------
// Max

/**
 * Largest value seen; `-Infinity` (Lean's `none`) until a value is seen.
 *
 * @lean Hydrogen.Aggregate.Max
 */
export type Max = number

/**
 * No value yet: Lean's `⟨none⟩`, encoded as `-Infinity`.
 *
 * @lean Hydrogen.Aggregate.Max.empty
 */
export const maxEmpty: Max = Number.NEGATIVE_INFINITY

/**
 * Lean: `none` is neutral, otherwise `max x y`. With `none = -Infinity` this is
 * `Math.max`. Throws `OutOfDomain` on an operand that is neither a safe
 * integer nor `-Infinity` (NaN, `+Infinity`, a fraction).
 *
 * @lean Hydrogen.Aggregate.Max.merge
 */
export const maxMerge = (a: Max, b: Max): Max =>
  Math.max(requireOption("Max.merge", "a", a, Number.NEGATIVE_INFINITY), requireOption("Max.merge", "b", b, Number.NEGATIVE_INFINITY))

/**
 * The max monoid (`empty = -Infinity`).
 *
 * @lean Hydrogen.Aggregate.Max.aggregationMonoid
 */
export const Max: AggregationMonoid<Max> = { empty: maxEmpty, merge: maxMerge, equals: numberEquals }

// ---------------------------------------------------------------------------
// Min

/**
 * Smallest value seen; `+Infinity` (Lean's `none`) until a value is seen.
 *
 * @lean Hydrogen.Aggregate.Min
 */
export type Min = number

/**
 * No value yet: Lean's `⟨none⟩`, encoded as `+Infinity`.
 *
 * @lean Hydrogen.Aggregate.Min.empty
 */
export const minEmpty: Min = Number.POSITIVE_INFINITY

/**
 * Lean: `none` is neutral, otherwise `min x y`. With `none = +Infinity` this is
 * `Math.min`. Throws `OutOfDomain` on an operand that is neither a safe
 * integer nor `+Infinity` (NaN, `-Infinity`, a fraction).
 *
 * @lean Hydrogen.Aggregate.Min.merge
 */
export const minMerge = (a: Min, b: Min): Min =>
  Math.min(requireOption("Min.merge", "a", a, Number.POSITIVE_INFINITY), requireOption("Min.merge", "b", b, Number.POSITIVE_INFINITY))

/**
 * The min monoid (`empty = +Infinity`).
 *
 * @lean Hydrogen.Aggregate.Min.aggregationMonoid
 */
export const Min: AggregationMonoid<Min> = { empty: minEmpty, merge: minMerge, equals: numberEquals }

// ---------------------------------------------------------------------------
// SumCount

/**
 * Sum and count together: the mergeable form of an average.
 *
 * @lean Hydrogen.Aggregate.SumCount
 */
export interface SumCount {
  readonly sum: number
  readonly count: number
}

/**
 * Nothing merged: sum 0, count 0.
 *
 * @lean Hydrogen.Aggregate.SumCount.empty
 */
export const sumCountEmpty: SumCount = { sum: 0, count: 0 }

/**
 * Component-wise addition. Throws `OutOfDomain` unless the sums are safe
 * integers and the counts natural numbers, `SafeIntegerOverflow` when either
 * result is not safe.
 *
 * @lean Hydrogen.Aggregate.SumCount.merge
 */
export const sumCountMerge = (a: SumCount, b: SumCount): SumCount => ({
  sum: addExact("SumCount.merge", requireInt("SumCount.merge", "a.sum", a.sum), requireInt("SumCount.merge", "b.sum", b.sum)),
  count: addExact(
    "SumCount.merge",
    requireNat("SumCount.merge", "a.count", a.count),
    requireNat("SumCount.merge", "b.count", b.count),
  ),
})

/**
 * A single observation: `⟨v, 1⟩`. Throws `OutOfDomain` unless `v` is a safe integer.
 *
 * @lean Hydrogen.Aggregate.SumCount.ofValue
 */
export const sumCountOfValue = (v: number): SumCount => ({ sum: requireInt("SumCount.ofValue", "v", v), count: 1 })

/**
 * The average of everything merged so far; `null` (Lean's `none`) when nothing
 * was merged. Lean computes an exact `Rat`; here it is the nearest double
 * `sum / count` (one correctly rounded division of two exact integers, so
 * equal to the nearest double of Lean's rational). Throws `OutOfDomain` unless
 * `sum` is a safe integer and `count` a natural number.
 *
 * @lean Hydrogen.Aggregate.SumCount.average
 */
export const average = (sc: SumCount): number | null => {
  requireInt("SumCount.average", "sum", sc.sum)
  requireNat("SumCount.average", "count", sc.count)
  return sc.count === 0 ? null : sc.sum / sc.count
}

/**
 * The sum+count monoid.
 *
 * @lean Hydrogen.Aggregate.SumCount.aggregationMonoid
 */
export const SumCount: AggregationMonoid<SumCount> = {
  empty: sumCountEmpty,
  merge: sumCountMerge,
  equals: (a, b) => a.sum === b.sum && a.count === b.count,
}
