module

public import Hydrogen.State.Lattice

/-!
# Last-writer-wins register and map

Writes are ordered by timestamp, then replica id, then value, a total order,
so the merge (keep the later write) is a semilattice. Without the replica
tie-break two writes with equal timestamps would merge differently in different
orders (`Hydrogen.Aggregate.Counterexamples.lwwByTimestamp_not_comm`); the value
component only matters if one replica reuses a timestamp.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.State

open JoinSemilattice

/-- One write: when, by whom, what. -/
structure LWWReg where
  timestamp : Nat
  replica : Nat
  value : Nat
deriving DecidableEq

/-- `a` was written before `b` in the total order (timestamp, replica, value). -/
def LWWReg.lt (a b : LWWReg) : Prop :=
  a.timestamp < b.timestamp ∨
    (a.timestamp = b.timestamp ∧ (a.replica < b.replica ∨ (a.replica = b.replica ∧ a.value < b.value)))

instance (a b : LWWReg) : Decidable (a.lt b) := by unfold LWWReg.lt; exact inferInstance

/-- Keep the later write. -/
def LWWReg.join (a b : LWWReg) : LWWReg := if a.lt b then b else a

theorem LWWReg.eq_of_not_lt {a b : LWWReg} (h1 : ¬ a.lt b) (h2 : ¬ b.lt a) : a = b := by
  obtain ⟨t1, r1, v1⟩ := a
  obtain ⟨t2, r2, v2⟩ := b
  simp only [LWWReg.lt, LWWReg.mk.injEq] at *
  omega

theorem LWWReg.join_assoc (a b c : LWWReg) : (a.join b).join c = a.join (b.join c) := by
  obtain ⟨t1, r1, v1⟩ := a
  obtain ⟨t2, r2, v2⟩ := b
  obtain ⟨t3, r3, v3⟩ := c
  unfold LWWReg.join
  by_cases hab : LWWReg.lt ⟨t1, r1, v1⟩ ⟨t2, r2, v2⟩ <;>
  by_cases hbc : LWWReg.lt ⟨t2, r2, v2⟩ ⟨t3, r3, v3⟩ <;>
  by_cases hac : LWWReg.lt ⟨t1, r1, v1⟩ ⟨t3, r3, v3⟩ <;>
  simp only [hab, hbc, hac, if_true, if_false] <;>
  simp only [LWWReg.lt, LWWReg.mk.injEq] at * <;>
  omega

theorem LWWReg.join_comm (a b : LWWReg) : a.join b = b.join a := by
  unfold LWWReg.join
  by_cases h1 : a.lt b
  · have h2 : ¬ b.lt a := by
      obtain ⟨t1, r1, v1⟩ := a; obtain ⟨t2, r2, v2⟩ := b; simp only [LWWReg.lt] at *; omega
    simp [h1, h2]
  · by_cases h2 : b.lt a
    · simp [h1, h2]
    · simp only [h1, h2, if_false]; exact LWWReg.eq_of_not_lt h1 h2

theorem LWWReg.join_idem (a : LWWReg) : a.join a = a := by
  unfold LWWReg.join; split <;> rfl

instance LWWReg.joinSemilattice : JoinSemilattice LWWReg :=
  ⟨LWWReg.join, LWWReg.join_assoc, LWWReg.join_comm, LWWReg.join_idem⟩

/-- Last-writer-wins map: entry `k` holds the latest write to key `k`, if any. -/
structure LWWMap where
  entries : List (Option LWWReg)
deriving DecidableEq

def LWWMap.empty : LWWMap := ⟨[]⟩
def LWWMap.join (a b : LWWMap) : LWWMap := ⟨zipJoin a.entries b.entries⟩

/-- The current write at key `k`. -/
def LWWMap.get (m : LWWMap) (k : Nat) : Option LWWReg := entry m.entries k

/-- Write `w` to key `k` (kept only if it is later than what is there). -/
def LWWMap.set (k : Nat) (w : LWWReg) (m : LWWMap) : LWWMap :=
  ⟨setAt k (JoinSemilattice.join (m.get k) (some w)) m.entries⟩

/-- The delta of `set k w`: key `k` alone. -/
def LWWMap.setDelta (k : Nat) (w : LWWReg) : LWWMap := ⟨single k (some w)⟩

theorem LWWMap.join_assoc (a b c : LWWMap) : (a.join b).join c = a.join (b.join c) := by
  simp only [LWWMap.join, zipJoin_assoc]
theorem LWWMap.join_comm (a b : LWWMap) : a.join b = b.join a := by
  simp only [LWWMap.join, LWWMap.mk.injEq]; exact zipJoin_comm _ _
theorem LWWMap.join_idem (a : LWWMap) : a.join a = a := by simp only [LWWMap.join, zipJoin_idem]

instance LWWMap.joinSemilattice : JoinSemilattice LWWMap :=
  ⟨LWWMap.join, LWWMap.join_assoc, LWWMap.join_comm, LWWMap.join_idem⟩

/-- Delta mutator agrees with the mutator: `m ⊔ setDelta k w = set k w m`. -/
theorem LWWMap.join_setDelta (k : Nat) (w : LWWReg) (m : LWWMap) : m.join (LWWMap.setDelta k w) = m.set k w := by
  simp only [LWWMap.join, LWWMap.setDelta, LWWMap.set, LWWMap.get, zipJoin_single]

/-- Reading a merged map reads the later of the two writes. -/
theorem LWWMap.get_join (a b : LWWMap) (k : Nat) : (a.join b).get k = JoinSemilattice.join (a.get k) (b.get k) := by
  simp only [LWWMap.get, LWWMap.join, entry_zipJoin]

end Hydrogen.State

end
