/**
 * The mesh on the wall clock over a real nats-server (issue 12, item 8, live
 * mode). The orchestrator runs here; the sector coordinators, cluster leads
 * and agents run in `hosts` host processes (SimHostMain.ts; or, with
 * `inProcess`, on connections of this process), each owning every
 * `hosts`-th sector (SimHost.ts). A nats-server is started on loopback unless
 * `servers` is given; it and the hosts are stopped when the run ends, also on
 * interruption.
 *
 * The orchestrator runs a wave cascade every `cascadeEveryMs`; a cascade
 * completes when 95 % of all agents have acknowledged (3,200 ms timeout, the
 * seed's 200 + 1,000 + 2,000 ms), and it follows the operational mode from
 * the sector summaries. Messages are counted where they are received.
 */
import { spawn } from "node:child_process"
import { dirname, extname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { scopedProcess } from "../Net/Lifecycle.ts"
import { natsConnection } from "../Net/Nats.ts"
import { natsServer } from "../Net/NatsServer.ts"
import type { Transport } from "../Net/Transport.ts"
import { opMode, type OpMode, seedModeThresholds } from "./Degradation.ts"
import { decodePair, decodeStats, decodeSummary, type HostConfig, json, pairBytes, startHost, subject, text } from "./SimHost.ts"
import type { FailureSpec } from "./SimScenario.ts"
import { counts, type MeshShape } from "./Topology.ts"

export { liveScenario } from "./SimHost.ts"

const here = dirname(fileURLToPath(import.meta.url))
const hostEntry = join(here, `SimHostMain${extname(fileURLToPath(import.meta.url))}`)

export interface LiveConfig {
  readonly shape: MeshShape
  readonly seed: number
  readonly failures: FailureSpec
  readonly durationMs: number
  readonly cascadeEveryMs: number
  /** Host processes (or connections, with `inProcess`). */
  readonly hosts: number
  readonly inProcess?: boolean
  /** A server to use; a nats-server is started on loopback when absent. */
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
  /** The orchestrator process's resident set at the end, per agent (runtime and NATS client included). */
  readonly rssBytesPerAgent: number
  /** The host processes' resident sets together, per agent (undefined in-process). */
  readonly hostRssBytesPerAgent: number | undefined
  readonly wallMs: number
}

/** Waits until `cond` holds (checked every 20 ms); false after `ms`. */
const until = (cond: () => boolean, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    const t0 = Date.now()
    const tick = () => (cond() ? resolve(true) : Date.now() - t0 > ms ? resolve(false) : setTimeout(tick, 20))
    tick()
  })

/** Runs the live mesh for `durationMs` and reports what the bus carried. */
export const runLive = (config: LiveConfig): Effect.Effect<LiveReport, Error> =>
  Effect.scoped(
    Effect.gen(function* () {
      const url = config.servers ?? (yield* natsServer({ jetstream: false })).url
      const orch = yield* natsConnection({ servers: url, name: "mesh-orchestrator" })
      const run = `m${config.seed}x${Date.now().toString(36)}`
      const base: Omit<HostConfig, "host"> = { url, run, shape: config.shape, seed: config.seed, failures: config.failures, durationMs: config.durationMs, hosts: config.hosts }
      const ready = new Set<number>()
      orch.subscribe(`${run}.ready`, (data) => {
        const h = decodePair(data)
        if (h !== undefined && h[1] === undefined && h[0] < config.hosts) ready.add(h[0])
      })
      yield* Effect.promise(() => orch.flush())
      const local: Array<ReturnType<typeof startHost>> = []
      let stderr = ""
      for (let h = 0; h < config.hosts; h++) {
        if (config.inProcess === true) {
          const t = yield* natsConnection({ servers: url, name: `mesh-host-${h}` })
          local.push(startHost(t, { ...base, host: h }))
          yield* Effect.promise(() => t.flush())
          ready.add(h)
        } else {
          const child = yield* scopedProcess(() => spawn(process.execPath, [hostEntry, JSON.stringify({ ...base, host: h })], { stdio: ["pipe", "ignore", "pipe"] }), { graceMs: 2_000 })
          child.stderr?.on("data", (b: Buffer) => void (stderr = (stderr + b.toString("utf8")).slice(-4096)))
          child.stdin?.on("error", () => undefined)
        }
      }
      const allReady = yield* Effect.promise(() => until(() => ready.size === config.hosts, 30_000))
      if (!allReady) return yield* Effect.fail(new Error(`mesh hosts not ready after 30 s (${ready.size} of ${config.hosts})${stderr === "" ? "" : `: ${stderr}`}`))
      const r = yield* Effect.promise(() => orchestrate(config, run, orch))
      // the hosts' counters: in-process directly, from processes over the bus
      const received: Record<string, number> = { ...r.received }
      let malformed = r.malformed
      let hostRss = 0
      const add = (rec: Readonly<Record<string, number>>, bad: number) => {
        for (const [k, v] of Object.entries(rec)) received[k] = (received[k] ?? 0) + v
        malformed += bad
      }
      if (config.inProcess === true) for (const h of local) (h.stop(), add(h.received, h.malformed))
      else {
        const got = new Set<number>()
        orch.subscribe(`${run}.stats`, (data) => {
          const s = decodeStats(text(data))
          if (s._tag === "None") return void malformed++
          if (got.has(s.value.host)) return
          got.add(s.value.host)
          add(s.value.received, s.value.malformed)
          hostRss += s.value.rssBytes
        })
        yield* Effect.promise(() => orch.flush())
        orch.publish(`${run}.stop`, json({}))
        const all = yield* Effect.promise(() => until(() => got.size === config.hosts, 10_000))
        if (!all) return yield* Effect.fail(new Error(`mesh hosts sent no counters (${got.size} of ${config.hosts})${stderr === "" ? "" : `: ${stderr}`}`))
      }
      const total = Object.values(received).reduce((s, x) => s + x, 0)
      const hostRssBytesPerAgent = config.inProcess === true ? undefined : hostRss / counts(config.shape).agents
      return { ...r, received, malformed, hostRssBytesPerAgent, messagesPerS: total / (r.wallMs / 1000) } satisfies LiveReport
    }),
  )

