/** Helpers shared by the transport tests. */
import { Effect, Layer } from "effect"
import { NatsServerLayer, NatsServerService } from "../../src/Net/Layers.ts"
import { pollUntil, sleep } from "../../src/Net/Lifecycle.ts"
import type { NatsServerHandle, NatsServerOptions } from "../../src/Net/NatsServer.ts"
import type { Transport } from "../../src/Net/Transport.ts"

export { sleep }

/**
 * Runs `body` with a nats-server of its own (`NatsServerLayer`): started
 * before, stopped after, whether `body` succeeds or throws.
 */
export const withNatsServer = <A>(body: (server: NatsServerHandle) => Promise<A>, options: NatsServerOptions = { jetstream: false }): Promise<A> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const server = yield* NatsServerService
      return yield* Effect.tryPromise({ try: () => body(server), catch: (e) => e })
    }).pipe(Effect.provide(Layer.fresh(NatsServerLayer(options)))),
  )

/** Polls `cond` every 5 ms until it holds; fails with `what` after `timeoutMs` (Lifecycle.pollUntil). */
export const waitUntil = (cond: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = "condition"): Promise<void> =>
  Effect.runPromise(
    pollUntil(
      Effect.promise(async () => await cond()),
      { everyMs: 5, withinMs: timeoutMs, onTimeout: () => new Error(`timed out after ${timeoutMs} ms waiting for ${what}`) },
    ),
  )

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
export const text = (b: Uint8Array): string => new TextDecoder().decode(b)

export interface Received {
  readonly subject: string
  readonly text: string
}

/** Subscribes and records what arrives. */
export const collect = (t: Transport, subject: string, queue?: string) => {
  const got: Array<Received> = []
  const sub = t.subscribe(subject, (data, subj) => got.push({ subject: subj, text: text(data) }), queue !== undefined ? { queue } : {})
  return {
    got,
    sub,
    texts: () => got.map((r) => r.text),
    waitFor: (n: number, timeoutMs = 5_000) => waitUntil(() => got.length >= n, timeoutMs, `${n} message(s) on ${subject} (have ${got.length})`),
  }
}

/** A simple seeded PRNG (mulberry32) returning [0, 1). */
export const seededRng = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

