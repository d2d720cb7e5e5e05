module

public import Hydrogen.Aggregate.Numeric
public import Hydrogen.Aggregate.BoundingBox
public import Hydrogen.Aggregate.TopK

/-!
# Theorems that pin the aggregates' behaviour

The monoid laws hold for more than one definition: `max` and `min` are both
associative and commutative with `none` as identity, any box operator that is
a join passes the hull laws, and every top-k theorem stated through
`Entry.before` would still hold if `before` broke ties the other way. These
theorems state the behaviour in primitive terms (`≤`, `<` on scores and ids),
so a different choice fails them. The audit is in `spec/pinning.md`.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Aggregate

/-- The Max of the values `xs`, merged one at a time from the empty summary (proof-only). -/
abbrev Max.ofValues (xs : List Int) : Max := (xs.map fun x => (⟨some x⟩ : Max)).foldr Max.merge Max.empty

/-- The Min of the values `xs`, merged one at a time from the empty summary (proof-only). -/
abbrev Min.ofValues (xs : List Int) : Min := (xs.map fun x => (⟨some x⟩ : Min)).foldr Min.merge Min.empty

/-- **Max is the greatest value**: merging the values `xs` gives `none` exactly
when `xs` is empty, and otherwise a member of `xs` that no member exceeds. -/
theorem Max.ofValues_spec (xs : List Int) :
    match (Max.ofValues xs).value with
    | none => xs = []
    | some m => m ∈ xs ∧ ∀ x ∈ xs, x ≤ m := by
  induction xs with
  | nil => rfl
  | cons y ys ih =>
    simp only [Max.ofValues, List.map_cons, List.foldr_cons] at ih ⊢
    revert ih
    generalize (List.foldr Max.merge Max.empty (List.map (fun x => (⟨some x⟩ : Max)) ys)) = r
    obtain ⟨r⟩ := r
    cases r with
    | none => intro h; subst h; simp [Max.merge]
    | some m =>
      intro ⟨hm, hle⟩
      simp only [Max.merge, List.mem_cons, forall_eq_or_imp]
      refine ⟨?_, Int.le_max_left _ _, fun x hx => Int.le_trans (hle x hx) (Int.le_max_right _ _)⟩
      rcases Int.le_total y m with h | h
      · rw [Int.max_eq_right h]; exact Or.inr hm
      · rw [Int.max_eq_left h]; exact Or.inl rfl

/-- **Min is the least value**: merging the values `xs` gives `none` exactly
when `xs` is empty, and otherwise a member of `xs` that no member is below. -/
theorem Min.ofValues_spec (xs : List Int) :
    match (Min.ofValues xs).value with
    | none => xs = []
    | some m => m ∈ xs ∧ ∀ x ∈ xs, m ≤ x := by
  induction xs with
  | nil => rfl
  | cons y ys ih =>
    simp only [Min.ofValues, List.map_cons, List.foldr_cons] at ih ⊢
    revert ih
    generalize (List.foldr Min.merge Min.empty (List.map (fun x => (⟨some x⟩ : Min)) ys)) = r
    obtain ⟨r⟩ := r
    cases r with
    | none => intro h; subst h; simp [Min.merge]
    | some m =>
      intro ⟨hm, hle⟩
      simp only [Min.merge, List.mem_cons, forall_eq_or_imp]
      refine ⟨?_, Int.min_le_left _ _, fun x hx => Int.le_trans (Int.min_le_right _ _) (hle x hx)⟩
      rcases Int.le_total y m with h | h
      · rw [Int.min_eq_left h]; exact Or.inl rfl
      · rw [Int.min_eq_right h]; exact Or.inr hm

/-- **Sum adds**: merging the values `xs` one at a time from the empty summary gives their sum. -/
theorem Sum.ofValues_total (xs : List Int) :
    ((xs.map fun x => (⟨x⟩ : Sum)).foldr Sum.merge Sum.empty).total = xs.sum := by
  induction xs with
  | nil => rfl
  | cons y ys ih => simp only [List.map_cons, List.foldr_cons, Sum.merge, List.sum_cons, ih]

