module

public import Init

/-!
# Byzantine quorum arithmetic (seed 004)

`n` researchers, at most `f` of them faulty (Byzantine), quorum size `q`.
The seed asks for three things of `q`: it must be reachable with `f` silent
(`q + f ≤ n`), a strict majority (`2q > n`) and at least `2f + 1`. Here, for
all `n`, `f`, `q`:

* the three requirements have a solution exactly when `3f + 1 ≤ n`
  (`solvable_iff`), and `q = n − f` is then one (`valid_live`); for the seed's
  `n = 10, f = 3` it is the only one (`valid_seed_iff`);
* researcher sets are characteristic vectors (`List Bool` of length `n`), so
  cardinalities and intersections are computed, not assumed: two sets of
  sizes `a`, `b` meet in at least `a + b − n` members (`card_inter_ge`), so
  two `(n − f)`-quorums meet in `≥ f + 1` (`quorum_intersection`) and share an
  honest member whatever `f` members are faulty (`quorum_honest_member`);
* `bftQuorum n f = (n + f) / 2 + 1` is the least size that guarantees an
  honest common member: it suffices (`bftQuorum_sufficient`), every smaller
  size has a counterexample (`bftQuorum_necessary`), and it is live
  (`≤ n − f`) exactly when `n > 3f` (`bftQuorum_live_iff`); the seed's three
  requirements alone allow unsafe sizes once `n > 3f + 1`
  (`seed_requirements_unsafe`: `n = 13, f = 3, q = 7`);
* the seed's degradation table (`degradation_seed`) and consensus levels
  HIGH/MEDIUM/LOW over `k` agreeing of `n` as a partition (`level_*`).
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Quorum

/-- The seed's three requirements on a quorum size `q` for `n` researchers and
`f` faults: reachable with `f` absent, strict majority, at least `2f + 1`. -/
def valid (n f q : Nat) : Bool :=
  decide (q + f ≤ n) && decide (n < 2 * q) && decide (2 * f + 1 ≤ q)

theorem valid_iff (n f q : Nat) : valid n f q = true ↔ q + f ≤ n ∧ n < 2 * q ∧ 2 * f + 1 ≤ q := by
  simp [valid, Bool.and_eq_true, decide_eq_true_eq, and_assoc]

/-- The smallest size meeting requirements 2 and 3. -/
def minValid (n f : Nat) : Nat := max (2 * f + 1) (n / 2 + 1)

/-- The valid sizes are exactly the interval `[minValid n f, n − f]`. -/
theorem valid_iff_between (n f q : Nat) : valid n f q = true ↔ minValid n f ≤ q ∧ q ≤ n - f := by
  rw [valid_iff, minValid]; omega

/-- The requirements are satisfiable exactly when `n ≥ 3f + 1`. -/
theorem solvable_iff (n f : Nat) : (∃ q, valid n f q = true) ↔ 3 * f + 1 ≤ n := by
  constructor
  · rintro ⟨q, h⟩; rw [valid_iff] at h; omega
  · intro h; exact ⟨n - f, by rw [valid_iff]; omega⟩

/-- With `n ≥ 3f + 1`, the quorum `n − f` meets all three requirements. -/
theorem valid_live (n f : Nat) (h : 3 * f + 1 ≤ n) : valid n f (n - f) = true := by
  rw [valid_iff]; omega

/-- The seed's derivation: for `n = 10, f = 3` the only valid quorum is 7. -/
theorem valid_seed_iff (q : Nat) : valid 10 3 q = true ↔ q = 7 := by
  rw [valid_iff]; omega

/-! ## Researcher sets as characteristic vectors -/

/-- Number of members (`true` entries). -/
def card : List Bool → Nat
  | [] => 0
  | b :: s => (if b then 1 else 0) + card s

/-- Position-wise `and`: the intersection of two sets over the same researchers. -/
def inter : List Bool → List Bool → List Bool
  | a :: s, b :: t => (a && b) :: inter s t
  | _, _ => []

