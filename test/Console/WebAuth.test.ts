// The orchestrator login on its own, with a clock the test moves.
import { describe, expect, it } from "vitest"
import { cookieName, makeWebAuth, maxSessionMs, readCookie } from "../../src/Console/WebAuth.ts"

const clock = () => {
  let t = 1_000_000
  return { now: () => t, advance: (ms: number) => (t += ms) }
}

const cookieOf = (set: string): string => set.split(";")[0]!

describe("web console login", () => {
  it("refuses tokens shorter than 8 characters at start", () => {
    expect(() => makeWebAuth({ token: "short" })).toThrow(RangeError)
  })

  it("a wrong token opens nothing; the right one opens a session its cookie carries", () => {
    const a = makeWebAuth({ token: "the-orchestrator" })
    expect(a.login("the-orchestrato")._tag).toBe("BadToken")
    expect(a.login("the-orchestrator ")._tag).toBe("BadToken")
    const ok = a.login("the-orchestrator")
    if (ok._tag !== "LoggedIn") throw new Error(ok._tag)
    const cookie = cookieOf(a.setCookie(ok))
    expect(a.check(cookie)).toBe(true)
    expect(a.check(`other=1; ${cookie}`)).toBe(true)
    expect(a.check(undefined)).toBe(false)
    expect(a.check(`${cookieName}=${"A".repeat(43)}`)).toBe(false)
    expect(a.stats()).toEqual({ sessions: 1, failedLogins: 2 })
  })

  it("sessions end after their lifetime, never more than 8 hours", () => {
    const c = clock()
    const a = makeWebAuth({ token: "the-orchestrator", sessionMs: 24 * 3600_000, now: c.now })
    const ok = a.login("the-orchestrator")
    if (ok._tag !== "LoggedIn") throw new Error(ok._tag)
    expect(ok.expires - c.now()).toBe(maxSessionMs)
    expect(a.setCookie(ok)).toContain(`Max-Age=${maxSessionMs / 1000}`)
    const cookie = cookieOf(a.setCookie(ok))
    c.advance(maxSessionMs - 1)
    expect(a.check(cookie)).toBe(true)
    c.advance(1)
    expect(a.check(cookie)).toBe(false)
  })

  it("after maxFailures wrong tokens in a row even the right one is refused until the lockout passes", () => {
    const c = clock()
    const a = makeWebAuth({ token: "the-orchestrator", maxFailures: 3, lockoutMs: 30_000, now: c.now })
    for (let i = 0; i < 3; i++) expect(a.login(`guess-${i}`)._tag).toBe("BadToken")
    const locked = a.login("the-orchestrator")
    expect(locked).toEqual({ _tag: "LockedOut", retryAfterMs: 30_000 })
    c.advance(29_999)
    expect(a.login("the-orchestrator")._tag).toBe("LockedOut")
    c.advance(1)
    expect(a.login("the-orchestrator")._tag).toBe("LoggedIn")
  })

  it("logout ends only the session it names", () => {
    const a = makeWebAuth({ token: "the-orchestrator" })
    const s1 = a.login("the-orchestrator")
    const s2 = a.login("the-orchestrator")
    if (s1._tag !== "LoggedIn" || s2._tag !== "LoggedIn") throw new Error("login")
    expect(s1.session).not.toBe(s2.session)
    a.logout(cookieOf(a.setCookie(s1)))
    expect(a.check(cookieOf(a.setCookie(s1)))).toBe(false)
    expect(a.check(cookieOf(a.setCookie(s2)))).toBe(true)
    expect(a.setCookie()).toContain("Max-Age=0")
  })

  it("reads a cookie by exact name among others", () => {
    expect(readCookie("a=1; hydrogen_console=xyz; b=2", cookieName)).toBe("xyz")
    expect(readCookie("xhydrogen_console=1", cookieName)).toBeUndefined()
    expect(readCookie(undefined, cookieName)).toBeUndefined()
  })
})
