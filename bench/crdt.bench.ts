/**
 * Benchmark: a last-writer-wins map — this package (`LWWColumns` +
 * `Encoding.ts`) versus Yjs (`Y.Map`), Automerge (a map in a document) and
 * Loro (`LoroMap`).
 *
 *   node bench/crdt.bench.ts [--keys 100000,1000000] [--updates 1000000]
 *
 * For each key count K, on the same seeded workload (U updates: random keys in
 * [0, K), random values, increasing timestamps), one run of:
 *  (a) apply: the U updates, one by one, to an empty map of K keys;
 *  (b) merge: two replicas that diverged (one applied the even-numbered
 *      updates, the other the odd ones) are merged;
 *  (c) full: the encoded size of the state after (a);
 *  (d) delta: the encoded size of a delta setting 1% of the keys (K/100
 *      distinct keys), made after (c).
 *
 * How each system does it:
 *  - ours: `LWWColumns.setInPlace` per update; merge = `LWWColumns.joinInto`
 *    (in memory), and separately the wire path encode B → decode → join;
 *    full = `LWWMapCodec.encode`; delta = the `LWWMap` holding only the
 *    changed keys (`setDelta`s joined), encoded with `LWWMapCodec`.
 *  - Yjs: `map.set` in transactions of 1000 updates; merge =
 *    `Y.applyUpdate(A, Y.encodeStateAsUpdate(B))`; full =
 *    `Y.encodeStateAsUpdate`; delta = `Y.encodeStateAsUpdate(doc, stateVectorBefore)`.
 *  - Automerge: `Automerge.change` per 1000 updates; merge =
 *    `Automerge.merge(A, B)` (in memory); full = `save`; delta =
 *    `saveIncremental` after `save`.
 *  - Loro: `map.set`, `commit` per 1000 updates; merge =
 *    `A.import(B.export({ mode: "update" }))`; full =
 *    `export({ mode: "snapshot" })`; delta = `export({ mode: "update", from: versionBefore })`.
 *
 * A peer whose projected time for (a) exceeds ~60 s (measured on its first
 * 20 000 updates) runs on a smaller stated sample; its apply time is
 * extrapolated linearly per update (marked `~`), and its merge time and sizes
 * are compared with ours on the same sample. Correctness: every peer must hold
 * the same value as ours for sample keys after (a)+(d), and after the merge
 * for keys written by one replica only (keys written by both are resolved by
 * each system's own rule: ours by (timestamp, replica, value), Yjs by client
 * id, Automerge and Loro by Lamport clock and actor). The process exits
 * non-zero only on such a mismatch. Timings are reported, never asserted.
 */
import { readFileSync } from "node:fs"
import * as Automerge from "@automerge/automerge"
import * as Result from "effect/Result"
import { LoroDoc } from "loro-crdt"
import * as Y from "yjs"
import { LWWMapCodec } from "../src/State/Encoding.ts"
import { LWWColumns } from "../src/State/Register.ts"

// ---------------------------------------------------------------------------
// Arguments

const argList = (name: string, dflt: ReadonlyArray<number>): ReadonlyArray<number> => {
  const i = process.argv.indexOf(name)
  if (i < 0) return dflt
  const vs = String(process.argv[i + 1]).split(",").map(Number)
  if (vs.length === 0 || vs.some((v) => !Number.isSafeInteger(v) || v < 100)) {
    console.error(`${name} expects comma-separated integers ≥ 100, got ${process.argv[i + 1]}`)
    process.exit(2)
  }
  return vs
}
const KEY_COUNTS = argList("--keys", [100_000, 1_000_000])
const U = argList("--updates", [1_000_000])[0]!
const BUDGET_MS = 60_000
const PROBE = Math.min(U, 20_000)
const BATCH = 1000

const version = (pkg: string): string =>
  (JSON.parse(readFileSync(new URL(`../node_modules/${pkg}/package.json`, import.meta.url), "utf8")) as { version: string }).version

// ---------------------------------------------------------------------------
// Seeded workload (mulberry32)

