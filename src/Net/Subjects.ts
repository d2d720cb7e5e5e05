/**
 * NATS subject syntax, shared by both transports: validation of subjects and
 * subscription patterns, KV bucket and key names, and pattern matching
 * ("*" matches one token, ">" one or more trailing tokens).
 */
import { TransportError } from "./Errors.ts"

const badToken = /[\s]/

/**
 * Whether `subject` is a valid publish subject: dot-separated non-empty tokens
 * without whitespace, none of them a wildcard ("*" or ">"). One pass over the
 * characters, no allocation: it runs on every publish.
 */
export const isPublishSubject = (subject: string): boolean => {
  let start = 0
  const n = subject.length
  for (let i = 0; i <= n; i++) {
    const c = i < n ? subject.charCodeAt(i) : 46
    if (c === 46) {
      const len = i - start
      if (len === 0) return false
      if (len === 1) {
        const t = subject.charCodeAt(start)
        if (t === 42 || t === 62) return false
      }
      start = i + 1
    } else if (isSpace(c)) {
      return false
    }
  }
  return true
}

/** The characters /\s/ matches (what `badToken` rejects in patterns). */
const isSpace = (c: number): boolean =>
  (c >= 9 && c <= 13) || c === 32 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff

/** Throws `TransportError("bad-subject")` unless `subject` is a valid publish subject (no wildcards). */
export const validatePublishSubject = (subject: string): void => {
  if (!isPublishSubject(subject)) {
    throw new TransportError({ reason: "bad-subject", detail: `invalid publish subject ${JSON.stringify(subject)}` })
  }
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
