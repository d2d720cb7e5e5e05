module

public import Init

/-!
# Summaries that are not safe to aggregate in a tree

Each theorem refutes a law the tree relies on, with a concrete witness.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Aggregate.Counterexamples

/-- Averaging two averages, as naive code does. -/
def average (a b : Rat) : Rat := (a + b) / 2

/-- Plain average is not associative: avg(avg(1,2),3) = 9/4 but avg(1,avg(2,3)) = 7/4. -/
theorem average_not_assoc : ¬ ∀ a b c : Rat, average (average a b) c = average a (average b c) := by
  intro h
  have h123 := h 1 2 3
  simp only [average] at h123
  grind

/-- Concatenating lists, as a log of events would. -/
def concat (a b : List Nat) : List Nat := a ++ b

/-- Concatenation is not commutative: [1] ++ [2] ≠ [2] ++ [1]. -/
theorem concat_not_comm : ¬ ∀ a b : List Nat, concat a b = concat b a := by
  intro h
  exact absurd (h [1] [2]) (by decide)

/-- A register stamped with a timestamp only. -/
structure Stamped where
  timestamp : Nat
  value : Nat
deriving DecidableEq

/-- Last writer wins by timestamp alone: on a tie the left argument is kept. -/
def lwwByTimestamp (a b : Stamped) : Stamped := if a.timestamp < b.timestamp then b else a

/-- Without a tie-break, equal timestamps make the merge order-dependent. -/
theorem lwwByTimestamp_not_comm : ¬ ∀ a b : Stamped, lwwByTimestamp a b = lwwByTimestamp b a := by
  intro h
  exact absurd (h ⟨5, 1⟩ ⟨5, 2⟩) (by decide)

end Hydrogen.Aggregate.Counterexamples

end
