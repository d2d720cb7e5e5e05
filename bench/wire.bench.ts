/**
 * Benchmark: the Hydrogen wire codec (28-byte records, `encodeBatch` /
 * `decodeColumns`) versus msgpackr (arrays of objects, and arrays of field
 * tuples), protobufjs (reflection, a repeated message) and JSON.
 *
 *   node bench/wire.bench.ts [--elements N] [--reps R]
 *
 * Defaults: 10^5 Elements, 7 timed repetitions (after 3 warm-ups); the best
 * repetition is reported. The same seeded Elements feed every codec. Decoding
 * always ends in the same typed columns (structure of arrays): this codec
 * decodes straight into them (validating every record); the peers decode to
 * objects, then copy into columns (without validating). Every peer's columns
 * are checked against this codec's; the process exits non-zero only on such a
 * correctness mismatch. Timings are reported, never asserted.
 */
import { Packr } from "msgpackr"
import protobuf from "protobufjs"
import * as Result from "effect/Result"
import { HEADER_BYTES } from "../src/Wire/Bounds.ts"
import { allocColumns, decodeColumns, type ElementColumns, encodeBatch, setColumnsRow } from "../src/Wire/Codec.ts"
import { encodeDeltas } from "../src/Wire/Delta.ts"
import type { Atom, Element } from "../src/Wire/Element.ts"

const argValue = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name)
  if (i < 0) return dflt
  const v = Number(process.argv[i + 1])
  if (!Number.isSafeInteger(v) || v < 1) {
    console.error(`${name} expects a positive integer, got ${process.argv[i + 1]}`)
    process.exit(2)
  }
  return v
}
const n = argValue("--elements", 100_000)
const reps = argValue("--reps", 7)

// ---------------------------------------------------------------------------
// Seeded Elements (mulberry32): screen-like values (positions within 4096 px in
// 1/16 px, sizes up to 2000 px, small z, 16 viewports), full-range colors.
let seed = 0x2545f491
const rand = (): number => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1))
const randomAtom = (): Atom => {
  switch (int(0, 3)) {
    case 0: return { _tag: "rect", cornerRadius: int(0, 64) }
    case 1: return { _tag: "text", font: int(0, 300), size: int(8, 96) }
    case 2: return { _tag: "image", source: int(0, 2 ** 32 - 1) }
    default: return { _tag: "path", stroke: int(0, 16) }
  }
}
const elements: Element[] = Array.from({ length: n }, () => ({
  atom: randomAtom(),
  z: int(-100, 100),
  viewport: int(0, 15),
  x: int(0, 4096 * 16),
  y: int(0, 4096 * 16),
  width: int(0, 2000),
  height: int(0, 2000),
  color: int(0, 2 ** 32 - 1),
}))

// ---------------------------------------------------------------------------
// Shared helpers

const atomTuple = (a: Atom): [number, number, number] =>
  a._tag === "rect" ? [0, a.cornerRadius, 0] : a._tag === "text" ? [1, a.font, a.size] : a._tag === "image" ? [2, a.source, 0] : [3, a.stroke, 0]
const atomOf = (kind: number, a: number, b: number): Atom =>
  kind === 0 ? { _tag: "rect", cornerRadius: a } : kind === 1 ? { _tag: "text", font: a, size: b } : kind === 2 ? { _tag: "image", source: a } : { _tag: "path", stroke: a }

/** Copies decoded objects into typed columns (the same destination as `decodeColumns`). */
const objectsToColumns = (es: ReadonlyArray<Element>): ElementColumns => {
  const c = allocColumns(es.length)
  for (let i = 0; i < es.length; i++) setColumnsRow(c, i, es[i]!)
  return c
}

const sameColumns = (a: ElementColumns, b: ElementColumns): boolean => {
  if (a.count !== b.count) return false
  const cols = ["kind", "z", "viewport", "x", "y", "width", "height", "color", "payload"] as const
  return cols.every((k) => a[k].length === b[k].length && a[k].every((v, i) => v === b[k][i]))
}

