// Replays the render error vectors (gen/vectors/render-error*.json, render-keyframe.json;
// kernel-checked in gen/lean/Hydrogen/Vectors/RenderError, RenderError2, RenderKeyframe) against src/Render/Error.ts: compose,
// closedForm, gain and Stage.step of stage lists with exact rational grades
// (nonnegative and negative), geomSum, keyframeError and maxAccumulatedError.
// Every number is compared as Lean's reduced `num/den`.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  closedForm, compose, frac, gain, geomSum, keyframeError, maxAccumulatedError, show, stage, step, type Fraction, type Stage,
} from "../../src/Render/Error.ts";

interface Vector { readonly family: string; readonly lean: ReadonlyArray<string>; readonly input: any; readonly expected: any }
const files = ["render-error", "render-error-2", "render-keyframe"];
const parsed = files.map((file) => JSON.parse(readFileSync(new URL(`../../gen/vectors/${file}.json`, import.meta.url), "utf8")) as { count: number; vectors: Vector[] });
const vectors = parsed.flatMap((p) => p.vectors);
const q = (s: string): Fraction => {
  const [n, d] = s.split("/");
  return frac(BigInt(n!), BigInt(d ?? "1"));
};
const st = (x: { eps: string; sens: string }): Stage => stage(q(x.eps), q(x.sens));
const of = (f: string) => vectors.filter((v) => v.family === f);

describe("render error vectors (Lean-kernel-checked) replayed against src/Render/Error.ts", () => {
  it(`render error vectors: all ${vectors.length} name Lean declarations and cover every family`, () => {
    for (const p of parsed) expect(p.vectors.length).toBe(p.count);
    for (const v of vectors) expect(v.lean.length).toBeGreaterThan(0);
    expect(of("Render.compose").length + of("Render.geomSum").length + of("Render.keyframeError").length).toBe(vectors.length);
    // negative grades are exercised, and the seed's landmarks are among the vectors
    expect(of("Render.compose").some((v) => v.input.stages.some((s: any) => s.eps.startsWith("-") || s.sens.startsWith("-")))).toBe(true);
    expect(of("Render.compose").map((v) => v.expected.compose)).toEqual(expect.arrayContaining(["31/1000", "33/1024", "1/510", "1"]));
  });

  // @lean Hydrogen.Render.compose
  // @lean Hydrogen.Render.closedForm
  // @lean Hydrogen.Render.gain
  // @lean Hydrogen.Render.Stage.step
  it(`render error vectors: all ${of("Render.compose").length} compose/closedForm/gain/step vectors replay`, () => {
    for (const v of of("Render.compose")) {
      const xs = (v.input.stages as Array<{ eps: string; sens: string }>).map(st);
      const got = { compose: show(compose(xs)), closedForm: show(closedForm(xs)), gain: show(gain(xs)), step: show(step(q(v.input.e), st(v.input.stage))) };
      expect(got, JSON.stringify(v.input)).toEqual(v.expected);
    }
  });

  // @lean Hydrogen.Render.geomSum
  it(`render error vectors: all ${of("Render.geomSum").length} geomSum vectors replay`, () => {
    for (const v of of("Render.geomSum")) expect(show(geomSum(q(v.input.S), v.input.n)), JSON.stringify(v.input)).toBe(v.expected);
  });

  // @lean Hydrogen.Render.keyframeError
  // @lean Hydrogen.Render.maxAccumulatedError
  it(`render error vectors: all ${of("Render.keyframeError").length} keyframeError/maxAccumulatedError vectors replay`, () => {
    for (const v of of("Render.keyframeError")) {
      const { N, w, f } = v.input;
      expect({ keyframeError: show(keyframeError(N, q(w), f)), maxAccumulatedError: show(maxAccumulatedError(N, q(w))) }, JSON.stringify(v.input)).toEqual(v.expected);
    }
  });
});
