// The source layer of the proof gate: a Lean lexer that knows comments
// (nested), strings (escapes, raw strings, interpolation) and character
// literals, and rules over its tokens. It is the first of three layers (then
// Lean's own messages, then the axiom check); each layer must reject the tricks
// it can see on its own, so a gap in one is not a gap in the gate.

export interface Token {
  readonly kind: "ident" | "hash" | "symbol";
  /** For identifiers, the name with `«»` escapes removed (`«sorryAx»` → `sorryAx`). */
  readonly text: string;
  readonly line: number;
}

export interface Finding {
  readonly line: number;
  /** Short rule id, e.g. `sorry`, `#exit`, `set_option`; names the trick. */
  readonly rule: string;
  readonly message: string;
}

const isIdStart = (c: string) => /[\p{L}_]/u.test(c) && c !== "λ" && c !== "Π" && c !== "Σ";
const isIdRest = (c: string) => /[\p{L}\p{N}_'!?₀-₉ₐ-ₜᵢ-ᵪⱼ]/u.test(c) && c !== "λ";

/**
 * Tokens of a Lean source, comments dropped, strings and characters skipped
 * (the code inside `{…}` of an interpolated string is lexed as code). An
 * unterminated comment or string is itself a finding: the gate must never
 * disagree with Lean about where code is, and it fails closed when unsure.
 */
export function lex(src: string): { readonly tokens: Token[]; readonly findings: Finding[] } {
  const tokens: Token[] = [];
  const findings: Finding[] = [];
  let i = 0;
  let line = 1;
  const n = src.length;
  const advanceTo = (j: number) => {
    for (let p = i; p < j && p < n; p++) if (src[p] === "\n") line++;
    i = j;
  };
  // Interpolation: a stack of brace depths, one per open interpolated string.
  const interp: number[] = [];
  let depth = 0;

  const readString = (interpolated: boolean): boolean => {
    // i is just after the opening quote. Returns true when the string closed
    // normally, false when an interpolation `{` opened (code follows).
    const startLine = line;
    while (i < n) {
      const c = src[i]!;
      if (c === "\\") { advanceTo(i + 2); continue; }
      if (c === '"') { advanceTo(i + 1); return true; }
      if (interpolated && c === "{") { advanceTo(i + 1); interp.push(depth); return false; }
      advanceTo(i + 1);
    }
    findings.push({ line: startLine, rule: "unterminated", message: "string literal never closes" });
    return true;
  };

  while (i < n) {
    const c = src[i]!;
    const next = src[i + 1] ?? "";
    if (c === "\n" || c === " " || c === "\t" || c === "\r") { advanceTo(i + 1); continue; }
    if (c === "-" && next === "-") {
      const j = src.indexOf("\n", i);
      advanceTo(j === -1 ? n : j);
      continue;
    }
    if (c === "/" && next === "-") {
      const startLine = line;
      let d = 0;
      let j = i;
      while (j < n) {
        if (src[j] === "/" && src[j + 1] === "-") { d++; j += 2; }
        else if (src[j] === "-" && src[j + 1] === "/") { d--; j += 2; if (d === 0) break; }
        else j++;
      }
      if (d !== 0) findings.push({ line: startLine, rule: "unterminated", message: "block comment never closes" });
      advanceTo(j);
      continue;
    }
    if (c === "}" && interp.length > 0 && depth === interp[interp.length - 1]) {
      interp.pop();
      advanceTo(i + 1);
      readString(true);
      continue;
    }
    if (c === "{") { depth++; tokens.push({ kind: "symbol", text: c, line }); advanceTo(i + 1); continue; }
    if (c === "}") { depth--; tokens.push({ kind: "symbol", text: c, line }); advanceTo(i + 1); continue; }
    if (c === '"') { advanceTo(i + 1); readString(false); continue; }
    // Raw string: r"…" or r#"…"# (no escapes).
    const raw = /^r(#*)"/.exec(src.slice(i, i + 40));
    if (raw && !isIdRest(src[i - 1] ?? " ")) {
      const close = '"' + raw[1]!;
      const j = src.indexOf(close, i + raw[0].length);
      if (j === -1) { findings.push({ line, rule: "unterminated", message: "raw string never closes" }); advanceTo(n); continue; }
      advanceTo(j + close.length);
      continue;
    }
    // Interpolated string: s!"…", m!"…", f!"…" and the like.
    const interpStart = /^[a-z]+!"/.exec(src.slice(i, i + 12));
    if (interpStart && !isIdRest(src[i - 1] ?? " ")) {
      advanceTo(i + interpStart[0].length);
      readString(true);
      continue;
    }
    // Character literal: 'a', '\n', '\x41', '\u{41}'. An apostrophe right after
    // an identifier character is part of that identifier (h').
    if (c === "'" && !isIdRest(src[i - 1] ?? " ")) {
      const m = /^'(?:\\(?:u\{[0-9a-fA-F]+\}|x[0-9a-fA-F]{2}|.)|[^\\'\n])'/u.exec(src.slice(i, i + 16));
      if (m) { advanceTo(i + m[0].length); continue; }
    }
    // Name literals `foo and ``foo are names of constants: lexed as identifiers.
    if (c === "`") {
      let j = i;
      while (src[j] === "`") j++;
      advanceTo(j);
      continue;
    }
    if (c === "#" && isIdStart(next)) {
      let j = i + 1;
      while (j < n && isIdRest(src[j]!)) j++;
      tokens.push({ kind: "hash", text: src.slice(i, j), line });
      advanceTo(j);
      continue;
    }
    if (isIdStart(c) || c === "«") {
      // A dotted name; each component is plain or «escaped».
      let j = i;
      const parts: string[] = [];
      for (;;) {
        if (src[j] === "«") {
          const k = src.indexOf("»", j);
          if (k === -1) { findings.push({ line, rule: "unterminated", message: "«identifier» never closes" }); j = n; break; }
          parts.push(src.slice(j + 1, k));
          j = k + 1;
        } else if (j < n && isIdStart(src[j]!)) {
          let k = j + 1;
          while (k < n && isIdRest(src[k]!)) k++;
          parts.push(src.slice(j, k));
          j = k;
        } else break;
        if (src[j] === "." && (isIdStart(src[j + 1] ?? "") || src[j + 1] === "«")) { j++; continue; }
        break;
      }
      tokens.push({ kind: "ident", text: parts.join("."), line });
      advanceTo(Math.max(j, i + 1));
      continue;
    }
    tokens.push({ kind: "symbol", text: c, line });
    advanceTo(i + 1);
  }
  if (interp.length > 0) findings.push({ line, rule: "unterminated", message: "interpolated string never closes" });
  return { tokens, findings };
}

