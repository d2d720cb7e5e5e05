/**
 * The mesh on the wall clock over a real nats-server (issue 12, item 8, live
 * mode): the seeded population's agents, cluster leads and sector
 * coordinators are subscriptions on `hosts` NATS connections (one process
 * here; each host owns every `hosts`-th sector), the orchestrator is one more.
 * Agents heartbeat every 5 s (§8.1), leads and coordinators summarise every
 * 5 s, and the orchestrator runs a wave cascade every `cascadeEveryMs`:
 * sector → clusters → each agent, whose acknowledgement comes after its real
 * (timer) delay from the model; leads report from half their agents on, and a
 * cascade completes when 95 % of all agents have acknowledged. Failures
 * are the virtual run's, on a timeline scaled to the run.
 *
 * Every message is counted where it is received, so the rates are those seen
 * on the bus. Bus payloads are decoded with a schema; a malformed one is
 * counted and dropped, never trusted.
 */
import { Effect, Schema } from "effect"
import { natsConnection } from "../Net/Nats.ts"
import { natsServer } from "../Net/NatsServer.ts"
import type { Transport } from "../Net/Transport.ts"
import { opMode, type OpMode, seedModeThresholds } from "./Degradation.ts"
import { classOf, gaussian, oneWaySample, population, processingSample, stream } from "./SimModel.ts"
import { aliveAt, clusterUp, defaultScenario, type FailureSpec, inject, type Scenario, sectorUp } from "./SimScenario.ts"
import { counts, type MeshShape } from "./Topology.ts"

export interface LiveConfig {
  readonly shape: MeshShape
  readonly seed: number
  readonly failures: FailureSpec
  readonly durationMs: number
  readonly cascadeEveryMs: number
  /** NATS connections the mesh's nodes are spread over (besides the orchestrator's). */
  readonly hosts: number
  /** Servers to use; a nats-server is started on loopback when absent. */
  readonly servers?: string
}

export interface LiveReport {
  readonly config: LiveConfig
  readonly cascades: ReadonlyArray<number>
  readonly cascadesFailed: number
  readonly received: Readonly<Record<string, number>>
  readonly messagesPerS: number
  readonly malformed: number
  readonly modes: ReadonlyArray<{ readonly atMs: number; readonly mode: OpMode; readonly activeRate: number }>
  /** Bytes of the typed arrays holding the agents' state (population and failures), per agent. */
  readonly stateBytesPerAgent: number
  /** The process's resident set at the end, per agent (an upper bound: it holds the runtime, the clients and the buffers too). */
  readonly rssBytesPerAgent: number
  readonly wallMs: number
}

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

const Op = Schema.Struct({ op: Schema.Int, agent: Schema.optional(Schema.Int) })
const Report = Schema.Struct({ op: Schema.Int, acks: Schema.Int })
const Summary = Schema.Struct({ active: Schema.Int, count: Schema.Int })
const decodeOp = Schema.decodeUnknownOption(Schema.fromJsonString(Op))
const decodeReport = Schema.decodeUnknownOption(Schema.fromJsonString(Report))
const decodeSummary = Schema.decodeUnknownOption(Schema.fromJsonString(Summary))

const enc = new TextEncoder()
const dec = new TextDecoder()
const json = (x: unknown): Uint8Array => enc.encode(JSON.stringify(x))

/** Runs the live mesh for `durationMs` and reports what the bus carried. */
export const runLive = (config: LiveConfig): Effect.Effect<LiveReport, unknown> =>
  Effect.scoped(
    Effect.gen(function* () {
      const url = config.servers ?? (yield* natsServer({ jetstream: false })).url
      const orch = yield* natsConnection({ servers: url, name: "mesh-orchestrator" })
      const hosts: Transport[] = []
      for (let h = 0; h < config.hosts; h++) hosts.push(yield* natsConnection({ servers: url, name: `mesh-host-${h}` }))
      return yield* Effect.promise(() => live(config, orch, hosts))
    }),
  )

