module

public import Init

/-!
# MAP-Elites archive (seed 004)

The archive maps a behaviour cell to at most one elite. Inserting a candidate
replaces the cell's elite only when the cell is empty or the candidate is
strictly fitter (the seed's "cell empty OR P > existing"; ties keep the
incumbent, `insert_tie_keeps`). Here, for any cell type and configuration:

* insert touches only the candidate's cell (`insert_other`), never lowers any
  cell's best fitness (`insert_mono`), and leaves the candidate's cell at least
  as fit as the candidate (`insert_ge`);
* for an archive built by inserting a list of candidates into the empty one:
  a cell is empty exactly when no candidate fell in it (`build_none_iff`); its
  elite is one of the candidates of that cell (`build_mem`) and at least as fit
  as every one of them (`build_ge`), so its fitness is their maximum;
* the grid index of a cell with `b` bins per dimension over four dimensions is
  below `b⁴` (`cellIndex_lt`) and distinct cells get distinct indices
  (`cellIndex_inj`): the seed's 10 bins per dimension give 10,000 niches, its
  named 4-level scales 256 (`niches_seed`).
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Research

/-- A candidate: its behaviour cell, its fitness and its configuration. -/
structure Candidate (C α : Type) where
  cell : C
  fitness : Int
  config : α

/-- An archive: at most one elite per cell. -/
def Archive (C α : Type) := C → Option (Candidate C α)

namespace Archive

variable {C α : Type} [DecidableEq C]

def empty : Archive C α := fun _ => none

/-- Keep the candidate if its cell is empty or it is strictly fitter. -/
def insert (a : Archive C α) (x : Candidate C α) : Archive C α := fun c =>
  if c = x.cell then
    match a c with
    | none => some x
    | some e => if e.fitness < x.fitness then some x else some e
  else a c

def build (a : Archive C α) (xs : List (Candidate C α)) : Archive C α := xs.foldl insert a

theorem insert_other (a : Archive C α) (x : Candidate C α) (c : C) (h : c ≠ x.cell) :
    a.insert x c = a c := by
  simp [insert, h]

theorem insert_tie_keeps (a : Archive C α) (x e : Candidate C α) (h : a x.cell = some e)
    (ht : e.fitness = x.fitness) : a.insert x x.cell = some e := by
  simp [insert, h, ht]

theorem insert_ge (a : Archive C α) (x : Candidate C α) :
    ∃ e, a.insert x x.cell = some e ∧ x.fitness ≤ e.fitness := by
  simp only [insert]
  cases h : a x.cell with
  | none => exact ⟨x, rfl, Int.le_refl _⟩
  | some e =>
    by_cases hl : e.fitness < x.fitness
    · exact ⟨x, by simp [hl], Int.le_refl _⟩
    · exact ⟨e, by simp [hl], by omega⟩

theorem insert_mono (a : Archive C α) (x : Candidate C α) (c : C) (e : Candidate C α)
    (h : a c = some e) : ∃ e', a.insert x c = some e' ∧ e.fitness ≤ e'.fitness := by
  by_cases hc : c = x.cell
  · subst hc
    simp only [insert, h]
    by_cases hl : e.fitness < x.fitness
    · exact ⟨x, by simp [hl], by omega⟩
    · exact ⟨e, by simp [hl], Int.le_refl _⟩
  · exact ⟨e, by rw [insert_other a x c hc, h], Int.le_refl _⟩

/-- What insert leaves in a cell was there before or is the candidate. -/
theorem insert_some (a : Archive C α) (x : Candidate C α) (c : C) (e : Candidate C α)
    (h : a.insert x c = some e) : a c = some e ∨ (e = x ∧ x.cell = c) := by
  by_cases hc : c = x.cell
  · subst hc
    simp only [insert] at h
    cases ha : a x.cell with
    | none => rw [ha] at h; cases h; exact Or.inr ⟨rfl, rfl⟩
    | some e0 =>
      rw [ha] at h
      by_cases hl : e0.fitness < x.fitness
      · simp [hl] at h; exact Or.inr ⟨h.symm, rfl⟩
      · simp [hl] at h; exact Or.inl (by rw [h])
  · exact Or.inl (by rw [← insert_other a x c hc]; exact h)

theorem build_mono (a : Archive C α) (xs : List (Candidate C α)) (c : C) (e : Candidate C α)
    (h : a c = some e) : ∃ e', a.build xs c = some e' ∧ e.fitness ≤ e'.fitness := by
  induction xs generalizing a e with
  | nil => exact ⟨e, h, Int.le_refl _⟩
  | cons y ys ih =>
    obtain ⟨e1, h1, l1⟩ := insert_mono a y c e h
    obtain ⟨e2, h2, l2⟩ := ih (a.insert y) e1 h1
    exact ⟨e2, h2, Int.le_trans l1 l2⟩

