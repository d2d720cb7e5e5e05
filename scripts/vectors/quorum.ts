// Vectors for Hydrogen.Quorum (lean/Hydrogen/Quorum/Arithmetic.lean and
// Binomial.lean): quorum sizes, solvability, levels, degradation tables, set
// counts, binomial coefficients and exact binomial tails. Expected values come
// from the plain references below (the seed's inequalities checked directly,
// Pascal's triangle, one BigInt numerator over b^n), written independently of src/.
import type { Family, Rng, Vector } from "./generate.ts";

const Q = "Hydrogen.Quorum";
const bools = (xs: boolean[]) => `[${xs.join(", ")}]`;

// ---- references ----
const validRef = (n: number, f: number, q: number) => q + f <= n && 2 * q > n && q >= 2 * f + 1;
/** Least q meeting the majority and 2f+1 requirements, by search. */
const minValidRef = (n: number, f: number) => { let q = 0; while (!(2 * q > n && q >= 2 * f + 1)) q++; return q; };
/** Least q with 2q ≥ n + f + 1, by search. */
const bftRef = (n: number, f: number) => { let q = 0; while (2 * q < n + f + 1) q++; return q; };
const levelRef = (n: number, k: number) => (10 * k >= 7 * n ? "high" : 10 * k >= 4 * n ? "medium" : "low");
const pascal: bigint[][] = [[1n]];
for (let n = 1; n <= 80; n++) pascal.push(Array.from({ length: n + 1 }, (_, k) => (k === 0 || k === n ? 1n : pascal[n - 1]![k - 1]! + pascal[n - 1]![k]!)));
const chooseRef = (n: number, k: number) => (k > n ? 0n : pascal[n]![k]!);
const gcd = (a: bigint, b: bigint): bigint => { while (b !== 0n) [a, b] = [b, a % b]; return a; };
/** P(X ≥ k), X ~ Bin(n, a/b), reduced: Σ C(n,j) a^j (b−a)^(n−j) / b^n. */
function tailRef(n: number, k: number, a: bigint, b: bigint): [bigint, bigint] {
  let num = 0n;
  for (let j = k; j <= n; j++) num += chooseRef(n, j) * a ** BigInt(j) * (b - a) ** BigInt(n - j);
  const den = b ** BigInt(n);
  const g = gcd(num, den) || 1n;
  return [num / g, den / g];
}
const ratLean = ([n, d]: [bigint, bigint]) => (d === 1n ? `(${n} : Rat)` : `(${n}/${d} : Rat)`);
const ratStr = ([n, d]: [bigint, bigint]) => (d === 1n ? `${n}` : `${n}/${d}`);

