/**
 * Model-based test of the anti-entropy protocol (`src/State/Sync.ts`) over an
 * unreliable network: 2..16 replicas of a product of every CRDT of the
 * package (a `ViewportState` — add-wins map, two LWW maps, add-wins set,
 * vector clock — and a PN-counter), random local operations, anti-entropy
 * sends, and a network that drops, duplicates, delays, reorders, corrupts and
 * partitions messages. After healing and running anti-entropy to quiescence,
 * every replica holds the same state, and that state is the sequential
 * reference: the join of every operation's delta, and — checked
 * independently of any join — LWW = max by (timestamp, replica, value),
 * add-wins with observed removes, counter = increments − decrements, clock =
 * ticks per replica. GC of the stable dead tags keeps every `contains`/`get`.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { PNCounter, VectorClock } from "../../src/State/Counter.ts"
import { PNCounterCodec, ViewportStateCodec } from "../../src/State/Encoding.ts"
import { gcViewport, stableClock, tagCount } from "../../src/State/Gc.ts"
import type { Bitset, JoinSemilatticeBot } from "../../src/State/Lattice.ts"
import { le, prodJoinSemilatticeBot } from "../../src/State/Lattice.ts"
import { ORMap, ORSet, tagOf } from "../../src/State/ORSet.ts"
import { LWWMap, LWWReg } from "../../src/State/Register.ts"
import type { Replica } from "../../src/State/Sync.ts"
import { makeSync, pairCodec } from "../../src/State/Sync.ts"
import { ViewportState } from "../../src/State/Viewport.ts"

type S = readonly [ViewportState, PNCounter]

const L: JoinSemilatticeBot<S> = prodJoinSemilatticeBot(ViewportState.joinSemilattice, PNCounter.joinSemilattice)
const codec = pairCodec(ViewportStateCodec, PNCounterCodec)
const MAX_REPLICAS = 16
/** Keys / element ids in use: few, so that operations collide. */
const KEYS = 3

// ---------------------------------------------------------------------------
// Reference model: every operation as it was issued, with what its replica observed.

interface Model {
  /** Join of every operation's delta so far. */
  total: S
  readonly deltas: S[]
  readonly writes: { readonly map: "positions" | "zOrder"; readonly key: number; readonly w: LWWReg }[]
  readonly puts: { readonly key: number; readonly tag: number; readonly w: LWWReg }[]
  readonly elemRemoves: { readonly key: number; readonly observed: Bitset }[]
  readonly animAdds: { readonly e: number; readonly tag: number }[]
  readonly animRemoves: { readonly e: number; readonly observed: Bitset }[]
  incs: number
  decs: number
  readonly ticks: number[]
}

interface InFlight {
  readonly from: number
  readonly to: number
  readonly bytes: Uint8Array
  readonly corrupt: boolean
  /** The sender's state when it sent a delta or state message. */
  readonly sent: S | undefined
}

/** Totals over all runs, to check the runs exercised what they should. */
const stats = { runs: 0, replicas: 0, ops: 0, delivered: 0, rejected: 0, fullStates: 0, deltas: 0, gcDropped: 0 }

