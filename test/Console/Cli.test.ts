import { describe, expect, it } from "vitest"
import { runMain } from "../Cli/run.ts"

describe("hydrogen console (the real CLI entry)", () => {
  it("no command is status: the seed's box from the live system, signed and verified; exit 0", async () => {
    const r = await runMain(["console"])
    expect(r.err).toBe("")
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/│ Agents: [0-9,]+ \/ 3,000 active \([0-9.]+%\)/)
    expect(r.out).toMatch(/│ Sectors: [0-9]+\/10 healthy/)
    expect(r.out).toMatch(/│ Clusters: 100 \([0-9]+ breakers? open, 0 frozen\)/)
    expect(r.out).toContain("│ Aggregate: 0 after 0 rounds (0 held)")
    expect(r.out).toContain("signed commands: 1 verified")
  })

  it("several commands and conversational lines run in order against one system", async () => {
    const r = await runMain(["console", "freeze sector 3; advance 2; what's the status of sector 3; thaw sector-3; status", "--sectors", "4", "--clusters", "2", "--agents-per-cluster", "5"])
    expect(r.err).toBe("")
    expect(r.code).toBe(0)
    expect(r.out).toContain("> freeze sector-3\nSECTOR 3 FROZEN")
    expect(r.out).toContain("> status sector-3\nSector 3 status:")
    expect(r.out).toContain("2 clusters frozen")
    expect(r.out).toMatch(/> thaw sector-3\nSECTOR 3 THAWED\n2 clusters restored from the snapshot \(0 values differed\)/)
    expect(r.out).toContain("/ 40 active")
    expect(r.out).toContain("signed commands: 5 verified")
  })

  it("the seed's dialogue: what's happening in sector 7, then route around and show what they are stuck on", async () => {
    const r = await runMain(["console", "What's happening in sector 7?; Yeah route around, and show me what they're stuck on"])
    expect(r.err).toBe("")
    expect(r.code).toBe(0)
    expect(r.out).toContain("- Notable: cluster 7-4 has 2 agents with impedance > 500ms")
    expect(r.out).toContain("> route-around all\nRouting updated. Traffic now avoiding:\n- S7-C4-A12 (impedance 847ms)\n- S7-C4-A19 (impedance 612ms)")
    expect(r.out).toContain("> stuck all\nStuck:\n- S7-C4-A12: Process large language model inference request, waiting on GPU memory allocation")
  })

  it("ask takes --sample; delegate takes --to", async () => {
    const a = await runMain(["console", "ask", "what", "are", "you", "working", "on", "--sample", "7"])
    expect(a.code).toBe(0)
    expect(a.out).toMatch(/^7 responses:\n- 7 agents: idle\n/)
    const d = await runMain(["console", "delegate", "Analyze", "Q3", "--to", "cluster-2-3"])
    expect(d.code).toBe(0)
    expect(d.out).toMatch(/^Delegated to agent S2-C3-A[0-9]+ /)
  })

  it("over NATS: --bus nats starts a nats-server on loopback and stops it", async () => {
    const r = await runMain(["console", "status", "--bus", "nats", "--sectors", "2", "--clusters", "2", "--agents-per-cluster", "3"])
    expect(r.err).toBe("")
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/^bus: nats nats:\/\/127\.0\.0\.1:[0-9]+\n/)
    expect(r.out).toContain("/ 12 active")
  })

  it("bad input is exit 2 naming the flag or word, before anything starts", async () => {
    const cases: ReadonlyArray<[ReadonlyArray<string>, RegExp]> = [
      [["delegate", "x"], /--to: required with delegate/],
      [["delegate", "x", "--to", "sector-x"], /--to: expected all, sector-S or cluster-S-C/],
      [["ask", "x", "--sample", "0"], /--sample/],
      [["freeze", "sector-"], /freeze SCOPE: expected all, sector-S or cluster-S-C/],
      [["advance", "lots"], /advance ROUNDS: expected a whole number/],
      [["make", "me", "a", "sandwich"], /I don't understand: "make me a sandwich"\. Try one of:[^]*route around slow agents/],
      [["--bus", "carrier-pigeon"], /--bus/],
      [["--sectors", "1000", "--clusters", "1000", "--agents-per-cluster", "2"], /at most 1,000,000 agents/],
    ]
    for (const [args, err] of cases) {
      const r = await runMain(["console", ...args])
      expect(r.code, args.join(" ")).toBe(2)
      expect(r.err, args.join(" ")).toMatch(err)
      expect(r.out, args.join(" ")).toBe("")
    }
  })

  it("a command the system refuses is exit 1 with its typed error", async () => {
    const r = await runMain(["console", "thaw", "sector-2"])
    expect(r.code).toBe(1)
    expect(r.err).toContain("hydrogen console: NotFrozen: nothing in sector-2 is frozen")
    const o = await runMain(["console", "status", "sector-99"])
    expect(o.code).toBe(1)
    expect(o.err).toContain("ScopeOutOfRange")
  })

  it("help lists the command and its flags", async () => {
    const h = await runMain(["help"])
    expect(h.out).toContain("hydrogen console [COMMAND ...]")
    const c = await runMain(["help", "console"])
    expect(c.code).toBe(0)
    for (const flag of ["--bus", "--servers", "--sample", "--to", "--state-dir", "--seed", "--sectors", "--clusters", "--agents-per-cluster"]) expect(c.out).toContain(flag)
  })
})
