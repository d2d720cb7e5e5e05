/**
 * One local coordinator of a `LocalLevel` column seen through the
 * `CoordinatorLike` surface (for tests and the drivers' per-coordinator view).
 *
 * @module
 */
import type { CoordinatorCounters, CoordinatorLike } from "./CoordinatorTypes.ts"
import type { LocalLevel } from "./LocalLevel.ts"
import type { MessageError, MessageErrorTag } from "./Messages.ts"
import { type Summary, summaryEmpty } from "./Summary.ts"
import { childRange, type CoordinatorId, coordinatorName, subjects, type Subjects, type Topology } from "./Topology.ts"

const noHeartbeats = new Uint32Array(0)

/** One local coordinator of a `LocalLevel`, seen as a `Coordinator` (state lives in the level). */
export class LocalView implements CoordinatorLike {
  readonly level: LocalLevel
  readonly index: number
  readonly isRoot = false
  readonly isLocal = true
  readonly heartbeats: Uint32Array = noHeartbeats
  readonly childEpoch = 0

  constructor(level: LocalLevel, index: number) {
    this.level = level
    this.index = index
  }

  get topology(): Topology {
    return this.level.topology
  }
  get id(): CoordinatorId {
    return { level: 1, index: this.index }
  }
  get name(): string {
    return coordinatorName(this.id)
  }
  get subjects(): Subjects {
    return subjects(this.level.topology, this.id)
  }
  get childCount(): number {
    const r = childRange(this.level.topology, this.id)
    return r.hi - r.lo
  }
  get epoch(): number {
    return this.level.epochOf(this.index)
  }
  get policy(): Uint8Array {
    return this.level.policyOf(this.index)
  }
  get triggers(): ReadonlyArray<number> {
    return this.level.triggersOf(this.index)
  }
  get seq(): number {
    return this.level.seq
  }
  get summary(): Summary {
    return this.level.summaryOf(this.index)
  }
  get summaryEpoch(): number {
    return this.level.summaryEpochOf(this.index)
  }
  get counters(): CoordinatorCounters {
    return this.level.countersOf(this.index)
  }
  get rejectedByTag(): Partial<Record<MessageErrorTag, number>> {
    return this.level.rejectedByTagOf(this.index)
  }
  get rejections(): ReadonlyArray<{ readonly subject: string; readonly error: MessageError }> {
    return this.level.rejectionsOf(this.index)
  }
  mergedChildren(): Summary {
    return summaryEmpty
  }
  tick(): Summary {
    return this.level.tickOne(this.index)
  }
  heartbeat(term: number): void {
    this.level.heartbeat(this.index, term)
  }
  whenEpoch(epoch: number): Promise<void> {
    return this.level.whenEpochAt(this.index, epoch)
  }
  whenChildrenAt(_epoch: number): Promise<void> {
    return Promise.resolve()
  }
  whenSummaryAt(epoch: number): Promise<void> {
    return this.level.whenSummaryAt(this.index, epoch)
  }
}
