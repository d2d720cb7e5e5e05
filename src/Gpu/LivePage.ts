/**
 * The live view's page: the GPU runtime (src/Gpu/Page.ts) plus a client of
 * the running system. It subscribes to the host's event stream on loopback
 * (Server-Sent Events, one long-lived HTTP connection) and receives, per tree
 * round, the round's status and a **delta**: only the Elements whose record
 * or visibility changed. It keeps every Element's record, validates each
 * delta completely before applying any of it (a malformed one is a typed
 * `DeltaError`, counted and shown; the state and the picture stay as they
 * were), rebuilds the per-kind batches of the visible Elements and draws them
 * with one draw per kind, then shows the framebuffer it reads back on a canvas.
 *
 * Delta (little-endian int32 words): `magic 0x31445948 ("HYD1"), round,
 * sentAtMs (low 32 bits of the host's Date.now()), count`, then `count` entries of
 * `id, kind (−1: not visible), x, y, width | height << 16, color, payload, z`.
 *
 * @module
 */
import { runtimeScript } from "./Page.ts"

/** First word of every delta ("HYD1" in little-endian ASCII). */
export const deltaMagic = 0x31445948
/** Words per delta entry. */
export const deltaEntryWords = 8
/** Words before the entries. */
export const deltaHeaderWords = 4

