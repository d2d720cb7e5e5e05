module

public import Hydrogen.Wire.Element

/-!
# Element deltas

A delta names the fields that changed and their new values. `diff` keeps
exactly the changed fields and `apply` overrides them, so applying the diff of
two Elements to the first gives the second.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Wire

/-- Per-field changes; `none` means unchanged. -/
structure Delta where
  atom : Option Atom
  z : Option Int
  viewport : Option Nat
  x : Option Int
  y : Option Int
  width : Option Nat
  height : Option Nat
  color : Option Nat
deriving DecidableEq

/-- The delta that changes nothing. -/
def Delta.unchanged : Delta := ⟨none, none, none, none, none, none, none, none⟩

/-- `some new` when the field changed, else `none`. -/
def changed {α : Type} [DecidableEq α] (old new : α) : Option α := if old = new then none else some new

/-- The changes from `old` to `new`. -/
def diff (old new : Element) : Delta :=
  ⟨changed old.atom new.atom, changed old.z new.z, changed old.viewport new.viewport, changed old.x new.x,
    changed old.y new.y, changed old.width new.width, changed old.height new.height, changed old.color new.color⟩

/-- Override the changed fields. -/
def apply (e : Element) (d : Delta) : Element :=
  ⟨d.atom.getD e.atom, d.z.getD e.z, d.viewport.getD e.viewport, d.x.getD e.x, d.y.getD e.y,
    d.width.getD e.width, d.height.getD e.height, d.color.getD e.color⟩

/-- Apply several deltas in order. -/
def applyAll (e : Element) (ds : List Delta) : Element := ds.foldl apply e

/-! ## Delta records on the wire

A delta record is the element index (u32, little-endian), a field mask (one
byte, bit `i` set when field `i` changed, in field order: atom 1, z 2,
viewport 4, x 8, y 16, width 32, height 64, color 128), then the changed
fields' bytes in that order, each encoded as in the Element record (`encode`):
the atom as its kind byte and 4 payload bytes. Like `encode`, this is total:
values beyond a field's width are written modulo the width. -/

/-- The field mask of a delta: bit `i` is set exactly when field `i` changed. -/
def Delta.mask (d : Delta) : Nat :=
  (if d.atom.isSome then 1 else 0) + (if d.z.isSome then 2 else 0) + (if d.viewport.isSome then 4 else 0) +
    (if d.x.isSome then 8 else 0) + (if d.y.isSome then 16 else 0) + (if d.width.isSome then 32 else 0) +
    (if d.height.isSome then 64 else 0) + (if d.color.isSome then 128 else 0)

/-- The changed fields' bytes, in mask-bit order, each as in the Element record. -/
def Delta.fieldBytes (d : Delta) : List Nat :=
  (d.atom.map fun a => a.kind :: a.payload).getD [] ++ (d.z.map fun z => u16le (twos 16 z)).getD [] ++
    (d.viewport.map u32le).getD [] ++ (d.x.map fun x => u32le (twos 32 x)).getD [] ++
    (d.y.map fun y => u32le (twos 32 y)).getD [] ++ (d.width.map u16le).getD [] ++
    (d.height.map u16le).getD [] ++ (d.color.map u32le).getD []

/-- One delta record: index (u32 LE), mask byte, changed fields. -/
def encodeDeltaRecord (index : Nat) (d : Delta) : List Nat := u32le index ++ [d.mask] ++ d.fieldBytes

theorem getD_changed {α : Type} [DecidableEq α] (old new : α) : (changed old new).getD old = new := by
  unfold changed; by_cases h : old = new <;> simp [h]

/-- **Diff/apply law**: `apply old (diff old new) = new`. -/
theorem apply_diff (old new : Element) : apply old (diff old new) = new := by
  simp only [apply, diff, getD_changed]

/-- Diffing an Element with itself gives the unchanged delta. -/
theorem diff_self (e : Element) : diff e e = Delta.unchanged := by
  simp [diff, changed, Delta.unchanged]

/-- The unchanged delta changes nothing. -/
theorem apply_unchanged (e : Element) : apply e Delta.unchanged = e := by
  simp [apply, Delta.unchanged]

/-- A chain of diffs through intermediate versions lands on the last version. -/
theorem applyAll_diffs (e : Element) (vs : List Element) :
    applyAll e ((e :: vs).zip vs |>.map fun p => diff p.1 p.2) = (e :: vs).getLast (by simp) := by
  induction vs generalizing e with
  | nil => simp [applyAll]
  | cons v vs ih =>
    simp only [List.zip_cons_cons, List.map_cons, applyAll, List.foldl_cons, apply_diff]
    have := ih v
    simp only [applyAll] at this
    rw [this]
    simp [List.getLast_cons]

end Hydrogen.Wire

end
