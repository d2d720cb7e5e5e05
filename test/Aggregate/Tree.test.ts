import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { BoundingBox, point } from "../../src/Aggregate/BoundingBox.ts"
import { type AggregationMonoid, fold } from "../../src/Aggregate/Monoid.ts"
import { Count, Max, Min, Sum } from "../../src/Aggregate/Numeric.ts"
import { ofList, SetUnion } from "../../src/Aggregate/SetUnion.ts"
import { type Entry, mergeEntries, topK } from "../../src/Aggregate/TopK.ts"
import {
  aggregate,
  aggregateAll,
  aggregateKaryTyped,
  aggregateKaryTypedResult,
  chunk,
  groupLevel,
  kary,
  karyFrom,
  leaf,
  leaves,
  leavesAll,
  node,
  type Tree,
  type TypedOp,
  typedEmpty,
} from "../../src/Aggregate/Tree.ts"
import * as Result from "effect/Result"
import { catchDomain, OutOfDomain, SafeIntegerOverflow } from "../../src/Aggregate/Domain.ts"
import {
  checkAggregateEqFoldLeaves,
  edgeIntArb,
  edgeNatArb,
  expectPassed,
  intArb,
  MAX,
  notIntArb,
  treeArb,
} from "./laws.ts"

const smallArb = fc.integer({ min: -50, max: 50 })
const forestArb = <A>(arb: fc.Arbitrary<A>) => fc.array(treeArb(arb, 4), { maxLength: 5 })
const topKArb = fc
  .array(fc.record({ score: fc.nat(6), id: fc.nat(6) }), { maxLength: 5 })
  .map((es) => es.reduce<ReadonlyArray<Entry>>((acc, e) => mergeEntries(3, acc, [e]), []))

/** Monoids with value generators, for the generic tree theorems. */
const instances: ReadonlyArray<readonly [string, AggregationMonoid<any>, fc.Arbitrary<any>]> = [
  ["Sum", Sum, intArb],
  ["Max", Max, fc.oneof(intArb, fc.constant(Number.NEGATIVE_INFINITY))],
  ["SetUnion", SetUnion, fc.array(fc.nat(60), { maxLength: 4 }).map(ofList)],
  ["TopK 3", topK(3), topKArb],
  ["BoundingBox", BoundingBox, fc.option(fc.tuple(smallArb, smallArb).map(([x, y]) => point(x, y)), { nil: null })],
]

/** Exact reference for Sum: BigInt total. */
const bigSum = (xs: ReadonlyArray<number>): bigint => xs.reduce((s, x) => s + BigInt(x), 0n)

/** A deterministic PRNG (mulberry32) for building random shapes from a seed. */
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** A random tree whose leaves, left to right, are exactly `xs` (with occasional empty nodes). */
const treeOver = <A>(xs: ReadonlyArray<A>, rand: () => number): Tree<A> => {
  if (xs.length === 0) return node([])
  if (xs.length === 1) return rand() < 0.6 ? leaf(xs[0] as A) : node([treeOver(xs, rand)])
  const parts = 2 + Math.floor(rand() * 3)
  const cuts = Array.from({ length: parts - 1 }, () => Math.floor(rand() * (xs.length + 1))).sort((a, b) => a - b)
  const bounds = [0, ...cuts, xs.length]
  const children: Array<Tree<A>> = []
  for (let i = 0; i + 1 < bounds.length; i++) {
    const part = xs.slice(bounds[i], bounds[i + 1])
    // a part as long as the whole would not shrink: split it in halves instead
    if (part.length === xs.length) {
      const h = Math.floor(xs.length / 2)
      children.push(treeOver(xs.slice(0, h), rand), treeOver(xs.slice(h), rand))
    } else children.push(treeOver(part, rand))
  }
  return node(children)
}

/** Depth and maximal arity of a tree (independent structural checks for kary). */
const depth = <A>(t: Tree<A>): number => (t.tag === "leaf" ? 0 : 1 + Math.max(0, ...t.children.map(depth)))
const maxArity = <A>(t: Tree<A>): number =>
  t.tag === "leaf" ? 0 : Math.max(t.children.length, ...t.children.map(maxArity))
/** Lean's `Tree.Arity k` (proof-only there): every inner node has between 1 and k children. */
const arity = <A>(k: number, t: Tree<A>): boolean =>
  t.tag === "leaf" || (t.children.length >= 1 && t.children.length <= k && arityAll(k, t.children))
