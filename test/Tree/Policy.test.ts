import fc from "fast-check"
import * as Result from "effect/Result"
import { afterEach, describe, expect, it } from "vitest"
import { makeInProcessServer } from "../../src/Net/InProcess.ts"
import { connectNats } from "../../src/Net/Nats.ts"
import { startNatsServer } from "../../src/Net/NatsServer.ts"
import { AgentPool, valueRange } from "../../src/Tree/Agents.ts"
import type { TriggerDelivery } from "../../src/Tree/LocalLevel.ts"
import { encodeMessage, InvalidField, type Message } from "../../src/Tree/Messages.ts"
import {
  checkDownPolicy,
  clamp,
  clampBounds,
  decodePolicy,
  encodePolicy,
  noPolicy,
  type Policy,
  type PolicyError,
} from "../../src/Tree/Policy.ts"
import { decodeControl, encodeControl, runTreeMultiProcess } from "../../src/Tree/Process.ts"
import { CoordinatorTree } from "../../src/Tree/CoordinatorTree.ts"
import { runTree } from "../../src/Tree/Runner.ts"
import type { Summary } from "../../src/Tree/Summary.ts"
import { makeTopology } from "../../src/Tree/Topology.ts"

const R = valueRange
const bound = fc.integer({ min: -R, max: R })
const clampArb: fc.Arbitrary<Policy> = fc.tuple(bound, bound).map(([a, b]) => clamp(Math.min(a, b), Math.max(a, b)))
const policyArb: fc.Arbitrary<Policy> = fc.oneof(fc.constant(noPolicy), clampArb)

/** Little-endian i32 at `at`, read byte by byte (not through the codec's DataView). */
const i32 = (b: ArrayLike<number>, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) | 0
/** Little-endian bytes of an i32. */
const le32 = (x: number): number[] => [x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff]

const clampTo = (p: Policy, x: number): number => (p._tag === "Clamp" ? Math.min(p.hi, Math.max(p.lo, x)) : x)

/** The round's summary folded here from `valueAt` with the clamp applied by this test. */
const clampedFold = (pool: AgentPool, round: number, p: Policy): Summary => {
  let sum = 0
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (let i = 0; i < pool.size; i++) {
    const v = clampTo(p, pool.valueAt(round, i))
    sum += v
    if (v < min) min = v
    if (v > max) max = v
  }
  return { count: pool.size, sum, min, max }
}

