module

public import Init

/-!
# Sandboxed paths and citation validity (seed 004)

Paths are lists of components, as splitting a path at `/` gives them: `""`
(a leading one marks an absolute path; elsewhere it comes from `a//b`), `"."`,
`".."` and names. `resolve root p` resolves `p` lexically against the
workspace `root`, one component at a time, and refuses (`none`) an absolute
path or a `".."` that would climb above the root, instead of clamping it.

* whatever `p` is, an accepted result is the root followed by names only
  (`resolve_inside`), so it has the root as a prefix (`resolve_prefix`);
* absolute paths and paths that climb above the root are refused
  (`resolve_absolute`, `resolve_climb`); plain names are appended unchanged
  (`resolve_names`);

Symlinks are not lexical: the sandbox re-checks the real path of what it
opens (src/Research/Sandbox.ts). The pure part of the seed's
`valid(c) ≡ exists ∧ readable ∧ line in range ∧ content matches` is `valid`,
over a file modelled as its existence, readability and lines; the hallucination
flag (rate `> 0.2`) is decided on counts, `5h > total`, with no rounding.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Research

/-- A component that names a directory entry: not `""`, `"."` or `".."`. -/
def isName (c : String) : Bool := !(c == "" || c == "." || c == "..")

/-- One component against the current path `p` (which starts at `root`). -/
def step (root p : List String) (c : String) : Option (List String) :=
  if c == "" || c == "." then some p
  else if c == ".." then (if root.length < p.length then some p.dropLast else none)
  else some (p ++ [c])

/-- Apply the components in order from `cur`; the first refusal refuses the whole path. -/
def walk (root : List String) : List String → List String → Option (List String)
  | cur, [] => some cur
  | cur, c :: cs =>
    match step root cur c with
    | none => none
    | some p => walk root p cs

/-- Resolve `p` inside `root`; `none` when it is absolute or climbs above the root. -/
def resolve (root p : List String) : Option (List String) :=
  match p with
  | "" :: _ => none
  | _ => walk root root p

/-- The invariant: the current path is the root followed by names (proof-only). -/
def Inside (root cur : List String) : Prop := ∃ t, cur = root ++ t ∧ ∀ c ∈ t, isName c = true

private theorem mem_of_mem_dropLast : ∀ (l : List String) (x : String), x ∈ l.dropLast → x ∈ l
  | [], _, h => by simp at h
  | [_], _, h => by simp at h
  | a :: b :: t, x, h => by
    have e : (a :: b :: t).dropLast = a :: (b :: t).dropLast := rfl
    rw [e] at h
    rcases List.mem_cons.mp h with h | h
    · exact h ▸ List.mem_cons_self
    · exact List.mem_cons_of_mem a (mem_of_mem_dropLast (b :: t) x h)

