// Reads one generated vector file (gen/vectors/<file>.json), checking its
// count and that every vector names the Lean declarations it exercises.
import { readFileSync } from "node:fs"
import { expect } from "vitest"

export interface Vector { readonly family: string; readonly lean: ReadonlyArray<string>; readonly input: any; readonly expected: any }

export const loadVectors = (file: string): Vector[] => {
  const parsed = JSON.parse(readFileSync(new URL(`../../gen/vectors/${file}.json`, import.meta.url), "utf8")) as { count: number; vectors: Vector[] }
  expect(parsed.vectors.length).toBe(parsed.count)
  for (const v of parsed.vectors) expect(v.lean.length).toBeGreaterThan(0)
  return parsed.vectors
}