describe("policy codec", () => {
  it("decode ∘ encode = id on every policy; no policy is the empty buffer, a clamp 9 bytes", () => {
    fc.assert(
      fc.property(policyArb, (p) => {
        const bytes = encodePolicy(p)
        expect(bytes.length).toBe(p._tag === "NoPolicy" ? 0 : 9)
        const d = decodePolicy(bytes)
        expect(Result.isSuccess(d) && d.success).toEqual(p)
      }),
      { numRuns: 2000 },
    )
  })

  it("hand-written vectors", () => {
    expect(Array.from(encodePolicy(clamp(-10, 10)))).toEqual([1, 0xf6, 0xff, 0xff, 0xff, 0x0a, 0, 0, 0])
    expect(Array.from(encodePolicy(clamp(-R, R)))).toEqual([1, 0xc0, 0xbd, 0xf0, 0xff, 0x40, 0x42, 0x0f, 0x00])
    const ok = decodePolicy(Uint8Array.of(1, 0, 1, 0, 0, 0, 2, 0, 0))
    expect(Result.isSuccess(ok) && ok.success).toEqual(clamp(256, 512))
    const fails: ReadonlyArray<readonly [ReadonlyArray<number>, PolicyError["_tag"], Record<string, number | string>]> = [
      [[2, 0, 0, 0, 0, 0, 0, 0, 0], "BadHeader", { field: "version", offset: 0, value: 2 }],
      [[0], "BadHeader", { field: "version", offset: 0, value: 0 }],
      [[1, 0, 0], "Truncated", { offset: 0, needed: 9, available: 3 }],
      [[1, 0, 0, 0, 0, 0, 0, 0, 0, 7], "TrailingBytes", { offset: 9, count: 1 }],
      [[1, ...le32(R + 1), ...le32(0)], "InvalidField", { field: "lo", offset: 1, value: R + 1 }],
      [[1, ...le32(0), ...le32(-R - 1)], "InvalidField", { field: "hi", offset: 5, value: -R - 1 }],
      [[1, ...le32(-(2 ** 31)), ...le32(0)], "InvalidField", { field: "lo", offset: 1, value: -(2 ** 31) }],
      [[1, ...le32(5), ...le32(4)], "InvalidField", { field: "lo", offset: 1, value: 5, expected: "≤ hi (4)" }],
    ]
    for (const [bytes, tag, fields] of fails) {
      const r = decodePolicy(Uint8Array.from(bytes))
      expect(Result.isFailure(r)).toBe(true)
      if (Result.isFailure(r)) {
        expect(r.failure._tag).toBe(tag)
        expect(r.failure).toMatchObject(fields)
        expect(r.failure.message.length).toBeGreaterThan(0)
      }
    }
  })

  it("encodePolicy refuses clamps it could not decode (RangeError)", () => {
    for (const p of [clamp(1, 0), clamp(-R - 1, 0), clamp(0, R + 1), clamp(0.5, 1), clamp(Number.NaN, 0)]) {
      expect(() => encodePolicy(p)).toThrow(RangeError)
    }
  })

  it("arbitrary and mutated buffers: never throws, accepts exactly the canonical encodings, and an accepted buffer re-encodes to itself", () => {
    // acceptance written out from the format: empty, or 9 bytes with version 1 and −R ≤ lo ≤ hi ≤ R
    const accepts = (b: Uint8Array): boolean => {
      if (b.length === 0) return true
      if (b.length !== 9 || b[0] !== 1) return false
      const lo = i32(b, 1)
      const hi = i32(b, 5)
      return lo >= -R && hi <= R && lo <= hi
    }
    const mutated = fc
      .tuple(clampArb, fc.array(fc.tuple(fc.nat(8), fc.nat(255)), { maxLength: 2 }), fc.integer({ min: -2, max: 2 }))
      .map(([p, edits, resize]) => {
        const b = Array.from(encodePolicy(p))
        for (const [at, v] of edits) b[at] = v
        if (resize < 0) b.length += resize
        else for (let i = 0; i < resize; i++) b.push(i)
        return Uint8Array.from(b)
      })
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 12 }), mutated), (b) => {
        const r = decodePolicy(b)
        expect(Result.isSuccess(r)).toBe(accepts(b))
        if (Result.isSuccess(r)) expect(Array.from(encodePolicy(r.success))).toEqual(Array.from(b))
      }),
      { numRuns: 5000 },
    )
  })

  it("a Down's bad policy is an InvalidField whose offset points at the offending bytes of the message", () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<number>, string, number]> = [
      // header 16 · epoch 4 · policy length 4 → the policy starts at byte 24
      [[1, ...le32(0), ...le32(R + 7)], "policy hi", 29],
      [[1, ...le32(-R - 7), ...le32(0)], "policy lo", 25],
      [[1, ...le32(9), ...le32(3)], "policy lo", 25],
      [[3, 0, 0, 0, 0, 0, 0, 0, 0], "policy version", 24],
      [[1, 0, 0, 0], "policy length", 20],
    ]
    for (const [policy, field, offset] of cases) {
      const down = { _tag: "Down", from: { level: 2, index: 0 }, epoch: 4, policy: Uint8Array.from(policy), triggers: [] } as const
      const r = checkDownPolicy(down)
      expect(Result.isFailure(r)).toBe(true)
      if (Result.isFailure(r)) {
        expect(r.failure).toBeInstanceOf(InvalidField)
        expect(r.failure).toMatchObject({ kind: "Down", field, offset })
        const bytes = encodeMessage(down)
        if (field === "policy length") expect(i32(bytes, offset)).toBe(policy.length)
        else if (field === "policy version") expect(bytes[offset]).toBe(policy[0])
        else expect(i32(bytes, offset)).toBe(r.failure.value)
      }
    }
  })
})

