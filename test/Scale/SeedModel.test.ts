import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { coordinatorsAbove, messagesPerRound, totalCoordinators } from "../../src/Scale/Communication.ts";
import { messages_at_level, seedLog, seedLogAux, total_messages } from "../../src/Scale/SeedModel.ts";

// Expected values never come from the implementation under test: they are the
// numbers stated in the Lean theorems or computed independently here in BigInt
// from the seed's formulas (`n / k^i` with k^i formed as a BigInt power).

const agents = fc.integer({ min: 1, max: 1e12 });
const branching = fc.integer({ min: 2, max: 1e5 });
const runs = { numRuns: 300 } as const;

/** Σ_{i < L} ⌊n / k^i⌋ in BigInt, forming k^i (the seed's formula, literally). */
const seedSum = (n: number, k: number, L: number): bigint => {
  const [bn, bk] = [BigInt(n), BigInt(k)];
  let s = 0n;
  for (let i = 0; i < L; i++) {
    const p = bk ** BigInt(i);
    if (p > bn) break; // every later term is 0
    s += bn / p;
  }
  return s;
};

/** Largest e with k^e ≤ n (k ≥ 2, n ≥ 1), by powers in BigInt. */
const bigLog = (n: number, k: number): number => {
  let e = 0;
  let p = BigInt(k);
  while (p <= BigInt(n)) {
    e++;
    p *= BigInt(k);
  }
  return e;
};

describe("Hydrogen.Scale seed model definitions", () => {
  // @lean Hydrogen.Scale.messages_at_level
  it("messages_at_level n k i is ⌊n / k^i⌋ (Lean: n / 0 = 0, 0^0 = 1)", () => {
    fc.assert(
      fc.property(agents, branching, fc.integer({ min: 0, max: 80 }), (n, k, i) => {
        expect(BigInt(messages_at_level(n, k, i))).toBe(BigInt(n) / BigInt(k) ** BigInt(i));
      }),
      runs,
    );
    expect(messages_at_level(7, 0, 0)).toBe(7);
    expect(messages_at_level(7, 0, 3)).toBe(0);
    expect(messages_at_level(7, 1, 3)).toBe(7);
  });

  // @lean Hydrogen.Scale.total_messages
  it("total_messages n k L is Σ_{i<L} ⌊n / k^i⌋", () => {
    fc.assert(
      fc.property(agents, branching, fc.integer({ min: 0, max: 60 }), (n, k, L) => {
        expect(BigInt(total_messages(n, k, L))).toBe(seedSum(n, k, L));
      }),
      runs,
    );
    expect(total_messages(5, 1, 4)).toBe(20);
    expect(total_messages(5, 0, 4)).toBe(5);
    expect(total_messages(5, 4, 0)).toBe(0);
  });

  // @lean Hydrogen.Scale.seedLogAux
  // @lean Hydrogen.Scale.seedLog
  it("seedLog k n is the largest e with k^e ≤ n (Mathlib's Nat.log), 0 for k ≤ 1", () => {
    fc.assert(
      fc.property(agents, branching, (n, k) => {
        expect(seedLog(k, n)).toBe(bigLog(n, k));
      }),
      runs,
    );
    expect(seedLog(1000, 10 ** 9)).toBe(3);
    expect(seedLog(1, 10)).toBe(0);
    expect(seedLog(0, 10)).toBe(0);
    expect(seedLogAux(2, 2, 1024)).toBe(2); // fuel runs out first
  });
});