/-- The complement (e.g. the honest researchers, given the faulty ones). -/
def compl (s : List Bool) : List Bool := s.map (!·)

/-- Whether researcher `i` is a member (`false` beyond the end). -/
def mem (s : List Bool) (i : Nat) : Bool := s.getD i false

/-- Members of both quorums that are not faulty. -/
def honestCommon (a b faulty : List Bool) : List Bool := inter (inter a b) (compl faulty)

theorem card_le_length (s : List Bool) : card s ≤ s.length := by
  induction s with
  | nil => simp [card]
  | cons b s ih => cases b <;> simp [card] <;> omega

theorem length_inter (a b : List Bool) (h : a.length = b.length) : (inter a b).length = a.length := by
  induction a generalizing b with
  | nil => simp [inter]
  | cons x s ih =>
    cases b with
    | nil => simp at h
    | cons y t => simp only [inter, List.length_cons] at h ⊢; rw [ih t (by omega)]

theorem card_compl (s : List Bool) : card (compl s) + card s = s.length := by
  induction s with
  | nil => simp [card, compl]
  | cons b s ih => simp only [compl, List.map_cons] at ih ⊢; cases b <;> simp [card] at ih ⊢ <;> omega

/-- Two sets over `n` researchers with `|A|` and `|B|` members share at least
`|A| + |B| − n` of them. -/
theorem card_inter_ge (a b : List Bool) (h : a.length = b.length) :
    card a + card b ≤ card (inter a b) + a.length := by
  induction a generalizing b with
  | nil =>
    cases b with
    | nil => simp [card, inter]
    | cons _ _ => simp at h
  | cons x s ih =>
    cases b with
    | nil => simp at h
    | cons y t =>
      have := ih t (by simpa using h)
      cases x <;> cases y <;> simp [card, inter] at this ⊢ <;> omega

theorem mem_inter (a b : List Bool) (i : Nat) : mem (inter a b) i = (mem a i && mem b i) := by
  induction a generalizing b i with
  | nil => simp [inter, mem]
  | cons x s ih =>
    cases b with
    | nil => simp [inter, mem]
    | cons y t => cases i <;> simp [inter, mem] at ih ⊢; exact ih t _

theorem mem_compl (s : List Bool) (i : Nat) (h : i < s.length) : mem (compl s) i = !mem s i := by
  simp [compl, mem, List.getD_eq_getElem?_getD, h]

/-- A set with a member has a member at some index. -/
theorem exists_mem_of_card_pos (s : List Bool) (h : 0 < card s) : ∃ i, i < s.length ∧ mem s i = true := by
  induction s with
  | nil => simp [card] at h
  | cons b s ih =>
    cases b
    · have h' : 0 < card s := by simpa [card] using h
      obtain ⟨i, hi, hm⟩ := ih h'
      exact ⟨i + 1, by simp; omega, by simpa [mem] using hm⟩
    · exact ⟨0, by simp, by simp [mem]⟩

/-- The honest common members number at least `|A| + |B| − n − |F|`. -/
theorem card_honestCommon_ge (a b faulty : List Bool) (n : Nat) (ha : a.length = n) (hb : b.length = n)
    (hf : faulty.length = n) : card a + card b ≤ card (honestCommon a b faulty) + n + card faulty := by
  have h1 := card_inter_ge a b (by omega)
  have hl : (inter a b).length = n := by rw [length_inter a b (by omega)]; exact ha
  have h2 := card_inter_ge (inter a b) (compl faulty) (by simp [compl]; omega)
  have h3 := card_compl faulty
  simp only [compl] at h2 h3 ⊢
  unfold honestCommon compl
  omega

