import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import {
  allocDrawBuffers,
  batch,
  batches,
  buildDraws,
  cull,
  DrawInputError,
  drawCalls,
  drawCallsOfBuffers,
  drawList,
  type DrawBuffers,
  INSTANCE_BYTES,
  INSTANCE_WORDS,
  intersects,
  kinds,
  numKinds,
  sampleScene,
  sampleView,
  usedKinds,
  type View,
  zSorted,
} from "../../src/Render/Commands.ts"
import { allocColumns, atomOfWord, columnsOfElements, type ElementColumns } from "../../src/Wire/Codec.ts"
import { atomKind, type Element, elementEquals, rect } from "../../src/Wire/Element.ts"
import { atomArb, elementArb } from "../Wire/arbitraries.ts"

// References written from the Lean statements, independently of the mirrors:
// rectangle overlap by interval arithmetic, multiset equality by counting.

const runs = { numRuns: 300 } as const

/** Small-coordinate Elements so that culling both keeps and drops often. */
const sceneElementArb: fc.Arbitrary<Element> = fc.record({
  atom: atomArb,
  z: fc.integer({ min: -3, max: 3 }),
  viewport: fc.integer({ min: 0, max: 2 }),
  x: fc.integer({ min: -400, max: 400 }),
  y: fc.integer({ min: -400, max: 400 }),
  width: fc.integer({ min: 0, max: 20 }),
  height: fc.integer({ min: 0, max: 20 }),
  color: fc.integer({ min: 0, max: 0xffffffff }),
})

/** Scenes with repeated Elements (duplicates must keep their multiplicity). */
const sceneArb: fc.Arbitrary<Array<Element>> = fc
  .array(sceneElementArb, { maxLength: 40 })
  .chain((es) =>
    es.length === 0
      ? fc.constant(es)
      : fc.array(fc.nat({ max: es.length - 1 }), { maxLength: 5 }).map((dups) => [...es, ...dups.map((i) => es[i]!)]),
  )

const viewArb: fc.Arbitrary<View> = fc
  .record({
    viewport: fc.integer({ min: 0, max: 2 }),
    left: fc.integer({ min: -300, max: 300 }),
    top: fc.integer({ min: -300, max: 300 }),
    w: fc.integer({ min: -20, max: 400 }),
    h: fc.integer({ min: -20, max: 400 }),
  })
  .map(({ viewport, left, top, w, h }) => ({ viewport, left, top, right: left + w, bottom: top + h }))

/** Half-open interval overlap, the reference for `intersects`. */
const overlaps = (a0: number, a1: number, b0: number, b1: number): boolean => Math.max(a0, b0) < Math.min(a1, b1)
const refIntersects = (v: View, e: Element): boolean =>
  e.viewport === v.viewport &&
  e.width > 0 &&
  e.height > 0 &&
  v.left < v.right &&
  v.top < v.bottom &&
  overlaps(e.x, e.x + 16 * e.width, v.left, v.right) &&
  overlaps(e.y, e.y + 16 * e.height, v.top, v.bottom)

const count = (es: ReadonlyArray<Element>, e: Element): number => es.filter((f) => elementEquals(e, f)).length
const isPerm = (as: ReadonlyArray<Element>, bs: ReadonlyArray<Element>): boolean =>
  as.length === bs.length && as.every((a) => count(as, a) === count(bs, a))
/** `as` is a sublist of `bs` (order-preserving embedding). */
const isSublist = (as: ReadonlyArray<Element>, bs: ReadonlyArray<Element>): boolean => {
  let j = 0
  for (const a of as) {
    while (j < bs.length && !elementEquals(a, bs[j]!)) j++
    if (j === bs.length) return false
    j++
  }
  return true
}
const sameList = (as: ReadonlyArray<Element>, bs: ReadonlyArray<Element>): boolean =>
  as.length === bs.length && as.every((a, i) => elementEquals(a, bs[i]!))
const distinctKinds = (es: ReadonlyArray<Element>): number => new Set(es.map((e) => atomKind(e.atom))).size

