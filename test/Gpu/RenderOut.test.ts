import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { computeRender, parseRenderArgs, runRenderCommand } from "../../src/Cli/Render.ts"
import type { Io } from "../../src/Cli/Flags.ts"
import { frameOfDraws } from "../../src/Gpu/Frame.ts"
import { compareImages, decodePng, type Image, renderReference } from "../../src/Gpu/Reference.ts"

describe("hydrogen render --out FILE.png (CPU reference renderer, no browser)", () => {
  it("writes viewport 0's frame: the PNG decodes to the reference image of that frame", () => {
    const dir = mkdtempSync(join(tmpdir(), "hydrogen-render-out-"))
    try {
      const path = join(dir, "frame.png")
      const args = parseRenderArgs(["--viewports", "2", "--elements", "300", "--view", "320,200", "--out", path])
      if (!args.ok) throw new Error(args.errors.join("; "))
      let out = ""
      const io: Io = { out: (t) => void (out += t), err: (t) => void (out += t) }
      expect(runRenderCommand(args.value, io)).toBe(0)
      expect(out).toContain(`Wrote ${path}: viewport 0, 320×200 px`)
      // The same scene's viewport 0, recomputed independently of the command
      // (rendered inside the visit: the draw buffers are reused by the next viewport).
      let ref: Image | undefined
      computeRender(args.value, (v, view, b) => {
        if (v === 0) ref = renderReference(frameOfDraws(view, b, 320, 200))
      })
      if (ref === undefined) throw new Error("no viewport 0")
      const png = decodePng(new Uint8Array(readFileSync(path)))
      expect([png.width, png.height]).toEqual([320, 200])
      expect(compareImages(png, ref).differing).toBe(0)
      expect(ref.data.some((b) => b !== 0)).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("--out must name a .png file; an unwritable path is an error naming it, exit 1", () => {
    const bad = parseRenderArgs(["--out", "frame.txt"])
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.errors.join(" ")).toContain("a file path ending in .png")
    const args = parseRenderArgs(["--viewports", "1", "--elements", "5", "--out", "/nonexistent-dir/frame.png"])
    if (!args.ok) throw new Error(args.errors.join("; "))
    let err = ""
    expect(runRenderCommand(args.value, { out: () => undefined, err: (t) => void (err += t) })).toBe(1)
    expect(err).toContain("cannot write --out /nonexistent-dir/frame.png")
  })
})
