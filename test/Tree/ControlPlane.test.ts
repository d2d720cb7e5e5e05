// The multi-process control plane (issue 15): plain JSON on the control
// subjects used to stop, fail or drive a run in under a second. Control
// messages now need the run's token and must come in turn; anything else is
// ignored and counted. Real processes on a real nats-server.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connectNats } from "../../src/Net/Nats.ts"
import { type NatsServerHandle, startNatsServer } from "../../src/Net/NatsServer.ts"
import { acceptControl, controlSubjects, decodeControl, encodeControl, runTreeMultiProcess } from "../../src/Tree/Process.ts"

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe("control messages need the run's token", () => {
  it("acceptControl takes a decoded message only with the same token", () => {
    const token = "00112233445566778899aabbccddeeff"
    const m = { type: "stop", token } as const
    expect(acceptControl(encodeControl(m), token)).toEqual(m)
    expect(acceptControl(encodeControl({ type: "stop" }), token)).toBeUndefined()
    expect(acceptControl(encodeControl({ type: "stop", token: "ffeeddccbbaa99887766554433221100" }), token)).toBeUndefined()
    expect(acceptControl(new TextEncoder().encode("stop"), token)).toBeUndefined()
    // the shape alone still decodes (the token is checked by acceptControl, not by the schema)
    expect(decodeControl(encodeControl({ type: "stop" }))).toEqual({ type: "stop" })
  })
})

// Needs nats-server (installed by `make setup-nats`).
describe("a multi-process run under forged control traffic", () => {
  let server: NatsServerHandle
  beforeAll(async () => {
    server = await startNatsServer({ jetstream: false })
  })
  afterAll(async () => {
    await server.stop()
  })

  it("garbage, tokenless, wrong-token and replayed control messages mid-run are ignored and counted; every round is exact", async () => {
    const prefix = "ctlfuzz"
    const ctl = controlSubjects(prefix)
    const attacker = await connectNats({ servers: server.url, name: "attacker" })
    // a listener on the bus sees the run's messages (and their token: see the limits in src/Tree/Process.ts); it replays round 1
    let captured: Uint8Array | undefined
    attacker.subscribe(ctl.round, (d) => (captured ??= d.slice()))
    await attacker.flush()
    const wrong = "ffffffffffffffffffffffffffffffff"
    const text = (x: unknown) => new TextEncoder().encode(typeof x === "string" ? x : JSON.stringify(x))
    const forged = [
      text("not json at all"),
      text({ type: "stop" }),
      text({ type: "failed", process: `${prefix}-levels-2`, error: "forged failure" }),
      text({ type: "round", epoch: 3 }),
      text({ type: "stop", token: wrong }),
      text({ type: "done", process: `${prefix}-levels-2`, epoch: 2, published: { Up: 0, Down: 0, Heartbeat: 0, Lateral: 0 }, rejected: 0, internalErrors: 0, token: wrong }),
    ]
    const toParent = [ctl.ready, ctl.done, ctl.failed]
    const toChildren = [ctl.round, ctl.stop]
    const pids: number[] = []
    try {
      const r = await runTreeMultiProcess({
        agents: 2000,
        branching: 5, // 400 / 80 / 16 / 4 / 1: four coordinator processes
        rounds: 6,
        servers: server.url,
        prefix,
        onSpawn: (_, pid) => pids.push(pid),
        onRound: (x) => {
          if (x.round !== 2) return
          for (const s of [...toParent, ...toChildren]) for (const b of forged) attacker.publish(s, b)
          attacker.publish(ctl.round, captured!) // round 1 again, with the right token: out of turn
        },
      })
      expect(r.rounds).toHaveLength(6)
      expect(r.allExact).toBe(true)
      expect(r.exactRounds).toBe(6)
      expect(r.processes).toHaveLength(4)
      // the parent ignores what came on its three subjects; each child what came on its two, and the replay
      expect(r.controlRejected).toBe(toParent.length * forged.length + r.processes.length * (toChildren.length * forged.length + 1))
      for (const x of r.rounds) expect(x.provenance.faithful).toBe(true)
    } finally {
      await attacker.close()
    }
    for (const pid of pids) expect(alive(pid)).toBe(false)
  })
})