/** The Elements of kind `k` held in the buffers (kind and viewport restored). */
const instancesOf = (b: DrawBuffers, k: number, viewport: number): Array<Element> => {
  const out: Array<Element> = []
  const buf = b.instances[k]!
  for (let i = 0; i < b.counts[k]!; i++) {
    const o = i * INSTANCE_WORDS
    out.push({
      atom: atomOfWord(k, buf[o + 4]! >>> 0),
      z: buf[o + 5]!,
      viewport,
      x: buf[o]!,
      y: buf[o + 1]!,
      width: buf[o + 2]! & 0xffff,
      height: buf[o + 2]! >>> 16,
      color: buf[o + 3]! >>> 0,
    })
  }
  return out
}

describe("Render.Commands: culling", () => {
  // @lean Hydrogen.Render.mem_cull
  it("mem_cull: culling keeps exactly the Elements that intersect the view", () => {
    fc.assert(
      fc.property(viewArb, sceneArb, (v, es) => {
        for (const e of es) expect(intersects(v, e)).toBe(refIntersects(v, e))
        const c = cull(v, es)
        for (const e of es) expect(c.some((f) => elementEquals(e, f))).toBe(refIntersects(v, e))
        for (const e of c) expect(es.some((f) => elementEquals(e, f)) && refIntersects(v, e)).toBe(true)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.cull_sublist
  it("cull_sublist: culling preserves input order", () => {
    fc.assert(
      fc.property(viewArb, sceneArb, (v, es) => {
        expect(isSublist(cull(v, es), es)).toBe(true)
        expect(sameList(cull(v, es), es.filter((e) => refIntersects(v, e)))).toBe(true)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.count_cull
  it("count_cull: visible Elements keep their multiplicity, culled ones vanish", () => {
    fc.assert(
      fc.property(viewArb, sceneArb, (v, es) => {
        const c = cull(v, es)
        for (const e of es) expect(count(c, e)).toBe(refIntersects(v, e) ? count(es, e) : 0)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.cull_append
  it("cull_append: culling distributes over concatenation", () => {
    fc.assert(
      fc.property(viewArb, sceneArb, sceneArb, (v, as, bs) => {
        expect(sameList(cull(v, [...as, ...bs]), [...cull(v, as), ...cull(v, bs)])).toBe(true)
      }),
      runs,
    )
  })
})

describe("Render.Commands: batching", () => {
  // @lean Hydrogen.Render.kind_lt_numKinds
  it("kind_lt_numKinds: every atom kind code is below numKinds", () => {
    fc.assert(fc.property(atomArb, (a) => {
      expect(atomKind(a)).toBeLessThan(numKinds)
    }), runs)
  })

  // @lean Hydrogen.Render.kind_mem_kinds
  it("kind_mem_kinds: every atom kind code is in kinds", () => {
    fc.assert(fc.property(atomArb, (a) => {
      expect(kinds).toContain(atomKind(a))
    }), runs)
  })

  // @lean Hydrogen.Render.nodup_kinds
  it("nodup_kinds: the kind codes are distinct", () => {
    expect(new Set(kinds).size).toBe(kinds.length)
    expect(kinds.length).toBe(numKinds)
  })

  // @lean Hydrogen.Render.mem_batch
  it("mem_batch: an Element is in the batch of kind k iff it has kind k", () => {
    fc.assert(
      fc.property(sceneArb, fc.integer({ min: 0, max: 4 }), (es, k) => {
        const b = batch(k, es)
        for (const e of es) expect(b.some((f) => elementEquals(e, f))).toBe(atomKind(e.atom) === k)
        for (const e of b) expect(atomKind(e.atom)).toBe(k)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.batch_sublist
  it("batch_sublist: a batch keeps input order", () => {
    fc.assert(
      fc.property(sceneArb, fc.integer({ min: 0, max: 3 }), (es, k) => {
        expect(isSublist(batch(k, es), es)).toBe(true)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.zSorted_batch
  it("zSorted_batch: a z-ordered input gives z-ordered batches", () => {
    fc.assert(
      fc.property(sceneArb, fc.integer({ min: 0, max: 3 }), (es, k) => {
        const sorted = [...es].sort((a, b) => a.z - b.z)
        expect(zSorted(sorted)).toBe(true)
        expect(zSorted(batch(k, sorted))).toBe(true)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.beq_and_not_beq
  it("beq_and_not_beq: (a == b && !(a == c)) = (a == b) when b ≠ c", () => {
    fc.assert(
      fc.property(fc.nat(5), fc.nat(5), fc.nat(5), (a, b, c) => {
        fc.pre(b !== c)
        expect((a === b) && !(a === c)).toBe(a === b)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.flatten_map_filter_perm
  it("flatten_map_filter_perm: splitting by a covering duplicate-free key list is a permutation", () => {
    fc.assert(
      fc.property(sceneArb, fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6], { minLength: 7 }), (es, ks) => {
        const key = (e: Element): number => (atomKind(e.atom) + e.viewport * 2) % 7
        const parts = ks.flatMap((k) => es.filter((e) => key(e) === k))
        expect(isPerm(parts, es)).toBe(true)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.flatten_batches_perm
  it("flatten_batches_perm: the batches together are a permutation of their input", () => {
    fc.assert(fc.property(sceneArb, (es) => {
      expect(isPerm(batches(es).flat(), es)).toBe(true)
    }), runs)
  })

  // @lean Hydrogen.Render.count_flatten_batches
  it("count_flatten_batches: every Element occurs in the batches as often as in the input", () => {
    fc.assert(
      fc.property(sceneArb, (es) => {
        const flat = batches(es).flat()
        for (const e of es) expect(count(flat, e)).toBe(count(es, e))
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.length_batches
  it("length_batches: one batch per atom kind", () => {
    fc.assert(fc.property(sceneArb, (es) => {
      expect(batches(es).length).toBe(numKinds)
    }), runs)
  })

  // @lean Hydrogen.Render.flatten_drawList_perm
  it("flatten_drawList_perm: the draw list partitions the visible Elements", () => {
    fc.assert(
      fc.property(viewArb, sceneArb, (v, es) => {
        const visible = es.filter((e) => refIntersects(v, e))
        expect(isPerm(drawList(v, es).flat(), visible)).toBe(true)
        drawList(v, es).forEach((b, k) => b.forEach((e) => expect(atomKind(e.atom)).toBe(kinds[k])))
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.mem_drawList_batch
  it("mem_drawList_batch: an Element is drawn in batch k iff visible and of kind k", () => {
    fc.assert(
      fc.property(viewArb, sceneArb, fc.integer({ min: 0, max: 3 }), (v, es, k) => {
        const b = batch(k, cull(v, es))
        for (const e of es)
          expect(b.some((f) => elementEquals(e, f))).toBe(refIntersects(v, e) && atomKind(e.atom) === k)
      }),
      runs,
    )
  })
})

describe("Render.Commands: draw calls", () => {
  // @lean Hydrogen.Render.mem_usedKinds
  it("mem_usedKinds: the used kinds are exactly the kinds of the Elements", () => {
    fc.assert(
      fc.property(sceneArb, (es) => {
        const used = usedKinds(es)
        for (const k of [0, 1, 2, 3, 4]) expect(used.includes(k)).toBe(es.some((e) => atomKind(e.atom) === k))
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.nodup_usedKinds
  it("nodup_usedKinds: each used kind is listed once", () => {
    fc.assert(fc.property(sceneArb, (es) => {
      expect(new Set(usedKinds(es)).size).toBe(usedKinds(es).length)
    }), runs)
  })

  // @lean Hydrogen.Render.isEmpty_filter_eq
  it("isEmpty_filter_eq: a batch is empty iff no Element has its kind", () => {
    fc.assert(
      fc.property(sceneArb, fc.integer({ min: 0, max: 4 }), (es, k) => {
        expect(batch(k, es).length === 0).toBe(!es.some((e) => atomKind(e.atom) === k))
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.length_le_of_nodup_subset
  it("length_le_of_nodup_subset: a duplicate-free list inside another is no longer", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(9), { maxLength: 10 }), fc.array(fc.nat(9), { maxLength: 12 }), (ks, extra) => {
        const ts = [...extra, ...ks].sort((a, b) => a - b)
        expect(ks.length).toBeLessThanOrEqual(ts.length)
        expect(new Set(ks).size).toBeLessThanOrEqual(new Set(ts).size)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.drawCalls_eq_length_usedKinds
  it("drawCalls_eq_length_usedKinds: draw calls = number of distinct kinds", () => {
    fc.assert(
      fc.property(sceneArb, (es) => {
        expect(drawCalls(es)).toBe(usedKinds(es).length)
        expect(drawCalls(es)).toBe(distinctKinds(es))
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.drawCalls_eq_of_nodup
  it("drawCalls_eq_of_nodup: draw calls = size of the set of kinds in use", () => {
    fc.assert(
      fc.property(viewArb, sceneArb, (v, es) => {
        const visible = es.filter((e) => refIntersects(v, e))
        expect(drawCalls(visible)).toBe([...new Set(visible.map((e) => atomKind(e.atom)))].length)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.draw_calls_bounded
  it("draw_calls_bounded: draw calls ≤ size of any duplicate-free list containing every kind", () => {
    fc.assert(
      fc.property(sceneArb, fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 7 }), (es, extra) => {
        const atomTypes = [...new Set([...es.map((e) => atomKind(e.atom)), ...extra])]
        expect(drawCalls(es)).toBeLessThanOrEqual(atomTypes.length)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.drawCalls_le_numKinds
  it("drawCalls_le_numKinds: draw calls ≤ number of atom kinds", () => {
    fc.assert(fc.property(fc.array(elementArb, { maxLength: 60 }), (es) => {
      expect(drawCalls(es)).toBeLessThanOrEqual(numKinds)
    }), runs)
  })

  // @lean Hydrogen.Render.drawList_calls_le
  it("drawList_calls_le: the draw calls of a frame ≤ number of atom kinds", () => {
    fc.assert(
      fc.property(viewArb, sceneArb, (v, es) => {
        const calls = drawCalls(cull(v, es))
        expect(calls).toBe(distinctKinds(es.filter((e) => refIntersects(v, e))))
        expect(calls).toBeLessThanOrEqual(numKinds)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Render.draw_calls_bounded_needs_membership
  it("draw_calls_bounded_needs_membership: one rect and no atom types break the bound", () => {
    const e: Element = { atom: { _tag: "rect", cornerRadius: 0 }, z: 0, viewport: 0, x: 0, y: 0, width: 1, height: 1, color: 0 }
    const atomTypes: Array<number> = []
    expect(drawCalls([e])).toBe(1)
    expect(drawCalls([e]) <= atomTypes.length).toBe(false)
  })

  // @lean Hydrogen.Render.sample_cull
  it("sample_cull: the sample view keeps the first rect and the text", () => {
    expect(sameList(cull(sampleView, sampleScene), [sampleScene[0]!, sampleScene[1]!])).toBe(true)
  })

  // @lean Hydrogen.Render.sample_drawCalls
  it("sample_drawCalls: 2 draw calls in view, 3 for the whole sample scene", () => {
    expect(drawCalls(cull(sampleView, sampleScene))).toBe(2)
    expect(drawCalls(sampleScene)).toBe(3)
  })
})

describe("Render.Commands: columnar pass", () => {
  it("the instance record is 24 bytes: buffer bytes = capacity × INSTANCE_BYTES", () => {
    expect(INSTANCE_BYTES).toBe(24)
    const b = allocDrawBuffers(10)
    for (const buf of b.instances) expect(buf.byteLength).toBe(10 * INSTANCE_BYTES)
  })

  it("buildDraws agrees with drawList on random scenes (valid Elements, full ranges)", () => {
    fc.assert(
      fc.property(viewArb, sceneArb, fc.array(elementArb, { maxLength: 10 }), (v, es, far) => {
        const all = [...es, ...far]
        const r = buildDraws(v, columnsOfElements(all))
        expect(Result.isSuccess(r)).toBe(true)
        if (!Result.isSuccess(r)) return
        const b = r.success
        const expected = drawList(v, all)
        for (let k = 0; k < numKinds; k++) expect(sameList(instancesOf(b, k, v.viewport), expected[k]!)).toBe(true)
        expect(drawCallsOfBuffers(b)).toBe(drawCalls(cull(v, all)))
      }),
      runs,
    )
  })

  it("buildDraws reuses buffers across frames", () => {
    fc.assert(
      fc.property(viewArb, sceneArb, sceneArb, (v, es1, es2) => {
        const out = allocDrawBuffers(Math.max(es1.length, es2.length))
        buildDraws(v, columnsOfElements(es1), out)
        const r = buildDraws(v, columnsOfElements(es2), out)
        expect(Result.isSuccess(r) && r.success === out).toBe(true)
        const expected = drawList(v, es2)
        for (let k = 0; k < numKinds; k++) expect(sameList(instancesOf(out, k, v.viewport), expected[k]!)).toBe(true)
      }),
      runs,
    )
  })

  it("buildDraws rejects bad input with a typed DrawInputError", () => {
    const good: View = { viewport: 0, left: 0, top: 0, right: 10, bottom: 10 }
    const cols = columnsOfElements([sampleScene[0]!])
    const fails = (r: Result.Result<DrawBuffers, DrawInputError>, field: string, index = -1) => {
      expect(Result.isFailure(r)).toBe(true)
      if (Result.isFailure(r)) {
        expect(r.failure).toBeInstanceOf(DrawInputError)
        expect(r.failure._tag).toBe("DrawInputError")
        expect(r.failure.field).toBe(field)
        expect(r.failure.index).toBe(index)
      }
    }
    fails(buildDraws({ ...good, left: Number.NaN }, cols), "view.left")
    fails(buildDraws({ ...good, right: 2 ** 60 }, cols), "view.right")
    fails(buildDraws({ ...good, top: 0.5 }, cols), "view.top")
    fails(buildDraws({ ...good, bottom: -Infinity }, cols), "view.bottom")
    fails(buildDraws({ ...good, viewport: -1 }, cols), "view.viewport")
    fails(buildDraws({ ...good, viewport: 2 ** 32 }, cols), "view.viewport")
    fails(buildDraws(good, { ...cols, count: 2 }), "columns.kind.length")
    fails(buildDraws(good, { ...cols, count: -1 }), "count")
    const badKind = allocColumns(3)
    badKind.kind[1] = 4
    fails(buildDraws(good, badKind), "kind", 1)
    expect(Result.isSuccess(buildDraws(good, allocColumns(0)))).toBe(true)
  })
})

/**
 * Columns for `es` placed at row offset `shift` of larger columns (so the
 * views start at any byte alignment), as `buildDraws` sees subarrays.
 */
const shiftedColumns = (es: ReadonlyArray<Element>, shift: number): ElementColumns => {
  const big = columnsOfElements([...Array.from({ length: shift }, () => sampleScene[0]!), ...es])
  const n = es.length
  const cut = <T extends { subarray(a: number, b: number): T }>(c: T): T => c.subarray(shift, shift + n)
  return {
    count: n,
    kind: cut(big.kind),
    z: cut(big.z),
    viewport: cut(big.viewport),
    x: cut(big.x),
    y: cut(big.y),
    width: cut(big.width),
    height: cut(big.height),
    color: cut(big.color),
    payload: cut(big.payload),
  }
}

describe("Render.Commands: columnar pass on long and unaligned columns", () => {
  const longSceneArb = fc.array(sceneElementArb, { minLength: 32, maxLength: 160 })

  it("buildDraws agrees with drawList on 32–160 rows at any alignment", () => {
    fc.assert(
      fc.property(viewArb, longSceneArb, fc.nat({ max: 7 }), (v, es, shift) => {
        const r = buildDraws(v, shiftedColumns(es, shift))
        expect(Result.isSuccess(r)).toBe(true)
        if (!Result.isSuccess(r)) return
        const expected = drawList(v, es)
        for (let k = 0; k < numKinds; k++) expect(sameList(instancesOf(r.success, k, v.viewport), expected[k]!)).toBe(true)
      }),
      { numRuns: 200 },
    )
  })

  it("a kind code ≥ 4 at any row, culled or visible, is rejected naming the first such row", () => {
    fc.assert(
      fc.property(
        viewArb,
        longSceneArb,
        fc.nat({ max: 7 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 4, max: 255 })), { minLength: 1, maxLength: 3 }),
        (v, es, shift, bads) => {
          const cols = shiftedColumns(es, shift)
          for (const [at, code] of bads) cols.kind[at % es.length] = code
          const first = Math.min(...bads.map(([at]) => at % es.length))
          const r = buildDraws(v, cols)
          expect(Result.isFailure(r)).toBe(true)
          if (Result.isFailure(r)) {
            expect(r.failure.field).toBe("kind")
            expect(r.failure.index).toBe(first)
            expect(r.failure.value).toBe(cols.kind[first])
          }
        },
      ),
      { numRuns: 200 },
    )
  })

  it("the four kinds' buffers are consecutive views of one words array", () => {
    const b = allocDrawBuffers(7)
    expect(b.words.length).toBe(numKinds * 7 * INSTANCE_WORDS)
    b.instances.forEach((buf, k) => {
      expect(buf.buffer).toBe(b.words.buffer)
      expect(buf.byteOffset).toBe(k * 7 * INSTANCE_BYTES)
      expect(buf.length).toBe(7 * INSTANCE_WORDS)
    })
  })
})

// Pinning: the culling theorems are stated through `intersects` and would hold
// for closed rectangles too; this one says which points count, by brute force
// over the grid, with Elements snapped to the view's edges (±1).
describe("culling boundary pinned (half-open on both sides)", () => {
  const edgeCaseArb = fc
    .record({
      viewport: fc.integer({ min: 0, max: 1 }),
      left: fc.integer({ min: -40, max: 40 }),
      top: fc.integer({ min: -40, max: 40 }),
      w: fc.integer({ min: -3, max: 60 }),
      h: fc.integer({ min: -3, max: 60 }),
      ev: fc.integer({ min: 0, max: 1 }),
      width: fc.integer({ min: 0, max: 3 }),
      height: fc.integer({ min: 0, max: 3 }),
      sx: fc.constantFrom("left", "right", "free"),
      sy: fc.constantFrom("top", "bottom", "free"),
      dx: fc.integer({ min: -1, max: 1 }),
      dy: fc.integer({ min: -1, max: 1 }),
      fx: fc.integer({ min: -100, max: 100 }),
      fy: fc.integer({ min: -100, max: 100 }),
      atom: atomArb,
    })
    .map((r) => {
      const v: View = { viewport: r.viewport, left: r.left, top: r.top, right: r.left + r.w, bottom: r.top + r.h }
      // Snap the Element's far edge to the view's near edge, or its near edge to the far edge.
      const x = r.sx === "left" ? v.left - 16 * r.width + r.dx : r.sx === "right" ? v.right + r.dx : r.fx
      const y = r.sy === "top" ? v.top - 16 * r.height + r.dy : r.sy === "bottom" ? v.bottom + r.dy : r.fy
      const e: Element = { atom: r.atom, z: 0, viewport: r.ev, x, y, width: r.width, height: r.height, color: 0 }
      return { v, e }
    })
  const range = (a: number, b: number): number[] => Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i)

  // @lean Hydrogen.Render.intersects_iff_common_point
  it("intersects_iff_common_point: an Element is kept iff its viewport matches and a grid point lies in both half-open rectangles", () => {
    let kept = 0
    let dropped = 0
    fc.assert(
      fc.property(edgeCaseArb, ({ v, e }) => {
        const px = range(v.left, v.right).some((p) => e.x <= p && p < e.x + 16 * e.width)
        const py = range(v.top, v.bottom).some((p) => e.y <= p && p < e.y + 16 * e.height)
        const spec = e.viewport === v.viewport && px && py
        if (spec) kept++
        else dropped++
        expect(intersects(v, e)).toBe(spec)
        expect(cull(v, [e]).length).toBe(spec ? 1 : 0)
      }),
      { numRuns: 2000 },
    )
    expect(kept).toBeGreaterThan(0)
    expect(dropped).toBeGreaterThan(0)
  })

  it("an Element starting at the right edge is culled; one ending one unit inside the left edge is kept", () => {
    const v: View = { viewport: 0, left: 0, top: 0, right: 160, bottom: 160 }
    const base: Element = { atom: rect(0), z: 0, viewport: 0, x: 160, y: 0, width: 1, height: 1, color: 0 }
    expect(intersects(v, base)).toBe(false)
    expect(intersects(v, { ...base, x: -16 })).toBe(false)
    expect(intersects(v, { ...base, x: -15 })).toBe(true)
    expect(intersects(v, { ...base, x: 159 })).toBe(true)
  })
})
