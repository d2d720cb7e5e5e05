/**
 * Byzantine quorum arithmetic (seed 004): the TypeScript mirror of
 * `lean/Hydrogen/Quorum/Arithmetic.lean`.
 *
 * `n` researchers, at most `f` faulty, quorum size `q`. Lean's `Nat` is a
 * non-negative safe-integer `number`; anything else throws a `RangeError`
 * (these are library functions; decode untrusted input before calling them).
 * Researcher sets are characteristic vectors (`boolean[]`, index = researcher),
 * as in Lean, so the intersection laws are about computed sets.
 */

const requireNat = (where: string, x: number): void => {
  if (!Number.isSafeInteger(x) || x < 0) throw new RangeError(`${where}: ${x} is not a natural number`);
};
const nats = (where: string, ...xs: number[]): void => xs.forEach((x) => requireNat(where, x));

/** Lean's truncated `Nat` subtraction. */
const monus = (a: number, b: number): number => (a >= b ? a - b : 0);

/**
 * The seed's three requirements: `q + f ≤ n`, `2q > n`, `q ≥ 2f + 1`.
 *
 * @lean Hydrogen.Quorum.valid
 */
export const valid = (n: number, f: number, q: number): boolean => {
  nats("valid", n, f, q);
  return q + f <= n && n < 2 * q && 2 * f + 1 <= q;
};

/**
 * The least size meeting the majority and `2f + 1` requirements:
 * `max(2f + 1, ⌊n/2⌋ + 1)`. The valid sizes are `[minValid, n − f]`.
 *
 * @lean Hydrogen.Quorum.minValid
 */
export const minValid = (n: number, f: number): number => {
  nats("minValid", n, f);
  return Math.max(2 * f + 1, Math.floor(n / 2) + 1);
};

/**
 * The least size whose quorums always share an honest member:
 * `⌊(n + f)/2⌋ + 1`. Live (`≤ n − f`) exactly when `n > 3f`.
 *
 * @lean Hydrogen.Quorum.bftQuorum
 */
export const bftQuorum = (n: number, f: number): number => {
  nats("bftQuorum", n, f);
  return Math.floor((n + f) / 2) + 1;
};

/** Why no quorum exists: `n < 3f + 1` (`Hydrogen.Quorum.solvable_iff`). */
export interface QuorumImpossible {
  readonly _tag: "QuorumImpossible";
  readonly n: number;
  readonly f: number;
  /** The fewest researchers that tolerate `f` faults: `3f + 1`. */
  readonly needed: number;
}
export interface QuorumPlan {
  readonly _tag: "QuorumPlan";
  readonly n: number;
  readonly f: number;
  /** `bftQuorum n f`, the smallest safe size. */
  readonly q: number;
  /** `n − f`, the largest size still reachable with `f` silent. */
  readonly maxQ: number;
}

/**
 * A quorum for `n` researchers tolerating `f` faults, or the reason there is
 * none. A plan exists exactly when the seed's requirements are solvable.
 *
 * @lean Hydrogen.Quorum.solvable_iff
 */
export const planQuorum = (n: number, f: number): QuorumPlan | QuorumImpossible => {
  nats("planQuorum", n, f);
  return 3 * f + 1 <= n
    ? { _tag: "QuorumPlan", n, f, q: bftQuorum(n, f), maxQ: n - f }
    : { _tag: "QuorumImpossible", n, f, needed: 3 * f + 1 };
};

/**
 * Members of a set (number of `true` entries).
 *
 * @lean Hydrogen.Quorum.card
 */
export const card = (s: ReadonlyArray<boolean>): number => s.reduce((c, b) => c + (b ? 1 : 0), 0);

/**
 * Position-wise `and` (truncated to the shorter vector, as in Lean).
 *
 * @lean Hydrogen.Quorum.inter
 */
export const inter = (a: ReadonlyArray<boolean>, b: ReadonlyArray<boolean>): boolean[] =>
  Array.from({ length: Math.min(a.length, b.length) }, (_, i) => a[i]! && b[i]!);

/** @lean Hydrogen.Quorum.compl */
export const compl = (s: ReadonlyArray<boolean>): boolean[] => s.map((b) => !b);

/**
 * Whether researcher `i` is a member (`false` beyond the end).
 *
 * @lean Hydrogen.Quorum.mem
 */
export const mem = (s: ReadonlyArray<boolean>, i: number): boolean => {
  requireNat("mem", i);
  return s[i] ?? false;
};

/**
 * Members of both quorums that are not faulty.
 *
 * @lean Hydrogen.Quorum.honestCommon
 */
export const honestCommon = (a: ReadonlyArray<boolean>, b: ReadonlyArray<boolean>, faulty: ReadonlyArray<boolean>): boolean[] =>
  inter(inter(a, b), compl(faulty));

/**
 * A quorum of `q` is reachable after `failures` of `n` fail: `q + failures ≤ n`.
 *
 * @lean Hydrogen.Quorum.reachable
 */
export const reachable = (n: number, q: number, failures: number): boolean => {
  nats("reachable", n, q, failures);
  return q + failures <= n;
};

/** One row of the degradation table. */
export interface DegradationRow {
  readonly failures: number;
  readonly remaining: number;
  readonly reachable: boolean;
}

/**
 * Rows for `0 … upto` failures (`remaining` is `n − failures`, floored at 0).
 *
 * @lean Hydrogen.Quorum.degradation
 */
export const degradation = (n: number, q: number, upto: number): DegradationRow[] => {
  nats("degradation", n, q, upto);
  return Array.from({ length: upto + 1 }, (_, k) => ({ failures: k, remaining: monus(n, k), reachable: reachable(n, q, k) }));
};

/** @lean Hydrogen.Quorum.Level */
export type Level = "high" | "medium" | "low";

/**
 * The seed's consensus level of `k` agreeing out of `n`: HIGH at `k/n ≥ 0.7`,
 * MEDIUM at `0.4 ≤ k/n < 0.7`, LOW below; compared in integers (`10k ≥ 7n`),
 * so `7/10` is HIGH exactly, with no float rounding at the threshold.
 *
 * @lean Hydrogen.Quorum.level
 */
export const level = (n: number, k: number): Level => {
  nats("level", n, k);
  return 7 * n <= 10 * k ? "high" : 4 * n <= 10 * k ? "medium" : "low";
};
