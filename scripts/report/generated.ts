// The traceability report's "Generated" and "Differential" columns (issue 16):
//   - scripts/gen/exports.txt lists the Lean definitions exported to gen/ts/,
//     each with a role (type / const / bounds / ref);
//   - gen/ts/**/*.ts carries a JSDoc `@lean <Name>` on each generated artifact;
//   - test/Gen/**/*.ts carries `// @gen <Name>` above each differential test
//     (src against the generated reference); it counts only when that test
//     ran and passed in the run the report is tied to.
// Gaps: an export naming no Lean declaration, an export with no generated
// artifact, a `ref` with no passing differential test, a `@gen` tag naming no
// exported definition, outside test/Gen/, not on a test, or on a test that
// did not pass.

export type GenRole = "type" | "const" | "bounds" | "ref";

export interface ExportEntry {
  readonly role: GenRole;
  readonly module: string;
  readonly name: string;
  readonly line: number;
}

const roles: ReadonlySet<string> = new Set(["type", "const", "bounds", "ref"]);

/** exports.txt: `ROLE MODULE NAME` per line, `--` comments; a malformed line throws, naming file and line. */
export const parseExportList = (text: string, file: string): ExportEntry[] =>
  text.split("\n").flatMap((raw, i) => {
    const line = raw.replace(/--.*$/, "").trim();
    if (line === "") return [];
    const f = line.split(/\s+/);
    if (f.length !== 3 || !roles.has(f[0]!)) {
      throw new Error(`${file}:${i + 1}: expected "ROLE MODULE NAME" with ROLE one of type, const, bounds, ref; got "${line}"`);
    }
    return [{ role: f[0] as GenRole, module: f[1]!, name: f[2]!, line: i + 1 }];
  });

/** Where a Lean name is generated: gen/ts files whose JSDoc carries `@lean <Name>`. */
export const generatedArtifacts = (files: ReadonlyArray<{ readonly path: string; readonly text: string }>): Map<string, string[]> => {
  const at = new Map<string, string[]>();
  for (const f of files) {
    for (const m of f.text.matchAll(/^\s*\*\s*@lean\s+([^\s*,;]+)/gm)) {
      const list = at.get(m[1]!) ?? [];
      if (!list.includes(f.path)) list.push(f.path);
      at.set(m[1]!, list);
    }
  }
  return at;
};

/** A test file counts for the Differential column only under test/Gen/. */
export const isDifferentialFile = (path: string): boolean => path.startsWith("test/Gen/");
