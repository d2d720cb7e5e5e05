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
 * a `Result`. It accepts only canonical encodings (an accepted buffer
 * re-encodes to itself). `checkSender` is the receiver's check against the
 * topology (`Forged`).
 *
 * @module
 */
import { Data } from "effect"
import * as Result from "effect/Result"
import type { Summary } from "./Summary.ts"
import {
  childRange,
  type CoordinatorId,
  coordinatorName,
  inSubtree,
  parent,
  type Topology,
} from "./Topology.ts"

export const MAGIC0 = 0x48 // "H"
export const MAGIC1 = 0x54 // "T"
export const MESSAGE_VERSION = 1
export const HEADER_BYTES = 16
export const UP_BODY_BYTES = 40
/** Body of an Up that carries a leadership term (replicated coordinators). */
export const UP_TERM_BODY_BYTES = 44
export const HEARTBEAT_BODY_BYTES = 4
/** Default largest accepted message (header included). */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024

export const KindCode = { Up: 1, Down: 2, Heartbeat: 3, Lateral: 4, UpBatch: 5 } as const
/** The tree's message kinds as counted (an UpBatch counts as the Ups it carries). */
export type MessageKind = "Up" | "Down" | "Heartbeat" | "Lateral"
const kindName = (code: number): keyof typeof KindCode | undefined =>
  code === 1 ? "Up" : code === 2 ? "Down" : code === 3 ? "Heartbeat" : code === 4 ? "Lateral" : code === 5 ? "UpBatch" : undefined

/** Bytes of one UpBatch entry. */
export const UP_BATCH_ENTRY_BYTES = 44

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

// ---------------------------------------------------------------------------
// Errors

/** The buffer ends before the bytes the header or body needs. */
export class Truncated extends Data.TaggedError("Truncated")<{
  readonly offset: number
  readonly needed: number
  readonly available: number
}> {
  override get message(): string {
    return `truncated message: ${this.needed} bytes needed at byte ${this.offset}, only ${this.available} available`
  }
}

/** A header field is wrong: magic, version, reserved bytes, or the length does not match the buffer. */
export class BadHeader extends Data.TaggedError("BadHeader")<{
  readonly field: "magic" | "version" | "reserved" | "length"
  readonly offset: number
  readonly value: number
  readonly expected: string
}> {
  override get message(): string {
    return `bad header ${this.field} at byte ${this.offset}: got ${this.value}, expected ${this.expected}`
  }
}

/** The header's kind byte is not a known message kind. */
export class UnknownKind extends Data.TaggedError("UnknownKind")<{ readonly kind: number }> {
  override get message(): string {
    return `unknown message kind ${this.kind} at byte 3 (known: 1 Up, 2 Down, 3 Heartbeat, 4 Lateral)`
  }
}

/** The message (or the length its header declares) exceeds the receiver's limit. */
export class OversizedMessage extends Data.TaggedError("OversizedMessage")<{
  readonly size: number
  readonly max: number
}> {
  override get message(): string {
    return `oversized message: ${this.size} bytes, at most ${this.max} accepted`
  }
}

/** A body field is out of its bound. */
export class InvalidField extends Data.TaggedError("InvalidField")<{
  readonly kind: MessageTag
  readonly field: string
  readonly offset: number
  readonly value: number
  readonly expected: string
}> {
  override get message(): string {
    return `invalid ${this.kind} ${this.field} at byte ${this.offset}: got ${this.value}, expected ${this.expected}`
  }
}

/** A well-formed message the receiver must not accept from that sender (not a child / not its parent / wrong level). */
export class Forged extends Data.TaggedError("Forged")<{
  readonly kind: MessageTag
  readonly sender: Sender
  readonly receiver: CoordinatorId
  readonly reason: string
}> {
  override get message(): string {
    return `forged ${this.kind} from level ${this.sender.level} index ${this.sender.index} at ${coordinatorName(this.receiver)}: ${this.reason}`
  }
}

export type DecodeError = Truncated | BadHeader | UnknownKind | OversizedMessage | InvalidField
export type MessageError = DecodeError | Forged
export type MessageErrorTag = MessageError["_tag"]
export const messageErrorTags: ReadonlyArray<MessageErrorTag> = [
  "Truncated",
  "BadHeader",
  "UnknownKind",
  "OversizedMessage",
  "InvalidField",
  "Forged",
]

