/**
 * One part of the tree as the round driver (src/Tree/Round.ts) sees it: a
 * column of local coordinators (`LocalLevel`, also a lone local root hosting
 * every agent), a row of upper coordinators, a group of coordinator processes
 * (src/Tree/ProcessGroup.ts), or a row of replicated positions
 * (src/Tree/ReplicatedLevel.ts). The driver only starts rounds, waits on levels,
 * counts their publishes and asks them to re-send after a reconnect; how a
 * level does its part is its own business.
 *
 * @module
 */
import type { Transport } from "../Net/Transport.ts"
import type { Coordinator } from "./Coordinator.ts"
import type { LocalLevel } from "./LocalLevel.ts"
import { encodeMessage, type MessageKind } from "./Messages.ts"

/** A factory of bus clients, one per name. */
export type Connect = (name: string) => Transport | Promise<Transport>

export type Kinds = Record<MessageKind, number>

export const zeroKinds = (): Kinds => ({ Up: 0, Down: 0, Heartbeat: 0, Lateral: 0 })

/** `into += add`, kind by kind. */
export const addKinds = (into: Kinds, add: Readonly<Kinds>): Kinds => {
  into.Up += add.Up
  into.Down += add.Down
  into.Heartbeat += add.Heartbeat
  into.Lateral += add.Lateral
  return into
}

export interface Level {
  /** What `advance` waits for, for a timeout's message. */
  waiting(epoch: number): string
  /** This level's part of round `epoch` once the level below sent it up: wait for its children, tick, send up. */
  advance(epoch: number): Promise<void>
  /** Publishes so far, by kind (an Up inside an UpBatch counts as one). */
  published(): Readonly<Kinds>
  /** Publishes saved by UpBatches so far. */
  coalesced(): number
  /** After a reconnect: publish the latest Down again (what was in flight may be lost). */
  resendDowns(): void
  /** After a reconnect: send the latest Up again (a new seq, the same data). */
  resendUps(): void
}

/** The level hosting the agents: the round's Down must reach it before the agents update under it. */
export interface AgentLevel extends Level {
  whenDown(epoch: number): Promise<void>
  updateAgents(epoch: number): void
  /** Trigger reactions so far (each trigger once per local coordinator it reached). */
  readonly triggersDelivered: number
}

/** Every local coordinator as one column level (src/Tree/LocalLevel.ts); a local root re-sends nothing (it has no parent). */
export const columnLevel = (local: LocalLevel): AgentLevel => ({
  waiting: (epoch) => `Down epoch ${epoch} to reach every local coordinator`,
  whenDown: (epoch) => local.whenAllAt(epoch),
  updateAgents: (epoch) => local.updateAgents(epoch),
  // paced: the Ups leave as they are written instead of queueing n/k of them in the client at once
  advance: () => local.tickAllPaced(),
  published: () => local.counters.published,
  coalesced: () => local.counters.coalesced,
  resendDowns: () => undefined,
  resendUps: () => {
    if (local.ticks > 0) local.tickAll()
  },
  get triggersDelivered() {
    return local.triggersDelivered
  },
})

/** Publishes of coordinators, by kind. */
export const publishedBy = (cs: Iterable<Coordinator>): Kinds => {
  const out = zeroKinds()
  for (const c of cs) addKinds(out, c.counters.published)
  return out
}

/** Re-publishes `c`'s latest Down if it forwards Downs and has one; true if it did. */
export const resendDown = (c: Coordinator): boolean => {
  if (c.role !== "active" || c.epoch === 0) return false
  c.transport.publish(c.subjects.down, c.sealedDown(encodeMessage({ _tag: "Down", from: c.id, epoch: c.epoch, policy: c.policy, triggers: c.triggers })))
  return true
}

/** A row of upper coordinators of one level in this process: each ticks once all its children reported the epoch. */
export const rowLevel = (row: ReadonlyArray<Coordinator>): Level => {
  const level = row[0]!.id.level
  let resentDowns = 0
  return {
    waiting: (epoch) => `level ${level} to hear epoch ${epoch} from all children`,
    advance: async (epoch) => {
      await Promise.all(row.map((c) => c.whenChildrenAt(epoch)))
      for (const c of row) c.tick()
    },
    published: () => {
      const out = publishedBy(row)
      out.Down += resentDowns
      return out
    },
    coalesced: () => {
      let n = 0
      for (const c of row) n += c.counters.coalesced
      return n
    },
    resendDowns: () => {
      for (const c of row) if (resendDown(c)) resentDowns++
    },
    resendUps: () => {
      for (const c of row) if (c.summaryEpoch > 0) c.tick()
    },
  }
}
