import { describe, expect, it } from "vitest"
import { runMain } from "./run.ts"
import { parseTreeArgs } from "../../src/Cli/Tree.ts"


describe("hydrogen tree --chaos", () => {
  it("parses --chaos (a boolean flag) and refuses it with --clock rates", () => {
    const r = parseTreeArgs(["--agents", "100", "--branching", "4", "--chaos"])
    expect(r.ok && r.value.chaos).toBe(true)
    const bad = parseTreeArgs(["--agents", "100", "--branching", "4", "--chaos", "--clock", "rates"])
    expect(bad.ok).toBe(false)
  })

  for (const transport of ["in-process", "nats"] as const) {
    it(`kills coordinators and cuts subtrees on ${transport}, and reports every recovery (exit 0)`, async () => {
      // Fewer agents on NATS: every replica is its own connection in this one process (3 per position).
      const agents = transport === "nats" ? "100" : "600"
      const r = await runMain(["tree", "--agents", agents, "--branching", "5", "--rounds", "9", "--chaos", "--transport", transport])
      expect(r.err).toBe("")
      expect(r.code).toBe(0)
      expect(r.out).toContain("replicas per position: 3 (1 active + 2 standbys)")
      expect(r.out).toMatch(/faults injected: (\d+) \(\d+ kills, \d+ partitions\); recovered: \1\/\1/)
      expect(r.out).toMatch(/round \d+: kill active L\d+\.\d+ \(term \d+\): detected \d+ ms, takeover \d+ ms after the kill \(term \d+\), exact again after \d+ round\(s\)/)
      // Either a standby took over after healing or, when all replicas were cut together, the leader kept its lease;
      // recovery itself is asserted by "recovered: n/n" above and by "exact again" here.
      expect(r.out).toMatch(/round \d+: partition subtree of L\d+\.\d+: detected \d+ ms, (new leader \d+ ms after healing \(term \d+\)|the leader kept its lease \(no takeover\)), exact again after \d+ round/)
      expect(r.out).toContain("last round exact: yes")
      expect(r.out).toContain("(double counting): never")
    })
  }
})
