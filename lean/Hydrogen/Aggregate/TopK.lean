module

public import Hydrogen.Aggregate.Monoid

/-!
# Bounded top-k with deterministic tie-breaking, one entry per id

Entries rank by score, highest first; equal scores rank by id, smallest first,
so every replica picks the same k. An entry stands for its id: a summary holds
at most one entry per id (the id's best, `IsBest`), rank-sorted, at most `k` of
them. Merge is the sorted union of both lists, then the first (best) entry of
each id (`dedupId`), cut to `k` (`topOf`).

Headline theorems:
- `TopK.merge_assoc`, `merge_comm`, `empty_merge`, `merge_empty`: a commutative
  monoid, so any coordinator tree gives the same summary;
- `TopK.merge_eq_ofList`, `TopK.ofList_append`: merging two summaries is the
  summary of all their entries together (`ofList` summarises any input list);
- `TopK.eq_of_mem_of_id_eq`: each id occurs at most once in a summary;
- `TopK.length_ofList`: the summary has `min k (number of distinct ids)` entries
  (and is rank-sorted: the field `sorted`);
- `TopK.isBest_of_mem_ofList`, `TopK.before_of_mem_ofList`: it keeps the k
  best ids: every kept entry is its id's best input, and every input whose id
  is not kept ranks after every kept entry.
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

/-! ## One entry per id -/

/-- No two entries share an id. -/
def IdsDistinct (l : List Entry) : Prop := l.Pairwise (fun a b => a.id ≠ b.id)

instance (l : List Entry) : Decidable (IdsDistinct l) := by unfold IdsDistinct; exact inferInstance

/-- `z` is its id's best entry in `l`: a member that no entry of the same id ranks before. -/
def IsBest (l : List Entry) (z : Entry) : Prop := z ∈ l ∧ ∀ w ∈ l, w.id = z.id → ¬ w.before z

instance (l : List Entry) (z : Entry) : Decidable (IsBest l z) := by unfold IsBest; exact inferInstance

/-- Keeps the first entry of each id (in a rank-sorted list, the id's best). -/
def dedupId : List Entry → List Entry
  | [] => []
  | x :: xs => x :: (dedupId xs).filter (fun e => decide (e.id ≠ x.id))

/-- The distinct ids of a list, in order of first occurrence. -/
def distinctIds : List Entry → List Nat
  | [] => []
  | x :: xs => x.id :: (distinctIds xs).filter (fun i => decide (i ≠ x.id))

/-- The top `k` of a rank-sorted list: the best entry of each id, the first `k` of them. -/
def topOf (k : Nat) (l : List Entry) : List Entry := (dedupId l).take k

/-- The merge used by implementations: sorted union, best entry per id, cut to `k`. -/
def mergeEntries (k : Nat) (xs ys : List Entry) : List Entry := topOf k (union xs ys)

/-- Rank-sorts a list (insertion sort; equal entries kept once). -/
def rankSort : List Entry → List Entry
  | [] => []
  | x :: xs => union [x] (rankSort xs)

private theorem mem_filterId {z : Entry} {i : Nat} {l : List Entry} :
    z ∈ l.filter (fun e => decide (e.id ≠ i)) ↔ z ∈ l ∧ z.id ≠ i := by
  simp only [List.mem_filter, decide_eq_true_eq]

private theorem dedupId_sublist (l : List Entry) : (dedupId l).Sublist l := by
  induction l with
  | nil => exact List.Sublist.slnil
  | cons x xs ih => exact (List.filter_sublist.trans ih).cons₂ x

private theorem mem_of_mem_dedupId {z : Entry} {l : List Entry} (h : z ∈ dedupId l) : z ∈ l :=
  (dedupId_sublist l).subset h

theorem idsDistinct_dedupId (l : List Entry) : IdsDistinct (dedupId l) := by
  induction l with
  | nil => exact List.Pairwise.nil
  | cons x xs ih =>
    refine List.pairwise_cons.mpr ⟨fun y hy => ?_, ih.filter _⟩
    exact fun e => (mem_filterId.mp hy).2 e.symm

theorem sorted_dedupId {l : List Entry} (h : Sorted l) : Sorted (dedupId l) :=
  h.sublist (dedupId_sublist l)

private theorem dedupId_of_idsDistinct {l : List Entry} (h : IdsDistinct l) : dedupId l = l := by
  induction l with
  | nil => rfl
  | cons x xs ih =>
    rw [IdsDistinct, List.pairwise_cons] at h
    simp only [dedupId, ih h.2, List.cons.injEq, true_and, List.filter_eq_self, decide_eq_true_eq]
    exact fun a ha e => h.1 a ha e.symm

/-- In a rank-sorted list, `dedupId` keeps exactly each id's best entry. -/
theorem mem_dedupId {l : List Entry} (h : Sorted l) (z : Entry) : z ∈ dedupId l ↔ IsBest l z := by
  induction l with
  | nil => simp [dedupId, IsBest]
  | cons x xs ih =>
    unfold Sorted at h
    rw [List.pairwise_cons] at h
    simp only [dedupId, List.mem_cons, mem_filterId, ih h.2, IsBest, forall_eq_or_imp]
    constructor
    · rintro (rfl | ⟨⟨hz, hb⟩, hid⟩)
      · exact ⟨Or.inl rfl, Entry.before_irrefl _ |> fun h' _ => h', fun w hw _ => Entry.before_asymm (h.1 w hw)⟩
      · exact ⟨Or.inr hz, fun e => absurd e.symm hid, hb⟩
    · rintro ⟨rfl | hz, hx, hb⟩
      · exact Or.inl rfl
      · refine Or.inr ⟨⟨hz, hb⟩, fun e => hx e.symm (h.1 z hz)⟩

/-- Every id of a rank-sorted list has its best entry in `dedupId`. -/
private theorem exists_mem_dedupId {l : List Entry} (h : Sorted l) {w : Entry} (hw : w ∈ l) :
    ∃ b ∈ dedupId l, b.id = w.id ∧ (b = w ∨ b.before w) := by
  induction l with
  | nil => exact absurd hw List.not_mem_nil
  | cons x xs ih =>
    unfold Sorted at h
    rw [List.pairwise_cons] at h
    rcases List.mem_cons.mp hw with rfl | hw
    · exact ⟨w, List.mem_cons_self .., rfl, Or.inl rfl⟩
    · by_cases hx : x.id = w.id
      · exact ⟨x, List.mem_cons_self .., hx, Or.inr (h.1 w hw)⟩
      · obtain ⟨b, hb, hbid, hbw⟩ := ih h.2 hw
        refine ⟨b, List.mem_cons_of_mem _ (mem_filterId.mpr ⟨hb, ?_⟩), hbid, hbw⟩
        rw [hbid]; exact fun e => hx e.symm

private theorem filter_filterId (i j : Nat) (l : List Entry) :
    (l.filter (fun e => decide (e.id ≠ i))).filter (fun e => decide (e.id ≠ j)) =
      (l.filter (fun e => decide (e.id ≠ j))).filter (fun e => decide (e.id ≠ i)) := by
  simp only [List.filter_filter, Bool.and_comm]

private theorem filterId_dedupId (i : Nat) (l : List Entry) :
    (dedupId l).filter (fun e => decide (e.id ≠ i)) = dedupId (l.filter (fun e => decide (e.id ≠ i))) := by
  induction l with
  | nil => rfl
  | cons x xs ih =>
    by_cases hx : x.id = i
    · have hf : (x :: xs).filter (fun e => decide (e.id ≠ i)) = xs.filter (fun e => decide (e.id ≠ i)) := by
        simp [hx]
      rw [hf, ← ih]
      simp only [dedupId, List.filter_cons, hx, ne_eq, not_true_eq_false, decide_false, Bool.false_eq_true,
        if_false, List.filter_filter, Bool.and_self]
    · have hf : (x :: xs).filter (fun e => decide (e.id ≠ i)) = x :: xs.filter (fun e => decide (e.id ≠ i)) := by
        simp [hx]
      rw [hf]
      simp only [dedupId, List.filter_cons, hx, ne_eq, not_false_eq_true, decide_true, if_true, ← ih]
      rw [filter_filterId]

private theorem filterId_union {xs ys : List Entry} (hx : Sorted xs) (hy : Sorted ys) (i : Nat) :
    (union xs ys).filter (fun e => decide (e.id ≠ i)) =
      union (xs.filter (fun e => decide (e.id ≠ i))) (ys.filter (fun e => decide (e.id ≠ i))) :=
  Sorted.ext ((sorted_union hx hy).filter _) (sorted_union (hx.filter _) (hy.filter _)) fun z => by
    simp only [mem_filterId, mem_union]; grind

/-- Dropping one id from a prefix of an id-distinct list gives a prefix, at most one shorter. -/
private theorem filterId_take {d : List Entry} (hd : IdsDistinct d) (i n : Nat) :
    ∃ m, n ≤ m ∧ (d.take (n + 1)).filter (fun e => decide (e.id ≠ i)) =
      (d.filter (fun e => decide (e.id ≠ i))).take m := by
  induction d generalizing n with
  | nil => exact ⟨n, Nat.le_refl _, by simp⟩
  | cons a d ih =>
    rw [IdsDistinct, List.pairwise_cons] at hd
    by_cases ha : a.id = i
    · refine ⟨n, Nat.le_refl _, ?_⟩
      have hall : ∀ e ∈ d, decide (e.id ≠ i) = true := fun e he => by
        simp only [decide_eq_true_eq]; rw [← ha]; exact fun h' => hd.1 e he h'.symm
      simp only [List.take_succ_cons, List.filter_cons, ha, ne_eq, not_true_eq_false, decide_false,
        Bool.false_eq_true, if_false]
      rw [List.filter_eq_self.mpr (fun e he => hall e (List.mem_of_mem_take he)), List.filter_eq_self.mpr hall]
    · cases n with
      | zero => exact ⟨1, Nat.zero_le _, by simp [ha]⟩
      | succ n =>
        obtain ⟨m, hm, he⟩ := ih hd.2 n
        refine ⟨m + 1, by omega, ?_⟩
        simp only [List.take_succ_cons, List.filter_cons, ha, ne_eq, not_false_eq_true, decide_true, if_true]
        rw [← List.take_succ_cons, he]
        rfl

/-- Cutting an id-distinct sorted input to `n ≥ k` entries does not change the top `k` of the union. -/
private theorem take_dedupId_union_take {k n : Nat} (hkn : k ≤ n) {d m : List Entry} (hd : Sorted d)
    (hdi : IdsDistinct d) (hm : Sorted m) :
    (dedupId (union (d.take n) m)).take k = (dedupId (union d m)).take k := by
  induction k generalizing n d m with
  | zero => simp
  | succ k ih =>
    obtain ⟨n, rfl⟩ : ∃ n', n = n' + 1 := ⟨n - 1, by omega⟩
    cases d with
    | nil => simp
    | cons x xs =>
      cases m with
      | nil =>
        have htd : IdsDistinct ((x :: xs).take (n + 1)) := hdi.sublist (List.take_sublist _ _)
        rw [union_nil_right, union_nil_right, dedupId_of_idsDistinct htd, dedupId_of_idsDistinct hdi,
          List.take_take, Nat.min_eq_left hkn]
      | cons y ys =>
        have hxs : Sorted xs := (List.pairwise_cons.mp hd).2
        have hxsi : IdsDistinct xs := (List.pairwise_cons.mp hdi).2
        have hxsx : xs.filter (fun e => decide (e.id ≠ x.id)) = xs := by
          refine List.filter_eq_self.mpr fun e he => ?_
          simp only [decide_eq_true_eq]; exact fun h' => (List.pairwise_cons.mp hdi).1 e he h'.symm
        have htx : (xs.take n).filter (fun e => decide (e.id ≠ x.id)) = xs.take n := by
          exact List.filter_eq_self.mpr fun e he => List.filter_eq_self.mp hxsx e (List.mem_of_mem_take he)
        have hxt : Sorted (xs.take n) := hxs.sublist (List.take_sublist _ _)
        rw [List.take_succ_cons, union_cons_cons, union_cons_cons]
        by_cases h1 : x.before y
        · simp only [h1, if_true, dedupId, List.take_succ_cons, List.cons.injEq, true_and]
          rw [filterId_dedupId, filterId_dedupId, filterId_union hxt hm, filterId_union hxs hm, htx, hxsx]
          exact ih (by omega) hxs hxsi (hm.filter _)
        · by_cases h2 : y.before x
          · simp only [h1, h2, if_true, if_false, dedupId, List.take_succ_cons, List.cons.injEq, true_and]
            have hys : Sorted ys := (List.pairwise_cons.mp hm).2
            have hxt' : Sorted (x :: xs.take n) := by
              rw [← List.take_succ_cons]; exact hd.sublist (List.take_sublist _ _)
            rw [filterId_dedupId, filterId_dedupId, filterId_union hxt' hys, filterId_union hd hys,
              ← List.take_succ_cons]
            obtain ⟨m, hm', he⟩ := filterId_take hdi y.id n
            rw [he]
            exact ih (by omega) (hd.filter _) (hdi.filter _) (hys.filter _)
          · have hxy := Entry.eq_of_not_before h1 h2
            subst hxy
            have hys : Sorted ys := (List.pairwise_cons.mp hm).2
            simp only [h1, if_false, dedupId, List.take_succ_cons, List.cons.injEq, true_and]
            rw [filterId_dedupId, filterId_dedupId, filterId_union hxt hys, filterId_union hxs hys, htx, hxsx]
            exact ih (by omega) hxs hxsi (hys.filter _)

/-- Dropping the non-best entries of one input first does not change `dedupId` of the union. -/
private theorem dedupId_union_dedupId {s m : List Entry} (hs : Sorted s) (hm : Sorted m) :
    dedupId (union (dedupId s) m) = dedupId (union s m) := by
  refine Sorted.ext (sorted_dedupId (sorted_union (sorted_dedupId hs) hm)) (sorted_dedupId (sorted_union hs hm))
    fun z => ?_
  rw [mem_dedupId (sorted_union (sorted_dedupId hs) hm), mem_dedupId (sorted_union hs hm)]
  simp only [IsBest, mem_union]
  constructor
  · rintro ⟨hz, hb⟩
    refine ⟨hz.imp_left mem_of_mem_dedupId, fun w hw hid hwz => ?_⟩
    rcases hw with hw | hw
    · obtain ⟨b, hb', hbid, hbw⟩ := exists_mem_dedupId hs hw
      refine hb b (Or.inl hb') (hbid.trans hid) ?_
      rcases hbw with rfl | hbw
      · exact hwz
      · exact Entry.before_trans hbw hwz
    · exact hb w (Or.inr hw) hid hwz
  · rintro ⟨hz, hb⟩
    refine ⟨hz.imp_left fun hz => (mem_dedupId hs z).mpr ⟨hz, fun w hw => hb w (Or.inl hw)⟩, fun w hw => ?_⟩
    exact hb w (hw.imp_left mem_of_mem_dedupId)

/-- **Cut then merge**: the top `k` of one sorted input may be taken before the merge. -/
theorem topOf_union_topOf (k : Nat) {s m : List Entry} (hs : Sorted s) (hm : Sorted m) :
    topOf k (union (topOf k s) m) = topOf k (union s m) := by
  simp only [topOf]
  rw [take_dedupId_union_take (Nat.le_refl k) (sorted_dedupId hs) (idsDistinct_dedupId s) hm,
    dedupId_union_dedupId hs hm]

theorem sorted_topOf {l : List Entry} (h : Sorted l) (k : Nat) : Sorted (topOf k l) :=
  (sorted_dedupId h).sublist (List.take_sublist _ _)

theorem idsDistinct_topOf (k : Nat) (l : List Entry) : IdsDistinct (topOf k l) :=
  (idsDistinct_dedupId l).sublist (List.take_sublist _ _)

theorem length_topOf_le (k : Nat) (l : List Entry) : (topOf k l).length ≤ k := List.length_take_le _ _

private theorem topOf_of_idsDistinct {k : Nat} {l : List Entry} (h : IdsDistinct l) (hk : l.length ≤ k) :
    topOf k l = l := by
  simp only [topOf, dedupId_of_idsDistinct h]; exact List.take_of_length_le hk

theorem sorted_rankSort (l : List Entry) : Sorted (rankSort l) := by
  induction l with
  | nil => exact List.Pairwise.nil
  | cons x xs ih => exact sorted_union (List.pairwise_singleton _ _) ih

theorem mem_rankSort (z : Entry) (l : List Entry) : z ∈ rankSort l ↔ z ∈ l := by
  induction l with
  | nil => simp [rankSort]
  | cons x xs ih => simp only [rankSort, mem_union, List.mem_cons, List.not_mem_nil, or_false, ih]

private theorem rankSort_of_sorted {l : List Entry} (h : Sorted l) : rankSort l = l :=
  Sorted.ext (sorted_rankSort l) h fun z => mem_rankSort z l

private theorem rankSort_append (xs ys : List Entry) : rankSort (xs ++ ys) = union (rankSort xs) (rankSort ys) :=
  Sorted.ext (sorted_rankSort _) (sorted_union (sorted_rankSort xs) (sorted_rankSort ys)) fun z => by
    simp only [mem_rankSort, mem_union, List.mem_append]

private theorem isBest_congr {l m : List Entry} (h : ∀ z, z ∈ l ↔ z ∈ m) (z : Entry) : IsBest l z ↔ IsBest m z := by
  simp only [IsBest, h]

/-- In an id-distinct list, entries with the same id are equal. -/
theorem IdsDistinct.eq_of_id_eq {l : List Entry} (h : IdsDistinct l) {a b : Entry} (ha : a ∈ l) (hb : b ∈ l)
    (hid : a.id = b.id) : a = b := by
  induction l with
  | nil => exact absurd ha List.not_mem_nil
  | cons x xs ih =>
    rw [IdsDistinct, List.pairwise_cons] at h
    rcases List.mem_cons.mp ha with hax | hax
    · rcases List.mem_cons.mp hb with hbx | hbx
      · rw [hax, hbx]
      · rw [hax] at hid; exact absurd hid (h.1 b hbx)
    · rcases List.mem_cons.mp hb with hbx | hbx
      · rw [hbx] at hid; exact absurd hid.symm (h.1 a hax)
      · exact ih h.2 hax hbx

private theorem map_id_dedupId (l : List Entry) : (dedupId l).map Entry.id = distinctIds l := by
  induction l with
  | nil => rfl
  | cons x xs ih =>
    simp only [dedupId, distinctIds, List.map_cons, ← ih, List.filter_map]
    rfl

theorem mem_distinctIds (i : Nat) (l : List Entry) : i ∈ distinctIds l ↔ ∃ e ∈ l, e.id = i := by
  induction l with
  | nil => simp [distinctIds]
  | cons x xs ih =>
    simp only [distinctIds, List.mem_cons, List.mem_filter, ih, decide_eq_true_eq, exists_eq_or_imp]
    grind

theorem nodup_distinctIds (l : List Entry) : (distinctIds l).Nodup := by
  induction l with
  | nil => exact List.nodup_nil
  | cons x xs ih =>
    refine List.nodup_cons.mpr ⟨fun hx => ?_, ih.filter _⟩
    simp at hx

private theorem length_le_of_nodup {l₁ l₂ : List Nat} (h : l₁.Nodup) (hs : ∀ a ∈ l₁, a ∈ l₂) :
    l₁.length ≤ l₂.length := by
  induction l₁ generalizing l₂ with
  | nil => exact Nat.zero_le _
  | cons a l₁ ih =>
    obtain ⟨ha, h⟩ := List.nodup_cons.mp h
    have hal : a ∈ l₂ := hs a (List.mem_cons_self ..)
    have := ih h (l₂ := l₂.erase a) fun b hb =>
      (List.mem_erase_of_ne (fun e => ha (by rw [← e]; exact hb))).mpr (hs b (List.mem_cons_of_mem _ hb))
    rw [List.length_erase_of_mem hal] at this
    have := List.length_pos_of_mem hal
    simp only [List.length_cons]; omega

private theorem length_dedupId_rankSort (l : List Entry) :
    (dedupId (rankSort l)).length = (distinctIds l).length := by
  rw [← List.length_map (f := Entry.id), map_id_dedupId]
  have hm : ∀ i, i ∈ distinctIds (rankSort l) ↔ i ∈ distinctIds l := fun i => by
    simp only [mem_distinctIds, mem_rankSort]
  exact Nat.le_antisymm (length_le_of_nodup (nodup_distinctIds _) fun i hi => (hm i).mp hi)
    (length_le_of_nodup (nodup_distinctIds _) fun i hi => (hm i).mpr hi)

/-! ## Summaries -/

/-- A top-k summary: at most `k` entries, rank-sorted, at most one per id. -/
structure TopK (k : Nat) where
  entries : List Entry
  sorted : Sorted entries
  distinct : IdsDistinct entries
  bounded : entries.length ≤ k

theorem TopK.ext {k : Nat} {a b : TopK k} (h : a.entries = b.entries) : a = b := by
  cases a; cases b; simp only at h; subst h; rfl

def TopK.merge {k : Nat} (a b : TopK k) : TopK k :=
  ⟨mergeEntries k a.entries b.entries, sorted_topOf (sorted_union a.sorted b.sorted) k,
   idsDistinct_topOf _ _, length_topOf_le _ _⟩

def TopK.empty {k : Nat} : TopK k := ⟨[], List.Pairwise.nil, List.Pairwise.nil, Nat.zero_le _⟩

/-- The summary of any list of candidates: rank-sort, best entry per id, first `k`. -/
def TopK.ofList (k : Nat) (xs : List Entry) : TopK k :=
  ⟨topOf k (rankSort xs), sorted_topOf (sorted_rankSort xs) k, idsDistinct_topOf _ _, length_topOf_le _ _⟩

theorem TopK.merge_assoc {k : Nat} (a b c : TopK k) : (a.merge b).merge c = a.merge (b.merge c) :=
  TopK.ext (by
    simp only [TopK.merge, mergeEntries]
    rw [topOf_union_topOf k (sorted_union a.sorted b.sorted) c.sorted,
      union_comm a.entries (topOf k (union b.entries c.entries)),
      topOf_union_topOf k (sorted_union b.sorted c.sorted) a.sorted, union_comm (union b.entries c.entries),
      union_assoc a.sorted b.sorted c.sorted])
theorem TopK.empty_merge {k : Nat} (a : TopK k) : TopK.empty.merge a = a :=
  TopK.ext (by simp only [TopK.empty, TopK.merge, mergeEntries, union_nil_left]; exact topOf_of_idsDistinct a.distinct a.bounded)
theorem TopK.merge_empty {k : Nat} (a : TopK k) : a.merge TopK.empty = a :=
  TopK.ext (by simp only [TopK.empty, TopK.merge, mergeEntries, union_nil_right]; exact topOf_of_idsDistinct a.distinct a.bounded)
theorem TopK.merge_comm {k : Nat} (a b : TopK k) : a.merge b = b.merge a :=
  TopK.ext (by simp only [TopK.merge, mergeEntries, union_comm a.entries])

instance TopK.aggregationMonoid (k : Nat) : AggregationMonoid (TopK k) :=
  ⟨TopK.empty, TopK.merge, TopK.merge_assoc, TopK.empty_merge, TopK.merge_empty, TopK.merge_comm⟩

/-- A summary is the summary of its own entries. -/
theorem TopK.ofList_entries {k : Nat} (a : TopK k) : TopK.ofList k a.entries = a :=
  TopK.ext (by simp only [TopK.ofList, rankSort_of_sorted a.sorted]; exact topOf_of_idsDistinct a.distinct a.bounded)

/-- **Homomorphism**: the summary of two lists together is the merge of their summaries. -/
theorem TopK.ofList_append (k : Nat) (xs ys : List Entry) :
    TopK.ofList k (xs ++ ys) = (TopK.ofList k xs).merge (TopK.ofList k ys) :=
  TopK.ext (by
    simp only [TopK.ofList, TopK.merge, mergeEntries, rankSort_append]
    rw [topOf_union_topOf k (sorted_rankSort xs) (sorted_topOf (sorted_rankSort ys) k),
      union_comm (rankSort xs) (topOf k (rankSort ys)),
      topOf_union_topOf k (sorted_rankSort ys) (sorted_rankSort xs), union_comm (rankSort ys)])

/-- Merging two summaries summarises all their entries together. -/
theorem TopK.merge_eq_ofList {k : Nat} (a b : TopK k) : a.merge b = TopK.ofList k (a.entries ++ b.entries) := by
  rw [TopK.ofList_append, TopK.ofList_entries, TopK.ofList_entries]

/-- **One entry per id**: two entries of a summary with the same id are the same entry. -/
theorem TopK.eq_of_mem_of_id_eq {k : Nat} (s : TopK k) {a b : Entry} (ha : a ∈ s.entries) (hb : b ∈ s.entries)
    (hid : a.id = b.id) : a = b :=
  s.distinct.eq_of_id_eq ha hb hid

/-- **Size**: the summary of `xs` has `min k (number of distinct ids in xs)` entries. -/
theorem TopK.length_ofList (k : Nat) (xs : List Entry) :
    (TopK.ofList k xs).entries.length = min k (distinctIds xs).length := by
  simp only [TopK.ofList, topOf, List.length_take, length_dedupId_rankSort]

/-- The merge has `min k (number of distinct ids in both)` entries. -/
theorem TopK.length_merge {k : Nat} (a b : TopK k) :
    (a.merge b).entries.length = min k (distinctIds (a.entries ++ b.entries)).length := by
  rw [TopK.merge_eq_ofList, TopK.length_ofList]

/-- **Best per id**: every kept entry is an input that no input of the same id ranks before. -/
theorem TopK.isBest_of_mem_ofList {k : Nat} {xs : List Entry} {z : Entry} (h : z ∈ (TopK.ofList k xs).entries) :
    IsBest xs z := by
  have hz : z ∈ dedupId (rankSort xs) := List.mem_of_mem_take h
  rw [mem_dedupId (sorted_rankSort xs), isBest_congr (fun w => mem_rankSort w xs)] at hz
  exact hz

/-- **The k best**: an input whose id is not kept ranks after every kept entry. -/
theorem TopK.before_of_mem_ofList {k : Nat} {xs : List Entry} {w : Entry} (hw : w ∈ xs)
    (hid : ∀ z ∈ (TopK.ofList k xs).entries, z.id ≠ w.id) : ∀ z ∈ (TopK.ofList k xs).entries, z.before w := by
  intro z hz
  have hs := sorted_dedupId (sorted_rankSort xs)
  obtain ⟨b, hb, hbid, hbw⟩ := exists_mem_dedupId (sorted_rankSort xs) ((mem_rankSort w xs).mpr hw)
  have hnot : b ∉ (dedupId (rankSort xs)).take k := fun h' => hid b h' hbid
  have hdrop : b ∈ (dedupId (rankSort xs)).drop k := by
    rw [← List.take_append_drop k (dedupId (rankSort xs)), List.mem_append] at hb
    exact hb.resolve_left hnot
  rw [Sorted, ← List.take_append_drop k (dedupId (rankSort xs)), List.pairwise_append] at hs
  have hzb : z.before b := hs.2.2 z hz b hdrop
  rcases hbw with rfl | hbw
  · exact hzb
  · exact Entry.before_trans hzb hbw

/-- **Keeps the k best**: an input that is not kept ranks after the kept entry of its id, or,
when its id is not kept, after every kept entry. -/
theorem TopK.before_of_not_mem_ofList {k : Nat} {xs : List Entry} {w : Entry} (hw : w ∈ xs)
    (hn : w ∉ (TopK.ofList k xs).entries) :
    (∃ z ∈ (TopK.ofList k xs).entries, z.id = w.id ∧ z.before w) ∨
      ∀ z ∈ (TopK.ofList k xs).entries, z.before w := by
  by_cases h : ∃ z ∈ (TopK.ofList k xs).entries, z.id = w.id
  · obtain ⟨z, hz, hid⟩ := h
    refine Or.inl ⟨z, hz, hid, ?_⟩
    have hb := (TopK.isBest_of_mem_ofList hz).2 w hw hid.symm
    by_cases hzw : z.before w
    · exact hzw
    · exact absurd (Entry.eq_of_not_before hzw hb ▸ hz) hn
  · exact Or.inr (TopK.before_of_mem_ofList hw fun z hz e => h ⟨z, hz, e⟩)

/-- Every entry of a merge is its id's best among the entries of both summaries. -/
theorem TopK.isBest_of_mem_merge {k : Nat} {a b : TopK k} {z : Entry} (h : z ∈ (a.merge b).entries) :
    IsBest (a.entries ++ b.entries) z := by
  rw [TopK.merge_eq_ofList] at h; exact TopK.isBest_of_mem_ofList h

/-- An entry of either summary whose id the merge does not keep ranks after every kept entry. -/
theorem TopK.before_of_mem_merge {k : Nat} {a b : TopK k} {w : Entry} (hw : w ∈ a.entries ++ b.entries)
    (hid : ∀ z ∈ (a.merge b).entries, z.id ≠ w.id) : ∀ z ∈ (a.merge b).entries, z.before w := by
  rw [TopK.merge_eq_ofList] at hid ⊢; exact TopK.before_of_mem_ofList hw hid

end Hydrogen.Aggregate

end
