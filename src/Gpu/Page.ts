/**
 * The page side of the GPU runtime: an HTML page whose script (plain JS, run
 * by Chromium) owns the WebGPU device, one render pipeline per atom kind, and
 * with the glyph and image atlases of src/Gpu/Atlas.ts as textures, and
 * executes byte streams (src/Gpu/Frame.ts `encodeFrame`) with one draw per
 * batch straight from the instance records: each batch's words are uploaded
 * once, 24 bytes per instance, and read either as per-instance vertex
 * attributes (`instanced`) or as a storage buffer by an indexed draw of 4
 * vertices per record (`pulled`, the default: SwiftShader runs an instanced
 * draw as a loop of draws, bench/results/gpu.txt). It counts every draw it
 * issues.
 *
 * The host (src/Gpu/Browser.ts) validates a stream before sending it; the
 * page re-checks lengths and kinds and refuses (throws, draws nothing) on a
 * mismatch, so the last good frame stays in the framebuffer.
 *
 * @module
 */
import { glyphAtlas, glyphAtlasWidth, glyphHeight, imageAtlas, imageAtlasWidth, tileSize } from "./Atlas.ts"
import { fragmentEntryPoints, wgsl } from "./Shaders.ts"

const atlases = {
  glyphs: { width: glyphAtlasWidth, height: glyphHeight, data: Array.from(glyphAtlas) },
  tiles: { width: imageAtlasWidth, height: tileSize, data: Array.from(imageAtlas) },
}

