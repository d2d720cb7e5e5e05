module

public import Init

/-!
# Graded error through the render pipeline

A pipeline stage carries a **grade**: a local error `ε ≥ 0` (what the stage
itself adds) and a sensitivity `s ≥ 0` (how much it amplifies the error it is
given). Feeding a value with error `e` into the stage yields error at most
`s·e + ε` (`Stage.step`). A pipeline's total error is the fold of that step
from `0`, first stage first (`compose`); for four stages this is the seed's
`s₄(s₃(s₂ε₁ + ε₂) + ε₃) + ε₄`, and in general the closed form
`Σᵢ εᵢ · Πⱼ>ᵢ sⱼ` (`compose_eq_closedForm`).

What is proved here:

* `compose` equals the closed form; pipelines compose (`compose_append`);
* `compose` is monotone in every `ε` and every `s` of nonnegative stages
  (`compose_mono`, `compose_mono_at`, `compose_mono_eps`, `compose_mono_sens`);
* `n` stages with `ε ≤ e`, `s ≤ S` give at most `e·(1 + S + … + S^(n−1))`
  (`compose_le_uniform`), attained by the uniform pipeline (`compose_replicate`);
* the seed's `pipeline_error_bounded` (5 stages, `ε ≤ 1/1000`, `s ≤ 2` ⇒
  `≤ 31/1000`) **for nonnegative grades**, and that `31/1000` is attained
  (`pipeline_error_tight`). As the seed states it (no sign conditions) it is
  false: `pipeline_error_bounded_needs_nonneg` is a counterexample;
* keyframes (seed Solution 5): `t` frames after a reset the error is at most
  `t·w` (`drift_le_mul`); with resets every `N` frames frame `f` has error at
  most `(f mod N)·w` (`error_le_keyframeError`), so with `0 < N ≤ 60` and
  `w < 1/100` it stays below `3/5` for **all** frames (`error_lt_forever`).
  Without resets it is unbounded (`no_keyframes_unbounded`). The seed's
  `amortized_diffusion_quality` (`N·w ≤ 0.6`) holds as stated, even strictly;
* the grade is sound for real functions: a rounding with `|r y − y| ≤ ε`
  realises the grade `(ε, 1)` (`realises_of_round`), and realised grades
  compose by the same step (`realises_comp`).

**The real stages of this pipeline** (positions and colours are separate axes):

* `quantizeStage`: positions are stored as fixed point with 4 fractional bits
  (1/16 px), rounded to nearest: `ε = 1/32` px, `s = 1`;
* `float32Stage`: conversion to float32 on the way to the GPU, for coordinates
  with `|x| ≤ 2^14` px: round-to-nearest has relative error at most
  `u = 2^-24`, so `ε = 2^14 · 2^-24 = 2^-10` px, `s = 1`;
* `colorStage`: 8-bit colour channels (`k/255`), rounded to nearest:
  `ε = 1/510` per channel, `s = 1`.

End to end: positions `compose [quantizeStage, float32Stage] = 33/1024` px
(`position_error_bound`, about 0.0322 px), colours `1/510` per channel
(`color_error_bound`); `position_pipeline_sound` proves that any quantiser and
float conversion meeting those per-stage bounds stay within `33/1024` px of the
exact position. (A 1/16-px grid value with `|x| ≤ 2^14` has at most 18
significant bits, so its float32 conversion is in fact exact; the `2^-10` term
is the general float32 bound and makes the stated budget conservative.)
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Render

/-- A stage's error grade: `eps` is the error the stage adds, `sens` how much it
amplifies the error of its input. Meaningful grades are nonnegative. -/
structure Stage where
  eps : Rat
  sens : Rat

/-- The grade after one more stage: input error `e` becomes `sens·e + eps`. -/
def Stage.step (e : Rat) (st : Stage) : Rat := st.sens * e + st.eps

/-- Total error of a pipeline, first stage first: the fold of `Stage.step` from `0`. -/
def compose (stages : List Stage) : Rat := stages.foldl Stage.step 0

/-- Product of the sensitivities of a pipeline (`1` for the empty one). -/
def gain : List Stage → Rat
  | [] => 1
  | st :: rest => st.sens * gain rest

