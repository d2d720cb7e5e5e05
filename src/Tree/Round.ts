/**
 * The one round driver of the coordinator tree, over `Level`s
 * (src/Tree/Level.ts). In-process (`runTree`, src/Tree/Runner.ts) and
 * multi-process (`runTreeMultiProcess`, src/Tree/Process.ts) runs are
 * configurations of it: which levels, how a round starts, where the root's
 * summary is read.
 *
 * A round:
 *   1. `start` sends the root's Down of the next epoch (the root broadcasts it,
 *      or the parent tells the process hosting the root to);
 *   2. once the agents' level holds it, every agent updates under the policy
 *      its local coordinator holds;
 *   3. the agents' level ticks, then every level above in turn (driven clock),
 *      or the coordinators tick on their own timers until the root's summary
 *      covers the epoch (`clock: "rates"`);
 *   4. the root's summary is checked against the direct fold over all agents,
 *      the round's publishes are counted by kind.
 * While it waits after a reconnect (during the round or in the last 10 s),
 * every level re-sends its latest Downs, then its latest Ups, with a doubling
 * pause (250 ms to 2 s): what a restarted bus lost is sent again, and the
 * versions make the repeats harmless.
 *
 * @module
 */
import type { AgentLevel, Kinds, Level } from "./Level.ts"
import { addKinds, zeroKinds } from "./Level.ts"
import type { MessageKind } from "./Messages.ts"
import { encodePolicy, noPolicy, type Policy } from "./Policy.ts"
import type { PolicyProvenance } from "./Provenance.ts"
import { type Summary, summaryEquals } from "./Summary.ts"

/** What the root's Down of a round carries. */
export interface RoundDown {
  /** Default: no policy. */
  readonly policy?: Policy
  readonly triggers?: ReadonlyArray<number>
}

/** What one round did. */
export interface RoundResult {
  readonly round: number
  /** Root's global aggregate and the direct fold over all agents. */
  readonly aggregate: Summary
  readonly expected: Summary
  readonly exact: boolean
  /** Publishes during the round, by kind. */
  readonly published: Readonly<Record<MessageKind, number>>
  /** All tree messages of the round (an Up inside an UpBatch counts as one). */
  readonly messages: number
  /** Bus publishes of the round: `messages` less what UpBatches saved (one publish carries k Ups). */
  readonly busPublishes: number
  /** Aggregation messages: the agents' reports (n, hosted in memory) plus the Up publishes — `M` of the plan. */
  readonly aggregationMessages: number
  /** ms from the end of the agents' update to the root's aggregate reflecting it. */
  readonly latencyMs: number
  /** ms the agents' update took. */
  readonly updateMs: number
  /** ms of the whole round (Down broadcast to root aggregate). */
  readonly roundMs: number
  /**
   * Which Down each subtree applied this round and whether it is the root's
   * (src/Tree/Provenance.ts): `exact` cannot see a forged Down, this can.
   */
  readonly provenance: PolicyProvenance
}

/** The root's summary as the driver reads it after a round. */
export interface RootView {
  readonly summary: Summary
  readonly summaryEpoch: number
}

/** A configuration of the round driver. */
export interface RoundConfig {
  readonly agentCount: number
  /** The level hosting the agents (local coordinators, or a root hosting them all). */
  readonly agents: AgentLevel
  /** The levels above it, bottom-up (those of this process; a process group stands for the rest). */
  readonly above: ReadonlyArray<Level>
  /** Sends the root's Down of the next round carrying `policy` and `triggers`; its epoch. */
  start(policy: Uint8Array, triggers: ReadonlyArray<number>): number
  root(): RootView
  expected(): Summary
  /** Which Down each subtree holds now, against the root's Down of `epoch` with `policy`. */
  provenance(epoch: number, policy: Uint8Array): PolicyProvenance
  /** Publishes made by no level (agents' lateral injections). */
  unowned?(): Partial<Kinds>
  /** When a client of the run last reconnected (performance.now(); −Infinity: never). */
  lastReconnectAt(): number
  /** Called for every re-send after a reconnect (or a stall). */
  onResend?(): void
  /**
   * On an at-most-once bus (NATS) a message can be lost with no reconnect (a
   * new subscription's interest not yet across a cluster route, a slow
   * consumer's drop); a wait longer than this re-sends as after a reconnect.
   * Unset: only reconnects trigger re-sends (the in-process bus loses nothing).
   */
  readonly resendWhenStalledMs?: number
  /** With `clock: "rates"`: resolves once the root's summary covers `epoch` (or `signal` aborts: the round gave up). */
  whenRootAt?(epoch: number, signal: AbortSignal): Promise<void>
  /** A wait that runs out of time ends the round as it stands (inexact) instead of failing the run (the chaos run). */
  readonly lateIsInexact?: boolean
  /** The error a wait that ran out of time gives (default: an Error naming what it waited for). */
  timedOut?(ms: number, what: string): Error
  /** Rejects when the run failed (a coordinator process died): every wait gives up at once. */
  readonly failed?: Promise<never>
}

/**
 * While a round waits: if a bus client reconnected during the round (since
 * `roundStart`) or in the last 10 s (`lastReconnectAt`, performance.now()
 * time), calls `resend` with a doubling pause from 250 ms to 2 s. Returns the
 * function that stops it.
 */
export const resendAfterReconnect = (lastReconnectAt: () => number, roundStart: number, resend: () => void, stalledMs?: number): (() => void) => {
  let pause = 250
  let timer: ReturnType<typeof setTimeout> | undefined
  const tick = (): void => {
    const at = lastReconnectAt()
    const now = performance.now()
    if (at >= roundStart || now - at < 10_000 || (stalledMs !== undefined && now - roundStart >= stalledMs)) {
      resend()
      pause = Math.min(2_000, pause * 2)
    }
    timer = setTimeout(tick, pause)
  }
  timer = setTimeout(tick, pause)
  return () => clearTimeout(timer)
}

