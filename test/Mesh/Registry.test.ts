import { Effect } from "effect"
import * as Result from "effect/Result"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "vitest"
import { makeInProcessServer } from "../../src/Net/InProcess.ts"
import { connectNats } from "../../src/Net/Nats.ts"
import type { Transport } from "../../src/Net/Transport.ts"
import type { AgentImpedanceRecord } from "../../src/Mesh/Impedance.ts"
import { keepFresh, makeImpedanceRegistry, type RegistryReadError, RegistryReplica, schedulingView, targetOf } from "../../src/Mesh/Registry.ts"
import { withNatsServer } from "../Net/helpers.ts"

const rec = (id: string, over: Partial<AgentImpedanceRecord> = {}): AgentImpedanceRecord => ({
  agent_id: id,
  agent_class: "CLASS_B_SERVERLESS",
  sector_id: "S0",
  cluster_id: "S0-C0",
  current_latency_ms: 80,
  current_processing_ms: 50,
  current_queue_depth: 2,
  last_heartbeat: "2026-12-01T07:00:00.000Z",
  impedance_score: 130,
  reliability_score: 0.99,
  drift_coefficient: 0.1,
  operational_state: "active",
  current_context_hash: "abc",
  capabilities: ["api"],
  ...over,
})

const bytes = (s: string) => new TextEncoder().encode(s)
const must = <A, E>(r: Result.Result<A, E>): A => {
  if (Result.isSuccess(r)) return r.success
  throw new Error(`expected success, got ${JSON.stringify(r.failure)}`)
}
const failure = <A, E>(r: Result.Result<A, E>): E => {
  if (Result.isFailure(r)) return r.failure
  throw new Error(`expected failure, got ${JSON.stringify(r.success)}`)
}

/** One body for both buses: `writer` and `reader` are two clients of the same registry bucket. */
const contract = async (writer: Transport, reader: Transport, rogue: Transport) => {
  const w = await makeImpedanceRegistry(writer, "imp")
  const r = await makeImpedanceRegistry(reader, "imp")

  // written by one client, read by another
  const rev1 = must(await w.put(rec("S0-C0-A1")))
  const got = must(await r.get("S0-C0-A1"))
  expect(got?.record).toEqual(rec("S0-C0-A1"))
  expect(got?.revision).toBe(rev1)
  expect(must(await r.get("S0-C0-A2"))).toBeUndefined()

  // compare-and-set: the stale revision loses, the fresh one wins; 0 means "only if absent"
  const rev2 = must(await w.update(rec("S0-C0-A1", { current_queue_depth: 5 }), rev1))
  expect(failure(await r.update(rec("S0-C0-A1", { current_queue_depth: 9 }), rev1))._tag).toBe("RegistryConflict")
  expect(failure(await r.update(rec("S0-C0-A1"), 0))._tag).toBe("RegistryConflict")
  expect(must(await r.get("S0-C0-A1"))).toEqual({ record: rec("S0-C0-A1", { current_queue_depth: 5 }), revision: rev2 })

  // an impossible record is refused before writing, naming its fields; nothing is written
  const bad = failure(await w.put({ ...rec("S0-C0-A3"), impedance_score: 1200, current_queue_depth: -1, last_heartbeat: "yesterday" }))
  expect(bad._tag).toBe("RegistryWriteRefused")
  expect(bad._tag === "RegistryWriteRefused" ? bad.issues.map((i) => i.field).sort() : []).toEqual(["current_queue_depth", "impedance_score", "last_heartbeat"])
  expect(must(await r.get("S0-C0-A3"))).toBeUndefined()
  expect(failure(await w.put(rec("bad key*")))._tag).toBe("RegistryKeyInvalid")

  // bytes another writer left in the bucket are reported with where, never handed on
  const kv = await rogue.kv("imp")
  const junk = await kv.create("S0-C0-A4", bytes("{oops"))
  await kv.create("S0-C0-A5", bytes(JSON.stringify({ ...rec("S0-C0-A5"), reliability_score: 3 })))
  await kv.create("S0-C0-A6", bytes(JSON.stringify(rec("S0-C0-A1"))))
  expect(failure(await r.get("S0-C0-A4"))).toMatchObject({ _tag: "RegistryRecordInvalid", key: "S0-C0-A4", revision: junk })
  const e5 = failure(await r.get("S0-C0-A5"))
  expect(e5._tag === "RegistryRecordInvalid" ? e5.issues.map((i) => i.field) : []).toEqual(["reliability_score"])
  expect(failure(await r.get("S0-C0-A6"))).toMatchObject({ _tag: "RegistryIdMismatch", key: "S0-C0-A6", recordId: "S0-C0-A1" })

  // a sector's replica serves what is valid and reports the rest; the good record is untouched
  const replica = new RegistryReplica(r, ["S0-C0-A1", "S0-C0-A4", "S0-C0-A5", "S0-C0-A6", "S0-C0-A7"])
  const problems = await replica.refresh()
  expect(problems.map((p) => p._tag)).toEqual(["RegistryRecordInvalid", "RegistryRecordInvalid", "RegistryIdMismatch"])
  expect(replica.size).toBe(1)
  expect(replica.read("S0-C0-A1")?.record.current_queue_depth).toBe(5)

  // a removal reaches the replica at its next refresh
  must(await w.remove("S0-C0-A1"))
  expect(replica.read("S0-C0-A1")).toBeDefined()
  await replica.refresh()
  expect(replica.read("S0-C0-A1")).toBeUndefined()
}

