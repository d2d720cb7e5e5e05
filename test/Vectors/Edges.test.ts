// Replays the edge vectors (gen/vectors/edges-aggregate.json, wire-delta.json,
// state-edges.json; kernel-checked in gen/lean/Hydrogen/Vectors/AggregateEdges,
// WireDelta and StateEdges): values near 2^53, large tags and ids, and the
// families with no other vectors (average, delta records, PN-counter,
// vector-clock tick, OR-map, viewport join).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as Result from "effect/Result";
import { boundingBoxMerge, type BoundingBox } from "../../src/Aggregate/BoundingBox.ts";
import { average, Max, Min, Sum, SumCount, countMerge, maxMerge, minMerge, sumCountMerge, sumMerge } from "../../src/Aggregate/Numeric.ts";
import { get, ofList as mapOfList, pointwiseMerge } from "../../src/Aggregate/PointwiseMap.ts";
import { mem, ofList as setOfList, setUnionMerge } from "../../src/Aggregate/SetUnion.ts";
import { aggregate, aggregateKaryTyped, kary } from "../../src/Aggregate/Tree.ts";
import type { AggregationMonoid } from "../../src/Aggregate/Monoid.ts";
import { PNCounter, VectorClock } from "../../src/State/Counter.ts";
import { Bitset } from "../../src/State/Lattice.ts";
import { ORMap, type ORMapEntry } from "../../src/State/ORSet.ts";
import type { LWWReg } from "../../src/State/Register.ts";
import { ViewportState } from "../../src/State/Viewport.ts";
import { decodeDeltas, encodeDeltaRecord, encodeDeltas, type Delta } from "../../src/Wire/Delta.ts";
import * as Scale from "../../src/Scale/Communication.ts";
import { loadVectors } from "./load.ts";

const load = loadVectors;
const MAX = Number.MAX_SAFE_INTEGER;
const none = (x: number | null, empty: number) => (x === null ? empty : x);
// Lean's `none` as the mirror must spell it, fixed independently of Max.empty / Min.empty.
const MAX_NONE = -Infinity;
const MIN_NONE = Infinity;
const monoids: Record<string, AggregationMonoid<number>> = { Sum, Max, Min };

