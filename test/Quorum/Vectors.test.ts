// Replays the quorum vectors (gen/vectors/quorum.json, quorum-binomial.json;
// kernel-checked in gen/lean/Hydrogen/Vectors/Quorum.lean and QuorumBinomial.lean)
// against src/Quorum. Rationals are compared as Lean's reduced `num/den`.
import { describe, expect, it } from "vitest";
import { frac, show } from "../../src/Render/Error.ts";
import { bftQuorum, card, degradation, honestCommon, inter, level, mem, minValid, planQuorum, reachable, valid } from "../../src/Quorum/Arithmetic.ts";
import { choose, tail } from "../../src/Quorum/Binomial.ts";
import { loadVectors } from "../Vectors/load.ts";

const arith = loadVectors("quorum");
const binom = loadVectors("quorum-binomial");
const of = (vs: typeof arith, f: string) => vs.filter((v) => v.family === f);
const q = (s: string) => {
  const [n, d] = s.split("/");
  return frac(BigInt(n!), BigInt(d ?? "1"));
};

describe("quorum vectors (Lean-kernel-checked) replayed against src/Quorum", () => {
  it(`quorum vectors: all ${arith.length + binom.length} belong to a replayed family, with the seed's rows among them`, () => {
    expect(of(arith, "Quorum.sizes").length + of(arith, "Quorum.degradation").length + of(arith, "Quorum.sets").length).toBe(arith.length);
    expect(of(binom, "Quorum.choose").length + of(binom, "Quorum.tail").length).toBe(binom.length);
    expect(of(arith, "Quorum.sizes").some((v) => v.input.n === 10 && v.input.f === 3 && v.expected.bftQuorum === 7)).toBe(true);
    expect(of(binom, "Quorum.tail").map((v) => v.expected)).toEqual(expect.arrayContaining(["5701/625000000", "8441/9765625", "6620049/625000000", "243/100000"]));
  });

  // @lean Hydrogen.Quorum.valid
  // @lean Hydrogen.Quorum.minValid
  // @lean Hydrogen.Quorum.bftQuorum
  // @lean Hydrogen.Quorum.level
  // @lean Hydrogen.Quorum.reachable
  it(`quorum vectors: all ${of(arith, "Quorum.sizes").length} valid/minValid/bftQuorum/level/reachable vectors replay`, () => {
    for (const v of of(arith, "Quorum.sizes")) {
      const { n, f, q: size, k, failures } = v.input;
      const got = {
        valid: valid(n, f, size), minValid: minValid(n, f), bftQuorum: bftQuorum(n, f),
        solvable: planQuorum(n, f)._tag === "QuorumPlan", level: level(n, k), reachable: reachable(n, size, failures),
      };
      expect(got, JSON.stringify(v.input)).toEqual(v.expected);
    }
  });

  // @lean Hydrogen.Quorum.degradation
  it(`quorum vectors: all ${of(arith, "Quorum.degradation").length} degradation tables replay`, () => {
    for (const v of of(arith, "Quorum.degradation")) expect(degradation(v.input.n, v.input.q, v.input.upto), JSON.stringify(v.input)).toEqual(v.expected);
  });

  // @lean Hydrogen.Quorum.card
  // @lean Hydrogen.Quorum.inter
  // @lean Hydrogen.Quorum.honestCommon
  // @lean Hydrogen.Quorum.mem
  it(`quorum vectors: all ${of(arith, "Quorum.sets").length} card/inter/honestCommon/mem vectors replay`, () => {
    for (const v of of(arith, "Quorum.sets")) {
      const { a, b, faulty, probe } = v.input;
      const h = honestCommon(a, b, faulty);
      expect({ cardA: card(a), inter: inter(a, b), honestCommon: h, cardHonest: card(h), mem: mem(a, probe) }, JSON.stringify(v.input)).toEqual(v.expected);
    }
  });

  // @lean Hydrogen.Quorum.choose
  it(`quorum vectors: all ${of(binom, "Quorum.choose").length} choose vectors replay`, () => {
    for (const v of of(binom, "Quorum.choose")) expect(choose(v.input.n, v.input.k).toString(), JSON.stringify(v.input)).toBe(v.expected);
  });

  // @lean Hydrogen.Quorum.tail
  it(`quorum vectors: all ${of(binom, "Quorum.tail").length} exact tail vectors replay`, () => {
    for (const v of of(binom, "Quorum.tail")) expect(show(tail(v.input.n, v.input.k, q(v.input.p))), JSON.stringify(v.input)).toBe(v.expected);
  });
});
