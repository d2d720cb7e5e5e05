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
 * Each round's exactness is recorded; a fault's window is its round (and,
 * for a partition, the heal round) plus `faultWindowRounds` more.
 *
 * `--secure`: an authenticated TLS nats-server (src/Net/Auth.ts), and every
 * replica signs with its own key (src/Trust/ReplicaTrust.ts).
 *
 * Exit codes (`chaosVerdict`): 0 every fault recovered, the last round exact,
 * nothing counted twice and at least `--min-exact` (default 1) of the rounds
 * outside every fault window exact; 1 otherwise.
 */
import { Effect } from "effect"
import { fmt, type Io } from "./Flags.ts"
import type { Outcome } from "./Invoke.ts"
import { mulberry32 } from "./Plan.ts"
import { natsServersFor, reportFailure, secureNatsServer, type TreeCliOptions, type TreeCommandEnv } from "./TreeOptions.ts"
import type { Transport } from "../Net/Transport.ts"
import type { ReplicatedTree } from "../Tree/Failover.ts"
import type { ProcessTrustCounters } from "../Trust/ProcessTrust.ts"
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

/** Rounds after a fault's round (a partition's heal round) that still belong to its window. */
export const faultWindowRounds = 2

/** The rounds (1-based) inside some fault's window. */
export const faultWindowRoundsOf = (faults: ReadonlyArray<Pick<ChaosFault, "kind" | "round">>, rounds: number): ReadonlySet<number> => {
  const inside = new Set<number>()
  for (const f of faults) {
    const last = f.round + (f.kind === "partition" ? 1 : 0) + faultWindowRounds
    for (let r = f.round; r <= Math.min(last, rounds); r++) inside.add(r)
  }
  return inside
}

export interface ChaosVerdict {
  readonly ok: boolean
  readonly exactRounds: number
  /** Rounds outside every fault window, and how many of them were exact. */
  readonly outside: number
  readonly outsideExact: number
  /** Why the run failed (empty when ok). */
  readonly reasons: ReadonlyArray<string>
}

/**
 * The exit rule of the chaos run: every fault recovered, nothing counted
 * twice, the last round exact, and at least `minExact` of the rounds outside
 * the fault windows exact (no such round: nothing to hold).
 */
export const chaosVerdict = (
  roundExact: ReadonlyArray<boolean>,
  faults: ReadonlyArray<Pick<ChaosFault, "kind" | "round" | "roundsUntilExact">>,
  overcounts: number,
  minExact: number,
): ChaosVerdict => {
  const windows = faultWindowRoundsOf(faults, roundExact.length)
  let outside = 0
  let outsideExact = 0
  roundExact.forEach((exact, i) => {
    if (windows.has(i + 1)) return
    outside++
    if (exact) outsideExact++
  })
  const reasons: string[] = []
  const unrecovered = faults.filter((f) => f.roundsUntilExact === undefined).length
  if (unrecovered > 0) reasons.push(`${unrecovered} fault(s) without recovery`)
  if (roundExact.length > 0 && !roundExact[roundExact.length - 1]) reasons.push("the last round is not exact")
  if (overcounts > 0) reasons.push(`the root counted above n agents ${overcounts} time(s)`)
  if (outside > 0 && outsideExact < minExact * outside)
    reasons.push(`${outsideExact}/${outside} rounds outside fault windows exact, below --min-exact ${minExact}`)
  return { ok: reasons.length === 0, exactRounds: roundExact.filter((x) => x).length, outside, outsideExact, reasons }
}

/** Each round's exactness, one mark per round in groups of 10 (✓ exact, ✗ not; lower-case w marks a round in a fault window). */
export const formatRoundMarks = (roundExact: ReadonlyArray<boolean>, windows: ReadonlySet<number>, limit = 200): string => {
  const marks = roundExact.slice(0, limit).map((x, i) => (x ? "✓" : "✗") + (windows.has(i + 1) ? "w" : ""))
  const groups: string[] = []
  for (let i = 0; i < marks.length; i += 10) groups.push(`${i + 1}: ${marks.slice(i, i + 10).join(" ")}`)
  return groups.join(" | ") + (roundExact.length > limit ? ` | … (${fmt(roundExact.length - limit)} more rounds)` : "")
}

/** `--secure`: what the replicas' verifiers accepted and refused, by reason. */
const formatSignatures = (c: ProcessTrustCounters): string => {
  const refused = (Object.keys(c) as Array<keyof ProcessTrustCounters>).filter((k) => k !== "accepted" && c[k] > 0)
  return `  signatures (each replica its own Ed25519 key; src/Trust/ReplicaTrust.ts): ${fmt(c.accepted)} envelopes verified; refused: ${refused.length === 0 ? "none" : refused.map((k) => `${k} ${fmt(c[k])}`).join(", ")}`
}

