/**
 * Sandboxed paths and citation validity (seed 004): the TypeScript mirror of
 * `lean/Hydrogen/Research/Path.lean`.
 *
 * A path is a list of components, as `split("/")` gives them. `resolve`
 * works lexically and refuses (returns `undefined`) an absolute path or a
 * `..` that would climb above the root, rather than clamping it. Symlinks are
 * not lexical: `Sandbox.ts` re-checks the real path of what it opens.
 *
 * @module
 */

/**
 * A component naming a directory entry: not `""`, `"."` or `".."`.
 *
 * @lean Hydrogen.Research.isName
 */
export const isName = (c: string): boolean => !(c === "" || c === "." || c === "..");

/**
 * One component against the current path `p` (which starts at `root`).
 *
 * @lean Hydrogen.Research.step
 */
export const step = (root: ReadonlyArray<string>, p: ReadonlyArray<string>, c: string): string[] | undefined => {
  if (c === "" || c === ".") return [...p];
  if (c === "..") return root.length < p.length ? p.slice(0, -1) : undefined;
  return [...p, c];
};

/**
 * Apply the components in order from `cur`; the first refusal refuses the path.
 *
 * @lean Hydrogen.Research.walk
 */
export const walk = (root: ReadonlyArray<string>, cur: ReadonlyArray<string>, p: ReadonlyArray<string>): string[] | undefined => {
  let at: string[] | undefined = [...cur];
  for (const c of p) {
    at = step(root, at, c);
    if (at === undefined) return undefined;
  }
  return at;
};

/**
 * Resolve `p` inside `root`; `undefined` when it is absolute or climbs above the root.
 *
 * @lean Hydrogen.Research.resolve
 */
export const resolve = (root: ReadonlyArray<string>, p: ReadonlyArray<string>): string[] | undefined =>
  p.length > 0 && p[0] === "" ? undefined : walk(root, root, p);

/** Components of a path string, as the model sees them (`"/a"` starts with `""`). */
export const components = (path: string): string[] => path.split("/");

/** Why `resolve` refused a path: it is absolute, or it climbs above the root. */
export const refusal = (p: ReadonlyArray<string>): "absolute" | "traversal" =>
  p.length > 0 && p[0] === "" ? "absolute" : "traversal";

/**
 * What the validator can see of a file.
 *
 * @lean Hydrogen.Research.FileModel
 */
export interface FileModel {
  readonly present: boolean;
  readonly readable: boolean;
  readonly lines: ReadonlyArray<string>;
}

/**
 * A citation's line part: a 1-based line and the quoted content.
 *
 * @lean Hydrogen.Research.Citation
 */
export interface CitedLine {
  readonly line: number;
  readonly quote: string;
}

/**
 * The content test used by the validator: the quote, trimmed, is non-empty and
 * occurs in the cited line. Lean leaves the test as a parameter of `valid`.
 */
export const contentMatches = (line: string, quote: string): boolean => {
  const q = quote.trim();
  return q.length > 0 && line.includes(q);
};

/**
 * The seed's `valid(c) ≡ exists ∧ readable ∧ line ∈ [1, len] ∧ content matches`.
 *
 * @lean Hydrogen.Research.valid
 */
export const valid = (
  m: (line: string, quote: string) => boolean,
  f: FileModel,
  c: CitedLine,
): boolean =>
  f.present && f.readable && Number.isSafeInteger(c.line) && 1 <= c.line && c.line <= f.lines.length &&
  m(f.lines[c.line - 1] ?? "", c.quote);

/**
 * Flagged when more than a fifth of the citations are hallucinated: `5h > total`,
 * decided on counts so that exactly 0.2 is never flagged by rounding.
 *
 * @lean Hydrogen.Research.flagged
 */
export const flagged = (hallucinated: number, total: number): boolean => {
  for (const [k, v] of [["hallucinated", hallucinated], ["total", total]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`flagged: ${k} = ${v} is not a natural number`);
  }
  return total < 5 * hallucinated;
};
