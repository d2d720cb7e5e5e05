/** Helpers shared by the console tests. */
import { Effect } from "effect"
import { type ConsoleSession, type ConsoleSessionOptions, makeConsoleSession } from "../../src/Console/Session.ts"

/** Runs `body` with a session of its own; the session (and its system, bus, server) stops after. */
export const withSession = <A, E>(options: ConsoleSessionOptions, body: (s: ConsoleSession) => Effect.Effect<A, E>): Promise<A> =>
  Effect.runPromise(Effect.scoped(Effect.flatMap(makeConsoleSession(options), body)))

/** The failure of an effect as a value; a success is a defect (the test fails). */
export const failureOf = <A, E>(e: Effect.Effect<A, E>): Effect.Effect<E> =>
  Effect.orDie(Effect.flip(e))

/** Polls `cond` every 5 ms until it holds, failing after `ms`. */
export const until = <E>(cond: () => Effect.Effect<boolean, E>, ms = 5_000, what = "condition"): Effect.Effect<void, E> =>
  Effect.gen(function* () {
    const deadline = Date.now() + ms
    while (!(yield* cond())) {
      if (Date.now() > deadline) return yield* Effect.die(new Error(`timed out after ${ms} ms waiting for ${what}`))
      yield* Effect.sleep(5)
    }
  })
