// The web console in real headless Chromium (Debian's, scripts/chromium/install.sh,
// driven by playwright-core) against a real console session: the embedded
// system, every command signed by the orchestrator and verified by the system.
// A twin session with the same seed that is never frozen says what the
// aggregate must be after thaw: nothing held may be lost or counted twice.
import { writeFile } from "node:fs/promises"
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type ChromiumPage, openChromium } from "../../src/Gpu/Browser.ts"
import { type ConsoleSession, makeConsoleSession } from "../../src/Console/Session.ts"
import type { StatusReport } from "../../src/Console/Status.ts"
import { startWebConsole, type WebConsole } from "../../src/Console/Web.ts"
import { sessionBackend } from "../../src/Console/WebBackend.ts"

const token = "orchestrator-token-for-the-test"
const system = { shape: { sectors: 4, clustersPerSector: 5, agentsPerCluster: 10 }, seed: 7 }

let scope: Scope.Closeable
let session: ConsoleSession
let twin: ConsoleSession
let web: WebConsole
let browser: ChromiumPage

const run = <A, E>(e: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(e)
const status = (s: ConsoleSession): Promise<StatusReport> => run(s.status)
const advance = (s: ConsoleSession, rounds: number) => run(s.run({ _tag: "Advance", rounds }))

beforeAll(async () => {
  scope = await run(Scope.make())
  const open = (o: Parameters<typeof makeConsoleSession>[0]) => run(Scope.provide(scope)(makeConsoleSession(o)))
  session = await open({ system })
  twin = await open({ system })
  web = await startWebConsole(sessionBackend(session), { token, intervalMs: 100 })
  browser = await openChromium(web.url)
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await web?.close()
  if (scope !== undefined) await run(Scope.close(scope, Exit.void))
})

const page = () => browser.page
const text = (selector: string) => page().locator(selector).innerText()
const untilText = async (selector: string, ok: (t: string) => boolean, what: string): Promise<string> => {
  const deadline = Date.now() + 15_000
  for (;;) {
    const t = await text(selector)
    if (ok(t)) return t
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; ${selector} shows ${JSON.stringify(t)}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
/** The value the page shows for `key` in a <dl>. */
const shown = async (dl: string, key: string): Promise<string> =>
  page().locator(`${dl} dt:text-is("${key}") + dd`).innerText()
const digits = (s: string): number => Number(s.replace(/,/g, ""))

describe("web console in Chromium", () => {
  it("loads with no console errors and shows only the login form", async () => {
    await page().locator("#login").waitFor({ state: "visible" })
    expect(await page().locator("#dash").isVisible()).toBe(false)
    expect(browser.consoleErrors()).toEqual([])
  })

  it("without a session, the browser can neither read the status nor freeze the system", async () => {
    // a second tab of the same browser, before any login; its 401s are its own console's
    const other = await page().context().newPage()
    try {
      await other.goto(web.url)
      const answers = await other.evaluate(async () => {
        const post = (body: string) => fetch("/api/command", { method: "POST", headers: { "content-type": "application/json" }, body })
        return [(await fetch("/api/status")).status, (await fetch("/api/events")).status, (await post('{"command":"freeze"}')).status]
      })
      expect(answers).toEqual([401, 401, 401])
    } finally {
      await other.close()
    }
    const s = await status(session)
    expect(s.clusters.frozen).toBe(0)
  })

  it("logs in with the token and shows the live status: the seed's box, aggregate, sectors, breakers", async () => {
    await page().fill("#token", token)
    await page().click("#login-form button")
    await page().locator("#dash").waitFor({ state: "visible" })
    await untilText("#mode", (t) => t === "LIVE", "the LIVE badge")
    const s = await status(session)
    await untilText("#box", (t) => t.includes("MESH STATUS"), "the status box")
    expect(await text("#box")).toContain(`/ ${s.agents.total.toLocaleString("en-US")} active`)
    expect(digits(await shown("#tree", "agents"))).toBe(200)
    expect(await page().locator("#sectors tbody tr").count()).toBe(4)
    expect(await page().locator("#breakers tbody tr").count()).toBe(s.breakers.length)
    // the aggregate follows the system as it moves
    await advance(session, 2)
    const moved = await status(session)
    await untilText("#aggregate dt:text-is('sum') + dd", (t) => digits(t) === moved.aggregate.sum, "the aggregate after 2 rounds")
    expect(browser.consoleErrors()).toEqual([])
  })

  it("a freeze from the page freezes the system: status frozen, reports held, the aggregate still; thaw restores it with nothing lost", async () => {
    await advance(twin, 2) // the twin catches up with the 2 rounds above
    const before = await status(session)
    expect(before.aggregate.sum).toBe((await status(twin)).aggregate.sum)

    await page().fill("#scope", "")
    await page().click("button[data-cmd=freeze]")
    await untilText("#mode", (t) => t === "FROZEN", "the FROZEN badge")
    const frozen = await status(session)
    expect(frozen.clusters.frozen).toBe(frozen.clusters.total)

    // the agents keep reporting; every report is held, none applied, none refused
    await advance(session, 3)
    await advance(twin, 3)
    const held = await status(session)
    expect(held.aggregate.sum).toBe(before.aggregate.sum)
    expect(held.aggregate.held).toBe(3 * held.agents.active)
    expect(held.aggregate.refused).toBe(0)
    await untilText("#aggregate dt:text-is('held (frozen)') + dd", (t) => digits(t) === held.aggregate.held, "the held count")
    expect(digits(await shown("#aggregate", "sum"))).toBe(before.aggregate.sum)
    expect(await text("#replies")).toContain("MESH FROZEN")

    const shot = await page().screenshot({ fullPage: true })
    expect([...shot.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    const out = process.env["CONSOLE_SCREENSHOT"]
    if (out !== undefined && out !== "") await writeFile(out, shot)

    await page().click("button[data-cmd=thaw]")
    await untilText("#mode", (t) => t === "LIVE", "the LIVE badge after thaw")
    const thawed = await status(session)
    expect(thawed.clusters.frozen).toBe(0)
    expect(thawed.aggregate.held).toBe(0)
    expect(thawed.aggregate.sum).toBe((await status(twin)).aggregate.sum)
    expect(thawed.aggregate.sum).toBeGreaterThan(before.aggregate.sum)
    expect(await text("#replies")).toContain("MESH THAWED")
    // both commands came from the page signed by the orchestrator and were verified, none refused
    const counters = await run(session.counters)
    expect(counters.badCommand + counters.notOrchestrator).toBe(0)
    expect(browser.consoleErrors()).toEqual([])
  })

  it("a conversational line from the page is answered by the console's grammar", async () => {
    await page().fill("#say-line", "what's happening in sector 2?")
    await page().click("button[data-cmd=say]")
    await untilText("#replies", (t) => t.includes("Sector 2 status"), "the sector view")
    expect(browser.consoleErrors()).toEqual([])
  })

  it("logout returns to the login form and the session cookie no longer opens the status", async () => {
    await page().click("#logout")
    await page().locator("#login").waitFor({ state: "visible" })
    const answer = await page().evaluate(async () => (await fetch("/api/session")).json())
    expect(answer).toEqual({ loggedIn: false })
  })
})
