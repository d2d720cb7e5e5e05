module

public import Init

/-!
# Layout decomposes along the constraint graph (seed 001, Solution 2)

A layout is a system of constraints over element variables (`Nat` ids) with
values in `α`. A constraint reads a finite, non-empty list of variables and its
satisfaction depends only on them (`Constraint.holds_local`, a field every
constraint carries, not an axiom). Two variables are adjacent when one
constraint reads both (`Adj`); `Connected` is the reflexive-transitive closure.

A labelling `comp : Nat → κ` is `Valid` when no constraint reads variables with
two labels; connected variables then share a label (`connected_label`), so the
connected components are the finest valid labelling (`componentLabel_valid`),
and viewports whose constraints never cross (`NoCrossViewportEdges`) are unions
of components (`viewport_union_of_components`).

A solver is `Local` when its answer for `v` is the answer it gives on the
constraints of `v`'s component alone (`compCs`): a hypothesis on the solver.
For such a solver and any valid labelling, solving the whole system equals
solving each block and combining (`layout_decomposable`), in particular per
component (`components_decomposable`) and per viewport
(`no_cross_viewport_edges`, and in the seed's list shape
`layout_decomposable_list`). Independently of any solver, an assignment
satisfies the system iff its restriction to each block satisfies that block's
constraints (`sat_iff_blocks`), per-block solutions combine into a solution of
the whole (`combine_sat`), and the system is satisfiable iff every block is
(`satisfiable_iff_blocks`).
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Layout

/-- A constraint: an id, the variables it reads, and a satisfaction test that
depends only on those variables. -/
structure Constraint (α : Type) where
  id : Nat
  vars : List Nat
  holds : (Nat → α) → Bool
  reads : vars ≠ []
  holds_local : ∀ a b : Nat → α, (∀ v ∈ vars, a v = b v) → holds a = holds b

variable {α : Type}

/-- An assignment satisfies a system when every constraint holds. -/
def Sat (cs : List (Constraint α)) (a : Nat → α) : Prop :=
  ∀ c ∈ cs, c.holds a = true

/-- Edge of the constraint graph: some constraint reads both variables. -/
def Adj (cs : List (Constraint α)) (u v : Nat) : Prop :=
  ∃ c ∈ cs, u ∈ c.vars ∧ v ∈ c.vars

/-- Paths in the constraint graph. -/
inductive Connected (cs : List (Constraint α)) : Nat → Nat → Prop
  | refl (v : Nat) : Connected cs v v
  | step {u v w : Nat} : Connected cs u v → Adj cs v w → Connected cs u w

theorem Adj.symm {cs : List (Constraint α)} {u v : Nat} (h : Adj cs u v) : Adj cs v u := by
  obtain ⟨c, hc, hu, hv⟩ := h
  exact ⟨c, hc, hv, hu⟩

theorem Connected.single {cs : List (Constraint α)} {u v : Nat} (h : Adj cs u v) :
    Connected cs u v :=
  .step (.refl u) h

theorem Connected.trans {cs : List (Constraint α)} {u v w : Nat}
    (h₁ : Connected cs u v) (h₂ : Connected cs v w) : Connected cs u w := by
  induction h₂ with
  | refl => exact h₁
  | step _ a ih => exact .step ih a

theorem Connected.symm {cs : List (Constraint α)} {u v : Nat} (h : Connected cs u v) :
    Connected cs v u := by
  induction h with
  | refl => exact .refl _
  | step _ a ih => exact (Connected.single a.symm).trans ih

/-- Paths survive adding constraints. -/
theorem Connected.mono {cs₁ cs₂ : List (Constraint α)} (hs : ∀ c ∈ cs₁, c ∈ cs₂)
    {u v : Nat} (h : Connected cs₁ u v) : Connected cs₂ u v := by
  induction h with
  | refl => exact .refl _
  | step _ a ih =>
    obtain ⟨c, hc, hx, hw⟩ := a
    exact .step ih ⟨c, hs c hc, hx, hw⟩

/-- No constraint reads variables with two different labels. -/
def Valid {κ : Type} (cs : List (Constraint α)) (comp : Nat → κ) : Prop :=
  ∀ c ∈ cs, ∀ u ∈ c.vars, ∀ w ∈ c.vars, comp u = comp w

