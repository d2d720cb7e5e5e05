module

public import Hydrogen.Aggregate.Monoid

/-!
# Bounded top-k with deterministic tie-breaking

Entries rank by score, highest first; equal scores rank by id, smallest first,
so every replica picks the same k. A summary keeps at most `k` entries, sorted
by rank without duplicates. Merge is the sorted union of both lists, cut to `k`.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Aggregate

/-- A candidate: a score and the id that breaks ties. -/
structure Entry where
  score : Nat
  id : Nat
deriving DecidableEq

/-- `a` ranks before `b`: higher score first, then smaller id. -/
def Entry.before (a b : Entry) : Prop := b.score < a.score ∨ (a.score = b.score ∧ a.id < b.id)

instance (a b : Entry) : Decidable (a.before b) := by unfold Entry.before; exact inferInstance

theorem Entry.before_irrefl (a : Entry) : ¬ a.before a := by
  unfold Entry.before; omega

theorem Entry.before_trans {a b c : Entry} (h1 : a.before b) (h2 : b.before c) : a.before c := by
  unfold Entry.before at *; omega

theorem Entry.before_asymm {a b : Entry} (h : a.before b) : ¬ b.before a := by
  unfold Entry.before at *; omega

/-- The ranking is total: distinct entries are ordered one way or the other. -/
theorem Entry.eq_of_not_before {a b : Entry} (h1 : ¬ a.before b) (h2 : ¬ b.before a) : a = b := by
  obtain ⟨s1, i1⟩ := a
  obtain ⟨s2, i2⟩ := b
  simp only [Entry.before, Entry.mk.injEq] at *
  omega

/-- Merges `x :: rest` (with `restWith = union rest`) into a list; structural on the list. -/
def unionInsert (x : Entry) (restWith : List Entry → List Entry) : List Entry → List Entry
  | [] => x :: restWith []
  | y :: ys =>
    if x.before y then x :: restWith (y :: ys)
    else if y.before x then y :: unionInsert x restWith ys
    else x :: restWith ys

/-- Sorted union of two rank-sorted lists (an entry in both appears once). -/
def union : List Entry → List Entry → List Entry
  | [], ys => ys
  | x :: xs, ys => unionInsert x (union xs) ys

theorem union_nil_left (ys : List Entry) : union [] ys = ys := rfl

theorem union_nil_right (xs : List Entry) : union xs [] = xs := by
  induction xs with
  | nil => rfl
  | cons x xs ih => simp only [union, unionInsert, ih]

theorem union_cons_cons (x y : Entry) (xs ys : List Entry) :
    union (x :: xs) (y :: ys) =
      if x.before y then x :: union xs (y :: ys)
      else if y.before x then y :: union (x :: xs) ys
      else x :: union xs ys := by
  simp only [union, unionInsert]

theorem mem_union (z : Entry) (xs ys : List Entry) : z ∈ union xs ys ↔ z ∈ xs ∨ z ∈ ys := by
  induction xs generalizing ys with
  | nil => simp [union_nil_left]
  | cons x xs ih =>
    induction ys with
    | nil => simp [union_nil_right]
    | cons y ys ih2 =>
      rw [union_cons_cons]
      by_cases h1 : x.before y
      · simp only [h1, if_true, List.mem_cons, ih]; grind
      · by_cases h2 : y.before x
        · simp only [h1, h2, if_true, if_false, List.mem_cons, ih2]; grind
        · have hxy := Entry.eq_of_not_before h1 h2
          subst hxy
          simp only [h1, if_false, List.mem_cons, ih]; grind

/-- The union does not depend on the order of its arguments. -/
theorem union_comm (xs ys : List Entry) : union xs ys = union ys xs := by
  induction xs generalizing ys with
  | nil => rw [union_nil_left, union_nil_right]
  | cons x xs ih =>
    induction ys with
    | nil => rw [union_nil_left, union_nil_right]
    | cons y ys ih2 =>
      rw [union_cons_cons, union_cons_cons]
      by_cases h1 : x.before y
      · have h2 := Entry.before_asymm h1
        simp only [h1, h2, if_true, if_false, ih]
      · by_cases h2 : y.before x
        · simp only [h1, h2, if_true, if_false, ih2]
        · have hxy := Entry.eq_of_not_before h1 h2
          subst hxy
          simp only [h1, if_false, ih]

