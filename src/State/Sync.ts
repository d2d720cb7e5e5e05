/** Over 400 lines: one protocol (messages, framing, replica state machine), kept together as SYNC.md describes it.
 * Anti-entropy: delta-state synchronisation of replicated state, separate
 * from the data types (`Counter.ts`, `Register.ts`, `ORSet.ts`, …) and from
 * their encoding (`Encoding.ts`), as Yjs separates type, encoding and sync.
 * Not a Lean declaration; its correctness rests on the proved laws
 * (`JoinSemilattice.joinAll_eq_of_same_members`: what a replica holds depends
 * only on the set of payloads it has joined).
 *
 * The protocol is the δ-CRDT anti-entropy algorithm (Almeida, Shoker,
 * Baquero, "Delta State Replicated Data Types", 2018, Algorithm 2) with a
 * bounded buffer. Per replica:
 *  - `state`: the lattice value;
 *  - a delta buffer of numbered *intervals*: every local delta, and every
 *    received payload that inflated the state (so deltas travel on through
 *    this replica), is joined into the open interval; sending a message seals
 *    it, so each sequence number names a fixed value once a peer may have
 *    seen it; the buffer keeps intervals `[base, seq)`, at most `window` of
 *    them, and drops those every known peer acknowledged;
 *  - per peer, the highest sequence number it acknowledged (`acked`).
 *
 * `deltasFor(r, peer)` sends the join of the intervals `[acked(peer), seq)`,
 * or the full state when those intervals are no longer all buffered, or
 * nothing when the peer acknowledged everything. `receive` joins the payload
 * (join is associative, commutative and idempotent, so duplicated, delayed
 * and reordered messages are harmless) and answers with an acknowledgement.
 * A message that does not decode — bad frame, checksum mismatch, truncation,
 * payload rejected by the state codec, wrong recipient, acknowledgement of a
 * sequence number never sent — is counted (`rejected`, `lastError`) and
 * dropped: it never changes the state. The byte layout is in `SYNC.md`.
 *
 * No causal delivery is needed for the lattices of this package: see
 * "Causal delivery" in `SYNC.md`.
 *
 * All values are immutable; every operation returns a new `Replica`.
 *
 * @module
 */
import { Data } from "effect"
import * as Result from "effect/Result"
import { BadHeader, InvalidField, TrailingBytes, Truncated } from "../Bytes/Errors.ts"
import { crc32 } from "../Bytes/Crc32.ts"
import { catchFailure, fail, Reader, u32At } from "../Bytes/Reader.ts"
import { Writer } from "../Bytes/Writer.ts"
import type { DecodeError } from "./Encoding.ts"
import type { JoinSemilatticeBot } from "./Lattice.ts"

export { crc32 }

// ---------------------------------------------------------------------------
// Codecs

/** What the protocol needs of a state codec (every `StateCodec` of `Encoding.ts` is one). */
export interface SyncCodec<A> {
  readonly encode: (a: A) => Uint8Array
  /** Never throws. */
  readonly decode: (bytes: Uint8Array) => Result.Result<A, DecodeError>
}

/**
 * The codec of a pair `[A, B]` (the product lattice `prodJoinSemilatticeBot`):
 * `varint byteLength(encode a) · encode a · encode b`. Errors inside a
 * component are reported with offsets relative to that component's encoding.
 */
export const pairCodec = <A, B>(ca: SyncCodec<A>, cb: SyncCodec<B>): SyncCodec<readonly [A, B]> => ({
  encode: ([a, b]) => {
    const ea = ca.encode(a)
    const eb = cb.encode(b)
    const w = new Writer("sync")
    w.varint(ea.length)
    w.bytes(ea)
    w.bytes(eb)
    return w.result()
  },
  decode: (bytes) =>
    catchFailure<readonly [A, B], DecodeError>(() => {
      const r = new Reader(bytes)
      const n = r.varint("pair length")
      const a = ca.decode(r.take(n, "pair first component"))
      if (Result.isFailure(a)) return fail(a.failure)
      const b = cb.decode(bytes.subarray(r.pos))
      if (Result.isFailure(b)) return fail(b.failure)
      return [a.success, b.success] as const
    }),
})

// ---------------------------------------------------------------------------
// Errors

// A frame that is cut short, has a bad header (magic, version, kind), a
// non-canonical varint or inconsistent field, or trailing bytes fails with the
// byte layer's errors (src/Bytes/Errors.ts); these are the protocol's own.

