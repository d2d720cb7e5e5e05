/**
 * Signed messages: a `Signer` wraps payload bytes in an envelope
 * (`SignedLayout.ts`) signed with its identity's Ed25519 key, numbering them
 * with a per-sender sequence within a term; a `Verifier` checks an envelope
 * before anything acts on it: canonical bytes, a known key revision valid
 * now, the signature, then freshness (`Replay.ts`). The window advances only
 * after the signature verified, so forged messages cannot move it. Every
 * rejection is a typed error and is counted by reason.
 *
 * Batching: an UpBatch (many coordinators' summaries in one bus message) is
 * signed once, so verification costs one Ed25519 check per bus message, not
 * per summary (`signUpBatch` / `verifyUpBatch`).
 *
 * @module
 */
import * as crypto from "node:crypto"
import { Data } from "effect"
import * as Result from "effect/Result"
import type { ByteError } from "../Bytes/Errors.ts"
import { decodeMessage, type DecodeError, encodeMessage, type UpBatch } from "../Tree/Messages.ts"
import { type Identity, isValidAt, type KeyRecord, type KeyRegistry, publicKeyObject } from "./Identity.ts"
import { ReplayWindow, type Stale } from "./Replay.ts"
import { decodeEnvelope, type Envelope, U32_MAX, writeEnvelope } from "./SignedLayout.ts"

/** The envelope's bytes are not a canonical envelope. */
export class MalformedEnvelope extends Data.TaggedError("MalformedEnvelope")<{ readonly cause: ByteError }> {
  override get message(): string {
    return `malformed envelope: ${this.cause.message}`
  }
}

/** No key record for the envelope's (sender, key revision). */
export class UnknownKey extends Data.TaggedError("UnknownKey")<{ readonly sender: string; readonly keyRevision: number }> {
  override get message(): string {
    return `unknown key ${this.sender} revision ${this.keyRevision}`
  }
}

/** The key exists but does not verify at `now` (retired by a rotation, or not yet created). */
export class KeyNotValid extends Data.TaggedError("KeyNotValid")<{
  readonly sender: string
  readonly keyRevision: number
  readonly now: number
  readonly notAfter: number | undefined
}> {
  override get message(): string {
    return `key ${this.sender} revision ${this.keyRevision} is not valid at ${this.now}` +
      (this.notAfter !== undefined ? ` (retired at ${this.notAfter})` : "")
  }
}

/** The signature does not verify with the sender's key: forged or altered. */
export class BadSignature extends Data.TaggedError("BadSignature")<{ readonly sender: string; readonly keyRevision: number }> {
  override get message(): string {
    return `bad signature for ${this.sender} revision ${this.keyRevision}`
  }
}

/** A correctly signed message that is not fresh: replayed, below the window, or of an older term. */
export class Replayed extends Data.TaggedError("Replayed")<{
  readonly sender: string
  readonly reason: Stale
  readonly term: number
  readonly sequence: number
}> {
  override get message(): string {
    return `${this.reason} from ${this.sender}: term ${this.term} sequence ${this.sequence}`
  }
}

/** A correctly signed, fresh envelope whose payload is not what the receiver expects. */
export class BadPayload extends Data.TaggedError("BadPayload")<{ readonly sender: string; readonly cause: DecodeError | string }> {
  override get message(): string {
    return `bad payload from ${this.sender}: ${typeof this.cause === "string" ? this.cause : this.cause.message}`
  }
}

/** The signer has used every (term, sequence) pair. */
export class SequenceExhausted extends Data.TaggedError("SequenceExhausted")<{ readonly sender: string }> {
  override get message(): string {
    return `${this.sender} has used every term and sequence`
  }
}

export type VerifyError = MalformedEnvelope | UnknownKey | KeyNotValid | BadSignature | Replayed

/** Counts of the verifier's outcomes, by reason. */
export interface TrustCounters {
  accepted: number
  malformed: number
  unknownKey: number
  keyNotValid: number
  badSignature: number
  replay: number
  outOfWindow: number
  staleTerm: number
  badPayload: number
}

export const emptyCounters = (): TrustCounters => ({
  accepted: 0,
  malformed: 0,
  unknownKey: 0,
  keyNotValid: 0,
  badSignature: 0,
  replay: 0,
  outOfWindow: 0,
  staleTerm: 0,
  badPayload: 0,
})

/** Signs payloads as one identity, numbering them (term, sequence) from `term`, `sequence`. */
export class Signer {
  private identity: Identity
  private term: number
  private sequence: number

  constructor(identity: Identity, term = 0, sequence = 0) {
    this.identity = identity
    this.term = term
    this.sequence = sequence
  }

  /** Signs with a rotated key from the next message on; the numbering goes on. */
  rekey(identity: Identity): void {
    if (identity.record.id !== this.identity.record.id) throw new RangeError("Signer.rekey: another identity's key")
    this.identity = identity
  }

  /** The (term, sequence) the next message will carry. */
  get next(): { readonly term: number; readonly sequence: number } {
    return { term: this.term, sequence: this.sequence }
  }

