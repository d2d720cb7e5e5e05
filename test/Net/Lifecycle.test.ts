/**
 * Lifecycles on Effect (src/Net/Lifecycle.ts): a spawned child as a scoped
 * resource is gone once its scope closes — normally, or by interruption —
 * SIGKILLed when it ignores SIGTERM; readiness polling ends with the caller's
 * typed error instead of waiting forever.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { Cause, Data, Effect, Exit, Fiber } from "effect"
import { describe, expect, it } from "vitest"
import { exited, pollUntil, scopedProcess, terminate, waitExit } from "../../src/Net/Lifecycle.ts"
import { sleep } from "./helpers.ts"

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

// A shell that sleeps; with `stubborn` it ignores SIGTERM (only SIGKILL ends it).
const sleeper = (stubborn: boolean) => (): ChildProcess =>
  spawn("sh", ["-c", `${stubborn ? "trap '' TERM; " : ""}echo up; while :; do sleep 0.05; done`], { stdio: ["ignore", "pipe", "ignore"] })

/** Waits for the child's first line: its trap (if any) is installed by then. */
const started = (child: ChildProcess) =>
  Effect.callback<void>((resume) => {
    child.stdout!.once("data", () => resume(Effect.void))
  })

class NotReady extends Data.TaggedError("NotReady")<{ readonly checks: number }> {}

describe("scopedProcess", () => {
  it("the scope's release ends the child with SIGTERM", async () => {
    const child = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const c = yield* scopedProcess(sleeper(false), { graceMs: 5_000 })
          yield* started(c)
          expect(alive(c.pid!)).toBe(true)
          return c
        }),
      ),
    )
    expect(exited(child)).toBe(true)
    expect(child.signalCode).toBe("SIGTERM")
    expect(alive(child.pid!)).toBe(false)
  })

  it("a child that ignores SIGTERM is SIGKILLed after the grace period", async () => {
    const child = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const c = yield* scopedProcess(sleeper(true), { graceMs: 200 })
          yield* started(c)
          return c
        }),
      ),
    )
    expect(child.signalCode).toBe("SIGKILL")
    expect(alive(child.pid!)).toBe(false)
  })

  it("interrupting the fiber that holds the scope ends the child (no process left)", async () => {
    let pid: number | undefined
    const fiber = Effect.runFork(
      Effect.scoped(
        Effect.gen(function* () {
          const c = yield* scopedProcess(sleeper(false))
          yield* started(c)
          pid = c.pid
          return yield* Effect.never
        }),
      ),
    )
    while (pid === undefined) await sleep(10)
    expect(alive(pid)).toBe(true)
    const exit = await Effect.runPromise(Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber))))
    expect(Exit.isFailure(exit) && Cause.hasInterrupts(exit.cause)).toBe(true)
    expect(alive(pid)).toBe(false)
  })
})

describe("waitExit and terminate", () => {
  it("waitExit is false while the child runs and true once it has exited; terminate is a no-op afterwards", async () => {
    const child = sleeper(false)()
    await Effect.runPromise(started(child))
    expect(await Effect.runPromise(waitExit(child, 50))).toBe(false)
    await Effect.runPromise(terminate(child))
    expect(await Effect.runPromise(waitExit(child, 50))).toBe(true)
    await Effect.runPromise(terminate(child))
    expect(child.signalCode).toBe("SIGTERM")
  })
})

describe("pollUntil", () => {
  it("succeeds at the first check that holds, after the ones that did not", async () => {
    let checks = 0
    await Effect.runPromise(pollUntil(Effect.sync(() => ++checks >= 4), { everyMs: 1, withinMs: 10_000, onTimeout: () => new NotReady({ checks }) }))
    expect(checks).toBe(4)
  })

  it("a condition that never holds fails with the caller's typed error instead of hanging", async () => {
    let checks = 0
    const exit = await Effect.runPromiseExit(
      pollUntil(Effect.sync(() => (checks++, false)), { everyMs: 5, withinMs: 100, onTimeout: () => new NotReady({ checks }) }),
    )
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail")?.error : undefined
    expect(error).toBeInstanceOf(NotReady)
    expect((error as NotReady).checks).toBeGreaterThan(1)
  })

  it("a failing check ends the poll at once with its own error (not retried)", async () => {
    let checks = 0
    const boom = new NotReady({ checks: -1 })
    const exit = await Effect.runPromiseExit(
      pollUntil(Effect.suspend(() => (checks++, Effect.fail(boom))), { everyMs: 1, withinMs: 10_000, onTimeout: () => new NotReady({ checks }) }),
    )
    expect(checks).toBe(1)
    expect(Exit.isFailure(exit) && exit.cause.reasons.some((r) => r._tag === "Fail" && r.error === boom)).toBe(true)
  })
})
