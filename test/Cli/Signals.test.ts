// SIGINT/SIGTERM of `hydrogen tree … --transport nats`: the CLI, run as a real
// process with a real nats-server it starts itself, stops everything it started
// (the nats-server, coordinator processes) and exits 130/143. Processes are
// found and checked by pid through /proc (Linux).
import { type ChildProcess, spawn } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { sleep } from "../Net/helpers.ts"

const bin = resolve(dirname(fileURLToPath(import.meta.url)), "../../bin/hydrogen.mjs")

/** State letter and parent of `pid` from /proc/PID/stat, or undefined once it is gone. */
const stat = (pid: number): { readonly state: string; readonly ppid: number } | undefined => {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8")
    const rest = s.slice(s.lastIndexOf(")") + 2).split(" ")
    return { state: rest[0]!, ppid: Number(rest[1]) }
  } catch {
    return undefined
  }
}
/** Running: present and not a zombie (an exited child its parent has not reaped yet). */
const running = (pid: number): boolean => {
  const s = stat(pid)
  return s !== undefined && s.state !== "Z"
}
const cmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ")
  } catch {
    return ""
  }
}
/** Every running descendant of `root`, with its command line. */
const descendants = (root: number): Map<number, string> => {
  const children = new Map<number, number[]>()
  for (const name of readdirSync("/proc")) {
    const pid = Number(name)
    if (!Number.isInteger(pid)) continue
    const s = stat(pid)
    if (s === undefined || s.state === "Z") continue
    children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid])
  }
  const found = new Map<number, string>()
  const stack = [root]
  while (stack.length > 0) {
    for (const c of children.get(stack.pop()!) ?? []) {
      found.set(c, cmdline(c))
      stack.push(c)
    }
  }
  return found
}

const waitFor = async (what: string, cond: () => boolean, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(50)
  }
}

const exitOf = (p: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
  p.exitCode !== null || p.signalCode !== null
    ? Promise.resolve({ code: p.exitCode, signal: p.signalCode })
    : new Promise((r) => p.once("exit", (code, signal) => r({ code, signal })))

/**
 * Starts the CLI with `args`, waits until `ready` holds for its descendants,
 * sends `signal`, and returns its exit and the descendants seen before the signal.
 */
const interrupt = async (args: ReadonlyArray<string>, ready: (d: Map<number, string>) => boolean, signal: NodeJS.Signals) => {
  const p = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] })
  let out = ""
  let err = ""
  p.stdout!.on("data", (b: Buffer) => void (out += b.toString()))
  p.stderr!.on("data", (b: Buffer) => void (err += b.toString()))
  const seen = new Map<number, string>()
  try {
    await waitFor(`the run's processes (${args.join(" ")})`, () => {
      for (const [pid, cmd] of descendants(p.pid!)) seen.set(pid, cmd)
      return ready(seen) && out.includes("started nats-server")
    }, 30_000)
    await sleep(500) // mid-run, not mid-setup
    for (const [pid, cmd] of descendants(p.pid!)) seen.set(pid, cmd)
    p.kill(signal)
    const exit = await Promise.race([exitOf(p), sleep(20_000).then(() => undefined)])
    // the CLI has exited: what it started must be gone (allow the kernel a moment to reap)
    const deadline = Date.now() + 2_000
    while ([...seen.keys()].some(running) && Date.now() < deadline) await sleep(50)
    return { exit, seen, left: [...seen].filter(([pid]) => running(pid)), out, err }
  } finally {
    // never leave anything behind, whatever the assertions say
    for (const pid of [p.pid!, ...seen.keys()]) if (running(pid)) process.kill(pid, "SIGKILL")
  }
}

const isNatsServer = (cmd: string): boolean => /nats-server/.test(cmd)
const isCoordinatorProcess = (cmd: string): boolean => /CoordinatorProcess/.test(cmd)

describe("hydrogen tree: SIGINT/SIGTERM stop everything the run started", () => {
  it("SIGTERM during --processes: exit 143, the nats-server and every coordinator process are gone (by pid)", async () => {
    const r = await interrupt(
      ["tree", "--agents", "2000", "--branching", "10", "--processes", "--max-processes", "2", "--rounds", "1000000"],
      (d) => [...d.values()].some(isNatsServer) && [...d.values()].filter(isCoordinatorProcess).length === 2,
      "SIGTERM",
    )
    expect(r.exit).toEqual({ code: 143, signal: null })
    expect(r.err).toContain("hydrogen: SIGTERM, stopping")
    expect([...r.seen.values()].filter(isNatsServer)).toHaveLength(1)
    expect([...r.seen.values()].filter(isCoordinatorProcess)).toHaveLength(2)
    expect(r.left).toEqual([])
  }, 60_000)

  it("SIGINT during --processes: exit 130, the nats-server and every coordinator process are gone (by pid)", async () => {
    const r = await interrupt(
      ["tree", "--agents", "2000", "--branching", "10", "--processes", "--max-processes", "2", "--rounds", "1000000"],
      (d) => [...d.values()].some(isNatsServer) && [...d.values()].filter(isCoordinatorProcess).length === 2,
      "SIGINT",
    )
    expect(r.exit).toEqual({ code: 130, signal: null })
    expect(r.err).toContain("hydrogen: SIGINT, stopping")
    expect([...r.seen.values()].filter(isNatsServer)).toHaveLength(1)
    expect([...r.seen.values()].filter(isCoordinatorProcess)).toHaveLength(2)
    expect(r.left).toEqual([])
  }, 60_000)

  it("SIGINT during a single-process run over NATS: exit 130, the nats-server it started is gone (by pid)", async () => {
    const r = await interrupt(
      ["tree", "--agents", "1000", "--branching", "10", "--transport", "nats", "--rounds", "1000000"],
      (d) => [...d.values()].some(isNatsServer),
      "SIGINT",
    )
    expect(r.exit).toEqual({ code: 130, signal: null })
    expect(r.err).toContain("hydrogen: SIGINT, stopping")
    expect([...r.seen.values()].filter(isNatsServer)).toHaveLength(1)
    expect(r.left).toEqual([])
  }, 60_000)

  it("SIGTERM during --chaos over NATS: exit 143, the JetStream nats-server is gone (by pid)", async () => {
    const r = await interrupt(
      ["tree", "--agents", "100", "--branching", "5", "--chaos", "--transport", "nats", "--rounds", "1000"],
      (d) => [...d.values()].some(isNatsServer),
      "SIGTERM",
    )
    expect(r.exit).toEqual({ code: 143, signal: null })
    expect([...r.seen.values()].filter(isNatsServer)).toHaveLength(1)
    expect(r.left).toEqual([])
  }, 60_000)
})
