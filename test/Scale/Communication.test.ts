import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OutOfDomain, SafeIntegerOverflow } from "../../src/Aggregate/Domain.ts";
import {
  ceilDiv,
  coordinatorLevels,
  coordinatorsAbove,
  coordinatorsPerLevel,
  levels,
  messageBound,
  messagesPerRound,
  roundTripHops,
  totalCoordinators,
} from "../../src/Scale/Communication.ts";

// Expected values here never come from the implementation: they are either the
// numbers stated in the Lean theorems or computed independently below, in
// BigInt, from the closed form `count at level j = ⌈n / k^j⌉` and
// `coordinator levels = max(1, ⌈log_k n⌉)`.

const agents = fc.integer({ min: 1, max: 1e12 });
const branching = fc.integer({ min: 2, max: 1e5 });
const runs = { numRuns: 300 } as const;

/** `⌈a / b⌉` in BigInt via the remainder (not the `(a + b − 1) / b` trick). */
const bigCeil = (a: bigint, b: bigint): bigint => (a % b === 0n ? a / b : a / b + 1n);

/** Independent model of the tree for `n ≥ 1`, `k ≥ 2`: level `j` (1-based) holds `⌈n / k^j⌉`. */
const model = (n: number, k: number) => {
  const bn = BigInt(n);
  const bk = BigInt(k);
  const perLevel: bigint[] = [];
  let pow = bk;
  for (;;) {
    perLevel.push(bigCeil(bn, pow));
    if (pow >= bn) break; // k^j ≥ n: this level is the single root
    pow *= bk;
  }
  const total = perLevel.reduce((s, c) => s + c, 0n);
  return { perLevel, total, messages: bn + total - 1n, coordinatorLevels: perLevel.length };
};

