/**
 * Viewport state. Mirror of lean/Hydrogen/State/Viewport.lean.
 *
 * The shared state of one viewport is a product of CRDTs: which elements
 * exist (add-wins map from element id to its content handle), their positions
 * and z-order (last-writer-wins maps), running animations (add-wins set) and a
 * vector clock. A product of lattices is a lattice, so the whole state
 * converges (`ViewportState.convergence`).
 *
 * Domain: the join checks nothing itself; its components do (`LWWReg.join`
 * and `NatMax.join` throw `OutOfDomain` on a value that is not a Lean `Nat`,
 * see Register.ts and Lattice.ts), so a state holding NaN or a fraction is
 * rejected by its first join rather than merged into a wrong state.
 *
 * @module
 */
import { VectorClock } from "./Counter.ts"
import type { JoinSemilatticeBot } from "./Lattice.ts"
import { ORMap, ORSet } from "./ORSet.ts"
import { LWWMap } from "./Register.ts"

/**
 * One viewport's replicated state.
 *
 * @lean Hydrogen.State.ViewportState
 */
export interface ViewportState {
  readonly elements: ORMap
  readonly positions: LWWMap
  readonly zOrder: LWWMap
  readonly animations: ORSet
  readonly clock: VectorClock
}

const vsEmpty: ViewportState = {
  elements: ORMap.empty,
  positions: LWWMap.empty,
  zOrder: LWWMap.empty,
  animations: ORSet.empty,
  clock: VectorClock.empty,
}

const vsJoin = (a: ViewportState, b: ViewportState): ViewportState => ({
  elements: ORMap.join(a.elements, b.elements),
  positions: LWWMap.join(a.positions, b.positions),
  zOrder: LWWMap.join(a.zOrder, b.zOrder),
  animations: ORSet.join(a.animations, b.animations),
  clock: VectorClock.join(a.clock, b.clock),
})

const vsEquals = (a: ViewportState, b: ViewportState): boolean =>
  ORMap.equals(a.elements, b.elements) &&
  LWWMap.equals(a.positions, b.positions) &&
  LWWMap.equals(a.zOrder, b.zOrder) &&
  ORSet.equals(a.animations, b.animations) &&
  VectorClock.equals(a.clock, b.clock)

const vsLattice: JoinSemilatticeBot<ViewportState> = { join: vsJoin, equals: vsEquals, bot: vsEmpty }

/** Operations on `ViewportState` (names as in Lean). */
export const ViewportState = {
  /**
   * All components empty.
   *
   * @lean Hydrogen.State.ViewportState.empty
   */
  empty: vsEmpty,
  /**
   * Componentwise join.
   *
   * @lean Hydrogen.State.ViewportState.join
   */
  join: vsJoin,
  /** Componentwise structural equality. */
  equals: vsEquals,
  /**
   * The viewport lattice (`bot` = `empty`, a TS addition).
   *
   * @lean Hydrogen.State.ViewportState.joinSemilattice
   */
  joinSemilattice: vsLattice,
} as const