class World {
  readonly n: number
  readonly sync: ReturnType<typeof makeSync<S>>
  readonly replicas: Replica<S>[]
  readonly nextTag: number[]
  pool: InFlight[] = []
  cut = new Set<string>()
  constructor(n: number, window: number) {
    this.n = n
    this.sync = makeSync(L, codec, { window })
    this.replicas = Array.from({ length: n }, (_, i) => this.sync.init(i))
    this.nextTag = Array.from({ length: n }, () => 0)
  }
  send(a: number, b: number): void {
    if (a === b) return
    const { replica, message } = this.sync.deltasFor(this.replicas[a]!, b)
    this.replicas[a] = replica
    if (message === undefined) return
    if (message[5] === 2) stats.fullStates++
    else stats.deltas++
    if (!this.cut.has(`${a}>${b}`)) this.pool.push({ from: a, to: b, bytes: message, corrupt: false, sent: replica.state })
  }
  /** Deliver pool entry `i`; its acknowledgement goes back into the pool. Checks soundness against the model. */
  deliver(i: number, m: Model): void {
    const msg = this.pool[i]!
    this.pool.splice(i, 1)
    const before = this.replicas[msg.to]!
    const { replica, reply, error } = this.sync.receive(before, msg.bytes)
    this.replicas[msg.to] = replica
    stats.delivered++
    if (msg.corrupt) {
      // rejected with a typed error, counted, never applied
      expect(error).toBeDefined()
      expect(replica.state).toBe(before.state)
      expect(replica.rejected).toBe(before.rejected + 1)
      stats.rejected++
    } else {
      expect(error).toBeUndefined()
      // nothing invented: every replica stays below the join of all operations
      expect(le(L, replica.state, m.total)).toBe(true)
      // no gaps: a delta of intervals [acked, seq) brings the receiver up to the sender's whole state at sending
      // (what Gc.ts needs: a clock entry is never ahead of the merged events)
      if (msg.sent !== undefined) expect(le(L, msg.sent, replica.state)).toBe(true)
    }
    if (reply !== undefined && !this.cut.has(`${msg.to}>${msg.from}`)) {
      this.pool.push({ from: msg.to, to: msg.from, bytes: reply, corrupt: false, sent: undefined })
    }
  }
  /**
   * Heal, deliver everything in flight, then anti-entropy rounds until nobody
   * has anything to send: between all pairs, or only between ring neighbours
   * (then updates reach distant replicas only by being forwarded).
   */
  quiesce(m: Model, ring: boolean): number {
    this.cut.clear()
    while (this.pool.length > 0) this.deliver(0, m)
    const linked = (a: number, b: number): boolean =>
      a !== b && (!ring || b === (a + 1) % this.n || a === (b + 1) % this.n)
    for (let round = 1; round <= 2 * this.n + 4; round++) {
      let sent = 0
      for (let a = 0; a < this.n; a++) {
        for (let b = 0; b < this.n; b++) {
          if (!linked(a, b)) continue
          this.send(a, b)
          if (this.pool.length > 0) sent++
          while (this.pool.length > 0) this.deliver(0, m)
        }
      }
      if (sent === 0) return round
    }
    throw new Error("anti-entropy did not quiesce")
  }
}

type Cmd = fc.Command<Model, World>

const mod = (x: number, n: number): number => x % n

type OpKind = "setPos" | "setZ" | "put" | "removeElem" | "addAnim" | "removeAnim" | "inc" | "dec" | "tick"

class LocalOp implements Cmd {
  readonly kind: OpKind
  readonly r: number
  readonly key: number
  readonly ts: number
  readonly value: number
  constructor(kind: OpKind, r: number, key: number, ts: number, value: number) {
    this.kind = kind
    this.r = r
    this.key = key
    this.ts = ts
    this.value = value
  }
  check = (): boolean => true
  run(m: Model, w: World): void {
    const r = mod(this.r, w.n)
    const [vp, pn] = w.replicas[r]!.state
    const E = ViewportState.empty
    const reg: LWWReg = { timestamp: this.ts, replica: r, value: this.value }
    const freshTag = (): number => tagOf(r, ++w.nextTag[r]!)
    let d: S
    switch (this.kind) {
      case "setPos":
      case "setZ": {
        const map = this.kind === "setPos" ? "positions" : "zOrder"
        m.writes.push({ map, key: this.key, w: reg })
        d = [{ ...E, [map]: LWWMap.setDelta(this.key, reg) }, PNCounter.empty]
        break
      }
      case "put": {
        const tag = freshTag()
        m.puts.push({ key: this.key, tag, w: reg })
        d = [{ ...E, elements: ORMap.putDelta(this.key, tag, reg) }, PNCounter.empty]
        break
      }
      case "removeElem":
        m.elemRemoves.push({ key: this.key, observed: ORMap.entry(vp.elements, this.key)[0][0] })
        d = [{ ...E, elements: ORMap.removeDelta(this.key, vp.elements) }, PNCounter.empty]
        break
      case "addAnim": {
        const tag = freshTag()
        m.animAdds.push({ e: this.key, tag })
        d = [{ ...E, animations: ORSet.addDelta(this.key, tag) }, PNCounter.empty]
        break
      }
      case "removeAnim":
        m.animRemoves.push({ e: this.key, observed: ORSet.entry(vp.animations, this.key)[0] })
        d = [{ ...E, animations: ORSet.removeDelta(this.key, vp.animations) }, PNCounter.empty]
        break
      case "inc":
        m.incs++
        d = [E, PNCounter.incDelta(r, pn)]
        break
      case "dec":
        m.decs++
        d = [E, PNCounter.decDelta(r, pn)]
        break
      case "tick":
        m.ticks[r] = (m.ticks[r] ?? 0) + 1
        d = [{ ...E, clock: VectorClock.tickDelta(r, vp.clock) }, PNCounter.empty]
        break
    }
    m.deltas.push(d)
    m.total = L.join(m.total, d)
    w.replicas[r] = w.sync.update(w.replicas[r]!, d)
    stats.ops++
  }
  toString = (): string => `${this.kind}(r${this.r}, k${this.key}, t${this.ts}, v${this.value})`
}

