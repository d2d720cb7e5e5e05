import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { VectorClock } from "../../src/State/Counter.ts"
import { gcORMap, gcORSet, gcViewport, isStable, stableClock, tagCount } from "../../src/State/Gc.ts"
import { ORMap, ORSet, tagOf } from "../../src/State/ORSet.ts"
import { ViewportState } from "../../src/State/Viewport.ts"

const R = 3
const E = 3

type Op =
  | { readonly kind: "put" | "delElem" | "addAnim" | "delAnim"; readonly r: number; readonly e: number; readonly v: number }
  | { readonly kind: "send"; readonly from: number; readonly to: number }
  | { readonly kind: "deliver"; readonly from: number; readonly to: number }
  | { readonly kind: "snapshot" | "gc"; readonly r: number }
  | { readonly kind: "round" }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constantFrom("put" as const, "delElem" as const, "addAnim" as const, "delAnim" as const),
      r: fc.nat(R - 1),
      e: fc.nat(E - 1),
      v: fc.nat(9),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("send" as const), from: fc.nat(R - 1), to: fc.nat(R - 1) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("deliver" as const), from: fc.nat(R - 1), to: fc.nat(R - 1) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom("snapshot" as const, "gc" as const), r: fc.nat(R - 1) }) },
  // a full gossip round (drain, everyone sends its state to everyone, drain): makes earlier snapshots stable
  { weight: 1, arbitrary: fc.constant({ kind: "round" as const }) },
)

/** A message: data to merge (state or delta, with the matching clock part) and the sender's acknowledged clock. */
interface Msg {
  readonly data: ViewportState
  readonly ack: VectorClock
}

/** One world of R replicas with FIFO channels; `gc` says whether replicas collect metadata. */
class World {
  readonly states: ViewportState[] = Array.from({ length: R }, () => ViewportState.empty)
  readonly acks: VectorClock[][] = Array.from({ length: R }, () => Array.from({ length: R }, () => VectorClock.empty))
  readonly snapshots: (ViewportState | undefined)[] = Array.from({ length: R }, () => undefined)
  readonly channels = new Map<string, Msg[]>()
  collected = 0
  readonly gc: boolean
  constructor(gc: boolean) {
    this.gc = gc
  }
  chan(from: number, to: number): Msg[] {
    const k = `${from}>${to}`
    let c = this.channels.get(k)
    if (c === undefined) this.channels.set(k, (c = []))
    return c
  }
  /** A local mutation: tick the clock, apply the delta, broadcast the delta with the tick. */
  mutate(r: number, delta: (s: ViewportState, seq: number) => Omit<ViewportState, "clock">): void {
    const s = this.states[r]!
    const tick = VectorClock.tickDelta(r, s.clock)
    const d: ViewportState = { ...delta(s, VectorClock.get(tick, r)), clock: tick }
    this.states[r] = ViewportState.join(s, d)
    for (let q = 0; q < R; q++) if (q !== r) this.chan(r, q).push({ data: d, ack: this.states[r]!.clock })
  }
  apply(op: Op): void {
    const E0 = ViewportState.empty
    switch (op.kind) {
      case "put":
        return this.mutate(op.r, (_, seq) => ({
          ...E0,
          elements: ORMap.putDelta(op.e, tagOf(op.r, seq), { timestamp: seq, replica: op.r, value: op.v }),
        }))
      case "delElem":
        return this.mutate(op.r, (s) => ({ ...E0, elements: ORMap.removeDelta(op.e, s.elements) }))
      case "addAnim":
        return this.mutate(op.r, (_, seq) => ({ ...E0, animations: ORSet.addDelta(op.e, tagOf(op.r, seq)) }))
      case "delAnim":
        return this.mutate(op.r, (s) => ({ ...E0, animations: ORSet.removeDelta(op.e, s.animations) }))
      case "send":
        if (op.from !== op.to) this.chan(op.from, op.to).push({ data: this.states[op.from]!, ack: this.states[op.from]!.clock })
        return
      case "deliver": {
        const m = this.chan(op.from, op.to).shift()
        if (m === undefined) return
        this.states[op.to] = ViewportState.join(this.states[op.to]!, m.data)
        this.acks[op.to]![op.from] = VectorClock.join(this.acks[op.to]![op.from]!, m.ack)
        return
      }
      case "round":
        return this.settle()
      case "snapshot":
        if (this.gc) this.snapshots[op.r] = this.states[op.r]
        return
      case "gc": {
        const snap = this.snapshots[op.r]
        if (!this.gc || snap === undefined) return
        const acks = this.acks[op.r]!.map((a, q) => (q === op.r ? this.states[op.r]!.clock : a))
        const stable = stableClock(acks)
        if (!isStable(snap.clock, stable)) return
        const before = tagCount(this.states[op.r]!.elements) + tagCount(this.states[op.r]!.animations)
        this.states[op.r] = gcViewport(this.states[op.r]!, snap, stable)
        this.collected += before - tagCount(this.states[op.r]!.elements) - tagCount(this.states[op.r]!.animations)
        this.snapshots[op.r] = undefined
      }
    }
  }
  /** Deliver everything in flight, then everyone sends its full state to everyone and it is delivered. */
  settle(): void {
    const drain = () => {
      for (let f = 0; f < R; f++) for (let t = 0; t < R; t++) while (this.chan(f, t).length > 0) this.apply({ kind: "deliver", from: f, to: t })
    }
    drain()
    for (let f = 0; f < R; f++) for (let t = 0; t < R; t++) this.apply({ kind: "send", from: f, to: t })
    drain()
  }
}