describe("Hydrogen.Scale definitions", () => {
  // @lean Hydrogen.Scale.ceilDiv
  it("ceilDiv a k is the rounded-up quotient ⌈a / k⌉ (checked in BigInt)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e15 }), fc.integer({ min: 1, max: 1e6 }), (a, k) => {
        expect(BigInt(ceilDiv(a, k))).toBe(bigCeil(BigInt(a), BigInt(k)));
      }),
      runs,
    );
    expect(ceilDiv(7, 0)).toBe(0); // Lean: x / 0 = 0
    expect(ceilDiv(0, 5)).toBe(0);
    expect(ceilDiv(10 ** 15 - 1, 10 ** 6)).toBe(10 ** 9);
  });

  // @lean Hydrogen.Scale.coordinatorsPerLevel
  it("the tree is well formed: last level is 1, each level is ⌈previous / k⌉ starting from n", () => {
    fc.assert(
      fc.property(agents, branching, (n, k) => {
        const ls = coordinatorsPerLevel(n, k);
        expect(ls.length).toBeGreaterThanOrEqual(1);
        expect(ls[ls.length - 1]).toBe(1);
        let prev = BigInt(n);
        for (const c of ls) {
          expect(BigInt(c)).toBe(bigCeil(prev, BigInt(k)));
          prev = BigInt(c);
        }
        // only the root level has a single coordinator
        expect(ls.slice(0, -1).every((c) => c > 1)).toBe(true);
        expect(ls.map(BigInt)).toEqual(model(n, k).perLevel);
      }),
      runs,
    );
  });

  // @lean Hydrogen.Scale.coordinatorLevels
  it("k^coordinatorLevels ≥ n, and the tree is no taller than needed: k^(L−1) < n for n ≥ 2", () => {
    fc.assert(
      fc.property(agents, branching, (n, k) => {
        const L = coordinatorLevels(n, k);
        expect(BigInt(k) ** BigInt(L) >= BigInt(n)).toBe(true);
        if (n >= 2) expect(BigInt(k) ** BigInt(L - 1) < BigInt(n)).toBe(true);
        else expect(L).toBe(1);
      }),
      runs,
    );
  });

  // @lean Hydrogen.Scale.le_mul_ceilDiv
  it("le_mul_ceilDiv: a ≤ k · ceilDiv a k for every a and k > 0", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e15 }), fc.integer({ min: 1, max: 1e6 }), (a, k) => {
        expect(BigInt(a) <= BigInt(k) * BigInt(ceilDiv(a, k))).toBe(true);
      }),
      runs,
    );
  });

  // @lean Hydrogen.Scale.le_pow_length_coordinatorsAbove
  it("le_pow_length_coordinatorsAbove: for k ≥ 2 and a ≤ fuel, a ≤ k ^ (coordinatorsAbove k fuel a).length", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 2, max: 1e4 }), fc.integer({ min: 0, max: 50 }), (a, k, extra) => {
        const fuel = Math.min(a + extra, 1e9);
        expect(BigInt(a) <= BigInt(k) ** BigInt(coordinatorsAbove(k, fuel, a).length)).toBe(true);
      }),
      runs,
    );
  });

  // @lean Hydrogen.Scale.le_pow_coordinatorLevels
  it("le_pow_coordinatorLevels: for k ≥ 2, n ≤ k ^ coordinatorLevels n k (L coordinator levels cover at most k^L agents)", () => {
    fc.assert(
      fc.property(fc.oneof(agents, fc.constant(0)), branching, (n, k) => {
        expect(BigInt(n) <= BigInt(k) ** BigInt(coordinatorLevels(n, k))).toBe(true);
      }),
      runs,
    );
  });

  // @lean Hydrogen.Scale.levels
  // @lean Hydrogen.Scale.totalCoordinators
  // @lean Hydrogen.Scale.messagesPerRound
  it("levels, totalCoordinators and messagesPerRound agree with the closed-form model", () => {
    fc.assert(
      fc.property(agents, branching, (n, k) => {
        const m = model(n, k);
        expect(levels(n, k)).toBe(m.coordinatorLevels + 1);
        expect(BigInt(totalCoordinators(n, k))).toBe(m.total);
        expect(BigInt(messagesPerRound(n, k))).toBe(m.messages);
      }),
      runs,
    );
  });

  // @lean Hydrogen.Scale.coordinatorsAbove
  it("coordinatorsAbove follows Lean's fuel semantics (fuel 0 is empty, k = 1 repeats a, k = 0 is the root)", () => {
    expect(coordinatorsAbove(10, 0, 1000)).toEqual([]);
    expect(coordinatorsAbove(10, 2, 1000)).toEqual([100, 10]); // fuel runs out before the root
    expect(coordinatorsAbove(10, 3, 1000)).toEqual([100, 10, 1]);
    expect(coordinatorsAbove(1, 4, 7)).toEqual([7, 7, 7, 7]);
    expect(coordinatorsAbove(1, 4, 1)).toEqual([1]);
    expect(coordinatorsAbove(0, 4, 7)).toEqual([1]);
    expect(() => coordinatorsAbove(1, 1e15, 2)).toThrow(RangeError); // Lean: 10^15 copies of 2
    expect(coordinatorsPerLevel(0, 10)).toEqual([]);
    expect(messagesPerRound(0, 10)).toBe(0); // 0 + 0 − 1 truncates to 0
  });

  // @lean Hydrogen.Scale.roundTripHops
  it("roundTripHops is twice the coordinator levels (model)", () => {
    fc.assert(
      fc.property(agents, branching, (n, k) => {
        expect(roundTripHops(n, k)).toBe(2 * model(n, k).coordinatorLevels);
      }),
      runs,
    );
  });
});

