import fc from "fast-check";
import { posix } from "node:path";
import { describe, expect, it } from "vitest";
import { contentMatches, flagged, isName, resolve, step, valid, walk, type FileModel } from "../../src/Research/Path.ts";

// Properties restate the theorems of lean/Hydrogen/Research/Path.lean. Expected
// values come from the statements themselves or from node's own path.posix
// normalisation as an independent oracle, never from the code under test.

const runs = { numRuns: 500 } as const;
const comp = fc.oneof(fc.constantFrom("", ".", "..", "a", "b", "c.txt", "...", ".a", "a b"), fc.string({ maxLength: 4 }).filter((s) => !s.includes("/")));
const path = fc.array(comp, { maxLength: 12 });
const root = fc.array(fc.constantFrom("work", "ws", "r", "x y"), { maxLength: 4 });
const names = fc.array(fc.string({ minLength: 1, maxLength: 5 }).filter((s) => !s.includes("/") && s !== "." && s !== ".."), { maxLength: 8 });
const file: fc.Arbitrary<FileModel> = fc.record({ present: fc.boolean(), readable: fc.boolean(), lines: fc.array(fc.constantFrom("", "let x = 1", "proof", "  indented"), { maxLength: 6 }) });
const citation = fc.record({ line: fc.integer({ min: -2, max: 9 }), quote: fc.constantFrom("", "x = 1", "proof", "absent", "  ") });

describe("Hydrogen.Research paths", () => {
  /** Root followed by names only: the invariant `Inside`, checked component by component. */
  const inside = (r: string[], cur: string[] | undefined) =>
    cur !== undefined && cur.length >= r.length && r.every((c, i) => cur[i] === c) && cur.slice(r.length).every((c) => c !== "" && c !== "." && c !== "..");

  // @lean Hydrogen.Research.step_inside
  it("step_inside: one accepted step from root ++ names gives root ++ names", () => {
    fc.assert(fc.property(root, names, comp, (r, t, c) => {
      const out = step(r, [...r, ...t], c);
      if (out !== undefined) expect(inside(r, out)).toBe(true);
      // and it refuses exactly a .. at the root itself
      expect(out === undefined).toBe(c === ".." && t.length === 0);
    }), runs);
  });

  // @lean Hydrogen.Research.walk_inside
  it("walk_inside: a walk from root ++ names that is accepted ends at root ++ names", () => {
    fc.assert(fc.property(root, names, path, (r, t, p) => {
      const out = walk(r, [...r, ...t], p);
      if (out !== undefined) expect(inside(r, out)).toBe(true);
    }), runs);
  });

  // @lean Hydrogen.Research.walk_names
  it("walk_names: walking names only appends them", () => {
    fc.assert(fc.property(root, names, names, (r, cur, p) => {
      expect(walk(r, cur, p)).toEqual([...cur, ...p]);
    }), runs);
  });

  // @lean Hydrogen.Research.resolve_inside
  it("resolve_inside: an accepted result is the root followed by names only", () => {
    fc.assert(fc.property(root, path, (r, p) => {
      const out = resolve(r, p);
      if (out === undefined) return;
      expect(out.slice(0, r.length)).toEqual(r);
      for (const c of out.slice(r.length)) expect(c !== "" && c !== "." && c !== "..").toBe(true);
    }), runs);
  });

  // @lean Hydrogen.Research.resolve_prefix
  it("resolve_prefix: accepted results never escape — the root is a prefix", () => {
    fc.assert(fc.property(root, path, (r, p) => {
      const out = resolve(r, p);
      if (out !== undefined) expect(out.length >= r.length && r.every((c, i) => out[i] === c)).toBe(true);
    }), runs);
  });

  it("resolve agrees with path.posix.normalize whenever it accepts, and refuses exactly the climbs", () => {
    fc.assert(fc.property(path, (p) => {
      if (p.length > 0 && p[0] === "") return;
      const out = resolve(["R"], p);
      // Oracle: climb depth of every prefix, counted independently.
      let depth = 0, climbs = false;
      for (const c of p) {
        if (c === "..") { if (depth === 0) { climbs = true; break; } depth--; }
        else if (c !== "" && c !== ".") depth++;
      }
      expect(out === undefined).toBe(climbs);
      if (out !== undefined) expect(out.join("/")).toBe(posix.normalize(["R", ...p].join("/")).replace(/\/$/, ""));
    }), runs);
  });

  // @lean Hydrogen.Research.resolve_absolute
  it("resolve_absolute: a leading empty component (absolute path) is refused", () => {
    fc.assert(fc.property(root, path, (r, p) => { expect(resolve(r, ["", ...p])).toBeUndefined(); }), runs);
    expect(resolve(["ws"], "/etc/passwd".split("/"))).toBeUndefined();
  });

  // @lean Hydrogen.Research.resolve_climb
  it("resolve_climb: a path starting with .. is refused", () => {
    fc.assert(fc.property(root, path, (r, p) => { expect(resolve(r, ["..", ...p])).toBeUndefined(); }), runs);
    expect(resolve(["ws"], "../../../etc/passwd".split("/"))).toBeUndefined();
  });

  // @lean Hydrogen.Research.resolve_names
  it("resolve_names: a path of names only is appended to the root unchanged", () => {
    fc.assert(fc.property(root, names, (r, p) => {
      expect(p.every(isName)).toBe(true);
      expect(resolve(r, p)).toEqual([...r, ...p]);
    }), runs);
  });
});

