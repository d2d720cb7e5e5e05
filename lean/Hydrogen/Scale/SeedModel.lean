module

public import Hydrogen.Scale.Communication

/-!
# Seed 000's own message model (§3.3), and how it relates to a real tree

Seed 000 §3.3 defines `messages_at_level n k i = n / k^i` (floor division) and
`total_messages n k levels = Σ_{i < levels} messages_at_level n k i`, summed over
`Nat.log k n + 1` levels. In that model its bounds hold:
`total_messages ≤ n·k/(k−1)` (`total_messages_bound`) and `≤ 2·n`
(`comm_linear_not_quadratic`), for every number of levels; so does its
`geometric_sum` lemma (`Σ_{i≤n} r^i = (r^(n+1) − 1)/(r − 1)`).

The floor model is not a real tree: a real tree rounds the coordinator counts
up (5 agents with `k = 4` need 2 local coordinators, not `5 / 4 = 1`), so the
seed's sum undercounts the messages of a real round (`seed_undercounts`); for
real counts the seed's bound is false (`seed_message_bound_false`) and the
corrected bound is `messagesPerRound_bound`; `≤ 2·n` fails for real counts
too (`seed_linear_bound_false_real`). The seed's sum never exceeds the
real tree's node count `n + totalCoordinators n k` (`seed_total_le_nodes`); it
can exceed the real message count by one, because it counts a message from the
root (`seed_counts_root`).

Core Lean has no `Finset` and no `Nat.log`, so the sum is over `List.range`
and `seedLog` is the seed's `Nat.log` (largest `e` with `k^e ≤ n`; 0 when
`k ≤ 1` or `n < k`), with fuel `n` so that it reduces in the kernel.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Scale

/-- Seed 000 §3.3: messages sent from level `i` of the floor model, `n / k^i`. -/
def messages_at_level (n k i : Nat) : Nat := n / k ^ i

/-- Seed 000 §3.3: total messages over `levels` levels of the floor model. -/
def total_messages (n k levels : Nat) : Nat :=
  ((List.range levels).map (messages_at_level n k)).sum

/-- `seedLog` with explicit fuel. -/
def seedLogAux (k : Nat) : Nat → Nat → Nat
  | 0, _ => 0
  | fuel + 1, n => if k ≤ 1 ∨ n < k then 0 else seedLogAux k fuel (n / k) + 1

/-- The seed's `Nat.log k n`: the largest `e` with `k^e ≤ n` (0 when `k ≤ 1` or `n < k`). -/
def seedLog (k n : Nat) : Nat := seedLogAux k n n

theorem total_messages_succ (n k L : Nat) :
    total_messages n k (L + 1) = total_messages n k L + n / k ^ L := by
  simp [total_messages, List.range_succ, List.sum_append_nat, messages_at_level]

/-- The invariant behind the bound: `(k−1)·Σ_{i<L} n/k^i + k·(n/k^L) ≤ n·k`. -/
theorem total_messages_invariant (n k L : Nat) :
    (k - 1) * total_messages n k L + k * (n / k ^ L) ≤ n * k := by
  cases k with
  | zero => simp
  | succ k =>
  induction L with
  | zero => simp [total_messages, Nat.mul_comm]
  | succ L ih =>
    rw [total_messages_succ, Nat.pow_succ, ← Nat.div_div_eq_div_mul, Nat.mul_add]
    have hq : (k + 1) * (n / (k + 1) ^ L / (k + 1)) ≤ n / (k + 1) ^ L := by
      rw [Nat.mul_comm]; exact Nat.div_mul_le_self _ _
    have hk : (k + 1 - 1) * (n / (k + 1) ^ L) + n / (k + 1) ^ L = (k + 1) * (n / (k + 1) ^ L) := by
      rw [Nat.add_sub_cancel, Nat.succ_mul]
    generalize n / (k + 1) ^ L = q at *
    generalize (k + 1) * (q / (k + 1)) = r at *
    generalize (k + 1 - 1) * total_messages n (k + 1) L = t at *
    generalize (k + 1 - 1) * q = u at *
    omega

/-- Seed 000 §3.3 `total_messages_bound`, in the seed's floor model and for any
number of levels, multiplied out: `(k−1)·total_messages ≤ n·k`. -/
theorem total_messages_mul_le (n k L : Nat) : (k - 1) * total_messages n k L ≤ n * k :=
  Nat.le_trans (Nat.le_add_right _ _) (total_messages_invariant n k L)

/-- Seed 000 §3.3 `total_messages_bound`, exactly as the seed states it (with
its `Nat.log k n + 1` levels and floor division on the right): true in the
seed's model. -/
theorem total_messages_bound (n k : Nat) (hk : k > 1) :
    total_messages n k (seedLog k n + 1) ≤ n * k / (k - 1) :=
  (Nat.le_div_iff_mul_le (by omega)).2 (by
    rw [Nat.mul_comm]; exact total_messages_mul_le n k _)