/-- One accepted step keeps the path the root followed by names. -/
theorem step_inside (root : List String) (p : List String) (c : String) (r : List String)
    (hp : Inside root p) (h : step root p c = some r) : Inside root r := by
  obtain ⟨t, rfl, ht⟩ := hp
  unfold step at h
  split at h
  · cases h
    exact ⟨t, rfl, ht⟩
  · rename_i h1
    split at h
    · split at h
      · rename_i h3
        cases h
        have hne : t ≠ [] := by
          intro e
          subst e
          simp at h3
        refine ⟨t.dropLast, ?_, ?_⟩
        · exact List.dropLast_append_of_ne_nil hne
        · intro x hx
          exact ht x (mem_of_mem_dropLast t x hx)
      · cases h
    · rename_i h2
      cases h
      refine ⟨t ++ [c], by simp, ?_⟩
      intro x hx
      rcases List.mem_append.mp hx with hx | hx
      · exact ht x hx
      · have : x = c := by simpa using hx
        subst this
        simp only [isName, h2, Bool.not_eq_true', Bool.or_false]
        simpa using h1

/-- So does a walk of accepted steps. -/
theorem walk_inside (root : List String) :
    ∀ (p : List String) (cur : List String) (r : List String), Inside root cur →
      walk root cur p = some r → Inside root r := by
  intro p
  induction p with
  | nil =>
    intro cur r hc h
    simp only [walk, Option.some.injEq] at h
    subst h
    exact hc
  | cons c cs ih =>
    intro cur r hc h
    simp only [walk] at h
    split at h
    · cases h
    · rename_i p hs
      exact ih p r (step_inside root cur c p hc hs) h

/-- Whatever `p` is, an accepted result is the root followed by names only. -/
theorem resolve_inside (root p r : List String) (h : resolve root p = some r) :
    ∃ t, r = root ++ t ∧ ∀ c ∈ t, isName c = true := by
  unfold resolve at h
  split at h
  · cases h
  · exact walk_inside root p root r ⟨[], by simp, by simp⟩ h

/-- Accepted results never escape: the root is a prefix of the result. -/
theorem resolve_prefix (root p r : List String) (h : resolve root p = some r) : root <+: r := by
  obtain ⟨t, rfl, _⟩ := resolve_inside root p r h
  exact List.prefix_append root t

/-- An absolute path (leading empty component) is refused. -/
theorem resolve_absolute (root rest : List String) : resolve root ("" :: rest) = none := rfl

/-- Climbing above the root first is refused. -/
theorem resolve_climb (root rest : List String) : resolve root (".." :: rest) = none := by
  simp [resolve, walk, step]

/-- Names only: each is appended. -/
theorem walk_names (root : List String) :
    ∀ (p cur : List String), (∀ c ∈ p, isName c = true) → walk root cur p = some (cur ++ p) := by
  intro p
  induction p with
  | nil => intro cur _; simp [walk]
  | cons c cs ih =>
    intro cur hn
    have hc : isName c = true := hn c (by simp)
    have hs : step root cur c = some (cur ++ [c]) := by
      unfold step
      simp only [isName, Bool.not_eq_true', Bool.or_eq_false_iff] at hc
      obtain ⟨⟨h1, h2⟩, h3⟩ := hc
      simp [h1, h2, h3]
    simp only [walk, hs]
    rw [ih (cur ++ [c]) (fun x hx => hn x (by simp [hx]))]
    simp

/-- A path of names only is appended to the root unchanged. -/
theorem resolve_names (root p : List String) (hn : ∀ c ∈ p, isName c = true) :
    resolve root p = some (root ++ p) := by
  unfold resolve
  split
  · rename_i rest
    have := hn "" (by simp)
    simp [isName] at this
  · exact walk_names root p root hn

/-! ## Citations -/

/-- What the validator can see of a file: whether it exists, can be read, and its lines. -/
structure FileModel where
  present : Bool
  readable : Bool
  lines : List String

/-- A citation: a 1-based line and the quoted content. -/
structure Citation where
  line : Nat
  quote : String

/-- The seed's `valid(c)`, for a content-matching test `m line quote`. -/
def valid (m : String → String → Bool) (f : FileModel) (c : Citation) : Bool :=
  f.present && f.readable && decide (1 ≤ c.line) && decide (c.line ≤ f.lines.length) &&
    m (f.lines[c.line - 1]?.getD "") c.quote

theorem valid_iff (m : String → String → Bool) (f : FileModel) (c : Citation) :
    valid m f c = true ↔ f.present = true ∧ f.readable = true ∧ 1 ≤ c.line ∧ c.line ≤ f.lines.length ∧
      m (f.lines[c.line - 1]?.getD "") c.quote = true := by
  simp [valid, Bool.and_eq_true, and_assoc]

/-- A valid citation's line is in `[1, number of lines]`. -/
theorem valid_line_range (m : String → String → Bool) (f : FileModel) (c : Citation)
    (h : valid m f c = true) : 1 ≤ c.line ∧ c.line ≤ f.lines.length := by
  have := (valid_iff m f c).mp h
  exact ⟨this.2.2.1, this.2.2.2.1⟩

/-- A valid citation quotes a line that is really there. -/
theorem valid_line_exists (m : String → String → Bool) (f : FileModel) (c : Citation)
    (h : valid m f c = true) : ∃ s, f.lines[c.line - 1]? = some s ∧ m s c.quote = true := by
  obtain ⟨_, _, h1, h2, h3⟩ := (valid_iff m f c).mp h
  have hlt : c.line - 1 < f.lines.length := by omega
  refine ⟨f.lines[c.line - 1], List.getElem?_eq_getElem hlt, ?_⟩
  rw [List.getElem?_eq_getElem hlt, Option.getD_some] at h3
  exact h3

/-- Missing or unreadable files, and an empty file, validate no citation. -/
theorem valid_absent (m : String → String → Bool) (f : FileModel) (c : Citation)
    (h : f.present = false ∨ f.readable = false ∨ f.lines = []) : valid m f c = false := by
  rcases h with h | h | h
  · simp [valid, h]
  · simp [valid, h]
  · cases hv : valid m f c
    · rfl
    · have := valid_line_range m f c hv
      rw [h] at this
      simp at this
      omega

/-- A researcher is flagged when more than a fifth of its citations are hallucinated. -/
def flagged (hallucinated total : Nat) : Bool := decide (total < 5 * hallucinated)

theorem flagged_iff (h t : Nat) : flagged h t = true ↔ t < 5 * h := by simp [flagged]

/-- Exactly a fifth is not flagged (the seed's `> 0.2`, strict). -/
theorem flagged_fifth (k : Nat) : flagged k (5 * k) = false := by simp [flagged]

/-- More hallucinations never unflag a researcher. -/
theorem flagged_mono (h h' t : Nat) (hle : h ≤ h') (hf : flagged h t = true) : flagged h' t = true := by
  simp only [flagged, decide_eq_true_eq] at *
  omega

/-- With no hallucinations, no researcher is flagged. -/
theorem flagged_zero (t : Nat) : flagged 0 t = false := by simp [flagged]

end Hydrogen.Research

end
