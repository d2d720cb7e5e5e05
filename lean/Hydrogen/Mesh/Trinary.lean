module

public import Init

/-!
# Trinary quorum (seed 002, Parts 1.4 and 5.2)

Each response is READY (+1), TRANSIT (0) or CONFLICT (−1). The seed's
`trinary_quorum_check` compares rates with float thresholds; here a rate
`x / total` is compared with a threshold `num / den` by cross-multiplication,
`x · den` against `num · total`, which is exact. The seed divides by `total`
and so raises on an empty list; this version decides WAIT there (nothing has
arrived, so there is nothing to proceed on) and never PROCEEDs on no evidence.
-/

@[expose] public section

set_option autoImplicit false

namespace Hydrogen.Mesh

/-- A response's state and its symbol in the seed. -/
inductive Vote where
  | ready | transit | conflict
  deriving DecidableEq, Repr

/-- The seed's symbol of each state (proof-only). The TS mirror represents a
vote by this symbol. -/
def Vote.symbol : Vote → Int
  | .ready => 1
  | .transit => 0
  | .conflict => -1

/-- Counts of the three states. -/
structure Tally where
  ready : Nat
  transit : Nat
  conflict : Nat
  deriving DecidableEq, Repr

/-- Responses counted. -/
def Tally.total (t : Tally) : Nat := t.ready + t.transit + t.conflict

/-- Count one more vote (proof-only); the TS `tally` loop inlines it. -/
def Tally.add (t : Tally) : Vote → Tally
  | .ready => { t with ready := t.ready + 1 }
  | .transit => { t with transit := t.transit + 1 }
  | .conflict => { t with conflict := t.conflict + 1 }

/-- Count a list of responses. -/
def tally (vs : List Vote) : Tally := vs.foldl Tally.add ⟨0, 0, 0⟩

/-- Counting onto a tally adds the list's length. -/
theorem tally_total_aux (vs : List Vote) (t : Tally) :
    (vs.foldl Tally.add t).total = t.total + vs.length := by
  induction vs generalizing t with
  | nil => simp
  | cons v vs ih =>
    simp only [List.foldl_cons, List.length_cons]
    rw [ih]
    cases v <;> simp [Tally.add, Tally.total] <;> omega

/-- Every response is counted exactly once. -/
theorem tally_total (vs : List Vote) : (tally vs).total = vs.length := by
  rw [tally, tally_total_aux]
  simp [Tally.total]

/-- The threshold `num / den`. -/
structure Ratio where
  num : Nat
  den : Nat
  deriving DecidableEq, Repr

/-- `required_ready_rate`, `max_conflict_rate`, `max_transit_rate`. -/
structure Thresholds where
  ready : Ratio
  conflict : Ratio
  transit : Ratio
  deriving DecidableEq, Repr

/-- The seed's defaults: 0.95, 0.05, 0.10. -/
def seedThresholds : Thresholds := ⟨⟨95, 100⟩, ⟨5, 100⟩, ⟨10, 100⟩⟩

/-- `x / total ≥ num / den`. -/
def atLeast (x total : Nat) (r : Ratio) : Bool := decide (r.num * total ≤ x * r.den)
/-- `x / total ≤ num / den`. -/
def atMost (x total : Nat) (r : Ratio) : Bool := decide (x * r.den ≤ r.num * total)

/-- The seed's four decisions. -/
inductive Decision where
  | proceed | wait | resolveConflicts | retry
  deriving DecidableEq, Repr

/-- `trinary_quorum_check`'s decision, branch for branch, with the empty case first. -/
def quorum (th : Thresholds) (t : Tally) : Decision :=
  if t.total = 0 then .wait
  else if atLeast t.ready t.total th.ready && atMost t.conflict t.total th.conflict then .proceed
  else if !atLeast t.ready t.total th.ready && !atMost t.transit t.total th.transit then .wait
  else if !atMost t.conflict t.total th.conflict then .resolveConflicts
  else .retry

/-- The conditions under which each decision is taken, as the seed states them
(proof-only); the tests restate them independently. -/
def proceedCond (th : Thresholds) (t : Tally) : Prop :=
  t.total ≠ 0 ∧ th.ready.num * t.total ≤ t.ready * th.ready.den ∧
    t.conflict * th.conflict.den ≤ th.conflict.num * t.total
/-- WAIT's condition (proof-only). -/
def waitCond (th : Thresholds) (t : Tally) : Prop :=
  t.total = 0 ∨ (t.ready * th.ready.den < th.ready.num * t.total ∧
    th.transit.num * t.total < t.transit * th.transit.den)
/-- RESOLVE_CONFLICTS's condition (proof-only). -/
def resolveCond (th : Thresholds) (t : Tally) : Prop :=
  t.total ≠ 0 ∧ ¬ proceedCond th t ∧ ¬ waitCond th t ∧
    th.conflict.num * t.total < t.conflict * th.conflict.den
/-- RETRY's condition (proof-only). -/
def retryCond (th : Thresholds) (t : Tally) : Prop :=
  ¬ proceedCond th t ∧ ¬ waitCond th t ∧ ¬ resolveCond th t