/-- **Count counts**: merging `n` single observations from the empty summary gives `n`. -/
theorem Count.replicate_count (n : Nat) :
    ((List.replicate n (⟨1⟩ : Count)).foldr Count.merge Count.empty).count = n := by
  induction n with
  | zero => rfl
  | succ n ih => simp only [List.replicate_succ, List.foldr_cons, Count.merge, ih]; omega

/-- **Sum and count of the observations**: merging `ofValue` of each of `xs`
gives their sum and their number. -/
theorem SumCount.ofValues_eq (xs : List Int) :
    (xs.map SumCount.ofValue).foldr SumCount.merge SumCount.empty = ⟨xs.sum, xs.length⟩ := by
  induction xs with
  | nil => rfl
  | cons y ys ih =>
    simp only [List.map_cons, List.foldr_cons, ih, SumCount.merge, SumCount.ofValue, List.sum_cons,
      List.length_cons, SumCount.mk.injEq, true_and]
    omega

/-- **The average is the mean**: the merged observations of a non-empty `xs`
average to their sum over their number; of none, to `none`. -/
theorem SumCount.average_ofValues (xs : List Int) :
    ((xs.map SumCount.ofValue).foldr SumCount.merge SumCount.empty).average =
      if xs = [] then none else some ((xs.sum : Rat) / (xs.length : Rat)) := by
  rw [SumCount.ofValues_eq]
  simp only [SumCount.average, List.length_eq_zero_iff]

/-- `a` lies inside `c` (closed boxes, compared by their bounds) (proof-only). -/
def Box.within (a c : Box) : Prop := c.minX ≤ a.minX ∧ a.maxX ≤ c.maxX ∧ c.minY ≤ a.minY ∧ a.maxY ≤ c.maxY

/-- **The hull is the least box containing both**: a box contains the hull
exactly when it contains each box. -/
theorem Box.hull_within_iff (a b c : Box) : (a.hull b).within c ↔ a.within c ∧ b.within c := by
  simp only [Box.within, Box.hull]
  omega

/-- **The empty extent contains nothing and merging a point adds exactly it**:
merging the point `(x, y)` into the empty bounding box gives the box `[x, x] × [y, y]`. -/
theorem BoundingBox.merge_point_empty (x y : Int) :
    BoundingBox.empty.merge ⟨some (Box.point x y)⟩ = ⟨some ⟨x, y, x, y⟩⟩ := rfl

/-- **Order of a summary, in scores and ids**: an entry earlier in a summary has
a higher score, or the same score and a smaller id. -/
theorem TopK.order_of_lt {k : Nat} (s : TopK k) {i j : Nat} (hij : i < j) (hj : j < s.entries.length) :
    s.entries[j].score < s.entries[i].score ∨
      (s.entries[i].score = s.entries[j].score ∧ s.entries[i].id < s.entries[j].id) :=
  List.pairwise_iff_getElem.mp s.sorted i j (Nat.lt_trans hij hj) hj hij

/-- **Each id keeps its highest score**: a kept entry's score is at least the
score of every input with the same id. -/
theorem TopK.score_le_of_mem_ofList {k : Nat} {xs : List Entry} {z w : Entry}
    (hz : z ∈ (TopK.ofList k xs).entries) (hw : w ∈ xs) (hid : w.id = z.id) : w.score ≤ z.score := by
  have h := (TopK.isBest_of_mem_ofList hz).2 w hw hid
  simp only [Entry.before] at h
  omega

/-- **The k highest, ties to the smaller id**: an input whose id is not kept
has a lower score than every kept entry, or the same score and a larger id. -/
theorem TopK.dropped_lt_of_mem_ofList {k : Nat} {xs : List Entry} {w : Entry} (hw : w ∈ xs)
    (hid : ∀ z ∈ (TopK.ofList k xs).entries, z.id ≠ w.id) :
    ∀ z ∈ (TopK.ofList k xs).entries, w.score < z.score ∨ (w.score = z.score ∧ z.id < w.id) := by
  intro z hz
  have h := TopK.before_of_mem_ofList hw hid z hz
  simp only [Entry.before] at h
  omega

end Hydrogen.Aggregate

end
