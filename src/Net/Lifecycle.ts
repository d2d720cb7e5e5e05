/**
 * Lifecycles of the runtime's OS processes and waits, on Effect: one place
 * for what the servers, clusters and coordinator processes all need.
 *
 * - `scopedProcess`: a spawned child as a scoped resource; its release sends
 *   SIGTERM, then SIGKILL after a grace period, and waits for the exit, so an
 *   interrupted scope (SIGINT/SIGTERM of the CLI) leaves no process behind.
 * - `waitExit` / `terminate`: the one wait-for-exit and the one polite-then-
 *   forceful stop.
 * - `pollUntil`: readiness polling under a `Schedule`, bounded by a timeout
 *   that fails with the caller's typed error (never a hang).
 * - `backoff`: the retry schedule of bounded retries (connects, races).
 * - `killOnExit`: the last resort when Node exits with children still
 *   registered (an exit hook cannot run async code, so SIGKILL at once).
 *
 * @module
 */
import type { ChildProcess } from "node:child_process"
import { Duration, Effect, Schedule, type Scope } from "effect"

/** Whether `child` has exited (by code or signal). */
export const exited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null

/** True once `child` exits, false if it is still running after `ms`. Interruptible (the listener is removed). */
export const waitExit = (child: ChildProcess, ms: number): Effect.Effect<boolean> =>
  Effect.suspend(() =>
    exited(child)
      ? Effect.succeed(true)
      : Effect.callback<boolean>((resume) => {
          const onExit = (): void => resume(Effect.succeed(true))
          child.once("exit", onExit)
          // the exit may have happened between the check and the listener
          if (exited(child)) resume(Effect.succeed(true))
          return Effect.sync(() => void child.off("exit", onExit))
        }).pipe(Effect.timeoutOption(ms), Effect.map((o) => o._tag === "Some")),
  )

const send = (child: ChildProcess, signal: NodeJS.Signals): void => {
  try {
    child.kill(signal)
  } catch {
    // already gone
  }
}

export interface TerminateOptions {
  /** The first signal (default SIGTERM); SIGKILL skips the grace period. */
  readonly signal?: NodeJS.Signals
  /** How long the child may take to exit after the first signal before SIGKILL (default 5 000 ms). */
  readonly graceMs?: number
}

/** Stops `child`: the first signal, SIGKILL after the grace period, then waits for the exit. Never fails. */
export const terminate = (child: ChildProcess, options: TerminateOptions = {}): Effect.Effect<void> =>
  Effect.gen(function* () {
    if (exited(child)) return
    const signal = options.signal ?? "SIGTERM"
    send(child, signal)
    if (signal !== "SIGKILL" && (yield* waitExit(child, options.graceMs ?? 5_000))) return
    if (!exited(child)) send(child, "SIGKILL")
    yield* waitExit(child, 5_000)
  }).pipe(Effect.uninterruptible)

// Children still registered when the Node process exits are SIGKILLed.
const live = new Set<ChildProcess>()
let exitHook = false

/** Registers `child` to be SIGKILLed if Node exits before it does (unregistered on its exit). */
export const killOnExit = (child: ChildProcess): void => {
  if (!exitHook) {
    exitHook = true
    process.once("exit", () => {
      for (const c of live) send(c, "SIGKILL")
    })
  }
  if (exited(child)) return
  live.add(child)
  child.once("exit", () => live.delete(child))
}

/**
 * A child process as a scoped resource: `spawn` runs on acquire (the child is
 * registered with `killOnExit`); the release terminates it (SIGTERM, SIGKILL
 * after `graceMs`), on success, failure and interruption alike.
 */
export const scopedProcess = (spawnChild: () => ChildProcess, options: TerminateOptions = {}): Effect.Effect<ChildProcess, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const child = spawnChild()
      killOnExit(child)
      return child
    }),
    (child) => terminate(child, options),
  )

/** Not ready yet (internal to `pollUntil`). */
const notYet: unique symbol = Symbol("notYet")

export interface PollOptions<E> {
  /** Wait between checks, ms. */
  readonly everyMs: number
  /** Give up after this long, ms. */
  readonly withinMs: number
  /** The typed error when the time is up. */
  readonly onTimeout: () => E
}

/**
 * Runs `check` until it gives true, `everyMs` apart (Schedule.spaced), failing
 * with `onTimeout()` once `withinMs` have passed; a failure of `check` itself
 * ends the poll at once.
 */
export const pollUntil = <E, E2, R>(check: Effect.Effect<boolean, E2, R>, options: PollOptions<E>): Effect.Effect<void, E | E2, R> =>
  check.pipe(
    Effect.flatMap((ok) => (ok ? Effect.void : Effect.fail(notYet))),
    Effect.retry({ schedule: Schedule.spaced(options.everyMs), while: (e) => e === notYet }),
    Effect.timeoutOrElse({ duration: options.withinMs, orElse: () => Effect.fail(options.onTimeout()) }),
    // the retry only ends on success or a real failure, so `notYet` never escapes; narrow the type
    Effect.catchIf(
      (e): e is typeof notYet => e === notYet,
      () => Effect.fail(options.onTimeout()),
    ),
  )

/** `attempts - 1` retries, waiting `firstMs`, then doubling, at most `maxMs` between tries. */
export const backoff = (attempts: number, firstMs: number, maxMs: number) =>
  Schedule.max([
    Schedule.exponential(firstMs).pipe(Schedule.modifyDelay(({ duration }) => Effect.succeed(Math.min(Duration.toMillis(duration), maxMs)))),
    Schedule.recurs(Math.max(0, attempts - 1)),
  ])

/** A wait of `ms` (Effect.sleep) for Promise callers. */
export const sleep = (ms: number): Promise<void> => Effect.runPromise(Effect.sleep(ms))
