module

public import Hydrogen.Wire.Element

/-!
# Draw commands: culling and instanced batches

From Elements to draw calls in three steps, each a list function:

* **Culling** (`cull`): keep the Elements of the view's viewport whose
  rectangle meets the view rectangle. Rectangles are half-open, in 1/16 px:
  an Element covers `[x, x + 16·width) × [y, y + 16·height)`, the view
  `[left, right) × [top, bottom)`. `cull` is a `filter`: it keeps exactly the
  Elements that intersect the view (`mem_cull`), in input order
  (`cull_sublist`), and duplicates with their multiplicity (`count_cull`).
* **Batching** (`batch`, `batches`): one batch per atom kind (`kinds` =
  `[0, 1, 2, 3]`: rect, text, image, path), each the Elements of that kind in
  input order. The batches partition their input: the concatenation is a
  permutation of it (`flatten_batches_perm`, so nothing is lost or
  duplicated), an Element is in a batch iff its kind is that batch's
  (`mem_batch`), and each batch is a sublist of the input, so a z-ordered input
  (`ZSorted`) gives z-ordered batches (`zSorted_batch`). Across batches z is
  resolved by the depth test: every instance carries its `z`.
* **Draw calls** (`drawCalls`): one instanced draw per non-empty batch. It
  equals the number of distinct atom kinds among the Elements (`usedKinds`,
  duplicate-free, `mem_usedKinds`; `drawCalls_eq_length_usedKinds`,
  `drawCalls_eq_of_nodup`), so it is at most the number of atom kinds
  (`drawCalls_le_numKinds`).

The seed's `draw_calls_bounded` (a `Finset` of atom types containing every
Element's type bounds the draw-call count) holds as written, with the Finset as
a list (`draw_calls_bounded`; no duplicate-freeness needed, since duplicates
only lengthen the list). Its hypothesis is needed: an
Element whose kind is not in the list breaks the bound
(`draw_calls_bounded_needs_membership`).
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Render

open Hydrogen.Wire

/-- The view: a viewport and a half-open rectangle `[left, right) × [top, bottom)`
in 1/16 px (the units of `Element.x`, `Element.y`). -/
structure View where
  viewport : Nat
  left : Int
  top : Int
  right : Int
  bottom : Int
deriving DecidableEq

/-- The Element is in the view's viewport and its rectangle
`[x, x + 16·width) × [y, y + 16·height)` meets the view rectangle: both are
non-empty and they overlap on each axis. -/
def intersects (v : View) (e : Element) : Bool :=
  decide (e.viewport = v.viewport ∧ 0 < e.width ∧ 0 < e.height ∧ v.left < v.right ∧ v.top < v.bottom ∧
    v.left < e.x + 16 * (e.width : Int) ∧ e.x < v.right ∧ v.top < e.y + 16 * (e.height : Int) ∧ e.y < v.bottom)

/-- Frustum culling: the Elements that intersect the view, in input order. -/
def cull (v : View) (es : List Element) : List Element := es.filter (intersects v)

/-- The atom kind codes, one per instanced draw: rect, text, image, path. -/
def kinds : List Nat := [0, 1, 2, 3]

/-- The number of atom kinds. -/
def numKinds : Nat := kinds.length

/-- The batch of kind `k`: the Elements of that atom kind, in input order. -/
def batch (k : Nat) (es : List Element) : List Element := es.filter (fun e => e.atom.kind == k)

/-- One batch per atom kind, in the order of `kinds`. -/
def batches (es : List Element) : List (List Element) := kinds.map (fun k => batch k es)

/-- The draw calls of a frame: the batches of its visible Elements. -/
def drawList (v : View) (es : List Element) : List (List Element) := batches (cull v es)

/-- One instanced draw per non-empty batch. -/
def drawCalls (es : List Element) : Nat := (batches es).countP (fun b => !b.isEmpty)

/-- The atom kinds that occur among the Elements, each once. -/
def usedKinds (es : List Element) : List Nat := kinds.filter (fun k => es.any (fun e => e.atom.kind == k))

/-- Elements in z order (non-decreasing `z`). -/
def ZSorted (es : List Element) : Prop := es.Pairwise (fun a b => a.z ≤ b.z)

/-! ## Culling -/

theorem mem_cull {v : View} {es : List Element} {e : Element} :
    e ∈ cull v es ↔ e ∈ es ∧ intersects v e := by
  simp [cull]

/-- Culling preserves input order: the result is a sublist of the input. -/
theorem cull_sublist (v : View) (es : List Element) : (cull v es).Sublist es :=
  List.filter_sublist

/-- Each visible Element is kept with its multiplicity, each culled one dropped. -/
theorem count_cull (v : View) (es : List Element) (e : Element) :
    (cull v es).count e = if intersects v e then es.count e else 0 := by
  unfold cull
  split
  · rename_i h; exact List.count_filter h
  · rename_i h
    exact List.count_eq_zero.mpr (fun hm => h (List.mem_filter.mp hm).2)

theorem cull_append (v : View) (as bs : List Element) : cull v (as ++ bs) = cull v as ++ cull v bs :=
  List.filter_append _ _

