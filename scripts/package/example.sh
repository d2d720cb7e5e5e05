#!/usr/bin/env bash
# Build the package, pack it, install the tarball into a fresh temporary
# project (a copy of examples/basic-app) the way an app would, type-check the
# app against the packed .d.ts files and run it. Exits non-zero on any failure;
# the temporary directory is removed either way.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PATH="$root/node_modules/.bin:$PATH"
major="$(node -p 'process.versions.node.split(".")[0]')"
if (( major < 24 )); then echo "example: needs Node >= 24 on PATH (run make setup)" >&2; exit 2; fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/hydrogen-example.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
ms() { date +%s%3N; }
step() { printf 'example: %-34s %6d ms\n' "$1" "$(( $(ms) - $2 ))"; }
t_all=$(ms)

t=$(ms)
(cd "$root" && npm run --silent build)
step "build (tsc -p tsconfig.build.json)" "$t"

# The build just ran, so pack without running prepack again.
t=$(ms)
tarball="$(cd "$root" && npm pack --ignore-scripts --silent --pack-destination "$tmp" | tail -n 1)"
tarball="$tmp/$tarball"
[[ -f "$tarball" ]] || { echo "example: npm pack wrote no tarball" >&2; exit 1; }
step "npm pack" "$t"

# What the tarball holds: every exported area's .js and .d.ts, and nothing of
# the repository's sources, tests, proofs or benchmarks.
tar -tzf "$tarball" > "$tmp/contents.txt"
node -e '
  const fs = require("node:fs")
  const files = new Set(fs.readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean))
  const pkg = JSON.parse(fs.readFileSync(process.argv[2], "utf8"))
  const problems = []
  for (const [sub, target] of Object.entries(pkg.exports)) {
    if (typeof target === "string") continue
    for (const cond of ["types", "import"]) {
      const path = "package/" + target[cond].replace(/^\.\//, "")
      if (!files.has(path)) problems.push(`exports["${sub}"].${cond} -> ${path} is not in the tarball`)
    }
  }
  for (const f of files) {
    if (/^package\/(src|test|lean|bench|scripts|gen|spec|examples|node_modules)\//.test(f)) problems.push(`packed but not for apps: ${f}`)
  }
  const dts = [...files].filter((f) => f.endsWith(".d.ts")).length
  if (dts === 0) problems.push("no .d.ts files packed")
  for (const p of problems) console.error("example: " + p)
  if (problems.length > 0) process.exit(1)
  console.log(`example: tarball holds ${files.size} files (${dts} .d.ts), ${Object.keys(pkg.exports).length} export entries, no sources or tests`)
' "$tmp/contents.txt" "$root/package.json"

# A fresh app project: the example's files, then the tarball installed by path.
# Dependencies come from npm's cache when the repository's `npm install` has
# filled it (--prefer-offline), otherwise from the registry.
app="$tmp/app"
mkdir "$app"
cp "$root/examples/basic-app/package.json" "$root/examples/basic-app/tsconfig.json" "$root/examples/basic-app/index.ts" "$app/"
t=$(ms)
(cd "$app" && npm install --prefer-offline --no-audit --no-fund --loglevel=error "$tarball")
step "npm install (tarball + app deps)" "$t"

t=$(ms)
(cd "$app" && npm run --silent typecheck)
step "tsc on the app (packed .d.ts)" "$t"

t=$(ms)
(cd "$app" && npm run --silent start)
step "run the app" "$t"

# The CLI from the installed package (compiled dist/, no src/).
t=$(ms)
(cd "$app" && node_modules/.bin/hydrogen plan --agents 1000000000 --branching 1000 --json > "$tmp/plan.json")
node -e '
  const plan = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"))
  if (plan.agents !== 1e9) { console.error("example: hydrogen plan from the package printed", plan); process.exit(1) }
' "$tmp/plan.json"
step "hydrogen plan (installed bin)" "$t"

step "total" "$t_all"
