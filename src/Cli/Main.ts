/**
 * The `hydrogen` command line: `plan` (scale arithmetic of the coordinator
 * tree, from the mirrors of `Hydrogen.Scale`), `run` (the embedded default
 * job: aggregate seeded leaves through the k-ary tree and check the result
 * against a sequential loop), `tree` (run the coordinator tree over a message
 * bus, src/Cli/Tree.ts), `render` (draw commands and graded error of a seeded
 * scene, src/Cli/Render.ts) and `help`.
 *
 * Everything that computes or formats is a pure function; `main` only parses,
 * dispatches and writes through the `Io` it is given.
 */
import { Schema, SchemaIssue, SchemaTransformation } from "effect";
import * as Result from "effect/Result";
import {
  coordinatorLevels,
  coordinatorsPerLevel,
  levels,
  messageBound,
  messagesPerRound,
  roundTripHops,
  totalCoordinators,
} from "../Scale/Communication.ts";

/** Where `main` writes; each call is one chunk of text (usually ending in a newline). */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

// ---------------------------------------------------------------------------
// Argument parsing

export type Either<E, A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly errors: ReadonlyArray<E> };

/** A flag a subcommand accepts: `value` flags take the next argument (or `--flag=value`). */
export interface FlagSpec {
  readonly name: string;
  readonly kind: "value" | "boolean";
}

/** Raw flags: value flags as their strings, boolean flags as `true` when present. */
export type RawFlags = Readonly<Record<string, string | boolean>>;

/** Splits `args` into flags by `spec`; unknown flags, stray words, repeats and missing values are errors. */
export const parseFlags = (args: ReadonlyArray<string>, spec: ReadonlyArray<FlagSpec>): Either<string, RawFlags> => {
  const { flags, errors } = scanFlags(args, spec);
  return errors.length === 0 ? { ok: true, value: flags } : { ok: false, errors };
};

/** Flag-level errors first, then the decoder's errors for the flags that were read. */
const withFlagErrors = <A>(errors: ReadonlyArray<string>, decoded: Either<string, A>): Either<string, A> =>
  errors.length === 0 ? decoded : { ok: false, errors: [...errors, ...(decoded.ok ? [] : decoded.errors)] };

