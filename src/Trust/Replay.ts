/**
 * Replay protection: per sender, the newest term seen and, within it, a
 * sliding window of the last `size` sequence numbers as a bitmap (a ring of
 * `size` slots indexed by sequence mod size). A message is fresh when its term
 * is newer, or its term is the current one and its sequence is above the
 * highest seen, or within the window and not yet seen. Older terms, sequences
 * below the window and sequences already seen are refused.
 *
 * Sequences and terms are u32 numbers held in doubles, so the arithmetic
 * never wraps: a window at 2^32 − 1 keeps working, and the sender moves on to
 * the next term (a fresh window).
 *
 * @module
 */

/** Why a message is not fresh. */
export type Stale = "replay" | "outOfWindow" | "staleTerm"

/** The window of one sender. */
export class ReplayWindow {
  readonly size: number
  private term = -1
  private highest = -1
  private readonly seen: Uint8Array

  constructor(size = 64) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`ReplayWindow: size must be a positive integer, got ${size}`)
    this.size = size
    this.seen = new Uint8Array(size)
  }

  /** Whether (`term`, `sequence`) would be accepted now; `undefined` when it is fresh. */
  check(term: number, sequence: number): Stale | undefined {
    if (term < this.term) return "staleTerm"
    if (term > this.term || sequence > this.highest) return undefined
    if (this.highest - sequence >= this.size) return "outOfWindow"
    return this.seen[sequence % this.size] === 1 ? "replay" : undefined
  }

  /** Records a fresh (`term`, `sequence`): call only after `check` gave `undefined` and the signature verified. */
  accept(term: number, sequence: number): void {
    if (term > this.term) {
      this.term = term
      this.highest = sequence
      this.seen.fill(0)
    } else if (sequence > this.highest) {
      // clear the slots the window slides over (all of them after a long jump)
      const d = Math.min(sequence - this.highest, this.size)
      for (let i = 1; i <= d; i++) this.seen[(this.highest + i) % this.size] = 0
      this.highest = sequence
    }
    this.seen[sequence % this.size] = 1
  }

  /** The newest term and the highest sequence within it (−1 before any message). */
  get position(): { readonly term: number; readonly highest: number } {
    return { term: this.term, highest: this.highest }
  }
}
