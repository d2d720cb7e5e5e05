/**
 * Finite-set union. Mirror of `Hydrogen.Aggregate.SetUnion`.
 *
 * A finite set of natural-number ids is stored as the bitmask `∑ 2^i` of its
 * members (a `bigint`, Lean's `Nat`), so union is bitwise or.
 *
 * @module
 */
import type { AggregationMonoid } from "./Monoid.ts"

const checkId = (i: number): bigint => {
  if (!Number.isSafeInteger(i) || i < 0) {
    throw new RangeError(`SetUnion: id must be a natural number (non-negative safe integer), got ${i}`)
  }
  return BigInt(i)
}

/**
 * A finite set of ids, as a bitmask (the `bits` field, a non-negative bigint).
 *
 * @lean Hydrogen.Aggregate.SetUnion
 */
export type SetUnion = bigint

/**
 * Union: `a ||| b`.
 *
 * @lean Hydrogen.Aggregate.SetUnion.merge
 */
export const setUnionMerge = (a: SetUnion, b: SetUnion): SetUnion => a | b

/**
 * Membership of id `i` (`testBit`). Throws a RangeError when `i` is not a natural number.
 *
 * @lean Hydrogen.Aggregate.SetUnion.mem
 */
export const mem = (i: number, s: SetUnion): boolean => ((s >> checkId(i)) & 1n) === 1n

/**
 * The set holding only `i`: `2 ^ i`.
 *
 * @lean Hydrogen.Aggregate.SetUnion.singleton
 */
export const singleton = (i: number): SetUnion => 1n << checkId(i)

/**
 * The set holding exactly the listed ids: `ids.foldr (fun i acc => 2 ^ i ||| acc) 0`.
 *
 * @lean Hydrogen.Aggregate.SetUnion.ofList
 */
export const ofList = (ids: ReadonlyArray<number>): SetUnion => {
  let acc = 0n
  for (let j = ids.length - 1; j >= 0; j--) acc = (1n << checkId(ids[j] as number)) | acc
  return acc
}

/**
 * The empty set, `0`.
 *
 * @lean Hydrogen.Aggregate.SetUnion.empty
 */
export const setUnionEmpty: SetUnion = 0n

/**
 * The set-union monoid.
 *
 * @lean Hydrogen.Aggregate.SetUnion.aggregationMonoid
 */
export const SetUnion: AggregationMonoid<SetUnion> = {
  empty: setUnionEmpty,
  merge: setUnionMerge,
  equals: (a, b) => a === b,
}