describe("agents under a clamp", () => {
  it("updateRangeClamped gives each agent in the range its value clamped and the round as version; others untouched", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), fc.integer({ min: 1, max: 1000 }), clampArb, fc.nat(), fc.nat(), (n, seed, round, p, a, b) => {
        const pool = new AgentPool(n, seed)
        pool.update(round + 1)
        const lo = a % n
        const hi = lo + (b % (n - lo + 1))
        const { lo: cLo, hi: cHi } = clampBounds(p)
        pool.updateRangeClamped(round, lo, hi, cLo, cHi)
        for (let i = 0; i < n; i++) {
          const inside = i >= lo && i < hi
          expect(pool.values[i]).toBe(inside ? clampTo(p, pool.valueAt(round, i)) : pool.valueAt(round + 1, i))
          expect(pool.versions[i]).toBe(inside ? round : round + 1)
        }
      }),
      { numRuns: 300 },
    )
  })
})

// ---------------------------------------------------------------------------
// In a running tree

const trees: CoordinatorTree[] = []
afterEach(async () => {
  for (const t of trees.splice(0)) await t.stop()
})

const startTree = async (agents: number, branching: number, onTriggers?: (d: TriggerDelivery) => void) => {
  const server = makeInProcessServer()
  const tree = await CoordinatorTree.start({ agents, branching, seed: 11, connect: (name) => server.connect(name), ...(onTriggers === undefined ? {} : { onTriggers }) })
  trees.push(tree)
  return { tree, server, attacker: server.connect("attacker") }
}

/** The local coordinators under level-2 coordinator `j`, computed from the branching. */
const localsUnder = (tree: CoordinatorTree, j: number): { lo: number; hi: number } => {
  const k = tree.topology.branching
  return { lo: j * k, hi: Math.min((j + 1) * k, tree.topology.perLevel[0]!) }
}

