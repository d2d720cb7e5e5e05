/**
 * Counters and vector clocks. Mirror of lean/Hydrogen/State/Counter.lean.
 *
 * A grow-only counter keeps one entry per replica (dense by replica id, as in
 * Lean's `List NatMax`), merged by `max`; its value is the sum. A PN-counter
 * is two of them (increments, decrements). A vector clock has the same shape;
 * it orders events by happened-before. Each mutator has a delta mutator whose
 * result, joined into the state, equals the mutator's result
 * (`GCounter.join_incDelta` and friends).
 *
 * Entries are non-negative safe integers; replica ids are non-negative safe
 * integers (mutators throw a RangeError otherwise). States are immutable:
 * every operation returns a new value.
 *
 * @module
 */
import type { JoinSemilatticeBot } from "./Lattice.ts"
import { checkIndex, NatMax, listEquals, single, setAt, zipJoin } from "./Lattice.ts"

const N = NatMax.joinSemilatticeBot
const numsEqual = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean => listEquals(N, a, b)
const at = (xs: ReadonlyArray<number>, r: number): number => {
  checkIndex(r)
  return r < xs.length ? xs[r]! : 0
}

// ---------------------------------------------------------------------------
// GCounter

/**
 * Grow-only counter: entry `r` counts replica `r`'s increments.
 *
 * @lean Hydrogen.State.GCounter
 */
export interface GCounter {
  readonly counts: ReadonlyArray<number>
}

const gEmpty: GCounter = { counts: [] }
const gJoin = (a: GCounter, b: GCounter): GCounter => ({ counts: zipJoin(N, a.counts, b.counts) })
const gEquals = (a: GCounter, b: GCounter): boolean => numsEqual(a.counts, b.counts)
const gGet = (c: GCounter, r: number): number => at(c.counts, r)
const gValue = (c: GCounter): number => {
  let s = 0
  for (const x of c.counts) s += x
  return s
}
const gInc = (r: number, c: GCounter): GCounter => ({ counts: setAt(N, r, gGet(c, r) + 1, c.counts) })
const gIncDelta = (r: number, c: GCounter): GCounter => ({ counts: single(N, r, gGet(c, r) + 1) })
const gLattice: JoinSemilatticeBot<GCounter> = { join: gJoin, equals: gEquals, bot: gEmpty }

/** Operations on `GCounter` (names as in Lean). */
export const GCounter = {
  /**
   * The counter nobody has incremented.
   *
   * @lean Hydrogen.State.GCounter.empty
   */
  empty: gEmpty,
  /**
   * Entrywise max (`zipJoin`).
   *
   * @lean Hydrogen.State.GCounter.join
   */
  join: gJoin,
  /** Structural equality (Lean's `DecidableEq`: same list, length included). */
  equals: gEquals,
  /**
   * Replica `r`'s entry (0 when missing).
   *
   * @lean Hydrogen.State.GCounter.get
   */
  get: gGet,
  /**
   * The counter's value: the sum of all replicas' entries.
   *
   * @lean Hydrogen.State.GCounter.value
   */
  value: gValue,
  /**
   * Replica `r` increments by one.
   *
   * @lean Hydrogen.State.GCounter.inc
   */
  inc: gInc,
  /**
   * The delta of `inc r`: just replica `r`'s new entry (`single r (get r + 1)`).
   *
   * @lean Hydrogen.State.GCounter.incDelta
   */
  incDelta: gIncDelta,
  /**
   * The grow-only-counter lattice (`bot` = `empty`, a TS addition).
   *
   * @lean Hydrogen.State.GCounter.joinSemilattice
   */
  joinSemilattice: gLattice,
} as const

// ---------------------------------------------------------------------------
// PNCounter

/**
 * Counter with increments and decrements: a pair of grow-only counters.
 *
 * @lean Hydrogen.State.PNCounter
 */
export interface PNCounter {
  readonly incs: GCounter
  readonly decs: GCounter
}

const pEmpty: PNCounter = { incs: gEmpty, decs: gEmpty }
const pJoin = (a: PNCounter, b: PNCounter): PNCounter => ({ incs: gJoin(a.incs, b.incs), decs: gJoin(a.decs, b.decs) })
const pEquals = (a: PNCounter, b: PNCounter): boolean => gEquals(a.incs, b.incs) && gEquals(a.decs, b.decs)
const pLattice: JoinSemilatticeBot<PNCounter> = { join: pJoin, equals: pEquals, bot: pEmpty }