/-- Any two quorums of size `≥ n − f` among `n ≥ 3f + 1` researchers share at
least `f + 1` members. -/
theorem quorum_intersection (n f : Nat) (a b : List Bool) (hn : 3 * f + 1 ≤ n)
    (ha : a.length = n) (hb : b.length = n) (hqa : n - f ≤ card a) (hqb : n - f ≤ card b) :
    f + 1 ≤ card (inter a b) := by
  have := card_inter_ge a b (by omega)
  omega

/-- …so, whichever `≤ f` researchers are faulty, the two quorums share an
honest member. -/
theorem quorum_honest_member (n f : Nat) (a b faulty : List Bool) (hn : 3 * f + 1 ≤ n)
    (ha : a.length = n) (hb : b.length = n) (hf : faulty.length = n) (hcf : card faulty ≤ f)
    (hqa : n - f ≤ card a) (hqb : n - f ≤ card b) :
    ∃ i, i < n ∧ mem a i = true ∧ mem b i = true ∧ mem faulty i = false := by
  have := card_honestCommon_ge a b faulty n ha hb hf
  have hpos : 0 < card (honestCommon a b faulty) := by omega
  have hl : (honestCommon a b faulty).length = n := by
    unfold honestCommon
    rw [length_inter _ _ (by rw [length_inter a b (by omega)]; simp [compl]; omega), length_inter a b (by omega), ha]
  obtain ⟨i, hi, hm⟩ := exists_mem_of_card_pos _ hpos
  rw [hl] at hi
  refine ⟨i, hi, ?_⟩
  unfold honestCommon at hm
  rw [mem_inter, mem_inter, mem_compl _ _ (by omega)] at hm
  cases h1 : mem a i <;> cases h2 : mem b i <;> cases h3 : mem faulty i <;> simp_all

/-! ## The least quorum with an honest common member -/

/-- `⌊(n + f) / 2⌋ + 1`: the least `q` with `2q ≥ n + f + 1`. -/
def bftQuorum (n f : Nat) : Nat := (n + f) / 2 + 1

theorem bftQuorum_spec (n f q : Nat) : bftQuorum n f ≤ q ↔ n + f + 1 ≤ 2 * q := by
  unfold bftQuorum; omega

/-- Quorums of size `≥ bftQuorum n f` always share an honest member. -/
theorem bftQuorum_sufficient (n f q : Nat) (a b faulty : List Bool) (hq : bftQuorum n f ≤ q)
    (ha : a.length = n) (hb : b.length = n) (hf : faulty.length = n) (hcf : card faulty ≤ f)
    (hqa : q ≤ card a) (hqb : q ≤ card b) : 1 ≤ card (honestCommon a b faulty) := by
  have := card_honestCommon_ge a b faulty n ha hb hf
  rw [bftQuorum_spec] at hq
  omega

theorem card_append (s t : List Bool) : card (s ++ t) = card s + card t := by
  induction s with
  | nil => simp [card]
  | cons b s ih => simp [card, ih]; omega

theorem card_replicate (k : Nat) (b : Bool) : card (List.replicate k b) = if b then k else 0 := by
  induction k with
  | zero => cases b <;> simp [card]
  | succ k ih => cases b <;> simp [List.replicate_succ, card] at ih ⊢ <;> omega

theorem inter_append (s t u v : List Bool) (h : s.length = u.length) :
    inter (s ++ t) (u ++ v) = inter s u ++ inter t v := by
  induction s generalizing u with
  | nil => cases u <;> simp_all [inter]
  | cons x s ih => cases u with
    | nil => simp at h
    | cons y u => simp [inter, ih u (by simpa using h)]

theorem inter_replicate (k : Nat) (x y : Bool) :
    inter (List.replicate k x) (List.replicate k y) = List.replicate k (x && y) := by
  induction k with
  | zero => simp [inter]
  | succ k ih => simp [List.replicate_succ, inter, ih]

