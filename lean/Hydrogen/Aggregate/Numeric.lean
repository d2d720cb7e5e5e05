module

public import Hydrogen.Aggregate.Monoid

/-!
# Numeric summaries: sum, count, max, min, and sum+count for averages

Max and min carry an explicit "no value yet" (`none`) as their identity, so an
empty subtree is neutral without inventing a sentinel number.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Aggregate

/-- Sum of integer leaf values. -/
structure Sum where
  total : Int
deriving DecidableEq

def Sum.empty : Sum := ⟨0⟩
def Sum.merge (a b : Sum) : Sum := ⟨a.total + b.total⟩

theorem Sum.merge_assoc (a b c : Sum) : (a.merge b).merge c = a.merge (b.merge c) := by
  simp only [Sum.merge, Int.add_assoc]
theorem Sum.empty_merge (a : Sum) : Sum.empty.merge a = a := by simp only [Sum.empty, Sum.merge, Int.zero_add]
theorem Sum.merge_empty (a : Sum) : a.merge Sum.empty = a := by simp only [Sum.empty, Sum.merge, Int.add_zero]
theorem Sum.merge_comm (a b : Sum) : a.merge b = b.merge a := by simp only [Sum.merge, Int.add_comm]

instance Sum.aggregationMonoid : AggregationMonoid Sum :=
  ⟨Sum.empty, Sum.merge, Sum.merge_assoc, Sum.empty_merge, Sum.merge_empty, Sum.merge_comm⟩

/-- Number of leaves. -/
structure Count where
  count : Nat
deriving DecidableEq

def Count.empty : Count := ⟨0⟩
def Count.merge (a b : Count) : Count := ⟨a.count + b.count⟩

theorem Count.merge_assoc (a b c : Count) : (a.merge b).merge c = a.merge (b.merge c) := by
  simp only [Count.merge, Nat.add_assoc]
theorem Count.empty_merge (a : Count) : Count.empty.merge a = a := by simp only [Count.empty, Count.merge, Nat.zero_add]
theorem Count.merge_empty (a : Count) : a.merge Count.empty = a := by simp only [Count.empty, Count.merge, Nat.add_zero]
theorem Count.merge_comm (a b : Count) : a.merge b = b.merge a := by simp only [Count.merge, Nat.add_comm]

instance Count.aggregationMonoid : AggregationMonoid Count :=
  ⟨Count.empty, Count.merge, Count.merge_assoc, Count.empty_merge, Count.merge_empty, Count.merge_comm⟩

/-- Largest value seen; `none` until a value is seen. -/
structure Max where
  value : Option Int
deriving DecidableEq

def Max.empty : Max := ⟨none⟩
def Max.merge : Max → Max → Max
  | ⟨none⟩, b => b
  | a, ⟨none⟩ => a
  | ⟨some x⟩, ⟨some y⟩ => ⟨some (max x y)⟩

theorem Max.merge_assoc (a b c : Max) : (a.merge b).merge c = a.merge (b.merge c) := by
  obtain ⟨a⟩ := a; obtain ⟨b⟩ := b; obtain ⟨c⟩ := c
  cases a <;> cases b <;> cases c <;> simp [Max.merge, Int.max_assoc]
theorem Max.empty_merge (a : Max) : Max.empty.merge a = a := by obtain ⟨a⟩ := a; cases a <;> rfl
theorem Max.merge_empty (a : Max) : a.merge Max.empty = a := by obtain ⟨a⟩ := a; cases a <;> rfl
theorem Max.merge_comm (a b : Max) : a.merge b = b.merge a := by
  obtain ⟨a⟩ := a; obtain ⟨b⟩ := b
  cases a <;> cases b <;> simp [Max.merge, Int.max_comm]

instance Max.aggregationMonoid : AggregationMonoid Max :=
  ⟨Max.empty, Max.merge, Max.merge_assoc, Max.empty_merge, Max.merge_empty, Max.merge_comm⟩

/-- Smallest value seen; `none` until a value is seen. -/
structure Min where
  value : Option Int
deriving DecidableEq

def Min.empty : Min := ⟨none⟩
def Min.merge : Min → Min → Min
  | ⟨none⟩, b => b
  | a, ⟨none⟩ => a
  | ⟨some x⟩, ⟨some y⟩ => ⟨some (min x y)⟩

theorem Min.merge_assoc (a b c : Min) : (a.merge b).merge c = a.merge (b.merge c) := by
  obtain ⟨a⟩ := a; obtain ⟨b⟩ := b; obtain ⟨c⟩ := c
  cases a <;> cases b <;> cases c <;> simp [Min.merge, Int.min_assoc]
theorem Min.empty_merge (a : Min) : Min.empty.merge a = a := by obtain ⟨a⟩ := a; cases a <;> rfl
theorem Min.merge_empty (a : Min) : a.merge Min.empty = a := by obtain ⟨a⟩ := a; cases a <;> rfl
theorem Min.merge_comm (a b : Min) : a.merge b = b.merge a := by
  obtain ⟨a⟩ := a; obtain ⟨b⟩ := b
  cases a <;> cases b <;> simp [Min.merge, Int.min_comm]

instance Min.aggregationMonoid : AggregationMonoid Min :=
  ⟨Min.empty, Min.merge, Min.merge_assoc, Min.empty_merge, Min.merge_empty, Min.merge_comm⟩

/-- Sum and count together: the mergeable form of an average. -/
structure SumCount where
  sum : Int
  count : Nat
deriving DecidableEq

def SumCount.empty : SumCount := ⟨0, 0⟩
def SumCount.merge (a b : SumCount) : SumCount := ⟨a.sum + b.sum, a.count + b.count⟩

/-- A single observation. -/
def SumCount.ofValue (v : Int) : SumCount := ⟨v, 1⟩

/-- The average of everything merged so far; `none` when nothing was merged. -/
def SumCount.average (a : SumCount) : Option Rat :=
  if a.count = 0 then none else some ((a.sum : Rat) / (a.count : Rat))

theorem SumCount.merge_assoc (a b c : SumCount) : (a.merge b).merge c = a.merge (b.merge c) := by
  simp only [SumCount.merge, Int.add_assoc, Nat.add_assoc]
theorem SumCount.empty_merge (a : SumCount) : SumCount.empty.merge a = a := by
  simp only [SumCount.empty, SumCount.merge, Int.zero_add, Nat.zero_add]
theorem SumCount.merge_empty (a : SumCount) : a.merge SumCount.empty = a := by
  simp only [SumCount.empty, SumCount.merge, Int.add_zero, Nat.add_zero]
theorem SumCount.merge_comm (a b : SumCount) : a.merge b = b.merge a := by
  simp only [SumCount.merge, Int.add_comm, Nat.add_comm]

instance SumCount.aggregationMonoid : AggregationMonoid SumCount :=
  ⟨SumCount.empty, SumCount.merge, SumCount.merge_assoc, SumCount.empty_merge, SumCount.merge_empty,
    SumCount.merge_comm⟩

end Hydrogen.Aggregate

end
