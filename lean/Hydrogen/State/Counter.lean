module

public import Hydrogen.State.Lattice

/-!
# Counters and vector clocks

A grow-only counter keeps one entry per replica, merged by `max`; its value is
the sum. A PN-counter is two of them (increments, decrements). A vector clock
has the same shape; it orders events by happened-before.
Each mutator has a delta mutator whose result, joined into the state, equals
the mutator's result (`join_incDelta` and friends).

What the values mean: an increment adds one (`GCounter.value_inc`,
`PNCounter.value_inc`, `PNCounter.value_dec`) to its own entry only
(`GCounter.get_inc`); a merge reads the larger entry (`GCounter.get_join`) and
its value lies between the larger value and the sum (`GCounter.value_join_ge`,
`GCounter.value_join_le`).

Vector clocks: `leq` is the entrywise order on `get` (`VectorClock.leq_iff_get`),
reflexive and transitive; it is antisymmetric on `get` only
(`VectorClock.leq_antisymm`), not on the lists, where `[0]` and `[]` are
mutually `leq` and different (`VectorClock.leq_antisymm_counterexample`).
Happened-before is its strict part (`VectorClock.happenedBefore_iff`), a strict
partial order; `concurrent` is symmetric and irreflexive; a tick strictly
advances the clock (`VectorClock.happenedBefore_tick`); the join is the least
upper bound for `leq` (`VectorClock.leq_iff_get_join`, `VectorClock.join_leq`).
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.State

open JoinSemilattice

/-! ## Pointwise lists of naturals: reading, summing, merging -/

/-- Reading entry `s` after setting entry `r` to `v`. -/
theorem entry_setAt {α : Type} [JoinSemilatticeBot α] (r : Nat) (v : α) (xs : List α) (s : Nat) :
    entry (setAt r v xs) s = if s = r then v else entry xs s := by
  induction r generalizing xs s with
  | zero => cases xs <;> cases s <;> simp [setAt, entry]
  | succ r ih =>
    cases xs <;> cases s <;> simp only [setAt, entry, List.getD_cons_zero, List.getD_cons_succ, List.getD_nil,
      Nat.add_right_cancel_iff, reduceIte, (Nat.succ_ne_zero _).symm] <;> first | rfl | exact ih _ _

theorem NatMax.bot_value : (JoinSemilatticeBot.bot : NatMax).value = 0 := rfl

/-- Setting entry `r` to `v` changes the sum by `v - entry r`. -/
theorem NatMax.sum_setAt (r : Nat) (v : NatMax) (xs : List NatMax) :
    ((setAt r v xs).map NatMax.value).sum + (entry xs r).value = (xs.map NatMax.value).sum + v.value := by
  induction r generalizing xs with
  | zero => cases xs <;> simp [setAt, entry, NatMax.bot_value] <;> omega
  | succ r ih =>
    cases xs with
    | nil => have := ih []; simp [setAt, entry, NatMax.bot_value] at this ⊢; omega
    | cons x xs => have := ih xs; simp only [setAt, entry, List.map_cons, List.sum_cons, List.getD_cons_succ] at this ⊢; omega

/-- The sum of a pointwise max lies between the larger sum and the sum of both. -/
theorem NatMax.sum_zipJoin (xs ys : List NatMax) :
    max (xs.map NatMax.value).sum (ys.map NatMax.value).sum ≤ ((zipJoin xs ys).map NatMax.value).sum ∧
      ((zipJoin xs ys).map NatMax.value).sum ≤ (xs.map NatMax.value).sum + (ys.map NatMax.value).sum := by
  induction xs generalizing ys with
  | nil => simp [zipJoin]
  | cons x xs ih =>
    cases ys with
    | nil => simp [zipJoin]
    | cons y ys =>
      have := ih ys
      simp only [zipJoin, List.map_cons, List.sum_cons, JoinSemilattice.join, NatMax.join] at this ⊢
      omega

