module

public import Hydrogen.Quorum.Arithmetic

/-!
# SPIRAL rounds (seed 004, "V²C-SPIRAL-QUORUM Proof")

The loop of `spiral` in src/Research/Protocol.ts, over what it sees of a
round: whether a claim reached the quorum (`agreed`), whether no quorum exists
at all (`impossible`, n < 3f + 1: no later round can help), the round's level
and the digest handed to the next round. Round `i` is run with the digest of
round `i − 1` (none for the first). The loop stops at the first round that is
agreed or impossible, or after `maxRounds` rounds; converged exactly when the
last round is agreed, with that round's level, and LOW otherwise.

`rounds` recurses structurally on the rounds left, so it terminates by
construction. Proved: at most `maxRounds` rounds (`spiral_length_le`), at
least one when `maxRounds ≥ 1` (`spiral_length_pos`), no round before the last
stops the loop (`spiral_stops_first`), converged iff some round agreed
(`spiral_converged_iff`), not converged means LOW (`spiral_level_low`), and
without an impossible round a non-converged mission ran all `maxRounds`
(`spiral_length_eq`). The seed's "converges with probability 1" is not a law of
the loop: a run that never agrees never converges (`spiral_may_not_converge`). A
mission spends at most `maxRounds` times a round's bound (`spiral_spent_le`),
with the seed's time, space, token and cost figures checked as arithmetic.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Research.Spiral

open Hydrogen.Quorum (Level level)

/-- What the loop sees of one gathered round. -/
structure Round (σ : Type) where
  agreed : Bool
  impossible : Bool
  level : Level
  digest : σ

/-- A round ends the loop when its claim reached the quorum or no quorum exists. -/
def Round.stops {σ : Type} (r : Round σ) : Bool := r.agreed || r.impossible

/-- The rounds run with `fuel` rounds left, starting at round `i` with digest `d`. -/
def rounds {σ : Type} (run : Nat → Option σ → Round σ) : Nat → Nat → Option σ → List (Round σ)
  | 0, _, _ => []
  | fuel + 1, i, d =>
    if (run i d).stops then [run i d] else run i d :: rounds run fuel (i + 1) (some (run i d).digest)

/-- A mission's outcome: converged, the rounds run, the level. -/
structure Mission (σ : Type) where
  converged : Bool
  rounds : List (Round σ)
  level : Level

/-- Converged exactly when the last round agreed (its level); LOW otherwise. -/
def conclude {σ : Type} (rs : List (Round σ)) : Mission σ :=
  match rs.getLast? with
  | some r => if r.agreed then ⟨true, rs, r.level⟩ else ⟨false, rs, .low⟩
  | none => ⟨false, rs, .low⟩

/-- SPIRAL: rounds 1, 2, … each given the previous digest, at most `maxRounds`. -/
def spiral {σ : Type} (run : Nat → Option σ → Round σ) (maxRounds : Nat) : Mission σ :=
  conclude (rounds run maxRounds 1 none)

variable {σ : Type} (run : Nat → Option σ → Round σ)

theorem rounds_length_le : ∀ (fuel i : Nat) (d : Option σ), (rounds run fuel i d).length ≤ fuel
  | 0, _, _ => by simp [rounds]
  | fuel + 1, i, d => by
    have ih := rounds_length_le fuel (i + 1) (some (run i d).digest)
    simp only [rounds]
    split <;> simp <;> omega

theorem rounds_length_pos : ∀ (fuel i : Nat) (d : Option σ), 0 < fuel → 0 < (rounds run fuel i d).length
  | 0, _, _, h => absurd h (Nat.lt_irrefl 0)
  | fuel + 1, i, d, _ => by
    simp only [rounds]
    split <;> simp

/-- The first round run is round `i` with digest `d`. -/
theorem rounds_head (fuel i : Nat) (d : Option σ) :
    (rounds run (fuel + 1) i d).head? = some (run i d) := by
  simp only [rounds]
  split <;> simp

theorem rounds_dropLast : ∀ (fuel i : Nat) (d : Option σ),
    ∀ r ∈ (rounds run fuel i d).dropLast, r.stops = false
  | 0, _, _ => by simp [rounds]
  | fuel + 1, i, d => by
    intro r hr
    simp only [rounds] at hr
    split at hr
    · simp at hr
    · rename_i hs
      have hne : rounds run fuel (i + 1) (some (run i d).digest) ≠ [] ∨
          rounds run fuel (i + 1) (some (run i d).digest) = [] := by
        cases rounds run fuel (i + 1) (some (run i d).digest) <;> simp
      rcases hne with hne | hnil
      · rw [List.dropLast_cons_of_ne_nil hne] at hr
        rcases List.mem_cons.mp hr with rfl | hr
        · simpa using hs
        · exact rounds_dropLast fuel (i + 1) _ r hr
      · rw [hnil] at hr
        simp at hr

