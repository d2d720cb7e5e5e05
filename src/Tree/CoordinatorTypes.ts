/**
 * What the tree's drivers and tests see of a coordinator: its options, rates,
 * counters and the `CoordinatorLike` surface that a `Coordinator` and a view of
 * a `LocalLevel` column share.
 *
 * @module
 */
import type { Transport } from "../Net/Transport.ts"
import type { Down, Heartbeat, MessageError, MessageErrorTag, MessageKind } from "./Messages.ts"
import type { Summary } from "./Summary.ts"
import type { CoordinatorId, Subjects, Topology } from "./Topology.ts"
/** Merge rates in Hz by role. */
export interface Rates {
  readonly local: number
  readonly regional: number
  readonly global: number
}

export const defaultRates: Rates = { local: 30, regional: 10, global: 1 }

/** The rate of coordinator `c`: the root is global, level 1 local, the rest regional. */
export const rateOf = (t: Topology, c: CoordinatorId, rates: Rates = defaultRates): number =>
  c.level === t.levels ? rates.global : c.level === 1 ? rates.local : rates.regional

export interface CoordinatorOptions {
  readonly topology: Topology
  readonly id: CoordinatorId
  readonly transport: Transport
  /** Largest accepted message (default 64 KiB). */
  readonly maxBytes?: number
  /** Called for every rejected message (after it is counted). */
  readonly onReject?: (error: MessageError, subject: string) => void
  /** A newer Down reached this coordinator. */
  readonly onDown?: (m: Down) => void
  /** Replication: start as the active replica (default) or as a standby that publishes nothing. */
  readonly role?: CoordinatorRole
  /** Replication: also subscribe to its own down subject, to hear its position's active replica. */
  readonly watchPeers?: boolean
  /** Send Up only once every child has reported (a fresh replica never sends a partial merge). */
  readonly requireComplete?: boolean
  /** Clock for the last-heard times, ms (default performance.now). */
  readonly now?: () => number
  /** A heartbeat arrived: from a child, from the parent, or from a replica of this position ("peer"). */
  readonly onHeartbeat?: (m: Heartbeat, from: "child" | "parent" | "peer") => void
  /**
   * Subscribe to its subjects on `start` (default true). With false its owner
   * delivers them (`receive`, `receivePeer`), e.g. from one wildcard
   * subscription per level of a process (src/Tree/Runner.ts).
   */
  readonly subscribe?: boolean
  /**
   * Unwraps each buffer on the up subject before anything reads it (a signed
   * envelope, src/Trust/TreeSeal.ts): the inner bytes, or `undefined` to drop
   * it (the opener counts why).
   */
  readonly openUp?: (data: Uint8Array) => Uint8Array | undefined
  /** Wraps each message it publishes on its own down subject (Down, Heartbeat; a signed envelope, src/Trust/TreeSeal.ts). */
  readonly sealDown?: (data: Uint8Array) => Uint8Array
  /** Wraps each message it publishes on its parent's up subject (Up, Heartbeat; a signed envelope, src/Trust/ProcessTrust.ts). */
  readonly sealUp?: (data: Uint8Array) => Uint8Array
  /** Unwraps each buffer on a down subject (the parent's, or its own) before anything reads it; `undefined` drops it. */
  readonly openDown?: (data: Uint8Array) => Uint8Array | undefined
  /**
   * The highest epoch an honest Up or Down can carry now (src/Tree/Versions.ts);
   * default this coordinator's Down epoch + 1.
   */
  readonly epochCeiling?: () => number
  /**
   * Whether a new leadership `term` claimed by `from` (a child, the parent, or
   * this position's replica) is believable. Default: no Up term (an
   * unreplicated tree has none), any Heartbeat term (nothing acts on it).
   */
  readonly termOk?: (from: CoordinatorId, term: number, kind: "Up" | "Heartbeat") => boolean
}

