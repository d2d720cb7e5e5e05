/**
 * Bounds on the version fields a coordinator adopts (issue 15, "version
 * inflation"). Summaries are kept per child by the highest `(term, epoch,
 * seq)`, so one message with a field at 2^32 − 1 would win against every
 * later honest one and freeze that slot (or a subtree's policy) for the rest
 * of the run. A receiver therefore adopts a version only if it is one its
 * own state says an honest sender can have reached:
 *
 * - epoch (Up and Down) ≤ `epochCeiling`: by default the receiver's own Down
 *   epoch + 1. Rounds are sequential — the root broadcasts epoch e + 1 only
 *   after it has the aggregate of e — and a coordinator holds a Down before
 *   any of its children can (it forwards it to them), so a child's data epoch
 *   is at most the receiver's epoch, and a Down is at most the next one; the
 *   + 1 covers the one Down in flight. The replicated tree, whose agents move
 *   on even without a Down, passes its round counter instead.
 * - seq: for the same sender term, at most `SEQ_WINDOW` above the kept one (a
 *   sender's seq grows by one per tick; 2^16 ticks without a delivered Up is
 *   over half an hour at 30 Hz).
 * - term: only through the owner's `termOk` (the replicated tree checks it
 *   against the sender's lease revision in the KV bucket); an unreplicated
 *   coordinator accepts no Up term at all (its children have none).
 *
 * A message that is not newer than what is kept is left to the usual
 * stale/duplicate path (it would change nothing); only a message that would
 * be adopted is bounded. What this does not stop: a forger who stays inside
 * the bounds (an epoch of the current round, a term ≤ the lease revision)
 * without signatures — it can change a round's value but not freeze a slot
 * beyond the round (the next epoch wins).
 *
 * @module
 */
import { InvalidField, type MessageTag } from "./Messages.ts"
import { FieldOffset } from "./MessagesLayout.ts"

/** Largest accepted jump of a sender's seq within one term. */
export const SEQ_WINDOW = 2 ** 16

/** Byte offsets of the version fields (header 16 bytes; see src/Tree/Messages.ts). */
export const versionOffsets = { epoch: FieldOffset.upEpoch, seq: FieldOffset.upSeq, upTerm: FieldOffset.upTerm, heartbeatTerm: FieldOffset.heartbeatTerm } as const

/** The highest epoch an honest Up or Down can carry for a receiver at Down epoch `epoch`. */
export const defaultEpochCeiling = (epoch: number): number => epoch + 1

/** Whether `(term, epoch, seq)` is newer than the kept `(keptTerm, keptEpoch, keptSeq)` (what the latest-per-child map would adopt). */
export const isNewer = (present: boolean, keptTerm: number, keptEpoch: number, keptSeq: number, term: number, epoch: number, seq: number): boolean => {
  if (!present) return true
  if (term !== keptTerm) return term > keptTerm
  if (epoch !== keptEpoch) return epoch > keptEpoch
  return seq > keptSeq
}

/**
 * The version problem of an Up that would be adopted over the kept version,
 * or undefined: epoch above `ceiling`, seq more than `SEQ_WINDOW` above the
 * kept one (same term), or a new term the owner refused (`termAllowed`
 * false). Scalars only: this runs on the receivers' allocation-free path.
 */
export const upVersionProblem = (
  present: boolean,
  keptTerm: number,
  keptEpoch: number,
  keptSeq: number,
  term: number,
  epoch: number,
  seq: number,
  ceiling: number,
  termAllowed: boolean,
  entryOffset = 0,
): InvalidField | undefined => {
  if (!isNewer(present, keptTerm, keptEpoch, keptSeq, term, epoch, seq)) return undefined
  if (epoch > ceiling) return field("Up", "epoch", entryOffset + versionOffsets.epoch, epoch, `at most ${ceiling} (the receiver's epoch ceiling)`)
  if (present && term === keptTerm && seq > keptSeq + SEQ_WINDOW) {
    return field("Up", "seq", entryOffset + versionOffsets.seq, seq, `at most ${keptSeq + SEQ_WINDOW} (kept seq + ${SEQ_WINDOW})`)
  }
  if (!termAllowed) return field("Up", "term", versionOffsets.upTerm, term, "a term no higher than the sender's lease revision (none when unreplicated)")
  return undefined
}

/** The version problem of a Down newer than `current` with epoch above `ceiling`, or undefined. */
export const downVersionProblem = (current: number, epoch: number, ceiling: number): InvalidField | undefined =>
  epoch > current && epoch > ceiling ? field("Down", "epoch", versionOffsets.epoch, epoch, `at most ${ceiling} (the next epoch)`) : undefined

/** The version problem of a Heartbeat whose term is newer than `kept` and refused by `termOk`, or undefined. */
export const heartbeatTermProblem = (kept: number, term: number, termOk: (term: number) => boolean): InvalidField | undefined =>
  term > kept && !termOk(term) ? field("Heartbeat", "term", versionOffsets.heartbeatTerm, term, "a term no higher than the sender's lease revision") : undefined

const field = (kind: MessageTag, name: string, offset: number, value: number, expected: string): InvalidField =>
  new InvalidField({ kind, field: name, offset, value, expected })
