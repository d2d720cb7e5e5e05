/**
 * The `hydrogen` command line on Effect's CLI module: one Command per
 * subcommand — `plan`, `run` (src/Cli/Plan.ts), `tree` (src/Cli/Tree.ts and
 * TreeOptions.ts), `render` (src/Cli/Render.ts), `view` (src/Cli/View.ts) and `help` — each with typed
 * flags and its own `--help`. `main` runs the command line and returns the
 * exit code; bin/hydrogen.mjs is the entry.
 *
 * SIGINT/SIGTERM interrupt the running command: its scoped resources (a
 * nats-server it started, coordinator processes, the replicated tree) are
 * released before `main` returns 130/143.
 */
import { Effect, Fiber } from "effect"
import { Command } from "effect/cli"
import { exitCodes, type Io, processIo } from "./Flags.ts"
import { exitCodeOf, invokeCommand, type Outcome } from "./Invoke.ts"
import { boundStatement, boundTheorem, planCommand, runCommand, runPlan, runRun } from "./Plan.ts"
import { renderCommand } from "./RenderOptions.ts"
import { consoleCommand } from "../Console/CliOptions.ts"
import { runServe, serveCommand } from "../Console/WebCli.ts"
import { meshCommand } from "./MeshOptions.ts"
import { runMeshPlan } from "./MeshPlan.ts"
import { researchCommand } from "./ResearchOptions.ts"
import { treeCommand } from "./TreeOptions.ts"
import { runView, viewCommand } from "./View.ts"

export { type Io, processIo } from "./Flags.ts"

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
      rounds (default 10). Each round the agents update, summaries (count,
      sum, min, max) flow up, and the root's aggregate is checked against a
      direct fold; every round's exactness is shown. Prints messages per
      round against the proved bound and the round latency. --transport
      defaults to in-process (no server); nats without --servers starts a
      local nats-server. --clock rates ticks coordinators at 30 / 10 / 1 Hz
      instead of driving them. Exit 1 if any round's aggregate is not exact.
  hydrogen tree --agents N --branching K --chaos [--rounds R] [--transport in-process|nats]
                [--min-exact F]
      Fault tolerance: 3 replicas per coordinator position (leases in a KV
      bucket, heartbeats every 100 ms); every few rounds kills an active
      coordinator or cuts a subtree off the bus and heals it, then reports
      detection time, takeover time, rounds until exact again and each
      round's exactness. A fault's window is its round (and a partition's
      heal round) plus 2 rounds. Exit 0 only if every fault recovered,
      nothing was counted twice, the last round is exact and at least F
      (0..1, default 1) of the rounds outside fault windows are exact.
  hydrogen tree --agents N --branching K --processes [--transport nats]
                [--rounds R] [--servers URLS] [--seed S] [--max-processes P]
      The same run with every coordinator level above the local one in its
      own OS process (at most P, default 4; the highest levels share the
      last), talking to the agents' process only through NATS.
  hydrogen render [--viewports N] [--elements E] [--seed S] [--view W,H] [--json]
                  [--out FILE.png]
      Draw commands of a seeded scene: N viewports (1..10^5, default 100) of
      E valid Wire Elements each (0..10^4, default 100), culled to the view
      [0, W) × [0, H) px (default 1280,720) and batched per atom kind.
      Prints culled/visible Elements, instances per kind, draw calls against
      the proved bound (≤ 4 per viewport, Hydrogen.Render.draw_calls_bounded),
      instance bytes, and the graded error: proved bounds 33/1024 px and
      1/510 against the maximum measured exactly over the scene. Exit 1 if a
      measured error EXCEEDS its bound. --out writes viewport 0's frame as a
      PNG drawn by the CPU reference renderer (no browser, no GPU).
  hydrogen view [--agents N] [--branching K] [--width W] [--height H] [--pause MS]
      Live view: a coordinator tree of N agents (default 400) and a page on
      127.0.0.1 drawing their Elements with WebGPU from per-round deltas,
      with frame time, draw calls against the proved count, the proved and
      measured error and the round status. Runs until Ctrl-C.
  hydrogen research --corpus DIR --question TEXT [--researchers N] [--byzantine B]
                   [--byzantine-mode collude|fabricate|crash|hang|inconsistent|loop|exhaust|exit]
                   [--faults F] [--max-rounds R] [--seed S] [--out DIR]
                   [--isolation worker|in-process] [--memory-mb MB]
      A research mission (seed 004: scatter, gather, spiral) of N built-in
      researchers (default 10, each in its own worker thread unless
      --isolation in-process), B of them Byzantine, over DIR: prints the
      quorum (n, f, q; f defaults to (N - 1)/3 rounded down), the consensus
      level, the agreed claim, hallucinated citations, rounds, and the
      artifact directory with the full trace (trace.json). Exit 0 when a
      result was produced (even LOW), 2 on bad input (n < 3f+1 included).
  hydrogen mesh sim [--agents N] [--sectors S] [--clusters C] [--seed X]
                   [--clock virtual|wall] [--failures LIST] [--duration SECONDS]
                   [--strategy arrival|naive] [--conflict-log FILE] [--processes P]
      The MESH-30K mesh (seed 002), simulated: N agents (default 30,000) in S
      sectors (100) of C clusters (10) with the seed's class mix, injected
      failures (crash, slow-cluster, cluster-down, sector-outage, conflict),
      scatter-gathers with arrival-time scheduling, trinary quorum, breakers
      and degradation modes. Prints the Part 11 KPIs with target and met /
      NOT met, and the §8.2 message rates observed. --clock virtual (default)
      is deterministic; wall runs cascades and heartbeats over a nats-server
      started on loopback, the agents in P host processes (default 4).
  hydrogen mesh plan [--sectors S] [--clusters C] [--agents-per-cluster A] [--json]
      The MESH hierarchy for S sectors (default 100) of C clusters (10) of A
      agents (30): nodes per level, hops, fan-out, the coordinator tree's
      per-level branching and the §8.2 message rates with their headroom.
  hydrogen console [COMMAND ...] [--bus embedded|nats] [--servers URLS]
                   [--sample N] [--to SCOPE] [--state-dir DIR] [--seed X]
                   [--sectors S] [--clusters C] [--agents-per-cluster A]
      The orchestrator's console (seed 002 Part 7) on a simulated mesh
      (default 10 x 10 x 30 agents, in-process; --bus nats over a nats-server
      started on loopback). Every command is signed with the orchestrator's
      Ed25519 key and verified before it acts: status [SCOPE], broadcast
      MESSAGE, ask QUESTION [--sample N], delegate TASK --to SCOPE,
      heal|freeze|thaw|route-around|stuck|reassign [SCOPE], advance N; or a
      conversational line ("what's the status of sector 7"); ';' separates
      commands. Exit 1 when the system refused a command, 2 on bad input.
  hydrogen console serve [--port N] [--tick-ms MS] [--bus embedded|nats] ...
      The web console on 127.0.0.1 (--port, default a free one, printed): the
      status, live aggregate, sectors, breakers and conflicts, and the same
      commands, behind a login token (HYDROGEN_CONSOLE_TOKEN, or one
      generated and printed). Runs until Ctrl-C.
  hydrogen help
      This text. 'hydrogen help COMMAND' or 'hydrogen COMMAND --help' lists a
      command's flags with their ranges and defaults.

