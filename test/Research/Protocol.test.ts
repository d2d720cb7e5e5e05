/**
 * The scatter-gather protocol on a real temp corpus: built-in researchers
 * grep and read real files through the sandbox; Byzantine ones hang, crash,
 * fabricate, collude and waver. The expected claims follow from the corpus
 * written here (one line answers the Freedonia question; two lines answer the
 * port question equally well, so honest researchers split until SPIRAL).
 */
import { Effect } from "effect"
import fc from "fast-check"
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type MissionOptions, type Outcome, spiral } from "../../src/Research/Protocol.ts"
import { byzantine, corpusResearcher, type Researcher } from "../../src/Research/Researcher.ts"
import { kvSignalStore, memorySignalStore } from "../../src/Research/Stigmergy.ts"
import { connectNats } from "../../src/Net/Nats.ts"
import { startNatsServer } from "../../src/Net/NatsServer.ts"

let root: string
const truth = "the capital of freedonia is marlow"
const lie = "The capital of Freedonia is Sylvania."
const capital = "What is the capital of Freedonia?"

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "hydrogen-protocol-"))
  await mkdir(join(root, "facts"), { recursive: true })
  await mkdir(join(root, "notes"), { recursive: true })
  await writeFile(join(root, "README.md"), "# Corpus\nA small corpus for the protocol tests.\n")
  await writeFile(join(root, "facts/geo.md"), ["# Geography", "Freedonia exports cheese.", "The capital of Freedonia is Marlow.", "Sylvania borders it to the north."].join("\n") + "\n")
  await writeFile(join(root, "notes/ports.md"), ["The port of Marlow is busy.", "The coordinator port is 4222.", "Rumour: the coordinator port is 6222.", ""].join("\n"))
})
afterAll(() => rm(root, { recursive: true, force: true }))

const opts = (over: Partial<MissionOptions> = {}): MissionOptions => ({ root, f: 3, timeoutMs: 8_000, maxRounds: 3, ...over })
const honest = (k: number, from = 0): Researcher[] => Array.from({ length: k }, (_, i) => corpusResearcher(`h${from + i}`, from + i))
const run = <A, E>(e: Effect.Effect<A, E>) => Effect.runPromise(e)
const tagOf = (outcomes: ReadonlyArray<Outcome>, id: string) => outcomes.find((o) => o.researcher === id)?._tag

