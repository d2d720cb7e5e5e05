/**
 * `hydrogen/quorum`: Byzantine quorum arithmetic (`Hydrogen.Quorum`, proved in
 * lean/Hydrogen/Quorum/Arithmetic.lean) and exact binomial tails for the
 * probability of false consensus (Binomial.lean).
 *
 * @module
 */
export * as Arithmetic from "./Arithmetic.ts"
export * as Binomial from "./Binomial.ts"
