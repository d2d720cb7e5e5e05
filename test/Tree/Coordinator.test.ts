import fc from "fast-check"
import { afterEach, describe, expect, it } from "vitest"
import { makeInProcessServer } from "../../src/Net/InProcess.ts"
import { encodeMessage, type Lateral } from "../../src/Tree/Messages.ts"
import { clamp, encodePolicy } from "../../src/Tree/Policy.ts"
import { CoordinatorTree } from "../../src/Tree/CoordinatorTree.ts"
import { summaryEquals, summaryOfValue } from "../../src/Tree/Summary.ts"
import { lateralRoute, subjects } from "../../src/Tree/Topology.ts"

const trees: CoordinatorTree[] = []
const startTree = async (agents: number, branching: number, extra: { onLateral?: (m: Lateral) => void; maxBytes?: number } = {}) => {
  const server = makeInProcessServer()
  const tree = await CoordinatorTree.start({ agents, branching, connect: (name) => server.connect(name), seed: 3, ...extra })
  trees.push(tree)
  return { tree, server, attacker: server.connect("attacker") }
}
afterEach(async () => {
  for (const t of trees.splice(0)) await t.stop()
})

const snapshot = (tree: CoordinatorTree) =>
  [...tree.coordinators()].map((c) => ({ name: c.name, summary: c.mergedChildren(), epoch: c.epoch, childEpoch: c.childEpoch }))

describe("coordinator: bad input is rejected, counted, and changes nothing", () => {
  it("forged, oversized and malformed messages on a coordinator's subjects", async () => {
    const { tree, server, attacker } = await startTree(1000, 10, { maxBytes: 1024 }) // 100 / 10 / 1
    expect((await tree.round()).exact).toBe(true)
    const target = tree.levels[1]![3]! // L2.3: children L1.30..39
    const subj = target.subjects
    const before = snapshot(tree)
    const up = (level: number, index: number, epoch = 99, value = 1e6) =>
      encodeMessage({ _tag: "Up", from: { level, index }, epoch, seq: 1, summary: summaryOfValue(value) })
    const batch = (indices: number[]) =>
      encodeMessage({ _tag: "UpBatch", from: { level: 1, index: indices[0]! }, ups: indices.map((index) => ({ index, epoch: 99, seq: 1, summary: summaryOfValue(1e6) })) })
    const bad: Array<readonly [string, Uint8Array, string]> = [
      [subj.up, up(1, 40), "Forged"], // not a child
      [subj.up, up(1, 5), "Forged"],
      [subj.up, up(2, 3), "Forged"], // level mismatch
      [subj.up, up(3, 0), "Forged"],
      [subj.up, new Uint8Array(5000), "OversizedMessage"],
      [subj.up, up(1, 30).slice(0, 20), "Truncated"],
      [subj.up, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16), "BadHeader"],
      [subj.up, (() => { const b = up(1, 30); b[3] = 77; return b })(), "UnknownKind"],
      [subj.up, (() => { const b = up(1, 30); new DataView(b.buffer).setFloat64(24, Number.NaN, true); return b })(), "InvalidField"],
      // an UpBatch whose second entry is not a child: rejected whole, its valid first entry changes nothing either
      [subj.up, batch([30, 40]), "Forged"],
      [subj.up, (() => { const b = batch([30, 31]); new DataView(b.buffer).setUint32(16, 3, true); return b })(), "InvalidField"], // count ≠ entries
      [subj.up, encodeMessage({ _tag: "Down", from: { level: 3, index: 0 }, epoch: 50, policy: new Uint8Array(0), triggers: [] }), "Forged"], // Down on the up inbox
      [subjects(tree.topology, tree.root.id).down, encodeMessage({ _tag: "Down", from: { level: 2, index: 0 }, epoch: 50, policy: new Uint8Array(0), triggers: [] }), "Forged"], // not the parent
      [subj.lateral, encodeMessage({ _tag: "Lateral", from: { level: 1, index: 31 }, fromAgent: 900, toAgent: 1, payload: new Uint8Array(0) }), "Forged"],
      [subj.lateral, encodeMessage({ _tag: "Lateral", from: { level: 1, index: 31 }, fromAgent: 315, toAgent: 5000, payload: new Uint8Array(0) }), "InvalidField"],
    ]
    const rejectedBefore = tree.rejected().total
    for (const [s, b] of bad) attacker.publish(s, b)
    await server.settle()
    const rej = tree.rejected()
    // every subscriber of a subject checks for itself: the root's down subject has one subscriber per root child
    const subscribers = (s: string) => (s === subjects(tree.topology, tree.root.id).down ? tree.topology.perLevel[1]! : 1)
    expect(rej.total - rejectedBefore).toBe(bad.reduce((n, [s]) => n + subscribers(s), 0))
    for (const tag of ["Forged", "OversizedMessage", "Truncated", "BadHeader", "UnknownKind", "InvalidField"] as const) {
      expect(rej.byTag[tag]).toBe(bad.filter((x) => x[2] === tag).reduce((n, [s]) => n + subscribers(s), 0))
    }
    expect(rej.internalErrors).toBe(0)
    expect(target.rejections.length).toBeGreaterThan(0)
    expect(target.rejections.every((r) => typeof r.error._tag === "string")).toBe(true)
    expect(snapshot(tree)).toEqual(before)
    // and the tree keeps working
    for (let i = 0; i < 3; i++) expect((await tree.round()).exact).toBe(true)
  })

  it("random garbage on every subject never crashes a coordinator or changes the aggregate", async () => {
    const { tree, server, attacker } = await startTree(300, 4)
    expect((await tree.round()).exact).toBe(true)
    const all = [...tree.coordinators()].flatMap((c) => [c.subjects.up, c.subjects.down, c.subjects.lateral])
    const before = snapshot(tree)
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat({ max: all.length - 1 }), fc.uint8Array({ maxLength: 80 })), { maxLength: 30 }), async (msgs) => {
        for (const [i, b] of msgs) attacker.publish(all[i]!, b)
        await server.settle()
        expect(snapshot(tree)).toEqual(before)
      }),
      { numRuns: 100 },
    )
    expect(tree.rejected().internalErrors).toBe(0)
    expect((await tree.round()).exact).toBe(true)
  })
})

