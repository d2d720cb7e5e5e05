// Vectors for the coordinator's per-child map (Hydrogen.Tree.LatestPerChild):
// delivery lists (with repeats, reordering and ties on version) → the map and
// its aggregate, and joins of two maps. The expected values come from the
// plain reference below (keep the lexicographically greatest tuple per slot),
// written independently of src/.
import type { Family, Rng, Vector } from "./generate.ts";

interface Sum { count: number; sum: number; min: number | null; max: number | null }
interface Ent { term: number; epoch: number; seq: number; summary: Sum }
interface Del extends Ent { slot: number }

const T = "Hydrogen.Tree";
const int = (x: number) => (x < 0 ? `(${x})` : `${x}`);
const opt = (x: number | null) => (x === null ? "none" : `some ${int(x)}`);
const leanSum = (s: Sum) => `⟨⟨${int(s.sum)}, ${s.count}⟩, ⟨${opt(s.min)}⟩, ⟨${opt(s.max)}⟩⟩`;
const leanEnt = (e: Ent) => `⟨⟨${e.term}, ${e.epoch}, ${e.seq}⟩, ${leanSum(e.summary)}⟩`;
const leanMap = (m: (Ent | null)[]) => `([${m.map((e) => (e === null ? "none" : `some ${leanEnt(e)}`)).join(", ")}] : LatestPerChild)`;
const leanDels = (ds: Del[]) => `([${ds.map((d) => `⟨${d.slot}, ${leanEnt(d)}⟩`).join(", ")}] : List Delivery)`;
const ent = (d: Ent): Ent => ({ term: d.term, epoch: d.epoch, seq: d.seq, summary: d.summary });

// the order as a tuple: an empty min sorts above every value, an empty max below
const key = (e: Ent) => [e.term, e.epoch, e.seq, e.summary.count, e.summary.sum, e.summary.min ?? Infinity, e.summary.max ?? -Infinity];
const greater = (a: Ent, b: Ent): boolean => {
  const x = key(a), y = key(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! > y[i]!;
  return false;
};
const better = (a: Ent | null, b: Ent | null) => (a === null ? b : b === null ? a : greater(b, a) ? b : a);

function summaryOf(vs: number[]): Sum {
  return vs.length === 0 ? { count: 0, sum: 0, min: null, max: null }
    : { count: vs.length, sum: vs.reduce((a, b) => a + b, 0), min: Math.min(...vs), max: Math.max(...vs) };
}
function aggregate(m: (Ent | null)[]): Sum {
  return m.reduce<Sum>((a, e) => {
    if (e === null) return a;
    const s = e.summary;
    const lo = a.min === null ? s.min : s.min === null ? a.min : Math.min(a.min, s.min);
    const hi = a.max === null ? s.max : s.max === null ? a.max : Math.max(a.max, s.max);
    return { count: a.count + s.count, sum: a.sum + s.sum, min: lo, max: hi };
  }, summaryOf([]));
}
/** The greatest entry per slot, slots 0..(largest delivered slot). */
function newestPerSlot(ds: Del[]): (Ent | null)[] {
  const n = ds.reduce((m, d) => Math.max(m, d.slot + 1), 0);
  const out: (Ent | null)[] = Array.from({ length: n }, () => null);
  for (const d of ds) out[d.slot] = better(out[d.slot]!, ent(d));
  return out;
}

export function treeSummary(r: Rng): Family {
  const vectors: Vector[] = [];
  const statements: string[] = [];
  const entry = (): Ent => ({
    term: r.int(0, 1), epoch: r.int(0, 2), seq: r.int(0, 2),
    summary: summaryOf(Array.from({ length: r.int(0, 3) }, () => r.int(-50, 50))),
  });
  for (let i = 0; i < 70; i++) {
    const ds: Del[] = [];
    const n = r.int(0, 10);
    for (let j = 0; j < n; j++) {
      const roll = r.int(0, 5);
      if (roll === 0 && ds.length > 0) ds.push({ ...r.pick(ds) }); // re-delivery
      else if (roll === 1 && ds.length > 0) {
        // same version, another summary: the tie-break decides
        const d = r.pick(ds);
        ds.push({ ...d, summary: entry().summary });
      } else ds.push({ slot: r.int(0, 4), ...entry() });
    }
    const map = newestPerSlot(ds);
    const agg = aggregate(map);
    vectors.push({
      family: "LatestPerChild.offerAll",
      lean: [`${T}.LatestPerChild.offerAll`, `${T}.LatestPerChild.offer`, `${T}.LatestPerChild.aggregate`],
      input: { deliveries: ds },
      expected: { map, aggregate: agg },
    });
    statements.push(`example : LatestPerChild.offerAll ${leanDels(ds)} = ${leanMap(map)} ∧ LatestPerChild.aggregate (LatestPerChild.offerAll ${leanDels(ds)}) = ${leanSum(agg)} := by decide +kernel`);
  }
  for (let i = 0; i < 30; i++) {
    const side = () => Array.from({ length: r.int(0, 4) }, () => (r.int(0, 2) === 0 ? null : entry()));
    const a = side(), b = side();
    const joined = Array.from({ length: Math.max(a.length, b.length) }, (_, k) => better(a[k] ?? null, b[k] ?? null));
    vectors.push({ family: "LatestPerChild.join", lean: [`${T}.LatestPerChild.join`], input: { a, b }, expected: joined });
    statements.push(`example : LatestPerChild.join ${leanMap(a)} ${leanMap(b)} = ${leanMap(joined)} := by decide +kernel`);
  }
  return { file: "tree-summary", module: "TreeSummary", vectors, statements, imports: "public import Hydrogen.Tree.Summary", ns: T };
}