const live = String.raw`
const MAGIC = ${deltaMagic}, EW = ${deltaEntryWords}, HW = ${deltaHeaderWords};
const live = { hello: null, kind: null, records: null, round: 0, status: null, statusByRound: new Map(),
  rejected: 0, lastError: null, history: [], errors: [], ready: false };
window.live = live;
const hud = document.getElementById("hud");
const canvas = document.getElementById("view");
let ctx = null;

const deltaError = (field, index, value, expected) => ({ _tag: "DeltaError", field, index, value, expected });

// Checks the whole delta; returns its entries or a DeltaError. Nothing is applied here.
const checkDelta = (bytes) => {
  if (bytes.length % 4 !== 0) return deltaError("length", -1, bytes.length, "a multiple of 4 bytes");
  const w = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  if (w.length < HW) return deltaError("length", -1, bytes.length, "at least the " + 4 * HW + "-byte header");
  if (w[0] !== MAGIC) return deltaError("magic", -1, w[0], "0x31445948");
  const count = w[3];
  if (count < 0 || w.length !== HW + EW * count) return deltaError("length", -1, bytes.length, "header + " + count + " entries of " + 4 * EW + " bytes");
  const n = live.hello.elements;
  for (let i = 0; i < count; i++) {
    const o = HW + EW * i;
    if (w[o] < 0 || w[o] >= n) return deltaError("id", i, w[o], "an Element id 0.." + (n - 1));
    if (w[o + 1] < -1 || w[o + 1] > 3) return deltaError("kind", i, w[o + 1], "an atom kind code 0..3, or -1");
    if (w[o + 7] < -32768 || w[o + 7] > 32767) return deltaError("z", i, w[o + 7], "an int16");
  }
  return { round: w[1], sentAt: w[2] >>> 0, count, words: w };
};

const frameStream = () => {
  const { width, height, elements } = live.hello;
  const ids = [[], [], [], []];
  for (let id = 0; id < elements; id++) if (live.kind[id] >= 0) ids[live.kind[id]].push(id);
  const kinds = [0, 1, 2, 3].filter((k) => ids[k].length > 0);
  const out = new Int32Array(5 + kinds.reduce((s, k) => s + 2 + 6 * ids[k].length, 0));
  out.set([width, height, 0, 0, kinds.length]);
  let o = 5;
  for (const k of kinds) {
    out[o++] = k; out[o++] = ids[k].length;
    for (const id of ids[k]) { out.set(live.records.subarray(6 * id, 6 * id + 6), o); o += 6; }
  }
  return new Uint8Array(out.buffer);
};

const show = () => {
  const s = live.status, f = live.history[live.history.length - 1];
  hud.textContent = [
    s ? "tree: round " + s.round + (s.exact ? " exact" : " INEXACT") + ", " + s.agents + " agents, levels " + s.perLevel.join("/") + ", round latency " + s.latencyMs.toFixed(1) + " ms" : "tree: waiting",
    f ? "frame: " + f.ms.toFixed(1) + " ms, draw calls " + f.drawCalls + " (proved " + f.proved + "), instances " + f.instances + ", delta " + f.entries + " entries, delta→pixel " + f.latencyMs + " ms" : "frame: none yet",
    s ? "position error: proved ≤ " + s.positionBound + " px, measured " + s.positionMeasured + " px; colour ≤ " + s.colorBound + ", measured " + s.colorMeasured : "",
    "deltas rejected: " + live.rejected + (live.lastError ? " (last: " + live.lastError.field + " " + live.lastError.value + ", expected " + live.lastError.expected + ")" : ""),
  ].join("\n");
};

let queue = Promise.resolve();
const onDelta = (b64) => {
  queue = queue.then(async () => {
    const d = checkDelta(fromB64(b64));
    if (d._tag === "DeltaError") { live.rejected++; live.lastError = d; show(); return; }
    for (let i = 0; i < d.count; i++) {
      const o = HW + EW * i, id = d.words[o];
      live.kind[id] = d.words[o + 1];
      live.records.set(d.words.subarray(o + 2, o + 8), 6 * id);
    }
    const r = await hg.renderBytes(frameStream(), "pulled", 1);
    // Shown through a 2D canvas: configuring a WebGPU canvas destroyed the device on SwiftShader here.
    const px = await hg.readPixels();
    ctx.putImageData(new ImageData(new Uint8ClampedArray(px.data.buffer), px.width, px.height), 0, 0);
    const st = live.statusByRound.get(d.round);
    live.round = d.round;
    live.history.push({ round: d.round, ms: r.ms[0], drawCalls: r.drawCalls, instances: r.instances, entries: d.count,
      proved: st ? st.provedDrawCalls : -1, latencyMs: ((Date.now() >>> 0) - d.sentAt) >>> 0, errors: r.errors });
    if (live.history.length > 1000) live.history.shift();
    show();
  }).catch((e) => { live.errors.push(String(e)); console.error("live view: " + e); });
};

window.addEventListener("load", async () => {
  const init = await hg.init();
  if (!init.ok) { hud.textContent = "WebGPU unavailable: " + init.reason; console.error("WebGPU unavailable: " + init.reason); return; }
  hg.device.lost.then((i) => { live.errors.push("device lost (" + i.reason + "): " + i.message); console.error("live view: device lost: " + i.message); });
  ctx = canvas.getContext("2d");
  const es = new EventSource("/events");
  es.addEventListener("hello", (e) => {
    const h = JSON.parse(e.data);
    live.hello = h;
    live.kind = new Int8Array(h.elements).fill(-1);
    live.records = new Int32Array(6 * h.elements);
    canvas.width = h.width; canvas.height = h.height;
    live.ready = true;
  });
  es.addEventListener("status", (e) => { const s = JSON.parse(e.data); live.status = s; live.statusByRound.set(s.round, s); show(); });
  es.addEventListener("delta", (e) => onDelta(e.data));
});
`

/** The live page: canvas, heads-up figures, the runtime and the live client. */
export const livePageHtml = (): string =>
  `<!doctype html><html><head><meta charset="utf-8"><title>Hydrogen live view</title>
<style>body{margin:0;background:#111;color:#ddd;font:12px monospace}#hud{margin:4px 8px;white-space:pre}canvas{display:block}</style></head>
<body><canvas id="view" width="16" height="16"></canvas><pre id="hud">starting</pre>
<script>${runtimeScript()}${live}</script></body></html>`
