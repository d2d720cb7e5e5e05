/**
 * Benchmark: the cost of signing the tree's messages (src/Trust/Signed.ts).
 *
 *   node bench/trust.bench.ts [--rounds R] [--ops N] [--tree-agents N]
 *
 * Interleaved in each round (so machine load hits every path alike):
 * decoding an unsigned UpBatch of b summaries (the baseline a receiver pays
 * today), signing it, verifying + decoding it, for b = 1, 100, 1000, and one
 * single Up message signed and verified. Prints the median per operation and
 * the ratios, then the verify load of one tree round at n = 10^6, k = 100
 * (coordinator counts from `coordinatorsPerLevel`, Hydrogen.Scale) in three
 * signing granularities: every agent summary, every coordinator Up, one
 * UpBatch per (host, parent). Then a tree of `--tree-agents` (default 10^6),
 * k = 100, on a real nats-server: rounds with signed UpBatches
 * (`TreeOptions.upBatchSeal`) and without, interleaved, median round latency
 * and whether every round was exact. Timings are reported, never asserted.
 */
import * as Result from "effect/Result"
import { connectNats } from "../src/Net/Nats.ts"
import { startNatsServer } from "../src/Net/NatsServer.ts"
import { CoordinatorTree } from "../src/Tree/CoordinatorTree.ts"
import { upBatchSeal } from "../src/Trust/TreeSeal.ts"
import { coordinatorsPerLevel, messagesPerRound } from "../src/Scale/Communication.ts"
import { decodeMessage, encodeMessage, type UpBatch } from "../src/Tree/Messages.ts"
import { generateIdentity, memoryRegistry } from "../src/Trust/Identity.ts"
import { Signer, signUpBatch, Verifier, verifyUpBatch } from "../src/Trust/Signed.ts"

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name)
  const v = i < 0 ? dflt : Number(process.argv[i + 1])
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer`)
  return v
}
const rounds = arg("--rounds", 7)
const ops = arg("--ops", 200)
const treeAgents = arg("--tree-agents", 1_000_000)

const batchOf = (b: number): UpBatch => ({
  _tag: "UpBatch",
  from: { level: 1, index: 0 },
  ups: Array.from({ length: b }, (_, i) => ({ index: i, epoch: 1, seq: 1, summary: { count: 100, sum: i, min: 0, max: i } })),
})

const id = generateIdentity("coord-1-0", "coordinator", 0)
const registry = memoryRegistry()
registry.put(id.record)
const signer = new Signer(id)
// a window as large as a round's messages: the bench replays nothing, every verify is accepted
const verifier = new Verifier(registry, { window: 1 << 20 })

type Path = { readonly name: string; readonly run: (n: number) => void }
const paths: Path[] = []
const sink: { x: number } = { x: 0 }
for (const b of [1, 100, 1000]) {
  const batch = batchOf(b)
  const plain = encodeMessage(batch)
  paths.push({ name: `decode b=${b}`, run: (n) => {
    for (let i = 0; i < n; i++) if (Result.isSuccess(decodeMessage(plain))) sink.x++
  } })
  paths.push({ name: `sign b=${b}`, run: (n) => {
    for (let i = 0; i < n; i++) sink.x += Result.getOrThrow(signUpBatch(signer, batch)).length
  } })
  paths.push({ name: `verify+decode b=${b}`, run: (n) => {
    // signing is outside the timed loop: sign first, then time verification only
    const signed = Array.from({ length: n }, () => Result.getOrThrow(signUpBatch(signer, batch)))
    const t0 = performance.now()
    for (const s of signed) if (Result.isSuccess(verifyUpBatch(verifier, s))) sink.x++
    timedOverride = performance.now() - t0
  } })
}
const up = encodeMessage({ _tag: "Up", from: { level: 1, index: 3 }, epoch: 1, seq: 1, summary: { count: 1, sum: 2, min: 2, max: 2 } })
paths.push({ name: "sign Up", run: (n) => {
  for (let i = 0; i < n; i++) sink.x += Result.getOrThrow(signer.sign(up)).length
} })
paths.push({ name: "verify Up", run: (n) => {
  const signed = Array.from({ length: n }, () => Result.getOrThrow(signer.sign(up)))
  const t0 = performance.now()
  for (const s of signed) if (Result.isSuccess(verifier.verify(s))) sink.x++
  timedOverride = performance.now() - t0
} })

let timedOverride: number | undefined
const samples = new Map<string, number[]>(paths.map((p) => [p.name, []]))
for (const p of paths) p.run(20) // warm up
for (let r = 0; r < rounds; r++) {
  for (const p of paths) {
    timedOverride = undefined
    const t0 = performance.now()
    p.run(ops)
    const ms = timedOverride ?? performance.now() - t0
    samples.get(p.name)!.push((ms * 1000) / ops)
  }
}
const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}
const us = new Map([...samples].map(([k, v]) => [k, median(v)]))
const f = (x: number): string => x.toFixed(x < 10 ? 2 : 1)

console.log(`trust bench: ${rounds} interleaved rounds × ${ops} ops, median µs per operation`)
console.log("path                     µs/op    per summary")
for (const [k, v] of us) {
  const b = Number(/b=(\d+)/.exec(k)?.[1] ?? 1)
  console.log(`${k.padEnd(24)} ${f(v).padStart(8)} ${f(v / b).padStart(10)}`)
}
for (const b of [1, 100, 1000]) {
  const d = us.get(`decode b=${b}`)!
  console.log(`b=${b}: verify+decode / decode = ${f(us.get(`verify+decode b=${b}`)! / d)}×, sign / decode = ${f(us.get(`sign b=${b}`)! / d)}×`)
}

// One tree round at n = 10^6, k = 100.
const n = 1_000_000
const k = 100
const levels = coordinatorsPerLevel(n, k) // local first, root last
const S = levels.reduce((a, b) => a + b, 0)
const vUp = us.get("verify Up")!
const vBatch = (b: number): number => {
  // between measured sizes the cost is about linear in the bytes: interpolate on b
  const [lo, hi] = b <= 100 ? [1, 100] : [100, 1000]
  const a = us.get(`verify+decode b=${lo}`)!
  const c = us.get(`verify+decode b=${hi}`)!
  return a + ((c - a) * (Math.min(b, hi) - lo)) / (hi - lo)
}
console.log(`\none round at n = ${n}, k = ${k}: coordinators per level ${levels.join(" / ")} (S = ${S}), messagesPerRound = ${messagesPerRound(n, k)}`)
const perAgent = messagesPerRound(n, k)
console.log(`  every summary signed (agents sign their own): ${perAgent} verifies, ${f((perAgent * vUp) / 1000)} ms CPU per round`)
const perUp = S - 1
const busiest = Math.max(...levels.slice(1).map((_, i) => Math.ceil(levels[i]! / levels[i + 1]!)))
console.log(`  every coordinator Up signed: ${perUp} verifies, ${f((perUp * vUp) / 1000)} ms CPU per round in all; busiest receiver verifies ${busiest}: ${f((busiest * vUp) / 1000)} ms`)
// UpBatch: each coordinator above the locals gets one batch per round from the host of its children
let batches = 0
let batchUs = 0
for (let i = 1; i < levels.length; i++) {
  batches += levels[i]!
  batchUs += levels[i]! * vBatch(Math.ceil(levels[i - 1]! / levels[i]!))
}
const batchMs = batchUs / 1000
console.log(`  one UpBatch per parent: ${batches} verifies, ${f(batchMs)} ms CPU per round`)
console.log(`  refresh bound from verification alone (one process verifying everything): every-Up ${f(1000 / ((perUp * vUp) / 1000))}/s, UpBatch ${f(1000 / batchMs)}/s`)

// The running tree on a real nats-server, signed and unsigned trees alive side by side, rounds interleaved.
const server = await startNatsServer({ jetstream: false })
try {
  const connect = (name: string) => connectNats({ servers: server.url, name })
  const treeVerifier = new Verifier(registry)
  const signed = await CoordinatorTree.start({ agents: treeAgents, branching: k, connect, clients: "level", seed: 1, prefix: "signed", upBatchSeal: upBatchSeal(new Signer(id, 1), treeVerifier) })
  const plain = await CoordinatorTree.start({ agents: treeAgents, branching: k, connect, clients: "level", seed: 1, prefix: "plain" })
  try {
    const lat = { signed: [] as number[], plain: [] as number[] }
    const whole = { signed: [] as number[], plain: [] as number[] }
    let exact = true
    for (let r = 0; r < rounds; r++) {
      for (const [name, tree] of [["signed", signed], ["plain", plain]] as const) {
        const res = await tree.round()
        exact &&= res.exact
        if (r > 0) {
          // the first round warms up; latency: agents updated → root aggregate; round: Down → agents → root
          lat[name].push(res.latencyMs)
          whole[name].push(res.roundMs)
        }
      }
    }
    const ms = { signed: median(lat.signed), plain: median(lat.plain) }
    const rms = { signed: median(whole.signed), plain: median(whole.plain) }
    console.log(`\ntree on nats-server, n = ${treeAgents}, k = ${k}, ${rounds - 1} measured rounds each, interleaved:`)
    console.log(`  upward latency median: signed ${f(ms.signed)} ms, unsigned ${f(ms.plain)} ms (signed / unsigned ${f(ms.signed / ms.plain)}×)`)
    console.log(`  whole round median: signed ${f(rms.signed)} ms, unsigned ${f(rms.plain)} ms (${f(rms.signed / rms.plain)}×): signed refresh ${f(1000 / rms.signed)}/s`)
    console.log(`  every round exact: ${exact}; verifier: ${JSON.stringify(treeVerifier.counters)}`)
  } finally {
    await signed.stop()
    await plain.stop()
  }
} finally {
  await server.stop()
}
if (sink.x < 0) console.log(sink.x)
