/**
 * Add-wins observed-remove set and map. Mirror of lean/Hydrogen/State/ORSet.lean.
 *
 * Every add carries a fresh tag (unique per replica and operation, see
 * `tagOf`). Per element the state keeps the tags that added it and the tags
 * removed; a remove removes exactly the add-tags it has observed. An element
 * is present while one of its add-tags is not removed, so an add concurrent
 * with a remove survives (`ORSet.add_wins`). Both tag sets only grow, so the
 * state is a product of grow-only sets, merged pointwise.
 *
 * Tag sets are `Bitset`s (sorted id arrays, see `Lattice.ts`); Lean's
 * `2 ^ t` (the set `{t}`) is `[t]`, and `ORSet.live` returns the set of live
 * tags where Lean returns its mask (`contains` is "non-empty" in both).
 *
 * Domain (see `Aggregate/Domain.ts`): element ids, keys, tags and the fields
 * of a written value are Lean `Nat`s; every operation that takes one throws
 * `OutOfDomain` on anything else (tags through `Bitset.singleton`, writes
 * through `requireReg`). Joins do not re-check tag arrays per element (see
 * Lattice.ts). `tagOf` keeps its RangeError: its limits (2^20 replicas,
 * 2^33 sequence numbers) are a TS packing convention, not Lean's domain.
 *
 * Metadata garbage collection lives in `Gc.ts`.
 *
 * @module
 */
import type { JoinSemilatticeBot } from "./Lattice.ts"
import {
  Bitset,
  entry,
  listEquals,
  optionJoinSemilatticeBot,
  prodJoinSemilatticeBot,
  setAt,
  single,
} from "./Lattice.ts"
import { LWWReg, requireReg } from "./Register.ts"
import { requireNat } from "../Aggregate/Domain.ts"

// ---------------------------------------------------------------------------
// Tags

/** Bits of a tag holding the replica id: tags distinguish up to 2^20 replicas. */
export const REPLICA_BITS = 20
/** Number of distinct replica ids a tag can carry (2^20 = 1 048 576). */
export const MAX_REPLICAS = 2 ** REPLICA_BITS
/** Largest sequence number a tag can carry: ⌊(2^53 − 1) / 2^20⌋ = 2^33 − 1. */
export const MAX_TAG_SEQ = Math.floor(Number.MAX_SAFE_INTEGER / MAX_REPLICAS)

/**
 * The tag of replica `replica`'s operation number `seq`:
 * `seq · 2^20 + replica`, a non-negative safe integer. Injective on
 * `replica < 2^20`, `seq ≤ 2^33 − 1`, so tags minted by different replicas,
 * or by one replica with different sequence numbers, never collide.
 * Convention (used by `Gc.ts`): a replica mints the tag of an add right after
 * ticking its vector clock, with `seq = VectorClock.get(clock, replica)`,
 * so the tag names the add event `(replica, seq)` of the clock.
 * Throws a RangeError outside those ranges.
 */
export const tagOf = (replica: number, seq: number): number => {
  if (!Number.isInteger(replica) || replica < 0 || replica >= MAX_REPLICAS) {
    throw new RangeError(`tagOf: replica must be an integer in [0, ${MAX_REPLICAS}), got ${replica}`)
  }
  if (!Number.isInteger(seq) || seq < 0 || seq > MAX_TAG_SEQ) {
    throw new RangeError(`tagOf: seq must be an integer in [0, ${MAX_TAG_SEQ}], got ${seq}`)
  }
  return seq * MAX_REPLICAS + replica
}
/** The replica that minted tag `t` (inverse of `tagOf`). */
export const tagReplica = (t: number): number => t % MAX_REPLICAS
/** The sequence number of tag `t` (inverse of `tagOf`). */
export const tagSeq = (t: number): number => Math.floor(t / MAX_REPLICAS)

// ---------------------------------------------------------------------------
// ORSet

/** Per element: (tags that added it, tags removed). */
export type TagPair = readonly [added: Bitset, removed: Bitset]

const Pair: JoinSemilatticeBot<TagPair> = prodJoinSemilatticeBot(Bitset.joinSemilatticeBot, Bitset.joinSemilatticeBot)

/**
 * Per element id: (tags that added it, tags removed).
 *
 * @lean Hydrogen.State.ORSet
 */
export interface ORSet {
  readonly tags: ReadonlyArray<TagPair>
}

