/** Over 400 lines: mirrors lean/Hydrogen/Viewport/Trigger.lean (graph, registry, cascade runtime) declaration by declaration.
 * Triggers between viewports: the TypeScript side of
 * `lean/Hydrogen/Viewport/Trigger.lean` (seed 001, Critique 2).
 *
 * A trigger is a message from one viewport to another; its effect applies at
 * the **next** frame, never the current one. The registered triggers form a
 * directed graph over viewport ids (a list of edges `[src, dst]`, newest first
 * as in Lean, where registration conses the edge on). Frame 0 of a cascade
 * holds some events; frame `t + 1` holds the targets of frame `t`'s events.
 *
 * Two layers:
 *
 * - **Mirrors** of the Lean definitions (`targets`, `step`, `run`, `frame`,
 *   `isChain`, `settles`, `walks`, `totalEvents`, `geomSum`, `maxFanOut`,
 *   `activeFrames`, `propagationTime`, `chainGraph`, `findCycle`, `deepPath`,
 *   `register`, …): the same functions on arrays, as slow as the definitions
 *   (they enumerate walks). The tests restate the Lean theorems with them.
 * - **Runtime**: `TriggerRegistry` (`makeRegistry`) keeps the invariant the
 *   Lean module proves things about — every chain has at most `budget` edges,
 *   hence no cycle (`acyclic_of_depthLe`) — with linear-time checks per
 *   registration; a rejected registration is a typed error naming the cycle it
 *   would close (`TriggerCycle`) or the over-deep chain it would create
 *   (`TriggerChainTooDeep`) and changes nothing. Its accept/reject decision and
 *   the kind of rejection equal Lean's `register` (`register_ok_iff`,
 *   `register_cycle_of_not_acyclic`); the witness it names may be a different
 *   (longer) real cycle or chain than Lean's first one. `TriggerRuntime`
 *   delivers events frame by frame: `step` delivers the events queued for this
 *   frame and queues their triggers for the next. Each event carries its depth
 *   (frames since the event that started its cascade); by `event_depth_le` it
 *   never exceeds the budget in an accepted registry, and the runtime enforces
 *   that anyway: an event that would pass it is dropped and reported as
 *   `TriggerDepthExceeded`, so every cascade ends within `budget + 1` frames
 *   whatever happens.
 *
 * Viewport ids and the budget are Lean `Nat`s: non-negative safe integers
 * (`OutOfDomain` otherwise, see `Aggregate/Domain.ts`).
 *
 * @module
 */
import { Data } from "effect"
import * as Result from "effect/Result"
import { isNat, OutOfDomain } from "../Aggregate/Domain.ts"

// ---------------------------------------------------------------------------
// Lean mirrors
// ---------------------------------------------------------------------------

/**
 * A trigger: an edge from the viewport that fires to the viewport it reaches.
 *
 * @lean Hydrogen.Viewport.TriggerGraph
 */
export type Trigger = readonly [src: number, dst: number]

/**
 * The registered triggers, newest first (Lean's `List (Nat × Nat)`; a trigger
 * registered twice fires twice).
 *
 * @lean Hydrogen.Viewport.TriggerGraph
 */
export type TriggerGraph = ReadonlyArray<Trigger>

/**
 * The viewports one event at `v` triggers, one per registered edge, in the
 * graph's order.
 *
 * @lean Hydrogen.Viewport.targets
 */
export const targets = (g: TriggerGraph, v: number): Array<number> => {
  const out: Array<number> = []
  for (const [s, d] of g) if (s === v) out.push(d)
  return out
}

/**
 * One frame of delivery: the next frame's events are the targets of these.
 *
 * @lean Hydrogen.Viewport.step
 */
export const step = (g: TriggerGraph, events: ReadonlyArray<number>): Array<number> =>
  events.flatMap((v) => targets(g, v))

/**
 * Frame `t` of the cascade whose frame 0 holds `events`.
 *
 * @lean Hydrogen.Viewport.run
 */
export const run = (g: TriggerGraph, events: ReadonlyArray<number>, t: number): Array<number> => {
  let cur = [...events]
  for (let i = 0; i < t && cur.length > 0; i++) cur = step(g, cur)
  return cur
}

/**
 * Frame `t` of the cascade started by one event at `v`.
 *
 * @lean Hydrogen.Viewport.frame
 */
export const frame = (g: TriggerGraph, v: number, t: number): Array<number> => run(g, [v], t)

const hasEdge = (g: TriggerGraph, u: number, v: number): boolean => g.some(([s, d]) => s === u && d === v)

