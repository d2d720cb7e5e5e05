module

public import Init

/-!
# Scale arithmetic of the coordinator tree

`n` agents report to local coordinators in groups of at most `k`; each level of
coordinators reports to the next in groups of at most `k`, until one root is
left. Counts are rounded up, as a real tree needs them to be.

The seed's closed forms (`levels = log_k n + 1`, `messages ≤ n·k/(k−1)`,
`round trip = 2·(log_k n + 1)`) are exact only when `n` is a power of `k` or
not at all; the statements here hold for the rounded-up counts, and the
counterexamples at the end show where the seed's versions fail.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Scale

/-- `⌈a / k⌉` for `k > 0`. -/
def ceilDiv (a k : Nat) : Nat := (a + k - 1) / k

/-- Coordinator counts of the levels above `a` nodes, lowest level first, ending
with the single root. `fuel` bounds the recursion (`a` levels always suffice
for `k ≥ 2`). -/
def coordinatorsAbove (k : Nat) : Nat → Nat → List Nat
  | 0, _ => []
  | fuel + 1, a =>
    if ceilDiv a k ≤ 1 then [1] else ceilDiv a k :: coordinatorsAbove k fuel (ceilDiv a k)

/-- Coordinators per level for `n` agents and branching `k`: local level first, root last. -/
def coordinatorsPerLevel (n k : Nat) : List Nat := coordinatorsAbove k n n

