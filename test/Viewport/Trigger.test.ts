import fc from "fast-check"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { OutOfDomain } from "../../src/Aggregate/Domain.ts"
import {
  chainGraph,
  depthLe,
  frame,
  geomSum,
  isAcyclic,
  isChain,
  isCycle,
  makeRegistry,
  maxFanOut,
  propagationTime,
  register,
  run,
  settles,
  step,
  targets,
  totalEvents,
  TriggerChainTooDeep,
  TriggerCycle,
  type RegistrationError,
  type TriggerGraph,
  TriggerRegistry,
  TriggerRuntime,
  walks,
} from "../../src/Viewport/Trigger.ts"

// Oracles are independent of the code under test: chains are enumerated here
// by a plain DFS over edge indices (one chain per sequence of edges, as Lean
// counts them), and depths come from that enumeration.

const runs = { numRuns: 200 } as const

/** Every chain of exactly `n` edges from `v`, as vertex lists (one per edge sequence). */
const chainsFrom = (g: TriggerGraph, v: number, n: number): Array<Array<number>> => {
  const out: Array<Array<number>> = []
  const go = (path: Array<number>): void => {
    if (path.length === n + 1) {
      out.push([...path])
      return
    }
    const u = path[path.length - 1]!
    for (const [s, d] of g) {
      if (s !== u) continue
      path.push(d)
      go(path)
      path.pop()
    }
  }
  go([v])
  return out
}

/** The longest chain (edges) from `v`, or `cap + 1` when one longer than `cap` exists. */
const depthFrom = (g: TriggerGraph, v: number, cap: number): number => {
  let best = 0
  for (let n = 1; n <= cap + 1; n++) if (chainsFrom(g, v, n).length > 0) best = n
  return best
}

const vertex = fc.nat(6)
const edge = fc.tuple(vertex, vertex)
/** Any small graph (cycles and duplicate edges allowed). */
const anyGraph = fc.array(edge, { maxLength: 10 }) as fc.Arbitrary<TriggerGraph>
const budget = fc.nat(4)

/** A graph built by the fast registry under `d`, and the edges it refused. */
const built = (d: number, es: ReadonlyArray<readonly [number, number]>): { reg: TriggerRegistry; g: TriggerGraph } => {
  const reg = Result.getOrThrow(makeRegistry(d))
  for (const [s, t] of es) reg.register(s, t)
  return { reg, g: reg.graph() }
}

/** An accepted graph: budget d and the registry's graph. */
const accepted = fc
  .tuple(budget, fc.array(edge, { maxLength: 14 }))
  .map(([d, es]) => ({ d, ...built(d, es) }))

const allVertices = [0, 1, 2, 3, 4, 5, 6]

