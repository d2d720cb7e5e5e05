/**
 * Virtual stigmergy (seed 004 §5): researchers leave signals (researcher,
 * topic, strength, created) in a shared store; a signal's strength decays
 * linearly with its age and is gone at the time-to-live, so later readers see
 * fresh evidence strongly, old evidence weakly, expired evidence not at all.
 *
 * One store logic over the bus's key-value interface (`Transport.kv`):
 * JetStream KV on NATS, whose bucket max age drops expired entries on the
 * server, or the embedded `memoryKv` whose expiry follows an injected clock.
 * A reader also applies the decay itself, so a signal is invisible at its TTL
 * even before the server has purged it. Keys are `sig.<topic>.<researcher>`;
 * `idx.<topic>` lists the researchers that wrote on a topic (compare-and-set).
 * Everything read back is decoded with a schema: a bad record is a
 * `BadSignal` naming the key and the field.
 *
 * @module
 */
import { Data, Effect, Schema, SchemaIssue } from "effect"
import * as Result from "effect/Result"
import type { Kv, KvEntry } from "../Net/Transport.ts"

const token = Schema.String.check(Schema.isPattern(/^[A-Za-z0-9_-]{1,64}$/))

/** A signal as stored. `strength` is the strength at `created` (ms since the epoch). */
export const Signal = Schema.Struct({
  researcher: token,
  topic: token,
  strength: Schema.Number.check(Schema.isBetween({ minimum: 0, maximum: 1 })),
  created: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
})
export type Signal = typeof Signal.Type

const Index = Schema.Array(token)

/** A record in the store failed to decode (or does not match its key). */
export class BadSignal extends Data.TaggedError("BadSignal")<{ readonly key: string; readonly field: string; readonly problem: string }> {
  override get message(): string {
    return `stigmergy: bad record at ${this.key}, field ${this.field}: ${this.problem}`
  }
}

/** The store refused or failed an operation. */
export class StigmergyIoError extends Data.TaggedError("StigmergyIoError")<{ readonly key: string; readonly operation: string; readonly reason: string }> {
  override get message(): string {
    return `stigmergy: ${this.operation} ${this.key} failed: ${this.reason}`
  }
}

export type StigmergyError = BadSignal | StigmergyIoError

/**
 * Strength of a signal `ageMs` old: `strength · (ttl − age)/ttl` while
 * `age < ttl`, 0 from the TTL on. Non-increasing in age; a negative age (a
 * writer's clock ahead of the reader's) counts as 0, never as a boost.
 */
export const decayed = (strength: number, ageMs: number, ttlMs: number): number => {
  if (!(ttlMs > 0) || ageMs >= ttlMs) return 0
  const age = Math.max(0, ageMs)
  // The fraction first: it is ≤ 1 after rounding, so the result never exceeds `strength`.
  return strength * ((ttlMs - age) / ttlMs)
}

/** A live signal as a reader sees it now. */
export interface Sensed extends Signal {
  readonly ageMs: number
  /** `decayed(strength, ageMs, ttlMs)`, > 0. */
  readonly current: number
}

export interface SignalStore {
  readonly ttlMs: number
  /** Leaves (or refreshes) `researcher`'s signal on `topic`, stamped with the store's clock. */
  readonly deposit: (researcher: string, topic: string, strength: number) => Effect.Effect<Signal, StigmergyError>
  /** The live signals on `topic`, strongest first. */
  readonly sense: (topic: string) => Effect.Effect<ReadonlyArray<Sensed>, StigmergyError>
}

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()
const encoder = new TextEncoder()
const decoder = new TextDecoder()
const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e))

const decodeAt = <A>(schema: Schema.Codec<A, unknown>, key: string, bytes: Uint8Array): Result.Result<A, BadSignal> => {
  let raw: unknown
  try {
    raw = JSON.parse(decoder.decode(bytes))
  } catch (e) {
    return Result.fail(new BadSignal({ key, field: "(json)", problem: reason(e) }))
  }
  const r = Schema.decodeUnknownResult(schema)(raw, { errors: "all" })
  if (Result.isSuccess(r)) return Result.succeed(r.success)
  const first = formatIssues(r.failure.issue).issues[0]
  const field = first?.path !== undefined && first.path.length > 0 ? first.path.map(String).join(".") : "(record)"
  return Result.fail(new BadSignal({ key, field, problem: first?.message ?? "invalid" }))
}

export const signalKey = (topic: string, researcher: string): string => `sig.${topic}.${researcher}`
export const indexKey = (topic: string): string => `idx.${topic}`

const attempts = 8