/-- The closed form `Σᵢ εᵢ · Πⱼ>ᵢ sⱼ`. -/
def closedForm : List Stage → Rat
  | [] => 0
  | st :: rest => st.eps * gain rest + closedForm rest

/-- A nonnegative grade. -/
def Stage.Nonneg (st : Stage) : Prop := 0 ≤ st.eps ∧ 0 ≤ st.sens

/-- Pointwise order of two pipelines of equal length: every stage of the first
is nonnegative and has `eps` and `sens` at most those of the second. -/
def StagesLe : List Stage → List Stage → Prop
  | [], [] => True
  | a :: as, b :: bs => (a.Nonneg ∧ a.eps ≤ b.eps ∧ a.sens ≤ b.sens) ∧ StagesLe as bs
  | _, _ => False

/-- `1 + S + … + S^(n−1)`. -/
def geomSum (S : Rat) : Nat → Rat
  | 0 => 0
  | n + 1 => geomSum S n + S ^ n

theorem foldl_step_eq (e : Rat) (stages : List Stage) :
    stages.foldl Stage.step e = e * gain stages + closedForm stages := by
  induction stages generalizing e with
  | nil =>
    simp only [List.foldl_nil, gain, closedForm]
    grind
  | cons st rest ih =>
    simp only [List.foldl_cons, gain, closedForm, ih, Stage.step]
    grind

/-- The fold equals the closed form `Σᵢ εᵢ · Πⱼ>ᵢ sⱼ`. -/
theorem compose_eq_closedForm (stages : List Stage) : compose stages = closedForm stages := by
  rw [compose, foldl_step_eq]
  grind

/-- The seed's four-stage formula. -/
theorem compose_four (a b c d : Stage) :
    compose [a, b, c, d] = d.sens * (c.sens * (b.sens * a.eps + b.eps) + c.eps) + d.eps := by
  simp only [compose, List.foldl_cons, List.foldl_nil, Stage.step]
  grind

/-- Pipelines compose: the first part's error is amplified by the second's gain. -/
theorem compose_append (xs ys : List Stage) :
    compose (xs ++ ys) = compose xs * gain ys + compose ys := by
  simp only [compose, List.foldl_append]
  rw [foldl_step_eq (List.foldl Stage.step 0 xs) ys, foldl_step_eq 0 ys]
  grind

theorem foldl_step_nonneg (xs : List Stage) (h : ∀ st ∈ xs, st.Nonneg) (e : Rat) (he : 0 ≤ e) :
    0 ≤ xs.foldl Stage.step e := by
  induction xs generalizing e with
  | nil => simpa using he
  | cons a as ih =>
    simp only [List.foldl_cons]
    apply ih (fun st hst => h st (List.mem_cons_of_mem a hst))
    have ha := h a List.mem_cons_self
    have := Rat.mul_nonneg ha.2 he
    unfold Stage.step Stage.Nonneg at *
    grind

/-- Nonnegative stages give a nonnegative total. -/
theorem compose_nonneg (xs : List Stage) (h : ∀ st ∈ xs, st.Nonneg) : 0 ≤ compose xs :=
  foldl_step_nonneg xs h 0 (Rat.le_refl)

