/**
 * The flags of `hydrogen render` and their checks, apart from the scene
 * computation (Render.ts) so that the command line loads the render modules
 * only when `render` runs.
 */
import { Effect, Option, Schema } from "effect"
import { Command, Flag } from "effect/cli"
import { type Either, intFlagOr, invalidCombination, seedFlag, switchFlag } from "./Flags.ts"
import { decodeArgs } from "./Invoke.ts"

export const maxViewports = 10 ** 5
export const maxElementsPerViewport = 10 ** 4
/** At most this many Elements in a scene (`viewports × elements`): every one is measured in exact arithmetic. */
export const maxSceneElements = 10 ** 7
/** Largest view side, px. */
export const maxViewSide = 2 ** 14

/** The default view, px from the viewport's origin: covers part of the content, so some Elements are culled. */
export const defaultView = { width: 1280, height: 720 } as const

export interface RenderArgs {
  readonly viewports: number
  readonly elements: number
  readonly seed: number
  /** The view rectangle, px: `[0, width) × [0, height)` of every viewport. */
  readonly view: { readonly width: number; readonly height: number }
  readonly json: boolean
  /** `--out FILE.png`: also write viewport 0's frame as drawn by the CPU reference renderer. */
  readonly out?: string
}

/** `--view W,H`: the view rectangle in px, each side in 1..maxViewSide. */
const viewFlag = Flag.String("view").pipe(
  Flag.withSchema(
    Schema.String.check(
      Schema.isPattern(/^[0-9]+,[0-9]+$/, { expected: "W,H: two whole numbers of px separated by a comma" }),
      Schema.makeFilter((s: string) => {
        const [w, h] = s.split(",").map(Number) as [number, number]
        return (w >= 1 && w <= maxViewSide && h >= 1 && h <= maxViewSide) || `expected a width and a height in 1..${maxViewSide} px`
      }),
    ),
  ),
  Flag.withMetavar("W,H"),
  Flag.withDescription(`view rectangle [0, W) × [0, H) px, default ${defaultView.width},${defaultView.height}`),
  Flag.optional,
)

/** `--out FILE.png`: a path ending in .png. */
const outFlag = Flag.String("out").pipe(
  Flag.withSchema(Schema.String.check(Schema.isPattern(/^.*[^/]\.png$/i, { expected: "a file path ending in .png" }))),
  Flag.withMetavar("FILE.png"),
  Flag.withDescription("write viewport 0's frame as a PNG, drawn by the CPU reference renderer (no browser, no GPU)"),
  Flag.optional,
)

export const renderFlags = {
  viewports: intFlagOr("viewports", 1, maxViewports, "N", "viewports", 100),
  elements: intFlagOr("elements", 0, maxElementsPerViewport, "E", "valid Wire Elements per viewport", 100),
  seed: seedFlag,
  view: viewFlag,
  json: switchFlag("json", "print the report as JSON"),
  out: outFlag,
} as const

type RawRender = Command.Command.Config.Infer<typeof renderFlags>

const toRenderArgs = (o: RawRender): RenderArgs => {
  const [width, height] = Option.match(o.view, { onNone: () => [defaultView.width, defaultView.height], onSome: (v) => v.split(",").map(Number) }) as [number, number]
  const base = { viewports: o.viewports, elements: o.elements, seed: o.seed, view: { width, height }, json: o.json }
  return Option.isSome(o.out) ? { ...base, out: o.out.value } : base
}

export const renderDescription = `Draw commands of a seeded scene: N viewports of E valid Wire Elements each,
  culled to the view [0, W) × [0, H) px and batched per atom kind. Prints
  culled/visible Elements, instances per kind, draw calls against the proved
  bound (≤ 4 per viewport, Hydrogen.Render.draw_calls_bounded), instance bytes,
  and the graded error: proved bounds 33/1024 px and 1/510 against the maximum
  measured exactly over the scene. Exit 1 if a measured error EXCEEDS its bound.
  --out FILE.png also writes viewport 0's frame, drawn by the CPU reference
  renderer (src/Gpu/Reference.ts), as a PNG.`

/** `render`, with `handler` run on the decoded arguments; a scene above `maxSceneElements` is refused. */
export const renderCommand = <E, R>(handler: (a: RenderArgs) => Effect.Effect<void, E, R>) =>
  Command.make("render", renderFlags, (o) => handler(toRenderArgs(o))).pipe(
    Command.validate((o) =>
      o.viewports * o.elements > maxSceneElements
        ? invalidCombination(
            `--viewports × --elements must be at most ${maxSceneElements.toLocaleString("en-US")} Elements (each is measured exactly), got ${o.viewports} × ${o.elements}`,
          )
        : Effect.void,
    ),
    Command.withDescription(renderDescription),
  )

/** Decodes `render` arguments; defaults: 100 viewports, 100 Elements each, seed 1, view 1280,720. */
export const parseRenderArgs: (args: ReadonlyArray<string>) => Either<string, RenderArgs> = decodeArgs(renderCommand)

