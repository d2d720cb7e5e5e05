// The typed-error contract of the Aggregate mirrors: an input outside Lean's
// domain is an `OutOfDomain` that names the function (`where`), the argument
// (`field`), the value and the Lean type; an inexact sum is a
// `SafeIntegerOverflow` naming the operation and its operands. These tests pin
// each of those names, which the mutation run found unasserted.
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { BoundingBox, contains, hull, point } from "../../src/Aggregate/BoundingBox.ts"
import { addExact, catchDomain, intOf, natOf, OutOfDomain, requireInt, SafeIntegerOverflow } from "../../src/Aggregate/Domain.ts"
import { average, countMerge, maxMerge, minMerge, sumCountMerge, sumCountOfValue, sumMerge } from "../../src/Aggregate/Numeric.ts"
import { get, ofList as mapOfList, pointwiseMerge } from "../../src/Aggregate/PointwiseMap.ts"
import { Sum } from "../../src/Aggregate/Numeric.ts"
import { mem, ofList as setOfList, setUnionMerge, singleton } from "../../src/Aggregate/SetUnion.ts"
import { entry, mergeEntries, topK, topKOfList, topOf, type Entry } from "../../src/Aggregate/TopK.ts"
import { chunk, karyFrom, leaf } from "../../src/Aggregate/Tree.ts"

/** The error `f` throws (fails the test when it returns). */
const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (e) {
    return e
  }
  throw new Error("expected a throw")
}

const expectOutOfDomain = (f: () => unknown, where: string, field: string, value: unknown, domain: "Nat" | "Int") => {
  const e = thrown(f)
  expect(e).toBeInstanceOf(OutOfDomain)
  expect(e).toMatchObject({ _tag: "OutOfDomain", where, field, domain })
  expect(Object.is((e as OutOfDomain).value, value)).toBe(true)
}

describe("Domain.ts error values", () => {
  it("OutOfDomain's message names where, field, the Lean type and the value (bigint with n, -0 as -0)", () => {
    const nat = new OutOfDomain({ where: "W", field: "f", value: 5n, domain: "Nat" })
    expect(nat.message.startsWith("W: f must be a natural number")).toBe(true)
    expect(nat.message.endsWith(", got 5n")).toBe(true)
    const int = new OutOfDomain({ where: "W", field: "g", value: -0, domain: "Int" })
    expect(int.message.startsWith("W: g must be an integer")).toBe(true)
    expect(int.message.endsWith(", got -0")).toBe(true)
    expect(new OutOfDomain({ where: "W", field: "g", value: 0.5, domain: "Int" }).message.endsWith(", got 0.5")).toBe(true)
  })

  it("SafeIntegerOverflow from addExact names the operation and both operands", () => {
    const max = Number.MAX_SAFE_INTEGER
    const e = thrown(() => addExact("here", max, 2))
    expect(e).toBeInstanceOf(SafeIntegerOverflow)
    expect(e).toMatchObject({ where: "here", operation: "a + b", operands: [max, 2] })
    expect((e as SafeIntegerOverflow).message).toContain(`here: a + b of ${max}, 2 leaves`)
  })

  it("requireInt / natOf / intOf fail with the field, value and Lean type", () => {
    expectOutOfDomain(() => requireInt("r", "x", 0.5), "r", "x", 0.5, "Int")
    const n = natOf("n", "y", -1)
    expect(Result.isFailure(n) && n.failure).toMatchObject({ where: "n", field: "y", value: -1, domain: "Nat" })
    const i = intOf("i", "z", Number.NaN)
    expect(Result.isFailure(i) && i.failure).toMatchObject({ where: "i", field: "z", domain: "Int" })
  })

  it("catchDomain returns domain errors as failures and rethrows anything else", () => {
    const r = catchDomain(() => sumMerge(0.5, 1))
    expect(Result.isFailure(r) && r.failure).toBeInstanceOf(OutOfDomain)
    const o = catchDomain(() => addExact("t", Number.MAX_SAFE_INTEGER, 1))
    expect(Result.isFailure(o) && o.failure).toBeInstanceOf(SafeIntegerOverflow)
    expect(() => catchDomain(() => { throw new TypeError("not a domain error") })).toThrow(TypeError)
  })
})

