import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Bitset, entry, NatMax, setAt } from "../../src/State/Lattice.ts"
import { MAX_REPLICAS, ORMap, ORSet, tagOf, tagReplica, tagSeq, TagPairLattice } from "../../src/State/ORSet.ts"
import { assoc, bitsetArb, comm, idem, natListArb, orsetArb, ormapArb, params, regArb } from "./arbitraries.ts"

const elemArb = fc.nat(6)
const tagArb = fc.nat(14)
const bits = Bitset.toBits

describe("tags", () => {
  it("tagOf is injective with inverses tagReplica/tagSeq, and rejects out-of-range ids", () => {
    fc.assert(
      fc.property(fc.nat(MAX_REPLICAS - 1), fc.nat(2 ** 33 - 1), (r, s) => {
        const t = tagOf(r, s)
        expect(Number.isSafeInteger(t)).toBe(true)
        expect(tagReplica(t)).toBe(r)
        expect(tagSeq(t)).toBe(s)
        expect(t).toBe(s * 2 ** 20 + r)
      }),
      params,
    )
    expect(() => tagOf(MAX_REPLICAS, 0)).toThrow(RangeError)
    expect(() => tagOf(0, 2 ** 33)).toThrow(RangeError)
    expect(() => tagOf(-1, 0)).toThrow(RangeError)
  })
})

