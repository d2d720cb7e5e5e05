/**
 * The impedance registry (seed 002, Part 2.3): one `AgentImpedance` record per
 * agent in a key-value bucket of the Transport, so it is replicated by
 * JetStream KV on NATS and held in memory by the in-process bus (the embedded
 * default); the same code runs on both.
 *
 * Records are checked against the schema before they are written (a bad one
 * is refused and nothing is written) and after they are read (bytes that some
 * other writer left in the bucket are reported, never handed on). A record is
 * stored under its own agent id; one under another key is reported as such.
 * A sector's local replica (`RegistryReplica`) serves reads from memory and
 * is refreshed from the bucket within a stated lag.
 */
import { Data, Effect, type Scope } from "effect"
import * as Result from "effect/Result"
import { validateKey } from "../Net/Subjects.ts"
import type { Kv, Transport } from "../Net/Transport.ts"
import type { AgentImpedance } from "./Arrival.ts"
import type { Addr } from "./Breaker.ts"
import { type AgentImpedanceRecord, decodeAgentImpedance } from "./Impedance.ts"
import type { Target } from "./ScatterGather.ts"

export interface Issue {
  readonly field: string
  readonly message: string
}

/** The id cannot be a bucket key (NATS key rules). */
export class RegistryKeyInvalid extends Data.TaggedError("RegistryKeyInvalid")<{ readonly key: string }> {}
/** A record refused before writing: `issues` name each bad field. */
export class RegistryWriteRefused extends Data.TaggedError("RegistryWriteRefused")<{ readonly key: string; readonly issues: ReadonlyArray<Issue> }> {}
/** Bytes in the bucket that are not a record (not UTF-8 JSON, or not the schema). */
export class RegistryRecordInvalid extends Data.TaggedError("RegistryRecordInvalid")<{
  readonly key: string
  readonly revision: number
  readonly issues: ReadonlyArray<Issue>
}> {}
/** A valid record stored under another agent's key. */
export class RegistryIdMismatch extends Data.TaggedError("RegistryIdMismatch")<{ readonly key: string; readonly recordId: string; readonly revision: number }> {}
/** Compare-and-set lost: the record changed since `expected`. */
export class RegistryConflict extends Data.TaggedError("RegistryConflict")<{ readonly key: string; readonly expected: number }> {}

export type RegistryReadError = RegistryKeyInvalid | RegistryRecordInvalid | RegistryIdMismatch
export type RegistryWriteError = RegistryKeyInvalid | RegistryWriteRefused | RegistryConflict

const isKey = (k: string): boolean => {
  try {
    validateKey(k)
    return true
  } catch {
    return false
  }
}

export interface Stored {
  readonly record: AgentImpedanceRecord
  readonly revision: number
}

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder("utf-8", { fatal: true })

/** Decodes one stored value; exported for the replica and the tests. */
export const decodeStored = (key: string, value: Uint8Array, revision: number): Result.Result<Stored, RegistryRecordInvalid | RegistryIdMismatch> => {
  let raw: unknown
  try {
    raw = JSON.parse(fromUtf8.decode(value))
  } catch (e) {
    return Result.fail(new RegistryRecordInvalid({ key, revision, issues: [{ field: "(bytes)", message: `not UTF-8 JSON: ${e instanceof Error ? e.message : String(e)}` }] }))
  }
  const d = decodeAgentImpedance(raw)
  if (Result.isFailure(d)) return Result.fail(new RegistryRecordInvalid({ key, revision, issues: d.failure.issues }))
  if (d.success.agent_id !== key) return Result.fail(new RegistryIdMismatch({ key, recordId: d.success.agent_id, revision }))
  return Result.succeed({ record: d.success, revision })
}

export interface ImpedanceRegistry {
  readonly bucket: string
  get(agentId: string): Promise<Result.Result<Stored | undefined, RegistryReadError>>
  /** Writes `record` under its agent id whatever is there; the new revision. */
  put(record: unknown): Promise<Result.Result<number, RegistryWriteError>>
  /** Writes only if the stored revision is `expected` (0: only if absent). */
  update(record: unknown, expected: number): Promise<Result.Result<number, RegistryWriteError>>
  remove(agentId: string): Promise<Result.Result<void, RegistryKeyInvalid>>
}

const checkWrite = (record: unknown): Result.Result<AgentImpedanceRecord, RegistryKeyInvalid | RegistryWriteRefused> => {
  const d = decodeAgentImpedance(record)
  const key = typeof record === "object" && record !== null && typeof (record as { agent_id?: unknown }).agent_id === "string" ? (record as { agent_id: string }).agent_id : "(none)"
  if (Result.isFailure(d)) return Result.fail(new RegistryWriteRefused({ key, issues: d.failure.issues }))
  if (!isKey(d.success.agent_id)) return Result.fail(new RegistryKeyInvalid({ key: d.success.agent_id }))
  return Result.succeed(d.success)
}

