/**
 * The web console: an HTTP server on loopback (node:http, a free port by
 * default) serving one page (src/Console/WebPage.ts) that shows the running
 * system's status — the seed's box, the live aggregate, the tree, sectors,
 * breakers and conflicts — pushed over Server-Sent Events when it changes,
 * and takes the console's commands behind the orchestrator login
 * (src/Console/WebAuth.ts).
 *
 * It talks to the system through a `WebBackend` (src/Console/WebBackend.ts
 * adapts a console session to it). Every request is checked before it is
 * served: the Host header must name this server (a DNS-rebinding page cannot
 * reach it), a POST must be JSON from this origin (no cross-site form can
 * post; the cookie is SameSite=Strict too), bodies are capped and decoded
 * with schemas (src/Console/WebRequest.ts), and every answer other than the
 * page itself is JSON: errors as `{ error: { _tag, message, where? } }`.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { Data, Effect, type Scope } from "effect"
import * as Result from "effect/Result"
import { generateToken, makeWebAuth, type WebAuth } from "./WebAuth.ts"
import { contentSecurityPolicy, pageCss, pageHtml, pageScript } from "./WebPage.ts"
import {
  errorBody,
  LoginBody,
  parseBody,
  parseCommand,
  statusOf,
  type WebBadRequest,
  type WebCommand,
  WebCommandFailed,
  type WebError,
  WebLockedOut,
  WebRefused,
  WebUnauthorized,
} from "./WebRequest.ts"

/** A cell of a status table. */
export type WebCell = string | number | boolean

/** What the page shows; produced by the backend, sent as JSON. */
export interface WebStatus {
  /** Every part of the system frozen. */
  readonly frozen: boolean
  /** What the header badge says: LIVE, FROZEN, or e.g. "3/100 CLUSTERS FROZEN". */
  readonly badge: string
  /** The seed's status box, as text. */
  readonly box: string
  readonly aggregate: Readonly<Record<string, WebCell>>
  readonly tree: Readonly<Record<string, WebCell>>
  readonly sectors: ReadonlyArray<Readonly<Record<string, WebCell>>>
  readonly breakers: ReadonlyArray<Readonly<Record<string, WebCell>>>
  readonly conflicts: ReadonlyArray<Readonly<Record<string, WebCell>>>
}

/** The running system as the web console sees it. */
export interface WebBackend {
  readonly status: () => Promise<WebStatus>
  /** Runs a decoded command; a refusal is a `WebCommandFailed` naming the console's error, a bad scope a `WebBadRequest`. */
  readonly run: (command: WebCommand) => Promise<Result.Result<string, WebCommandFailed | WebBadRequest>>
}

export interface WebConsoleOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number
  /** The login token; generated when absent (read it from `WebConsole.token`). */
  readonly token?: string
  /** How often the status is read for the event stream, ms (default 500). */
  readonly intervalMs?: number
  /** Largest request body, bytes (default 16 KiB). */
  readonly maxBodyBytes?: number
  readonly auth?: Omit<Parameters<typeof makeWebAuth>[0], "token">
}

export interface WebConsole {
  readonly url: string
  readonly port: number
  readonly token: string
  /** Requests answered with each status code so far (e.g. how many 401s). */
  readonly answered: () => Readonly<Record<number, number>>
  /** Stops the event streams and the server. Idempotent. */
  readonly close: () => Promise<void>
}

const securityHeaders = {
  "content-security-policy": contentSecurityPolicy,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
} as const

interface Client {
  readonly res: ServerResponse
  readonly cookie: string | undefined
}

/** Reads the body up to `max` bytes; more is a 413. */
const readBody = (req: IncomingMessage, max: number): Promise<Result.Result<string, WebRefused>> =>
  new Promise((ok) => {
    const chunks: Array<Buffer> = []
    let size = 0
    let done = false
    req.on("data", (c: Buffer) => {
      if (done) return
      size += c.length
      if (size > max) {
        done = true
        ok(Result.fail(new WebRefused({ status: 413, reason: `request body over ${max} bytes` })))
        req.resume()
        return
      }
      chunks.push(c)
    })
    req.on("end", () => {
      if (!done) ok(Result.succeed(Buffer.concat(chunks).toString("utf8")))
      done = true
    })
    req.on("error", (e) => {
      if (!done) ok(Result.fail(new WebRefused({ status: 400, reason: `request body unreadable: ${e.message}` })))
      done = true
    })
  })