theorem rounds_length_eq : ∀ (fuel i : Nat) (d : Option σ),
    (∀ r ∈ rounds run fuel i d, r.stops = false) → (rounds run fuel i d).length = fuel
  | 0, _, _, _ => by simp [rounds]
  | fuel + 1, i, d, h => by
    simp only [rounds] at h ⊢
    split
    · rename_i hs
      have := h (run i d) (by rw [if_pos hs]; simp)
      rw [hs] at this
      cases this
    · rename_i hs
      rw [if_neg hs] at h
      have ih := rounds_length_eq fuel (i + 1) (some (run i d).digest) (fun r hr => h r (by simp [hr]))
      simp [ih]

/-- SPIRAL terminates after at most `maxRounds` rounds. -/
theorem spiral_length_le (maxRounds : Nat) : (spiral run maxRounds).rounds.length ≤ maxRounds := by
  unfold spiral conclude
  split <;> (try split) <;> exact rounds_length_le run _ _ _

/-- With `maxRounds ≥ 1` at least one round runs. -/
theorem spiral_length_pos (maxRounds : Nat) (h : 1 ≤ maxRounds) : 1 ≤ (spiral run maxRounds).rounds.length := by
  have := rounds_length_pos run maxRounds 1 none h
  unfold spiral conclude
  split <;> (try split) <;> exact this

/-- The first round is round 1 with no digest. -/
theorem spiral_first (maxRounds : Nat) (h : 1 ≤ maxRounds) :
    (spiral run maxRounds).rounds.head? = some (run 1 none) := by
  obtain ⟨m, rfl⟩ : ∃ m, maxRounds = m + 1 := ⟨maxRounds - 1, by omega⟩
  have := rounds_head run m 1 none
  unfold spiral conclude
  split <;> (try split) <;> exact this

theorem spiral_rounds (maxRounds : Nat) : (spiral run maxRounds).rounds = rounds run maxRounds 1 none := by
  unfold spiral conclude
  split <;> (try split) <;> rfl

/-- The loop stops at the first round that agreed (or found no quorum): no earlier round did. -/
theorem spiral_stops_first (maxRounds : Nat) :
    ∀ r ∈ (spiral run maxRounds).rounds.dropLast, r.stops = false := by
  rw [spiral_rounds]
  exact rounds_dropLast run maxRounds 1 none

/-- Converged exactly when some round reached the quorum, and then it is the last one. -/
theorem spiral_converged_iff (maxRounds : Nat) :
    (spiral run maxRounds).converged = true ↔ ∃ r, (spiral run maxRounds).rounds.getLast? = some r ∧ r.agreed = true := by
  unfold spiral conclude
  split
  · rename_i r hr
    split
    · rename_i ha
      exact ⟨fun _ => ⟨r, by simp [hr], ha⟩, fun _ => rfl⟩
    · rename_i ha
      simp only [Bool.false_eq_true, false_iff]
      rintro ⟨r', h', ha'⟩
      rw [hr] at h'
      cases h'
      exact ha ha'
  · rename_i hr
    simp only [Bool.false_eq_true, false_iff]
    rintro ⟨r', h', _⟩
    rw [hr] at h'
    cases h'

/-- An agreed round anywhere means the mission converged (it was the last round run). -/
theorem spiral_converged_of_agreed (maxRounds : Nat) (r : Round σ)
    (hr : r ∈ (spiral run maxRounds).rounds) (ha : r.agreed = true) : (spiral run maxRounds).converged = true := by
  rw [spiral_converged_iff]
  have hstop := spiral_stops_first run maxRounds
  generalize (spiral run maxRounds).rounds = rs at hr hstop ⊢
  have hne : rs ≠ [] := List.ne_nil_of_mem hr
  have split := List.dropLast_concat_getLast hne
  rw [← split] at hr
  rcases List.mem_append.mp hr with h | h
  · have := hstop r h
    simp [Round.stops, ha] at this
  · simp only [List.mem_singleton] at h
    exact ⟨r, by rw [List.getLast?_eq_some_getLast hne, h], ha⟩