class Send implements Cmd {
  readonly a: number
  readonly b: number
  constructor(a: number, b: number) {
    this.a = a
    this.b = b
  }
  check = (): boolean => true
  run(_: Model, w: World): void {
    w.send(mod(this.a, w.n), mod(this.b, w.n))
  }
  toString = (): string => `send(${this.a}→${this.b})`
}

/** Deliver the `i`-th message in flight (any one: reordering); held if its link is cut (delay). */
class Deliver implements Cmd {
  readonly i: number
  constructor(i: number) {
    this.i = i
  }
  check = (): boolean => true
  run(m: Model, w: World): void {
    if (w.pool.length === 0) return
    const i = mod(this.i, w.pool.length)
    const msg = w.pool[i]!
    if (w.cut.has(`${msg.from}>${msg.to}`)) return
    w.deliver(i, m)
  }
  toString = (): string => `deliver(${this.i})`
}

class Fault implements Cmd {
  readonly kind: "drop" | "duplicate" | "flip" | "truncate"
  readonly i: number
  readonly pos: number
  readonly mask: number
  constructor(kind: "drop" | "duplicate" | "flip" | "truncate", i: number, pos: number, mask: number) {
    this.kind = kind
    this.i = i
    this.pos = pos
    this.mask = mask
  }
  check = (): boolean => true
  run(_: Model, w: World): void {
    if (w.pool.length === 0) return
    const i = mod(this.i, w.pool.length)
    const msg = w.pool[i]!
    switch (this.kind) {
      case "drop":
        w.pool.splice(i, 1)
        return
      case "duplicate":
        w.pool.push(msg)
        return
      case "flip": {
        const bytes = msg.bytes.slice()
        const p = mod(this.pos, bytes.length)
        bytes[p] = bytes[p]! ^ this.mask
        w.pool[i] = { ...msg, bytes, corrupt: true }
        return
      }
      case "truncate":
        w.pool[i] = { ...msg, bytes: msg.bytes.slice(0, mod(this.pos, msg.bytes.length)), corrupt: true }
        return
    }
  }
  toString = (): string => `${this.kind}(${this.i}, ${this.pos}, ${this.mask})`
}

class Partition implements Cmd {
  readonly links: ReadonlyArray<readonly [number, number]>
  constructor(links: ReadonlyArray<readonly [number, number]>) {
    this.links = links
  }
  check = (): boolean => true
  run(_: Model, w: World): void {
    w.cut = new Set(this.links.map(([a, b]) => `${mod(a, w.n)}>${mod(b, w.n)}`))
  }
  toString = (): string => `partition(${this.links.map(([a, b]) => `${a}>${b}`).join(",")})`
}

class Heal implements Cmd {
  check = (): boolean => true
  run(_: Model, w: World): void {
    w.cut.clear()
  }
  toString = (): string => "heal"
}

const rid = fc.nat(MAX_REPLICAS - 1)
const commandArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.constantFrom<OpKind>("setPos", "setZ", "put", "removeElem", "addAnim", "removeAnim", "inc", "dec", "tick"),
        rid,
        fc.nat(KEYS - 1),
        fc.nat(3),
        fc.nat(3),
      )
      .map(([k, r, key, ts, v]) => new LocalOp(k, r, key, ts, v)),
  },
  { weight: 4, arbitrary: fc.tuple(rid, rid).map(([a, b]) => new Send(a, b)) },
  { weight: 5, arbitrary: fc.nat(64).map((i) => new Deliver(i)) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom("drop" as const, "duplicate" as const, "flip" as const, "truncate" as const), fc.nat(64), fc.nat(4096), fc.integer({ min: 1, max: 255 }))
      .map(([k, i, p, x]) => new Fault(k, i, p, x)),
  },
  { weight: 1, arbitrary: fc.array(fc.tuple(rid, rid), { minLength: 1, maxLength: 24 }).map((ls) => new Partition(ls)) },
  { weight: 1, arbitrary: fc.constant(new Heal()) },
)

// ---------------------------------------------------------------------------
// Independent reference answers

const maxReg = (ws: ReadonlyArray<LWWReg>): LWWReg | undefined =>
  ws.reduce<LWWReg | undefined>((acc, w) => (acc === undefined || LWWReg.lt(acc, w) ? w : acc), undefined)

const addWins = (adds: ReadonlyArray<number>, removes: ReadonlyArray<Bitset>): boolean => {
  const removed = new Set(removes.flat())
  return adds.some((t) => !removed.has(t))
}

