// The web console's HTTP surface, over real loopback HTTP: who may call what,
// and what a bad request is answered with. The backend here records the
// commands it receives, so each test can say which requests reached it.
import { request } from "node:http"
import * as Result from "effect/Result"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startWebConsole, type WebBackend, type WebConsole, type WebStatus } from "../../src/Console/Web.ts"
import type { WebCommand } from "../../src/Console/WebRequest.ts"
import { WebCommandFailed } from "../../src/Console/WebRequest.ts"
import { type Answer, call as httpCall, type CallOptions, loginCookie } from "./WebHttp.ts"

const token = "correct horse battery staple"
const received: Array<WebCommand> = []
let frozen = false

const status = (): WebStatus => ({
  frozen,
  badge: frozen ? "FROZEN" : "LIVE",
  box: "",
  aggregate: { count: 3, sum: 6 },
  tree: { agents: 3 },
  sectors: [],
  breakers: [],
  conflicts: [],
})

const backend: WebBackend = {
  status: async () => status(),
  run: async (c) => {
    received.push(c)
    if (c.command === "thaw" && !frozen) return Result.fail(new WebCommandFailed({ tag: "NotFrozen", reason: "the system is not frozen", status: 409 }))
    if (c.command === "freeze") frozen = true
    if (c.command === "thaw") frozen = false
    return Result.succeed(`done: ${c.command}`)
  },
}

let web: WebConsole

beforeAll(async () => {
  web = await startWebConsole(backend, { token, intervalMs: 50, auth: { maxFailures: 3, lockoutMs: 60_000 } })
})
afterAll(async () => {
  await web.close()
})

const call = (method: string, path: string, options: CallOptions = {}): Promise<Answer> => httpCall(web.port, method, path, options)

const login = (): Promise<string> => loginCookie(web.port, token)

describe("web console: login", () => {
  it("serves the page to anyone, with a CSP that forbids inline script and framing", async () => {
    const r = await call("GET", "/")
    expect(r.status).toBe(200)
    expect(r.body).toContain("<title>Hydrogen console</title>")
    expect(r.headers["content-security-policy"]).toContain("script-src 'self'")
    expect(r.headers["content-security-policy"]).toContain("frame-ancestors 'none'")
    expect((await call("GET", "/api/session")).json()).toEqual({ loggedIn: false })
  })

  it("answers 401 to status, events and commands without a session, and no command reaches the system", async () => {
    const before = received.length
    for (const [method, path] of [["GET", "/api/status"], ["GET", "/api/events"], ["POST", "/api/command"]] as const) {
      const r = await call(method, path, method === "POST" ? { body: JSON.stringify({ command: "freeze" }) } : {})
      expect(r.status, path).toBe(401)
      expect(r.json().error._tag).toBe("WebUnauthorized")
    }
    const forged = await call("POST", "/api/command", { body: JSON.stringify({ command: "freeze" }), cookie: "hydrogen_console=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" })
    expect(forged.status).toBe(401)
    expect(received.length).toBe(before)
    expect(frozen).toBe(false)
  })

  it("refuses a wrong token with 401 and sets an HttpOnly, SameSite=Strict session cookie for the right one", async () => {
    const wrong = await call("POST", "/api/login", { body: JSON.stringify({ token: "not the token" }) })
    expect(wrong.status).toBe(401)
    expect(wrong.headers["set-cookie"]).toBeUndefined()
    const r = await call("POST", "/api/login", { body: JSON.stringify({ token }) })
    expect(r.status).toBe(200)
    const set = String(r.headers["set-cookie"])
    expect(set).toMatch(/^hydrogen_console=[A-Za-z0-9_-]{43};/)
    expect(set).toContain("HttpOnly")
    expect(set).toContain("SameSite=Strict")
    expect(set).toMatch(/Max-Age=(\d+)/)
    expect(Number(/Max-Age=(\d+)/.exec(set)![1])).toBeLessThanOrEqual(8 * 3600)
    const cookie = set.split(";")[0]!
    expect((await call("GET", "/api/session", { cookie })).json()).toEqual({ loggedIn: true })
    const s = await call("GET", "/api/status", { cookie })
    expect(s.status).toBe(200)
    expect(s.json()).toEqual(status())
  })

  it("logout ends the session: the same cookie then gets 401", async () => {
    const cookie = await login()
    expect((await call("GET", "/api/status", { cookie })).status).toBe(200)
    expect((await call("POST", "/api/logout", { body: "{}", cookie })).status).toBe(200)
    expect((await call("GET", "/api/status", { cookie })).status).toBe(401)
  })
})

describe("web console: request bodies are decoded, bad ones answered 400 naming the field", () => {
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ["not JSON", "{freeze", "body"],
    ["not an object", "[1,2]", "body"],
    ["unknown command", JSON.stringify({ command: "explode" }), "body.command"],
    ["no command", JSON.stringify({ message: "hi" }), "body.command"],
    ["missing field", JSON.stringify({ command: "broadcast" }), "body.message"],
    ["empty text", JSON.stringify({ command: "broadcast", message: "" }), "body.message"],
    ["wrong type", JSON.stringify({ command: "ask", question: "q", sample: "ten" }), "body.sample"],
    ["out of range", JSON.stringify({ command: "ask", question: "q", sample: 0 }), "body.sample"],
    ["excess property", JSON.stringify({ command: "freeze", force: true }), "body.force"],
  ]
  for (const [what, body, where] of cases) {
    it(`${what} → 400 WebBadRequest at ${where}, nothing run`, async () => {
      const cookie = await login()
      const before = received.length
      const r = await call("POST", "/api/command", { body, cookie })
      expect(r.status).toBe(400)
      expect(r.json().error).toMatchObject({ _tag: "WebBadRequest", where })
      expect(received.length).toBe(before)
    })
  }

  it("a login body without a token is 400 at body.token", async () => {
    const r = await call("POST", "/api/login", { body: JSON.stringify({ password: token }) })
    expect(r.status).toBe(400)
    expect(r.json().error.where).toBe("body.token")
  })
})

