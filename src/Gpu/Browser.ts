/**
 * The host side of the GPU runtime: launches Debian's headless Chromium
 * (`/usr/bin/chromium`, installed by scripts/chromium/install.sh) through
 * `playwright-core` with WebGPU on SwiftShader, serves the runtime page
 * (src/Gpu/Page.ts) from a loopback HTTP server (WebGPU needs a secure
 * context; 127.0.0.1 is one), and runs frames on it.
 *
 * Every frame is decoded (src/Gpu/Frame.ts) before it is sent: malformed
 * input is a `GpuInputError` and nothing reaches the page or the GPU. A
 * browser or machine without WebGPU is a `GpuUnavailable` that says so and
 * points at the CPU reference renderer (`hydrogen render --out`).
 *
 * @module
 */
import { createServer, type Server } from "node:http"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Data } from "effect"
import * as Result from "effect/Result"
import { decodeFrame, decodeStream, encodeFrame, type Frame, type GpuInputError } from "./Frame.ts"
import { pageHtml } from "./Page.ts"
import type { Image } from "./Reference.ts"

/** Chromium's WebGPU-on-CPU flags (../shared/TOOLCHAIN.md); playwright adds `--headless`. */
export const chromiumArgs: ReadonlyArray<string> = [
  "--no-sandbox",
  "--enable-unsafe-webgpu",
  "--use-webgpu-adapter=swiftshader",
  "--enable-features=Vulkan",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
]

export const defaultChromium = "/usr/bin/chromium"

/** No WebGPU here: no browser, no adapter, or the shaders did not compile. */
export class GpuUnavailable extends Data.TaggedError("GpuUnavailable")<{ readonly reason: string }> {
  override get message(): string {
    return `WebGPU is unavailable: ${this.reason}. Without a GPU, use the CPU reference renderer: hydrogen render --out frame.png`
  }
}

/**
 * How the page draws a batch: one instanced draw with the records as
 * per-instance attributes (`instanced`); one draw of 6 vertices per record,
 * pulled from the records as a storage buffer (`pulled`); or one draw per
 * instance (`perElement`, the naive path).
 */
export type DrawMode = "instanced" | "pulled" | "perElement"

/**
 * `pulled`: SwiftShader runs an instanced draw as a loop of per-instance
 * draws (bench/results/gpu.txt: no faster than one draw per Element), while
 * one large draw of pulled vertices is several times faster. Both issue one
 * draw per kind and read the same records.
 */
export const defaultDrawMode: DrawMode = "pulled"

/** What the page reports for a frame. */
export interface GpuFrameReport {
  /** Draw calls the page issued for one frame (the last of `repeat`). */
  readonly drawCalls: number
  readonly instances: number
  /** Per repetition: encode + submit until the queue reports the work done, ms. */
  readonly ms: ReadonlyArray<number>
  /** Frames rendered on this page so far. */
  readonly frames: number
  /** WebGPU validation errors the device reported during the frame. */
  readonly errors: ReadonlyArray<string>
}

export interface GpuRuntime {
  /** The WebGPU adapter, as the page names it. */
  readonly adapter: string
  /** Decodes `frame` (src/Gpu/Frame.ts) and renders it; bad input is returned, not sent. */
  render(frame: unknown, options?: { readonly mode?: DrawMode; readonly repeat?: number }): Promise<Result.Result<GpuFrameReport, GpuInputError>>
  /** Decodes the byte stream (src/Gpu/Frame.ts `decodeStream`) and renders it; bad input is returned, not sent. */
  renderStream(bytes: Uint8Array, options?: { readonly mode?: DrawMode; readonly repeat?: number }): Promise<Result.Result<GpuFrameReport, GpuInputError>>
  /** The framebuffer of the last rendered frame, RGBA8 (copyTextureToBuffer). */
  readPixels(): Promise<Image>
  /** Console errors and uncaught page errors seen so far. */
  consoleErrors(): ReadonlyArray<string>
  /** Closes the browser, the server and the profile dir. Idempotent. */
  close(): Promise<void>
}

/** Serves `html` at / on a free loopback port (404 elsewhere, 204 for the icon). */
export const serve = async (html: string): Promise<Server> => {
  const server = createServer((req, res) => {
    if (req.url === "/" || req.url === "/index.html") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" })
      res.end(html)
    } else if (req.url === "/favicon.ico") {
      res.writeHead(204) // no icon; a 404 would be a console error
      res.end()
    } else {
      res.writeHead(404)
      res.end()
    }
  })
  await new Promise<void>((ok, bad) => {
    server.once("error", bad)
    server.listen(0, "127.0.0.1", () => ok())
  })
  return server
}

