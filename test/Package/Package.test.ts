// The package apps import: package.json's exports map, runtime dependencies
// and packed files agree with src/. The end-to-end check (build, pack,
// install into an app, run it) is scripts/package/example.sh (`make example`).
import { execFileSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { builtinModules } from "node:module"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "../..")
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  exports: Record<string, string | { types: string; import: string }>
  dependencies: Record<string, string>
  devDependencies: Record<string, string>
  files: ReadonlyArray<string>
}

const areaExports = Object.entries(pkg.exports).filter(
  (e): e is [string, { types: string; import: string }] => typeof e[1] !== "string",
)

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : [],
  )

// Bare specifiers a module loads at run time (`import type` and `export type` are erased).
const runtimeImports = (text: string): string[] => {
  const out: string[] = []
  const re = /^\s*(?:import|export)\s+(?!type\s)(?:[^"';]*?\sfrom\s+)?["']([^"'.][^"']*)["']|import\(\s*["']([^"'.][^"']*)["']\s*\)/gm
  for (const m of text.matchAll(re)) out.push((m[1] ?? m[2])!)
  return out
}
const packageName = (spec: string): string => {
  const parts = spec.split("/")
  return spec.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!
}
const isBuiltin = (spec: string): boolean => spec.startsWith("node:") || builtinModules.includes(spec)

describe("package", () => {
  it("maps every area with a src/<Area>/index.ts to its compiled index and types, and nothing else", () => {
    const areas = readdirSync(join(root, "src"), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(root, "src", d.name, "index.ts")))
      .map((d) => d.name)
    expect(areaExports.map(([sub]) => sub).sort()).toEqual(areas.map((a) => `./${a.toLowerCase()}`).sort())
    for (const [sub, target] of areaExports) {
      const area = areas.find((a) => `./${a.toLowerCase()}` === sub)!
      expect(target).toEqual({ types: `./dist/src/${area}/index.d.ts`, import: `./dist/src/${area}/index.js` })
    }
  })

  it("exports from every area index at run time", async () => {
    for (const [sub] of areaExports) {
      const area = readdirSync(join(root, "src")).find((a) => `./${a.toLowerCase()}` === sub)!
      const mod = (await import(join(root, "src", area, "index.ts"))) as Record<string, unknown>
      expect(Object.keys(mod).length, sub).toBeGreaterThan(0)
    }
  })

  it("imports at run time only its dependencies and Node built-ins, and depends on nothing it does not import", () => {
    const used = new Set<string>()
    const stray: string[] = []
    for (const f of sourceFiles(join(root, "src"))) {
      for (const spec of runtimeImports(readFileSync(f, "utf8"))) {
        if (isBuiltin(spec)) continue
        const name = packageName(spec)
        used.add(name)
        if (!(name in pkg.dependencies)) stray.push(`${f.slice(root.length + 1)}: ${spec}`)
      }
    }
    expect(stray).toEqual([])
    expect(Object.keys(pkg.dependencies).filter((d) => !used.has(d))).toEqual([])
    expect(Object.keys(pkg.dependencies).filter((d) => d in pkg.devDependencies)).toEqual([])
  })

  it("packs no sources, tests, proofs, benchmarks or scripts", () => {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8" })
    const files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path)
    expect(files).toContain("package.json")
    expect(files).toContain("bin/hydrogen.mjs")
    expect(files.filter((f) => /^(src|test|lean|bench|scripts|gen|spec|examples|node_modules)\//.test(f))).toEqual([])
    expect(files.every((f) => f.startsWith("dist/") || ["package.json", "README.md", "bin/hydrogen.mjs"].includes(f)), files.join(" ")).toBe(true)
  })
})
