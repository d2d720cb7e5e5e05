import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { cull, INSTANCE_WORDS, usedKinds } from "../../src/Render/Commands.ts"
import { decodeFrame, decodeStream, encodeFrame, type Frame, GpuInputError } from "../../src/Gpu/Frame.ts"
import { compareImages, decodePng, encodePng, type Image, renderReference } from "../../src/Gpu/Reference.ts"
import { generateScene } from "../../src/Gpu/Scenes.ts"

interface Inst {
  readonly k: number
  readonly x: number
  readonly y: number
  readonly w: number
  readonly h: number
  readonly color?: number
  readonly payload?: number
  readonly z?: number
}

/** A frame of hand-written instances (positions in 1/16 px). */
const frameOf = (width: number, height: number, insts: ReadonlyArray<Inst>, left = 0, top = 0): Frame => {
  const per = [0, 1, 2, 3].map((k) => insts.filter((i) => i.k === k))
  return {
    width,
    height,
    left,
    top,
    counts: per.map((l) => l.length),
    instances: per.map((l) =>
      Int32Array.from(l.flatMap((i) => [i.x, i.y, i.w | (i.h << 16), (i.color ?? 0xff0000ff) | 0, i.payload ?? 0, i.z ?? 0])),
    ),
  }
}

/** The image as rows of characters: `#` where the pixel is `color`, `.` where it is the background, `?` otherwise. */
const mask = (img: Image, color = 0xff0000ff): Array<string> => {
  const rows: Array<string> = []
  for (let y = 0; y < img.height; y++) {
    let row = ""
    for (let x = 0; x < img.width; x++) {
      const p = 4 * (y * img.width + x)
      const v = ((img.data[p]! << 24) | (img.data[p + 1]! << 16) | (img.data[p + 2]! << 8) | img.data[p + 3]!) >>> 0
      row += v === color ? "#" : v === 0 ? "." : "?"
    }
    rows.push(row)
  }
  return rows
}

