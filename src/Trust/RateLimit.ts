/**
 * Rate limiting per sender (issue 13, Part 9.2: a flood from one client).
 * Each sender has a token bucket (`burst` tokens, refilled at `perSecond`);
 * low-priority messages spend a token and are dropped, counted, when none is
 * left. High-priority messages (the tree's Up and Down: what keeps the root
 * exact) are never dropped here, only counted.
 *
 * The clock is injected (ms), so a test can drive refills exactly.
 *
 * @module
 */

/** One sender's bucket: `tokens` refilled continuously up to `burst`. */
export class TokenBucket {
  readonly perSecond: number
  readonly burst: number
  private tokens: number
  private at: number

  constructor(perSecond: number, burst: number, now: number) {
    if (!(perSecond > 0) || !Number.isFinite(perSecond)) throw new RangeError(`TokenBucket: perSecond must be a positive number, got ${perSecond}`)
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError(`TokenBucket: burst must be at least 1, got ${burst}`)
    this.perSecond = perSecond
    this.burst = burst
    this.tokens = burst
    this.at = now
  }

  /** Spends one token if there is one at `now`. */
  take(now: number): boolean {
    // a clock going backwards refills nothing
    if (now > this.at) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.perSecond)
      this.at = now
    }
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}

export type Priority = "high" | "low"

export interface RateLimitOptions {
  /** Low-priority messages per second each sender may sustain. */
  readonly perSecond: number
  /** How many a sender may send at once after a quiet spell. */
  readonly burst: number
  /** Clock, ms (default Date.now). */
  readonly now?: () => number
  /** Senders tracked at most; the oldest bucket is forgotten beyond it (default 100 000). */
  readonly maxSenders?: number
}

export interface RateLimitCounters {
  admitted: number
  /** High-priority messages (never dropped). */
  high: number
  dropped: number
}

/** Token buckets per sender; `admit` says whether a message goes on. */
export class RateLimiter {
  readonly counters: RateLimitCounters = { admitted: 0, high: 0, dropped: 0 }
  /** Drops by sender. */
  readonly droppedBy = new Map<string, number>()
  private readonly buckets = new Map<string, TokenBucket>()
  private readonly options: RateLimitOptions
  private readonly now: () => number
  private readonly maxSenders: number

  constructor(options: RateLimitOptions) {
    // fail at construction, not at the first message
    new TokenBucket(options.perSecond, options.burst, 0)
    this.options = options
    this.now = options.now ?? Date.now
    this.maxSenders = options.maxSenders ?? 100_000
  }

  /** Whether `sender`'s message of `priority` goes on (counted either way). */
  admit(sender: string, priority: Priority): boolean {
    if (priority === "high") {
      this.counters.high++
      this.counters.admitted++
      return true
    }
    const now = this.now()
    let b = this.buckets.get(sender)
    if (b === undefined) {
      if (this.buckets.size >= this.maxSenders) this.buckets.delete(this.buckets.keys().next().value!)
      this.buckets.set(sender, (b = new TokenBucket(this.options.perSecond, this.options.burst, now)))
    }
    if (b.take(now)) {
      this.counters.admitted++
      return true
    }
    this.counters.dropped++
    this.droppedBy.set(sender, (this.droppedBy.get(sender) ?? 0) + 1)
    return false
  }
}