describe("Hydrogen.Scale theorems", () => {
  // @lean Hydrogen.Scale.mul_ceilDiv_le
  it("mul_ceilDiv_le: k · ceilDiv a k ≤ a + k − 1", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 0, max: 1e5 }), (a, k) => {
        const lhs = BigInt(k) * BigInt(ceilDiv(a, k));
        const rhs = BigInt(Math.max(0, a + k - 1));
        expect(lhs <= rhs).toBe(true);
      }),
      runs,
    );
  });

  // @lean Hydrogen.Scale.coordinatorsAbove_bound
  it("coordinatorsAbove_bound: for a ≥ 1, k·S + L + 1 ≤ a + S + k·L over the levels above a", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e5 }),
        fc.integer({ min: 0, max: 64 }),
        fc.integer({ min: 1, max: 1e12 }),
        (k, fuel, a) => {
          const ls = coordinatorsAbove(k, fuel, a);
          const S = ls.reduce((s, c) => s + BigInt(c), 0n);
          const L = BigInt(ls.length);
          const bk = BigInt(k);
          expect(bk * S + L + 1n <= BigInt(a) + S + bk * L).toBe(true);
        },
      ),
      runs,
    );
  });

  // @lean Hydrogen.Scale.totalCoordinators_pos
  it("totalCoordinators_pos: n ≥ 1 agents need at least one coordinator", () => {
    fc.assert(
      fc.property(agents, fc.integer({ min: 0, max: 1e5 }), (n, k) => {
        if (k === 1 && n > 1) return; // k = 1 builds n levels of n: true but too large to enumerate
        expect(totalCoordinators(n, k)).toBeGreaterThanOrEqual(1);
      }),
      runs,
    );
    expect(totalCoordinators(1, 1)).toBe(1);
    expect(totalCoordinators(5, 1)).toBe(25); // five levels of five
  });

  // @lean Hydrogen.Scale.messagesPerRound_bound
  it("messagesPerRound_bound: k·M + k + L ≤ n·k + M + k·L, i.e. (k−1)·M ≤ n·k + (k−1)·(L−1) − 1", () => {
    fc.assert(
      fc.property(agents, branching, (n, k) => {
        const m = model(n, k);
        const [bn, bk, M, L] = [BigInt(n), BigInt(k), m.messages, BigInt(m.coordinatorLevels)];
        expect(bk * M + bk + L <= bn * bk + M + bk * L).toBe(true);
        const b = messageBound(n, k);
        expect(b.messages).toBe(Number(M));
        expect(b.lhs).toBe((bk - 1n) * M);
        expect(b.rhs).toBe(bn * bk + (bk - 1n) * (L - 1n) - 1n);
        expect(b.holds).toBe(true);
      }),
      runs,
    );
  });

  // @lean Hydrogen.Scale.roundTripHops_eq
  it("roundTripHops_eq: roundTripHops n k = 2 · (levels n k − 1)", () => {
    fc.assert(
      fc.property(agents, branching, (n, k) => {
        expect(roundTripHops(n, k)).toBe(2 * (levels(n, k) - 1));
      }),
      runs,
    );
  });

  const billion = 10 ** 9;

  // @lean Hydrogen.Scale.billion_k10
  it("billion_k10: 10^9 agents, k = 10: per level 10^8 … 10, 1; 10 levels; 111,111,111 coordinators", () => {
    const expected = model(billion, 10);
    expect(expected.perLevel).toEqual([10n ** 8n, 10n ** 7n, 10n ** 6n, 10n ** 5n, 10n ** 4n, 1000n, 100n, 10n, 1n]);
    expect(expected.total).toBe(111_111_111n);
    expect(coordinatorsPerLevel(billion, 10).map(BigInt)).toEqual(expected.perLevel);
    expect(levels(billion, 10)).toBe(10);
    expect(totalCoordinators(billion, 10)).toBe(111_111_111);
  });

  // @lean Hydrogen.Scale.billion_k100
  it("billion_k100: 10^9 agents, k = 100: [10^7, 10^5, 1000, 10, 1]; 6 levels (seed says 5); 10,101,011 coordinators", () => {
    const expected = model(billion, 100);
    expect(expected.perLevel).toEqual([10_000_000n, 100_000n, 1000n, 10n, 1n]);
    expect(expected.total).toBe(10_101_011n);
    expect(coordinatorsPerLevel(billion, 100).map(BigInt)).toEqual(expected.perLevel);
    expect(levels(billion, 100)).toBe(6);
    expect(totalCoordinators(billion, 100)).toBe(10_101_011);
  });

  // @lean Hydrogen.Scale.billion_k1000
  it("billion_k1000: 10^9 agents, k = 1000: [10^6, 1000, 1]; 4 levels; 1,001,001 coordinators", () => {
    const expected = model(billion, 1000);
    expect(expected.perLevel).toEqual([1_000_000n, 1000n, 1n]);
    expect(expected.total).toBe(1_001_001n);
    expect(coordinatorsPerLevel(billion, 1000).map(BigInt)).toEqual(expected.perLevel);
    expect(levels(billion, 1000)).toBe(4);
    expect(totalCoordinators(billion, 1000)).toBe(1_001_001);
  });

  // @lean Hydrogen.Scale.billion_k10000
  it("billion_k10000: 10^9 agents, k = 10000: [10^5, 10, 1]; 4 levels (seed says 3); 100,011 coordinators", () => {
    const expected = model(billion, 10_000);
    expect(expected.perLevel).toEqual([100_000n, 10n, 1n]);
    expect(expected.total).toBe(100_011n);
    expect(coordinatorsPerLevel(billion, 10_000).map(BigInt)).toEqual(expected.perLevel);
    expect(levels(billion, 10_000)).toBe(4);
    expect(totalCoordinators(billion, 10_000)).toBe(100_011);
  });

  // @lean Hydrogen.Scale.seed_k100_levels_too_few
  it("seed_k100_levels_too_few: levels n 100 ≤ 5 implies n ≤ 10^8 (5 levels of branching 100 cannot hold 10^9 agents)", () => {
    // every n whose tree has at most 5 levels is at most 10^8; the boundary is exact
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 2e8 }), fc.integer({ min: 0, max: 1e12 })), (n) => {
        if (levels(n, 100) <= 5) expect(n).toBeLessThanOrEqual(1e8);
      }),
      runs,
    );
    expect(levels(1e8, 100)).toBe(5);
    expect(levels(1e8 + 1, 100)).toBe(6);
    expect(levels(billion, 100)).toBeGreaterThan(5);
  });

  // @lean Hydrogen.Scale.seed_k10000_levels_too_few
  it("seed_k10000_levels_too_few: levels n 10000 ≤ 3 implies n ≤ 10^8 (3 levels of branching 10000 cannot hold 10^9 agents)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 2e8 }), fc.integer({ min: 0, max: 1e12 })), (n) => {
        if (levels(n, 10_000) <= 3) expect(n).toBeLessThanOrEqual(1e8);
      }),
      runs,
    );
    expect(levels(1e8, 10_000)).toBe(3);
    expect(levels(1e8 + 1, 10_000)).toBe(4);
    expect(levels(billion, 10_000)).toBeGreaterThan(3);
  });

  // @lean Hydrogen.Scale.seed_message_bound_false
  it("seed_message_bound_false: 5 agents, k = 4 send 7 messages, more than 5·4/(4−1) (= 6 in Nat, 6.67 in ℚ)", () => {
    // 5 agents → ⌈5/4⌉ = 2 locals → 1 root: 5 + 2 messages
    expect(coordinatorsPerLevel(5, 4)).toEqual([2, 1]);
    expect(messagesPerRound(5, 4)).toBe(7);
    expect(messagesPerRound(5, 4) <= Math.floor((5 * 4) / (4 - 1))).toBe(false);
    expect(messagesPerRound(5, 4) <= (5 * 4) / (4 - 1)).toBe(false);
    // while the proved bound holds: 3·7 = 21 ≤ 20 + 3·1 − 1 = 22
    const b = messageBound(5, 4);
    expect([b.lhs, b.rhs, b.holds]).toEqual([21n, 22n, true]);
  });

  // @lean Hydrogen.Scale.billion_k1000_round_trip
  it("billion_k1000_round_trip: a round trip for 10^9 agents with k = 1000 is 6 hops (seed says 8)", () => {
    expect(model(billion, 1000).coordinatorLevels * 2).toBe(6);
    expect(roundTripHops(billion, 1000)).toBe(6);
  });
});

