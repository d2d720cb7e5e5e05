import { describe, expect, it } from "vitest"
import { type AgentLevel, type Kinds, type Level, zeroKinds } from "../../src/Tree/Level.ts"
import { clamp, encodePolicy } from "../../src/Tree/Policy.ts"
import { driveRound, driveRounds, type RoundConfig, type RootView } from "../../src/Tree/Round.ts"
import { type Summary, summaryEmpty, summaryOfValue } from "../../src/Tree/Summary.ts"

// The round driver over scripted levels (no bus): what it calls, in which order, and what it reports.

interface Script {
  readonly log: string[]
  readonly root: { summary: Summary; summaryEpoch: number }
  reconnectAt: number
  epoch: number
}

const scriptedLevel = (name: string, s: Script, opts: { readonly publishes?: Partial<Kinds>; readonly coalesces?: number; readonly hold?: boolean } = {}): Level => {
  const published = zeroKinds()
  let coalesced = 0
  return {
    waiting: (epoch) => `${name} at ${epoch}`,
    advance: (epoch) => {
      s.log.push(`${name}.advance(${epoch})`)
      published.Up += opts.publishes?.Up ?? 0
      published.Down += opts.publishes?.Down ?? 0
      coalesced += opts.coalesces ?? 0
      // a level that holds its round: never resolves (a lost message)
      return opts.hold === true ? new Promise(() => undefined) : Promise.resolve()
    },
    published: () => published,
    coalesced: () => coalesced,
    resendDowns: () => void s.log.push(`${name}.resendDowns`),
    resendUps: () => void s.log.push(`${name}.resendUps`),
  }
}

const scriptedAgents = (s: Script): AgentLevel => ({
  ...scriptedLevel("agents", s, { publishes: { Up: 3 }, coalesces: 2 }),
  whenDown: (epoch) => (s.log.push(`agents.whenDown(${epoch})`), Promise.resolve()),
  updateAgents: (epoch) => void s.log.push(`agents.update(${epoch})`),
  triggersDelivered: 0,
})

const configOf = (s: Script, above: ReadonlyArray<Level>, extra: Partial<RoundConfig> = {}): RoundConfig => ({
  agentCount: 5,
  agents: scriptedAgents(s),
  above,
  start: (policy, triggers) => {
    s.epoch++
    s.log.push(`start(${s.epoch}, policy ${policy.length} bytes, triggers ${triggers.join(",")})`)
    return s.epoch
  },
  root: (): RootView => s.root,
  expected: () => summaryOfValue(7),
  provenance: (epoch, policy) => ({
    root: { epoch, policy: Buffer.from(policy).toString("hex") },
    runs: [],
    runsOmitted: 0,
    divergentLocals: 0,
    divergentAgents: 0,
    senderMismatches: undefined,
    faithful: true,
  }),
  lastReconnectAt: () => s.reconnectAt,
  ...extra,
})

const script = (): Script => ({ log: [], root: { summary: summaryEmpty, summaryEpoch: 0 }, reconnectAt: Number.NEGATIVE_INFINITY, epoch: 0 })

