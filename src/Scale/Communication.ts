/**
 * Scale arithmetic of the coordinator tree: the TypeScript mirror of
 * `lean/Hydrogen/Scale/Communication.lean`.
 *
 * `n` agents report to local coordinators in groups of at most `k`; each level
 * of coordinators reports to the next in groups of at most `k`, until one root
 * is left. Counts are rounded up. Lean's `Nat` is mirrored by a non-negative
 * safe-integer `number`; natural subtraction truncates at 0 as in Lean, and
 * division by 0 is 0.
 *
 * Domain (see Aggregate/Domain.ts): `n`, `k`, `a` and `fuel` are Lean `Nat`s,
 * so every function throws `OutOfDomain` unless they are non-negative safe
 * integers. `ceilDiv` never forms `a + k` (which could pass 2^53); sums
 * (`totalCoordinators`, `messagesPerRound`) throw `SafeIntegerOverflow`
 * rather than round. Every other result is at most `n`-sized, so exact.
 */
import { addExact, requireNat } from "../Aggregate/Domain.ts";

/** Lean's truncated natural subtraction `a - b`. */
const natSub = (a: number, b: number): number => (a > b ? a - b : 0);

/**
 * `⌈a / k⌉` for `k > 0`, as Lean's `(a + k - 1) / k` with natural subtraction
 * and floor division (and `x / 0 = 0`). Computed without forming `a + k`,
 * which can leave the safe range: for `a = 0` it is `(k - 1) / k = 0`, else
 * `(a - 1) / k + 1` (floor), the same value. Exact for safe integers:
 * `x - x % k` is an exact multiple of `k`, so the division is exact.
 *
 * @lean Hydrogen.Scale.ceilDiv
 */
export const ceilDiv = (a: number, k: number): number => {
  requireNat("ceilDiv", "a", a);
  requireNat("ceilDiv", "k", k);
  if (k === 0 || a === 0) return 0;
  const x = a - 1;
  return (x - (x % k)) / k + 1;
};

/** Longest list `coordinatorsAbove` builds before giving up (only reachable with `k = 1`). */
const maxListLength = 1_000_000;

/**
 * Coordinator counts of the levels above `a` nodes, lowest level first, ending
 * with the single root. `fuel` bounds the recursion as in Lean. Iterative, so a
 * fuel of 10^15 is fine: for `k ≥ 2` the loop stops after about `log_k a` steps.
 * For `k = 1` and `a > 1` Lean's list has `fuel` copies of `a`; beyond
 * 10^6 entries this throws a `RangeError` instead of exhausting memory.
 *
 * @lean Hydrogen.Scale.coordinatorsAbove
 */
export const coordinatorsAbove = (k: number, fuel: number, a: number): ReadonlyArray<number> => {
  requireNat("coordinatorsAbove", "k", k);
  requireNat("coordinatorsAbove", "fuel", fuel);
  requireNat("coordinatorsAbove", "a", a);
  const out: number[] = [];
  let x = a;
  for (let f = fuel; f > 0; f--) {
    const c = ceilDiv(x, k);
    if (c <= 1) {
      out.push(1);
      break;
    }
    if (out.length >= maxListLength) {
      throw new RangeError(`coordinatorsAbove: more than ${maxListLength} levels (k = ${k})`);
    }
    out.push(c);
    x = c;
  }
  return out;
};

/**
 * Coordinators per level for `n` agents and branching `k`: local level first, root last.
 *
 * @lean Hydrogen.Scale.coordinatorsPerLevel
 */
export const coordinatorsPerLevel = (n: number, k: number): ReadonlyArray<number> => coordinatorsAbove(k, n, n);

/**
 * Number of coordinator levels (the tree's height above the agents).
 *
 * @lean Hydrogen.Scale.coordinatorLevels
 */
export const coordinatorLevels = (n: number, k: number): number => coordinatorsPerLevel(n, k).length;

/**
 * Levels of the tree, counting the agents as a level.
 *
 * @lean Hydrogen.Scale.levels
 */
export const levels = (n: number, k: number): number => coordinatorLevels(n, k) + 1;

/**
 * All coordinators of all levels.
 *
 * @lean Hydrogen.Scale.totalCoordinators
 */
export const totalCoordinators = (n: number, k: number): number =>
  coordinatorsPerLevel(n, k).reduce((s, c) => addExact("totalCoordinators", s, c), 0);

/**
 * Messages in one aggregation round: every agent and every coordinator but the
 * root sends one summary to its parent (`n + S - 1`, natural subtraction).
 *
 * @lean Hydrogen.Scale.messagesPerRound
 */
export const messagesPerRound = (n: number, k: number): number => {
  // `(n + S) - 1` as `n + (S - 1)` when S ≥ 1, so `n + S` = 2^53 need not be formed.
  const S = totalCoordinators(n, k);
  return S === 0 ? natSub(n, 1) : addExact("messagesPerRound", n, S - 1);
};

/**
 * Hops from an agent up to the root and back down to an agent.
 *
 * @lean Hydrogen.Scale.roundTripHops
 */
export const roundTripHops = (n: number, k: number): number => 2 * coordinatorLevels(n, k);

/** Both sides of the proved message bound, in exact integer arithmetic. */
export interface MessageBound {
  /** Messages per round `M`. */
  readonly messages: number;
  /** Coordinator levels `L`. */
  readonly coordinatorLevels: number;
  /** `(k−1)·M`. */
  readonly lhs: bigint;
  /** `n·k + (k−1)·(L−1) − 1`. */
  readonly rhs: bigint;
  /** Lean's form, left side: `k·M + k + L`. */
  readonly leanLhs: bigint;
  /** Lean's form, right side: `n·k + M + k·L`. */
  readonly leanRhs: bigint;
  /** `lhs ≤ rhs` (equivalently `leanLhs ≤ leanRhs`). */
  readonly holds: boolean;
}

/**
 * The two sides of `Hydrogen.Scale.messagesPerRound_bound` for `n` agents and
 * branching `k`: `k·M + k + L ≤ n·k + M + k·L`, which for `k ≥ 1` is
 * `(k−1)·M ≤ n·k + (k−1)·(L−1) − 1`. Computed with `bigint`, since `n·k`
 * exceeds 2^53 for large inputs.
 */
export const messageBound = (n: number, k: number): MessageBound => {
  const M = messagesPerRound(n, k);
  const L = coordinatorLevels(n, k);
  const [bn, bk, bM, bL] = [BigInt(n), BigInt(k), BigInt(M), BigInt(L)];
  const leanLhs = bk * bM + bk + bL;
  const leanRhs = bn * bk + bM + bk * bL;
  const lhs = (bk - 1n) * bM;
  const rhs = bn * bk + (bk - 1n) * (bL - 1n) - 1n;
  return { messages: M, coordinatorLevels: L, lhs, rhs, leanLhs, leanRhs, holds: lhs <= rhs && leanLhs <= leanRhs };
};
