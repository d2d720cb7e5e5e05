/**
 * Starts a throw-away nats-server on a free loopback port (tests, local
 * runs): `-a 127.0.0.1 -p PORT [-js -sd TMPDIR]`, no monitoring port. The
 * promise resolves once the server accepts client connections (its INFO line
 * arrived); it rejects with `NatsServerMissing` when there is no binary (run
 * `make setup` or scripts/nats/install.sh) and with `NatsServerStartFailed`
 * (including the server's log) when it exits early or is not ready in time.
 *
 * `natsServer` is the scoped form (stopped when its scope closes, also on
 * interruption); `startNatsServer` the Promise form for code without Effect.
 *
 * Every server started here is SIGKILLed if the Node process exits without
 * stopping it, so none is left behind. An exit hook does not run when the
 * process itself is SIGKILLed, so each server also gets a watchdog: a tiny
 * `sh` loop that polls the parent's pid and SIGKILLs the server once the
 * parent is gone (and ends by itself when the server ends).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { accessSync, constants as fsConstants, statSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { createConnection, createServer } from "node:net"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"
import { Effect, Schedule, type Scope } from "effect"
import { NatsServerMissing, NatsServerStartFailed } from "./Errors.ts"
import { exited, killOnExit, pollUntil, terminate } from "./Lifecycle.ts"

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
  /** A nats-server config file (`-c`), e.g. the TLS + NKEY config of src/Net/Auth.ts; command-line flags still win. */
  readonly configFile?: string
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

/**
 * Connects to the port and waits for the server's INFO line; true only if it
 * comes from the server named `serverName` (not some other process that holds
 * the port).
 */
const probe = (port: number, serverName: string, timeoutMs: number): Effect.Effect<boolean> =>
  Effect.callback<boolean>((resume) => {
    const socket = createConnection({ host: "127.0.0.1", port })
    let buffered = ""
    const finish = (ok: boolean): void => {
      socket.destroy()
      resume(Effect.succeed(ok))
    }
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
    return Effect.sync(() => void socket.destroy())
  }).pipe(Effect.timeoutOption(timeoutMs), Effect.map((o) => o._tag === "Some" && o.value))

const LOG_LIMIT = 16_384


const startFailed = (binary: string, args: ReadonlyArray<string>, detail: string, stderr: string): NatsServerStartFailed =>
  new NatsServerStartFailed({ binary, args, detail, stderr })

const addressInUse = (e: unknown): boolean => e instanceof NatsServerStartFailed && /address already in use/i.test(e.stderr)

/**
 * Starts nats-server on 127.0.0.1 (see the module comment) and gives its
 * handle; the caller owns it (`stop`). Readiness is polled under a Schedule
 * (every 50 ms, each probe at most 500 ms) until `startTimeoutMs`, then
 * `NatsServerStartFailed`. Interrupted while starting, it kills the server.
 */
