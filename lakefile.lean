import Lake
open Lake DSL

/-! For users with an official Lean toolchain (elan + lake). On machines
without one, `make proofs` checks the same sources with the npm Lean. -/

package hydrogen where
  leanOptions := #[⟨`autoImplicit, false⟩]

/-- The proofs. -/
@[default_target]
lean_lib Hydrogen where
  srcDir := "lean"

/-- Generated conformance vectors, checked by the kernel. -/
@[default_target]
lean_lib HydrogenVectors where
  srcDir := "gen/lean"
  roots := #[`Hydrogen.Vectors]
