/**
 * Last-writer-wins register and map. Mirror of lean/Hydrogen/State/Register.lean.
 *
 * Writes are ordered by timestamp, then replica id, then value — a total
 * order — so the merge (keep the later write) is a semilattice. Without the
 * replica tie-break two writes with equal timestamps would merge differently
 * in different orders (`Hydrogen.Aggregate.Counterexamples.lwwByTimestamp_not_comm`).
 *
 * Two representations of `LWWMap`:
 * - `LWWMap` — Lean's shape: a dense array by key of `LWWReg | undefined`.
 * - `LWWColumns` — structure of arrays for large maps (10^5–10^6 keys):
 *   columns `timestamp` (Float64Array), `replica` (Uint32Array), `value`
 *   (Float64Array), `present` (Uint8Array, 1 = `some`). Key `k` of the
 *   column map is `some ⟨timestamp[k], replica[k], value[k]⟩` when
 *   `present[k] = 1` and `none` otherwise; `toMap`/`fromMap` convert, and
 *   `join`/`set`/`setDelta`/`get` agree with the `LWWMap` ones under that
 *   conversion (tested). Timestamps and values are safe integers; replica ids
 *   are < 2^32.
 *
 * Domain (see `Aggregate/Domain.ts`): every field of a write is a Lean `Nat`,
 * a non-negative safe integer. `LWWReg.lt`/`join`, `LWWMap.set`/`setDelta`
 * and the column constructors throw `OutOfDomain` on anything else (a NaN
 * timestamp would break the total order, and with it the lattice laws).
 * `LWWMap.join` checks through `LWWReg.join` per pair of present entries; the
 * column fast path (`mergeRange`) does not check per key: its columns are
 * filled only through `checkReg` (`set`, `setInPlace`, `setDelta`, `fromMap`).
 *
 * @module
 */
import type { JoinSemilattice, JoinSemilatticeBot } from "./Lattice.ts"
import { entry, listEquals, optionJoin, optionJoinSemilatticeBot, setAt, single, zipJoin } from "./Lattice.ts"
import { requireNat } from "../Aggregate/Domain.ts"

/** `w`, when every field is a natural number; throws `OutOfDomain` otherwise. */
export const requireReg = (where: string, field: string, w: LWWReg): LWWReg => {
  requireNat(where, `${field}.timestamp`, w.timestamp)
  requireNat(where, `${field}.replica`, w.replica)
  requireNat(where, `${field}.value`, w.value)
  return w
}

/**
 * One write: when, by whom, what (all natural numbers).
 *
 * @lean Hydrogen.State.LWWReg
 */
export interface LWWReg {
  readonly timestamp: number
  readonly replica: number
  readonly value: number
}

const regLt = (a: LWWReg, b: LWWReg): boolean => {
  requireReg("LWWReg.lt", "a", a)
  requireReg("LWWReg.lt", "b", b)
  return (
    a.timestamp < b.timestamp ||
    (a.timestamp === b.timestamp && (a.replica < b.replica || (a.replica === b.replica && a.value < b.value)))
  )
}
const regJoin = (a: LWWReg, b: LWWReg): LWWReg => (regLt(a, b) ? b : a)
const regEquals = (a: LWWReg, b: LWWReg): boolean =>
  a.timestamp === b.timestamp && a.replica === b.replica && a.value === b.value
const regLattice: JoinSemilattice<LWWReg> = { join: regJoin, equals: regEquals }

/** Operations on `LWWReg` (names as in Lean). */
export const LWWReg = {
  /**
   * `a` was written before `b` in the total order (timestamp, replica, value).
   *
   * @lean Hydrogen.State.LWWReg.lt
   */
  lt: regLt,
  /**
   * Keep the later write: `if a.lt b then b else a`.
   *
   * @lean Hydrogen.State.LWWReg.join
   */
  join: regJoin,
  equals: regEquals,
  /**
   * The LWW lattice.
   *
   * @lean Hydrogen.State.LWWReg.joinSemilattice
   */
  joinSemilattice: regLattice,
} as const

// ---------------------------------------------------------------------------
// LWWMap (Lean's shape)

/**
 * Last-writer-wins map: entry `k` holds the latest write to key `k`, if any.
 *
 * @lean Hydrogen.State.LWWMap
 */
export interface LWWMap {
  readonly entries: ReadonlyArray<LWWReg | undefined>
}

const OptReg: JoinSemilatticeBot<LWWReg | undefined> = optionJoinSemilatticeBot(regLattice)
const optRegJoin = optionJoin(regLattice)

