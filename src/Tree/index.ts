/**
 * `hydrogen/tree`: the coordinator tree over a message bus (`runTree`), its
 * round driver over levels, topology, versioned summaries, Down policies,
 * message codec and the opt-in viewport feed. Exported as namespaces named after their files, plus
 * `runTree` flat.
 *
 * @module
 */
export { runTree } from "./Runner.ts"
export * as Admission from "./Admission.ts"
export * as Control from "./Control.ts"
export * as Level from "./Level.ts"
export * as Messages from "./Messages.ts"
export * as Policy from "./Policy.ts"
export * as Provenance from "./Provenance.ts"
export * as Round from "./Round.ts"
export * as Runner from "./Runner.ts"
export * as Summary from "./Summary.ts"
export * as Topology from "./Topology.ts"
export * as Versions from "./Versions.ts"
export * as ViewportFeed from "./ViewportFeed.ts"
export * as ViewportFrame from "./ViewportFrame.ts"