// ---------------------------------------------------------------------------
// Codecs: encode Elements to bytes; decode bytes to typed columns.

interface Codec {
  readonly name: string
  readonly encode: (es: ReadonlyArray<Element>) => Uint8Array
  readonly decode: (bytes: Uint8Array) => ElementColumns
  /** Bytes of one position-only delta record (index, x, y). */
  readonly positionDelta: (index: number, x: number, y: number) => number
}

const hydrogen: Codec = {
  name: "hydrogen (28 B records)",
  encode: encodeBatch,
  decode: (b) => {
    const r = decodeColumns(b)
    if (Result.isFailure(r)) throw new Error(r.failure.message)
    return r.success
  },
  positionDelta: (index, x, y) => encodeDeltas([{ index, delta: { x, y } }]).length - HEADER_BYTES,
}

const packObjects = new Packr({ useRecords: false })
const msgpackObjects: Codec = {
  name: "msgpackr objects",
  encode: (es) => packObjects.pack(es),
  decode: (b) => objectsToColumns(packObjects.unpack(b) as Element[]),
  positionDelta: (index, x, y) => packObjects.pack({ index, x, y }).length,
}

const packRecords = new Packr({ useRecords: true })
const msgpackRecords: Codec = {
  name: "msgpackr records",
  encode: (es) => packRecords.pack(es),
  decode: (b) => objectsToColumns(packRecords.unpack(b) as Element[]),
  positionDelta: (index, x, y) => packRecords.pack({ index, x, y }).length,
}

type Tuple = [number, number, number, number, number, number, number, number, number, number]
const packTuples = new Packr({ useRecords: false })
const msgpackTuples: Codec = {
  name: "msgpackr tuples",
  encode: (es) => {
    const ts: Tuple[] = new Array(es.length)
    for (let i = 0; i < es.length; i++) {
      const e = es[i]!
      const [k, a, b] = atomTuple(e.atom)
      ts[i] = [k, a, b, e.z, e.viewport, e.x, e.y, e.width, e.height, e.color]
    }
    return packTuples.pack(ts)
  },
  decode: (bytes) => {
    const ts = packTuples.unpack(bytes) as Tuple[]
    const c = allocColumns(ts.length)
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!
      setColumnsRow(c, i, { atom: atomOf(t[0], t[1], t[2]), z: t[3], viewport: t[4], x: t[5], y: t[6], width: t[7], height: t[8], color: t[9] })
    }
    return c
  },
  positionDelta: (index, x, y) => packTuples.pack([index, 0b11000, x, y]).length,
}

const root = protobuf.Root.fromJSON({
  nested: {
    Element: {
      fields: {
        kind: { type: "uint32", id: 1 },
        a: { type: "uint32", id: 2 }, // cornerRadius | font | source | stroke
        b: { type: "uint32", id: 3 }, // size
        z: { type: "sint32", id: 4 },
        viewport: { type: "uint32", id: 5 },
        x: { type: "sint32", id: 6 },
        y: { type: "sint32", id: 7 },
        width: { type: "uint32", id: 8 },
        height: { type: "uint32", id: 9 },
        color: { type: "fixed32", id: 10 },
      },
    },
    Batch: { fields: { elements: { rule: "repeated", type: "Element", id: 1 } } },
    Delta: {
      fields: { index: { type: "uint32", id: 1 }, x: { type: "sint32", id: 2 }, y: { type: "sint32", id: 3 } },
    },
  },
})
const PBatch = root.lookupType("Batch")
const PDelta = root.lookupType("Delta")
interface PElement { kind: number; a: number; b: number; z: number; viewport: number; x: number; y: number; width: number; height: number; color: number }
const protobufCodec: Codec = {
  name: "protobufjs (reflection)",
  encode: (es) => {
    const ms: PElement[] = new Array(es.length)
    for (let i = 0; i < es.length; i++) {
      const e = es[i]!
      const [kind, a, b] = atomTuple(e.atom)
      ms[i] = { kind, a, b, z: e.z, viewport: e.viewport, x: e.x, y: e.y, width: e.width, height: e.height, color: e.color }
    }
    return PBatch.encode({ elements: ms }).finish()
  },
  decode: (bytes) => {
    const ms = (PBatch.decode(bytes) as unknown as { elements: PElement[] }).elements
    const c = allocColumns(ms.length)
    for (let i = 0; i < ms.length; i++) {
      const m = ms[i]!
      setColumnsRow(c, i, { atom: atomOf(m.kind, m.a, m.b), z: m.z, viewport: m.viewport, x: m.x, y: m.y, width: m.width, height: m.height, color: m.color })
    }
    return c
  },
  positionDelta: (index, x, y) => PDelta.encode({ index, x, y }).finish().length,
}

