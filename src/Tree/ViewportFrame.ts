/**
 * What the tree's agents report to the viewport (src/Tree/ViewportFeed.ts):
 * each agent's Element (the Wire record, src/Wire/Element.ts), the frame a
 * local coordinator publishes per round (its agents' Element deltas, one
 * Wire deltas batch), its decoding with typed errors, and the viewport CRDT
 * mutation (src/State/Viewport.ts) a decoded frame becomes.
 *
 * Agent `i`'s Element: a 16×16 rect of a fixed colour at `x = value` (units of
 * 1/16 px; |value| ≤ 10^6 fits `x`'s i32), `y = 16 · (i mod 1024)`, `z = 0`.
 * Only `x` moves from round to round.
 *
 * Frame: `round u32 · local u32 · Wire deltas batch` (src/Wire/Delta.ts).
 * A local coordinator's first frame carries each agent's whole Element (every
 * field set); later ones only what changed.
 *
 * The viewport state per Element id `i` (all LWW writes at timestamp = round,
 * replica = the local coordinator's index):
 *  - `elements`: `i` added once (tag `(local, i)`), its value the colour (the content handle);
 *  - `positions`: key `2i` holds `x + 2^31`, key `2i + 1` holds `y + 2^31` (LWW values are naturals);
 *  - `zOrder`: key `i` holds `z + 2^15`;
 *  - `clock`: entry `local` is the last round it reported.
 *
 * @module
 */
import { Data } from "effect"
import * as Result from "effect/Result"
import { type ByteError, InvalidField } from "../Bytes/Errors.ts"
import { catchFailure, fail, Reader } from "../Bytes/Reader.ts"
import { Writer } from "../Bytes/Writer.ts"
import { VectorClock } from "../State/Counter.ts"
import { ORMap, type ORMapEntry, ORMapEntryLattice, ORSet, tagOf } from "../State/ORSet.ts"
import { Bitset } from "../State/Lattice.ts"
import { LWWMap, LWWReg } from "../State/Register.ts"
import { ViewportState } from "../State/Viewport.ts"
import { I16, I32 } from "../Wire/Bounds.ts"
import { decodeDeltas, type Delta, diff, encodeDeltas, type IndexedDelta } from "../Wire/Delta.ts"
import { type Element, isValid, rect } from "../Wire/Element.ts"
import type { WireError } from "../Wire/Errors.ts"

/** Every agent's fixed colour (RGBA). */
export const agentColor = 0x3366ccff

/** Agent `index`'s Element when its value is `value`. */
export const elementOf = (index: number, value: number): Element => ({
  atom: rect(0),
  z: 0,
  viewport: 0,
  x: value,
  y: 16 * (index % 1024),
  width: 16,
  height: 16,
  color: agentColor,
})

/** The delta that sets every field of `e` (a local coordinator's first report of an agent). */
export const wholeElement = (e: Element): Delta => ({ ...e })

/** The delta from what was last reported (`undefined`: nothing yet) to `next`. */
export const deltaOf = (last: Element | undefined, next: Element): Delta => (last === undefined ? wholeElement(next) : diff(last, next))

/** Bytes of the frame header (round, local). */
export const FRAME_HEADER_BYTES = 8

/** Local coordinator `local`'s frame of round `round`. */
export const encodeFrame = (round: number, local: number, deltas: ReadonlyArray<IndexedDelta>): Uint8Array => {
  const batch = encodeDeltas(deltas)
  const w = new Writer("viewport frame")
  w.u32(round)
  w.u32(local)
  w.bytes(batch)
  return w.result()
}

/** A delta names an Element that is not one of its local coordinator's agents. */
export class ForeignElement extends Data.TaggedError("ForeignElement")<{
  readonly local: number
  readonly delta: number
  readonly index: number
  readonly lo: number
  readonly hi: number
}> {
  override get message(): string {
    return `delta ${this.delta} of local coordinator ${this.local} names Element ${this.index}, not one of its agents ${this.lo}..${this.hi - 1}`
  }
}

/** Why a frame was rejected (never applied). */
export type FrameError = ByteError | WireError | ForeignElement

/** A decoded, checked frame. */
export interface Frame {
  readonly round: number
  readonly local: number
  readonly deltas: ReadonlyArray<IndexedDelta>
}

/** What the receiver knows to check a frame against. */
export interface FrameBounds {
  /** Local coordinators: `local < locals`. */
  readonly locals: number
  /** The current round: `1 ≤ round ≤ current`. */
  readonly round: number
  /** Agent range of local coordinator `j`. */
  readonly agentsOf: (j: number) => { readonly lo: number; readonly hi: number }
}

/**
 * Decodes and checks a frame: the header (round within `1..bounds.round`,
 * local within `0..locals−1`), the Wire deltas batch (offsets there are the
 * batch's own, after the 8 header bytes), every delta's index within the
 * local's agents. Never throws.
 */