describe("web console: requests from elsewhere", () => {
  it("refuses a foreign Host (DNS rebinding) and a foreign Origin with 403, a form post with 415, a huge body with 413", async () => {
    const cookie = await login()
    const before = received.length
    const host = await call("GET", "/api/status", { cookie, headers: { host: "evil.example:80" } })
    expect(host.status).toBe(403)
    const origin = await call("POST", "/api/command", { cookie, body: JSON.stringify({ command: "freeze" }), headers: { origin: "http://evil.example" } })
    expect(origin.status).toBe(403)
    const form = await call("POST", "/api/command", { cookie, body: "command=freeze", headers: { "content-type": "application/x-www-form-urlencoded" } })
    expect(form.status).toBe(415)
    const huge = await call("POST", "/api/command", { cookie, body: JSON.stringify({ command: "broadcast", message: "x".repeat(40_000) }) })
    expect(huge.status).toBe(413)
    expect(received.length).toBe(before)
    expect((await call("GET", "/nope")).status).toBe(404)
    expect((await call("DELETE", "/api/status", { cookie })).status).toBe(405)
  })
})

describe("web console: commands and live status", () => {
  it("runs a decoded command, answers with the reply and the new status; a refusal is 409 with the console's tag", async () => {
    const cookie = await login()
    const refused = await call("POST", "/api/command", { cookie, body: JSON.stringify({ command: "thaw" }) })
    expect(refused.status).toBe(409)
    expect(refused.json().error).toMatchObject({ _tag: "WebCommandFailed", message: "NotFrozen: the system is not frozen" })
    const r = await call("POST", "/api/command", { cookie, body: JSON.stringify({ command: "ask", question: "what is your context hash?", sample: 7 }) })
    expect(r.status).toBe(200)
    expect(r.json().reply).toBe("done: ask")
    expect(received.at(-1)).toEqual({ command: "ask", question: "what is your context hash?", sample: 7 })
  })

  it("the event stream sends the status at once and again when a command changes it", async () => {
    const cookie = await login()
    const events: Array<WebStatus> = []
    const stream = await new Promise<import("node:http").IncomingMessage>((ok, bad) => {
      const req = request({ host: "127.0.0.1", port: web.port, path: "/api/events", headers: { cookie } }, ok)
      req.on("error", bad)
      req.end()
    })
    expect(stream.statusCode).toBe(200)
    expect(stream.headers["content-type"]).toBe("text/event-stream")
    let buffer = ""
    stream.on("data", (c: Buffer) => {
      buffer += c.toString("utf8")
      let end
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const data = block.split("\n").find((l) => l.startsWith("data: "))
        if (block.startsWith("event: status") && data !== undefined) events.push(JSON.parse(data.slice(6)))
      }
    })
    const until = async (ok: () => boolean): Promise<void> => {
      for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25))
    }
    await until(() => events.length >= 1)
    expect(events[0]!.frozen).toBe(false)
    expect((await call("POST", "/api/command", { cookie, body: JSON.stringify({ command: "freeze" }) })).status).toBe(200)
    await until(() => events.some((e) => e.frozen))
    expect(events.some((e) => e.frozen)).toBe(true)
    expect((await call("POST", "/api/command", { cookie, body: JSON.stringify({ command: "thaw" }) })).status).toBe(200)
    await until(() => events.at(-1)!.frozen === false)
    expect(events.at(-1)!.frozen).toBe(false)
    stream.destroy()
  })
})

describe("web console: sessions end", () => {
  it("after 8 hours a session's cookie gets 401 and its event stream is closed at the next update", async () => {
    let t = 5_000_000
    const local = await startWebConsole(backend, { token, intervalMs: 20, auth: { now: () => t } })
    try {
      const old = await loginCookie(local.port, token)
      const stream = await new Promise<import("node:http").IncomingMessage>((ok, bad) => {
        const req = request({ host: "127.0.0.1", port: local.port, path: "/api/events", headers: { cookie: old } }, ok)
        req.on("error", bad)
        req.end()
      })
      expect(stream.statusCode).toBe(200)
      const ended = new Promise<void>((ok) => stream.on("end", () => ok()))
      stream.resume()
      t += 8 * 3600_000
      expect((await httpCall(local.port, "GET", "/api/status", { cookie: old })).status).toBe(401)
      const fresh = await loginCookie(local.port, token)
      const flip = frozen ? "thaw" : "freeze"
      expect((await httpCall(local.port, "POST", "/api/command", { cookie: fresh, body: JSON.stringify({ command: flip }) })).status).toBe(200)
      await ended
      expect((await httpCall(local.port, "GET", "/api/status", { cookie: fresh })).status).toBe(200)
    } finally {
      await local.close()
    }
  })
})
