/**
 * Scatter-gather with arrival windows (seed 002, Part 3.2) over any Transport
 * (the in-process bus or NATS), timed by Effect's Clock so tests run it on the
 * TestClock and live runs on the wall clock.
 *
 * Sends are planned by Arrival (target T = now + arrival window, SKIP when the
 * lead does not fit, 10 ms buckets); responses are gathered until T + gather
 * window, or earlier once every sent target has answered. Stragglers are noted,
 * never waited for. Degradation (`admit`) and breakers (`isRoutable`) are
 * checked before anything is sent. The rate divides by the targets asked for,
 * not by the sends (the seed's `sent_count` hides skipped and unroutable
 * agents and is zero when nothing is sent).
 */
import { Clock, Data, Deferred, Effect, Fiber, Schema, type Scope } from "effect"
import * as Result from "effect/Result"
import type { Transport } from "../Net/Transport.ts"
import { type AgentImpedance, calculateSendTimes, groupByBucket, bucketWidthMs } from "./Arrival.ts"
import { type Addr, type Breakers, isRoutable } from "./Breaker.ts"
import { admit, healthySectorsOnly, type OpMode, type Refusal } from "./Degradation.ts"
import type { Ratio, Vote } from "./Trinary.ts"
import { Ack, Coordinate, decodeWire, encodeWire, type Issue, NodeId, nodeSubject, type Reach, replySubject } from "./ScatterWire.ts"

// ---- the pure verdict ----------------------------------------------------------------------

/** @lean Hydrogen.Mesh.GatherStatus */
export type GatherStatus = "COMPLETE" | "PARTIAL" | "FAILED"

/**
 * FAILED when nothing READY came back; COMPLETE when `ready / targets ≥ num / den`;
 * PARTIAL otherwise (some, not enough).
 *
 * @lean Hydrogen.Mesh.gatherStatus
 */
export const gatherStatus = (min: Ratio, targets: number, ready: number): GatherStatus =>
  ready === 0 ? "FAILED" : BigInt(min.num) * BigInt(targets) <= BigInt(ready) * BigInt(min.den) ? "COMPLETE" : "PARTIAL"

/**
 * Whether one response joins the gathered set: only from a target that was
 * sent to, and once. So the gathered set is exactly the sent targets that
 * answered, without repeats.
 *
 * @lean Hydrogen.Mesh.acceptOne
 */
export const acceptOne = (expected: ReadonlySet<string>, got: ReadonlySet<string> | ReadonlyMap<string, unknown>, id: string): "accepted" | "UnexpectedResponder" | "DuplicateResponse" =>
  !expected.has(id) ? "UnexpectedResponder" : got.has(id) ? "DuplicateResponse" : "accepted"

/**
 * The gathered set after responses `rs` in arrival order, starting from `from`
 * (the gatherer applies `acceptOne` one response at a time).
 *
 * @lean Hydrogen.Mesh.gathered
 */
export const gathered = (expected: ReadonlyArray<string>, rs: Iterable<string>, from: ReadonlyArray<string> = []): Array<string> => {
  const e = new Set(expected)
  const got = [...from].reverse()
  const seen = new Set(got)
  for (const r of rs) {
    if (acceptOne(e, seen, r) !== "accepted") continue
    got.push(r)
    seen.add(r)
  }
  return got.reverse()
}

export type Recommendation = "retry_with_larger_window" | "resolve_conflicts" | "check_breakers_and_lead_time"

/** The seed's recommendation, refined: a larger window helps only when someone was late. */
export const recommend = (status: GatherStatus, sent: number, stragglers: number): Recommendation | undefined =>
  status === "COMPLETE" ? undefined : sent === 0 ? "check_breakers_and_lead_time" : stragglers > 0 ? "retry_with_larger_window" : "resolve_conflicts"

export * from "./ScatterWire.ts"

// ---- typed rejections (counted by the gatherer) --------------------------------------------

export class MalformedResponse extends Data.TaggedError("MalformedResponse")<{ readonly subject: string; readonly issues: ReadonlyArray<Issue> }> {}
export class UnknownOperation extends Data.TaggedError("UnknownOperation")<{ readonly opId: string; readonly agentId: string }> {}
export class UnexpectedResponder extends Data.TaggedError("UnexpectedResponder")<{ readonly opId: string; readonly agentId: string }> {}
export class DuplicateResponse extends Data.TaggedError("DuplicateResponse")<{ readonly opId: string; readonly agentId: string }> {}
export class LateResponse extends Data.TaggedError("LateResponse")<{ readonly opId: string; readonly agentId: string }> {}
export type Rejection = MalformedResponse | UnknownOperation | UnexpectedResponder | DuplicateResponse | LateResponse

export type GatherStats = { readonly accepted: number } & { readonly [K in Rejection["_tag"]]: number }

