/**
 * Metadata garbage collection for the add-wins set and map (not in Lean).
 *
 * An OR-set keeps every tag it ever saw. A tag that is both added and removed
 * (a "dead" tag) contributes nothing to `live`/`contains`, but it cannot be
 * dropped at will: if a replica forgets a dead tag `t` of element `e` and
 * later merges a state in which `t` is added but not yet removed, `e` comes
 * back to life. Dead tags may be dropped once their removal is causally
 * stable: every replica has merged it.
 *
 * Protocol (what callers must do for the GC to be safe):
 *  1. Every mutation at replica `r` ticks `r`'s vector clock, and the clock
 *     travels with the data: a full state is sent with its full clock, a
 *     delta with the matching `tickDelta`. Hence a replica's clock covers
 *     event `(p, n)` only if its state includes the effect of that event.
 *  2. Each replica periodically acknowledges its clock to every other replica,
 *     on the same FIFO channel as its data and after everything it sent
 *     before; after acknowledging clock `V` it never sends a state or delta
 *     older than its state at `V` (buffered deltas are flushed before the
 *     acknowledgement, never after).
 *  3. A replica takes a snapshot of its own state (with its clock `C`). Once
 *     `C ≤ stable`, where `stable = stableClock(acks)` is the entrywise
 *     minimum of the latest acknowledged clocks of ALL replicas (its own
 *     included), it may call `gcViewport(current, snapshot, stable)`, which
 *     drops from `current` every tag dead in `snapshot`.
 *
 * Why it is safe. Let `t` be dead for `e` in the snapshot (clock `C`). The
 * remove that killed `t` is an event `≤ C` (by 1, it was merged together with
 * its clock tick), and every replica `q` acknowledged a clock `≥ C`, so (1)
 * every `q`'s state had `t` in `e`'s removed set when it acknowledged, and
 * removed sets only grow. By (2), every message still to arrive from `q` was
 * produced after that acknowledgement, from a state in which `t` is removed:
 * a full state carries `t` in both sets (dead again, harmless: `t ∈ removed`
 * makes it not live), a `removeDelta` carries `t` only as removed (harmless),
 * and an `addDelta`/`putDelta` carries a fresh tag, never `t` (tags are
 * unique per replica and sequence number, `tagOf`). So no replica can still
 * send `t` as a live add-tag, and a stable removed tag can never again make an
 * element live: `contains`/`get` answers are unchanged by the GC, at this
 * replica and at every replica it sends its (smaller) state to, which already
 * hold `t` as removed. Tags that are added but not removed are never dropped.
 *
 * @module
 */
import { VectorClock } from "./Counter.ts"
import { Bitset } from "./Lattice.ts"
import type { ORMap, ORMapEntry, ORSet, TagPair } from "./ORSet.ts"
import type { ViewportState } from "./Viewport.ts"

/**
 * The entrywise minimum of all replicas' acknowledged clocks: the events every
 * replica has merged. Pass the latest acknowledgement of every replica, this
 * one included; with a replica missing the result is not stable.
 */
export const stableClock = (acks: ReadonlyArray<VectorClock>): VectorClock => VectorClock.meet(acks)

/** Every event of `clock` is covered by `stable` (`clock ≤ stable`). */
export const isStable = (clock: VectorClock, stable: VectorClock): boolean => VectorClock.leq(clock, stable)

/** Drop from `p` the tags dead (added and removed) in `snap`. */
const dropDead = (p: TagPair, snap: TagPair): TagPair => {
  const dead = Bitset.inter(snap[0], snap[1])
  if (dead.length === 0) return p
  return [Bitset.diff(p[0], dead), Bitset.diff(p[1], dead)]
}

/**
 * Drop from `s` every tag that is dead for its element in `snapshot`, a
 * stable earlier state of this replica (see the module comment). Elements keep
 * their positions; an element whose tags are all dropped reads as `([], [])`.
 */
export const gcORSet = (s: ORSet, snapshot: ORSet): ORSet => {
  const n = Math.min(s.tags.length, snapshot.tags.length)
  let out: TagPair[] | undefined
  for (let e = 0; e < n; e++) {
    const p = s.tags[e]!
    const q = dropDead(p, snapshot.tags[e]!)
    if (q !== p) {
      out ??= s.tags.slice()
      out[e] = q
    }
  }
  return out === undefined ? s : { tags: out }
}

/** `gcORSet` for the tags of an `ORMap`; values (`LWWReg`s) are kept. */
export const gcORMap = (m: ORMap, snapshot: ORMap): ORMap => {
  const n = Math.min(m.entries.length, snapshot.entries.length)
  let out: ORMapEntry[] | undefined
  for (let k = 0; k < n; k++) {
    const p = m.entries[k]!
    const q = dropDead(p[0], snapshot.entries[k]![0])
    if (q !== p[0]) {
      out ??= m.entries.slice()
      out[k] = [q, p[1]]
    }
  }
  return out === undefined ? m : { entries: out }
}

/**
 * Collect `current`'s element and animation tags that are dead in `snapshot`,
 * provided `snapshot.clock ≤ stable`; otherwise return `current` unchanged.
 */
export const gcViewport = (current: ViewportState, snapshot: ViewportState, stable: VectorClock): ViewportState =>
  isStable(snapshot.clock, stable)
    ? {
        ...current,
        elements: gcORMap(current.elements, snapshot.elements),
        animations: gcORSet(current.animations, snapshot.animations),
      }
    : current

/** Total number of tags (added plus removed) held: the metadata the GC reclaims. */
export const tagCount = (s: ORSet | ORMap): number => {
  let n = 0
  if ("tags" in s) for (const [a, r] of s.tags) n += a.length + r.length
  else for (const [[a, r]] of s.entries) n += a.length + r.length
  return n
}