describe("coordinator: idempotent re-delivery", () => {
  it("duplicate and re-sent older Up messages do not change the aggregate", async () => {
    const { tree, server, attacker } = await startTree(2000, 8)
    // record every Up as it is published, to replay it later
    const seen: Array<readonly [string, Uint8Array]> = []
    const spy = attacker.subscribe(`h.up.>`, (d, s) => seen.push([s, d.slice()]))
    await attacker.flush()
    expect((await tree.round()).exact).toBe(true)
    const r2 = await tree.round()
    expect(r2.exact).toBe(true)
    await server.settle()
    expect(seen.length).toBe(2 * (tree.topology.total - 1))
    const agg = tree.root.summary
    await spy.unsubscribe()
    // replay everything (old rounds included) twice, in reverse order
    for (let rep = 0; rep < 2; rep++) for (const [s, d] of [...seen].reverse()) attacker.publish(s, d)
    await server.settle()
    let dups = 0
    let stale = 0
    for (const c of tree.coordinators()) {
      dups += c.counters.duplicates
      stale += c.counters.stale
    }
    expect(dups + stale).toBeGreaterThanOrEqual(2 * seen.length)
    expect(tree.rejected().total).toBe(0)
    for (const row of tree.levels.slice(1)) for (const c of row) c.tick()
    expect(summaryEquals(tree.root.summary, agg)).toBe(true)
    expect(summaryEquals(tree.root.summary, tree.agents.directFold())).toBe(true)
    expect((await tree.round()).exact).toBe(true)
  })
})

