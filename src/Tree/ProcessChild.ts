/**
 * The child side of the multi-process mode (protocol: src/Tree/Process.ts):
 * one OS process hosting the coordinators of its groups, driven by the
 * parent's `round` control messages. Run by src/Tree/CoordinatorProcess.ts.
 *
 * @module
 */
import { Effect } from "effect"
import { type NatsTransport, natsConnection } from "../Net/Nats.ts"
import { Coordinator } from "./Coordinator.ts"
import { acceptControl, controlSubjects, encodeControl } from "./Control.ts"
import { publishedBy, resendDown } from "./Level.ts"
import type { CoordinatorGroup, CoordinatorProcessConfig } from "./ProcessPlan.ts"
import { subscribeLevel } from "./SubscribeLevel.ts"
import { makeTopology } from "./Topology.ts"
import * as Result from "effect/Result"
import { type ProcessTrust, signerOf, startProcessTrust } from "../Trust/ProcessTrust.ts"

/**
 * Runs one coordinator process until `stop` (resolves 0), SIGTERM (143) or a
 * fatal error (resolves 1 after reporting `failed`); rejects with a
 * `TransportError` when it cannot connect. Used by src/Tree/CoordinatorProcess.ts.
 */
export const runCoordinatorProcess = (config: CoordinatorProcessConfig): Promise<number> => Effect.runPromise(Effect.scoped(coordinatorProcess(config)))

/**
 * The process's run with its resources scoped: the NATS connection (closed on
 * release, which drops every subscription at once) and the coordinators'
 * clocks (stopped first).
 */
const coordinatorProcess = (config: CoordinatorProcessConfig) =>
  Effect.gen(function* () {
    // reconnects forever once connected (a restarted server); the process ends with its parent (stdin) anyway
    const transport = yield* natsConnection({
      servers: config.servers,
      name: config.name,
      noRandomize: true,
      ...(config.credentials === undefined ? {} : { credentials: config.credentials }),
    })
    return yield* Effect.acquireUseRelease(
      Effect.promise(() => serve(config, transport)),
      (run) => Effect.promise(() => run.finished),
      (run) => Effect.sync(() => run.release()),
    )
  })