/-- Connected variables share the label of any valid labelling. -/
theorem connected_label {κ : Type} {cs : List (Constraint α)} {comp : Nat → κ}
    (hv : Valid cs comp) {u w : Nat} (h : Connected cs u w) : comp u = comp w := by
  induction h with
  | refl => rfl
  | step _ a ih =>
    obtain ⟨c, hc, hx, hw⟩ := a
    exact ih.trans (hv c hc _ hx _ hw)

/-- The constraints of block `k`: those reading a variable labelled `k`. -/
def restrict {κ : Type} [DecidableEq κ] (cs : List (Constraint α)) (comp : Nat → κ)
    (k : κ) : List (Constraint α) :=
  cs.filter (fun c => c.vars.any (fun u => decide (comp u = k)))

theorem mem_restrict {κ : Type} [DecidableEq κ] {cs : List (Constraint α)} {comp : Nat → κ}
    {k : κ} {c : Constraint α} :
    c ∈ restrict cs comp k ↔ c ∈ cs ∧ ∃ u ∈ c.vars, comp u = k := by
  simp [restrict, List.mem_filter, List.any_eq_true]

/-- Under a valid labelling, each constraint lies in exactly the block of any
variable it reads: the blocks partition the constraints. -/
theorem mem_restrict_iff_label {κ : Type} [DecidableEq κ] {cs : List (Constraint α)}
    {comp : Nat → κ} (hv : Valid cs comp) {k : κ} {c : Constraint α} (hc : c ∈ cs)
    {u : Nat} (hu : u ∈ c.vars) : c ∈ restrict cs comp k ↔ comp u = k := by
  rw [mem_restrict]
  constructor
  · rintro ⟨_, w, hw, rfl⟩
    exact hv c hc u hu w hw
  · intro h
    exact ⟨hc, u, hu, h⟩

/-- Inside the block of `v`, `v` reaches the same variables as in the whole. -/
theorem connected_restrict_iff {κ : Type} [DecidableEq κ] {cs : List (Constraint α)}
    {comp : Nat → κ} (hv : Valid cs comp) (v u : Nat) :
    Connected (restrict cs comp (comp v)) v u ↔ Connected cs v u := by
  constructor
  · exact Connected.mono (fun c hc => (mem_restrict.1 hc).1)
  · intro h
    induction h with
    | refl => exact .refl _
    | step h a ih =>
      obtain ⟨c, hc, hx, hw⟩ := a
      exact .step ih ⟨c, mem_restrict.2 ⟨hc, _, hx, (connected_label hv h).symm⟩, hx, hw⟩

/-- Constraint `c` reads a variable of `v`'s component. -/
def Touches (cs : List (Constraint α)) (v : Nat) (c : Constraint α) : Prop :=
  ∃ u ∈ c.vars, Connected cs v u

open Classical in
/-- The constraints of `v`'s connected component. -/
def compCs (cs : List (Constraint α)) (v : Nat) : List (Constraint α) :=
  cs.filter (fun c => decide (Touches cs v c))

