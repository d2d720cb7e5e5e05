// Replays the conformance vectors in gen/vectors/ (the same ones the Lean
// kernel checks in gen/lean/Hydrogen/Vectors/) against the TypeScript mirror.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fold, type AggregationMonoid } from "../../src/Aggregate/Monoid.ts";
import { Count, Max, Min, Sum, SumCount, countMerge, maxMerge, minMerge, sumCountMerge, sumMerge } from "../../src/Aggregate/Numeric.ts";
import { mem, ofList as setOfList, setUnionMerge } from "../../src/Aggregate/SetUnion.ts";
import { boundingBoxMerge, type BoundingBox } from "../../src/Aggregate/BoundingBox.ts";
import { get, ofList as mapOfList, pointwiseMerge } from "../../src/Aggregate/PointwiseMap.ts";
import { mergeEntries, type Entry } from "../../src/Aggregate/TopK.ts";
import { aggregate, kary, leaves, leaf, node, type Tree } from "../../src/Aggregate/Tree.ts";
import * as Scale from "../../src/Scale/Communication.ts";
import { loadVectors, type Vector } from "./load.ts";

const load = loadVectors;
const none = (x: number | null, empty: number) => (x === null ? empty : x);
// Lean's `none` (no value yet) as the mirror must spell it, fixed here rather than read from the
// mirror: an input `none` goes in as the mirror's empty, an expected `none` must come out as these.
const MAX_NONE = -Infinity;
const MIN_NONE = Infinity;

interface NumericMirror {
  readonly max: (a: number, b: number) => number;
  readonly maxEmpty: number;
  readonly minEmpty: number;
}

/** Replays numeric vectors against the given mirror (default: src/); returns the failing vectors. */
export function replayNumeric(vs: Vector[], mirror: Partial<NumericMirror> = {}): Vector[] {
  const { max, maxEmpty, minEmpty }: NumericMirror = { max: maxMerge, maxEmpty: Max.empty, minEmpty: Min.empty, ...mirror };
  return vs.filter((v) => {
    const { a, b } = v.input;
    switch (v.family) {
      case "Sum.merge": return sumMerge(a, b) !== v.expected;
      case "Count.merge": return countMerge(a, b) !== v.expected;
      case "Max.merge": return max(none(a, maxEmpty), none(b, maxEmpty)) !== none(v.expected, MAX_NONE);
      case "Min.merge": return minMerge(none(a, minEmpty), none(b, minEmpty)) !== none(v.expected, MIN_NONE);
      case "SumCount.merge": return !SumCount.equals(sumCountMerge(a, b), v.expected);
      default: throw new Error(`unknown family ${v.family}`);
    }
  });
}

const toTree = (t: any): Tree<number> => ("leaf" in t ? leaf(t.leaf as number) : node((t.node as any[]).map(toTree)));
const monoids: Record<string, AggregationMonoid<number>> = { Sum, Max, Min };