describe("reference renderer: coverage at pixel centres (hand-computed)", () => {
  it("a 2×1 px rect on the grid covers exactly its two pixels, with its colour bytes as is", () => {
    const img = renderReference(frameOf(4, 2, [{ k: 0, x: 16, y: 0, w: 2, h: 1, color: 0x11223344 }]))
    expect(mask(img, 0x11223344)).toEqual([".##.", "...."])
    expect(Array.from(img.data.subarray(4, 8))).toEqual([0x11, 0x22, 0x33, 0x44])
  })

  it("half-open rule: an edge exactly on a centre covers it on the left/top edge, not on the right/bottom edge", () => {
    // X0 = 8 (the centre of pixel 0), X1 = 24 (the centre of pixel 1): pixel 0 only.
    expect(mask(renderReference(frameOf(3, 1, [{ k: 0, x: 8, y: 0, w: 1, h: 1 }])))).toEqual(["#.."])
    // One 1/16 px to the right, the left edge passes pixel 0's centre: pixel 1 only.
    expect(mask(renderReference(frameOf(3, 1, [{ k: 0, x: 9, y: 0, w: 1, h: 1 }])))).toEqual([".#."])
    // Vertically the same: Y0 = 8, Y1 = 24 → row 0.
    expect(mask(renderReference(frameOf(1, 3, [{ k: 0, x: 0, y: 8, w: 1, h: 1 }])))).toEqual(["#", ".", "."])
  })

  it("the view origin shifts every instance; parts outside the framebuffer are clipped", () => {
    // left = -16: pixel 0's centre is at view point -8, so x = -16 lands on pixel 0.
    expect(mask(renderReference(frameOf(3, 1, [{ k: 0, x: -16, y: 0, w: 1, h: 1 }], -16, 0)))).toEqual(["#.."])
    expect(mask(renderReference(frameOf(3, 2, [{ k: 0, x: -32, y: 16, w: 3, h: 5 }])))).toEqual(["...", "#.."])
  })

  it("rounded rect: radius 2 px on a 4×4 px rect cuts the four corner pixels (distance² 1152 > 1024)", () => {
    const img = renderReference(frameOf(4, 4, [{ k: 0, x: 0, y: 0, w: 4, h: 4, payload: 2 }]))
    expect(mask(img)).toEqual([".##.", "####", "####", ".##."])
  })

  it("rounded rect: the radius is clamped to half the smaller side", () => {
    const clamped = renderReference(frameOf(4, 4, [{ k: 0, x: 0, y: 0, w: 4, h: 4, payload: 100 }]))
    const half = renderReference(frameOf(4, 4, [{ k: 0, x: 0, y: 0, w: 4, h: 4, payload: 2 }]))
    expect(compareImages(clamped, half).differing).toBe(0)
  })

  it("path: stroke 1 px on a 5×5 px rect is the one-pixel ring", () => {
    const img = renderReference(frameOf(5, 5, [{ k: 3, x: 0, y: 0, w: 5, h: 5, payload: 1 }]))
    expect(mask(img)).toEqual(["#####", "#...#", "#...#", "#...#", "#####"])
  })

  it("image: tile payload mod 16 of the image atlas, repeated every 8 px (tiles 0, 8 = 0 inverted, 5)", () => {
    const img = (payload: number, w: number, h: number) =>
      mask(renderReference(frameOf(w, h, [{ k: 2, x: 0, y: 0, w, h, payload }])))
    // Tile 0: ((x·1) >> 1) & 1 — 2 px vertical stripes; payload 16 is tile 0 again.
    expect(img(0, 10, 2)).toEqual(["..##..##..", "..##..##.."])
    expect(img(16, 10, 2)).toEqual(["..##..##..", "..##..##.."])
    // Tile 8: tile 0 inverted (payload 24 mod 16 = 8).
    expect(img(24, 8, 1)).toEqual(["##..##.."])
    // Tile 5: ((2x + y) >> 1) & 1.
    expect(img(5, 8, 4)).toEqual([".#.#.#.#", ".#.#.#.#", "#.#.#.#.", "#.#.#.#."])
  })

  it("text: digits from the glyph atlas in 6 × 8 px cells, starting at the font id (font 3: '3', '4')", () => {
    const img = renderReference(frameOf(12, 8, [{ k: 1, x: 0, y: 0, w: 12, h: 8, payload: 3 | (12 << 16) }]))
    const three = ["####.", "....#", "....#", ".###.", "....#", "....#", "####."]
    const four = ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."]
    expect(mask(img)).toEqual([...three.map((r, y) => `${r}.${four[y]}.`), "............"])
    // Font 13 starts at digit 3 too (mod 10); font 9 draws '9' then '0'.
    const font13 = renderReference(frameOf(12, 8, [{ k: 1, x: 0, y: 0, w: 12, h: 8, payload: 13 }]))
    expect(compareImages(font13, img).differing).toBe(0)
    const nineZero = mask(renderReference(frameOf(12, 8, [{ k: 1, x: 0, y: 0, w: 12, h: 8, payload: 9 }])))
    expect(nineZero.slice(0, 3)).toEqual([".###...###..", "#...#.#...#.", "#...#.#..##."])
  })

  it("painter's order: higher z on top whatever the kind; equal z: later kind, then later index", () => {
    const A = 0x0000ffff
    const B = 0x00ff00ff
    const C = 0xff0000ff
    // rect z=1 (A) over a path z=0 (B) that is drawn in a later batch.
    const zWins = renderReference(frameOf(1, 1, [{ k: 0, x: 0, y: 0, w: 1, h: 1, z: 1, color: A }, { k: 3, x: 0, y: 0, w: 1, h: 1, z: 0, color: B, payload: 1 }]))
    expect(mask(zWins, A)).toEqual(["#"])
    // Equal z: the path (kind 3) is over the rect (kind 0).
    const kindWins = renderReference(frameOf(1, 1, [{ k: 3, x: 0, y: 0, w: 1, h: 1, color: B, payload: 1 }, { k: 0, x: 0, y: 0, w: 1, h: 1, color: A }]))
    expect(mask(kindWins, B)).toEqual(["#"])
    // Equal z and kind: the later instance in the batch.
    const indexWins = renderReference(frameOf(1, 1, [{ k: 0, x: 0, y: 0, w: 1, h: 1, color: A }, { k: 0, x: 0, y: 0, w: 1, h: 1, color: C }]))
    expect(mask(indexWins, C)).toEqual(["#"])
  })
})

