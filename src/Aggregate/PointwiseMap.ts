/**
 * Pointwise merge of maps (e.g. resource demand per id). Mirror of
 * `Hydrogen.Aggregate.PointwiseMap`.
 *
 * Lean models the map as a total function `Nat → α` whose unset keys hold
 * `empty`. Here it is a finite `ReadonlyMap<number, A>`: an absent key means
 * `M.empty`. Merges keep the maps canonical by dropping keys whose value equals
 * `M.empty`, but equality never depends on that: a key mapped to `M.empty` and
 * an absent key are the same.
 *
 * Keys are Lean `Nat`s: `get`, `merge` and `ofList` throw `OutOfDomain`
 * (Domain.ts) on a key that is not a non-negative safe integer (a `Map`
 * would otherwise keep `NaN`, `1.5` or `-1` as keys Lean cannot have).
 * Values are checked by `M.merge`.
 *
 * @module
 */
import { requireNat } from "./Domain.ts"
import { fold, type AggregationMonoid } from "./Monoid.ts"

/**
 * Summaries of type `A` per id; keys that were never set hold `M.empty`.
 *
 * @lean Hydrogen.Aggregate.PointwiseMap
 */
export type PointwiseMap<A> = ReadonlyMap<number, A>

/**
 * The value at id `i` (`M.empty` when absent).
 *
 * @lean Hydrogen.Aggregate.PointwiseMap.get
 */
export const get = <A>(M: AggregationMonoid<A>, m: PointwiseMap<A>, i: number): A => {
  requireNat("PointwiseMap.get", "key", i)
  return m.has(i) ? (m.get(i) as A) : M.empty
}

/**
 * Key-by-key merge: `(a.merge b).get i = merge (a.get i) (b.get i)`.
 *
 * @lean Hydrogen.Aggregate.PointwiseMap.merge
 */
export const pointwiseMerge = <A>(M: AggregationMonoid<A>, a: PointwiseMap<A>, b: PointwiseMap<A>): PointwiseMap<A> => {
  const out = new Map<number, A>()
  for (const i of a.keys()) {
    requireNat("PointwiseMap.merge", "key", i)
    const v = M.merge(a.get(i) as A, get(M, b, i))
    if (!M.equals(v, M.empty)) out.set(i, v)
  }
  for (const i of b.keys()) {
    if (a.has(i)) continue
    requireNat("PointwiseMap.merge", "key", i)
    const v = M.merge(M.empty, b.get(i) as A)
    if (!M.equals(v, M.empty)) out.set(i, v)
  }
  return out
}

/**
 * The map holding the listed entries; repeated ids are merged:
 * `get i = fold [v | (j, v) ∈ entries, j == i]` (a right fold in list order).
 *
 * @lean Hydrogen.Aggregate.PointwiseMap.ofList
 */
export const ofList = <A>(M: AggregationMonoid<A>, entries: ReadonlyArray<readonly [number, A]>): PointwiseMap<A> => {
  const groups = new Map<number, Array<A>>()
  for (const [i, v] of entries) {
    requireNat("PointwiseMap.ofList", "key", i)
    const g = groups.get(i)
    if (g === undefined) groups.set(i, [v])
    else g.push(v)
  }
  const out = new Map<number, A>()
  for (const [i, vs] of groups) {
    const v = fold(M, vs)
    if (!M.equals(v, M.empty)) out.set(i, v)
  }
  return out
}

/**
 * The map holding `empty` everywhere: the empty `Map`.
 *
 * @lean Hydrogen.Aggregate.PointwiseMap.empty
 */
export const pointwiseEmpty = <A>(): PointwiseMap<A> => new Map<number, A>()

/**
 * Equality as total functions (`PointwiseMap.ext`): equal at every key, with
 * absent keys reading as `M.empty`.
 */
export const pointwiseEquals = <A>(M: AggregationMonoid<A>, a: PointwiseMap<A>, b: PointwiseMap<A>): boolean => {
  for (const i of a.keys()) if (!M.equals(a.get(i) as A, get(M, b, i))) return false
  for (const i of b.keys()) if (!a.has(i) && !M.equals(M.empty, b.get(i) as A)) return false
  return true
}

/**
 * The pointwise monoid over a monoid `M`.
 *
 * @lean Hydrogen.Aggregate.PointwiseMap.aggregationMonoid
 */
export const pointwiseMap = <A>(M: AggregationMonoid<A>): AggregationMonoid<PointwiseMap<A>> => ({
  empty: pointwiseEmpty<A>(),
  merge: (a, b) => pointwiseMerge(M, a, b),
  equals: (a, b) => pointwiseEquals(M, a, b),
})
