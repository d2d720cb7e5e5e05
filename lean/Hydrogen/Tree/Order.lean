module

public import Hydrogen.State.Lattice

/-!
# Strict total orders and their max

An order given as a Boolean test (so the kernel decides it in vectors), the
lexicographic order on pairs, and the key construction that orders a structure
by a tuple of its fields. Keeping the greater of two elements of a total order
is a join-semilattice (`StrictTotalOrder.join_assoc`, `join_comm`, `join_idem`):
what makes a last-writer-wins entry mergeable in any order.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Tree

open Hydrogen.State (JoinSemilattice)

/-- A strict total order as a Boolean test, so the kernel can decide it (proof-only). -/
class StrictTotalOrder (α : Type) where
  lt : α → α → Bool
  lt_irrefl : ∀ a, lt a a = false
  lt_trans : ∀ a b c, lt a b = true → lt b c = true → lt a c = true
  lt_total : ∀ a b, lt a b = true ∨ a = b ∨ lt b a = true

/-- Order a type by an injective key (proof-only). -/
def StrictTotalOrder.ofKey {α β : Type} [StrictTotalOrder β] (f : α → β) (inj : ∀ a b, f a = f b → a = b) :
    StrictTotalOrder α where
  lt a b := StrictTotalOrder.lt (f a) (f b)
  lt_irrefl a := StrictTotalOrder.lt_irrefl (f a)
  lt_trans a b c := StrictTotalOrder.lt_trans (f a) (f b) (f c)
  lt_total a b := by
    rcases StrictTotalOrder.lt_total (f a) (f b) with h | h | h
    · exact Or.inl h
    · exact Or.inr (Or.inl (inj a b h))
    · exact Or.inr (Or.inr h)

namespace StrictTotalOrder

variable {α : Type} [StrictTotalOrder α]

theorem lt_asymm {a b : α} (h : lt a b = true) : lt b a = false := by
  cases hba : lt b a with
  | false => rfl
  | true =>
    have h2 := lt_trans a b a h hba
    rw [lt_irrefl] at h2
    cases h2

/-- "Not greater" is transitive. -/
private theorem not_lt_trans {a b c : α} (hab : lt b a = false) (hbc : lt c b = false) : lt c a = false := by
  cases hca : lt c a with
  | false => rfl
  | true =>
    rcases lt_total a b with h | h | h
    · rw [lt_trans c a b hca h] at hbc; cases hbc
    · subst h; rw [hca] at hbc; cases hbc
    · rw [h] at hab; cases hab

/-- Keep the greater; `a` when neither is greater (then they are equal). -/
def join (a b : α) : α := if lt a b then b else a

theorem join_eq_or (a b : α) : join a b = a ∨ join a b = b := by
  unfold join; split
  · exact Or.inr rfl
  · exact Or.inl rfl

theorem join_assoc (a b c : α) : join (join a b) c = join a (join b c) := by
  unfold join
  cases hab : lt a b <;> cases hbc : lt b c <;> simp only [hab, hbc, Bool.false_eq_true, ↓reduceIte]
  · rw [not_lt_trans (a := c) (b := b) (c := a) hbc hab]; simp
  · rw [lt_trans a b c hab hbc]; simp

theorem join_comm (a b : α) : join a b = join b a := by
  unfold join
  cases hab : lt a b with
  | true => rw [lt_asymm hab]; simp
  | false =>
    cases hba : lt b a with
    | true => simp
    | false =>
      simp only [Bool.false_eq_true, ↓reduceIte]
      rcases lt_total a b with h | h | h
      · rw [hab] at h; cases h
      · exact h
      · rw [hba] at h; cases h

theorem join_idem (a : α) : join a a = a := by
  unfold join; simp [lt_irrefl]

/-- A total order's max is a join-semilattice (proof-only). -/
def joinSemilattice : JoinSemilattice α := ⟨join, join_assoc, join_comm, join_idem⟩

/-- Naturals by `<` (proof-only). -/
instance nat : StrictTotalOrder Nat where
  lt a b := decide (a < b)
  lt_irrefl a := by simp
  lt_trans a b c h1 h2 := by simp only [decide_eq_true_eq] at *; omega
  lt_total a b := by simp only [decide_eq_true_eq]; omega

/-- Integers by `<` (proof-only). -/
instance int : StrictTotalOrder Int where
  lt a b := decide (a < b)
  lt_irrefl a := by simp
  lt_trans a b c h1 h2 := by simp only [decide_eq_true_eq] at *; omega
  lt_total a b := by simp only [decide_eq_true_eq]; omega

/-- Lexicographic order on pairs (proof-only). -/
instance prod {β : Type} [DecidableEq α] [StrictTotalOrder β] : StrictTotalOrder (α × β) where
  lt p q := lt p.1 q.1 || (decide (p.1 = q.1) && lt p.2 q.2)
  lt_irrefl p := by simp [lt_irrefl]
  lt_trans p q r h1 h2 := by
    simp only [Bool.or_eq_true, Bool.and_eq_true, decide_eq_true_eq] at *
    rcases h1 with h1 | ⟨e1, h1⟩ <;> rcases h2 with h2 | ⟨e2, h2⟩
    · exact Or.inl (lt_trans _ _ _ h1 h2)
    · rw [← e2]; exact Or.inl h1
    · rw [e1]; exact Or.inl h2
    · exact Or.inr ⟨e1.trans e2, lt_trans _ _ _ h1 h2⟩
  lt_total p q := by
    simp only [Bool.or_eq_true, Bool.and_eq_true, decide_eq_true_eq]
    rcases lt_total p.1 q.1 with h | h | h
    · exact Or.inl (Or.inl h)
    · rcases lt_total p.2 q.2 with h2 | h2 | h2
      · exact Or.inl (Or.inr ⟨h, h2⟩)
      · exact Or.inr (Or.inl (Prod.ext h h2))
      · exact Or.inr (Or.inr (Or.inr ⟨h.symm, h2⟩))
    · exact Or.inr (Or.inr (Or.inl h))

end StrictTotalOrder

end Hydrogen.Tree

end