describe("policies in a running tree (in-process bus)", () => {
  it("random small trees: from round r on, every root aggregate is the fold of the clamped values", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 2, max: 20 }),
        fc.nat({ max: 2 ** 32 - 1 }),
        fc.integer({ min: 1, max: 4 }),
        clampArb,
        async (n, k, seed, from, p) => {
          const policyFor = (round: number): Policy => (round >= from ? p : noPolicy)
          const r = await runTree({ agents: n, branching: k, rounds: 4, seed, connect: ((s) => (name: string) => s.connect(name))(makeInProcessServer()), policyFor })
          const reference = new AgentPool(n, seed)
          expect(r.rounds.map((x) => x.round)).toEqual([1, 2, 3, 4])
          for (const x of r.rounds) {
            expect(x.aggregate).toEqual(clampedFold(reference, x.round, policyFor(x.round)))
            expect(x.exact).toBe(true)
          }
          expect(r.rejectedTotal).toBe(0)
          expect(r.internalErrors).toBe(0)
        },
      ),
      { numRuns: 25 },
    )
  })

  it("a binding clamp changes the aggregate, and a later Down without a policy lifts it", async () => {
    const p = clamp(-1000, 2000)
    const r = await runTree({ agents: 2000, branching: 6, rounds: 3, seed: 5, connect: ((s) => (name: string) => s.connect(name))(makeInProcessServer()), policyFor: (round) => (round === 2 ? p : noPolicy) })
    const reference = new AgentPool(2000, 5)
    const [r1, r2, r3] = r.rounds
    expect(r2!.aggregate).toEqual(clampedFold(reference, 2, p))
    expect(r2!.aggregate).not.toEqual(clampedFold(reference, 2, noPolicy))
    expect(r2!.aggregate.min).toBe(-1000)
    expect(r2!.aggregate.max).toBe(2000)
    expect(r1!.aggregate).toEqual(clampedFold(reference, 1, noPolicy))
    expect(r3!.aggregate).toEqual(clampedFold(reference, 3, noPolicy))
    expect(r3!.aggregate.max).toBeGreaterThan(2000)
  })

  it("mid-broadcast: agents apply the policy their own local coordinator holds", async () => {
    const { tree, server, attacker } = await startTree(500, 5) // 100 locals under 20 parents
    await tree.round()
    const p = clamp(-5, 5)
    // only parent 3's Down has arrived so far
    attacker.publish(`h.down.2.3`, encodeMessage({ _tag: "Down", from: { level: 2, index: 3 }, epoch: 2, policy: encodePolicy(p), triggers: [] }))
    await server.settle()
    const local = tree.local!
    local.updateAgents(2)
    const k = 5
    const under = localsUnder(tree, 3)
    for (let i = 0; i < 500; i++) {
      const l = Math.floor(i / k)
      const clamped = l >= under.lo && l < under.hi
      expect(tree.agents.values[i]).toBe(clamped ? clampTo(p, tree.agents.valueAt(2, i)) : tree.agents.valueAt(2, i))
    }
    expect(local.clampOf(under.lo)).toEqual({ lo: -5, hi: 5 })
    expect(local.clampOf(0)).toEqual({ lo: -R, hi: R })
  })

  it("a Down with a malformed policy is rejected (InvalidField) and the previous policy, epoch and triggers stay", async () => {
    const deliveries: TriggerDelivery[] = []
    const { tree, server, attacker } = await startTree(600, 4, (d) => deliveries.push(d)) // [150, 38, 10, 3, 1]
    const good = clamp(-300, 400)
    await tree.round(10_000, { policy: good, triggers: [9] })
    const before = deliveries.length
    const local = tree.local!
    const j = 2
    const under = localsUnder(tree, j)
    const rejectedBefore = local.counters.rejected
    const bad = Uint8Array.from([1, ...le32(10), ...le32(-10)]) // lo > hi
    attacker.publish(`h.down.2.${j}`, encodeMessage({ _tag: "Down", from: { level: 2, index: j }, epoch: 2, policy: bad, triggers: [5] }))
    await server.settle()
    expect(local.counters.rejected - rejectedBefore).toBe(under.hi - under.lo)
    expect(local.rejectedByTag.InvalidField).toBe(under.hi - under.lo)
    const logged = local.rejectionsOf(under.lo).at(-1)!.error
    expect(logged).toMatchObject({ _tag: "InvalidField", kind: "Down", field: "policy lo", offset: 25, value: 10 })
    for (let i = under.lo; i < under.hi; i++) {
      const v = local.view(i)
      expect(v.epoch).toBe(1)
      expect(Array.from(v.policy)).toEqual(Array.from(encodePolicy(good)))
      expect(v.triggers).toEqual([9])
      expect(local.clampOf(i)).toEqual({ lo: -300, hi: 400 })
    }
    // the next update still clamps with the previous policy, and the bad Down's trigger is never delivered
    local.updateAgents(2)
    for (let a = 0; a < 600; a++) expect(tree.agents.values[a]).toBe(clampTo(good, tree.agents.valueAt(2, a)))
    expect(deliveries.length).toBe(before)
    // the root's next broadcast (epoch 2) is accepted everywhere: the bad Down took no epoch
    const next = await tree.round(10_000, { policy: noPolicy })
    expect(next.round).toBe(2)
    expect(next.aggregate).toEqual(clampedFold(new AgentPool(600, 11), 2, noPolicy))
  })

  it("upper coordinators reject a malformed policy too and do not forward it; the root refuses to broadcast one", async () => {
    const { tree, server, attacker } = await startTree(600, 4) // levels [150, 38, 10, 3, 1]
    await tree.round()
    const downsBefore = tree.published().Down
    const target = tree.levels[2]![0]! // (3, 0), parent (4, 0)
    attacker.publish(`h.down.4.0`, encodeMessage({ _tag: "Down", from: { level: 4, index: 0 }, epoch: 2, policy: Uint8Array.of(7), triggers: [] }))
    await server.settle()
    expect(target.rejectedByTag.InvalidField).toBe(1)
    expect(target.rejections.at(-1)!.error).toMatchObject({ _tag: "InvalidField", field: "policy version", offset: 24, value: 7 })
    expect(target.epoch).toBe(1)
    expect(tree.published().Down).toBe(downsBefore)
    expect(() => tree.root.broadcast(Uint8Array.of(1, 2))).toThrow(RangeError)
    expect(tree.root.epoch).toBe(1)
    expect((await tree.round()).exact).toBe(true)
  })
})