describe("Hydrogen.Viewport.Trigger definitions", () => {
  // @lean Hydrogen.Viewport.mem_targets
  it("mem_targets: w ∈ targets g v ↔ (v, w) is a registered edge", () => {
    fc.assert(
      fc.property(anyGraph, vertex, vertex, (g, v, w) => {
        expect(targets(g, v).includes(w)).toBe(g.some(([s, d]) => s === v && d === w))
        expect(targets(g, v).length).toBe(g.filter(([s]) => s === v).length)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Viewport.run_eq_flatMap
  it("run_eq_flatMap: a frame of many events is the concatenation of their single-event frames", () => {
    fc.assert(
      fc.property(anyGraph, fc.array(vertex, { maxLength: 4 }), fc.nat(4), (g, evs, t) => {
        expect(run(g, evs, t)).toEqual(evs.flatMap((v) => frame(g, v, t)))
      }),
      runs,
    )
  })

  // @lean Hydrogen.Viewport.frame_succ
  it("frame_succ: frame t+1 from v is the frames t from v's targets, in order", () => {
    fc.assert(
      fc.property(anyGraph, vertex, fc.nat(4), (g, v, t) => {
        expect(frame(g, v, t + 1)).toEqual(targets(g, v).flatMap((w) => frame(g, w, t)))
        expect(frame(g, v, t + 1)).toEqual(step(g, frame(g, v, t)))
      }),
      runs,
    )
  })

  // @lean Hydrogen.Viewport.frame_ne_nil_iff
  it("frame_ne_nil_iff: frame t from v is non-empty iff a chain of t edges starts at v", () => {
    fc.assert(
      fc.property(anyGraph, vertex, fc.nat(5), (g, v, t) => {
        expect(frame(g, v, t).length > 0).toBe(chainsFrom(g, v, t).length > 0)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Viewport.length_walks
  // @lean Hydrogen.Viewport.mem_walks
  // @lean Hydrogen.Viewport.mem_walks_of_isChain
  it("length_walks, mem_walks, mem_walks_of_isChain: walks are exactly the chains of n edges from v, as many as frame n's events", () => {
    fc.assert(
      fc.property(anyGraph, vertex, fc.nat(4), (g, v, n) => {
        const ws = walks(g, v, n)
        expect(ws.length).toBe(frame(g, v, n).length)
        for (const p of ws) {
          expect(isChain(g, p)).toBe(true)
          expect(p.length).toBe(n + 1)
          expect(p[0]).toBe(v)
        }
        // the same multiset as the independent enumeration
        const key = (p: ReadonlyArray<number>) => p.join(",")
        expect(ws.map(key).sort()).toEqual(chainsFrom(g, v, n).map(key).sort())
      }),
      runs,
    )
  })
})

describe("Hydrogen.Viewport.Trigger cascades settle within the budget", () => {
  // @lean Hydrogen.Viewport.cascade_settles
  it("cascade_settles: in an accepted graph the cascade from one event is empty after frame d", () => {
    fc.assert(
      fc.property(accepted, ({ d, g }) => {
        for (const v of allVertices) for (let t = d + 1; t <= d + 3; t++) expect(frame(g, v, t)).toEqual([])
      }),
      runs,
    )
  })

  // @lean Hydrogen.Viewport.run_settles
  it("run_settles: a cascade started by any events of one frame is empty after frame d", () => {
    fc.assert(
      fc.property(accepted, fc.array(vertex, { maxLength: 6 }), ({ d, g }, evs) => {
        expect(run(g, evs, d + 1)).toEqual([])
      }),
      runs,
    )
  })

  // @lean Hydrogen.Viewport.event_depth_le
  it("event_depth_le: an event at frame t of a cascade in an accepted graph has t ≤ d", () => {
    fc.assert(
      fc.property(accepted, vertex, fc.nat(8), ({ d, g }, v, t) => {
        if (frame(g, v, t).length > 0) expect(t).toBeLessThanOrEqual(d)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Viewport.settles_iff
  it("settles_iff: settles decides DepthLe (every chain at most d edges)", () => {
    fc.assert(
      fc.property(anyGraph, budget, (g, d) => {
        const deepest = Math.max(0, ...allVertices.map((v) => depthFrom(g, v, d)))
        expect(settles(g, d)).toBe(deepest <= d)
        expect(depthLe(g, d)).toBe(deepest <= d)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Viewport.acyclic_of_depthLe
  it("acyclic_of_depthLe: a graph with a depth budget has no cycle", () => {
    fc.assert(
      fc.property(anyGraph, budget, (g, d) => {
        if (!settles(g, d)) return
        expect(isAcyclic(g)).toBe(true)
        // no closed chain of up to 7 edges
        for (const v of allVertices) for (let n = 1; n <= 7; n++) for (const p of chainsFrom(g, v, n)) expect(isCycle(g, p)).toBe(false)
      }),
      runs,
    )
  })
})

describe("Hydrogen.Viewport.Trigger event counts", () => {
  // @lean Hydrogen.Viewport.totalEvents_eq_walks
  it("totalEvents_eq_walks: a cascade's events in frames 0…n−1 are as many as the chains of < n edges", () => {
    fc.assert(
      fc.property(anyGraph, vertex, fc.nat(5), (g, v, n) => {
        let chains = 0
        for (let t = 0; t < n; t++) chains += chainsFrom(g, v, t).length
        expect(totalEvents(g, v, n)).toBe(chains)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Viewport.totalEvents_stable
  it("totalEvents_stable: nothing is delivered after frame d of an accepted graph", () => {
    fc.assert(
      fc.property(accepted, vertex, fc.nat(6), ({ d, g }, v, k) => {
        expect(totalEvents(g, v, d + 1 + k)).toBe(totalEvents(g, v, d + 1))
      }),
      runs,
    )
  })

  // @lean Hydrogen.Viewport.length_step_le
  // @lean Hydrogen.Viewport.length_frame_le
  it("length_step_le, length_frame_le: a frame has at most F times the events of the one before, so ≤ F^t", () => {
    fc.assert(
      fc.property(anyGraph, fc.array(vertex, { maxLength: 5 }), vertex, fc.nat(4), (g, evs, v, t) => {
        const F = maxFanOut(g)
        expect(step(g, evs).length).toBeLessThanOrEqual(F * evs.length)
        expect(frame(g, v, t).length).toBeLessThanOrEqual(F ** t)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Viewport.targets_length_le_maxFanOut
  it("targets_length_le_maxFanOut: no viewport has more triggers than maxFanOut", () => {
    fc.assert(
      fc.property(anyGraph, vertex, (g, v) => {
        expect(targets(g, v).length).toBeLessThanOrEqual(maxFanOut(g))
      }),
      runs,
    )
  })

  // @lean Hydrogen.Viewport.totalEvents_le
  // @lean Hydrogen.Viewport.totalEvents_le_maxFanOut
  it("totalEvents_le, totalEvents_le_maxFanOut: a cascade delivers at most Σ_{t≤d} F^t events, any horizon", () => {
    fc.assert(
      fc.property(accepted, vertex, fc.nat(8), fc.nat(3), ({ d, g }, v, n, extra) => {
        const F = maxFanOut(g)
        expect(totalEvents(g, v, n)).toBeLessThanOrEqual(geomSum(F, d + 1))
        expect(totalEvents(g, v, n)).toBeLessThanOrEqual(geomSum(F + extra, d + 1))
      }),
      runs,
    )
    // the bound is attained by a complete F-ary tree of depth d
    const tree: Array<readonly [number, number]> = [[0, 1], [0, 2], [1, 3], [1, 4], [2, 5], [2, 6]]
    expect(totalEvents(tree, 0, 10)).toBe(geomSum(2, 3))
    expect(geomSum(2, 3)).toBe(7)
  })
})

describe("Hydrogen.Viewport.Trigger the seed's trigger_chain_bounded", () => {
  // @lean Hydrogen.Viewport.trigger_chain_bounded
  it("trigger_chain_bounded: propagation time ≤ the deepest chain from the events, any look-ahead", () => {
    fc.assert(
      fc.property(anyGraph, fc.array(vertex, { minLength: 1, maxLength: 4 }), fc.nat(12), (g, evs, fuel) => {
        const cap = 8
        const maxDepth = Math.max(...evs.map((v) => depthFrom(g, v, cap)))
        if (maxDepth > cap) return // a chain longer than cap (e.g. a cycle): the hypothesis fails for every cap
        expect(propagationTime(g, evs, fuel)).toBeLessThanOrEqual(maxDepth)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Viewport.propagationTime_le
  it("propagationTime_le: in an accepted graph every cascade's propagation time is ≤ d", () => {
    fc.assert(
      fc.property(accepted, fc.array(vertex, { maxLength: 5 }), fc.nat(12), ({ d, g }, evs, fuel) => {
        expect(propagationTime(g, evs, fuel)).toBeLessThanOrEqual(d)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Viewport.trigger_chain_bounded_tight
  it("trigger_chain_bounded_tight: the chain 0 → … → 10 is accepted with d = 10 and propagates exactly 10 frames", () => {
    expect(settles(chainGraph(10), 10)).toBe(true)
    expect(propagationTime(chainGraph(10), [0], 20)).toBe(10)
    expect(settles(chainGraph(10), 9)).toBe(false)
  })
})

describe("Hydrogen.Viewport.Trigger registration", () => {
  /** A graph that satisfies the invariant, and a candidate edge. */
  const scenario = fc.tuple(accepted, edge)

  // @lean Hydrogen.Viewport.register_ok_iff
  // @lean Hydrogen.Viewport.register_ok_eq
  it("register_ok_iff, register_ok_eq: Lean's register accepts exactly when every chain of e :: g has ≤ d edges, and returns e :: g", () => {
    fc.assert(
      fc.property(anyGraph, budget, edge, (g, d, e) => {
        const r = register(g, d, e)
        const g2: TriggerGraph = [e, ...g]
        const deepest = Math.max(0, ...allVertices.map((v) => depthFrom(g2, v, d)))
        expect(Result.isSuccess(r)).toBe(deepest <= d)
        if (Result.isSuccess(r)) expect(r.success).toEqual(g2)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Viewport.register_ok_invariant
  it("register_ok_invariant: an accepted registration keeps depth ≤ d and acyclicity (Lean's and the registry's)", () => {
    fc.assert(
      fc.property(scenario, ([{ d, g, reg }, [s, t]]) => {
        const r = register(g, d, [s, t])
        if (Result.isSuccess(r)) {
          expect(depthLe(r.success, d)).toBe(true)
          expect(isAcyclic(r.success)).toBe(true)
        }
        const rr = reg.register(s, t)
        if (Result.isSuccess(rr)) {
          expect(depthLe(reg.graph(), d)).toBe(true)
          expect(isAcyclic(reg.graph())).toBe(true)
        }
      }),
      runs,
    )
  })

  // @lean Hydrogen.Viewport.register_error_iff
  it("register_error_iff: registration is refused exactly when the edge closes a cycle or makes a chain deeper than d (Lean's and the registry's)", () => {
    fc.assert(
      fc.property(scenario, ([{ d, g, reg }, [s, t]]) => {
        const g2: TriggerGraph = [[s, t], ...g]
        const bad = !isAcyclic(g2) || !depthLe(g2, d)
        expect(Result.isFailure(register(g, d, [s, t]))).toBe(bad)
        expect(Result.isFailure(reg.register(s, t))).toBe(bad)
      }),
      runs,
    )
  })

  // @lean Hydrogen.Viewport.register_cycle_sound
  // @lean Hydrogen.Viewport.register_cycle_of_not_acyclic
  it("register_cycle_sound, register_cycle_of_not_acyclic: an edge that closes a cycle is refused as a cycle naming a real cycle from its source", () => {
    fc.assert(
      fc.property(scenario, ([{ d, g, reg }, [s, t]]) => {
        const g2: TriggerGraph = [[s, t], ...g]
        const lean = register(g, d, [s, t])
        const before = reg.graph()
        const mine = reg.register(s, t)
        if (!isAcyclic(g2)) {
          for (const r of [lean, mine] as Array<Result.Result<unknown, RegistrationError>>) {
            expect(Result.isFailure(r)).toBe(true)
            if (Result.isFailure(r)) {
              expect(r.failure).toBeInstanceOf(TriggerCycle)
              const c = (r.failure as TriggerCycle).cycle
              expect(isCycle(g2, c)).toBe(true)
              expect(c[0]).toBe(s)
              expect(c[1]).toBe(t)
              expect(r.failure.message).toContain(c.join(" → "))
            }
          }
          expect(reg.graph()).toEqual(before) // refused: nothing changed
        } else {
          if (Result.isFailure(lean)) expect(lean.failure).toBeInstanceOf(TriggerChainTooDeep)
          if (Result.isFailure(mine)) expect(mine.failure).toBeInstanceOf(TriggerChainTooDeep)
        }
      }),
      runs,
    )
  })

  // @lean Hydrogen.Viewport.register_tooDeep_sound
  it("register_tooDeep_sound: a too-deep refusal names a real chain of more than d edges (Lean's: exactly d + 1)", () => {
    fc.assert(
      fc.property(scenario, ([{ d, g, reg }, [s, t]]) => {
        const g2: TriggerGraph = [[s, t], ...g]
        const lean = register(g, d, [s, t])
        if (Result.isFailure(lean) && lean.failure instanceof TriggerChainTooDeep) {
          expect(isChain(g2, lean.failure.chain)).toBe(true)
          expect(lean.failure.chain.length).toBe(d + 2)
        }
        const before = reg.graph()
        const mine = reg.register(s, t)
        if (Result.isFailure(mine) && mine.failure instanceof TriggerChainTooDeep) {
          const chain = mine.failure.chain
          expect(isChain(g2, chain)).toBe(true)
          expect(chain.length - 1).toBeGreaterThan(d)
          expect(mine.failure.budget).toBe(d)
          expect(mine.failure.message).toContain(chain.join(" → "))
          expect(reg.graph()).toEqual(before) // refused: nothing changed
        }
      }),
      runs,
    )
  })

  it("the registry's graph equals Lean's register applied edge by edge (larger random sequences)", () => {
    fc.assert(
      fc.property(budget, fc.array(edge, { maxLength: 20 }), (d, es) => {
        const reg = Result.getOrThrow(makeRegistry(d))
        let g: TriggerGraph = []
        for (const [s, t] of es) {
          const lean = register(g, d, [s, t])
          const mine = reg.register(s, t)
          expect(Result.isSuccess(mine)).toBe(Result.isSuccess(lean))
          if (Result.isSuccess(lean)) g = lean.success
          else if (Result.isFailure(mine)) expect(mine.failure._tag).toBe(lean.failure._tag)
          expect(reg.graph()).toEqual(g)
        }
      }),
      { numRuns: 100 },
    )
  })

  it("bad input is a typed error and changes nothing", () => {
    const reg = Result.getOrThrow(makeRegistry(3))
    expect(Result.isSuccess(reg.register(1, 2))).toBe(true)
    for (const [s, t] of [[-1, 2], [1.5, 2], [1, Number.NaN], [1, 2 ** 53]] as const) {
      const r = reg.register(s, t)
      expect(Result.isFailure(r) && r.failure instanceof OutOfDomain).toBe(true)
    }
    expect(reg.graph()).toEqual([[1, 2]])
    const bad = makeRegistry(-1)
    expect(Result.isFailure(bad) && bad.failure instanceof OutOfDomain).toBe(true)
    // a self-trigger is the shortest cycle
    const self = reg.register(4, 4)
    expect(Result.isFailure(self) && self.failure instanceof TriggerCycle && self.failure.cycle).toEqual([4, 4])
    // the seed's example budget: a chain of 10 is fine, the 11th trigger is refused naming the chain
    const ten = Result.getOrThrow(makeRegistry(10))
    for (let i = 0; i < 10; i++) expect(Result.isSuccess(ten.register(i, i + 1))).toBe(true)
    const r = ten.register(10, 11)
    expect(Result.isFailure(r) && r.failure instanceof TriggerChainTooDeep && r.failure.chain).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    const back = ten.register(10, 0)
    expect(Result.isFailure(back) && back.failure instanceof TriggerCycle && back.failure.cycle).toEqual([10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(ten.size).toBe(10)
  })
})

describe("Hydrogen.Viewport.Trigger runtime", () => {
  // @lean Hydrogen.Viewport.event_depth_le
  it("event_depth_le (runtime): a cascade never exceeds the proved depth, even with registrations between frames", () => {
    const big = fc.nat(29)
    fc.assert(
      fc.property(
        fc.nat(8),
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant("register" as const), s: big, t: big }),
            fc.record({ kind: fc.constant("emit" as const), v: big }),
            fc.record({ kind: fc.constant("step" as const) }),
          ),
          { maxLength: 120 },
        ),
        (d, ops) => {
          const reg = Result.getOrThrow(makeRegistry(d))
          const rt = new TriggerRuntime(reg)
          let lastEmit = 0
          const check = (rep: ReturnType<TriggerRuntime["step"]>) => {
            expect(rep.dropped).toEqual([])
            for (const ev of rep.delivered) {
              expect(ev.depth).toBeLessThanOrEqual(d)
              expect(rep.frame - ev.depth).toBeGreaterThanOrEqual(0)
            }
          }
          for (const op of ops) {
            if (op.kind === "register") reg.register(op.s, op.t)
            else if (op.kind === "emit") {
              Result.getOrThrow(rt.emit(op.v))
              lastEmit = rt.frame
            } else check(rt.step())
          }
          const start = rt.frame
          const reports = rt.settle()
          reports.forEach(check)
          // quiet within d + 1 frames of the last emit
          expect(start + reports.length).toBeLessThanOrEqual(Math.max(start, lastEmit + d + 1))
          expect(rt.pending).toBe(0)
        },
      ),
      runs,
    )
  })

  it("the runtime delivers Lean's frames: frame t of the runtime is run g events t", () => {
    fc.assert(
      fc.property(accepted, fc.array(vertex, { maxLength: 5 }), ({ d, reg, g }, evs) => {
        const rt = new TriggerRuntime(reg)
        for (const v of evs) Result.getOrThrow(rt.emit(v))
        const reports = rt.settle()
        expect(reports.length).toBeLessThanOrEqual(d + 1)
        reports.forEach((rep, t) => {
          expect(rep.delivered.map((e) => e.viewport)).toEqual(run(g, evs, t))
          for (const e of rep.delivered) expect(e.depth).toBe(t)
        })
        expect(run(g, evs, reports.length)).toEqual([])
      }),
      runs,
    )
  })

  it("the depth counter enforces the budget even over a registry whose invariant was broken", () => {
    // A source with a cycle 0 → 1 → 2 → 0 (no registry would accept it): the runtime still stops.
    const cyclic: TriggerGraph = [[0, 1], [1, 2], [2, 0]]
    const rt = new TriggerRuntime({ budget: 3, targets: (v) => targets(cyclic, v) })
    Result.getOrThrow(rt.emit(0))
    const reports = rt.settle()
    expect(reports.length).toBe(4)
    expect(reports.flatMap((r) => r.delivered.map((e) => e.depth))).toEqual([0, 1, 2, 3])
    expect(reports[3]!.dropped.length).toBe(1)
    expect(reports[3]!.dropped[0]!.depth).toBe(4)
    expect(Result.isFailure(rt.emit(-1))).toBe(true)
  })
})
