module

public import Hydrogen.Aggregate.Numeric
public import Hydrogen.Tree.Order

/-!
# Per-child summaries: a versioned last-writer-wins map

A coordinator keeps, per child slot, the newest summary it was sent and
aggregates those. An entry is a version `(term, epoch, seq)` with the summary
sent under it; entries are ordered by version, then (a tie-break) by summary
`(count, sum, min, max)`. That order is total, so "keep the greater" is a
join-semilattice and so is the per-slot map (`LatestPerChild.join_*`).

The tie-break is what makes the join commutative: two different summaries under
one version (which an honest child never sends: each Up it sends in an epoch
gets a fresh `seq`) would otherwise be kept in arrival order
(`get_offerAll_honest`: without such pairs the tie-break never decides). With it, the kept
entry depends only on the set of deliveries (`offerAll_eq_of_same_members`): it
is one of them (`get_offerAll_mem`), none is greater (`get_offerAll_newest`),
and the aggregate folds one summary per slot, so a duplicated or reordered
delivery is never counted twice (`aggregate_offerAll_eq_of_same_members`).
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Tree

open Hydrogen.Aggregate (SumCount AggregationMonoid)
open Hydrogen.State (JoinSemilattice)

open StrictTotalOrder

/-- Minimum: `none` (nothing seen) sorts above every value, like `+∞`. -/
def minLt : Option Int → Option Int → Bool
  | some x, some y => decide (x < y)
  | some _, none => true
  | none, _ => false

/-- Maximum: `none` (nothing seen) sorts below every value, like `−∞`. -/
def maxLt : Option Int → Option Int → Bool
  | some x, some y => decide (x < y)
  | none, some _ => true
  | _, none => false

/-- Minima ordered by `minLt`. -/
instance minStrictTotalOrder : StrictTotalOrder Aggregate.Min where
  lt a b := minLt a.value b.value
  lt_irrefl a := by obtain ⟨a⟩ := a; cases a <;> simp [minLt]
  lt_trans a b c := by
    obtain ⟨a⟩ := a; obtain ⟨b⟩ := b; obtain ⟨c⟩ := c
    cases a <;> cases b <;> cases c <;> simp [minLt] <;> omega
  lt_total a b := by
    obtain ⟨a⟩ := a; obtain ⟨b⟩ := b
    cases a <;> cases b <;> simp [minLt] <;> omega

/-- Maxima ordered by `maxLt`. -/
instance maxStrictTotalOrder : StrictTotalOrder Aggregate.Max where
  lt a b := maxLt a.value b.value
  lt_irrefl a := by obtain ⟨a⟩ := a; cases a <;> simp [maxLt]
  lt_trans a b c := by
    obtain ⟨a⟩ := a; obtain ⟨b⟩ := b; obtain ⟨c⟩ := c
    cases a <;> cases b <;> cases c <;> simp [maxLt] <;> omega
  lt_total a b := by
    obtain ⟨a⟩ := a; obtain ⟨b⟩ := b
    cases a <;> cases b <;> simp [maxLt] <;> omega

/-- A summary's version: leadership term, round epoch, sequence within the round. -/
structure Version where
  term : Nat
  epoch : Nat
  seq : Nat
deriving DecidableEq

/-- Versions compare lexicographically by `(term, epoch, seq)`. -/
instance Version.strictTotalOrder : StrictTotalOrder Version :=
  StrictTotalOrder.ofKey (fun v => (v.term, v.epoch, v.seq)) (fun a b h => by
    obtain ⟨_, _, _⟩ := a; obtain ⟨_, _, _⟩ := b
    simp only [Prod.mk.injEq] at h; simp only [h])

/-- Count, sum, min and max of a subtree's values: three proved monoids. -/
structure Summary where
  sumCount : SumCount
  min : Aggregate.Min
  max : Aggregate.Max
deriving DecidableEq

def Summary.empty : Summary := ⟨SumCount.empty, Aggregate.Min.empty, Aggregate.Max.empty⟩
def Summary.ofValue (v : Int) : Summary := ⟨SumCount.ofValue v, ⟨some v⟩, ⟨some v⟩⟩
def Summary.merge (a b : Summary) : Summary :=
  ⟨a.sumCount.merge b.sumCount, a.min.merge b.min, a.max.merge b.max⟩

theorem Summary.merge_assoc (a b c : Summary) : (a.merge b).merge c = a.merge (b.merge c) := by
  simp only [Summary.merge, SumCount.merge_assoc, Aggregate.Min.merge_assoc, Aggregate.Max.merge_assoc]
theorem Summary.empty_merge (a : Summary) : Summary.empty.merge a = a := by
  simp only [Summary.empty, Summary.merge, SumCount.empty_merge, Aggregate.Min.empty_merge, Aggregate.Max.empty_merge]
