/**
 * Starts a throw-away nats-server on a free loopback port (tests, local
 * runs): `-a 127.0.0.1 -p PORT [-js -sd TMPDIR]`, no monitoring port. The
 * promise resolves once the server accepts client connections (its INFO line
 * arrived); it rejects with `NatsServerMissing` when there is no binary (run
 * `make setup` or scripts/nats/install.sh) and with `NatsServerStartFailed`
 * (including the server's log) when it exits early or is not ready in time.
 *
 * Every server started here is SIGKILLed if the Node process exits without
 * stopping it, so none is left behind. An exit hook does not run when the
 * process itself is SIGKILLed, so each server also gets a watchdog: a tiny
 * `sh` loop that polls the parent's pid and SIGKILLs the server once the
 * parent is gone (and ends by itself when the server ends).
 */
import { setTimeout as sleep } from "node:timers/promises"
import { type ChildProcess, spawn } from "node:child_process"
import { accessSync, constants as fsConstants, statSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { createConnection, createServer } from "node:net"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"
import { NatsServerMissing, NatsServerStartFailed } from "./Errors.ts"

export interface NatsServerOptions {
  /** Enable JetStream (needed for KV) with a fresh temporary store dir (default true). */
  readonly jetstream?: boolean
  /** Path of the nats-server binary; default: search PATH, then /usr/sbin, /usr/local/bin, /usr/bin. */
  readonly binary?: string
  /** Client port; default a free loopback port. */
  readonly port?: number
  /** How long to wait for the server to accept connections (default 10 000 ms). */
  readonly startTimeoutMs?: number
  /** Extra command-line arguments. */
  readonly extraArgs?: ReadonlyArray<string>
}

export interface NatsServerHandle {
  /** nats://127.0.0.1:PORT */
  readonly url: string
  readonly port: number
  readonly binary: string
  /** The server's name (`--server_name`, unique per handle; JetStream reports leaders by it). */
  readonly serverName: string
  /** The JetStream store dir (kept across kill/restart, removed by stop), or undefined without JetStream. */
  readonly storeDir: string | undefined
  /** Whether the server process is running now. */
  readonly running: boolean
  /** The server's process id while it runs. */
  readonly pid: number | undefined
  /** The last lines the server logged (stderr and stdout). */
  readonly log: string
  /** Graceful shutdown (SIGTERM, SIGKILL after 5 s) and removal of the store dir. Idempotent; final. */
  stop(): Promise<void>
  /** SIGKILL (chaos); `restart()` brings it back on the same port with the same store dir. */
  kill(): Promise<void>
  /** Stops the server if running (gracefully) and starts it again on the same port and store dir. */
  restart(): Promise<void>
}

const isExecutableFile = (path: string): boolean => {
  try {
    if (!statSync(path).isFile()) return false
    accessSync(path, fsConstants.X_OK)
    return true
  } catch {
    return false
  }
}

/** The path of nats-server, or throws `NatsServerMissing`. */
export const findNatsServer = (binary?: string): string => {
  if (binary !== undefined) {
    if (isExecutableFile(binary)) return binary
    throw new NatsServerMissing({ searched: [binary] })
  }
  const dirs = [...(process.env["PATH"] ?? "").split(delimiter).filter((d) => d !== ""), "/usr/sbin", "/usr/local/bin", "/usr/bin"]
  const searched: Array<string> = []
  for (const dir of dirs) {
    const candidate = join(dir, "nats-server")
    if (searched.includes(candidate)) continue
    searched.push(candidate)
    if (isExecutableFile(candidate)) return candidate
  }
  throw new NatsServerMissing({ searched: [...new Set(dirs)] })
}

/** A port that was free on 127.0.0.1 a moment ago. */
export const freeLoopbackPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.once("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error("could not pick a free port"))))
    })
  })

// Children still running when the Node process exits are killed.
const live = new Set<ChildProcess>()
let exitHookInstalled = false
const installExitHook = (): void => {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once("exit", () => {
    for (const child of live) {
      try {
        child.kill("SIGKILL")
      } catch {
        // already gone
      }
    }
  })
}


// $1: the parent (this Node process), $2: the server. Polls both; SIGKILLs the server when the parent is gone.
const watchdogScript =
  'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 0.2; done; kill -0 "$1" 2>/dev/null || kill -9 "$2" 2>/dev/null'

/** Starts the watchdog of `server` (see the module doc); it does not keep this process alive. */
const watch = (server: ChildProcess): void => {
  if (server.pid === undefined) return
  try {
    const dog = spawn("sh", ["-c", watchdogScript, "hydrogen-nats-watchdog", String(process.pid), String(server.pid)], { stdio: "ignore" })
    dog.on("error", () => undefined) // no sh: the exit hook still covers a normal exit
    dog.unref()
    server.once("exit", () => dog.kill("SIGKILL"))
  } catch {
    // as above
  }
}

const exited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null

const waitExit = (child: ChildProcess, timeoutMs: number): Promise<boolean> =>
  exited(child)
    ? Promise.resolve(true)
    : new Promise((resolve) => {
        const timer = setTimeout(() => {
          child.off("exit", onExit)
          resolve(false)
        }, timeoutMs)
        const onExit = (): void => {
          clearTimeout(timer)
          resolve(true)
        }
        child.once("exit", onExit)
      })

