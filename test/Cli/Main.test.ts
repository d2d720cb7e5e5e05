import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type Io, main } from "../../src/Cli/Main.ts";
import {
  type AggregateKary,
  generateLeaves,
  makePlan,
  mulberry32,
  parsePlanArgs,
  parseRunArgs,
  planToJson,
  runJob,
  sequential,
} from "../../src/Cli/Plan.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const capture = () => {
  let out = "";
  let err = "";
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t) };
  return { io, out: () => out, err: () => err };
};

const runMain = async (argv: ReadonlyArray<string>) => {
  const c = capture();
  const code = await main(argv, c.io);
  return { code, out: c.out(), err: c.err() };
};

describe("hydrogen plan", () => {
  // @lean Hydrogen.Scale.billion_k1000
  // @lean Hydrogen.Scale.billion_k1000_round_trip
  it("plans 10^9 agents with k = 1000: 4 levels, 1,000,000 / 1,000 / 1 (root), 1,001,001 coordinators, 6 hops", async () => {
    const r = await runMain(["plan", "--agents", "1000000000", "--branching", "1000"]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(r.out).toContain("levels (agents + coordinator levels): 4");
    expect(r.out).toMatch(/level +1: +1,000,000 coordinators \(local\)/);
    expect(r.out).toMatch(/level +2: +1,000 coordinators \(intermediate\)/);
    expect(r.out).toMatch(/level +3: +1 coordinator +\(root\)/);
    expect(r.out).toContain("total coordinators:                   1,001,001");
    // M = 10^9 + 1,001,001 − 1
    expect(r.out).toContain("messages per round M:                 1,001,001,000");
    // (k−1)·M = 999 · 1,001,001,000 and n·k + (k−1)·(L−1) − 1 = 10^12 + 999·2 − 1
    expect(r.out).toContain("999 · 1,001,001,000 = 999,999,999,000 ≤ 1,000,000,001,997: holds");
    expect(r.out).toContain("Hydrogen.Scale.messagesPerRound_bound");
    expect(r.out).toContain("round-trip hops (agent → root → agent): 6");
  });

  // @lean Hydrogen.Scale.seed_message_bound_false
  it("--json gives the plan as data: 5 agents, k = 4 send 7 messages and the bound 21 ≤ 22 holds", async () => {
    const r = await runMain(["plan", "--agents=5", "--branching=4", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toEqual({
      agents: 5,
      branching: 4,
      levels: 3,
      coordinatorLevels: 2,
      coordinatorsPerLevel: [
        { level: 1, role: "local", count: 2 },
        { level: 2, role: "root", count: 1 },
      ],
      totalCoordinators: 3,
      messagesPerRound: 7,
      messageBound: {
        theorem: "Hydrogen.Scale.messagesPerRound_bound",
        statement: "(k−1)·M ≤ n·k + (k−1)·(L−1) − 1",
        lhs: "21",
        rhs: "22",
        holds: true,
      },
      roundTripHops: 4,
    });
  });

  it("handles the extremes: 10^15 agents with k = 2 and k = 10^6, and a single agent", () => {
    const big = makePlan(10 ** 15, 2);
    expect(big.coordinatorLevels).toBe(50); // 2^49 < 10^15 ≤ 2^50
    expect(big.messageBound.holds).toBe(true);
    const wide = makePlan(10 ** 15, 10 ** 6);
    expect(wide.coordinatorsPerLevel).toEqual([10 ** 9, 1000, 1]);
    // n·k = 10^21 is past 2^53: the bound is computed exactly
    expect(planToJson(wide).messageBound.rhs).toBe((10n ** 21n + 999_999n * 2n - 1n).toString());
    const one = makePlan(1, 2);
    expect([one.coordinatorsPerLevel, one.messagesPerRound, one.roundTripHops]).toEqual([[1], 1, 2]);
  });

  it("prints usage for help, --help, -h and no command", async () => {
    for (const argv of [["help"], ["--help"], ["-h"], []]) {
      const r = await runMain(argv);
      expect(r.code).toBe(0);
      expect(r.err).toBe("");
      expect(r.out).toContain("hydrogen plan --agents N --branching K [--json]");
      expect(r.out).toContain("hydrogen run [--leaves N] [--branching K] [--seed S]");
    }
  });

  it("each command has its own --help: its flags with their ranges and defaults, not the other commands'", async () => {
    const plan = await runMain(["plan", "--help"]);
    expect(plan.code).toBe(0);
    expect(plan.out).toContain("hydrogen plan [flags]");
    expect(plan.out).toMatch(/--agents N +agents \(1\.\.1,000,000,000,000,000\)/);
    expect(plan.out).toMatch(/--branching K +most children per coordinator \(2\.\.1,000,000\)/);
    expect(plan.out).not.toContain("--leaves");
    const run = await runMain(["run", "-h"]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/--leaves N +seeded leaves to aggregate, default 10,000,000 \(1\.\.100,000,000\)/);
    expect(run.out).not.toContain("--agents");
    const tree = await runMain(["tree", "--help"]);
    for (const flag of ["--agents", "--rounds", "--transport", "--chaos", "--processes", "--max-processes", "--min-exact"]) expect(tree.out).toContain(flag);
    expect((await runMain(["render", "--help"])).out).toMatch(/--view W,H/);
    // `help COMMAND` is `COMMAND --help`
    expect(await runMain(["help", "tree"])).toEqual(tree);
  });
});

describe("bad arguments exit 2 with a message naming the flag", () => {
  const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>, RegExp]> = [
    ["branching below 2", ["plan", "--agents", "1000", "--branching", "1"], /--branching: expected a value between 2 and 1000000, got "1"/],
    ["branching above 10^6", ["plan", "--agents", "1000", "--branching", "1000001"], /--branching: expected a value between 2 and 1000000/],
    ["agents not a number", ["plan", "--agents", "abc", "--branching", "10"], /--agents: expected a whole number written in decimal digits, got "abc"/],
    ["agents fractional", ["plan", "--agents", "1.5", "--branching", "10"], /--agents: expected a whole number/],
    ["agents negative", ["plan", "--agents=-3", "--branching", "10"], /--agents: expected a whole number/],
    ["agents zero", ["plan", "--agents", "0", "--branching", "10"], /--agents: expected a value between 1 and 1000000000000000/],
    ["agents above 10^15", ["plan", "--agents", "1000000000000001", "--branching", "10"], /--agents: expected a value between 1 and 1000000000000000/],
    ["agents missing", ["plan", "--branching", "10"], /--agents is required/],
    ["branching missing", ["plan", "--agents", "10"], /--branching is required/],
    ["value missing", ["plan", "--agents", "--branching", "10"], /--agents needs a value/],
    ["unknown flag", ["plan", "--agents", "10", "--branching", "10", "--levels", "3"], /unknown flag --levels for 'hydrogen plan' \(hydrogen plan accepts --agents, --branching, --json\)/],
    ["stray word", ["plan", "--agents", "10", "--branching", "10", "extra"], /unexpected argument "extra"/],
    ["repeated flag", ["plan", "--agents", "10", "--agents", "20", "--branching", "10"], /--agents is given more than once/],
    ["json with a value that is not a yes/no", ["plan", "--agents", "10", "--branching", "10", "--json=maybe"], /--json: expected "true" \| "yes"/],
    ["unknown command", ["deploy"], /unknown command "deploy"/],
    ["run: leaves zero", ["run", "--leaves", "0"], /--leaves: expected a value between 1 and 100000000/],
    ["run: seed not a number", ["run", "--seed", "x"], /--seed: expected a whole number/],
    ["run: unknown flag", ["run", "--agents", "5"], /unknown flag --agents for 'hydrogen run'/],
    ["run: leaves in scientific notation", ["run", "--leaves", "1e3"], /--leaves: expected a whole number written in decimal digits, got "1e3"/],
  ];
  for (const [title, argv, message] of cases) {
    it(title, async () => {
      const r = await runMain(argv);
      expect(r.code).toBe(2);
      expect(r.out).toBe("");
      expect(r.err).toMatch(message);
      expect(r.err).toContain("hydrogen help");
    });
  }

  it("reports an unknown flag before the values of known ones", () => {
    const r = parsePlanArgs(["--agents", "abc", "--branching", "1", "--foo"]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatch(/^unknown flag --foo/);
    const v = parsePlanArgs(["--agents", "abc", "--branching", "7"]);
    expect(v).toEqual({ ok: false, errors: ['--agents: expected a whole number written in decimal digits, got "abc"'] });
  });

  it("decodes good arguments to integers, with run defaults", () => {
    expect(parsePlanArgs(["--branching", "7", "--agents", "123"])).toEqual({
      ok: true,
      value: { agents: 123, branching: 7, json: false },
    });
    expect(parseRunArgs([])).toEqual({ ok: true, value: { leaves: 10_000_000, branching: 1000, seed: 1 } });
    expect(parsePlanArgs(["--agents=1000000000000000", "--branching=1000000", "--json"])).toEqual({
      ok: true,
      value: { agents: 10 ** 15, branching: 10 ** 6, json: true },
    });
  });
});

describe("hydrogen run", () => {
  it("generates deterministic integer leaves from the seed", () => {
    const a = generateLeaves(1000, 42);
    expect(generateLeaves(1000, 42)).toEqual(a);
    expect(generateLeaves(1000, 43)).not.toEqual(a);
    expect(a.every((v) => Number.isInteger(v) && Math.abs(v) <= 1_000_000)).toBe(true);
    const r = mulberry32(1);
    for (let i = 0; i < 100; i++) {
      const x = r();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it("the sequential reference folds sum, count, min and max", () => {
    const xs = Float64Array.from([3, -1, 4, 1, -5]);
    expect(["sum", "count", "min", "max"].map((op) => sequential(op as "sum", xs))).toEqual([2, 2, -5, 4]);
    expect(sequential("count", new Float64Array(7).fill(1))).toBe(7);
  });

  // @lean Hydrogen.Aggregate.Tree.aggregate_kary
  it("aggregates seeded leaves through the real k-ary tree and matches the sequential loop (exit 0)", async () => {
    const r = await runMain(["run", "--leaves", "200000", "--branching", "10", "--seed", "5"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("Plan for 1,000,000,000 agents, branching k = 10");
    for (const op of ["sum", "count", "min", "max"]) expect(r.out).toMatch(new RegExp(`^  ${op} +tree .*\\| ok$`, "m"));
    expect(r.out).toMatch(/count +tree +200,000 /);
    expect(r.out).toContain("All 4 tree aggregates equal the sequential loop.");
  });

  it("exits 1 and says MISMATCH when the tree disagrees with the loop", async () => {
    const wrongMax: AggregateKary = (op, _k, leaves) => (op === "max" ? 0 : sequential(op, leaves));
    const c = capture();
    const code = await runJob({ leaves: 1000, branching: 10, seed: 1 }, c.io, wrongMax);
    expect(code).toBe(1);
    expect(c.out()).toMatch(/^  max .*MISMATCH$/m);
    expect(c.out()).toMatch(/^  sum .*\| ok$/m);
    expect(c.err()).toContain("1 of 4 aggregates differ");
  });
});

describe("bin/hydrogen.mjs", () => {
  const bin = join(root, "bin/hydrogen.mjs");

  it("runs as a real process: plan for 10^9 agents with k = 1000", () => {
    const p = spawnSync(process.execPath, [bin, "plan", "--agents", "1000000000", "--branching", "1000"], {
      encoding: "utf8",
    });
    expect(p.stderr).toBe("");
    expect(p.status).toBe(0);
    expect(p.stdout).toContain("Plan for 1,000,000,000 agents, branching k = 1,000");
    expect(p.stdout).toContain("total coordinators:                   1,001,001");
    expect(p.stdout).toContain("round-trip hops (agent → root → agent): 6");
  });

  it("exits 2 with the message on stderr for a bad flag", () => {
    const p = spawnSync(process.execPath, [bin, "plan", "--agents", "1000", "--branching", "1"], { encoding: "utf8" });
    expect(p.status).toBe(2);
    expect(p.stdout).toBe("");
    expect(p.stderr).toContain('--branching: expected a value between 2 and 1000000, got "1"');
  });
});