theorem Summary.merge_empty (a : Summary) : a.merge Summary.empty = a := by
  simp only [Summary.empty, Summary.merge, SumCount.merge_empty, Aggregate.Min.merge_empty, Aggregate.Max.merge_empty]
theorem Summary.merge_comm (a b : Summary) : a.merge b = b.merge a := by
  simp only [Summary.merge, SumCount.merge_comm a.sumCount, Aggregate.Min.merge_comm a.min, Aggregate.Max.merge_comm a.max]

/-- The product monoid. -/
instance Summary.aggregationMonoid : AggregationMonoid Summary :=
  ⟨Summary.empty, Summary.merge, Summary.merge_assoc, Summary.empty_merge, Summary.merge_empty, Summary.merge_comm⟩

/-- The tie-break among summaries under one version: `(count, sum, min, max)`. -/
instance Summary.strictTotalOrder : StrictTotalOrder Summary :=
  StrictTotalOrder.ofKey (fun s => (s.sumCount.count, s.sumCount.sum, s.min, s.max)) (fun a b h => by
    obtain ⟨⟨_, _⟩, _, _⟩ := a; obtain ⟨⟨_, _⟩, _, _⟩ := b
    simp only [Prod.mk.injEq] at h; simp only [h])

/-- What a slot keeps: a version and the summary sent under it. -/
structure Entry where
  version : Version
  summary : Summary
deriving DecidableEq

/-- Newer version first; the summary only breaks a tie. -/
instance Entry.strictTotalOrder : StrictTotalOrder Entry :=
  StrictTotalOrder.ofKey (fun e => (e.version, e.summary)) (fun a b h => by
    obtain ⟨_, _⟩ := a; obtain ⟨_, _⟩ := b
    simp only [Prod.mk.injEq] at h; simp only [h])

/-- Keep the greater entry. -/
instance Entry.joinSemilattice : JoinSemilattice Entry := StrictTotalOrder.joinSemilattice

/-- An Up from child `slot`. -/
structure Delivery where
  slot : Nat
  entry : Entry
deriving DecidableEq

/-- Per child slot, the greatest entry received (`none`: nothing yet). -/
abbrev LatestPerChild := List (Option Entry)

namespace LatestPerChild

open Hydrogen.State (zipJoin single setAt zipJoin_assoc zipJoin_comm zipJoin_idem zipJoin_single entry_zipJoin)

/-- Slot by slot, the greater entry. -/
def join (a b : LatestPerChild) : LatestPerChild := zipJoin a b

theorem join_assoc (a b c : LatestPerChild) : join (join a b) c = join a (join b c) := zipJoin_assoc a b c
theorem join_comm (a b : LatestPerChild) : join a b = join b a := zipJoin_comm a b
theorem join_idem (a : LatestPerChild) : join a a = a := zipJoin_idem a

/-- The entry kept for slot `k`. -/
def get (m : LatestPerChild) (k : Nat) : Option Entry := State.entry m k

/-- Offer a delivery: the slot keeps the greater of what it holds and the new entry. -/
def offer (d : Delivery) (m : LatestPerChild) : LatestPerChild := zipJoin m (single d.slot (some d.entry))

/-- The map after `ds`, offered in order to an empty one. -/
def offerAll (ds : List Delivery) : LatestPerChild := ds.foldl (fun m d => offer d m) []

/-- A slot's summary; an empty slot adds nothing. -/
def summaryOf : Option Entry → Summary
  | none => Summary.empty
  | some e => e.summary

/-- The coordinator's own summary: the merge of the kept summaries. -/
def aggregate (m : LatestPerChild) : Summary := AggregationMonoid.fold (m.map summaryOf)

private theorem entry_single (r k : Nat) (o : Option Entry) :
    State.entry (single r o) k = if k = r then o else none := by
  induction r generalizing k with
  | zero => cases k <;> simp [single, State.entry, State.JoinSemilatticeBot.bot]
  | succ r ih =>
    cases k with
    | zero => simp [single, State.entry, List.replicate_succ, State.JoinSemilatticeBot.bot]
    | succ k =>
      have := ih k
      simp only [single, State.entry] at this
      simp only [single, State.entry, List.replicate_succ, List.cons_append, List.getD_cons_succ, this]
      simp

/-- **Offer keeps the newer.** The offered slot holds the new entry if it was
empty or the new entry is strictly greater, else what it held. -/
theorem get_offer_self (d : Delivery) (m : LatestPerChild) :
    get (offer d m) d.slot =
      match get m d.slot with
      | none => some d.entry
      | some e => some (if lt e d.entry then d.entry else e) := by
  simp only [get, offer, entry_zipJoin, entry_single, if_true]
  cases State.entry m d.slot <;> rfl

