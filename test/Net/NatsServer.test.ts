/** startNatsServer: free ports, readiness, stop/kill/restart, and clear errors. */
import { spawn } from "node:child_process"
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createConnection } from "node:net"
import { fileURLToPath } from "node:url"
import { Effect, Exit, Fiber } from "effect"
import { describe, expect, it } from "vitest"
import { NatsServerMissing, NatsServerStartFailed } from "../../src/Net/Errors.ts"
import { connectNats } from "../../src/Net/Nats.ts"
import { NatsServerLayer, NatsServers, NatsServerService } from "../../src/Net/Layers.ts"
import { findNatsServer, freeLoopbackPort, type NatsServerHandle, natsServer, startNatsServer } from "../../src/Net/NatsServer.ts"
import { sleep, withNatsServer } from "./helpers.ts"

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = createConnection({ host: "127.0.0.1", port })
    s.once("connect", () => {
      s.destroy()
      resolve(true)
    })
    s.once("error", () => resolve(false))
  })

/** Whether `pid` is a live process (a zombie waiting to be reaped counts as gone). */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"))
  } catch {
    return true // no /proc: kill(pid, 0) answered
  }
}

/** Runs `body` with servers that are stopped afterwards whatever happens. */
const withServers = async (n: number, body: (servers: ReadonlyArray<NatsServerHandle>) => Promise<void>): Promise<void> => {
  const started = await Promise.allSettled(Array.from({ length: n }, () => startNatsServer({ jetstream: true })))
  const servers = started.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []))
  try {
    for (const r of started) if (r.status === "rejected") throw r.reason
    await body(servers)
  } finally {
    await Promise.all(servers.map((s) => s.stop()))
  }
}

describe("startNatsServer", () => {
  it("starts two servers at once on different free loopback ports; stop shuts them down and removes the store dir", async () => {
    let seen: Array<{ port: number; storeDir: string | undefined }> = []
    await withServers(2, async ([a, b]) => {
      expect(a!.port).not.toBe(b!.port)
      expect(a!.url).toBe(`nats://127.0.0.1:${a!.port}`)
      for (const s of [a!, b!]) {
        expect(s.running).toBe(true)
        expect(s.storeDir !== undefined && existsSync(s.storeDir)).toBe(true)
        const t = await connectNats({ servers: s.url, name: "probe" })
        const kv = await t.kv("probe") // JetStream is on
        expect(await kv.create("k", new Uint8Array([1]))).toBe(1)
        await t.close()
      }
      seen = [a!, b!].map((s) => ({ port: s.port, storeDir: s.storeDir }))
    })
    for (const s of seen) {
      expect(await accepts(s.port)).toBe(false)
      expect(existsSync(s.storeDir!)).toBe(false)
    }
  })

  it("can be started and stopped again (sequentially); stop is idempotent", async () => {
    for (let i = 0; i < 2; i++) {
      const s = await startNatsServer({ jetstream: false })
      try {
        expect(s.storeDir).toBeUndefined()
        expect(await accepts(s.port)).toBe(true)
      } finally {
        await s.stop()
        await s.stop()
      }
      expect(s.running).toBe(false)
    }
  })

  it("kill() is SIGKILL; restart() comes back on the same port", async () => {
    await withServers(1, async ([s]) => {
      const port = s!.port
      await s!.kill()
      expect(s!.running).toBe(false)
      expect(await accepts(port)).toBe(false)
      await s!.restart()
      expect(s!.running).toBe(true)
      expect(s!.port).toBe(port)
      expect(await accepts(port)).toBe(true)
      await s!.restart() // restart of a running server: graceful stop, then start
      expect(await accepts(port)).toBe(true)
      expect(s!.log).toMatch(/Server is ready/)
    })
  })

  it("a missing binary is a NatsServerMissing error that says how to install it", async () => {
    const err = await startNatsServer({ binary: "/nonexistent/bin/nats-server" }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(NatsServerMissing)
    const e = err as NatsServerMissing
    expect(e._tag).toBe("NatsServerMissing")
    expect(e.message).toMatch(/make setup/)
    expect(e.message).toMatch(/scripts\/nats\/install\.sh/)
    expect(() => findNatsServer("/nonexistent/bin/nats-server")).toThrow(NatsServerMissing)
    expect(findNatsServer()).toMatch(/nats-server$/)
  })

  it("a server that exits at once is a NatsServerStartFailed error with its output", async () => {
    const err = await startNatsServer({ extraArgs: ["--no-such-flag"] }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(NatsServerStartFailed)
    expect((err as NatsServerStartFailed).detail).toMatch(/exited early/)
    expect((err as NatsServerStartFailed).message).toMatch(/no-such-flag/)
  })

  it("a taken port is reported, not silently replaced", async () => {
    await withServers(1, async ([s]) => {
      const err = await startNatsServer({ port: s!.port, jetstream: false, startTimeoutMs: 3_000 }).then(
        (other) => other.stop().then(() => undefined),
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(NatsServerStartFailed)
      expect((err as NatsServerStartFailed).stderr).toMatch(/address already in use/i)
    })
    expect(await freeLoopbackPort()).toBeGreaterThan(0)
  })

  // SIGKILL runs no exit hook; SIGTERM and SIGINT end Node without its "exit" event unless handled
  it.each(["SIGKILL", "SIGTERM", "SIGINT"] as const)("a server started by a process that gets %s does not outlive it (the watchdog kills it)", async (signal) => {
    const script = fileURLToPath(new URL("./serverChild.ts", import.meta.url))
    const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "inherit"] })
    let server: { pid: number; port: number } | undefined
    try {
      server = await new Promise<{ pid: number; port: number }>((resolve, reject) => {
        let out = ""
        child.stdout!.on("data", (chunk: Buffer) => {
          out += chunk.toString("utf8")
          const eol = out.indexOf("\n")
          if (eol >= 0) resolve(JSON.parse(out.slice(0, eol)) as { pid: number; port: number })
        })
        child.once("exit", (code) => reject(new Error(`child exited (code ${code}) before starting a server`)))
      })
      expect(alive(server.pid)).toBe(true)
      expect(await accepts(server.port)).toBe(true)
      child.kill(signal)
      const deadline = Date.now() + 5_000
      while (alive(server.pid) && Date.now() < deadline) await sleep(50)
      expect(alive(server.pid)).toBe(false)
      expect(await accepts(server.port)).toBe(false)
    } finally {
      child.kill("SIGKILL")
      if (server !== undefined && alive(server.pid)) process.kill(server.pid, "SIGKILL")
    }
  })
})

