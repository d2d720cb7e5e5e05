/**
 * A tiny app on Hydrogen's verified core, imported by package name only (the
 * way an app that installed the packed tarball sees it). Each check compares
 * the library with a direct computation or with itself in another order; any
 * mismatch ends the process with exit code 1.
 */
import { Count, fold, Max, Min, Sum, Tree } from "hydrogen/aggregate"
import { messageBound } from "hydrogen/scale"
import { GCounter, LWWMap, ORSet } from "hydrogen/state"
import { decode, decodeBatch, type Element, elementEquals, encode, encodeBatch, image, isValid, path, rect, text } from "hydrogen/wire"

const failures: string[] = []
const check = (what: string, ok: boolean): void => {
  if (!ok) failures.push(what)
}

// A seeded generator (mulberry32), so every run checks the same values.
const rng = (seed: number) => {
  let s = seed >>> 0
  return (): number => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const next = rng(20261201)
const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1))

// --- Aggregation: the proved monoids against a plain loop -------------------
const values = Array.from({ length: 10_000 }, () => int(-1_000_000, 1_000_000))
let sum = 0
let min = Infinity
let max = -Infinity
for (const v of values) {
  sum += v
  if (v < min) min = v
  if (v > max) max = v
}
check("Sum fold = loop", fold(Sum, values) === sum)
check("Min fold = loop", fold(Min, values) === min)
check("Max fold = loop", fold(Max, values) === max)
check("Count fold = length", fold(Count, values.map(() => 1)) === values.length)
// Any k-ary tree over the same leaves aggregates to the fold (Tree.aggregate_kary).
for (const k of [2, 10, 1000]) {
  check(`Sum over a ${k}-ary tree = loop`, Tree.aggregate(Sum, Tree.kary(k, values)) === sum)
  check(`Max over a ${k}-ary tree = loop`, Tree.aggregate(Max, Tree.kary(k, values)) === max)
}
// The message bound of the planner at 10^9 agents, k = 1000.
check("messagesPerRound_bound at 10^9, k = 1000", messageBound(1_000_000_000, 1000).holds)

// --- Wire: Element round trips and a typed decode error ---------------------
const atoms = [() => rect(int(0, 0xffff)), () => text(int(0, 0xffff), int(1, 4096)), () => image(int(0, 0xffffffff)), () => path(int(0, 0xffff))]
const elements: Element[] = Array.from({ length: 200 }, (_, i) => ({
  atom: atoms[i % atoms.length]!(),
  z: int(-0x8000, 0x7fff),
  viewport: int(0, 0xffffffff),
  x: int(-0x80000000, 0x7fffffff),
  y: int(-0x80000000, 0x7fffffff),
  width: int(0, 0xffff),
  height: int(0, 0xffff),
  color: int(0, 0xffffffff),
}))
check("generated Elements are valid", elements.every(isValid))
let roundTrips = 0
for (const e of elements) {
  const r = decode(encode(e))
  if (r._tag === "Success" && elementEquals(r.success, e)) roundTrips++
}
check("decode (encode e) = e for every Element", roundTrips === elements.length)
const batch = decodeBatch(encodeBatch(elements))
check(
  "batch round trip",
  batch._tag === "Success" && batch.success.length === elements.length && batch.success.every((e, i) => elementEquals(e, elements[i]!)),
)
const bad = encode(elements[0]!)
bad[0] = 9 // no such kind
const rejected = decode(bad)
check("a record with kind 9 is rejected with a typed error", rejected._tag === "Failure" && typeof rejected.failure._tag === "string")
check("a 27-byte record is rejected", decode(encode(elements[1]!).subarray(0, 27))._tag === "Failure")

// --- State: two replicas merged in both orders ------------------------------
// Each replica writes keys 0..49 at its own timestamps; replica ids break ties.
let a = LWWMap.empty
let b = LWWMap.empty
for (let key = 0; key < 50; key++) {
  a = LWWMap.set(key, { timestamp: int(0, 100), replica: 1, value: int(0, 1_000_000) }, a)
  b = LWWMap.set(key, { timestamp: int(0, 100), replica: 2, value: int(0, 1_000_000) }, b)
}
const ab = LWWMap.join(a, b)
check("LWWMap: a ⊔ b = b ⊔ a", LWWMap.equals(ab, LWWMap.join(b, a)))
check("LWWMap: (a ⊔ b) ⊔ b = a ⊔ b (re-delivery changes nothing)", LWWMap.equals(LWWMap.join(ab, b), ab))
let lastWriterWins = true
for (let key = 0; key < 50; key++) {
  const x = LWWMap.get(a, key)!
  const y = LWWMap.get(b, key)!
  const later = x.timestamp > y.timestamp || (x.timestamp === y.timestamp && x.replica > y.replica) ? x : y
  const got = LWWMap.get(ab, key)
  if (got === undefined || got.value !== later.value || got.timestamp !== later.timestamp) lastWriterWins = false
}
check("LWWMap: every key holds the later write", lastWriterWins)

// Add-wins set: replica 1 removes element 7 while replica 2 re-adds it with a fresh tag.
const base = ORSet.add(7, 0, ORSet.add(3, 1, ORSet.empty))
const s1 = ORSet.remove(7, base)
const s2 = ORSet.add(7, 2, base)
const s12 = ORSet.join(s1, s2)
check("ORSet: s1 ⊔ s2 = s2 ⊔ s1", ORSet.equals(s12, ORSet.join(s2, s1)))
check("ORSet: the concurrent add wins", ORSet.contains(s12, 7) && ORSet.contains(s12, 3))
check("ORSet: a remove alone removes", !ORSet.contains(ORSet.join(base, s1), 7))

let c1 = GCounter.empty
let c2 = GCounter.empty
for (let i = 0; i < 30; i++) c1 = GCounter.inc(0, c1)
for (let i = 0; i < 12; i++) c2 = GCounter.inc(1, c2)
const c12 = GCounter.join(c1, c2)
check("GCounter: c1 ⊔ c2 = c2 ⊔ c1", GCounter.equals(c12, GCounter.join(c2, c1)))
check("GCounter: value counts every increment once", GCounter.value(c12) === 42 && GCounter.value(GCounter.join(c12, c1)) === 42)

if (failures.length > 0) {
  for (const f of failures) console.error(`MISMATCH: ${f}`)
  process.exitCode = 1
} else {
  console.log(
    `basic-app: ok — ${values.length} values aggregated (sum ${sum}, min ${min}, max ${max}), ` +
      `${elements.length} Elements round-tripped, CRDT replicas merged in both orders`,
  )
}