/-- Four blocks of researchers (`m`, `o`, `m`, `r` of them), each block all in
or all out: the counterexample's shape (proof-only). -/
def blocks (m o r : Nat) (x y z w : Bool) : List Bool :=
  List.replicate m x ++ List.replicate o y ++ List.replicate m z ++ List.replicate r w

theorem length_blocks (m o r : Nat) (x y z w : Bool) : (blocks m o r x y z w).length = m + o + m + r := by
  simp [blocks]; omega

theorem card_blocks (m o r : Nat) (x y z w : Bool) :
    card (blocks m o r x y z w) = (if x then m else 0) + (if y then o else 0) + (if z then m else 0) + (if w then r else 0) := by
  simp only [blocks, card_append, card_replicate]

theorem inter_blocks (m o r : Nat) (x y z w x' y' z' w' : Bool) :
    inter (blocks m o r x y z w) (blocks m o r x' y' z' w') = blocks m o r (x && x') (y && y') (z && z') (w && w') := by
  unfold blocks
  rw [inter_append _ _ _ _ (by simp), inter_append _ _ _ _ (by simp), inter_append _ _ _ _ (by simp)]
  simp only [inter_replicate]

theorem compl_blocks (m o r : Nat) (x y z w : Bool) :
    compl (blocks m o r x y z w) = blocks m o r (!x) (!y) (!z) (!w) := by
  simp [blocks, compl, List.map_replicate]

/-- Every size below `bftQuorum n f` (and at most `n`) fails: two quorums of
exactly that size whose whole overlap (`≤ f` researchers) is faulty. -/
theorem bftQuorum_necessary (n f q : Nat) (hq : q < bftQuorum n f) (hqn : q ≤ n) :
    ∃ a b faulty : List Bool, a.length = n ∧ b.length = n ∧ faulty.length = n ∧
      card a = q ∧ card b = q ∧ card faulty ≤ f ∧ card (honestCommon a b faulty) = 0 := by
  have hq' : 2 * q ≤ n + f := by unfold bftQuorum at hq; omega
  -- blocks: only A (m), both and all faulty (o = 2q − n), only B (m), neither (r)
  refine ⟨blocks (q - (2 * q - n)) (2 * q - n) (n - 2 * (q - (2 * q - n)) - (2 * q - n)) true true false false,
    blocks (q - (2 * q - n)) (2 * q - n) (n - 2 * (q - (2 * q - n)) - (2 * q - n)) false true true false,
    blocks (q - (2 * q - n)) (2 * q - n) (n - 2 * (q - (2 * q - n)) - (2 * q - n)) false true false false,
    ?_, ?_, ?_, ?_, ?_, ?_, ?_⟩
  all_goals (try unfold honestCommon)
  all_goals (try rw [compl_blocks, inter_blocks, inter_blocks])
  all_goals (first | rw [length_blocks] | rw [card_blocks])
  all_goals (try simp)
  all_goals omega

/-- `bftQuorum` is live (reachable with `f` researchers silent) exactly when `n > 3f`. -/
theorem bftQuorum_live_iff (n f : Nat) : bftQuorum n f ≤ n - f ↔ 3 * f + 1 ≤ n := by
  unfold bftQuorum; omega

