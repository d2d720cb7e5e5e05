module

public import Init

/-!
# Commutative aggregation monoids

A summary type is safe to aggregate up a coordinator tree when merging is
associative (any grouping), commutative (any order) and has an identity (empty
subtrees). `fold` is the sequential reference every tree shape must agree with.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Aggregate

/-- A summary type whose `merge` may be applied in any grouping and any order. -/
class AggregationMonoid (α : Type) where
  empty : α
  merge : α → α → α
  merge_assoc : ∀ a b c : α, merge (merge a b) c = merge a (merge b c)
  empty_merge : ∀ a : α, merge empty a = a
  merge_empty : ∀ a : α, merge a empty = a
  merge_comm : ∀ a b : α, merge a b = merge b a

namespace AggregationMonoid

variable {α : Type} [AggregationMonoid α]

/-- Sequential aggregation of a list of summaries: the reference result. -/
def fold (xs : List α) : α := xs.foldr merge empty

theorem fold_nil : fold ([] : List α) = empty := rfl

theorem fold_cons (a : α) (xs : List α) : fold (a :: xs) = merge a (fold xs) := rfl

theorem fold_singleton (a : α) : fold [a] = a := by
  rw [fold_cons, fold_nil, merge_empty]

/-- Folding a concatenation merges the folds of the parts. -/
theorem fold_append (xs ys : List α) : fold (xs ++ ys) = merge (fold xs) (fold ys) := by
  induction xs with
  | nil => rw [List.nil_append, fold_nil, empty_merge]
  | cons x xs ih => rw [List.cons_append, fold_cons, fold_cons, ih, merge_assoc]

/-- Order does not matter: permuted summaries fold to the same value. -/
theorem fold_perm {xs ys : List α} (h : xs.Perm ys) : fold xs = fold ys := by
  induction h with
  | nil => rfl
  | cons x _ ih => rw [fold_cons, fold_cons, ih]
  | swap x y l =>
    rw [fold_cons, fold_cons, fold_cons, fold_cons, ← merge_assoc, merge_comm y x, merge_assoc]
  | trans _ _ ih1 ih2 => exact ih1.trans ih2

end AggregationMonoid

end Hydrogen.Aggregate

end
