/**
 * `hydrogen/trust`: Ed25519 identities and their key store, signed envelopes
 * with replay protection, and signed UpBatches (issue 13, items 1–2).
 *
 * @module
 */
export * from "./Identity.ts"
export * from "./Replay.ts"
export * from "./Signed.ts"
export * from "./SignedLayout.ts"
export * from "./Registry.ts"
export * from "./TreeSeal.ts"