/-- Number of coordinator levels (the tree's height above the agents). -/
def coordinatorLevels (n k : Nat) : Nat := (coordinatorsPerLevel n k).length

/-- Levels of the tree, counting the agents as a level. -/
def levels (n k : Nat) : Nat := coordinatorLevels n k + 1

/-- All coordinators of all levels. -/
def totalCoordinators (n k : Nat) : Nat := (coordinatorsPerLevel n k).sum

/-- Messages in one aggregation round: every agent and every coordinator but
the root sends one summary to its parent. -/
def messagesPerRound (n k : Nat) : Nat := n + totalCoordinators n k - 1

/-- Hops from an agent up to the root and back down to an agent. -/
def roundTripHops (n k : Nat) : Nat := 2 * coordinatorLevels n k

theorem mul_ceilDiv_le (a k : Nat) : k * ceilDiv a k ≤ a + k - 1 := Nat.mul_div_le (a + k - 1) k

/-- The telescoping step behind the message bound: with `S` coordinators on
`L` levels above `a ≥ 1` nodes, `k·S + L + 1 ≤ a + S + k·L`. -/
theorem coordinatorsAbove_bound (k fuel a : Nat) (ha : 1 ≤ a) :
    k * (coordinatorsAbove k fuel a).sum + (coordinatorsAbove k fuel a).length + 1 ≤
      a + (coordinatorsAbove k fuel a).sum + k * (coordinatorsAbove k fuel a).length := by
  induction fuel generalizing a with
  | zero => simp [coordinatorsAbove]; omega
  | succ fuel ih =>
    have hc := mul_ceilDiv_le a k
    simp only [coordinatorsAbove]
    by_cases h : ceilDiv a k ≤ 1
    · simp only [h, if_true, List.sum_cons, List.sum_nil, List.length_cons, List.length_nil]
      omega
    · simp only [h, if_false, List.sum_cons, List.length_cons, Nat.mul_add, Nat.mul_one]
      have := ih (ceilDiv a k) (by omega)
      generalize ceilDiv a k = c at *
      generalize coordinatorsAbove k fuel c = rest at *
      omega

theorem totalCoordinators_pos (n k : Nat) (hn : 1 ≤ n) : 1 ≤ totalCoordinators n k := by
  obtain ⟨m, rfl⟩ : ∃ m, n = m + 1 := ⟨n - 1, by omega⟩
  simp only [totalCoordinators, coordinatorsPerLevel, coordinatorsAbove]
  by_cases h : ceilDiv (m + 1) k ≤ 1
  · simp [h]
  · simp only [h, if_false, List.sum_cons]; omega

/-- **Message bound**, true for the rounded-up counts: with `M` messages per
round and `L` coordinator levels, `k·M + k + L ≤ n·k + M + k·L`, that is
`(k−1)·M ≤ n·k + (k−1)·(L−1) − 1`, or `M < n·k/(k−1) + L`. The seed's
`M ≤ n·k/(k−1)` misses the rounding term (see `seed_message_bound_false`). -/
theorem messagesPerRound_bound (n k : Nat) (hn : 1 ≤ n) :
    k * messagesPerRound n k + k + coordinatorLevels n k ≤
      n * k + messagesPerRound n k + k * coordinatorLevels n k := by
  have hb := coordinatorsAbove_bound k n n hn
  have hS := totalCoordinators_pos n k hn
  have hM : messagesPerRound n k + 1 = n + totalCoordinators n k := by
    simp only [messagesPerRound]; omega
  have hkM : k * messagesPerRound n k + k = k * n + k * totalCoordinators n k := by
    rw [← Nat.mul_add_one, hM, Nat.mul_add]
  simp only [totalCoordinators, coordinatorLevels, coordinatorsPerLevel] at *
  rw [Nat.mul_comm n k]
  omega

/-- The round trip crosses every coordinator level twice. -/
theorem roundTripHops_eq (n k : Nat) : roundTripHops n k = 2 * (levels n k - 1) := by
  simp [roundTripHops, levels]

/-- `a ≤ k · ⌈a / k⌉` for `k > 0`. -/
theorem le_mul_ceilDiv (a k : Nat) (hk : 0 < k) : a ≤ k * ceilDiv a k := by
  have h1 := Nat.div_add_mod (a + k - 1) k
  have h2 := Nat.mod_lt (a + k - 1) hk
  simp only [ceilDiv]
  generalize (a + k - 1) / k = q at *
  generalize (a + k - 1) % k = r at *
  omega

/-- Above `a` nodes, `L` coordinator levels of branching `k ≥ 2` cover at most `k^L`
of them (given enough fuel, `a ≤ fuel`, as `coordinatorsPerLevel` has). -/
theorem le_pow_length_coordinatorsAbove {k : Nat} (hk : 2 ≤ k) (fuel a : Nat) (ha : a ≤ fuel) :
    a ≤ k ^ (coordinatorsAbove k fuel a).length := by
  induction fuel generalizing a with
  | zero => simp [coordinatorsAbove]; omega
  | succ fuel ih =>
    have hc := mul_ceilDiv_le a k
    have hle := le_mul_ceilDiv a k (by omega)
    simp only [coordinatorsAbove]
    by_cases h : ceilDiv a k ≤ 1
    · simp only [h, if_true, List.length_cons, List.length_nil, Nat.zero_add, Nat.pow_one]
      have : k * ceilDiv a k ≤ k * 1 := Nat.mul_le_mul_left k h
      omega
    · simp only [h, if_false, List.length_cons, Nat.pow_succ]
      have h2 : k * 2 ≤ k * ceilDiv a k := Nat.mul_le_mul_left k (by omega)
      have h3 : a * 2 ≤ a * k := Nat.mul_le_mul_left a hk
      -- `⌈a/k⌉ < a`, so the fuel still suffices one level up
      have hlt : ceilDiv a k < a := by
        apply Nat.lt_of_mul_lt_mul_left (a := k)
        rw [Nat.mul_comm k a]
        omega
      have ih' := ih (ceilDiv a k) (by omega)
      calc a ≤ k * ceilDiv a k := hle
        _ ≤ k * k ^ (coordinatorsAbove k fuel (ceilDiv a k)).length := Nat.mul_le_mul_left k ih'
        _ = k ^ (coordinatorsAbove k fuel (ceilDiv a k)).length * k := Nat.mul_comm _ _

/-- **Capacity**: a tree of branching `k ≥ 2` with `coordinatorLevels n k` coordinator
levels covers at most `k ^ coordinatorLevels n k` agents, so `n` agents need at least
`log_k n` coordinator levels. -/
theorem le_pow_coordinatorLevels (n k : Nat) (hk : 2 ≤ k) : n ≤ k ^ coordinatorLevels n k :=
  le_pow_length_coordinatorsAbove hk n n (Nat.le_refl n)

/-! ## The seed's 10⁹-agent table, checked by the kernel

Seed table (levels / coordinators): k=10: 10 / ~111,111,111; k=100: 5 / ~10,101,010;
k=1000: 4 / ~1,001,001; k=10000: 3 / ~100,010. -/

theorem billion_k10 :
    coordinatorsPerLevel (10 ^ 9) 10 =
        [100000000, 10000000, 1000000, 100000, 10000, 1000, 100, 10, 1] ∧
      levels (10 ^ 9) 10 = 10 ∧ totalCoordinators (10 ^ 9) 10 = 111111111 := by decide

/-- k = 100: five coordinator levels, so six levels with the agents (the seed says 5). -/
theorem billion_k100 :
    coordinatorsPerLevel (10 ^ 9) 100 = [10000000, 100000, 1000, 10, 1] ∧
      levels (10 ^ 9) 100 = 6 ∧ totalCoordinators (10 ^ 9) 100 = 10101011 := by decide

theorem billion_k1000 :
    coordinatorsPerLevel (10 ^ 9) 1000 = [1000000, 1000, 1] ∧
      levels (10 ^ 9) 1000 = 4 ∧ totalCoordinators (10 ^ 9) 1000 = 1001001 := by decide

/-- k = 10000: three coordinator levels, so four levels with the agents (the seed says 3). -/
theorem billion_k10000 :
    coordinatorsPerLevel (10 ^ 9) 10000 = [100000, 10, 1] ∧
      levels (10 ^ 9) 10000 = 4 ∧ totalCoordinators (10 ^ 9) 10000 = 100011 := by decide

/-- The seed's "5 levels" for k = 100 are too few for 10⁹ agents: a tree of branching
100 with at most 5 levels (at most 4 coordinator levels above the agents) covers at
most 100⁴ = 10⁸ agents (`le_pow_coordinatorLevels`), so not 10⁹. -/
theorem seed_k100_levels_too_few (n : Nat) (h : levels n 100 ≤ 5) : n ≤ 10 ^ 8 := by
  have hL : coordinatorLevels n 100 ≤ 4 := by simp only [levels] at h; omega
  exact Nat.le_trans (le_pow_coordinatorLevels n 100 (by decide))
    (Nat.le_trans (Nat.pow_le_pow_right (by decide) hL) (by decide))

/-- The seed's "3 levels" for k = 10000 are too few for 10⁹ agents: a tree of branching
10000 with at most 3 levels (at most 2 coordinator levels) covers at most
10000² = 10⁸ agents, so not 10⁹. -/
theorem seed_k10000_levels_too_few (n : Nat) (h : levels n 10000 ≤ 3) : n ≤ 10 ^ 8 := by
  have hL : coordinatorLevels n 10000 ≤ 2 := by simp only [levels] at h; omega
  exact Nat.le_trans (le_pow_coordinatorLevels n 10000 (by decide))
    (Nat.le_trans (Nat.pow_le_pow_right (by decide) hL) (by decide))

/-- The seed's bound `messages ≤ n·k/(k−1)` is false for real trees: with 5 agents
and k = 4 there are 2 local coordinators and a root, so 5 + 2 = 7 messages > 20/3. -/
theorem seed_message_bound_false : ¬ (messagesPerRound 5 4 ≤ 5 * 4 / (4 - 1)) := by decide

/-- The seed computes 2·4 = 8 hops for 10⁹ agents with k = 1000; the tree has three
coordinator levels, so a round trip is 6 hops (the six legs of seed §5.1). -/
theorem billion_k1000_round_trip : roundTripHops (10 ^ 9) 1000 = 6 := by decide

end Hydrogen.Scale

end
