/**
 * Replicated positions (src/Tree/Failover.ts) as `Level`s of the round driver
 * (src/Tree/Round.ts): one row per tree level, each position an active
 * replica and its standbys under a lease. The driver sees a row as it sees a
 * row of plain coordinators: its part of a round is done by the active
 * replica of each position (whichever holds the lease now), its publishes
 * are every replica's, killed incarnations included, and after a reconnect
 * the active replicas re-send their latest Down and Up.
 *
 * The chaos run drives these levels with `clock: "rates"` (the replicas tick
 * on the heartbeat clock); `clock: "driven"` ticks the active replicas level
 * by level like any other tree.
 *
 * @module
 */
import type { AgentPool } from "./Agents.ts"
import { addKinds, type AgentLevel, type Kinds, type Level, zeroKinds } from "./Level.ts"
import { encodeMessage } from "./Messages.ts"
import type { Replica } from "./Replica.ts"

/** The active replica of a position (the highest term if, briefly, two think they are). */
export const activeReplica = (rs: ReadonlyArray<Replica>): Replica | undefined => {
  let best: Replica | undefined
  for (const r of rs) if (r.isActive && (best === undefined || r.term > best.term)) best = r
  return best
}

const actives = (positions: ReadonlyArray<ReadonlyArray<Replica>>): Replica[] => {
  const out: Replica[] = []
  for (const rs of positions) {
    const r = activeReplica(rs)
    if (r !== undefined) out.push(r)
  }
  return out
}

/** The row of replicated positions at tree level `level` (`positions[i]`: the replicas of position `(level, i)`). */
export const replicatedLevel = (level: number, positions: ReadonlyArray<ReadonlyArray<Replica>>): Level => {
  let resentDowns = 0
  return {
    waiting: (epoch) => `the active replicas of level ${level} to hear epoch ${epoch} from all children`,
    advance: async (epoch) => {
      const row = actives(positions)
      await Promise.all(row.map((r) => r.coordinator.whenChildrenAt(epoch)))
      for (const r of row) if (r.isActive) r.coordinator.tick()
    },
    published: () => {
      const out: Kinds = zeroKinds()
      for (const rs of positions) for (const r of rs) addKinds(out, r.published())
      out.Down += resentDowns
      return out
    },
    // a replica sends one Up per publish (its Ups carry its term; an UpBatch has none)
    coalesced: () => 0,
    resendDowns: () => {
      if (level === 1) return // local coordinators forward no Down
      for (const r of actives(positions)) {
        const c = r.coordinator
        if (c.epoch === 0) continue
        c.transport.publish(c.subjects.down, encodeMessage({ _tag: "Down", from: c.id, epoch: c.epoch, policy: c.policy, triggers: c.triggers }))
        resentDowns++
      }
    },
    resendUps: () => {
      for (const r of actives(positions)) if (r.coordinator.summaryEpoch > 0) r.coordinator.tick()
    },
  }
}

/**
 * The local positions as the level hosting the agents: the agents take each
 * round's values without waiting for its Down (agents never wait on
 * coordination; a fault may hold the Down up), so `whenDown` is immediate.
 */
export const replicatedAgentLevel = (agents: AgentPool, locals: ReadonlyArray<ReadonlyArray<Replica>>): AgentLevel => {
  const row = replicatedLevel(1, locals)
  return {
    ...row,
    waiting: (epoch) => `the agents to take round ${epoch}`,
    whenDown: () => Promise.resolve(),
    updateAgents: (epoch) => agents.update(epoch),
    triggersDelivered: 0,
  }
}
