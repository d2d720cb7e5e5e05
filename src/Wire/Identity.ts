/**
 * Content identity of Elements: name-based UUIDs, version 5 (RFC 9562 §5.5,
 * SHA-1). `elementId(namespace, e)` is the UUIDv5 of `e`'s canonical 28-byte
 * encoding, so equal Elements get equal ids and the id is stable across
 * processes and languages.
 *
 * @module
 */
import { createHash } from "node:crypto"
import * as Result from "effect/Result"
import { Data } from "effect"
import { encode } from "./Codec.ts"
import type { Element } from "./Element.ts"

/** A UUID as its 16 bytes (network order). */
export type UuidBytes = Uint8Array & { readonly UuidBytes: unique symbol }

/** A string that is not a UUID in the 8-4-4-4-12 hex form. */
export class InvalidUuid extends Data.TaggedError("InvalidUuid")<{ readonly input: string }> {
  override get message(): string {
    return `not a UUID (expected 8-4-4-4-12 hex digits): ${JSON.stringify(this.input)}`
  }
}

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/

/** Parses the 8-4-4-4-12 hex form (either case). */
export const parseUuid = (s: string): Result.Result<UuidBytes, InvalidUuid> => {
  if (!UUID_RE.test(s)) return Result.fail(new InvalidUuid({ input: s }))
  const hex = s.replaceAll("-", "")
  const out = new Uint8Array(16)
  for (let i = 0; i < 16; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return Result.succeed(out as UuidBytes)
}

/** The lower-case 8-4-4-4-12 hex form. */
export const formatUuid = (b: Uint8Array): string => {
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}

const known = (s: string): UuidBytes => {
  const r = parseUuid(s)
  if (Result.isFailure(r)) throw new Error(`bad built-in namespace ${s}`) // unreachable: constants below
  return r.success
}

/** RFC 9562 §6.6 namespace for DNS names. */
export const NAMESPACE_DNS: UuidBytes = known("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
/** RFC 9562 §6.6 namespace for URLs. */
export const NAMESPACE_URL: UuidBytes = known("6ba7b811-9dad-11d1-80b4-00c04fd430c8")
/** RFC 9562 §6.6 namespace for ISO OIDs. */
export const NAMESPACE_OID: UuidBytes = known("6ba7b812-9dad-11d1-80b4-00c04fd430c8")
/** RFC 9562 §6.6 namespace for X.500 DNs. */
export const NAMESPACE_X500: UuidBytes = known("6ba7b814-9dad-11d1-80b4-00c04fd430c8")

/**
 * UUIDv5 bytes: SHA-1 over namespace ‖ name, first 16 bytes, version nibble
 * 5 (byte 6 high nibble) and variant `10` (byte 8 top bits). A string name is
 * taken as its UTF-8 bytes.
 */
export const uuidV5Bytes = (namespace: UuidBytes, name: Uint8Array | string): UuidBytes => {
  const h = createHash("sha1").update(namespace)
  h.update(typeof name === "string" ? Buffer.from(name, "utf8") : name)
  const out = new Uint8Array(h.digest().subarray(0, 16))
  out[6] = (out[6]! & 0x0f) | 0x50
  out[8] = (out[8]! & 0x3f) | 0x80
  return out as UuidBytes
}

/** UUIDv5 of a name in a namespace, in the 8-4-4-4-12 hex form. */
export const uuidV5 = (namespace: UuidBytes, name: Uint8Array | string): string => formatUuid(uuidV5Bytes(namespace, name))

/** The id of an Element: UUIDv5 over its canonical 28-byte encoding (`encode`). */
export const elementId = (namespace: UuidBytes, e: Element): string => uuidV5(namespace, encode(e))
