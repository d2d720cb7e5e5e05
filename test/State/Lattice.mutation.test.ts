// Equality is Lean's `DecidableEq` on each state type, and the lattice laws
// are checked through it: an `equals` that answers "equal" too often would let
// every law test pass. These pin each equality on pairs that differ in one
// place, Bitset validity, and the set operations on hand-computed sets.
import { describe, expect, it } from "vitest"
import { GCounter, PNCounter, VectorClock } from "../../src/State/Counter.ts"
import {
  Bitset,
  listEquals,
  listJoinSemilattice,
  NatMax,
  optionJoinSemilattice,
  optionJoinSemilatticeBot,
  prodJoinSemilattice,
} from "../../src/State/Lattice.ts"
import { LWWReg } from "../../src/State/Register.ts"

const N = NatMax.joinSemilatticeBot

describe("equality of states differs where the values differ", () => {
  it("Bitset: same ids in the same places", () => {
    expect(Bitset.equals([1, 3], [1, 3])).toBe(true)
    expect(Bitset.equals([1, 3], [1, 4])).toBe(false)
    expect(Bitset.equals([1, 3], [1])).toBe(false)
    expect(Bitset.equals([], [0])).toBe(false)
    expect(Bitset.joinSemilattice.equals([2], [2])).toBe(true)
  })

  it("lists: length is part of the value ([0] ≠ []), then entry by entry", () => {
    expect(listEquals(N, [0], [])).toBe(false)
    expect(listEquals(N, [1, 2], [1, 3])).toBe(false)
    expect(listEquals(N, [1, 2], [1, 2])).toBe(true)
    expect(listJoinSemilattice(N).equals([5], [6])).toBe(false)
    expect(GCounter.equals({ counts: [1, 0] }, { counts: [1] })).toBe(false)
    expect(VectorClock.equals({ ticks: [2] }, { ticks: [3] })).toBe(false)
    expect(PNCounter.equals({ incs: { counts: [1] }, decs: { counts: [] } }, { incs: { counts: [1] }, decs: { counts: [1] } })).toBe(false)
  })

  it("pairs and options", () => {
    const P = prodJoinSemilattice(N, N)
    expect(P.equals([1, 2], [1, 2])).toBe(true)
    expect(P.equals([1, 2], [0, 2])).toBe(false)
    expect(P.equals([1, 2], [1, 0])).toBe(false)
    for (const O of [optionJoinSemilattice(N), optionJoinSemilatticeBot(N)]) {
      expect(O.equals(undefined, undefined)).toBe(true)
      expect(O.equals(undefined, 0)).toBe(false)
      expect(O.equals(0, undefined)).toBe(false)
      expect(O.equals(1, 2)).toBe(false)
      expect(O.equals(2, 2)).toBe(true)
    }
  })

  it("LWWReg: all three fields", () => {
    const w = { timestamp: 1, replica: 2, value: 3 }
    expect(LWWReg.equals(w, { ...w })).toBe(true)
    expect(LWWReg.equals(w, { ...w, timestamp: 0 })).toBe(false)
    expect(LWWReg.equals(w, { ...w, replica: 0 })).toBe(false)
    expect(LWWReg.equals(w, { ...w, value: 0 })).toBe(false)
  })
})

describe("Bitset operations on hand-computed sets", () => {
  it("isValid: strictly increasing non-negative safe integers", () => {
    expect(Bitset.isValid([])).toBe(true)
    expect(Bitset.isValid([0, 2, 9])).toBe(true)
    expect(Bitset.isValid([2, 2])).toBe(false)
    expect(Bitset.isValid([3, 1])).toBe(false)
    expect(Bitset.isValid([-1])).toBe(false)
    expect(Bitset.isValid([0.5])).toBe(false)
  })
  it("diff, inter, mem, toBits / ofBits", () => {
    expect(Bitset.diff([1, 2, 5, 8], [2, 8, 9])).toEqual([1, 5])
    expect(Bitset.diff([1, 2], [])).toEqual([1, 2])
    expect(Bitset.diff([], [1])).toEqual([])
    expect(Bitset.diff([4], [1, 2])).toEqual([4])
    expect(Bitset.inter([1, 2, 5, 8], [0, 2, 8, 9])).toEqual([2, 8])
    expect(Bitset.inter([1], [])).toEqual([])
    const s = [0, 3, 4, 10, 11]
    for (let i = 0; i <= 12; i++) expect(Bitset.mem(i, s)).toBe(s.includes(i))
    expect(Bitset.toBits([0, 3])).toBe(9n)
    expect(Bitset.ofBits(0b100110n)).toEqual([1, 2, 5])
    expect(Bitset.ofList([5, 1, 5, 3])).toEqual([1, 3, 5])
  })
})