/-- Offer leaves the other slots alone. -/
theorem get_offer_other (d : Delivery) (m : LatestPerChild) {k : Nat} (h : k ≠ d.slot) :
    get (offer d m) k = get m k := by
  simp only [get, offer, entry_zipJoin, entry_single, h, if_false]
  cases State.entry m k <;> rfl

/-- Offer is the join with a one-slot map (the delta). -/
theorem offer_eq_setAt (d : Delivery) (m : LatestPerChild) :
    offer d m = setAt d.slot (JoinSemilattice.join (get m d.slot) (some d.entry)) m :=
  zipJoin_single m d.slot (some d.entry)

private theorem offerFrom_eq_joinAll (m : LatestPerChild) (ds : List Delivery) :
    ds.foldl (fun m d => offer d m) m = JoinSemilattice.joinAll m (ds.map fun d => single d.slot (some d.entry)) := by
  induction ds generalizing m with
  | nil => rfl
  | cons d ds ih => exact ih (offer d m)

/-- **Duplicated and reordered delivery.** Two delivery lists with the same
members (any order, any repeats) leave the same map. -/
theorem offerAll_eq_of_same_members {ds ds' : List Delivery} (h : ∀ d, d ∈ ds ↔ d ∈ ds') :
    offerAll ds = offerAll ds' := by
  simp only [offerAll, offerFrom_eq_joinAll]
  apply JoinSemilattice.joinAll_eq_of_same_members
  intro x
  simp only [List.mem_map]
  exact ⟨fun ⟨d, hd, e⟩ => ⟨d, (h d).mp hd, e⟩, fun ⟨d, hd, e⟩ => ⟨d, (h d).mpr hd, e⟩⟩

private theorem get_joinAll (s : LatestPerChild) (xs : List LatestPerChild) (k : Nat) :
    get (JoinSemilattice.joinAll s xs) k = JoinSemilattice.joinAll (get s k) (xs.map fun x => get x k) := by
  induction xs generalizing s with
  | nil => rfl
  | cons x xs ih =>
    simp only [JoinSemilattice.joinAll, List.foldl_cons, List.map_cons] at *
    rw [ih]
    simp only [get]
    rw [show JoinSemilattice.join s x = zipJoin s x from rfl, entry_zipJoin]

/-- The greatest entry delivered to slot `k`, slot by slot (`none` if none was). -/
def newest (ds : List Delivery) (k : Nat) : Option Entry :=
  JoinSemilattice.joinAll none (ds.map fun d => if k = d.slot then some d.entry else none)

/-- The map holds, in every slot, the newest delivery to that slot. -/
theorem get_offerAll (ds : List Delivery) (k : Nat) : get (offerAll ds) k = newest ds k := by
  simp only [offerAll, offerFrom_eq_joinAll, get_joinAll, List.map_map, newest]
  have h0 : get [] k = none := by cases k <;> rfl
  rw [h0]
  congr 1
  apply List.map_congr_left
  intro d _
  simp only [Function.comp, get, entry_single]

