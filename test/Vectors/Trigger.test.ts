// Replays the viewport trigger vectors (gen/vectors/trigger.json and
// trigger-register.json; kernel-checked in gen/lean/Hydrogen/Vectors/Trigger and
// TriggerRegister) against src/Viewport/Trigger.ts: settles, frame, run, targets,
// totalEvents, propagationTime and maxFanOut on small graphs (cycles and repeated
// edges included), and register's outcome with the exact path Lean returns. The
// runtime registry (makeRegistry) must accept or refuse each probe as Lean does.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as Result from "effect/Result";
import {
  frame, makeRegistry, maxFanOut, propagationTime, register, run, settles, targets, totalEvents, type Trigger, type TriggerGraph,
} from "../../src/Viewport/Trigger.ts";
import { loadVectors } from "./load.ts";

const load = loadVectors;
const graph = (g: Array<[number, number]>): TriggerGraph => g.map(([s, d]) => [s, d] as Trigger);
/** Lean's `Except RegisterError TriggerGraph` as the generator writes it. */
const outcome = (r: ReturnType<typeof register>) =>
  Result.isSuccess(r) ? { ok: r.success.map(([s, d]) => [s, d]) }
    : r.failure._tag === "TriggerCycle" ? { cycle: [...r.failure.cycle] } : { tooDeep: [...r.failure.chain] };

const cascades = load("trigger");
const registrations = load("trigger-register");

describe("viewport trigger vectors (Lean-kernel-checked) replayed against src/Viewport/Trigger.ts", () => {
  // @lean Hydrogen.Viewport.settles
  // @lean Hydrogen.Viewport.frame
  // @lean Hydrogen.Viewport.run
  // @lean Hydrogen.Viewport.targets
  // @lean Hydrogen.Viewport.totalEvents
  // @lean Hydrogen.Viewport.propagationTime
  // @lean Hydrogen.Viewport.maxFanOut
  it(`trigger cascade vectors: all ${cascades.length} replay (settles, frame, run, targets, totalEvents, propagationTime, maxFanOut)`, () => {
    const vs = cascades;
    expect(vs.length).toBeGreaterThanOrEqual(50);
    expect(vs.some((v) => v.expected.settles) && vs.some((v) => !v.expected.settles)).toBe(true);
    for (const v of vs) {
      const { d, v: at, t, events, horizon, fuel } = v.input;
      const g = graph(v.input.graph);
      const got = {
        settles: settles(g, d), frame: frame(g, at, t), run: run(g, events, t), totalEvents: totalEvents(g, at, horizon),
        propagationTime: propagationTime(g, events, fuel), maxFanOut: maxFanOut(g), targets: targets(g, at),
      };
      expect(got, JSON.stringify(v.input)).toEqual(v.expected);
    }
  });

  // @lean Hydrogen.Viewport.register
  // @lean Hydrogen.Viewport.findCycle
  // @lean Hydrogen.Viewport.deepPath
  it(`trigger register vectors: all ${registrations.length} replay (ok graph, cycle and tooDeep paths exactly as Lean returns them)`, () => {
    const vs = registrations;
    expect(vs.length).toBeGreaterThanOrEqual(50);
    for (const kind of ["ok", "cycle", "tooDeep"]) expect(vs.filter((v) => kind in v.expected).length, kind).toBeGreaterThanOrEqual(10);
    for (const v of vs) {
      const e = v.input.edge as Trigger;
      expect(outcome(register(graph(v.input.graph), v.input.d, e)), JSON.stringify(v.input)).toEqual(v.expected);
    }
  });

  it(`trigger register vectors: the runtime registry accepts or refuses all ${registrations.length} probes as Lean does`, () => {
    for (const v of registrations) {
      const reg = Result.getOrThrow(makeRegistry(v.input.d));
      // the graph is newest first; every edge was accepted under the same budget
      for (const [s, d] of [...v.input.graph].reverse()) expect(Result.isSuccess(reg.register(s, d)), JSON.stringify(v.input)).toBe(true);
      const r = reg.register(v.input.edge[0], v.input.edge[1]);
      const kind = Result.isSuccess(r) ? "ok" : r.failure._tag === "TriggerCycle" ? "cycle" : "tooDeep";
      expect(kind, JSON.stringify(v.input)).toBe(Object.keys(v.expected)[0]);
      if (Result.isSuccess(r)) expect(reg.graph().map(([s, d]) => [s, d])).toEqual(v.expected.ok);
    }
  });
});
