/**
 * `hydrogen/trust`: Ed25519 identities and their key store, signed envelopes
 * with replay protection, signed UpBatches and Downs (issue 13, items 1–2),
 * capabilities and per-sender rate limits (items 4–5).
 *
 * @module
 */
export * from "./Identity.ts"
export * from "./Replay.ts"
export * from "./Signed.ts"
export * from "./SignedLayout.ts"
export * from "./Registry.ts"
export * from "./TreeSeal.ts"
export * from "./Capabilities.ts"
export * from "./RateLimit.ts"