/** A stand-in "nats-server" that writes its pid to `pidFile` and never listens. */
const mute = (): { readonly binary: string; readonly pid: () => number | undefined; readonly cleanup: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), "hydrogen-mute-"))
  const pidFile = join(dir, "pid")
  const binary = join(dir, "nats-server")
  writeFileSync(binary, `#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 60\n`)
  chmodSync(binary, 0o755)
  return {
    binary,
    pid: () => (existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").trim()) || undefined : undefined),
    cleanup: () => {
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").trim()) : 0
      if (pid > 0 && alive(pid)) process.kill(pid, "SIGKILL")
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

describe("natsServer as a scoped resource", () => {
  it("runs while its scope is open; closing the scope stops it (pid gone, port closed, store dir removed)", async () => {
    const seen = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const h = yield* natsServer({ jetstream: true })
          const running = h.running && alive(h.pid!) && (yield* Effect.promise(() => accepts(h.port)))
          return { pid: h.pid!, port: h.port, storeDir: h.storeDir!, running }
        }),
      ),
    )
    expect(seen.running).toBe(true)
    expect(alive(seen.pid)).toBe(false)
    expect(await accepts(seen.port)).toBe(false)
    expect(existsSync(seen.storeDir)).toBe(false)
  })

  it("NatsServerLayer provides the handle and its URL as NatsServers, and stops the server at release", async () => {
    const seen = await Effect.runPromise(
      Effect.gen(function* () {
        const h = yield* NatsServerService
        const urls = yield* NatsServers
        return { pid: h.pid!, url: h.url, urls }
      }).pipe(Effect.provide(NatsServerLayer({ jetstream: false }))),
    )
    expect(seen.urls).toEqual([seen.url])
    expect(alive(seen.pid)).toBe(false)
  })

  it("withNatsServer (the tests' helper) stops its server even when the body throws", async () => {
    let pid = 0
    await expect(
      withNatsServer(async (h) => {
        pid = h.pid!
        throw new Error("body failed")
      }),
    ).rejects.toThrow("body failed")
    expect(pid).toBeGreaterThan(0)
    expect(alive(pid)).toBe(false)
  })

  it("a server that never accepts connections is a NatsServerStartFailed after startTimeoutMs, and its process is killed", async () => {
    const m = mute()
    try {
      const exit = await Effect.runPromiseExit(Effect.scoped(natsServer({ binary: m.binary, jetstream: false, startTimeoutMs: 300 })))
      const error = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail")?.error : undefined
      expect(error).toBeInstanceOf(NatsServerStartFailed)
      expect((error as NatsServerStartFailed).detail).toMatch(/not accepting connections on 127\.0\.0\.1:\d+ after 300 ms/)
      expect(m.pid()).toBeGreaterThan(0)
      expect(alive(m.pid()!)).toBe(false)
    } finally {
      m.cleanup()
    }
  })

  it("interrupted while it starts, the server process is killed (nothing left behind)", async () => {
    const m = mute()
    try {
      const fiber = Effect.runFork(Effect.scoped(natsServer({ binary: m.binary, jetstream: false, startTimeoutMs: 60_000 })))
      while (m.pid() === undefined) await sleep(10)
      expect(alive(m.pid()!)).toBe(true)
      const exit = await Effect.runPromise(Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber))))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(alive(m.pid()!)).toBe(false)
    } finally {
      m.cleanup()
    }
  })
})