/-- Rank-sorted without duplicates. -/
def Sorted (l : List Entry) : Prop := l.Pairwise Entry.before

theorem sorted_union {xs ys : List Entry} (hx : Sorted xs) (hy : Sorted ys) : Sorted (union xs ys) := by
  induction xs generalizing ys with
  | nil => exact hy
  | cons x xs ih =>
    induction ys with
    | nil => rw [union_nil_right]; exact hx
    | cons y ys ih2 =>
      unfold Sorted at *
      rw [List.pairwise_cons] at hx hy
      rw [union_cons_cons]
      by_cases h1 : x.before y
      · simp only [h1, if_true, List.pairwise_cons]
        refine ⟨fun z hz => ?_, ih hx.2 (List.pairwise_cons.mpr hy)⟩
        rcases (mem_union z xs (y :: ys)).mp hz with hz | hz
        · exact hx.1 z hz
        · rcases List.mem_cons.mp hz with rfl | hz
          · exact h1
          · exact Entry.before_trans h1 (hy.1 z hz)
      · by_cases h2 : y.before x
        · simp only [h1, h2, if_true, if_false, List.pairwise_cons]
          refine ⟨fun z hz => ?_, ih2 hy.2⟩
          rcases (mem_union z (x :: xs) ys).mp hz with hz | hz
          · rcases List.mem_cons.mp hz with rfl | hz
            · exact h2
            · exact Entry.before_trans h2 (hx.1 z hz)
          · exact hy.1 z hz
        · have hxy := Entry.eq_of_not_before h1 h2
          subst hxy
          simp only [h1, if_false, List.pairwise_cons]
          refine ⟨fun z hz => ?_, ih hx.2 hy.2⟩
          rcases (mem_union z xs ys).mp hz with hz | hz
          · exact hx.1 z hz
          · exact hy.1 z hz

/-- Two sorted lists with the same members are equal. -/
theorem Sorted.ext {xs ys : List Entry} (hx : Sorted xs) (hy : Sorted ys)
    (h : ∀ z, z ∈ xs ↔ z ∈ ys) : xs = ys := by
  induction xs generalizing ys with
  | nil =>
    cases ys with
    | nil => rfl
    | cons y ys => exact absurd ((h y).mpr (List.mem_cons_self ..)) (List.not_mem_nil)
  | cons x xs ih =>
    cases ys with
    | nil => exact absurd ((h x).mp (List.mem_cons_self ..)) (List.not_mem_nil)
    | cons y ys =>
      unfold Sorted at hx hy
      rw [List.pairwise_cons] at hx hy
      have hxy : x = y := by
        rcases List.mem_cons.mp ((h x).mp (List.mem_cons_self ..)) with e | hx'
        · exact e
        · rcases List.mem_cons.mp ((h y).mpr (List.mem_cons_self ..)) with e | hy'
          · exact e.symm
          · exact absurd (hx.1 y hy') (Entry.before_asymm (hy.1 x hx'))
      subst hxy
      congr 1
      apply ih hx.2 hy.2
      intro z
      constructor
      · intro hz
        rcases List.mem_cons.mp ((h z).mp (List.mem_cons_of_mem _ hz)) with e | e
        · subst e; exact absurd (hx.1 _ hz) (Entry.before_irrefl _)
        · exact e
      · intro hz
        rcases List.mem_cons.mp ((h z).mpr (List.mem_cons_of_mem _ hz)) with e | e
        · subst e; exact absurd (hy.1 _ hz) (Entry.before_irrefl _)
        · exact e

