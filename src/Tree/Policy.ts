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
import * as Result from "effect/Result"
import { BadHeader, InvalidField, TrailingBytes, Truncated } from "../Bytes/Errors.ts"
import { catchFailure, fail, Reader } from "../Bytes/Reader.ts"
import { Writer } from "../Bytes/Writer.ts"
import { valueRange } from "./Agents.ts"
import { type Down, FieldOffset } from "./Messages.ts"

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
// Errors: the byte layer's, with offsets within the policy bytes

/**
 * Why policy bytes do not decode: an unknown version (`BadHeader`), fewer
 * bytes than a version-1 policy (`Truncated`) or more (`TrailingBytes`), a
 * clamp bound outside the agents' range or lo > hi (`InvalidField`).
 */
export type PolicyError = BadHeader | Truncated | TrailingBytes | InvalidField

/** What a policy error points at, as a field of the Down body: name, byte offset within the policy, value and bound. */
export const policyErrorField = (e: PolicyError): { readonly field: string; readonly offset: number; readonly value: number; readonly expected: string } => {
  switch (e._tag) {
    case "Truncated":
      return { field: "policy length", offset: 0, value: e.offset + e.available, expected: `0 or ${e.offset + e.needed}` }
    case "BadHeader":
      return { field: "policy version", offset: e.offset, value: e.value, expected: e.expected }
    case "TrailingBytes":
      return { field: "policy length", offset: e.offset, value: e.offset + e.count, expected: `0 or ${e.offset}` }
    case "InvalidField":
      return { field: `policy ${e.field}`, offset: e.offset, value: e.value, expected: e.expected }
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
  const w = new Writer("encodePolicy", new Uint8Array(CLAMP_POLICY_BYTES))
  w.u8(POLICY_VERSION)
  w.i32(p.lo)
  w.i32(p.hi)
  return w.buf
}

const RANGE = `${-valueRange}..${valueRange}`

/** Decodes policy bytes. Checks, in order: empty, version, length, lo, hi, lo ≤ hi. Never throws. */
export const decodePolicy = (bytes: Uint8Array): Result.Result<Policy, PolicyError> => {
  const n = bytes.length
  if (n === 0) return Result.succeed(noPolicy)
  return catchFailure<Policy, PolicyError>(() => {
    const r = new Reader(bytes)
    r.header("version", POLICY_VERSION)
    if (n < CLAMP_POLICY_BYTES) fail(new Truncated({ field: "clamp policy", offset: 0, needed: CLAMP_POLICY_BYTES, available: n }))
    if (n > CLAMP_POLICY_BYTES) fail(new TrailingBytes({ field: "clamp policy", offset: CLAMP_POLICY_BYTES, count: n - CLAMP_POLICY_BYTES }))
    const lo = r.i32("lo")
    if (!inRange(lo)) r.invalid("lo", 1, lo, RANGE)
    const hi = r.i32("hi")
    if (!inRange(hi)) r.invalid("hi", 5, hi, RANGE)
    if (lo > hi) r.invalid("lo", 1, lo, `≤ hi (${hi})`)
    return clamp(lo, hi)
  })
}

/** Offset of a Down's policy bytes in its message (the Down layout is `MessagesCodec.ts`'s). */
export const DOWN_POLICY_OFFSET = FieldOffset.downPolicy

/**
 * The policy of a decoded Down, or the `InvalidField` (offset within the
 * message) a receiver rejects the Down with.
 */
export const checkDownPolicy = (m: Down): Result.Result<Policy, InvalidField> => {
  const r = decodePolicy(m.policy)
  if (Result.isSuccess(r)) return Result.succeed(r.success)
  const f = policyErrorField(r.failure)
  // a wrong length is the Down's policy length field, which precedes the bytes
  const offset = f.field === "policy length" ? FieldOffset.downPolicyLength : DOWN_POLICY_OFFSET + f.offset
  return Result.fail(new InvalidField({ kind: "Down", field: f.field, offset, value: f.value, expected: f.expected }))
}

/** The bounds agents are clamped to under `p` (the whole value range for no policy). */
export const clampBounds = (p: Policy): { readonly lo: number; readonly hi: number } =>
  p._tag === "Clamp" ? p : { lo: -valueRange, hi: valueRange }
