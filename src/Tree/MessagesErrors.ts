/**
 * Why a tree message is rejected. Malformed bytes fail with the byte layer's
 * errors (`Truncated`, `BadHeader`, `InvalidField` with the message kind, from
 * `src/Bytes/Errors.ts`); these are the tree's own: an unknown kind, a
 * message over the receiver's limit, and a well-formed message from a sender
 * the receiver must not accept.
 *
 * @module
 */
import { Data } from "effect"
import { BadHeader, InvalidField, Truncated } from "../Bytes/Errors.ts"
import type { MessageTag, Sender } from "./Messages.ts"
import { type CoordinatorId, coordinatorName } from "./Topology.ts"

export { BadHeader, InvalidField, Truncated }

/** The header's kind byte is not a known message kind. */
export class UnknownKind extends Data.TaggedError("UnknownKind")<{ readonly kind: number }> {
  override get message(): string {
    return `unknown message kind ${this.kind} at byte 3 (known: 1 Up, 2 Down, 3 Heartbeat, 4 Lateral, 5 UpBatch)`
  }
}

/** The message (or the length its header declares) exceeds the receiver's limit. */
export class OversizedMessage extends Data.TaggedError("OversizedMessage")<{
  readonly size: number
  readonly max: number
}> {
  override get message(): string {
    return `oversized message: ${this.size} bytes, at most ${this.max} accepted`
  }
}

/** A well-formed message the receiver must not accept from that sender (not a child / not its parent / wrong level). */
export class Forged extends Data.TaggedError("Forged")<{
  readonly kind: MessageTag
  readonly sender: Sender
  readonly receiver: CoordinatorId
  readonly reason: string
}> {
  override get message(): string {
    return `forged ${this.kind} from level ${this.sender.level} index ${this.sender.index} at ${coordinatorName(this.receiver)}: ${this.reason}`
  }
}

export type DecodeError = Truncated | BadHeader | UnknownKind | OversizedMessage | InvalidField
export type MessageError = DecodeError | Forged
export type MessageErrorTag = MessageError["_tag"]
export const messageErrorTags: ReadonlyArray<MessageErrorTag> = [
  "Truncated",
  "BadHeader",
  "UnknownKind",
  "OversizedMessage",
  "InvalidField",
  "Forged",
]