/**
 * `p` is a chain: every two consecutive viewports are joined by a registered edge.
 *
 * @lean Hydrogen.Viewport.isChain
 */
export const isChain = (g: TriggerGraph, p: ReadonlyArray<number>): boolean => {
  for (let i = 0; i + 1 < p.length; i++) if (!hasEdge(g, p[i]!, p[i + 1]!)) return false
  return true
}

/**
 * `c` is a cycle: a chain of at least one edge that ends where it starts.
 *
 * @lean Hydrogen.Viewport.IsCycle
 */
export const isCycle = (g: TriggerGraph, c: ReadonlyArray<number>): boolean =>
  c.length >= 2 && c[0] === c[c.length - 1] && isChain(g, c)

const adjacency = (g: TriggerGraph): Map<number, Array<number>> => {
  const adj = new Map<number, Array<number>>()
  for (const [s, d] of g) {
    const a = adj.get(s)
    if (a === undefined) adj.set(s, [d])
    else a.push(d)
  }
  return adj
}

/**
 * The number of edges of a longest chain of `g`, or `Infinity` when `g` has a
 * cycle (chains of every length). Iterative DFS, linear in the graph.
 */
export const longestChain = (g: TriggerGraph): number => {
  const adj = adjacency(g)
  const height = new Map<number, number>() // finished: edges of the longest chain from the node
  const onStack = new Set<number>()
  let best = 0
  for (const root of adj.keys()) {
    if (height.has(root)) continue
    const stack: Array<[number, number]> = [[root, 0]]
    onStack.add(root)
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!
      const kids = adj.get(top[0]) ?? []
      if (top[1] < kids.length) {
        const w = kids[top[1]++]!
        if (onStack.has(w)) return Infinity
        if (!height.has(w)) {
          stack.push([w, 0])
          onStack.add(w)
        }
        continue
      }
      let h = 0
      for (const w of kids) h = Math.max(h, (height.get(w) ?? 0) + 1)
      height.set(top[0], h)
      best = Math.max(best, h)
      onStack.delete(top[0])
      stack.pop()
    }
  }
  return best
}

/**
 * No cycle.
 *
 * @lean Hydrogen.Viewport.Acyclic
 */
export const isAcyclic = (g: TriggerGraph): boolean => longestChain(g) !== Infinity

/**
 * The registry's invariant: every chain has at most `d` edges.
 *
 * @lean Hydrogen.Viewport.DepthLe
 */
export const depthLe = (g: TriggerGraph, d: number): boolean => longestChain(g) <= d

/**
 * The viewports with an outgoing trigger.
 *
 * @lean Hydrogen.Viewport.sources
 */
export const sources = (g: TriggerGraph): Array<number> => g.map(([s]) => s)

/**
 * Lean's decision procedure for `DepthLe`: every cascade from a source is
 * empty at frame `d + 1` (`settles_iff`). Exponential in `d` (it runs the cascades).
 *
 * @lean Hydrogen.Viewport.settles
 */
export const settles = (g: TriggerGraph, d: number): boolean =>
  sources(g).every((v) => frame(g, v, d + 1).length === 0)

/**
 * Every chain of exactly `n` edges from `v`, once per sequence of edges, in
 * Lean's order.
 *
 * @lean Hydrogen.Viewport.walks
 */
export const walks = (g: TriggerGraph, v: number, n: number): Array<Array<number>> =>
  n === 0 ? [[v]] : targets(g, v).flatMap((w) => walks(g, w, n - 1).map((p) => [v, ...p]))

