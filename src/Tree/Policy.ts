/**
 * The policy a Down carries: what agents apply when they update.
 *
 * Binary format (little-endian), carried as the Down's policy bytes:
 *   empty                                   no policy: agents keep their values
 *   version u8 = 1 · lo i32 · hi i32        (9 bytes) clamp: every agent's value
 *                                           is clamped to [lo, hi]
 * with −valueRange ≤ lo ≤ hi ≤ valueRange (the agents' range, src/Tree/Agents.ts).
 *
 * Every Down carries the whole policy in force, not a change to it: a Down
 * with empty policy bytes lifts any clamp. A local coordinator holds the
 * policy of the latest Down it accepted, and its agents apply it at their next
 * update, so while a broadcast spreads agents under different parents may
 * briefly apply different policies (eventual, like the rest of the tree).
 *
 * `decodePolicy` never throws and accepts only canonical bytes (an accepted
 * buffer re-encodes to itself); `checkDownPolicy` is the receiver's check of a
 * Down, giving the `InvalidField` a bad policy is rejected with.
 *
 * @module
 */
import { Data } from "effect"
import * as Result from "effect/Result"
import { valueRange } from "./Agents.ts"
import { type Down, HEADER_BYTES, InvalidField } from "./Messages.ts"

export const POLICY_VERSION = 1
/** Bytes of a version-1 policy. */
export const CLAMP_POLICY_BYTES = 9

/** No policy: agents keep their values (encoded as empty bytes). */
export interface NoPolicy {
  readonly _tag: "NoPolicy"
}

/** Every agent's value is clamped to `[lo, hi]`. */
export interface Clamp {
  readonly _tag: "Clamp"
  readonly lo: number
  readonly hi: number
}

export type Policy = NoPolicy | Clamp

export const noPolicy: Policy = { _tag: "NoPolicy" }

export const clamp = (lo: number, hi: number): Policy => ({ _tag: "Clamp", lo, hi })

// ---------------------------------------------------------------------------
// Errors (offsets are within the policy bytes)

/** Fewer bytes than a version-1 policy needs (and not empty). */
export class PolicyTruncated extends Data.TaggedError("PolicyTruncated")<{
  readonly needed: number
  readonly available: number
}> {
  override get message(): string {
    return `truncated policy: ${this.needed} bytes needed, only ${this.available} available`
  }
}

/** The version byte is not a known policy version. */
export class UnknownPolicyVersion extends Data.TaggedError("UnknownPolicyVersion")<{ readonly version: number }> {
  override get message(): string {
    return `unknown policy version ${this.version} at byte 0 (known: ${POLICY_VERSION})`
  }
}

/** Bytes after the end of the policy. */
export class PolicyTrailingBytes extends Data.TaggedError("PolicyTrailingBytes")<{
  readonly length: number
  readonly expected: number
}> {
  override get message(): string {
    return `policy of ${this.length} bytes, expected ${this.expected}: ${this.length - this.expected} trailing bytes at byte ${this.expected}`
  }
}

/** A clamp bound outside the agents' value range. */
export class PolicyOutOfRange extends Data.TaggedError("PolicyOutOfRange")<{
  readonly field: "lo" | "hi"
  readonly offset: number
  readonly value: number
}> {
  override get message(): string {
    return `policy ${this.field} at byte ${this.offset}: got ${this.value}, expected a value in ${-valueRange}..${valueRange}`
  }
}

/** A clamp whose lower bound exceeds its upper bound. */
export class InvertedClamp extends Data.TaggedError("InvertedClamp")<{
  readonly lo: number
  readonly hi: number
}> {
  override get message(): string {
    return `policy lo at byte 1 (${this.lo}) exceeds hi at byte 5 (${this.hi})`
  }
}

export type PolicyError = PolicyTruncated | UnknownPolicyVersion | PolicyTrailingBytes | PolicyOutOfRange | InvertedClamp