describe("Hydrogen.Scale seed model theorems", () => {
  // @lean Hydrogen.Scale.total_messages_succ
  it("total_messages_succ: total_messages n k (L+1) = total_messages n k L + n / k^L", () => {
    fc.assert(
      fc.property(agents, branching, fc.integer({ min: 0, max: 40 }), (n, k, L) => {
        expect(BigInt(total_messages(n, k, L + 1))).toBe(
          BigInt(total_messages(n, k, L)) + BigInt(n) / BigInt(k) ** BigInt(L),
        );
      }),
      runs,
    );
  });

  // @lean Hydrogen.Scale.total_messages_invariant
  it("total_messages_invariant: (k−1)·Σ_{i<L} n/k^i + k·(n/k^L) ≤ n·k", () => {
    fc.assert(
      fc.property(agents, fc.integer({ min: 0, max: 1e5 }), fc.integer({ min: 0, max: 40 }), (n, k, L) => {
        const [bn, bk] = [BigInt(n), BigInt(k)];
        const t = BigInt(total_messages(n, k, L));
        const last = k === 0 && L > 0 ? 0n : bn / bk ** BigInt(L);
        const km1 = k === 0 ? 0n : bk - 1n;
        expect(km1 * t + bk * last <= bn * bk).toBe(true);
      }),
      runs,
    );
  });

  // @lean Hydrogen.Scale.total_messages_mul_le
  it("total_messages_mul_le: (k−1) · total_messages n k L ≤ n·k for any number of levels", () => {
    fc.assert(
      fc.property(agents, branching, fc.integer({ min: 0, max: 60 }), (n, k, L) => {
        const t = seedSum(n, k, L);
        expect((BigInt(k) - 1n) * t <= BigInt(n) * BigInt(k)).toBe(true);
      }),
      runs,
    );
  });

  // @lean Hydrogen.Scale.total_messages_bound
  it("total_messages_bound (seed 000 §3.3, as stated): total_messages n k (log_k n + 1) ≤ n·k/(k−1)", () => {
    fc.assert(
      fc.property(agents, branching, (n, k) => {
        const t = BigInt(total_messages(n, k, seedLog(k, n) + 1));
        expect(t).toBe(seedSum(n, k, bigLog(n, k) + 1));
        expect(t <= (BigInt(n) * BigInt(k)) / (BigInt(k) - 1n)).toBe(true);
      }),
      runs,
    );
    // 10^9 agents, k = 1000: 10^9 + 10^6 + 10^3 + 1 ≤ 10^12 / 999
    expect(total_messages(10 ** 9, 1000, seedLog(1000, 10 ** 9) + 1)).toBe(1_001_001_001);
  });

  // @lean Hydrogen.Scale.comm_linear_not_quadratic
  it("comm_linear_not_quadratic (seed 000 §3.3): total_messages ≤ 2·n for k ≥ 2, in the seed's model", () => {
    fc.assert(
      fc.property(agents, branching, fc.integer({ min: 0, max: 60 }), (n, k, L) => {
        expect(seedSum(n, k, L) <= 2n * BigInt(n)).toBe(true);
      }),
      runs,
    );
    // the real tree is another matter: 9 agents, k = 2 send 19 > 18 messages
    expect(seedSum(9, 2, bigLog(9, 2) + 1)).toBe(16n);
    expect(messagesPerRound(9, 2)).toBe(19);
  });

  // @lean Hydrogen.Scale.geometric_mul
  it("geometric_mul: j · Σ_{i<n} (j+1)^i + 1 = (j+1)^n", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 40 }), (j, n) => {
        const r = BigInt(j) + 1n;
        let s = 0n;
        for (let i = 0; i < n; i++) s += r ** BigInt(i);
        expect(BigInt(j) * s + 1n).toBe(r ** BigInt(n));
      }),
      runs,
    );
  });

  // @lean Hydrogen.Scale.geometric_sum
  it("geometric_sum (seed 000 §3.3): Σ_{i≤n} r^i = (r^(n+1) − 1)/(r − 1) for r > 1 (floor division, exact)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 1000 }), fc.integer({ min: 0, max: 40 }), (r0, n) => {
        const r = BigInt(r0);
        let s = 0n;
        for (let i = 0; i <= n; i++) s += r ** BigInt(i);
        expect(s).toBe((r ** BigInt(n + 1) - 1n) / (r - 1n));
        expect((r ** BigInt(n + 1) - 1n) % (r - 1n)).toBe(0n);
      }),
      runs,
    );
    expect((1000n ** 4n - 1n) / 999n).toBe(1_001_001_001n); // 1 + 10^3 + 10^6 + 10^9
  });

  // @lean Hydrogen.Scale.seed_undercounts
  it("seed_undercounts: 5 agents, k = 4: the seed's sum is 6, a real round sends 7", () => {
    expect(seedLog(4, 5)).toBe(1);
    expect(total_messages(5, 4, seedLog(4, 5) + 1)).toBe(6);
    expect(messagesPerRound(5, 4)).toBe(7);
  });

  // @lean Hydrogen.Scale.seed_counts_root
  it("seed_counts_root: 4 agents, k = 2: the seed's sum is 7 (it counts the root), a real round sends 6", () => {
    expect(total_messages(4, 2, seedLog(2, 4) + 1)).toBe(7);
    expect(messagesPerRound(4, 2)).toBe(6);
  });

  // @lean Hydrogen.Scale.seed_linear_bound_false_real
  it("seed_linear_bound_false_real: 9 agents, k = 2: a real round sends 19 > 2·9 messages; the seed's sum is 16", () => {
    expect(messagesPerRound(9, 2)).toBe(19);
    expect(total_messages(9, 2, seedLog(2, 9) + 1)).toBe(16);
  });

  // @lean Hydrogen.Scale.total_messages_le_nodesAbove
  it("total_messages_le_nodesAbove: for k ≥ 1, m ≤ a and L ≤ levels above a + 1, the floor sum ≤ a + Σ coordinatorsAbove", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 1e5 }),
        fc.integer({ min: 0, max: 64 }),
        fc.integer({ min: 0, max: 1e12 }),
        fc.integer({ min: 0, max: 1e12 }),
        fc.nat(70),
        (k, fuel, x, y, Lraw) => {
          const [m, a] = x <= y ? [x, y] : [y, x];
          const ls = coordinatorsAbove(k, fuel, a);
          const L = Lraw % (ls.length + 2);
          const S = ls.reduce((s, c) => s + BigInt(c), 0n);
          expect(seedSum(m, k, L) <= BigInt(a) + S).toBe(true);
        },
      ),
      runs,
    );
    // k = 1: the sum is m·L and the levels above a are `fuel` copies of a (or [1])
    expect(total_messages(3, 1, 4) <= 3 + coordinatorsAbove(1, 3, 3).reduce((s, c) => s + c, 0)).toBe(true);
  });

  // @lean Hydrogen.Scale.seedLogAux_le_length
  it("seedLogAux_le_length: for k ≥ 2, f ≤ g and m ≤ a, seedLogAux k f m ≤ length (coordinatorsAbove k g a)", () => {
    fc.assert(
      fc.property(
        branching,
        fc.integer({ min: 0, max: 64 }),
        fc.integer({ min: 0, max: 64 }),
        fc.integer({ min: 0, max: 1e12 }),
        fc.integer({ min: 0, max: 1e12 }),
        (k, f0, g0, x, y) => {
          const [f, g] = f0 <= g0 ? [f0, g0] : [g0, f0];
          const [m, a] = x <= y ? [x, y] : [y, x];
          expect(seedLogAux(k, f, m)).toBeLessThanOrEqual(coordinatorsAbove(k, g, a).length);
        },
      ),
      runs,
    );
  });

  // @lean Hydrogen.Scale.seed_total_le_nodes
  it("seed_total_le_nodes: the seed's sum ≤ n + totalCoordinators n k (nodes of the real tree)", () => {
    fc.assert(
      fc.property(agents, branching, (n, k) => {
        const t = seedSum(n, k, bigLog(n, k) + 1);
        expect(t <= BigInt(n) + BigInt(totalCoordinators(n, k))).toBe(true);
      }),
      runs,
    );
  });

  // @lean Hydrogen.Scale.seed_total_le_messagesPerRound_succ
  it("seed_total_le_messagesPerRound_succ: the seed's sum ≤ real messages + 1 (n ≥ 1, k ≥ 2)", () => {
    fc.assert(
      fc.property(agents, branching, (n, k) => {
        const t = seedSum(n, k, bigLog(n, k) + 1);
        expect(t <= BigInt(messagesPerRound(n, k)) + 1n).toBe(true);
      }),
      runs,
    );
  });
});
