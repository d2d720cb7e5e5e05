/**
 * One local coordinator of a `LocalLevel` run seen through the
 * `CoordinatorLike` surface (for tests and the drivers' per-coordinator view),
 * and, for a run of one, the `ReplicaCoordinator` surface a replica drives
 * (src/Tree/Replica.ts): role, term, heartbeats, promotion.
 *
 * @module
 */
import type { Transport } from "../Net/Transport.ts"
import type { CoordinatorCounters, CoordinatorRole, ReplicaCoordinator } from "./CoordinatorTypes.ts"
import type { LocalLevel } from "./LocalLevel.ts"
import type { MessageError, MessageErrorTag } from "./Messages.ts"
import { type Summary, summaryEmpty } from "./Summary.ts"
import { childRange, type CoordinatorId, coordinatorName, subjects, type Subjects, type Topology } from "./Topology.ts"

const noHeartbeats = new Uint32Array(0)
const noHeardAt = new Float64Array(0)

/** One local coordinator of a `LocalLevel`, seen as a `Coordinator` (state lives in the level). */
export class LocalView implements ReplicaCoordinator {
  readonly level: LocalLevel
  /** Its index within the level's run. */
  readonly index: number
  readonly heartbeats: Uint32Array = noHeartbeats
  readonly childHeardAt: Float64Array = noHeardAt
  readonly childEpoch = 0

  constructor(level: LocalLevel, index: number) {
    this.level = level
    this.index = index
  }

  get topology(): Topology {
    return this.level.topology
  }
  get id(): CoordinatorId {
    return this.level.idOf(this.index)
  }
  get name(): string {
    return coordinatorName(this.id)
  }
  get subjects(): Subjects {
    return subjects(this.level.topology, this.id)
  }
  get isRoot(): boolean {
    return this.level.isRoot
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
  /** Who sent the Down it holds: its parent (undefined: none yet, or a local root). */
  get downFrom(): CoordinatorId | undefined {
    return this.epoch === 0 || this.level.isRoot ? undefined : { level: 2, index: Math.floor(this.id.index / this.level.topology.branching) }
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
  // replication state is the run's (a replica is a run of one)
  get transport(): Transport {
    return this.level.transport
  }
  get role(): CoordinatorRole {
    return this.level.role
  }
  get term(): number {
    return this.level.term
  }
  get peerTerm(): number {
    return this.level.peerTerm
  }
  get peerHeardAt(): number {
    return this.level.peerHeardAt
  }
  get parentHeardAt(): number {
    return this.level.parentHeardAt
  }
  get parentTerm(): number {
    return this.level.parentTermOf(this.index)
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
  broadcast(policy?: Uint8Array, triggers?: ReadonlyArray<number>): number {
    return this.level.broadcast(policy, triggers)
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
  async start(): Promise<void> {
    this.level.start()
  }
  stop(): Promise<void> {
    return this.level.stop()
  }
  reattach(transport: Transport): Promise<void> {
    return this.level.reattach(transport)
  }
  beat(): void {
    this.level.beat()
  }
  promote(term: number): void {
    this.level.promote(term)
  }
  demote(): void {
    this.level.demote()
  }
}