/-- Seed 000 §3.3 `comm_linear_not_quadratic`, `total_messages ≤ 2·n` for
`k ≥ 2` and any number of levels: true in the seed's model. -/
theorem comm_linear_not_quadratic (n k L : Nat) (hk : k > 1) :
    total_messages n k L ≤ 2 * n := by
  have h := total_messages_mul_le n k L
  obtain ⟨j, rfl⟩ : ∃ j, k = j + 2 := ⟨k - 2, by omega⟩
  have hj : j + 2 - 1 = j + 1 := by omega
  rw [hj, Nat.add_mul, Nat.one_mul, Nat.mul_add] at h
  -- h : j * T + T ≤ n * j + n * 2
  apply Nat.le_of_not_lt
  intro hlt
  have h2 : j * (2 * n + 1) ≤ j * total_messages n (j + 2) L := Nat.mul_le_mul_left j hlt
  rw [Nat.mul_add, Nat.mul_one] at h2
  have h3 : j * (2 * n) = n * j + n * j := by
    rw [Nat.two_mul, Nat.mul_add, Nat.mul_comm j n]
  generalize j * (2 * n) = c at *
  generalize j * total_messages n (j + 2) L = a at *
  generalize total_messages n (j + 2) L = t at *
  generalize n * j = b at *
  omega

/-- The telescoping identity behind the seed's `geometric_sum`, for `r = j + 1`:
`j · Σ_{i<n} r^i + 1 = r^n`. -/
theorem geometric_mul (j n : Nat) :
    j * ((List.range n).map ((j + 1) ^ ·)).sum + 1 = (j + 1) ^ n := by
  induction n with
  | zero => simp
  | succ n ih =>
    simp only [List.range_succ, List.map_append, List.map_cons, List.map_nil,
      List.sum_append_nat, List.sum_cons, List.sum_nil, Nat.add_zero, Nat.mul_add,
      Nat.pow_succ, Nat.mul_succ]
    rw [Nat.mul_comm ((j + 1) ^ n) j]
    generalize j * ((List.range n).map ((j + 1) ^ ·)).sum = a at *
    generalize (j + 1) ^ n = x at *
    generalize j * x = b at *
    omega

/-- Seed 000 §3.3 `geometric_sum`, as the seed states it (over `List.range`
instead of `Finset.range`): `Σ_{i ≤ n} r^i = (r^(n+1) − 1)/(r − 1)` for `r > 1`. -/
theorem geometric_sum (r n : Nat) (hr : r > 1) :
    ((List.range (n + 1)).map (r ^ ·)).sum = (r ^ (n + 1) - 1) / (r - 1) := by
  obtain ⟨j, rfl⟩ : ∃ j, r = j + 1 := ⟨r - 1, by omega⟩
  have h := geometric_mul j (n + 1)
  have hj : 0 < j := by omega
  rw [Nat.add_sub_cancel]
  have : (j + 1) ^ (n + 1) - 1 = j * ((List.range (n + 1)).map ((j + 1) ^ ·)).sum := by omega
  rw [this, Nat.mul_div_cancel_left _ hj]

/-- Seed 000's floor model undercounts a real round: 5 agents with `k = 4` give
`5 + 5/4 = 6` in the seed's sum over `Nat.log 4 5 + 1 = 2` levels, while a real
tree has 2 local coordinators and a root and sends `5 + 2 = 7` messages. -/
theorem seed_undercounts :
    seedLog 4 5 = 1 ∧ total_messages 5 4 (seedLog 4 5 + 1) = 6 ∧ messagesPerRound 5 4 = 7 := by
  decide

/-- The seed's sum counts a message from the root too: for `n = k^e` it is one
more than a real round sends (4 agents, `k = 2`: `4 + 2 + 1 = 7` vs `4 + 3 − 1 = 6`). -/
theorem seed_counts_root :
    total_messages 4 2 (seedLog 2 4 + 1) = 7 ∧ messagesPerRound 4 2 = 6 := by
  decide