const mEmpty: LWWMap = { entries: [] }
const mJoin = (a: LWWMap, b: LWWMap): LWWMap => ({ entries: zipJoin(OptReg, a.entries, b.entries) })
const mEquals = (a: LWWMap, b: LWWMap): boolean => listEquals(OptReg, a.entries, b.entries)
const mGet = (m: LWWMap, k: number): LWWReg | undefined => {
  requireNat("LWWMap", "key", k)
  return entry(OptReg, m.entries, k)
}
const mLattice: JoinSemilatticeBot<LWWMap> = { join: mJoin, equals: mEquals, bot: mEmpty }

/** Operations on `LWWMap` (names as in Lean). */
export const LWWMap = {
  /**
   * No key written.
   *
   * @lean Hydrogen.State.LWWMap.empty
   */
  empty: mEmpty,
  /**
   * Keywise join (`zipJoin` of the option lattice).
   *
   * @lean Hydrogen.State.LWWMap.join
   */
  join: mJoin,
  equals: mEquals,
  /**
   * The current write at key `k` (`undefined` = none).
   *
   * @lean Hydrogen.State.LWWMap.get
   */
  get: mGet,
  /**
   * Write `w` to key `k` (kept only if it is later than what is there).
   *
   * @lean Hydrogen.State.LWWMap.set
   */
  set: (k: number, w: LWWReg, m: LWWMap): LWWMap => ({
    entries: setAt(OptReg, k, optRegJoin(mGet(m, k), requireReg("LWWMap.set", "w", w)), m.entries),
  }),
  /**
   * The delta of `set k w`: key `k` alone (`single k (some w)`).
   *
   * @lean Hydrogen.State.LWWMap.setDelta
   */
  setDelta: (k: number, w: LWWReg): LWWMap => ({ entries: single(OptReg, k, requireReg("LWWMap.setDelta", "w", w)) }),
  /**
   * The LWW-map lattice (`bot` = `empty`, a TS addition).
   *
   * @lean Hydrogen.State.LWWMap.joinSemilattice
   */
  joinSemilattice: mLattice,
} as const

// ---------------------------------------------------------------------------
// LWWColumns: structure-of-arrays LWWMap for large maps

/**
 * An `LWWMap` of `length` keys as columns (see the module comment). Mutable
 * buffers: `joinInto` and `setInPlace` update the target in place; every other
 * function returns fresh columns.
 */
export interface LWWColumns {
  readonly length: number
  readonly timestamp: Float64Array
  readonly replica: Uint32Array
  readonly value: Float64Array
  readonly present: Uint8Array
}

const alloc = (length: number): LWWColumns => ({
  length,
  timestamp: new Float64Array(length),
  replica: new Uint32Array(length),
  value: new Float64Array(length),
  present: new Uint8Array(length),
})

const copyColumns = (a: LWWColumns, length: number): LWWColumns => {
  const out = alloc(length)
  out.timestamp.set(a.timestamp.subarray(0, a.length))
  out.replica.set(a.replica.subarray(0, a.length))
  out.value.set(a.value.subarray(0, a.length))
  out.present.set(a.present.subarray(0, a.length))
  return out
}

/** Merge `src` into `dst` on keys `[0, n)` (`dst` must hold at least `n` keys). */
const mergeRange = (dst: LWWColumns, src: LWWColumns, n: number): void => {
  const dt = dst.timestamp
  const dr = dst.replica
  const dv = dst.value
  const dp = dst.present
  const st = src.timestamp
  const sr = src.replica
  const sv = src.value
  const sp = src.present
  for (let k = 0; k < n; k++) {
    if (sp[k] === 0) continue
    if (dp[k] === 0) {
      dp[k] = 1
      dt[k] = st[k]!
      dr[k] = sr[k]!
      dv[k] = sv[k]!
      continue
    }
    const a = dt[k]!
    const b = st[k]!
    // dst.lt src: keep src
    if (a < b || (a === b && (dr[k]! < sr[k]! || (dr[k] === sr[k] && dv[k]! < sv[k]!)))) {
      dt[k] = b
      dr[k] = sr[k]!
      dv[k] = sv[k]!
    }
  }
}

// OutOfDomain for a field that is not a Nat; RangeError for a replica id that
// is a Nat but does not fit the Uint32 column (a limit of the columns, not of Lean).
const checkReg = (w: LWWReg): void => {
  requireReg("LWWColumns", "w", w)
  if (w.replica > 0xffffffff) throw new RangeError(`LWWColumns: replica must be < 2^32, got ${w.replica}`)
}