/** A headless Chromium page (fresh profile), with its console errors collected. */
export interface ChromiumPage {
  readonly page: import("playwright-core").Page
  consoleErrors(): ReadonlyArray<string>
  /** Closes the browser and removes the profile dir. Idempotent. */
  close(): Promise<void>
}

/**
 * Launches Chromium with `chromiumArgs` on a fresh profile and opens `url`
 * (loopback). Rejects with `GpuUnavailable`, leaving nothing running, when the
 * browser does not start or the page does not load.
 */
export const openChromium = async (url: string, options: { readonly executablePath?: string } = {}): Promise<ChromiumPage> => {
  const { chromium } = await import("playwright-core")
  const profile = await mkdtemp(join(tmpdir(), "hydrogen-chromium-"))
  const errors: Array<string> = []
  let context: Awaited<ReturnType<typeof chromium.launchPersistentContext>> | undefined
  let closed = false
  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    await context?.close().catch(() => undefined)
    await rm(profile, { recursive: true, force: true })
  }
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: options.executablePath ?? defaultChromium,
      headless: true,
      args: [...chromiumArgs],
    })
    const page = context.pages()[0] ?? (await context.newPage())
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text())
    })
    page.on("pageerror", (e) => errors.push(e.message))
    await page.goto(url)
    return { page, consoleErrors: () => errors.slice(), close }
  } catch (e) {
    await close()
    throw new GpuUnavailable({ reason: `Chromium did not start or load the page (${e instanceof Error ? e.message.split("\n")[0] : String(e)})` })
  }
}

/**
 * Launches Chromium and opens the runtime page. Rejects with `GpuUnavailable`
 * (and leaves nothing running) when the browser does not start or has no
 * WebGPU adapter.
 */
export const launchGpu = async (options: { readonly executablePath?: string } = {}): Promise<GpuRuntime> => {
  const server = await serve(pageHtml())
  const port = (server.address() as { port: number }).port
  let browser: ChromiumPage | undefined
  const close = async (): Promise<void> => {
    await browser?.close()
    if (server.listening) await new Promise<void>((ok) => server.close(() => ok()))
  }
  try {
    browser = await openChromium(`http://127.0.0.1:${port}/`, options)
    const page = browser.page
    const init = (await page.evaluate("window.hg.init()")) as { ok: boolean; reason?: string; adapter?: string }
    if (!init.ok) throw new GpuUnavailable({ reason: init.reason ?? "the page could not start WebGPU" })
    // Only a decoded frame is re-encoded and sent: nothing malformed reaches the page.
    const run = async (
      f: Result.Result<Frame, GpuInputError>,
      o: { readonly mode?: DrawMode; readonly repeat?: number },
    ): Promise<Result.Result<GpuFrameReport, GpuInputError>> => {
      if (Result.isFailure(f)) return Result.fail(f.failure)
      const args = [Buffer.from(encodeFrame(f.success)).toString("base64"), o.mode ?? defaultDrawMode, o.repeat ?? 1] as const
      const r = (await page.evaluate(([s, m, n]) => (globalThis as unknown as PageApi).hg.render(s, m, n), args)) as GpuFrameReport
      return Result.succeed(r)
    }
    return {
      adapter: init.adapter ?? "unknown",
      render: (frame, o = {}) => run(decodeFrame(frame), o),
      renderStream: (bytes, o = {}) => run(decodeStream(bytes), o),
      readPixels: async () => {
        const r = (await page.evaluate("window.hg.readback()")) as { width: number; height: number; b64: string }
        return { width: r.width, height: r.height, data: new Uint8Array(Buffer.from(r.b64, "base64")) }
      },
      consoleErrors: () => browser!.consoleErrors(),
      close,
    }
  } catch (e) {
    await close()
    if (e instanceof GpuUnavailable) throw e
    throw new GpuUnavailable({ reason: `the runtime page failed (${e instanceof Error ? e.message.split("\n")[0] : String(e)})` })
  }
}

interface PageApi {
  readonly hg: { render(b64: string, mode: string, repeat: number): Promise<GpuFrameReport> }
}