describe("conformance vectors (Lean-kernel-checked) replayed against src/", () => {
  const numeric = load("numeric");
  // @lean Hydrogen.Aggregate.Sum.merge
  it(`numeric summaries: all ${numeric.length} vectors (Sum, Count, Max, Min, SumCount merges)`, () => {
    expect(replayNumeric(numeric)).toEqual([]);
  });

  // @lean Hydrogen.Aggregate.Max.merge
  it("a mutant Max (merge implemented as min) fails the Max vectors", () => {
    const maxVectors = numeric.filter((v) => v.family === "Max.merge");
    const failing = replayNumeric(maxVectors, { max: (a, b) => Math.min(a, b) });
    expect(failing.length).toBeGreaterThan(maxVectors.length / 2);
  });

  // @lean Hydrogen.Aggregate.Max.empty
  it("a mutant Max.empty or Min.empty (a finite identity instead of none) fails the Max/Min vectors", () => {
    const maxVectors = numeric.filter((v) => v.family === "Max.merge");
    const minVectors = numeric.filter((v) => v.family === "Min.merge");
    expect(replayNumeric(maxVectors)).toEqual([]);
    expect(replayNumeric(maxVectors, { maxEmpty: Number.MIN_SAFE_INTEGER }).length).toBeGreaterThan(0);
    expect(replayNumeric(maxVectors, { maxEmpty: 0 }).length).toBeGreaterThan(0);
    expect(replayNumeric(minVectors, { minEmpty: Number.MAX_SAFE_INTEGER }).length).toBeGreaterThan(0);
    expect(replayNumeric(minVectors, { minEmpty: 0 }).length).toBeGreaterThan(0);
  });

  const structural = load("structural");
  // @lean Hydrogen.Aggregate.SetUnion.merge
  it(`set union, bounding box, pointwise map: all ${structural.length} vectors`, () => {
    for (const v of structural) {
      const { a, b } = v.input;
      if (v.family === "SetUnion.merge") {
        const u = setUnionMerge(setOfList(a), setOfList(b));
        expect(u, JSON.stringify(v)).toBe(setOfList(v.expected.union));
        expect(mem(v.input.probe, u)).toBe(v.expected.member);
      } else if (v.family === "BoundingBox.merge") {
        expect(boundingBoxMerge(a as BoundingBox, b as BoundingBox), JSON.stringify(v)).toEqual(v.expected);
      } else if (v.family === "PointwiseMap.merge") {
        const m = pointwiseMerge(Sum, mapOfList(Sum, a), mapOfList(Sum, b));
        expect((v.input.keys as number[]).map((k) => get(Sum, m, k)), JSON.stringify(v)).toEqual(v.expected);
      } else throw new Error(`unknown family ${v.family}`);
    }
  });

  const topk = load("topk");
  // @lean Hydrogen.Aggregate.mergeEntries
  it(`top-k merges: all ${topk.length} vectors`, () => {
    for (const v of topk) {
      expect(mergeEntries(v.input.k, v.input.a as Entry[], v.input.b as Entry[]), JSON.stringify(v)).toEqual(v.expected);
    }
  });

  const trees = load("tree");
  // @lean Hydrogen.Aggregate.Tree.aggregate
  it(`trees of any shape and k-ary trees: all ${trees.length} vectors`, () => {
    for (const v of trees) {
      if (v.family === "Tree.aggregate") {
        const t = toTree(v.input.tree);
        expect(aggregate(Sum, t), JSON.stringify(v)).toBe(v.expected.sum);
        expect(leaves(t)).toEqual(v.expected.leaves);
        expect(fold(Sum, leaves(t))).toBe(v.expected.sum);
      } else if (v.family === "Tree.kary") {
        const M = monoids[v.input.op]!;
        const expected = v.expected === null ? M.empty : v.expected;
        expect(aggregate(M, kary(v.input.k, v.input.leaves as number[])), JSON.stringify(v)).toBe(expected);
      } else throw new Error(`unknown family ${v.family}`);
    }
  });

  const scale = load("scale");
  // @lean Hydrogen.Scale.coordinatorsPerLevel
  it(`scale arithmetic: all ${scale.length} (n, k) vectors`, () => {
    for (const v of scale) {
      const { n, k } = v.input;
      const got = {
        coordinatorsPerLevel: Scale.coordinatorsPerLevel(n, k),
        levels: Scale.levels(n, k),
        totalCoordinators: Scale.totalCoordinators(n, k),
        messagesPerRound: Scale.messagesPerRound(n, k),
        roundTripHops: Scale.roundTripHops(n, k),
      };
      expect(got, JSON.stringify(v.input)).toEqual(v.expected);
    }
  });

  it("covers at least 1,000 vectors in all", () => {
    expect(numeric.length + structural.length + topk.length + trees.length + scale.length).toBeGreaterThanOrEqual(1000);
  });
});