/**
 * What the tree runner and the tests observe and drive of a coordinator: a
 * `Coordinator` (an upper one), or a view of one local coordinator of a
 * `LocalLevel` (src/Tree/LocalLevel.ts).
 */
export interface CoordinatorLike {
  readonly topology: Topology
  readonly id: CoordinatorId
  readonly name: string
  readonly subjects: Subjects
  readonly isRoot: boolean
  readonly childCount: number
  readonly epoch: number
  readonly policy: Uint8Array
  readonly triggers: ReadonlyArray<number>
  readonly seq: number
  readonly summary: Summary
  readonly summaryEpoch: number
  readonly heartbeats: Uint32Array
  readonly counters: CoordinatorCounters
  readonly rejectedByTag: Partial<Record<MessageErrorTag, number>>
  readonly rejections: ReadonlyArray<{ readonly subject: string; readonly error: MessageError }>
  readonly childEpoch: number
  mergedChildren(): Summary
  tick(): Summary
  heartbeat(term: number): void
  whenEpoch(epoch: number): Promise<void>
  whenChildrenAt(epoch: number): Promise<void>
  whenSummaryAt(epoch: number): Promise<void>
}

/**
 * What a replica (src/Tree/Replica.ts) drives of the coordinator it runs: an
 * upper `Coordinator`, or the view of a `LocalLevel` run of one.
 */
export interface ReplicaCoordinator extends CoordinatorLike {
  readonly transport: Transport
  readonly role: CoordinatorRole
  readonly term: number
  readonly peerTerm: number
  readonly parentTerm: number
  /** When this position's active replica, the parent, and each child were last heard (performance.now ms). */
  readonly peerHeardAt: number
  readonly parentHeardAt: number
  readonly childHeardAt: Float64Array
  /** Who sent the Down it holds (undefined: none yet, or broadcast here). */
  readonly downFrom: CoordinatorId | undefined
  start(): Promise<void>
  stop(): Promise<void>
  reattach(transport: Transport): Promise<void>
  beat(): void
  promote(term: number): void
  demote(): void
  /** Root only: starts the next epoch with `policy` and `triggers`; the epoch. */
  broadcast(policy?: Uint8Array, triggers?: ReadonlyArray<number>): number
}

/** The role of a replica of a coordinator position. */
export type CoordinatorRole = "active" | "standby"

/** The replication fields that a `Coordinator` and a `LocalLevel` column keep. */
export interface Leadership {
  role: CoordinatorRole
  term: number
  peerTerm: number
  seq: number
}

/** Becomes the active replica with leadership `term`: the highest term heard is at least it, and Up seqs restart under it. */
export const takeLead = (c: Leadership, term: number): void => {
  c.role = "active"
  c.term = term
  c.peerTerm = Math.max(c.peerTerm, term)
  c.seq = 0
}

/** Counters of one coordinator. */
export interface CoordinatorCounters {
  received: number
  accepted: number
  duplicates: number
  stale: number
  rejected: number
  internalErrors: number
  lateralDelivered: number
  /** Tree messages by kind; an Up inside an UpBatch counts as one Up. */
  published: Record<MessageKind, number>
  /** Publishes saved by UpBatches: Ups carried in them minus the batches (bus publishes = the sum of `published` − this). */
  coalesced: number
  /** Rejected for a version field out of bounds (also in `rejected`, as InvalidField; src/Tree/Versions.ts). */
  versionRejected: number
}

/** How many recent rejections each coordinator keeps. */
export const rejectionLogSize = 16

/** Zeroed counters. */
export const zeroCounters = (): CoordinatorCounters => ({
  received: 0,
  accepted: 0,
  duplicates: 0,
  stale: 0,
  rejected: 0,
  internalErrors: 0,
  lateralDelivered: 0,
  published: { Up: 0, Down: 0, Heartbeat: 0, Lateral: 0 },
  coalesced: 0,
  versionRejected: 0,
})