/** The CRC-32 trailer does not match the message: it was corrupted in transit. */
export class ChecksumMismatch extends Data.TaggedError("ChecksumMismatch")<{
  readonly expected: number
  readonly actual: number
}> {
  override get message(): string {
    return `sync message checksum mismatch: trailer says ${this.expected.toString(16)}, bytes give ${this.actual.toString(16)}`
  }
}

/** The frame is intact but the state codec rejects its payload (starting at byte `offset`). */
export class BadPayload extends Data.TaggedError("BadPayload")<{ readonly offset: number; readonly error: DecodeError }> {
  override get message(): string {
    return `bad sync payload at byte ${this.offset}: ${this.error.message}`
  }
}

/** The message is addressed to another replica (or comes from this one). */
export class Misaddressed extends Data.TaggedError("Misaddressed")<{
  readonly sender: number
  readonly receiver: number
  readonly self: number
}> {
  override get message(): string {
    return `sync message from ${this.sender} to ${this.receiver} delivered to replica ${this.self}`
  }
}

/** An acknowledgement of a sequence number this replica never reached. */
export class UnknownSequence extends Data.TaggedError("UnknownSequence")<{
  readonly peer: number
  readonly seq: number
  readonly current: number
}> {
  override get message(): string {
    return `peer ${this.peer} acknowledged sequence number ${this.seq}, beyond this replica's ${this.current}`
  }
}

/** Every reason a sync message is rejected. */
export type SyncError = Truncated | BadHeader | InvalidField | TrailingBytes | ChecksumMismatch | BadPayload | Misaddressed | UnknownSequence

// ---------------------------------------------------------------------------
// Messages

/** `"HYSY"`. */
export const SYNC_MAGIC: ReadonlyArray<number> = [0x48, 0x59, 0x53, 0x59]
/** The version byte of the message format (`SYNC.md`). */
export const SYNC_VERSION = 1
/** The kind byte of each message. */
export const MessageKind = { delta: 1, state: 2, ack: 3 } as const

/**
 * A sync message. Sequence numbers count the sender's intervals:
 * - `delta`: the join of the sender's intervals `[from, to)`;
 * - `state`: the sender's full state, covering every interval below `to`;
 * - `ack`: the sender holds the receiver's intervals below `seq`.
 */
export type SyncMessage<A> =
  | {
      readonly kind: "delta"
      readonly sender: number
      readonly receiver: number
      readonly from: number
      readonly to: number
      readonly payload: A
    }
  | { readonly kind: "state"; readonly sender: number; readonly receiver: number; readonly to: number; readonly payload: A }
  | { readonly kind: "ack"; readonly sender: number; readonly receiver: number; readonly seq: number }


/** Bytes before the body: magic, version, kind. */
const PREFIX_BYTES = 6
const CRC_BYTES = 4

/**
 * Encode a message: `"HYSY" · version · kind · varint bodyLength · body ·
 * CRC-32 (little-endian) of everything before it` (see `SYNC.md`). Throws a
 * RangeError only on a malformed message (a negative or non-integer field,
 * `from ≥ to`).
 */
export const encodeMessage = <A>(codec: SyncCodec<A>, m: SyncMessage<A>): Uint8Array => {
  const body = new Writer("sync")
  body.varint(m.sender)
  body.varint(m.receiver)
  switch (m.kind) {
    case "delta":
      if (!(m.from < m.to)) throw new RangeError(`sync: delta interval [${m.from}, ${m.to}) is empty`)
      body.varint(m.from)
      body.varint(m.to)
      body.bytes(codec.encode(m.payload))
      break
    case "state":
      body.varint(m.to)
      body.bytes(codec.encode(m.payload))
      break
    case "ack":
      body.varint(m.seq)
      break
  }
  const b = body.result()
  const w = new Writer("sync")
  w.bytes(SYNC_MAGIC)
  w.u8(SYNC_VERSION)
  w.u8(MessageKind[m.kind])
  w.varint(b.length)
  w.bytes(b)
  w.u32(crc32(w.view()))
  return w.result()
}

/**
 * Decode a message. Never throws; every failure is a typed `SyncError`.
 * Order of checks: magic, version, kind, body length against the bytes
 * present (`Truncated` / `TrailingBytes`), CRC-32, then the
 * fields, then the payload with `codec.decode` (`BadPayload`).
 */