/-! ## Batching -/

theorem kind_lt_numKinds (a : Atom) : a.kind < numKinds := by
  cases a <;> simp [Atom.kind, numKinds, kinds]

theorem kind_mem_kinds (a : Atom) : a.kind ∈ kinds := by
  cases a <;> simp [Atom.kind, kinds]

theorem nodup_kinds : kinds.Nodup := by decide

theorem mem_batch {k : Nat} {es : List Element} {e : Element} :
    e ∈ batch k es ↔ e ∈ es ∧ e.atom.kind = k := by
  simp [batch]

/-- A batch keeps input order. -/
theorem batch_sublist (k : Nat) (es : List Element) : (batch k es).Sublist es :=
  List.filter_sublist

/-- A z-ordered input gives z-ordered batches. -/
theorem zSorted_batch (k : Nat) {es : List Element} (h : ZSorted es) : ZSorted (batch k es) :=
  List.Pairwise.sublist (batch_sublist k es) h

theorem beq_and_not_beq {a b c : Nat} (h : b ≠ c) : (a == b && !(a == c)) = (a == b) := by
  by_cases hab : a = b
  · subst hab; simp [h]
  · simp [hab]

/-- Splitting by a duplicate-free list of keys that covers every element is a permutation. -/
theorem flatten_map_filter_perm (ks : List Nat) (key : Element → Nat) :
    ∀ es : List Element, ks.Nodup → (∀ e ∈ es, key e ∈ ks) →
      (ks.map (fun k => es.filter (fun e => key e == k))).flatten.Perm es := by
  induction ks with
  | nil =>
    intro es _ hk
    cases es with
    | nil => simp
    | cons e _ => exact absurd (hk e List.mem_cons_self) List.not_mem_nil
  | cons k ks ih =>
    intro es hn hk
    rw [List.nodup_cons] at hn
    have hrest : ks.map (fun k' => es.filter (fun e => key e == k')) =
        ks.map (fun k' => (es.filter (fun e => !(key e == k))).filter (fun e => key e == k')) := by
      apply List.map_congr_left
      intro k' hk'
      rw [List.filter_filter]
      apply List.filter_congr
      intro e _
      have hne : k' ≠ k := fun h' => hn.1 (h' ▸ hk')
      first
        | exact (beq_and_not_beq hne).symm
        | exact ((Bool.and_comm _ _).trans (beq_and_not_beq hne)).symm
    have hcov : ∀ e ∈ es.filter (fun e => !(key e == k)), key e ∈ ks := by
      intro e he
      rw [List.mem_filter] at he
      have h1 := hk e he.1
      rw [List.mem_cons] at h1
      rcases h1 with h1 | h1
      · simp [h1] at he
      · exact h1
    rw [List.map_cons, List.flatten_cons, hrest]
    exact (List.Perm.append_left _ (ih _ hn.2 hcov)).trans (List.filter_append_perm (fun e => key e == k) es)

/-- **Partition**: the batches together are a permutation of their input —
no Element lost, none duplicated. -/
theorem flatten_batches_perm (es : List Element) : (batches es).flatten.Perm es :=
  flatten_map_filter_perm kinds (fun e => e.atom.kind) es nodup_kinds (fun e _ => kind_mem_kinds e.atom)

/-- Each Element occurs in the batches exactly as often as in the input. -/
theorem count_flatten_batches (es : List Element) (e : Element) :
    (batches es).flatten.count e = es.count e :=
  (flatten_batches_perm es).count_eq e

theorem length_batches (es : List Element) : (batches es).length = numKinds := by
  simp [batches, numKinds]

/-- **Draw list partition**: the batches of the visible Elements are a
permutation of the visible Elements. -/
theorem flatten_drawList_perm (v : View) (es : List Element) : (drawList v es).flatten.Perm (cull v es) :=
  flatten_batches_perm (cull v es)

/-- An Element is drawn in the batch of kind `k` iff it is visible and of kind `k`. -/
theorem mem_drawList_batch {v : View} {es : List Element} {e : Element} {k : Nat} :
    e ∈ batch k (cull v es) ↔ e ∈ es ∧ intersects v e ∧ e.atom.kind = k := by
  rw [mem_batch, mem_cull, and_assoc]

/-! ## Draw calls -/

theorem mem_usedKinds {es : List Element} {k : Nat} : k ∈ usedKinds es ↔ ∃ e ∈ es, e.atom.kind = k := by
  unfold usedKinds
  rw [List.mem_filter]
  constructor
  · intro ⟨_, h⟩
    simpa using h
  · intro ⟨e, he, hk⟩
    refine ⟨hk ▸ kind_mem_kinds e.atom, ?_⟩
    simpa using ⟨e, he, hk⟩

theorem nodup_usedKinds (es : List Element) : (usedKinds es).Nodup :=
  List.Pairwise.sublist List.filter_sublist nodup_kinds

theorem isEmpty_filter_eq (p : Element → Bool) (l : List Element) : (l.filter p).isEmpty = !l.any p := by
  induction l with
  | nil => rfl
  | cons a l ih =>
    rw [List.filter_cons]
    cases hp : p a
    · simp [hp, ih]
    · simp [hp]

