import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { parseMeshSimArgs } from "../../src/Cli/MeshOptions.ts"
import { runMain } from "./run.ts"

const kpiNames = [
  "coordination success rate",
  "arrival window hit rate",
  "impedance prediction accuracy",
  "conflict rate",
  "mesh availability",
  "cascade latency p95",
  "recovery time (cluster failure)",
  "recovery time (sector failure)",
]

describe("hydrogen mesh sim", () => {
  it("defaults are the seed's 30,000 agents in 100 sectors of 10 clusters, virtual clock, seed 1", () => {
    const r = parseMeshSimArgs([])
    expect(r.ok && r.value).toMatchObject({
      shape: { sectors: 100, clustersPerSector: 10, agentsPerCluster: 30 },
      clock: "virtual",
      seed: 1,
      durationS: 1200,
      strategy: "arrival",
      failures: { crash: 0.001, slowClusters: 1, clustersDown: 1, sectorsDown: 1, conflict: 0.002 },
    })
  })

  it("prints every Part 11 KPI with its target and met / NOT met, the modes, the incidents and the §8.2 rates; exit 0", async () => {
    const r = await runMain(["mesh", "sim", "--agents", "600", "--sectors", "5", "--clusters", "4", "--seed", "3"])
    expect(r.err).toBe("")
    expect(r.code).toBe(0)
    expect(r.out).toContain("600 agents = 5 sectors × 4 clusters × 30 agents, seed 3")
    for (const name of kpiNames) expect(r.out).toMatch(new RegExp(`^  ${name.replace(/[()]/g, "\\$&")} .*(met|NOT met|n/a)$`, "m"))
    expect(r.out).toContain("<= 1000 ms")
    expect(r.out).toContain("90 % within 50 ms")
    expect(r.out).toMatch(/modes: 0 s FULL .*DEGRADED_LIGHT/)
    expect(r.out).toMatch(/incident: sector \d down 240 s–480 s; detected \d+ s, restored \d+ s/)
    expect(r.out).toMatch(/heartbeats +[\d,]+\/s \(seed §8\.2: 120\/s\)/)
  })

  it("is deterministic through the command line: the same seed prints the same KPI table", async () => {
    const args = ["mesh", "sim", "--agents", "600", "--sectors", "5", "--clusters", "4", "--duration", "300", "--seed", "9"]
    const table = (out: string) => out.slice(out.indexOf("KPIs"), out.indexOf("per class:"))
    const a = await runMain(args)
    const b = await runMain(args)
    expect(table(b.out)).toBe(table(a.out))
    expect(table(a.out)).toContain("coordination success rate")
  })

  it("--conflict-log appends the run's conflicts to a durable log and says how many it holds", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mesh-cli-log-"))
    try {
      const file = join(dir, "conflicts.log")
      const args = ["mesh", "sim", "--agents", "600", "--sectors", "5", "--clusters", "4", "--duration", "120", "--failures", "none,conflict=0.05", "--conflict-log", file]
      const bad = await runMain(args)
      expect(bad.code).toBe(2) // "none" is not an item of a list
      const args2 = ["mesh", "sim", "--agents", "600", "--sectors", "5", "--clusters", "4", "--duration", "120", "--failures", "conflict=0.05,crash=0,slow-cluster=0,cluster-down=0,sector-outage=0", "--conflict-log", file]
      const r = await runMain(args2)
      expect(r.code).toBe(0)
      const m = /conflict log: .* holds ([\d,]+) records \(([\d,]+) from this run\)/.exec(r.out)
      expect(m).not.toBeNull()
      expect(m![1]).toBe(m![2])
      expect(Number(m![1]!.replace(/,/g, ""))).toBeGreaterThan(0)
      const again = await runMain(args2)
      const m2 = /holds ([\d,]+) records/.exec(again.out)
      expect(Number(m2![1]!.replace(/,/g, ""))).toBe(2 * Number(m![1]!.replace(/,/g, "")))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("--clock wall runs over a nats-server it starts, with the agents in host processes, and prints the live figures; exit 0", async () => {
    const r = await runMain(["mesh", "sim", "--agents", "600", "--sectors", "5", "--clusters", "4", "--clock", "wall", "--duration", "4", "--processes", "2", "--failures", "none"])
    expect(r.err).toBe("")
    expect(r.code).toBe(0)
    expect(r.out).toContain("mesh sim (wall clock, NATS on loopback): 600 agents = 5 sectors × 4 clusters × 30 agents")
    expect(r.out).toContain("2 host processes + the orchestrator")
    expect(r.out).toMatch(/cascade latency p95 +\d+ ms over \d+ completed, 0 timed out/)
    expect(r.out).toMatch(/messages on the bus +[\d,]+\/s sustained .*0 malformed dropped/)
    expect(r.out).toMatch(/memory per agent +[\d,]+ bytes/)
  }, 60_000)

  it("bad input is refused with exit 2, naming the flag and the problem", async () => {
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
      [["--agents", "601", "--sectors", "5", "--clusters", "4"], /--agents 601 is not a multiple of --sectors × --clusters = 20/],
      [["--failures", "bogus=1"], /--failures: "bogus=1": unknown failure "bogus"/],
      [["--failures", "crash=1.5"], /--failures: "crash=1.5": expected a number in \[0, 1\]/],
      [["--clock", "sundial"], /--clock/],
      [["--agents", "0"], /--agents/],
      [["--duration", "0"], /--duration: expected a value between 1 and 86400, got "0"/],
      [["--clock", "wall", "--conflict-log", "/tmp/x"], /--conflict-log is for --clock virtual/],
    ]
    for (const [args, why] of cases) {
      const r = await runMain(["mesh", "sim", ...args])
      expect(r.code, args.join(" ")).toBe(2)
      expect(r.err, args.join(" ")).toMatch(why)
      expect(r.out).toBe("")
    }
  })

  it("help lists the flags with their defaults", async () => {
    const r = await runMain(["mesh", "sim", "--help"])
    expect(r.code).toBe(0)
    for (const f of ["--agents", "--sectors", "--clusters", "--seed", "--clock", "--failures", "--duration", "--strategy", "--conflict-log"]) expect(r.out).toContain(f)
    expect(r.out).toContain("default 30,000")
    const top = await runMain(["help"])
    expect(top.out).toContain("hydrogen mesh sim")
  })
})