/** Subscribes the process's coordinators and answers the parent's control messages; `finished` gives the exit code. */
const serve = async (config: CoordinatorProcessConfig, transport: NatsTransport): Promise<{ readonly finished: Promise<number>; readonly release: () => void }> => {
  const t = makeTopology(config.agents, config.branching, config.prefix)
  const ctl = controlSubjects(config.prefix)
  // A signed run: this process's own key, published before it says ready; every signer's record resolved first.
  let trust: ProcessTrust | undefined
  if (config.signers !== undefined) {
    // its identity: the table's signer of the levels it hosts
    const id = signerOf(config.signers, config.groups[0]!.level)
    if (id === undefined) throw new Error(`the signers table names no signer for level ${config.groups[0]!.level}`)
    const r = await startProcessTrust({ transport, prefix: config.prefix, id, signers: config.signers })
    if (Result.isFailure(r)) throw r.failure
    trust = r.success
  }
  const sealing = (level: number) =>
    trust === undefined ? {} : { sealUp: trust.seal, sealDown: trust.seal, openUp: trust.openUp(level), ...(level < t.levels ? { openDown: trust.openDown(level) } : {}) }
  // Each group receives through three wildcard subscriptions (subscribeLevel), not three per coordinator.
  const coordinators: Coordinator[] = []
  const rows: Array<{ readonly group: CoordinatorGroup; readonly row: Coordinator[] }> = []
  for (const g of config.groups) {
    const row: Coordinator[] = []
    // one opener per group: a Down buffer handed to several children is verified once
    const seals = sealing(g.level)
    for (let i = g.lo; i < g.hi; i++) row.push(new Coordinator({ topology: t, id: { level: g.level, index: i }, transport, subscribe: false, ...seals }))
    rows.push({ group: g, row })
    for (const c of row) coordinators.push(c) // no spread: a group can hold 10^5 coordinators
  }
  const root = coordinators.find((c) => c.isRoot)
  const token = config.token
  let controlRejected = 0
  let lastRound = 0
  /** The `done` of the last round this process finished, and that round. */
  let lastDone: Uint8Array | undefined
  let lastDoneEpoch = 0
  let finish: (code: number) => void = () => undefined
  const finished = new Promise<number>((r) => {
    finish = r
  })
  const fail = (error: unknown): void => {
    const text = error instanceof Error ? error.message : String(error)
    try {
      transport.publish(ctl.failed, encodeControl({ type: "failed", process: config.name, error: text, token }))
    } catch {
      // the connection is gone; the parent sees the exit code
    }
    finish(1)
  }
  const runRound = async (epoch: number, policy: ReadonlyArray<number>, triggers: ReadonlyArray<number>): Promise<void> => {
    if (root !== undefined) {
      const e = root.broadcast(Uint8Array.from(policy), triggers)
      if (e !== epoch) throw new Error(`root epoch ${e} does not match round epoch ${epoch}`)
    }
    await Promise.all(coordinators.map((c) => c.whenChildrenAt(epoch).then(() => c.tick())))
    let rejected = 0
    let internalErrors = 0
    let versionRejected = 0
    for (const c of coordinators) {
      rejected += c.counters.rejected
      internalErrors += c.counters.internalErrors
      versionRejected += c.counters.versionRejected
    }
    lastDone = encodeControl({
        type: "done",
        process: config.name,
        epoch,
        published: publishedBy(coordinators),
        rejected,
        internalErrors,
        controlRejected,
        versionRejected,
        ...(trust === undefined ? {} : { trust: trust.counters() }),
        token,
        ...(root === undefined ? {} : { root: { summary: { ...root.summary }, summaryEpoch: root.summaryEpoch } }),
      })
    lastDoneEpoch = epoch
    transport.publish(ctl.done, lastDone)
  }
  // The parent repeated the round after a reconnect: what was in flight may be lost; send the latest again.
  const resend = (): void => {
    for (const c of coordinators) resendDown(c)
    for (const c of coordinators) if (c.summaryEpoch > 0) c.tick()
    if (lastDone !== undefined && lastDoneEpoch === lastRound) transport.publish(ctl.done, lastDone)
  }
  try {
    for (const { group, row } of rows) subscribeLevel(transport, t, group.level, group.lo, row)
    // only the parent's messages, in turn: rounds 1, 2, … once each
    transport.subscribe(ctl.round, (data) => {
      const m = acceptControl(data, token)
      if (m?.type === "round" && m.epoch === lastRound && lastRound > 0) return resend()
      if (m?.type !== "round" || m.epoch !== lastRound + 1) return void controlRejected++
      lastRound = m.epoch
      runRound(m.epoch, m.policy ?? [], m.triggers ?? []).catch(fail)
    })
    transport.subscribe(ctl.stop, (data) => {
      if (acceptControl(data, token)?.type === "stop") finish(0)
      else controlRejected++
    })
    await transport.flush() // the server has every subscription before we say ready
    const ready = encodeControl({ type: "ready", process: config.name, pid: process.pid, coordinators: coordinators.length, token })
    transport.publish(ctl.ready, ready)
    await transport.flush()
    // subscriptions are back on a server: tell the parent, which repeats the round in progress
    transport.onReconnect(() => transport.publish(ctl.ready, ready))
  } catch (e) {
    fail(e)
  }
  // SIGTERM (the parent's scope closing on a stuck child) ends the run as cleanly as `stop`
  const onTerm = (): void => finish(143)
  process.once("SIGTERM", onTerm)
  return {
    finished,
    release: () => {
      process.off("SIGTERM", onTerm)
      for (const c of coordinators) c.stopClock()
    },
  }
}