/-- `comm_linear_not_quadratic` (messages ≤ 2·n) holds in the seed's model but
not for a real tree: 9 agents with `k = 2` need levels `[5, 3, 2, 1]`, so a real
round sends `9 + 11 − 1 = 19 > 18` messages (the seed's sum is `9 + 4 + 2 + 1 = 16`). -/
theorem seed_linear_bound_false_real :
    ¬ (messagesPerRound 9 2 ≤ 2 * 9) ∧ total_messages 9 2 (seedLog 2 9 + 1) = 16 := by
  decide

/-- A floor sum starting at `m ≤ a` over at most one level more than the real
levels above `a` is at most the real node count from `a` up. -/
theorem total_messages_le_nodesAbove (k : Nat) (hk : 1 ≤ k) :
    ∀ (fuel m a L : Nat), m ≤ a → L ≤ (coordinatorsAbove k fuel a).length + 1 →
      total_messages m k L ≤ a + (coordinatorsAbove k fuel a).sum := by
  intro fuel
  induction fuel with
  | zero =>
    intro m a L hm hL
    simp only [coordinatorsAbove, List.length_nil, List.sum_nil, Nat.add_zero] at *
    cases L with
    | zero => simp [total_messages]
    | succ L =>
      have : L = 0 := by omega
      subst this
      simp [total_messages, messages_at_level]; omega
  | succ fuel ih =>
    intro m a L hm hL
    have hdiv : m / k ≤ ceilDiv a k := by
      simp only [ceilDiv]
      exact Nat.le_trans (Nat.div_le_div_right hm) (Nat.div_le_div_right (by omega))
    cases L with
    | zero => simp [total_messages]
    | succ L =>
      have hsplit : total_messages m k (L + 1) = m + total_messages (m / k) k L := by
        simp only [total_messages, List.range_succ_eq_map, List.map_cons, List.map_map,
          List.sum_cons, messages_at_level, Nat.pow_zero, Nat.div_one]
        congr 1
        congr 1
        apply List.map_congr_left
        intro i _
        simp only [Function.comp_apply, messages_at_level, Nat.div_div_eq_div_mul, Nat.pow_succ', Nat.succ_eq_add_one]
      rw [hsplit]
      simp only [coordinatorsAbove] at hL ⊢
      by_cases h : ceilDiv a k ≤ 1
      · simp only [h, if_true, List.length_cons, List.length_nil, List.sum_cons,
          List.sum_nil] at hL ⊢
        have hL' : L ≤ 1 := by omega
        have ht : total_messages (m / k) k L ≤ 1 := by
          cases L with
          | zero => simp [total_messages]
          | succ L =>
            have : L = 0 := by omega
            subst this
            simp [total_messages, messages_at_level]; omega
        omega
      · simp only [h, if_false, List.length_cons, List.sum_cons] at hL ⊢
        have := ih (m / k) (ceilDiv a k) L hdiv (by omega)
        omega

/-- `seedLog` never exceeds the real tree's coordinator levels. -/
theorem seedLogAux_le_length (k : Nat) (hk : 2 ≤ k) :
    ∀ (f g m a : Nat), f ≤ g → m ≤ a → seedLogAux k f m ≤ (coordinatorsAbove k g a).length := by
  intro f
  induction f with
  | zero => intro g m a _ _; simp [seedLogAux]
  | succ f ih =>
    intro g m a hfg hm
    obtain ⟨g, rfl⟩ : ∃ g', g = g' + 1 := ⟨g - 1, by omega⟩
    simp only [seedLogAux]
    by_cases hs : k ≤ 1 ∨ m < k
    · simp [hs]
    · simp only [hs, if_false]
      have hmk : k ≤ m := by omega
      simp only [coordinatorsAbove]
      by_cases h : ceilDiv a k ≤ 1
      · -- a ≤ k, so m = k and m / k = 1 < k: the recursion stops at once
        simp only [h, if_true, List.length_cons, List.length_nil]
        have hak : a ≤ k := by
          simp only [ceilDiv] at h
          have := (Nat.div_lt_iff_lt_mul (by omega : 0 < k)).1 (by omega : (a + k - 1) / k < 2)
          omega
        have hm1 : m / k = 1 := by
          have : m = k := by omega
          subst this; exact Nat.div_self (by omega)
        rw [hm1]
        cases f with
        | zero => simp [seedLogAux]
        | succ f =>
          simp only [seedLogAux]
          have : k ≤ 1 ∨ 1 < k := Or.inr (by omega)
          simp [this]
      · simp only [h, if_false, List.length_cons]
        have hdiv : m / k ≤ ceilDiv a k := by
          simp only [ceilDiv]
          exact Nat.le_trans (Nat.div_le_div_right hm) (Nat.div_le_div_right (by omega))
        have := ih g (m / k) (ceilDiv a k) (by omega) hdiv
        omega

/-- The seed's sum (over its own `Nat.log k n + 1` levels) never exceeds the
number of nodes of the real, rounded-up tree, `n + totalCoordinators n k`,
which is one more than the messages of a real round. -/
theorem seed_total_le_nodes (n k : Nat) (hk : 2 ≤ k) :
    total_messages n k (seedLog k n + 1) ≤ n + totalCoordinators n k := by
  have hl := seedLogAux_le_length k hk n n n n (Nat.le_refl _) (Nat.le_refl _)
  exact total_messages_le_nodesAbove k (by omega) n n n _ (Nat.le_refl _) (by
    simp only [seedLog]; omega)

/-- The same, as messages: the seed's sum is at most the real round's messages plus one. -/
theorem seed_total_le_messagesPerRound_succ (n k : Nat) (hn : 1 ≤ n) (hk : 2 ≤ k) :
    total_messages n k (seedLog k n + 1) ≤ messagesPerRound n k + 1 := by
  have h := seed_total_le_nodes n k hk
  have hS := totalCoordinators_pos n k hn
  simp only [messagesPerRound]
  omega

end Hydrogen.Scale

end