export function quorumVectors(r: Rng): Family[] {
  const arith: Family = { file: "quorum", module: "Quorum", vectors: [], statements: [], imports: "public import Hydrogen.Quorum.Arithmetic", ns: Q };
  const binom: Family = { file: "quorum-binomial", module: "QuorumBinomial", vectors: [], statements: [], imports: "public import Hydrogen.Quorum.Binomial", ns: Q };
  const push = (f: Family, v: Vector, s: string) => { f.vectors.push(v); f.statements.push(s); };

  // sizes, validity, levels, reachability: the seed's n = 10, f = 3 first, then n = 3f+1 edges and random
  for (let i = 0; i < 60; i++) {
    const f = i < 2 ? 3 : r.int(0, 40);
    const n = i < 2 ? 10 : r.pick([() => 3 * f + 1, () => 3 * f, () => r.int(0, 200)])();
    const q = i === 0 ? 7 : r.pick([() => n - f, () => bftRef(n, f), () => r.int(0, n + 2)])();
    const k = i === 0 ? 7 : r.int(0, n), failures = r.int(0, f + 2);
    const qq = Math.max(q, 0);
    const expected = {
      valid: validRef(n, f, qq), minValid: minValidRef(n, f), bftQuorum: bftRef(n, f), solvable: n >= 3 * f + 1,
      level: levelRef(n, k), reachable: qq + failures <= n,
    };
    push(arith, {
      family: "Quorum.sizes", lean: [`${Q}.valid`, `${Q}.minValid`, `${Q}.bftQuorum`, `${Q}.level`, `${Q}.reachable`, `${Q}.solvable_iff`],
      input: { n, f, q: qq, k, failures }, expected,
    }, `example : valid ${n} ${f} ${qq} = ${expected.valid} ∧ minValid ${n} ${f} = ${expected.minValid} ∧ bftQuorum ${n} ${f} = ${expected.bftQuorum} ∧ ` +
      `level ${n} ${k} = .${expected.level} ∧ reachable ${n} ${qq} ${failures} = ${expected.reachable} ∧ ` +
      // solvability as a search: some q ≤ n is valid (no valid q exceeds n)
      `(List.range ${n + 1}).any (valid ${n} ${f}) = ${expected.solvable} := by decide +kernel`);
  }
  // degradation tables
  for (let i = 0; i < 20; i++) {
    const n = i === 0 ? 10 : r.int(0, 16), q = i === 0 ? 7 : r.int(0, n + 1), upto = i === 0 ? 4 : r.int(0, 6);
    const rows = Array.from({ length: upto + 1 }, (_, k) => ({ failures: k, remaining: Math.max(n - k, 0), reachable: q + k <= n }));
    push(arith, { family: "Quorum.degradation", lean: [`${Q}.degradation`, `${Q}.reachable`], input: { n, q, upto }, expected: rows },
      `example : degradation ${n} ${q} ${upto} = [${rows.map((x) => `(${x.failures}, ${x.remaining}, ${x.reachable})`).join(", ")}] := by decide`);
  }
  // researcher sets: card, inter, honestCommon, mem
  for (let i = 0; i < 30; i++) {
    const n = r.int(0, 12);
    const set = () => Array.from({ length: n }, () => r.bool());
    const a = set(), b = set(), faulty = set(), probe = r.int(0, n + 1);
    const both = a.map((x, j) => x && b[j]!);
    const honest = both.map((x, j) => x && !faulty[j]!);
    const count = (s: boolean[]) => s.filter(Boolean).length;
    const expected = { cardA: count(a), inter: both, honestCommon: honest, cardHonest: count(honest), mem: probe < n ? a[probe]! : false };
    push(arith, { family: "Quorum.sets", lean: [`${Q}.card`, `${Q}.inter`, `${Q}.compl`, `${Q}.honestCommon`, `${Q}.mem`], input: { a, b, faulty, probe }, expected },
      `example : card ${bools(a)} = ${expected.cardA} ∧ inter ${bools(a)} ${bools(b)} = ${bools(both)} ∧ honestCommon ${bools(a)} ${bools(b)} ${bools(faulty)} = ${bools(honest)} ∧ ` +
        `card (honestCommon ${bools(a)} ${bools(b)} ${bools(faulty)}) = ${expected.cardHonest} ∧ mem ${bools(a)} ${probe} = ${expected.mem} := by decide`);
  }

  // binomial coefficients
  for (let i = 0; i < 20; i++) {
    const n = r.int(0, 80), k = r.int(0, n + 3);
    const c = chooseRef(n, k);
    push(binom, { family: "Quorum.choose", lean: [`${Q}.choose`], input: { n, k }, expected: c.toString() }, `example : choose ${n} ${k} = ${c} := by decide +kernel`);
  }
  // tails: the seed's three rows and 0.3^5 first, then random n ≤ 24
  const fixed: Array<[number, number, bigint, bigint]> = [[10, 7, 1n, 10n], [10, 7, 1n, 5n], [10, 7, 3n, 10n], [10, 6, 3n, 10n], [5, 5, 3n, 10n], [10, 0, 1n, 2n]];
  const dens = [2n, 3n, 4n, 5n, 10n, 20n, 100n, 1000n];
  for (let i = 0; i < 40; i++) {
    const [n, k, a, b] = i < fixed.length ? fixed[i]! : (() => {
      const n = r.int(0, 24), b = r.pick(dens);
      return [n, r.int(0, n + 1), BigInt(r.int(0, Number(b))), b] as [number, number, bigint, bigint];
    })();
    const t = tailRef(n, k, a, b);
    const p: [bigint, bigint] = [a / (gcd(a, b) || 1n), b / (gcd(a, b) || 1n)];
    push(binom, { family: "Quorum.tail", lean: [`${Q}.tail`, `${Q}.pmf`, `${Q}.sumFrom`, `${Q}.choose`], input: { n, k, p: ratStr(p) }, expected: ratStr(t) },
      `example : tail ${n} ${k} ${ratLean(p)} = ${ratLean(t)} := by decide +kernel`);
  }
  return [arith, binom];
}
