/**
 * `encodeMessage` and `decodeMessage` of the tree's messages (format in
 * `Messages.ts`), written on the byte layer (`src/Bytes/`): the fields are
 * written and read in order; the Up body, shared with the fast paths, is
 * `MessagesLayout.ts`'s.
 *
 * @module
 */
import * as Result from "effect/Result"
import { catchFailure, fail, Reader } from "../Bytes/Reader.ts"
import { Writer } from "../Bytes/Writer.ts"
import type { Message, Sender, Up, UpEntry } from "./Messages.ts"
import { type DecodeError, InvalidField, OversizedMessage } from "./MessagesErrors.ts"
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  FieldOffset,
  HEADER_BYTES,
  HEARTBEAT_BODY_BYTES,
  KindCode,
  putHeader,
  putUpBody,
  summaryProblem,
  takeHeader,
  takeUpBody,
  UP_BATCH_ENTRY_BYTES,
  UP_BODY_BYTES,
  UP_TERM_BODY_BYTES,
} from "./MessagesLayout.ts"
import type { Summary } from "./Summary.ts"

// ---------------------------------------------------------------------------
// Encoding

const U16 = 0xffff
const U32 = 0xffffffff
/** Messages up to this size are built in a shared scratch writer and copied out (not reentrant). */
const SCRATCH_BYTES = 128
const scratch = new Writer("encodeMessage", new Uint8Array(SCRATCH_BYTES))

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
  // Small messages are built in the scratch buffer and copied out: a small
  // Uint8Array lives on the JS heap, and a fresh one per message costs more.
  const small = total <= SCRATCH_BYTES
  const w = small ? scratch : new Writer("encodeMessage", new Uint8Array(total))
  w.reset()
  putHeader(w, KindCode[m._tag], m.from.level, m.from.index, body)
  switch (m._tag) {
    case "Up":
      checkUint("epoch", m.epoch, U32)
      checkUint("seq", m.seq, U32)
      checkSummary(m.summary)
      putUpBody(w, m.epoch, m.seq, m.summary)
      if (m.term !== undefined) {
        checkUint("term", m.term, U32)
        if (m.term > 0) w.u32(m.term)
      }
      break
    case "Down":
      checkUint("epoch", m.epoch, U32)
      for (const t of m.triggers) checkUint("trigger", t, U32)
      w.u32(m.epoch)
      w.u32(m.policy.length)
      w.bytes(m.policy)
      w.u32(m.triggers.length)
      for (const t of m.triggers) w.u32(t)
      break
    case "Heartbeat":
      checkUint("term", m.term, U32)
      w.u32(m.term)
      break
    case "Lateral":
      checkUint("from agent", m.fromAgent, U32)
      checkUint("to agent", m.toAgent, U32)
      w.u32(m.fromAgent)
      w.u32(m.toAgent)
      w.u32(m.payload.length)
      w.bytes(m.payload)
      break
    case "UpBatch": {
      if (m.ups.length === 0) throw new RangeError("encodeMessage: an UpBatch carries at least one Up")
      if (m.ups[0]!.index !== m.from.index) throw new RangeError("encodeMessage: an UpBatch's sender is its first entry's")
      let last = -1
      for (const e of m.ups) {
        checkUint("index", e.index, U32)
        if (e.index <= last) throw new RangeError("encodeMessage: UpBatch indices must increase strictly")
        last = e.index
        checkUint("epoch", e.epoch, U32)
        checkUint("seq", e.seq, U32)
        checkSummary(e.summary)
      }
      w.u32(m.ups.length)
      for (const e of m.ups) {
        w.u32(e.index)
        putUpBody(w, e.epoch, e.seq, e.summary)
      }
      break
    }
  }
  return small ? w.result() : w.buf
}

// ---------------------------------------------------------------------------
// Decoding

export interface DecodeOptions {
  /** Largest accepted message in bytes, header included (default 64 KiB). */
  readonly maxBytes?: number
}

/**
 * Decodes one message. Checks, in order: size limit, header length, magic,
 * version, kind, reserved bytes, declared length (limit, then exact match with
 * the buffer), then every body field. Never throws.
 */
export const decodeMessage = (bytes: Uint8Array, options: DecodeOptions = {}): Result.Result<Message, DecodeError> => {
  const max = options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES
  const n = bytes.length
  if (n > max) return Result.fail(new OversizedMessage({ size: n, max }))
  return catchFailure<Message, DecodeError>(() => readMessage(new Reader(bytes), max))
}