/** The registry in `bucket` of `transport` (JetStream KV on NATS, memory in-process). */
export const makeImpedanceRegistry = async (transport: Transport, bucket = "mesh-impedance"): Promise<ImpedanceRegistry> => {
  const kv: Kv = await transport.kv(bucket)
  const write = async (record: unknown, expected: number | undefined): Promise<Result.Result<number, RegistryWriteError>> => {
    const c = checkWrite(record)
    if (Result.isFailure(c)) return Result.fail(c.failure)
    const key = c.success.agent_id
    const bytes = utf8.encode(JSON.stringify(c.success))
    if (expected === 0) {
      const rev = await kv.create(key, bytes)
      return rev === undefined ? Result.fail(new RegistryConflict({ key, expected })) : Result.succeed(rev)
    }
    if (expected !== undefined) {
      const rev = await kv.update(key, bytes, expected)
      return rev === undefined ? Result.fail(new RegistryConflict({ key, expected })) : Result.succeed(rev)
    }
    // last writer wins: read the revision and retry the compare-and-set (bounded: a hot key reports a conflict)
    for (let i = 0; i < 16; i++) {
      const cur = await kv.get(key)
      const rev = cur === undefined ? await kv.create(key, bytes) : await kv.update(key, bytes, cur.revision)
      if (rev !== undefined) return Result.succeed(rev)
    }
    return Result.fail(new RegistryConflict({ key, expected: -1 }))
  }
  return {
    bucket,
    get: async (agentId) => {
      if (!isKey(agentId)) return Result.fail(new RegistryKeyInvalid({ key: agentId }))
      const e = await kv.get(agentId)
      return e === undefined ? Result.succeed(undefined) : decodeStored(agentId, e.value, e.revision)
    },
    put: (record) => write(record, undefined),
    update: (record, expected) => write(record, expected),
    remove: async (agentId) => {
      if (!isKey(agentId)) return Result.fail(new RegistryKeyInvalid({ key: agentId }))
      await kv.delete(agentId)
      return Result.succeed(undefined)
    },
  }
}

/**
 * A sector's local copy of its agents' records: reads from memory, refreshed
 * from the bucket by `refresh` (callers run it at least once per allowed lag,
 * the seed's 1 s). Invalid entries are left out of the copy and returned.
 */
export class RegistryReplica {
  private readonly records = new Map<string, Stored>()
  private readonly registry: ImpedanceRegistry
  readonly agentIds: ReadonlyArray<string>
  constructor(registry: ImpedanceRegistry, agentIds: ReadonlyArray<string>) {
    this.registry = registry
    this.agentIds = agentIds
  }

  /** Re-reads every agent; returns the entries that could not be used. */
  async refresh(): Promise<ReadonlyArray<RegistryReadError>> {
    const bad: Array<RegistryReadError> = []
    for (const id of this.agentIds) {
      const r = await this.registry.get(id)
      if (Result.isFailure(r)) {
        bad.push(r.failure)
        this.records.delete(id)
      } else if (r.success === undefined) this.records.delete(id)
      else this.records.set(id, r.success)
    }
    return bad
  }

  read(agentId: string): Stored | undefined {
    return this.records.get(agentId)
  }

  get size(): number {
    return this.records.size
  }
}

/**
 * Refreshes `replica` every `everyMs` on the Effect clock until the scope
 * closes, so a write is in the replica at most `everyMs` plus one refresh
 * later (the seed asks for 1 s). `onProblems` hears each refresh's bad entries.
 */
export const keepFresh = (
  replica: RegistryReplica,
  everyMs = 1000,
  onProblems: (p: ReadonlyArray<RegistryReadError>) => void = () => {},
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.asVoid(
    Effect.forkScoped(
      Effect.forever(
        Effect.andThen(
          Effect.tap(Effect.promise(() => replica.refresh()), (p) => Effect.sync(() => (p.length > 0 ? onProblems(p) : undefined))),
          Effect.sleep(everyMs),
        ),
      ),
    ),
  )

/** The fields scheduling reads, with the heartbeat as epoch ms. */
export const schedulingView = (r: AgentImpedanceRecord): AgentImpedance => ({
  agent_id: r.agent_id,
  agent_class: r.agent_class,
  current_latency_ms: r.current_latency_ms,
  current_queue_depth: r.current_queue_depth,
  last_heartbeat_ms: Date.parse(r.last_heartbeat),
  reliability_score: r.reliability_score,
  drift_coefficient: r.drift_coefficient,
})

/** A scatter target from a registry record; offline and quarantined agents are not targets. */
export const targetOf = (r: AgentImpedanceRecord, addr: Addr): Target | undefined =>
  r.operational_state === "offline" || r.operational_state === "quarantined" ? undefined : { addr, impedance: schedulingView(r) }
