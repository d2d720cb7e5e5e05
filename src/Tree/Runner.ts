/**
 * Runs a coordinator tree over a `Transport`: builds the topology (the
 * planner's counts), hosts the agents in one structure-of-arrays pool, starts
 * a `CoordinatorTree` (src/Tree/CoordinatorTree.ts; each coordinator on its
 * own Transport client when a `connect` factory is given) and runs rounds with
 * the round driver (src/Tree/Round.ts).
 *
 * A round (driven clock, the default):
 *   1. the root broadcasts Down with the next epoch; it is forwarded level by
 *      level until every local coordinator has it;
 *   2. every agent takes its value for the round (no coordination);
 *   3. level by level, bottom-up, every coordinator ticks once (locals fold
 *      their agents' range, the others merge the latest summary per child) and
 *      sends its summary up; the next level starts once every coordinator in it
 *      holds the new epoch from all its children;
 *   4. the root ticks: its summary is the global aggregate, checked against a
 *      direct sequential fold over all agents' values (exact for integers).
 * The root's Down carries the round's policy and triggers (`policyFor`,
 * `triggersFor`, src/Tree/Policy.ts); each local coordinator's agents update
 * under the policy it holds and react to its triggers at that update.
 * With `clock: "rates"` the coordinators instead tick on their own timers
 * (30 / 10 / 1 Hz by default) and a round ends at the root's first tick that
 * covers the round.
 *
 * Counted per round: every publish (by kind), the agents' reports to their
 * local coordinators (in-memory: they are hosted), and the round latency
 * from the end of the agents' update to the root's aggregate reflecting it.
 *
 * @module
 */
import { messageBound, messagesPerRound as plannedMessagesPerRound } from "../Scale/Communication.ts"
import { defaultRates, type Rates } from "./Coordinator.ts"
import { CoordinatorTree, type TreeOptions } from "./CoordinatorTree.ts"
import type { MessageErrorTag } from "./Messages.ts"
import type { Policy } from "./Policy.ts"
import { driveRounds, type RoundResult } from "./Round.ts"
import type { Topology } from "./Topology.ts"
import { ViewportFeed, type ViewportOptions, type ViewportRound } from "./ViewportFeed.ts"

export { CoordinatorTree, type TreeOptions } from "./CoordinatorTree.ts"
export type { Connect } from "./Level.ts"
export { resendAfterReconnect, type RoundDown, type RoundResult } from "./Round.ts"
export type { ViewportOptions, ViewportRound } from "./ViewportFeed.ts"

export interface RunTreeOptions extends TreeOptions {
  readonly rounds: number
  /** Tick rates for `clock: "rates"` (default 30 / 10 / 1 Hz). */
  readonly rates?: Rates
  /** "driven" (default): the runner ticks every level as soon as it can; "rates": coordinators tick on timers. */
  readonly clock?: "driven" | "rates"
  /** Give up on a round after this long (default 60 s). */
  readonly roundTimeoutMs?: number
  /** Called after every round. */
  readonly onStatus?: (status: RoundStatus) => void
  /** The policy the root broadcasts for round `round` (1, 2, …; default: none). */
  readonly policyFor?: (round: number) => Policy
  /** The triggers the root broadcasts for round `round` (default: none). */
  readonly triggersFor?: (round: number) => ReadonlyArray<number>
  /**
   * Opt-in: the agents report their Elements to replicated viewport state
   * after every round (src/Tree/ViewportFeed.ts). Absent: nothing of it runs.
   */
  readonly viewport?: ViewportOptions
}

export interface RoundStatus extends RoundResult {
  /** This round's viewport report (with `viewport`). */
  readonly viewport?: ViewportRound
  readonly rounds: number
  readonly agents: number
  readonly perLevel: ReadonlyArray<number>
  readonly latencyP50Ms: number
  readonly latencyP95Ms: number
  /** Bus publishes per second over the rounds so far. */
  readonly messagesPerSecond: number
  /** Rounds so far whose own aggregate was exact (`exact` is this round's). */
  readonly exactRounds: number
  readonly allExact: boolean
}