export interface Response {
  readonly agentId: string
  readonly state: Vote
  /** When the ACK reached the gatherer (its clock). */
  readonly arrivedAt: number
  /** When the responder says it was ready (`actual_arrival_ms`, its clock). */
  readonly readyAt: number
  readonly processingMs: number
  readonly reach?: Reach
}

interface OpenOp {
  readonly expected: ReadonlySet<string>
  readonly got: Map<string, Response>
  readonly allIn: Deferred.Deferred<void>
}

/** One node's reply inbox: routes ACKs to open operations, rejects the rest. */
export interface Gatherer {
  readonly nodeId: string
  readonly replyTo: string
  stats(): GatherStats
  /** The last rejections (at most 100), oldest first. */
  rejections(): ReadonlyArray<Rejection>
  /** @internal used by `scatterGather`; undefined when `opId` is already open */
  open(opId: string, expected: ReadonlySet<string>): Effect.Effect<OpenOp | undefined>
  /** @internal */
  close(opId: string): void
}

const closedMemory = 1024

export const makeGatherer = (transport: Transport, prefix: string, nodeId: string): Effect.Effect<Gatherer, never, Scope.Scope> =>
  Effect.gen(function* () {
    const clock = yield* Clock.Clock
    const ops = new Map<string, OpenOp>()
    const closed = new Set<string>()
    const stats = { accepted: 0, MalformedResponse: 0, UnknownOperation: 0, UnexpectedResponder: 0, DuplicateResponse: 0, LateResponse: 0 }
    const log: Array<Rejection> = []
    const reject = (r: Rejection) => {
      stats[r._tag]++
      log.push(r)
      if (log.length > 100) log.shift()
    }
    const replyTo = replySubject(prefix, nodeId)
    const sub = transport.subscribe(replyTo, (data, subject) => {
      const d = decodeWire(Ack, data)
      if (Result.isFailure(d)) return reject(new MalformedResponse({ subject, issues: d.failure }))
      const ack = d.success
      const ids = { opId: ack.op_id, agentId: ack.agent_id }
      const op = ops.get(ack.op_id)
      if (op === undefined) return reject(closed.has(ack.op_id) ? new LateResponse(ids) : new UnknownOperation(ids))
      const verdict = acceptOne(op.expected, op.got, ack.agent_id)
      if (verdict === "UnexpectedResponder") return reject(new UnexpectedResponder(ids))
      if (verdict === "DuplicateResponse") return reject(new DuplicateResponse(ids))
      stats.accepted++
      const base = { agentId: ack.agent_id, state: ack.trinary_state, arrivedAt: clock.currentTimeMillisUnsafe(), readyAt: ack.actual_arrival_ms, processingMs: ack.processing_time_ms }
      op.got.set(ack.agent_id, ack.reach === undefined ? base : { ...base, reach: ack.reach })
      if (op.got.size === op.expected.size) Deferred.doneUnsafe(op.allIn, Effect.void)
    })
    yield* Effect.addFinalizer(() => Effect.promise(() => sub.unsubscribe()))
    return {
      nodeId,
      replyTo,
      stats: () => ({ ...stats }),
      rejections: () => [...log],
      open: (opId, expected) =>
        Effect.map(Deferred.make<void>(), (allIn) => {
          if (ops.has(opId)) return undefined
          const op = { expected, got: new Map<string, Response>(), allIn }
          ops.set(opId, op)
          if (expected.size === 0) Deferred.doneUnsafe(allIn, Effect.void)
          return op
        }),
      close: (opId) => {
        ops.delete(opId)
        closed.add(opId)
        if (closed.size > closedMemory) closed.delete(closed.values().next().value as string)
      },
    } satisfies Gatherer
  })

// ---- the scatter ---------------------------------------------------------------------------

/** An agent (or coordinator) to scatter to: its breaker scopes and its impedance record. */
export interface Target {
  readonly addr: Addr
  readonly impedance: AgentImpedance
}

export interface ScatterSpec {
  readonly opId: string
  readonly targets: ReadonlyArray<Target>
  /** T = now + this (seed default 500 ms). */
  readonly arrivalWindowMs?: number
  /** Gather until T + this (default: the arrival window, as the seed). */
  readonly gatherWindowMs?: number
  /** Default 95 / 100. */
  readonly minResponseRate?: Ratio
  readonly payloadWeight?: number
  readonly payload?: unknown
  /** 0 background … 3 critical (default 2). */
  readonly priority?: 0 | 1 | 2 | 3
  readonly meshWide?: boolean
  readonly humanApproved?: boolean
  /** Agents the operation reaches, for admission (default: the targets; a cascade counts the agents below). */
  readonly operationSize?: number
}