// ---------------------------------------------------------------------------
// Encoding

const U16 = 0xffff
/** Messages up to this size are encoded and decoded in a shared scratch buffer (neither is reentrant). */
const SCRATCH_BYTES = 128
const scratchBytes = new Uint8Array(SCRATCH_BYTES)
const scratchView = new DataView(scratchBytes.buffer)
const U32 = 0xffffffff

const checkUint = (what: string, v: number, max: number): void => {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`encodeMessage: ${what} must be an integer in 0..${max}, got ${v}`)
}

const checkSummary = (s: Summary): void => {
  const e = summaryProblem(s)
  if (e !== undefined) throw new RangeError(`encodeMessage: invalid summary (${e.field}: ${e.expected})`)
}

/** Body length of a message. */
const bodyLength = (m: Message): number => {
  switch (m._tag) {
    case "Up":
      return m.term !== undefined && m.term > 0 ? UP_TERM_BODY_BYTES : UP_BODY_BYTES
    case "Down":
      return 12 + m.policy.length + 4 * m.triggers.length
    case "Heartbeat":
      return HEARTBEAT_BODY_BYTES
    case "Lateral":
      return 12 + m.payload.length
    case "UpBatch":
      return 4 + UP_BATCH_ENTRY_BYTES * m.ups.length
  }
}

/**
 * The canonical bytes of `m`.
 *
 * @throws RangeError when a field is out of its bound (the caller's bug; decoding never throws).
 */
export const encodeMessage = (m: Message): Uint8Array => {
  checkUint("sender level", m.from.level, U16)
  checkUint("sender index", m.from.index, U32)
  const body = bodyLength(m)
  const total = HEADER_BYTES + body
  // Small messages are built in a shared scratch buffer and copied out: a small
  // Uint8Array lives on the JS heap, and asking for its `.buffer` would move it
  // to a separately allocated backing store.
  const small = total <= SCRATCH_BYTES
  const buf = small ? scratchBytes : new Uint8Array(total)
  const dv = small ? scratchView : new DataView(buf.buffer)
  buf[0] = MAGIC0
  buf[1] = MAGIC1
  buf[2] = MESSAGE_VERSION
  buf[3] = KindCode[m._tag]
  dv.setUint16(4, m.from.level, true)
  dv.setUint16(6, 0, true)
  dv.setUint32(8, m.from.index, true)
  dv.setUint32(12, body, true)
  const o = HEADER_BYTES
  switch (m._tag) {
    case "Up":
      checkUint("epoch", m.epoch, U32)
      checkUint("seq", m.seq, U32)
      checkSummary(m.summary)
      dv.setUint32(o, m.epoch, true)
      dv.setUint32(o + 4, m.seq, true)
      dv.setFloat64(o + 8, m.summary.count, true)
      dv.setFloat64(o + 16, m.summary.sum, true)
      dv.setFloat64(o + 24, m.summary.min, true)
      dv.setFloat64(o + 32, m.summary.max, true)
      if (m.term !== undefined) {
        checkUint("term", m.term, U32)
        if (m.term > 0) dv.setUint32(o + 40, m.term, true)
      }
      break
    case "Down": {
      checkUint("epoch", m.epoch, U32)
      dv.setUint32(o, m.epoch, true)
      dv.setUint32(o + 4, m.policy.length, true)
      buf.set(m.policy, o + 8)
      let p = o + 8 + m.policy.length
      dv.setUint32(p, m.triggers.length, true)
      p += 4
      for (const t of m.triggers) {
        checkUint("trigger", t, U32)
        dv.setUint32(p, t, true)
        p += 4
      }
      break
    }
    case "Heartbeat":
      checkUint("term", m.term, U32)
      dv.setUint32(o, m.term, true)
      break
    case "Lateral":
      checkUint("from agent", m.fromAgent, U32)
      checkUint("to agent", m.toAgent, U32)
      dv.setUint32(o, m.fromAgent, true)
      dv.setUint32(o + 4, m.toAgent, true)
      dv.setUint32(o + 8, m.payload.length, true)
      buf.set(m.payload, o + 12)
      break
    case "UpBatch": {
      if (m.ups.length === 0) throw new RangeError("encodeMessage: an UpBatch carries at least one Up")
      if (m.ups[0]!.index !== m.from.index) throw new RangeError("encodeMessage: an UpBatch's sender is its first entry's")
      dv.setUint32(o, m.ups.length, true)
      let p = o + 4
      let last = -1
      for (const e of m.ups) {
        checkUint("index", e.index, U32)
        if (e.index <= last) throw new RangeError("encodeMessage: UpBatch indices must increase strictly")
        last = e.index
        checkUint("epoch", e.epoch, U32)
        checkUint("seq", e.seq, U32)
        checkSummary(e.summary)
        writeUpEntry(dv, p, e.index, e.epoch, e.seq, e.summary.count, e.summary.sum, e.summary.min, e.summary.max)
        p += UP_BATCH_ENTRY_BYTES
      }
      break
    }
  }
  return small ? scratchBytes.slice(0, total) : buf
}