export const decodeFrame = (bytes: Uint8Array, bounds: FrameBounds): Result.Result<Frame, FrameError> => {
  const head = catchFailure<{ round: number; local: number }, ByteError>(() => {
    const r = new Reader(bytes)
    r.need(FRAME_HEADER_BYTES, "viewport frame header")
    const round = r.u32("round")
    if (round < 1 || round > bounds.round) fail(new InvalidField({ field: "round", offset: 0, value: round, expected: `a round in 1..${bounds.round}` }))
    const local = r.u32("local")
    if (local >= bounds.locals) {
      fail(new InvalidField({ field: "local", offset: 4, value: local, expected: `a local coordinator in 0..${bounds.locals - 1}` }))
    }
    return { round, local }
  })
  if (Result.isFailure(head)) return Result.fail(head.failure)
  const { round, local } = head.success
  const ds = decodeDeltas(bytes.subarray(FRAME_HEADER_BYTES))
  if (Result.isFailure(ds)) return Result.fail(ds.failure)
  const { lo, hi } = bounds.agentsOf(local)
  for (let j = 0; j < ds.success.length; j++) {
    const index = ds.success[j]!.index
    if (index < lo || index >= hi) return Result.fail(new ForeignElement({ local, delta: j, index, lo, hi }))
  }
  return Result.succeed({ round, local, deltas: ds.success })
}

const lww = (round: number, local: number, value: number): LWWReg => ({ timestamp: round, replica: local, value })

/** Dense entries `[0, n)` with `regs` at their keys (an `LWWMap`'s shape: absent keys `undefined`). */
const mapOf = (regs: ReadonlyMap<number, LWWReg>): LWWMap => {
  let n = 0
  for (const k of regs.keys()) n = Math.max(n, k + 1)
  const entries = new Array<LWWReg | undefined>(n).fill(undefined)
  for (const [k, w] of regs) entries[k] = w
  return { entries }
}

/**
 * The viewport state's delta for `frames` applied in order to `state` (a
 * delta mutator: `state ⊔ δ` is the state with the frames applied): LWW
 * writes of the changed positions and z, each Element added when `state`
 * lacks it and a frame carries its whole record, each local's clock entry
 * raised to its round. Built directly in the maps' shape (one pass, not a
 * join of one-key deltas per Element).
 */
export const framesDelta = (state: ViewportState, frames: ReadonlyArray<Frame>): ViewportState => {
  const pos = new Map<number, LWWReg>()
  const z = new Map<number, LWWReg>()
  const put = new Map<number, ORMapEntry>()
  const ticks: number[] = []
  const later = (m: Map<number, LWWReg>, k: number, w: LWWReg): void => {
    const old = m.get(k)
    m.set(k, old === undefined ? w : LWWReg.join(old, w))
  }
  for (const { round, local, deltas } of frames) {
    while (ticks.length <= local) ticks.push(0)
    ticks[local] = Math.max(ticks[local]!, round)
    for (const { index, delta: d } of deltas) {
      if (d.x !== undefined) later(pos, 2 * index, lww(round, local, d.x - I32.min))
      if (d.y !== undefined) later(pos, 2 * index + 1, lww(round, local, d.y - I32.min))
      if (d.z !== undefined) later(z, index, lww(round, local, d.z - I16.min))
      if (d.atom !== undefined && d.color !== undefined && !put.has(index) && !ORMap.contains(state.elements, index)) {
        put.set(index, [[Bitset.singleton(tagOf(local, index)), Bitset.empty], lww(round, local, d.color)])
      }
    }
  }
  let n = 0
  for (const k of put.keys()) n = Math.max(n, k + 1)
  const bot = ORMapEntryLattice.bot
  const entries = new Array<ORMapEntry>(n).fill(bot)
  for (const [k, e] of put) entries[k] = e
  return { elements: { entries }, positions: mapOf(pos), zOrder: mapOf(z), animations: ORSet.empty, clock: VectorClock.make(ticks) }
}

/** `framesDelta` of one frame. */
export const frameDelta = (state: ViewportState, frame: Frame): ViewportState => framesDelta(state, [frame])

/** The Element id `i`'s x, y and z as the viewport state holds them (`undefined` where not written). */
export const placed = (s: ViewportState, i: number): { x?: number; y?: number; z?: number; color?: number } => {
  const x = LWWMap.get(s.positions, 2 * i)
  const y = LWWMap.get(s.positions, 2 * i + 1)
  const z = LWWMap.get(s.zOrder, i)
  const c = ORMap.get(s.elements, i)
  return {
    ...(x === undefined ? {} : { x: x.value + I32.min }),
    ...(y === undefined ? {} : { y: y.value + I32.min }),
    ...(z === undefined ? {} : { z: z.value + I16.min }),
    ...(c === undefined ? {} : { color: c.value }),
  }
}

/**
 * The direct check: every agent's current Element is in `s` (present, at its
 * position and z, with its colour). The number of agents that differ.
 */
export const mismatches = (s: ViewportState, values: Float64Array): number => {
  let bad = 0
  for (let i = 0; i < values.length; i++) {
    const e = elementOf(i, values[i]!)
    const p = placed(s, i)
    if (p.x !== e.x || p.y !== e.y || p.z !== e.z || p.color !== e.color) bad++
  }
  return bad
}

/** Every Element an agent can report is valid (`Hydrogen.Wire.Element.Valid`): checked once per frame built. */
export const checkElement = (e: Element): Element => {
  if (!isValid(e)) throw new RangeError(`viewport: agent Element out of the Wire bounds: ${JSON.stringify(e)}`)
  return e
}