describe("Hydrogen.Research citations", () => {
  // @lean Hydrogen.Research.valid_iff
  it("valid_iff: valid is exists ∧ readable ∧ 1 ≤ line ≤ len ∧ the line matches", () => {
    fc.assert(fc.property(file, citation, (f, c) => {
      const line = c.line >= 1 && c.line <= f.lines.length ? f.lines[c.line - 1]! : "";
      const expected = f.present && f.readable && 1 <= c.line && c.line <= f.lines.length && contentMatches(line, c.quote);
      expect(valid(contentMatches, f, c)).toBe(expected);
    }), runs);
  });

  // @lean Hydrogen.Research.valid_line_range
  it("valid_line_range: a valid citation's line is in [1, number of lines]", () => {
    fc.assert(fc.property(file, citation, (f, c) => {
      if (valid(contentMatches, f, c)) expect(c.line >= 1 && c.line <= f.lines.length).toBe(true);
    }), runs);
  });

  // @lean Hydrogen.Research.valid_line_exists
  it("valid_line_exists: a valid citation quotes a line that is really there", () => {
    fc.assert(fc.property(file, citation, (f, c) => {
      if (valid(contentMatches, f, c)) expect(f.lines[c.line - 1]!.includes(c.quote.trim())).toBe(true);
    }), runs);
  });

  // @lean Hydrogen.Research.valid_absent
  it("valid_absent: missing, unreadable or empty files validate no citation", () => {
    fc.assert(fc.property(file, citation, fc.constantFrom(0, 1, 2), (f, c, which) => {
      const g = which === 0 ? { ...f, present: false } : which === 1 ? { ...f, readable: false } : { ...f, lines: [] };
      expect(valid(() => true, g, c)).toBe(false);
    }), runs);
  });

  it("contentMatches: the trimmed quote must be non-empty and occur in the line", () => {
    expect(contentMatches("const q = n - f", "  q = n - f ")).toBe(true);
    expect(contentMatches("const q = n - f", "q = n + f")).toBe(false);
    expect(contentMatches("anything", "   ")).toBe(false);
  });
});

describe("Hydrogen.Research hallucination flag", () => {
  const nat = fc.integer({ min: 0, max: 10_000 });

  // @lean Hydrogen.Research.flagged_iff
  it("flagged_iff: flagged h t exactly when t < 5h (rate over 0.2)", () => {
    fc.assert(fc.property(nat, nat, (h, t) => { expect(flagged(h, t)).toBe(t < 5 * h); }), runs);
    // The seed's threshold on the decimal rate, for rates exactly representable here.
    expect(flagged(1, 5)).toBe(false); // 0.2 is not over 0.2
    expect(flagged(2, 9)).toBe(true); // 0.222…
    expect(flagged(3, 15)).toBe(false);
  });

  // @lean Hydrogen.Research.flagged_fifth
  it("flagged_fifth: exactly a fifth is never flagged", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 100_000 }), (k) => { expect(flagged(k, 5 * k)).toBe(false); }), runs);
  });

  // @lean Hydrogen.Research.flagged_mono
  it("flagged_mono: more hallucinations never unflag a researcher", () => {
    fc.assert(fc.property(nat, nat, nat, (h, d, t) => {
      if (flagged(h, t)) expect(flagged(h + d, t)).toBe(true);
    }), runs);
  });

  // @lean Hydrogen.Research.flagged_zero
  it("flagged_zero: with no hallucinations no researcher is flagged", () => {
    fc.assert(fc.property(nat, (t) => { expect(flagged(0, t)).toBe(false); }), runs);
  });

  it("flagged refuses counts that are not natural numbers", () => {
    expect(() => flagged(-1, 3)).toThrow(RangeError);
    expect(() => flagged(1, 2.5)).toThrow(/total/);
  });
});