/**
 * Connects to the port and waits for the server's INFO line; true only if it
 * comes from the server named `serverName` (not some other process that holds
 * the port).
 */
const probe = (port: number, serverName: string, timeoutMs: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port })
    let done = false
    let buffered = ""
    const finish = (ok: boolean): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve(ok)
    }
    const timer = setTimeout(() => finish(false), timeoutMs)
    socket.once("error", () => finish(false))
    socket.once("close", () => finish(false))
    socket.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8")
      const eol = buffered.indexOf("\r\n")
      if (eol < 0) return
      const line = buffered.slice(0, eol)
      if (!line.startsWith("INFO ")) return finish(false)
      try {
        const info = JSON.parse(line.slice(5)) as { server_name?: unknown }
        finish(info.server_name === serverName)
      } catch {
        finish(false)
      }
    })
  })

const LOG_LIMIT = 16_384

/** Starts nats-server on 127.0.0.1 (see the module comment). */
export const startNatsServer = async (options: NatsServerOptions = {}): Promise<NatsServerHandle> => {
  const binary = findNatsServer(options.binary)
  const jetstream = options.jetstream ?? true
  const timeoutMs = options.startTimeoutMs ?? 10_000
  const storeDir = jetstream ? await mkdtemp(join(tmpdir(), "hydrogen-nats-")) : undefined
  installExitHook()

  // A unique server name lets the readiness probe tell our server from another process on the port.
  const serverName = `hydrogen-${process.pid}-${Math.random().toString(36).slice(2, 10)}`
  let log = ""
  let child: ChildProcess | undefined
  let stopped = false

  const argsFor = (port: number): Array<string> => [
    "-a",
    "127.0.0.1",
    "-p",
    String(port),
    "--server_name",
    serverName,
    ...(storeDir !== undefined ? ["-js", "-sd", storeDir] : []),
    ...(options.extraArgs ?? []),
  ]

  /** One attempt to run the server on `port`; resolves when it is ready. */
  const launch = async (port: number): Promise<void> => {
    const args = argsFor(port)
    log = ""
    const proc = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] })
    child = proc
    live.add(proc)
    const append = (chunk: Buffer): void => {
      log = (log + chunk.toString("utf8")).slice(-LOG_LIMIT)
    }
    proc.stdout?.on("data", append)
    proc.stderr?.on("data", append)
    let spawnError: Error | undefined
    proc.once("error", (e) => {
      spawnError = e
    })
    proc.once("exit", () => live.delete(proc))
    watch(proc)
    const fail = async (detail: string): Promise<never> => {
      if (!exited(proc)) {
        proc.kill("SIGKILL")
        await waitExit(proc, 2_000)
      }
      throw new NatsServerStartFailed({ binary, args, detail, stderr: log })
    }
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (spawnError !== undefined) return fail(`spawn failed: ${spawnError.message}`)
      if (exited(proc)) {
        await sleep(20) // let the last log lines arrive
        return fail(`exited early (code ${String(proc.exitCode)}, signal ${String(proc.signalCode)})`)
      }
      if (await probe(port, serverName, 500)) return
      if (Date.now() > deadline) return fail(`not accepting connections on 127.0.0.1:${port} after ${timeoutMs} ms`)
      await sleep(50)
    }
  }

  const addressInUse = (e: unknown): boolean =>
    e instanceof NatsServerStartFailed && /address already in use/i.test(e.stderr)

  // Pick a port; retry on a lost race for an auto-picked one.
  let port = options.port ?? (await freeLoopbackPort())
  for (let attempt = 0; ; attempt++) {
    try {
      await launch(port)
      break
    } catch (e) {
      if (options.port === undefined && attempt < 4 && addressInUse(e)) {
        port = await freeLoopbackPort()
        continue
      }
      if (storeDir !== undefined) await rm(storeDir, { recursive: true, force: true })
      throw e
    }
  }

  const terminate = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child
    if (proc === undefined || exited(proc)) return
    proc.kill(signal)
    if (!(await waitExit(proc, 5_000))) {
      proc.kill("SIGKILL")
      await waitExit(proc, 5_000)
    }
  }

  const handle: NatsServerHandle = {
    url: `nats://127.0.0.1:${port}`,
    port,
    binary,
    serverName,
    storeDir,
    get running() {
      return child !== undefined && !exited(child)
    },
    get pid() {
      return child !== undefined && !exited(child) ? child.pid : undefined
    },
    get log() {
      return log
    },
    stop: async () => {
      if (stopped) return
      stopped = true
      await terminate("SIGTERM")
      if (storeDir !== undefined) await rm(storeDir, { recursive: true, force: true })
    },
    kill: async () => {
      await terminate("SIGKILL")
    },
    restart: async () => {
      if (stopped) throw new NatsServerStartFailed({ binary, args: argsFor(port), detail: "restart after stop()", stderr: "" })
      await terminate("SIGTERM")
      // The port can stay busy for a moment after a kill; retry briefly.
      for (let attempt = 0; ; attempt++) {
        try {
          await launch(port)
          return
        } catch (e) {
          if (attempt < 20 && addressInUse(e)) {
            await sleep(100)
            continue
          }
          throw e
        }
      }
    },
  }
  return handle
}