/** Where the scatter runs: its bus, its inbox, and the mesh's mode and breakers now. */
export interface ScatterEnv {
  readonly transport: Transport
  readonly prefix: string
  readonly gatherer: Gatherer
  readonly mode: OpMode
  readonly breakers: Breakers
  /** DEGRADED_MODERATE's scatter limit (default the seed's 1000). */
  readonly scatterLimit?: number
}

export class ScatterRefused extends Data.TaggedError("ScatterRefused")<{ readonly opId: string; readonly refusal: Refusal }> {}
export class ScatterQueued extends Data.TaggedError("ScatterQueued")<{ readonly opId: string; readonly mode: OpMode }> {}
export class InvalidScatter extends Data.TaggedError("InvalidScatter")<{ readonly opId: string; readonly field: string; readonly message: string }> {}
export type ScatterError = ScatterRefused | ScatterQueued | InvalidScatter

export interface Skipped {
  readonly agentId: string
  readonly wouldNeedMs: number
  readonly availableMs: number
}

export interface GatherResult {
  readonly opId: string
  readonly status: GatherStatus
  readonly recommendation?: Recommendation
  readonly targets: number
  readonly sent: ReadonlyArray<string>
  readonly skipped: ReadonlyArray<Skipped>
  /** Targets inside an OPEN breaker scope (or an unhealthy sector when the mode says so): never sent to. */
  readonly unroutable: ReadonlyArray<string>
  readonly ready: ReadonlyArray<Response>
  readonly conflicts: ReadonlyArray<Response>
  readonly transit: ReadonlyArray<Response>
  /** Sent, not answered by the close. */
  readonly stragglers: ReadonlyArray<string>
  /** ready / targets. */
  readonly responseRate: number
  readonly minResponseRate: Ratio
  readonly startedAt: number
  readonly targetAt: number
  readonly closedAt: number
  /** Every sent target answered before the gather deadline. */
  readonly closedEarly: boolean
}

const natOk = (x: number) => Number.isSafeInteger(x) && x >= 0

const validate = (spec: ScatterSpec, aw: number, gw: number, min: Ratio): InvalidScatter | undefined => {
  const bad = (field: string, message: string) => new InvalidScatter({ opId: spec.opId, field, message })
  if (!Schema.is(NodeId)(spec.opId)) return bad("opId", "must be 1-64 of [A-Za-z0-9_-]")
  if (!natOk(aw)) return bad("arrivalWindowMs", `must be a non-negative integer, got ${aw}`)
  if (!natOk(gw)) return bad("gatherWindowMs", `must be a non-negative integer, got ${gw}`)
  if (!natOk(min.num) || !natOk(min.den) || min.den === 0 || min.num > min.den) return bad("minResponseRate", `must be num/den in [0, 1], got ${min.num}/${min.den}`)
  const seen = new Set<string>()
  for (const [i, t] of spec.targets.entries()) {
    const id = t.impedance.agent_id
    if (!Schema.is(NodeId)(id)) return bad(`targets.${i}.impedance.agent_id`, "must be 1-64 of [A-Za-z0-9_-]")
    if (seen.has(id)) return bad(`targets.${i}.impedance.agent_id`, `duplicate target ${id}`)
    seen.add(id)
  }
  return undefined
}

/**
 * `scatter_gather_30k`: admit, route, plan, send by bucket, gather, judge.
 * Fails only when the scatter may not run (refused, queued, invalid); a scatter
 * that ran returns its GatherResult whatever the outcome.
 */