/-- Each decision is taken exactly when its condition holds. -/
theorem quorum_spec (th : Thresholds) (t : Tally) :
    (quorum th t = .proceed ↔ proceedCond th t) ∧
    (quorum th t = .wait ↔ waitCond th t) ∧
    (quorum th t = .resolveConflicts ↔ resolveCond th t) ∧
    (quorum th t = .retry ↔ retryCond th t) := by
  simp only [quorum, retryCond, resolveCond, proceedCond, waitCond, atLeast, atMost]
  by_cases h0 : t.total = 0
  · simp [h0]
  · simp only [h0, if_false]
    by_cases h1 : th.ready.num * t.total ≤ t.ready * th.ready.den <;>
    by_cases h2 : t.conflict * th.conflict.den ≤ th.conflict.num * t.total <;>
    by_cases h3 : t.transit * th.transit.den ≤ th.transit.num * t.total <;>
    simp [h0, h1, h2, h3] <;> omega

/-- Exhaustive: one of the four conditions always holds. -/
theorem quorum_exhaustive (th : Thresholds) (t : Tally) :
    proceedCond th t ∨ waitCond th t ∨ resolveCond th t ∨ retryCond th t := by
  have h := quorum_spec th t
  cases hq : quorum th t
  · exact Or.inl (h.1.mp hq)
  · exact Or.inr (Or.inl (h.2.1.mp hq))
  · exact Or.inr (Or.inr (Or.inl (h.2.2.1.mp hq)))
  · exact Or.inr (Or.inr (Or.inr (h.2.2.2.mp hq)))

/-- Exclusive: no two of the four conditions hold together. -/
theorem quorum_exclusive (th : Thresholds) (t : Tally) :
    ¬ (proceedCond th t ∧ waitCond th t) ∧ ¬ (proceedCond th t ∧ resolveCond th t) ∧
    ¬ (proceedCond th t ∧ retryCond th t) ∧ ¬ (waitCond th t ∧ resolveCond th t) ∧
    ¬ (waitCond th t ∧ retryCond th t) ∧ ¬ (resolveCond th t ∧ retryCond th t) := by
  have ⟨hp, hw, hr, ht⟩ := quorum_spec th t
  refine ⟨?_, ?_, ?_, ?_, ?_, ?_⟩ <;> intro ⟨a, b⟩
  · have := (hp.mpr a).symm.trans (hw.mpr b); cases this
  · have := (hp.mpr a).symm.trans (hr.mpr b); cases this
  · have := (hp.mpr a).symm.trans (ht.mpr b); cases this
  · have := (hw.mpr a).symm.trans (hr.mpr b); cases this
  · have := (hw.mpr a).symm.trans (ht.mpr b); cases this
  · have := (hr.mpr a).symm.trans (ht.mpr b); cases this

/-- PROCEED implies both the ready and the conflict thresholds, and some response. -/
theorem quorum_proceed (th : Thresholds) (t : Tally) (h : quorum th t = .proceed) :
    0 < t.total ∧ th.ready.num * t.total ≤ t.ready * th.ready.den ∧
      t.conflict * th.conflict.den ≤ th.conflict.num * t.total := by
  have ⟨h0, h1, h2⟩ := ((quorum_spec th t).1).mp h
  exact ⟨Nat.pos_of_ne_zero h0, h1, h2⟩

/-- No responses: WAIT, never PROCEED (the seed divides by zero here). -/
theorem quorum_empty (th : Thresholds) : quorum th (tally []) = .wait := by
  simp [quorum, tally, Tally.total]

/-- With the seed's thresholds, PROCEED leaves at most 5 % in TRANSIT too. -/
theorem quorum_proceed_seed_transit (t : Tally) (h : quorum seedThresholds t = .proceed) :
    t.transit * 100 ≤ 5 * t.total := by
  have ⟨_, h1, _⟩ := quorum_proceed seedThresholds t h
  simp only [seedThresholds, Tally.total] at *
  omega

/-- Every response in CONFLICT: the conflicts are resolved first. -/
theorem quorum_all_conflict (n : Nat) (hn : 0 < n) :
    quorum seedThresholds ⟨0, 0, n⟩ = .resolveConflicts := by
  apply ((quorum_spec _ _).2.2.1).mpr
  simp only [resolveCond, proceedCond, waitCond, seedThresholds, Tally.total]
  first | omega | (simp; omega)

/-- Examples at the seed's thresholds, per hundred responses. The last one
shows the seed's order hiding 8 % conflicts behind WAIT. -/
theorem quorum_seed_examples :
    quorum seedThresholds ⟨95, 0, 5⟩ = .proceed ∧
    quorum seedThresholds ⟨95, 5, 0⟩ = .proceed ∧
    quorum seedThresholds ⟨94, 6, 0⟩ = .retry ∧
    quorum seedThresholds ⟨80, 20, 0⟩ = .wait ∧
    quorum seedThresholds ⟨90, 0, 10⟩ = .resolveConflicts ∧
    quorum seedThresholds ⟨96, 0, 4⟩ = .proceed ∧
    quorum seedThresholds ⟨85, 11, 4⟩ = .wait ∧
    quorum seedThresholds ⟨80, 12, 8⟩ = .wait := by decide

end Hydrogen.Mesh
