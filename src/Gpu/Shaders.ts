/**
 * The WGSL of the GPU runtime: a vertex shader that places each instance's
 * candidate quad (fed as per-instance attributes, `vs`, or pulled from the
 * records as a storage buffer, `vs_pull`), and one fragment shader per atom
 * kind (one pipeline per kind and feeding).
 * They implement the rules stated in src/Gpu/Reference.ts, in the same int32
 * arithmetic on 1/16 px; the only floats are the quad's corners, and the quad
 * is half a pixel wider than the instance on every side, so every centre the
 * instance covers lies strictly inside it (by ≥ 1/2 px, far above float32
 * error for |x| ≤ 2^14 px) and the rasterizer's edge tie-breaking never
 * decides a covered pixel: the fragment test does.
 *
 * Each fragment writes `frag_depth = (32768 − z) / 65536` (exact in f32) and
 * the pipelines test `less-equal`; with the draws issued in kind order and
 * instances in batch order, the visible fragment is the last in
 * (z, kind, index) order, the reference's painter's order.
 *
 * @module
 */

/** Entry points of the fragment shaders, indexed by atom kind code. */
export const fragmentEntryPoints: ReadonlyArray<string> = ["fs_rect", "fs_text", "fs_image", "fs_path"]

export const wgsl = /* wgsl */ `
struct FrameU { size: vec2<i32>, origin: vec2<i32> }
@group(0) @binding(0) var<uniform> frame: FrameU;

struct VOut {
  @builtin(position) pos: vec4f,
  @location(0) @interpolate(flat) box: vec4<i32>,
  @location(1) @interpolate(flat) color: u32,
  @location(2) @interpolate(flat) payload: u32,
  @location(3) @interpolate(flat) depth: f32,
}

// An instance's candidate quad at one corner (bit 0: right, bit 1: bottom).
fn place(corner: u32, xy: vec2<i32>, wh: u32, color: u32, payload: u32, z: i32) -> VOut {
  let x0 = xy.x - frame.origin.x;
  let y0 = xy.y - frame.origin.y;
  let x1 = x0 + 16 * i32(wh & 0xffffu);
  let y1 = y0 + 16 * i32(wh >> 16u);
  let right = (corner & 1u) == 1u;
  let bottom = (corner & 2u) == 2u;
  let size = vec2f(frame.size);
  // Corners in px, half a px outside the instance, clamped just outside the framebuffer:
  // every centre the instance covers is at least half a px inside the quad.
  let sx = clamp(f32(select(x0, x1, right)) / 16.0 + select(-0.5, 0.5, right), -1.0, size.x + 1.0);
  let sy = clamp(f32(select(y0, y1, bottom)) / 16.0 + select(-0.5, 0.5, bottom), -1.0, size.y + 1.0);
  var o: VOut;
  o.pos = vec4f(sx / size.x * 2.0 - 1.0, 1.0 - sy / size.y * 2.0, 0.0, 1.0);
  o.box = vec4<i32>(x0, y0, x1, y1);
  o.color = color;
  o.payload = payload;
  o.depth = f32(32768 - z) / 65536.0;
  return o;
}

// Instanced: the record arrives as per-instance vertex attributes; a triangle strip of 4 corners.
@vertex
fn vs(@builtin(vertex_index) vi: u32,
      @location(0) xy: vec2<i32>, @location(1) wh: u32, @location(2) color: u32,
      @location(3) payload: u32, @location(4) z: i32) -> VOut {
  return place(vi, xy, wh, color, payload, z);
}

// Pulled: one triangle list over the whole batch, 6 vertices per record, read from the same words.
@group(0) @binding(1) var<storage, read> records: array<i32>;
@vertex
fn vs_pull(@builtin(vertex_index) vi: u32) -> VOut {
  let o = (vi / 6u) * 6u;
  let corner = array<u32, 6>(0u, 1u, 2u, 2u, 1u, 3u)[vi % 6u];
  return place(corner, vec2<i32>(records[o], records[o + 1u]), u32(records[o + 2u]), u32(records[o + 3u]),
               u32(records[o + 4u]), records[o + 5u]);
}

struct FOut { @location(0) color: vec4f, @builtin(frag_depth) depth: f32 }

// Local offsets (u, v, u', v') of this pixel's centre, 1/16 px.
fn local(v: VOut) -> vec4<i32> {
  let c = vec2<i32>(floor(v.pos.xy)) * 16 + vec2<i32>(8, 8);
  return vec4<i32>(c.x - v.box.x, c.y - v.box.y, v.box.z - c.x, v.box.w - c.y);
}

fn inside(q: vec4<i32>) -> bool { return q.x >= 0 && q.y >= 0 && q.z > 0 && q.w > 0; }

fn shade(v: VOut) -> FOut {
  let c = v.color;
  var o: FOut;
  o.color = vec4f(f32(c >> 24u), f32((c >> 16u) & 255u), f32((c >> 8u) & 255u), f32(c & 255u)) / 255.0;
  o.depth = v.depth;
  return o;
}

@fragment fn fs_rect(v: VOut) -> FOut {
  let q = local(v);
  let r = min(16 * i32(min(v.payload, 256u)), min((q.x + q.z) >> 1u, (q.y + q.w) >> 1u));
  let dx = max(0, max(r - q.x, r - q.z));
  let dy = max(0, max(r - q.y, r - q.w));
  if (!inside(q) || dx * dx + dy * dy > r * r) { discard; }
  return shade(v);
}

@group(0) @binding(2) var glyphs: texture_2d<u32>;
@group(0) @binding(3) var tiles: texture_2d<u32>;

@fragment fn fs_text(v: VOut) -> FOut {
  let q = local(v);
  if (!inside(q)) { discard; }
  let px = q.x >> 4u;
  let py = q.y >> 4u;
  let cu = px % 6;
  let cv = py % 8;
  if (cu >= 5 || cv >= 7) { discard; }
  let g = (px / 6 + i32(v.payload & 0xffffu)) % 10;
  if (textureLoad(glyphs, vec2<i32>(5 * g + cu, cv), 0).r == 0u) { discard; }
  return shade(v);
}

@fragment fn fs_image(v: VOut) -> FOut {
  let q = local(v);
  if (!inside(q)) { discard; }
  let t = i32(v.payload & 15u);
  if (textureLoad(tiles, vec2<i32>(8 * t + ((q.x >> 4u) & 7), (q.y >> 4u) & 7), 0).r == 0u) { discard; }
  return shade(v);
}

@fragment fn fs_path(v: VOut) -> FOut {
  let q = local(v);
  if (!inside(q) || min(min(q.x, q.y), min(q.z, q.w)) >= 16 * i32(min(v.payload, 255u))) { discard; }
  return shade(v);
}
`