const levelsOf = (c: RoundConfig): ReadonlyArray<Level> => [c.agents, ...c.above]

/** Publishes so far by kind, over every level and what no level made. */
export const publishedOf = (c: RoundConfig): Kinds => {
  const out = zeroKinds()
  for (const l of levelsOf(c)) addKinds(out, l.published())
  const u = c.unowned?.()
  if (u !== undefined) addKinds(out, { ...zeroKinds(), ...u })
  return out
}

const coalescedOf = (c: RoundConfig): number => levelsOf(c).reduce((n, l) => n + l.coalesced(), 0)

/** Every level re-sends its latest Downs, then every level its latest Ups. */
const resendAll = (c: RoundConfig): void => {
  c.onResend?.()
  for (const l of levelsOf(c)) l.resendDowns()
  for (const l of levelsOf(c)) l.resendUps()
}

/**
 * `wait(signal)`, or after `ms` the config's timeout error (or, with
 * `lateIsInexact`, nothing), or the run's failure; re-sending after a
 * reconnect meanwhile. `signal` aborts once the wait is over either way.
 */
const waitFor = async (c: RoundConfig, wait: (signal: AbortSignal) => Promise<void>, ms: number, what: string, roundStart: number): Promise<void> => {
  const stop = resendAfterReconnect(() => c.lastReconnectAt(), roundStart, () => resendAll(c), c.resendWhenStalledMs)
  const done = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<void>((resolve, reject) => {
    timer = setTimeout(() => (c.lateIsInexact === true ? resolve() : reject(c.timedOut?.(ms, what) ?? new Error(`timed out after ${ms} ms waiting for ${what}`))), ms)
  })
  try {
    const p = wait(done.signal)
    await Promise.race(c.failed === undefined ? [p, timeout] : [p, timeout, c.failed])
  } finally {
    clearTimeout(timer)
    done.abort()
    stop()
  }
}

/** One round (see the module doc) whose Down carries `down`; `clock: "rates"` needs `whenRootAt`. */
export const driveRound = async (c: RoundConfig, timeoutMs: number, down: RoundDown = {}, clock: "driven" | "rates" = "driven"): Promise<RoundResult> => {
  const before = publishedOf(c)
  const coalescedBefore = coalescedOf(c)
  const tStart = performance.now()
  const policy = encodePolicy(down.policy ?? noPolicy)
  const epoch = c.start(policy, down.triggers ?? [])
  await waitFor(c, () => c.agents.whenDown(epoch), timeoutMs, c.agents.waiting(epoch), tStart)
  const tUpdate = performance.now()
  c.agents.updateAgents(epoch)
  const t0 = performance.now()
  if (clock === "rates") {
    if (c.whenRootAt === undefined) throw new RangeError("driveRound: clock \"rates\" needs whenRootAt")
    const whenRootAt = c.whenRootAt
    await waitFor(c, (signal) => whenRootAt(epoch, signal), timeoutMs, `the root's aggregate for epoch ${epoch}`, tStart)
  } else {
    await c.agents.advance(epoch)
    for (const l of c.above) await waitFor(c, () => l.advance(epoch), timeoutMs, l.waiting(epoch), tStart)
  }
  const t1 = performance.now()
  const after = publishedOf(c)
  const published = zeroKinds()
  for (const k of Object.keys(published) as MessageKind[]) published[k] = after[k] - before[k]
  const messages = published.Up + published.Down + published.Heartbeat + published.Lateral
  const root = c.root()
  const expected = c.expected()
  return {
    round: epoch,
    aggregate: root.summary,
    expected,
    exact: summaryEquals(root.summary, expected) && root.summaryEpoch >= epoch,
    published,
    messages,
    busPublishes: messages - (coalescedOf(c) - coalescedBefore),
    aggregationMessages: c.agentCount + published.Up,
    latencyMs: t1 - t0,
    updateMs: t0 - tUpdate,
    roundMs: t1 - tStart,
    provenance: c.provenance(epoch, policy),
  }
}

export interface RoundsOptions {
  readonly rounds: number
  readonly roundTimeoutMs?: number
  readonly clock?: "driven" | "rates"
  /** The policy the root broadcasts for round `round` (1, 2, …; default: none). */
  readonly policyFor?: (round: number) => Policy
  /** The triggers the root broadcasts for round `round` (default: none). */
  readonly triggersFor?: (round: number) => ReadonlyArray<number>
  /** Called after every round with the rounds so far (the last is this one). */
  readonly onRound?: (results: ReadonlyArray<RoundResult>) => void
  /** Awaited after every round, before `onRound`, outside its counted time (the viewport feed). */
  readonly afterRound?: (result: RoundResult) => Promise<void>
}

/** `rounds` rounds back to back; `nextEpoch` is the epoch the next `start` will send. */
export const driveRounds = async (c: RoundConfig, nextEpoch: () => number, o: RoundsOptions): Promise<ReadonlyArray<RoundResult>> => {
  const results: RoundResult[] = []
  for (let r = 0; r < o.rounds; r++) {
    const round = nextEpoch()
    const down: RoundDown = {
      ...(o.policyFor === undefined ? {} : { policy: o.policyFor(round) }),
      ...(o.triggersFor === undefined ? {} : { triggers: o.triggersFor(round) }),
    }
    const res = await driveRound(c, o.roundTimeoutMs ?? 60_000, down, o.clock ?? "driven")
    results.push(res)
    if (o.afterRound !== undefined) await o.afterRound(res)
    o.onRound?.(results)
  }
  return results
}
