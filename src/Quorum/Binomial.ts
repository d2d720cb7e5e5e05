/**
 * Exact binomial tails (seed 004's probability of false consensus): the
 * TypeScript mirror of `lean/Hydrogen/Quorum/Binomial.lean`, over exact
 * rationals (the `Fraction` of `src/Render/Error.ts`, Lean's `Rat`), plus a
 * float64 version with a stated relative-error bound that the tests check
 * against the exact one.
 */
import { frac, type Fraction, fractionOfNumber, mul, ONE, pow, sub } from "../Render/Error.ts"

const requireNat = (where: string, x: number): void => {
  if (!Number.isSafeInteger(x) || x < 0) throw new RangeError(`${where}: ${x} is not a natural number`)
}

/**
 * `C(n, k)` by `C(n, k+1) = C(n, k)·(n − k)/(k + 1)`, exact in BigInt (0 for `k > n`).
 *
 * @lean Hydrogen.Quorum.choose
 */
export const choose = (n: number, k: number): bigint => {
  requireNat("choose", n)
  requireNat("choose", k)
  let c = 1n
  for (let j = 0; j < k; j++) {
    if (j >= n) return 0n
    c = (c * BigInt(n - j)) / BigInt(j + 1)
  }
  return c
}

/**
 * `C(n,k)·p^k·(1−p)^(n−k)` (Lean's truncated `n − k`: 0 for `k > n`, where `C` is 0 anyway).
 *
 * @lean Hydrogen.Quorum.pmf
 */
export const pmf = (n: number, k: number, p: Fraction): Fraction =>
  mul(mul(frac(choose(n, k)), pow(p, k)), pow(sub(ONE, p), Math.max(n - k, 0)))

/**
 * `P(X ≥ k)` for `X ~ Bin(n, p)`: `Σ_{j=k}^{n} pmf n j p`, exactly (the
 * loop is Lean's `sumFrom n p k (n + 1 − k)`).
 *
 * @lean Hydrogen.Quorum.tail
 * @lean Hydrogen.Quorum.sumFrom
 */
export const tail = (n: number, k: number, p: Fraction): Fraction => {
  requireNat("tail", n)
  requireNat("tail", k)
  // With p = a/b every term is C(n,j)·a^j·(b−a)^(n−j) / b^n: sum the numerators
  // and reduce once (a gcd per term costs ~100× more at n = 100).
  const [a, b] = [p.num, p.den]
  let s = 0n
  for (let j = k; j <= n; j++) s += choose(n, j) * a ** BigInt(j) * (b - a) ** BigInt(n - j)
  return frac(s, b ** BigInt(n))
}

/** `x^e` by `e − 1` IEEE multiplications (not `Math.pow`, whose accuracy is implementation-defined). */
const powFloat = (x: number, e: number): number => {
  let r = 1
  for (let i = 0; i < e; i++) r *= x
  return r
}

/** `C(n, k)` in float64, from the smaller side: `2·min(k, n−k)` roundings. */
const chooseFloat = (n: number, k: number): number => {
  const m = Math.min(k, n - k)
  let c = 1
  for (let j = 0; j < m; j++) c = (c * (n - j)) / (j + 1)
  return c
}

/**
 * `P(X ≥ k)` in float64, term by term. Relative error at most
 * `tailFloatRelErrorBound(n)` whenever `min(p, 1−p)^n ≥ 2^-1022` (no
 * underflow); outside that a term can vanish and no bound is claimed.
 * Throws a `RangeError` unless `p` is a number in `[0, 1]`.
 */
export const tailFloat = (n: number, k: number, p: number): number => {
  requireNat("tailFloat", n)
  requireNat("tailFloat", k)
  if (!(p >= 0 && p <= 1)) throw new RangeError(`tailFloat: p = ${p} is not in [0, 1]`)
  const q = 1 - p // exact for p ≥ 1/2 (Sterbenz); one rounding, relative, below that
  let s = 0
  for (let j = k; j <= n; j++) s += chooseFloat(n, j) * powFloat(p, j) * powFloat(q, n - j)
  return s
}

/**
 * `(5n + 10)·2^-53`. Per term: `C` ≤ `2·min(k, n−k)` ≤ n roundings, `p^j` ≤ j,
 * `(1−p)^(n−j)` ≤ 2(n−j) (its own products plus the rounding of `1 − p`,
 * raised to the power), 2 more multiplications; the sum of nonnegative terms
 * adds ≤ n. First-order total ≤ 4n + 3 units of 2^-53, doubled margin on the
 * `n` part for the second-order terms.
 */
export const tailFloatRelErrorBound = (n: number): number => {
  requireNat("tailFloatRelErrorBound", n)
  return (5 * n + 10) * 2 ** -53
}

/** The exact value of a float64 probability, so `tailFloat` can be compared with `tail`. */
export const exactOf = (p: number): Fraction => fractionOfNumber(p)
