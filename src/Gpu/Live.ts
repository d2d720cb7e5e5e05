/**
 * The live view's host: runs a coordinator tree (src/Tree/CoordinatorTree.ts,
 * in-process bus) round after round, keeps the viewport state from what the
 * agents report, and serves the live page (src/Gpu/LivePage.ts) on loopback,
 * pushing per round the status and a delta of the Elements over Server-Sent
 * Events.
 *
 * Viewport state: agent `i` is Element `i` (kind `i mod 4`, size, colour and
 * z from `i`); each round its reported value `v ∈ [−R, R]` moves it by
 * `6·v/R` px horizontally (wrapping, so Elements cross the view's edges and
 * are culled) and sets its vertical offset to `cell·v/(4R)`. Exact px
 * positions go through the graded stages (src/Render/Graded.ts: 1/16 px fixed
 * point, float32) and their error is measured exactly against the proved
 * bound, as `hydrogen render` does. A delta holds the Elements whose record or
 * visibility changed; the proved draw count of the round is the number of
 * distinct kinds among the visible Elements (`drawCalls_eq_length_usedKinds`).
 *
 * @module
 */
import { createServer, type ServerResponse } from "node:http"
import { decimal, maxErrorExact } from "../Render/Graded.ts"
import { makeInProcessTransport } from "../Net/InProcess.ts"
import { cull, drawCalls, intersects, type View } from "../Render/Commands.ts"
import { show } from "../Render/Error.ts"
import { colorValue, errorBound, exact, positionsToGpu, quantizeColors, quantizePositions } from "../Render/Graded.ts"
import { valueRange } from "../Tree/Agents.ts"
import { CoordinatorTree } from "../Tree/CoordinatorTree.ts"
import { driveRound } from "../Tree/Round.ts"
import type { Atom, Element } from "../Wire/Element.ts"
import { deltaEntryWords, deltaHeaderWords, deltaMagic, livePageHtml } from "./LivePage.ts"

export interface LiveOptions {
  readonly agents?: number
  readonly branching?: number
  readonly width?: number
  readonly height?: number
  /** Pause between rounds, ms (default 200). */
  readonly pauseMs?: number
  readonly seed?: number
}

export interface LiveStatus {
  readonly round: number
  readonly exact: boolean
  readonly latencyMs: number
  readonly agents: number
  readonly perLevel: ReadonlyArray<number>
  readonly visible: number
  readonly provedDrawCalls: number
  readonly positionBound: string
  readonly positionMeasured: string
  readonly colorBound: string
  readonly colorMeasured: string
  readonly deltaEntries: number
}

export interface LiveView {
  /** http://127.0.0.1:PORT/ */
  readonly url: string
  status(): LiveStatus | undefined
  /** Stops starting rounds (the one in flight finishes); `resume` starts them again. */
  pause(): Promise<void>
  resume(): void
  /** Sends `bytes` as a delta to every page, unchecked (to test the page's own checks). */
  sendRawDelta(bytes: Uint8Array): void
  /** The error that stopped the rounds, if any. */
  failure(): unknown
  close(): Promise<void>
}

const atomOf = (i: number): Atom =>
  i % 4 === 0
    ? { _tag: "rect", cornerRadius: 4 }
    : i % 4 === 1
      ? { _tag: "text", font: i % 10, size: 12 }
      : i % 4 === 2
        ? { _tag: "image", source: i }
        : { _tag: "path", stroke: 2 }

