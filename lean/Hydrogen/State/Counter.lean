module

public import Hydrogen.State.Lattice

/-!
# Counters and vector clocks

A grow-only counter keeps one entry per replica, merged by `max`; its value is
the sum. A PN-counter is two of them (increments, decrements). A vector clock
has the same shape; it orders events by happened-before.
Each mutator has a delta mutator whose result, joined into the state, equals
the mutator's result (`join_incDelta` and friends).
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.State

open JoinSemilattice

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

/-- Neither happened before the other, and they differ. -/
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

end Hydrogen.State

end
