/**
 * Commutative aggregation monoids: the TypeScript mirror of `Hydrogen.Aggregate.Monoid`.
 *
 * A summary type is safe to aggregate up a coordinator tree when merging is
 * associative (any grouping), commutative (any order) and has an identity
 * (empty subtrees). `fold` is the sequential reference every tree shape must
 * agree with.
 *
 * The Lean class carries the laws as proof fields (`merge_assoc`,
 * `empty_merge`, `merge_empty`, `merge_comm`); at runtime they are checked by
 * the property tests instead. `equals` is the runtime counterpart of Lean's
 * propositional equality on the summary type.
 *
 * @module
 */

/**
 * A summary type whose `merge` may be applied in any grouping and any order.
 *
 * @lean Hydrogen.Aggregate.AggregationMonoid
 */
export interface AggregationMonoid<A> {
  /** The identity (the aggregate of an empty subtree). */
  readonly empty: A
  /** Associative, commutative merge with `empty` as identity. */
  readonly merge: (a: A, b: A) => A
  /** Equality of summaries (Lean's `=` on the summary type). */
  readonly equals: (a: A, b: A) => boolean
}

/**
 * Sequential aggregation of a list of summaries: the reference result.
 * A right fold, exactly `xs.foldr merge empty`:
 * `merge(xs[0], merge(xs[1], … merge(xs[n-1], empty)))`.
 *
 * @lean Hydrogen.Aggregate.AggregationMonoid.fold
 */
export const fold = <A>(M: AggregationMonoid<A>, xs: ReadonlyArray<A>): A => {
  let acc = M.empty
  for (let i = xs.length - 1; i >= 0; i--) acc = M.merge(xs[i] as A, acc)
  return acc
}
