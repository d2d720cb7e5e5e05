/**
 * Binary messages of the coordinator tree, with a versioned header.
 *
 * Header (16 bytes, little-endian):
 *   0 magic "HT" (0x48 0x54) · 2 version u8 = 1 · 3 kind u8 (1 Up, 2 Down,
 *   3 Heartbeat, 4 Lateral, 5 UpBatch) · 4 sender level u16 (0 = an agent) ·
 *   6 reserved u16 = 0 · 8 sender index u32 · 12 body length u32.
 *
 * Bodies:
 *   Up        epoch u32 · seq u32 · count f64 · sum f64 · min f64 · max f64   (40 bytes)
 *             [· term u32 ≥ 1]                                                (44 bytes, replicated senders)
 *   Down      epoch u32 · policy length u32 · policy bytes · trigger count u32 · triggers u32…
 *   Heartbeat term u32                                                         (4 bytes)
 *   Lateral   from agent u32 · to agent u32 · payload length u32 · payload bytes
 *   UpBatch   count u32 ≥ 1 · count × (index u32 · epoch u32 · seq u32 · count f64 · sum f64 · min f64 · max f64)
 *             (44 bytes each; indices strictly increasing; the header's sender is the first entry's)
 *
 * An UpBatch carries the term-less Ups of several coordinators of one level to
 * their common parent in one bus message: the hosts of many local
 * coordinators (the seeds' edge node pools) send one per parent instead of k.
 * Each entry is the Up its coordinator would have sent and is checked as one
 * (`checkSender` checks every entry's sender); it counts as that many Up
 * messages of the tree.
 *
 * The sender in the header is the node that published this hop: the child for
 * Up, the parent for Down, the forwarding node (or the sending agent, level 0)
 * for Lateral, and for Heartbeat either a child (on the parent's up subject) or
 * the parent (on its own down subject, to its children).
 *
 * An Up's `term` is the leadership term of the replica that sent it (see
 * src/Tree/Failover.ts): receivers order a child's summaries by
 * `(term, epoch, seq)`, so messages of a deposed leader (an older term) are
 * ignored. Unreplicated coordinators send no term (term 0, the 40-byte body);
 * a 44-byte body must carry a term ≥ 1, so each Up has one canonical encoding.
 *
 * `decodeMessage` never throws: every malformed buffer gives a typed error in
 * a `Result` (the byte layer's `Truncated` / `BadHeader` / `InvalidField`, or
 * `UnknownKind` / `OversizedMessage`). It accepts only canonical encodings (an
 * accepted buffer re-encodes to itself). `checkSender` is the receiver's check
 * against the topology (`Forged`).
 *
 * Files: this one (the message types), `MessagesLayout.ts` (constants, the
 * fixed Up / UpBatch layout and the allocation-free fast paths),
 * `MessagesCodec.ts` (encode / decode), `MessagesErrors.ts`,
 * `MessagesCheck.ts` (`checkSender`, `decodeFor`); all re-exported here.
 *
 * @module
 */
import type { Summary } from "./Summary.ts"

export * from "./MessagesCheck.ts"
export * from "./MessagesCodec.ts"
export * from "./MessagesErrors.ts"
export * from "./MessagesLayout.ts"

/** The tree's message kinds as counted (an UpBatch counts as the Ups it carries). */
export type MessageKind = "Up" | "Down" | "Heartbeat" | "Lateral"

/** The node that published a message: a coordinator (level ≥ 1) or an agent (level 0). */
export interface Sender {
  readonly level: number
  readonly index: number
}

export interface Up {
  readonly _tag: "Up"
  readonly from: Sender
  readonly epoch: number
  readonly seq: number
  readonly summary: Summary
  /** Leadership term of the sending replica (absent = 0, an unreplicated sender). */
  readonly term?: number
}

export interface Down {
  readonly _tag: "Down"
  readonly from: Sender
  readonly epoch: number
  readonly policy: Uint8Array
  readonly triggers: ReadonlyArray<number>
}

export interface Heartbeat {
  readonly _tag: "Heartbeat"
  readonly from: Sender
  readonly term: number
}

export interface Lateral {
  readonly _tag: "Lateral"
  readonly from: Sender
  readonly fromAgent: number
  readonly toAgent: number
  readonly payload: Uint8Array
}

/** One coordinator's term-less Up inside an UpBatch. */
export interface UpEntry {
  readonly index: number
  readonly epoch: number
  readonly seq: number
  readonly summary: Summary
}

export interface UpBatch {
  readonly _tag: "UpBatch"
  /** The first entry's sender (all entries are of this level). */
  readonly from: Sender
  readonly ups: ReadonlyArray<UpEntry>
}

export type Message = Up | Down | Heartbeat | Lateral | UpBatch
/** Every message's tag (what a typed error names). */
export type MessageTag = Message["_tag"]
/** The messages a coordinator publishes one by one (UpBatch is written by `writeUpBatchHeader`). */
export type SingleMessage = Exclude<Message, UpBatch>

/** The Ups an UpBatch carries, as the Up messages their senders would have sent. */
export const upsOf = (b: UpBatch): ReadonlyArray<Up> =>
  b.ups.map((e) => ({ _tag: "Up", from: { level: b.from.level, index: e.index }, epoch: e.epoch, seq: e.seq, summary: e.summary }))

