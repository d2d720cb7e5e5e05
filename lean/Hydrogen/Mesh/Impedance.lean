module

public import Hydrogen.Aggregate.Numeric
public import Hydrogen.Mesh.Arrival

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

/-- The class of a measured round-trip time (ms): the first band covering it. -/
def classify (rtt : Nat) : AgentClass :=
  if rtt ≤ 20 then .edge
  else if rtt ≤ 150 then .serverless
  else if rtt ≤ 300 then .persistent
  else if rtt ≤ 500 then .gpu
  else if rtt ≤ 1000 then .local
  else .human

/-- Lowest round-trip time (ms) in a class's band. -/
def AgentClass.lower : AgentClass → Nat
  | .edge => 0 | .serverless => 21 | .persistent => 151 | .gpu => 301 | .local => 501 | .human => 1001

/-- Highest round-trip time (ms) in a class's band; F has none. -/
def AgentClass.upper : AgentClass → Option Nat
  | .edge => some 20 | .serverless => some 150 | .persistent => some 300 | .gpu => some 500 | .local => some 1000 | .human => none

/-- `rtt` lies in the band of class `k`. -/
def InBand (k : AgentClass) (rtt : Nat) : Prop :=
  k.lower ≤ rtt ∧ ∀ u, k.upper = some u → rtt ≤ u

/-- Every input gets a class, and it is in that class's band. -/
theorem classify_inBand (rtt : Nat) : InBand (classify rtt) rtt := by
  unfold classify InBand
  split
  · simp_all [AgentClass.lower, AgentClass.upper]
  · split
    · simp_all [AgentClass.lower, AgentClass.upper]; omega
    · split
      · simp_all [AgentClass.lower, AgentClass.upper]; omega
      · split
        · simp_all [AgentClass.lower, AgentClass.upper]; omega
        · split
          · simp_all [AgentClass.lower, AgentClass.upper]; omega
          · simp_all [AgentClass.lower, AgentClass.upper]; omega

/-- The bands are disjoint: no input is in two classes. -/
theorem inBand_unique (k j : AgentClass) (rtt : Nat) (hk : InBand k rtt) (hj : InBand j rtt) :
    k = j := by
  obtain ⟨lk, uk⟩ := hk
  obtain ⟨lj, uj⟩ := hj
  cases k <;> cases j <;> simp_all [AgentClass.lower, AgentClass.upper] <;> omega

/-- Exactly one class: `classify rtt = k` iff `rtt` is in `k`'s band. -/
theorem classify_eq_iff (rtt : Nat) (k : AgentClass) : classify rtt = k ↔ InBand k rtt :=
  ⟨fun h => h ▸ classify_inBand rtt, fun h => inBand_unique _ _ rtt (classify_inBand rtt) h⟩

/-- The seed's allocation per class (Part 2.2). -/
def AgentClass.allocation : AgentClass → Nat
  | .edge => 10000 | .serverless => 8000 | .persistent => 5000 | .gpu => 2000 | .local => 3000 | .human => 2000

/-- The allocations add up to the seed's 30,000 agents. -/
theorem allocation_total :
    AgentClass.edge.allocation + AgentClass.serverless.allocation + AgentClass.persistent.allocation +
      AgentClass.gpu.allocation + AgentClass.local.allocation + AgentClass.human.allocation = 30000 := by
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

/-- The summary is an aggregation monoid (proof-only: TS uses `merge`/`empty`). -/
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

example : classify 20 = .edge := by decide
example : classify 21 = .serverless := by decide
example : classify 1001 = .human := by decide
example : score 100 200 0 = 250 := by decide
example : score 100 200 5 = 350 := by decide
example : score 400 60000 0 = 1000 := by decide

end Hydrogen.Mesh

end