/** A signal store over `kv` (entries should expire after `ttlMs`); `clock` gives ms since the epoch. */
export const kvSignalStore = (kv: Kv, ttlMs: number, clock: () => number = Date.now): SignalStore => {
  const io = <A>(key: string, operation: string, f: () => Promise<A>): Effect.Effect<A, StigmergyIoError> =>
    Effect.tryPromise({ try: f, catch: (e) => new StigmergyIoError({ key, operation, reason: reason(e) }) })

  // Adds `researcher` to the topic's index (compare-and-set, retried on a lost race).
  const enlist = (topic: string, researcher: string): Effect.Effect<void, StigmergyError> =>
    Effect.gen(function* () {
      const key = indexKey(topic)
      for (let i = 0; i < attempts; i++) {
        const cur: KvEntry | undefined = yield* io(key, "get", () => kv.get(key))
        let members: ReadonlyArray<string> = []
        if (cur !== undefined) {
          const r = decodeAt(Index, key, cur.value)
          if (Result.isFailure(r)) return yield* Effect.fail(r.failure)
          members = r.success
        }
        // Rewritten even when already listed, so the index outlives its newest signal.
        const next = encoder.encode(JSON.stringify(members.includes(researcher) ? members : [...members, researcher]))
        const rev = yield* io(key, "write", () => (cur === undefined ? kv.create(key, next) : kv.update(key, next, cur.revision)))
        if (rev !== undefined) return
      }
      return yield* Effect.fail(new StigmergyIoError({ key, operation: "write", reason: `lost ${attempts} compare-and-set races` }))
    })

  const deposit = (researcher: string, topic: string, strength: number): Effect.Effect<Signal, StigmergyError> =>
    Effect.gen(function* () {
      const key = signalKey(topic, researcher)
      const raw = { researcher, topic, strength, created: Math.floor(clock()) }
      const checked = decodeAt(Signal, key, encoder.encode(JSON.stringify(raw)))
      if (Result.isFailure(checked)) return yield* Effect.fail(checked.failure)
      const value = encoder.encode(JSON.stringify(checked.success))
      for (let i = 0; ; i++) {
        const cur = yield* io(key, "get", () => kv.get(key))
        const rev = yield* io(key, "write", () => (cur === undefined ? kv.create(key, value) : kv.update(key, value, cur.revision)))
        if (rev !== undefined) break
        if (i + 1 >= attempts) return yield* Effect.fail(new StigmergyIoError({ key, operation: "write", reason: `lost ${attempts} compare-and-set races` }))
      }
      yield* enlist(topic, researcher)
      return checked.success
    })

  const sense = (topic: string): Effect.Effect<ReadonlyArray<Sensed>, StigmergyError> =>
    Effect.gen(function* () {
      const ikey = indexKey(topic)
      const idx = yield* io(ikey, "get", () => kv.get(ikey))
      if (idx === undefined) return []
      const members = decodeAt(Index, ikey, idx.value)
      if (Result.isFailure(members)) return yield* Effect.fail(members.failure)
      const now = clock()
      const out: Sensed[] = []
      for (const researcher of members.success) {
        const key = signalKey(topic, researcher)
        const entry = yield* io(key, "get", () => kv.get(key))
        if (entry === undefined) continue // expired on the server (or never written)
        const r = decodeAt(Signal, key, entry.value)
        if (Result.isFailure(r)) return yield* Effect.fail(r.failure)
        const s = r.success
        if (s.topic !== topic || s.researcher !== researcher) {
          return yield* Effect.fail(new BadSignal({ key, field: s.topic !== topic ? "topic" : "researcher", problem: "does not match the entry's key" }))
        }
        const ageMs = now - s.created
        const current = decayed(s.strength, ageMs, ttlMs)
        if (current > 0) out.push({ ...s, ageMs, current })
      }
      return out.sort((a, b) => b.current - a.current || (a.researcher < b.researcher ? -1 : 1))
    })

  return { ttlMs, deposit, sense }
}

/**
 * The embedded key-value store: a map whose entries expire `ttlMs` after
 * their last write by `clock` (the injected time a test can move).
 */
export const memoryKv = (ttlMs: number, clock: () => number = Date.now): Kv => {
  const m = new Map<string, { value: Uint8Array; revision: number; at: number }>()
  let revision = 0
  const live = (key: string) => {
    const e = m.get(key)
    if (e !== undefined && clock() - e.at >= ttlMs) m.delete(key)
    return m.get(key)
  }
  const put = (key: string, value: Uint8Array): number => {
    m.set(key, { value: value.slice(), revision: ++revision, at: clock() })
    return revision
  }
  return {
    get: async (key) => {
      const e = live(key)
      return e === undefined ? undefined : { value: e.value.slice(), revision: e.revision }
    },
    create: async (key, value) => (live(key) === undefined ? put(key, value) : undefined),
    update: async (key, value, expected) => (live(key)?.revision === expected ? put(key, value) : undefined),
    delete: async (key) => {
      m.delete(key)
    },
  }
}

/** The embedded default: `kvSignalStore` over `memoryKv`, both on `clock`. */
export const memorySignalStore = (ttlMs: number, clock: () => number = Date.now): SignalStore =>
  kvSignalStore(memoryKv(ttlMs, clock), ttlMs, clock)