export const decodeMessage = <A>(codec: SyncCodec<A>, bytes: Uint8Array): Result.Result<SyncMessage<A>, SyncError> =>
  catchFailure<SyncMessage<A>, SyncError>(() => {
    const r = new Reader(bytes)
    r.magic(SYNC_MAGIC, '"HYSY" (48 59 53 59)')
    r.header("version", SYNC_VERSION)
    const kindByte = r.u8("kind")
    const kind = kindByte === 1 ? "delta" : kindByte === 2 ? "state" : kindByte === 3 ? "ack" : undefined
    if (kind === undefined) fail(new BadHeader({ field: "kind", offset: 5, value: kindByte, expected: "1 (delta), 2 (state) or 3 (ack)" }))
    const bodyLength = r.varint("body length")
    const bodyStart = r.pos
    r.need(bodyLength + CRC_BYTES, "body and checksum")
    const total = bodyStart + bodyLength + CRC_BYTES
    if (bytes.length > total) fail(new TrailingBytes({ field: "sync message", offset: total, count: bytes.length - total }))
    const bodyEnd = bodyStart + bodyLength
    const expected = u32At(bytes, bodyEnd)
    const actual = crc32(bytes.subarray(0, bodyEnd))
    if (expected !== actual) fail(new ChecksumMismatch({ expected, actual }))
    const br = new Reader(bytes, bodyStart, bodyEnd)
    const sender = br.varint("sender")
    const receiver = br.varint("receiver")
    const payload = (): A => {
      const at = br.pos
      const p = codec.decode(bytes.subarray(at, bodyEnd))
      return Result.isFailure(p) ? fail(new BadPayload({ offset: at, error: p.failure })) : p.success
    }
    switch (kind!) {
      case "delta": {
        const from = br.varint("from")
        const toAt = br.pos
        const to = br.varint("to")
        if (!(from < to)) br.invalid("to", toAt, to, `> from (${from}): the interval [from, to) is not empty`)
        return { kind: "delta", sender, receiver, from, to, payload: payload() }
      }
      case "state": {
        const to = br.varint("to")
        return { kind: "state", sender, receiver, to, payload: payload() }
      }
      case "ack": {
        const seq = br.varint("seq")
        br.done("ack body")
        return { kind: "ack", sender, receiver, seq }
      }
    }
  })

// ---------------------------------------------------------------------------
// Replicas

/**
 * One replica's synchronisation state. Intervals `base … seq − 1` are
 * buffered (`buffer[i]` is interval `base + i`), `seq = base + buffer.length`.
 */
export interface Replica<A> {
  readonly id: number
  readonly state: A
  readonly base: number
  readonly buffer: ReadonlyArray<A>
  /** The last interval still accepts deltas: no message has covered it yet. */
  readonly open: boolean
  /** Per known peer, the highest of this replica's sequence numbers it acknowledged. */
  readonly acked: ReadonlyMap<number, number>
  /** Messages rejected so far (never applied). */
  readonly rejected: number
  readonly lastError: SyncError | undefined
}

/** The next sequence number: one past the last interval. */
export const seqOf = <A>(r: Replica<A>): number => r.base + r.buffer.length

/** Tuning of the protocol. */
export interface SyncOptions {
  /**
   * Most intervals a replica buffers (default 64). A peer whose
   * acknowledgement falls before the oldest buffered interval gets the full
   * state.
   */
  readonly window?: number
}

/** What `receive` returns: the new replica, the acknowledgement to send back, the rejection reason. */
export interface Received<A> {
  readonly replica: Replica<A>
  readonly reply: Uint8Array | undefined
  readonly error: SyncError | undefined
}

/** The protocol for one lattice and codec. */
export interface Sync<A> {
  readonly lattice: JoinSemilatticeBot<A>
  readonly codec: SyncCodec<A>
  readonly window: number
  /** A replica holding `state` (default `bot`); a non-bot initial state is buffered as interval 0. */
  readonly init: (id: number, state?: A) => Replica<A>
  /** A local operation: join its delta (`x ⊔ δ(x) = m(x)`) into the state and the open interval. */
  readonly update: (r: Replica<A>, delta: A) => Replica<A>
  /**
   * The message to send to `peer` (undefined when it acknowledged every
   * interval), and the replica with the open interval sealed and `peer` known.
   */
  readonly deltasFor: (r: Replica<A>, peer: number) => { readonly replica: Replica<A>; readonly message: Uint8Array | undefined }
  /** Handle a received message (see the module comment). */
  readonly receive: (r: Replica<A>, bytes: Uint8Array) => Received<A>
}

