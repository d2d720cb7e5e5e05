/**
 * The simulated mesh's population (issue 12, item 8): agents with the seed's
 * class mix (002 §2.2, scaled to any size), each with a seeded latency,
 * processing and queue model, and the registry's view of them (what the
 * scheduler reads). Agents live in typed arrays: 30,000 of them cost a few
 * hundred kilobytes.
 *
 * The model is ours, not the seed's: RTT bands from §2.2 (E "variable" taken
 * as 20–400 ms, F's network hop to a review queue as 200–2,000 ms), processing
 * = the seed's `estimate_processing_time` (Arrival.processingMs) times a
 * per-message jitter, and a queue that moves by ±1 between heartbeat and
 * arrival with probability 0.2. The scheduler sees only the registry: a
 * profiled mean RTT (8 samples) and the queue depth of the last heartbeat.
 */
import { type AgentClass, agentClasses, oneWayMs, processingMs } from "./Arrival.ts"
import { allocation, score } from "./Impedance.ts"
import { counts, type MeshShape } from "./Topology.ts"

// ---- seeded randomness ---------------------------------------------------------

/** mulberry32: a small seeded generator of [0, 1). */
export const rng = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** An independent stream per purpose, so that adding failures does not move the population's draws. */
export const stream = (seed: number, purpose: number): (() => number) => rng(Math.imul(seed ^ 0x9e3779b9, 2654435761) + purpose * 0x85ebca6b)

/** A standard normal draw (Box–Muller). */
export const gaussian = (r: () => number): number => {
  const u = Math.max(r(), Number.MIN_VALUE)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r())
}

// ---- per-class models ------------------------------------------------------------

export interface ClassModel {
  /** Range of an agent's mean RTT, ms. */
  readonly rttMs: readonly [number, number]
  /** Relative standard deviation of one RTT sample around the agent's mean. */
  readonly rttJitter: number
  /** Relative standard deviation of one processing time around the seed's estimate. */
  readonly processingJitter: number
  /** Mean queue depth (geometric). */
  readonly meanQueue: number
}

export const classModels: Readonly<Record<AgentClass, ClassModel>> = {
  CLASS_A_EDGE: { rttMs: [5, 20], rttJitter: 0.1, processingJitter: 0.05, meanQueue: 0.3 },
  CLASS_B_SERVERLESS: { rttMs: [50, 150], rttJitter: 0.1, processingJitter: 0.08, meanQueue: 0.5 },
  CLASS_C_PERSISTENT: { rttMs: [100, 300], rttJitter: 0.1, processingJitter: 0.08, meanQueue: 1 },
  CLASS_D_GPU: { rttMs: [200, 500], rttJitter: 0.1, processingJitter: 0.08, meanQueue: 0.5 },
  CLASS_E_LOCAL: { rttMs: [20, 400], rttJitter: 0.25, processingJitter: 0.12, meanQueue: 0.3 },
  CLASS_F_HUMAN: { rttMs: [200, 2000], rttJitter: 0.2, processingJitter: 0.5, meanQueue: 2 },
}

/** How many agents of each class a mesh of `n` gets: the seed's 10/8/5/2/3/2 thousand, scaled, largest remainder. */
export const classCounts = (n: number): ReadonlyArray<number> => {
  const total = agentClasses.reduce((s, k) => s + allocation[k], 0)
  const exact = agentClasses.map((k) => (n * allocation[k]) / total)
  const out = exact.map(Math.floor)
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1])
  let left = n - out.reduce((s, x) => s + x, 0)
  for (const [, i] of order) {
    if (left-- <= 0) break
    out[i]!++
  }
  return out
}

// ---- the population ----------------------------------------------------------------

export interface Population {
  readonly shape: MeshShape
  readonly n: number
  /** Class index into `agentClasses`, per agent. */
  readonly cls: Uint8Array
  /** True mean RTT, ms. */
  readonly rttMean: Float32Array
  /** The registry's RTT (profiled mean of 8 samples), whole ms. */
  readonly rttSeen: Uint32Array
  /** Queue depth at the last heartbeat (what the registry holds). */
  readonly queue: Uint8Array
}

export const profileSamples = 8

const geometric = (r: () => number, mean: number): number => {
  if (mean <= 0) return 0
  const p = 1 / (1 + mean)
  return Math.min(255, Math.floor(Math.log(Math.max(r(), Number.MIN_VALUE)) / Math.log(1 - p)))
}