describe("ORSet", () => {
  it("live is Lean's added ^^^ (added &&& removed) on masks; contains is live ≠ 0", () =>
    fc.assert(
      fc.property(orsetArb, elemArb, (s, e) => {
        const [a, r] = s.tags[e] ?? [[], []]
        const ref = bits(a) ^ (bits(a) & bits(r))
        expect(bits(ORSet.live(s, e))).toBe(ref)
        expect(ORSet.contains(s, e)).toBe(ref !== 0n)
      }),
      params,
    ))

  it("add, addDelta, remove, removeDelta, Fresh follow their definitions", () => {
    const s = ORSet.add(2, 5, ORSet.empty)
    expect(s).toEqual({ tags: [[[], []], [[], []], [[5], []]] })
    expect(ORSet.addDelta(1, 3)).toEqual({ tags: [[[], []], [[3], []]] })
    expect(ORSet.remove(2, s)).toEqual({ tags: [[[], []], [[], []], [[5], [5]]] })
    expect(ORSet.removeDelta(2, s)).toEqual({ tags: [[[], []], [[], []], [[], [5]]] })
    expect(ORSet.Fresh(s, 2, 5)).toBe(false)
    expect(ORSet.Fresh(s, 2, 6)).toBe(true)
    expect(ORSet.Fresh(s, 1, 5)).toBe(true)
  })

  it("agrees with a reference add-wins model of replicas exchanging states (sets of observed and removed tags)", () => {
    const opArb = fc.oneof(
      fc.record({ kind: fc.constant("add" as const), r: fc.nat(2), e: fc.nat(3) }),
      fc.record({ kind: fc.constant("remove" as const), r: fc.nat(2), e: fc.nat(3) }),
      fc.record({ kind: fc.constant("sync" as const), from: fc.nat(2), to: fc.nat(2) }),
    )
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const states: ORSet[] = [ORSet.empty, ORSet.empty, ORSet.empty]
        // reference replica: per element, the add-tags seen and the tags removed
        type Ref = { seen: Map<number, Set<number>>; removed: Map<number, Set<number>> }
        const refs: Ref[] = [0, 1, 2].map(() => ({ seen: new Map(), removed: new Map() }))
        const get = (m: Map<number, Set<number>>, e: number) => {
          let s = m.get(e)
          if (s === undefined) m.set(e, (s = new Set()))
          return s
        }
        const seqs = [0, 0, 0]
        for (const op of ops) {
          if (op.kind === "add") {
            const t = tagOf(op.r, ++seqs[op.r]!)
            states[op.r] = ORSet.add(op.e, t, states[op.r]!)
            get(refs[op.r]!.seen, op.e).add(t)
          } else if (op.kind === "remove") {
            states[op.r] = ORSet.join(states[op.r]!, ORSet.removeDelta(op.e, states[op.r]!))
            for (const t of get(refs[op.r]!.seen, op.e)) get(refs[op.r]!.removed, op.e).add(t)
          } else {
            states[op.to] = ORSet.join(states[op.to]!, states[op.from]!)
            for (const key of ["seen", "removed"] as const)
              for (const [e, ts] of refs[op.from]![key]) for (const t of ts) get(refs[op.to]![key], e).add(t)
          }
        }
        for (let r = 0; r < 3; r++)
          for (let e = 0; e < 4; e++) {
            const live = [...get(refs[r]!.seen, e)].filter((t) => !get(refs[r]!.removed, e).has(t))
            expect(ORSet.contains(states[r]!, e)).toBe(live.length > 0)
          }
      }),
      params,
    )
  })

  // @lean Hydrogen.State.entry_setAt_self
  it("entry_setAt_self: entry (setAt r v xs) r = v", () => {
    fc.assert(
      fc.property(fc.nat(9), fc.nat(50), natListArb, (r, v, xs) => {
        expect(entry(NatMax.joinSemilatticeBot, setAt(NatMax.joinSemilatticeBot, r, v, xs), r)).toBe(v)
      }),
      params,
    )
    fc.assert(
      fc.property(fc.nat(6), fc.tuple(bitsetArb, bitsetArb), orsetArb, (r, v, s) =>
        TagPairLattice.equals(entry(TagPairLattice, setAt(TagPairLattice, r, v, s.tags), r), v),
      ),
      params,
    )
  })

  // @lean Hydrogen.State.ORSet.join_assoc
  it("ORSet.join_assoc: (a ⊔ b) ⊔ c = a ⊔ (b ⊔ c)", () => assoc(ORSet.joinSemilattice, orsetArb))
  // @lean Hydrogen.State.ORSet.join_comm
  it("ORSet.join_comm: a ⊔ b = b ⊔ a", () => comm(ORSet.joinSemilattice, orsetArb))
  // @lean Hydrogen.State.ORSet.join_idem
  it("ORSet.join_idem: a ⊔ a = a", () => idem(ORSet.joinSemilattice, orsetArb))

  // @lean Hydrogen.State.ORSet.join_addDelta
  it("ORSet.join_addDelta: s ⊔ addDelta e t = add e t s", () =>
    fc.assert(
      fc.property(elemArb, tagArb, orsetArb, (e, t, s) =>
        ORSet.equals(ORSet.join(s, ORSet.addDelta(e, t)), ORSet.add(e, t, s)),
      ),
      params,
    ))

  // @lean Hydrogen.State.ORSet.join_removeDelta
  it("ORSet.join_removeDelta: s ⊔ removeDelta e s = remove e s", () =>
    fc.assert(
      fc.property(elemArb, orsetArb, (e, s) => ORSet.equals(ORSet.join(s, ORSet.removeDelta(e, s)), ORSet.remove(e, s))),
      params,
    ))

  // @lean Hydrogen.State.ORSet.removed_remove
  it("ORSet.removed_remove: t is removed after remove e iff it was removed before or was an add-tag of e", () =>
    fc.assert(
      fc.property(elemArb, tagArb, orsetArb, (e, t, s) => {
        const [a, r] = s.tags[e] ?? [[], []]
        const after = ORSet.entry(ORSet.remove(e, s), e)[1]
        expect(Bitset.mem(t, after)).toBe(r.includes(t) || a.includes(t))
      }),
      params,
    ))

  // @lean Hydrogen.State.ne_zero_of_testBit
  it("ne_zero_of_testBit: a number with bit t set is not 0 (a set with member t is non-empty)", () =>
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 80n) - 1n }), fc.nat(85), (x, t) => {
        if (((x >> BigInt(t)) & 1n) === 1n) expect(x).not.toBe(0n)
        const s = Bitset.ofBits(x)
        if (Bitset.mem(t, s)) expect(s.length).toBeGreaterThan(0)
      }),
      params,
    ))

  // @lean Hydrogen.State.ORSet.add_wins
  it("ORSet.add_wins: from s, remove e ⊔ add e t (t fresh) contains e — a concurrent add survives a remove", () =>
    fc.assert(
      fc.property(orsetArb, elemArb, tagArb, (s, e, t) => {
        fc.pre(ORSet.Fresh(s, e, t))
        expect(ORSet.contains(ORSet.join(ORSet.remove(e, s), ORSet.add(e, t, s)), e)).toBe(true)
      }),
      params,
    ))

  // @lean Hydrogen.State.ORSet.contains_add
  it("ORSet.contains_add: adding with a tag that was never removed makes the element present", () =>
    fc.assert(
      fc.property(orsetArb, elemArb, tagArb, (s, e, t) => {
        fc.pre(!(s.tags[e]?.[1] ?? []).includes(t))
        expect(ORSet.contains(ORSet.add(e, t, s), e)).toBe(true)
      }),
      params,
    ))

  // @lean Hydrogen.State.ORSet.not_contains_remove
  it("ORSet.not_contains_remove: after remove e, with no concurrent add, e is absent", () =>
    fc.assert(
      fc.property(orsetArb, elemArb, (s, e) => {
        expect(ORSet.contains(ORSet.remove(e, s), e)).toBe(false)
      }),
      params,
    ))
})

