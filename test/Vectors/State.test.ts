// Replays the CRDT conformance vectors (gen/vectors/state.json, kernel-checked
// in gen/lean/Hydrogen/Vectors/State.lean) against src/State.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GCounter, VectorClock } from "../../src/State/Counter.ts";
import { LWWMap, type LWWReg } from "../../src/State/Register.ts";
import { ORSet, type TagPair } from "../../src/State/ORSet.ts";

interface Vector { readonly family: string; readonly input: any; readonly expected: any }
const vectors = (JSON.parse(readFileSync(new URL("../../gen/vectors/state.json", import.meta.url), "utf8")) as { vectors: Vector[] }).vectors;
const family = (name: string) => vectors.filter((v) => v.family === name);

// JSON uses null for an absent register; the mirror uses undefined.
const reg = (x: LWWReg | null): LWWReg | undefined => (x === null ? undefined : x);
const map = (xs: ReadonlyArray<LWWReg | null>): LWWMap => ({ entries: xs.map(reg) });
const orset = (xs: ReadonlyArray<[number[], number[]]>): ORSet => ({ tags: xs.map(([a, r]) => [a, r] as TagPair) });

describe("CRDT conformance vectors (Lean-kernel-checked) replayed against src/State", () => {
  // @lean Hydrogen.State.GCounter.join
  it(`GCounter join, inc and value: ${family("GCounter").length} vectors`, () => {
    for (const v of family("GCounter")) {
      const a: GCounter = { counts: v.input.a }, b: GCounter = { counts: v.input.b };
      expect(GCounter.equals(GCounter.join(a, b), { counts: v.expected.join }), JSON.stringify(v)).toBe(true);
      expect(GCounter.equals(GCounter.inc(v.input.replica, a), { counts: v.expected.inc }), JSON.stringify(v)).toBe(true);
      expect(GCounter.value(a)).toBe(v.expected.value);
    }
  });

  // @lean Hydrogen.State.VectorClock.happenedBefore
  it(`VectorClock join, happened-before and concurrency: ${family("VectorClock").length} vectors`, () => {
    for (const v of family("VectorClock")) {
      const a: VectorClock = { ticks: v.input.a }, b: VectorClock = { ticks: v.input.b };
      expect(VectorClock.equals(VectorClock.join(a, b), { ticks: v.expected.join }), JSON.stringify(v)).toBe(true);
      expect(VectorClock.happenedBefore(a, b), JSON.stringify(v)).toBe(v.expected.happenedBefore);
      expect(VectorClock.concurrent(a, b), JSON.stringify(v)).toBe(v.expected.concurrent);
    }
  });

  // @lean Hydrogen.State.LWWMap.join
  it(`LWWMap join and set: ${family("LWWMap").length} vectors`, () => {
    for (const v of family("LWWMap")) {
      const a = map(v.input.a), b = map(v.input.b);
      expect(LWWMap.equals(LWWMap.join(a, b), map(v.expected.join)), JSON.stringify(v)).toBe(true);
      expect(LWWMap.equals(LWWMap.set(v.input.key, v.input.write, a), map(v.expected.set)), JSON.stringify(v)).toBe(true);
    }
  });

  // @lean Hydrogen.State.ORSet.join
  it(`ORSet join, add, remove and contains: ${family("ORSet").length} vectors`, () => {
    for (const v of family("ORSet")) {
      const a = orset(v.input.a), b = orset(v.input.b);
      expect(ORSet.equals(ORSet.join(a, b), orset(v.expected.join)), JSON.stringify(v)).toBe(true);
      expect(ORSet.equals(ORSet.add(v.input.element, v.input.tag, a), orset(v.expected.add)), JSON.stringify(v)).toBe(true);
      expect(ORSet.equals(ORSet.remove(v.input.element, a), orset(v.expected.remove)), JSON.stringify(v)).toBe(true);
      expect(ORSet.contains(ORSet.join(a, b), v.input.element), JSON.stringify(v)).toBe(v.expected.containsJoin);
    }
  });

  it("has vectors for every CRDT family", () => {
    for (const f of ["GCounter", "VectorClock", "LWWMap", "ORSet"]) expect(family(f).length).toBeGreaterThanOrEqual(50);
  });
});