export const startNatsServerEffect = (options: NatsServerOptions = {}): Effect.Effect<NatsServerHandle, NatsServerMissing | NatsServerStartFailed> =>
  Effect.gen(function* () {
    const binary = yield* Effect.try({ try: () => findNatsServer(options.binary), catch: (e) => e as NatsServerMissing })
    const jetstream = options.jetstream ?? true
    const timeoutMs = options.startTimeoutMs ?? 10_000
    const pickPort = Effect.tryPromise({ try: () => freeLoopbackPort(), catch: (e) => startFailed(binary, [], `could not pick a free port: ${String(e)}`, "") })
    const storeDir = jetstream
      ? yield* Effect.tryPromise({ try: () => mkdtemp(join(tmpdir(), "hydrogen-nats-")), catch: (e) => startFailed(binary, [], `could not create a store dir: ${String(e)}`, "") })
      : undefined
    const removeStore = Effect.promise(() => (storeDir === undefined ? Promise.resolve() : rm(storeDir, { recursive: true, force: true })))

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
      ...(options.configFile !== undefined ? ["-c", options.configFile] : []),
      ...(options.extraArgs ?? []),
    ]

    /** One attempt to run the server on `port`; succeeds when it is ready, kills it on failure or interruption. */
    const launch = (port: number): Effect.Effect<void, NatsServerStartFailed> =>
      Effect.suspend(() => {
        const args = argsFor(port)
        log = ""
        const proc = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] })
        child = proc
        killOnExit(proc)
        const append = (chunk: Buffer): void => {
          log = (log + chunk.toString("utf8")).slice(-LOG_LIMIT)
        }
        proc.stdout?.on("data", append)
        proc.stderr?.on("data", append)
        let spawnError: Error | undefined
        proc.once("error", (e) => {
          spawnError = e
        })
        watch(proc)
        const check = Effect.suspend(() => {
          if (spawnError !== undefined) return Effect.fail(startFailed(binary, args, `spawn failed: ${spawnError.message}`, log))
          if (exited(proc)) {
            // let the last log lines arrive
            return Effect.sleep(20).pipe(
              Effect.andThen(Effect.suspend(() => Effect.fail(startFailed(binary, args, `exited early (code ${String(proc.exitCode)}, signal ${String(proc.signalCode)})`, log)))),
            )
          }
          return probe(port, serverName, 500)
        })
        return pollUntil(check, {
          everyMs: 50,
          withinMs: timeoutMs,
          onTimeout: () => startFailed(binary, args, `not accepting connections on 127.0.0.1:${port} after ${timeoutMs} ms`, log),
        }).pipe(Effect.onExit((exit) => (exit._tag === "Success" ? Effect.void : terminate(proc, { signal: "SIGKILL" }))))
      })

    // Pick a port; retry on a lost race for an auto-picked one.
    let port = options.port ?? (yield* pickPort)
    yield* Effect.suspend(() => launch(port)).pipe(
      Effect.tapError((e) => (options.port === undefined && addressInUse(e) ? Effect.map(pickPort, (p) => void (port = p)) : Effect.void)),
      Effect.retry({ times: options.port === undefined ? 4 : 0, while: addressInUse }),
      Effect.onError(() => removeStore),
    )

    const stopChild = (signal: NodeJS.Signals): Effect.Effect<void> => Effect.suspend(() => (child === undefined ? Effect.void : terminate(child, { signal })))

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
      stop: () =>
        Effect.runPromise(
          Effect.suspend(() => {
            if (stopped) return Effect.void
            stopped = true
            return stopChild("SIGTERM").pipe(Effect.andThen(removeStore))
          }),
        ),
      kill: () => Effect.runPromise(stopChild("SIGKILL")),
      restart: () =>
        Effect.runPromise(
          Effect.suspend(() =>
            stopped
              ? Effect.fail(startFailed(binary, argsFor(port), "restart after stop()", ""))
              : stopChild("SIGTERM").pipe(
                  // The port can stay busy for a moment after a kill; retry briefly.
                  Effect.andThen(Effect.suspend(() => launch(port)).pipe(Effect.retry({ schedule: Schedule.spaced(100), times: 20, while: addressInUse }))),
                ),
          ),
        ),
    }
    return handle
  })

/** `startNatsServerEffect` for Promise callers: rejects with `NatsServerMissing` or `NatsServerStartFailed`. */
export const startNatsServer = (options: NatsServerOptions = {}): Promise<NatsServerHandle> => Effect.runPromise(startNatsServerEffect(options))

/** A nats-server as a scoped resource: started on acquire, stopped (SIGTERM, SIGKILL after 5 s, store dir removed) on release. */
export const natsServer = (options: NatsServerOptions = {}): Effect.Effect<NatsServerHandle, NatsServerMissing | NatsServerStartFailed, Scope.Scope> =>
  // interruptible start: an interrupted start kills what it spawned itself
  Effect.acquireRelease(startNatsServerEffect(options), (h) => Effect.promise(() => h.stop()), { interruptible: true })