/** Operations on `PNCounter` (names as in Lean). */
export const PNCounter = {
  /**
   * Both counters empty.
   *
   * @lean Hydrogen.State.PNCounter.empty
   */
  empty: pEmpty,
  /**
   * Componentwise join.
   *
   * @lean Hydrogen.State.PNCounter.join
   */
  join: pJoin,
  /** Structural equality. */
  equals: pEquals,
  /**
   * Increments minus decrements (Lean `Int`).
   *
   * @lean Hydrogen.State.PNCounter.value
   */
  value: (c: PNCounter): number => gValue(c.incs) - gValue(c.decs),
  /**
   * Replica `r` increments.
   *
   * @lean Hydrogen.State.PNCounter.inc
   */
  inc: (r: number, c: PNCounter): PNCounter => ({ incs: gInc(r, c.incs), decs: c.decs }),
  /**
   * Replica `r` decrements.
   *
   * @lean Hydrogen.State.PNCounter.dec
   */
  dec: (r: number, c: PNCounter): PNCounter => ({ incs: c.incs, decs: gInc(r, c.decs) }),
  /**
   * The delta of `inc r`: `⟨incs.incDelta r, empty⟩`.
   *
   * @lean Hydrogen.State.PNCounter.incDelta
   */
  incDelta: (r: number, c: PNCounter): PNCounter => ({ incs: gIncDelta(r, c.incs), decs: gEmpty }),
  /**
   * The delta of `dec r`: `⟨empty, decs.incDelta r⟩`.
   *
   * @lean Hydrogen.State.PNCounter.decDelta
   */
  decDelta: (r: number, c: PNCounter): PNCounter => ({ incs: gEmpty, decs: gIncDelta(r, c.decs) }),
  /**
   * The PN-counter lattice (`bot` = `empty`, a TS addition).
   *
   * @lean Hydrogen.State.PNCounter.joinSemilattice
   */
  joinSemilattice: pLattice,
} as const

// ---------------------------------------------------------------------------
// VectorClock

/**
 * Vector clock: entry `r` is the number of events replica `r` has seen from itself.
 *
 * @lean Hydrogen.State.VectorClock
 */
export interface VectorClock {
  readonly ticks: ReadonlyArray<number>
}

const vEmpty: VectorClock = { ticks: [] }
const vJoin = (a: VectorClock, b: VectorClock): VectorClock => ({ ticks: zipJoin(N, a.ticks, b.ticks) })
const vEquals = (a: VectorClock, b: VectorClock): boolean => numsEqual(a.ticks, b.ticks)
const vGet = (v: VectorClock, r: number): number => at(v.ticks, r)
const vLeq = (a: VectorClock, b: VectorClock): boolean => {
  const n = Math.max(a.ticks.length, b.ticks.length)
  for (let r = 0; r < n; r++) if ((a.ticks[r] ?? 0) > (b.ticks[r] ?? 0)) return false
  return true
}
const vLattice: JoinSemilatticeBot<VectorClock> = { join: vJoin, equals: vEquals, bot: vEmpty }

/** Operations on `VectorClock` (names as in Lean). */
export const VectorClock = {
  /**
   * No events seen.
   *
   * @lean Hydrogen.State.VectorClock.empty
   */
  empty: vEmpty,
  /**
   * Entrywise max.
   *
   * @lean Hydrogen.State.VectorClock.join
   */
  join: vJoin,
  /** Structural equality (length included, as in Lean). */
  equals: vEquals,
  /**
   * Replica `r`'s entry (0 when missing).
   *
   * @lean Hydrogen.State.VectorClock.get
   */
  get: vGet,
  /**
   * Replica `r` records a new local event.
   *
   * @lean Hydrogen.State.VectorClock.tick
   */
  tick: (r: number, v: VectorClock): VectorClock => ({ ticks: setAt(N, r, vGet(v, r) + 1, v.ticks) }),
  /**
   * The delta of `tick r`: `single r (get r + 1)`.
   *
   * @lean Hydrogen.State.VectorClock.tickDelta
   */
  tickDelta: (r: number, v: VectorClock): VectorClock => ({ ticks: single(N, r, vGet(v, r) + 1) }),
  /**
   * `a` is below or equal to `b` in every entry (checked over the longer length).
   *
   * @lean Hydrogen.State.VectorClock.leq
   */
  leq: vLeq,
  /**
   * Happened-before: below or equal everywhere and strictly below somewhere.
   *
   * @lean Hydrogen.State.VectorClock.happenedBefore
   */
  happenedBefore: (a: VectorClock, b: VectorClock): boolean => {
    if (!vLeq(a, b)) return false
    const n = Math.max(a.ticks.length, b.ticks.length)
    for (let r = 0; r < n; r++) if ((a.ticks[r] ?? 0) < (b.ticks[r] ?? 0)) return true
    return false
  },
  /**
   * Neither is below or equal to the other.
   *
   * @lean Hydrogen.State.VectorClock.concurrent
   */
  concurrent: (a: VectorClock, b: VectorClock): boolean => !vLeq(a, b) && !vLeq(b, a),
  /**
   * Entrywise minimum of the clocks (over the shortest length; missing entries
   * are 0): what every one of them has seen. Used for causal stability
   * (`Gc.ts`). Not a Lean declaration. The minimum of no clocks is `empty`.
   */
  meet: (clocks: ReadonlyArray<VectorClock>): VectorClock => {
    if (clocks.length === 0) return vEmpty
    let n = Infinity
    for (const c of clocks) n = Math.min(n, c.ticks.length)
    const out = new Array<number>(n)
    for (let r = 0; r < n; r++) {
      let m = Infinity
      for (const c of clocks) m = Math.min(m, c.ticks[r]!)
      out[r] = m
    }
    return { ticks: out }
  },
  /**
   * The vector-clock lattice (`bot` = `empty`, a TS addition).
   *
   * @lean Hydrogen.State.VectorClock.joinSemilattice
   */
  joinSemilattice: vLattice,
} as const