theorem foldl_step_mono (xs ys : List Stage) (h : StagesLe xs ys) (e e' : Rat) (he : 0 ≤ e)
    (hee : e ≤ e') : xs.foldl Stage.step e ≤ ys.foldl Stage.step e' := by
  induction xs generalizing ys e e' with
  | nil =>
    cases ys with
    | nil => simpa using hee
    | cons b bs => simp [StagesLe] at h
  | cons a as ih =>
    cases ys with
    | nil => simp [StagesLe] at h
    | cons b bs =>
      simp only [StagesLe, Stage.Nonneg] at h
      obtain ⟨⟨⟨h1, h2⟩, h3, h4⟩, hrest⟩ := h
      simp only [List.foldl_cons]
      apply ih bs hrest
      · have := Rat.mul_nonneg h2 he
        unfold Stage.step
        grind
      · have m1 : a.sens * e ≤ a.sens * e' := Rat.mul_le_mul_of_nonneg_left hee h2
        have m2 : a.sens * e' ≤ b.sens * e' := Rat.mul_le_mul_of_nonneg_right h4 (by grind)
        unfold Stage.step
        grind

/-- Monotonicity in every `ε` and every `s` at once (pointwise, nonnegative stages). -/
theorem compose_mono (xs ys : List Stage) (h : StagesLe xs ys) : compose xs ≤ compose ys :=
  foldl_step_mono xs ys h 0 0 (Rat.le_refl) (Rat.le_refl)

theorem stagesLe_refl (xs : List Stage) (h : ∀ st ∈ xs, st.Nonneg) : StagesLe xs xs := by
  induction xs with
  | nil => simp [StagesLe]
  | cons a as ih =>
    simp only [StagesLe]
    exact ⟨⟨h a List.mem_cons_self, Rat.le_refl, Rat.le_refl⟩,
      ih (fun st hst => h st (List.mem_cons_of_mem a hst))⟩

theorem stagesLe_append (xs ys xs' ys' : List Stage) (h : StagesLe xs ys) (h' : StagesLe xs' ys') :
    StagesLe (xs ++ xs') (ys ++ ys') := by
  induction xs generalizing ys with
  | nil =>
    cases ys with
    | nil => simpa using h'
    | cons b bs => simp [StagesLe] at h
  | cons a as ih =>
    cases ys with
    | nil => simp [StagesLe] at h
    | cons b bs =>
      simp only [StagesLe] at h
      simp only [List.cons_append, StagesLe]
      exact ⟨h.1, ih bs h.2⟩

/-- Monotone in the grade of any one stage: raising one stage's `ε` and `s` in a
pipeline of nonnegative stages never lowers the total. -/
theorem compose_mono_at (pre post : List Stage) (a b : Stage) (hpre : ∀ st ∈ pre, st.Nonneg)
    (hpost : ∀ st ∈ post, st.Nonneg) (ha : a.Nonneg) (heps : a.eps ≤ b.eps) (hsens : a.sens ≤ b.sens) :
    compose (pre ++ a :: post) ≤ compose (pre ++ b :: post) := by
  apply compose_mono
  apply stagesLe_append _ _ _ _ (stagesLe_refl pre hpre)
  simp only [StagesLe]
  exact ⟨⟨ha, heps, hsens⟩, stagesLe_refl post hpost⟩

/-- Monotone in every `ε`. -/
theorem compose_mono_eps (pre post : List Stage) (a : Stage) (eps' : Rat)
    (hpre : ∀ st ∈ pre, st.Nonneg) (hpost : ∀ st ∈ post, st.Nonneg) (ha : a.Nonneg)
    (h : a.eps ≤ eps') : compose (pre ++ a :: post) ≤ compose (pre ++ ⟨eps', a.sens⟩ :: post) :=
  compose_mono_at pre post a _ hpre hpost ha h (Rat.le_refl)

/-- Monotone in every `s`. -/
theorem compose_mono_sens (pre post : List Stage) (a : Stage) (sens' : Rat)
    (hpre : ∀ st ∈ pre, st.Nonneg) (hpost : ∀ st ∈ post, st.Nonneg) (ha : a.Nonneg)
    (h : a.sens ≤ sens') : compose (pre ++ a :: post) ≤ compose (pre ++ ⟨a.eps, sens'⟩ :: post) :=
  compose_mono_at pre post a _ hpre hpost ha (Rat.le_refl) h

theorem gain_replicate (n : Nat) (st : Stage) : gain (List.replicate n st) = st.sens ^ n := by
  induction n with
  | zero => simp [gain]
  | succ n ih =>
    simp only [List.replicate_succ, gain, ih]
    rw [Rat.pow_succ]
    grind

/-- The uniform pipeline of `n` stages `(e, S)` has total exactly `e·(1 + S + … + S^(n−1))`. -/
theorem compose_replicate (n : Nat) (e S : Rat) :
    compose (List.replicate n ⟨e, S⟩) = e * geomSum S n := by
  rw [compose_eq_closedForm]
  induction n with
  | zero => simp [closedForm, geomSum]
  | succ n ih =>
    simp only [List.replicate_succ, closedForm, geomSum, gain_replicate] at ih ⊢
    rw [ih]
    grind

/-- The general bound: `n` stages with `0 ≤ ε ≤ e` and `0 ≤ s ≤ S` give at most
`e·(1 + S + … + S^(n−1))`. -/
theorem compose_le_uniform (xs : List Stage) (e S : Rat)
    (h : ∀ st ∈ xs, 0 ≤ st.eps ∧ st.eps ≤ e ∧ 0 ≤ st.sens ∧ st.sens ≤ S) :
    compose xs ≤ e * geomSum S xs.length := by
  rw [← compose_replicate]
  apply compose_mono
  induction xs with
  | nil => simp [StagesLe]
  | cons a as ih =>
    simp only [List.length_cons, List.replicate_succ, StagesLe, Stage.Nonneg]
    have ha := h a List.mem_cons_self
    exact ⟨⟨⟨ha.1, ha.2.2.1⟩, ha.2.1, ha.2.2.2⟩, ih (fun st hst => h st (List.mem_cons_of_mem a hst))⟩

/-- The seed's `totalError`: `n` stages given as functions of the stage index. -/
def totalError {n : Nat} (ε s : Fin n → Rat) : Rat := compose (List.ofFn fun i => ⟨ε i, s i⟩)

theorem geomSum_two_five : geomSum 2 5 = 31 := by
  simp only [geomSum]
  grind

/-- The seed's `pipeline_error_bounded`, for nonnegative grades: five stages with
`ε ≤ 1/1000` and `s ≤ 2` give at most `31/1000 = (1/1000)·(1+2+4+8+16)`. -/
theorem pipeline_error_bounded (ε s : Fin 5 → Rat) (hε0 : ∀ i, 0 ≤ ε i) (hs0 : ∀ i, 0 ≤ s i)
    (h : ∀ i, ε i ≤ 1 / 1000) (h2 : ∀ i, s i ≤ 2) : totalError ε s ≤ 31 / 1000 := by
  have hb := compose_le_uniform (List.ofFn fun i => (⟨ε i, s i⟩ : Stage)) (1 / 1000) 2 (by
    intro st hst
    rw [List.mem_ofFn] at hst
    obtain ⟨i, rfl⟩ := hst
    exact ⟨hε0 i, h i, hs0 i, h2 i⟩)
  rw [List.length_ofFn, geomSum_two_five] at hb
  unfold totalError
  grind

/-- `31/1000` is attained: every `ε = 1/1000`, every `s = 2`. -/
theorem pipeline_error_tight :
    totalError (fun _ : Fin 5 => (1 / 1000 : Rat)) (fun _ => 2) = 31 / 1000 := by
  simp [totalError, compose, List.ofFn_succ, Stage.step]
  grind

/-- The seed's statement without sign conditions is false: a negative error fed
into a negative sensitivity gives total `1 > 31/1000`. -/
theorem pipeline_error_bounded_needs_nonneg :
    ¬ ∀ ε s : Fin 5 → Rat, (∀ i, ε i ≤ 1 / 1000) → (∀ i, s i ≤ 2) → totalError ε s ≤ 31 / 1000 := by
  intro h
  have := h (fun i => if i.val = 4 then 0 else -1) (fun i => if i.val = 4 then -1 else 0)
    (by intro i; dsimp only; split <;> grind) (by intro i; dsimp only; split <;> grind)
  simp [totalError, compose, List.ofFn_succ, Stage.step] at this
  grind

/-! ## Keyframes: drift between resets -/

/-- Worst-case accumulated drift at frame `f` with a keyframe every `N` frames
(frame `0` is one) and drift at most `w` per frame: `(f mod N)·w`. -/
def keyframeError (N : Nat) (w : Rat) (f : Nat) : Rat := ((f % N : Nat) : Rat) * w

/-- The seed's `maxAccumulatedError`: keyframe interval times per-frame drift. -/
def maxAccumulatedError (N : Nat) (w : Rat) : Rat := (N : Rat) * w

/-- An error sequence that keyframes reset: zero at every frame `f` with
`f mod N = 0`, and each other frame adds at most `w` to the previous one. -/
def DriftsWithKeyframes (N : Nat) (w : Rat) (err : Nat → Rat) : Prop :=
  (∀ f, f % N = 0 → err f = 0) ∧ (∀ f, (f + 1) % N ≠ 0 → err (f + 1) ≤ err f + w)

/-- `t` frames after a reset, the error is at most `t·w`. -/
theorem drift_le_mul (w : Rat) (err : Nat → Rat) (h0 : err 0 = 0)
    (hstep : ∀ t, err (t + 1) ≤ err t + w) (t : Nat) : err t ≤ (t : Rat) * w := by
  induction t with
  | zero =>
    simp [h0]
    exact Rat.le_refl
  | succ t ih =>
    have := hstep t
    have hc : ((t + 1 : Nat) : Rat) = (t : Rat) + 1 := by push_cast; rfl
    rw [hc]
    grind

theorem succ_mod_of_ne_zero (f N : Nat) (hN : 0 < N) (h : (f + 1) % N ≠ 0) :
    (f + 1) % N = f % N + 1 := by
  have h1 := Nat.mod_lt f hN
  rw [← Nat.mod_add_mod] at h ⊢
  by_cases h2 : f % N + 1 < N
  · exact Nat.mod_eq_of_lt h2
  · have h3 : f % N + 1 = N := by omega
    rw [h3, Nat.mod_self] at h
    exact absurd rfl h

/-- Keyframes reset the drift: frame `f` has error at most `(f mod N)·w`. -/
theorem error_le_keyframeError (N : Nat) (w : Rat) (err : Nat → Rat) (hN : 0 < N)
    (h : DriftsWithKeyframes N w err) (f : Nat) : err f ≤ keyframeError N w f := by
  obtain ⟨hreset, hstep⟩ := h
  unfold keyframeError
  induction f with
  | zero =>
    simp [hreset 0 (Nat.zero_mod N)]
    exact Rat.le_refl
  | succ f ih =>
    by_cases hk : (f + 1) % N = 0
    · rw [hreset (f + 1) hk, hk]
      simp
      exact Rat.le_refl
    · have hs := hstep f hk
      rw [succ_mod_of_ne_zero f N hN hk]
      have hc : ((f % N + 1 : Nat) : Rat) = ((f % N : Nat) : Rat) + 1 := by push_cast; rfl
      rw [hc]
      grind

/-- The worst case is attained: drifting by exactly `w` per frame between
keyframes satisfies the hypotheses, and reaches `(N−1)·w` at frame `N − 1`. -/
theorem keyframeError_drifts (N : Nat) (w : Rat) (hN : 0 < N) :
    DriftsWithKeyframes N w (keyframeError N w) := by
  constructor
  · intro f hf
    simp [keyframeError, hf]
  · intro f hf
    unfold keyframeError
    rw [succ_mod_of_ne_zero f N hN hf]
    have hc : ((f % N + 1 : Nat) : Rat) = ((f % N : Nat) : Rat) + 1 := by push_cast; rfl
    rw [hc]
    grind

theorem keyframeError_pred (N : Nat) (w : Rat) (hN : 0 < N) :
    keyframeError N w (N - 1) = ((N - 1 : Nat) : Rat) * w := by
  unfold keyframeError
  rw [Nat.mod_eq_of_lt (by omega)]

/-- With `0 < N ≤ 60` and `w < 1/100`, the drift bound stays below `3/5` at every frame. -/
theorem keyframeError_lt (N : Nat) (w : Rat) (hN : 0 < N) (hN60 : N ≤ 60) (hw : w < 1 / 100)
    (f : Nat) : keyframeError N w f < 3 / 5 := by
  unfold keyframeError
  have hk : f % N ≤ 59 := by have := Nat.mod_lt f hN; omega
  by_cases h : w ≤ 0
  · have : ((f % N : Nat) : Rat) * w ≤ ((f % N : Nat) : Rat) * 0 :=
      Rat.mul_le_mul_of_nonneg_left h (by exact_mod_cast Nat.zero_le _)
    grind
  · have h1 : ((f % N : Nat) : Rat) ≤ 59 := by exact_mod_cast hk
    have : ((f % N : Nat) : Rat) * w ≤ 59 * w := Rat.mul_le_mul_of_nonneg_right h1 (by grind)
    grind

/-- Error stays bounded over unbounded time (the seed's resolution, proved): any
error sequence that keyframes every `N ≤ 60` frames reset, drifting less than
`1/100` per frame, stays below `3/5` at **every** frame. -/
theorem error_lt_forever (N : Nat) (w : Rat) (err : Nat → Rat) (hN : 0 < N) (hN60 : N ≤ 60)
    (hw : w < 1 / 100) (h : DriftsWithKeyframes N w err) (f : Nat) : err f < 3 / 5 := by
  have h1 := error_le_keyframeError N w err hN h f
  have h2 := keyframeError_lt N w hN hN60 hw f
  grind

/-- The seed's `amortized_diffusion_quality` as stated (`N ≤ 60`, `w < 0.01` ⇒
`N·w ≤ 0.6`) holds, even strictly. -/
theorem amortized_diffusion_quality (N : Nat) (w : Rat) (hw : w < 1 / 100) (hN60 : N ≤ 60) :
    maxAccumulatedError N w < 3 / 5 := by
  unfold maxAccumulatedError
  by_cases h : w ≤ 0
  · have : (N : Rat) * w ≤ (N : Rat) * 0 :=
      Rat.mul_le_mul_of_nonneg_left h (by exact_mod_cast Nat.zero_le _)
    grind
  · have h1 : (N : Rat) ≤ 60 := by exact_mod_cast hN60
    have : (N : Rat) * w ≤ 60 * w := Rat.mul_le_mul_of_nonneg_right h1 (by grind)
    grind

/-- Without keyframes (`N = 0`: `f mod 0 = f`, only frame `0` is reset) the
error is unbounded: drifting `1/200` per frame passes `3/5` at frame `121`. -/
theorem no_keyframes_unbounded :
    ∃ err : Nat → Rat, DriftsWithKeyframes 0 (1 / 200) err ∧ 3 / 5 < err 121 := by
  refine ⟨fun f => (f : Rat) * (1 / 200), ⟨?_, ?_⟩, ?_⟩
  · intro f hf
    simp only [Nat.mod_zero] at hf
    subst hf
    simp
  · intro f _
    have hc : ((f + 1 : Nat) : Rat) = (f : Rat) + 1 := by push_cast; rfl
    dsimp only
    rw [hc]
    grind
  · dsimp only
    grind

/-! ## Soundness of grades for real functions -/

/-- Distance `|a − b|` on `Rat`. -/
def dist (a b : Rat) : Rat := if a ≤ b then b - a else a - b

/-- `impl` realises the grade `st` against `ideal`: for a computed input `a` and
the exact input `b`, `|impl a − ideal b| ≤ sens·|a − b| + eps`. A statement about
all rationals, so (proof-only); the TypeScript tests sample it. -/
def Realises (impl ideal : Rat → Rat) (st : Stage) : Prop :=
  ∀ a b, dist (impl a) (ideal b) ≤ st.sens * dist a b + st.eps

/-- A rounding `r` with `|r y − y| ≤ ε` everywhere realises `(ε, 1)` against the
identity: it adds its own error and passes its input's error through. -/
theorem realises_of_round (r : Rat → Rat) (ε : Rat) (h : ∀ y, dist (r y) y ≤ ε) :
    Realises r id ⟨ε, 1⟩ := by
  intro a b
  have := h a
  simp only [id, dist] at this ⊢
  split <;> split <;> split at this <;> grind

/-- Realised grades compose by `Stage.step`: after `f` (grade `a`) then `g`
(grade `b`, `0 ≤ b.sens`), the error is `b.sens·(a.sens·d + a.eps) + b.eps`. -/
theorem realises_comp (f f' g g' : Rat → Rat) (a b : Stage) (hb : 0 ≤ b.sens)
    (hf : Realises f f' a) (hg : Realises g g' b) :
    Realises (g ∘ f) (g' ∘ f') ⟨b.sens * a.eps + b.eps, b.sens * a.sens⟩ := by
  intro x y
  have h1 := hf x y
  have h2 := hg (f x) (f' y)
  have h3 := Rat.mul_le_mul_of_nonneg_left h1 hb
  simp only [Function.comp]
  grind

/-! ## The real stages of this pipeline -/

/-- Positions are fixed point with 4 fractional bits: a step of `1/16` px. -/
def positionStep : Rat := 1 / 16

/-- Quantising a position to the `1/16`-px grid, rounding to nearest: error at most
half a step, `1/32` px; an incoming error passes through unamplified (`s = 1`). -/
def quantizeStage : Stage := ⟨positionStep / 2, 1⟩

/-- The largest coordinate magnitude the float32 stage is graded for: `2^14` px. -/
def coordBound : Rat := 2 ^ 14

/-- Unit roundoff of float32 (24-bit significand, round to nearest): `2^-24`. -/
def float32UnitRoundoff : Rat := 1 / 2 ^ 24

/-- Converting a coordinate with `|x| ≤ 2^14` px to float32: the rounding error is
at most `|x|·2^-24 ≤ 2^14·2^-24 = 2^-10` px; `s = 1`. -/
def float32Stage : Stage := ⟨coordBound * float32UnitRoundoff, 1⟩

/-- 8-bit colour channels store `k/255`; rounding to nearest errs by at most half
a level, `1/510`; `s = 1`. -/
def colorStage : Stage := ⟨1 / 255 / 2, 1⟩

/-- The position axis: quantise to `1/16` px, then float32 for the GPU. -/
def positionPipeline : List Stage := [quantizeStage, float32Stage]

/-- The colour axis: one 8-bit quantisation. -/
def colorPipeline : List Stage := [colorStage]

theorem quantizeStage_eps : quantizeStage.eps = 1 / 32 := by
  simp only [quantizeStage, positionStep]
  grind

theorem float32Stage_eps : float32Stage.eps = 1 / 1024 := by
  simp only [float32Stage, coordBound, float32UnitRoundoff]
  grind

theorem colorStage_eps : colorStage.eps = 1 / 510 := by
  simp only [colorStage]
  grind

/-- The instantiated end-to-end position bound: `1/32 + 1/1024 = 33/1024` px. -/
theorem position_error_bound : compose positionPipeline = 33 / 1024 := by
  simp only [positionPipeline, compose, List.foldl_cons, List.foldl_nil, Stage.step,
    quantizeStage, float32Stage, positionStep, coordBound, float32UnitRoundoff]
  grind

/-- The instantiated colour bound: `1/510` per channel. -/
theorem color_error_bound : compose colorPipeline = 1 / 510 := by
  simp only [colorPipeline, compose, List.foldl_cons, List.foldl_nil, Stage.step, colorStage]
  grind

/-- Any quantiser `q` within `1/32` of its input, and any conversion `r` within
`2^-10` of its input on `|y| ≤ 2^14`, with `q` keeping `|x| ≤ 2^14` in range,
deliver every position `|x| ≤ 2^14` within `33/1024` px of the exact value. -/
theorem position_pipeline_sound (q r : Rat → Rat)
    (hq : ∀ y, dist (q y) y ≤ quantizeStage.eps)
    (hr : ∀ y, dist y 0 ≤ coordBound → dist (r y) y ≤ float32Stage.eps)
    (hrange : ∀ x, dist x 0 ≤ coordBound → dist (q x) 0 ≤ coordBound)
    (x : Rat) (hx : dist x 0 ≤ coordBound) : dist (r (q x)) x ≤ compose positionPipeline := by
  have h1 := hq x
  have h2 := hr (q x) (hrange x hx)
  rw [position_error_bound]
  rw [quantizeStage_eps] at h1
  rw [float32Stage_eps] at h2
  simp only [dist] at h1 h2 ⊢
  split <;> split at h1 <;> split at h2 <;> grind

end Hydrogen.Render

end
