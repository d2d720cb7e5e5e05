module

public import Hydrogen.Aggregate.Monoid

/-!
# Pointwise merge of maps (e.g. resource demand per id)

A map from ids to summaries, merged key by key with the summaries' own merge.
It is modelled as a total function whose absent keys hold `empty`; `ofList`
builds the finite maps that implementations store.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Aggregate

open AggregationMonoid

/-- Summaries of type `α` per id; keys that were never set hold `empty`. -/
structure PointwiseMap (α : Type) where
  get : Nat → α

variable {α : Type} [AggregationMonoid α]

def PointwiseMap.merge (a b : PointwiseMap α) : PointwiseMap α :=
  ⟨fun i => AggregationMonoid.merge (a.get i) (b.get i)⟩

/-- The map holding the listed entries; repeated ids are merged. -/
def PointwiseMap.ofList (entries : List (Nat × α)) : PointwiseMap α :=
  ⟨fun i => fold ((entries.filter (fun e => e.1 == i)).map Prod.snd)⟩

omit [AggregationMonoid α] in
theorem PointwiseMap.ext {a b : PointwiseMap α} (h : ∀ i, a.get i = b.get i) : a = b := by
  cases a; cases b; simp only [PointwiseMap.mk.injEq]; exact funext h

def PointwiseMap.empty : PointwiseMap α := ⟨fun _ => AggregationMonoid.empty⟩

theorem PointwiseMap.merge_assoc (a b c : PointwiseMap α) : (a.merge b).merge c = a.merge (b.merge c) :=
  PointwiseMap.ext fun i => by simp only [PointwiseMap.merge, AggregationMonoid.merge_assoc]
theorem PointwiseMap.empty_merge (a : PointwiseMap α) : PointwiseMap.empty.merge a = a :=
  PointwiseMap.ext fun i => by simp only [PointwiseMap.empty, PointwiseMap.merge, AggregationMonoid.empty_merge]
theorem PointwiseMap.merge_empty (a : PointwiseMap α) : a.merge PointwiseMap.empty = a :=
  PointwiseMap.ext fun i => by simp only [PointwiseMap.empty, PointwiseMap.merge, AggregationMonoid.merge_empty]
theorem PointwiseMap.merge_comm (a b : PointwiseMap α) : a.merge b = b.merge a :=
  PointwiseMap.ext fun i => by simp only [PointwiseMap.merge]; exact AggregationMonoid.merge_comm _ _

instance PointwiseMap.aggregationMonoid : AggregationMonoid (PointwiseMap α) :=
  ⟨PointwiseMap.empty, PointwiseMap.merge, PointwiseMap.merge_assoc, PointwiseMap.empty_merge,
    PointwiseMap.merge_empty, PointwiseMap.merge_comm⟩

/-- Reading a merged map reads both maps and merges the values. -/
theorem PointwiseMap.get_merge (a b : PointwiseMap α) (i : Nat) :
    (a.merge b).get i = AggregationMonoid.merge (a.get i) (b.get i) := rfl

/-- Building from a concatenation equals merging the two built maps. -/
theorem PointwiseMap.ofList_append (xs ys : List (Nat × α)) :
    PointwiseMap.ofList (xs ++ ys) = (PointwiseMap.ofList xs).merge (PointwiseMap.ofList ys) :=
  PointwiseMap.ext fun i => by
    simp only [PointwiseMap.ofList, PointwiseMap.merge, List.filter_append, List.map_append, fold_append]

end Hydrogen.Aggregate

end