const answers = (s: ViewportState) =>
  Array.from({ length: E }, (_, e) => [ORMap.contains(s.elements, e), ORMap.get(s.elements, e), ORSet.contains(s.animations, e)])

describe("metadata garbage collection", () => {
  it("stableClock is the entrywise minimum; isStable is ≤", () => {
    expect(stableClock([{ ticks: [3, 1, 4] }, { ticks: [2, 5, 4] }, { ticks: [9, 9, 9] }])).toEqual({ ticks: [2, 1, 4] })
    expect(isStable({ ticks: [2, 1] }, { ticks: [2, 1, 4] })).toBe(true)
    expect(isStable({ ticks: [2, 2] }, { ticks: [2, 1, 4] })).toBe(false)
  })

  it("drops exactly the tags dead (added and removed) in the snapshot, from both sets", () => {
    const s = { tags: [[[1, 2, 3], [2, 3, 9]], [[4], []]] as const }
    const snap = { tags: [[[1, 2], [2]]] as const }
    expect(gcORSet(s, snap)).toEqual({ tags: [[[1, 3], [3, 9]], [[4], []]] })
    const w = { timestamp: 1, replica: 0, value: 5 }
    const m = { entries: [[[[7, 8], [7]], w]] as const }
    expect(gcORMap(m, m)).toEqual({ entries: [[[[8], []], w]] })
    const vs = { ...ViewportState.empty, animations: s, clock: { ticks: [1] } }
    const snapVs = { ...ViewportState.empty, animations: snap, clock: { ticks: [1] } }
    expect(gcViewport(vs, snapVs, { ticks: [0] })).toBe(vs) // not stable: unchanged
    expect(gcViewport(vs, snapVs, { ticks: [1] }).animations).toEqual(gcORSet(s, snap))
  })

  it("contains()/get() answers are unchanged by GC on random histories of 3 replicas with FIFO channels and acknowledgements", () => {
    let collected = 0
    let inFlight = 0
    // A history: segments of random operations (mutations, sends, deliveries, snapshots, GCs, gossip rounds);
    // after each segment, optionally: everyone snapshots, a gossip round, more random operations whose
    // messages stay in flight, then everyone tries to collect.
    const segmentArb = fc.tuple(
      fc.array(opArb, { maxLength: 40, size: "max" }),
      fc.boolean(),
      fc.array(opArb, { maxLength: 15, size: "max" }),
    )
    fc.assert(
      fc.property(fc.array(segmentArb, { minLength: 1, maxLength: 5 }), (segments) => {
        const plain = new World(false)
        const gc = new World(true)
        const step = (op: Op) => {
          plain.apply(op)
          gc.apply(op)
          for (let r = 0; r < R; r++) expect(answers(gc.states[r]!)).toEqual(answers(plain.states[r]!))
        }
        for (const [ops, collect, later] of segments) {
          ops.forEach(step)
          if (!collect) continue
          for (let r = 0; r < R; r++) step({ kind: "snapshot", r })
          step({ kind: "round" })
          later.forEach(step)
          const before = gc.collected
          for (let r = 0; r < R; r++) step({ kind: "gc", r })
          if (gc.collected > before && [...gc.channels.values()].some((c) => c.length > 0)) inFlight++
        }
        plain.settle()
        gc.settle()
        for (let r = 0; r < R; r++) {
          expect(answers(gc.states[r]!)).toEqual(answers(plain.states[r]!))
          // both worlds converge
          expect(ViewportState.equals(plain.states[r]!, plain.states[0]!)).toBe(true)
          expect(answers(gc.states[r]!)).toEqual(answers(gc.states[0]!))
        }
        collected += gc.collected
      }),
      { numRuns: 300 },
    )
    // the GC did reclaim metadata, also while messages were still in flight
    expect(collected).toBeGreaterThan(50)
    expect(inFlight).toBeGreaterThan(5)
  })

  it("declines to collect while a replica may still send a dead tag as live (add and remove in flight, state sent between)", () => {
    const plain = new World(false)
    const gc = new World(true)
    const ops: Op[] = [
      { kind: "addAnim", r: 0, e: 0, v: 0 },
      { kind: "delAnim", r: 0, e: 0, v: 0 },
      { kind: "deliver", from: 0, to: 1 }, // replica 1 has the add, not yet the remove
      { kind: "send", from: 1, to: 0 }, // and sends its state (tag live) to replica 0
      { kind: "snapshot", r: 0 },
      { kind: "gc", r: 0 },
      { kind: "deliver", from: 1, to: 0 },
    ]
    for (const op of ops) {
      plain.apply(op)
      gc.apply(op)
    }
    expect(gc.collected).toBe(0)
    expect(ORSet.contains(gc.states[0]!.animations, 0)).toBe(false)
  })

  it("is unsafe without stability: dropping a dead tag that another replica still holds as live resurrects the element", () => {
    const t = tagOf(0, 1)
    const a = ORSet.add(0, t, ORSet.empty) // replica B still has only the add
    const removed = ORSet.remove(0, a) // replica A removed it
    const collectedEarly = gcORSet(removed, removed) // A collects before B acknowledged
    expect(ORSet.contains(ORSet.join(removed, a), 0)).toBe(false)
    expect(ORSet.contains(ORSet.join(collectedEarly, a), 0)).toBe(true)
  })
})
