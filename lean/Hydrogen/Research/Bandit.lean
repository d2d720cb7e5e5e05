module

public import Init

/-!
# Thompson sampling: Beta–Bernoulli posteriors and the annealing schedule (seed 004)

A researcher's record is a Beta posterior kept as counts `(α, β)`; a success
adds one to `α`, a failure one to `β` (the seed's update). Here:

* updates commute (`update_comm`), so the posterior after a list of
  observations depends only on its counts (`observe_eq`, `observe_perm`):
  `α = α₀ + successes`, `β = β₀ + failures`, and from the seed's uniform prior
  `α = successes + 1`, `β = failures + 1` (`observe_prior`);
* the seed's "tighter Beta" is not a law of single updates: one failure after
  ten successes raises the variance `αβ / ((α+β)²(α+β+1))`
  (`variance_can_grow`); what does shrink with every observation is the bound
  `1 / (4(α+β+1))` on it (`variance_le_envelope`);
* the annealing schedule (rounds 1, 2, ≥ 3: 0 %, 50 %, 80 % of the `k` picks
  by top-k, the rest by Thompson sampling, rounded down) splits `k` exactly
  (`exploit_add_explore`), never exploits less in a later round
  (`exploitCount_mono`), and gives the seed's 0/10, 5/5, 8/2 for `k = 10`
  (`schedule_seed`). The seed's round 3 also says "select top-k
  deterministically", which contradicts its own 80 / 20 split for every
  `k > 0` (`round3_not_all_topk`).
-/

@[expose] public section

set_option autoImplicit false

namespace Hydrogen.Research

/-- A Beta posterior as its two counts. -/
structure Beta where
  alpha : Nat
  beta : Nat
deriving DecidableEq

namespace Beta

/-- The seed's prior `Beta(1, 1)` (uniform). -/
def prior : Beta := ⟨1, 1⟩

/-- One Bernoulli observation: success adds to `α`, failure to `β`. -/
def update (b : Beta) (success : Bool) : Beta :=
  if success then ⟨b.alpha + 1, b.beta⟩ else ⟨b.alpha, b.beta + 1⟩

/-- A sequence of observations, oldest first. -/
def observe (b : Beta) (obs : List Bool) : Beta := obs.foldl update b

theorem update_comm (b : Beta) (x y : Bool) : (b.update x).update y = (b.update y).update x := by
  cases x <;> cases y <;> rfl

theorem observe_eq (b : Beta) (obs : List Bool) :
    b.observe obs = ⟨b.alpha + obs.count true, b.beta + obs.count false⟩ := by
  induction obs generalizing b with
  | nil => rfl
  | cons x xs ih =>
    simp only [observe, List.foldl_cons] at ih ⊢
    rw [ih]
    cases x <;> simp [update] <;> omega

/-- The order of observations does not matter. -/
theorem observe_perm (b : Beta) {xs ys : List Bool} (h : xs.Perm ys) : b.observe xs = b.observe ys := by
  rw [observe_eq, observe_eq, h.count_eq, h.count_eq]

theorem observe_append (b : Beta) (xs ys : List Bool) : b.observe (xs ++ ys) = (b.observe xs).observe ys := by
  simp [observe, List.foldl_append]

/-- From the uniform prior: `α = successes + 1`, `β = failures + 1`. -/
theorem observe_prior (obs : List Bool) :
    prior.observe obs = ⟨obs.count true + 1, obs.count false + 1⟩ := by
  rw [observe_eq]; simp [prior]; omega

theorem observe_total (b : Beta) (obs : List Bool) :
    (b.observe obs).alpha + (b.observe obs).beta = b.alpha + b.beta + obs.length := by
  rw [observe_eq]; simp only
  have h : ∀ l : List Bool, l.count true + l.count false = l.length := by
    intro l; induction l with
    | nil => rfl
    | cons x xs ih => cases x <;> simp <;> omega
  have := h obs; omega

/-- Numerator and denominator of the variance `αβ / ((α+β)²(α+β+1))`. -/
def varNum (b : Beta) : Nat := b.alpha * b.beta
def varDen (b : Beta) : Nat := (b.alpha + b.beta) * (b.alpha + b.beta) * (b.alpha + b.beta + 1)

/-- One failure after ten successes widens the posterior: `Var(10, 2) > Var(10, 1)`. -/
theorem variance_can_grow :
    varNum ⟨10, 1⟩ * varDen ((⟨10, 1⟩ : Beta).update false)
      < varNum ((⟨10, 1⟩ : Beta).update false) * varDen ⟨10, 1⟩ := by decide

/-- `4αβ ≤ (α+β)²`, i.e. `Var ≤ 1 / (4(α+β+1))`. -/
theorem variance_le_envelope (b : Beta) :
    4 * varNum b * (b.alpha + b.beta + 1) ≤ varDen b := by
  simp only [varNum, varDen]
  have h : 4 * (b.alpha * b.beta) ≤ (b.alpha + b.beta) * (b.alpha + b.beta) := by
    rcases Nat.le_total b.alpha b.beta with h | h
    · obtain ⟨d, hd⟩ := Nat.exists_eq_add_of_le h
      rw [hd]; grind
    · obtain ⟨d, hd⟩ := Nat.exists_eq_add_of_le h
      rw [hd]; grind
  have := Nat.mul_le_mul_right (b.alpha + b.beta + 1) h
  grind

/-- The envelope's denominator grows with every observation. -/
theorem envelope_shrinks (b : Beta) (x : Bool) :
    b.alpha + b.beta + 1 < (b.update x).alpha + (b.update x).beta + 1 := by
  cases x <;> simp [update] <;> omega

end Beta

/-- Share of the `k` picks made by top-k, in tenths, by round (1, 2, ≥ 3). -/
def exploitTenths (round : Nat) : Nat :=
  if round ≤ 1 then 0 else if round = 2 then 5 else 8

/-- Picks by top-k in a round (rounded down); the rest are Thompson samples. -/
def exploitCount (k round : Nat) : Nat := k * exploitTenths round / 10

def exploreCount (k round : Nat) : Nat := k - exploitCount k round

theorem exploitCount_le (k round : Nat) : exploitCount k round ≤ k := by
  unfold exploitCount exploitTenths
  split
  · simp
  · split <;> omega

theorem exploit_add_explore (k round : Nat) : exploitCount k round + exploreCount k round = k := by
  have := exploitCount_le k round; unfold exploreCount; omega

theorem exploitTenths_mono {r s : Nat} (h : r ≤ s) : exploitTenths r ≤ exploitTenths s := by
  unfold exploitTenths; split <;> split <;> (try split) <;> (try split) <;> omega

theorem exploitCount_mono (k : Nat) {r s : Nat} (h : r ≤ s) : exploitCount k r ≤ exploitCount k s :=
  Nat.div_le_div_right (Nat.mul_le_mul_left k (exploitTenths_mono h))

theorem round1_all_thompson (k : Nat) : exploitCount k 1 = 0 := by
  simp [exploitCount, exploitTenths]

theorem schedule_seed :
    (exploitCount 10 1, exploreCount 10 1) = (0, 10) ∧
    (exploitCount 10 2, exploreCount 10 2) = (5, 5) ∧
    (exploitCount 10 3, exploreCount 10 3) = (8, 2) := by decide

/-- Round 3's 80 / 20 split is all top-k only for `k = 0`. -/
theorem round3_not_all_topk (k : Nat) : exploitCount k 3 = k ↔ k = 0 := by
  simp [exploitCount, exploitTenths]; omega

end Hydrogen.Research
