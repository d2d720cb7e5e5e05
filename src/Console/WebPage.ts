/**
 * The web console's page: HTML, CSS and script served as three files so the
 * Content-Security-Policy can forbid inline script and style. The script asks
 * `/api/session` whether it is logged in (200 either way, so a fresh page
 * logs no failed request), shows the login form or the dashboard, follows
 * `/api/events` (Server-Sent Events: one status per change) and posts the
 * console's commands as JSON to `/api/command`. Everything the server sends
 * is written with `textContent`, never parsed as HTML.
 *
 * @module
 */

/** Served on every page answer: scripts, styles and connections from this origin only; no framing. */
export const contentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

export const pageHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Hydrogen console</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<header>
  <h1>Hydrogen console</h1>
  <span id="mode" class="badge" data-testid="mode">…</span>
  <span id="conn" class="muted"></span>
  <button id="logout" hidden>Log out</button>
</header>
<main>
  <section id="login" hidden>
    <h2>Orchestrator login</h2>
    <form id="login-form">
      <label>Token <input id="token" type="password" autocomplete="current-password" required></label>
      <button type="submit">Log in</button>
    </form>
    <p id="login-error" class="error" data-testid="login-error"></p>
  </section>
  <section id="dash" hidden>
    <div class="grid">
      <div class="card"><h2>Status</h2><pre id="box" data-testid="box"></pre></div>
      <div class="card"><h2>Live aggregate</h2><dl id="aggregate" data-testid="aggregate"></dl></div>
      <div class="card"><h2>Mesh / tree</h2><dl id="tree" data-testid="tree"></dl></div>
      <div class="card wide"><h2>Sectors</h2><table id="sectors" data-testid="sectors"></table></div>
      <div class="card"><h2>Breakers</h2><table id="breakers" data-testid="breakers"></table></div>
      <div class="card"><h2>Conflicts</h2><table id="conflicts" data-testid="conflicts"></table></div>
    </div>
    <div class="card commands">
      <h2>Commands</h2>
      <div class="row">
        <input id="scope" placeholder="scope: all, sector-7, cluster-7-4" data-testid="scope">
        <button data-cmd="freeze" class="danger">Freeze</button>
        <button data-cmd="thaw">Thaw</button>
        <button data-cmd="heal">Heal</button>
      </div>
      <div class="row"><input id="broadcast-message" placeholder="message to every agent"><button data-cmd="broadcast">Broadcast</button></div>
      <div class="row"><input id="ask-question" placeholder="question"><input id="ask-sample" type="number" min="1" value="10" class="num"><button data-cmd="ask">Ask</button></div>
      <div class="row"><input id="delegate-task" placeholder="task"><input id="delegate-to" placeholder="to (best available)"><button data-cmd="delegate">Delegate</button></div>
      <div class="row"><input id="say-line" placeholder="what's happening in sector 7?"><button data-cmd="say">Say</button></div>
      <pre id="replies" data-testid="replies"></pre>
    </div>
  </section>
