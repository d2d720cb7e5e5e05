// `hydrogen console serve` as a real process: it prints where it serves, the
// page's API works with the token it was given (or printed), a bad token
// variable or flag stops it before anything starts, and SIGTERM stops the
// server (and a nats-server it started) with exit 143.
import { type ChildProcess, spawn } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { call, loginCookie } from "./WebHttp.ts"

const bin = resolve(dirname(fileURLToPath(import.meta.url)), "../../bin/hydrogen.mjs")
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Served {
  readonly p: ChildProcess
  readonly out: () => string
  readonly err: () => string
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

const serve = (args: ReadonlyArray<string>, token: string | undefined): Served => {
  const env = { ...process.env }
  delete env["HYDROGEN_CONSOLE_TOKEN"]
  if (token !== undefined) env["HYDROGEN_CONSOLE_TOKEN"] = token
  const p = spawn(process.execPath, [bin, "console", "serve", ...args], { stdio: ["ignore", "pipe", "pipe"], env })
  let out = ""
  let err = ""
  p.stdout!.on("data", (b: Buffer) => void (out += b.toString()))
  p.stderr!.on("data", (b: Buffer) => void (err += b.toString()))
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => p.once("exit", (code, signal) => r({ code, signal })))
  return { p, out: () => out, err: () => err, exit }
}

const portOf = async (s: Served): Promise<number> => {
  const deadline = Date.now() + 30_000
  for (;;) {
    const m = /serve: http:\/\/127\.0\.0\.1:(\d+)\//.exec(s.out())
    if (m !== null) return Number(m[1])
    if (s.p.exitCode !== null || Date.now() > deadline) throw new Error(`no URL printed; out: ${s.out()} err: ${s.err()}`)
    await sleep(50)
  }
}

/** Running children of `pid` with their command lines (Linux /proc). */
const children = (pid: number): Array<{ pid: number; cmd: string }> => {
  const found: Array<{ pid: number; cmd: string }> = []
  for (const name of readdirSync("/proc")) {
    const child = Number(name)
    if (!Number.isInteger(child)) continue
    try {
      const stat = readFileSync(`/proc/${child}/stat`, "utf8")
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      if (Number(rest[1]) === pid && rest[0] !== "Z") found.push({ pid: child, cmd: readFileSync(`/proc/${child}/cmdline`, "utf8").replaceAll("\0", " ") })
    } catch {
      // gone meanwhile
    }
  }
  return found
}
const alive = (pid: number): boolean => {
  try {
    return !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ")
  } catch {
    return false
  }
}

const stop = async (s: Served) => {
  if (s.p.exitCode === null && s.p.signalCode === null) s.p.kill("SIGTERM")
  const r = await Promise.race([s.exit, sleep(20_000).then(() => undefined)])
  if (r === undefined) s.p.kill("SIGKILL")
  return r
}

describe("hydrogen console serve", () => {
  it("serves the page with the token from HYDROGEN_CONSOLE_TOKEN; freeze through it; SIGTERM exits 143 and closes the port", async () => {
    const token = "serve-test-token-123"
    const s = serve(["--tick-ms", "0", "--sectors", "2", "--clusters", "2", "--agents-per-cluster", "5"], token)
    try {
      const port = await portOf(s)
      expect(s.out()).toContain("login token: from HYDROGEN_CONSOLE_TOKEN")
      expect(s.out()).not.toContain(token)
      expect((await call(port, "GET", "/")).status).toBe(200)
      expect((await call(port, "GET", "/api/status")).status).toBe(401)
      const cookie = await loginCookie(port, token)
      const st = (await call(port, "GET", "/api/status", { cookie })).json()
      expect(st.tree.agents).toBe(20)
      const f = await call(port, "POST", "/api/command", { cookie, body: JSON.stringify({ command: "freeze" }) })
      expect(f.status).toBe(200)
      expect((await call(port, "GET", "/api/status", { cookie })).json().badge).toBe("FROZEN")
      const r = await stop(s)
      expect(r).toEqual({ code: 143, signal: null })
      await expect(call(port, "GET", "/")).rejects.toThrow(/ECONNREFUSED/)
    } finally {
      await stop(s)
    }
  }, 60_000)

  it("without the variable it prints a generated token that logs in", async () => {
    const s = serve(["--tick-ms", "0", "--sectors", "1", "--clusters", "1", "--agents-per-cluster", "3"], undefined)
    try {
      const port = await portOf(s)
      const deadline = Date.now() + 5_000
      while (!/login token: \S+/.test(s.out()) && Date.now() < deadline) await sleep(20)
      const printed = /login token: ([A-Za-z0-9_-]{32})\n/.exec(s.out())
      expect(printed).not.toBeNull()
      const cookie = await loginCookie(port, printed![1]!)
      expect((await call(port, "GET", "/api/session", { cookie })).json()).toEqual({ loggedIn: true })
    } finally {
      await stop(s)
    }
  }, 60_000)

  it("with --bus nats it starts a nats-server, and SIGTERM stops it too", async () => {
    const s = serve(["--bus", "nats", "--tick-ms", "0", "--sectors", "1", "--clusters", "2", "--agents-per-cluster", "3"], "nats-serve-token-1")
    try {
      const port = await portOf(s)
      expect(s.out()).toMatch(/system: NATS nats:\/\/127\.0\.0\.1:\d+/)
      const nats = children(s.p.pid!).filter((c) => /nats-server/.test(c.cmd))
      expect(nats).toHaveLength(1)
      const cookie = await loginCookie(port, "nats-serve-token-1")
      expect((await call(port, "POST", "/api/command", { cookie, body: JSON.stringify({ command: "freeze" }) })).status).toBe(200)
      expect(await stop(s)).toEqual({ code: 143, signal: null })
      const deadline = Date.now() + 3_000
      while (alive(nats[0]!.pid) && Date.now() < deadline) await sleep(50)
      expect(alive(nats[0]!.pid)).toBe(false)
    } finally {
      await stop(s)
    }
  }, 60_000)

  it("a token variable shorter than 8 characters, or a bad --port, exits 2 naming it, before anything starts", async () => {
    const short = serve(["--port", "0"], "short")
    expect((await short.exit).code).toBe(2)
    expect(short.err()).toContain("HYDROGEN_CONSOLE_TOKEN must hold 8 to 512 characters, got 5")
    expect(short.out()).not.toContain("http://")
    const port = serve(["--port", "70000"], "long-enough-token")
    expect((await port.exit).code).toBe(2)
    expect(port.err()).toContain("--port")
  }, 60_000)
})
