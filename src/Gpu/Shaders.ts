/**
 * The WGSL of the GPU runtime: the coverage rules of src/Gpu/Reference.ts
 * written once (`covers`, in the reference's int32 arithmetic on 1/16 px), a
 * vertex shader that places each instance's quad (fed as per-instance
 * attributes, `vs`, or pulled from the records as a storage buffer,
 * `vs_pull`), and one fragment shader per atom kind (one pipeline per kind
 * and feeding).
 *
 * The quad is exactly the instance's covered pixel span `[i0, i1) × [j0, j1)`
 * (the reference's `span`), its edges on whole pixels, so every candidate
 * centre lies ½ px inside it (far above float32 error for sides ≤ 8192 px)
 * and the rasterizer's tie-breaking never decides a pixel: the fragment test
 * does. No fragment falls outside the span, so none is shaded in vain there.
 *
 * Depth is `(32768 − z) / 65536`, exact in f32 and the same at all four
 * corners, set by the vertex stage (the fragment shaders do not write depth);
 * the pipelines test `less-equal`, so with the draws issued in kind order and
 * instances in batch order the visible fragment is the last in
 * (z, kind, index) order, the reference's painter's order.
 *
 * @module
 */

/** Entry points of the fragment shaders, indexed by atom kind code. */
export const fragmentEntryPoints: ReadonlyArray<string> = ["fs_rect", "fs_text", "fs_image", "fs_path"]

export const wgsl = /* wgsl */ `
struct FrameU { size: vec2<i32>, origin: vec2<i32> }
@group(0) @binding(0) var<uniform> frame: FrameU;
@group(0) @binding(1) var<storage, read> records: array<i32>;
@group(0) @binding(2) var glyphs: texture_2d<u32>;
@group(0) @binding(3) var tiles: texture_2d<u32>;

// Whole pixels i with lo <= 16i + 8 < hi (no clipping): ceil((a - 8) / 16), arithmetic shift.
fn firstCentre(a: i32) -> i32 { return (a + 7) >> 4u; }

// Does kind k's rule cover the centre with local offsets q = (u, v, u', v')? (Reference.ts kindCovers, plus the rectangle.)
fn covers(k: u32, q: vec4<i32>, payload: u32) -> bool {
  if (q.x < 0 || q.y < 0 || q.z <= 0 || q.w <= 0) { return false; }
  switch (k) {
    case 0u: {
      let r = min(16 * i32(min(payload, 256u)), min((q.x + q.z) >> 1u, (q.y + q.w) >> 1u));
      let dx = max(0, max(r - q.x, r - q.z));
      let dy = max(0, max(r - q.y, r - q.w));
      return dx * dx + dy * dy <= r * r;
    }
    case 1u: {
      let px = q.x >> 4u;
      let py = q.y >> 4u;
      let cu = px % 6;
      let cv = py % 8;
      if (cu >= 5 || cv >= 7) { return false; }
      let g = (px / 6 + i32(payload & 0xffffu)) % 10;
      return textureLoad(glyphs, vec2<i32>(5 * g + cu, cv), 0).r != 0u;
    }
    case 2u: {
      let t = i32(payload & 15u);
      return textureLoad(tiles, vec2<i32>(8 * t + ((q.x >> 4u) & 7), (q.y >> 4u) & 7), 0).r != 0u;
    }
    default: {
      return min(min(q.x, q.y), min(q.z, q.w)) < 16 * i32(min(payload, 255u));
    }
  }
}

// An instance: its rectangle (view-relative, 1/16 px) and its covered pixel span, clipped to the frame.
struct Inst { box: vec4<i32>, span: vec4<i32>, color: u32, payload: u32, z: i32 }

fn inst(xy: vec2<i32>, wh: u32, color: u32, payload: u32, z: i32) -> Inst {
  let x0 = xy.x - frame.origin.x;
  let y0 = xy.y - frame.origin.y;
  let x1 = x0 + 16 * i32(wh & 0xffffu);
  let y1 = y0 + 16 * i32(wh >> 16u);
  let span = vec4<i32>(max(0, firstCentre(x0)), max(0, firstCentre(y0)),
                       min(frame.size.x, firstCentre(x1)), min(frame.size.y, firstCentre(y1)));
  return Inst(vec4<i32>(x0, y0, x1, y1), span, color, payload, z);
}

fn record(r: u32) -> Inst {
  let o = 6u * r;
  return inst(vec2<i32>(records[o], records[o + 1u]), u32(records[o + 2u]), u32(records[o + 3u]), u32(records[o + 4u]), records[o + 5u]);
}

// ---- Raster ----

struct VOut {
  @builtin(position) pos: vec4f,
  @location(0) @interpolate(flat) box: vec4<i32>,
  @location(1) @interpolate(flat) color: u32,
  @location(2) @interpolate(flat) payload: u32,
}

// The quad's corner (bit 0: right, bit 1: bottom) on the covered span; an empty span is a point outside the frame.
fn place(corner: u32, a: Inst) -> VOut {
  let s = a.span;
  var p = vec2f(f32(select(s.x, s.z, (corner & 1u) == 1u)), f32(select(s.y, s.w, (corner & 2u) == 2u)));
  if (s.x >= s.z || s.y >= s.w) { p = vec2f(-1.0, -1.0); }
  let size = vec2f(frame.size);
  var o: VOut;
  o.pos = vec4f(p.x / size.x * 2.0 - 1.0, 1.0 - p.y / size.y * 2.0, f32(32768 - a.z) / 65536.0, 1.0);
  o.box = a.box;
  o.color = a.color;
  o.payload = a.payload;
  return o;
}

// Instanced: the record arrives as per-instance vertex attributes; a triangle strip of 4 corners.
@vertex
fn vs(@builtin(vertex_index) vi: u32,
      @location(0) xy: vec2<i32>, @location(1) wh: u32, @location(2) color: u32,
      @location(3) payload: u32, @location(4) z: i32) -> VOut {
  return place(vi, inst(xy, wh, color, payload, z));
}

// Pulled: one indexed triangle list over the whole batch, read from the same words; vertex 4r + c is
// corner c of record r, and the shared index pattern (4r, 4r+1, 4r+2, 4r+2, 4r+1, 4r+3) lets the
// vertex cache shade 4 vertices per record, not 6.
@vertex
fn vs_pull(@builtin(vertex_index) vi: u32) -> VOut {
  return place(vi & 3u, record(vi >> 2u));
}

fn rgba(c: u32) -> vec4f {
  return vec4f(f32(c >> 24u), f32((c >> 16u) & 255u), f32((c >> 8u) & 255u), f32(c & 255u)) / 255.0;
}

// Local offsets (u, v, u', v') of this fragment's pixel centre, 1/16 px.
fn local(v: VOut) -> vec4<i32> {
  let c = vec2<i32>(floor(v.pos.xy)) * 16 + vec2<i32>(8, 8);
  return vec4<i32>(c.x - v.box.x, c.y - v.box.y, v.box.z - c.x, v.box.w - c.y);
}

fn shade(k: u32, v: VOut) -> vec4f {
  if (!covers(k, local(v), v.payload)) { discard; }
  return rgba(v.color);
}

@fragment fn fs_rect(v: VOut) -> @location(0) vec4f { return shade(0u, v); }
@fragment fn fs_text(v: VOut) -> @location(0) vec4f { return shade(1u, v); }
@fragment fn fs_image(v: VOut) -> @location(0) vec4f { return shade(2u, v); }
@fragment fn fs_path(v: VOut) -> @location(0) vec4f { return shade(3u, v); }
`