describe("Numeric.ts names the merge and operand", () => {
  it("Sum / Count / Max / Min merges", () => {
    expectOutOfDomain(() => sumMerge(0.5, 1), "Sum.merge", "a", 0.5, "Int")
    expectOutOfDomain(() => sumMerge(1, 0.5), "Sum.merge", "b", 0.5, "Int")
    expectOutOfDomain(() => countMerge(-1, 1), "Count.merge", "a", -1, "Nat")
    expectOutOfDomain(() => countMerge(1, -1), "Count.merge", "b", -1, "Nat")
    expect(thrown(() => countMerge(Number.MAX_SAFE_INTEGER, 1))).toMatchObject({ where: "Count.merge" })
    expect(thrown(() => sumMerge(Number.MAX_SAFE_INTEGER, 1))).toMatchObject({ where: "Sum.merge" })
    // +Infinity is Min's none, not Max's; -Infinity the other way round.
    expectOutOfDomain(() => maxMerge(Number.POSITIVE_INFINITY, 1), "Max.merge", "a", Number.POSITIVE_INFINITY, "Int")
    expectOutOfDomain(() => maxMerge(1, 0.5), "Max.merge", "b", 0.5, "Int")
    expectOutOfDomain(() => minMerge(Number.NEGATIVE_INFINITY, 1), "Min.merge", "a", Number.NEGATIVE_INFINITY, "Int")
    expectOutOfDomain(() => minMerge(1, Number.NaN), "Min.merge", "b", Number.NaN, "Int")
  })

  it("SumCount merge, ofValue and average", () => {
    const ok = { sum: 1, count: 1 }
    expectOutOfDomain(() => sumCountMerge({ sum: 0.5, count: 1 }, ok), "SumCount.merge", "a.sum", 0.5, "Int")
    expectOutOfDomain(() => sumCountMerge(ok, { sum: 0.5, count: 1 }), "SumCount.merge", "b.sum", 0.5, "Int")
    expectOutOfDomain(() => sumCountMerge({ sum: 1, count: -1 }, ok), "SumCount.merge", "a.count", -1, "Nat")
    expectOutOfDomain(() => sumCountMerge(ok, { sum: 1, count: -2 }), "SumCount.merge", "b.count", -2, "Nat")
    const big = Number.MAX_SAFE_INTEGER
    expect(thrown(() => sumCountMerge({ sum: big, count: 1 }, ok))).toMatchObject({ _tag: "SafeIntegerOverflow", where: "SumCount.merge" })
    expect(thrown(() => sumCountMerge({ sum: 1, count: big }, ok))).toMatchObject({ _tag: "SafeIntegerOverflow", where: "SumCount.merge" })
    expectOutOfDomain(() => sumCountOfValue(1.5), "SumCount.ofValue", "v", 1.5, "Int")
    expectOutOfDomain(() => average({ sum: 0.5, count: 1 }), "SumCount.average", "sum", 0.5, "Int")
    expectOutOfDomain(() => average({ sum: 1, count: -1 }), "SumCount.average", "count", -1, "Nat")
  })
})

describe("BoundingBox.ts names the coordinate", () => {
  const box = { minX: 0, minY: 0, maxX: 1, maxY: 1 }
  it("hull checks each coordinate of each box", () => {
    for (const c of ["minX", "minY", "maxX", "maxY"] as const) {
      expectOutOfDomain(() => hull({ ...box, [c]: 0.5 }, box), "Box.hull", `a.${c}`, 0.5, "Int")
      expectOutOfDomain(() => hull(box, { ...box, [c]: Number.NaN }), "Box.hull", `b.${c}`, Number.NaN, "Int")
      expectOutOfDomain(() => contains({ ...box, [c]: 1.5 }, 0, 0), "Box.contains", `b.${c}`, 1.5, "Int")
    }
    // the merge reaches hull only for two boxes
    expectOutOfDomain(() => BoundingBox.merge({ ...box, maxY: 2.5 }, box), "Box.hull", "a.maxY", 2.5, "Int")
  })
  it("point and contains check the point", () => {
    expectOutOfDomain(() => point(0.5, 0), "Box.point", "x", 0.5, "Int")
    expectOutOfDomain(() => point(0, 0.5), "Box.point", "y", 0.5, "Int")
    expectOutOfDomain(() => contains(box, 0.5, 0), "Box.contains", "x", 0.5, "Int")
    expectOutOfDomain(() => contains(box, 0, 0.5), "Box.contains", "y", 0.5, "Int")
  })
})