const live = async (config: LiveConfig, orch: Transport, hosts: ReadonlyArray<Transport>): Promise<LiveReport> => {
  const shape = config.shape
  const c = counts(shape)
  const apc = shape.agentsPerCluster
  const cps = shape.clustersPerSector
  const sc = liveScenario(config.durationMs)
  const pop = population(shape, config.seed)
  const inj = inject(shape, config.failures, sc, config.seed)
  const r = stream(config.seed, 6)
  const run = `m${config.seed}x${Date.now().toString(36)}`
  const received: Record<string, number> = { heartbeat: 0, clusterSummary: 0, sectorSummary: 0, cascadeDown: 0, ack: 0, leadReport: 0 }
  let malformed = 0
  const count = (k: string) => void (received[k] = (received[k] ?? 0) + 1)
  const start = performance.now()
  const now = () => performance.now() - start
  const timers = new Set<ReturnType<typeof setTimeout>>()
  const later = (ms: number, f: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t)
      f()
    }, Math.max(0, ms))
    timers.add(t)
  }
  const hop = (net: number) => Math.max(1, net * (1 + 0.2 * gaussian(r))) + 10
  const hostOf = (sector: number) => hosts[sector % hosts.length]!
  const heard = new Uint32Array(c.clusters)
  const acks = new Map<string, number>()

  for (let h = 0; h < hosts.length; h++) {
    const t = hosts[h]!
    const at = `${run}.${h}`
    // sector coordinator: forwards a cascade to its clusters, and summaries up
    t.subscribe(`${at}.s.*`, (data, subject) => {
      count("cascadeDown")
      const sector = Number(subject.split(".")[3])
      const o = decodeOp(dec.decode(data))
      if (o._tag === "None") return void malformed++
      if (!sectorUp(inj, sector, now())) return
      later(hop(50), () => {
        for (let k = 0; k < cps; k++) t.publish(`${at}.c.${sector * cps + k}`, data)
      })
    })
    // cluster lead: forwards to each agent, counts acks, reports at 95 %
    t.subscribe(`${at}.c.*`, (data, subject) => {
      count("cascadeDown")
      const cluster = Number(subject.split(".")[3])
      const o = decodeOp(dec.decode(data))
      if (o._tag === "None") return void malformed++
      if (!clusterUp(inj, shape, cluster, now())) return
      later(hop(30), () => {
        for (let a = 0; a < apc; a++) t.publish(`${at}.a.${cluster}`, json({ op: o.value.op, agent: cluster * apc + a }))
      })
    })
    t.subscribe(`${at}.a.*`, (data, subject) => {
      count("cascadeDown")
      const cluster = Number(subject.split(".")[3])
      const o = decodeOp(dec.decode(data))
      if (o._tag === "None" || o.value.agent === undefined || Math.floor(o.value.agent / apc) !== cluster) return void malformed++
      const i = o.value.agent
      if (!aliveAt(inj, shape, i, cluster, now())) return
      const proc = classOf(pop, i) === "CLASS_F_HUMAN" ? 10 : processingSample(pop, i, 0, r)
      later(oneWaySample(pop, i, r) + proc + oneWaySample(pop, i, r), () => t.publish(`${at}.k.${cluster}`, json({ op: o.value.op })))
    })
    t.subscribe(`${at}.k.*`, (data, subject) => {
      count("ack")
      const cluster = Number(subject.split(".")[3])
      const o = decodeOp(dec.decode(data))
      if (o._tag === "None") return void malformed++
      const key = `${o.value.op}.${cluster}`
      const n = (acks.get(key) ?? 0) + 1
      acks.set(key, n)
      // the lead reports once half its agents acked, then each later ack (the orchestrator completes at 95 % of all agents)
      const first = Math.ceil(apc / 2)
      if (n >= first) later(hop(30) + hop(50), () => t.publish(`${run}.done`, json({ op: o.value.op, acks: n === first ? n : 1 })))
    })
    // heartbeats: leads count what they hear; summaries every 5 s
    t.subscribe(`${at}.h.*`, (_data, subject) => {
      count("heartbeat")
      heard[Number(subject.split(".")[3])]!++
    })
    t.subscribe(`${at}.cs.*`, (data, subject) => {
      count("clusterSummary")
      const sector = Number(subject.split(".")[3])
      const s = decodeSummary(dec.decode(data))
      if (s._tag === "None") return void malformed++
      const acc = sectorAcc.get(sector) ?? { active: 0, count: 0 }
      sectorAcc.set(sector, { active: acc.active + s.value.active, count: acc.count + s.value.count })
    })
  }
  const sectorAcc = new Map<number, { active: number; count: number }>()

  // the orchestrator
  const cascades: number[] = []
  let failed = 0
  const pending = new Map<number, { readonly at: number; got: number; done: boolean }>()
  const need = Math.ceil(0.95 * c.agents)
  orch.subscribe(`${run}.done`, (data) => {
    count("leadReport")
    const o = decodeReport(dec.decode(data))
    if (o._tag === "None") return void malformed++
    const p = pending.get(o.value.op)
    if (p === undefined || p.done) return
    p.got += o.value.acks
    if (p.got >= need) {
      p.done = true
      cascades.push(now() - p.at)
    }
  })
  const modes: Array<{ atMs: number; mode: OpMode; activeRate: number }> = []
  orch.subscribe(`${run}.ss`, (data) => {
    count("sectorSummary")
    const s = decodeSummary(dec.decode(data))
    if (s._tag === "None") return void malformed++
    meshAcc.active += s.value.active
    meshAcc.count += s.value.count
  })
  const meshAcc = { active: 0, count: 0 }
  await Promise.all([orch.flush(), ...hosts.map((h) => h.flush())])

  // heartbeats in 50 slices of 100 ms; summaries every 5 s
  let slice = 0
  const beat = setInterval(() => {
    const t = now()
    for (let i = slice; i < c.agents; i += 50) {
      const cluster = Math.floor(i / apc)
      if (aliveAt(inj, shape, i, cluster, t)) hostOf(Math.floor(cluster / cps)).publish(`${run}.${Math.floor(cluster / cps) % hosts.length}.h.${cluster}`, enc.encode(String(i)))
    }
    slice = (slice + 1) % 50
    if (slice === 0) {
      for (let k = 0; k < c.clusters; k++) {
        const sector = Math.floor(k / cps)
        if (clusterUp(inj, shape, k, t)) hostOf(sector).publish(`${run}.${sector % hosts.length}.cs.${sector}`, json({ active: heard[k]!, count: apc }))
        heard[k] = 0
      }
      later(50, () => {
        for (const [sector, acc] of sectorAcc) if (sectorUp(inj, sector, now())) hostOf(sector).publish(`${run}.ss`, json(acc))
        sectorAcc.clear()
        later(50, () => {
          if (meshAcc.count > 0) {
            const mode = opMode(seedModeThresholds, meshAcc.active, c.agents)
            if (modes.length === 0 || modes[modes.length - 1]!.mode !== mode) modes.push({ atMs: Math.round(now()), mode, activeRate: meshAcc.active / c.agents })
          }
          meshAcc.active = 0
          meshAcc.count = 0
        })
      })
    }
  }, 100)
  let op = 0
  const cascade = setInterval(() => {
    const id = ++op
    pending.set(id, { at: now(), got: 0, done: false })
    for (let s = 0; s < c.sectors; s++) orch.publish(`${run}.${s % hosts.length}.s.${s}`, json({ op: id }))
    later(3_200, () => {
      const p = pending.get(id)
      if (p !== undefined && !p.done) {
        p.done = true
        failed++
      }
    })
  }, config.cascadeEveryMs)
  const stateBytes = [pop.cls, pop.rttMean, pop.rttSeen, pop.queue, inj.crashFrom, inj.crashTo].reduce((x, a) => x + a.byteLength, 0)
  await new Promise((resolve) => setTimeout(resolve, config.durationMs))
  clearInterval(beat)
  clearInterval(cascade)
  await new Promise((resolve) => setTimeout(resolve, 3_300)) // let the last cascade finish or time out
  for (const t of timers) clearTimeout(t)
  const wallMs = now()
  const total = Object.values(received).reduce((s, x) => s + x, 0)
  return {
    config,
    cascades,
    cascadesFailed: failed,
    received,
    messagesPerS: total / (wallMs / 1000),
    malformed,
    modes,
    stateBytesPerAgent: stateBytes / c.agents,
    rssBytesPerAgent: process.memoryUsage().rss / c.agents,
    wallMs,
  }
}