const checkedSum = (where: string, xs: ReadonlyArray<bigint>): number => {
  const s = xs.reduce((a, b) => a + b, 0n)
  if (s > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${where}: ${s} exceeds 2^53 − 1`)
  return Number(s)
}

/**
 * The number of events the cascade from `v` delivers in frames `0 … n − 1`.
 *
 * @lean Hydrogen.Viewport.totalEvents
 */
export const totalEvents = (g: TriggerGraph, v: number, n: number): number => {
  let total = 0
  let cur = [v]
  for (let t = 0; t < n && cur.length > 0; t++) {
    total += cur.length
    cur = step(g, cur)
  }
  return total
}

/**
 * `Σ_{t < n} F^t`, the fan-out bound on the events of `n` frames (exact;
 * `RangeError` past 2^53 − 1).
 *
 * @lean Hydrogen.Viewport.geomSum
 */
export const geomSum = (F: number, n: number): number => {
  const terms: Array<bigint> = []
  for (let t = 0; t < n; t++) terms.push(BigInt(F) ** BigInt(t))
  return checkedSum("geomSum", terms)
}

/**
 * The largest number of triggers registered on one viewport.
 *
 * @lean Hydrogen.Viewport.maxFanOut
 */
export const maxFanOut = (g: TriggerGraph): number => {
  let m = 0
  for (const n of adjacency(g).values()) m = Math.max(m, n.length)
  return m
}

/**
 * The number of non-empty frames from `events` on, looking at most `fuel`
 * frames ahead.
 *
 * @lean Hydrogen.Viewport.activeFrames
 */
export const activeFrames = (g: TriggerGraph, fuel: number, events: ReadonlyArray<number>): number => {
  let n = 0
  let cur = [...events]
  for (let f = 0; f < fuel && cur.length > 0; f++) {
    n++
    cur = step(g, cur)
  }
  return n
}

/**
 * The propagation time of a cascade whose frame 0 holds `events`: the index
 * of the last frame that delivers an event (looking `fuel` frames ahead).
 *
 * @lean Hydrogen.Viewport.propagationTime
 */
export const propagationTime = (g: TriggerGraph, events: ReadonlyArray<number>, fuel: number): number =>
  activeFrames(g, fuel, step(g, events))

/**
 * The straight chain `0 → 1 → … → n` (Lean's order: `(0, 1)` first).
 *
 * @lean Hydrogen.Viewport.chainGraph
 */
export const chainGraph = (n: number): TriggerGraph => Array.from({ length: n }, (_, i) => [i, i + 1] as const)

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

const arrow = (p: ReadonlyArray<number>): string => p.join(" → ")

/**
 * Registering `edge` would close `cycle`: a chain `src → dst → … → src` (first
 * and last entries equal) whose every step is a registered trigger or the new
 * one.
 *
 * @lean Hydrogen.Viewport.RegisterError.cycle
 */
export class TriggerCycle extends Data.TaggedError("TriggerCycle")<{
  readonly edge: Trigger
  readonly cycle: ReadonlyArray<number>
}> {
  override get message(): string {
    return `trigger ${this.edge[0]} → ${this.edge[1]} would close the cycle ${arrow(this.cycle)}`
  }
}

/**
 * Registering `edge` would create `chain`, a chain of `chain.length − 1 >
 * budget` edges (through the new trigger).
 *
 * @lean Hydrogen.Viewport.RegisterError.tooDeep
 */
export class TriggerChainTooDeep extends Data.TaggedError("TriggerChainTooDeep")<{
  readonly edge: Trigger
  readonly chain: ReadonlyArray<number>
  readonly budget: number
}> {
  override get message(): string {
    return `trigger ${this.edge[0]} → ${this.edge[1]} would create the chain ${arrow(this.chain)} of ${this.chain.length - 1} triggers, over the depth budget ${this.budget}`
  }
}

/**
 * Why a registration was refused.
 *
 * @lean Hydrogen.Viewport.RegisterError
 */
export type RegisterError = TriggerCycle | TriggerChainTooDeep

/** Every error `TriggerRegistry.register` returns: a refusal or an id outside Lean's `Nat`. */
export type RegistrationError = RegisterError | OutOfDomain

/**
 * An event the runtime did not deliver because it would have been `depth`
 * frames after the event at `origin` that started its cascade, past the
 * budget. Never produced by a registry whose invariant holds (`event_depth_le`);
 * the runtime checks anyway.
 */
export class TriggerDepthExceeded extends Data.TaggedError("TriggerDepthExceeded")<{
  readonly origin: number
  readonly from: number
  readonly viewport: number
  readonly depth: number
  readonly budget: number
}> {
  override get message(): string {
    return `trigger ${this.from} → ${this.viewport} (cascade from ${this.origin}) would run at depth ${this.depth}, past the budget ${this.budget}; dropped`
  }
}

// ---------------------------------------------------------------------------
// Lean's register (the reference, exponential)
// ---------------------------------------------------------------------------

/**
 * A cycle through the new edge `[s, t]`: `s` followed by a chain of at most
 * `d` edges of `g` from `t` back to `s` (the shortest, first in Lean's order).
 *
 * @lean Hydrogen.Viewport.findCycle
 */
export const findCycle = (g: TriggerGraph, d: number, e: Trigger): Array<number> | undefined => {
  for (let k = 0; k <= d; k++) {
    const p = walks(g, e[1], k).find((w) => w[w.length - 1] === e[0])
    if (p !== undefined) return [e[0], ...p]
  }
  return undefined
}

/**
 * A chain of `d + 1` edges in `g`, if there is one (the first in Lean's order).
 *
 * @lean Hydrogen.Viewport.deepPath
 */
export const deepPath = (g: TriggerGraph, d: number): Array<number> | undefined => {
  for (const v of sources(g)) {
    const w = walks(g, v, d + 1)
    if (w.length > 0) return w[0]!
  }
  return undefined
}

/**
 * Lean's `register`: the graph with `e` consed on when every chain of it has at
 * most `d` edges; otherwise the cycle it closes, or a chain of `d + 1` edges.
 * The reference the fast `TriggerRegistry` is tested against.
 *
 * @lean Hydrogen.Viewport.register
 */
export const register = (g: TriggerGraph, d: number, e: Trigger): Result.Result<TriggerGraph, RegisterError> => {
  const g2: TriggerGraph = [e, ...g]
  if (settles(g2, d)) return Result.succeed(g2)
  const c = findCycle(g, d, e)
  if (c !== undefined) return Result.fail(new TriggerCycle({ edge: e, cycle: c }))
  return Result.fail(new TriggerChainTooDeep({ edge: e, chain: deepPath(g2, d) ?? [], budget: d }))
}

// ---------------------------------------------------------------------------
// Runtime: the registry
// ---------------------------------------------------------------------------

/**
 * The registered triggers under a depth budget. Invariant (checked on every
 * registration): every chain has at most `budget` edges, hence no cycle.
 * Create with `makeRegistry`.
 */
export class TriggerRegistry {
  readonly budget: number
  private readonly edges: Array<Trigger> = []
  private readonly out = new Map<number, Array<number>>()
  private readonly into = new Map<number, Array<number>>()

  private constructor(budget: number) {
    this.budget = budget
  }

  /** @internal use `makeRegistry` */
  static unsafeMake(budget: number): TriggerRegistry {
    return new TriggerRegistry(budget)
  }

  /** The number of registered triggers. */
  get size(): number {
    return this.edges.length
  }

  /** The registered triggers as Lean's list: newest first. */
  graph(): TriggerGraph {
    return [...this.edges].reverse()
  }

  /** The viewports an event at `v` triggers, in Lean's order (`targets`, newest first). */
  targets(v: number): ReadonlyArray<number> {
    const a = this.out.get(v)
    return a === undefined ? [] : [...a].reverse()
  }

  /**
   * Registers the trigger `src → dst`. Refused, with nothing changed, when it
   * would close a cycle (`TriggerCycle`, naming the cycle `src → dst → … →
   * src`), when it would create a chain of more than `budget` triggers
   * (`TriggerChainTooDeep`, naming a longest such chain), or when an id is not
   * a Lean `Nat` (`OutOfDomain`). Accepts exactly when Lean's `register`
   * accepts (`register_ok_iff`), and reports a cycle exactly when Lean does
   * (`register_cycle_of_not_acyclic`).
   */
  register(src: number, dst: number): Result.Result<void, RegistrationError> {
    if (!isNat(src)) return Result.fail(new OutOfDomain({ where: "TriggerRegistry.register", field: "src", value: src, domain: "Nat" }))
    if (!isNat(dst)) return Result.fail(new OutOfDomain({ where: "TriggerRegistry.register", field: "dst", value: dst, domain: "Nat" }))
    const edge: Trigger = [src, dst]
    const back = this.pathTo(dst, src)
    if (back !== undefined) return Result.fail(new TriggerCycle({ edge, cycle: [src, ...back] }))
    const before = this.longest(src, this.into) // ends at src, reversed below
    const after = this.longest(dst, this.out)
    if (before.length - 1 + 1 + (after.length - 1) > this.budget) {
      return Result.fail(new TriggerChainTooDeep({ edge, chain: [...before.reverse(), ...after], budget: this.budget }))
    }
    this.edges.push(edge)
    push(this.out, src, dst)
    push(this.into, dst, src)
    return Result.succeed(undefined)
  }

  /** A shortest chain `from → … → to` of registered triggers (BFS), or undefined. */
  private pathTo(from: number, to: number): Array<number> | undefined {
    if (from === to) return [from]
    const parent = new Map<number, number>([[from, from]])
    let layer = [from]
    while (layer.length > 0) {
      const next: Array<number> = []
      for (const u of layer) {
        for (const w of this.out.get(u) ?? []) {
          if (parent.has(w)) continue
          parent.set(w, u)
          if (w === to) {
            const path = [w]
            let x = w
            while (x !== from) {
              x = parent.get(x)!
              path.push(x)
            }
            return path.reverse()
          }
          next.push(w)
        }
      }
      layer = next
    }
    return undefined
  }

  /** A longest chain from `start` along `adj` (the registry is acyclic), iterative DFS. */
  private longest(start: number, adj: Map<number, Array<number>>): Array<number> {
    const best = new Map<number, { readonly len: number; readonly next: number | undefined }>()
    const stack: Array<[number, number]> = [[start, 0]]
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!
      const kids = adj.get(top[0]) ?? []
      if (top[1] < kids.length) {
        const w = kids[top[1]++]!
        if (!best.has(w)) stack.push([w, 0])
        continue
      }
      let len = 0
      let next: number | undefined
      for (const w of kids) {
        const b = best.get(w)!
        if (b.len + 1 > len) {
          len = b.len + 1
          next = w
        }
      }
      best.set(top[0], { len, next })
      stack.pop()
    }
    const path = [start]
    for (let x = best.get(start)!.next; x !== undefined; x = best.get(x)!.next) path.push(x)
    return path
  }
}

const push = (m: Map<number, Array<number>>, k: number, v: number): void => {
  const a = m.get(k)
  if (a === undefined) m.set(k, [v])
  else a.push(v)
}

/** An empty registry with depth budget `budget` (a Lean `Nat`, else `OutOfDomain`). */
export const makeRegistry = (budget: number): Result.Result<TriggerRegistry, OutOfDomain> =>
  isNat(budget)
    ? Result.succeed(TriggerRegistry.unsafeMake(budget))
    : Result.fail(new OutOfDomain({ where: "makeRegistry", field: "budget", value: budget, domain: "Nat" }))

// ---------------------------------------------------------------------------
// Runtime: frame-by-frame delivery
// ---------------------------------------------------------------------------

/** What the runtime reads from a registry: its budget and each viewport's targets (a `TriggerRegistry`). */
export interface TriggerSource {
  readonly budget: number
  targets(v: number): ReadonlyArray<number>
}

/** One delivered event: at `viewport`, `depth` frames after the event at `origin` that started its cascade. */
export interface TriggerEvent {
  readonly viewport: number
  readonly origin: number
  readonly depth: number
}

/** What one `step` did. */
export interface FrameReport {
  /** The index of this frame (0 for the first `step`). */
  readonly frame: number
  /** The events delivered in this frame, in order. */
  readonly delivered: ReadonlyArray<TriggerEvent>
  /** The events queued for the next frame. */
  readonly queued: number
  /** Triggers dropped because they would pass the budget (empty for a registry whose invariant holds). */
  readonly dropped: ReadonlyArray<TriggerDepthExceeded>
}

/**
 * Delivers trigger events frame by frame over a registry. `emit` queues an
 * event for the next `step`; `step` delivers the queued events and queues
 * their triggers (in Lean's `targets` order) for the frame after, one depth
 * deeper. Registering triggers between frames is allowed: the registry only
 * grows, so a cascade's chain stays a chain of the registry and its depth stays
 * within the budget.
 */
export class TriggerRuntime {
  private queue: Array<TriggerEvent> = []
  private frameIndex = 0
  readonly registry: TriggerSource

  constructor(registry: TriggerSource) {
    this.registry = registry
  }

  /** The index the next `step` will have. */
  get frame(): number {
    return this.frameIndex
  }

  /** The number of events queued for the next `step`. */
  get pending(): number {
    return this.queue.length
  }

  /** Queues an event at `viewport` (depth 0, a cascade of its own) for the next frame. */
  emit(viewport: number): Result.Result<void, OutOfDomain> {
    if (!isNat(viewport)) return Result.fail(new OutOfDomain({ where: "TriggerRuntime.emit", field: "viewport", value: viewport, domain: "Nat" }))
    this.queue.push({ viewport, origin: viewport, depth: 0 })
    return Result.succeed(undefined)
  }

  /** Delivers this frame's events; queues their triggers for the next frame. */
  step(): FrameReport {
    const delivered = this.queue
    const next: Array<TriggerEvent> = []
    const dropped: Array<TriggerDepthExceeded> = []
    const budget = this.registry.budget
    for (const ev of delivered) {
      const depth = ev.depth + 1
      for (const w of this.registry.targets(ev.viewport)) {
        if (depth > budget) dropped.push(new TriggerDepthExceeded({ origin: ev.origin, from: ev.viewport, viewport: w, depth, budget }))
        else next.push({ viewport: w, origin: ev.origin, depth })
      }
    }
    this.queue = next
    return { frame: this.frameIndex++, delivered, queued: next.length, dropped }
  }

  /**
   * Steps until nothing is queued and returns the reports. Ends: every queued
   * event is at most `budget` deep and each frame is one deeper, so at most
   * `budget + 1` frames after the last `emit`.
   */
  settle(): Array<FrameReport> {
    const reports: Array<FrameReport> = []
    while (this.queue.length > 0) reports.push(this.step())
    return reports
  }
}
