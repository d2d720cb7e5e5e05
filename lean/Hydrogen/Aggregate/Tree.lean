module

public import Hydrogen.Aggregate.Monoid

/-!
# Aggregation trees

A coordinator tree of any shape and arity. Aggregating a tree equals folding
its leaves left to right, so for a commutative monoid the shape and the leaf
order do not matter: "tree structure doesn't affect the result".
`kary` builds the balanced k-ary tree that the implementation computes level
by level.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Aggregate

open AggregationMonoid

/-- A tree whose leaves carry summaries; inner nodes have any number of children. -/
inductive Tree (α : Type) where
  | leaf (value : α)
  | node (children : List (Tree α))

variable {α : Type}

mutual
/-- The leaves, left to right. -/
def Tree.leaves : Tree α → List α
  | .leaf a => [a]
  | .node ts => Tree.leavesAll ts

/-- The leaves of a forest, left to right. -/
def Tree.leavesAll : List (Tree α) → List α
  | [] => []
  | t :: ts => t.leaves ++ Tree.leavesAll ts
end

section
variable [AggregationMonoid α]

mutual
/-- Aggregate bottom-up: each node merges its children's aggregates. -/
def Tree.aggregate : Tree α → α
  | .leaf a => a
  | .node ts => Tree.aggregateAll ts

/-- Merge of the aggregates of a forest. -/
def Tree.aggregateAll : List (Tree α) → α
  | [] => AggregationMonoid.empty
  | t :: ts => AggregationMonoid.merge t.aggregate (Tree.aggregateAll ts)
end

mutual
/-- Aggregating a tree equals folding its leaves. -/
theorem Tree.aggregate_eq_fold_leaves : (t : Tree α) → t.aggregate = fold t.leaves
  | .leaf a => by simp only [Tree.aggregate, Tree.leaves, fold_singleton]
  | .node ts => by
    simp only [Tree.aggregate, Tree.leaves]
    exact Tree.aggregateAll_eq_fold_leavesAll ts

theorem Tree.aggregateAll_eq_fold_leavesAll : (ts : List (Tree α)) → Tree.aggregateAll ts = fold (Tree.leavesAll ts)
  | [] => rfl
  | t :: ts => by
    simp only [Tree.aggregateAll, Tree.leavesAll, fold_append]
    rw [Tree.aggregate_eq_fold_leaves t, Tree.aggregateAll_eq_fold_leavesAll ts]
end

/-- Trees over the same leaves in any order and any shape aggregate to the same value. -/
theorem Tree.aggregate_eq_of_perm {t₁ t₂ : Tree α} (h : t₁.leaves.Perm t₂.leaves) :
    t₁.aggregate = t₂.aggregate := by
  rw [Tree.aggregate_eq_fold_leaves, Tree.aggregate_eq_fold_leaves]
  exact fold_perm h

end

/-- Split a list into consecutive groups of `k` (the last may be shorter);
`fuel` bounds the recursion, and when it runs out the rest forms one group. -/
def chunk {β : Type} (k : Nat) : Nat → List β → List (List β)
  | 0, l => [l]
  | _ + 1, [] => []
  | fuel + 1, x :: xs => (x :: xs).take k :: chunk k fuel ((x :: xs).drop k)

theorem flatten_chunk {β : Type} (k fuel : Nat) (l : List β) : (chunk k fuel l).flatten = l := by
  induction fuel generalizing l with
  | zero => simp [chunk]
  | succ fuel ih =>
    cases l with
    | nil => simp [chunk]
    | cons x xs => simp only [chunk, List.flatten_cons, ih, List.take_append_drop]

/-- One level up: every `k` consecutive subtrees get a parent. -/
def Tree.groupLevel (k : Nat) (ts : List (Tree α)) : List (Tree α) :=
  (chunk k ts.length ts).map Tree.node

/-- Repeatedly group until one root is left (or `fuel` runs out). -/
def Tree.karyFrom (k : Nat) : Nat → List (Tree α) → Tree α
  | 0, ts => .node ts
  | _ + 1, [t] => t
  | fuel + 1, ts => Tree.karyFrom k fuel (Tree.groupLevel k ts)

/-- The balanced k-ary tree over the leaves, built bottom-up by groups of `k`. -/
def Tree.kary (k : Nat) (leaves : List α) : Tree α :=
  Tree.karyFrom k leaves.length (leaves.map Tree.leaf)

theorem Tree.leavesAll_append (ts us : List (Tree α)) :
    Tree.leavesAll (ts ++ us) = Tree.leavesAll ts ++ Tree.leavesAll us := by
  induction ts with
  | nil => rfl
  | cons t ts ih => simp only [List.cons_append, Tree.leavesAll, ih, List.append_assoc]

theorem Tree.leavesAll_map_node (cs : List (List (Tree α))) :
    Tree.leavesAll (cs.map Tree.node) = Tree.leavesAll cs.flatten := by
  induction cs with
  | nil => rfl
  | cons c cs ih =>
    simp only [List.map_cons, Tree.leavesAll, Tree.leaves, List.flatten_cons, Tree.leavesAll_append, ih]

theorem Tree.leavesAll_groupLevel (k : Nat) (ts : List (Tree α)) :
    Tree.leavesAll (Tree.groupLevel k ts) = Tree.leavesAll ts := by
  simp only [Tree.groupLevel, Tree.leavesAll_map_node, flatten_chunk]

theorem Tree.leaves_karyFrom (k fuel : Nat) (ts : List (Tree α)) :
    (Tree.karyFrom k fuel ts).leaves = Tree.leavesAll ts := by
  induction fuel generalizing ts with
  | zero => simp only [Tree.karyFrom, Tree.leaves]
  | succ fuel ih =>
    match ts with
    | [t] => simp only [Tree.karyFrom, Tree.leavesAll, List.append_nil]
    | [] => simp only [Tree.karyFrom, ih, Tree.leavesAll_groupLevel]
    | t :: u :: us => simp only [Tree.karyFrom, ih, Tree.leavesAll_groupLevel]

theorem Tree.leavesAll_map_leaf (xs : List α) : Tree.leavesAll (xs.map Tree.leaf) = xs := by
  induction xs with
  | nil => rfl
  | cons x xs ih => simp only [List.map_cons, Tree.leavesAll, Tree.leaves, ih, List.singleton_append]

/-- The k-ary tree keeps every leaf, in order. -/
theorem Tree.leaves_kary (k : Nat) (xs : List α) : (Tree.kary k xs).leaves = xs := by
  simp only [Tree.kary, Tree.leaves_karyFrom, Tree.leavesAll_map_leaf]

/-- Aggregating through the k-ary tree equals the sequential fold, for every `k`. -/
theorem Tree.aggregate_kary [AggregationMonoid α] (k : Nat) (xs : List α) :
    (Tree.kary k xs).aggregate = fold xs := by
  rw [Tree.aggregate_eq_fold_leaves, Tree.leaves_kary]

end Hydrogen.Aggregate

end
