/**
 * NATS subject syntax, shared by both transports: validation of subjects and
 * subscription patterns, KV bucket and key names, and pattern matching
 * ("*" matches one token, ">" one or more trailing tokens).
 */
import { TransportError } from "./Errors.ts"

const badToken = /[\s]/

/** Throws `TransportError("bad-subject")` unless `subject` is a valid publish subject (no wildcards). */
export const validatePublishSubject = (subject: string): ReadonlyArray<string> => {
  const tokens = subject.split(".")
  for (const t of tokens) {
    if (t === "" || badToken.test(t) || t === "*" || t === ">") {
      throw new TransportError({ reason: "bad-subject", detail: `invalid publish subject ${JSON.stringify(subject)}` })
    }
  }
  return tokens
}

/** Throws `TransportError("bad-subject")` unless `pattern` is a valid subscription subject. */
export const validatePattern = (pattern: string): ReadonlyArray<string> => {
  const tokens = pattern.split(".")
  tokens.forEach((t, i) => {
    if (t === "" || badToken.test(t) || (t === ">" && i !== tokens.length - 1) || (t.length > 1 && (t.includes("*") || t.includes(">")))) {
      throw new TransportError({ reason: "bad-subject", detail: `invalid subscription subject ${JSON.stringify(pattern)}` })
    }
  })
  return tokens
}

/** True if the publish subject matches the subscription pattern (NATS semantics). */
export const subjectMatches = (pattern: string, subject: string): boolean => {
  const p = pattern.split(".")
  const s = subject.split(".")
  for (let i = 0; i < p.length; i++) {
    const t = p[i]
    if (t === ">") return s.length > i
    if (i >= s.length) return false
    if (t !== "*" && t !== s[i]) return false
  }
  return p.length === s.length
}

const validKey = /^[-/=.\w]+$/
const validBucket = /^[-\w]+$/

/** Throws `TransportError("bad-key")` unless `bucket` is a valid KV bucket name (as in @nats-io/kv). */
export const validateBucket = (bucket: string): void => {
  if (!validBucket.test(bucket)) {
    throw new TransportError({ reason: "bad-key", detail: `invalid KV bucket name ${JSON.stringify(bucket)}` })
  }
}

/** Throws `TransportError("bad-key")` unless `key` is a valid KV key (as in @nats-io/kv). */
export const validateKey = (key: string): void => {
  if (key.startsWith(".") || key.endsWith(".") || !validKey.test(key)) {
    throw new TransportError({ reason: "bad-key", detail: `invalid KV key ${JSON.stringify(key)}` })
  }
}

/** Throws `TransportError("bad-argument")` unless `revision` is a non-negative safe integer. */
export const validateRevision = (revision: number): void => {
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw new TransportError({ reason: "bad-argument", detail: `invalid KV revision ${String(revision)}` })
  }
}
