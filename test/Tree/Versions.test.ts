// Version inflation (issue 15): a single message with an epoch, seq or term at
// 2^32 − 1 must not freeze a child's slot or a subtree's policy. Forged bytes
// are published mid-run on the real bus paths (in-process bus and a real
// nats-server); the tree must stay exact and the rejections be counted.
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { makeInProcessServer } from "../../src/Net/InProcess.ts"
import { connectNats } from "../../src/Net/Nats.ts"
import { startNatsServer } from "../../src/Net/NatsServer.ts"
import type { Transport } from "../../src/Net/Transport.ts"
import { encodeMessage } from "../../src/Tree/Messages.ts"
import { runTreeMultiProcess } from "../../src/Tree/Process.ts"
import { clamp, encodePolicy } from "../../src/Tree/Policy.ts"
import { CoordinatorTree } from "../../src/Tree/CoordinatorTree.ts"
import { summaryOfValue } from "../../src/Tree/Summary.ts"
import { subjects } from "../../src/Tree/Topology.ts"
import { provenanceOfLocals } from "../../src/Tree/Provenance.ts"
import { isNewer, SEQ_WINDOW, upVersionProblem } from "../../src/Tree/Versions.ts"

const max = 2 ** 32 - 1
const u32 = fc.nat({ max })

describe("version bounds (src/Tree/Versions.ts)", () => {
  it("an Up that is not newer than the kept version is never a version problem (it changes nothing)", () => {
    fc.assert(
      fc.property(u32, u32, u32, u32, u32, u32, u32, (kt, ke, ks, t, e, s, ceiling) => {
        if (!isNewer(true, kt, ke, ks, t, e, s)) expect(upVersionProblem(true, kt, ke, ks, t, e, s, ceiling, false)).toBeUndefined()
      }),
    )
  })

  it("an adopted Up has epoch ≤ the ceiling, seq within the window of the kept one (same term), and an allowed term", () => {
    fc.assert(
      fc.property(fc.boolean(), u32, u32, u32, u32, u32, u32, u32, fc.boolean(), (present, kt, ke, ks, t, e, s, ceiling, allowed) => {
        const p = upVersionProblem(present, kt, ke, ks, t, e, s, ceiling, allowed)
        if (p === undefined && isNewer(present, kt, ke, ks, t, e, s)) {
          expect(e).toBeLessThanOrEqual(ceiling)
          if (present && t === kt) expect(s).toBeLessThanOrEqual(ks + SEQ_WINDOW)
          expect(allowed).toBe(true)
        }
        if (p !== undefined) expect(["epoch", "seq", "term"]).toContain(p.field)
      }),
    )
  })
})

/** Forged messages against a 1000-agent, k = 10 tree (100 / 10 / 1) after round 1; how many rejections each causes. */
const forge = (tree: CoordinatorTree, attacker: Transport): number => {
  const t = tree.topology
  const l23 = { level: 2, index: 3 }
  const up = (epoch: number, seq: number, term?: number) =>
    encodeMessage({ _tag: "Up", from: { level: 1, index: 30 }, epoch, seq, summary: summaryOfValue(1e6), ...(term === undefined ? {} : { term }) })
  const sent: Array<readonly [string, Uint8Array, number]> = [
    [subjects(t, l23).up, up(max, 1), 1], // epoch 2^32 − 1 from a real child: the slot would hold it for ever
    [subjects(t, l23).up, up(1, max), 1], // seq 2^32 − 1 at the current epoch
    [subjects(t, l23).up, up(1, 5, max), 1], // a term in an unreplicated tree
    [subjects(t, l23).up, encodeMessage({ _tag: "UpBatch", from: { level: 1, index: 31 }, ups: [{ index: 31, epoch: max, seq: 9, summary: summaryOfValue(7) }] }), 1],
    // Downs at 2^32 − 1: every later Down would be stale, the subtree's policy frozen
    [subjects(t, l23).down, encodeMessage({ _tag: "Down", from: l23, epoch: max, policy: encodePolicy(clamp(0, 0)), triggers: [] }), 10], // its 10 locals
    [subjects(t, { level: 3, index: 0 }).down, encodeMessage({ _tag: "Down", from: { level: 3, index: 0 }, epoch: max, policy: new Uint8Array(0), triggers: [] }), 10], // all 10 of level 2
  ]
  let n = 0
  for (const [subject, bytes, count] of sent) {
    attacker.publish(subject, bytes)
    n += count
  }
  return n
}

const afterForgery = async (tree: CoordinatorTree, attacker: Transport, settle: () => Promise<void>) => {
  expect((await tree.round()).exact).toBe(true)
  const before = tree.rejected()
  const expected = forge(tree, attacker)
  await attacker.flush()
  await settle()
  const after = tree.rejected()
  expect(after.versionRejected - before.versionRejected).toBe(expected)
  expect((after.byTag.InvalidField ?? 0) - (before.byTag.InvalidField ?? 0)).toBe(expected)
  // later rounds: every Down adopted (epochs move on), every slot follows its child, exact every round
  for (let r = 0; r < 4; r++) {
    const res = await tree.round(10_000, r === 2 ? { policy: clamp(-3, 3) } : {})
    expect(res.exact).toBe(true)
    expect(res.provenance.faithful).toBe(true)
    for (const c of tree.coordinators()) expect(c.epoch).toBe(res.round)
  }
  expect(tree.root.epoch).toBe(5)
}

