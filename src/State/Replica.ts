/**
 * A running replica of a replicated state (the viewport state, or any lattice
 * with a codec): local mutations as deltas, anti-entropy with its peers over
 * the bus with the protocol of `Sync.ts` (delta-state, acknowledgements), and
 * a durable `Store` (`FileStore.ts`, `JetStreamStore.ts`) so that a restarted
 * replica loses nothing it acknowledged. See "Persistence" in `SYNC.md`.
 *
 * Ordering, which is the whole point:
 *  - a local mutation's delta is stored before it is applied and before
 *    `update` returns (a returned `update` is acknowledged to its caller);
 *  - a received payload that inflates the state is stored before it is
 *    applied and before the `ACK` goes back (an `ACK` is a promise to the
 *    peer that it need never send those intervals again);
 *  - before a message numbered up to `to` is sent, sequence numbers up to
 *    `to` are reserved in the store, so a restart resumes numbering above
 *    every number a peer may acknowledge — a stale `ACK` from before the
 *    crash then still tells the truth.
 *
 * A restarted replica starts at base = its reservation, with its stored
 * state as the one buffered interval and no peer known as acknowledged, so
 * its first message to each peer is its full state.
 *
 * Lifecycle: `makeReplica` is a scoped resource. It loads the store,
 * subscribes to `<subject>.<id>`, and forks a receive loop and an
 * anti-entropy loop (every `intervalMs`, a message to each peer that lacks
 * something) into the scope; closing the scope stops both and unsubscribes.
 * Every operation on the replica runs under one permit, so store writes,
 * applies and sends never interleave. A store failure fails that `update`
 * (nothing applied), or leaves that message unacknowledged, or that round
 * unsent; it is counted and the loops go on.
 *
 * @module
 */
import { Effect, Queue, Schedule, type Scope, Semaphore } from "effect"
import * as Result from "effect/Result"
import type { Transport } from "../Net/Transport.ts"
import type { JoinSemilatticeBot } from "./Lattice.ts"
import { replay, type Store, type StoreError, type StoreRecord, type TornTail } from "./Store.ts"
import { decodeMessage, makeSync, type Replica as SyncReplica, seqOf, type SyncCodec, type SyncError } from "./Sync.ts"

export interface ReplicaOptions<A> {
  readonly id: number
  /** The other replicas' ids. */
  readonly peers: ReadonlyArray<number>
  /** Subject prefix of the group; replica `i` listens on `<subject>.<i>`. */
  readonly subject: string
  readonly lattice: JoinSemilatticeBot<A>
  readonly codec: SyncCodec<A>
  readonly transport: Transport
  readonly store: Store<A>
  /** Anti-entropy period, ms (default 50). */
  readonly intervalMs?: number
  /** Delta buffer window of the sync protocol (default 64). */
  readonly window?: number
  /** Compact the store after this many appended records (default 256). */
  readonly compactEvery?: number
  /** Messages waiting to be handled at most; more are dropped (default 4096). */
  readonly inboxCapacity?: number
  /** Sequence numbers reserved per reservation record (default 1024). */
  readonly reserveBlock?: number
}

/** What a replica has done, for logs and tests. */
export interface ReplicaStats {
  /** Records appended to the store since it was opened. */
  readonly persisted: number
  readonly compactions: number
  /** Sync messages taken from the inbox (each then applied and acknowledged, or rejected, or stopped by a store failure). */
  readonly received: number
  /** Messages not sent (the transport refused) or not taken in (inbox full); anti-entropy sends them again. */
  readonly dropped: number
  /** Acknowledgements sent: each after its payload was stored. */
  readonly acksSent: number
  /** Sync messages rejected (never applied). */
  readonly rejected: number
  readonly lastError: SyncError | undefined
  /** The torn tail the store cut when it was loaded, if any. */
  readonly repaired: TornTail | undefined
  /** Records the store held at start (what the replica restarted from). */
  readonly loadedRecords: number
  /** Store failures in the receive and anti-entropy loops (each: that message not acknowledged, or that round not sent). */
  readonly storeFailures: number
  readonly lastStoreError: StoreError | undefined
}

export interface ReplicaHandle<A> {
  readonly id: number
  readonly state: Effect.Effect<A>
  /**
   * Apply a local operation given as a delta mutator (`x ⊔ δ(x) = m(x)`) of
   * the current state; returns the new state once the delta is stored.
   */
  readonly update: (delta: (state: A) => A) => Effect.Effect<A, StoreError>
  /** One anti-entropy round now (the loop also runs one every `intervalMs`). */
  readonly gossip: Effect.Effect<void, StoreError>
  readonly stats: Effect.Effect<ReplicaStats>
}