/** Starts the web console on 127.0.0.1 for `backend`. */
export const startWebConsole = async (backend: WebBackend, options: WebConsoleOptions = {}): Promise<WebConsole> => {
  const token = options.token ?? generateToken()
  const auth: WebAuth = makeWebAuth({ ...options.auth, token })
  const intervalMs = options.intervalMs ?? 500
  const maxBody = options.maxBodyBytes ?? 16 * 1024
  const answered: Record<number, number> = {}
  const clients = new Set<Client>()
  let port = 0
  let lastJson = ""
  let queue: Promise<unknown> = Promise.resolve()

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    answered[status] = (answered[status] ?? 0) + 1
    res.writeHead(status, { ...securityHeaders, "content-type": "application/json; charset=utf-8", ...headers })
    res.end(JSON.stringify(body))
  }
  const fail = (res: ServerResponse, e: WebError, headers: Record<string, string> = {}): void => send(res, statusOf(e), errorBody(e), headers)
  const asset = (res: ServerResponse, type: string, body: string): void => {
    answered[200] = (answered[200] ?? 0) + 1
    res.writeHead(200, { ...securityHeaders, "content-type": `${type}; charset=utf-8` })
    res.end(body)
  }

  const origins = (): ReadonlyArray<string> => [`127.0.0.1:${port}`, `localhost:${port}`]
  const push = (json: string): void => {
    for (const c of clients) {
      if (!auth.check(c.cookie)) {
        clients.delete(c) // the session ended: so does its stream
        c.res.end()
      } else c.res.write(`event: status\ndata: ${json}\n\n`)
    }
  }
  const refresh = async (): Promise<void> => {
    let json: string
    try {
      json = JSON.stringify(await backend.status())
    } catch (e) {
      const msg = JSON.stringify({ message: e instanceof Error ? e.message : String(e) })
      for (const c of clients) c.res.write(`event: problem\ndata: ${msg}\n\n`)
      return
    }
    if (json !== lastJson) {
      lastJson = json
      push(json)
    }
  }
  let ticking = false
  const timer = setInterval(() => {
    if (clients.size === 0 || ticking) return
    ticking = true
    void refresh().finally(() => (ticking = false))
  }, intervalMs)

  // one command at a time: the session sees them in the order they came
  const serialized = <A>(f: () => Promise<A>): Promise<A> => {
    const next = queue.then(f, f)
    queue = next.catch(() => undefined)
    return next
  }

  const api = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    if (path === "/api/session" && req.method === "GET") return send(res, 200, { loggedIn: auth.check(req.headers.cookie) })
    if (req.method === "POST") {
      const origin = req.headers.origin
      if (origin !== undefined && !origins().some((o) => origin === `http://${o}`)) {
        return fail(res, new WebRefused({ status: 403, reason: `origin ${origin} may not post here` }))
      }
      const type = req.headers["content-type"] ?? ""
      if (!/^application\/json\s*(;|$)/i.test(type)) {
        return fail(res, new WebRefused({ status: 415, reason: `content-type must be application/json, got ${JSON.stringify(type)}` }))
      }
      const body = await readBody(req, maxBody)
      if (Result.isFailure(body)) return fail(res, body.failure, { connection: "close" })
      if (path === "/api/login") {
        const b = parseBody(LoginBody, body.success)
        if (Result.isFailure(b)) return fail(res, b.failure)
        const o = auth.login(b.success.token)
        if (o._tag === "LockedOut") return fail(res, new WebLockedOut({ retryAfterMs: o.retryAfterMs }), { "retry-after": String(Math.ceil(o.retryAfterMs / 1000)) })
        if (o._tag === "BadToken") return fail(res, new WebUnauthorized({ reason: "wrong token" }))
        return send(res, 200, { loggedIn: true }, { "set-cookie": auth.setCookie(o) })
      }
      if (path === "/api/logout") {
        auth.logout(req.headers.cookie)
        return send(res, 200, { loggedIn: false }, { "set-cookie": auth.setCookie() })
      }
      if (path === "/api/command") {
        if (!auth.check(req.headers.cookie)) return fail(res, new WebUnauthorized({ reason: "log in first" }))
        const c = parseCommand(body.success)
        if (Result.isFailure(c)) return fail(res, c.failure)
        const r = await serialized(() => backend.run(c.success))
        if (Result.isFailure(r)) return fail(res, r.failure)
        const status = await backend.status()
        lastJson = JSON.stringify(status)
        push(lastJson)
        return send(res, 200, { reply: r.success, status })
      }
    }
    if (path === "/api/status" && req.method === "GET") {
      if (!auth.check(req.headers.cookie)) return fail(res, new WebUnauthorized({ reason: "log in first" }))
      return send(res, 200, await backend.status())
    }
    if (path === "/api/events" && req.method === "GET") {
      if (!auth.check(req.headers.cookie)) return fail(res, new WebUnauthorized({ reason: "log in first" }))
      answered[200] = (answered[200] ?? 0) + 1
      res.writeHead(200, { ...securityHeaders, "content-type": "text/event-stream", connection: "keep-alive" })
      const client: Client = { res, cookie: req.headers.cookie }
      clients.add(client)
      req.on("close", () => clients.delete(client))
      const s = JSON.stringify(await backend.status())
      if (clients.has(client)) res.write(`event: status\ndata: ${s}\n\n`)
      return
    }
    const known = ["/api/session", "/api/login", "/api/logout", "/api/command", "/api/status", "/api/events"]
    return fail(res, new WebRefused(known.includes(path) ? { status: 405, reason: `${req.method} ${path} is not served` } : { status: 404, reason: `no such endpoint: ${path}` }))
  }

  const server: Server = createServer((req, res) => {
    const host = req.headers.host ?? ""
    if (!origins().includes(host)) return fail(res, new WebRefused({ status: 403, reason: `host ${JSON.stringify(host)} is not this console` }))
    const path = (req.url ?? "/").split("?")[0]!
    if (path.startsWith("/api/")) {
      api(req, res, path).catch((e: unknown) => {
        if (!res.headersSent) fail(res, new WebCommandFailed({ tag: "Defect", reason: e instanceof Error ? e.message : String(e), status: 500 }))
        else res.end()
      })
      return
    }
    if (req.method !== "GET" && req.method !== "HEAD") return fail(res, new WebRefused({ status: 405, reason: `${req.method} ${path} is not served` }))
    if (path === "/" || path === "/index.html") return asset(res, "text/html", pageHtml)
    if (path === "/app.js") return asset(res, "text/javascript", pageScript)
    if (path === "/app.css") return asset(res, "text/css", pageCss)
    if (path === "/favicon.ico") {
      answered[204] = (answered[204] ?? 0) + 1
      res.writeHead(204, securityHeaders) // no icon; a 404 would be a console error
      return res.end()
    }
    return fail(res, new WebRefused({ status: 404, reason: `no such page: ${path}` }))
  })
  await new Promise<void>((ok, bad) => {
    server.once("error", bad)
    server.listen(options.port ?? 0, "127.0.0.1", () => ok())
  })
  port = (server.address() as { port: number }).port

  let closed = false
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    token,
    answered: () => ({ ...answered }),
    close: async () => {
      if (closed) return
      closed = true
      clearInterval(timer)
      for (const c of clients) c.res.end()
      clients.clear()
      server.closeAllConnections()
      await new Promise<void>((ok) => server.close(() => ok()))
    },
  }
}

/** The server that could not start (port taken, bad token). */
export class WebStartError extends Data.TaggedError("WebStartError")<{ readonly reason: string }> {
  override get message(): string {
    return `web console did not start: ${this.reason}`
  }
}

/** `startWebConsole` as a scoped resource: closed when the scope closes. */
export const webConsole = (backend: WebBackend, options: WebConsoleOptions = {}): Effect.Effect<WebConsole, WebStartError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => startWebConsole(backend, options),
      catch: (e) => new WebStartError({ reason: e instanceof Error ? e.message : String(e) }),
    }),
    (w) => Effect.promise(() => w.close()),
  )