export interface RunTreeResult {
  readonly topology: Topology
  readonly rounds: ReadonlyArray<RoundResult>
  /** `Hydrogen.Scale.messagesPerRound n k`. */
  readonly plannedMessagesPerRound: number
  /** Largest counted aggregation messages of a round. */
  readonly maxAggregationMessages: number
  /** Mean tree messages per round (all kinds; an Up inside an UpBatch counts as one). */
  readonly meanMessagesPerRound: number
  /** Mean bus publishes per round (an UpBatch is one). */
  readonly meanBusPublishesPerRound: number
  /** The proved bound `k·M + k + L ≤ n·k + M + k·L` with the counted `M` (largest round). */
  readonly bound: { readonly lhs: bigint; readonly rhs: bigint; readonly holds: boolean; readonly plannedHolds: boolean }
  readonly latencyP50Ms: number
  readonly latencyP95Ms: number
  readonly latencyMaxMs: number
  /** Bus publishes per second. */
  readonly messagesPerSecond: number
  /** Agents updated and aggregated per second (n · rounds / total round time). */
  readonly agentsPerSecond: number
  readonly rejected: Readonly<Partial<Record<MessageErrorTag, number>>>
  readonly rejectedTotal: number
  /** Of `rejectedTotal`: version fields out of bounds (src/Tree/Versions.ts). */
  readonly versionRejected: number
  readonly internalErrors: number
  /** Rounds whose own aggregate was exact. */
  readonly exactRounds: number
  /** Trigger reactions (each trigger once per local coordinator it reached). */
  readonly triggersDelivered: number
  /** Reconnects of the tree's clients, and the re-sends of the latest Downs and Ups they caused (`Tree.resend`). */
  readonly reconnects: number
  readonly resends: number
  readonly allExact: boolean
  readonly elapsedMs: number
  readonly setupMs: number
  /** With `viewport`: every round's report and the frames rejected by error tag. */
  readonly viewport?: { readonly rounds: ReadonlyArray<ViewportRound>; readonly rejected: Readonly<Record<string, number>> }
}

/** The `q`-quantile (0..1) of `xs` by nearest rank; 0 for an empty list. */
export const quantile = (xs: ReadonlyArray<number>, q: number): number => {
  if (xs.length === 0) return 0
  const s = [...xs].sort((a, b) => a - b)
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))
  return s[i]!
}

/**
 * Per-run figures shared by the single- and multi-process runners: message
 * counts against the proved bound (`k·M + k + L ≤ n·k + M + k·L`, in BigInt),
 * latency quantiles and throughput over the rounds' own time.
 */
export const roundStats = (t: Topology, results: ReadonlyArray<RoundResult>) => {
  const lat = results.map((x) => x.latencyMs)
  const totalMs = results.reduce((s, x) => s + x.roundMs, 0)
  const totalMsgs = results.reduce((s, x) => s + x.messages, 0)
  const totalBus = results.reduce((s, x) => s + x.busPublishes, 0)
  const M = results.reduce((m, x) => Math.max(m, x.aggregationMessages), Number.NEGATIVE_INFINITY)
  const [bn, bk, bM, bL] = [BigInt(t.agents), BigInt(t.branching), BigInt(M), BigInt(t.levels)]
  const lhs = bk * bM + bk + bL
  const rhs = bn * bk + bM + bk * bL
  return {
    topology: t,
    rounds: results,
    plannedMessagesPerRound: plannedMessagesPerRound(t.agents, t.branching),
    maxAggregationMessages: M,
    meanMessagesPerRound: totalMsgs / results.length,
    meanBusPublishesPerRound: totalBus / results.length,
    bound: { lhs, rhs, holds: lhs <= rhs, plannedHolds: messageBound(t.agents, t.branching).holds },
    latencyP50Ms: quantile(lat, 0.5),
    latencyP95Ms: quantile(lat, 0.95),
    latencyMaxMs: lat.reduce((m, x) => Math.max(m, x), Number.NEGATIVE_INFINITY),
    messagesPerSecond: totalMs > 0 ? (totalBus / totalMs) * 1000 : 0,
    agentsPerSecond: totalMs > 0 ? ((t.agents * results.length) / totalMs) * 1000 : 0,
  }
}