describe("edge vectors (Lean-kernel-checked) replayed against src/", () => {
  const agg = load("edges-aggregate");
  const of = (f: string) => agg.filter((v) => v.family === f);

  // @lean Hydrogen.Aggregate.Sum.merge
  it(`numeric merges near 2^53: ${agg.filter((v) => v.family.endsWith(".merge") && !v.family.includes("Box") && !v.family.includes("Set") && !v.family.includes("Pointwise")).length} vectors`, () => {
    for (const v of of("Sum.merge")) expect(sumMerge(v.input.a, v.input.b), JSON.stringify(v)).toBe(v.expected);
    for (const v of of("Count.merge")) expect(countMerge(v.input.a, v.input.b), JSON.stringify(v)).toBe(v.expected);
    for (const v of of("Max.merge")) expect(maxMerge(none(v.input.a, Max.empty), none(v.input.b, Max.empty))).toBe(none(v.expected, MAX_NONE));
    for (const v of of("Min.merge")) expect(minMerge(none(v.input.a, Min.empty), none(v.input.b, Min.empty))).toBe(none(v.expected, MIN_NONE));
    for (const v of of("SumCount.merge")) expect(SumCount.equals(sumCountMerge(v.input.a, v.input.b), v.expected), JSON.stringify(v)).toBe(true);
    expect(of("Sum.merge").some((v) => v.expected === MAX)).toBe(true);
  });

  // @lean Hydrogen.Aggregate.SumCount.average
  it(`SumCount.average: ${of("SumCount.average").length} vectors (the double is Lean's reduced rational, correctly rounded)`, () => {
    expect(of("SumCount.average").length).toBeGreaterThanOrEqual(30);
    for (const v of of("SumCount.average")) {
      const got = average(v.input);
      if (v.expected === null) expect(got, JSON.stringify(v)).toBeNull();
      else expect(got, JSON.stringify(v)).toBe(v.expected.num / v.expected.den);
    }
  });

  // @lean Hydrogen.Aggregate.SetUnion.merge
  it("set union with large ids, boxes near ±2^53, pointwise maps keyed near 2^53", () => {
    for (const v of of("SetUnion.merge")) {
      const u = setUnionMerge(setOfList(v.input.a), setOfList(v.input.b));
      expect(u, JSON.stringify(v)).toBe(setOfList(v.expected.union));
      expect(mem(v.input.probe, u)).toBe(v.expected.member);
    }
    for (const v of of("BoundingBox.merge")) {
      expect(boundingBoxMerge(v.input.a as BoundingBox, v.input.b as BoundingBox), JSON.stringify(v)).toEqual(v.expected);
    }
    for (const v of of("PointwiseMap.merge")) {
      const m = pointwiseMerge(Sum, mapOfList(Sum, v.input.a), mapOfList(Sum, v.input.b));
      expect((v.input.keys as number[]).map((k) => get(Sum, m, k)), JSON.stringify(v)).toEqual(v.expected);
    }
  });

  // @lean Hydrogen.Aggregate.Tree.kary
  it(`k-ary trees summing to exactly 2^53 − 1, and max/min at the edges: ${of("Tree.kary").length} vectors (tree and typed fast path)`, () => {
    for (const v of of("Tree.kary")) {
      const M = monoids[v.input.op]!;
      expect(aggregate(M, kary(v.input.k, v.input.leaves)), JSON.stringify(v)).toBe(v.expected);
      const op = v.input.op === "Sum" ? "sum" : v.input.op === "Max" ? "max" : "min";
      expect(aggregateKaryTyped(op, v.input.k, Float64Array.from(v.input.leaves))).toBe(v.expected);
    }
  });

  const wd = load("wire-delta");
  // @lean Hydrogen.Wire.encodeDeltaRecord
  it(`delta records: ${wd.length} vectors (bytes, and decode of in-bound ones round-trips)`, () => {
    for (const v of wd) {
      expect(Array.from(encodeDeltaRecord(v.input.index, v.input.delta as Delta)), JSON.stringify(v)).toEqual(v.expected);
      const batch = encodeDeltas([{ index: v.input.index, delta: v.input.delta }]);
      const r = decodeDeltas(batch);
      if (Result.isSuccess(r)) expect(Array.from(encodeDeltas(r.success))).toEqual(Array.from(batch));
    }
  });

  const st = load("state-edges");
  const sf = (f: string) => st.filter((v) => v.family === f);
  const reg = (x: LWWReg | null): LWWReg | undefined => (x === null ? undefined : x);
  const ormap = (es: ReadonlyArray<[[number[], number[]], LWWReg | null]>): ORMap => ({
    entries: es.map(([[a, r], w]): ORMapEntry => [[Bitset.ofList(a), Bitset.ofList(r)], reg(w)]),
  });
  const viewport = (v: any): ViewportState => ({
    elements: ormap(v.elements),
    positions: { entries: v.positions.map(reg) },
    zOrder: { entries: v.zOrder.map(reg) },
    animations: { tags: v.animations.map(([a, r]: [number[], number[]]) => [Bitset.ofList(a), Bitset.ofList(r)]) },
    clock: { ticks: v.clock },
  });

  // @lean Hydrogen.State.PNCounter.join
  it(`PN-counter join, inc, dec, value with counts near 2^53: ${sf("PNCounter").length} vectors`, () => {
    const pn = (c: any): PNCounter => ({ incs: { counts: c.incs }, decs: { counts: c.decs } });
    for (const v of sf("PNCounter")) {
      const a = pn(v.input.a), b = pn(v.input.b);
      expect(PNCounter.equals(PNCounter.join(a, b), pn(v.expected.join)), JSON.stringify(v)).toBe(true);
      expect(PNCounter.equals(PNCounter.inc(v.input.replica, a), pn(v.expected.inc))).toBe(true);
      expect(PNCounter.equals(PNCounter.dec(v.input.replica, a), pn(v.expected.dec))).toBe(true);
      expect(PNCounter.value(a)).toBe(v.expected.value);
    }
  });

  // @lean Hydrogen.State.VectorClock.tick
  it(`vector-clock tick and tickDelta: ${sf("VectorClock.tick").length} vectors`, () => {
    for (const v of sf("VectorClock.tick")) {
      const c: VectorClock = { ticks: v.input.v };
      expect(VectorClock.equals(VectorClock.tick(v.input.replica, c), { ticks: v.expected.tick }), JSON.stringify(v)).toBe(true);
      expect(VectorClock.equals(VectorClock.tickDelta(v.input.replica, c), { ticks: v.expected.tickDelta })).toBe(true);
    }
  });

  // @lean Hydrogen.State.ORMap.join
  it(`OR-map join, put, remove, contains, get with large tags and values near 2^53: ${sf("ORMap").length} vectors`, () => {
    for (const v of sf("ORMap")) {
      const a = ormap(v.input.a), b = ormap(v.input.b), j = ORMap.join(a, b);
      expect(ORMap.equals(j, ormap(v.expected.join)), JSON.stringify(v)).toBe(true);
      expect(ORMap.equals(ORMap.put(v.input.key, v.input.tag, v.input.write, a), ormap(v.expected.put))).toBe(true);
      expect(ORMap.equals(ORMap.remove(v.input.key, a), ormap(v.expected.remove))).toBe(true);
      expect(ORMap.contains(j, v.input.key)).toBe(v.expected.contains);
      expect(ORMap.get(j, v.input.key)).toEqual(reg(v.expected.get));
    }
  });

  // @lean Hydrogen.State.ViewportState.join
  it(`viewport-state join: ${sf("ViewportState.join").length} vectors`, () => {
    for (const v of sf("ViewportState.join")) {
      expect(ViewportState.equals(ViewportState.join(viewport(v.input.a), viewport(v.input.b)), viewport(v.expected)), JSON.stringify(v)).toBe(true);
    }
  });

  // @lean Hydrogen.Scale.coordinatorsPerLevel
  it("scale vectors include n = 0, k ∈ {0, 1} and n near 2^53 (replayed with the rest in Replay.test.ts)", () => {
    const scale = load("scale");
    for (const [n, k] of [[0, 2], [7, 0], [6, 1], [2 ** 52, 2], [MAX, MAX]]) {
      const v = scale.find((x) => x.input.n === n && x.input.k === k);
      expect(v, `${n}, ${k}`).toBeDefined();
      expect(Scale.coordinatorsPerLevel(n!, k!)).toEqual(v!.expected.coordinatorsPerLevel);
      expect(Scale.messagesPerRound(n!, k!)).toBe(v!.expected.messagesPerRound);
    }
  });
});