// Seed claims that have no Lean theorem; spec/claims.md cites these tests.
describe("seed claims checked by tests only", () => {
  it("seed 000 §3.3 comm_linear_not_quadratic (messages ≤ 2n) is false: 9 agents, k = 2 send 19 > 18 messages", () => {
    // ⌈9/2⌉ = 5, ⌈5/2⌉ = 3, ⌈3/2⌉ = 2, ⌈2/2⌉ = 1: 11 coordinators, 9 + 11 − 1 = 19 messages
    expect(model(9, 2).perLevel).toEqual([5n, 3n, 2n, 1n]);
    expect(messagesPerRound(9, 2)).toBe(19);
    expect(messagesPerRound(9, 2) <= 2 * 9).toBe(false);
  });

  it("seed 001 Solution 1 hierarchical_comm_complexity: messages ≤ n · (⌊log_k n⌋ + 1) holds on samples", () => {
    const floorLog = (n: bigint, k: bigint): bigint => {
      let e = 0n;
      for (let p = k; p <= n; p *= k) e++;
      return e;
    };
    fc.assert(
      fc.property(agents, branching, (n, k) => {
        const m = model(n, k);
        expect(m.messages <= BigInt(n) * (floorLog(BigInt(n), BigInt(k)) + 1n)).toBe(true);
      }),
      runs,
    );
  });

  it("seed 001 Solution 1 'O(log n) communication' is false for the message count: every round sends at least n messages", () => {
    fc.assert(
      fc.property(agents, branching, (n, k) => {
        expect(messagesPerRound(n, k)).toBeGreaterThanOrEqual(n);
      }),
      runs,
    );
  });
});

