/**
 * `hydrogen/aggregate`: the proved aggregation monoids and the k-ary tree
 * fold (`lean/Hydrogen/Aggregate/`). The numeric monoids are exported flat;
 * every topic module is also exported whole as a namespace named after its
 * file, so names that repeat across topics (`ofList`, `entry`) stay apart.
 *
 * @module
 */
export { type AggregationMonoid, fold } from "./Monoid.ts"
export { Count, Max, Min, Sum, SumCount, average } from "./Numeric.ts"
export { OutOfDomain, SafeIntegerOverflow, type DomainError } from "./Domain.ts"
export * as BoundingBox from "./BoundingBox.ts"
export * as Domain from "./Domain.ts"
export * as Monoid from "./Monoid.ts"
export * as Numeric from "./Numeric.ts"
export * as PointwiseMap from "./PointwiseMap.ts"
export * as SetUnion from "./SetUnion.ts"
export * as TopK from "./TopK.ts"
export * as Tree from "./Tree.ts"
