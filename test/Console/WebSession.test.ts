// The web console over real console sessions: the embedded system, and the
// system over a nats-server the session starts on loopback. Every command the
// page's API takes goes to the system signed by the orchestrator; what the
// system refuses comes back as a typed error with its own tag.
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type ConsoleSession, makeConsoleSession } from "../../src/Console/Session.ts"
import { startWebConsole, type WebConsole, type WebStatus } from "../../src/Console/Web.ts"
import { sessionBackend } from "../../src/Console/WebBackend.ts"
import { call, loginCookie } from "./WebHttp.ts"

const token = "a-token-for-the-session-tests"
const system = { shape: { sectors: 4, clustersPerSector: 5, agentsPerCluster: 10 }, seed: 11 }

const run = <A, E>(e: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(e)

interface Rig {
  readonly session: ConsoleSession
  readonly web: WebConsole
  readonly cookie: string
  readonly close: () => Promise<void>
}

const rig = async (bus: "embedded" | "nats"): Promise<Rig> => {
  const scope = await run(Scope.make())
  try {
    const session = await run(Scope.provide(scope)(makeConsoleSession({ bus, system, timeoutMs: 15_000 })))
    const web = await startWebConsole(sessionBackend(session), { token, intervalMs: 100 })
    const cookie = await loginCookie(web.port, token)
    return {
      session,
      web,
      cookie,
      close: async () => {
        await web.close()
        await run(Scope.close(scope, Exit.void))
      },
    }
  } catch (e) {
    await run(Scope.close(scope, Exit.void))
    throw e
  }
}

const command = (r: Rig, body: unknown) => call(r.web.port, "POST", "/api/command", { cookie: r.cookie, body: JSON.stringify(body) })
const pageStatus = async (r: Rig): Promise<WebStatus> => (await call(r.web.port, "GET", "/api/status", { cookie: r.cookie })).json()

describe("web console on the embedded system", () => {
  let r: Rig
  beforeAll(async () => {
    r = await rig("embedded")
  }, 30_000)
  afterAll(async () => {
    await r?.close()
  })

  it("shows the status report's figures: 200 agents in 4 sectors of 5 clusters, nothing frozen", async () => {
    const s = await pageStatus(r)
    const report = await run(r.session.status)
    expect(s.badge).toBe("LIVE")
    expect(s.frozen).toBe(false)
    expect(s.tree["agents"]).toBe(200)
    expect(s.tree["clusters"]).toBe(20)
    expect(s.sectors.map((x) => x["sector"])).toEqual([1, 2, 3, 4])
    expect(s.sectors.reduce((a, x) => a + Number(x["agents"]), 0)).toBe(200)
    expect(s.aggregate["sum"]).toBe(report.aggregate.sum)
    expect(s.breakers.length).toBe(report.clusters.openBreakers)
    expect(s.box).toBe(report.box)
  })

  it("a scope that does not parse is 400 at body.scope; one outside the mesh is the system's ScopeOutOfRange (409)", async () => {
    const bad = await command(r, { command: "freeze", scope: "sector-x" })
    expect(bad.status).toBe(400)
    expect(bad.json().error).toMatchObject({ _tag: "WebBadRequest", where: "body.scope" })
    const badTo = await command(r, { command: "delegate", task: "t", to: "nowhere" })
    expect(badTo.json().error.where).toBe("body.to")
    const out = await command(r, { command: "freeze", scope: "sector-9" })
    expect(out.status).toBe(409)
    expect(out.json().error.message).toMatch(/^ScopeOutOfRange: sector-9 is not in this mesh/)
    expect((await pageStatus(r)).tree["frozen clusters"]).toBe(0)
  })

  it("thaw with nothing frozen is the system's NotFrozen (409); a line the grammar does not take is NotUnderstood (422)", async () => {
    const thaw = await command(r, { command: "thaw" })
    expect(thaw.status).toBe(409)
    expect(thaw.json().error.message).toMatch(/^NotFrozen: /)
    const say = await command(r, { command: "say", line: "sing me a song about quorums" })
    expect(say.status).toBe(422)
    expect(say.json().error.message).toMatch(/^NotUnderstood: I don't understand/)
  })

  it("freezing one sector freezes its 5 clusters only: the badge counts them, sector 2's row shows them", async () => {
    const f = await command(r, { command: "freeze", scope: "sector-2" })
    expect(f.status).toBe(200)
    expect(f.json().reply).toContain("SECTOR 2 FROZEN")
    const s = await pageStatus(r)
    expect(s.badge).toBe("5/20 CLUSTERS FROZEN")
    expect(s.frozen).toBe(false)
    expect(s.sectors.map((x) => x["frozen clusters"])).toEqual([0, 5, 0, 0])
    const t = await command(r, { command: "thaw", scope: "sector-2" })
    expect(t.status).toBe(200)
    expect((await pageStatus(r)).badge).toBe("LIVE")
  })

  it("broadcast, ask and delegate from the page are run by the system", async () => {
    const b = await command(r, { command: "broadcast", message: "Context update: market closed early" })
    expect(b.json().reply).toMatch(/^Broadcast complete: [\d,]+ received, [\d,]+ acknowledged/)
    const a = await command(r, { command: "ask", question: "What's your current context hash?", sample: 10 })
    expect(a.json().reply).toMatch(/^10 responses:/)
    const d = await command(r, { command: "delegate", task: "Analyze Q3 data", to: "sector-3" })
    expect(d.json().reply).toMatch(/^Delegated to agent S3-C\d+-A\d+/)
    const counters = await run(r.session.counters)
    expect(counters.badCommand + counters.notOrchestrator).toBe(0)
  })
})

describe("web console on the system over NATS", () => {
  let r: Rig
  beforeAll(async () => {
    r = await rig("nats")
  }, 60_000)
  afterAll(async () => {
    await r?.close()
  })

  it("a freeze posted to the page freezes the system across the bus; reports are held; thaw applies them", async () => {
    expect(r.session.servers.length).toBeGreaterThan(0)
    const before = await run(r.session.status)
    expect((await command(r, { command: "freeze" })).status).toBe(200)
    const frozen = await run(r.session.status)
    expect(frozen.clusters.frozen).toBe(frozen.clusters.total)
    expect((await pageStatus(r)).badge).toBe("FROZEN")
    await run(r.session.run({ _tag: "Advance", rounds: 2 }))
    const held = await run(r.session.status)
    expect(held.aggregate.sum).toBe(before.aggregate.sum)
    expect(held.aggregate.held).toBe(2 * held.agents.active)
    expect((await command(r, { command: "thaw" })).status).toBe(200)
    const thawed = await run(r.session.status)
    expect(thawed.aggregate.held).toBe(0)
    expect(thawed.clusters.frozen).toBe(0)
    // a twin of the same seed that was never frozen: the thawed sum must equal its
    await run(
      Effect.scoped(
        Effect.gen(function* () {
          const twin = yield* makeConsoleSession({ system })
          yield* twin.run({ _tag: "Advance", rounds: 2 })
          expect((yield* twin.status).aggregate.sum).toBe(thawed.aggregate.sum)
        }),
      ),
    )
    expect(thawed.aggregate.sum).toBeGreaterThan(before.aggregate.sum)
  }, 60_000)
})
