/**
 * `hydrogen view`: runs a coordinator tree (in-process bus) and serves its
 * live view on loopback (src/Gpu/Live.ts): a page that draws the agents'
 * Elements with WebGPU from per-round deltas, with frame time, draw calls
 * against the proved count, instances, proved and measured error and the
 * tree's round status. Runs until SIGINT/SIGTERM, which stop the tree and the
 * server. The page needs a browser with WebGPU; without one, `hydrogen render
 * --out frame.png` draws a frame on the CPU.
 */
import { Effect } from "effect"
import { Command } from "effect/cli"
import { type Io, intFlagOr, seedFlag } from "./Flags.ts"

export const viewFlags = {
  agents: intFlagOr("agents", 4, 100_000, "N", "agents (one Element each)", 400),
  branching: intFlagOr("branching", 2, 1000, "K", "children per coordinator", 8),
  width: intFlagOr("width", 64, 4096, "W", "view width, px", 960),
  height: intFlagOr("height", 64, 4096, "H", "view height, px", 540),
  pause: intFlagOr("pause", 0, 10_000, "MS", "pause between rounds, ms", 200),
  seed: seedFlag,
} as const

export type ViewArgs = Command.Command.Config.Infer<typeof viewFlags>

export const viewDescription = `Live view: runs a coordinator tree of N agents (in-process bus) and serves
  a page on 127.0.0.1 that draws their Elements with WebGPU, fed per round
  with deltas over a Server-Sent Events stream; it shows frame time, draw
  calls against the proved count, instances, the proved and measured error
  and the round status. Runs until Ctrl-C.`

/** Starts the view, prints its URL, and holds it until interrupted. */
export const runView = (io: Io) => (a: ViewArgs) =>
  Effect.acquireUseRelease(
    Effect.promise(async () => {
      const { startLiveView } = await import("../Gpu/Live.ts")
      return startLiveView({ agents: a.agents, branching: a.branching, width: a.width, height: a.height, pauseMs: a.pause, seed: a.seed })
    }),
    (v) =>
      Effect.sync(() =>
        io.out(`hydrogen view: ${a.agents} agents, branching ${a.branching}, ${a.width}×${a.height} px: open ${v.url} in a browser with WebGPU (Ctrl-C stops)\n`),
      ).pipe(Effect.andThen(Effect.never)),
    (v) => Effect.promise(() => v.close()),
  )

/** `view`, with `handler` run on the decoded arguments. */
export const viewCommand = <E, R>(handler: (a: ViewArgs) => Effect.Effect<void, E, R>) =>
  Command.make("view", viewFlags, handler).pipe(Command.withDescription(viewDescription))