describe("ORMap", () => {
  it("contains, get, put, remove follow their definitions (add-wins per key, value kept by LWW)", () => {
    const w1 = { timestamp: 1, replica: 0, value: 10 }
    const w2 = { timestamp: 2, replica: 1, value: 20 }
    const m = ORMap.put(1, 7, w1, ORMap.empty)
    expect(ORMap.contains(m, 1)).toBe(true)
    expect(ORMap.get(m, 1)).toEqual(w1)
    const removed = ORMap.remove(1, m)
    expect(ORMap.contains(removed, 1)).toBe(false)
    expect(ORMap.get(removed, 1)).toBe(undefined)
    // a concurrent put with a fresh tag survives the remove, and the later write wins
    const merged = ORMap.join(removed, ORMap.put(1, 8, w2, m))
    expect(ORMap.get(merged, 1)).toEqual(w2)
    expect(ORMap.putDelta(0, 3, w1)).toEqual({ entries: [[[[3], []], w1]] })
    expect(ORMap.removeDelta(1, m)).toEqual({ entries: [[[[], []], undefined], [[[], [7]], undefined]] })
  })

  // @lean Hydrogen.State.ORMap.join_assoc
  it("ORMap.join_assoc: (a ⊔ b) ⊔ c = a ⊔ (b ⊔ c)", () => assoc(ORMap.joinSemilattice, ormapArb))
  // @lean Hydrogen.State.ORMap.join_comm
  it("ORMap.join_comm: a ⊔ b = b ⊔ a", () => comm(ORMap.joinSemilattice, ormapArb))
  // @lean Hydrogen.State.ORMap.join_idem
  it("ORMap.join_idem: a ⊔ a = a", () => idem(ORMap.joinSemilattice, ormapArb))

  // @lean Hydrogen.State.ORMap.join_putDelta
  it("ORMap.join_putDelta: m ⊔ putDelta k t w = put k t w m", () =>
    fc.assert(
      fc.property(elemArb, tagArb, regArb, ormapArb, (k, t, w, m) =>
        ORMap.equals(ORMap.join(m, ORMap.putDelta(k, t, w)), ORMap.put(k, t, w, m)),
      ),
      params,
    ))

  // @lean Hydrogen.State.ORMap.join_removeDelta
  it("ORMap.join_removeDelta: m ⊔ removeDelta k m = remove k m", () =>
    fc.assert(
      fc.property(elemArb, ormapArb, (k, m) => {
        const got = ORMap.join(m, ORMap.removeDelta(k, m))
        expect(ORMap.equals(got, ORMap.remove(k, m))).toBe(true)
        expect(ORMap.contains(got, k)).toBe(false)
      }),
      params,
    ))
})

// Pinning: the map's semilattice laws hold for remove-wins too; these say the
// map's own `contains` and `get` are add-wins and that a remove clears the key.
describe("ORMap pinned: add wins, remove clears", () => {
  // @lean Hydrogen.State.ORMap.put_wins
  it("ORMap.put_wins: from m, remove k ⊔ put k t w (t fresh for k) contains k — a concurrent put survives a remove", () =>
    fc.assert(
      fc.property(ormapArb, elemArb, tagArb, regArb, (m, k, t, w) => {
        const [[adds, removes]] = ORMap.entry(m, k)
        fc.pre(!adds.includes(t) && !removes.includes(t))
        const merged = ORMap.join(ORMap.remove(k, m), ORMap.put(k, t, w, m))
        expect(ORMap.contains(merged, k)).toBe(true)
        expect(ORMap.get(merged, k)).not.toBe(undefined)
      }),
      params,
    ))

  // @lean Hydrogen.State.ORMap.get_remove
  it("ORMap.get_remove: after remove k, with no concurrent put, k is absent and reads none", () =>
    fc.assert(
      fc.property(ormapArb, elemArb, (m, k) => {
        const r = ORMap.remove(k, m)
        expect(ORMap.contains(r, k)).toBe(false)
        expect(ORMap.get(r, k)).toBe(undefined)
      }),
      params,
    ))
})
