/**
 * One host of the live mesh (SimLive.ts): the sector coordinators, cluster
 * leads and agents of every sector `s` with `s mod hosts = host`, as
 * subscriptions on one NATS connection. Agents heartbeat every 5 s (§8.1) in
 * 50 slices of 100 ms; leads count what they hear and summarise every 5 s to
 * their sector coordinator, which summarises to the orchestrator. A cascade
 * goes sector → its clusters → each agent; an agent acknowledges after its
 * real (timer) delay from the model, and its lead reports to the orchestrator
 * once half its agents acknowledged, then each later acknowledgement.
 *
 * Failures are those of the virtual run (SimScenario.inject, same seed) on
 * the run's timeline, so every host agrees on who is down when. Every bus
 * payload is decoded with a schema; a malformed one is counted and dropped.
 */
import { Schema } from "effect"
import type { Transport } from "../Net/Transport.ts"
import { classOf, gaussian, oneWaySample, population, processingSample, stream } from "./SimModel.ts"
import { aliveAt, clusterUp, defaultScenario, type FailureSpec, inject, type Scenario, sectorUp } from "./SimScenario.ts"
import { counts, type MeshShape } from "./Topology.ts"

/** What a host needs to know (a child process receives it as JSON, decoded by `decodeHostConfig`). */
export const HostConfig = Schema.Struct({
  url: Schema.String,
  run: Schema.String.check(Schema.isPattern(/^[A-Za-z0-9_]+$/)),
  shape: Schema.Struct({ sectors: Schema.Int, clustersPerSector: Schema.Int, agentsPerCluster: Schema.Int }),
  seed: Schema.Int,
  failures: Schema.Struct({ crash: Schema.Number, slowClusters: Schema.Int, clustersDown: Schema.Int, sectorsDown: Schema.Int, conflict: Schema.Number }),
  durationMs: Schema.Int,
  hosts: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)),
  host: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
})
export type HostConfig = typeof HostConfig.Type
export const decodeHostConfig = Schema.decodeUnknownResult(Schema.fromJsonString(HostConfig))

/** The live timeline: the virtual scenario's failures, placed at fractions of the run. */
export const liveScenario = (durationMs: number): Scenario => ({
  ...defaultScenario,
  durationMs,
  clusterDownAt: Math.round(durationMs * 0.2),
  clusterDownForMs: Math.round(durationMs * 0.2),
  sectorOutageAt: Math.round(durationMs * 0.4),
  sectorOutageForMs: Math.round(durationMs * 0.3),
  slowAt: Math.round(durationMs * 0.1),
  slowForMs: Math.round(durationMs * 0.3),
})

export const Summary = Schema.Struct({ active: Schema.Int, count: Schema.Int })
/** The run's start, sent by the orchestrator once every host is ready. */
export const Go = Schema.Struct({ epochMs: Schema.Number })
export const Stats = Schema.Struct({ host: Schema.Int, received: Schema.Record(Schema.String, Schema.Int), malformed: Schema.Int, rssBytes: Schema.Number })
export const decodeSummary = Schema.decodeUnknownOption(Schema.fromJsonString(Summary))

// The hot messages (a cascade's 100,000 at 30,000 agents) are two decimal
// numbers in ASCII, decoded by pattern: a JSON schema decode per message cost
// more than the bus itself.
const pair = /^(\d{1,15})(?: (\d{1,15}))?$/

/** `"<a>"` or `"<a> <b>"`: the numbers, or undefined for anything else. */
export const decodePair = (b: Uint8Array): readonly [number, number | undefined] | undefined => {
  if (b.length > 32) return undefined
  const m = pair.exec(dec.decode(b))
  return m === null ? undefined : [Number(m[1]), m[2] === undefined ? undefined : Number(m[2])]
}
export const pairBytes = (a: number, b?: number): Uint8Array => enc.encode(b === undefined ? String(a) : `${a} ${b}`)
export const decodeGo = Schema.decodeUnknownOption(Schema.fromJsonString(Go))
export const decodeStats = Schema.decodeUnknownOption(Schema.fromJsonString(Stats))