// ---------------------------------------------------------------------------
// Decoding

/** Why a summary is not valid, as field and bound, or `undefined` when it is. */
const summaryProblem = (s: Summary): { field: string; value: number; expected: string; at: number } | undefined => {
  if (!Number.isSafeInteger(s.count) || s.count < 0) {
    return { field: "count", value: s.count, expected: "an integer in 0..2^53−1", at: 8 }
  }
  if (s.count === 0) {
    if (s.sum !== 0) return { field: "sum", value: s.sum, expected: "0 when count is 0", at: 16 }
    if (s.min !== Number.POSITIVE_INFINITY) return { field: "min", value: s.min, expected: "+Infinity when count is 0", at: 24 }
    if (s.max !== Number.NEGATIVE_INFINITY) return { field: "max", value: s.max, expected: "−Infinity when count is 0", at: 32 }
    return undefined
  }
  if (!Number.isFinite(s.sum)) return { field: "sum", value: s.sum, expected: "a finite number", at: 16 }
  if (!Number.isFinite(s.min)) return { field: "min", value: s.min, expected: "a finite number", at: 24 }
  if (!Number.isFinite(s.max)) return { field: "max", value: s.max, expected: "a finite number", at: 32 }
  if (!(s.min <= s.max)) return { field: "min", value: s.min, expected: `≤ max (${s.max})`, at: 24 }
  return undefined
}

export interface DecodeOptions {
  /** Largest accepted message in bytes, header included (default 64 KiB). */
  readonly maxBytes?: number
}

type R = Result.Result<Message, DecodeError>

/**
 * Decodes one message. Checks, in order: size limit, header length, magic,
 * version, kind, reserved bytes, declared length (limit, then exact match with
 * the buffer), then every body field. Never throws.
 */
