// Translation of a definition body (Lean's elaborated term, as printed) to a
// TypeScript expression, with the little type inference the fragment needs:
// Nat and Int are bigint, but `-`, `/` and `%` differ (Nat subtraction
// truncates at 0; Int division is Euclidean), so every arithmetic node must
// know its Lean type, from the parameters' types, structure fields and the
// expected type. A node whose type cannot be known is outside the fragment.
import { GenError, type LType, type TypeDecl } from "./translate.ts"
import { patternVars, type Term } from "./term.ts"

export interface Globals {
  readonly types: ReadonlyMap<string, TypeDecl>
  /** Exported values and functions: Lean name → TS name and Lean type. */
  readonly values: ReadonlyMap<string, { readonly ts: string; readonly type: LType }>
  readonly tsType: (name: string) => string
  /** Called for each exported value the body uses (so its module can be imported). */
  readonly useValue?: (name: string) => void
}

interface Out { readonly code: string; readonly type: LType | undefined }

const same = (a: LType, b: LType): boolean => JSON.stringify(a) === JSON.stringify(b)
const show = (t: LType | undefined): string => (t === undefined ? "?" : t.k === "named" ? t.name : t.k === "option" || t.k === "list" ? `${t.k} ${show(t.of)}` : t.k)

export function compileBody(where: string, term: Term, env: ReadonlyMap<string, LType>, expected: LType | undefined, g: Globals): string {
  const fail = (msg: string): never => { throw new GenError(`${where}: outside the fragment: ${msg}`) }

  const fieldType = (t: LType | undefined, field: string): LType => {
    if (t?.k !== "named") return fail(`projection .${field} of a value of type ${show(t)}`)
    const d = g.types.get(t.name)
    if (d?.kind !== "structure") return fail(`projection .${field} of ${t.name}, which is not an exported structure`)
    const f = d.fields.find(([n]) => n === field)
    if (!f) return fail(`${t.name} has no field ${field}`)
    return f[1]
  }

  const arith: Record<string, Partial<Record<LType["k"], (a: string, b: string) => string>>> = {
    "+": { nat: (a, b) => `(${a} + ${b})`, int: (a, b) => `(${a} + ${b})`, rat: (a, b) => `ratAdd(${a}, ${b})` },
    "-": { nat: (a, b) => `natSub(${a}, ${b})`, int: (a, b) => `(${a} - ${b})`, rat: (a, b) => `ratSub(${a}, ${b})` },
    "*": { nat: (a, b) => `(${a} * ${b})`, int: (a, b) => `(${a} * ${b})`, rat: (a, b) => `ratMul(${a}, ${b})` },
    "/": { nat: (a, b) => `natDiv(${a}, ${b})`, int: (a, b) => `intDiv(${a}, ${b})`, rat: (a, b) => `ratDiv(${a}, ${b})` },
    "%": { nat: (a, b) => `natMod(${a}, ${b})`, int: (a, b) => `intMod(${a}, ${b})` },
    // Bitwise on Nat (non-negative bigints: JS's operators agree).
    "|||": { nat: (a, b) => `(${a} | ${b})` },
    "&&&": { nat: (a, b) => `(${a} & ${b})` },
    "^^^": { nat: (a, b) => `(${a} ^ ${b})` },
  }
  const cmpOps: Record<string, string> = { "<": "<", "≤": "<=", ">": ">", "≥": ">=", "=": "===", "≠": "!==" }

  const go = (t: Term, env: ReadonlyMap<string, LType>, exp: LType | undefined): Out => {
    switch (t.t) {
      case "num": {
        const ty = exp
        if (ty?.k === "nat" || ty?.k === "int") return { code: `${t.v}n`, type: ty }
        if (ty?.k === "rat") return { code: `ratOf(${t.v}n)`, type: ty }
        return fail(`the numeral ${t.v} has no known numeric type (expected ${show(ty)})`)
      }
      case "var": {
        const local = env.get(t.name)
        if (local) return { code: t.name, type: local }
        if (t.name === "none") { if (exp?.k !== "option") fail("none without an Option type"); return { code: "null", type: exp } }
        if (t.name === "true" || t.name === "false") return { code: t.name, type: { k: "bool" } }
        const v = g.values.get(t.name)
        if (v) { g.useValue?.(t.name); return { code: v.ts, type: v.type } }
        const parts = t.name.split(".")
        if (parts.length > 1 && env.has(parts[0]!)) fail(`unresolved projection ${t.name}`)
        return fail(`${t.name} is neither a parameter nor an exported definition`)
      }
      case "proj": {
        const of = go(t.of, env, undefined)
        if (t.field === "toNat" && of.type?.k === "int") return { code: `intToNat(${of.code})`, type: { k: "nat" } }
        if (t.field === "length" && of.type?.k === "list") return { code: `BigInt(${of.code}.length)`, type: { k: "nat" } }
        if (t.field === "sum" && of.type?.k === "list" && (of.type.of.k === "nat" || of.type.of.k === "int")) {
          return { code: `${of.code}.reduce((s: bigint, x) => s + x, 0n)`, type: of.type.of }
        }
        // Field notation for a function: `e.atom.kind` is `Atom.kind e.atom`.
        const fn = of.type?.k === "named" ? g.values.get(`${of.type.name}.${t.field}`) : undefined
        if (fn && fn.type.k === "fn" && fn.type.params.length === 1) { g.useValue?.(`${(of.type as { name: string }).name}.${t.field}`); return { code: `${fn.ts}(${of.code})`, type: fn.type.result } }
        return { code: `${of.code}.${t.field}`, type: fieldType(of.type, t.field) }
      }
      case "list": {
        const el = exp?.k === "list" ? exp.of : undefined
        const items = t.items.map((x) => go(x, env, el))
        const ty = el ?? items[0]?.type
        if (!ty || items.some((x) => !x.type || !same(x.type, ty))) return fail("a list literal whose element type is not known or not uniform")
        return { code: `[${items.map((x) => x.code).join(", ")}]`, type: { k: "list", of: ty } }
      }
      case "neg": {
        const of = go(t.of, env, exp)
        if (of.type?.k === "int") return { code: `(-${of.code})`, type: of.type }
        if (of.type?.k === "rat") return { code: `ratNeg(${of.code})`, type: of.type }
        return fail(`negation at type ${show(of.type)}`)
      }
      case "bin": {
        if (t.op === "∧" || t.op === "∨") {
          const l = go(t.l, env, { k: "bool" }), r = go(t.r, env, { k: "bool" })
          return { code: `(${l.code} ${t.op === "∧" ? "&&" : "||"} ${r.code})`, type: { k: "bool" } }
        }
        if (t.op === "::") {
          const r = go(t.r, env, exp)
          if (r.type?.k !== "list") return fail(":: onto a value that is not a List")
          const l = go(t.l, env, r.type.of)
          if (!l.type || !same(l.type, r.type.of)) fail(`:: of ${show(l.type)} onto ${show(r.type)}`)
          return { code: `[${l.code}, ...${r.code}]`, type: r.type }
        }
        if (t.op === "++") {
          const l = go(t.l, env, exp)
          if (l.type?.k !== "list") return fail("++ on a value that is not a List")
          const r = go(t.r, env, l.type)
          if (!r.type || !same(l.type, r.type)) fail(`++ of ${show(l.type)} and ${show(r.type)}`)
          return { code: `[...${l.code}, ...${r.code}]`, type: l.type }
        }
        // The side that is not a numeral is typed first; the other follows it.
        const operands = (hint: LType | undefined): [Out, Out] => {
          if (t.l.t === "num" && t.r.t !== "num") { const r = go(t.r, env, hint); return [go(t.l, env, r.type ?? hint), r] }
          const l = go(t.l, env, hint)
          return [l, go(t.r, env, l.type ?? hint)]
        }
        if (t.op === "^") {
          const base = go(t.l, env, exp)
          const e = go(t.r, env, { k: "nat" })
          if (e.type?.k !== "nat") fail("an exponent that is not a Nat")
          if (base.type?.k === "nat" || base.type?.k === "int") return { code: `(${base.code} ** ${e.code})`, type: base.type }
          if (base.type?.k === "rat") return { code: `ratPow(${base.code}, ${e.code})`, type: base.type }
          return fail(`power at type ${show(base.type)}`)
        }
        if (t.op in cmpOps) {
          const [l, r] = operands(undefined)
          if (!l.type || !r.type || !same(l.type, r.type)) fail(`comparison of ${show(l.type)} with ${show(r.type)}`)
          const k = l.type!.k
          if (k === "nat" || k === "int") return { code: `(${l.code} ${cmpOps[t.op]} ${r.code})`, type: { k: "bool" } }
          if (k === "rat") return { code: `(ratCmp(${l.code}, ${r.code}) ${cmpOps[t.op]} 0)`, type: { k: "bool" } }
          return fail(`comparison at type ${show(l.type)}`)
        }
        const [l, r] = operands(exp)
        if (!l.type || !r.type || !same(l.type, r.type)) fail(`${t.op} on ${show(l.type)} and ${show(r.type)}`)
        const f = arith[t.op]?.[l.type!.k]
        if (!f) return fail(`${t.op} at type ${show(l.type)}`)
        return { code: f(l.code, r.code), type: l.type }
      }
      case "struct": {
        if (exp?.k !== "named") return fail("a structure instance whose type is not known")
        const d = g.types.get(exp.name)
        if (d?.kind !== "structure") return fail(`a structure instance of ${exp.name}, not an exported structure`)
        const given = new Map(t.fields)
        if (given.size !== d.fields.length || d.fields.some(([n]) => !given.has(n))) fail(`a structure instance of ${exp.name} that does not give every field`)
        return { code: `{ ${d.fields.map(([n, ft]) => `${n}: ${go(given.get(n)!, env, ft).code}`).join(", ")} }`, type: exp }
      }
      case "app": {
        if (t.fn.t === "proj") {
          // Method-call notation: `x.hull y` is `Box.hull x y`.
          const of = go(t.fn.of, env, undefined)
          if (of.type?.k === "nat" && t.fn.field === "testBit" && t.args.length === 1) {
            const i = go(t.args[0]!, env, { k: "nat" })
            if (i.type?.k !== "nat") fail("Nat.testBit at an index that is not a Nat")
            return { code: `(((${of.code} >> ${i.code}) & 1n) === 1n)`, type: { k: "bool" } }
          }
          const m = of.type?.k === "named" ? g.values.get(`${of.type.name}.${t.fn.field}`) : undefined
          if (!m || m.type.k !== "fn" || m.type.params.length !== t.args.length + 1) return fail(`a call .${t.fn.field} on ${show(of.type)}`)
          g.useValue?.(`${(of.type as { name: string }).name}.${t.fn.field}`)
          const ps = m.type.params
          return { code: `${m.ts}(${[of.code, ...t.args.map((a, i) => go(a, env, ps[i + 1]).code)].join(", ")})`, type: m.type.result }
        }
        const fn = t.fn.t === "var" ? t.fn.name : fail("application of a computed function")
        if (fn === "↑" && t.args.length === 1) {
          // A coercion: Nat → Int is the same bigint; Nat or Int → Rat an integral fraction.
          if (exp?.k === "int") {
            const a = go(t.args[0]!, env, { k: "nat" })
            if (a.type?.k !== "nat") fail(`a coercion from ${show(a.type)} to Int`)
            return { code: a.code, type: exp }
          }
          if (exp?.k === "rat") {
            const a = go(t.args[0]!, env, undefined)
            if (a.type?.k !== "nat" && a.type?.k !== "int") fail(`a coercion from ${show(a.type)} to Rat`)
            return { code: `ratOf(${a.code})`, type: exp }
          }
          return fail(`a coercion to ${show(exp)}`)
        }
        if (fn === "Int.toNat" && t.args.length === 1) {
          const a = go(t.args[0]!, env, { k: "int" })
          if (a.type?.k !== "int") fail("Int.toNat of a value that is not an Int")
          return { code: `intToNat(${a.code})`, type: { k: "nat" } }
        }
        const ctorOf = [...g.types.values()].find((d) => d.kind === "inductive" && fn.startsWith(d.name + ".") && d.ctors.some((c) => `${d.name}.${c.name}` === fn))
        if (ctorOf?.kind === "inductive") {
          const c = ctorOf.ctors.find((x) => `${ctorOf.name}.${x.name}` === fn)!
          if (c.args.length !== t.args.length) fail(`a partial application of ${fn}`)
          const fields = c.args.map(([n, ty], i) => `${n}: ${go(t.args[i]!, env, ty).code}`)
          return { code: `{ _tag: "${c.name}" as const${fields.map((f) => ", " + f).join("")} }`, type: { k: "named", name: ctorOf.name } }
        }
        if (fn === "some") {
          const inner = go(t.args[0]!, env, exp?.k === "option" ? exp.of : undefined)
          if (inner.type?.k === "option") fail("nested Option")
          return { code: inner.code, type: { k: "option", of: inner.type! } }
        }
        if ((fn === "max" || fn === "min") && t.args.length === 2) {
          const a = go(t.args[0]!, env, exp), b = go(t.args[1]!, env, a.type)
          if (!a.type || !same(a.type, b.type!)) fail(`${fn} of ${show(a.type)} and ${show(b.type)}`)
          const k = a.type!.k
          if (k === "nat" || k === "int") return { code: `${fn === "max" ? "bigMax" : "bigMin"}(${a.code}, ${b.code})`, type: a.type }
          if (k === "rat") return { code: `${fn === "max" ? "ratMax" : "ratMin"}(${a.code}, ${b.code})`, type: a.type }
          return fail(`${fn} at type ${show(a.type)}`)
        }
        if (fn === "List.foldl" && t.args.length === 3) {
          const xs = go(t.args[2]!, env, undefined)
          if (xs.type?.k !== "list") return fail("List.foldl over a value that is not a List")
          const init = go(t.args[1]!, env, exp)
          const f = t.args[0]!
          if (f.t === "var" && g.values.has(f.name)) {
            const v = g.values.get(f.name)!
            return { code: `${xs.code}.reduce((acc: ${tsOf(init.type!)}, x) => ${v.ts}(acc, x), ${init.code})`, type: init.type }
          }
          if (f.t === "fun" && f.params.length === 2) {
            const inner = new Map(env).set(f.params[0]!, init.type!).set(f.params[1]!, xs.type.of)
            return { code: `${xs.code}.reduce((${f.params[0]}: ${tsOf(init.type!)}, ${f.params[1]}) => ${go(f.body, inner, init.type).code}, ${init.code})`, type: init.type }
          }
          return fail("List.foldl with a function that is neither exported nor a two-argument lambda")
        }
        if (fn === "List.map" && t.args.length === 2) {
          const xs = go(t.args[1]!, env, undefined)
          if (xs.type?.k !== "list") return fail("List.map over a value that is not a List")
          const f = fnOf(t.args[0]!, xs.type.of, env)
          return { code: `${xs.code}.map((x$) => ${f.apply("x$")})`, type: { k: "list", of: f.result } }
        }
        if (fn === "List.filter" && t.args.length === 2) {
          const xs = go(t.args[1]!, env, exp)
          if (xs.type?.k !== "list") return fail("List.filter over a value that is not a List")
          const p = fnOf(t.args[0]!, xs.type.of, env)
          if (p.result.k !== "bool" && p.result.k !== "prop") fail("List.filter with a predicate that is not Bool")
          return { code: `${xs.code}.filter((x$) => ${p.apply("x$")})`, type: xs.type }
        }
        if (fn === "List.take" && t.args.length === 2) {
          const n = go(t.args[0]!, env, { k: "nat" })
          const xs = go(t.args[1]!, env, exp)
          if (n.type?.k !== "nat" || xs.type?.k !== "list") return fail("List.take of a Nat and a List")
          return { code: `${xs.code}.slice(0, Number(${n.code}))`, type: xs.type }
        }
        if (fn === "decide" && t.args.length === 1) {
          const c = go(t.args[0]!, env, { k: "bool" })
          if (c.type?.k !== "bool" && c.type?.k !== "prop") fail("decide of a value that is not a Prop")
          return { code: c.code, type: { k: "bool" } }
        }
        const local = env.get(fn)
        if (local?.k === "fn") {
          // A function-valued parameter, applied to all its arguments.
          if (local.params.length !== t.args.length) fail(`a partial application of the parameter ${fn}`)
          return { code: `${fn}(${t.args.map((a, i) => go(a, env, local.params[i]).code).join(", ")})`, type: local.result }
        }
        if (fn === "List.range" && t.args.length === 1) {
          const n = go(t.args[0]!, env, { k: "nat" })
          if (n.type?.k !== "nat") fail("List.range of a value that is not a Nat")
          return { code: `Array.from({ length: Number(${n.code}) }, (_, i) => BigInt(i))`, type: { k: "list", of: { k: "nat" } } }
        }
        const v = g.values.get(fn)
        if (!v || v.type.k !== "fn") return fail(`a call of ${fn}, which is not an exported reference`)
        g.useValue?.(fn)
        if (v.type.params.length > t.args.length && exp?.k === "fn" && v.type.params.length === t.args.length + exp.params.length) {
          // Applied to all but the last arguments where a function is expected: a closure.
          const ps = v.type.params
          const given = t.args.map((a, i) => go(a, env, ps[i]).code)
          const rest = exp.params.map((_, i) => `y${i}`)
          return { code: `((${rest.map((r, i) => `${r}: ${tsOf(ps[t.args.length + i]!)}`).join(", ")}) => ${v.ts}(${[...given, ...rest].join(", ")}))`, type: exp }
        }
        if (v.type.params.length !== t.args.length) fail(`a partial application of ${fn}`)
        const params = v.type.params
        const args = t.args.map((a, i) => go(a, env, params[i]).code)
        return { code: `${v.ts}(${args.join(", ")})`, type: v.type.result }
      }
      case "ite": {
        const c = go(t.cond, env, { k: "bool" })
        const a = go(t.then, env, exp), b = go(t.else, env, exp ?? a.type)
        return { code: `(${c.code} ? ${a.code} : ${b.code})`, type: a.type ?? b.type }
      }
      case "match": {
        const scr = t.scrutinees.map((s) => go(s, env, undefined))
        const arms = t.arms.map((arm) => {
          const conds: string[] = []
          const binds: string[] = []
          const inner = new Map(env)
          arm.pats.forEach((p, i) => pattern(p, `s${i}`, scr[i]!.type, conds, binds, inner))
          const body = go(arm.body, inner, exp)
          return `${conds.length ? `if (${conds.join(" && ")}) ` : ""}{ ${binds.map((b) => b + " ").join("")}return ${body.code} }`
        })
        const head = scr.map((s, i) => `const s${i} = ${s.code}`).join("; ")
        return { code: `(() => { ${head}; ${arms.join(" ")} throw new Error("${where}: no match arm applies") })()`, type: exp }
      }
      default:
        return fail(`a ${t.t} term`)
    }
  }

  /** A one-argument function as List.map takes it: a field of an exported
   * structure, an exported function, one applied to all arguments but the
   * last, or a one-parameter lambda. */
  const fnOf = (f: Term, arg: LType, env: ReadonlyMap<string, LType>): { apply: (x: string) => string; result: LType } => {
    if (f.t === "fun" && f.params.length === 1) {
      const inner = new Map(env).set(f.params[0]!, arg)
      const body = go(f.body, inner, undefined)
      if (!body.type) return fail("a lambda whose result type is not known")
      return { apply: (x) => `((${f.params[0]}) => ${body.code})(${x})`, result: body.type }
    }
    const head = f.t === "var" ? f.name : f.t === "app" && f.fn.t === "var" ? f.fn.name : fail("a mapped function that is not a name")
    const given = f.t === "app" ? f.args : []
    const v = g.values.get(head)
    if (v?.type.k === "fn" && v.type.params.length === given.length + 1 && same(v.type.params[given.length]!, arg)) {
      g.useValue?.(head)
      const ps = v.type.params
      const args = given.map((a, i) => go(a, env, ps[i]).code)
      return { apply: (x) => `${v.ts}(${[...args, x].join(", ")})`, result: v.type.result }
    }
    if (given.length === 0 && arg.k === "named" && head.startsWith(arg.name + ".")) {
      const field = head.slice(arg.name.length + 1)
      return { apply: (x) => `${x}.${field}`, result: fieldType(arg, field) }
    }
    return fail(`${head} as a one-argument function on ${show(arg)}`)
  }

  const pattern = (p: Term, at: string, ty: LType | undefined, conds: string[], binds: string[], env: Map<string, LType>): void => {
    if (p.t === "var" && p.name === "_") return
    // Nat patterns `n.succ` / `n + 1`: a positive value, `n` its predecessor.
    const succ = p.t === "var" && /^[a-z_][\w']*\.succ$/.test(p.name) ? p.name.slice(0, -5)
      : p.t === "bin" && p.op === "+" && p.l.t === "var" && p.r.t === "num" && p.r.v === 1n ? p.l.name : undefined
    if (succ !== undefined && ty?.k === "nat") {
      conds.push(`${at} > 0n`)
      if (succ !== "_") { binds.push(`const ${succ} = ${at} - 1n;`); env.set(succ, ty) }
      return
    }
    if (p.t === "list" && p.items.length === 0 && ty?.k === "list") { conds.push(`${at}.length === 0`); return }
    if (p.t === "bin" && p.op === "::" && ty?.k === "list") {
      conds.push(`${at}.length > 0`)
      pattern(p.l, `${at}[0]!`, ty.of, conds, binds, env)
      pattern(p.r, `${at}.slice(1)`, ty, conds, binds, env)
      return
    }
    if (p.t === "var" && patternVars([p]).length === 1) { binds.push(`const ${p.name} = ${at};`); env.set(p.name, ty!); return }
    if (p.t === "var" && p.name === "none") { conds.push(`${at} === null`); return }
    if (p.t === "num") { conds.push(`${at} === ${p.v}n`); return }
    if (p.t === "app" && p.fn.t === "var" && p.fn.name === "some" && ty?.k === "option") {
      conds.push(`${at} !== null`)
      pattern(p.args[0]!, at, ty.of, conds, binds, env)
      return
    }
    if (p.t === "struct" && ty?.k === "named") {
      for (const [f, sub] of p.fields) pattern(sub, `${at}.${f}`, fieldType(ty, f), conds, binds, env)
      return
    }
    const ctorName = p.t === "var" ? p.name : p.t === "app" && p.fn.t === "var" ? p.fn.name : undefined
    const args = p.t === "app" ? p.args : []
    const d = ty?.k === "named" ? g.types.get(ty.name) : undefined
    if (ctorName && d?.kind === "inductive" && ctorName.startsWith(d.name + ".")) {
      const c = d.ctors.find((x) => x.name === ctorName.slice(d.name.length + 1))
      if (!c || c.args.length !== args.length) fail(`pattern ${ctorName}`)
      conds.push(`${at}._tag === "${c!.name}"`)
      args.forEach((a, i) => pattern(a, `${at}.${c!.args[i]![0]}`, c!.args[i]![1], conds, binds, env))
      return
    }
    fail(`a pattern ${JSON.stringify(p)} at type ${show(ty)}`)
  }

  const tsOf = (t: LType): string => tsTypeOf(t, g.tsType)
  return go(term, env, expected).code
}

export function tsTypeOf(t: LType, named: (n: string) => string): string {
  switch (t.k) {
    case "nat": case "int": return "bigint"
    case "rat": return "Fraction"
    case "bool": case "prop": return "boolean"
    case "option": return `${tsTypeOf(t.of, named)} | null`
    case "list": return `ReadonlyArray<${tsTypeOf(t.of, named)}>`
    case "named": return named(t.name)
    case "fn": return `(${t.params.map((p, i) => `a${i}: ${tsTypeOf(p, named)}`).join(", ")}) => ${tsTypeOf(t.result, named)}`
  }
}
