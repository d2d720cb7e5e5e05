module

public import Hydrogen.Aggregate.Numeric

/-!
# Impedance: classes, score, and cluster/sector summaries (seed 002, Parts 2.2, 2.3, 4)

The seed's latency ranges per class overlap (B 50–150 ms, C 100–300 ms, D
200–500 ms) and E is "variable", so a measured profile has no class under the
seed's text. Here the class of a measured round-trip time is the first band
whose upper end (the seed's upper end of the range) covers it; E takes
501–1000 ms and F everything slower. The bands are disjoint and cover ℕ, so
every input gets exactly one class.

The score is the seed's "composite 0–1000": one-way latency plus queued
processing, in ms, `⌊(5·rtt + proc·(10 + queue)) / 10⌋`, clamped to [0, 1000]
(the seed's compensation range is 0–1000 ms).

A summary is a product of the proved aggregation monoids: `SumCount` of scores
(for the mean), `Count` of active agents, `Max` and `Min` of scores. Merging in
any grouping and order gives the same summary, so clusters may be summed into
sectors and sectors into the mesh. (The seed's sector mean is a mean of cluster
means, which is wrong when clusters differ in size; the sum and count here are
exact. Percentiles are not mergeable this way and are not part of it.)
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Mesh

open Hydrogen.Aggregate

/-- The seed's six impedance classes. -/
inductive ImpedanceClass where
  | a | b | c | d | e | f
  deriving DecidableEq, Repr

/-- The class of a measured round-trip time (ms): the first band covering it. -/
def classify (rtt : Nat) : ImpedanceClass :=
  if rtt ≤ 20 then .a
  else if rtt ≤ 150 then .b
  else if rtt ≤ 300 then .c
  else if rtt ≤ 500 then .d
  else if rtt ≤ 1000 then .e
  else .f

/-- Lowest round-trip time (ms) in a class's band. -/
def ImpedanceClass.lower : ImpedanceClass → Nat
  | .a => 0 | .b => 21 | .c => 151 | .d => 301 | .e => 501 | .f => 1001

/-- Highest round-trip time (ms) in a class's band; F has none. -/
def ImpedanceClass.upper : ImpedanceClass → Option Nat
  | .a => some 20 | .b => some 150 | .c => some 300 | .d => some 500 | .e => some 1000 | .f => none

/-- `rtt` lies in the band of class `k`. -/
def InBand (k : ImpedanceClass) (rtt : Nat) : Prop :=
  k.lower ≤ rtt ∧ ∀ u, k.upper = some u → rtt ≤ u

/-- Every input gets a class, and it is in that class's band. -/
theorem classify_inBand (rtt : Nat) : InBand (classify rtt) rtt := by
  unfold classify InBand
  split
  · simp_all [ImpedanceClass.lower, ImpedanceClass.upper]
  · split
    · simp_all [ImpedanceClass.lower, ImpedanceClass.upper]; omega
    · split
      · simp_all [ImpedanceClass.lower, ImpedanceClass.upper]; omega
      · split
        · simp_all [ImpedanceClass.lower, ImpedanceClass.upper]; omega
        · split
          · simp_all [ImpedanceClass.lower, ImpedanceClass.upper]; omega
          · simp_all [ImpedanceClass.lower, ImpedanceClass.upper]; omega

/-- The bands are disjoint: no input is in two classes. -/
theorem inBand_unique (k j : ImpedanceClass) (rtt : Nat) (hk : InBand k rtt) (hj : InBand j rtt) :
    k = j := by
  obtain ⟨lk, uk⟩ := hk
  obtain ⟨lj, uj⟩ := hj
  cases k <;> cases j <;> simp_all [ImpedanceClass.lower, ImpedanceClass.upper] <;> omega

/-- Exactly one class: `classify rtt = k` iff `rtt` is in `k`'s band. -/
theorem classify_eq_iff (rtt : Nat) (k : ImpedanceClass) : classify rtt = k ↔ InBand k rtt :=
  ⟨fun h => h ▸ classify_inBand rtt, fun h => inBand_unique _ _ rtt (classify_inBand rtt) h⟩

/-- The seed's allocation per class (Part 2.2). -/
def ImpedanceClass.allocation : ImpedanceClass → Nat
  | .a => 10000 | .b => 8000 | .c => 5000 | .d => 2000 | .e => 3000 | .f => 2000

/-- The allocations add up to the seed's 30,000 agents. -/
theorem allocation_total :
    ImpedanceClass.a.allocation + ImpedanceClass.b.allocation + ImpedanceClass.c.allocation +
      ImpedanceClass.d.allocation + ImpedanceClass.e.allocation + ImpedanceClass.f.allocation = 30000 := by
  decide

/-- Clamp to the seed's 0–1000 scale. -/
def clampScore (x : Int) : Int := max 0 (min 1000 x)

theorem clampScore_bounds (x : Int) : 0 ≤ clampScore x ∧ clampScore x ≤ 1000 := by
  unfold clampScore; omega

/-- A value already on the scale is left alone. -/
theorem clampScore_of_mem (x : Int) (h0 : 0 ≤ x) (h1 : x ≤ 1000) : clampScore x = x := by
  unfold clampScore; omega

/-- Clamping preserves order (a slower agent never scores lower). -/
theorem clampScore_mono (x y : Int) (h : x ≤ y) : clampScore x ≤ clampScore y := by
  unfold clampScore; omega

/-- The score of a round-trip time, processing time (ms) and queue depth. -/
def score (rtt proc queue : Nat) : Int :=
  clampScore (((5 * rtt + proc * (10 + queue)) / 10 : Nat) : Int)

theorem score_bounds (rtt proc queue : Nat) : 0 ≤ score rtt proc queue ∧ score rtt proc queue ≤ 1000 :=
  clampScore_bounds _

/-- Impedance summary of a cluster, sector or the mesh. -/
structure Summary where
  scores : SumCount
  active : Count
  worst : Max
  best : Min

def Summary.empty : Summary := ⟨SumCount.empty, Count.empty, Max.empty, Min.empty⟩

def Summary.merge (x y : Summary) : Summary :=
  ⟨x.scores.merge y.scores, x.active.merge y.active, x.worst.merge y.worst, x.best.merge y.best⟩

/-- One agent's summary: its score, and whether it is active. -/
def Summary.ofAgent (s : Int) (isActive : Bool) : Summary :=
  ⟨SumCount.ofValue s, ⟨if isActive then 1 else 0⟩, ⟨some s⟩, ⟨some s⟩⟩

theorem Summary.merge_assoc (x y z : Summary) : (x.merge y).merge z = x.merge (y.merge z) := by
  simp only [Summary.merge, SumCount.merge_assoc, Count.merge_assoc, Max.merge_assoc, Min.merge_assoc]

theorem Summary.empty_merge (x : Summary) : Summary.empty.merge x = x := by
  simp only [Summary.empty, Summary.merge, SumCount.empty_merge, Count.empty_merge, Max.empty_merge,
    Min.empty_merge]

theorem Summary.merge_empty (x : Summary) : x.merge Summary.empty = x := by
  simp only [Summary.empty, Summary.merge, SumCount.merge_empty, Count.merge_empty, Max.merge_empty,
    Min.merge_empty]

theorem Summary.merge_comm (x y : Summary) : x.merge y = y.merge x := by
  simp only [Summary.merge]
  rw [SumCount.merge_comm x.scores, Count.merge_comm x.active, Max.merge_comm x.worst,
    Min.merge_comm x.best]

instance Summary.aggregationMonoid : AggregationMonoid Summary :=
  ⟨Summary.empty, Summary.merge, Summary.merge_assoc, Summary.empty_merge, Summary.merge_empty,
    Summary.merge_comm⟩

/-- Summaries of agents. -/
def summarize (agents : List (Int × Bool)) : Summary :=
  AggregationMonoid.fold (agents.map fun p => Summary.ofAgent p.1 p.2)

/-- A sector's summary is the merge of its clusters' summaries, however the agents are split. -/
theorem summarize_append (xs ys : List (Int × Bool)) :
    summarize (xs ++ ys) = (summarize xs).merge (summarize ys) := by
  unfold summarize
  rw [List.map_append, AggregationMonoid.fold_append]
  rfl

/-- Every agent is counted once. -/
theorem summarize_count (xs : List (Int × Bool)) : (summarize xs).scores.count = xs.length := by
  induction xs with
  | nil => rfl
  | cons x xs ih =>
    have h : summarize (x :: xs) = (Summary.ofAgent x.1 x.2).merge (summarize xs) := rfl
    rw [h, List.length_cons, ← ih]
    simp only [Summary.merge, Summary.ofAgent, SumCount.merge, SumCount.ofValue]
    omega

/-- Active agents never outnumber agents. -/
theorem summarize_active_le (xs : List (Int × Bool)) :
    (summarize xs).active.count ≤ (summarize xs).scores.count := by
  induction xs with
  | nil => exact Nat.le_refl 0
  | cons x xs ih =>
    have h : summarize (x :: xs) = (Summary.ofAgent x.1 x.2).merge (summarize xs) := rfl
    rw [h]
    simp only [Summary.merge, Summary.ofAgent, SumCount.merge, SumCount.ofValue, Count.merge]
    split <;> omega

example : classify 20 = .a := by decide
example : classify 21 = .b := by decide
example : classify 1001 = .f := by decide
example : score 100 200 0 = 250 := by decide
example : score 100 200 5 = 350 := by decide
example : score 400 60000 0 = 1000 := by decide

end Hydrogen.Mesh

end