export const decodeMessage = (bytes: Uint8Array, options: DecodeOptions = {}): R => {
  const max = options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES
  const n = bytes.length
  if (n > max) return Result.fail(new OversizedMessage({ size: n, max }))
  if (n < HEADER_BYTES) return Result.fail(new Truncated({ offset: 0, needed: HEADER_BYTES, available: n }))
  if (bytes[0] !== MAGIC0 || bytes[1] !== MAGIC1) {
    const bad = bytes[0] !== MAGIC0 ? 0 : 1
    return Result.fail(new BadHeader({ field: "magic", offset: bad, value: bytes[bad]!, expected: '"HT" (0x48 0x54)' }))
  }
  if (bytes[2] !== MESSAGE_VERSION) {
    return Result.fail(new BadHeader({ field: "version", offset: 2, value: bytes[2]!, expected: String(MESSAGE_VERSION) }))
  }
  const kind = kindName(bytes[3]!)
  if (kind === undefined) return Result.fail(new UnknownKind({ kind: bytes[3]! }))
  // read small messages through the shared scratch view (see encodeMessage)
  let dv: DataView = scratchView
  if (n <= SCRATCH_BYTES) scratchBytes.set(bytes)
  else dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const reserved = dv.getUint16(6, true)
  if (reserved !== 0) return Result.fail(new BadHeader({ field: "reserved", offset: 6, value: reserved, expected: "0" }))
  const body = dv.getUint32(12, true)
  const total = HEADER_BYTES + body
  if (total > max) return Result.fail(new OversizedMessage({ size: total, max }))
  if (n < total) return Result.fail(new Truncated({ offset: HEADER_BYTES, needed: body, available: n - HEADER_BYTES }))
  if (n > total) {
    return Result.fail(new BadHeader({ field: "length", offset: 12, value: body, expected: `${n - HEADER_BYTES} (the bytes after the header)` }))
  }
  const from: Sender = { level: dv.getUint16(4, true), index: dv.getUint32(8, true) }
  const o = HEADER_BYTES
  const invalid = (field: string, offset: number, value: number, expected: string) =>
    Result.fail(new InvalidField({ kind, field, offset, value, expected }))
  const coordinatorSender = (): R | undefined =>
    from.level === 0 ? invalid("sender level", 4, 0, "≥ 1 (a coordinator)") : undefined

  switch (kind) {
    case "Up": {
      if (body !== UP_BODY_BYTES && body !== UP_TERM_BODY_BYTES) {
        return invalid("body length", 12, body, `${UP_BODY_BYTES} or ${UP_TERM_BODY_BYTES}`)
      }
      const bad = coordinatorSender()
      if (bad !== undefined) return bad
      const summary: Summary = {
        count: dv.getFloat64(o + 8, true),
        sum: dv.getFloat64(o + 16, true),
        min: dv.getFloat64(o + 24, true),
        max: dv.getFloat64(o + 32, true),
      }
      const p = summaryProblem(summary)
      if (p !== undefined) return invalid(p.field, o + p.at, p.value, p.expected)
      const up: Up = { _tag: "Up", from, epoch: dv.getUint32(o, true), seq: dv.getUint32(o + 4, true), summary }
      if (body === UP_BODY_BYTES) return Result.succeed(up)
      const term = dv.getUint32(o + 40, true)
      if (term === 0) return invalid("term", o + 40, 0, "≥ 1 in a 44-byte body (term 0 is the 40-byte body)")
      return Result.succeed({ ...up, term })
    }
    case "Heartbeat": {
      if (body !== HEARTBEAT_BODY_BYTES) return invalid("body length", 12, body, String(HEARTBEAT_BODY_BYTES))
      const bad = coordinatorSender()
      if (bad !== undefined) return bad
      return Result.succeed({ _tag: "Heartbeat", from, term: dv.getUint32(o, true) })
    }
    case "Down": {
      if (body < 12) return invalid("body length", 12, body, "≥ 12")
      const bad = coordinatorSender()
      if (bad !== undefined) return bad
      const epoch = dv.getUint32(o, true)
      const policyLen = dv.getUint32(o + 4, true)
      if (policyLen > body - 12) return invalid("policy length", o + 4, policyLen, `≤ ${body - 12}`)
      const tp = o + 8 + policyLen
      const count = dv.getUint32(tp, true)
      const rest = body - 12 - policyLen
      if (count * 4 !== rest) return invalid("trigger count", tp, count, `${rest / 4} (the remaining ${rest} bytes / 4)`)
      const triggers: number[] = new Array<number>(count)
      for (let i = 0; i < count; i++) triggers[i] = dv.getUint32(tp + 4 + 4 * i, true)
      const policy = bytes.slice(o + 8, o + 8 + policyLen)
      return Result.succeed({ _tag: "Down", from, epoch, policy, triggers })
    }
    case "UpBatch": {
      if (body < 4 + UP_BATCH_ENTRY_BYTES || (body - 4) % UP_BATCH_ENTRY_BYTES !== 0) {
        return invalid("body length", 12, body, `4 + ${UP_BATCH_ENTRY_BYTES}·count with count ≥ 1`)
      }
      const bad = coordinatorSender()
      if (bad !== undefined) return bad
      const count = dv.getUint32(o, true)
      if (count * UP_BATCH_ENTRY_BYTES !== body - 4) return invalid("count", o, count, String((body - 4) / UP_BATCH_ENTRY_BYTES))
      const ups: UpEntry[] = new Array<UpEntry>(count)
      let last = -1
      for (let i = 0, p = o + 4; i < count; i++, p += UP_BATCH_ENTRY_BYTES) {
        const index = dv.getUint32(p, true)
        if (index <= last) return invalid("index", p, index, `> ${last} (indices increase strictly)`)
        if (i === 0 && index !== from.index) return invalid("index", p, index, `${from.index} (the header's sender)`)
        last = index
        const summary: Summary = { count: dv.getFloat64(p + 12, true), sum: dv.getFloat64(p + 20, true), min: dv.getFloat64(p + 28, true), max: dv.getFloat64(p + 36, true) }
        const sp = summaryProblem(summary)
        if (sp !== undefined) return invalid(sp.field, p + 4 + sp.at, sp.value, sp.expected)
        ups[i] = { index, epoch: dv.getUint32(p + 4, true), seq: dv.getUint32(p + 8, true), summary }
      }
      return Result.succeed({ _tag: "UpBatch", from, ups })
    }
    case "Lateral": {
      if (body < 12) return invalid("body length", 12, body, "≥ 12")
      const fromAgent = dv.getUint32(o, true)
      const toAgent = dv.getUint32(o + 4, true)
      const len = dv.getUint32(o + 8, true)
      if (len !== body - 12) return invalid("payload length", o + 8, len, String(body - 12))
      return Result.succeed({ _tag: "Lateral", from, fromAgent, toAgent, payload: bytes.slice(o + 12, o + 12 + len) })
    }
  }
}