/** Lean's `Tree.ArityAll k`, literally: the head has the arity and so does the rest. */
const arityAll = <A>(k: number, ts: ReadonlyArray<Tree<A>>): boolean =>
  ts.length === 0 || (arity(k, ts[0]!) && arityAll(k, ts.slice(1)))

describe("Tree basics", () => {
  it("leaves lists the leaf values left to right; aggregate of an empty node is empty", () => {
    const t: Tree<number> = node([leaf(1), node<number>([]), node([leaf(2), node([leaf(3)])]), leaf(4)])
    expect(leaves(t)).toEqual([1, 2, 3, 4])
    expect(aggregate(Sum, t)).toBe(10)
    expect(aggregate(Max, node<number>([]))).toBe(Number.NEGATIVE_INFINITY)
    expect(leavesAll([leaf(1), node([leaf(2)])])).toEqual([1, 2])
    expect(aggregateAll(Sum, [leaf(1), node([leaf(2)])])).toBe(3)
  })

  it("aggregate of a random tree of sums equals the exact BigInt sum of its leaves", () => {
    fc.assert(
      fc.property(treeArb(intArb), (t) => {
        const collected: Array<number> = []
        const walk = (u: Tree<number>): void => {
          if (u.tag === "leaf") collected.push(u.value)
          else u.children.forEach(walk)
        }
        walk(t)
        expect(BigInt(aggregate(Sum, t))).toBe(bigSum(collected))
      }),
    )
  })
})

