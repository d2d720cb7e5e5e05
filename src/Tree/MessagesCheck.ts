/**
 * The receiver's check of a decoded tree message against the topology: may it
 * accept this message from its header's sender (`Forged` otherwise)?
 *
 * @module
 */
import * as Result from "effect/Result"
import type { Message } from "./Messages.ts"
import { type DecodeOptions, decodeMessage } from "./MessagesCodec.ts"
import { Forged, InvalidField, type MessageError } from "./MessagesErrors.ts"
import { HEADER_BYTES } from "./MessagesLayout.ts"
import { childRange, type CoordinatorId, inSubtree, parent, type Topology } from "./Topology.ts"

/**
 * Whether `receiver` may accept `m` from its header's sender:
 * - Up: the sender is a coordinator child of the receiver (one level below,
 *   index among its children). Local coordinators host their agents
 *   directly, so they accept no Up.
 * - Heartbeat: from a coordinator child (as Up) or from the receiver's parent.
 * - Down: the sender is the receiver's parent.
 * - Lateral: either from below (a child coordinator, or for a local
 *   coordinator one of its agents) with `fromAgent` in that child's subtree,
 *   or from the parent with `toAgent` in the receiver's subtree; both agents
 *   must exist.
 * Otherwise `Forged` (or `InvalidField` for agents outside the tree).
 */
export const checkSender = (t: Topology, receiver: CoordinatorId, m: Message): Result.Result<Message, Forged | InvalidField> => {
  const forged = (reason: string) => Result.fail(new Forged({ kind: m._tag, sender: m.from, receiver, reason }))
  const isChildCoordinator = (): boolean => {
    if (receiver.level <= 1 || m.from.level !== receiver.level - 1) return false
    const r = childRange(t, receiver)
    return m.from.index >= r.lo && m.from.index < r.hi
  }
  switch (m._tag) {
    case "UpBatch": {
      if (receiver.level === 1) return forged("local coordinators accept no Up/Heartbeat from below (their agents are hosted)")
      if (m.from.level !== receiver.level - 1) return forged(`level mismatch: expected level ${receiver.level - 1}`)
      const r = childRange(t, receiver)
      for (const e of m.ups) if (e.index < r.lo || e.index >= r.hi) return forged(`entry ${e.index} is not a child of the receiver`)
      return Result.succeed(m)
    }
    case "Heartbeat":
    case "Up": {
      if (m._tag === "Heartbeat") {
        const p = parent(t, receiver)
        if (p !== undefined && m.from.level === p.level && m.from.index === p.index) return Result.succeed(m)
      }
      if (receiver.level === 1) return forged("local coordinators accept no Up/Heartbeat from below (their agents are hosted)")
      if (m.from.level !== receiver.level - 1) return forged(`level mismatch: expected level ${receiver.level - 1}`)
      return isChildCoordinator() ? Result.succeed(m) : forged("sender is not a child of the receiver")
    }
    case "Down": {
      const p = parent(t, receiver)
      if (p === undefined) return forged("the root has no parent")
      return m.from.level === p.level && m.from.index === p.index ? Result.succeed(m) : forged("sender is not the receiver's parent")
    }
    case "Lateral": {
      if (m.fromAgent >= t.agents) return Result.fail(new InvalidField({ kind: "Lateral", field: "from agent", offset: HEADER_BYTES, value: m.fromAgent, expected: `< ${t.agents}` }))
      if (m.toAgent >= t.agents) return Result.fail(new InvalidField({ kind: "Lateral", field: "to agent", offset: HEADER_BYTES + 4, value: m.toAgent, expected: `< ${t.agents}` }))
      const p = parent(t, receiver)
      if (p !== undefined && m.from.level === p.level && m.from.index === p.index) {
        return inSubtree(t, receiver, m.toAgent) ? Result.succeed(m) : forged("from the parent, but the destination is not below the receiver")
      }
      if (receiver.level === 1 && m.from.level === 0) {
        if (m.from.index !== m.fromAgent) return forged("an agent may only send as itself")
        return inSubtree(t, receiver, m.fromAgent) ? Result.succeed(m) : forged("the sending agent is not hosted here")
      }
      if (!isChildCoordinator()) return forged("sender is neither a child nor the parent of the receiver")
      return inSubtree(t, m.from, m.fromAgent) ? Result.succeed(m) : forged("the origin agent is not below the sending child")
    }
  }
}

/** Decode and check in one step. */
export const decodeFor = (
  t: Topology,
  receiver: CoordinatorId,
  bytes: Uint8Array,
  options: DecodeOptions = {},
): Result.Result<Message, MessageError> => {
  const d = decodeMessage(bytes, options)
  return Result.isFailure(d) ? d : checkSender(t, receiver, d.success)
}