describe("triggers in a running tree (in-process bus)", () => {
  /** Every (local coordinator, epoch) a list of deliveries reached, with the triggers. */
  const perLocal = (ds: ReadonlyArray<TriggerDelivery>): Map<string, Array<ReadonlyArray<number>>> => {
    const out = new Map<string, Array<ReadonlyArray<number>>>()
    for (const d of ds) {
      for (let i = d.lo; i < d.hi; i++) {
        const key = `${i}@${d.epoch}`
        out.set(key, [...(out.get(key) ?? []), d.triggers])
      }
    }
    return out
  }

  it("random small trees: each local coordinator gets each round's triggers exactly once, at that round's update, covering every agent once", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 2, max: 20 }), fc.nat(1000), async (n, k, salt) => {
        const deliveries: TriggerDelivery[] = []
        const triggersFor = (round: number): number[] => (round % 2 === 1 ? [salt, round, 7 * round] : [])
        const r = await runTree({
          agents: n,
          branching: k,
          rounds: 4,
          connect: ((s) => (name: string) => s.connect(name))(makeInProcessServer()),
          triggersFor,
          onTriggers: (d) => deliveries.push(d),
        })
        const locals = makeTopology(n, k).perLevel[0]!
        const got = perLocal(deliveries)
        for (const round of [1, 2, 3, 4]) {
          for (let i = 0; i < locals; i++) {
            const want = triggersFor(round)
            expect(got.get(`${i}@${round}`)).toEqual(want.length === 0 ? undefined : [want])
          }
        }
        expect(got.size).toBe(2 * locals)
        for (const d of deliveries) expect(d.round).toBe(d.epoch)
        // the agent ranges of one epoch's deliveries tile [0, n)
        for (const round of [1, 3]) {
          const ranges = deliveries.filter((d) => d.epoch === round).map((d) => [d.agentLo, d.agentHi] as const).sort((a, b) => a[0] - b[0])
          let at = 0
          for (const [lo, hi] of ranges) {
            expect(lo).toBe(at)
            expect(hi).toBeGreaterThan(lo)
            at = hi
          }
          expect(at).toBe(n)
        }
        expect(r.triggersDelivered).toBe(locals * 3 * 2)
        expect(r.allExact).toBe(true)
      }),
      { numRuns: 20 },
    )
  })

  it("triggers take effect at the next update, and a re-delivered (stale) Down delivers nothing again", async () => {
    const deliveries: TriggerDelivery[] = []
    const { tree, server, attacker } = await startTree(400, 5, (d) => deliveries.push(d)) // [80, 16, 4, 1]
    await tree.round(10_000, { triggers: [1, 2] })
    const local = tree.local!
    expect(local.triggersDelivered).toBe(80 * 2)
    expect(deliveries.length).toBe(16) // one per parent
    // a newer Down to parent 0's children, delivered twice: accepted once, then stale
    const down: Message = { _tag: "Down", from: { level: 2, index: 0 }, epoch: 2, policy: new Uint8Array(0), triggers: [42] }
    const staleBefore = local.counters.stale
    attacker.publish("h.down.2.0", encodeMessage(down))
    attacker.publish("h.down.2.0", encodeMessage(down))
    await server.settle()
    expect(local.counters.stale - staleBefore).toBe(5)
    expect(deliveries.length).toBe(16) // not before the agents' next update
    local.updateAgents(2)
    expect(deliveries.length).toBe(17)
    expect(deliveries[16]).toMatchObject({ epoch: 2, triggers: [42], round: 2, lo: 0, hi: 5, agentLo: 0, agentHi: 25 })
    expect(local.triggersDeliveredOf(0)).toBe(3)
    expect(local.triggersDeliveredOf(5)).toBe(2)
    // the root's epoch-1 Down once more, from the top: stale everywhere
    attacker.publish("h.down.4.0", encodeMessage({ _tag: "Down", from: { level: 4, index: 0 }, epoch: 1, policy: new Uint8Array(0), triggers: [1, 2] }))
    attacker.publish("h.down.2.0", encodeMessage(down))
    await server.settle()
    local.updateAgents(3)
    expect(deliveries.length).toBe(17)
    expect(local.triggersDelivered).toBe(80 * 2 + 5)
  })

  it("a tree of one coordinator (n ≤ k) delivers its own triggers once per epoch and applies its own policy", async () => {
    const deliveries: TriggerDelivery[] = []
    const { tree } = await startTree(7, 10, (d) => deliveries.push(d))
    const p = clamp(0, 0)
    const r = await tree.round(10_000, { policy: p, triggers: [3] })
    expect(r.aggregate).toEqual({ count: 7, sum: 0, min: 0, max: 0 })
    await tree.round()
    expect(deliveries).toEqual([{ epoch: 1, triggers: [3], round: 1, lo: 0, hi: 1, agentLo: 0, agentHi: 7 }])
    expect(tree.triggersDelivered).toBe(1)
  })
})