// ---------------------------------------------------------------------------
// Receiver-side checks against the topology

/**
 * Whether `receiver` may accept `m` from its header's sender:
 * - Up: the sender is a coordinator child of the receiver (one level below,
 *   index among its children). Local coordinators host their agents
 *   directly, so they accept no Up.
 * - Heartbeat: from a coordinator child (as Up) or from the receiver's parent.
 * - Down: the sender is the receiver's parent.
 * - Lateral: either from below (a child coordinator, or for a local
 *   coordinator one of its agents) with `fromAgent` in that child's subtree,
 *   or from the parent with `toAgent` in the receiver's subtree; both agents
 *   must exist.
 * Otherwise `Forged` (or `InvalidField` for agents outside the tree).
 */
export const checkSender = (t: Topology, receiver: CoordinatorId, m: Message): Result.Result<Message, Forged | InvalidField> => {
  const forged = (reason: string) => Result.fail(new Forged({ kind: m._tag, sender: m.from, receiver, reason }))
  const isChildCoordinator = (): boolean => {
    if (receiver.level <= 1 || m.from.level !== receiver.level - 1) return false
    const r = childRange(t, receiver)
    return m.from.index >= r.lo && m.from.index < r.hi
  }
  switch (m._tag) {
    case "UpBatch": {
      if (receiver.level === 1) return forged("local coordinators accept no Up/Heartbeat from below (their agents are hosted)")
      if (m.from.level !== receiver.level - 1) return forged(`level mismatch: expected level ${receiver.level - 1}`)
      const r = childRange(t, receiver)
      for (const e of m.ups) if (e.index < r.lo || e.index >= r.hi) return forged(`entry ${e.index} is not a child of the receiver`)
      return Result.succeed(m)
    }
    case "Heartbeat":
    case "Up": {
      if (m._tag === "Heartbeat") {
        const p = parent(t, receiver)
        if (p !== undefined && m.from.level === p.level && m.from.index === p.index) return Result.succeed(m)
      }
      if (receiver.level === 1) return forged("local coordinators accept no Up/Heartbeat from below (their agents are hosted)")
      if (m.from.level !== receiver.level - 1) return forged(`level mismatch: expected level ${receiver.level - 1}`)
      return isChildCoordinator() ? Result.succeed(m) : forged("sender is not a child of the receiver")
    }
    case "Down": {
      const p = parent(t, receiver)
      if (p === undefined) return forged("the root has no parent")
      return m.from.level === p.level && m.from.index === p.index ? Result.succeed(m) : forged("sender is not the receiver's parent")
    }
    case "Lateral": {
      if (m.fromAgent >= t.agents) return Result.fail(new InvalidField({ kind: "Lateral", field: "from agent", offset: HEADER_BYTES, value: m.fromAgent, expected: `< ${t.agents}` }))
      if (m.toAgent >= t.agents) return Result.fail(new InvalidField({ kind: "Lateral", field: "to agent", offset: HEADER_BYTES + 4, value: m.toAgent, expected: `< ${t.agents}` }))
      const p = parent(t, receiver)
      if (p !== undefined && m.from.level === p.level && m.from.index === p.index) {
        return inSubtree(t, receiver, m.toAgent) ? Result.succeed(m) : forged("from the parent, but the destination is not below the receiver")
      }
      if (receiver.level === 1 && m.from.level === 0) {
        if (m.from.index !== m.fromAgent) return forged("an agent may only send as itself")
        return inSubtree(t, receiver, m.fromAgent) ? Result.succeed(m) : forged("the sending agent is not hosted here")
      }
      if (!isChildCoordinator()) return forged("sender is neither a child nor the parent of the receiver")
      return inSubtree(t, m.from, m.fromAgent) ? Result.succeed(m) : forged("the origin agent is not below the sending child")
    }
  }
}