const sEmpty: ORSet = { tags: [] }
const pairListJoin = (xs: ReadonlyArray<TagPair>, ys: ReadonlyArray<TagPair>): ReadonlyArray<TagPair> => {
  const [long, short] = xs.length >= ys.length ? [xs, ys] : [ys, xs]
  if (short.length === 0) return long
  const out = long.slice()
  for (let i = 0; i < short.length; i++) {
    const x = xs[i]!
    const y = ys[i]!
    out[i] = x === y ? x : [Bitset.join(x[0], y[0]), Bitset.join(x[1], y[1])]
  }
  return out
}
const sJoin = (a: ORSet, b: ORSet): ORSet => ({ tags: pairListJoin(a.tags, b.tags) })
const sEquals = (a: ORSet, b: ORSet): boolean => listEquals(Pair, a.tags, b.tags)
const sEntry = (s: ORSet, e: number): TagPair => {
  requireNat("ORSet", "element", e)
  return entry(Pair, s.tags, e)
}
const sLive = (s: ORSet, e: number): Bitset => {
  const [added, removed] = sEntry(s, e)
  return Bitset.diff(added, removed)
}
const sLattice: JoinSemilatticeBot<ORSet> = { join: sJoin, equals: sEquals, bot: sEmpty }

/** Operations on `ORSet` (names as in Lean). */
export const ORSet = {
  /**
   * No element ever added.
   *
   * @lean Hydrogen.State.ORSet.empty
   */
  empty: sEmpty,
  /**
   * Pointwise union of both tag sets.
   *
   * @lean Hydrogen.State.ORSet.join
   */
  join: sJoin,
  equals: sEquals,
  /** Element `e`'s (added, removed) tags (`entry s.tags e`; `([], [])` when missing). */
  entry: sEntry,
  /**
   * Add-tags of element `e` that are not removed (Lean: their mask).
   *
   * @lean Hydrogen.State.ORSet.live
   */
  live: sLive,
  /**
   * `e` is present: some add-tag of `e` is not removed.
   *
   * @lean Hydrogen.State.ORSet.contains
   */
  contains: (s: ORSet, e: number): boolean => sLive(s, e).length > 0,
  /**
   * Add element `e` with the fresh tag `t`.
   *
   * @lean Hydrogen.State.ORSet.add
   */
  add: (e: number, t: number, s: ORSet): ORSet => ({
    tags: setAt(Pair, e, Pair.join(sEntry(s, e), [Bitset.singleton(t), Bitset.empty]), s.tags),
  }),
  /**
   * The delta of `add e t`: `single e ({t}, ∅)`.
   *
   * @lean Hydrogen.State.ORSet.addDelta
   */
  addDelta: (e: number, t: number): ORSet => ({ tags: single(Pair, e, [Bitset.singleton(t), Bitset.empty]) }),
  /**
   * Remove element `e`: mark every add-tag observed here as removed.
   *
   * @lean Hydrogen.State.ORSet.remove
   */
  remove: (e: number, s: ORSet): ORSet => {
    const p = sEntry(s, e)
    return { tags: setAt(Pair, e, Pair.join(p, [Bitset.empty, p[0]]), s.tags) }
  },
  /**
   * The delta of `remove e`: `single e (∅, added tags of e here)`.
   *
   * @lean Hydrogen.State.ORSet.removeDelta
   */
  removeDelta: (e: number, s: ORSet): ORSet => ({ tags: single(Pair, e, [Bitset.empty, sEntry(s, e)[0]]) }),
  /**
   * The tag `t` has not been used for element `e` in `s` (neither added nor removed).
   *
   * @lean Hydrogen.State.ORSet.Fresh
   */
  Fresh: (s: ORSet, e: number, t: number): boolean => {
    requireNat("ORSet.Fresh", "tag", t)
    const [added, removed] = sEntry(s, e)
    return !Bitset.mem(t, added) && !Bitset.mem(t, removed)
  },
  /**
   * The OR-set lattice (`bot` = `empty`, a TS addition).
   *
   * @lean Hydrogen.State.ORSet.joinSemilattice
   */
  joinSemilattice: sLattice,
} as const

// ---------------------------------------------------------------------------
// ORMap

/** Per key: (OR-set tags, last write of its value). */
export type ORMapEntry = readonly [tags: TagPair, value: LWWReg | undefined]

const MapEntry: JoinSemilatticeBot<ORMapEntry> = prodJoinSemilatticeBot(
  Pair,
  optionJoinSemilatticeBot(LWWReg.joinSemilattice),
)