const colGet = (m: LWWColumns, k: number): LWWReg | undefined => {
  requireNat("LWWMap", "key", k)
  return k < m.length && m.present[k] === 1
    ? { timestamp: m.timestamp[k]!, replica: m.replica[k]!, value: m.value[k]! }
    : undefined
}

const colJoin = (a: LWWColumns, b: LWWColumns): LWWColumns => {
  const [long, short] = a.length >= b.length ? [a, b] : [b, a]
  const out = copyColumns(long, long.length)
  mergeRange(out, short, short.length)
  return out
}

const colSetInPlace = (k: number, w: LWWReg, m: LWWColumns): void => {
  requireNat("LWWMap", "key", k)
  checkReg(w)
  if (m.present[k] === 0) {
    m.present[k] = 1
  } else if (!regLt({ timestamp: m.timestamp[k]!, replica: m.replica[k]!, value: m.value[k]! }, w)) {
    return
  }
  m.timestamp[k] = w.timestamp
  m.replica[k] = w.replica
  m.value[k] = w.value
}

/**
 * Structure-of-arrays `LWWMap` with the same `join`/`set`/`setDelta`/`get`
 * semantics (under `toMap`/`fromMap`); for maps of 10^5–10^6 keys.
 */
export const LWWColumns = {
  /** `length` keys, none written. (`LWWMap.empty` is `alloc(0)`; trailing `none`s are part of the length.) */
  alloc,
  /** The empty map (`LWWMap.empty`). */
  empty: (): LWWColumns => alloc(0),
  /** `LWWMap.get`. */
  get: colGet,
  /** `LWWMap.join`: fresh columns of the longer length. */
  join: colJoin,
  /**
   * In-place join: merges `src` into `dst` and returns `dst` when
   * `dst.length ≥ src.length`; otherwise returns fresh columns (`join`).
   */
  joinInto: (dst: LWWColumns, src: LWWColumns): LWWColumns => {
    if (dst.length < src.length) return colJoin(dst, src)
    mergeRange(dst, src, src.length)
    return dst
  },
  /** `LWWMap.set k w m`: fresh columns (length `max(m.length, k + 1)`). */
  set: (k: number, w: LWWReg, m: LWWColumns): LWWColumns => {
    requireNat("LWWMap", "key", k)
    const out = copyColumns(m, Math.max(m.length, k + 1))
    colSetInPlace(k, w, out)
    return out
  },
  /** In-place `set` for `k < m.length` (throws a RangeError otherwise). */
  setInPlace: (k: number, w: LWWReg, m: LWWColumns): void => {
    if (!(k < m.length)) throw new RangeError(`LWWColumns.setInPlace: key ${k} outside length ${m.length}`)
    colSetInPlace(k, w, m)
  },
  /** `LWWMap.setDelta k w`: length `k + 1`, only key `k` present. */
  setDelta: (k: number, w: LWWReg): LWWColumns => {
    requireNat("LWWMap", "key", k)
    const out = alloc(k + 1)
    colSetInPlace(k, w, out)
    return out
  },
  /** Structural equality (length included), as `LWWMap.equals` after `toMap`. */
  equals: (a: LWWColumns, b: LWWColumns): boolean => {
    if (a.length !== b.length) return false
    for (let k = 0; k < a.length; k++) {
      if (a.present[k] !== b.present[k]) return false
      if (
        a.present[k] === 1 &&
        (a.timestamp[k] !== b.timestamp[k] || a.replica[k] !== b.replica[k] || a.value[k] !== b.value[k])
      ) {
        return false
      }
    }
    return true
  },
  /** The dense `LWWMap` with the same entries. */
  toMap: (m: LWWColumns): LWWMap => {
    const entries = new Array<LWWReg | undefined>(m.length)
    for (let k = 0; k < m.length; k++) entries[k] = colGet(m, k)
    return { entries }
  },
  /** The columns holding the same entries as `m`. Throws a RangeError on a replica ≥ 2^32. */
  fromMap: (m: LWWMap): LWWColumns => {
    const out = alloc(m.entries.length)
    m.entries.forEach((w, k) => {
      if (w === undefined) return
      checkReg(w)
      out.present[k] = 1
      out.timestamp[k] = w.timestamp
      out.replica[k] = w.replica
      out.value[k] = w.value
    })
    return out
  },
} as const
