// A parser for the fragment of Lean's pretty-printed, elaborated terms that the
// generator translates: what `#print` shows as a definition's body and what
// `#reduce` shows as a value. Anything else is a `TermError` naming the text,
// so an exported definition outside the fragment fails the generator loudly.

export type Term =
  | { readonly t: "num"; readonly v: bigint }
  | { readonly t: "var"; readonly name: string }
  | { readonly t: "app"; readonly fn: Term; readonly args: ReadonlyArray<Term> }
  | { readonly t: "proj"; readonly of: Term; readonly field: string }
  | { readonly t: "bin"; readonly op: string; readonly l: Term; readonly r: Term }
  | { readonly t: "neg"; readonly of: Term }
  | { readonly t: "struct"; readonly fields: ReadonlyArray<readonly [string, Term]> }
  | { readonly t: "tuple"; readonly items: ReadonlyArray<Term> }
  | { readonly t: "list"; readonly items: ReadonlyArray<Term> }
  | { readonly t: "fun"; readonly params: ReadonlyArray<string>; readonly body: Term }
  | { readonly t: "match"; readonly scrutinees: ReadonlyArray<Term>; readonly arms: ReadonlyArray<{ readonly pats: ReadonlyArray<Term>; readonly body: Term }> }
  | { readonly t: "ite"; readonly cond: Term; readonly then: Term; readonly else: Term }
  | { readonly t: "elided" }

export class TermError extends Error {}

const symbols = ["|||", "&&&", "^^^", ":=", "::", "=>", "++", "↑", "≤", "≥", "≠", "∧", "∨", "¬", "<", ">", "+", "-", "*", "/", "%", "^", "(", ")", "{", "}", "[", "]", ",", "|", "⋯", "="]

