/**
 * A replica store on NATS JetStream (`Store.ts`): one file-backed stream per
 * replica, `HYREP_<name>` on subject `hyrep.<name>`. Each `append` is one
 * message holding the records back to back (so a batch is stored whole or
 * not at all), and succeeds when the server's publish acknowledgement
 * arrives: the message is in the stream (on every replica of it, in a
 * cluster with `replicas > 1`). `compact` publishes one snapshot and purges
 * every message before it. `load` reads the stream from its first message to
 * its last.
 *
 * Durability is the server's: nats-server writes a stream to its store
 * directory at once, so a killed (even SIGKILLed) server or client loses
 * nothing acknowledged, but it fsyncs only every `sync_interval` (2 min by
 * default); run it with `sync_interval: always` where a power loss must not
 * lose acknowledged records.
 *
 * @module
 */
import { Effect } from "effect"
import * as Result from "effect/Result"
import { jetstream, jetstreamManager, StorageType } from "@nats-io/jetstream"
import type { NatsConnection } from "@nats-io/transport-node"
import type { SyncCodec } from "./Sync.ts"
import { BadRecord, concatBytes, decodeRecord, encodeRecord, ioError, type Loaded, type Store, type StoreError, type StoreRecord } from "./Store.ts"

export interface JetStreamStoreOptions {
  /** Names the replica's stream: letters, digits, `_` and `-` only. */
  readonly name: string
  /** Copies of the stream in a cluster (default 1). */
  readonly replicas?: number
  /** JetStream request timeout, ms (default 5000). */
  readonly timeoutMs?: number
}

/** Whether a stream-create error says the stream is there already. */
const alreadyExists = (e: unknown): boolean => /already in use|exists/i.test(e instanceof Error ? e.message : String(e))

/** The store of replica `options.name` on `nc`; creates its stream if missing. */
export const openJetStreamStore = <A>(nc: NatsConnection, codec: SyncCodec<A>, options: JetStreamStoreOptions): Effect.Effect<Store<A>, StoreError> =>
  Effect.gen(function* () {
    const stream = `HYREP_${options.name}`
    const subject = `hyrep.${options.name}`
    const where = `stream ${stream}`
    if (!/^[A-Za-z0-9_-]+$/.test(options.name)) {
      return yield* Effect.fail(new BadRecord({ where, offset: 0, reason: `store name ${JSON.stringify(options.name)} is not letters, digits, _ or -` }))
    }
    const timeout = options.timeoutMs ?? 5_000
    const jsm = yield* Effect.tryPromise({ try: () => jetstreamManager(nc, { timeout, checkAPI: false }), catch: ioError(where, "connect") })
    const js = jetstream(nc, { timeout })
    yield* Effect.tryPromise({
      try: () =>
        jsm.streams
          .add({ name: stream, subjects: [subject], storage: StorageType.File, num_replicas: options.replicas ?? 1 })
          .then(
            () => undefined,
            (e: unknown) => {
              if (!alreadyExists(e)) throw e
            },
          ),
      catch: ioError(where, "create stream"),
    })

    const load: Effect.Effect<Loaded<A>, StoreError> = Effect.gen(function* () {
      const info = yield* Effect.tryPromise({ try: () => jsm.streams.info(stream), catch: ioError(where, "stream info") })
      const records: Array<StoreRecord<A>> = []
      if (info.state.messages === 0) return { records, repaired: undefined }
      for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
        const msg = yield* Effect.tryPromise({ try: () => jsm.streams.getMessage(stream, { seq }), catch: ioError(where, `get message ${seq}`) })
        if (msg === null) continue // purged or deleted
        const at = `${where} message ${seq}`
        let off = 0
        while (off < msg.data.length) {
          const r = decodeRecord(codec, msg.data, off, at)
          if (Result.isFailure(r)) return yield* Effect.fail(r.failure)
          // A message is stored whole, so a record cut short is damage, not a torn write.
          if (r.success.kind === "incomplete") {
            return yield* Effect.fail(new BadRecord({ where: at, offset: off, reason: "message ends inside a record" }))
          }
          records.push(r.success.record)
          off = r.success.next
        }
      }
      return { records, repaired: undefined }
    })

    const publish = (bytes: Uint8Array, what: string): Effect.Effect<number, StoreError> =>
      Effect.tryPromise({ try: () => js.publish(subject, bytes, { timeout }).then((ack) => ack.seq), catch: ioError(where, what) })

    const append = (records: ReadonlyArray<StoreRecord<A>>): Effect.Effect<void, StoreError> =>
      records.length === 0 ? Effect.void : Effect.asVoid(publish(concatBytes(records.map((r) => encodeRecord(codec, r))), "append"))

    const compact = (state: A, reserved: number): Effect.Effect<void, StoreError> =>
      Effect.gen(function* () {
        const seq = yield* publish(encodeRecord(codec, { kind: "snapshot", state, reserved }), "compact")
        yield* Effect.tryPromise({ try: () => jsm.streams.purge(stream, { seq }), catch: ioError(where, "purge") })
      })

    return { where, load, append, compact }
  })

/** Deletes the stream of replica `name` (tests, decommissioning). */
export const deleteJetStreamStore = (nc: NatsConnection, name: string): Effect.Effect<void, StoreError> =>
  Effect.tryPromise({
    try: async () => {
      const jsm = await jetstreamManager(nc, { checkAPI: false })
      await jsm.streams.delete(`HYREP_${name}`)
    },
    catch: ioError(`stream HYREP_${name}`, "delete"),
  })
