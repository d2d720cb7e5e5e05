/**
 * `hydrogen tree --chaos`: runs the replicated coordinator tree
 * (src/Tree/Failover.ts: 3 replicas per position, leases in a KV bucket,
 * heartbeats every 100 ms) and injects faults on a schedule: every few rounds
 * it kills the active replica of a random position (it stops renewing and
 * publishing at once) or cuts a random subtree off the bus (in-process: a
 * partition; NATS: every replica's connection is closed) and heals it a round
 * later. The summary reports each recovery: detection time (first suspicion),
 * takeover time (new lease, higher term) and rounds until the root's
 * aggregate is exact again.
 *
 * Exit codes: 0 every fault recovered, the last round exact and nothing
 * counted twice; 1 otherwise.
 */
import type { Io } from "./Main.ts"
import { natsServersFor, type TreeCliOptions, type TreeCommandEnv } from "./Tree.ts"
import type { Transport } from "../Net/Transport.ts"
import type { ReplicatedTree } from "../Tree/Failover.ts"
import { type CoordinatorId, coordinatorName } from "../Tree/Topology.ts"

/** One injected fault and its recovery. */
export interface ChaosFault {
  readonly kind: "kill" | "partition"
  readonly position: CoordinatorId
  readonly round: number
  /** When the fault started (kill, cut) and, for a partition, when it was healed. */
  readonly at: number
  healedAt?: number | undefined
  oldTerm?: number | undefined
  detectionMs?: number | undefined
  takeoverMs?: number | undefined
  newTerm?: number | undefined
  /** Rounds from the fault (kill) or the heal (partition) until the root was exact again, that round included. */
  roundsUntilExact?: number | undefined
}

const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const fmtMs = (x: number | undefined): string => (x === undefined ? "—" : `${x.toFixed(0)} ms`)

export const formatFault = (f: ChaosFault): string => {
  const where = f.kind === "kill" ? `kill active ${coordinatorName(f.position)} (term ${f.oldTerm ?? "?"})` : `partition subtree of ${coordinatorName(f.position)}`
  // After a heal no new term is normal when every replica of the position was
  // cut together: nobody could claim, so the old leader keeps renewing its lease.
  const takeover =
    f.kind === "kill"
      ? `takeover ${fmtMs(f.takeoverMs)} after the kill (term ${f.newTerm ?? "—"})`
      : f.takeoverMs === undefined
        ? "the leader kept its lease (no takeover)"
        : `new leader ${fmtMs(f.takeoverMs)} after healing (term ${f.newTerm ?? "—"})`
  const exact = f.roundsUntilExact === undefined ? "NOT exact again" : `exact again after ${f.roundsUntilExact} round(s)`
  return `    round ${f.round}: ${where}: detected ${fmtMs(f.detectionMs)}, ${takeover}, ${exact}`
}

