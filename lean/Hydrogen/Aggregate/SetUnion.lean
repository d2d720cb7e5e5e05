module

public import Hydrogen.Aggregate.Monoid

/-!
# Finite-set union

A finite set of natural-number ids is stored as the bitmask `∑ 2^i` of its
members (a bijection between finite subsets of ℕ and ℕ), so union is `lor`.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Aggregate

/-- A finite set of ids, as a bitmask. -/
structure SetUnion where
  bits : Nat
deriving DecidableEq

def SetUnion.merge (a b : SetUnion) : SetUnion := ⟨a.bits ||| b.bits⟩

/-- Membership of id `i`. -/
def SetUnion.mem (i : Nat) (s : SetUnion) : Bool := s.bits.testBit i

/-- The set holding only `i`. -/
def SetUnion.singleton (i : Nat) : SetUnion := ⟨2 ^ i⟩

/-- The set holding exactly the listed ids. -/
def SetUnion.ofList (ids : List Nat) : SetUnion := ⟨ids.foldr (fun i acc => 2 ^ i ||| acc) 0⟩

def SetUnion.empty : SetUnion := ⟨0⟩

theorem SetUnion.merge_assoc (a b c : SetUnion) : (a.merge b).merge c = a.merge (b.merge c) := by
  simp only [SetUnion.merge, Nat.or_assoc]
theorem SetUnion.empty_merge (a : SetUnion) : SetUnion.empty.merge a = a := by
  simp only [SetUnion.empty, SetUnion.merge, Nat.zero_or]
theorem SetUnion.merge_empty (a : SetUnion) : a.merge SetUnion.empty = a := by
  simp only [SetUnion.empty, SetUnion.merge, Nat.or_zero]
theorem SetUnion.merge_comm (a b : SetUnion) : a.merge b = b.merge a := by
  simp only [SetUnion.merge, Nat.or_comm]

instance SetUnion.aggregationMonoid : AggregationMonoid SetUnion :=
  ⟨SetUnion.empty, SetUnion.merge, SetUnion.merge_assoc, SetUnion.empty_merge, SetUnion.merge_empty,
    SetUnion.merge_comm⟩

/-- An id is in the union exactly when it is in either set. -/
theorem SetUnion.mem_merge (i : Nat) (a b : SetUnion) :
    (a.merge b).mem i = (a.mem i || b.mem i) := by
  simp only [SetUnion.merge, SetUnion.mem, Nat.testBit_or]

end Hydrogen.Aggregate

end
