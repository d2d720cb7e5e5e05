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

/-- Aggregating through `Tree.kary k xs` equals the sequential fold. This holds
for every `k`, 0 and 1 included, because it only uses that `kary` keeps the
leaves in order (`leaves_kary`); it says nothing about the tree's shape. For
`k = 0` or `1` the tree is not k-ary (grouping stops when the fuel runs out,
leaving one wide node); the arity for `k ≥ 2` is `Tree.arity_kary`. -/
theorem Tree.aggregate_kary [AggregationMonoid α] (k : Nat) (xs : List α) :
    (Tree.kary k xs).aggregate = fold xs := by
  rw [Tree.aggregate_eq_fold_leaves, Tree.leaves_kary]

mutual
/-- Every inner node has at least one and at most `k` children (proof-only); the
tests check it with their own walk over the TypeScript tree. -/
def Tree.Arity (k : Nat) : Tree α → Prop
  | .leaf _ => True
  | .node ts => 1 ≤ ts.length ∧ ts.length ≤ k ∧ Tree.ArityAll k ts

/-- `Tree.Arity k` for every tree of a forest (proof-only). -/
def Tree.ArityAll (k : Nat) : List (Tree α) → Prop
  | [] => True
  | t :: ts => Tree.Arity k t ∧ Tree.ArityAll k ts
end

theorem Tree.arityAll_iff (k : Nat) (ts : List (Tree α)) : Tree.ArityAll k ts ↔ ∀ t ∈ ts, t.Arity k := by
  induction ts with
  | nil => simp [Tree.ArityAll]
  | cons t ts ih => simp only [Tree.ArityAll, ih, List.mem_cons, forall_eq_or_imp]

/-- With enough fuel (`l.length + k ≤ k · fuel`), `chunk` makes groups of `1 … k` elements. -/
theorem length_mem_chunk {β : Type} {k : Nat} (hk : 1 ≤ k) (fuel : Nat) (l : List β)
    (h : l.length + k ≤ k * fuel) : ∀ c ∈ chunk k fuel l, 1 ≤ c.length ∧ c.length ≤ k := by
  induction fuel generalizing l with
  | zero => simp at h; omega
  | succ fuel ih =>
    cases l with
    | nil => simp [chunk]
    | cons x xs =>
      intro c hc
      simp only [chunk, List.mem_cons] at hc
      rcases hc with rfl | hc
      · simp only [List.length_take, List.length_cons]; omega
      · refine ih _ ?_ c hc
        rw [Nat.mul_succ] at h
        simp only [List.length_drop, List.length_cons] at h ⊢
        by_cases hkx : k ≤ xs.length + 1
        · omega
        · have hf : 1 ≤ fuel := by
            rcases Nat.eq_zero_or_pos fuel with rfl | hf
            · simp at h; omega
            · exact hf
          have : k * 1 ≤ k * fuel := Nat.mul_le_mul_left k hf
          omega

/-- A list of nonempty groups has at most as many groups as elements. -/
theorem length_le_length_flatten {β : Type} (cs : List (List β)) (h : ∀ c ∈ cs, 1 ≤ c.length) :
    cs.length ≤ cs.flatten.length := by
  induction cs with
  | nil => simp
  | cons c cs ih =>
    simp only [List.length_cons, List.flatten_cons, List.length_append]
    have := h c (List.mem_cons_self ..)
    have := ih fun d hd => h d (List.mem_cons_of_mem _ hd)
    omega

/-- For `k ≥ 2`, the k-ary tree over a nonempty list of leaves has between 1 and
`k` children at every inner node (the arity `aggregate_kary` does not state). -/
theorem Tree.arity_karyFrom {k : Nat} (hk : 2 ≤ k) (fuel : Nat) (ts : List (Tree α)) (hne : ts ≠ [])
    (hlen : ts.length ≤ fuel) (h : ∀ t ∈ ts, t.Arity k) : (Tree.karyFrom k fuel ts).Arity k := by
  induction fuel generalizing ts with
  | zero => cases ts with
    | nil => exact absurd rfl hne
    | cons t ts => simp at hlen
  | succ fuel ih =>
    match ts, hne, hlen, h with
    | [t], _, _, h => exact h t (List.mem_singleton_self t)
    | t :: u :: us, _, hlen, h =>
      simp only [Tree.karyFrom]
      have hl : (t :: u :: us).length + k ≤ k * (t :: u :: us).length := by
        simp only [List.length_cons] at hlen ⊢
        have h1 : k * 2 ≤ k * (us.length + 1 + 1) := Nat.mul_le_mul_left k (by omega)
        have h2 : 2 * (us.length + 1 + 1) ≤ k * (us.length + 1 + 1) := Nat.mul_le_mul_right _ hk
        omega
      have hc := length_mem_chunk (by omega) _ _ hl
      have hflat := flatten_chunk k (t :: u :: us).length (t :: u :: us)
      apply ih
      · simp [Tree.groupLevel, chunk]
      · -- at least the first group holds two trees, so there are fewer groups than trees
        simp only [Tree.groupLevel, List.length_map]
        simp only [List.length_cons, chunk] at hc hflat ⊢
        have hrest := length_le_length_flatten
          (chunk k (us.length + 1) ((t :: u :: us).drop k)) fun c hc' => (hc c (List.mem_cons_of_mem _ hc')).1
        rw [flatten_chunk] at hrest
        simp only [List.length_cons, List.length_drop] at hrest hlen ⊢
        omega
      · intro g hg
        simp only [Tree.groupLevel, List.mem_map] at hg
        obtain ⟨c, hcm, rfl⟩ := hg
        refine ⟨(hc c hcm).1, (hc c hcm).2, (Tree.arityAll_iff k c).mpr fun t' ht' => h t' ?_⟩
        rw [← hflat]
        exact List.mem_flatten.mpr ⟨c, hcm, ht'⟩

/-- **Arity**: for `k ≥ 2`, every inner node of `Tree.kary k xs` over a nonempty
list has at least one and at most `k` children. -/
theorem Tree.arity_kary {k : Nat} (hk : 2 ≤ k) (xs : List α) (hne : xs ≠ []) : (Tree.kary k xs).Arity k :=
  Tree.arity_karyFrom hk _ _ (by simpa using hne) (by simp) fun t ht => by
    simp only [List.mem_map] at ht
    obtain ⟨x, -, rfl⟩ := ht
    exact trivial

end Hydrogen.Aggregate

end
