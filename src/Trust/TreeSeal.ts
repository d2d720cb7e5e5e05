/**
 * Signed UpBatches in the running tree: the local level seals each UpBatch in
 * an envelope signed by its host's identity, and the level-2 coordinators open
 * (verify) every buffer on their up subjects before they read it; with
 * `TreeOptions.downSeal` the upper coordinators sign their Downs and
 * Heartbeats and every receiver verifies them
 * (`TreeOptions.upBatchSeal`, src/Tree/CoordinatorTree.ts). What the opener
 * drops is counted by its verifier (`Verifier.counters`), by reason.
 *
 * @module
 */
import * as Result from "effect/Result"
import { KindCode } from "../Tree/MessagesLayout.ts"
import type { Signer, Verifier } from "./Signed.ts"

/** Seals with `signer`; a signer out of (term, sequence) pairs is a bug of the deployment: it throws. */
export const sealWith = (signer: Signer) => (upBatch: Uint8Array): Uint8Array => Result.getOrThrow(signer.sign(upBatch))

/** Opens with `verifier`: the payload of a verified, fresh envelope holding an UpBatch, else `undefined` (counted). */
export const openWith = (verifier: Verifier) => (data: Uint8Array): Uint8Array | undefined => {
  const v = verifier.verify(data)
  if (Result.isFailure(v)) return undefined
  const p = v.success.payload
  // only UpBatches travel sealed; the coordinator decodes and checks the batch itself
  if (p.length < 4 || p[3] !== KindCode.UpBatch) {
    verifier.counters.badPayload++
    return undefined
  }
  return p
}

/** Both halves, as `TreeOptions.upBatchSeal` takes them. */
export const upBatchSeal = (signer: Signer, verifier: Verifier) => ({ seal: sealWith(signer), open: openWith(verifier) })

/** Opens a sealed Down or Heartbeat (what coordinators publish on their down subjects), else `undefined` (counted). */
export const openDownWith = (verifier: Verifier) => (data: Uint8Array): Uint8Array | undefined => {
  const v = verifier.verify(data)
  if (Result.isFailure(v)) return undefined
  const p = v.success.payload
  if (p.length < 4 || (p[3] !== KindCode.Down && p[3] !== KindCode.Heartbeat)) {
    verifier.counters.badPayload++
    return undefined
  }
  return p
}

/** Both halves, as `TreeOptions.downSeal` takes them. */
export const downSeal = (signer: Signer, verifier: Verifier) => ({ seal: sealWith(signer), open: openDownWith(verifier) })