/** Decode and check in one step. */
export const decodeFor = (
  t: Topology,
  receiver: CoordinatorId,
  bytes: Uint8Array,
  options: DecodeOptions = {},
): Result.Result<Message, MessageError> => {
  const d = decodeMessage(bytes, options)
  return Result.isFailure(d) ? d : checkSender(t, receiver, d.success)
}

// ---------------------------------------------------------------------------
// Allocation-free encoding of the hot message (many coordinators tick at once)

/** Bytes of an Up without a term (header + 40-byte body). */
export const UP_MESSAGE_BYTES = HEADER_BYTES + UP_BODY_BYTES

/** The 40-byte term-less Up body at `o`; an UpBatch entry is the sender's index followed by this body. */
const writeUpBody = (dv: DataView, o: number, epoch: number, seq: number, count: number, sum: number, min: number, max: number): void => {
  dv.setUint32(o, epoch, true)
  dv.setUint32(o + 4, seq, true)
  dv.setFloat64(o + 8, count, true)
  dv.setFloat64(o + 16, sum, true)
  dv.setFloat64(o + 24, min, true)
  dv.setFloat64(o + 32, max, true)
}

/** Writes one UpBatch entry at `p` (the caller guarantees the bounds, as for `writeUp`). */
export const writeUpEntry = (dv: DataView, p: number, index: number, epoch: number, seq: number, count: number, sum: number, min: number, max: number): void => {
  dv.setUint32(p, index, true)
  writeUpBody(dv, p + 4, epoch, seq, count, sum, min, max)
}

/**
 * Writes the header and count of an UpBatch of `count` entries from level
 * `level`, the first from coordinator `first`; the entries follow at
 * `upBatchEntryOffset(i)` (`writeUpEntry`). Returns the message's length.
 */
export const writeUpBatchHeader = (dv: DataView, level: number, first: number, count: number): number => {
  const body = 4 + UP_BATCH_ENTRY_BYTES * count
  writeHeader(dv, KindCode.UpBatch, level, first, body)
  dv.setUint32(HEADER_BYTES, count, true)
  return HEADER_BYTES + body
}

/** The 16-byte header (see the module doc), without allocating. */
const writeHeader = (dv: DataView, kind: number, level: number, index: number, body: number): void => {
  dv.setUint8(0, MAGIC0)
  dv.setUint8(1, MAGIC1)
  dv.setUint8(2, MESSAGE_VERSION)
  dv.setUint8(3, kind)
  dv.setUint16(4, level, true)
  dv.setUint16(6, 0, true)
  dv.setUint32(8, index, true)
  dv.setUint32(12, body, true)
}

/** Where entry `i` of an UpBatch starts. */
export const upBatchEntryOffset = (i: number): number => HEADER_BYTES + 4 + UP_BATCH_ENTRY_BYTES * i

/**
 * Writes the canonical bytes of an unreplicated Up (no term) from
 * `(level, index)` into `dv[0..UP_MESSAGE_BYTES)`: the same bytes as
 * `encodeMessage`, without allocating. The caller guarantees the bounds that
 * `encodeMessage` checks (level u16, index / epoch / seq u32, a valid summary).
 */