/** What a policy error points at, as a field of the Down body: name, byte offset within the policy, value and bound. */
export const policyErrorField = (e: PolicyError): { readonly field: string; readonly offset: number; readonly value: number; readonly expected: string } => {
  switch (e._tag) {
    case "PolicyTruncated":
      return { field: "policy length", offset: 0, value: e.available, expected: `0 or ${e.needed}` }
    case "UnknownPolicyVersion":
      return { field: "policy version", offset: 0, value: e.version, expected: String(POLICY_VERSION) }
    case "PolicyTrailingBytes":
      return { field: "policy length", offset: e.expected, value: e.length, expected: `0 or ${e.expected}` }
    case "PolicyOutOfRange":
      return { field: `policy ${e.field}`, offset: e.offset, value: e.value, expected: `${-valueRange}..${valueRange}` }
    case "InvertedClamp":
      return { field: "policy lo", offset: 1, value: e.lo, expected: `≤ hi (${e.hi})` }
  }
}

// ---------------------------------------------------------------------------
// Codec

const inRange = (x: number): boolean => Number.isInteger(x) && x >= -valueRange && x <= valueRange

/**
 * The canonical bytes of `p`.
 *
 * @throws RangeError for a clamp outside the agents' range or with lo > hi (the caller's bug; decoding never throws).
 */
export const encodePolicy = (p: Policy): Uint8Array => {
  if (p._tag === "NoPolicy") return new Uint8Array(0)
  if (!inRange(p.lo) || !inRange(p.hi) || p.lo > p.hi) {
    throw new RangeError(`encodePolicy: clamp must be integers with ${-valueRange} ≤ lo ≤ hi ≤ ${valueRange}, got [${p.lo}, ${p.hi}]`)
  }
  const out = new Uint8Array(CLAMP_POLICY_BYTES)
  const dv = new DataView(out.buffer)
  out[0] = POLICY_VERSION
  dv.setInt32(1, p.lo, true)
  dv.setInt32(5, p.hi, true)
  return out
}

/** Decodes policy bytes. Checks, in order: empty, version, length, lo, hi, lo ≤ hi. Never throws. */
export const decodePolicy = (bytes: Uint8Array): Result.Result<Policy, PolicyError> => {
  const n = bytes.length
  if (n === 0) return Result.succeed(noPolicy)
  if (bytes[0] !== POLICY_VERSION) return Result.fail(new UnknownPolicyVersion({ version: bytes[0]! }))
  if (n < CLAMP_POLICY_BYTES) return Result.fail(new PolicyTruncated({ needed: CLAMP_POLICY_BYTES, available: n }))
  if (n > CLAMP_POLICY_BYTES) return Result.fail(new PolicyTrailingBytes({ length: n, expected: CLAMP_POLICY_BYTES }))
  const dv = new DataView(bytes.buffer, bytes.byteOffset, n)
  const lo = dv.getInt32(1, true)
  if (!inRange(lo)) return Result.fail(new PolicyOutOfRange({ field: "lo", offset: 1, value: lo }))
  const hi = dv.getInt32(5, true)
  if (!inRange(hi)) return Result.fail(new PolicyOutOfRange({ field: "hi", offset: 5, value: hi }))
  if (lo > hi) return Result.fail(new InvertedClamp({ lo, hi }))
  return Result.succeed(clamp(lo, hi))
}

/** Offset of a Down's policy bytes in its message: header, epoch u32, policy length u32. */
export const DOWN_POLICY_OFFSET = HEADER_BYTES + 8

/**
 * The policy of a decoded Down, or the `InvalidField` (offset within the
 * message) a receiver rejects the Down with.
 */
export const checkDownPolicy = (m: Down): Result.Result<Policy, InvalidField> => {
  const r = decodePolicy(m.policy)
  if (Result.isSuccess(r)) return Result.succeed(r.success)
  const f = policyErrorField(r.failure)
  // a wrong length is the Down's policy length field, which precedes the bytes
  const offset = f.field === "policy length" ? DOWN_POLICY_OFFSET - 4 : DOWN_POLICY_OFFSET + f.offset
  return Result.fail(new InvalidField({ kind: "Down", field: f.field, offset, value: f.value, expected: f.expected }))
}

/** The bounds agents are clamped to under `p` (the whole value range for no policy). */
export const clampBounds = (p: Policy): { readonly lo: number; readonly hi: number } =>
  p._tag === "Clamp" ? p : { lo: -valueRange, hi: valueRange }
