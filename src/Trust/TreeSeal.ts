/**
 * Signed UpBatches in the running tree: the local level seals each UpBatch in
 * an envelope signed by its host's identity, and the level-2 coordinators open
 * (verify) every buffer on their up subjects before they read it
 * (`TreeOptions.upBatchSeal`, src/Tree/CoordinatorTree.ts). With
 * `TreeOptions.downSeal` the upper coordinators sign their Downs and
 * Heartbeats and every receiver verifies them. What the opener drops is
 * counted by its verifier (`Verifier.counters`), by reason; a validly signed
 * envelope from an identity not allowed to seal (an agent's own key) is
 * counted by the `SenderAllowList`.
 *
 * @module
 */
import * as Result from "effect/Result"
import { KindCode } from "../Tree/MessagesLayout.ts"
import type { Signer, Verifier } from "./Signed.ts"

/** Seals with `signer`; a signer out of (term, sequence) pairs is a bug of the deployment: it throws. */
export const sealWith = (signer: Signer) => (upBatch: Uint8Array): Uint8Array => Result.getOrThrow(signer.sign(upBatch))

/** The identities allowed to seal (e.g. the coordinators' hosts); refusals counted. */
export class SenderAllowList {
  refused = 0
  private readonly ids: ReadonlySet<string>
  constructor(ids: Iterable<string>) {
    this.ids = new Set(ids)
  }
  has(id: string): boolean {
    return this.ids.has(id)
  }
}

const allowed = (allow: SenderAllowList | undefined, sender: string): boolean => {
  if (allow === undefined || allow.has(sender)) return true
  allow.refused++
  return false
}

/** Opens with `verifier`: the payload of a verified, fresh envelope holding an UpBatch, else `undefined` (counted). */
export const openWith = (verifier: Verifier, allow?: SenderAllowList) => (data: Uint8Array): Uint8Array | undefined => {
  const v = verifier.verify(data)
  if (Result.isFailure(v) || !allowed(allow, v.success.sender)) return undefined
  const p = v.success.payload
  // only UpBatches travel sealed; the coordinator decodes and checks the batch itself
  if (p.length < 4 || p[3] !== KindCode.UpBatch) {
    verifier.counters.badPayload++
    return undefined
  }
  return p
}

/** Both halves, as `TreeOptions.upBatchSeal` takes them. */
export const upBatchSeal = (signer: Signer, verifier: Verifier, allow?: SenderAllowList) => ({ seal: sealWith(signer), open: openWith(verifier, allow) })

/**
 * Opens a sealed Down or Heartbeat (what coordinators publish on their down
 * subjects), else `undefined` (counted). One bus message is verified once: a
 * level's subscription hands the same buffer to every child of the parent
 * (src/Tree/SubscribeLevel.ts), and those hand-offs reuse the first outcome
 * (a re-published copy is a new buffer, verified again: a replay).
 */
export const openDownWith = (verifier: Verifier, allow?: SenderAllowList) => {
  let last: { readonly data: Uint8Array; readonly copy: Uint8Array; readonly out: Uint8Array | undefined } | undefined
  return (data: Uint8Array): Uint8Array | undefined => {
    if (last !== undefined && last.data === data && Buffer.compare(last.copy, data) === 0) return last.out
    const out = openDown(verifier, allow, data)
    last = { data, copy: data.slice(), out }
    return out
  }
}

const openDown = (verifier: Verifier, allow: SenderAllowList | undefined, data: Uint8Array): Uint8Array | undefined => {
  const v = verifier.verify(data)
  if (Result.isFailure(v) || !allowed(allow, v.success.sender)) return undefined
  const p = v.success.payload
  if (p.length < 4 || (p[3] !== KindCode.Down && p[3] !== KindCode.Heartbeat)) {
    verifier.counters.badPayload++
    return undefined
  }
  return p
}

/** Both halves, as `TreeOptions.downSeal` takes them. */
export const downSeal = (signer: Signer, verifier: Verifier, allow?: SenderAllowList) => ({ seal: sealWith(signer), open: openDownWith(verifier, allow) })