describe("reference renderer: PNG", () => {
  it("PNG round trip keeps every RGBA byte of a generated scene", () => {
    const img = renderReference(generateScene(3, 64, 48, 40).frame)
    const png = encodePng(img)
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    const back = decodePng(png)
    expect([back.width, back.height]).toEqual([64, 48])
    expect(compareImages(back, img).differing).toBe(0)
    expect(img.data.some((b) => b !== 0)).toBe(true)
  })
})

describe("generated scenes", () => {
  it("the frame holds exactly the culled Elements, batched per kind; all four kinds are visible", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const s = generateScene(seed, 96, 64, 50)
      const visible = cull(s.view, s.elements)
      expect(s.frame.counts.reduce((a, b) => a + b, 0)).toBe(visible.length)
      expect(s.visibleKinds).toEqual([0, 1, 2, 3])
      expect(s.provedDrawCalls).toBe(usedKinds(visible).length)
      expect(visible.length).toBeLessThan(s.elements.length) // some are culled
    }
  })
})

describe("frame decoding: malformed input is a typed error naming the field", () => {
  const good = generateScene(5, 32, 32, 12).frame
  const field = (r: Result.Result<Frame, GpuInputError>): string => {
    expect(Result.isFailure(r)).toBe(true)
    const e = (r as Result.Failure<Frame, GpuInputError>).failure
    expect(e).toBeInstanceOf(GpuInputError)
    return e.field
  }

  it("a good frame decodes to itself, and its byte stream decodes back to it", () => {
    const d = decodeFrame(good)
    expect(Result.isSuccess(d)).toBe(true)
    const back = decodeStream(encodeFrame(good))
    if (Result.isFailure(back)) throw back.failure
    expect(back.success.counts).toEqual(good.counts)
    for (let k = 0; k < 4; k++) expect(Array.from(back.success.instances[k]!)).toEqual(Array.from(good.instances[k]!))
  })

  it("wrong buffer length, NaN, non-integer, z outside int16, bad size", () => {
    const inst = good.instances.map((b) => Array.from(b))
    expect(field(decodeFrame({ ...good, instances: [inst[0]!.slice(0, -1), ...inst.slice(1)] }))).toBe("instances[0].length")
    const nan = inst.map((b) => b.slice())
    nan[1]![2] = Number.NaN
    expect(field(decodeFrame({ ...good, instances: nan }))).toBe("instances[1] word 2")
    const frac = inst.map((b) => b.slice())
    frac[2]![0] = 0.5
    expect(field(decodeFrame({ ...good, instances: frac }))).toBe("instances[2] word 0")
    const z = inst.map((b) => b.slice())
    z[0]![5] = 40000
    expect(field(decodeFrame({ ...good, instances: z }))).toBe("instances[0].z")
    expect(field(decodeFrame({ ...good, width: 0 }))).toBe("width")
    expect(field(decodeFrame({ ...good, instances: [...inst, []] }))).toBe("instances")
    expect(field(decodeFrame(null))).toBe("frame")
  })

  it("byte stream: kind code ≥ 4, a repeated kind, truncation and trailing bytes", () => {
    const bytes = encodeFrame(good)
    const words = new Int32Array(bytes.buffer.slice(0))
    const badKind = words.slice()
    badKind[5] = 7 // the first batch's kind
    expect(field(decodeStream(new Uint8Array(badKind.buffer)))).toBe("kind")
    const twice = words.slice()
    twice[5 + 2 + good.counts[0]! * INSTANCE_WORDS] = words[5]! // second batch claims the first one's kind
    expect(field(decodeStream(new Uint8Array(twice.buffer)))).toBe("kind")
    expect(field(decodeStream(bytes.subarray(0, bytes.length - 4)))).toBe("stream.length")
    expect(field(decodeStream(bytes.subarray(0, bytes.length - 1)))).toBe("stream.length")
    const longer = new Uint8Array(bytes.length + 4)
    longer.set(bytes)
    expect(field(decodeStream(longer))).toBe("stream.length")
  })
})
