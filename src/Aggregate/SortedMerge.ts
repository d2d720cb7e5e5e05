/**
 * The two-pointer merge of two lists sorted by a strict order `lt`, an item in
 * both (neither before the other) kept once, from the first list: top-k's
 * `union` and the State bitset's join are this merge.
 *
 * @module
 */

/** The first `limit` items of the sorted union of `xs` and `ys` (both sorted by `lt`, without repeats). */
export const mergeUnion = <A>(xs: ReadonlyArray<A>, ys: ReadonlyArray<A>, lt: (a: A, b: A) => boolean, limit = Number.POSITIVE_INFINITY): Array<A> => {
  const out: Array<A> = []
  let i = 0
  let j = 0
  while (out.length < limit) {
    if (i >= xs.length) {
      if (j >= ys.length) break
      out.push(ys[j++]!)
      continue
    }
    if (j >= ys.length) {
      out.push(xs[i++]!)
      continue
    }
    const x = xs[i]!
    const y = ys[j]!
    if (lt(x, y)) {
      out.push(x)
      i++
    } else if (lt(y, x)) {
      out.push(y)
      j++
    } else {
      out.push(x)
      i++
      j++
    }
  }
  return out
}