function tokenize(src: string): string[] {
  const out: string[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i]!
    if (/\s/.test(c)) { i++; continue }
    const num = /^\d+/.exec(src.slice(i))
    if (num) { out.push(num[0]); i += num[0].length; continue }
    const id = /^[A-Za-z_][\w'.!?]*/u.exec(src.slice(i))
    if (id) { out.push(id[0].replace(/\.$/, "")); i += id[0].replace(/\.$/, "").length; continue }
    // `(e).toNat` prints as `(e).toNat`: a field access after a parenthesis.
    const dotted = /^\.[A-Za-z_][\w']*/u.exec(src.slice(i))
    if (dotted && out[out.length - 1] === ")") { out.push(dotted[0]); i += dotted[0].length; continue }
    const sym = symbols.find((s) => src.startsWith(s, i))
    if (sym) { out.push(sym); i += sym.length; continue }
    throw new TermError(`unexpected character ${JSON.stringify(c)} in: ${src.slice(Math.max(0, i - 20), i + 20)}`)
  }
  return out
}

const binary: ReadonlyArray<{ readonly ops: ReadonlyArray<string>; readonly right: boolean }> = [
  { ops: ["∨"], right: true },
  { ops: ["∧"], right: true },
  { ops: ["≤", "<", "≥", ">", "=", "≠"], right: false },
  { ops: ["|||"], right: false },
  { ops: ["^^^"], right: false },
  { ops: ["&&&"], right: false },
  { ops: ["++", "::"], right: true },
  { ops: ["+", "-"], right: false },
  { ops: ["*", "/", "%"], right: false },
  { ops: ["^"], right: true },
]

const keywords = new Set(["fun", "match", "with", "if", "then", "else", "=>", ":=", ",", "|", ")", "}", "]"])

/** Parses one term; the whole input must be consumed. */
export function parseTerm(src: string): Term {
  const toks = tokenize(src)
  let p = 0
  const peek = () => toks[p]
  const next = () => { const t = toks[p++]; if (t === undefined) throw new TermError(`unexpected end of: ${src}`); return t }
  const expect = (t: string) => { const got = next(); if (got !== t) throw new TermError(`expected ${t}, got ${got} in: ${src}`) }

  const expr = (): Term => {
    if (peek() === "fun") {
      next()
      const params: string[] = []
      while (peek() !== "=>") params.push(next())
      next()
      return { t: "fun", params, body: expr() }
    }
    if (peek() === "match") {
      next()
      const scrutinees = [binop(0)]
      while (peek() === ",") { next(); scrutinees.push(binop(0)) }
      expect("with")
      const arms: Array<{ pats: Term[]; body: Term }> = []
      while (peek() === "|") {
        next()
        const pats = [binop(0)]
        while (peek() === ",") { next(); pats.push(binop(0)) }
        expect("=>")
        arms.push({ pats, body: expr() })
      }
      return { t: "match", scrutinees, arms }
    }
    if (peek() === "if") {
      next()
      const cond = expr()
      expect("then")
      const th = expr()
      expect("else")
      return { t: "ite", cond, then: th, else: expr() }
    }
    return binop(0)
  }

  const binop = (level: number): Term => {
    if (level >= binary.length) return unary()
    const { ops, right } = binary[level]!
    const l = binop(level + 1)
    if (!ops.includes(peek() ?? "")) return l
    const op = next()
    if (right) return { t: "bin", op, l, r: binop(level) }
    let acc: Term = { t: "bin", op, l, r: binop(level + 1) }
    while (ops.includes(peek() ?? "")) {
      const o = next()
      acc = { t: "bin", op: o, l: acc, r: binop(level + 1) }
    }
    return acc
  }

  const unary = (): Term => {
    if (peek() === "-") { next(); const of = unary(); return of.t === "num" ? { t: "num", v: -of.v } : { t: "neg", of } }
    if (peek() === "¬") { next(); return { t: "app", fn: { t: "var", name: "Not" }, args: [unary()] } }
    return application()
  }

  const startsAtom = (t: string | undefined) =>
    t !== undefined && !keywords.has(t) && !binary.some((b) => b.ops.includes(t)) && t !== "¬" && !t.startsWith(".")

  const application = (): Term => {
    const fn = postfix()
    const args: Term[] = []
    while (startsAtom(peek())) args.push(postfix())
    return args.length === 0 ? fn : { t: "app", fn, args }
  }

  const postfix = (): Term => {
    let a = atom()
    // `(e).field` prints as `e.field` after a closing parenthesis only when
    // the tokenizer split it; identifiers carry their dots themselves.
    while (peek()?.startsWith(".") === true) a = { t: "proj", of: a, field: next().slice(1) }
    return a
  }

  const atom = (): Term => {
    const t = next()
    if (/^\d+$/.test(t)) return { t: "num", v: BigInt(t) }
    if (t === "⋯") return { t: "elided" }
    if (t === "↑") return { t: "app", fn: { t: "var", name: "↑" }, args: [postfix()] }
    if (t === "(") {
      const first = expr()
      if (peek() === ",") {
        const items = [first]
        while (peek() === ",") { next(); items.push(expr()) }
        expect(")")
        return { t: "tuple", items }
      }
      expect(")")
      return first
    }
    if (t === "[") {
      const items: Term[] = []
      if (peek() !== "]") { items.push(expr()); while (peek() === ",") { next(); items.push(expr()) } }
      expect("]")
      return { t: "list", items }
    }
    if (t === "{") {
      const fields: Array<readonly [string, Term]> = []
      while (peek() !== "}") {
        const name = next()
        expect(":=")
        fields.push([name, expr()])
        if (peek() === ",") next()
      }
      expect("}")
      return { t: "struct", fields }
    }
    if (/^[A-Za-z_]/.test(t)) return { t: "var", name: t }
    throw new TermError(`unexpected token ${t} in: ${src}`)
  }

  const result = expr()
  if (p !== toks.length) throw new TermError(`unparsed rest "${toks.slice(p).join(" ")}" in: ${src}`)
  return result
}

/** Splits a dotted name whose head is a local variable into projections:
 * `a.total` is the field `total` of `a` when `a` is bound. */
export function resolveProjections(term: Term, bound: ReadonlySet<string>): Term {
  const go = (x: Term, b: ReadonlySet<string>): Term => {
    switch (x.t) {
      case "var": {
        const parts = x.name.split(".")
        if (parts.length > 1 && b.has(parts[0]!)) {
          return parts.slice(1).reduce<Term>((of, field) => ({ t: "proj", of, field }), { t: "var", name: parts[0]! })
        }
        return x
      }
      case "app": return { t: "app", fn: go(x.fn, b), args: x.args.map((a) => go(a, b)) }
      case "proj": return { t: "proj", of: go(x.of, b), field: x.field }
      case "bin": return { ...x, l: go(x.l, b), r: go(x.r, b) }
      case "neg": return { t: "neg", of: go(x.of, b) }
      case "struct": return { t: "struct", fields: x.fields.map(([f, v]) => [f, go(v, b)] as const) }
      case "tuple": return { t: "tuple", items: x.items.map((i) => go(i, b)) }
      case "list": return { t: "list", items: x.items.map((i) => go(i, b)) }
      case "fun": { const nb = new Set([...b, ...x.params]); return { t: "fun", params: x.params, body: go(x.body, nb) } }
      case "ite": return { t: "ite", cond: go(x.cond, b), then: go(x.then, b), else: go(x.else, b) }
      case "match": return {
        t: "match",
        scrutinees: x.scrutinees.map((s) => go(s, b)),
        arms: x.arms.map((a) => {
          const nb = new Set([...b, ...patternVars(a.pats)])
          return { pats: a.pats, body: go(a.body, nb) }
        }),
      }
      default: return x
    }
  }
  return go(term, bound)
}

/** Variables a pattern binds (lower-case names that are not constructors). */
export function patternVars(pats: ReadonlyArray<Term>): string[] {
  const out: string[] = []
  const go = (p: Term): void => {
    if (p.t === "var" && !p.name.includes(".") && !isConstructorName(p.name) && p.name !== "_") out.push(p.name)
    else if (p.t === "var" && /^[a-z_][\w']*\.succ$/.test(p.name) && !p.name.startsWith("_.")) out.push(p.name.slice(0, -5))
    else if (p.t === "bin" && (p.op === "::" || p.op === "+")) { go(p.l); go(p.r) }
    else if (p.t === "app") p.args.forEach(go)
    else if (p.t === "struct") p.fields.forEach(([, v]) => go(v))
    else if (p.t === "tuple") p.items.forEach(go)
  }
  pats.forEach(go)
  return out
}

export const isConstructorName = (n: string): boolean => n === "none" || n === "some" || n === "true" || n === "false" || n.includes(".")
