import { spawnSync } from "node:child_process"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { runMain } from "./run.ts"
import { admissionConfig } from "../../src/Cli/Tree.ts"
import { exitForExactness, formatProvenance, formatProvenanceShort, parseTreeArgs } from "../../src/Cli/TreeOptions.ts"
import type { PolicyProvenance } from "../../src/Tree/Provenance.ts"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..")

describe("hydrogen tree", () => {
  it("decodes arguments with defaults", () => {
    const r = parseTreeArgs(["--agents", "1000", "--branching=10"])
    expect(r).toEqual({
      ok: true,
      value: { agents: 1000, branching: 10, rounds: 10, transport: "in-process", seed: 1, clock: "driven", mode: "single", maxProcesses: 4, minExact: 1 },
    })
    const n = parseTreeArgs(["--agents", "5", "--branching", "2", "--transport", "nats", "--servers", "nats://127.0.0.1:4222,nats://h:1"])
    expect(n.ok && n.value.servers).toBe("nats://127.0.0.1:4222,nats://h:1")
  })

  it("reports every combination the tree cannot run at once, one line each", () => {
    const r = parseTreeArgs(["--agents", "5", "--branching", "10", "--processes", "--transport", "in-process", "--clock", "rates"])
    expect(r).toEqual({
      ok: false,
      errors: [
        "--processes needs --transport nats: the coordinator processes talk to this one only through NATS",
        "--processes and --clock rates cannot be combined: the coordinator processes are driven round by round; leave out --clock",
        "--processes needs a level above the local one: --agents (5) must exceed --branching (10)",
      ],
    })
  })

  it("accepts every valid combination of modes and flags (none is reported as unknown)", () => {
    const ok = (args: ReadonlyArray<string>) => {
      const r = parseTreeArgs(["--agents", "100", "--branching", "4", ...args])
      if (!r.ok) throw new Error(`${args.join(" ")}: ${r.errors.join("; ")}`)
      return r.value
    }
    expect(ok(["--chaos", "--transport", "nats", "--rounds", "3", "--min-exact", "0.8"])).toMatchObject({ mode: "chaos", transport: "nats", rounds: 3, minExact: 0.8 })
    expect(ok(["--chaos", "--seed", "7"])).toMatchObject({ mode: "chaos", transport: "in-process", minExact: 1, seed: 7 })
    // --processes defaults to NATS
    expect(ok(["--processes", "--max-processes", "2"])).toMatchObject({ mode: "processes", transport: "nats", maxProcesses: 2 })
    expect(ok(["--processes", "--transport", "nats", "--servers", "nats://x:1", "--clock", "driven"])).toMatchObject({ mode: "processes", servers: "nats://x:1" })
    expect(ok(["--transport", "nats", "--clock", "rates"])).toMatchObject({ mode: "single", clock: "rates" })
  })

  // @lean Hydrogen.Scale.messagesPerRound_bound
  it("runs in-process, prints status lines and a summary with the bound and exactness (exit 0)", async () => {
    const r = await runMain(["tree", "--agents", "20000", "--branching", "20", "--rounds", "20", "--seed", "4"])
    expect(r.err).toBe("")
    expect(r.code).toBe(0)
    const status = r.out.split("\n").filter((l) => l.startsWith("round "))
    expect(status.length).toBe(10) // one line every 2 rounds when not a terminal
    expect(status[9]).toMatch(/^round 20\/20 \| agents 20,000 \| coordinators 1,000\/50\/3\/1 \| [\d,]+ msg\/s \| latency p50 [\d.]+ ms p95 [\d.]+ ms \| exact \(20\/20 rounds exact\) \| policy: the root's Down everywhere$/)
    expect(status[0]).toMatch(/\| exact \(2\/2 rounds exact\) \| policy: the root's Down everywhere$/)
    expect(r.out).toContain("coordinators per level: 1,000 (local) / 50 (intermediate) / 3 (intermediate) / 1 (root) = 1,054")
    expect(r.out).toContain("messages per round M (agent reports + Up): 21,053 counted, 21,053 planned")
    expect(r.out).toMatch(/k·M \+ k \+ L ≤ n·k \+ M \+ k·L \[Hydrogen\.Scale\.messagesPerRound_bound\]:\n +421,084 ≤ 421,133: holds/)
    expect(r.out).toContain("rejected messages: 0")
    expect(r.out).toContain("rounds whose aggregate equals the direct fold: 20/20; not exact: none")
    // provenance: 20,000 agents under 1,000 local coordinators under 50 level-2 parents, all on the root's Down of round 20
    expect(status[9]).not.toContain("NOT on the root's Down")
    expect(r.out).toContain("every subtree applied the root's Down in 20/20 rounds; not: none")
    expect(r.out).toContain("last round: the root sent epoch 20, policy none; sender mismatches 0")
    expect(r.out).toContain("from L2.0 ×50 parent(s) (1,000 local coordinators, 20,000 agents): epoch 20, policy none, the root's")
  })

  const bad: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
    [["tree", "--branching", "10"], /--agents is required/],
    [["tree", "--agents", "10"], /--branching is required/],
    [["tree", "--agents", "100000000", "--branching", "10"], /--agents: expected a value between 1 and 10000000/],
    [["tree", "--agents", "10", "--branching", "1"], /--branching: expected a value between 2 and 1000000/],
    [["tree", "--agents", "10", "--branching", "2", "--rounds", "0"], /--rounds: expected a value between 1 and 1000000/],
    [["tree", "--agents", "10", "--branching", "2", "--transport", "tcp"], /--transport: expected "in-process" \| "nats", got "tcp"/],
    [["tree", "--agents", "10", "--branching", "2", "--servers", "nats://x:1"], /--servers only applies to --transport nats/],
    [["tree", "--agents", "10", "--branching", "2", "--transport", "nats", "--servers", "http://x"], /--servers: expected nats:\/\/ URLs/],
    [["tree", "--agents", "10", "--branching", "2", "--clock", "fast"], /--clock: expected "driven" \| "rates"/],
    [["tree", "--agents", "10", "--branching", "2", "--json"], /unknown flag --json for 'hydrogen tree' \(hydrogen tree accepts --agents, .*--chaos, --processes/],
    [["tree", "--agents", "10", "--branching", "2", "--rounds", "1000001"], /--rounds: expected a value between 1 and 1000000, got "1000001"/],
    [["tree", "--agents", "10", "--branching", "2", "--max-processes", "65", "--processes"], /--max-processes: expected a value between 1 and 64, got "65"/],
    [["tree", "--agents", "10", "--branching", "2", "--chaos", "--processes"], /--chaos and --processes cannot be combined: the chaos run keeps all 3 replicas of every position in this one process/],
    [["tree", "--agents", "10", "--branching", "2", "--processes", "--transport", "in-process"], /--processes needs --transport nats/],
    [["tree", "--agents", "10", "--branching", "2", "--processes", "--clock", "rates"], /--processes and --clock rates cannot be combined/],
    [["tree", "--agents", "10", "--branching", "2", "--chaos", "--clock", "rates"], /--chaos and --clock rates cannot be combined/],
    [["tree", "--agents", "10", "--branching", "2", "--max-processes", "2"], /--max-processes only applies to --processes/],
    [["tree", "--agents", "10", "--branching", "2", "--min-exact", "0.5"], /--min-exact only applies to --chaos/],
    [["tree", "--agents", "10", "--branching", "2", "--chaos", "--min-exact", "1.5"], /--min-exact: expected a fraction between 0 and 1, like 0.9, got "1.5"/],
    [["tree", "--agents", "5", "--branching", "10", "--processes"], /--processes needs a level above the local one: --agents \(5\) must exceed --branching \(10\)/],
  ]
  for (const [argv, message] of bad) {
    it(`exits 2 for ${argv.slice(1).join(" ")}`, async () => {
      const r = await runMain(argv)
      expect(r.code).toBe(2)
      expect(r.out).toBe("")
      expect(r.err).toMatch(message)
      expect(r.err).not.toMatch(/unknown flag --(chaos|processes)/)
      expect(r.err).toContain("hydrogen tree --help")
    })
  }

  describe("policy provenance: a round can be exact and still run on a Down the root did not send", () => {
    const faithful: PolicyProvenance = {
      root: { epoch: 7, policy: "" },
      runs: [{ epoch: 7, policy: "", from: "L2.0", parents: 4, locals: 40, agents: 400, matchesRoot: true }],
      runsOmitted: 0,
      divergentLocals: 0,
      divergentAgents: 0,
      senderMismatches: 0,
      faithful: true,
    }
    // a forged Down (policy clamp 01…) on L2.2's subject: its 10 local coordinators applied it, L2.2 itself did not send it
    const forged: PolicyProvenance = {
      root: { epoch: 8, policy: "" },
      runs: [
        { epoch: 8, policy: "", from: "L2.0", parents: 2, locals: 20, agents: 200, matchesRoot: true },
        { epoch: 9, policy: "01000000000000000a", from: "L2.2", parents: 1, locals: 10, agents: 100, matchesRoot: false },
        { epoch: 8, policy: "", from: "L2.3", parents: 1, locals: 10, agents: 100, matchesRoot: true },
      ],
      runsOmitted: 0,
      divergentLocals: 10,
      divergentAgents: 100,
      senderMismatches: 1,
      faithful: false,
    }
    const rounds = [
      { round: 7, exact: true, provenance: faithful },
      { round: 8, exact: true, provenance: forged },
    ]

    it("exits 1 naming the round, although every aggregate equals the direct fold", () => {
      let err = ""
      expect(exitForExactness({ out: () => undefined, err: (t) => void (err += t) }, rounds)).toBe(1)
      expect(err).toContain("in 1 of 2 round(s) a subtree applied a Down the root did not send (rounds 8)")
      expect(err).not.toContain("different from the direct fold")
      expect(exitForExactness({ out: () => undefined, err: () => undefined }, rounds.slice(0, 1))).toBe(0)
    })

    it("reports which subtrees held which Down, and whether it is the root's", () => {
      expect(formatProvenanceShort(forged)).toBe(" | policy: 10 local coordinator(s) NOT on the root's Down, 1 sender mismatch(es)")
      expect(formatProvenanceShort(faithful)).toBe(" | policy: the root's Down everywhere")
      const lines = formatProvenance(rounds).join("\n")
      expect(lines).toContain("every subtree applied the root's Down in 1/2 rounds; not: 8")
      expect(lines).toContain("last round: the root sent epoch 8, policy none; sender mismatches 1")
      expect(lines).toContain("from L2.2 ×1 parent(s) (10 local coordinators, 100 agents): epoch 9, policy 0x01000000000000000a, NOT the root's")
      expect(lines).toContain("from L2.3 ×1 parent(s) (10 local coordinators, 100 agents): epoch 8, policy none, the root's")
    })
  })

  it("refuses a configuration this machine cannot hold before starting anything (exit 2, no nats-server)", async () => {
    // 10^7 agents at k = 2 over NATS: 10,000,033 connections and about 20 GiB of heap by the admission model
    const r = await runMain(["tree", "--agents", "10000000", "--branching", "2", "--transport", "nats"])
    expect(r.code).toBe(2)
    expect(r.out).toBe("") // no "started nats-server"
    expect(r.err).toMatch(/^hydrogen tree: refused before starting: this process would need (10000033 file descriptors|\d+ MiB of heap)/)
    // in-process: no descriptors, the heap alone refuses it
    const heap = await runMain(["tree", "--agents", "10000000", "--branching", "2"])
    expect(heap.code).toBe(2)
    expect(heap.err).toMatch(/^hydrogen tree: refused before starting: this process would need \d+ MiB of heap, \d+ MiB of available/)
  })

  it("admission: the run's connections as the entry points open them (per coordinator and level over NATS, per replica with --chaos)", () => {
    const o = (args: ReadonlyArray<string>) => {
      const r = parseTreeArgs(["--agents", "1000000", "--branching", "10", ...args])
      if (!r.ok) throw new Error(r.errors.join("; "))
      return r.value
    }
    // 10^6 agents, k = 10: 100,000 + 10,000 + 1,000 + 100 + 10 + 1 = 111,111 coordinators on 6 levels
    expect(admissionConfig(o(["--transport", "nats"]), 3)).toEqual({ mode: "tree", agents: 1e6, branching: 10, connections: 111_117, socketBus: true })
    expect(admissionConfig(o([]), 3)).toEqual({ mode: "tree", agents: 1e6, branching: 10, connections: 6, socketBus: false })
    expect(admissionConfig(o(["--chaos"]), 3)).toEqual({ mode: "replicated", agents: 1e6, branching: 10, replicas: 3, socketBus: false })
    expect(admissionConfig(o(["--processes"]), 3)).toBeUndefined()
  })

  it("is listed in the usage", async () => {
    const r = await runMain(["help"])
    expect(r.out).toContain("hydrogen tree --agents N --branching K [--rounds R] [--transport in-process|nats]")
    const help = await runMain(["tree", "--help"])
    expect(help.code).toBe(0)
    expect(help.out).toContain("hydrogen tree [flags]")
    expect(help.out).toMatch(/--agents N +simulated agents \(1\.\.10,000,000\)/)
    expect(help.out).toMatch(/--transport choice .*\(choices: in-process, nats\)/)
  })

  it("runs as a real process: 10^5 agents, k = 100, 5 rounds", () => {
    const p = spawnSync(process.execPath, [resolve(root, "bin/hydrogen.mjs"), "tree", "--agents", "100000", "--branching", "100", "--rounds", "5"], {
      encoding: "utf8",
    })
    expect(p.status).toBe(0)
    expect(p.stdout).toContain("messages per round M (agent reports + Up): 101,010 counted, 101,010 planned")
    expect(p.stdout).toContain("rounds whose aggregate equals the direct fold: 5/5; not exact: none")
  })
})
