module

public import Hydrogen.Aggregate.Monoid

/-!
# Axis-aligned bounding box (spatial extent)

The merge of two boxes is the smallest box containing both; `none` is the
empty extent, the identity.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Aggregate

/-- A closed box `[minX, maxX] × [minY, maxY]`. -/
structure Box where
  minX : Int
  minY : Int
  maxX : Int
  maxY : Int
deriving DecidableEq

/-- The smallest box containing both boxes. -/
def Box.hull (a b : Box) : Box :=
  ⟨min a.minX b.minX, min a.minY b.minY, max a.maxX b.maxX, max a.maxY b.maxY⟩

/-- The extent of a point. -/
def Box.point (x y : Int) : Box := ⟨x, y, x, y⟩

/-- Whether the point lies in the box. -/
def Box.contains (b : Box) (x y : Int) : Prop := b.minX ≤ x ∧ x ≤ b.maxX ∧ b.minY ≤ y ∧ y ≤ b.maxY

/-- Spatial extent of everything merged so far; `none` when empty. -/
structure BoundingBox where
  box : Option Box
deriving DecidableEq

def BoundingBox.merge : BoundingBox → BoundingBox → BoundingBox
  | ⟨none⟩, b => b
  | a, ⟨none⟩ => a
  | ⟨some x⟩, ⟨some y⟩ => ⟨some (x.hull y)⟩

theorem Box.hull_assoc (a b c : Box) : (a.hull b).hull c = a.hull (b.hull c) := by
  simp only [Box.hull, Int.min_assoc, Int.max_assoc]

theorem Box.hull_comm (a b : Box) : a.hull b = b.hull a := by
  simp only [Box.hull, Int.min_comm, Int.max_comm]

/-- The hull contains every point of the first box (and, by `hull_comm`, of the second). -/
theorem Box.contains_hull_left (a b : Box) (x y : Int) (h : a.contains x y) : (a.hull b).contains x y := by
  simp only [Box.contains, Box.hull] at *
  omega

def BoundingBox.empty : BoundingBox := ⟨none⟩

theorem BoundingBox.merge_assoc (a b c : BoundingBox) : (a.merge b).merge c = a.merge (b.merge c) := by
  obtain ⟨a⟩ := a; obtain ⟨b⟩ := b; obtain ⟨c⟩ := c
  cases a <;> cases b <;> cases c <;> simp [BoundingBox.merge, Box.hull_assoc]
theorem BoundingBox.empty_merge (a : BoundingBox) : BoundingBox.empty.merge a = a := by
  obtain ⟨a⟩ := a; cases a <;> rfl
theorem BoundingBox.merge_empty (a : BoundingBox) : a.merge BoundingBox.empty = a := by
  obtain ⟨a⟩ := a; cases a <;> rfl
theorem BoundingBox.merge_comm (a b : BoundingBox) : a.merge b = b.merge a := by
  obtain ⟨a⟩ := a; obtain ⟨b⟩ := b
  cases a <;> cases b <;> simp [BoundingBox.merge, Box.hull_comm]

instance BoundingBox.aggregationMonoid : AggregationMonoid BoundingBox :=
  ⟨BoundingBox.empty, BoundingBox.merge, BoundingBox.merge_assoc, BoundingBox.empty_merge,
    BoundingBox.merge_empty, BoundingBox.merge_comm⟩

end Hydrogen.Aggregate

end