const enc = new TextEncoder()
const dec = new TextDecoder()
export const json = (x: unknown): Uint8Array => enc.encode(JSON.stringify(x))
export const text = (b: Uint8Array): string => dec.decode(b)

/** Subjects: `<run>.<host>.<kind>.<id>` inside a host, `<run>.done|ss|go|stop|stats|ready` with the orchestrator. */
export const subject = (run: string, host: number, kind: string, id: number): string => `${run}.${host}.${kind}.${id}`

export interface Host {
  readonly received: Record<string, number>
  malformed: number
  /** Stops the timers (the connection is the caller's). */
  stop(): void
}

/** Subscribes host `cfg.host`'s roles on `t`; heartbeats start with the orchestrator's `go`. */
export const startHost = (t: Transport, cfg: HostConfig, failures: FailureSpec = cfg.failures): Host => {
  const shape: MeshShape = cfg.shape
  const c = counts(shape)
  const apc = shape.agentsPerCluster
  const cps = shape.clustersPerSector
  const sc = liveScenario(cfg.durationMs)
  const pop = population(shape, cfg.seed)
  const inj = inject(shape, failures, sc, cfg.seed)
  const r = stream(cfg.seed, 6 + cfg.host)
  const { run, host } = cfg
  const at = `${run}.${host}`
  const received: Record<string, number> = { heartbeat: 0, clusterSummary: 0, cascadeDown: 0, ack: 0 }
  const self: Host = { received, malformed: 0, stop: () => undefined }
  const count = (k: string) => void (received[k] = (received[k] ?? 0) + 1)
  const bad = () => void self.malformed++
  let start = Number.POSITIVE_INFINITY
  const now = () => Date.now() - start
  // delayed actions in 5 ms slots, one timer per slot: a cascade schedules one action per
  // agent, and 30,000 Node timers per cascade cost more than the work they delay
  const slots = new Map<number, Array<() => void>>()
  const timers = new Set<ReturnType<typeof setTimeout>>()
  const later = (ms: number, f: () => void) => {
    const slot = Math.ceil((Date.now() + Math.max(0, ms)) / 5)
    const fs = slots.get(slot)
    if (fs !== undefined) return void fs.push(f)
    slots.set(slot, [f])
    const h = setTimeout(() => {
      timers.delete(h)
      const due = slots.get(slot) ?? []
      slots.delete(slot)
      for (const g of due) g()
    }, Math.max(0, slot * 5 - Date.now()))
    timers.add(h)
  }
  const hop = (net: number) => Math.max(1, net * (1 + 0.2 * gaussian(r))) + 10
  const idOf = (s: string) => Number(s.slice(s.lastIndexOf(".") + 1))
  const heard = new Uint32Array(c.clusters)
  const sectorAcc = new Map<number, { active: number; count: number }>()
  const acks = new Map<string, number>()
  const unreported = new Map<string, { n: number }>()

  t.subscribe(`${at}.s.*`, (data, subj) => {
    count("cascadeDown")
    const sector = idOf(subj)
    const o = decodePair(data)
    if (o === undefined || o[1] !== undefined) return bad()
    if (!sectorUp(inj, sector, now())) return
    later(hop(50), () => {
      for (let k = 0; k < cps; k++) t.publish(subject(run, host, "c", sector * cps + k), data)
    })
  })
  t.subscribe(`${at}.c.*`, (data, subj) => {
    count("cascadeDown")
    const cluster = idOf(subj)
    const o = decodePair(data)
    if (o === undefined || o[1] !== undefined) return bad()
    if (!clusterUp(inj, shape, cluster, now())) return
    later(hop(30), () => {
      for (let a = 0; a < apc; a++) t.publish(subject(run, host, "a", cluster), pairBytes(o[0], cluster * apc + a))
    })
  })
  t.subscribe(`${at}.a.*`, (data, subj) => {
    count("cascadeDown")
    const cluster = idOf(subj)
    const o = decodePair(data)
    if (o === undefined || o[1] === undefined || Math.floor(o[1] / apc) !== cluster) return bad()
    const i = o[1]
    if (!aliveAt(inj, shape, i, cluster, now())) return
    // a human-class touchpoint's queue acknowledges receipt; the judgment is not part of a cascade
    const proc = classOf(pop, i) === "CLASS_F_HUMAN" ? 10 : processingSample(pop, i, 0, r)
    later(oneWaySample(pop, i, r) + proc + oneWaySample(pop, i, r), () => t.publish(subject(run, host, "k", cluster), pairBytes(o[0])))
  })
  t.subscribe(`${at}.k.*`, (data, subj) => {
    count("ack")
    const cluster = idOf(subj)
    const o = decodePair(data)
    if (o === undefined || o[1] !== undefined) return bad()
    const key = `${o[0]}.${cluster}`
    const n = (acks.get(key) ?? 0) + 1
    acks.set(key, n)
    // the lead reports once half its agents acknowledged, then what came in since, every 50 ms
    const first = Math.ceil(apc / 2)
    if (n === first) later(hop(30) + hop(50), () => t.publish(`${run}.done`, pairBytes(o[0], n)))
    else if (n > first) {
      const k = unreported.get(key)
      if (k !== undefined) k.n++
      else {
        const entry = { n: 1 }
        unreported.set(key, entry)
        later(50 + hop(30) + hop(50), () => {
          unreported.delete(key)
          t.publish(`${run}.done`, pairBytes(o[0], entry.n))
        })
      }
    }
  })
  t.subscribe(`${at}.h.*`, (data, subj) => {
    count("heartbeat")
    const cluster = idOf(subj)
    const a = decodePair(data)
    if (a === undefined || a[1] !== undefined || Math.floor(a[0] / apc) !== cluster) return bad()
    heard[cluster]!++
  })
  t.subscribe(`${at}.cs.*`, (data, subj) => {
    count("clusterSummary")
    const s = decodeSummary(text(data))
    if (s._tag === "None") return bad()
    const sector = idOf(subj)
    const acc = sectorAcc.get(sector) ?? { active: 0, count: 0 }
    sectorAcc.set(sector, { active: acc.active + s.value.active, count: acc.count + s.value.count })
  })

  let beat: ReturnType<typeof setInterval> | undefined
  const mineSectors: number[] = []
  for (let s = host; s < c.sectors; s += cfg.hosts) mineSectors.push(s)
  t.subscribe(`${run}.go`, (data) => {
    const g = decodeGo(text(data))
    if (g._tag === "None" || beat !== undefined) return bad()
    start = g.value.epochMs
    let slice = 0
    beat = setInterval(() => {
      const tm = now()
      for (const s of mineSectors) {
        for (let i = s * cps * apc + slice; i < (s + 1) * cps * apc; i += 50) {
          const cluster = Math.floor(i / apc)
          if (aliveAt(inj, shape, i, cluster, tm)) t.publish(subject(run, host, "h", cluster), pairBytes(i))
        }
      }
      slice = (slice + 1) % 50
      if (slice !== 0) return
      for (const s of mineSectors) {
        for (let k = s * cps; k < (s + 1) * cps; k++) {
          if (clusterUp(inj, shape, k, tm)) t.publish(subject(run, host, "cs", s), json({ active: heard[k]!, count: apc }))
          heard[k] = 0
        }
      }
      later(50, () => {
        for (const [s, acc] of sectorAcc) if (sectorUp(inj, s, now())) t.publish(`${run}.ss`, json(acc))
        sectorAcc.clear()
      })
    }, 100)
  })
  self.stop = () => {
    if (beat !== undefined) clearInterval(beat)
    for (const h of timers) clearTimeout(h)
    slots.clear()
  }
  return self
}
