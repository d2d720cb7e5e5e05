// Loopback HTTP for the web console tests, with full control of the headers
// (Host, Origin, Cookie, content-type), which fetch would not give.
import { request } from "node:http"

export interface Answer {
  readonly status: number
  readonly headers: Record<string, string | Array<string> | undefined>
  readonly body: string
  readonly json: () => any
}

export interface CallOptions {
  readonly body?: string
  readonly cookie?: string
  readonly headers?: Record<string, string>
}

/** One request to the console on `port`; a body is sent as JSON unless the headers say otherwise. */
export const call = (port: number, method: string, path: string, options: CallOptions = {}): Promise<Answer> =>
  new Promise((ok, bad) => {
    const headers: Record<string, string> = { ...(options.body !== undefined ? { "content-type": "application/json" } : {}), ...options.headers }
    if (options.cookie !== undefined) headers["cookie"] = options.cookie
    const req = request({ host: "127.0.0.1", port, method, path, headers }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8")
        ok({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) })
      })
    })
    req.on("error", bad)
    if (options.body !== undefined) req.write(options.body)
    req.end()
  })

/** Logs in with `token`; the cookie to send back (`name=value`). */
export const loginCookie = async (port: number, token: string): Promise<string> => {
  const r = await call(port, "POST", "/api/login", { body: JSON.stringify({ token }) })
  if (r.status !== 200) throw new Error(`login answered ${r.status}: ${r.body}`)
  const set = r.headers["set-cookie"]
  return ((Array.isArray(set) ? set[0] : set) ?? "").split(";")[0]!
}