/** Starts the tree, the rounds and the page server. */
export const startLiveView = async (o: LiveOptions = {}): Promise<LiveView> => {
  const n = o.agents ?? 400
  const width = o.width ?? 960
  const height = o.height ?? 540
  const pauseMs = o.pauseMs ?? 200
  const tree = await CoordinatorTree.start({ agents: n, branching: o.branching ?? 8, transport: makeInProcessTransport(), seed: o.seed ?? 1 })
  const view: View = { viewport: 0, left: 0, top: 0, right: 16 * width, bottom: 16 * height }
  const cols = Math.ceil(Math.sqrt((n * width) / height))
  const cell = width / cols
  const px = new Float64Array(2 * n)
  for (let i = 0; i < n; i++) {
    px[2 * i] = (i % cols) * cell
    px[2 * i + 1] = Math.floor(i / cols) * cell
  }
  const base = Float64Array.from(px)
  const channels = new Float64Array(4 * n)
  for (let i = 0; i < n; i++) {
    const h = Math.imul(i + 1, 0x9e3779b1) >>> 0
    channels.set([((h >>> 24) & 255) / 255, ((h >>> 16) & 255) / 255, ((h >>> 8) & 255) / 255, 1], 4 * i)
  }
  const colors = quantizeColors(exact(channels))
  const colorBound = errorBound(colors)
  const colorMeasured = maxErrorExact(channels, colors.values, (k) => k / 255, colorValue)
  // Per Element, 8 words: kind (−1: not visible), its 6-word record, 1 unused; what was last sent.
  const sent = new Int32Array(8 * n).fill(0x7fffffff)
  const clients = new Set<ServerResponse>()
  let status: LiveStatus | undefined
  let stopped = false
  let paused = false
  let failure: unknown
  let current: Uint8Array = new Uint8Array(0)

  const push = (res: ServerResponse, event: string, data: string) => res.write(`event: ${event}\ndata: ${data}\n\n`)
  const broadcast = (event: string, data: string) => {
    for (const c of clients) push(c, event, data)
  }

  /** The delta of this round's state against what was last sent; with `all`, every Element (a new client's baseline). */
  const delta = (round: number, entries: Int32Array, all: boolean): Uint8Array => {
    const ids: number[] = []
    for (let i = 0; i < n; i++) {
      let same = !all
      for (let w = 0; w < 8 && same; w++) same = entries[8 * i + w] === sent[8 * i + w]
      if (!same) ids.push(i)
    }
    const out = new Int32Array(deltaHeaderWords + deltaEntryWords * ids.length)
    out.set([deltaMagic, round, Date.now() | 0, ids.length])
    ids.forEach((id, j) => {
      out[deltaHeaderWords + deltaEntryWords * j] = id
      out.set(entries.subarray(8 * id, 8 * id + 7), deltaHeaderWords + deltaEntryWords * j + 1)
    })
    return new Uint8Array(out.buffer)
  }

  const entries = new Int32Array(8 * n)
  const step = (round: number, r: { exact: boolean; latencyMs: number }) => {
    const values = tree.agents.values
    for (let i = 0; i < n; i++) {
      const v = values[i]! / valueRange
      let x = px[2 * i]! + 6 * v
      if (x > width + 40) x -= width + 80
      if (x < -40) x += width + 80
      px[2 * i] = x
      px[2 * i + 1] = base[2 * i + 1]! + (cell * v) / 4
    }
    const fixed = quantizePositions(exact(px))
    const gpu = positionsToGpu(fixed)
    const elements: Element[] = []
    for (let i = 0; i < n; i++) {
      const e: Element = {
        atom: atomOf(i),
        z: i % 5,
        viewport: 0,
        x: fixed.values[2 * i]!,
        y: fixed.values[2 * i + 1]!,
        width: 8 + (i % 17),
        height: 8 + (i % 11),
        color: ((colors.values[4 * i]! << 24) | (colors.values[4 * i + 1]! << 16) | (colors.values[4 * i + 2]! << 8) | colors.values[4 * i + 3]!) >>> 0,
      }
      elements.push(e)
      const payload = e.atom._tag === "rect" ? 4 : e.atom._tag === "text" ? (i % 10) | (12 << 16) : e.atom._tag === "image" ? i : 2
      entries.set([intersects(view, e) ? i % 4 : -1, e.x, e.y, e.width | (e.height << 16), e.color | 0, payload, e.z], 8 * i)
    }
    const visible = cull(view, elements)
    const d = delta(round, entries, false)
    sent.set(entries)
    status = {
      round,
      exact: r.exact,
      latencyMs: r.latencyMs,
      agents: n,
      perLevel: tree.topology.perLevel,
      visible: visible.length,
      provedDrawCalls: drawCalls(visible),
      positionBound: show(errorBound(gpu)),
      positionMeasured: decimal(maxErrorExact(px, gpu.values, (x) => x), 6),
      colorBound: show(colorBound),
      colorMeasured: decimal(colorMeasured, 6),
      deltaEntries: (d.length / 4 - deltaHeaderWords) / deltaEntryWords,
    }
    current = delta(round, entries, true)
    broadcast("status", JSON.stringify(status)) // before the delta: the page draws a round knowing its status
    broadcast("delta", Buffer.from(d).toString("base64"))
  }

  let idle: (() => void) | undefined
  let idleNow = false
  const loop = (async () => {
    while (!stopped) {
      if (paused) {
        idleNow = true
        await new Promise<void>((ok) => (idle = ok))
        idleNow = false
        continue
      }
      try {
        const r = await driveRound(tree.rounds, 10_000)
        step(r.round, r)
      } catch (e) {
        failure = e
        return
      }
      await new Promise((ok) => setTimeout(ok, pauseMs))
    }
  })()

  const html = livePageHtml()
  const server = createServer((req, res) => {
    if (req.url === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" })
      res.end(html)
    } else if (req.url === "/events") {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" })
      push(res, "hello", JSON.stringify({ elements: n, width, height }))
      if (status !== undefined) push(res, "status", JSON.stringify(status))
      if (current.length > 0) push(res, "delta", Buffer.from(current).toString("base64"))
      clients.add(res)
      req.on("close", () => clients.delete(res))
    } else {
      res.writeHead(req.url === "/favicon.ico" ? 204 : 404)
      res.end()
    }
  })
  await new Promise<void>((ok, bad) => {
    server.once("error", bad)
    server.listen(0, "127.0.0.1", () => ok())
  })
  const port = (server.address() as { port: number }).port

  return {
    url: `http://127.0.0.1:${port}/`,
    status: () => status,
    pause: async () => {
      paused = true
      while (!idleNow && failure === undefined) await new Promise((ok) => setTimeout(ok, 10))
    },
    resume: () => {
      paused = false
      idle?.()
    },
    sendRawDelta: (bytes) => broadcast("delta", Buffer.from(bytes).toString("base64")),
    failure: () => failure,
    close: async () => {
      stopped = true
      paused = false
      idle?.()
      await loop
      for (const c of clients) c.end()
      server.closeAllConnections()
      await new Promise<void>((ok) => server.close(() => ok()))
      await tree.stop()
    },
  }
}
