module
-- The axiom layer of the proof gate (scripts/lean/axioms.ts fills in the
-- imports below and reads what this prints). It is the one reviewed place
-- where the project runs a metaprogram: proof modules may not (scan.ts).
--
-- `#print axioms` is refused by this Lean build ("cannot use in a module"),
-- and compiled helpers such as `List.append` or `Name.toString` are missing
-- from it at run time, so the walk below is written with plain recursion.
-- `import all` loads each project module's private part, so theorem bodies
-- are visible; Lean's own library ships without them (its theorems appear as
-- axioms), so the walk stops at the project's boundary and reports the core
-- constants it reaches, to be classified by axioms.ts.
public meta import Lean
--IMPORTS--

open Lean Elab Command

--OWN--

meta partial def hxName : Name → String
  | .anonymous => ""
  | .str p s => let q := hxName p; if q == "" then s else q ++ "." ++ s
  | .num p k => hxName p ++ "." ++ Nat.repr k

/-- Prepends a list in reverse order (tail-recursive; order does not matter here). -/
meta partial def hxPushAll : List Name → List Name → List Name
  | [], r => r
  | a :: t, r => hxPushAll t (a :: r)

/-- Constants an expression mentions, by Lean's own `getUsedConstants` (native,
shares work across the proof term's shared subterms). -/
meta def hxConsts (e : Expr) (acc : List Name) : List Name :=
  hxPushAll e.getUsedConstants.toList acc

meta def hxKind : ConstantInfo → String
  | .axiomInfo _ => "axiom" | .defnInfo _ => "def" | .thmInfo _ => "theorem"
  | .opaqueInfo _ => "opaque" | .quotInfo _ => "quot" | .inductInfo _ => "inductive"
  | .ctorInfo _ => "ctor" | .recInfo _ => "rec"

/-- Everything a constant's type and value mention. -/
meta def hxDeps : ConstantInfo → List Name
  | .defnInfo v => hxConsts v.type (hxConsts v.value [])
  | .thmInfo v => hxConsts v.type (hxConsts v.value [])
  | .opaqueInfo v => hxConsts v.type (hxConsts v.value [])
  | .inductInfo v => hxConsts v.type (hxPushAll v.ctors v.all)
  | .ctorInfo v => v.induct :: hxConsts v.type []
  | .recInfo v => hxConsts v.type v.all
  | i => hxConsts i.type []

/-- The walk: inside the project it follows every mention; at a constant of
another module it stops and records the constant if it is an axiom there
(a real axiom, or a core theorem whose body this Lean ships without). A
project constant that is an axiom or opaque is recorded too. -/
meta partial def hxWalk (env : Environment) (own : NameSet) : List Name → NameSet → List String → List String
  | [], _, out => out
  | c :: rest, seen, out =>
    if seen.contains c then hxWalk env own rest seen out else
    let seen := seen.insert c
    match env.find? c with
    | none => hxWalk env own rest seen (("missing:" ++ hxName c) :: out)
    | some i =>
      if own.contains c then
        let out := match i with
          | .axiomInfo _ => ("own-axiom:" ++ hxName c) :: out
          | .opaqueInfo _ => ("own-opaque:" ++ hxName c) :: out
          | _ => out
        hxWalk env own (hxPushAll (hxDeps i) rest) seen out
      else
        match i with
        | .axiomInfo _ => hxWalk env own rest seen (("core:" ++ hxName c) :: out)
        | .opaqueInfo _ => hxWalk env own rest seen (("core-opaque:" ++ hxName c) :: out)
        | _ => hxWalk env own rest seen out

meta partial def hxJoin : List String → String
  | [] => ""
  | a :: r => " " ++ a ++ hxJoin r

meta partial def hxLen {α : Type} : List α → Nat
  | [] => 0
  | _ :: r => hxLen r + 1

meta partial def hxZip {α β : Type} : List α → List β → List (α × β)
  | a :: r, b :: t => (a, b) :: hxZip r t
  | _, _ => []

meta partial def hxOwnSet : List Name → NameSet → NameSet
  | [], s => s
  | c :: r, s => hxOwnSet r (s.insert c)

meta partial def hxMem (m : Name) : List Name → Bool
  | [] => false
  | a :: r => a == m || hxMem m r

meta partial def hxModules (own : List Name) : List (Name × ModuleData) → List (Name × List Name)
  | [] => []
  | (m, d) :: r => if hxMem m own then (m, d.constNames.toList) :: hxModules own r else hxModules own r

meta partial def hxAllConsts : List (Name × List Name) → List Name
  | [] => []
  | (_, cs) :: r => hxPushAll cs (hxAllConsts r)

meta partial def hxReport (env : Environment) (own : NameSet) (m : Name) : List Name → Nat → IO Nat
  | [], k => pure k
  | c :: r, k => do
    let kind := match env.find? c with | some i => hxKind i | none => "missing"
    IO.println ("HAX\t" ++ hxName m ++ "\t" ++ hxName c ++ "\t" ++ kind ++ "\t" ++ hxJoin (hxWalk env own [c] {} []))
    hxReport env own m r (k + 1)

meta partial def hxReportAll (env : Environment) (own : NameSet) : List (Name × List Name) → Nat → IO Nat
  | [], k => pure k
  | (m, cs) :: r, k => do
    IO.println ("HAXMOD\t" ++ hxName m ++ "\t" ++ Nat.repr (hxLen cs))
    let k ← hxReport env own m cs k
    hxReportAll env own r k

elab "#hydrogen_axioms" : command => do
  let env ← getEnv
  let mods := hxModules hxOwnModules (hxZip env.header.moduleNames.toList env.header.moduleData.toList)
  let own := hxOwnSet (hxAllConsts mods) {}
  let total ← hxReportAll env own mods 0
  IO.println ("HAXEND\t" ++ Nat.repr (hxLen mods) ++ "\t" ++ Nat.repr total)

#hydrogen_axioms
