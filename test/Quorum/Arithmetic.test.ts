import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bftQuorum, card, compl, degradation, honestCommon, inter, level, mem, minValid, planQuorum, reachable, valid,
} from "../../src/Quorum/Arithmetic.ts";

// Properties restate the theorems of lean/Hydrogen/Quorum/Arithmetic.lean.
// Expected values are the seed's numbers or are computed here by brute force
// (enumerating sizes, counting members index by index), never by the code under test.

const small = fc.integer({ min: 0, max: 400 });
const runs = { numRuns: 300 } as const;

/** A set over n researchers with exactly `size` members, placed by a shuffle. */
const setOf = (n: number, size: number, order: number[]): boolean[] => {
  const s = Array.from({ length: n }, () => false);
  for (const i of order.slice(0, size)) s[i] = true;
  return s;
};
const perm = (n: number) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n });
/** Members in both and not faulty, counted index by index. */
const honestShared = (a: boolean[], b: boolean[], faulty: boolean[]) => a.filter((x, i) => x && b[i] && !faulty[i]).length;

describe("Hydrogen.Quorum arithmetic", () => {
  // @lean Hydrogen.Quorum.valid_iff
  it("valid_iff: valid n f q is q + f ≤ n ∧ 2q > n ∧ q ≥ 2f + 1", () => {
    fc.assert(fc.property(small, small, small, (n, f, q) => {
      expect(valid(n, f, q)).toBe(q + f <= n && 2 * q > n && q >= 2 * f + 1);
    }), runs);
  });

  // @lean Hydrogen.Quorum.valid_iff_between
  it("valid_iff_between: the valid sizes are exactly [minValid n f, n − f]", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 50 }), (n, f) => {
      const sizes = [...Array(n + 2).keys()].filter((q) => valid(n, f, q));
      const lo = Math.max(2 * f + 1, Math.floor(n / 2) + 1);
      const expected = [...Array(n + 2).keys()].filter((q) => q >= lo && q <= n - f);
      expect(sizes).toEqual(expected);
      expect(minValid(n, f)).toBe(lo);
    }), runs);
  });

  // @lean Hydrogen.Quorum.solvable_iff
  it("solvable_iff: some q is valid exactly when n ≥ 3f + 1 (searching every q ≤ n)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 150 }), fc.integer({ min: 0, max: 60 }), (n, f) => {
      const some = [...Array(n + 1).keys()].some((q) => valid(n, f, q));
      expect(some).toBe(n >= 3 * f + 1);
      const plan = planQuorum(n, f);
      expect(plan._tag).toBe(some ? "QuorumPlan" : "QuorumImpossible");
      if (plan._tag === "QuorumImpossible") expect(plan.needed).toBe(3 * f + 1);
      else expect(valid(n, f, plan.q) && valid(n, f, plan.maxQ)).toBe(true);
    }), runs);
    expect(planQuorum(10, 4)).toEqual({ _tag: "QuorumImpossible", n: 10, f: 4, needed: 13 });
  });

  // @lean Hydrogen.Quorum.valid_live
  it("valid_live: with n ≥ 3f + 1, q = n − f is valid", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 1e6 }), (f, extra) => {
      const n = 3 * f + 1 + extra;
      expect(valid(n, f, n - f)).toBe(true);
    }), runs);
  });

  // @lean Hydrogen.Quorum.valid_seed_iff
  it("valid_seed_iff: for n = 10, f = 3 the only valid quorum is 7", () => {
    expect([...Array(30).keys()].filter((q) => valid(10, 3, q))).toEqual([7]);
  });

  // @lean Hydrogen.Quorum.card_inter_ge
  it("card_inter_ge: two sets over n researchers share at least |A| + |B| − n", () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.boolean()), { maxLength: 60 }), (pairs) => {
      const a = pairs.map((p) => p[0]), b = pairs.map((p) => p[1]);
      const shared = pairs.filter((p) => p[0] && p[1]).length;
      expect(card(inter(a, b))).toBe(shared);
      expect(card(a) + card(b)).toBeLessThanOrEqual(shared + pairs.length);
    }), runs);
  });

  // @lean Hydrogen.Quorum.card_le_length
  // @lean Hydrogen.Quorum.card_compl
  // @lean Hydrogen.Quorum.card_append
  // @lean Hydrogen.Quorum.card_replicate
  it("card_le_length, card_compl, card_append, card_replicate: |s| ≤ length, |¬s| + |s| = length, |s ++ t| = |s| + |t|, |b^k| = k or 0", () => {
    fc.assert(fc.property(fc.array(fc.boolean(), { maxLength: 50 }), fc.array(fc.boolean(), { maxLength: 50 }), fc.nat(60), fc.boolean(), (s, t, k, b) => {
      const count = (x: boolean[]) => x.filter(Boolean).length;
      expect(card(s)).toBe(count(s));
      expect(card(s)).toBeLessThanOrEqual(s.length);
      expect(card(compl(s)) + card(s)).toBe(s.length);
      expect(card([...s, ...t])).toBe(card(s) + card(t));
      expect(card(Array(k).fill(b))).toBe(b ? k : 0);
    }), runs);
  });

  // @lean Hydrogen.Quorum.length_inter
  // @lean Hydrogen.Quorum.mem_inter
  // @lean Hydrogen.Quorum.mem_compl
  // @lean Hydrogen.Quorum.inter_append
  // @lean Hydrogen.Quorum.inter_replicate
  it("length_inter, mem_inter, mem_compl, inter_append, inter_replicate: inter is position-wise and, compl position-wise not", () => {
    const pairs = fc.array(fc.tuple(fc.boolean(), fc.boolean()), { maxLength: 40 });
    fc.assert(fc.property(pairs, pairs, fc.nat(45), fc.nat(30), fc.boolean(), fc.boolean(), (p1, p2, i, k, x, y) => {
      const [s, u] = [p1.map((p) => p[0]), p1.map((p) => p[1])];
      const [t, v] = [p2.map((p) => p[0]), p2.map((p) => p[1])];
      expect(inter(s, u).length).toBe(s.length);
      expect(mem(inter(s, u), i)).toBe(i < s.length && s[i]! && u[i]!);
      if (i < s.length) expect(mem(compl(s), i)).toBe(!s[i]);
      expect(inter([...s, ...t], [...u, ...v])).toEqual([...inter(s, u), ...inter(t, v)]);
      expect(inter(Array(k).fill(x), Array(k).fill(y))).toEqual(Array(k).fill(x && y));
    }), runs);
  });

  // @lean Hydrogen.Quorum.exists_mem_of_card_pos
  it("exists_mem_of_card_pos: a set with a member has a member at some index below its length", () => {
    fc.assert(fc.property(fc.array(fc.boolean(), { maxLength: 50 }), (s) => {
      const i = s.findIndex((b) => b);
      expect(card(s) > 0).toBe(i >= 0);
      if (i >= 0) expect(mem(s, i)).toBe(true);
    }), runs);
  });

  // @lean Hydrogen.Quorum.card_honestCommon_ge
  it("card_honestCommon_ge: |A| + |B| ≤ |honest common| + n + |F| for sets over n researchers", () => {
    const triples = fc.array(fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()), { maxLength: 50 });
    fc.assert(fc.property(triples, (xs) => {
      const [a, b, faulty] = [xs.map((x) => x[0]), xs.map((x) => x[1]), xs.map((x) => x[2])];
      const honest = honestShared(a, b, faulty);
      expect(card(honestCommon(a, b, faulty))).toBe(honest);
      expect(card(a) + card(b)).toBeLessThanOrEqual(honest + xs.length + card(faulty));
    }), runs);
  });

  // @lean Hydrogen.Quorum.quorum_intersection
  it("quorum_intersection: two (n − f)-quorums with n ≥ 3f + 1 share ≥ f + 1 members", () => {
    const arb = fc.integer({ min: 0, max: 12 }).chain((f) => fc.integer({ min: 3 * f + 1, max: 3 * f + 30 }).chain((n) =>
      fc.tuple(fc.constant(n), fc.constant(f), fc.integer({ min: n - f, max: n }), fc.integer({ min: n - f, max: n }), perm(n), perm(n))));
    fc.assert(fc.property(arb, ([n, f, sa, sb, pa, pb]) => {
      const a = setOf(n, sa, pa), b = setOf(n, sb, pb);
      expect(a.filter((x, i) => x && b[i]).length).toBeGreaterThanOrEqual(f + 1);
    }), runs);
  });

  // @lean Hydrogen.Quorum.quorum_honest_member
  it("quorum_honest_member: whichever ≤ f are faulty, two (n − f)-quorums share an honest member", () => {
    const arb = fc.integer({ min: 0, max: 12 }).chain((f) => fc.integer({ min: 3 * f + 1, max: 3 * f + 30 }).chain((n) =>
      fc.tuple(fc.constant(n), fc.constant(f), fc.integer({ min: 0, max: f }), perm(n), perm(n), perm(n))));
    fc.assert(fc.property(arb, ([n, f, nf, pa, pb, pf]) => {
      const a = setOf(n, n - f, pa), b = setOf(n, n - f, pb), faulty = setOf(n, nf, pf);
      const witness = [...Array(n).keys()].find((i) => mem(a, i) && mem(b, i) && !mem(faulty, i));
      expect(witness).toBeDefined();
      expect(card(honestCommon(a, b, faulty))).toBe(honestShared(a, b, faulty));
    }), runs);
  });

  // @lean Hydrogen.Quorum.bftQuorum_spec
  // @lean Hydrogen.Quorum.bftQuorum_seed
  it("bftQuorum_spec, bftQuorum_seed: bftQuorum n f ≤ q ⟺ 2q ≥ n + f + 1 (so it is the least such q); 7 for n = 10, f = 3", () => {
    fc.assert(fc.property(small, small, small, (n, f, q) => {
      expect(bftQuorum(n, f) <= q).toBe(2 * q >= n + f + 1);
    }), runs);
    expect(bftQuorum(10, 3)).toBe(7);
  });

  // @lean Hydrogen.Quorum.bftQuorum_sufficient
  it("bftQuorum_sufficient: quorums of size ≥ bftQuorum n f share an honest member for any ≤ f faulty", () => {
    const arb = fc.integer({ min: 0, max: 40 }).chain((n) => fc.integer({ min: 0, max: n }).chain((f) => {
      const q = bftQuorum(n, f);
      return q > n ? fc.constant(null)
        : fc.tuple(fc.constant(n), fc.integer({ min: q, max: n }), fc.integer({ min: q, max: n }), fc.integer({ min: 0, max: f }), perm(n), perm(n), perm(n));
    }));
    fc.assert(fc.property(arb, (x) => {
      if (x === null) return;
      const [n, sa, sb, nf, pa, pb, pf] = x;
      expect(honestShared(setOf(n, sa, pa), setOf(n, sb, pb), setOf(n, nf, pf))).toBeGreaterThanOrEqual(1);
    }), runs);
  });

  // @lean Hydrogen.Quorum.length_blocks
  // @lean Hydrogen.Quorum.card_blocks
  // @lean Hydrogen.Quorum.inter_blocks
  // @lean Hydrogen.Quorum.compl_blocks
  it("length_blocks, card_blocks, inter_blocks, compl_blocks: four constant blocks m, o, m, r", () => {
    const blk = (m: number, o: number, r: number, x: boolean, y: boolean, z: boolean, w: boolean) =>
      [...Array(m).fill(x), ...Array(o).fill(y), ...Array(m).fill(z), ...Array(r).fill(w)] as boolean[];
    const b4 = fc.tuple(fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean());
    fc.assert(fc.property(fc.nat(20), fc.nat(20), fc.nat(20), b4, b4, (m, o, r, [x, y, z, w], [x2, y2, z2, w2]) => {
      const s = blk(m, o, r, x, y, z, w);
      expect(s.length).toBe(m + o + m + r);
      expect(card(s)).toBe((x ? m : 0) + (y ? o : 0) + (z ? m : 0) + (w ? r : 0));
      expect(inter(s, blk(m, o, r, x2, y2, z2, w2))).toEqual(blk(m, o, r, x && x2, y && y2, z && z2, w && w2));
      expect(compl(s)).toEqual(blk(m, o, r, !x, !y, !z, !w));
    }), runs);
  });

  // @lean Hydrogen.Quorum.bftQuorum_necessary
  it("bftQuorum_necessary: below bftQuorum n f, two quorums can share only faulty members (the four-block witness)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.nat(), (n, f, pick) => {
      const top = Math.min(bftQuorum(n, f) - 1, n);
      const q = pick % (top + 1);
      // A only, both (all faulty), B only, neither
      const o = Math.max(2 * q - n, 0), m = q - o, r = n - 2 * m - o;
      const blk = (x: boolean, y: boolean, z: boolean, w: boolean) =>
        [...Array(m).fill(x), ...Array(o).fill(y), ...Array(m).fill(z), ...Array(r).fill(w)] as boolean[];
      const a = blk(true, true, false, false), b = blk(false, true, true, false), faulty = blk(false, true, false, false);
      expect([a.length, b.length, faulty.length]).toEqual([n, n, n]);
      expect([card(a), card(b)]).toEqual([q, q]);
      expect(card(faulty)).toBeLessThanOrEqual(f);
      expect(honestShared(a, b, faulty)).toBe(0);
      expect(card(honestCommon(a, b, faulty))).toBe(0);
    }), runs);
  });

  // @lean Hydrogen.Quorum.seed_requirements_unsafe
  it("seed_requirements_unsafe: n = 13, f = 3, q = 7 meets the seed's three requirements, yet two 7-quorums can share only a faulty member", () => {
    expect(valid(13, 3, 7)).toBe(true);
    expect(bftQuorum(13, 3)).toBe(9);
    const a = [...Array(13).keys()].map((i) => i < 7), b = [...Array(13).keys()].map((i) => i >= 6);
    const faulty = [...Array(13).keys()].map((i) => i === 6);
    expect([card(a), card(b), card(faulty)]).toEqual([7, 7, 1]);
    expect(honestShared(a, b, faulty)).toBe(0);
  });

  // @lean Hydrogen.Quorum.bftQuorum_live_iff
  it("bftQuorum_live_iff: bftQuorum n f ≤ n − f ⟺ n ≥ 3f + 1", () => {
    fc.assert(fc.property(small, small, (n, f) => {
      expect(bftQuorum(n, f) <= Math.max(n - f, 0)).toBe(n >= 3 * f + 1);
    }), runs);
  });

  // @lean Hydrogen.Quorum.bftQuorum_valid
  it("bftQuorum_valid: for n ≥ 3f + 1, bftQuorum meets the seed's three requirements and is the least valid size", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 300 }), (f, extra) => {
      const n = 3 * f + 1 + extra;
      expect(valid(n, f, bftQuorum(n, f))).toBe(true);
      expect(bftQuorum(n, f)).toBeGreaterThanOrEqual(minValid(n, f));
    }), runs);
  });

  // @lean Hydrogen.Quorum.reachable_iff
  it("reachable_iff: with q = n − f a quorum survives exactly up to f failures", () => {
    fc.assert(fc.property(small, small, small, (n, f0, k) => {
      const f = Math.min(f0, n);
      expect(reachable(n, n - f, k)).toBe(k <= f);
    }), runs);
  });

  // @lean Hydrogen.Quorum.degradation_seed
  it("degradation_seed: the seed's table for n = 10, q = 7, 0–4 failures", () => {
    expect(degradation(10, 7, 4)).toEqual([
      { failures: 0, remaining: 10, reachable: true },
      { failures: 1, remaining: 9, reachable: true },
      { failures: 2, remaining: 8, reachable: true },
      { failures: 3, remaining: 7, reachable: true },
      { failures: 4, remaining: 6, reachable: false },
    ]);
  });

  // @lean Hydrogen.Quorum.level_high_iff
  // @lean Hydrogen.Quorum.level_medium_iff
  // @lean Hydrogen.Quorum.level_low_iff
  // @lean Hydrogen.Quorum.level_partition
  it("level_high_iff, level_medium_iff, level_low_iff, level_partition: k/n ≥ 0.7, [0.4, 0.7), < 0.4, exactly one", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10_000 }), fc.nat(), (n, pick) => {
      const k = pick % (n + 1);
      // exact comparison of k/n with 7/10 and 4/10 in BigInt cross-multiplication
      const [K, N] = [BigInt(k), BigInt(n)];
      const high = K * 10n >= N * 7n, medium = !high && K * 10n >= N * 4n, low = K * 10n < N * 4n;
      expect([high, medium, low].filter(Boolean)).toHaveLength(1);
      expect(level(n, k)).toBe(high ? "high" : medium ? "medium" : "low");
    }), runs);
    expect(level(10, 7)).toBe("high");
    expect(level(10, 4)).toBe("medium");
    expect(level(1000, 699)).toBe("medium");
    expect(level(1000, 399)).toBe("low");
  });

  // @lean Hydrogen.Quorum.level_seed
  it("level_seed: ten researchers: HIGH 7–10, MEDIUM 4–6, LOW 0–3", () => {
    expect([...Array(11).keys()].map((k) => level(10, k))).toEqual(
      ["low", "low", "low", "low", "medium", "medium", "medium", "high", "high", "high", "high"]);
  });

  // @lean Hydrogen.Quorum.high_ge_bftQuorum
  it("high_ge_bftQuorum: HIGH agreement (10k ≥ 7n) is at least bftQuorum n f for every n ≥ 3f + 1", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }), fc.nat(), (f, extra, pick) => {
      const n = 3 * f + 1 + extra;
      const k = pick % (n + 1);
      if (level(n, k) === "high") expect(2 * k).toBeGreaterThanOrEqual(n + f + 1);
    }), runs);
  });

  it("rejects non-natural inputs with a RangeError", () => {
    expect(() => valid(-1, 0, 0)).toThrow(RangeError);
    expect(() => level(10, 1.5)).toThrow(RangeError);
    expect(() => mem([true], -1)).toThrow(RangeError);
    expect(compl([true, false])).toEqual([false, true]);
    expect(inter([true, true, true], [true, false])).toEqual([true, false]);
  });
});
