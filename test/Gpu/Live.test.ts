// The live view in real headless Chromium (WebGPU on SwiftShader): a
// coordinator tree's rounds, pushed as deltas over a loopback event stream.
import { spawn } from "node:child_process"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type ChromiumPage, openChromium } from "../../src/Gpu/Browser.ts"
import { type LiveView, startLiveView } from "../../src/Gpu/Live.ts"
import { deltaEntryWords, deltaHeaderWords, deltaMagic } from "../../src/Gpu/LivePage.ts"

let view: LiveView | undefined
let browser: ChromiumPage | undefined

beforeAll(async () => {
  view = await startLiveView({ agents: 240, width: 320, height: 180, pauseMs: 50 })
  browser = await openChromium(view.url)
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await view?.close()
})

interface Drawn {
  readonly round: number
  readonly drawCalls: number
  readonly proved: number
  readonly instances: number
  readonly entries: number
  readonly errors: ReadonlyArray<string>
}

const page = () => browser!.page
const history = async (): Promise<ReadonlyArray<Drawn>> => (await page().evaluate("window.live ? window.live.history : []")) as ReadonlyArray<Drawn>
const until = async <A>(what: string, get: () => Promise<A>, ok: (a: A) => boolean, timeoutMs = 20_000): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const a = await get()
    if (ok(a)) return a
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(a)}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
const canvasShot = () => page().locator("#view").screenshot()

describe("hydrogen live view (Chromium, SwiftShader)", () => {
  // @lean Hydrogen.Render.drawCalls_eq_length_usedKinds
  it("draws the tree's rounds as they come: pictures differ between rounds, each round's draw calls equal the proved count (drawCalls_eq_length_usedKinds)", async () => {
    const first = await until("three drawn rounds", history, (h) => h.length >= 3)
    const a = await canvasShot()
    const r0 = first[first.length - 1]!.round
    await until("two more rounds", history, (h) => h.length > 0 && h[h.length - 1]!.round >= r0 + 2)
    const b = await canvasShot()
    expect(Buffer.compare(a, b)).not.toBe(0)
    const h = await history()
    for (const d of h) {
      expect(d.proved).toBeGreaterThan(0)
      expect(d.drawCalls).toBe(d.proved)
      expect(d.errors).toEqual([])
    }
    expect(view!.status()!.exact).toBe(true)
    expect(view!.failure()).toBeUndefined()
  })

  it("malformed deltas are typed errors on the page: nothing is applied and the picture stays", async () => {
    await view!.pause()
    const last = view!.status()!.round
    await until("the last round drawn", history, (h) => h.length > 0 && h[h.length - 1]!.round === last)
    const before = await canvasShot()
    const entry = (kind: number) => {
      const w = new Int32Array(deltaHeaderWords + deltaEntryWords)
      w.set([deltaMagic, last + 1, 0, 1, 0, kind, 0, 0, 16 | (16 << 16), -1, 0, 0])
      return new Uint8Array(w.buffer)
    }
    const good = entry(0)
    view!.sendRawDelta(entry(9)) // kind out of range
    view!.sendRawDelta(good.subarray(0, good.length - 4)) // one word short
    const bad = new Int32Array(good.buffer.slice(0))
    bad[0] = 0x12345678
    view!.sendRawDelta(new Uint8Array(bad.buffer)) // wrong magic
    const live = await until(
      "three rejections",
      async () => (await page().evaluate("({ rejected: live.rejected, lastError: live.lastError, round: live.round })")) as { rejected: number; lastError: { _tag: string; field: string }; round: number },
      (l) => l.rejected >= 3,
    )
    expect(live.rejected).toBe(3)
    expect(live.lastError).toMatchObject({ _tag: "DeltaError", field: "magic" })
    expect(live.round).toBe(last)
    expect(Buffer.compare(await canvasShot(), before)).toBe(0)
    view!.resume()
    await until("rounds again", history, (h) => h[h.length - 1]!.round > last)
  })

  it("nothing in the page's console errors", () => {
    expect(browser!.consoleErrors()).toEqual([])
  })
})

describe("hydrogen view (the command)", () => {
  it("prints its loopback URL, serves the page and the event stream, and stops on SIGINT with exit 130", async () => {
    const bin = join(import.meta.dirname, "../../bin/hydrogen.mjs")
    const child = spawn(process.execPath, [bin, "view", "--agents", "32", "--width", "128", "--height", "96", "--pause", "20"], { stdio: ["ignore", "pipe", "pipe"] })
    try {
      let out = ""
      child.stdout.on("data", (d: Buffer) => (out += d.toString()))
      const url = await until("the URL", async () => /http:\/\/127\.0\.0\.1:\d+\//.exec(out)?.[0], (u) => u !== undefined)
      expect(await (await fetch(url!)).text()).toContain("<title>Hydrogen live view</title>")
      const events = await fetch(`${url}events`)
      const reader = events.body!.getReader()
      let text = ""
      while (!text.includes("event: delta")) text += new TextDecoder().decode((await reader.read()).value)
      await reader.cancel()
      expect(text).toContain('event: hello\ndata: {"elements":32,"width":128,"height":96}')
      const code = new Promise<number | null>((ok) => child.on("exit", (c) => ok(c)))
      child.kill("SIGINT")
      expect(await code).toBe(130)
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL")
    }
  })
})