/** Runs `tree --chaos`; returns the exit code. */
export const runChaosCommand = async (o: TreeCliOptions, io: Io, env: TreeCommandEnv): Promise<number> => {
  const { ReplicatedTree, claimAfterMs } = await import("../Tree/Failover.ts")
  const cleanups: Array<() => Promise<void>> = []
  let tree: ReplicatedTree | undefined
  try {
    let connect: (name: string) => Transport | Promise<Transport>
    let cut: (t: ReplicatedTree, c: CoordinatorId) => Promise<void>
    let heal: (t: ReplicatedTree, c: CoordinatorId) => Promise<void>
    if (o.transport === "in-process") {
      const { isolating, makeInProcessServer } = await import("../Net/InProcess.ts")
      const server = makeInProcessServer()
      connect = (name) => server.connect(name)
      cut = async (t, c) => server.partition(isolating(...t.subtreeClients(c)))
      heal = async () => server.heal()
    } else {
      const { connectNats } = await import("../Net/Nats.ts")
      const servers = await natsServersFor(o.servers, true, io, cleanups)
      connect = (name) => connectNats({ servers, name })
      const replicasIn = (t: ReplicatedTree, c: CoordinatorId) => t.subtree(c).flatMap((p) => t.replicasOf(p))
      cut = async (t, c) => {
        await Promise.all(replicasIn(t, c).map((r) => r.disconnect()))
      }
      heal = async (t, c) => {
        await Promise.all(replicasIn(t, c).map((r) => r.reconnect()))
      }
    }
    tree = await ReplicatedTree.start({ agents: o.agents, branching: o.branching, seed: o.seed, connect })
    const t = tree.topology
    const cfg = tree.config
    const h = cfg.heartbeatMs
    const roundDeadline = (t.levels + 2 * cfg.suspectAfter + 4) * h
    const rng = mulberry32(o.seed ^ 0x5eed)
    const period = Math.max(3, Math.ceil(o.rounds / 4))
    const faults: ChaosFault[] = []
    let open: ChaosFault | undefined // a partition not yet healed
    const pending: ChaosFault[] = [] // not yet exact again
    const killed: Array<{ restart(): Promise<void> }> = []
    let exactRounds = 0
    let lastExact = false
    const every = Math.max(1, Math.ceil(o.rounds / 10))
    let wroteLive = false
    for (let r = 1; r <= o.rounds; r++) {
      if (open !== undefined) {
        await heal(tree, open.position)
        open.healedAt = performance.now()
        open = undefined
      }
      if (r % period === 2 % period && r < o.rounds) {
        const kill = faults.length % 2 === 0
        if (kill) {
          const level = 1 + Math.floor(rng() * t.levels)
          const position = { level, index: Math.floor(rng() * t.perLevel[level - 1]!) }
          const k = await tree.kill(position)
          if (k !== undefined) {
            const f: ChaosFault = { kind: "kill", position, round: r, at: k.at, oldTerm: k.term }
            faults.push(f)
            pending.push(f)
            killed.push(k.replica)
          }
        } else {
          const level = Math.min(2, t.levels)
          const position = { level, index: Math.floor(rng() * t.perLevel[level - 1]!) }
          const f: ChaosFault = { kind: "partition", position, round: r, at: performance.now() }
          await cut(tree, position)
          faults.push(f)
          pending.push(f)
          open = f
        }
      }
      const round = tree.nextRound()
      const ms = await tree.untilExact(round, roundDeadline)
      lastExact = ms !== undefined
      if (lastExact) exactRounds++
      for (const f of [...pending]) {
        const start = f.kind === "kill" ? f.at : f.healedAt
        if (start === undefined) continue
        if (f.takeoverMs === undefined) {
          const tk = tree.takeover(f.position, start)
          if (tk !== undefined) {
            f.takeoverMs = tk.ms
            f.newTerm = tk.term
          }
        }
        if (lastExact) {
          f.detectionMs = tree.detectionMs(f.position, f.at)
          f.roundsUntilExact = r - (f.kind === "kill" ? f.round : f.round + 1) + 1
          pending.splice(pending.indexOf(f), 1)
        }
      }
      if (lastExact) for (const k of killed.splice(0)) await k.restart() // the crashed replica comes back as a standby
      const line =
        `round ${round}/${o.rounds} | agents ${t.agents.toLocaleString("en-US")} | ${lastExact ? `exact (${ms!.toFixed(0)} ms)` : "not exact yet"}` +
        ` | faults ${faults.length} | positions with a leader ${tree.replicas.filter((rs) => rs.some((x) => x.isActive)).length}/${t.total}`
      if (env.tty) {
        io.out(`\r${line}\x1b[K`)
        wroteLive = true
      } else if (round % every === 0 || round === o.rounds || faults.some((f) => f.round === round)) io.out(line + "\n")
    }
    if (wroteLive) io.out("\n")
    // late detections / takeovers for faults that recovered
    for (const f of faults) {
      f.detectionMs ??= tree.detectionMs(f.position, f.at)
      const start = f.kind === "kill" ? f.at : f.healedAt
      if (f.takeoverMs === undefined && start !== undefined) {
        const tk = tree.takeover(f.position, start)
        if (tk !== undefined) {
          f.takeoverMs = tk.ms
          f.newTerm = tk.term
        }
      }
    }
    const recovered = faults.filter((f) => f.roundsUntilExact !== undefined)
    const kills = faults.filter((f) => f.kind === "kill")
    const stat = (xs: ReadonlyArray<number | undefined>): string => {
      const v = xs.filter((x): x is number => x !== undefined)
      return v.length === 0 ? "—" : `mean ${(v.reduce((s, x) => s + x, 0) / v.length).toFixed(0)} ms, max ${Math.max(...v).toFixed(0)} ms`
    }
    const lines = [
      `Chaos run: ${t.agents.toLocaleString("en-US")} agents, branching ${t.branching}, transport ${o.transport}, ${o.rounds} rounds, seed ${o.seed}`,
      `  replicas per position: ${cfg.replicas} (1 active + ${cfg.replicas - 1} standbys), ${t.total} positions; heartbeat ${h} ms, takeover deadline ${cfg.suspectAfter * h} ms (claim after ${claimAfterMs(cfg)} ms without the leader; lease max age ${cfg.leaseMaxAgeIntervals * h} ms, a backstop)`,
      `  faults injected: ${faults.length} (${kills.length} kills, ${faults.length - kills.length} partitions); recovered: ${recovered.length}/${faults.length}`,
      ...faults.map(formatFault),
      `  kills: detection ${stat(kills.map((f) => f.detectionMs))}; takeover ${stat(kills.map((f) => f.takeoverMs))} (deadline ${cfg.suspectAfter} heartbeats = ${cfg.suspectAfter * h} ms)`,
      `  rounds exact: ${exactRounds}/${o.rounds}; last round exact: ${lastExact ? "yes" : "NO"}; root aggregate above n agents (double counting): ${tree.overcounts === 0 ? "never" : `${tree.overcounts} time(s)`}`,
    ]
    io.out(lines.join("\n") + "\n")
    const ok = recovered.length === faults.length && lastExact && tree.overcounts === 0
    if (!ok) io.err(`hydrogen tree --chaos: ${faults.length - recovered.length} fault(s) without recovery, last round ${lastExact ? "exact" : "not exact"}\n`)
    return ok ? 0 : 1
  } catch (e) {
    io.err(`hydrogen tree --chaos: ${e instanceof Error ? e.message : String(e)}\n`)
    return 1
  } finally {
    await tree?.stop().catch(() => undefined)
    for (const c of cleanups) await c().catch(() => undefined)
  }
}