const script = String.raw`
const WGSL = __WGSL__;
const ENTRIES = __ENTRIES__;
const ATLASES = __ATLASES__;
const hg = { device: null, pipelines: [], pulled: [], quads: null, layout: null, size: [0, 0], target: null, depth: null, uniform: null, frames: 0, errors: [] };
window.hg = hg;

const fromB64 = (s) => { const b = atob(s); const u = new Uint8Array(b.length); for (let i = 0; i < b.length; i++) u[i] = b.charCodeAt(i); return u; };
const toB64 = (u) => { let s = ""; for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode.apply(null, u.subarray(i, i + 0x8000)); return btoa(s); };

hg.init = async () => {
  if (!navigator.gpu) return { ok: false, reason: "navigator.gpu is missing: WebGPU is not enabled in this browser" };
  const adapter = await navigator.gpu.requestAdapter();
  hg.adapter = adapter; // keep it (and its instance) alive as long as the device
  if (!adapter) return { ok: false, reason: "navigator.gpu.requestAdapter() found no adapter" };
  const device = await adapter.requestDevice({ requiredLimits: { maxBufferSize: adapter.limits.maxBufferSize } });
  device.onuncapturederror = (e) => hg.errors.push(e.error.message);
  const module = device.createShaderModule({ code: WGSL });
  const info = await module.getCompilationInfo();
  const bad = info.messages.filter((m) => m.type === "error");
  if (bad.length > 0) return { ok: false, reason: "WGSL: " + bad.map((m) => m.lineNum + ":" + m.linePos + " " + m.message).join("; ") };
  hg.device = device;
  hg.uniform = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const layout = device.createBindGroupLayout({ entries: [
    { binding: 0, visibility: GPUShaderStage.VERTEX, buffer: {} },
    { binding: 1, visibility: GPUShaderStage.VERTEX, buffer: { type: "read-only-storage" } },
    { binding: 2, visibility: GPUShaderStage.FRAGMENT, texture: { sampleType: "uint" } },
    { binding: 3, visibility: GPUShaderStage.FRAGMENT, texture: { sampleType: "uint" } },
  ] });
  const atlas = (a) => {
    const t = device.createTexture({ size: [a.width, a.height], format: "r8uint", usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST });
    device.queue.writeTexture({ texture: t }, new Uint8Array(a.data), { bytesPerRow: a.width }, [a.width, a.height]);
    return t.createView();
  };
  hg.atlases = [atlas(ATLASES.glyphs), atlas(ATLASES.tiles)];
  hg.layout = layout;
  const attrs = [
    { shaderLocation: 0, offset: 0, format: "sint32x2" },
    { shaderLocation: 1, offset: 8, format: "uint32" },
    { shaderLocation: 2, offset: 12, format: "uint32" },
    { shaderLocation: 3, offset: 16, format: "uint32" },
    { shaderLocation: 4, offset: 20, format: "sint32" },
  ];
  const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });
  // Depth (32768 − z) / 65536 from the vertex stage; less-equal keeps the later of equal z.
  const depthStencil = { format: "depth32float", depthWriteEnabled: true, depthCompare: "less-equal" };
  hg.pipelines = ENTRIES.map((entryPoint) => device.createRenderPipeline({
    layout: pipelineLayout,
    vertex: { module, entryPoint: "vs", buffers: [{ arrayStride: 24, stepMode: "instance", attributes: attrs }] },
    fragment: { module, entryPoint, targets: [{ format: "rgba8unorm" }] },
    primitive: { topology: "triangle-strip" },
    depthStencil,
  }));
  hg.pulled = ENTRIES.map((entryPoint) => device.createRenderPipeline({
    layout: pipelineLayout,
    vertex: { module, entryPoint: "vs_pull" },
    fragment: { module, entryPoint, targets: [{ format: "rgba8unorm" }] },
    primitive: { topology: "triangle-list" },
    depthStencil,
  }));
  await device.queue.onSubmittedWorkDone();
  const a = adapter.info || {};
  return { ok: true, adapter: [a.vendor, a.architecture, a.device, a.description].filter((x) => x).join(" ") || "unknown" };
};

const decode = (bytes) => {
  if (bytes.length % 4 !== 0 || bytes.length < 20) throw new Error("page: stream length " + bytes.length);
  const w = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const batches = [];
  let o = 5;
  for (let b = 0; b < w[4]; b++) {
    const kind = w[o], count = w[o + 1];
    if (!(kind >= 0 && kind < ENTRIES.length) || count < 0 || o + 2 + 6 * count > w.length) throw new Error("page: bad batch " + b);
    batches.push({ kind, count, words: w.subarray(o + 2, o + 2 + 6 * count) });
    o += 2 + 6 * count;
  }
  if (o !== w.length) throw new Error("page: trailing words");
  return { width: w[0], height: w[1], left: w[2], top: w[3], batches };
};

const ensureTarget = (width, height) => {
  if (hg.size[0] === width && hg.size[1] === height) return;
  if (hg.target) { hg.target.destroy(); hg.depth.destroy(); }
  hg.target = hg.device.createTexture({ size: [width, height], format: "rgba8unorm", usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC });
  hg.depth = hg.device.createTexture({ size: [width, height], format: "depth32float", usage: GPUTextureUsage.RENDER_ATTACHMENT });
  hg.size = [width, height];
};

// mode "instanced": one instanced draw per batch (records as per-instance attributes);
// "pulled": one draw of 6 vertices per record per batch (records as a storage buffer);
// "perElement": one draw per instance (the naive path, for the bench).
hg.render = (b64, mode, repeat) => hg.renderBytes(fromB64(b64), mode, repeat);
hg.renderBytes = async (bytes, mode, repeat) => {
  const f = decode(bytes);
  const device = hg.device;
  ensureTarget(f.width, f.height);
  device.queue.writeBuffer(hg.uniform, 0, new Int32Array([f.width, f.height, f.left, f.top]));
  const buffers = f.batches.map((b) => {
    const buf = device.createBuffer({ size: Math.max(24, b.words.byteLength), usage: GPUBufferUsage.VERTEX | GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    if (b.count > 0) device.queue.writeBuffer(buf, 0, b.words);
    return buf;
  });
  const binds = buffers.map((buf) => device.createBindGroup({ layout: hg.layout, entries: [
    { binding: 0, resource: { buffer: hg.uniform } },
    { binding: 1, resource: { buffer: buf } },
    { binding: 2, resource: hg.atlases[0] },
    { binding: 3, resource: hg.atlases[1] },
  ] }));
  const quads = mode === "pulled" ? quadIndices(Math.max(0, ...f.batches.map((b) => b.count))) : null;
  const ms = [];
  let drawCalls = 0;
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    drawCalls = 0;
    const enc = device.createCommandEncoder();
    const pass = enc.beginRenderPass({
      colorAttachments: [{ view: hg.target.createView(), clearValue: [0, 0, 0, 0], loadOp: "clear", storeOp: "store" }],
      depthStencilAttachment: { view: hg.depth.createView(), depthClearValue: 1, depthLoadOp: "clear", depthStoreOp: "store" },
    });
    f.batches.forEach((b, i) => {
      if (b.count === 0) return;
      pass.setBindGroup(0, binds[i]);
      if (mode === "pulled") { pass.setPipeline(hg.pulled[b.kind]); pass.setIndexBuffer(quads, "uint32"); pass.drawIndexed(6 * b.count); drawCalls++; return; }
      pass.setPipeline(hg.pipelines[b.kind]);
      pass.setVertexBuffer(0, buffers[i]);
      if (mode === "perElement") for (let e = 0; e < b.count; e++) { pass.draw(4, 1, 0, e); drawCalls++; }
      else { pass.draw(4, b.count, 0, 0); drawCalls++; }
    });
    pass.end();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    ms.push(performance.now() - t0);
  }
  buffers.forEach((b) => b.destroy());
  hg.frames++;
  return { drawCalls, instances: f.batches.reduce((s, b) => s + b.count, 0), ms, frames: hg.frames, errors: hg.errors.splice(0) };
};

// The pulled draws' index buffer (4r, 4r+1, 4r+2, 4r+2, 4r+1, 4r+3 for record r), kept between
// frames and grown by doubling, so a frame uploads it only when it has more records than any before.
const quadIndices = (n) => {
  if (hg.quads && hg.quads.records >= n) return hg.quads.buffer;
  if (hg.quads) hg.quads.buffer.destroy();
  const records = Math.max(1024, 2 ** Math.ceil(Math.log2(Math.max(1, n))));
  const idx = new Uint32Array(6 * records);
  for (let r = 0, v = 0; r < records; r++, v += 4) { const o = 6 * r; idx[o] = v; idx[o + 1] = v + 1; idx[o + 2] = v + 2; idx[o + 3] = v + 2; idx[o + 4] = v + 1; idx[o + 5] = v + 3; }
  const buffer = hg.device.createBuffer({ size: idx.byteLength, usage: GPUBufferUsage.INDEX | GPUBufferUsage.COPY_DST });
  hg.device.queue.writeBuffer(buffer, 0, idx);
  hg.quads = { records, buffer };
  return buffer;
};

hg.readback = async () => {
  const { width, height, data } = await hg.readPixels();
  return { width, height, b64: toB64(data) };
};

hg.readPixels = async () => {
  const [width, height] = hg.size;
  const row = Math.ceil((width * 4) / 256) * 256;
  const buf = hg.device.createBuffer({ size: row * height, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
  const enc = hg.device.createCommandEncoder();
  enc.copyTextureToBuffer({ texture: hg.target }, { buffer: buf, bytesPerRow: row }, [width, height]);
  hg.device.queue.submit([enc.finish()]);
  await buf.mapAsync(GPUMapMode.READ);
  const src = new Uint8Array(buf.getMappedRange());
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) out.set(src.subarray(y * row, y * row + width * 4), y * width * 4);
  buf.unmap();
  buf.destroy();
  return { width, height, data: out };
};
`

/** The runtime's script: defines `window.hg` (`init`, `render`, `renderBytes`, `readback`). */
export const runtimeScript = (): string =>
  script
    .replace("__WGSL__", () => JSON.stringify(wgsl))
    .replace("__ENTRIES__", () => JSON.stringify(fragmentEntryPoints))
    .replace("__ATLASES__", () => JSON.stringify(atlases))

/** The runtime page: the script alone, driven by the host through `window.hg`. */
export const pageHtml = (): string =>
  `<!doctype html><html><head><meta charset="utf-8"><title>Hydrogen GPU runtime</title></head><body><script>${runtimeScript()}</script></body></html>`