/-- For `n > 3f`, `bftQuorum` also meets the seed's three requirements, and is
the least size that does (the seed's `2f + 1` and majority bounds are implied). -/
theorem bftQuorum_valid (n f : Nat) (h : 3 * f + 1 ≤ n) : valid n f (bftQuorum n f) = true := by
  rw [valid_iff]; unfold bftQuorum; omega

theorem bftQuorum_seed : bftQuorum 10 3 = 7 := by decide

/-- The seed's three requirements alone are not enough once `n > 3f + 1`:
`n = 13, f = 3, q = 7` meets all three, yet two 7-quorums can share a single
researcher, who may be faulty. `bftQuorum 13 3 = 9` is the safe size. -/
theorem seed_requirements_unsafe : valid 13 3 7 = true ∧ bftQuorum 13 3 = 9 ∧
    ∃ a b faulty : List Bool, a.length = 13 ∧ b.length = 13 ∧ faulty.length = 13 ∧
      card a = 7 ∧ card b = 7 ∧ card faulty ≤ 3 ∧ card (honestCommon a b faulty) = 0 :=
  ⟨by decide, by decide, bftQuorum_necessary 13 3 7 (by decide) (by decide)⟩

/-! ## Graceful degradation -/

/-- A quorum of `q` is still reachable after `failures` of `n` researchers fail. -/
def reachable (n q failures : Nat) : Bool := decide (q + failures ≤ n)

/-- With `q = n − f`, a quorum survives exactly up to `f` failures. -/
theorem reachable_iff (n f failures : Nat) (h : f ≤ n) : reachable n (n - f) failures = true ↔ failures ≤ f := by
  simp [reachable]; omega

/-- Rows `(failures, remaining, reachable)` for `0 … upto` failures. -/
def degradation (n q upto : Nat) : List (Nat × Nat × Bool) :=
  (List.range (upto + 1)).map fun k => (k, n - k, reachable n q k)

/-- The seed's table (n = 10, q = 7, 0–4 failures). -/
theorem degradation_seed :
    degradation 10 7 4 = [(0, 10, true), (1, 9, true), (2, 8, true), (3, 7, true), (4, 6, false)] := by decide

/-! ## Consensus levels -/

inductive Level where
  | high | medium | low
  deriving DecidableEq, Repr

/-- The seed's levels for `k` of `n` agreeing: HIGH at `k/n ≥ 0.7`, MEDIUM at
`0.4 ≤ k/n < 0.7`, LOW below (compared in integers: `10k ≥ 7n`). -/
def level (n k : Nat) : Level :=
  if 7 * n ≤ 10 * k then .high else if 4 * n ≤ 10 * k then .medium else .low

theorem level_high_iff (n k : Nat) : level n k = .high ↔ 7 * n ≤ 10 * k := by
  unfold level; split <;> (try split) <;> simp_all <;> omega

theorem level_medium_iff (n k : Nat) : level n k = .medium ↔ 4 * n ≤ 10 * k ∧ 10 * k < 7 * n := by
  unfold level; split <;> (try split) <;> simp_all <;> omega

theorem level_low_iff (n k : Nat) : level n k = .low ↔ 10 * k < 4 * n := by
  unfold level; split <;> (try split) <;> simp_all <;> omega

/-- The three threshold conditions partition the fractions: exactly one holds. -/
theorem level_partition (n k : Nat) :
    (7 * n ≤ 10 * k ∨ (4 * n ≤ 10 * k ∧ 10 * k < 7 * n) ∨ 10 * k < 4 * n) ∧
    ¬(7 * n ≤ 10 * k ∧ 4 * n ≤ 10 * k ∧ 10 * k < 7 * n) ∧
    ¬(7 * n ≤ 10 * k ∧ 10 * k < 4 * n) ∧
    ¬(4 * n ≤ 10 * k ∧ 10 * k < 7 * n ∧ 10 * k < 4 * n) := by
  omega

/-- The seed's counts for ten researchers: HIGH 7–10, MEDIUM 4–6, LOW 0–3. -/
theorem level_seed :
    (List.range 11).map (level 10) =
      [.low, .low, .low, .low, .medium, .medium, .medium, .high, .high, .high, .high] := by decide

/-- HIGH agreement is Byzantine-safe for every `n ≥ 3f + 1`: `k` with
`10k ≥ 7n` is at least `bftQuorum n f`. -/
theorem high_ge_bftQuorum (n f k : Nat) (hn : 3 * f + 1 ≤ n) (hk : level n k = .high) :
    bftQuorum n f ≤ k := by
  rw [level_high_iff] at hk; unfold bftQuorum; omega

end Hydrogen.Quorum

end
