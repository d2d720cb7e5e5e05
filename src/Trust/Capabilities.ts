/**
 * Capabilities (issue 13, Part 9.1): what each agent may ask its local
 * coordinator to route. The action is derived from the message itself, not
 * claimed by the sender: a Lateral to an agent of the same local cluster is
 * `lateral.cluster`, to any other agent `lateral.any`. The local coordinator
 * refuses (typed, counted) an action the agent lacks before it routes it
 * (`TreeOptions.admitLateral`, src/Tree/CoordinatorTree.ts); a rate limiter
 * (src/Trust/RateLimit.ts) may sit behind the same gate.
 *
 * The table is configuration: decoded with a schema, a bad one is a
 * `BadCapabilities` naming the source and the field.
 *
 * @module
 */
import { Data, Schema, SchemaIssue } from "effect"
import * as Result from "effect/Result"
import type { Lateral } from "../Tree/Messages.ts"
import { type CoordinatorId, localOf, type Topology } from "../Tree/Topology.ts"
import type { RateLimiter } from "./RateLimit.ts"

export const Action = Schema.Literals(["lateral.cluster", "lateral.any"])
export type Action = typeof Action.Type
export const actions: ReadonlyArray<Action> = ["lateral.cluster", "lateral.any"]

const agentIndex = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/** One agent's grant. */
export const AgentCapabilities = Schema.Struct({ agent: agentIndex, actions: Schema.Array(Action) })

/** The table: what every agent may do (`default`), and per-agent grants that replace it. */
export const CapabilityTable = Schema.Struct({ default: Schema.Array(Action), agents: Schema.Array(AgentCapabilities) })
export type CapabilityTable = typeof CapabilityTable.Type

/** A capability table that does not decode: where and what. */
export class BadCapabilities extends Data.TaggedError("BadCapabilities")<{ readonly source: string; readonly field: string; readonly problem: string }> {
  override get message(): string {
    return `bad capabilities in ${this.source} at ${this.field}: ${this.problem}`
  }
}

/** The agent asked for an action it was not granted. */
export class NotPermitted extends Data.TaggedError("NotPermitted")<{ readonly agent: number; readonly action: Action; readonly receiver: CoordinatorId }> {
  override get message(): string {
    return `agent ${this.agent} may not ${this.action} (refused by L${this.receiver.level}.${this.receiver.index})`
  }
}

/** The agent's low-priority traffic is over its rate. */
export class RateLimited extends Data.TaggedError("RateLimited")<{ readonly agent: number; readonly receiver: CoordinatorId }> {
  override get message(): string {
    return `agent ${this.agent} is over its rate (dropped by L${this.receiver.level}.${this.receiver.index})`
  }
}

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()

/** Decodes a capability table; `source` names where it came from. */
export const decodeCapabilities = (raw: unknown, source: string): Result.Result<Capabilities, BadCapabilities> => {
  const d = Schema.decodeUnknownResult(CapabilityTable)(raw, { errors: "all" })
  if (Result.isFailure(d)) {
    const first = formatIssues(d.failure.issue).issues[0]
    const field = first?.path !== undefined && first.path.length > 0 ? first.path.map(String).join(".") : "(table)"
    return Result.fail(new BadCapabilities({ source, field, problem: first?.message ?? "invalid" }))
  }
  const seen = new Set<number>()
  for (const [i, a] of d.success.agents.entries()) {
    if (seen.has(a.agent)) return Result.fail(new BadCapabilities({ source, field: `agents.${i}.agent`, problem: `agent ${a.agent} is granted twice` }))
    seen.add(a.agent)
  }
  return Result.succeed(new Capabilities(d.success))
}

/** Decodes a capability table from JSON text. */
export const parseCapabilities = (text: string, source: string): Result.Result<Capabilities, BadCapabilities> => {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (e) {
    return Result.fail(new BadCapabilities({ source, field: "(json)", problem: (e as Error).message }))
  }
  return decodeCapabilities(raw, source)
}

/** A decoded table (build it with `decodeCapabilities`). */
export class Capabilities {
  private readonly fallback: ReadonlySet<Action>
  private readonly grants = new Map<number, ReadonlySet<Action>>()

  constructor(table: CapabilityTable) {
    this.fallback = new Set(table.default)
    for (const a of table.agents) this.grants.set(a.agent, new Set(a.actions))
  }

  /** Whether `agent` holds `action`. */
  allows(agent: number, action: Action): boolean {
    return (this.grants.get(agent) ?? this.fallback).has(action)
  }
}

/** What a Lateral asks: within the sender's local cluster, or beyond. */
export const actionOf = (t: Topology, m: Lateral): Action =>
  localOf(t, m.fromAgent).index === localOf(t, m.toAgent).index ? "lateral.cluster" : "lateral.any"

export interface GateCounters {
  allowed: number
  refused: number
  rateLimited: number
}

/**
 * The local coordinators' check before routing an agent's Lateral:
 * capability first (a refused action spends no token), then the sender's
 * rate (Laterals are low priority). `admit` is `TreeOptions.admitLateral`.
 */
export class CapabilityGate {
  readonly counters: GateCounters = { allowed: 0, refused: 0, rateLimited: 0 }
  readonly refusedBy: Record<Action, number> = { "lateral.cluster": 0, "lateral.any": 0 }
  /** The latest refusals (typed), newest last, at most 32. */
  readonly recent: Array<NotPermitted | RateLimited> = []

  private readonly topology: Topology
  private readonly capabilities: Capabilities
  private readonly limiter: RateLimiter | undefined

  constructor(topology: Topology, capabilities: Capabilities, limiter?: RateLimiter) {
    this.topology = topology
    this.capabilities = capabilities
    this.limiter = limiter
  }

  /** Whether local coordinator `receiver` may route `m`: nothing, or why not (counted). */
  check(m: Lateral, receiver: CoordinatorId): Result.Result<void, NotPermitted | RateLimited> {
    const action = actionOf(this.topology, m)
    if (!this.capabilities.allows(m.fromAgent, action)) {
      this.counters.refused++
      this.refusedBy[action]++
      return this.refuse(new NotPermitted({ agent: m.fromAgent, action, receiver }))
    }
    // per sender at each local coordinator: a Lateral crossing clusters spends one token at each end
    if (this.limiter !== undefined && !this.limiter.admit(`${receiver.index}:${m.fromAgent}`, "low")) {
      this.counters.rateLimited++
      return this.refuse(new RateLimited({ agent: m.fromAgent, receiver }))
    }
    this.counters.allowed++
    return Result.succeed(undefined)
  }

  private refuse(e: NotPermitted | RateLimited): Result.Result<void, NotPermitted | RateLimited> {
    if (this.recent.length >= 32) this.recent.shift()
    this.recent.push(e)
    return Result.fail(e)
  }

  /** `check` as `TreeOptions.admitLateral` takes it. */
  readonly admit = (m: Lateral, receiver: CoordinatorId): boolean => Result.isSuccess(this.check(m, receiver))
}