/** Runs `rounds` rounds and returns the statistics (see the module doc). */
export const runTree = async (opts: RunTreeOptions): Promise<RunTreeResult> => {
  if (!Number.isSafeInteger(opts.rounds) || opts.rounds < 1) throw new RangeError(`runTree: rounds must be an integer >= 1, got ${opts.rounds}`)
  const tSetup = performance.now()
  const tree = await CoordinatorTree.start(opts)
  const setupMs = performance.now() - tSetup
  const t = tree.topology
  let results: ReadonlyArray<RoundResult> = []
  let feed: ViewportFeed | undefined
  const tRun = performance.now()
  try {
    if (opts.viewport !== undefined) {
      const bus = opts.connect !== undefined ? { connect: opts.connect } : opts.transport !== undefined ? { transport: opts.transport } : {}
      feed = await ViewportFeed.start(t, tree.agents, opts.viewport, bus)
    }
    const vf = feed
    if (opts.clock === "rates") tree.startClocks(opts.rates ?? defaultRates)
    results = await driveRounds(tree.rounds, () => tree.root.epoch + 1, {
      rounds: opts.rounds,
      ...(opts.roundTimeoutMs === undefined ? {} : { roundTimeoutMs: opts.roundTimeoutMs }),
      ...(opts.clock === undefined ? {} : { clock: opts.clock }),
      ...(opts.policyFor === undefined ? {} : { policyFor: opts.policyFor }),
      ...(opts.triggersFor === undefined ? {} : { triggersFor: opts.triggersFor }),
      ...(opts.onStatus === undefined ? {} : { onRound: (rs) => opts.onStatus!(statusOf(t, opts.rounds, rs, vf?.reports[vf.reports.length - 1])) }),
      ...(vf === undefined ? {} : { afterRound: async (res) => void (await vf.afterRound(res.round)) }),
    })
  } finally {
    await feed?.stop()
    await tree.stop()
  }
  const elapsedMs = performance.now() - tRun
  const rej = tree.rejected()
  return {
    ...roundStats(t, results),
    rejected: rej.byTag,
    rejectedTotal: rej.total,
    versionRejected: rej.versionRejected,
    internalErrors: rej.internalErrors,
    exactRounds: results.filter((x) => x.exact).length,
    triggersDelivered: tree.triggersDelivered,
    reconnects: tree.reconnects,
    resends: tree.resends,
    allExact: results.every((x) => x.exact),
    elapsedMs,
    setupMs,
    ...(feed === undefined ? {} : { viewport: { rounds: feed.reports, rejected: { ...feed.rejectedByTag } } }),
  }
}

/** The status after the last of `results` (figures over the rounds so far). */
const statusOf = (t: Topology, rounds: number, results: ReadonlyArray<RoundResult>, viewport?: ViewportRound): RoundStatus => {
  const res = results[results.length - 1]!
  const lat = results.map((x) => x.latencyMs)
  const totalMs = results.reduce((s, x) => s + x.roundMs, 0)
  const totalBus = results.reduce((s, x) => s + x.busPublishes, 0)
  return {
    ...res,
    rounds,
    agents: t.agents,
    perLevel: t.perLevel,
    latencyP50Ms: quantile(lat, 0.5),
    latencyP95Ms: quantile(lat, 0.95),
    messagesPerSecond: totalMs > 0 ? (totalBus / totalMs) * 1000 : 0,
    exactRounds: results.filter((x) => x.exact).length,
    allExact: results.every((x) => x.exact),
    ...(viewport === undefined ? {} : { viewport }),
  }
}