/-- Merging a list that is no longer and entrywise below `ys` into `ys` gives `ys`. -/
theorem NatMax.zipJoin_eq_right (xs ys : List NatMax) (hl : xs.length ≤ ys.length)
    (h : ∀ r, (entry xs r).value ≤ (entry ys r).value) : zipJoin xs ys = ys := by
  induction xs generalizing ys with
  | nil => rfl
  | cons x xs ih =>
    cases ys with
    | nil => simp at hl
    | cons y ys =>
      have h0 := h 0
      simp only [entry, List.getD_cons_zero] at h0
      simp only [zipJoin, List.cons.injEq]
      refine ⟨?_, ih ys (by simpa using hl) fun r => by simpa [entry] using h (r + 1)⟩
      simp only [JoinSemilattice.join, NatMax.join, Nat.max_eq_right h0]

/-- Grow-only counter: entry `r` counts replica `r`'s increments. -/
structure GCounter where
  counts : List NatMax
deriving DecidableEq

def GCounter.empty : GCounter := ⟨[]⟩
def GCounter.join (a b : GCounter) : GCounter := ⟨zipJoin a.counts b.counts⟩

/-- Replica `r`'s entry. -/
def GCounter.get (c : GCounter) (r : Nat) : Nat := (entry c.counts r).value

/-- The counter's value: all replicas' increments. -/
def GCounter.value (c : GCounter) : Nat := (c.counts.map NatMax.value).sum

/-- Replica `r` increments by one. -/
def GCounter.inc (r : Nat) (c : GCounter) : GCounter := ⟨setAt r ⟨c.get r + 1⟩ c.counts⟩

/-- The delta of `inc r`: just replica `r`'s new entry. -/
def GCounter.incDelta (r : Nat) (c : GCounter) : GCounter := ⟨single r ⟨c.get r + 1⟩⟩

theorem GCounter.join_assoc (a b c : GCounter) : (a.join b).join c = a.join (b.join c) := by
  simp only [GCounter.join, zipJoin_assoc]
theorem GCounter.join_comm (a b : GCounter) : a.join b = b.join a := by
  simp only [GCounter.join, GCounter.mk.injEq]; exact zipJoin_comm _ _
theorem GCounter.join_idem (a : GCounter) : a.join a = a := by simp only [GCounter.join, zipJoin_idem]

instance GCounter.joinSemilattice : JoinSemilattice GCounter :=
  ⟨GCounter.join, GCounter.join_assoc, GCounter.join_comm, GCounter.join_idem⟩

/-- Delta mutator agrees with the mutator: `c ⊔ incDelta r c = inc r c`. -/
theorem GCounter.join_incDelta (r : Nat) (c : GCounter) : c.join (c.incDelta r) = c.inc r := by
  simp only [GCounter.join, GCounter.incDelta, GCounter.inc, GCounter.mk.injEq]
  rw [zipJoin_single]
  congr 1
  simp only [JoinSemilattice.join, NatMax.join, GCounter.get]
  congr 1
  omega

/-- An increment by `r` adds one to entry `r` and leaves every other entry as it was. -/
theorem GCounter.get_inc (r s : Nat) (c : GCounter) : (c.inc r).get s = if s = r then c.get r + 1 else c.get s := by
  simp only [GCounter.get, GCounter.inc, entry_setAt]; split <;> rfl

/-- An increment adds one to the value. -/
theorem GCounter.value_inc (r : Nat) (c : GCounter) : (c.inc r).value = c.value + 1 := by
  have := NatMax.sum_setAt r ⟨c.get r + 1⟩ c.counts
  simp only [GCounter.value, GCounter.inc, GCounter.get] at this ⊢; omega

/-- Reading a merged counter reads the larger entry. -/
theorem GCounter.get_join (a b : GCounter) (r : Nat) : (a.join b).get r = max (a.get r) (b.get r) := by
  simp only [GCounter.get, GCounter.join, entry_zipJoin]; rfl

