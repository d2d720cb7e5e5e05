module

public import Hydrogen.Render.Commands

/-!
# Theorems that pin culling's boundary

The culling theorems (`mem_cull`, `count_cull`, `cull_append`) are stated
through `intersects` and would hold for a closed rectangle as well as a
half-open one. This theorem states what `intersects` means in points: the
Element and the view share a point of the 1/16 px grid, both rectangles
half-open, so an Element that starts at the view's right edge is culled.
The audit is in `spec/pinning.md`.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Render

open Hydrogen.Wire

/-- **Culling keeps exactly the Elements that share a point with the view**:
`intersects` holds iff the viewport matches and some grid point lies in both
half-open rectangles `[left, right) × [top, bottom)` and
`[x, x + 16·width) × [y, y + 16·height)`. -/
theorem intersects_iff_common_point (v : View) (e : Element) :
    intersects v e = true ↔ e.viewport = v.viewport ∧ ∃ px py : Int,
      v.left ≤ px ∧ px < v.right ∧ e.x ≤ px ∧ px < e.x + 16 * (e.width : Int) ∧
      v.top ≤ py ∧ py < v.bottom ∧ e.y ≤ py ∧ py < e.y + 16 * (e.height : Int) := by
  simp only [intersects, decide_eq_true_eq]
  constructor
  · rintro ⟨hv, hw, hh, hl, ht, h1, h2, h3, h4⟩
    refine ⟨hv, if v.left ≤ e.x then e.x else v.left, if v.top ≤ e.y then e.y else v.top, ?_⟩
    split <;> split <;> omega
  · rintro ⟨hv, px, py, h⟩
    exact ⟨hv, by omega, by omega, by omega, by omega, by omega, by omega, by omega, by omega⟩

end Hydrogen.Render

end