/-- A converged mission has the level of its agreeing round. -/
theorem spiral_level_converged (maxRounds : Nat) (h : (spiral run maxRounds).converged = true) :
    ∃ r, (spiral run maxRounds).rounds.getLast? = some r ∧ r.agreed = true ∧ (spiral run maxRounds).level = r.level := by
  unfold spiral conclude at h ⊢
  split at h
  · rename_i r hr
    split at h
    · rename_i ha
      refine ⟨r, ?_, ha, ?_⟩ <;> simp [hr, ha]
    · cases h
  · cases h

/-- Not converged: LOW. -/
theorem spiral_level_low (maxRounds : Nat) (h : (spiral run maxRounds).converged = false) :
    (spiral run maxRounds).level = .low := by
  unfold spiral conclude at h ⊢
  revert h
  split
  · split
    · intro h
      cases h
    · intro _
      rfl
  · intro _
    rfl

/-- Without a round that found no quorum, a mission that did not converge ran all `maxRounds`. -/
theorem spiral_length_eq (maxRounds : Nat) (hp : ∀ r ∈ (spiral run maxRounds).rounds, r.impossible = false)
    (h : (spiral run maxRounds).converged = false) : (spiral run maxRounds).rounds.length = maxRounds := by
  have hstop : ∀ r ∈ (spiral run maxRounds).rounds, r.stops = false := by
    intro r hr
    have hi := hp r hr
    cases ha : r.agreed
    · simp [Round.stops, ha, hi]
    · have := spiral_converged_of_agreed run maxRounds r hr ha
      rw [h] at this
      cases this
  rw [spiral_rounds] at hstop ⊢
  exact rounds_length_eq run maxRounds 1 none hstop

/-- SPIRAL need not converge: a run that never agrees ends LOW after `maxRounds` rounds. -/
theorem spiral_may_not_converge (maxRounds : Nat) :
    (spiral (fun _ (_ : Option Unit) => (⟨false, false, .medium, ()⟩ : Round Unit)) maxRounds).converged = false ∧
    (spiral (fun _ (_ : Option Unit) => (⟨false, false, .medium, ()⟩ : Round Unit)) maxRounds).level = .low ∧
    (spiral (fun _ (_ : Option Unit) => (⟨false, false, .medium, ()⟩ : Round Unit)) maxRounds).rounds.length = maxRounds := by
  have hc : (spiral (fun _ (_ : Option Unit) => (⟨false, false, .medium, ()⟩ : Round Unit)) maxRounds).converged = false := by
    cases h : (spiral (fun _ (_ : Option Unit) => (⟨false, false, .medium, ()⟩ : Round Unit)) maxRounds).converged
    · rfl
    · obtain ⟨r, hr, ha⟩ := (spiral_converged_iff _ maxRounds).mp h
      have hm : r ∈ (spiral (fun _ (_ : Option Unit) => (⟨false, false, .medium, ()⟩ : Round Unit)) maxRounds).rounds :=
        List.mem_of_getLast? hr
      rw [spiral_rounds] at hm
      have : ∀ (fuel i : Nat) (d : Option Unit), ∀ x ∈ rounds (fun _ (_ : Option Unit) => (⟨false, false, .medium, ()⟩ : Round Unit)) fuel i d,
          x.agreed = false := by
        intro fuel
        induction fuel with
        | zero => simp [rounds]
        | succ n ih => intro i d x hx; simp only [rounds, Round.stops] at hx; simp at hx; rcases hx with rfl | hx; rfl; exact ih _ _ x hx
      rw [this _ _ _ r hm] at ha
      cases ha
  refine ⟨hc, spiral_level_low _ maxRounds hc, spiral_length_eq _ maxRounds ?_ hc⟩
  intro r hr
  rw [spiral_rounds] at hr
  have : ∀ (fuel i : Nat) (d : Option Unit), ∀ x ∈ rounds (fun _ (_ : Option Unit) => (⟨false, false, .medium, ()⟩ : Round Unit)) fuel i d,
      x.impossible = false := by
    intro fuel
    induction fuel with
    | zero => simp [rounds]
    | succ n ih => intro i d x hx; simp only [rounds, Round.stops] at hx; simp at hx; rcases hx with rfl | hx; rfl; exact ih _ _ x hx
  exact this _ _ _ r hr

/-! ## A support model (for vectors)

Round `i`'s leading claim has the previous round's support (the digest) plus a
scripted change `gains[i−1]` (0 past the list), kept in `[0, n]`. It reaches
the quorum when no quorum is impossible and `q ≤` support; as in GATHER, the
level is the seed's level of the support, except that HIGH without the quorum
is MEDIUM. -/