describe("Tree theorems", () => {
  for (const [name, M, arb] of instances) {
    // @lean Hydrogen.Aggregate.Tree.aggregate_eq_fold_leaves
    it(`Tree.aggregate_eq_fold_leaves: aggregating any tree equals folding its leaves (${name})`, () => {
      expectPassed(checkAggregateEqFoldLeaves(M, aggregate, arb))
    })

    // @lean Hydrogen.Aggregate.Tree.aggregateAll_eq_fold_leavesAll
    it(`Tree.aggregateAll_eq_fold_leavesAll: aggregating a forest equals folding all its leaves (${name})`, () => {
      fc.assert(fc.property(forestArb(arb), (ts) => M.equals(aggregateAll(M, ts), fold(M, leavesAll(ts)))))
    })

    // @lean Hydrogen.Aggregate.Tree.aggregate_eq_of_perm
    it(`Tree.aggregate_eq_of_perm: trees over permuted leaves, of any shapes, aggregate alike (${name})`, () => {
      fc.assert(
        fc.property(
          fc.array(arb, { maxLength: 25 }).chain((xs) =>
            fc.tuple(fc.constant(xs), fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length })),
          ),
          fc.integer(),
          fc.integer(),
          ([xs, ys], s1, s2) => {
            const t1 = treeOver(xs, rng(s1))
            const t2 = treeOver(ys, rng(s2))
            expect(leaves(t1)).toEqual(xs)
            expect(leaves(t2)).toEqual(ys)
            expect(M.equals(aggregate(M, t1), aggregate(M, t2))).toBe(true)
          },
        ),
      )
    })
  }

  // @lean Hydrogen.Aggregate.flatten_chunk
  it("flatten_chunk: concatenating the chunks gives back the list, for every k and fuel", () => {
    fc.assert(
      fc.property(fc.nat(6), fc.nat(30), fc.array(fc.nat(99), { maxLength: 25 }), (k, fuel, l) => {
        expect(chunk(k, l, fuel).flat()).toEqual(l)
        expect(chunk(k, l).flat()).toEqual(l)
      }),
    )
  })

  it("chunk: consecutive groups of k, the last shorter; fuel edge cases as in Lean", () => {
    expect(chunk(2, [1, 2, 3, 4, 5])).toEqual([[1, 2], [3, 4], [5]])
    expect(chunk(3, [], 1)).toEqual([])
    expect(chunk(3, [])).toEqual([[]]) // fuel = length = 0: the rest ([]) is one group
    expect(chunk(1, [7])).toEqual([[7], []]) // fuel = length runs out exactly
    expect(chunk(2, [7])).toEqual([[7], []])
    expect(chunk(0, [1, 2])).toEqual([[], [], [1, 2]])
    expect(chunk(2, [1, 2, 3, 4, 5], 1)).toEqual([[1, 2], [3, 4, 5]])
    fc.assert(
      // with k ≥ 2 and at least 2 elements the fuel (= length) never runs out
      fc.property(fc.integer({ min: 2, max: 8 }), fc.array(fc.nat(99), { minLength: 2, maxLength: 40 }), (k, l) => {
        const cs = chunk(k, l)
        expect(cs.length).toBe(Math.ceil(l.length / k))
        cs.forEach((c, i) => expect(c).toEqual(l.slice(i * k, i * k + k)))
      }),
    )
  })

  // @lean Hydrogen.Aggregate.Tree.leavesAll_append
  it("Tree.leavesAll_append: leavesAll (ts ++ us) = leavesAll ts ++ leavesAll us", () => {
    fc.assert(
      fc.property(forestArb(smallArb), forestArb(smallArb), (ts, us) => {
        expect(leavesAll([...ts, ...us])).toEqual([...leavesAll(ts), ...leavesAll(us)])
      }),
    )
  })

  // @lean Hydrogen.Aggregate.Tree.leavesAll_map_node
  it("Tree.leavesAll_map_node: leavesAll (cs.map node) = leavesAll cs.flatten", () => {
    fc.assert(
      fc.property(fc.array(forestArb(smallArb), { maxLength: 4 }), (cs) => {
        expect(leavesAll(cs.map((c) => node(c)))).toEqual(leavesAll(cs.flat()))
      }),
    )
  })

  // @lean Hydrogen.Aggregate.Tree.leavesAll_groupLevel
  it("Tree.leavesAll_groupLevel: grouping a level under parents keeps the leaves in order, for every k", () => {
    fc.assert(
      fc.property(fc.nat(5), forestArb(smallArb), (k, ts) => {
        const g = groupLevel(k, ts)
        expect(g.every((t) => t.tag === "node")).toBe(true)
        expect(leavesAll(g)).toEqual(leavesAll(ts))
      }),
    )
  })

  // @lean Hydrogen.Aggregate.Tree.leaves_karyFrom
  it("Tree.leaves_karyFrom: (karyFrom k fuel ts).leaves = leavesAll ts, for every k and fuel", () => {
    fc.assert(
      fc.property(fc.nat(5), fc.nat(8), forestArb(smallArb), (k, fuel, ts) => {
        expect(leaves(karyFrom(k, fuel, ts))).toEqual(leavesAll(ts))
      }),
    )
  })

  // @lean Hydrogen.Aggregate.Tree.leavesAll_map_leaf
  it("Tree.leavesAll_map_leaf: leavesAll (xs.map leaf) = xs", () => {
    fc.assert(
      fc.property(fc.array(intArb), (xs) => {
        expect(leavesAll(xs.map((x) => leaf(x)))).toEqual(xs)
      }),
    )
  })

  // @lean Hydrogen.Aggregate.Tree.leaves_kary
  it("Tree.leaves_kary: the k-ary tree keeps every leaf, in order, for every k", () => {
    fc.assert(
      fc.property(fc.nat(7), fc.array(intArb, { maxLength: 60 }), (k, xs) => {
        expect(leaves(kary(k, xs))).toEqual(xs)
      }),
    )
  })

  it("kary: [] is node [], [x] is leaf x; for k ≥ 2 the tree is balanced with arity ≤ k and depth ⌈log_k n⌉", () => {
    expect(kary(3, [])).toEqual(node([]))
    expect(kary(3, [9])).toEqual(leaf(9))
    expect(kary(2, [1, 2, 3])).toEqual(node([node([leaf(1), leaf(2)]), node([leaf(3)])]))
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.array(smallArb, { minLength: 2, maxLength: 200 }), (k, xs) => {
        const t = kary(k, xs)
        expect(maxArity(t)).toBeLessThanOrEqual(k)
        let d = 0
        for (let cap = 1; cap < xs.length; cap *= k) d++
        expect(depth(t)).toBe(d)
      }),
    )
  })

  // @lean Hydrogen.Aggregate.Tree.arityAll_iff
  it("Tree.arityAll_iff: ArityAll k ts ↔ every tree of ts has Arity k", () => {
    fc.assert(
      fc.property(fc.nat(4), forestArb(smallArb), (k, ts) => {
        expect(arityAll(k, ts)).toBe(ts.every((t) => arity(k, t)))
      }),
    )
  })

  // @lean Hydrogen.Aggregate.length_mem_chunk
  it("length_mem_chunk: for k ≥ 1 and l.length + k ≤ k · fuel, every group of chunk k fuel l has 1 … k elements", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.nat(30), fc.array(fc.nat(99), { maxLength: 25 }), (k, fuel, l) => {
        fc.pre(l.length + k <= k * fuel)
        for (const c of chunk(k, l, fuel)) {
          expect(c.length).toBeGreaterThanOrEqual(1)
          expect(c.length).toBeLessThanOrEqual(k)
        }
      }),
    )
    // the hypothesis is needed: with fuel = length and k = 1 the last group is empty
    expect(chunk(1, [7])).toEqual([[7], []])
  })

  // @lean Hydrogen.Aggregate.length_le_length_flatten
  it("length_le_length_flatten: a list of nonempty groups has at most as many groups as elements", () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(9), { minLength: 1, maxLength: 5 }), { maxLength: 10 }), (cs) => {
        expect(cs.length).toBeLessThanOrEqual(cs.flat().length)
      }),
    )
  })

  // @lean Hydrogen.Aggregate.Tree.arity_karyFrom
  it("Tree.arity_karyFrom: for k ≥ 2, a nonempty forest ts with ts.length ≤ fuel whose trees have Arity k gives karyFrom k fuel ts with Arity k", () => {
    const aritied = fc.integer({ min: 2, max: 5 }).chain((k) =>
      fc.tuple(
        fc.constant(k),
        fc.array(fc.array(smallArb, { minLength: 1, maxLength: 12 }).map((xs) => kary(k, xs)), { minLength: 1, maxLength: 20 }),
      ),
    )
    fc.assert(
      fc.property(aritied, fc.nat(5), ([k, ts], extra) => {
        expect(ts.every((t) => arity(k, t))).toBe(true)
        expect(arity(k, karyFrom(k, ts.length + extra, ts))).toBe(true)
      }),
    )
  })

  // @lean Hydrogen.Aggregate.Tree.arity_kary
  it("Tree.arity_kary: for k ≥ 2 and a nonempty list, every inner node of kary k xs has between 1 and k children", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 9 }), fc.array(intArb, { minLength: 1, maxLength: 300 }), (k, xs) => {
        const t = kary(k, xs)
        expect(arity(k, t)).toBe(true)
        expect(maxArity(t)).toBeLessThanOrEqual(k)
      }),
    )
    // the hypotheses are needed: the empty list gives node [], and k = 1 or 0 are not k-ary
    expect(arity(3, kary(3, []))).toBe(false)
    expect(arity(1, kary(1, [1, 2, 3]))).toBe(false)
    expect(arity(0, kary(0, [1, 2]))).toBe(false)
  })

  // @lean Hydrogen.Aggregate.Tree.aggregate_kary
  it("Tree.aggregate_kary: aggregating through kary k xs equals the sequential fold, for every k (0 and 1 included: it uses only that the leaves are kept in order, not the arity)", () => {
    for (const [, M, arb] of instances) {
      fc.assert(
        fc.property(fc.nat(7), fc.array(arb, { maxLength: 40 }), (k, xs) => M.equals(aggregate(M, kary(k, xs)), fold(M, xs))),
      )
    }
    fc.assert(
      fc.property(fc.nat(9), fc.array(intArb, { maxLength: 300 }), (k, xs) => {
        expect(BigInt(aggregate(Sum, kary(k, xs)))).toBe(bigSum(xs))
      }),
    )
  })
})