const rng = (seed: number) => (): number => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

interface Workload {
  readonly K: number
  readonly keys: Uint32Array
  readonly values: Uint32Array
  /** K/100 distinct keys and their new values: the delta of (d). */
  readonly deltaKeys: Uint32Array
  readonly deltaValues: Uint32Array
  /** Keys whose values are compared across systems. */
  readonly checkKeys: Uint32Array
}

const workload = (K: number): Workload => {
  const rand = rng(0x9e3779b9 ^ K)
  const keys = new Uint32Array(U)
  const values = new Uint32Array(U)
  for (let i = 0; i < U; i++) {
    keys[i] = Math.floor(rand() * K)
    values[i] = Math.floor(rand() * 2 ** 31)
  }
  const perm = Uint32Array.from({ length: K }, (_, i) => i)
  const nd = Math.max(1, Math.floor(K / 100))
  for (let i = 0; i < nd; i++) {
    const j = i + Math.floor(rand() * (K - i))
    const t = perm[i]!
    perm[i] = perm[j]!
    perm[j] = t
  }
  const deltaKeys = perm.slice(0, nd)
  const deltaValues = Uint32Array.from({ length: nd }, () => Math.floor(rand() * 2 ** 31))
  const checkKeys = Uint32Array.from({ length: 2000 }, (_, i) => (i < 500 ? deltaKeys[i % nd]! : Math.floor(rand() * K)))
  return { K, keys, values, deltaKeys, deltaValues, checkKeys }
}

// ---------------------------------------------------------------------------
// The systems

/** What each system reports for one key count. */
interface Run {
  readonly name: string
  /** Updates applied in (a) (< U when sampled). */
  readonly n: number
  readonly applyMs: number
  readonly mergeMs: number
  readonly fullBytes: number
  readonly deltaBytes: number
  /** Value of each check key after (a)+(d). */
  readonly values: ReadonlyArray<number | undefined>
  /** Value after the merge of each key written by exactly one replica (key → value). */
  readonly merged: ReadonlyMap<number, number | undefined>
  readonly note?: string
}

/** A system under test: a map replica with batched updates. */
interface Replica {
  set(key: number, value: number, timestamp: number): void
  /** End of a batch of updates (a transaction / change / commit). */
  flush(): void
  get(key: number): number | undefined
}

interface System<R extends Replica> {
  readonly name: string
  create(K: number, replica: number): R
  merge(a: R, b: R): R
  full(r: R): Uint8Array
  /** Mark the current version (before the delta). */
  mark(r: R): void
  /** Encoded changes since `mark`. */
  delta(r: R): Uint8Array
}

const applyRange = (r: Replica, w: Workload, from: number, to: number, step = 1, parity = -1): void => {
  let inBatch = 0
  for (let i = from; i < to; i += step) {
    if (parity >= 0 && i % 2 !== parity) continue
    r.set(w.keys[i]!, w.values[i]!, i + 1)
    if (++inBatch === BATCH) {
      r.flush()
      inBatch = 0
    }
  }
  r.flush()
}

// ours --------------------------------------------------------------------

interface Ours extends Replica {
  cols: ReturnType<typeof LWWColumns.alloc>
  readonly replica: number
  readonly delta: ReturnType<typeof LWWColumns.alloc>
  tracking: boolean
}

const ours: System<Ours> = {
  name: "ours (LWWColumns + Encoding)",
  create: (K, replica) => {
    const r: Ours = {
      cols: LWWColumns.alloc(K),
      replica,
      delta: LWWColumns.alloc(K),
      tracking: false,
      set: (key, value, timestamp) => {
        const w = { timestamp, replica, value }
        LWWColumns.setInPlace(key, w, r.cols)
        if (r.tracking) LWWColumns.setInPlace(key, w, r.delta)
      },
      flush: () => {},
      get: (key) => LWWColumns.get(r.cols, key)?.value,
    }
    return r
  },
  merge: (a, b) => {
    a.cols = LWWColumns.joinInto(a.cols, b.cols)
    return a
  },
  full: (r) => LWWMapCodec.encode(LWWColumns.toMap(r.cols)),
  mark: (r) => {
    r.tracking = true
  },
  delta: (r) => LWWMapCodec.encode(LWWColumns.toMap(r.delta)),
}