/-- Support after a change, kept in `[0, n]`. -/
def nextSupport (n : Nat) (prev : Nat) (gain : Int) : Nat := min n ((prev : Int) + gain).toNat

/-- The seed's level, capped at MEDIUM unless the quorum was reached. -/
def roundLevel (n k : Nat) (agreed : Bool) : Level :=
  if agreed then level n k else match level n k with
    | .high => .medium
    | l => l

/-- The scripted run: digests are supports. -/
def supportRun (n q : Nat) (impossible : Bool) (gains : List Int) (i : Nat) (d : Option Nat) : Round Nat :=
  let k := nextSupport n (d.getD 0) (gains.getD (i - 1) 0)
  let agreed := !impossible && decide (q ≤ k)
  ⟨agreed, impossible, roundLevel n k agreed, k⟩

/-- Without the quorum, a round is never HIGH. -/
theorem roundLevel_not_high (n k : Nat) : roundLevel n k false ≠ .high := by
  unfold roundLevel
  simp only [Bool.false_eq_true, if_false]
  split
  next => simp
  next h => exact h

/-! ## Budgets (seed 004, "Performance Bounds")

Whatever a round costs (seconds, tokens, dollars), a mission costs the sum over
the rounds run; with every round within `t`, at most `maxRounds · t`. The
seed's per-mission figures count one round. -/

/-- What the rounds run spend, for a per-round cost. -/
def spent (cost : Round σ → Nat) (rs : List (Round σ)) : Nat := (rs.map cost).sum

theorem spent_le (cost : Round σ → Nat) (t : Nat) (h : ∀ r, cost r ≤ t) :
    ∀ rs : List (Round σ), spent cost rs ≤ rs.length * t
  | [] => by simp [spent]
  | r :: rs => by
    have ih := spent_le cost t h rs
    have hr := h r
    simp only [spent, List.map_cons, List.sum_cons, List.length_cons, Nat.add_mul, Nat.one_mul] at ih ⊢
    have := Nat.add_le_add hr ih
    rw [Nat.add_comm t] at this
    exact this

/-- A mission spends at most `maxRounds` times the most a round can spend. -/
theorem spiral_spent_le (cost : Round σ → Nat) (t maxRounds : Nat) (h : ∀ r, cost r ≤ t) :
    spent cost (spiral run maxRounds).rounds ≤ maxRounds * t :=
  Nat.le_trans (spent_le cost t h _) (Nat.mul_le_mul_right t (spiral_length_le run maxRounds))

/-- Time, in seconds: a round is at most 90 + 30 = 120 s, so the seed's
`max_rounds = 3` allows 360 s, over its own `duration ≤ 300s`; 3 rounds of 90 s fit. -/
theorem seed_time : 90 + 30 = 120 ∧ 3 * 120 = 360 ∧ 300 < 3 * 120 ∧ 3 * 90 ≤ 300 := by decide

/-- Space, in characters: 5,000 + 10 · 2,000 = 25,000 per researcher, 250,000 for ten, per round. -/
theorem seed_space : 5000 + 10 * 2000 = 25000 ∧ 10 * 25000 = 250000 ∧ 3 * 250000 = 750000 := by decide

/-- Tokens: 500 + 1,000 = 1,500 in, 1,500 + 800 = 2,300 per researcher. -/
theorem seed_tokens : 500 + 1000 = 1500 ∧ 1500 + 800 = 2300 := by decide

/-- Dollars, in units of 10⁻⁸ $ (so $0.10/M tokens is 10 a token, $0.25/M is 25,
$1.00/M is 100): ten at 2,300 tokens cost 230,000 (= $0.0023) and 575,000
(= $0.00575); the mixed roster 437,000 a round and 1,311,000 for three rounds
(= $0.01311), below the claimed 3,000,000 (= $0.03); at MODERATE's top price
($1.00/M) three rounds cost 4,416,000; ten researchers at $1.45/M for three
rounds, or $4.35/M for one, pass the $0.10 budget (10⁷). -/
theorem seed_cost :
    10 * 2300 * 10 = 230000 ∧ 10 * 2300 * 25 = 575000 ∧ 4 * 2300 * 10 + 6 * 2300 * 25 = 437000 ∧
    3 * 437000 = 1311000 ∧ 3 * 437000 < 3000000 ∧ 3 * (4 * 2300 * 10 + 6 * 2300 * 100) = 4416000 ∧
    10000000 < 3 * (10 * 2300 * 145) ∧ 10000000 < 10 * 2300 * 435 := by decide

end Hydrogen.Research.Spiral

end