const te = new TextEncoder()
const td = new TextDecoder()
const json: Codec = {
  name: "JSON",
  encode: (es) => te.encode(JSON.stringify(es)),
  decode: (b) => objectsToColumns(JSON.parse(td.decode(b)) as Element[]),
  positionDelta: (index, x, y) => te.encode(JSON.stringify({ index, x, y })).length,
}

const codecs: ReadonlyArray<Codec> = [hydrogen, msgpackObjects, msgpackRecords, msgpackTuples, protobufCodec, json]

// ---------------------------------------------------------------------------
// Run

const best = (f: () => void): number => {
  for (let i = 0; i < 3; i++) f()
  let min = Number.POSITIVE_INFINITY
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now()
    f()
    min = Math.min(min, performance.now() - t0)
  }
  return (min * 1e6) / n // ns per Element
}

console.log(`wire bench: ${n} Elements, best of ${reps}, node ${process.version}, ${process.arch}`)
const reference = hydrogen.decode(hydrogen.encode(elements))
if (!sameColumns(reference, objectsToColumns(elements))) {
  console.error("MISMATCH: hydrogen round trip differs from the source Elements")
  process.exit(1)
}
// a typical position-only delta: a mid-size index, positions from the data set
const sampleDelta = { index: Math.floor(n / 2), x: elements[0]!.x, y: elements[0]!.y }

interface Row { name: string; enc: number; dec: number; bytes: number; delta: number }
const rows: Row[] = []
let mismatch = false
for (const c of codecs) {
  const bytes = c.encode(elements)
  const cols = c.decode(bytes)
  if (!sameColumns(cols, reference)) {
    console.error(`MISMATCH: ${c.name} does not round-trip the Elements`)
    mismatch = true
  }
  let sink = 0
  const enc = best(() => { sink += c.encode(elements).length })
  const dec = best(() => { sink += c.decode(bytes).count })
  if (sink < 0) console.log(sink)
  rows.push({ name: c.name, enc, dec, bytes: bytes.length / n, delta: c.positionDelta(sampleDelta.index, sampleDelta.x, sampleDelta.y) })
}

const h = rows[0]!
const pad = (s: string, w: number) => s.padEnd(w)
const num = (v: number, d = 1) => v.toFixed(d).padStart(8)
const ratio = (v: number, base: number) => `${(v / base).toFixed(2)}×`.padStart(8)
console.log()
console.log(`${pad("codec", 26)} ${"enc ns/E".padStart(8)} ${"(ratio)".padStart(8)} ${"dec ns/E".padStart(8)} ${"(ratio)".padStart(8)} ${"bytes/E".padStart(8)} ${"(ratio)".padStart(8)} ${"Δpos B".padStart(7)}`)
for (const r of rows) {
  console.log(`${pad(r.name, 26)} ${num(r.enc)} ${ratio(r.enc, h.enc)} ${num(r.dec)} ${ratio(r.dec, h.dec)} ${num(r.bytes, 2)} ${ratio(r.bytes, h.bytes)} ${String(r.delta).padStart(7)}`)
}
console.log()
console.log("ratios are vs hydrogen (higher = slower / larger). dec: hydrogen validates every record while decoding into columns;")
console.log("peers decode to objects and copy into the same columns without validating. Δpos B: bytes of one position-only delta record.")
if (mismatch) process.exit(1)