// Yjs ---------------------------------------------------------------------

interface YRep extends Replica {
  readonly doc: Y.Doc
  sv: Uint8Array
}

const yjs: System<YRep> = {
  name: `Yjs ${version("yjs")}`,
  create: (_K, replica) => {
    const doc = new Y.Doc()
    doc.clientID = replica
    const map = doc.getMap<number>("m")
    let pending: Array<[number, number]> = []
    return {
      doc,
      sv: new Uint8Array(0),
      set: (key, value) => {
        pending.push([key, value])
      },
      flush: () => {
        const batch = pending
        pending = []
        doc.transact(() => {
          for (const [k, v] of batch) map.set(`k${k}`, v)
        })
      },
      get: (key) => map.get(`k${key}`),
    }
  },
  merge: (a, b) => {
    Y.applyUpdate(a.doc, Y.encodeStateAsUpdate(b.doc))
    return a
  },
  full: (r) => Y.encodeStateAsUpdate(r.doc),
  mark: (r) => {
    r.sv = Y.encodeStateVector(r.doc)
  },
  delta: (r) => Y.encodeStateAsUpdate(r.doc, r.sv),
}

// Automerge ---------------------------------------------------------------

type AMDoc = Automerge.Doc<{ m: Record<string, number> }>
interface AMRep extends Replica {
  doc: AMDoc
}

const amBase: AMDoc = Automerge.from<{ m: Record<string, number> }>({ m: {} }, "00")
const actor = (replica: number): string => replica.toString(16).padStart(2, "0").repeat(16)

const automerge: System<AMRep> = {
  name: `Automerge ${version("@automerge/automerge")}`,
  create: (_K, replica) => {
    let pending: Array<[number, number]> = []
    const r: AMRep = {
      doc: Automerge.clone(amBase, actor(replica)),
      set: (key, value) => {
        pending.push([key, value])
      },
      flush: () => {
        if (pending.length === 0) return
        const batch = pending
        pending = []
        r.doc = Automerge.change(r.doc, (d) => {
          for (const [k, v] of batch) d.m[`k${k}`] = v
        })
      },
      get: (key) => r.doc.m[`k${key}`],
    }
    return r
  },
  merge: (a, b) => {
    a.doc = Automerge.merge(a.doc, b.doc)
    return a
  },
  full: (r) => Automerge.save(r.doc),
  mark: (r) => {
    Automerge.saveIncremental(r.doc)
  },
  delta: (r) => Automerge.saveIncremental(r.doc),
}

// Loro --------------------------------------------------------------------

interface LoroRep extends Replica {
  readonly doc: LoroDoc
  from: ReturnType<LoroDoc["oplogVersion"]> | undefined
}

const loro: System<LoroRep> = {
  name: `Loro ${version("loro-crdt")}`,
  create: (_K, replica) => {
    const doc = new LoroDoc()
    doc.setPeerId(replica)
    const map = doc.getMap("m")
    return {
      doc,
      from: undefined,
      set: (key, value) => {
        map.set(`k${key}`, value)
      },
      flush: () => doc.commit(),
      get: (key) => map.get(`k${key}`) as number | undefined,
    }
  },
  merge: (a, b) => {
    a.doc.import(b.doc.export({ mode: "update" }))
    return a
  },
  full: (r) => r.doc.export({ mode: "snapshot" }),
  mark: (r) => {
    r.from = r.doc.oplogVersion()
  },
  delta: (r) => r.doc.export({ mode: "update", from: r.from! }),
}

// ---------------------------------------------------------------------------
// Running one system

const now = (): number => performance.now()