/** `tree --chaos`, scoped: the replicated tree and a nats-server it started are stopped when it ends or is interrupted. */
export const chaosRun = (o: TreeCliOptions, io: Io, env: TreeCommandEnv, outcome: Outcome) =>
  Effect.gen(function* () {
    const { ReplicatedTree, claimAfterMs } = yield* Effect.promise(() => import("../Tree/Failover.ts"))
    const { sumReplicaCounters } = yield* Effect.promise(() => import("../Trust/ReplicaTrust.ts"))
    const { driveRound } = yield* Effect.promise(() => import("../Tree/Round.ts"))
    let connect: (name: string) => Transport | Promise<Transport>
    let cut: (t: ReplicatedTree, c: CoordinatorId) => Promise<void>
    let heal: (t: ReplicatedTree, c: CoordinatorId) => Promise<void>
    if (o.transport === "in-process") {
      const { isolatingAll, makeInProcessServer } = yield* Effect.promise(() => import("../Net/InProcess.ts"))
      const server = makeInProcessServer()
      connect = (name) => server.connect(name)
      cut = async (t, c) => server.partition(isolatingAll(t.subtreeClients(c)))
      heal = async () => server.heal()
    } else {
      const { connectNats } = yield* Effect.promise(() => import("../Net/Nats.ts"))
      const secure = o.secure === true ? yield* secureNatsServer(io) : undefined
      const servers = secure?.servers ?? (yield* natsServersFor(o.servers, true, io))
      // TLS: up to 64 replicas dial at once, and on a loaded machine some handshakes miss the server's 2 s limit: retry more
      connect = (name) => connectNats({ servers, name, ...(secure === undefined ? {} : { credentials: secure.credentials, connectAttempts: 10 }) })
      const replicasIn = (t: ReplicatedTree, c: CoordinatorId) => t.subtree(c).flatMap((p) => t.replicasOf(p))
      cut = async (t, c) => {
        await Promise.all(replicasIn(t, c).map((r) => r.disconnect()))
      }
      heal = async (t, c) => {
        await Promise.all(replicasIn(t, c).map((r) => r.reconnect()))
      }
    }
    const tree = yield* Effect.acquireRelease(
      Effect.tryPromise(() => ReplicatedTree.start({ agents: o.agents, branching: o.branching, seed: o.seed, connect, bus: o.transport === "in-process" ? "in-process" : "nats", ...(o.secure === true ? { sign: true } : {}) })),
      (t) => Effect.promise(() => t.stop().catch(() => undefined)),
    )
    // The schedule stops between rounds when the run is interrupted (SIGINT/SIGTERM).
    yield* Effect.tryPromise(async (signal) => {
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
      const roundExact: boolean[] = []
      let lastExact = false
      const every = Math.max(1, Math.ceil(o.rounds / 10))
      let wroteLive = false
      for (let r = 1; r <= o.rounds && !signal.aborted; r++) {
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
        // one round of the round driver (src/Tree/Round.ts) in the replicated tree's configuration
        const res = await driveRound(tree.rounds, roundDeadline, {}, "rates")
        const round = res.round
        const ms = res.latencyMs
        lastExact = res.exact
        roundExact.push(lastExact)
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
          `round ${round}/${o.rounds} | agents ${t.agents.toLocaleString("en-US")} | ${lastExact ? `exact (${ms.toFixed(0)} ms)` : "not exact yet"}` +
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
        return v.length === 0 ? "—" : `mean ${(v.reduce((s, x) => s + x, 0) / v.length).toFixed(0)} ms, max ${v.reduce((m, x) => Math.max(m, x), -Infinity).toFixed(0)} ms`
      }
      const windows = faultWindowRoundsOf(faults, roundExact.length)
      const v = chaosVerdict(roundExact, faults, tree.overcounts, o.minExact)
      const lines = [
        `Chaos run: ${t.agents.toLocaleString("en-US")} agents, branching ${t.branching}, transport ${o.transport}, ${o.rounds} rounds, seed ${o.seed}`,
        `  replicas per position: ${cfg.replicas} (1 active + ${cfg.replicas - 1} standbys), ${t.total} positions; heartbeat ${h} ms, takeover deadline ${cfg.suspectAfter * h} ms (claim after ${claimAfterMs(cfg)} ms without the leader; lease max age ${cfg.leaseMaxAgeIntervals * h} ms, a backstop)`,
        `  faults injected: ${faults.length} (${kills.length} kills, ${faults.length - kills.length} partitions); recovered: ${recovered.length}/${faults.length}`,
        ...faults.map(formatFault),
        `  kills: detection ${stat(kills.map((f) => f.detectionMs))}; takeover ${stat(kills.map((f) => f.takeoverMs))} (deadline ${cfg.suspectAfter} heartbeats = ${cfg.suspectAfter * h} ms)`,
        `  exact per round (w: inside a fault window = the fault's round, a partition's heal round, and ${faultWindowRounds} more): ${formatRoundMarks(roundExact, windows)}`,
        ...(tree.seals === undefined ? [] : [formatSignatures(sumReplicaCounters(tree.seals.flat()))]),
        `  rounds exact: ${v.exactRounds}/${roundExact.length}; outside fault windows: ${v.outsideExact}/${v.outside} (at least ${o.minExact} needed); last round exact: ${lastExact ? "yes" : "NO"}; root aggregate above n agents (double counting): ${tree.overcounts === 0 ? "never" : `${tree.overcounts} time(s)`}`,
      ]
      io.out(lines.join("\n") + "\n")
      if (!v.ok) io.err(`hydrogen tree --chaos: ${v.reasons.join("; ")}\n`)
      outcome.code = v.ok ? 0 : 1
    })
  }).pipe(Effect.scoped, Effect.catch(reportFailure(io, outcome, "hydrogen tree --chaos")))