export const scatterGather = (env: ScatterEnv, spec: ScatterSpec): Effect.Effect<GatherResult, ScatterError> =>
  Effect.gen(function* () {
    const aw = spec.arrivalWindowMs ?? 500
    const gw = spec.gatherWindowMs ?? aw
    const min = spec.minResponseRate ?? { num: 95, den: 100 }
    const invalid = validate(spec, aw, gw, min)
    if (invalid !== undefined) return yield* Effect.fail(invalid)
    const adm = admit(
      { targets: spec.operationSize ?? spec.targets.length, priority: spec.priority ?? 2, meshWide: spec.meshWide ?? false, automated: true, humanApproved: spec.humanApproved ?? false },
      env.mode,
      env.scatterLimit ?? 1000,
    )
    if (adm._tag === "Refused") return yield* Effect.fail(new ScatterRefused({ opId: spec.opId, refusal: adm.refusal }))
    if (adm._tag === "Queued") return yield* Effect.fail(new ScatterQueued({ opId: spec.opId, mode: adm.mode }))

    const healthy = healthySectorsOnly(env.mode)
    const routable = spec.targets.filter((t) => isRoutable(env.breakers, t.addr, healthy))
    const unroutable = spec.targets.filter((t) => !isRoutable(env.breakers, t.addr, healthy)).map((t) => t.impedance.agent_id)
    const startedAt = yield* Clock.currentTimeMillis
    const targetAt = startedAt + aw
    const weight = spec.payloadWeight ?? 0
    const plans = calculateSendTimes(startedAt, targetAt, routable.map((t) => t.impedance), weight)
    const skipped: Array<Skipped> = []
    const scheduled = new Set<string>()
    for (const [id, p] of plans) {
      if (p.status === "SKIP") skipped.push({ agentId: id, wouldNeedMs: p.wouldNeedMs, availableMs: p.availableMs })
      else scheduled.add(id)
    }
    const op = yield* env.gatherer.open(spec.opId, scheduled)
    if (op === undefined) return yield* Effect.fail(new InvalidScatter({ opId: spec.opId, field: "opId", message: "an operation with this id is open" }))
    const sent: Array<string> = []
    for (const [at, ids] of groupByBucket(startedAt, plans, bucketWidthMs)) {
      const now = yield* Clock.currentTimeMillis
      if (at > now) yield* Effect.sleep(at - now)
      for (const id of ids) {
        const msg: Coordinate = {
          type: "COORDINATE",
          op_id: spec.opId,
          agent_id: id,
          reply_to: env.gatherer.replyTo,
          target_arrival_ms: targetAt,
          payload_weight: weight,
          payload: spec.payload ?? null,
        }
        env.transport.publish(nodeSubject(env.prefix, id), encodeWire(msg))
        sent.push(id)
      }
    }
    const deadline = targetAt + gw
    const left = deadline - (yield* Clock.currentTimeMillis)
    const allIn = yield* Effect.raceFirst(Effect.as(Deferred.await(op.allIn), true), Effect.as(Effect.sleep(Math.max(0, left)), false))
    const closedAt = yield* Clock.currentTimeMillis
    env.gatherer.close(spec.opId)
    const got = [...op.got.values()]
    const ready = got.filter((r) => r.state === 1)
    const status = gatherStatus(min, spec.targets.length, ready.length)
    const stragglers = sent.filter((id) => !op.got.has(id))
    const rec = recommend(status, sent.length, stragglers.length)
    const result: GatherResult = {
      opId: spec.opId,
      status,
      targets: spec.targets.length,
      sent,
      skipped,
      unroutable,
      ready,
      conflicts: got.filter((r) => r.state === -1),
      transit: got.filter((r) => r.state === 0),
      stragglers,
      responseRate: spec.targets.length === 0 ? 0 : ready.length / spec.targets.length,
      minResponseRate: min,
      startedAt,
      targetAt,
      closedAt,
      closedEarly: allIn && closedAt < deadline,
    }
    return rec === undefined ? result : { ...result, recommendation: rec }
  })

// ---- the responder -------------------------------------------------------------------------

export interface Answer {
  readonly state: Vote
  readonly reach?: Reach
}

export interface NodeStats {
  readonly received: number
  readonly malformed: number
  /** Requests addressed to another id on this node's subject. */
  readonly misaddressed: number
}

/**
 * Serves one node: decodes each COORDINATE (malformed ones counted, never
 * answered), runs `answer` on the node's clock, and ACKs to `reply_to` with
 * when it was ready and how long it took.
 */
export const serveNode = <R>(
  transport: Transport,
  prefix: string,
  id: string,
  answer: (req: Coordinate) => Effect.Effect<Answer, never, R>,
): Effect.Effect<{ stats(): NodeStats }, never, Scope.Scope | R> =>
  Effect.gen(function* () {
    const ctx = yield* Effect.context<R>()
    const clock = yield* Clock.Clock
    const stats = { received: 0, malformed: 0, misaddressed: 0 }
    const running = new Set<Fiber.Fiber<void>>()
    const sub = transport.subscribe(nodeSubject(prefix, id), (data) => {
      const d = decodeWire(Coordinate, data)
      if (Result.isFailure(d)) return void stats.malformed++
      const req = d.success
      if (req.agent_id !== id) return void stats.misaddressed++
      stats.received++
      const t0 = clock.currentTimeMillisUnsafe()
      const fiber = Effect.runForkWith(ctx)(
        Effect.map(answer(req), (a) => {
          const t1 = clock.currentTimeMillisUnsafe()
          const ack: Ack = {
            type: "ACK",
            op_id: req.op_id,
            agent_id: id,
            trinary_state: a.state,
            actual_arrival_ms: t1,
            processing_time_ms: t1 - t0,
            ...(a.reach === undefined ? {} : { reach: a.reach }),
          }
          transport.publish(req.reply_to, encodeWire(ack))
        }),
      )
      running.add(fiber)
      fiber.addObserver(() => running.delete(fiber))
    })
    yield* Effect.addFinalizer(() => Effect.andThen(Effect.promise(() => sub.unsubscribe()), Fiber.interruptAll([...running])))
    return { stats: () => ({ ...stats }) }
  })
