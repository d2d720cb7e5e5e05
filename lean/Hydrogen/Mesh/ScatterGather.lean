module

public import Init
public import Hydrogen.Mesh.Trinary

/-!
# Scatter-gather verdicts (seed 002, Part 3.2)

Two laws a caller of scatter-gather relies on. First, the verdict: the seed
returns SUCCESS or PARTIAL by `len(responses) / sent_count`, which divides by
zero when nothing is sent. Here the rate is READY responses over the targets
asked for, compared with `num / den` by cross-multiplication, and a third
verdict, FAILED, is given exactly when nothing READY came back. Second, the
gathered set: a response joins it only from a target that was sent to, and
only once, so what is gathered is exactly the sent targets that answered.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Mesh

/-- The three verdicts of a scatter: COMPLETE, PARTIAL (here `short`: short of
the minimum rate) and FAILED. -/
inductive GatherStatus where
  | complete | short | failed
  deriving DecidableEq, Repr

/-- FAILED without a READY response; COMPLETE when `ready / targets ≥ num / den`;
PARTIAL otherwise. -/
def gatherStatus (min : Ratio) (targets ready : Nat) : GatherStatus :=
  if ready = 0 then .failed
  else if min.num * targets ≤ ready * min.den then .complete
  else .short

theorem gatherStatus_failed_iff (min : Ratio) (targets ready : Nat) :
    gatherStatus min targets ready = .failed ↔ ready = 0 := by
  unfold gatherStatus
  by_cases h : ready = 0
  · simp [h]
  · by_cases h' : min.num * targets ≤ ready * min.den <;> simp [h, h']

theorem gatherStatus_complete_iff (min : Ratio) (targets ready : Nat) :
    gatherStatus min targets ready = .complete ↔ 0 < ready ∧ min.num * targets ≤ ready * min.den := by
  unfold gatherStatus
  by_cases h : ready = 0
  · simp [h]
  · by_cases h' : min.num * targets ≤ ready * min.den <;> simp [h, h'] <;> omega

/-- PARTIAL exactly when something READY came back but the rate is below the minimum. -/
theorem gatherStatus_partial_iff (min : Ratio) (targets ready : Nat) :
    gatherStatus min targets ready = .short ↔ 0 < ready ∧ ready * min.den < min.num * targets := by
  unfold gatherStatus
  by_cases h : ready = 0
  · simp [h]
  · by_cases h' : min.num * targets ≤ ready * min.den <;> simp [h, h'] <;> omega

/-- With every target READY and a minimum of at most one, the scatter is COMPLETE. -/
theorem gatherStatus_all_ready (min : Ratio) (targets : Nat) (hmin : min.num ≤ min.den) (ht : 0 < targets) :
    gatherStatus min targets targets = .complete := by
  rw [gatherStatus_complete_iff]
  exact ⟨ht, by rw [Nat.mul_comm]; exact Nat.mul_le_mul_left targets hmin⟩

/-- One response: it joins `got` only if it is from a target sent to and not yet in `got`. -/
def acceptOne {α : Type} [DecidableEq α] (expected : List α) (got : List α) (a : α) : List α :=
  if a ∈ expected ∧ a ∉ got then a :: got else got

/-- The gathered set after the responses `rs`, in arrival order. -/
def gathered {α : Type} [DecidableEq α] (expected rs : List α) : List α :=
  rs.foldl (acceptOne expected) []

theorem mem_foldl_acceptOne {α : Type} [DecidableEq α] (expected rs got : List α) (a : α) :
    a ∈ rs.foldl (acceptOne expected) got ↔ a ∈ got ∨ (a ∈ expected ∧ a ∈ rs) := by
  induction rs generalizing got with
  | nil => simp
  | cons r rs ih =>
    rw [List.foldl_cons, ih]
    unfold acceptOne
    by_cases h : r ∈ expected ∧ r ∉ got
    · rw [if_pos h]
      by_cases e : a = r
      · subst e; simp [h.1]
      · simp [e]
    · rw [if_neg h]
      by_cases e : a = r
      · subst e
        by_cases he : a ∈ expected
        · have hg : a ∈ got := by
            by_cases hg : a ∈ got
            · exact hg
            · exact absurd ⟨he, hg⟩ h
          simp [hg]
        · simp [he]
      · simp [e]

/-- What is gathered is exactly the sent targets that answered. -/
theorem mem_gathered {α : Type} [DecidableEq α] (expected rs : List α) (a : α) :
    a ∈ gathered expected rs ↔ a ∈ expected ∧ a ∈ rs := by
  unfold gathered
  rw [mem_foldl_acceptOne]
  simp

/-- Gathered ⊆ scattered: no response from outside the scatter is kept. -/
theorem gathered_subset {α : Type} [DecidableEq α] (expected rs : List α) (a : α) (h : a ∈ gathered expected rs) :
    a ∈ expected :=
  ((mem_gathered expected rs a).1 h).1

theorem nodup_foldl_acceptOne {α : Type} [DecidableEq α] (expected rs got : List α) (h : got.Nodup) :
    (rs.foldl (acceptOne expected) got).Nodup := by
  induction rs generalizing got with
  | nil => simpa using h
  | cons r rs ih =>
    rw [List.foldl_cons]
    apply ih
    unfold acceptOne
    by_cases hr : r ∈ expected ∧ r ∉ got
    · rw [if_pos hr]; exact List.nodup_cons.2 ⟨hr.2, h⟩
    · rw [if_neg hr]; exact h

/-- Each target is gathered at most once, however often it answers. -/
theorem gathered_nodup {α : Type} [DecidableEq α] (expected rs : List α) : (gathered expected rs).Nodup :=
  nodup_foldl_acceptOne expected rs [] List.nodup_nil

end Hydrogen.Mesh