/**
 * Add-wins map: per key, the OR-set tags and the last write of its value.
 *
 * @lean Hydrogen.State.ORMap
 */
export interface ORMap {
  readonly entries: ReadonlyArray<ORMapEntry>
}

const omEmpty: ORMap = { entries: [] }
const omJoin = (a: ORMap, b: ORMap): ORMap => {
  const [long, short] = a.entries.length >= b.entries.length ? [a.entries, b.entries] : [b.entries, a.entries]
  if (short.length === 0) return { entries: long }
  const out = long.slice()
  for (let i = 0; i < short.length; i++) out[i] = MapEntry.join(a.entries[i]!, b.entries[i]!)
  return { entries: out }
}
const omEquals = (a: ORMap, b: ORMap): boolean => listEquals(MapEntry, a.entries, b.entries)
const omEntry = (m: ORMap, k: number): ORMapEntry => {
  requireNat("ORMap", "key", k)
  return entry(MapEntry, m.entries, k)
}
const omContains = (m: ORMap, k: number): boolean => {
  const [[added, removed]] = omEntry(m, k)
  return Bitset.diff(added, removed).length > 0
}
const omLattice: JoinSemilatticeBot<ORMap> = { join: omJoin, equals: omEquals, bot: omEmpty }

/** Operations on `ORMap` (names as in Lean). */
export const ORMap = {
  /**
   * No key ever put.
   *
   * @lean Hydrogen.State.ORMap.empty
   */
  empty: omEmpty,
  /**
   * Pointwise join of tags and values.
   *
   * @lean Hydrogen.State.ORMap.join
   */
  join: omJoin,
  equals: omEquals,
  /** Key `k`'s (tags, value) entry (`entry m.entries k`). */
  entry: omEntry,
  /**
   * Key `k` is present: some add-tag of `k` is not removed.
   *
   * @lean Hydrogen.State.ORMap.contains
   */
  contains: omContains,
  /**
   * The value of key `k` while it is present (`undefined` otherwise).
   *
   * @lean Hydrogen.State.ORMap.get
   */
  get: (m: ORMap, k: number): LWWReg | undefined => (omContains(m, k) ? omEntry(m, k)[1] : undefined),
  /**
   * Put `w` at key `k` with the fresh tag `t`.
   *
   * @lean Hydrogen.State.ORMap.put
   */
  put: (k: number, t: number, w: LWWReg, m: ORMap): ORMap => ({
    entries: setAt(
      MapEntry,
      k,
      MapEntry.join(omEntry(m, k), [[Bitset.singleton(t), Bitset.empty], requireReg("ORMap.put", "w", w)]),
      m.entries,
    ),
  }),
  /**
   * The delta of `put k t w`: `single k (({t}, ∅), some w)`.
   *
   * @lean Hydrogen.State.ORMap.putDelta
   */
  putDelta: (k: number, t: number, w: LWWReg): ORMap => ({
    entries: single(MapEntry, k, [[Bitset.singleton(t), Bitset.empty], requireReg("ORMap.putDelta", "w", w)]),
  }),
  /**
   * Remove key `k`: the add-tags observed here are removed.
   *
   * @lean Hydrogen.State.ORMap.remove
   */
  remove: (k: number, m: ORMap): ORMap => {
    const p = omEntry(m, k)
    return { entries: setAt(MapEntry, k, MapEntry.join(p, [[Bitset.empty, p[0][0]], undefined]), m.entries) }
  },
  /**
   * The delta of `remove k`: `single k ((∅, added tags of k here), none)`.
   *
   * @lean Hydrogen.State.ORMap.removeDelta
   */
  removeDelta: (k: number, m: ORMap): ORMap => ({
    entries: single(MapEntry, k, [[Bitset.empty, omEntry(m, k)[0][0]], undefined]),
  }),
  /**
   * The OR-map lattice (`bot` = `empty`, a TS addition).
   *
   * @lean Hydrogen.State.ORMap.joinSemilattice
   */
  joinSemilattice: omLattice,
} as const

/** Lattices of the per-entry values (for generic code such as the encoder). */
export const TagPairLattice: JoinSemilatticeBot<TagPair> = Pair
/** Lattice of an `ORMap` entry. */
export const ORMapEntryLattice: JoinSemilatticeBot<ORMapEntry> = MapEntry
