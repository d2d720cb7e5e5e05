import { OutOfDomain } from "../../src/Aggregate/Domain.ts"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { fold } from "../../src/Aggregate/Monoid.ts"
import { mem, ofList, SetUnion, setUnionEmpty, setUnionMerge, singleton } from "../../src/Aggregate/SetUnion.ts"
import { checkAssoc, checkComm, checkEmptyMerge, checkMergeEmpty, expectPassed } from "./laws.ts"

const idArb = fc.nat(150)
const idsArb = fc.array(idArb, { maxLength: 30 })
// Sets as arbitrary bitmasks, plus sets built from id lists.
const setArb = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 160n) - 1n }), idsArb.map(ofList))

/** Members of a bitmask by repeated halving (independent of `mem`). */
const membersOf = (s: bigint): Set<number> => {
  const out = new Set<number>()
  for (let i = 0; s > 0n; i++, s /= 2n) if (s % 2n === 1n) out.add(i)
  return out
}

describe("SetUnion", () => {
  it("singleton i = 2^i, empty = 0, and ofList holds exactly the listed ids", () => {
    expect(setUnionEmpty).toBe(0n)
    expect(singleton(0)).toBe(1n)
    expect(singleton(70)).toBe(2n ** 70n)
    expect(ofList([3, 1, 3])).toBe(0b1010n)
    fc.assert(
      fc.property(idsArb, (ids) => {
        expect(membersOf(ofList(ids))).toEqual(new Set(ids))
        for (let i = 0; i <= 150; i++) expect(mem(i, ofList(ids))).toBe(ids.includes(i))
      }),
    )
  })

  it("fold of singletons is the set of all ids (set-union reference)", () => {
    fc.assert(
      fc.property(fc.array(idsArb, { maxLength: 6 }), (lists) => {
        const u = fold(SetUnion, lists.map(ofList))
        expect(membersOf(u)).toEqual(new Set(lists.flat()))
      }),
    )
  })

  it("rejects ids that are not natural numbers with OutOfDomain", () => {
    expect(() => singleton(-1)).toThrow(OutOfDomain)
    expect(() => mem(1.5, 3n)).toThrow(OutOfDomain)
    expect(() => mem(Number.NaN, 3n)).toThrow(OutOfDomain)
    expect(() => singleton(2 ** 53)).toThrow(OutOfDomain)
  })

  // @lean Hydrogen.Aggregate.SetUnion.merge_assoc
  it("SetUnion.merge_assoc: (a ∪ b) ∪ c = a ∪ (b ∪ c) for all sets", () => expectPassed(checkAssoc(SetUnion, setArb)))
  // @lean Hydrogen.Aggregate.SetUnion.empty_merge
  it("SetUnion.empty_merge: ∅ ∪ a = a for all sets", () => expectPassed(checkEmptyMerge(SetUnion, setArb)))
  // @lean Hydrogen.Aggregate.SetUnion.merge_empty
  it("SetUnion.merge_empty: a ∪ ∅ = a for all sets", () => expectPassed(checkMergeEmpty(SetUnion, setArb)))
  // @lean Hydrogen.Aggregate.SetUnion.merge_comm
  it("SetUnion.merge_comm: a ∪ b = b ∪ a for all sets", () => expectPassed(checkComm(SetUnion, setArb)))

  // @lean Hydrogen.Aggregate.SetUnion.mem_merge
  it("SetUnion.mem_merge: i ∈ a ∪ b exactly when i ∈ a or i ∈ b, for all ids and sets", () => {
    fc.assert(
      fc.property(idsArb, idsArb, fc.nat(170), (xs, ys, i) => {
        const a = ofList(xs)
        const b = ofList(ys)
        expect(mem(i, setUnionMerge(a, b))).toBe(mem(i, a) || mem(i, b))
        // and against the independent member lists
        expect(mem(i, setUnionMerge(a, b))).toBe(xs.includes(i) || ys.includes(i))
      }),
    )
  })
})