describe("SetUnion.ts and PointwiseMap.ts name the id, mask or key", () => {
  it("SetUnion rejects negative masks and non-Nat ids", () => {
    expectOutOfDomain(() => setUnionMerge(-1n, 0n), "SetUnion.merge", "a", -1n, "Nat")
    expectOutOfDomain(() => setUnionMerge(0n, -2n), "SetUnion.merge", "b", -2n, "Nat")
    expectOutOfDomain(() => setUnionMerge(1 as unknown as bigint, 0n), "SetUnion.merge", "a", 1, "Nat")
    expectOutOfDomain(() => mem(0, -1n), "SetUnion.mem", "s", -1n, "Nat")
    expectOutOfDomain(() => mem(-1, 1n), "SetUnion.mem", "id", -1, "Nat")
    expectOutOfDomain(() => singleton(0.5), "SetUnion.singleton", "id", 0.5, "Nat")
    expectOutOfDomain(() => setOfList([1, -3]), "SetUnion.ofList", "id", -3, "Nat")
  })
  it("PointwiseMap names the operation for a bad key", () => {
    expectOutOfDomain(() => get(Sum, new Map(), -1), "PointwiseMap.get", "key", -1, "Nat")
    expectOutOfDomain(() => pointwiseMerge(Sum, new Map([[0.5, 1]]), new Map()), "PointwiseMap.merge", "key", 0.5, "Nat")
    expectOutOfDomain(() => pointwiseMerge(Sum, new Map(), new Map([[-2, 1]])), "PointwiseMap.merge", "key", -2, "Nat")
    expectOutOfDomain(() => mapOfList(Sum, [[1, 1], [Number.NaN, 1]]), "PointwiseMap.ofList", "key", Number.NaN, "Nat")
  })
})

describe("TopK.ts and Tree.ts name the argument", () => {
  const e = (score: number, id: number): Entry => ({ score, id })
  it("entry, topOf, mergeEntries and ofList name k and the entry's index and field", () => {
    expectOutOfDomain(() => entry(-1, 0), "TopK.entry", "score", -1, "Nat")
    expectOutOfDomain(() => entry(1, 0.5), "TopK.entry", "id", 0.5, "Nat")
    expectOutOfDomain(() => topOf(-1, []), "TopK.topOf", "k", -1, "Nat")
    expectOutOfDomain(() => topOf(1, [e(2, 1), e(0.5, 2)]), "TopK.topOf", "l[1].score", 0.5, "Nat")
    expectOutOfDomain(() => topOf(1, [e(2, -1)]), "TopK.topOf", "l[0].id", -1, "Nat")
    // a hole in the list is a missing entry, still a typed error (not a TypeError)
    expectOutOfDomain(() => topOf(1, [undefined as unknown as Entry]), "TopK.topOf", "l[0].score", undefined, "Nat")
    expectOutOfDomain(() => mergeEntries(0.5, [], []), "TopK.mergeEntries", "k", 0.5, "Nat")
    expectOutOfDomain(() => mergeEntries(1, [e(1, 1), e(-1, 2)], []), "TopK.mergeEntries", "xs[1].score", -1, "Nat")
    expectOutOfDomain(() => mergeEntries(1, [], [e(1, 1.5)]), "TopK.mergeEntries", "ys[0].id", 1.5, "Nat")
    expectOutOfDomain(() => topKOfList(-2, []), "TopK.ofList", "k", -2, "Nat")
    expectOutOfDomain(() => topK(0.5), "TopK.topK", "k", 0.5, "Nat")
    expectOutOfDomain(() => topKOfList(1, [e(Number.NaN, 0)]), "TopK.ofList", "xs[0].score", Number.NaN, "Nat")
  })
  it("chunk and karyFrom name k and fuel", () => {
    expectOutOfDomain(() => chunk(-1, [1]), "chunk", "k", -1, "Nat")
    expectOutOfDomain(() => chunk(1, [1], 0.5), "chunk", "fuel", 0.5, "Nat")
    expectOutOfDomain(() => karyFrom(0.5, 1, [leaf(1)]), "Tree.karyFrom", "k", 0.5, "Nat")
    expectOutOfDomain(() => karyFrom(2, -1, [leaf(1)]), "Tree.karyFrom", "fuel", -1, "Nat")
  })
})