/** Keys written by exactly one of the two diverged replicas (among the first `n` updates), with that writer's last value. */
const singleWriterKeys = (w: Workload, n: number): Map<number, number> => {
  const even = new Map<number, number>()
  const odd = new Map<number, number>()
  for (let i = 0; i < n; i++) (i % 2 === 0 ? even : odd).set(w.keys[i]!, w.values[i]!)
  const out = new Map<number, number>()
  for (const [k, v] of even) if (!odd.has(k)) out.set(k, v)
  for (const [k, v] of odd) if (!even.has(k)) out.set(k, v)
  // a bounded sample keeps the check cheap
  return new Map([...out].slice(0, 2000))
}

/** How many updates a system runs: all, or a sample when its projected time for U exceeds the budget. */
const sampleSize = <R extends Replica>(sys: System<R>, w: Workload): number => {
  if (sys === (ours as unknown as System<R>)) return U
  const r = sys.create(w.K, 1)
  const t0 = now()
  applyRange(r, w, 0, PROBE)
  const projected = ((now() - t0) / PROBE) * U
  if (projected <= BUDGET_MS) return U
  return Math.max(PROBE, Math.floor((U * (BUDGET_MS / 4)) / projected / BATCH) * BATCH)
}

const run = <R extends Replica>(sys: System<R>, w: Workload, n: number, keysForMerge: Map<number, number>): Run => {
  // (a)
  const r = sys.create(w.K, 1)
  const t0 = now()
  applyRange(r, w, 0, n)
  const applyMs = ((now() - t0) / n) * U
  // (c)
  const fullBytes = sys.full(r).length
  // (d)
  sys.mark(r)
  for (let j = 0; j < w.deltaKeys.length; j++) r.set(w.deltaKeys[j]!, w.deltaValues[j]!, n + 1 + j)
  r.flush()
  const deltaBytes = sys.delta(r).length
  const values = Array.from(w.checkKeys, (k) => r.get(k))
  // (b)
  const a = sys.create(w.K, 1)
  const b = sys.create(w.K, 2)
  applyRange(a, w, 0, n, 1, 0)
  applyRange(b, w, 0, n, 1, 1)
  const t1 = now()
  const m = sys.merge(a, b)
  const mergeMs = now() - t1
  const merged = new Map([...keysForMerge.keys()].map((k) => [k, m.get(k)] as const))
  return { name: sys.name, n, applyMs, mergeMs, fullBytes, deltaBytes, values, merged }
}

let failures = 0
const check = (what: string, ok: boolean): void => {
  if (!ok) {
    failures++
    console.error(`MISMATCH: ${what}`)
  }
}

/** Ours, merging over the wire: encode B, decode, join into A. */
const oursWireMerge = (w: Workload, n: number): number => {
  const a = ours.create(w.K, 1)
  const b = ours.create(w.K, 2)
  applyRange(a, w, 0, n, 1, 0)
  applyRange(b, w, 0, n, 1, 1)
  const inMemory = LWWColumns.join(a.cols, b.cols)
  const t = now()
  const decoded = LWWMapCodec.decode(LWWMapCodec.encode(LWWColumns.toMap(b.cols)))
  if (Result.isFailure(decoded)) throw new Error(`decode failed: ${decoded.failure.message}`)
  const joined = LWWColumns.joinInto(a.cols, LWWColumns.fromMap(decoded.success))
  const ms = now() - t
  check(`ours, K=${w.K}: merge over the wire differs from the in-memory join`, LWWColumns.equals(joined, inMemory))
  return ms
}

// ---------------------------------------------------------------------------
// Report

const fmtInt = (x: number): string => Math.round(x).toLocaleString("en-US")
const fmtMs = (x: number): string => (x >= 100 ? fmtInt(x) : x.toFixed(1))
const ratio = (x: number, base: number): string => (base > 0 ? `${(x / base).toFixed(x / base >= 10 ? 0 : 2)}×` : "-")
const pad = (s: string, n: number): string => s.padStart(n)

console.log(`LWW-map benchmark: ${fmtInt(U)} updates, one run per measurement, Node ${process.version}`)
console.log("peers: updates batched 1000 per transaction/change/commit; ours applies them one by one.")