private theorem joinAll_selective {β : Type} [JoinSemilattice β] (hsel : ∀ a b : β, JoinSemilattice.join a b = a ∨ JoinSemilattice.join a b = b)
    (s : β) (xs : List β) : JoinSemilattice.joinAll s xs = s ∨ JoinSemilattice.joinAll s xs ∈ xs := by
  induction xs generalizing s with
  | nil => exact Or.inl rfl
  | cons x xs ih =>
    simp only [JoinSemilattice.joinAll, List.foldl_cons, List.mem_cons] at *
    rcases ih (JoinSemilattice.join s x) with h | h
    · rcases hsel s x with h' | h'
      · exact Or.inl (h.trans h')
      · exact Or.inr (Or.inl (h.trans h'))
    · exact Or.inr (Or.inr h)

private theorem option_join_selective (a b : Option Entry) : JoinSemilattice.join a b = a ∨ JoinSemilattice.join a b = b := by
  cases a <;> cases b
  · exact Or.inl rfl
  · exact Or.inr rfl
  · exact Or.inl rfl
  · rename_i x y
    rcases join_eq_or x y with h | h
    · exact Or.inl (congrArg some h)
    · exact Or.inr (congrArg some h)

/-- **The kept entry was delivered.** -/
theorem get_offerAll_mem {ds : List Delivery} {k : Nat} {e : Entry} (h : get (offerAll ds) k = some e) :
    ⟨k, e⟩ ∈ ds := by
  rw [get_offerAll, newest] at h
  rcases joinAll_selective option_join_selective none _ with h' | h'
  · rw [h] at h'; cases h'
  · rw [h] at h'
    obtain ⟨d, hd, hde⟩ := List.mem_map.mp h'
    by_cases hk : k = d.slot
    · simp only [hk, if_true, Option.some.injEq] at hde
      subst hk; subst hde; exact hd
    · simp only [hk, if_false] at hde; cases hde

/-- **Nothing delivered is newer than the kept entry.** -/
theorem get_offerAll_newest {ds : List Delivery} {k : Nat} {e : Entry} (h : ⟨k, e⟩ ∈ ds) :
    ∃ e', get (offerAll ds) k = some e' ∧ lt e' e = false := by
  rw [get_offerAll, newest]
  have hmem : some e ∈ ds.map (fun d => if k = d.slot then some d.entry else none) :=
    List.mem_map.mpr ⟨⟨k, e⟩, h, by simp⟩
  have hle := JoinSemilattice.le_joinAll_of_mem (s := (none : Option Entry)) hmem
  revert hle
  generalize JoinSemilattice.joinAll (none : Option Entry)
    (ds.map fun d => if k = d.slot then some d.entry else none) = r
  intro hle
  cases r with
  | none => cases hle
  | some e' =>
    refine ⟨e', rfl, ?_⟩
    have hj : StrictTotalOrder.join e e' = e' := Option.some.inj hle
    cases h1 : lt e' e with
    | false => rfl
    | true =>
      unfold StrictTotalOrder.join at hj
      rw [lt_asymm h1] at hj
      simp only [Bool.false_eq_true, ↓reduceIte] at hj
      subst hj; rw [lt_irrefl] at h1; cases h1

/-- The kept entry's version is the greatest version delivered to the slot. -/
theorem get_offerAll_version_newest {ds : List Delivery} {k : Nat} {e : Entry} (h : ⟨k, e⟩ ∈ ds) :
    ∃ e', get (offerAll ds) k = some e' ∧ lt e'.version e.version = false := by
  obtain ⟨e', h1, h2⟩ := get_offerAll_newest h
  refine ⟨e', h1, ?_⟩
  change (lt e'.version e.version || (decide (e'.version = e.version) && lt e'.summary e.summary)) = false at h2
  simp only [Bool.or_eq_false_iff] at h2
  exact h2.1

/-- **Honest children.** If a delivery's summary is a function of its slot and
version (no child sends two summaries under one version), each slot keeps its
summary at the greatest version delivered: the tie-break never decides. -/
theorem get_offerAll_honest {ds : List Delivery} (content : Nat → Version → Summary)
    (honest : ∀ d ∈ ds, d.entry.summary = content d.slot d.entry.version) {k : Nat} {e : Entry}
    (h : get (offerAll ds) k = some e) :
    e.summary = content k e.version ∧ ∀ d ∈ ds, d.slot = k → lt e.version d.entry.version = false := by
  refine ⟨honest _ (get_offerAll_mem h), fun d hd hk => ?_⟩
  have hd' : (⟨k, d.entry⟩ : Delivery) ∈ ds := by subst hk; exact hd
  obtain ⟨e', h1, h2⟩ := get_offerAll_version_newest hd'
  rw [h] at h1
  cases h1
  exact h2

/-- A slot nobody delivered to stays empty. -/
theorem get_offerAll_eq_none {ds : List Delivery} {k : Nat} (h : ∀ e, ⟨k, e⟩ ∉ ds) : get (offerAll ds) k = none := by
  cases hg : get (offerAll ds) k with
  | none => rfl
  | some e => exact absurd (get_offerAll_mem hg) (h e)

private theorem map_eq_map_range (m : LatestPerChild) (f : Option Entry → Summary) :
    m.map f = (List.range m.length).map fun k => f (get m k) := by
  induction m with
  | nil => rfl
  | cons x xs ih =>
    rw [List.length_cons, List.range_succ_eq_map, List.map_cons, List.map_cons, List.map_map, ih]
    rfl

/-- **The aggregate folds one summary per slot**: the merge over the slots of
the summary each slot keeps (empty slots add nothing). -/
theorem aggregate_eq_fold_slots (m : LatestPerChild) :
    aggregate m = AggregationMonoid.fold ((List.range m.length).map fun k => summaryOf (get m k)) := by
  rw [aggregate, map_eq_map_range]

/-- **No double counting.** After any deliveries, the aggregate is the fold over
the slots of each slot's newest delivered summary. -/
theorem aggregate_offerAll (ds : List Delivery) :
    aggregate (offerAll ds) =
      AggregationMonoid.fold ((List.range (offerAll ds).length).map fun k => summaryOf (newest ds k)) := by
  rw [aggregate_eq_fold_slots]
  simp only [get_offerAll]

/-- **Re-delivery and reordering never change the aggregate.** -/
theorem aggregate_offerAll_eq_of_same_members {ds ds' : List Delivery} (h : ∀ d, d ∈ ds ↔ d ∈ ds') :
    aggregate (offerAll ds) = aggregate (offerAll ds') := by
  rw [offerAll_eq_of_same_members h]

end LatestPerChild

end Hydrogen.Tree

end
