import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { frac, type Fraction, fractionOfNumber, show } from "../../src/Render/Error.ts";
import { choose, exactOf, pmf, tail, tailFloat, tailFloatRelErrorBound } from "../../src/Quorum/Binomial.ts";

// Properties restate lean/Hydrogen/Quorum/Binomial.lean. The reference here is
// independent of src/: binomial coefficients from Pascal's triangle, and for
// p = a/b the tail as one BigInt numerator over b^n,
// Σ_{j ≥ k} C(n,j)·a^j·(b−a)^(n−j) / b^n, compared by cross-multiplication.

const pascal: bigint[][] = [[1n]];
for (let n = 1; n <= 120; n++) {
  const prev = pascal[n - 1]!;
  pascal.push(Array.from({ length: n + 1 }, (_, k) => (k === 0 || k === n ? 1n : prev[k - 1]! + prev[k]!)));
}
const C = (n: number, k: number) => (k > n ? 0n : pascal[n]![k]!);
/** The tail's numerator over b^n for p = a/b. */
const tailNum = (n: number, k: number, a: bigint, b: bigint) => {
  let s = 0n;
  for (let j = k; j <= n; j++) s += C(n, j) * a ** BigInt(j) * (b - a) ** BigInt(n - j);
  return s;
};
const sameAs = (x: Fraction, num: bigint, den: bigint) => x.num * den === num * x.den;
const le = (x: Fraction, y: Fraction) => x.num * y.den <= y.num * x.den;

const prob = fc.integer({ min: 1, max: 1000 }).chain((b) => fc.tuple(fc.integer({ min: 0, max: b }), fc.constant(b)));
const runs = { numRuns: 200 } as const;