/-- Restricting to a valid block does not change any component inside it. -/
theorem compCs_restrict {κ : Type} [DecidableEq κ] {cs : List (Constraint α)}
    {comp : Nat → κ} (hv : Valid cs comp) (v : Nat) :
    compCs (restrict cs comp (comp v)) v = compCs cs v := by
  unfold compCs restrict
  rw [List.filter_filter]
  apply List.filter_congr
  intro c hc
  have ht : Touches (restrict cs comp (comp v)) v c ↔ Touches cs v c := by
    unfold Touches restrict
    exact exists_congr fun u => and_congr_right fun _ => connected_restrict_iff hv v u
  by_cases h : Touches cs v c
  · obtain ⟨u, hu, hcu⟩ := h
    have hin : c.vars.any (fun u => decide (comp u = comp v)) = true :=
      List.any_eq_true.2 ⟨u, hu, decide_eq_true (connected_label hv hcu).symm⟩
    have h' : Touches cs v c := ⟨u, hu, hcu⟩
    have h'' : Touches (restrict cs comp (comp v)) v c := ht.2 h'
    unfold restrict at h''
    simp [hin, h', h'']
  · have h'' : ¬ Touches (restrict cs comp (comp v)) v c := fun t => h (ht.1 t)
    unfold restrict at h''
    simp [h, h'']

/-- The hypothesis on a solver: its answer for `v` is its answer on the
constraints of `v`'s component alone. -/
def Local (solve : List (Constraint α) → Nat → α) : Prop :=
  ∀ cs v, solve cs v = solve (compCs cs v) v

/-- A local solver gives `v` the same answer on any two systems in which `v`'s
component has the same constraints. -/
theorem local_congr {solve : List (Constraint α) → Nat → α} (hl : Local solve)
    {cs cs' : List (Constraint α)} {v : Nat} (h : compCs cs v = compCs cs' v) :
    solve cs v = solve cs' v := by
  rw [hl cs v, hl cs' v, h]

/-- Per-block answers combined: `v` takes its block's answer. -/
def combine {κ : Type} (comp : Nat → κ) (sols : κ → Nat → α) : Nat → α :=
  fun v => sols (comp v) v

/-- The seed's `layout_decomposable`, stated correctly: for a local solver and
any labelling that no constraint crosses, solving the whole system equals
solving each block's constraints and combining. -/
theorem layout_decomposable {κ : Type} [DecidableEq κ]
    {solve : List (Constraint α) → Nat → α} (hl : Local solve)
    {cs : List (Constraint α)} {comp : Nat → κ} (hv : Valid cs comp) :
    solve cs = combine comp (fun k => solve (restrict cs comp k)) := by
  funext v
  exact (local_congr hl (compCs_restrict hv v)).symm

/-- The connected component of `v`, as the set of variables it reaches. -/
def componentLabel (cs : List (Constraint α)) (v : Nat) : Nat → Prop :=
  fun u => Connected cs v u

/-- Components are a valid labelling. -/
theorem componentLabel_valid (cs : List (Constraint α)) : Valid cs (componentLabel cs) := by
  intro c hc u hu w hw
  funext x
  have huw : Connected cs w u := .single ⟨c, hc, hw, hu⟩
  exact propext ⟨fun h => huw.trans h, fun h => huw.symm.trans h⟩

/-- Components are the finest valid labelling: same label iff connected. -/
theorem componentLabel_eq_iff (cs : List (Constraint α)) (u w : Nat) :
    componentLabel cs u = componentLabel cs w ↔ Connected cs u w := by
  constructor
  · intro h
    have : componentLabel cs w w := Connected.refl w
    rw [← h] at this
    exact this
  · intro h
    funext x
    exact propext ⟨fun h' => h.symm.trans h', fun h' => h.trans h'⟩

open Classical in
/-- Solving per connected component and combining equals solving the whole. -/
theorem components_decomposable {solve : List (Constraint α) → Nat → α} (hl : Local solve)
    (cs : List (Constraint α)) :
    solve cs = combine (componentLabel cs)
      (fun k => solve (restrict cs (componentLabel cs) k)) :=
  layout_decomposable hl (componentLabel_valid cs)

/-- Viewport `vp v` owns variable `v`; no constraint reads two viewports. -/
def NoCrossViewportEdges (cs : List (Constraint α)) (vp : Nat → Nat) : Prop :=
  ∀ c ∈ cs, ∀ u ∈ c.vars, ∀ w ∈ c.vars, vp u = vp w

/-- Each viewport's variables are a union of components. -/
theorem viewport_union_of_components {cs : List (Constraint α)} {vp : Nat → Nat}
    (h : NoCrossViewportEdges cs vp) {u w : Nat} (hc : Connected cs u w) : vp u = vp w :=
  connected_label h hc

/-- The seed's `no_cross_viewport_edges` case: per-viewport solving equals
solving the whole system. -/
theorem no_cross_viewport_edges {solve : List (Constraint α) → Nat → α} (hl : Local solve)
    {cs : List (Constraint α)} {vp : Nat → Nat} (h : NoCrossViewportEdges cs vp) :
    solve cs = combine vp (fun k => solve (restrict cs vp k)) :=
  layout_decomposable hl h

/-- The seed's right-hand side: one `(viewport, solution)` pair per listed viewport. -/
def solveViewports (solve : List (Constraint α) → Nat → α) (cs : List (Constraint α))
    (vp : Nat → Nat) (viewports : List Nat) : List (Nat × (Nat → α)) :=
  viewports.map (fun k => (k, solve (restrict cs vp k)))

/-- Variable `v` read off the per-viewport list (`default` if its viewport is not listed). -/
def glue [Inhabited α] (vp : Nat → Nat) (sols : List (Nat × (Nat → α))) (v : Nat) : α :=
  match sols.lookup (vp v) with
  | some s => s v
  | none => default

theorem lookup_map_pair {β : Type} (f : Nat → β) (l : List Nat) (x : Nat) (h : x ∈ l) :
    (l.map (fun k => (k, f k))).lookup x = some (f x) := by
  induction l with
  | nil => simp at h
  | cons y ys ih =>
    by_cases hxy : x = y
    · subst hxy
      simp
    · have hx : x ∈ ys := by
        rcases List.mem_cons.1 h with h' | h'
        · exact absurd h' hxy
        · exact h'
      have hb : (x == y) = false := by simp [hxy]
      simp [List.lookup, ih hx, hb]

/-- The seed's `layout_decomposable` in its list shape: every variable whose
viewport is listed gets the same value from the per-viewport solutions as from
solving the whole. -/
theorem layout_decomposable_list [Inhabited α] {solve : List (Constraint α) → Nat → α}
    (hl : Local solve) {cs : List (Constraint α)} {vp : Nat → Nat}
    (h : NoCrossViewportEdges cs vp) (viewports : List Nat) {v : Nat} (hv : vp v ∈ viewports) :
    solve cs v = glue vp (solveViewports solve cs vp viewports) v := by
  rw [no_cross_viewport_edges hl h]
  simp [glue, solveViewports, lookup_map_pair _ _ _ hv, combine]

/-- An assignment cut down to block `k` (`default` elsewhere). -/
def restrictAssign {κ : Type} [DecidableEq κ] [Inhabited α] (comp : Nat → κ) (k : κ)
    (a : Nat → α) : Nat → α :=
  fun u => if comp u = k then a u else default

/-- An assignment satisfies the system iff its restriction to each block
satisfies that block's constraints. -/
theorem sat_iff_blocks {κ : Type} [DecidableEq κ] [Inhabited α] {cs : List (Constraint α)}
    {comp : Nat → κ} (hv : Valid cs comp) (a : Nat → α) :
    Sat cs a ↔ ∀ k, Sat (restrict cs comp k) (restrictAssign comp k a) := by
  constructor
  · intro hs k c hc
    obtain ⟨hcs, u, hu, hk⟩ := mem_restrict.1 hc
    rw [c.holds_local _ a (fun w hw => by
      simp [restrictAssign, ← hk, hv c hcs w hw u hu])]
    exact hs c hcs
  · intro hs c hc
    obtain ⟨u, hu⟩ := List.exists_mem_of_ne_nil _ c.reads
    have h := hs (comp u) c ((mem_restrict_iff_label hv hc hu).2 rfl)
    rw [c.holds_local _ a (fun w hw => by
      simp [restrictAssign, hv c hc w hw u hu])] at h
    exact h

/-- Solutions of the blocks combine into a solution of the whole. -/
theorem combine_sat {κ : Type} [DecidableEq κ] {cs : List (Constraint α)} {comp : Nat → κ}
    (hv : Valid cs comp) (sols : κ → Nat → α)
    (hs : ∀ k, Sat (restrict cs comp k) (sols k)) : Sat cs (combine comp sols) := by
  intro c hc
  obtain ⟨u, hu⟩ := List.exists_mem_of_ne_nil _ c.reads
  have h := hs (comp u) c ((mem_restrict_iff_label hv hc hu).2 rfl)
  rw [c.holds_local _ (sols (comp u)) (fun w hw => by
    simp [combine, hv c hc w hw u hu])]
  exact h

/-- A system is satisfiable iff every block is: an unsatisfiable system always
has an unsatisfiable block to name. -/
theorem satisfiable_iff_blocks {κ : Type} [DecidableEq κ] {cs : List (Constraint α)}
    {comp : Nat → κ} (hv : Valid cs comp) :
    (∃ a, Sat cs a) ↔ ∀ k, ∃ a, Sat (restrict cs comp k) a := by
  constructor
  · rintro ⟨a, ha⟩ k
    exact ⟨a, fun c hc => ha c (mem_restrict.1 hc).1⟩
  · intro h
    exact ⟨_, combine_sat hv (fun k => Classical.choose (h k))
      (fun k => Classical.choose_spec (h k))⟩

end Hydrogen.Layout