/-- Merging loses no increments: the merged value is at least either value. -/
theorem GCounter.value_join_ge (a b : GCounter) : max a.value b.value ≤ (a.join b).value :=
  (NatMax.sum_zipJoin a.counts b.counts).1

/-- Merging invents no increments: the merged value is at most the sum of both. -/
theorem GCounter.value_join_le (a b : GCounter) : (a.join b).value ≤ a.value + b.value :=
  (NatMax.sum_zipJoin a.counts b.counts).2

/-- The value is monotone in the lattice order. -/
theorem GCounter.value_mono {a b : GCounter} (h : JoinSemilattice.le a b) : a.value ≤ b.value := by
  have := GCounter.value_join_ge a b
  have h' : a.join b = b := h
  rw [h'] at this; omega

/-- Counter with increments and decrements: a pair of grow-only counters. -/
structure PNCounter where
  incs : GCounter
  decs : GCounter
deriving DecidableEq

def PNCounter.empty : PNCounter := ⟨GCounter.empty, GCounter.empty⟩
def PNCounter.join (a b : PNCounter) : PNCounter := ⟨a.incs.join b.incs, a.decs.join b.decs⟩
def PNCounter.value (c : PNCounter) : Int := (c.incs.value : Int) - c.decs.value
def PNCounter.inc (r : Nat) (c : PNCounter) : PNCounter := ⟨c.incs.inc r, c.decs⟩
def PNCounter.dec (r : Nat) (c : PNCounter) : PNCounter := ⟨c.incs, c.decs.inc r⟩
def PNCounter.incDelta (r : Nat) (c : PNCounter) : PNCounter := ⟨c.incs.incDelta r, GCounter.empty⟩
def PNCounter.decDelta (r : Nat) (c : PNCounter) : PNCounter := ⟨GCounter.empty, c.decs.incDelta r⟩

theorem PNCounter.join_assoc (a b c : PNCounter) : (a.join b).join c = a.join (b.join c) := by
  simp only [PNCounter.join, GCounter.join_assoc]
theorem PNCounter.join_comm (a b : PNCounter) : a.join b = b.join a := by
  simp only [PNCounter.join]; rw [GCounter.join_comm a.incs, GCounter.join_comm a.decs]
theorem PNCounter.join_idem (a : PNCounter) : a.join a = a := by simp only [PNCounter.join, GCounter.join_idem]

instance PNCounter.joinSemilattice : JoinSemilattice PNCounter :=
  ⟨PNCounter.join, PNCounter.join_assoc, PNCounter.join_comm, PNCounter.join_idem⟩

theorem GCounter.join_empty (c : GCounter) : c.join GCounter.empty = c := by
  simp only [GCounter.join, GCounter.empty, zipJoin_nil_right]

theorem PNCounter.join_incDelta (r : Nat) (c : PNCounter) : c.join (c.incDelta r) = c.inc r := by
  simp only [PNCounter.join, PNCounter.incDelta, PNCounter.inc, GCounter.join_incDelta, GCounter.join_empty]

theorem PNCounter.join_decDelta (r : Nat) (c : PNCounter) : c.join (c.decDelta r) = c.dec r := by
  simp only [PNCounter.join, PNCounter.decDelta, PNCounter.dec, GCounter.join_incDelta, GCounter.join_empty]

/-- An increment adds one to the value. -/
theorem PNCounter.value_inc (r : Nat) (c : PNCounter) : (c.inc r).value = c.value + 1 := by
  simp only [PNCounter.value, PNCounter.inc, GCounter.value_inc]; omega

/-- A decrement subtracts one from the value. -/
theorem PNCounter.value_dec (r : Nat) (c : PNCounter) : (c.dec r).value = c.value - 1 := by
  simp only [PNCounter.value, PNCounter.dec, GCounter.value_inc]; omega


/-- Vector clock: entry `r` is the number of events replica `r` has seen from itself. -/
structure VectorClock where
  ticks : List NatMax
deriving DecidableEq

def VectorClock.empty : VectorClock := ⟨[]⟩
def VectorClock.join (a b : VectorClock) : VectorClock := ⟨zipJoin a.ticks b.ticks⟩
def VectorClock.get (v : VectorClock) (r : Nat) : Nat := (entry v.ticks r).value

/-- Replica `r` records a new local event. -/
def VectorClock.tick (r : Nat) (v : VectorClock) : VectorClock := ⟨setAt r ⟨v.get r + 1⟩ v.ticks⟩
def VectorClock.tickDelta (r : Nat) (v : VectorClock) : VectorClock := ⟨single r ⟨v.get r + 1⟩⟩

/-- `a` is below or equal to `b` in every entry (checked over the longer length). -/
def VectorClock.leq (a b : VectorClock) : Prop :=
  ∀ r, r < max a.ticks.length b.ticks.length → a.get r ≤ b.get r

instance (a b : VectorClock) : Decidable (a.leq b) := by unfold VectorClock.leq; exact inferInstance

/-- Happened-before: below or equal everywhere and different somewhere. -/
def VectorClock.happenedBefore (a b : VectorClock) : Prop :=
  a.leq b ∧ ∃ r, r < max a.ticks.length b.ticks.length ∧ a.get r < b.get r

instance (a b : VectorClock) : Decidable (a.happenedBefore b) := by
  unfold VectorClock.happenedBefore; exact inferInstance

/-- Neither is below or equal to the other (so neither happened before the other, and they differ). -/
def VectorClock.concurrent (a b : VectorClock) : Prop := ¬ a.leq b ∧ ¬ b.leq a

instance (a b : VectorClock) : Decidable (a.concurrent b) := by unfold VectorClock.concurrent; exact inferInstance

theorem VectorClock.join_assoc (a b c : VectorClock) : (a.join b).join c = a.join (b.join c) := by
  simp only [VectorClock.join, zipJoin_assoc]
theorem VectorClock.join_comm (a b : VectorClock) : a.join b = b.join a := by
  simp only [VectorClock.join, VectorClock.mk.injEq]; exact zipJoin_comm _ _
theorem VectorClock.join_idem (a : VectorClock) : a.join a = a := by
  simp only [VectorClock.join, zipJoin_idem]

instance VectorClock.joinSemilattice : JoinSemilattice VectorClock :=
  ⟨VectorClock.join, VectorClock.join_assoc, VectorClock.join_comm, VectorClock.join_idem⟩

theorem VectorClock.join_tickDelta (r : Nat) (v : VectorClock) : v.join (v.tickDelta r) = v.tick r := by
  simp only [VectorClock.join, VectorClock.tickDelta, VectorClock.tick, VectorClock.mk.injEq]
  rw [zipJoin_single]
  congr 1
  simp only [JoinSemilattice.join, NatMax.join, VectorClock.get]
  congr 1
  omega

/-- Reading a merged clock reads the larger entry. -/
theorem VectorClock.get_join (a b : VectorClock) (r : Nat) : (a.join b).get r = max (a.get r) (b.get r) := by
  simp only [VectorClock.get, VectorClock.join, entry_zipJoin]; rfl

/-- Entries past the end of the list read 0. -/
theorem VectorClock.get_eq_zero {v : VectorClock} {r : Nat} (h : v.ticks.length ≤ r) : v.get r = 0 := by
  simp only [VectorClock.get, entry, List.getD_eq_getElem?_getD, List.getElem?_eq_none h, Option.getD_none]; rfl

/-- `leq` is the entrywise order on the clocks' meaning (missing entries are 0). -/
theorem VectorClock.leq_iff_get (a b : VectorClock) : a.leq b ↔ ∀ r, a.get r ≤ b.get r := by
  refine ⟨fun h r => ?_, fun h r _ => h r⟩
  by_cases hr : r < max a.ticks.length b.ticks.length
  · exact h r hr
  · rw [VectorClock.get_eq_zero (by omega), VectorClock.get_eq_zero (by omega)]; exact Nat.le_refl 0

/-- `leq` is reflexive and transitive: a preorder on lists, a partial order on `get`. -/
theorem VectorClock.leq_refl (a : VectorClock) : a.leq a :=
  (VectorClock.leq_iff_get a a).2 fun _ => Nat.le_refl _

theorem VectorClock.leq_trans {a b c : VectorClock} (hab : a.leq b) (hbc : b.leq c) : a.leq c := by
  rw [VectorClock.leq_iff_get] at *; exact fun r => Nat.le_trans (hab r) (hbc r)

/-- Antisymmetry holds on the clocks' meaning: mutually `leq` clocks read the same in every entry. -/
theorem VectorClock.leq_antisymm {a b : VectorClock} (hab : a.leq b) (hba : b.leq a) : ∀ r, a.get r = b.get r := by
  rw [VectorClock.leq_iff_get] at *; exact fun r => Nat.le_antisymm (hab r) (hba r)

/-- …but not on the lists: `[0]` and `[]` are mutually `leq` and different. -/
theorem VectorClock.leq_antisymm_counterexample :
    (⟨[⟨0⟩]⟩ : VectorClock).leq ⟨[]⟩ ∧ (⟨[]⟩ : VectorClock).leq ⟨[⟨0⟩]⟩ ∧ (⟨[⟨0⟩]⟩ : VectorClock) ≠ ⟨[]⟩ := by
  decide

/-- Happened-before is the strict part of `leq`. -/
theorem VectorClock.happenedBefore_iff (a b : VectorClock) : a.happenedBefore b ↔ a.leq b ∧ ¬ b.leq a := by
  simp only [VectorClock.happenedBefore, VectorClock.leq_iff_get, Classical.not_forall, Nat.not_le]
  refine and_congr_right fun _ => ⟨fun ⟨r, _, h⟩ => ⟨r, h⟩, fun ⟨r, h⟩ => ⟨r, ?_, h⟩⟩
  by_cases hr : r < max a.ticks.length b.ticks.length
  · exact hr
  · rw [VectorClock.get_eq_zero (by omega), VectorClock.get_eq_zero (by omega)] at h; exact absurd h (Nat.lt_irrefl 0)

/-- Happened-before is a strict partial order: irreflexive, transitive, hence asymmetric. -/
theorem VectorClock.happenedBefore_irrefl (a : VectorClock) : ¬ a.happenedBefore a := by
  rw [VectorClock.happenedBefore_iff]; exact fun h => h.2 h.1

theorem VectorClock.happenedBefore_trans {a b c : VectorClock} (hab : a.happenedBefore b) (hbc : b.happenedBefore c) :
    a.happenedBefore c := by
  rw [VectorClock.happenedBefore_iff] at *
  exact ⟨VectorClock.leq_trans hab.1 hbc.1, fun hca => hbc.2 (VectorClock.leq_trans hca hab.1)⟩

theorem VectorClock.happenedBefore_asymm {a b : VectorClock} (hab : a.happenedBefore b) : ¬ b.happenedBefore a :=
  fun hba => VectorClock.happenedBefore_irrefl a (VectorClock.happenedBefore_trans hab hba)

/-- Concurrency is symmetric and irreflexive. -/
theorem VectorClock.concurrent_comm (a b : VectorClock) : a.concurrent b ↔ b.concurrent a := by
  simp only [VectorClock.concurrent, And.comm]

theorem VectorClock.concurrent_irrefl (a : VectorClock) : ¬ a.concurrent a :=
  fun h => h.1 (VectorClock.leq_refl a)

/-- Any two clocks are ordered one way, the other way, concurrent, or read the same everywhere. -/
theorem VectorClock.trichotomy (a b : VectorClock) :
    a.happenedBefore b ∨ b.happenedBefore a ∨ a.concurrent b ∨ ∀ r, a.get r = b.get r := by
  simp only [VectorClock.happenedBefore_iff, VectorClock.concurrent]
  by_cases hab : a.leq b <;> by_cases hba : b.leq a
  · exact Or.inr (Or.inr (Or.inr (VectorClock.leq_antisymm hab hba)))
  · exact Or.inl ⟨hab, hba⟩
  · exact Or.inr (Or.inl ⟨hba, hab⟩)
  · exact Or.inr (Or.inr (Or.inl ⟨hab, hba⟩))

/-- A tick by `r` adds one to entry `r` and leaves every other entry as it was. -/
theorem VectorClock.get_tick (r s : Nat) (v : VectorClock) :
    (v.tick r).get s = if s = r then v.get r + 1 else v.get s := by
  simp only [VectorClock.get, VectorClock.tick, entry_setAt]; split <;> rfl

/-- A tick is a new event: the clock before it happened before the clock after it. -/
theorem VectorClock.happenedBefore_tick (r : Nat) (v : VectorClock) : v.happenedBefore (v.tick r) := by
  rw [VectorClock.happenedBefore_iff, VectorClock.leq_iff_get, VectorClock.leq_iff_get]
  refine ⟨fun s => ?_, fun h => ?_⟩
  · rw [VectorClock.get_tick]; split <;> (try subst_vars) <;> omega
  · have := h r; rw [VectorClock.get_tick, if_pos rfl] at this; omega

/-- `leq` agrees with the join: `a ≤ b` exactly when merging `a` into `b` leaves every entry of `b` as it was. -/
theorem VectorClock.leq_iff_get_join (a b : VectorClock) : a.leq b ↔ ∀ r, (a.join b).get r = b.get r := by
  simp only [VectorClock.leq_iff_get, VectorClock.get_join]
  exact forall_congr' fun _ => ⟨fun h => Nat.max_eq_right h, fun h => h ▸ Nat.le_max_left _ _⟩

/-- The join is the least upper bound for `leq`. -/
theorem VectorClock.leq_join_left (a b : VectorClock) : a.leq (a.join b) := by
  rw [VectorClock.leq_iff_get]; intro r; rw [VectorClock.get_join]; exact Nat.le_max_left _ _

theorem VectorClock.leq_join_right (a b : VectorClock) : b.leq (a.join b) := by
  rw [VectorClock.leq_iff_get]; intro r; rw [VectorClock.get_join]; exact Nat.le_max_right _ _

theorem VectorClock.join_leq {a b c : VectorClock} (ha : a.leq c) (hb : b.leq c) : (a.join b).leq c := by
  rw [VectorClock.leq_iff_get] at *; intro r; rw [VectorClock.get_join]; exact Nat.max_le.2 ⟨ha r, hb r⟩

/-- The lattice order of the join implies `leq` (the converse needs `a` no longer than `b`). -/
theorem VectorClock.leq_of_le {a b : VectorClock} (h : JoinSemilattice.le a b) : a.leq b := by
  have h' : a.join b = b := h
  rw [← h']; exact VectorClock.leq_join_left a b

/-- When `a` is no longer than `b`, `leq` is exactly the lattice order of the join. -/
theorem VectorClock.le_iff_leq {a b : VectorClock} (hl : a.ticks.length ≤ b.ticks.length) :
    JoinSemilattice.le a b ↔ a.leq b := by
  constructor
  · intro h
    have h' : a.join b = b := h
    intro r _
    have := congrArg (fun v : VectorClock => v.get r) h'
    simp only [VectorClock.get_join] at this
    omega
  · intro h
    show a.join b = b
    simp only [VectorClock.join]
    rw [NatMax.zipJoin_eq_right a.ticks b.ticks hl fun r => ?_]
    by_cases hr : r < max a.ticks.length b.ticks.length
    · exact h r hr
    · simp only [entry, List.getD_eq_getElem?_getD, List.getElem?_eq_none (show a.ticks.length ≤ r by omega),
        List.getElem?_eq_none (show b.ticks.length ≤ r by omega), Option.getD_none, Nat.le_refl]

end Hydrogen.State

end