const checkId = (what: string, v: number): void => {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`sync: ${what} must be a non-negative safe integer, got ${v}`)
}

/**
 * The protocol for `lattice` (states and deltas share the type, as for every
 * CRDT of this package) with `codec`. Throws a RangeError on a window < 1.
 */
export const makeSync = <A>(lattice: JoinSemilatticeBot<A>, codec: SyncCodec<A>, options: SyncOptions = {}): Sync<A> => {
  const window = options.window ?? 64
  if (!Number.isSafeInteger(window) || window < 1) throw new RangeError(`sync: window must be a positive integer, got ${window}`)
  const L = lattice

  /** Join `d` into the open interval (opening one if needed), then enforce the window. */
  const buffer = (r: Replica<A>, state: A, d: A): Replica<A> => {
    let buf: A[]
    if (r.open && r.buffer.length > 0) {
      buf = r.buffer.slice()
      buf[buf.length - 1] = L.join(buf[buf.length - 1] as A, d)
    } else {
      buf = [...r.buffer, d]
    }
    let base = r.base
    if (buf.length > window) {
      const drop = buf.length - window
      buf = buf.slice(drop)
      base += drop
    }
    return { ...r, state, base, buffer: buf, open: true }
  }

  /** Drop the intervals every known peer acknowledged. */
  const collect = (r: Replica<A>): Replica<A> => {
    let low = Infinity
    for (const a of r.acked.values()) low = Math.min(low, a)
    if (!(low > r.base) || low === Infinity) return r
    const drop = Math.min(low, seqOf(r)) - r.base
    return { ...r, base: r.base + drop, buffer: r.buffer.slice(drop) }
  }

  const reject = (r: Replica<A>, error: SyncError): Received<A> => ({
    replica: { ...r, rejected: r.rejected + 1, lastError: error },
    reply: undefined,
    error,
  })

  return {
    lattice,
    codec,
    window,
    init: (id, state = L.bot) => {
      checkId("replica id", id)
      const r: Replica<A> = {
        id,
        state: L.bot,
        base: 0,
        buffer: [],
        open: false,
        acked: new Map(),
        rejected: 0,
        lastError: undefined,
      }
      return L.equals(state, L.bot) ? r : buffer(r, state, state)
    },
    update: (r, delta) => buffer(r, L.join(r.state, delta), delta),
    deltasFor: (r, peer) => {
      checkId("peer id", peer)
      const a = r.acked.get(peer) ?? 0
      const seq = seqOf(r)
      const known = r.acked.has(peer) ? r.acked : new Map(r.acked).set(peer, a)
      const sealed: Replica<A> = { ...r, open: false, acked: known }
      if (a >= seq) return { replica: sealed, message: undefined }
      let message: SyncMessage<A>
      if (a < r.base) {
        message = { kind: "state", sender: r.id, receiver: peer, to: seq, payload: r.state }
      } else {
        let d = r.buffer[a - r.base] as A
        for (let i = a - r.base + 1; i < r.buffer.length; i++) d = L.join(d, r.buffer[i] as A)
        message = { kind: "delta", sender: r.id, receiver: peer, from: a, to: seq, payload: d }
      }
      return { replica: sealed, message: encodeMessage(codec, message) }
    },
    receive: (r, bytes) => {
      const decoded = decodeMessage(codec, bytes)
      if (Result.isFailure(decoded)) return reject(r, decoded.failure)
      const m = decoded.success
      if (m.receiver !== r.id || m.sender === r.id) {
        return reject(r, new Misaddressed({ sender: m.sender, receiver: m.receiver, self: r.id }))
      }
      if (m.kind === "ack") {
        const seq = seqOf(r)
        if (m.seq > seq) return reject(r, new UnknownSequence({ peer: m.sender, seq: m.seq, current: seq }))
        const prev = r.acked.get(m.sender) ?? 0
        const acked = m.seq > prev || !r.acked.has(m.sender) ? new Map(r.acked).set(m.sender, Math.max(prev, m.seq)) : r.acked
        return { replica: collect({ ...r, acked }), reply: undefined, error: undefined }
      }
      const joined = L.join(r.state, m.payload)
      const next = L.equals(joined, r.state) ? r : buffer(r, joined, m.payload)
      const reply = encodeMessage<A>(codec, { kind: "ack", sender: r.id, receiver: m.sender, seq: m.to })
      return { replica: next, reply, error: undefined }
    },
  }
}
