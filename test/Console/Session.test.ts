import { Effect } from "effect"
import * as Result from "effect/Result"
import { describe, expect, it } from "vitest"
import { everywhere } from "../../src/Console/Command.ts"
import { hash32, MeshSystem } from "../../src/Console/System.ts"
import { failureOf, withSession } from "./helpers.ts"

const sector = (n: number) => ({ kind: "sector", sector: n }) as const
const shape = { sectors: 10, clustersPerSector: 10, agentsPerCluster: 30 }

describe("console session on the embedded system", () => {
  it("status: the seed's box from the live system; the counts add up", () =>
    withSession({ system: { shape, seed: 1 } }, (s) =>
      Effect.gen(function* () {
        const r = yield* s.status
        expect(r.agents.total).toBe(3_000)
        expect(r.agents.active + r.agents.offline + r.agents.quarantined).toBe(3_000)
        expect(r.sectors.total).toBe(10)
        expect(r.sectors.healthy).toBe(r.sectorRows.filter((x) => x.healthy).length)
        expect(r.clusters.total).toBe(100)
        expect(r.breakers.length).toBe(r.clusters.openBreakers)
        expect(r.sectorRows.reduce((a, x) => a + x.active, 0)).toBe(r.agents.active)
        expect(r.aggregate).toEqual({ sum: 0, round: 0, held: 0, refused: 0 })
        expect(r.box).toContain(`Agents: ${r.agents.active.toLocaleString("en-US")} / 3,000 active`)
        expect(r.box).toContain(`Sectors: ${r.sectors.healthy}/10 healthy`)
        expect(r.box).toContain(`(${r.clusters.openBreakers} breaker`)
        expect(r.box).toContain(`Conflicts: ${r.conflicts}`)
        expect(r.box).toContain("Aggregate: 0 after 0 rounds")
        expect(r.box.split("\n")[0]).toMatch(/^┌─+┐$/)
      })))

  it("advance: every active agent reports 1..5 per round; the aggregate is the live sum", () =>
    withSession({ system: { shape, seed: 2 } }, (s) =>
      Effect.gen(function* () {
        const before = yield* s.status
        const a = yield* s.run({ _tag: "Advance", rounds: 3 })
        expect(a.figures["applied"]).toBe(3 * before.agents.active)
        const after = yield* s.status
        expect(after.aggregate.round).toBe(3)
        expect(after.aggregate.sum).toBe(a.figures["aggregate"])
        expect(after.aggregate.sum).toBeGreaterThanOrEqual(3 * before.agents.active)
        expect(after.aggregate.sum).toBeLessThanOrEqual(15 * before.agents.active)
      })))

  it("status of a sector, route around slow agents and what they are stuck on (the seed's Part 7.2 dialogue)", () =>
    withSession({ system: { shape, seed: 1 } }, (s) =>
      Effect.gen(function* () {
        const v = yield* s.say("What's happening in sector 7?")
        expect(v.text).toContain("Sector 7 status:")
        expect(v.text).toContain("cluster 7-4 has 2 agents with impedance > 500ms")
        const r = yield* s.say("route around slow agents")
        expect(r.figures["avoided"]).toBe(2)
        expect(r.text).toContain("S7-C4-A12 (impedance 847ms)")
        expect(r.text).toContain("S7-C4-A19 (impedance 612ms)")
        expect((yield* s.status).agents.avoided).toBe(2)
        const st = yield* s.say("show me what they're stuck on")
        expect(st.figures["stuck"]).toBe(2)
        expect(st.text).toContain("S7-C4-A12: Process large language model inference request, waiting on GPU memory allocation")
        // a delegation never goes to an avoided agent
        const d = yield* s.run({ _tag: "Delegate", task: "t", to: { kind: "cluster", sector: 7, cluster: 4 } })
        expect(d.text).not.toMatch(/S7-C4-A(12|19)\b/)
        // "Do it": the stuck tasks move to fast, reachable agents; the stuck agents are back to normal
        const done = yield* s.say("Do it")
        expect(done.figures["reassigned"]).toBe(2)
        expect(done.text).toMatch(/^- Process large language model inference request: S7-C4-A12 → (S[0-9]+-C[0-9]+-A[0-9]+) \(impedance [0-9]+ms\)$/m)
        expect(done.text).toContain("S7-C4-A12, S7-C4-A19 restored to normal")
        const after = yield* s.status
        expect(after.agents).toMatchObject({ slow: 0, avoided: 0 })
        expect((yield* s.say("show me what they are stuck on")).figures["stuck"]).toBe(0)
        const asked = yield* s.run({ _tag: "Ask", question: "what are you working on", sample: 3_000, scope: everywhere })
        expect(asked.text).toContain("- 2 agents: Process large language model inference request\n")
        expect(asked.text).toContain("- 1 agent: t\n")
      })))

  it("broadcast reaches every reachable agent and installs its context; ask groups the sampled answers", () =>
    withSession({ system: { shape, seed: 1 } }, (s) =>
      Effect.gen(function* () {
        const st = yield* s.status
        const b = yield* s.run({ _tag: "Broadcast", message: "Market closed early today" })
        // all active agents but those behind the one open cluster breaker (30 agents)
        expect(b.figures["received"]).toBeLessThanOrEqual(st.agents.active)
        expect(b.figures["received"]).toBeGreaterThanOrEqual(st.agents.active - 30)
        expect(b.figures["acknowledged"]! + st.agents.slow).toBeGreaterThanOrEqual(b.figures["received"]!)
        expect(b.text).toContain(`Broadcast complete: ${b.figures["received"]!.toLocaleString("en-US")} received`)
        const a = yield* s.run({ _tag: "Ask", question: "What's your current context hash?", sample: 40, scope: everywhere })
        expect(a.figures["responses"]).toBe(40)
        expect(a.text.split("\n")[0]).toBe("40 responses:")
        const counts = [...a.text.matchAll(/^- ([0-9,]+) agents?: (.*)$/gm)].map((m) => ({ n: Number(m[1]!.replace(/,/g, "")), answer: m[2]! }))
        expect(counts.reduce((x, c) => x + c.n, 0)).toBe(40)
        const hex = hash32("Market closed early today").toString(16).padStart(8, "0")
        expect(counts[0]!.answer).toBe(hex)
      })))

  it("delegate picks an agent in the scope; a scope outside the mesh is ScopeOutOfRange", () =>
    withSession({ system: { shape, seed: 1 } }, (s) =>
      Effect.gen(function* () {
        const d = yield* s.run({ _tag: "Delegate", task: "Analyze Q3 financial data", to: sector(3) })
        expect(d.text).toMatch(/^Delegated to agent S3-C[0-9]+-A[0-9]+ \(impedance [0-9]+ms\)/)
        const e = yield* failureOf(s.run({ _tag: "Delegate", task: "x", to: sector(11) }))
        expect(e).toMatchObject({ _tag: "CommandFailed", tag: "ScopeOutOfRange" })
        yield* s.run({ _tag: "Freeze", scope: sector(3) })
        const f = yield* failureOf(s.run({ _tag: "Delegate", task: "x", to: sector(3) }))
        expect(f).toMatchObject({ _tag: "CommandFailed", tag: "NoAgentAvailable" })
      })))

  it("heal restarts offline agents, syncs quarantined ones, resets slow agents and breakers", () =>
    withSession({ system: { shape, seed: 1 } }, (s) =>
      Effect.gen(function* () {
        const before = yield* s.status
        expect(before.agents.offline + before.agents.quarantined + before.agents.slow + before.clusters.openBreakers).toBeGreaterThan(0)
        const h = yield* s.say("heal everything")
        expect(h.figures["restarted"]).toBe(before.agents.offline)
        expect(h.figures["synced"]).toBe(before.agents.quarantined)
        expect(h.figures["reset"]).toBe(before.clusters.openBreakers)
        const after = yield* s.status
        expect(after.agents.active).toBe(3_000)
        expect(after.clusters.openBreakers).toBe(0)
        expect(after.agents.slow).toBe(0)
        expect(after.sectors.healthy).toBe(10)
        expect(after.mode).toBe("FULL")
      })))

  it("freeze then thaw: aggregate before freeze == restored at thaw; reports during freeze held, then applied: the same sum as a twin never frozen", async () => {
    const script = (freeze: boolean) =>
      withSession({ system: { shape, seed: 9 } }, (s) =>
        Effect.gen(function* () {
          yield* s.run({ _tag: "Advance", rounds: 2 })
          const before = (yield* s.status).aggregate.sum
          let held = 0
          if (freeze) {
            const f = yield* s.run({ _tag: "Freeze", scope: everywhere })
            expect(f.figures["aggregate"]).toBe(before)
            expect(f.text).toContain("MESH FROZEN")
          }
          const a = yield* s.run({ _tag: "Advance", rounds: 3 })
          if (freeze) {
            held = a.figures["held"]!
            const during = yield* s.status
            expect(during.aggregate.sum).toBe(before) // nothing applied while frozen
            expect(during.aggregate.held).toBe(held) // and nothing lost: every report is held
            expect(during.clusters.frozen).toBe(100)
            expect(a.figures["refused"]).toBe(0)
            const t = yield* s.run({ _tag: "Thaw", scope: everywhere })
            expect(t.figures["restored"]).toBe(before)
            expect(t.figures["mismatched"]).toBe(0)
            expect(t.figures["applied"]).toBe(held)
            expect((yield* s.status).aggregate.held).toBe(0)
          }
          return { sum: (yield* s.status).aggregate.sum, held }
        }))
    const [frozen, twin] = [await script(true), await script(false)]
    expect(frozen.held).toBeGreaterThan(0)
    expect(frozen.sum).toBe(twin.sum)
  })

  it("freeze a sector: only its clusters hold; thaw of nothing frozen is NotFrozen", () =>
    withSession({ system: { shape, seed: 1 } }, (s) =>
      Effect.gen(function* () {
        const f = yield* s.say("freeze sector 3")
        expect(f.figures["clusters"]).toBe(10)
        const a = yield* s.run({ _tag: "Advance", rounds: 1 })
        const row = (yield* s.status).sectorRows[2]!
        expect(a.figures["held"]).toBe(row.active)
        expect(row.frozenClusters).toBe(10)
        expect(yield* failureOf(s.run({ _tag: "Thaw", scope: sector(4) }))).toMatchObject({ _tag: "CommandFailed", tag: "NotFrozen" })
        const t = yield* s.say("thaw sector 3")
        expect(t.figures["applied"]).toBe(row.active)
      })))

  it("past the hold bound a report is refused with UpdateRefused and counted, never dropped silently", () => {
    const m = new MeshSystem({ shape: { sectors: 1, clustersPerSector: 1, agentsPerCluster: 4 }, maxHeld: 2 })
    m.freeze([0])
    expect(m.report(0, 1)).toEqual(Result.succeed("held"))
    expect(m.report(1, 1)).toEqual(Result.succeed("held"))
    const r = m.report(2, 5)
    expect(Result.isFailure(r) && r.failure._tag).toBe("UpdateRefused")
    expect(m.refused).toBe(1)
    expect(m.thaw([0]).applied).toBe(2)
    expect(m.aggregate()).toBe(2)
    return withSession({ system: { shape, seed: 1, maxHeld: 100 } }, (s) =>
      Effect.gen(function* () {
        const active = (yield* s.status).agents.active
        yield* s.run({ _tag: "Freeze", scope: everywhere })
        const a = yield* s.run({ _tag: "Advance", rounds: 1 })
        expect(a.figures["held"]).toBe(100)
        expect(a.figures["refused"]).toBe(active - 100)
        expect((yield* s.status).aggregate.refused).toBe(active - 100)
      }))
  })
})