describe("version inflation on the running tree", () => {
  it("in-process: forged epoch/seq/term at 2^32 − 1 are rejected and counted; the tree stays exact", async () => {
    const server = makeInProcessServer()
    const tree = await CoordinatorTree.start({ agents: 1000, branching: 10, connect: (name) => server.connect(name), bus: "in-process", seed: 11 })
    try {
      await afterForgery(tree, server.connect("attacker"), () => server.settle())
    } finally {
      await tree.stop()
    }
  })

  // Needs nats-server (installed by `make setup-nats`).
  it("on a real nats-server: the same forged bytes mid-run are rejected and counted; the tree stays exact", async () => {
    const nats = await startNatsServer({ jetstream: false })
    const attacker = await connectNats({ servers: nats.url, name: "attacker" })
    let tree: CoordinatorTree | undefined
    try {
      tree = await CoordinatorTree.start({ agents: 1000, branching: 10, connect: (name) => connectNats({ servers: nats.url, name }), seed: 12 })
      const receivers = tree.transports
      await afterForgery(tree, attacker, async () => {
        // every client has had the attacker's messages once its own round trip to the server is done
        await Promise.all(receivers.map((r) => r.flush()))
        await new Promise((r) => setTimeout(r, 50))
      })
    } finally {
      await tree?.stop()
      await attacker.close()
      await nats.stop()
    }
  })
})

describe("version inflation in the multi-process mode", () => {
  // Needs nats-server (installed by `make setup-nats`).
  it("forged Up and Downs at 2^32 − 1 mid-run reach coordinator processes and the agents' process; rejected, counted, every round exact", async () => {
    const nats = await startNatsServer({ jetstream: false })
    const attacker = await connectNats({ servers: nats.url, name: "attacker" })
    try {
      const prefix = "mpver"
      const r = await runTreeMultiProcess({
        agents: 2000,
        branching: 5, // 400 / 80 / 16 / 4 / 1
        rounds: 5,
        servers: nats.url,
        prefix,
        onRound: (x) => {
          if (x.round !== 2) return
          const down = (level: number, index: number) =>
            encodeMessage({ _tag: "Down", from: { level, index }, epoch: max, policy: new Uint8Array(0), triggers: [] })
          // L1.30's parent L2.6 (level-2 process): 1
          attacker.publish(`${prefix}.up.2.6`, encodeMessage({ _tag: "Up", from: { level: 1, index: 30 }, epoch: max, seq: 1, summary: summaryOfValue(1e6) }))
          attacker.publish(`${prefix}.down.3.0`, down(3, 0)) // L2.0..4 (level-2 process): 5
          attacker.publish(`${prefix}.down.2.3`, down(2, 3)) // L1.15..19 (the agents' process): 5
        },
      })
      expect(r.rounds).toHaveLength(5)
      expect(r.allExact).toBe(true)
      expect(r.versionRejected).toBe(11)
      for (const x of r.rounds) expect(x.provenance.faithful).toBe(true)
    } finally {
      await attacker.close()
      await nats.stop()
    }
  })
})

describe("policy provenance", () => {
  it("replicated positions: a Down the root did not send, one its sender does not hold, or no active replica is not faithful", () => {
    const none = new Uint8Array(0)
    const clampBytes = encodePolicy(clamp(0, 0))
    const root = { epoch: 4, policy: none }
    const ok = { epoch: 4, policy: none, from: "L2.0", agents: 5, sender: { epoch: 4, policy: none } }
    expect(provenanceOfLocals(root, [ok, ok]).faithful).toBe(true)
    const forged = provenanceOfLocals(root, [ok, { ...ok, policy: clampBytes }, ok, undefined])
    expect(forged.faithful).toBe(false)
    expect(forged.divergentLocals).toBe(2)
    expect(forged.divergentAgents).toBe(5) // the position without a replica hosts nobody's update this round
    expect(forged.senderMismatches).toBe(1)
    expect(forged.runs.map((r) => [r.locals, r.matchesRoot])).toEqual([[1, true], [1, false], [1, true], [1, false]])
  })

  it("a forged Down within the bounds is exact by the fold but visible in the round's provenance", async () => {
    const server = makeInProcessServer()
    const tree = await CoordinatorTree.start({ agents: 1000, branching: 10, connect: (name) => server.connect(name), bus: "in-process", seed: 13 })
    try {
      const first = await tree.round()
      expect(first.provenance.faithful).toBe(true)
      expect(first.provenance.runs).toEqual([{ epoch: 1, policy: first.provenance.root.policy, from: "L2.0", parents: 10, locals: 100, agents: 1000, matchesRoot: true }])
      // the next epoch, claimed by L2.3, on L2.3's down subject: its locals adopt a clamp the root never sent
      const attacker = server.connect("attacker")
      const l23 = { level: 2, index: 3 }
      attacker.publish(subjects(tree.topology, l23).down, encodeMessage({ _tag: "Down", from: l23, epoch: 2, policy: encodePolicy(clamp(0, 0)), triggers: [] }))
      await server.settle()
      const r = await tree.round() // the root's Down 2 is now stale for L2.3's locals
      expect(r.exact).toBe(true) // the direct fold sees the clamped values too
      expect(r.provenance.faithful).toBe(false)
      expect(r.provenance.divergentLocals).toBe(10)
      expect(r.provenance.divergentAgents).toBe(100)
      expect(r.provenance.senderMismatches).toBe(1) // L2.3 itself holds the root's Down, not the clamp
      const forged = r.provenance.runs.find((x) => !x.matchesRoot)
      expect(forged).toMatchObject({ epoch: 2, from: "L2.3", locals: 10 })
      expect(forged!.policy).not.toBe(r.provenance.root.policy)
      // the next round's Down replaces it everywhere
      expect((await tree.round()).provenance.faithful).toBe(true)
    } finally {
      await tree.stop()
    }
  })
})