  /** Starts a new term (a new leadership term or epoch): sequences start again at 0. */
  newTerm(term: number): void {
    if (!(term > this.term) || term > U32_MAX) throw new RangeError(`Signer.newTerm: ${term} is not a u32 above ${this.term}`)
    this.term = term
    this.sequence = 0
  }

  /** The signed envelope of `payload`; after sequence 2^32 − 1 it moves to the next term. */
  sign(payload: Uint8Array): Result.Result<Uint8Array, SequenceExhausted> {
    if (this.sequence > U32_MAX) {
      if (this.term === U32_MAX) return Result.fail(new SequenceExhausted({ sender: this.identity.record.id }))
      this.newTerm(this.term + 1)
    }
    const { record, privateKey } = this.identity
    const bytes = writeEnvelope(
      { sender: record.id, keyRevision: record.revision, term: this.term, sequence: this.sequence, payload },
      (signed) => crypto.sign(null, signed, privateKey),
    )
    this.sequence++
    return Result.succeed(bytes)
  }
}

export interface VerifierOptions {
  /** Slots of each sender's replay window (default 64). */
  readonly window?: number
  /** The clock key validity is checked against (ms). */
  readonly now?: () => number
  readonly maxPayloadBytes?: number
}

/** Verifies envelopes against a registry; one replay window per sender. */
export class Verifier {
  readonly counters: TrustCounters = emptyCounters()
  private readonly registry: KeyRegistry
  private readonly windowSize: number
  private readonly now: () => number
  private readonly maxPayloadBytes: number | undefined
  private readonly windows = new Map<string, ReplayWindow>()
  private readonly keys = new Map<string, { record: KeyRecord; key: crypto.KeyObject }>()

  constructor(registry: KeyRegistry, options: VerifierOptions = {}) {
    this.registry = registry
    this.windowSize = options.window ?? 64
    this.now = options.now ?? Date.now
    this.maxPayloadBytes = options.maxPayloadBytes
  }

  private key(sender: string, revision: number): { record: KeyRecord; key: crypto.KeyObject } | undefined {
    const record = this.registry.get(sender, revision)
    if (record === undefined) return undefined
    const k = `${sender}#${revision}`
    const cached = this.keys.get(k)
    // a rotation republishes the record (with its notAfter): keep the key object, take the new record
    if (cached !== undefined && cached.record.publicKey === record.publicKey) {
      cached.record = record
      return cached
    }
    const entry = { record, key: publicKeyObject(record) }
    this.keys.set(k, entry)
    return entry
  }

  /** Verifies `bytes` and, when fresh, records it: the envelope, or why it is refused (counted). */
  verify(bytes: Uint8Array): Result.Result<Envelope, VerifyError> {
    const d = decodeEnvelope(bytes, this.maxPayloadBytes)
    if (Result.isFailure(d)) {
      this.counters.malformed++
      return Result.fail(new MalformedEnvelope({ cause: d.failure }))
    }
    const e = d.success
    const k = this.key(e.sender, e.keyRevision)
    if (k === undefined) {
      this.counters.unknownKey++
      return Result.fail(new UnknownKey({ sender: e.sender, keyRevision: e.keyRevision }))
    }
    const now = this.now()
    if (!isValidAt(k.record, now)) {
      this.counters.keyNotValid++
      return Result.fail(new KeyNotValid({ sender: e.sender, keyRevision: e.keyRevision, now, notAfter: k.record.notAfter }))
    }
    let w = this.windows.get(e.sender)
    // freshness first is cheaper, but only a verified message may move the window
    const stale = w?.check(e.term, e.sequence)
    if (stale === undefined && !crypto.verify(null, e.signed, k.key, e.signature)) {
      this.counters.badSignature++
      return Result.fail(new BadSignature({ sender: e.sender, keyRevision: e.keyRevision }))
    }
    if (stale !== undefined) {
      this.counters[stale]++
      return Result.fail(new Replayed({ sender: e.sender, reason: stale, term: e.term, sequence: e.sequence }))
    }
    if (w === undefined) this.windows.set(e.sender, (w = new ReplayWindow(this.windowSize)))
    w.accept(e.term, e.sequence)
    this.counters.accepted++
    return Result.succeed(e)
  }
}

/** Signs an UpBatch's canonical bytes once: one envelope for all its summaries. */
export const signUpBatch = (signer: Signer, batch: UpBatch): Result.Result<Uint8Array, SequenceExhausted> =>
  signer.sign(encodeMessage(batch))

/** Verifies a signed UpBatch, then decodes it: the batch only if both hold. */
export const verifyUpBatch = (
  verifier: Verifier,
  bytes: Uint8Array,
): Result.Result<{ readonly envelope: Envelope; readonly batch: UpBatch }, VerifyError | BadPayload> => {
  const v = verifier.verify(bytes)
  if (Result.isFailure(v)) return Result.fail(v.failure)
  const m = decodeMessage(v.success.payload)
  if (Result.isFailure(m) || m.success._tag !== "UpBatch") {
    verifier.counters.badPayload++
    const cause = Result.isFailure(m) ? m.failure : `a ${m.success._tag}, expected an UpBatch`
    return Result.fail(new BadPayload({ sender: v.success.sender, cause }))
  }
  return Result.succeed({ envelope: v.success, batch: m.success })
}
