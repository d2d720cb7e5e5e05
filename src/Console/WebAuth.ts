/**
 * The web console's orchestrator login: one secret (a token set at start, or
 * generated and printed), compared in constant time over SHA-256 digests so
 * neither its length nor a common prefix leaks through timing; a correct
 * token opens a session named by 32 random bytes, carried in an HttpOnly,
 * SameSite=Strict cookie, that expires after at most 8 hours (seed 002
 * §9.1: "sessions: max 8 hours, re-auth required"). Failed logins are counted;
 * after `maxFailures` in a row logins are refused until `lockoutMs` passes,
 * so the token cannot be guessed at loopback speed.
 *
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto"

/** The session cookie's name. */
export const cookieName = "hydrogen_console"

/** Seed 002 §9.1: orchestrator sessions last at most 8 hours. */
export const maxSessionMs = 8 * 60 * 60 * 1000

export interface WebAuthOptions {
  /** The login secret; at least 8 characters. */
  readonly token: string
  readonly sessionMs?: number
  readonly maxFailures?: number
  readonly lockoutMs?: number
  /** The clock (ms); tests move it. */
  readonly now?: () => number
}

export type LoginOutcome =
  | { readonly _tag: "LoggedIn"; readonly session: string; readonly expires: number }
  | { readonly _tag: "BadToken"; readonly failures: number }
  | { readonly _tag: "LockedOut"; readonly retryAfterMs: number }

export interface WebAuth {
  /** Checks `token`; a match opens a session. */
  readonly login: (token: string) => LoginOutcome
  /** Whether the request's `Cookie` header carries a live session. */
  readonly check: (cookieHeader: string | undefined) => boolean
  /** Ends the session the header carries, if any. */
  readonly logout: (cookieHeader: string | undefined) => void
  /** The `Set-Cookie` value for a session (or, without one, the value that clears it). */
  readonly setCookie: (session?: { readonly session: string; readonly expires: number }) => string
  /** Live sessions and failed logins so far. */
  readonly stats: () => { readonly sessions: number; readonly failedLogins: number }
}

/** A fresh random token (24 bytes, base64url): what `console serve` prints when none is given. */
export const generateToken = (): string => randomBytes(24).toString("base64url")

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest()

/** The value of cookie `name` in a `Cookie` header, if present. */
export const readCookie = (header: string | undefined, name: string): string | undefined => {
  if (header === undefined) return undefined
  for (const part of header.split(";")) {
    const eq = part.indexOf("=")
    if (eq < 0) continue
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

export const makeWebAuth = (options: WebAuthOptions): WebAuth => {
  if (options.token.length < 8) throw new RangeError("makeWebAuth: the token must have at least 8 characters")
  const expected = digest(options.token)
  const sessionMs = Math.min(options.sessionMs ?? maxSessionMs, maxSessionMs)
  const maxFailures = options.maxFailures ?? 10
  const lockoutMs = options.lockoutMs ?? 30_000
  const now = options.now ?? Date.now
  const sessions = new Map<string, number>() // id -> expiry
  let failuresInRow = 0
  let failedLogins = 0
  let lockedUntil = 0

  const live = (id: string | undefined): id is string => {
    if (id === undefined) return false
    const expiry = sessions.get(id)
    if (expiry === undefined) return false
    if (expiry <= now()) {
      sessions.delete(id)
      return false
    }
    return true
  }

  return {
    login: (token) => {
      const t = now()
      if (t < lockedUntil) return { _tag: "LockedOut", retryAfterMs: lockedUntil - t }
      if (!timingSafeEqual(digest(token), expected)) {
        failedLogins++
        failuresInRow++
        if (failuresInRow >= maxFailures) {
          failuresInRow = 0
          lockedUntil = t + lockoutMs
        }
        return { _tag: "BadToken", failures: failedLogins }
      }
      failuresInRow = 0
      for (const [id, expiry] of sessions) if (expiry <= t) sessions.delete(id)
      const session = randomBytes(32).toString("base64url")
      const expires = t + sessionMs
      sessions.set(session, expires)
      return { _tag: "LoggedIn", session, expires }
    },
    check: (header) => live(readCookie(header, cookieName)),
    logout: (header) => {
      const id = readCookie(header, cookieName)
      if (id !== undefined) sessions.delete(id)
    },
    setCookie: (s) =>
      s === undefined
        ? `${cookieName}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`
        : `${cookieName}=${s.session}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${Math.max(0, Math.floor((s.expires - now()) / 1000))}`,
    stats: () => ({ sessions: sessions.size, failedLogins }),
  }
}