theorem union_assoc {xs ys zs : List Entry} (hx : Sorted xs) (hy : Sorted ys) (hz : Sorted zs) :
    union (union xs ys) zs = union xs (union ys zs) :=
  Sorted.ext (sorted_union (sorted_union hx hy) hz) (sorted_union hx (sorted_union hy hz)) fun e => by
    simp only [mem_union]; grind

/-- Cutting an input to `m ≥ k` entries does not change the first `k` of the union. -/
theorem take_union_take (k m : Nat) (xs ys : List Entry) (h : k ≤ m) :
    (union (xs.take m) ys).take k = (union xs ys).take k := by
  induction k generalizing m xs ys with
  | zero => simp
  | succ k ih =>
    obtain ⟨m, rfl⟩ : ∃ m', m = m' + 1 := ⟨m - 1, by omega⟩
    cases xs with
    | nil => simp
    | cons x xs =>
      cases ys with
      | nil => simp only [union_nil_right, List.take_take]; rw [Nat.min_eq_left h]
      | cons y ys =>
        rw [List.take_succ_cons, union_cons_cons, union_cons_cons]
        by_cases h1 : x.before y
        · simp only [h1, if_true, List.take_succ_cons, ih m xs (y :: ys) (by omega)]
        · by_cases h2 : y.before x
          · simp only [h1, h2, if_true, if_false, List.take_succ_cons]
            have e : x :: List.take m xs = List.take (m + 1) (x :: xs) := rfl
            rw [e, ih (m + 1) (x :: xs) ys (by omega)]
          · simp only [h1, h2, if_false, List.take_succ_cons, ih m xs ys (by omega)]

/-- The merge used by implementations: sorted union, cut to `k`. -/
def mergeEntries (k : Nat) (xs ys : List Entry) : List Entry := (union xs ys).take k

/-- A top-k summary: at most `k` entries, rank-sorted, no duplicates. -/
structure TopK (k : Nat) where
  entries : List Entry
  sorted : Sorted entries
  bounded : entries.length ≤ k

theorem TopK.ext {k : Nat} {a b : TopK k} (h : a.entries = b.entries) : a = b := by
  cases a; cases b; simp only at h; subst h; rfl

def TopK.merge {k : Nat} (a b : TopK k) : TopK k :=
  ⟨mergeEntries k a.entries b.entries,
   List.Pairwise.sublist (List.take_sublist _ _) (sorted_union a.sorted b.sorted),
   List.length_take_le _ _⟩

def TopK.empty {k : Nat} : TopK k := ⟨[], List.Pairwise.nil, Nat.zero_le _⟩

theorem TopK.merge_assoc {k : Nat} (a b c : TopK k) : (a.merge b).merge c = a.merge (b.merge c) :=
  TopK.ext (by
    simp only [TopK.merge, mergeEntries]
    rw [take_union_take k k _ _ (Nat.le_refl k),
      union_comm a.entries (List.take k (union b.entries c.entries)),
      take_union_take k k _ _ (Nat.le_refl k), union_comm (union b.entries c.entries) a.entries,
      union_assoc a.sorted b.sorted c.sorted])
theorem TopK.empty_merge {k : Nat} (a : TopK k) : TopK.empty.merge a = a :=
  TopK.ext (by simp only [TopK.empty, TopK.merge, mergeEntries, union_nil_left]; exact List.take_of_length_le a.bounded)
theorem TopK.merge_empty {k : Nat} (a : TopK k) : a.merge TopK.empty = a :=
  TopK.ext (by simp only [TopK.empty, TopK.merge, mergeEntries, union_nil_right]; exact List.take_of_length_le a.bounded)
theorem TopK.merge_comm {k : Nat} (a b : TopK k) : a.merge b = b.merge a :=
  TopK.ext (by simp only [TopK.merge, mergeEntries, union_comm a.entries])

instance TopK.aggregationMonoid (k : Nat) : AggregationMonoid (TopK k) :=
  ⟨TopK.empty, TopK.merge, TopK.merge_assoc, TopK.empty_merge, TopK.merge_empty, TopK.merge_comm⟩

end Hydrogen.Aggregate

end