describe("research protocol: SCATTER / GATHER", () => {
  it("ten honest researchers agree on the corpus's answer with a valid citation: HIGH", async () => {
    const m = await run(spiral(honest(10), capital, opts()))
    expect(m.converged).toBe(true)
    expect(m.rounds).toHaveLength(1)
    expect(m.level).toBe("high")
    expect(m.agreed?.claim).toBe(truth)
    expect(m.agreed?.supporters).toHaveLength(10)
    expect(m.agreed?.evidence[0]).toEqual({ path: "facts/geo.md", line: 3, quote: "The capital of Freedonia is Marlow." })
    // Each really used the tools: one grep_search and one read_file.
    for (const o of m.rounds[0]!.outcomes) expect(o.toolCalls).toBe(2)
  }, 60_000)

  it("3 of 10 colluding on a false claim (valid citations): the true claim reaches quorum 7, the false one never HIGH", async () => {
    const team = [...honest(7), ...[0, 1, 2].map((i) => byzantine.colludes(`c${i}`, lie))]
    const m = await run(spiral(team, capital, opts()))
    const r = m.rounds[0]!
    expect(r.quorum).toMatchObject({ _tag: "QuorumPlan", n: 10, f: 3, q: 7 })
    expect(r.flagged).toEqual([]) // their citations are real: only the quorum stops them
    expect(r.tallies.map((t) => [t.claim, t.supporters.length])).toEqual([[truth, 7], ["the capital of freedonia is sylvania", 3]])
    expect(m.agreed?.claim).toBe(truth)
    expect(m.level).toBe("high")
    for (const round of m.rounds) expect(round.agreed?.claim).not.toBe("the capital of freedonia is sylvania")
  }, 60_000)

  it("4 of 10 colluding with f = 3: no claim reaches 7, so no consensus at all — LOW with the tallies, never a fake one", async () => {
    const team = [...honest(6), ...[0, 1, 2, 3].map((i) => byzantine.colludes(`c${i}`, lie))]
    const m = await run(spiral(team, capital, opts({ maxRounds: 2 })))
    expect(m.converged).toBe(false)
    expect(m.agreed).toBeUndefined()
    expect(m.level).toBe("low")
    expect(m.rounds).toHaveLength(2)
    for (const r of m.rounds) {
      expect(r.agreed).toBeUndefined()
      expect(r.level).toBe("medium") // 6/10 for the truth: the seed's MEDIUM band, not HIGH
    }
    expect(m.divergence?.reason).toBe("after 2 round(s) the leading claim had 6 of the 7 needed")
    expect(m.divergence?.support).toEqual([
      { claim: truth, perRound: [6, 6] },
      { claim: "the capital of freedonia is sylvania", perRound: [4, 4] },
    ])
  }, 60_000)

  it("declaring f = 4 of 10: quorum impossible (n < 3f + 1 = 13), said after one round, even with every researcher honest", async () => {
    const m = await run(spiral(honest(10), capital, opts({ f: 4 })))
    expect(m.rounds).toHaveLength(1)
    expect(m.rounds[0]!.quorum).toEqual({ _tag: "QuorumImpossible", n: 10, f: 4, needed: 13 })
    expect(m.converged).toBe(false)
    expect(m.level).toBe("low")
    expect(m.divergence?.reason).toBe("no quorum exists: n = 10 < 3f + 1 = 13")
  }, 60_000)

  it("Property 2: researchers that hang, throw or die never change the others' answers", async () => {
    const clean = await run(spiral(honest(7), capital, opts({ f: 2 })))
    const team = [...honest(7), byzantine.hangs("x-hang"), byzantine.throws("x-throw"), byzantine.dies("x-die")]
    const m = await run(spiral(team, capital, opts({ timeoutMs: 5_000 })))
    const r = m.rounds[0]!
    expect(tagOf(r.outcomes, "x-hang")).toBe("TimedOut")
    expect(tagOf(r.outcomes, "x-throw")).toBe("Crashed")
    expect(tagOf(r.outcomes, "x-die")).toBe("Crashed")
    const answers = (os: ReadonlyArray<Outcome>) => os.filter((o) => o.researcher.startsWith("h"))
    expect(answers(r.outcomes)).toEqual(answers(clean.rounds[0]!.outcomes))
    // Three silent of ten is within f = 3: the seven still make the quorum.
    expect(m.agreed?.supporters).toHaveLength(7)
    expect(m.level).toBe("high")
  }, 60_000)

  it("any ≤ 3 colluders among 10, with any crashes or fabricators beside them: the false claim is never agreed; 7+ honest always agree", async () => {
    const kinds = ["throws", "dies", "fabricates", "garbles", "inconsistent"] as const
    const arb = fc.record({
      colluders: fc.integer({ min: 0, max: 3 }),
      others: fc.array(fc.constantFrom(...kinds), { maxLength: 4 }),
      order: fc.array(fc.nat(), { minLength: 10, maxLength: 10 }),
    })
    await fc.assert(fc.asyncProperty(arb, async ({ colluders, others, order }) => {
      const bad: Researcher[] = [
        ...Array.from({ length: colluders }, (_, i) => byzantine.colludes(`c${i}`, lie)),
        ...others.map((k, i) => (k === "fabricates" ? byzantine.fabricates(`b${i}`, lie) : byzantine[k](`b${i}`))),
      ]
      const good = honest(10 - bad.length)
      // Shuffle by the generated keys: position in the roster must not matter.
      const team = [...good, ...bad].map((r, i) => [order[i]!, i, r] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((x) => x[2])
      const m = await run(spiral(team, capital, opts({ maxRounds: 1 })))
      expect(m.agreed?.claim).not.toBe("the capital of freedonia is sylvania")
      if (m.level === "high") expect(m.agreed?.claim).toBe(truth)
      if (good.length >= 7) expect(m.agreed?.claim).toBe(truth)
      else expect(m.agreed).toBeUndefined()
    }), { numRuns: 8 })
  }, 120_000)

  it("fabricated citations are flagged and excluded; a garbled answer is refused naming the field", async () => {
    const team = [...honest(7), byzantine.fabricates("liar", lie), byzantine.garbles("junk"), byzantine.fabricates("liar2", lie)]
    const m = await run(spiral(team, capital, opts()))
    const r = m.rounds[0]!
    expect([...r.flagged].sort()).toEqual(["liar", "liar2"])
    expect(r.rates.find((x) => x.researcher === "liar")).toMatchObject({ total: 2, hallucinated: 2, flagged: true })
    expect(r.hallucinations.map((h) => h.check.verdict).sort()).toEqual(["line-out-of-range", "line-out-of-range", "missing", "missing"])
    expect(r.outcomes.find((o) => o.researcher === "junk")).toMatchObject({ _tag: "Malformed", field: "claim" })
    expect(r.tallies.map((t) => t.claim)).toEqual([truth])
    expect(m.level).toBe("high")
  }, 60_000)
})

describe("research protocol: SPIRAL", () => {
  it("an ambiguous corpus splits round 1; the digest brings round 2 to HIGH", async () => {
    const m = await run(spiral(honest(10), "Which port does the coordinator use?", opts()))
    expect(m.rounds).toHaveLength(2)
    expect(m.rounds[0]!.agreed).toBeUndefined()
    expect(m.rounds[0]!.tallies.map((t) => t.supporters.length)).toEqual([5, 5])
    expect(m.converged).toBe(true)
    // The digest leads with the first of the tied claims in claim order ("rumour: …" < "the …"), and all adopt it.
    expect(m.agreed?.claim).toBe("rumour: the coordinator port is 6222")
    expect(m.agreed?.supporters).toHaveLength(10)
    expect(m.level).toBe("high")
  }, 60_000)

  it("stops within maxRounds when researchers never settle, and returns LOW with a divergence analysis", async () => {
    const team = [...honest(5), ...[0, 1, 2, 3, 4].map((i) => byzantine.inconsistent(`w${i}`))]
    const m = await run(spiral(team, capital, opts({ maxRounds: 3 })))
    expect(m.rounds).toHaveLength(3)
    expect(m.converged).toBe(false)
    expect(m.level).toBe("low")
    expect([...m.divergence!.unstable].sort()).toEqual(["w0", "w1", "w2", "w3", "w4"])
    expect(m.divergence!.support.find((s) => s.claim === truth)?.perRound).toEqual([5, 5, 5])
    expect(m.divergence!.reason).toBe("after 3 round(s) the leading claim had 5 of the 7 needed")
  }, 60_000)

  it("stigmergy: each answer leaves its confidence, a round without quorum leaves an alert; both fade at the TTL", async () => {
    let now = 1_000_000
    const store = memorySignalStore(60_000, () => now)
    const team = [...honest(6), ...[0, 1, 2, 3].map((i) => byzantine.colludes(`c${i}`, lie)), byzantine.throws("x")]
    const m = await run(spiral(team, capital, opts({ maxRounds: 1, signals: { store, topic: "m1" } })))
    expect(m.agreed).toBeUndefined()
    // Ten answered (the crashed one left nothing), all at confidence 1 (honest: 2 of 2 keywords; colluders claim 1).
    expect(m.rounds[0]!.confidence).toEqual({ live: 10, mean: 1 })
    expect((await run(store.sense("m1-alerts"))).map((s) => s.researcher)).toEqual(["coordinator"])
    now += 30_000
    expect((await run(store.sense("m1-confidence")))[0]!.current).toBeCloseTo(0.5, 12)
    now += 30_000
    expect(await run(store.sense("m1-confidence"))).toEqual([])
    expect(await run(store.sense("m1-alerts"))).toEqual([])
  }, 60_000)

  it("stigmergy on a real nats-server: the mission's signals, written by its client, are read by another client", async () => {
    const server = await startNatsServer({ jetstream: true })
    const a = await connectNats({ servers: server.url, name: "mission" })
    const b = await connectNats({ servers: server.url, name: "observer" })
    try {
      const ttlMs = 60_000
      const team = [...honest(6), ...[0, 1, 2, 3].map((i) => byzantine.colludes(`c${i}`, lie))]
      const signals = { store: kvSignalStore(await a.kv("research_signals", { ttlMs }), ttlMs), topic: "m2" }
      await run(spiral(team, capital, opts({ maxRounds: 1, signals })))
      const observer = kvSignalStore(await b.kv("research_signals", { ttlMs }), ttlMs)
      expect((await run(observer.sense("m2-alerts"))).map((s) => s.researcher)).toEqual(["coordinator"])
      expect((await run(observer.sense("m2-confidence"))).map((s) => s.researcher).sort()).toEqual(["c0", "c1", "c2", "c3", "h0", "h1", "h2", "h3", "h4", "h5"])
    } finally {
      await a.close()
      await b.close()
      await server.stop()
    }
  }, 60_000)

  it("refuses out-of-range mission settings, naming the field", async () => {
    const bad = await run(Effect.flip(spiral(honest(3), capital, opts({ f: 0, maxRounds: 0 }))))
    expect(bad).toMatchObject({ _tag: "BadMission", field: "maxRounds" })
    const bad2 = await run(Effect.flip(spiral(honest(3), capital, opts({ f: 0, timeoutMs: 1.5 }))))
    expect(bad2).toMatchObject({ _tag: "BadMission", field: "timeoutMs" })
  })
})