describe("aggregateKaryTyped (fast path)", () => {
  const monoids: Record<TypedOp, AggregationMonoid<number>> = { sum: Sum, count: Count, min: Min, max: Max }
  const ops: ReadonlyArray<TypedOp> = ["sum", "count", "min", "max"]

  it("equals aggregate M (kary k leaves) bit for bit on safe integers", () => {
    for (const op of ops) {
      const valueArb = op === "count" ? fc.nat(1_000_000) : intArb
      fc.assert(
        fc.property(fc.integer({ min: 2, max: 12 }), fc.array(valueArb, { maxLength: 400 }), (k, xs) => {
          expect(Object.is(aggregateKaryTyped(op, k, Float64Array.from(xs)), aggregate(monoids[op], kary(k, xs)))).toBe(
            true,
          )
        }),
      )
    }
  })

  it("near 2^53: the exact (BigInt) sum when it is safe, SafeIntegerOverflow when it is not; max/min exact", () => {
    for (const op of ops) {
      const valueArb = op === "count" ? edgeNatArb : edgeIntArb
      fc.assert(
        fc.property(fc.integer({ min: 2, max: 6 }), fc.array(valueArb, { maxLength: 12 }), (k, xs) => {
          const r = aggregateKaryTypedResult(op, k, Float64Array.from(xs))
          if (op === "max" || op === "min") {
            expect(Result.getOrThrow(r)).toBe(xs.length === 0 ? typedEmpty(op) : op === "max" ? Math.max(...xs) : Math.min(...xs))
            return
          }
          const exact = xs.reduce((s, x) => s + BigInt(x), 0n)
          if (exact > BigInt(MAX) || exact < -BigInt(MAX)) {
            expect(Result.isFailure(r) && r.failure._tag).toBe("SafeIntegerOverflow")
          } else {
            expect(Result.getOrThrow(r)).toBe(Number(exact))
            // The generic tree fold either agrees or reports an unsafe intermediate sum; never a rounded number.
            const generic = catchDomain(() => aggregate(monoids[op], kary(k, xs)))
            if (Result.isSuccess(generic)) expect(generic.success).toBe(Number(exact))
            else expect(generic.failure._tag).toBe("SafeIntegerOverflow")
          }
        }),
      )
    }
  })

  it("sums that hit 2^53 − 1 exactly pass; one more overflows (typed error, not 2^53)", () => {
    expect(aggregateKaryTyped("sum", 2, Float64Array.of(MAX - 2, 1, 1))).toBe(MAX)
    expect(aggregateKaryTyped("count", 3, Float64Array.of(2 ** 52, 2 ** 52 - 1))).toBe(MAX)
    expect(aggregateKaryTyped("sum", 2, Float64Array.of(MAX, -MAX, MAX))).toBe(MAX)
    expect(() => aggregateKaryTyped("sum", 2, Float64Array.of(MAX, 1))).toThrow(SafeIntegerOverflow)
    expect(() => aggregateKaryTyped("count", 2, Float64Array.of(MAX, 1))).toThrow(SafeIntegerOverflow)
    expect(() => aggregateKaryTyped("sum", 2, Float64Array.of(-MAX, -1))).toThrow(SafeIntegerOverflow)
  })

  it("rejects leaves outside Lean's Int/Nat with OutOfDomain, naming the first bad leaf", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1_000_000_000), { maxLength: 5 }), notIntArb, (xs, bad) => {
        for (const op of ops) {
          const r = aggregateKaryTypedResult(op, 2, Float64Array.from([...xs, bad]))
          const isNone = (op === "max" && bad === Number.NEGATIVE_INFINITY) || (op === "min" && bad === Number.POSITIVE_INFINITY)
          if (isNone) expect(Result.isSuccess(r)).toBe(true)
          else {
            expect(Result.isFailure(r)).toBe(true)
            if (Result.isFailure(r)) expect(r.failure).toMatchObject({ _tag: "OutOfDomain", field: `leaves[${xs.length}]` })
          }
        }
      }),
    )
    expect(() => aggregateKaryTyped("count", 2, Float64Array.of(1, -1))).toThrow(OutOfDomain)
    expect(() => aggregateKaryTyped("max", 2, Float64Array.of(1, Number.POSITIVE_INFINITY))).toThrow(OutOfDomain)
    expect(() => aggregateKaryTyped("min", 2, Float64Array.of(Number.NEGATIVE_INFINITY))).toThrow(OutOfDomain)
  })

  it("empty input gives the identity, one leaf gives itself", () => {
    expect(aggregateKaryTyped("sum", 2, new Float64Array())).toBe(0)
    expect(aggregateKaryTyped("count", 2, new Float64Array())).toBe(0)
    expect(aggregateKaryTyped("max", 2, new Float64Array())).toBe(Number.NEGATIVE_INFINITY)
    expect(aggregateKaryTyped("min", 2, new Float64Array())).toBe(Number.POSITIVE_INFINITY)
    expect(aggregateKaryTyped("min", 7, Float64Array.of(-3))).toBe(-3)
  })

  it("rejects an arity that is not an integer ≥ 2 and an unknown op with a RangeError", () => {
    for (const k of [1, 0, -2, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => aggregateKaryTyped("sum", k, Float64Array.of(1, 2))).toThrow(RangeError)
    }
    expect(() => aggregateKaryTyped("sum", 1, Float64Array.of(1))).toThrow(/integer >= 2/)
    expect(() => aggregateKaryTyped("avg" as TypedOp, 2, Float64Array.of(1))).toThrow(RangeError)
  })
})
