// Generated support for gen/ts/: Lean's Nat/Int operations on bigint and an
// exact Rat. Copied by scripts/gen/generate.ts from scripts/gen/Runtime.template.ts.
import { Schema } from "effect"

/** Lean's `Rat`: `den > 0` and `gcd(|num|, den) = 1`. */
export interface Fraction {
  readonly num: bigint
  readonly den: bigint
}

export const FractionSchema = Schema.Struct({ num: Schema.BigInt, den: Schema.BigInt.check(Schema.isGreaterThanBigInt(0n)) })

/** Nat subtraction truncates at 0. */
export const natSub = (a: bigint, b: bigint): bigint => (a > b ? a - b : 0n)
/** Nat division and remainder; `x / 0 = 0`, `x % 0 = x`. */
export const natDiv = (a: bigint, b: bigint): bigint => (b === 0n ? 0n : a / b)
export const natMod = (a: bigint, b: bigint): bigint => (b === 0n ? a : a % b)
/** Int `%` is Euclidean (`Int.emod`: never negative), `/` its partner (`Int.ediv`). */
export const intMod = (a: bigint, b: bigint): bigint => {
  if (b === 0n) return a
  const r = a % b
  return r < 0n ? r + (b < 0n ? -b : b) : r
}
export const intDiv = (a: bigint, b: bigint): bigint => (b === 0n ? 0n : (a - intMod(a, b)) / b)
/** `Int.toNat`: negative values become 0. */
export const intToNat = (a: bigint): bigint => (a < 0n ? 0n : a)
export const bigMax = (a: bigint, b: bigint): bigint => (a <= b ? b : a)
export const bigMin = (a: bigint, b: bigint): bigint => (a <= b ? a : b)

const babs = (x: bigint): bigint => (x < 0n ? -x : x)
const gcd = (a: bigint, b: bigint): bigint => {
  let [x, y] = [babs(a), babs(b)]
  while (y !== 0n) [x, y] = [y, x % y]
  return x
}
const norm = (num: bigint, den: bigint): Fraction => {
  if (den === 0n) return { num: 0n, den: 1n } // Lean: x / 0 = 0
  if (den < 0n) [num, den] = [-num, -den]
  const g = gcd(num, den)
  return g <= 1n ? { num, den } : { num: num / g, den: den / g }
}
export const ratOf = (n: bigint): Fraction => ({ num: n, den: 1n })
export const ratAdd = (a: Fraction, b: Fraction): Fraction => norm(a.num * b.den + b.num * a.den, a.den * b.den)
export const ratSub = (a: Fraction, b: Fraction): Fraction => norm(a.num * b.den - b.num * a.den, a.den * b.den)
export const ratMul = (a: Fraction, b: Fraction): Fraction => norm(a.num * b.num, a.den * b.den)
export const ratDiv = (a: Fraction, b: Fraction): Fraction => norm(a.num * b.den, a.den * b.num)
export const ratNeg = (a: Fraction): Fraction => ({ num: -a.num, den: a.den })
export const ratPow = (a: Fraction, n: bigint): Fraction => norm(a.num ** n, a.den ** n)
/** Sign of `a − b`. */
export const ratCmp = (a: Fraction, b: Fraction): number => {
  const d = a.num * b.den - b.num * a.den
  return d < 0n ? -1 : d > 0n ? 1 : 0
}
export const ratMax = (a: Fraction, b: Fraction): Fraction => (ratCmp(a, b) <= 0 ? b : a)
export const ratMin = (a: Fraction, b: Fraction): Fraction => (ratCmp(a, b) <= 0 ? a : b)
