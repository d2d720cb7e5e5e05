// The generator's pure step: Lean's output for the marked definitions (what
// `#print`, `#check` and `#reduce` showed, split by markers) → TypeScript
// files under gen/ts/. No Lean runs here, so tests can feed it edited input.
//
// The fragment (anything else is an error naming the definition):
//   type    a structure (fields of Nat, Int, Rat, Option T, List T or another
//           exported type) or an inductive whose constructors take such
//           arguments → a TS type and an Effect Schema
//   const   a definition without arguments → its value as `#reduce` computed it
//           (Nat/Int as bigint, Rat as an exact Fraction, structures, lists)
//   bounds  a `Valid` predicate that is a conjunction of `lo ≤ x.f`, `x.f < hi`,
//           `x.f ≤ hi` (per constructor for an inductive) → inclusive bounds
//   ref     a function on Nat/Int/Rat/Option/structures whose body uses
//           arithmetic, comparisons, `max`/`min`, structure instances and
//           projections, `if`, matches on structures/Option/small inductives,
//           and `List.foldl` → a TypeScript reference implementation
import { parseTerm, patternVars, resolveProjections, TermError, type Term } from "./term.ts"

export type Role = "type" | "const" | "bounds" | "ref"
export interface Export { readonly role: Role; readonly module: string; readonly name: string }
/** Lean's output for one export: `print` (and `rec`, `reduce`, `eqdef` where asked). */
export interface Shown { readonly print: string; readonly rec?: string; readonly reduce?: string; readonly eqdef?: string }

export class GenError extends Error {}

/** Reads scripts/gen/exports.txt: `role Module Name` per line, `--` comments. */
export function parseExports(text: string): Export[] {
  const out: Export[] = []
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/--.*$/, "").trim()
    if (line === "") return
    const f = line.split(/\s+/)
    if (f.length !== 3 || !["type", "const", "bounds", "ref"].includes(f[0]!) || !/^Hydrogen(\.\w+)+$/.test(f[1]!) || !/^Hydrogen(\.[\w']+)+$/.test(f[2]!)) {
      throw new GenError(`exports.txt:${i + 1}: expected "type|const|bounds|ref Hydrogen.Module Hydrogen.Name", got ${JSON.stringify(raw)}`)
    }
    out.push({ role: f[0] as Role, module: f[1]!, name: f[2]! })
  })
  return out
}

/** Splits the Lean run's output at the `HGEN <part> <name>` markers. */
export function splitOutput(text: string): Map<string, Shown> {
  const parts = new Map<string, Record<string, string[]>>()
  let cur: string[] | undefined
  for (const line of text.split("\n")) {
    if (line.startsWith("[DEBUG")) continue
    const m = /^HGEN (print|rec|reduce|eqdef|end) ?(\S*)$/.exec(line.trim())
    if (m) {
      if (m[1] === "end") { cur = undefined; continue }
      const rec = parts.get(m[2]!) ?? {}
      parts.set(m[2]!, rec)
      cur = rec[m[1]!] = []
    } else if (cur) cur.push(line)
  }
  const out = new Map<string, Shown>()
  for (const [name, p] of parts) {
    const join = (k: string) => (p[k] ? p[k]!.join("\n").trim() : undefined)
    out.set(name, { print: join("print") ?? "", ...(p.rec ? { rec: join("rec")! } : {}), ...(p.reduce ? { reduce: join("reduce")! } : {}), ...(p.eqdef ? { eqdef: join("eqdef")! } : {}) })
  }
  return out
}

// ---------------------------------------------------------------------------
// Lean types

export type LType =
  | { readonly k: "nat" } | { readonly k: "int" } | { readonly k: "rat" } | { readonly k: "prop" } | { readonly k: "bool" }
  | { readonly k: "option"; readonly of: LType } | { readonly k: "list"; readonly of: LType }
  | { readonly k: "named"; readonly name: string }
  | { readonly k: "fn"; readonly params: ReadonlyArray<LType>; readonly result: LType }

