module

public import Hydrogen.Tree.Summary

/-!
# Theorems that pin which summary a coordinator keeps

`LatestPerChild.join_*` hold for "keep the greater" under any strict total
order, and `get_offerAll_version_newest` is stated through the `Version` order
instance. This theorem states it in primitive terms: no version delivered to a
slot is lexicographically newer by `(term, epoch, seq)` than the kept one. The
audit is in `spec/pinning.md`.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Tree

private theorem version_lt_iff (a b : Version) :
    StrictTotalOrder.lt a b = true ↔
      a.term < b.term ∨ (a.term = b.term ∧ (a.epoch < b.epoch ∨ (a.epoch = b.epoch ∧ a.seq < b.seq))) := by
  show (decide (a.term < b.term) || (decide (a.term = b.term) &&
      (decide (a.epoch < b.epoch) || (decide (a.epoch = b.epoch) && decide (a.seq < b.seq))))) = true ↔ _
  simp only [Bool.or_eq_true, Bool.and_eq_true, decide_eq_true_eq]

/-- **The kept version is the lexicographically newest**: for every delivery to
slot `k`, the kept entry's `(term, epoch, seq)` is not lexicographically below
the delivery's. -/
theorem LatestPerChild.get_offerAll_lex_newest {ds : List Delivery} {k : Nat} {e : Entry} (h : ⟨k, e⟩ ∈ ds) :
    ∃ e', LatestPerChild.get (LatestPerChild.offerAll ds) k = some e' ∧
      ¬ (e'.version.term < e.version.term ∨ (e'.version.term = e.version.term ∧
        (e'.version.epoch < e.version.epoch ∨
          (e'.version.epoch = e.version.epoch ∧ e'.version.seq < e.version.seq)))) := by
  obtain ⟨e', h1, h2⟩ := LatestPerChild.get_offerAll_version_newest h
  refine ⟨e', h1, fun hlt => ?_⟩
  rw [← version_lt_iff] at hlt
  rw [hlt] at h2
  cases h2

end Hydrogen.Tree

end
