// Documentation may cite only Lean declarations that exist: every full name
// `Hydrogen.…` in backticks in the claims audit and the README must be a
// declaration (or a structure's field/constructor), module or namespace of lean/. A renamed or
// never-written theorem fails here instead of being cited as proof.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { moduleName, parseLeanFile } from "../../scripts/report/traceability.ts";

const root = join(import.meta.dirname, "../..");

const leanFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? leanFiles(p) : p.endsWith(".lean") ? [p] : [];
  });

const known = new Set<string>();
const modules = new Set<string>();
const namespaces = new Set<string>();
for (const f of leanFiles(join(root, "lean"))) {
  const rel = relative(root, f);
  const mod = moduleName(rel, "lean");
  modules.add(mod);
  const { decls, members } = parseLeanFile(readFileSync(f, "utf8"), rel, mod);
  for (const d of decls) known.add(d.name);
  for (const m of members) known.add(m);
}
for (const n of known) for (let i = n.indexOf("."); i > 0; i = n.indexOf(".", i + 1)) namespaces.add(n.slice(0, i));

/** Full Lean names cited in backticks (`Hydrogen.A.b`), with their line numbers. */
const citations = (text: string): Array<[string, number]> =>
  text.split("\n").flatMap((line, i) =>
    [...line.matchAll(/`(Hydrogen\.[\w.']+)`/g)].map((m) => [m[1]!.replace(/\.$/, ""), i + 1] as [string, number]));

describe("citations of Lean names in the docs", () => {
  for (const doc of ["spec/claims.md", "README.md"]) {
    it(`every Hydrogen.… name cited in ${doc} is a Lean declaration, module or namespace`, () => {
      const cited = citations(readFileSync(join(root, doc), "utf8"));
      expect(cited.length).toBeGreaterThan(0);
      const missing = cited.filter(([n]) => !known.has(n) && !modules.has(n) && !namespaces.has(n)).map(([n, line]) => `${doc}:${line} ${n}`);
      expect(missing).toEqual([]);
    });
  }

  it("finds a cited name that does not exist", () => {
    expect(citations("see `Hydrogen.Aggregate.TopK.no_such_theorem` and `Hydrogen.Wire.decode_encode`.").map(([n]) => known.has(n))).toEqual([false, true]);
  });
});