/** The replica in a scope (see the module comment); fails if the store cannot be loaded. */
export const makeReplica = <A>(options: ReplicaOptions<A>): Effect.Effect<ReplicaHandle<A>, StoreError, Scope.Scope> =>
  Effect.gen(function* () {
    const { id, peers, lattice, codec, transport, store } = options
    const sync = makeSync(lattice, codec, options.window === undefined ? {} : { window: options.window })
    const compactEvery = options.compactEvery ?? 256
    const block = options.reserveBlock ?? 1024
    const inbox = `${options.subject}.${id}`

    const loaded = yield* store.load
    const { state, reserved: loadedReserved } = replay(lattice, loaded.records)
    let reserved = loadedReserved
    let r: SyncReplica<A> = {
      id,
      state,
      base: reserved,
      buffer: [state],
      open: false,
      acked: new Map(),
      rejected: 0,
      lastError: undefined,
    }
    let sinceCompact = loaded.records.length
    let persisted = 0
    let compactions = 0
    let acksSent = 0
    let received = 0
    let dropped = 0
    let storeFailures = 0
    let lastStoreError: StoreError | undefined

    const lock = yield* Semaphore.make(1)
    const serial = lock.withPermits(1)

    const persist = (records: ReadonlyArray<StoreRecord<A>>): Effect.Effect<void, StoreError> =>
      Effect.gen(function* () {
        yield* store.append(records)
        persisted += records.length
        sinceCompact += records.length
        if (sinceCompact >= compactEvery) {
          // The snapshot is the state and reservation with these records applied; everything else in
          // `r.state` was stored before it was applied, so the snapshot loses nothing.
          const after = replay(lattice, [{ kind: "snapshot", state: r.state, reserved }, ...records])
          yield* store.compact(after.state, after.reserved)
          compactions++
          sinceCompact = 1
        }
      })

    /** A publish that throws (connection closed) is a dropped message: anti-entropy sends it again. */
    const send = (peer: number, bytes: Uint8Array): boolean => {
      try {
        transport.publish(`${options.subject}.${peer}`, bytes)
        return true
      } catch {
        dropped++
        return false
      }
    }

    const update = (delta: (s: A) => A): Effect.Effect<A, StoreError> =>
      serial(
        Effect.gen(function* () {
          const d = delta(r.state)
          yield* persist([{ kind: "delta", payload: d }])
          r = sync.update(r, d)
          return r.state
        }),
      )

    const receive = (bytes: Uint8Array): Effect.Effect<void, StoreError> =>
      serial(
        Effect.gen(function* () {
          received++
          const m = decodeMessage(codec, bytes)
          if (Result.isSuccess(m) && m.success.kind !== "ack" && m.success.receiver === id && m.success.sender !== id) {
            const payload = m.success.payload
            if (!lattice.equals(lattice.join(r.state, payload), r.state)) yield* persist([{ kind: "delta", payload }])
          }
          const got = sync.receive(r, bytes)
          r = got.replica
          if (got.reply !== undefined) {
            const peer = Result.isSuccess(m) ? m.success.sender : undefined
            if (peer !== undefined && send(peer, got.reply)) acksSent++
          }
        }),
      )

    const gossip: Effect.Effect<void, StoreError> = serial(
      Effect.gen(function* () {
        for (const peer of peers) {
          const out = sync.deltasFor(r, peer)
          if (out.message !== undefined) {
            const to = seqOf(out.replica)
            if (to > reserved) {
              yield* persist([{ kind: "reserve", reserved: to + block }])
              reserved = to + block
            }
            send(peer, out.message)
          }
          r = out.replica
        }
      }),
    )

    // Bounded: when the replica falls behind, new messages are dropped, which anti-entropy repairs (they are sent again).
    const queue = yield* Queue.make<Uint8Array>({ capacity: options.inboxCapacity ?? 4096, strategy: "dropping" })
    yield* Effect.acquireRelease(
      Effect.sync(() =>
        transport.subscribe(inbox, (data) => {
          if (!Queue.offerUnsafe(queue, data)) dropped++
        }),
      ),
      (sub) => Effect.promise(() => sub.unsubscribe().catch(() => undefined)),
    )
    // A store failure (a disk error, a bus restart for JetStream) costs one message or one round: the
    // message is not acknowledged (its sender sends it again), the round sends nothing; the loops go on.
    const noted = (e: StoreError) =>
      Effect.sync(() => {
        storeFailures++
        lastStoreError = e
      })
    yield* Effect.forkScoped(Effect.forever(Effect.flatMap(Queue.take(queue), (bytes) => Effect.catch(receive(bytes), noted))))
    yield* Effect.forkScoped(Effect.repeat(Effect.catch(gossip, noted), Schedule.spaced(options.intervalMs ?? 50)))

    return {
      id,
      state: Effect.sync(() => r.state),
      update,
      gossip,
      stats: Effect.sync(() => ({
        persisted,
        compactions,
        acksSent,
        received,
        dropped,
        rejected: r.rejected,
        lastError: r.lastError,
        repaired: loaded.repaired,
        loadedRecords: loaded.records.length,
        storeFailures,
        lastStoreError,
      })),
    }
  })