</main>
</body>
</html>
`

export const pageCss = `
:root { color-scheme: dark; --bg: #0f1419; --card: #1a2129; --line: #2c3640; --fg: #d8dee4; --muted: #8b98a5; --ok: #3fb950; --bad: #f85149; --warn: #d29922; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.4 system-ui, sans-serif; }
header { display: flex; gap: 12px; align-items: center; padding: 10px 16px; border-bottom: 1px solid var(--line); }
h1 { font-size: 18px; margin: 0; } h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: 0 0 8px; }
main { padding: 16px; }
.grid { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 12px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 12px; overflow: auto; }
.wide { grid-column: span 3; }
.commands { margin-top: 12px; }
.row { display: flex; gap: 8px; margin-bottom: 8px; }
input { flex: 1; background: var(--bg); color: var(--fg); border: 1px solid var(--line); border-radius: 4px; padding: 5px 8px; }
input.num { flex: 0 0 80px; }
button { background: #238636; color: #fff; border: 0; border-radius: 4px; padding: 5px 12px; cursor: pointer; }
button.danger { background: #b62324; }
pre { margin: 0; font: 12px/1.35 ui-monospace, monospace; white-space: pre-wrap; }
#replies { max-height: 180px; overflow: auto; color: var(--muted); }
dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 12px; margin: 0; }
dt { color: var(--muted); } dd { margin: 0; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; width: 100%; font-size: 12px; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 2px 8px 2px 0; border-bottom: 1px solid var(--line); }
th { color: var(--muted); font-weight: normal; }
.badge { padding: 2px 8px; border-radius: 10px; font-size: 12px; font-weight: bold; background: var(--line); }
.badge.live { background: var(--ok); color: #000; } .badge.frozen { background: #58a6ff; color: #000; }
.muted { color: var(--muted); font-size: 12px; } .error { color: var(--bad); }
`

export const pageScript = String.raw`"use strict";
const $ = (id) => document.getElementById(id);
const state = { status: null, events: null, updates: 0 };
window.consoleState = state;

const show = (loggedIn) => {
  $("login").hidden = loggedIn;
  $("dash").hidden = !loggedIn;
  $("logout").hidden = !loggedIn;
};

const fill = (el, rows) => {
  el.replaceChildren();
  if (!Array.isArray(rows) || rows.length === 0) {
    const tr = el.insertRow(); const td = tr.insertCell(); td.textContent = "none"; td.className = "muted";
    return;
  }
  const keys = Object.keys(rows[0]);
  const head = el.createTHead().insertRow();
  for (const k of keys) { const th = document.createElement("th"); th.textContent = k; head.appendChild(th); }
  const body = el.createTBody();
  for (const r of rows) { const tr = body.insertRow(); for (const k of keys) tr.insertCell().textContent = String(r[k]); }
};

const pairs = (el, obj) => {
  el.replaceChildren();
  for (const [k, v] of Object.entries(obj ?? {})) {
    const dt = document.createElement("dt"); dt.textContent = k;
    const dd = document.createElement("dd"); dd.textContent = typeof v === "number" ? v.toLocaleString("en") : String(v);
    el.append(dt, dd);
  }
};

const render = (s) => {
  state.status = s;
  state.updates++;
  const mode = $("mode");
  mode.textContent = s.badge;
  mode.className = "badge " + (s.badge === "LIVE" ? "live" : "frozen");
  $("box").textContent = s.box;
  pairs($("aggregate"), s.aggregate);
  pairs($("tree"), s.tree);
  fill($("sectors"), s.sectors);
  fill($("breakers"), s.breakers);
  fill($("conflicts"), s.conflicts);
};

const reply = (line) => {
  const el = $("replies");
  el.textContent = line + "\n" + el.textContent;
};

const follow = () => {
  if (state.events) state.events.close();
  const es = new EventSource("/api/events");
  state.events = es;
  es.addEventListener("status", (e) => render(JSON.parse(e.data)));
  es.addEventListener("problem", (e) => { $("conn").textContent = "status unavailable: " + JSON.parse(e.data).message; });
  es.onopen = () => { $("conn").textContent = "live updates"; };
  es.onerror = async () => {
    $("conn").textContent = "reconnecting…";
    // the stream ends when the session does: back to the login form
    const s = await fetch("/api/session").then((r) => r.json()).catch(() => null);
    if (s && !s.loggedIn) { es.close(); state.events = null; $("conn").textContent = ""; show(false); }
  };
};

const post = async (path, body) => {
  const r = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const data = await r.json().catch(() => ({}));
  return { status: r.status, data };
};

const start = async () => {
  const r = await fetch("/api/session");
  const s = await r.json();
  show(s.loggedIn);
  if (s.loggedIn) follow();
};

$("login-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const r = await post("/api/login", { token: $("token").value });
  $("token").value = "";
  if (r.status === 200) { $("login-error").textContent = ""; show(true); follow(); }
  else $("login-error").textContent = r.data.error ? r.data.error.message : "login failed (" + r.status + ")";
});

$("logout").addEventListener("click", async () => {
  await post("/api/logout", {});
  if (state.events) state.events.close();
  state.events = null;
  show(false);
});

const commandBody = (cmd) => {
  const v = (id) => $(id).value.trim();
  const opt = (o, k, x) => { if (x !== "") o[k] = x; return o; };
  switch (cmd) {
    case "freeze": case "thaw": return opt({ command: cmd }, "scope", v("scope"));
    case "heal": return opt({ command: "heal" }, "target", v("scope"));
    case "broadcast": return { command: "broadcast", message: v("broadcast-message") };
    case "ask": return opt(opt({ command: "ask", question: v("ask-question") }, "sample", v("ask-sample") === "" ? "" : Number(v("ask-sample"))), "scope", v("scope"));
    case "delegate": return opt({ command: "delegate", task: v("delegate-task") }, "to", v("delegate-to"));
    case "say": return { command: "say", line: v("say-line") };
    default: return { command: cmd };
  }
};

for (const b of document.querySelectorAll("button[data-cmd]")) {
  b.addEventListener("click", async () => {
    const cmd = b.dataset.cmd;
    const r = await post("/api/command", commandBody(cmd));
    if (r.status === 401) { show(false); return; }
    reply(r.status === 200 ? "> " + cmd + "\n" + r.data.reply : "> " + cmd + " (" + r.status + ") " + (r.data.error ? r.data.error.message : ""));
    if (r.data.status) render(r.data.status);
  });
}

start();
`