/** Name components that make a proof not a proof, or bypass the kernel. */
const forbiddenComponents: ReadonlyMap<string, string> = new Map([
  ["sorry", "`sorry` leaves a proof hole"],
  ["sorryAx", "`sorryAx` is the axiom behind `sorry`"],
  ["admit", "`admit` leaves a proof hole"],
  ["native_decide", "`native_decide` trusts compiled code instead of the kernel"],
  ["native", "`native` (as in `decide +native`) trusts compiled code instead of the kernel"],
  ["ofReduceBool", "`Lean.ofReduceBool` trusts compiled code instead of the kernel"],
  ["ofReduceNat", "`Lean.ofReduceNat` trusts compiled code instead of the kernel"],
  ["reduceBool", "`Lean.reduceBool` evaluates with compiled code"],
  ["reduceNat", "`Lean.reduceNat` evaluates with compiled code"],
  ["trustCompiler", "`Lean.trustCompiler` is an axiom that trusts the compiler"],
  ["axiom", "`axiom` asserts without proof"],
  ["opaque", "`opaque` hides a definition from the kernel"],
  ["unsafe", "`unsafe` code is not checked by the kernel"],
  ["partial", "`partial` definitions are opaque to proofs"],
  ["implemented_by", "`implemented_by` swaps in unchecked code"],
  ["extern", "`extern` swaps in unchecked code"],
  ["elab", "user `elab` (a metaprogram can close goals without a proof)"],
  ["elab_rules", "user `elab_rules` (a metaprogram can close goals without a proof)"],
  ["macro", "user `macro` (can hide any of the forbidden words)"],
  ["macro_rules", "user `macro_rules` (can hide any of the forbidden words)"],
  ["syntax", "user `syntax` (new syntax needs a reviewed elaborator)"],
  ["declare_syntax_cat", "user syntax categories"],
  ["notation", "user `notation` (can hide any of the forbidden words)"],
  ["infix", "user `infix` notation"],
  ["infixl", "user `infixl` notation"],
  ["infixr", "user `infixr` notation"],
  ["prefix", "user `prefix` notation"],
  ["postfix", "user `postfix` notation"],
  ["meta", "`meta` code runs at elaboration time"],
  ["initialize", "`initialize` runs code at import"],
  ["builtin_initialize", "`builtin_initialize` runs code at import"],
  ["run_cmd", "`run_cmd` runs a metaprogram"],
  ["run_elab", "`run_elab` runs a metaprogram"],
  ["run_meta", "`run_meta` runs a metaprogram"],
  ["run_tac", "`run_tac` runs a metaprogram"],
  ["by_elab", "`by_elab` runs a metaprogram"],
  ["skipKernelTC", "`debug.skipKernelTC` turns off the kernel's type check"],
]);