export function parseType(src: string): LType {
  const arrows = splitTop(src, "→")
  if (arrows.length > 1) {
    const ts = arrows.map(parseType)
    return { k: "fn", params: ts.slice(0, -1), result: ts[ts.length - 1]! }
  }
  const s = stripParens(src.trim())
  if (s !== src.trim()) return parseType(s)
  if (s === "Nat") return { k: "nat" }
  if (s === "Int") return { k: "int" }
  if (s === "Rat") return { k: "rat" }
  if (s === "Prop") return { k: "prop" }
  if (s === "Bool") return { k: "bool" }
  const app = /^(Option|List) (.+)$/.exec(s)
  if (app) return { k: app[1] === "Option" ? "option" : "list", of: parseType(app[2]!) }
  if (/^Hydrogen(\.[\w']+)+$/.test(s)) return { k: "named", name: s }
  throw new GenError(`type outside the fragment: ${src}`)
}

function stripParens(s: string): string {
  while (s.startsWith("(") && s.endsWith(")") && splitTop(s.slice(1, -1), ",").length === 1 && balanced(s.slice(1, -1))) s = s.slice(1, -1).trim()
  return s
}
function balanced(s: string): boolean {
  let d = 0
  for (const c of s) { if (c === "(") d++; if (c === ")") d--; if (d < 0) return false }
  return d === 0
}
function splitTop(s: string, sep: string): string[] {
  const out: string[] = []
  let d = 0
  let start = 0
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (c === "(" || c === "[" || c === "{") d++
    else if (c === ")" || c === "]" || c === "}") d--
    else if (d === 0 && s.startsWith(sep, i)) { out.push(s.slice(start, i).trim()); start = i + sep.length }
  }
  out.push(s.slice(start).trim())
  return out
}

// ---------------------------------------------------------------------------
// Declarations as Lean shows them

export interface StructureDecl { readonly kind: "structure"; readonly name: string; readonly fields: ReadonlyArray<readonly [string, LType]> }
export interface InductiveDecl {
  readonly kind: "inductive"; readonly name: string
  readonly ctors: ReadonlyArray<{ readonly name: string; readonly args: ReadonlyArray<readonly [string, LType]> }>
}
export type TypeDecl = StructureDecl | InductiveDecl

export function readTypeDecl(name: string, shown: Shown): TypeDecl {
  const lines = shown.print.split("\n")
  const head = lines[0] ?? ""
  if (!head.startsWith(`structure ${name} `) && !head.startsWith(`inductive ${name} `)) {
    throw new GenError(`${name}: marked "type" but Lean shows neither a structure nor an inductive: ${head}`)
  }
  if (!lines.some((l) => l.trim() === "number of parameters: 0")) throw new GenError(`${name}: only types without parameters are in the fragment`)
  if (head.startsWith(`structure ${name} `)) {
    const at = lines.findIndex((l) => l.trim() === "fields:")
    const end = lines.findIndex((l, i) => i > at && !l.startsWith("  "))
    const fields = lines.slice(at + 1, end < 0 ? undefined : end).map((l) => {
      const m = /^\s+([\w.']+) : (.+)$/.exec(l)
      if (!m || !m[1]!.startsWith(name + ".")) throw new GenError(`${name}: unreadable field line ${JSON.stringify(l)}`)
      return [m[1]!.slice(name.length + 1), parseType(m[2]!)] as const
    })
    if (fields.length === 0) throw new GenError(`${name}: a structure without fields`)
    return { kind: "structure", name, fields }
  }
  if (head.startsWith(`inductive ${name} `)) {
    // Constructor argument names come from the recursor's minor premises, as
    // `#check X.rec` shows them: `… → motive (Hydrogen.Wire.Atom.text font size)`.
    const rec = (shown.rec ?? "").replace(/\s+/g, " ")
    const at = lines.findIndex((l) => l.trim() === "constructors:")
    const ctors = lines.slice(at + 1).filter((l) => l.startsWith(name + ".")).map((l) => {
      const cname = l.slice(name.length + 1, l.indexOf(" :"))
      const sig = l.slice(l.indexOf(" : ") + 3)
      const argTypes = splitTop(sig, "→").slice(0, -1).map(parseType)
      const m = new RegExp(`motive \\(?${name.replace(/\./g, "\\.")}\\.${cname}(?=[ )])((?: [\\w']+)*)\\)?`).exec(rec)
      if (!m) throw new GenError(`${name}.${cname}: argument names not found in the recursor's type`)
      const names = m[1]!.trim() === "" ? [] : m[1]!.trim().split(" ")
      if (names.length !== argTypes.length) throw new GenError(`${name}.${cname}: ${names.length} names for ${argTypes.length} arguments`)
      return { name: cname, args: argTypes.map((t, i) => [names[i]!, t] as const) }
    })
    if (ctors.length === 0) throw new GenError(`${name}: an inductive without constructors`)
    return { kind: "inductive", name, ctors }
  }
  throw new GenError(`${name}: marked "type" but Lean shows neither a structure nor an inductive: ${head}`)
}

/** `@[expose] def N : T :=\nbody` → type and body. */
export function readDef(name: string, shown: Shown): { readonly type: LType; readonly body: string } {
  const m = /^(?:@\[[^\]]*\]\s*)?(?:noncomputable\s+)?(?:def|theorem|abbrev)\s+(\S+)\s*:\s*([\s\S]*?)\s*:=\s*\n([\s\S]*)$/.exec(shown.print)
  if (!m || m[1] !== name) throw new GenError(`${name}: Lean does not show a definition: ${shown.print.slice(0, 120)}`)
  return { type: parseType(m[2]!.replace(/\s+/g, " ")), body: m[3]! }
}

export { parseTerm, patternVars, resolveProjections, TermError }

/**
 * A structurally recursive definition prints as a `brecOn` term; its
 * equation `Name.eq_def`, which Lean generates and proves, states the same
 * function by a `match` with direct recursive calls:
 * `@Name.eq_def : ∀ (a b : T), Name a b = rhs` → the parameters and `rhs`.
 */
export function readEquation(name: string, shown: Shown): { readonly params: ReadonlyArray<string>; readonly body: string } {
  const text = (shown.eqdef ?? "").trim()
  const esc = name.replace(/[.']/g, "\\$&")
  const m = new RegExp(`^@?${esc}\\.eq_def\\s*:\\s*(?:∀\\s*((?:\\([^()]*\\)\\s*)+),)?\\s*${esc}((?:\\s+[\\w']+)*)\\s*=\\s*([\\s\\S]*)$`).exec(text)
  if (!m) throw new GenError(`${name}: outside the fragment: recursive, and Lean's equation ${name}.eq_def is not of the form \`∀ (xs : T), ${name} xs = …\`: ${text.slice(0, 160)}`)
  const params = m[2]!.trim().split(/\s+/).filter((x) => x !== "")
  const bound = [...(m[1] ?? "").matchAll(/\(([^():]*):/g)].flatMap((b) => b[1]!.trim().split(/\s+/))
  if (params.join(" ") !== bound.join(" ")) throw new GenError(`${name}: outside the fragment: ${name}.eq_def's left side is not ${name} applied to its binders`)
  return { params, body: m[3]! }
}
