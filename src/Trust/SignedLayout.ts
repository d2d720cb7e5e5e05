/**
 * The byte layout of a signed envelope, in one place (little-endian):
 *
 *   0 magic "HS" (0x48 0x53) · 2 version u8 = 1 · 3 reserved u8 = 0 ·
 *   4 sender id length u8 (1..128) · 5 sender id (ASCII, `idPattern`) ·
 *   then: key revision u32 · term u32 · sequence u32 · payload length u32 ·
 *   payload bytes · Ed25519 signature (64 bytes)
 *
 * The signature covers every byte before it. Decoding accepts only canonical
 * envelopes (exact length, reserved 0, a valid id), so the signed bytes of an
 * accepted envelope are the only bytes that encode it: a verifier never has
 * to re-encode before checking.
 *
 * @module
 */
import { BadHeader, type ByteError, InvalidField } from "../Bytes/Errors.ts"
import { decodeWith, fail, type Reader } from "../Bytes/Reader.ts"
import { Writer } from "../Bytes/Writer.ts"
import * as Result from "effect/Result"
import { idPattern } from "./Identity.ts"

export const ENVELOPE_MAGIC: ReadonlyArray<number> = [0x48, 0x53]
export const ENVELOPE_VERSION = 1
export const SIGNATURE_BYTES = 64
export const MAX_ID_BYTES = 128
/** Magic, version, reserved, id length. */
export const PREFIX_BYTES = 5
/** Key revision, term, sequence, payload length. */
export const FIELDS_BYTES = 16
/** Default largest payload a decoder accepts. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024
export const U32_MAX = 0xffffffff

/** The fields of an envelope (without its signature). */
export interface EnvelopeFields {
  readonly sender: string
  readonly keyRevision: number
  readonly term: number
  readonly sequence: number
  readonly payload: Uint8Array
}

/** A decoded envelope: its fields, the signed bytes and the signature (views into the input). */
export interface Envelope extends EnvelopeFields {
  readonly signed: Uint8Array
  readonly signature: Uint8Array
}

/** Bytes of the envelope of `fields` (signature included). */
export const envelopeBytes = (senderBytes: number, payloadBytes: number): number =>
  PREFIX_BYTES + senderBytes + FIELDS_BYTES + payloadBytes + SIGNATURE_BYTES

const isU32 = (v: number): boolean => Number.isInteger(v) && v >= 0 && v <= U32_MAX

/**
 * Writes the signed part of an envelope (everything but the signature) and
 * leaves room for it; `sign` fills the last 64 bytes. A field out of range is
 * the caller's bug: `RangeError`.
 */
export const writeEnvelope = (f: EnvelopeFields, sign: (signed: Uint8Array) => Uint8Array): Uint8Array => {
  if (!idPattern.test(f.sender)) throw new RangeError(`writeEnvelope: sender ${JSON.stringify(f.sender)} does not match ${idPattern}`)
  for (const [k, v] of [["keyRevision", f.keyRevision], ["term", f.term], ["sequence", f.sequence]] as const) {
    if (!isU32(v)) throw new RangeError(`writeEnvelope: ${k} must be a u32, got ${v}`)
  }
  const total = envelopeBytes(f.sender.length, f.payload.length)
  const w = new Writer("envelope", new Uint8Array(total))
  w.bytes(ENVELOPE_MAGIC)
  w.u8(ENVELOPE_VERSION)
  w.u8(0)
  w.u8(f.sender.length)
  for (let i = 0; i < f.sender.length; i++) w.u8(f.sender.charCodeAt(i))
  w.u32(f.keyRevision)
  w.u32(f.term)
  w.u32(f.sequence)
  w.u32(f.payload.length)
  w.bytes(f.payload)
  const signature = sign(w.buf.subarray(0, w.len))
  if (signature.length !== SIGNATURE_BYTES) throw new Error(`writeEnvelope: a signature of ${signature.length} bytes`)
  w.bytes(signature)
  return w.buf
}

const readSender = (r: Reader): string => {
  const at = r.pos
  const n = r.u8("sender id length")
  if (n < 1 || n > MAX_ID_BYTES) r.invalid("sender id length", at, n, `1..${MAX_ID_BYTES}`)
  const start = r.pos
  const bytes = r.take(n, "sender id")
  let s = ""
  for (const b of bytes) s += String.fromCharCode(b)
  if (!idPattern.test(s)) fail(new InvalidField({ field: "sender id", offset: start, value: n, expected: `an id matching ${idPattern}` }))
  return s
}

/** Decodes an envelope (not its signature's validity: that is the verifier's). */
export const decodeEnvelope = (
  bytes: Uint8Array,
  maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES,
): Result.Result<Envelope, ByteError> =>
  decodeWith(bytes, 0, (r) => {
    r.magic(ENVELOPE_MAGIC, "\"HS\"")
    const vAt = r.pos
    const v = r.u8("version")
    if (v !== ENVELOPE_VERSION) fail(new BadHeader({ field: "version", offset: vAt, value: v, expected: String(ENVELOPE_VERSION) }))
    r.zero("reserved")
    const sender = readSender(r)
    const keyRevision = r.u32("key revision")
    const term = r.u32("term")
    const sequence = r.u32("sequence")
    const lAt = r.pos
    const len = r.u32("payload length")
    if (len > maxPayloadBytes) r.invalid("payload length", lAt, len, `≤ ${maxPayloadBytes}`)
    const payload = r.take(len, "payload")
    const signedEnd = r.pos
    const signature = r.take(SIGNATURE_BYTES, "signature")
    r.done("envelope")
    return { sender, keyRevision, term, sequence, payload, signed: bytes.subarray(0, signedEnd), signature }
  })