Flags take their value as the next argument or after '=' (--agents=1000).
Exit codes: 0 success, 1 check failed, 2 bad arguments or a tree this machine
cannot hold (file descriptors, heap; refused before anything starts), 130/143
stopped by SIGINT/SIGTERM (after stopping what the command started).
`

/** The subcommands, in the order `help` lists them. */
export const commandNames: ReadonlyArray<string> = ["plan", "run", "tree", "render", "view", "research", "mesh", "console", "help"]

export interface MainOptions {
  /** Turn SIGINT/SIGTERM into interruption of the command (default: when writing to the process's own stdout/stderr). */
  readonly signals?: boolean
}

/** The whole command line, with handlers writing through `io` and reporting their exit code in `outcome`. */
export const hydrogenCommand = (io: Io, outcome: Outcome) => {
  const env = { tty: io === processIo && process.stdout.isTTY === true }
  const help = Command.make("help", {}, () => Effect.sync(() => io.out(usage))).pipe(Command.withDescription("Prints the overview of every command."))
  return Command.make("hydrogen").pipe(
    Command.withDescription("verified coordination for very large agent populations"),
    Command.withSubcommands([
      planCommand(runPlan(io, outcome)),
      runCommand(runRun(io, outcome)),
      // the tree and render modules load only when their command runs
      treeCommand((o) => Effect.flatMap(Effect.promise(() => import("./Tree.ts")), (m) => m.runTreeCommand(io, env, outcome)(o))),
      renderCommand((a) => Effect.flatMap(Effect.promise(() => import("./Render.ts")), (m) => m.runRender(io, outcome)(a))),
      viewCommand(runView(io)),
      researchCommand((a) => Effect.flatMap(Effect.promise(() => import("./Research.ts")), (m) => m.runResearchCommand(io, outcome)(a))),
      meshCommand(
        (a) => Effect.flatMap(Effect.promise(() => import("./Mesh.ts")), (m) => m.runMeshSim(io, outcome)(a)),
        runMeshPlan(io, outcome),
      ),
      consoleCommand((a) => Effect.flatMap(Effect.promise(() => import("../Console/CliRun.ts")), (m) => m.runConsole(io, outcome)(a))).pipe(
        Command.withSubcommands([serveCommand(runServe(io, outcome))]),
      ),
      help,
    ]),
  )
}

/** Runs the command line `argv` (without node and script); returns the exit code. */
export const main = async (argv: ReadonlyArray<string>, io: Io = processIo, options: MainOptions = {}): Promise<number> => {
  const outcome: Outcome = { code: exitCodes.ok }
  // `hydrogen help COMMAND` is `hydrogen COMMAND --help`
  const args = argv.length === 2 && argv[0] === "help" && commandNames.includes(argv[1]!) ? [argv[1]!, "--help"] : argv
  const fiber = Effect.runFork(invokeCommand(hydrogenCommand(io, outcome), args, io, { rootHelp: usage }))
  let signalled: number | undefined
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled !== undefined) return // already stopping
    signalled = signal === "SIGINT" ? exitCodes.sigint : exitCodes.sigterm
    io.err(`hydrogen: ${signal}, stopping\n`)
    Effect.runFork(Fiber.interrupt(fiber))
  }
  const signals = options.signals ?? io === processIo
  if (signals) {
    process.on("SIGINT", onSignal)
    process.on("SIGTERM", onSignal)
  }
  try {
    const exit = await Effect.runPromise(Fiber.await(fiber))
    return signalled ?? exitCodeOf(exit, outcome, io)
  } finally {
    if (signals) {
      process.off("SIGINT", onSignal)
      process.off("SIGTERM", onSignal)
    }
  }
}