/-- A duplicate-free list contained in another is no longer. -/
theorem length_le_of_nodup_subset : ∀ {ks ts : List Nat}, ks.Nodup → (∀ x ∈ ks, x ∈ ts) → ks.length ≤ ts.length
  | [], _, _, _ => Nat.zero_le _
  | k :: ks, ts, hn, hs => by
    rw [List.nodup_cons] at hn
    have hk : k ∈ ts := hs k List.mem_cons_self
    have ih := length_le_of_nodup_subset (ts := ts.erase k) hn.2 (fun x hx => by
      have hne : x ≠ k := fun h => hn.1 (h ▸ hx)
      exact (List.mem_erase_of_ne hne).mpr (hs x (List.mem_cons_of_mem k hx)))
    rw [List.length_erase_of_mem hk] at ih
    have hpos : 0 < ts.length := List.length_pos_of_mem hk
    simp only [List.length_cons]
    omega

/-- Draw calls = the number of distinct atom kinds among the Elements. -/
theorem drawCalls_eq_length_usedKinds (es : List Element) : drawCalls es = (usedKinds es).length := by
  unfold drawCalls batches usedKinds
  rw [List.countP_map, List.countP_eq_length_filter]
  congr 1
  apply List.filter_congr
  intro k _
  show (!(batch k es).isEmpty) = es.any (fun e => e.atom.kind == k)
  rw [batch, isEmpty_filter_eq, Bool.not_not]

/-- Draw calls = the length of any duplicate-free list of exactly the kinds in use. -/
theorem drawCalls_eq_of_nodup (es : List Element) (ks : List Nat) (hn : ks.Nodup)
    (hm : ∀ k, k ∈ ks ↔ ∃ e ∈ es, e.atom.kind = k) : drawCalls es = ks.length := by
  rw [drawCalls_eq_length_usedKinds]
  apply Nat.le_antisymm
  · exact length_le_of_nodup_subset (nodup_usedKinds es) (fun k hk => (hm k).mpr (mem_usedKinds.mp hk))
  · exact length_le_of_nodup_subset hn (fun k hk => mem_usedKinds.mpr ((hm k).mp hk))

/-- **The seed's `draw_calls_bounded`**: if every Element's kind is in a list
of atom types (the seed's `Finset`; duplicates allowed, which only weakens the
bound), the draw calls are at most its length. -/
theorem draw_calls_bounded (es : List Element) (atomTypes : List Nat)
    (h : ∀ e ∈ es, e.atom.kind ∈ atomTypes) : drawCalls es ≤ atomTypes.length := by
  rw [drawCalls_eq_length_usedKinds]
  apply length_le_of_nodup_subset (nodup_usedKinds es)
  intro k hk
  obtain ⟨e, he, rfl⟩ := mem_usedKinds.mp hk
  exact h e he

/-- Draw calls are at most the number of atom kinds, for any scene. -/
theorem drawCalls_le_numKinds (es : List Element) : drawCalls es ≤ numKinds :=
  draw_calls_bounded es kinds (fun e _ => kind_mem_kinds e.atom)

/-- The draw calls of a frame are at most the number of atom kinds. -/
theorem drawList_calls_le (v : View) (es : List Element) : drawCalls (cull v es) ≤ numKinds :=
  drawCalls_le_numKinds (cull v es)

/-- Without its membership hypothesis the seed's bound fails: one rect and an
empty list of atom types. -/
theorem draw_calls_bounded_needs_membership :
    ¬ ∀ (es : List Element) (atomTypes : List Nat), atomTypes.Nodup → drawCalls es ≤ atomTypes.length := by
  intro h
  have := h [⟨.rect 0, 0, 0, 0, 0, 1, 1, 0⟩] [] List.nodup_nil
  revert this
  decide

/-! ## Vectors (kernel-checked) -/

/-- A small scene: two rects, a text and an image, one off-view and one in another viewport. -/
def sampleScene : List Element :=
  [⟨.rect 0, 0, 0, 0, 0, 10, 10, 0⟩, ⟨.text 1 12, 1, 0, 80, 0, 4, 4, 0⟩,
    ⟨.image 7, 2, 0, 2000, 0, 5, 5, 0⟩, ⟨.rect 2, 3, 1, 0, 0, 10, 10, 0⟩, ⟨.rect 3, 4, 0, -16, -16, 1, 1, 0⟩]

/-- The view `[0, 160) × [0, 160)` (10 px square) of viewport 0. -/
def sampleView : View := ⟨0, 0, 0, 160, 160⟩

theorem sample_cull :
    cull sampleView sampleScene = [⟨.rect 0, 0, 0, 0, 0, 10, 10, 0⟩, ⟨.text 1 12, 1, 0, 80, 0, 4, 4, 0⟩] := by
  decide

theorem sample_drawCalls : drawCalls (cull sampleView sampleScene) = 2 ∧ drawCalls sampleScene = 3 := by
  decide

end Hydrogen.Render

end
