/** `hydrogen tree --secure`: the tree over an authenticated, mutual-TLS nats-server (src/Net/Auth.ts). */
import { describe, expect, it } from "vitest"
import { parseTreeArgs } from "../../src/Cli/TreeOptions.ts"
import { runMain } from "./run.ts"

describe("hydrogen tree --secure", () => {
  it("implies NATS and refuses the combinations it cannot secure, one line each", () => {
    const ok = parseTreeArgs(["--agents", "100", "--branching", "4", "--secure"])
    expect(ok).toMatchObject({ ok: true, value: { transport: "nats", secure: true, mode: "single" } })
    const bad = parseTreeArgs(["--agents", "100", "--branching", "4", "--secure", "--transport", "in-process"])
    expect(bad).toEqual({ ok: false, errors: ["--secure needs --transport nats: the in-process bus has no network to secure"] })
    const servers = parseTreeArgs(["--agents", "100", "--branching", "4", "--secure", "--servers", "nats://127.0.0.1:4222"])
    expect(servers.ok ? [] : servers.errors).toContain("--secure starts its own nats-server with the run's certificates and keys; leave out --servers")
    const procs = parseTreeArgs(["--agents", "100", "--branching", "4", "--secure", "--processes"])
    expect(procs).toMatchObject({ ok: true, value: { transport: "nats", secure: true, mode: "processes" } })
    const chaos = parseTreeArgs(["--agents", "100", "--branching", "4", "--secure", "--chaos"])
    expect(chaos).toMatchObject({ ok: true, value: { transport: "nats", secure: true, mode: "chaos" } })
  })

  it("runs a three-level tree over the authenticated TLS server and every round is exact", async () => {
    const r = await runMain(["tree", "--agents", "300", "--branching", "8", "--rounds", "3", "--secure"])
    expect(r.err).toBe("")
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/started nats-server at nats:\/\/127\.0\.0\.1:\d+ \(mutual TLS, NKEY users per tier\)/)
    expect(r.out).toMatch(/transport nats/)
    expect(r.out).toMatch(/coordinators per level: 38 \(local\) \/ 5 .* \/ 1 \(root\)/)
    expect(r.out).toMatch(/rounds whose aggregate equals the direct fold: 3\/3/)
  }, 60_000)

  it("--processes: every process signs with its own key over the authenticated TLS server; every round exact, nothing refused", async () => {
    const r = await runMain(["tree", "--agents", "1000", "--branching", "10", "--rounds", "3", "--processes", "--secure"])
    expect(r.err).toBe("")
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/started nats-server at nats:\/\/127\.0\.0\.1:\d+ \(mutual TLS, NKEY users per tier; JetStream, for the key registry\)/)
    expect(r.out).toMatch(/2 coordinator processes/)
    // per round: 10 UpBatches, 10 Ups to the root, a Down to level 2 and 10 Downs to the locals
    const m = /signatures \(each process its own Ed25519 key[^)]*\): ([\d,]+) sealed messages verified; refused: none/.exec(r.out)
    expect(m).not.toBeNull()
    expect(Number(m![1]!.replace(/,/g, ""))).toBe(3 * (10 + 10 + 1 + 10))
    expect(r.out).toMatch(/rounds whose aggregate equals the direct fold: 3\/3/)
  }, 90_000)

  it("--chaos: every replica signs with its own key; kills and partitions recover, the new leaders' envelopes verify, nothing refused", async () => {
    // a small tree: every replica is a TLS connection of this one process (3 per position), and TLS handshakes are slow on a loaded machine
    const r = await runMain(["tree", "--agents", "50", "--branching", "5", "--rounds", "9", "--chaos", "--secure"])
    expect(r.err).toBe("")
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/\(mutual TLS, NKEY users per tier; JetStream/)
    expect(r.out).toMatch(/faults injected: (\d+) \(\d+ kills, \d+ partitions\); recovered: \1\/\1/)
    expect(r.out).toMatch(/kill active L\d+\.\d+ \(term \d+\): detected \d+ ms, takeover \d+ ms after the kill/)
    expect(r.out).toMatch(/signatures \(each replica its own Ed25519 key[^)]*\): [\d,]+ envelopes verified; refused: none/)
    expect(r.out).toContain("last round exact: yes")
  }, 90_000)
})