/** `parseFlags` that keeps the flags it could read alongside the errors. */
export const scanFlags = (
  args: ReadonlyArray<string>,
  spec: ReadonlyArray<FlagSpec>,
): { readonly flags: RawFlags; readonly errors: ReadonlyArray<string> } => {
  const flags: Record<string, string | boolean> = {};
  const errors: string[] = [];
  const known = new Map(spec.map((f) => [f.name, f] as const));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) {
      errors.push(`unexpected argument "${arg}" (flags look like --name value)`);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const f = known.get(name);
    if (f === undefined) {
      const options = spec.map((s) => `--${s.name}`).join(", ");
      errors.push(`unknown flag --${name}${options === "" ? "" : ` (expected one of ${options})`}`);
      if (eq === -1 && i + 1 < args.length && !args[i + 1]!.startsWith("--")) i++; // skip its value
      continue;
    }
    if (name in flags) {
      errors.push(`--${name} is given more than once`);
    }
    if (f.kind === "boolean") {
      if (eq !== -1) errors.push(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    if (eq !== -1) {
      flags[name] = arg.slice(eq + 1);
    } else if (i + 1 < args.length && !args[i + 1]!.startsWith("--")) {
      flags[name] = args[++i]!;
    } else {
      errors.push(`--${name} needs a value`);
    }
  }
  return { flags, errors };
};

/** A whole number written in decimal digits, decoded to an integer in `[minimum, maximum]`. */
export const IntegerArg = (minimum: number, maximum: number) =>
  Schema.String.check(Schema.isPattern(/^[0-9]+$/, { expected: "a whole number written in decimal digits" })).pipe(
    Schema.decodeTo(
      Schema.Number.check(Schema.isInt(), Schema.isBetween({ minimum, maximum })),
      SchemaTransformation.numberFromString,
    ),
  );

export const maxAgents = 10 ** 15;
export const maxBranching = 10 ** 6;
export const maxLeaves = 10 ** 8;
export const maxSeed = 2 ** 32 - 1;

/** Options of `plan`: agents 1..10^15, branching 2..10^6, optional `--json`. */
export const PlanOptions = Schema.Struct({
  agents: IntegerArg(1, maxAgents),
  branching: IntegerArg(2, maxBranching),
  json: Schema.Boolean,
});
export type PlanOptions = typeof PlanOptions.Type;

/** Options of `run`: leaves 1..10^8, branching 2..10^6, seed 0..2^32−1. */
export const RunOptions = Schema.Struct({
  leaves: IntegerArg(1, maxLeaves),
  branching: IntegerArg(2, maxBranching),
  seed: IntegerArg(0, maxSeed),
});
export type RunOptions = typeof RunOptions.Type;

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1();

/** One message per offending flag, naming the flag, the problem and the value given. */
export const decodeWith =
  <S extends Schema.Codec<any, any>>(schema: S) =>
  (raw: RawFlags): Either<string, S["Type"]> => {
    const r = Schema.decodeUnknownResult(schema as any)(raw, { errors: "all" });
    if (Result.isSuccess(r)) return { ok: true, value: r.success as S["Type"] };
    const byFlag = new Map<string, string>();
    for (const issue of formatIssues(r.failure.issue).issues) {
      const key = String(issue.path?.[0] ?? "?");
      if (byFlag.has(key)) continue; // first problem per flag is enough
      const given = raw[key];
      const message =
        issue.message === "Missing key"
          ? `--${key} is required`
          : `--${key}: ${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}` +
            (typeof given === "string" ? `, got "${given}"` : "");
      byFlag.set(key, message);
    }
    return { ok: false, errors: [...byFlag.values()] };
  };

export const decodePlanOptions: (raw: RawFlags) => Either<string, PlanOptions> = decodeWith(PlanOptions);
export const decodeRunOptions: (raw: RawFlags) => Either<string, RunOptions> = decodeWith(RunOptions);

const planFlags: ReadonlyArray<FlagSpec> = [
  { name: "agents", kind: "value" },
  { name: "branching", kind: "value" },
  { name: "json", kind: "boolean" },
];
const runFlags: ReadonlyArray<FlagSpec> = [
  { name: "leaves", kind: "value" },
  { name: "branching", kind: "value" },
  { name: "seed", kind: "value" },
];

/** Parses and decodes `plan` arguments. */
export const parsePlanArgs = (args: ReadonlyArray<string>): Either<string, PlanOptions> => {
  const { flags, errors } = scanFlags(args, planFlags);
  return withFlagErrors(errors, decodePlanOptions({ json: false, ...flags }));
};

/** Parses and decodes `run` arguments, with defaults leaves 10^7, branching 1000, seed 1. */
export const parseRunArgs = (args: ReadonlyArray<string>): Either<string, RunOptions> => {
  const { flags, errors } = scanFlags(args, runFlags);
  return withFlagErrors(errors, decodeRunOptions({ leaves: "10000000", branching: "1000", seed: "1", ...flags }));
};

// ---------------------------------------------------------------------------
// Plan

export interface Plan {
  readonly agents: number;
  readonly branching: number;
  /** Levels counting the agents (`Hydrogen.Scale.levels`). */
  readonly levels: number;
  readonly coordinatorLevels: number;
  /** Local level first, root last. */
  readonly coordinatorsPerLevel: ReadonlyArray<number>;
  readonly totalCoordinators: number;
  readonly messagesPerRound: number;
  /** `(k−1)·M ≤ n·k + (k−1)·(L−1) − 1`, from `Hydrogen.Scale.messagesPerRound_bound`. */
  readonly messageBound: { readonly lhs: bigint; readonly rhs: bigint; readonly holds: boolean };
  readonly roundTripHops: number;
}

export const boundTheorem = "Hydrogen.Scale.messagesPerRound_bound";
export const boundStatement = "(k−1)·M ≤ n·k + (k−1)·(L−1) − 1";

/** The plan for `agents` agents and branching `branching`, from the `Hydrogen.Scale` mirrors. */
export const makePlan = (agents: number, branching: number): Plan => {
  const b = messageBound(agents, branching);
  return {
    agents,
    branching,
    levels: levels(agents, branching),
    coordinatorLevels: coordinatorLevels(agents, branching),
    coordinatorsPerLevel: coordinatorsPerLevel(agents, branching),
    totalCoordinators: totalCoordinators(agents, branching),
    messagesPerRound: messagesPerRound(agents, branching),
    messageBound: { lhs: b.lhs, rhs: b.rhs, holds: b.holds },
    roundTripHops: roundTripHops(agents, branching),
  };
};

const fmt = (x: number | bigint): string => x.toLocaleString("en-US");

/** Label of coordinator level `i` (0-based) of `count` levels. */
export const levelLabel = (i: number, count: number): string =>
  count === 1 ? "local, root" : i === 0 ? "local" : i === count - 1 ? "root" : "intermediate";

/** The plan as text, one fact per line. */
export const formatPlan = (p: Plan): string => {
  const width = Math.max(...p.coordinatorsPerLevel.map((c) => fmt(c).length), 1);
  const lines = [
    `Plan for ${fmt(p.agents)} agents, branching k = ${fmt(p.branching)}`,
    `  levels (agents + coordinator levels): ${p.levels}`,
    `  coordinator levels L:                 ${p.coordinatorLevels}`,
    ...p.coordinatorsPerLevel.map(
      (c, i) =>
        `    level ${String(i + 1).padStart(2)}: ${fmt(c).padStart(width)} ${c === 1 ? "coordinator " : "coordinators"} (${levelLabel(i, p.coordinatorLevels)})`,
    ),
    `  total coordinators:                   ${fmt(p.totalCoordinators)}`,
    `  messages per round M:                 ${fmt(p.messagesPerRound)}`,
    `  message bound ${boundStatement}  [${boundTheorem}]`,
    `    ${fmt(p.branching - 1)} · ${fmt(p.messagesPerRound)} = ${fmt(p.messageBound.lhs)} ≤ ${fmt(p.messageBound.rhs)}: ${p.messageBound.holds ? "holds" : "FAILS"}`,
    `  round-trip hops (agent → root → agent): ${p.roundTripHops}`,
  ];
  return lines.join("\n") + "\n";
};

/** The plan as JSON-ready data (big integers as decimal strings). */
export const planToJson = (p: Plan) => ({
  agents: p.agents,
  branching: p.branching,
  levels: p.levels,
  coordinatorLevels: p.coordinatorLevels,
  coordinatorsPerLevel: p.coordinatorsPerLevel.map((count, i) => ({
    level: i + 1,
    role: levelLabel(i, p.coordinatorLevels),
    count,
  })),
  totalCoordinators: p.totalCoordinators,
  messagesPerRound: p.messagesPerRound,
  messageBound: {
    theorem: boundTheorem,
    statement: boundStatement,
    lhs: p.messageBound.lhs.toString(),
    rhs: p.messageBound.rhs.toString(),
    holds: p.messageBound.holds,
  },
  roundTripHops: p.roundTripHops,
});

// ---------------------------------------------------------------------------
// Run: the embedded default job

export type AggregateOp = "sum" | "count" | "min" | "max";
export const aggregateOps: ReadonlyArray<AggregateOp> = ["sum", "count", "min", "max"];
export type AggregateKary = (op: AggregateOp, k: number, leaves: Float64Array) => number;

/** Agents in the embedded default plan that `run` prints. */
export const runPlanAgents = 10 ** 9;

/** Leaf values lie in `[-leafRange, leafRange]`, so sums of 10^8 leaves stay exact in a double. */
export const leafRange = 1_000_000;

/** A small deterministic PRNG (mulberry32) returning floats in [0, 1). */
export const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** `count` seeded integer leaf summaries in `[-leafRange, leafRange]`. */
export const generateLeaves = (count: number, seed: number): Float64Array => {
  const rand = mulberry32(seed);
  const leaves = new Float64Array(count);
  for (let i = 0; i < count; i++) leaves[i] = Math.floor(rand() * (2 * leafRange + 1)) - leafRange;
  return leaves;
};

/**
 * The plain sequential loop each tree result is checked against: a left fold
 * of the summaries' merge from the identity. Leaves are `Sum`/`Min`/`Max`
 * values, or for "count" `Count` values, whose merge adds them.
 */
export const sequential = (op: AggregateOp, leaves: Float64Array): number => {
  let acc = op === "min" ? Infinity : op === "max" ? -Infinity : 0;
  for (let i = 0; i < leaves.length; i++) {
    const v = leaves[i]!;
    if (op === "sum" || op === "count") acc += v;
    else if (op === "min") acc = v < acc ? v : acc;
    else acc = v > acc ? v : acc;
  }
  return acc;
};

export interface OpResult {
  readonly op: AggregateOp;
  readonly tree: number;
  readonly sequential: number;
  readonly ok: boolean;
  readonly treeMs: number;
  readonly sequentialMs: number;
}

/** One line of the run report for an op. */
export const formatOpResult = (r: OpResult, leafCount: number): string => {
  const rate = r.treeMs > 0 ? `${((leafCount / r.treeMs) * 1e3 / 1e6).toFixed(1)} M leaves/s` : "—";
  return (
    `  ${r.op.padEnd(5)} tree ${fmt(r.tree).padStart(22)} in ${r.treeMs.toFixed(1).padStart(8)} ms (${rate})` +
    ` | loop ${fmt(r.sequential).padStart(22)} in ${r.sequentialMs.toFixed(1).padStart(8)} ms | ${r.ok ? "ok" : "MISMATCH"}\n`
  );
};

const loadAggregate = async (): Promise<AggregateKary> => {
  const tree = await import("../Aggregate/Tree.ts");
  return tree.aggregateKaryTyped;
};

/**
 * The embedded default job: prints the plan for 10^9 agents, aggregates
 * `leaves` seeded leaves through the k-ary tree for sum/count/min/max, checks
 * each against the sequential loop (one progress line per op) and returns 0,
 * or 1 on any mismatch. `aggregate` defaults to `aggregateKaryTyped` from
 * `src/Aggregate/Tree.ts`.
 */
export const runJob = async (opts: RunOptions, io: Io, aggregate?: AggregateKary): Promise<number> => {
  const agg = aggregate ?? (await loadAggregate());
  io.out(formatPlan(makePlan(runPlanAgents, opts.branching)));
  io.out(
    `\nAggregating ${fmt(opts.leaves)} seeded leaves (integers in ±${fmt(leafRange)}, seed ${opts.seed}; count: 1 per leaf)` +
      ` through the ${fmt(opts.branching)}-ary tree\n`,
  );
  const t0 = performance.now();
  const leaves = generateLeaves(opts.leaves, opts.seed);
  io.out(`  generated leaves in ${(performance.now() - t0).toFixed(1)} ms\n`);
  // every agent reports a count of 1, so the counted total must also be the number of leaves
  const counts = new Float64Array(opts.leaves).fill(1);
  let mismatches = 0;
  for (const op of aggregateOps) {
    const input = op === "count" ? counts : leaves;
    const a = performance.now();
    const tree = agg(op, opts.branching, input);
    const b = performance.now();
    const seq = sequential(op, input);
    const c = performance.now();
    const ok = Object.is(tree, seq) && (op !== "count" || seq === opts.leaves);
    if (!ok) mismatches++;
    io.out(formatOpResult({ op, tree, sequential: seq, ok, treeMs: b - a, sequentialMs: c - b }, opts.leaves));
  }
  if (mismatches > 0) {
    io.err(`hydrogen run: ${mismatches} of ${aggregateOps.length} aggregates differ from the sequential loop\n`);
    return 1;
  }
  io.out(`All ${aggregateOps.length} tree aggregates equal the sequential loop.\n`);
  return 0;
};

// ---------------------------------------------------------------------------
// Entry point

export const usage = `hydrogen: verified coordination for very large agent populations

Usage:
  hydrogen plan --agents N --branching K [--json]
      Coordinator tree for N agents (1..10^15) reporting in groups of at most
      K (2..10^6): levels, coordinators per level (root last), total
      coordinators, messages per round with the proved bound
      ${boundStatement} (${boundTheorem}), and round-trip hops.
  hydrogen run [--leaves N] [--branching K] [--seed S]
      The embedded default job: prints the plan for 10^9 agents, then
      aggregates N (default 10^7, at most 10^8) seeded leaves through the
      K-ary tree (default 1000) for sum, count, min and max and checks each
      against a sequential loop. Exit 1 on any mismatch.
  hydrogen tree --agents N --branching K [--rounds R] [--transport in-process|nats]
                [--servers nats://HOST:PORT[,...]] [--seed S] [--clock driven|rates]
      Runs the coordinator tree: N simulated agents (1..10^7) under local,
      intermediate and root coordinators with branching K (over NATS one
      connection per coordinator, in-process one client per level), for R
      rounds (default 10). Each round the agents
      update, summaries (count, sum, min, max) flow up, and the root's
      aggregate is checked against a direct fold. Prints messages per round
      against the proved bound and the round latency. --transport defaults
      to in-process (no server); nats without --servers starts a local
      nats-server. --clock rates ticks coordinators at 30 / 10 / 1 Hz
      instead of driving them. Exit 1 if a round's aggregate is not exact.
  hydrogen tree --agents N --branching K --chaos [--rounds R] [--transport in-process|nats]
      Fault tolerance: 3 replicas per coordinator position (leases in a KV
      bucket, heartbeats every 100 ms); every few rounds kills an active
      coordinator or cuts a subtree off the bus and heals it, then reports
      detection time, takeover time and rounds until exact again.
  hydrogen tree --agents N --branching K --transport nats --processes
                [--rounds R] [--servers URLS] [--seed S] [--max-processes P]
      The same run with every coordinator level above the local one in its
      own OS process (at most P, default 4; the highest levels share the
      last), talking to the agents' process only through NATS.
  hydrogen render [--viewports N] [--elements E] [--seed S] [--view W,H] [--json]
      Draw commands of a seeded scene: N viewports (1..10^5, default 100) of
      E valid Wire Elements each (0..10^4, default 100), culled to the view
      [0, W) × [0, H) px (default 1280,720) and batched per atom kind.
      Prints culled/visible Elements, instances per kind, draw calls against
      the proved bound (≤ 4 per viewport, Hydrogen.Render.draw_calls_bounded),
      instance bytes, and the graded error: proved bounds 33/1024 px and
      1/510 against the maximum measured exactly over the scene. Exit 1 if a
      measured error EXCEEDS its bound.
  hydrogen help
      This text.

Flags take their value as the next argument or after '=' (--agents=1000).
Exit codes: 0 success, 1 check failed, 2 bad arguments.
`;

const fail = (io: Io, command: string, errors: ReadonlyArray<string>): number => {
  for (const e of errors) io.err(`hydrogen ${command}: ${e}\n`);
  io.err(`Run 'hydrogen help' for usage.\n`);
  return 2;
};

/** Runs the command line `argv` (without node and script); returns the exit code. */
export const main = async (argv: ReadonlyArray<string>, io: Io = processIo): Promise<number> => {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case "help":
    case "--help":
    case "-h":
      io.out(usage);
      return 0;
    case "plan": {
      if (rest.includes("--help")) {
        io.out(usage);
        return 0;
      }
      const opts = parsePlanArgs(rest);
      if (!opts.ok) return fail(io, "plan", opts.errors);
      const plan = makePlan(opts.value.agents, opts.value.branching);
      io.out(opts.value.json ? JSON.stringify(planToJson(plan), null, 2) + "\n" : formatPlan(plan));
      return 0;
    }
    case "run": {
      if (rest.includes("--help")) {
        io.out(usage);
        return 0;
      }
      const opts = parseRunArgs(rest);
      if (!opts.ok) return fail(io, "run", opts.errors);
      try {
        return await runJob(opts.value, io);
      } catch (e) {
        io.err(`hydrogen run: ${e instanceof Error ? e.message : String(e)}\n`);
        return 1;
      }
    }
    case "tree": {
      if (rest.includes("--processes") && !rest.includes("--help")) {
        // Multi-process mode (upper levels in their own OS processes over NATS): src/Cli/TreeProcesses.ts.
        const mp = await import("./TreeProcesses.ts");
        const o = mp.parseTreeProcessesArgs(rest);
        if (!o.ok) return fail(io, "tree", o.errors);
        return await mp.runTreeProcessesCommand(o.value, io);
      }
      const cli = await import("./Tree.ts");
      if (rest.includes("--help")) {
        io.out(usage);
        return 0;
      }
      const opts = cli.parseTreeArgs(rest);
      if (!opts.ok) return fail(io, "tree", opts.errors);
      return await cli.runTreeCommand(opts.value, io, { tty: io === processIo && process.stdout.isTTY === true });
    }
    case "render": {
      const cli = await import("./Render.ts");
      if (rest.includes("--help")) {
        io.out(usage);
        return 0;
      }
      const opts = cli.parseRenderArgs(rest);
      if (!opts.ok) return fail(io, "render", opts.errors);
      try {
        return cli.runRenderCommand(opts.value, io);
      } catch (e) {
        io.err(`hydrogen render: ${e instanceof Error ? e.message : String(e)}\n`);
        return 1;
      }
    }
    default:
      return fail(io, command, [`unknown command "${command}" (expected plan, run, tree, render or help)`]);
  }
};