/** One RTT sample around `mean` (never below 1 ms). */
export const rttSample = (r: () => number, mean: number, jitter: number): number => Math.max(1, mean * (1 + jitter * gaussian(r)))

/** The seeded population of `shape`: classes shuffled over the agents, then each agent's model. */
export const population = (shape: MeshShape, seed: number): Population => {
  const n = counts(shape).agents
  const cls = new Uint8Array(n)
  let at = 0
  classCounts(n).forEach((c, k) => {
    cls.fill(k, at, at + c)
    at += c
  })
  const shuffle = stream(seed, 1)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(shuffle() * (i + 1))
    const t = cls[i]!
    cls[i] = cls[j]!
    cls[j] = t
  }
  const r = stream(seed, 2)
  const rttMean = new Float32Array(n)
  const rttSeen = new Uint32Array(n)
  const queue = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    const m = classModels[agentClasses[cls[i]!]!]
    const mean = m.rttMs[0] + r() * (m.rttMs[1] - m.rttMs[0])
    rttMean[i] = mean
    let s = 0
    for (let k = 0; k < profileSamples; k++) s += rttSample(r, mean, m.rttJitter)
    rttSeen[i] = Math.ceil(s / profileSamples)
    queue[i] = geometric(r, m.meanQueue)
  }
  return { shape, n, cls, rttMean, rttSeen, queue }
}

export const classOf = (p: Population, i: number): AgentClass => agentClasses[p.cls[i]!]!

/** The registry's lead for agent `i`: one-way RTT/2 + the seed's processing estimate (weight in tenths), no buffer. */
export const predictedLeadMs = (p: Population, i: number, weightTenths: number): number =>
  oneWayMs(p.rttSeen[i]!) + processingEstimate(p.cls[i]!, weightTenths, p.queue[i]!)

/** Slow-down factors applied to an agent's true model (a slow cluster), 1 when healthy. */
export interface Slowness {
  readonly latency: number
  readonly processing: number
}

export const healthy: Slowness = { latency: 1, processing: 1 }

/** One one-way delay of agent `i`, ms, from its true model. */
export const oneWaySample = (p: Population, i: number, r: () => number, slow: Slowness = healthy): number =>
  (rttSample(r, p.rttMean[i]!, classModels[classOf(p, i)].rttJitter) * slow.latency) / 2

const memo = new Map<number, number>()
/** `processingMs`, memoised (it is exact BigInt arithmetic, and a run asks for the same few values millions of times). */
export const processingEstimate = (k: number, weightTenths: number, queue: number): number => {
  const key = (k * 4096 + weightTenths) * 512 + queue
  let v = memo.get(key)
  if (v === undefined) memo.set(key, (v = processingMs(agentClasses[k]!, weightTenths, queue)))
  return v
}

/** One processing time of agent `i`, ms: the seed's estimate at the queue it really has (±1 since its heartbeat), jittered. */
export const processingSample = (p: Population, i: number, weightTenths: number, r: () => number, slow: Slowness = healthy): number => {
  const k = p.cls[i]!
  const u = r()
  const q = Math.max(0, p.queue[i]! + (u < 0.1 ? -1 : u > 0.9 ? 1 : 0))
  return processingEstimate(k, weightTenths, q) * Math.max(0.05, 1 + classModels[agentClasses[k]!].processingJitter * gaussian(r)) * slow.processing
}

/** What really happens to one message: one-way delay plus processing. */
export const actualDelayMs = (p: Population, i: number, weightTenths: number, r: () => number, slow: Slowness = healthy): number =>
  oneWaySample(p, i, r, slow) + processingSample(p, i, weightTenths, r, slow)

/** The registry's impedance score of agent `i` (Impedance.score over what the registry holds). */
export const registryScore = (p: Population, i: number): number =>
  score(p.rttSeen[i]!, processingMs(classOf(p, i), 10, 0), p.queue[i]!)

/** `S<sector>-C<cluster in sector>-A<slot>`. */
export const agentId = (p: Population, i: number): string => {
  const apc = p.shape.agentsPerCluster
  const cluster = Math.floor(i / apc)
  return `S${Math.floor(cluster / p.shape.clustersPerSector)}-C${cluster % p.shape.clustersPerSector}-A${i % apc}`
}