describe("Hydrogen.Quorum binomial tails", () => {
  // @lean Hydrogen.Quorum.choose
  // @lean Hydrogen.Quorum.choose_pascal_upto
  it("choose_pascal_upto: the multiplicative recurrence gives Pascal's triangle (checked here to n = 120)", () => {
    for (let n = 0; n <= 120; n++) for (let k = 0; k <= n + 2; k++) expect(choose(n, k)).toBe(C(n, k));
  });

  // @lean Hydrogen.Quorum.choose_eq_zero
  // @lean Hydrogen.Quorum.choose_zero_right
  it("choose_eq_zero, choose_zero_right: C(n, k) = 0 for k > n; C(n, 0) = 1", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 500 }), (n, d) => {
      expect(choose(n, n + d)).toBe(0n);
      expect(choose(n, 0)).toBe(1n);
    }), runs);
  });

  // @lean Hydrogen.Quorum.pmf
  // @lean Hydrogen.Quorum.tail
  it("tail n k p is Σ_{j=k}^{n} C(n,j) p^j (1−p)^(n−j), exactly", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 42 }), prob, (n, k, [a, b]) => {
      const [A, B] = [BigInt(a), BigInt(b)];
      expect(sameAs(tail(n, k, frac(A, B)), tailNum(n, k, A, B), B ** BigInt(n))).toBe(true);
      if (k <= n) expect(sameAs(pmf(n, k, frac(A, B)), C(n, k) * A ** BigInt(k) * (B - A) ** BigInt(n - k), B ** BigInt(n))).toBe(true);
    }), runs);
  });

  // @lean Hydrogen.Quorum.tail_eq_zero
  // @lean Hydrogen.Quorum.tail_succ
  it("tail_eq_zero, tail_succ: 0 beyond n; tail n k = pmf n k + tail n (k+1) for k ≤ n (any rational p)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 30 }), fc.nat(), fc.integer({ min: -50, max: 50 }), fc.integer({ min: 1, max: 20 }), (n, pick, a, b) => {
      const p = frac(BigInt(a), BigInt(b));
      expect(show(tail(n, n + 1 + (pick % 5), p))).toBe("0");
      const k = pick % (n + 1);
      const lhs = tail(n, k, p), rest = tail(n, k + 1, p), head = pmf(n, k, p);
      expect(lhs.num * rest.den * head.den).toBe(head.num * rest.den * lhs.den + rest.num * head.den * lhs.den);
    }), runs);
  });

  // @lean Hydrogen.Quorum.pmf_nonneg
  // @lean Hydrogen.Quorum.sumFrom_nonneg
  // @lean Hydrogen.Quorum.tail_nonneg
  // @lean Hydrogen.Quorum.tail_antitone
  it("pmf_nonneg, sumFrom_nonneg, tail_nonneg, tail_antitone: for 0 ≤ p ≤ 1, 0 ≤ tail n (k+1) p ≤ tail n k p", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 41 }), prob, (n, k, [a, b]) => {
      const p = frac(BigInt(a), BigInt(b));
      expect(pmf(n, k, p).num >= 0n).toBe(true);
      expect(tail(n, k + 1, p).num >= 0n).toBe(true);
      expect(le(tail(n, k + 1, p), tail(n, k, p))).toBe(true);
    }), runs);
  });

  // @lean Hydrogen.Quorum.tail_zero_checked
  it("tail_zero_checked: total mass tail n 0 p = 1 (Lean checks n ≤ 12 at eight p; here random n ≤ 60, p ∈ [0, 1])", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 60 }), prob, (n, [a, b]) => {
      expect(show(tail(n, 0, frac(BigInt(a), BigInt(b))))).toBe("1");
    }), runs);
  });

  // @lean Hydrogen.Quorum.seed_tail_one_tenth
  // @lean Hydrogen.Quorum.seed_tail_one_fifth
  // @lean Hydrogen.Quorum.seed_tail_three_tenths
  // @lean Hydrogen.Quorum.seed_table_refuted
  // @lean Hydrogen.Quorum.seed_under_five_percent
  it("seed_tail_one_tenth, seed_tail_one_fifth, seed_tail_three_tenths, seed_table_refuted, seed_under_five_percent: P(X ≥ 7), n = 10", () => {
    expect(show(tail(10, 7, frac(1n, 10n)))).toBe("5701/625000000"); // 9.12e-6, seed says 0.000114
    expect(show(tail(10, 7, frac(1n, 5n)))).toBe("8441/9765625"); // 8.64e-4, seed says 0.0056
    expect(show(tail(10, 7, frac(3n, 10n)))).toBe("6620049/625000000"); // 1.06e-2, seed says 0.047
    expect(le(tail(10, 7, frac(3n, 10n)), frac(11n, 1000n))).toBe(true); // seed_under_five_percent
  });

  // @lean Hydrogen.Quorum.seed_047_is_six
  it("seed_047_is_six: the seed's 0.047 is P(X ≥ 6) at p = 0.3", () => {
    expect(show(tail(10, 6, frac(3n, 10n)))).toBe("236744937/5000000000");
  });

  // @lean Hydrogen.Quorum.seed_pow_five
  it("seed_pow_five: 0.3^5 = 0.00243", () => {
    expect(show(tail(5, 5, frac(3n, 10n)))).toBe("243/100000");
  });

  it(`tailFloat: relative error vs the exact tail ≤ (5n + 10)·2^-53 on random n ≤ 100, k, p = a/1000`, () => {
    let worst = 0;
    fc.assert(fc.property(fc.integer({ min: 0, max: 100 }), fc.nat(), fc.integer({ min: 1, max: 999 }), (n, pick, a) => {
      const k = pick % (n + 2);
      const p = a / 1000;
      // the double p is exactly m / 2^e; the exact tail is tailNum(n, k, m, 2^e) / 2^(e·n)
      const pe = exactOf(p);
      const num = tailNum(n, k, pe.num, pe.den), den = pe.den ** BigInt(n);
      const got = fractionOfNumber(tailFloat(n, k, p));
      if (num === 0n) {
        expect(got.num).toBe(0n);
        return;
      }
      // |got − exact| / exact = |got.num·den − num·got.den| / (got.den·num)
      const diff = got.num * den - num * got.den;
      const errNum = diff < 0n ? -diff : diff, errDen = got.den * num;
      const bound = fractionOfNumber(tailFloatRelErrorBound(n));
      expect(errNum * bound.den <= bound.num * errDen, `n=${n} k=${k} p=${p}`).toBe(true);
      worst = Math.max(worst, Number((errNum * 10n ** 30n) / errDen) / 1e30);
    }), { numRuns: 300 });
    expect(worst).toBeLessThan(tailFloatRelErrorBound(100));
    expect(tailFloat(10, 7, 0.3)).toBeCloseTo(0.0105920784, 12);
  });

  it("rejects non-natural n, k and p outside [0, 1] with a RangeError", () => {
    expect(() => choose(-1, 0)).toThrow(RangeError);
    expect(() => tail(3, 0.5, frac(1n, 2n))).toThrow(RangeError);
    expect(() => tailFloat(3, 1, 1.5)).toThrow(RangeError);
    expect(() => tailFloat(3, 1, Number.NaN)).toThrow(RangeError);
  });
});
