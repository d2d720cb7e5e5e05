/**
 * `hydrogen plan` (scale arithmetic of the coordinator tree, from the mirrors
 * of `Hydrogen.Scale`) and `hydrogen run` (the embedded default job: aggregate
 * seeded leaves through the k-ary tree and check the result against a
 * sequential loop). Everything that computes or formats is a pure function;
 * the commands only decode flags and write through the `Io` they are given.
 */
import { Effect } from "effect";
import { Command } from "effect/cli";
import {
  coordinatorLevels,
  coordinatorsPerLevel,
  levels,
  messageBound,
  messagesPerRound,
  roundTripHops,
  totalCoordinators,
} from "../Scale/Communication.ts";
import { fmt, intFlag, intFlagOr, type Io, levelLabel, maxAgents, maxBranching, maxLeaves, seedFlag, switchFlag } from "./Flags.ts";
import { decodeArgs, type Outcome } from "./Invoke.ts";

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
export interface RunOptions {
  readonly leaves: number;
  readonly branching: number;
  readonly seed: number;
}

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
// Commands

export const planFlags = {
  agents: intFlag("agents", 1, maxAgents, "N", "agents"),
  branching: intFlag("branching", 2, maxBranching, "K", "most children per coordinator"),
  json: switchFlag("json", "print the plan as JSON"),
} as const;
export type PlanOptions = { readonly agents: number; readonly branching: number; readonly json: boolean };

export const planDescription = `Coordinator tree for N agents reporting in groups of at most K: levels,
  coordinators per level (root last), total coordinators, messages per round
  with the proved bound ${boundStatement} (${boundTheorem}), and round-trip hops.`;

/** `plan`, with `handler` run on the decoded options. */
export const planCommand = <E, R>(handler: (o: PlanOptions) => Effect.Effect<void, E, R>) =>
  Command.make("plan", planFlags, handler).pipe(Command.withDescription(planDescription));

/** Decodes `plan` arguments. */
export const parsePlanArgs = decodeArgs(planCommand<never, never>);

/** The `plan` handler: prints the plan (text or JSON); exit 0. */
export const runPlan = (io: Io, outcome: Outcome) => (o: PlanOptions) =>
  Effect.sync(() => {
    const plan = makePlan(o.agents, o.branching);
    io.out(o.json ? JSON.stringify(planToJson(plan), null, 2) + "\n" : formatPlan(plan));
    outcome.code = 0;
  });

export const runFlags = {
  leaves: intFlagOr("leaves", 1, maxLeaves, "N", "seeded leaves to aggregate", 10_000_000),
  branching: intFlagOr("branching", 2, maxBranching, "K", "most children per node", 1000),
  seed: seedFlag,
} as const;

export const runDescription = `The embedded default job: prints the plan for 10^9 agents, then aggregates
  N seeded leaves through the K-ary tree for sum, count, min and max and checks
  each against a sequential loop. Exit 1 on any mismatch.`;

/** `run`, with `handler` run on the decoded options. */
export const runCommand = <E, R>(handler: (o: RunOptions) => Effect.Effect<void, E, R>) =>
  Command.make("run", runFlags, handler).pipe(Command.withDescription(runDescription));

/** Decodes `run` arguments; defaults leaves 10^7, branching 1000, seed 1. */
export const parseRunArgs = decodeArgs(runCommand<never, never>);

/** The `run` handler: the embedded job; exit 0, or 1 on a mismatch or a failure. */
export const runRun = (io: Io, outcome: Outcome) => (o: RunOptions) =>
  Effect.tryPromise(() => runJob(o, io)).pipe(
    Effect.match({
      onSuccess: (code) => void (outcome.code = code),
      onFailure: (e) => {
        const cause = e.cause;
        io.err(`hydrogen run: ${cause instanceof Error ? cause.message : String(cause)}\n`);
        outcome.code = 1;
      },
    }),
  );
