/**
 * `hydrogen/render`: culling and per-kind draw batching of Wire Elements
 * (draw calls bounded by the kinds in view), exact error fractions for the
 * render pipeline's stages, and graded values that carry their proved error
 * bound, and amortized keyframes (a double-buffered schedule whose drift
 * stays within the proved keyframe bound), and the rasterize stage's proved
 * GPU-versus-reference pixel bound, and whole-frame draw commands (one
 * store, one output for all viewports), also as row indices into a
 * resident record table. Exported as namespaces named after their files.
 *
 * @module
 */
export * as Commands from "./Commands.ts"
export * as Error from "./Error.ts"
export * as Frame from "./Frame.ts"
export * as FrameChecked from "./FrameChecked.ts"
export * as FrameIndexed from "./FrameIndexed.ts"
export * as Graded from "./Graded.ts"
export * as Keyframes from "./Keyframes.ts"
export * as Raster from "./Raster.ts"
