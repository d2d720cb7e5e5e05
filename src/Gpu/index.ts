/**
 * `hydrogen/gpu`: the GPU runtime of the draw-command stream. A frame decoder
 * (typed errors before anything reaches the GPU), the CPU reference renderer
 * with its coverage and colour rules and PNG output, the WGSL (one pipeline per
 * atom kind, instanced from the 24-byte records), the Chromium host that runs
 * it with WebGPU (playwright-core), the glyph and image atlases, the live view
 * (`startLiveView`: a coordinator tree drawn from per-round deltas), and
 * seeded test scenes. Exported as namespaces named after their files.
 *
 * @module
 */
export * as Atlas from "./Atlas.ts"
export * as Browser from "./Browser.ts"
export * as Frame from "./Frame.ts"
export * as Live from "./Live.ts"
export * as LivePage from "./LivePage.ts"
export * as Page from "./Page.ts"
export * as Reference from "./Reference.ts"
export * as Scenes from "./Scenes.ts"
export * as Shaders from "./Shaders.ts"