for (const K of KEY_COUNTS) {
  const w = workload(K)
  const systems = [ours, yjs, automerge, loro] as ReadonlyArray<System<Replica>>
  const samples = systems.map((s) => sampleSize(s, w))
  const oursAt = new Map<number, Run>()
  const mergeKeys = new Map<number, Map<number, number>>()
  const keysAt = (n: number): Map<number, number> => {
    let m = mergeKeys.get(n)
    if (m === undefined) mergeKeys.set(n, (m = singleWriterKeys(w, n)))
    return m
  }
  const oursRun = (n: number): Run => {
    let r = oursAt.get(n)
    if (r === undefined) oursAt.set(n, (r = run(ours, w, n, keysAt(n))))
    return r
  }
  const base = oursRun(U)
  const wireMs = oursWireMerge(w, U)
  const rows: Array<readonly [Run, Run]> = [[base, base]]
  for (let s = 1; s < systems.length; s++) {
    const n = samples[s]!
    const r = run(systems[s]!, w, n, keysAt(n))
    const ref = oursRun(n)
    rows.push([r, ref])
    // correctness: same value for the check keys after (a)+(d), and after the merge for single-writer keys
    let bad = 0
    r.values.forEach((v, i) => {
      if (v !== ref.values[i]) bad++
    })
    check(`${r.name}, K=${K}: ${bad} of ${r.values.length} check keys differ from ours after apply+delta`, bad === 0)
    let badMerge = 0
    for (const [k, v] of r.merged) if (v !== ref.merged.get(k) || v !== keysAt(n).get(k)) badMerge++
    check(`${r.name}, K=${K}: ${badMerge} of ${r.merged.size} single-writer keys wrong after merge`, badMerge === 0)
  }
  // ours: the merged single-writer keys hold the writer's value
  for (const [k, v] of base.merged) check(`ours, K=${K}: key ${k} after merge`, v === keysAt(U).get(k))

  console.log(`\nK = ${fmtInt(K)} keys`)
  const header = [
    "system".padEnd(34),
    pad("apply ms", 10),
    pad("×ours", 7),
    pad("merge ms", 10),
    pad("×ours", 7),
    pad("full B", 12),
    pad("×ours", 7),
    pad("delta B", 11),
    pad("×ours", 7),
    pad("delta/full", 11),
  ].join(" ")
  console.log(header)
  console.log("-".repeat(header.length))
  for (const [r, ref] of rows) {
    const sampled = r.n < U
    console.log(
      [
        r.name.padEnd(34),
        pad((sampled ? "~" : "") + fmtMs(r.applyMs), 10),
        pad(ratio(r.applyMs, base.applyMs), 7),
        pad(fmtMs(r.mergeMs), 10),
        pad(ratio(r.mergeMs, ref.mergeMs), 7),
        pad(fmtInt(r.fullBytes), 12),
        pad(ratio(r.fullBytes, ref.fullBytes), 7),
        pad(fmtInt(r.deltaBytes), 11),
        pad(ratio(r.deltaBytes, ref.deltaBytes), 7),
        pad(`${((100 * r.deltaBytes) / r.fullBytes).toFixed(2)}%`, 11),
      ].join(" "),
    )
    if (sampled) {
      console.log(
        `  ↳ sample: ${fmtInt(r.n)} of ${fmtInt(U)} updates (projected > ${BUDGET_MS / 1000} s); apply extrapolated per update; ` +
          `merge and sizes are of the sample, ×ours against ours on the same sample ` +
          `(ours: merge ${fmtMs(ref.mergeMs)} ms, full ${fmtInt(ref.fullBytes)} B, delta ${fmtInt(ref.deltaBytes)} B)`,
      )
    }
  }
  console.log(
    `ours over the wire (encode B, decode, join): merge ${fmtMs(wireMs)} ms; ` +
      `delta touches ${fmtInt(w.deltaKeys.length)} keys (1%)`,
  )
}

if (failures > 0) {
  console.error(`\n${failures} correctness mismatch(es)`)
  process.exit(1)
}
console.log("\ncorrectness: all systems agree on the check keys (after apply + delta, and single-writer keys after merge)")