describe("coordinator: Down broadcast and lateral routing", () => {
  it("the root's Down reaches every coordinator once per epoch, with policy and triggers", async () => {
    const { tree, server } = await startTree(500, 3)
    const policy = encodePolicy(clamp(-9, 87))
    const e = tree.root.broadcast(policy, [1, 2, 3])
    await Promise.all([...tree.coordinators()].map((c) => c.whenEpoch(e)))
    await server.settle()
    for (const c of tree.coordinators()) {
      expect(c.epoch).toBe(e)
      expect(Array.from(c.policy)).toEqual(Array.from(policy))
      expect(c.triggers).toEqual([1, 2, 3])
    }
    const nonLocal = tree.topology.total - tree.topology.perLevel[0]!
    expect(tree.published().Down).toBe(nonLocal)
  })

  // @lean Hydrogen.Scale.roundTripHops_eq
  it("lateral messages reach their destination via the LCA in the route's hop count", async () => {
    const got: Lateral[] = []
    const { tree, server } = await startTree(3000, 6, { onLateral: (m) => got.push(m) })
    const pairs = fc.sample(fc.tuple(fc.nat({ max: 2999 }), fc.nat({ max: 2999 })), { numRuns: 200, seed: 5 })
    let expectedPublishes = 0
    for (const [a, b] of pairs) {
      tree.sendLateral(a, b, Uint8Array.of(a % 256, b % 256))
      const route = lateralRoute(tree.topology, a, b)
      expect(route.hops).toBeLessThanOrEqual(2 * tree.topology.levels)
      expectedPublishes += route.hops - 1 // the last hop (local coordinator → hosted agent) is in memory
    }
    await server.settle()
    await server.settle()
    expect(got.map((m) => [m.fromAgent, m.toAgent]).sort()).toEqual(pairs.map(([a, b]) => [a, b]).sort())
    for (const m of got) expect(Array.from(m.payload)).toEqual([m.fromAgent % 256, m.toAgent % 256])
    expect(tree.published().Lateral).toBe(expectedPublishes)
    expect(tree.rejected().total).toBe(0)
  })

  it("heartbeats from children are recorded; rate clocks tick on their own", async () => {
    const { tree, server } = await startTree(50, 5)
    for (const c of tree.levels[0]!) c.heartbeat(7)
    await server.settle()
    expect(Array.from(tree.levels[1]![0]!.heartbeats)).toEqual(Array(tree.levels[1]![0]!.heartbeats.length).fill(7))
    tree.startClocks({ local: 200, regional: 100, global: 50 })
    const r = await tree.timedRound(5000)
    expect(r.exact).toBe(true)
  })
})

describe("standby replica: a peer's Down is adopted only with a policy the agents could apply", () => {
  it("a Down on its own down subject with a malformed policy is rejected as InvalidField and changes nothing; a valid one is adopted", async () => {
    const { Coordinator } = await import("../../src/Tree/Coordinator.ts")
    const { makeTopology } = await import("../../src/Tree/Topology.ts")
    const server = makeInProcessServer()
    const t = makeTopology(1000, 10) // 100 / 10 / 1
    // a replicated tree's round bounds the epochs a fresh standby adopts (src/Tree/Versions.ts)
    const standby = new Coordinator({ topology: t, id: { level: 2, index: 4 }, transport: server.connect("standby"), role: "standby", watchPeers: true, epochCeiling: () => 3 })
    await standby.start()
    const peer = server.connect("peer")
    const own = subjects(t, { level: 2, index: 4 }).down
    const bad = new Uint8Array([1, 0, 0, 0, 0]) // version 1 but truncated: a clamp needs 9 bytes
    peer.publish(own, encodeMessage({ _tag: "Down", from: { level: 2, index: 4 }, epoch: 3, policy: bad, triggers: [7] }))
    await peer.flush()
    expect(standby.epoch).toBe(0)
    expect(standby.policy.length).toBe(0)
    expect(standby.triggers).toEqual([])
    expect(standby.rejectedByTag.InvalidField).toBe(1)
    const good = encodePolicy(clamp(-5, 5))
    peer.publish(own, encodeMessage({ _tag: "Down", from: { level: 2, index: 4 }, epoch: 3, policy: good, triggers: [7] }))
    await peer.flush()
    expect(standby.epoch).toBe(3)
    expect([...standby.policy]).toEqual([...good])
    expect(standby.triggers).toEqual([7])
    // above the ceiling: rejected as InvalidField epoch, the held Down stays
    peer.publish(own, encodeMessage({ _tag: "Down", from: { level: 2, index: 4 }, epoch: 2 ** 32 - 1, policy: new Uint8Array(0), triggers: [] }))
    await peer.flush()
    expect(standby.epoch).toBe(3)
    expect(standby.counters.versionRejected).toBe(1)
    expect(standby.rejections.at(-1)?.error).toMatchObject({ _tag: "InvalidField", kind: "Down", field: "epoch" })
    await standby.stop()
  })
})
