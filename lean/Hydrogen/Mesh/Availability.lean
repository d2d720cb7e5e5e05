module

public import Init

/-!
# All of 30,000 nodes up at once (seed 002, Part 1.1)

The seed: with 99.9 % uptime each, the chance that all 30,000 are up is
`0.999^30000 ≈ 0.00000000000009`. Exactly, `0.999^30000 = 999^30000 / 10^90000`;
the kernel compares the integers (GMP-backed `Nat.pow`).
-/

@[expose] public section

set_option autoImplicit false

namespace Hydrogen.Mesh

/-- `9 · 10⁻¹⁴ ≤ 0.999^30000 < 10⁻¹³`: the seed's figure is right to its one
digit (the value is about `9.218 · 10⁻¹⁴`). -/
theorem allUp_30000_bounds :
    9 * 10 ^ 90000 ≤ 999 ^ 30000 * 10 ^ 14 ∧ 999 ^ 30000 * 10 ^ 13 < 10 ^ 90000 := by
  decide +kernel

/-- Sharper: `9.218 · 10⁻¹⁴ ≤ 0.999^30000 < 9.219 · 10⁻¹⁴`. -/
theorem allUp_30000_four_digits :
    9218 * 10 ^ 90000 ≤ 999 ^ 30000 * 10 ^ 17 ∧ 999 ^ 30000 * 10 ^ 17 < 9219 * 10 ^ 90000 := by
  decide +kernel

end Hydrogen.Mesh