describe("driveRound over scripted levels", () => {
  it("starts the round with the encoded policy and triggers, waits for the Down, updates the agents, then advances each level bottom-up", async () => {
    const s = script()
    const above = [scriptedLevel("row2", s, { publishes: { Up: 1 } }), scriptedLevel("row3", s)]
    s.root.summary = summaryOfValue(7)
    s.root.summaryEpoch = 1
    const r = await driveRound(configOf(s, above), 1_000, { policy: clamp(-1, 1), triggers: [4, 5] })
    expect(s.log).toEqual([
      `start(1, policy ${encodePolicy(clamp(-1, 1)).length} bytes, triggers 4,5)`,
      "agents.whenDown(1)",
      "agents.update(1)",
      "agents.advance(1)",
      "row2.advance(1)",
      "row3.advance(1)",
    ])
    expect(r.round).toBe(1)
    expect(r.provenance.root).toEqual({ epoch: 1, policy: Buffer.from(encodePolicy(clamp(-1, 1))).toString("hex") })
  })

  it("counts the round's publishes over every level (and what no level made), less what batching saved", async () => {
    const s = script()
    const cfg = configOf(s, [scriptedLevel("row2", s, { publishes: { Up: 1, Down: 2 } })], { unowned: () => ({ Lateral: 0 }) })
    const first = await driveRound(cfg, 1_000)
    const second = await driveRound(cfg, 1_000)
    for (const r of [first, second]) {
      // per round: agents 3 Ups (2 saved by batching), row 1 Up and 2 Downs
      expect(r.published).toEqual({ Up: 4, Down: 2, Heartbeat: 0, Lateral: 0 })
      expect(r.messages).toBe(6)
      expect(r.busPublishes).toBe(4)
      expect(r.aggregationMessages).toBe(5 + 4)
    }
  })

  it("exact only when the root's summary equals the direct fold and covers the round", async () => {
    const s = script()
    const cfg = configOf(s, [])
    s.root.summary = summaryOfValue(7)
    s.root.summaryEpoch = 0 // equal but from an earlier round
    expect((await driveRound(cfg, 1_000)).exact).toBe(false)
    s.root.summaryEpoch = 2
    expect((await driveRound(cfg, 1_000)).exact).toBe(true)
    s.root.summary = summaryOfValue(8)
    s.root.summaryEpoch = 3
    const r = await driveRound(cfg, 1_000)
    expect(r.exact).toBe(false)
    expect(r.aggregate).toEqual(summaryOfValue(8))
    expect(r.expected).toEqual(summaryOfValue(7))
  })

  it("a level that never finishes fails the round with an error naming what it waited for", async () => {
    const s = script()
    const cfg = configOf(s, [scriptedLevel("row2", s, { hold: true })])
    await expect(driveRound(cfg, 50)).rejects.toThrow("timed out after 50 ms waiting for row2 at 1")
  })

  it("with lateIsInexact a late round ends inexact instead of failing the run", async () => {
    const s = script()
    s.root.summary = summaryOfValue(1)
    const cfg = configOf(s, [scriptedLevel("row2", s, { hold: true })], { lateIsInexact: true })
    const r = await driveRound(cfg, 50)
    expect(r.exact).toBe(false)
  })

  it("a run's failure ends the wait at once with that failure", async () => {
    const s = script()
    const failed = Promise.reject(new Error("process L2 exited early"))
    failed.catch(() => undefined)
    const cfg = configOf(s, [scriptedLevel("row2", s, { hold: true })], { failed: failed as Promise<never> })
    await expect(driveRound(cfg, 60_000)).rejects.toThrow("process L2 exited early")
  })

  it("after a reconnect while it waits, every level re-sends its Downs, then every level its Ups", async () => {
    const s = script()
    let resends = 0
    const cfg = configOf(s, [scriptedLevel("row2", s, { hold: true })], { lateIsInexact: true, onResend: () => void resends++ })
    s.reconnectAt = performance.now()
    await driveRound(cfg, 400) // the first re-send comes after 250 ms
    expect(resends).toBeGreaterThanOrEqual(1)
    const i = s.log.indexOf("agents.resendDowns")
    expect(s.log.slice(i, i + 4)).toEqual(["agents.resendDowns", "row2.resendDowns", "agents.resendUps", "row2.resendUps"])
  })

  it("without a reconnect nothing is re-sent", async () => {
    const s = script()
    await driveRound(configOf(s, [scriptedLevel("row2", s, { hold: true })], { lateIsInexact: true }), 400)
    expect(s.log.filter((x) => x.includes("resend"))).toEqual([])
  })

  it("with resendWhenStalledMs, a wait that stalls that long re-sends with no reconnect (a message lost on an at-most-once bus)", async () => {
    const s = script()
    let resends = 0
    const cfg = configOf(s, [scriptedLevel("row2", s, { hold: true })], { lateIsInexact: true, resendWhenStalledMs: 200, onResend: () => void resends++ })
    await driveRound(cfg, 700) // ticks at 250 and 750 ms: the first is past the 200 ms stall
    expect(resends).toBeGreaterThanOrEqual(1)
    const i = s.log.indexOf("agents.resendDowns")
    expect(s.log.slice(i, i + 4)).toEqual(["agents.resendDowns", "row2.resendDowns", "agents.resendUps", "row2.resendUps"])
  })

  it("with resendWhenStalledMs, a wait shorter than the stall re-sends nothing", async () => {
    const s = script()
    await driveRound(configOf(s, [scriptedLevel("row2", s, { hold: true })], { lateIsInexact: true, resendWhenStalledMs: 5_000 }), 600)
    expect(s.log.filter((x) => x.includes("resend"))).toEqual([])
  })

  it("driveRounds asks policyFor / triggersFor for each round's epoch and reports every round", async () => {
    const s = script()
    const seen: number[] = []
    const rs = await driveRounds(configOf(s, []), () => s.epoch + 1, {
      rounds: 3,
      policyFor: (round) => (seen.push(round), clamp(-round, round)),
      triggersFor: (round) => [round * 10],
    })
    expect(seen).toEqual([1, 2, 3])
    expect(rs.map((r) => r.round)).toEqual([1, 2, 3])
    expect(s.log.filter((x) => x.startsWith("start"))).toEqual([1, 2, 3].map((e) => `start(${e}, policy ${encodePolicy(clamp(-e, e)).length} bytes, triggers ${e * 10})`))
  })
})
