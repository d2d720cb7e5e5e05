// Vectors for the rasterize stage (Hydrogen.Render.Raster, lean/Hydrogen/Render/Raster.lean):
// the rounded-rect coverage rule at centres on, next to and inside edges and
// corners; painting in order (opaque replace) and byte differences; the
// conservative quad's clamped corners; the stage's ε. Expected values come from
// the plain BigInt reference below, written independently of src/.
import type { Family, Rng } from "./generate.ts";

const RR = "Hydrogen.Render.Raster";
const lint = (x: bigint | number) => (BigInt(x) < 0n ? `(${x})` : `${x}`);
const bmin = (...xs: bigint[]) => xs.reduce((a, b) => (b < a ? b : a));
const bmax = (...xs: bigint[]) => xs.reduce((a, b) => (b > a ? b : a));
/** Floor division by a positive divisor (Lean's `Int` `/` for `d > 0`). */
const fdiv = (a: bigint, d: bigint) => (a >= 0n ? a / d : -((-a + d - 1n) / d));

type Box = { x0: bigint; y0: bigint; x1: bigint; y1: bigint };
const boxLean = (b: Box) => `(⟨${lint(b.x0)}, ${lint(b.y0)}, ${lint(b.x1)}, ${lint(b.y1)}⟩ : Box)`;
const boxJson = (b: Box) => ({ x0: Number(b.x0), y0: Number(b.y0), x1: Number(b.x1), y1: Number(b.y1) });

/** The rule: centre in the half-open box, then the rounded corner test in integers. */
function covers(p: bigint, b: Box, cx: bigint, cy: bigint): boolean {
  const inBox = b.x0 <= cx && cx < b.x1 && b.y0 <= cy && cy < b.y1;
  const u = cx - b.x0, v = cy - b.y0, u2 = b.x1 - cx, v2 = b.y1 - cy;
  const r = bmin(16n * bmin(p, 256n), fdiv(u + u2, 2n), fdiv(v + v2, 2n));
  const dx = bmax(0n, r - u, r - u2), dy = bmax(0n, r - v, r - v2);
  return inBox && dx * dx + dy * dy <= r * r;
}

/** A rational `n/d` as Lean's reduced pair. */
type Q = { n: bigint; d: bigint };
const gcd = (a: bigint, b: bigint): bigint => { a = a < 0n ? -a : a; while (b !== 0n) [a, b] = [b, a % b]; return a; };
const q = (n: bigint, d = 1n): Q => { const g = gcd(n, d) || 1n; return { n: n / g, d: d / g }; };
const qle = (a: Q, b: Q) => a.n * b.d <= b.n * a.d;
const qstr = (a: Q) => (a.d === 1n ? `${a.n}` : `${a.n}/${a.d}`);
const qlean = (a: Q) => (a.d === 1n ? `(${a.n} : Rat)` : `(${a.n}/${a.d} : Rat)`);
const qeq = (expr: string, a: Q) => `((${expr}).num, (${expr}).den) = (${lint(a.n)}, ${a.d})`;
/** clamp to [−16, 16n + 16] units. */
const clamp = (v: bigint, n: bigint): Q => q(v <= -16n ? -16n : v >= 16n * n + 16n ? 16n * n + 16n : v);

