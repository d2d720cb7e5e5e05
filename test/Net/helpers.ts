/** Helpers shared by the transport tests. */
import type { Transport } from "../../src/Net/Transport.ts"

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Polls `cond` until it holds; throws with `what` after `timeoutMs`. */
export const waitUntil = async (cond: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = "condition"): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await cond()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(5)
  }
}

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

