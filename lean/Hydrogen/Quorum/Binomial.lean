module

public import Init

/-!
# Exact binomial tails (seed 004's probability of false consensus)

The seed asks for `P(X ≥ 7)` with `X ~ Bin(10, p)`: the chance that seven or
more of ten researchers, each hallucinating independently with probability
`p`, do so at once. Here over exact `Rat`, for all `n`, `k`, `p`:

* `choose` is the binomial coefficient by its multiplicative recurrence
  (exact in `Nat`); Pascal's rule is kernel-checked for `n < 30`
  (`choose_pascal_upto`), and `choose n k = 0` for `k > n` in general;
* `pmf n k p = C(n,k)·p^k·(1−p)^(n−k)` and `tail n k p = Σ_{j=k}^{n} pmf n j p`
  (the seed's formula, literally);
* general: `tail n k p = 0` for `k > n`, `tail n k p = pmf n k p + tail n (k+1) p`
  for `k ≤ n`, and for `0 ≤ p ≤ 1` every term is `≥ 0`, so the tail is
  nonnegative and antitone in `k` (`tail_antitone`);
* checked by the kernel (not proved for all `n`, `p`): the total mass
  `tail n 0 p = 1` for `n ≤ 12` and eight values of `p` (`tail_zero_checked`);
* the seed's table, exactly (`seed_tail_*`): its three values are refuted
  (`seed_table_refuted`); its `0.3^5 ≈ 0.0024` holds (`seed_pow_five`).
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Quorum

/-- `C(n, k)` by `C(n, k+1) = C(n, k)·(n − k)/(k + 1)` (the division is exact). -/
def choose (n : Nat) : Nat → Nat
  | 0 => 1
  | k + 1 => choose n k * (n - k) / (k + 1)

theorem choose_zero_right (n : Nat) : choose n 0 = 1 := rfl

theorem choose_eq_zero (n k : Nat) (h : n < k) : choose n k = 0 := by
  cases k with
  | zero => omega
  | succ j =>
    have : n - j = 0 := by omega
    simp [choose, this]

/-- Pascal's rule, checked by the kernel for every `n < 30`, `k < 30`. -/
theorem choose_pascal_upto :
    (List.range 30).all (fun n => (List.range 30).all fun k =>
      choose (n + 1) (k + 1) == choose n k + choose n (k + 1)) = true := by decide +kernel

/-- The probability of exactly `k` successes in `n` independent trials. -/
def pmf (n k : Nat) (p : Rat) : Rat := (choose n k : Rat) * p ^ k * (1 - p) ^ (n - k)

/-- `Σ_{j = k}^{k + c − 1} pmf n j p`. -/
def sumFrom (n : Nat) (p : Rat) (k : Nat) : Nat → Rat
  | 0 => 0
  | c + 1 => pmf n k p + sumFrom n p (k + 1) c

/-- `P(X ≥ k)` for `X ~ Bin(n, p)`: `Σ_{j=k}^{n} C(n,j) p^j (1−p)^(n−j)`. -/
def tail (n k : Nat) (p : Rat) : Rat := sumFrom n p k (n + 1 - k)

theorem tail_eq_zero (n k : Nat) (p : Rat) (h : n < k) : tail n k p = 0 := by
  have : n + 1 - k = 0 := by omega
  simp [tail, this, sumFrom]

theorem tail_succ (n k : Nat) (p : Rat) (h : k ≤ n) : tail n k p = pmf n k p + tail n (k + 1) p := by
  have : n + 1 - k = (n + 1 - (k + 1)) + 1 := by omega
  simp only [tail, this, sumFrom]

theorem pmf_nonneg (n k : Nat) (p : Rat) (h0 : 0 ≤ p) (h1 : p ≤ 1) : 0 ≤ pmf n k p := by
  unfold pmf
  have hc : (0 : Rat) ≤ (choose n k : Rat) := by
    first | exact Rat.natCast_nonneg | exact Rat.natCast_nonneg _ | exact_mod_cast Nat.zero_le _
  have hp : 0 ≤ p ^ k := by first | exact Rat.pow_nonneg h0 | exact Rat.pow_nonneg _ h0
  have h1p : 0 ≤ 1 - p := by grind
  have hq : 0 ≤ (1 - p) ^ (n - k) := by first | exact Rat.pow_nonneg h1p | exact Rat.pow_nonneg _ h1p
  exact Rat.mul_nonneg (Rat.mul_nonneg hc hp) hq

theorem sumFrom_nonneg (n : Nat) (p : Rat) (h0 : 0 ≤ p) (h1 : p ≤ 1) (k c : Nat) : 0 ≤ sumFrom n p k c := by
  induction c generalizing k with
  | zero => simp [sumFrom]; exact Rat.le_refl
  | succ c ih =>
    simp only [sumFrom]
    exact Rat.add_nonneg (pmf_nonneg n k p h0 h1) (ih (k + 1))

theorem tail_nonneg (n k : Nat) (p : Rat) (h0 : 0 ≤ p) (h1 : p ≤ 1) : 0 ≤ tail n k p :=
  sumFrom_nonneg n p h0 h1 k _

/-- Requiring more agreeing researchers never makes false consensus likelier. -/
theorem tail_antitone (n k : Nat) (p : Rat) (h0 : 0 ≤ p) (h1 : p ≤ 1) : tail n (k + 1) p ≤ tail n k p := by
  by_cases h : k ≤ n
  · rw [tail_succ n k p h]
    have := pmf_nonneg n k p h0 h1
    grind
  · rw [tail_eq_zero n k p (by omega), tail_eq_zero n (k + 1) p (by omega)]
    exact Rat.le_refl

/-- Total mass 1, checked by the kernel for `n ≤ 12` and eight values of `p`
(the general binomial theorem is not proved here). -/
theorem tail_zero_checked :
    (List.range 13).all (fun n =>
      [(0 : Rat), 1/10, 1/5, 3/10, 1/2, 2/3, 9/10, 1].all fun p => tail n 0 p == 1) = true := by
  decide +kernel

/-! ## The seed's table (`n = 10`, at least 7) -/

theorem seed_tail_one_tenth : tail 10 7 (1/10) = 5701 / 625000000 := by decide +kernel
theorem seed_tail_one_fifth : tail 10 7 (1/5) = 8441 / 9765625 := by decide +kernel
theorem seed_tail_three_tenths : tail 10 7 (3/10) = 6620049 / 625000000 := by decide +kernel

/-- The seed's `≈ 0.000114`, `≈ 0.0056`, `≈ 0.047` are each more than 5× the
exact value (`9.12e-6`, `8.64e-4`, `1.06e-2`). -/
theorem seed_table_refuted :
    5 * tail 10 7 (1/10) < 114 / 1000000 ∧ 5 * tail 10 7 (1/5) < 56 / 10000 ∧
      4 * tail 10 7 (3/10) < 47 / 1000 := by decide +kernel

/-- The seed's `0.047` is `P(X ≥ 6)` at `p = 0.3` (`0.04735`), not `P(X ≥ 7)`. -/
theorem seed_047_is_six : tail 10 6 (3/10) = 236744937 / 5000000000 := by decide +kernel

/-- The seed's conclusion "< 5% at p = 0.3" holds, with room: the exact value is below 1.1%. -/
theorem seed_under_five_percent : tail 10 7 (3/10) < 11 / 1000 := by decide +kernel

/-- `0.3^5 = 0.00243 ≈ 0.0024`, to the stated two significant digits. -/
theorem seed_pow_five : (3/10 : Rat) ^ 5 = 243 / 100000 ∧
    (3/10 : Rat) ^ 5 - 24 / 10000 < 5 / 100000 := by decide +kernel

end Hydrogen.Quorum

end