export function rasterVectors(r: Rng): Family {
  const f: Family = { file: "render-raster", module: "RenderRaster", vectors: [], statements: [], imports: "public import Hydrogen.Render.Raster", ns: RR };
  const B = (x: number) => BigInt(x);
  // Rounded-rect coverage: 40 vectors, centres on an edge (ties: left/top in, right/bottom out), one unit either side, and corners.
  for (let i = 0; i < 40; i++) {
    const x0 = r.int(-40, 200), y0 = r.int(-40, 200);
    const b: Box = { x0: B(x0), y0: B(y0), x1: B(x0 + r.int(0, 160)), y1: B(y0 + r.int(0, 160)) };
    const p = B(r.pick([0, 0, 1, 2, 3, 5, 8, 300]));
    const near = (lo: bigint, hi: bigint) => r.pick([lo, hi, lo - 1n, hi - 1n, lo + 1n, hi + 1n, lo + BigInt(r.int(0, 40)), (lo + hi) / 2n]);
    const cx = near(b.x0, b.x1), cy = near(b.y0, b.y1);
    const got = covers(p, b, cx, cy);
    f.vectors.push({ family: "Raster.roundedRectCovers", lean: [`${RR}.roundedRectCovers`, `${RR}.Box.contains`, `${RR}.Box`], input: { p: Number(p), box: boxJson(b), cx: Number(cx), cy: Number(cy) }, expected: got });
    f.statements.push(`example : roundedRectCovers ${p} ${boxLean(b)} ${lint(cx)} ${lint(cy)} = ${got} := by decide +kernel`);
  }
  // Painting in order and byte differences: 20 vectors.
  for (let i = 0; i < 20; i++) {
    const bg = r.int(0, 255);
    const ps = Array.from({ length: r.int(0, 6) }, () => [r.int(0, 255), r.bool()] as const);
    const paint = ps.reduce((acc, [b, c]) => (c ? b : acc), bg);
    const other = r.int(0, 255);
    const diff = Math.abs(paint - other);
    f.vectors.push({ family: "Raster.paintPixel", lean: [`${RR}.paintPixel`, `${RR}.byteDiff`], input: { bg, paints: ps.map(([b, c]) => ({ byte: b, covers: c })), other }, expected: { paint, byteDiff: diff } });
    f.statements.push(`example : paintPixel ${bg} Prod.fst Prod.snd ([${ps.map(([b, c]) => `(${b}, ${c})`).join(", ")}] : List (Nat × Bool)) = ${paint} ∧ byteDiff ${paint} ${other} = ${diff} := by decide +kernel`);
  }
  // The conservative quad: 20 boxes, some off screen (both clamps), on a w × h framebuffer.
  for (let i = 0; i < 20; i++) {
    const w = r.int(1, 64), h = r.int(1, 64);
    const x0 = r.int(-80, 16 * w + 80), y0 = r.int(-80, 16 * h + 80);
    const b: Box = { x0: B(x0), y0: B(y0), x1: B(x0 + r.int(0, 200)), y1: B(y0 + r.int(0, 200)) };
    const e = { x0: clamp(b.x0 - 8n, B(w)), y0: clamp(b.y0 - 8n, B(h)), x1: clamp(b.x1 + 8n, B(w)), y1: clamp(b.y1 + 8n, B(h)) };
    const quad = `(conservativeQuad ${boxLean(b)} ${w} ${h})`;
    f.vectors.push({ family: "Raster.conservativeQuad", lean: [`${RR}.conservativeQuad`, `${RR}.clampUnits`, `${RR}.marginUnits`, `${RR}.Quad`], input: { box: boxJson(b), w, h }, expected: { x0: qstr(e.x0), y0: qstr(e.y0), x1: qstr(e.x1), y1: qstr(e.y1) } });
    f.statements.push(`example : ${qeq(`${quad}.x0`, e.x0)} ∧ ${qeq(`${quad}.y0`, e.y0)} ∧ ${qeq(`${quad}.x1`, e.x1)} ∧ ${qeq(`${quad}.y1`, e.y1)} := by decide +kernel`);
  }
  // The stage's ε around the margin (8 units), the GPU's own δ = 17/16 among them.
  for (const delta of [q(0n), q(17n, 16n), q(8n), q(15n, 2n), q(79n, 10n), q(81n, 10n), q(255n), q(-1n)]) {
    const eps = qle(q(8n), delta) ? q(255n) : q(0n);
    f.vectors.push({ family: "Raster.rasterEps", lean: [`${RR}.rasterEps`, `${RR}.marginUnits`], input: { delta: qstr(delta) }, expected: qstr(eps) });
    f.statements.push(`example : ${qeq(`rasterEps ${qlean(delta)}`, eps)} := by decide +kernel`);
  }
  return f;
}
