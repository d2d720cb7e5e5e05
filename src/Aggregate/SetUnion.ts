/**
 * Finite-set union. Mirror of `Hydrogen.Aggregate.SetUnion`.
 *
 * A finite set of natural-number ids is stored as the bitmask `∑ 2^i` of its
 * members (a `bigint`, Lean's `Nat`), so union is bitwise or.
 *
 * Ids are Lean `Nat`s: `mem`, `singleton` and `ofList` throw `OutOfDomain`
 * (Domain.ts) on an id that is not a non-negative safe integer. Masks are
 * exact `bigint`s, so nothing overflows (an id of 10^9 costs a 10^9-bit mask,
 * as in Lean). `merge` throws `OutOfDomain` on a negative mask (not a `Nat`).
 *
 * @module
 */
import { OutOfDomain, requireNat } from "./Domain.ts"
import type { AggregationMonoid } from "./Monoid.ts"

const checkId = (where: string, i: number): bigint => BigInt(requireNat(where, "id", i))
const checkMask = (where: string, field: string, s: bigint): bigint => {
  if (typeof s !== "bigint" || s < 0n) throw new OutOfDomain({ where, field, value: s, domain: "Nat" })
  return s
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
export const setUnionMerge = (a: SetUnion, b: SetUnion): SetUnion =>
  checkMask("SetUnion.merge", "a", a) | checkMask("SetUnion.merge", "b", b)

/**
 * Membership of id `i` (`testBit`). Throws `OutOfDomain` when `i` is not a natural number.
 *
 * @lean Hydrogen.Aggregate.SetUnion.mem
 */
export const mem = (i: number, s: SetUnion): boolean => ((checkMask("SetUnion.mem", "s", s) >> checkId("SetUnion.mem", i)) & 1n) === 1n

/**
 * The set holding only `i`: `2 ^ i`.
 *
 * @lean Hydrogen.Aggregate.SetUnion.singleton
 */
export const singleton = (i: number): SetUnion => 1n << checkId("SetUnion.singleton", i)

/**
 * The set holding exactly the listed ids: `ids.foldr (fun i acc => 2 ^ i ||| acc) 0`.
 *
 * @lean Hydrogen.Aggregate.SetUnion.ofList
 */
export const ofList = (ids: ReadonlyArray<number>): SetUnion => {
  let acc = 0n
  for (let j = ids.length - 1; j >= 0; j--) acc = (1n << checkId("SetUnion.ofList", ids[j] as number)) | acc
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