/-- Every candidate of a cell is at most as fit as the cell's elite. -/
theorem build_ge (a : Archive C α) (xs : List (Candidate C α)) (x : Candidate C α) (hx : x ∈ xs) :
    ∃ e, a.build xs x.cell = some e ∧ x.fitness ≤ e.fitness := by
  induction xs generalizing a with
  | nil => cases hx
  | cons y ys ih =>
    rcases List.mem_cons.mp hx with rfl | hm
    · obtain ⟨e1, h1, l1⟩ := insert_ge a x
      obtain ⟨e2, h2, l2⟩ := build_mono (a.insert x) ys x.cell e1 h1
      exact ⟨e2, h2, Int.le_trans l1 l2⟩
    · exact ih (a.insert y) hm

/-- A cell's elite was there at the start or is one of that cell's candidates. -/
theorem build_some (a : Archive C α) (xs : List (Candidate C α)) (c : C) (e : Candidate C α)
    (h : a.build xs c = some e) : a c = some e ∨ (e ∈ xs ∧ e.cell = c) := by
  induction xs generalizing a with
  | nil => exact Or.inl h
  | cons y ys ih =>
    rcases ih (a.insert y) h with h1 | ⟨hm, hc⟩
    · rcases insert_some a y c e h1 with h2 | ⟨rfl, hc⟩
      · exact Or.inl h2
      · exact Or.inr ⟨List.mem_cons_self, hc⟩
    · exact Or.inr ⟨List.mem_cons_of_mem _ hm, hc⟩

theorem build_mem (xs : List (Candidate C α)) (c : C) (e : Candidate C α)
    (h : (empty : Archive C α).build xs c = some e) : e ∈ xs ∧ e.cell = c := by
  rcases build_some empty xs c e h with h | h
  · cases h
  · exact h

theorem build_none_iff (xs : List (Candidate C α)) (c : C) :
    (empty : Archive C α).build xs c = none ↔ ∀ x ∈ xs, x.cell ≠ c := by
  constructor
  · intro h x hx hc
    obtain ⟨e, he, _⟩ := build_ge empty xs x hx
    rw [hc, h] at he; cases he
  · intro h
    cases he : (empty : Archive C α).build xs c with
    | none => rfl
    | some e =>
      exact absurd (build_mem xs c e he).2 (h e (build_mem xs c e he).1)

end Archive

/-- Row-major index of a four-dimensional cell with `b` bins per dimension. -/
def cellIndex (b : Nat) (d : Nat × Nat × Nat × Nat) : Nat :=
  ((d.1 * b + d.2.1) * b + d.2.2.1) * b + d.2.2.2

/-- A cell is in the grid when every coordinate is below `b`. -/
def InGrid (b : Nat) (d : Nat × Nat × Nat × Nat) : Prop :=
  d.1 < b ∧ d.2.1 < b ∧ d.2.2.1 < b ∧ d.2.2.2 < b

private theorem step_lt {b x y n : Nat} (hx : x < n) (hy : y < b) : x * b + y < n * b := by
  have : (x + 1) * b ≤ n * b := Nat.mul_le_mul_right b hx
  rw [Nat.succ_mul] at this; omega

theorem cellIndex_lt (b : Nat) (d : Nat × Nat × Nat × Nat) (h : InGrid b d) :
    cellIndex b d < b * b * b * b := by
  obtain ⟨h1, h2, h3, h4⟩ := h
  unfold cellIndex
  exact step_lt (step_lt (step_lt (by rw [Nat.one_mul] at *; omega : d.1 < 1 * b) h2) h3) h4 |>
    fun h => by rw [Nat.one_mul] at h; exact h

private theorem step_inj {b x y x' y' : Nat} (hy : y < b) (hy' : y' < b)
    (h : x * b + y = x' * b + y') : x = x' ∧ y = y' := by
  have hb : 0 < b := by omega
  have e1 : (x * b + y) / b = x := by
    rw [Nat.add_comm, Nat.add_mul_div_right _ _ hb, Nat.div_eq_of_lt hy]; simp
  have e2 : (x' * b + y') / b = x' := by
    rw [Nat.add_comm, Nat.add_mul_div_right _ _ hb, Nat.div_eq_of_lt hy']; simp
  have hx : x = x' := by rw [← e1, ← e2, h]
  subst hx; omega

theorem cellIndex_inj (b : Nat) (d d' : Nat × Nat × Nat × Nat) (h : InGrid b d) (h' : InGrid b d')
    (he : cellIndex b d = cellIndex b d') : d = d' := by
  obtain ⟨a1, a2, a3, a4⟩ := d
  obtain ⟨b1, b2, b3, b4⟩ := d'
  obtain ⟨_, h2, h3, h4⟩ := h
  obtain ⟨_, h2', h3', h4'⟩ := h'
  simp only [cellIndex] at he h2 h3 h4 h2' h3' h4'
  obtain ⟨e, r4⟩ := step_inj h4 h4' he
  obtain ⟨e, r3⟩ := step_inj h3 h3' e
  obtain ⟨r1, r2⟩ := step_inj h2 h2' e
  subst r1 r2 r3 r4; rfl

theorem niches_seed : 10 * 10 * 10 * 10 = 10000 ∧ 4 * 4 * 4 * 4 = 256 := by decide

end Hydrogen.Research