/** The header, then the body of its kind; fails (inside `catchFailure`) with the first problem. The body layouts of Down, Heartbeat and Lateral live here; the header's and the Up body's in `MessagesLayout.ts`. */
const readMessage = (r: Reader, max: number): Message => {
  const { kind, level, index, body } = takeHeader(r, max)
  const from: Sender = { level, index }
  const invalid = (field: string, offset: number, value: number, expected: string): never =>
    fail(new InvalidField({ kind, field, offset, value, expected }))
  const bodyLength = (ok: boolean, expected: string): void => {
    if (!ok) invalid("body length", FieldOffset.bodyLength, body, expected)
    if (kind !== "Lateral" && level === 0) invalid("sender level", FieldOffset.senderLevel, 0, "≥ 1 (a coordinator)")
  }
  // field offsets in errors are where the reader stood when it read the field
  switch (kind) {
    case "Up": {
      bodyLength(body === UP_BODY_BYTES || body === UP_TERM_BODY_BYTES, `${UP_BODY_BYTES} or ${UP_TERM_BODY_BYTES}`)
      const at = r.pos
      const { epoch, seq, summary } = takeUpBody(r)
      const p = summaryProblem(summary)
      if (p !== undefined) invalid(p.field, at + p.at, p.value, p.expected)
      const up: Up = { _tag: "Up", from, epoch, seq, summary }
      if (body === UP_BODY_BYTES) return up
      const termAt = r.pos
      const term = r.u32("term")
      if (term === 0) invalid("term", termAt, 0, "≥ 1 in a 44-byte body (term 0 is the 40-byte body)")
      return { ...up, term }
    }
    case "Heartbeat":
      bodyLength(body === HEARTBEAT_BODY_BYTES, String(HEARTBEAT_BODY_BYTES))
      return { _tag: "Heartbeat", from, term: r.u32("term") }
    case "Down": {
      bodyLength(body >= 12, "≥ 12")
      const epoch = r.u32("epoch")
      const lenAt = r.pos
      const policyLen = r.u32("policy length")
      if (policyLen > body - 12) invalid("policy length", lenAt, policyLen, `≤ ${body - 12}`)
      const policy = r.take(policyLen, "policy").slice()
      const tp = r.pos
      const count = r.u32("trigger count")
      const rest = body - 12 - policyLen
      if (count * 4 !== rest) invalid("trigger count", tp, count, `${rest / 4} (the remaining ${rest} bytes / 4)`)
      const triggers: number[] = new Array<number>(count)
      for (let i = 0; i < count; i++) triggers[i] = r.u32("trigger")
      return { _tag: "Down", from, epoch, policy, triggers }
    }
    case "UpBatch": {
      bodyLength(body >= 4 + UP_BATCH_ENTRY_BYTES && (body - 4) % UP_BATCH_ENTRY_BYTES === 0, `4 + ${UP_BATCH_ENTRY_BYTES}·count with count ≥ 1`)
      const countAt = r.pos
      const count = r.u32("count")
      if (count * UP_BATCH_ENTRY_BYTES !== body - 4) invalid("count", countAt, count, String((body - 4) / UP_BATCH_ENTRY_BYTES))
      const ups: UpEntry[] = new Array<UpEntry>(count)
      let last = -1
      for (let i = 0; i < count; i++) {
        const p = r.pos
        const index = r.u32("index")
        if (index <= last) invalid("index", p, index, `> ${last} (indices increase strictly)`)
        if (i === 0 && index !== from.index) invalid("index", p, index, `${from.index} (the header's sender)`)
        last = index
        const at = r.pos
        const e = takeUpBody(r)
        const sp = summaryProblem(e.summary)
        if (sp !== undefined) invalid(sp.field, at + sp.at, sp.value, sp.expected)
        ups[i] = { index, epoch: e.epoch, seq: e.seq, summary: e.summary }
      }
      return { _tag: "UpBatch", from, ups }
    }
    case "Lateral": {
      bodyLength(body >= 12, "≥ 12")
      const fromAgent = r.u32("from agent")
      const toAgent = r.u32("to agent")
      const lenAt = r.pos
      const len = r.u32("payload length")
      if (len !== body - 12) invalid("payload length", lenAt, len, String(body - 12))
      return { _tag: "Lateral", from, fromAgent, toAgent, payload: r.take(len, "payload").slice() }
    }
  }
}