/** What the replicas must answer, computed from the operations alone. */
const expected = (m: Model, n: number) => ({
  positions: Array.from({ length: KEYS }, (_, k) => maxReg(m.writes.filter((x) => x.map === "positions" && x.key === k).map((x) => x.w))),
  zOrder: Array.from({ length: KEYS }, (_, k) => maxReg(m.writes.filter((x) => x.map === "zOrder" && x.key === k).map((x) => x.w))),
  elements: Array.from({ length: KEYS }, (_, k) => {
    const puts = m.puts.filter((p) => p.key === k)
    const live = addWins(puts.map((p) => p.tag), m.elemRemoves.filter((x) => x.key === k).map((x) => x.observed))
    return [live, live ? maxReg(puts.map((p) => p.w)) : undefined] as const
  }),
  animations: Array.from({ length: KEYS }, (_, e) =>
    addWins(
      m.animAdds.filter((a) => a.e === e).map((a) => a.tag),
      m.animRemoves.filter((x) => x.e === e).map((x) => x.observed),
    ),
  ),
  counter: m.incs - m.decs,
  clock: Array.from({ length: n }, (_, r) => m.ticks[r] ?? 0),
})

const observed = ([vp, pn]: S, n: number) => ({
  positions: Array.from({ length: KEYS }, (_, k) => LWWMap.get(vp.positions, k)),
  zOrder: Array.from({ length: KEYS }, (_, k) => LWWMap.get(vp.zOrder, k)),
  elements: Array.from({ length: KEYS }, (_, k) => [ORMap.contains(vp.elements, k), ORMap.get(vp.elements, k)] as const),
  animations: Array.from({ length: KEYS }, (_, e) => ORSet.contains(vp.animations, e)),
  counter: PNCounter.value(pn),
  clock: Array.from({ length: n }, (_, r) => VectorClock.get(vp.clock, r)),
})

const answers = (vp: ViewportState) =>
  Array.from({ length: KEYS }, (_, e) => [ORMap.contains(vp.elements, e), ORMap.get(vp.elements, e), ORSet.contains(vp.animations, e)])

describe("anti-entropy over an unreliable network (model-based)", () => {
  // @lean Hydrogen.State.JoinSemilattice.joinAll_eq_of_same_members
  it("replicas converge to the sequential reference after drops, duplicates, delays, reordering, corruption and partitions", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: MAX_REPLICAS }),
        fc.constantFrom(1, 2, 4, 64),
        fc.boolean(),
        fc.commands([commandArb], { maxCommands: 60, size: "max" }),
        (n, window, ring, cmds) => {
          const setup = () => ({
            model: {
              total: L.bot,
              deltas: [],
              writes: [],
              puts: [],
              elemRemoves: [],
              animAdds: [],
              animRemoves: [],
              incs: 0,
              decs: 0,
              ticks: [],
            } satisfies Model as Model,
            real: new World(n, window),
          })
          let world: World | undefined
          let model: Model | undefined
          fc.modelRun(() => {
            const s = setup()
            world = s.real
            model = s.model
            return s
          }, cmds)
          const w = world!
          const m = model!
          w.quiesce(m, ring)
          stats.runs++
          stats.replicas += n

          // 1. every replica equals every other (strong eventual consistency)
          const s0 = w.replicas[0]!.state
          for (const r of w.replicas) expect(L.equals(r.state, s0)).toBe(true)
          // 2. … and equals the join of every operation's delta
          expect(L.equals(s0, m.deltas.reduce(L.join, L.bot))).toBe(true)
          // 3. … whose answers are the sequential reference, computed without joins
          expect(observed(s0, n)).toEqual(expected(m, n))
          // 4. GC of the dead tags, stable once everyone holds the same state, keeps every answer
          const vp = s0[0]
          const stable = stableClock(w.replicas.map((r) => r.state[0].clock))
          const collected = gcViewport(vp, vp, stable)
          expect(answers(collected)).toEqual(answers(vp))
          expect(answers(ViewportState.join(collected, vp))).toEqual(answers(vp))
          stats.gcDropped += tagCount(vp.elements) + tagCount(vp.animations) - tagCount(collected.elements) - tagCount(collected.animations)
          // quiescent: nobody has anything left to send to a peer it synchronises with
          if (!ring) for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (a !== b) expect(w.sync.deltasFor(w.replicas[a]!, b).message).toBeUndefined()
        },
      ),
      { numRuns: 1000 },
    )
    // the runs exercised the protocol: full states (window exceeded), deltas, rejections, GC
    if (process.env.NET_STATS) console.log(JSON.stringify(stats))
    expect(stats.runs).toBe(1000)
    expect(stats.fullStates).toBeGreaterThan(100)
    expect(stats.deltas).toBeGreaterThan(1000)
    expect(stats.rejected).toBeGreaterThan(100)
    expect(stats.gcDropped).toBeGreaterThan(100)
  })
})