describe("the multi-process round control message", () => {
  it("carries policy bytes and u32 triggers; anything else makes it malformed (dropped)", () => {
    const m = { type: "round", epoch: 4, policy: Array.from(encodePolicy(clamp(-2, 3))), triggers: [0, 2 ** 32 - 1] } as const
    expect(decodeControl(encodeControl(m))).toEqual(m)
    const raw = (x: unknown) => decodeControl(new TextEncoder().encode(JSON.stringify(x)))
    expect(raw({ type: "round", epoch: 4, policy: [1, 256] })).toBeUndefined()
    expect(raw({ type: "round", epoch: 4, policy: [1.5] })).toBeUndefined()
    expect(raw({ type: "round", epoch: 4, triggers: [-1] })).toBeUndefined()
    expect(raw({ type: "round", epoch: 4, triggers: [2 ** 32] })).toBeUndefined()
  })
})

// Needs nats-server (installed by `make setup-nats`); a missing binary fails with a clear NatsServerMissing error.
describe("policies and triggers on a real nats-server", () => {
  it("every coordinator on its own connection, and upper levels in child processes: clamped aggregates, triggers once per local", async () => {
    const server = await startNatsServer({ jetstream: false })
    try {
      const n = 1500
      const k = 6
      const seed = 77
      const p = clamp(-250_000, 100_000)
      const policyFor = (round: number): Policy => (round >= 2 ? p : noPolicy)
      const triggersFor = (round: number): number[] => (round === 2 ? [round, 99] : [])
      const reference = new AgentPool(n, seed)
      const locals = makeTopology(n, k).perLevel[0]!

      const deliveries: TriggerDelivery[] = []
      const r = await runTree({
        agents: n,
        branching: k,
        rounds: 3,
        seed,
        connect: (name) => connectNats({ servers: server.url, name }),
        policyFor,
        triggersFor,
        onTriggers: (d) => deliveries.push(d),
      })
      for (const x of r.rounds) expect(x.aggregate).toEqual(clampedFold(reference, x.round, policyFor(x.round)))
      expect(r.rejectedTotal).toBe(0)
      expect(r.triggersDelivered).toBe(locals * 2)
      expect(deliveries.reduce((s, d) => s + (d.hi - d.lo), 0)).toBe(locals)
      expect(deliveries.every((d) => d.epoch === 2 && d.triggers.join() === "2,99")).toBe(true)

      const mp: TriggerDelivery[] = []
      const m = await runTreeMultiProcess({ agents: n, branching: k, rounds: 3, seed, servers: server.url, prefix: "policy", policyFor, triggersFor, onTriggers: (d) => mp.push(d) })
      for (const x of m.rounds) expect(x.aggregate).toEqual(clampedFold(reference, x.round, policyFor(x.round)))
      expect(m.rejectedTotal).toBe(0)
      expect(m.triggersDelivered).toBe(locals * 2)
      expect(mp.reduce((s, d) => s + (d.hi - d.lo), 0)).toBe(locals)
    } finally {
      await server.stop()
    }
  })
})