describe("scale arithmetic over Lean's whole Nat domain (edges and typed errors)", () => {
  const MAX = Number.MAX_SAFE_INTEGER;
  const ceilRef = (a: number, k: number) => (k === 0 ? 0n : (BigInt(a) + BigInt(k) - 1n) / BigInt(k));
  const edgeNat = fc.oneof(fc.constantFrom(0, 1, 2, MAX, MAX - 1, 2 ** 52), fc.integer({ min: 0, max: MAX }), fc.nat(10));

  // @lean Hydrogen.Scale.ceilDiv
  it("ceilDiv is Lean's (a + k - 1) / k (with / 0 = 0) for all safe a, k, even where a + k passes 2^53", () => {
    fc.assert(fc.property(edgeNat, edgeNat, (a, k) => {
      expect(BigInt(ceilDiv(a, k))).toBe(ceilRef(a, k));
    }), runs);
    expect(ceilDiv(MAX, MAX)).toBe(1);
    expect(ceilDiv(MAX, 2)).toBe(2 ** 52);
    expect(ceilDiv(5, 0)).toBe(0);
    expect(ceilDiv(0, 7)).toBe(0);
  });

  // @lean Hydrogen.Scale.coordinatorsPerLevel
  it("n = 0 and k ∈ {0, 1} follow the Lean definitions", () => {
    expect(coordinatorsPerLevel(0, 2)).toEqual([]); // fuel 0
    expect(messagesPerRound(0, 2)).toBe(0); // 0 + 0 - 1 truncates to 0
    expect(levels(0, 0)).toBe(1);
    expect(coordinatorsPerLevel(5, 0)).toEqual([1]); // ceilDiv _ 0 = 0 ≤ 1
    expect(coordinatorsPerLevel(1, 1)).toEqual([1]);
    expect(coordinatorsPerLevel(4, 1)).toEqual([4, 4, 4, 4]); // fuel copies of n
  });

  it("n near 2^53: exact counts, or SafeIntegerOverflow when messagesPerRound would pass 2^53 − 1", () => {
    expect(totalCoordinators(2 ** 52, 2)).toBe(2 ** 52 - 1);
    expect(messagesPerRound(2 ** 52, 2)).toBe(MAX - 1);
    expect(coordinatorsPerLevel(MAX, MAX)).toEqual([1]);
    expect(messagesPerRound(MAX, MAX)).toBe(MAX);
    expect(() => messagesPerRound(MAX, 2)).toThrow(SafeIntegerOverflow);
  });

  it("rejects n, k, a, fuel that are not Nat with OutOfDomain", () => {
    const bad = fc.constantFrom(Number.NaN, -1, 0.5, Number.POSITIVE_INFINITY, 2 ** 53, -MAX);
    fc.assert(fc.property(bad, (x) => {
      expect(() => ceilDiv(x, 2)).toThrow(OutOfDomain);
      expect(() => ceilDiv(2, x)).toThrow(OutOfDomain);
      expect(() => coordinatorsPerLevel(x, 2)).toThrow(OutOfDomain);
      expect(() => messagesPerRound(10, x)).toThrow(OutOfDomain);
      expect(() => coordinatorsAbove(2, x, 3)).toThrow(OutOfDomain);
    }));
  });
});
