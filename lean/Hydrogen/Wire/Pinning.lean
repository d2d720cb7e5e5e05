module

public import Hydrogen.Wire.Delta

/-!
# Theorems that pin the order in which deltas apply

`apply_diff` and `applyAll_diffs` hold for any `applyAll` that reaches the
last version of a chain of diffs; they do not say what happens when two
deltas of a list name the same field. This theorem does: the last delta that
names a field wins. The audit is in `spec/pinning.md`.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Wire

private theorem field_applyAll {α : Type} (f : Delta → Option α) (g : Element → α)
    (hg : ∀ e d, g (apply e d) = (f d).getD (g e)) (e : Element) (ds : List Delta) :
    g (applyAll e ds) = (ds.reverse.findSome? f).getD (g e) := by
  induction ds generalizing e with
  | nil => rfl
  | cons d ds ih =>
    have h : applyAll e (d :: ds) = applyAll (apply e d) ds := rfl
    rw [h, ih, hg, List.reverse_cons, List.findSome?_append]
    cases h1 : ds.reverse.findSome? f <;> cases h2 : f d <;> simp [h2]

/-- **Last delta wins, per field**: after applying deltas in list order, each
field holds the value of the last delta that changed it, or its old value when
none did. -/
theorem applyAll_last_wins (e : Element) (ds : List Delta) :
    (applyAll e ds).atom = (ds.reverse.findSome? (·.atom)).getD e.atom ∧
    (applyAll e ds).z = (ds.reverse.findSome? (·.z)).getD e.z ∧
    (applyAll e ds).viewport = (ds.reverse.findSome? (·.viewport)).getD e.viewport ∧
    (applyAll e ds).x = (ds.reverse.findSome? (·.x)).getD e.x ∧
    (applyAll e ds).y = (ds.reverse.findSome? (·.y)).getD e.y ∧
    (applyAll e ds).width = (ds.reverse.findSome? (·.width)).getD e.width ∧
    (applyAll e ds).height = (ds.reverse.findSome? (·.height)).getD e.height ∧
    (applyAll e ds).color = (ds.reverse.findSome? (·.color)).getD e.color :=
  ⟨field_applyAll _ Element.atom (fun _ _ => rfl) e ds, field_applyAll _ Element.z (fun _ _ => rfl) e ds,
    field_applyAll _ Element.viewport (fun _ _ => rfl) e ds, field_applyAll _ Element.x (fun _ _ => rfl) e ds,
    field_applyAll _ Element.y (fun _ _ => rfl) e ds, field_applyAll _ Element.width (fun _ _ => rfl) e ds,
    field_applyAll _ Element.height (fun _ _ => rfl) e ds, field_applyAll _ Element.color (fun _ _ => rfl) e ds⟩

end Hydrogen.Wire

end