/** Options that do not weaken checking; everything else (debug.*, linter.*, …) is refused. */
export const allowedOptions: ReadonlySet<string> = new Set(["autoImplicit", "maxRecDepth", "maxHeartbeats"]);

/** Import roots a proof module may use: Lean's core library and the project. */
const allowedImport = (m: string) => m === "Init" || m.startsWith("Init.") || m === "Std" || m.startsWith("Std.") || m === "Hydrogen" || m.startsWith("Hydrogen.");

/**
 * Everything in a Lean source that the gate refuses, one finding per
 * occurrence, each naming its rule. Applies to `lean/` and `gen/lean/`.
 */
export function scanLean(src: string): Finding[] {
  const { tokens, findings } = lex(src);
  const out = [...findings];
  tokens.forEach((t, k) => {
    if (t.kind === "hash") {
      // Library modules need no commands; #exit hides what follows, #eval runs code.
      out.push({ line: t.line, rule: t.text, message: `\`${t.text}\` is a command; proof modules may not use ${t.text === "#exit" ? "it (Lean stops checking and only warns)" : "commands"}` });
      return;
    }
    if (t.kind !== "ident") return;
    for (const part of t.text.split(".")) {
      const why = forbiddenComponents.get(part);
      if (why) out.push({ line: t.line, rule: part, message: why });
    }
    if (t.text === "set_option") {
      const opt = tokens[k + 1];
      if (!opt || opt.kind !== "ident" || !allowedOptions.has(opt.text)) {
        out.push({ line: t.line, rule: "set_option", message: `\`set_option ${opt?.text ?? "?"}\`: only ${[...allowedOptions].join(", ")} may be set (others weaken checking or hide warnings)` });
      }
    }
    if (t.text === "import") {
      const prev = tokens[k - 1];
      const mod = tokens[k + 1]?.kind === "ident" && tokens[k + 1]!.text === "all" ? tokens[k + 2] : tokens[k + 1];
      if (prev?.kind === "ident" && prev.text === "meta") return; // `meta` is already a finding
      if (!mod || mod.kind !== "ident" || !allowedImport(mod.text)) {
        out.push({ line: t.line, rule: "import", message: `\`import ${mod?.text ?? "?"}\`: proof modules import only Init, Std and Hydrogen (Lean's metaprogramming library is not needed for proofs)` });
      }
    }
  });
  return out.sort((a, b) => a.line - b.line);
}