export const writeUp = (dv: DataView, level: number, index: number, epoch: number, seq: number, count: number, sum: number, min: number, max: number): void => {
  writeHeader(dv, KindCode.Up, level, index, UP_BODY_BYTES)
  writeUpBody(dv, HEADER_BYTES, epoch, seq, count, sum, min, max)
}

/**
 * The fields of a canonical term-less Up, filled by `peekUp`: sender level,
 * sender index, epoch, seq, count, sum, min, max.
 */
export const peekedUp = new Float64Array(8)

/**
 * Whether `bytes` is an Up without a term that `decodeMessage` accepts (with
 * a limit of at least `UP_MESSAGE_BYTES`); if so its fields are in `peekedUp`.
 * Allocates nothing: the receivers' fast path. Anything else (`false`) goes
 * through `decodeMessage`, which gives the typed error.
 */
export const peekUp = (bytes: Uint8Array): boolean => {
  if (bytes.length !== UP_MESSAGE_BYTES) return false
  if (bytes[0] !== MAGIC0 || bytes[1] !== MAGIC1 || bytes[2] !== MESSAGE_VERSION || bytes[3] !== KindCode.Up) return false
  if (bytes[6] !== 0 || bytes[7] !== 0 || bytes[12] !== UP_BODY_BYTES || bytes[13] !== 0 || bytes[14] !== 0 || bytes[15] !== 0) return false
  scratchBytes.set(bytes)
  const dv = scratchView
  const level = dv.getUint16(4, true)
  if (level === 0) return false
  const o = HEADER_BYTES
  const count = dv.getFloat64(o + 8, true)
  const sum = dv.getFloat64(o + 16, true)
  const min = dv.getFloat64(o + 24, true)
  const max = dv.getFloat64(o + 32, true)
  if (summaryProblem({ count, sum, min, max }) !== undefined) return false
  const f = peekedUp
  f[0] = level
  f[1] = dv.getUint32(8, true)
  f[2] = dv.getUint32(o, true)
  f[3] = dv.getUint32(o + 4, true)
  f[4] = count
  f[5] = sum
  f[6] = min
  f[7] = max
  return true
}

/**
 * Whether `bytes` is an UpBatch that `decodeMessage` accepts (with a limit of
 * at least its length) and whose entries all come from coordinators
 * `[lo, hi)` of level `level` (what `checkSender` accepts for a receiver with
 * those children). If so, returns a view to read the entries with
 * (`upBatchEntryOffset`); otherwise `undefined`, and `decodeFor` gives the
 * typed error. Allocates only the view: the receivers' fast path.
 */
export const peekUpBatch = (bytes: Uint8Array, level: number, lo: number, hi: number): DataView | undefined => {
  const n = bytes.length
  if (n < HEADER_BYTES + 4 + UP_BATCH_ENTRY_BYTES) return undefined
  if (bytes[0] !== MAGIC0 || bytes[1] !== MAGIC1 || bytes[2] !== MESSAGE_VERSION || bytes[3] !== KindCode.UpBatch || bytes[6] !== 0 || bytes[7] !== 0) return undefined
  const dv = new DataView(bytes.buffer, bytes.byteOffset, n)
  if (dv.getUint16(4, true) !== level || level === 0) return undefined
  const body = dv.getUint32(12, true)
  if (HEADER_BYTES + body !== n) return undefined
  const count = dv.getUint32(HEADER_BYTES, true)
  if (count === 0 || 4 + UP_BATCH_ENTRY_BYTES * count !== body) return undefined
  let last = -1
  for (let i = 0; i < count; i++) {
    const p = upBatchEntryOffset(i)
    const index = dv.getUint32(p, true)
    if (index <= last || index < lo || index >= hi) return undefined
    if (i === 0 && index !== dv.getUint32(8, true)) return undefined
    last = index
    const c = dv.getFloat64(p + 12, true)
    const sum = dv.getFloat64(p + 20, true)
    const min = dv.getFloat64(p + 28, true)
    const max = dv.getFloat64(p + 36, true)
    if (summaryProblem({ count: c, sum, min, max }) !== undefined) return undefined
  }
  return dv
}