describe("impedance registry", () => {
  it("embedded default (in-process bus): replicated reads, compare-and-set, bad records refused, bad bytes reported", async () => {
    const server = makeInProcessServer()
    await contract(server.connect("sector"), server.connect("orchestrator"), server.connect("rogue"))
  })

  it("JetStream KV on a project-started nats-server: the same contract", async () => {
    await withNatsServer(async (server) => {
      const ts = await Promise.all(["sector", "orchestrator", "rogue"].map((name) => connectNats({ servers: server.url, name })))
      try {
        await contract(ts[0]!, ts[1]!, ts[2]!)
      } finally {
        await Promise.all(ts.map((t) => t.close()))
      }
    }, { jetstream: true })
  }, 30_000)

  it("a replica kept fresh every 1 s (TestClock): a write shows after the next refresh, not before; bad bytes reported and dropped", async () => {
    const server = makeInProcessServer()
    const reg = await makeImpedanceRegistry(server.connect("orchestrator"), "imp")
    const rogue = await server.connect("rogue").kv("imp")
    const replica = new RegistryReplica(reg, ["A1"])
    const problems: Array<RegistryReadError> = []
    const settle = Effect.promise(() => new Promise<void>((r) => setTimeout(r, 5)))
    const seen = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          yield* keepFresh(replica, 1000, (p) => problems.push(...p))
          yield* settle
          const before = replica.read("A1")
          must(yield* Effect.promise(() => reg.put(rec("A1"))))
          yield* TestClock.adjust(999)
          yield* settle
          const at999 = replica.read("A1")
          yield* TestClock.adjust(1)
          yield* settle
          const at1000 = replica.read("A1")?.record.agent_id
          const cur = yield* Effect.promise(() => rogue.get("A1"))
          yield* Effect.promise(() => rogue.update("A1", bytes("[]"), cur!.revision))
          yield* TestClock.adjust(1000)
          yield* settle
          return { before, at999, at1000, after: replica.read("A1") }
        }),
      ).pipe(Effect.provide(TestClock.layer())),
    )
    expect(seen).toEqual({ before: undefined, at999: undefined, at1000: "A1", after: undefined })
    expect(problems.map((p) => [p._tag, p.key])).toEqual([["RegistryRecordInvalid", "A1"]])
  })

  it("records become scatter targets: heartbeat as epoch ms; offline and quarantined agents are not targets", () => {
    const addr = { sector: 0, cluster: 0 }
    expect(schedulingView(rec("A"))).toEqual({
      agent_id: "A", agent_class: "CLASS_B_SERVERLESS", current_latency_ms: 80, current_queue_depth: 2,
      last_heartbeat_ms: Date.UTC(2026, 11, 1, 7, 0, 0), reliability_score: 0.99, drift_coefficient: 0.1,
    })
    expect(targetOf(rec("A", { operational_state: "degraded" }), addr)?.impedance.agent_id).toBe("A")
    expect(targetOf(rec("A", { operational_state: "offline" }), addr)).toBeUndefined()
    expect(targetOf(rec("A", { operational_state: "quarantined" }), addr)).toBeUndefined()
  })
})