const orchestrate = async (config: LiveConfig, run: string, orch: Transport): Promise<LiveReport> => {
  const c = counts(config.shape)
  const received: Record<string, number> = { leadReport: 0, sectorSummary: 0 }
  let malformed = 0
  const cascades: number[] = []
  let failed = 0
  const pending = new Map<number, { readonly at: number; got: number; done: boolean }>()
  const need = Math.ceil(0.95 * c.agents)
  const start = Date.now()
  const now = () => Date.now() - start
  orch.subscribe(`${run}.done`, (data) => {
    received.leadReport!++
    const o = decodePair(data)
    if (o === undefined || o[1] === undefined) return void malformed++
    const p = pending.get(o[0])
    if (p === undefined || p.done) return
    p.got += o[1]
    if (p.got >= need) {
      p.done = true
      cascades.push(now() - p.at)
    }
  })
  const modes: Array<{ atMs: number; mode: OpMode; activeRate: number }> = []
  const acc = { active: 0, count: 0 }
  orch.subscribe(`${run}.ss`, (data) => {
    received.sectorSummary!++
    const s = decodeSummary(text(data))
    if (s._tag === "None") return void malformed++
    acc.active += s.value.active
    acc.count += s.value.count
  })
  await orch.flush()
  orch.publish(`${run}.go`, json({ epochMs: start }))
  // the mode from each 5 s round of sector summaries
  const judgeRound = () => {
    if (acc.count > 0) {
      const mode = opMode(seedModeThresholds, acc.active, c.agents)
      if (modes.length === 0 || modes[modes.length - 1]!.mode !== mode) modes.push({ atMs: now(), mode, activeRate: acc.active / c.agents })
    }
    acc.active = 0
    acc.count = 0
  }
  // half a round after the hosts' summaries (they go out every 5 s from the start)
  let judge: ReturnType<typeof setInterval> | undefined
  const phase = setTimeout(() => (judgeRound(), (judge = setInterval(judgeRound, 5_000))), 2_500)
  let op = 0
  const timeouts: Array<ReturnType<typeof setTimeout>> = []
  const cascade = setInterval(() => {
    const id = ++op
    pending.set(id, { at: now(), got: 0, done: false })
    for (let s = 0; s < c.sectors; s++) orch.publish(subject(run, s % config.hosts, "s", s), pairBytes(id))
    timeouts.push(setTimeout(() => {
      const p = pending.get(id)
      if (p !== undefined && !p.done) {
        p.done = true
        failed++
      }
    }, 3_200))
  }, config.cascadeEveryMs)
  await new Promise((resolve) => setTimeout(resolve, config.durationMs))
  clearInterval(cascade)
  await new Promise((resolve) => setTimeout(resolve, 3_300)) // the last cascade completes or times out
  clearTimeout(phase)
  if (judge !== undefined) clearInterval(judge)
  for (const t of timeouts) clearTimeout(t)
  const wallMs = now()
  return { config, cascades, cascadesFailed: failed, received, messagesPerS: 0, malformed, modes, rssBytesPerAgent: process.memoryUsage().rss / c.agents, hostRssBytesPerAgent: undefined, wallMs }
}
