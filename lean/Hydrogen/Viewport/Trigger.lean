module

public import Init

/-!
# Trigger chains between viewports (seed 001, Critique 2)

A trigger is a message from one viewport to another; its effect applies at the
**next** frame, never the current one. The registered triggers form a directed
graph over viewport ids, a list of edges `(src, dst)` (`TriggerGraph`; a
trigger registered twice fires twice). A **cascade** starts with the events of
frame 0; frame `t + 1` holds the targets of frame `t`'s events (`step`, `run`,
`frame`).

The registry keeps every chain (a walk `v₀ → v₁ → … → vₖ` along registered
edges, `isChain`) at most `d` edges long (`DepthLe g d`). That invariant alone
excludes cycles (`acyclic_of_depthLe`: a cycle could be walked round forever).
`register` accepts an edge exactly when the graph with it still satisfies the
invariant (`register_ok_iff`, `register_ok_invariant`, `register_error_iff`),
and a rejection names a real cycle (`register_cycle_sound`) or a real chain of
`d + 1` edges (`register_tooDeep_sound`); when the registry's invariant holds,
an edge that closes a cycle is always reported as a cycle, never as too deep
(`register_cycle_of_not_acyclic`).

What is proved about cascades in an accepted graph:

- `cascade_settles`: the cascade from one event is empty from frame `d + 1` on,
  and `event_depth_le`: an event delivered at frame `t` of a cascade has `t ≤ d`
  (the runtime's depth counter never passes `d`);
- `totalEvents_eq_walks`: the number of events a cascade delivers in its first
  `n` frames is exactly the number of chains of fewer than `n` edges from the
  source (`walks`, counted once per sequence of registered edges:
  `mem_walks`, `mem_walks_of_isChain`), and `totalEvents_stable`: nothing is
  added after frame `d`;
- `totalEvents_le`: with every fan-out at most `F`, the total is at most
  `Σ_{t=0..d} F^t` (`geomSum F (d + 1)`), for any horizon;
  `totalEvents_le_maxFanOut` instantiates `F` with the graph's own maximum;
- `trigger_chain_bounded`: the seed's theorem, corrected (see its docstring);
  `trigger_chain_bounded_tight`: the bound is attained by a chain of 10.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Viewport

/-- The registered triggers: edges `(src, dst)` between viewport ids. -/
abbrev TriggerGraph := List (Nat × Nat)

/-- The viewports that one event at `v` triggers (one per registered edge). -/
def targets (g : TriggerGraph) (v : Nat) : List Nat :=
  (g.filter (fun e => e.1 == v)).map Prod.snd

/-- One frame of delivery: the events of the next frame are the targets of this
frame's events. -/
def step (g : TriggerGraph) (events : List Nat) : List Nat :=
  events.flatMap (targets g)

/-- The events of frame `t` of a cascade whose frame 0 holds `events`. -/
def run (g : TriggerGraph) (events : List Nat) : Nat → List Nat
  | 0 => events
  | t + 1 => step g (run g events t)

/-- The events of frame `t` of the cascade started by one event at `v`. -/
def frame (g : TriggerGraph) (v : Nat) (t : Nat) : List Nat := run g [v] t

/-- `p` is a chain: every two consecutive viewports are joined by a registered edge. -/
def isChain (g : TriggerGraph) : List Nat → Bool
  | u :: v :: rest => decide ((u, v) ∈ g) && isChain g (v :: rest)
  | _ => true

/-- The registry's invariant: every chain has at most `d` edges (at most
`d + 1` viewports). Decided by `settles` (`settles_iff`). -/
def DepthLe (g : TriggerGraph) (d : Nat) : Prop :=
  ∀ p : List Nat, isChain g p = true → p.length ≤ d + 1

/-- `c` is a cycle: a chain of at least one edge that ends where it starts. -/
def IsCycle (g : TriggerGraph) (c : List Nat) : Prop :=
  isChain g c = true ∧ 2 ≤ c.length ∧ c.head? = c.getLast?

/-- No cycle (implied by `DepthLe`, `acyclic_of_depthLe`). -/
def Acyclic (g : TriggerGraph) : Prop := ∀ c, ¬ IsCycle g c

/-- The viewports with an outgoing trigger. -/
def sources (g : TriggerGraph) : List Nat := g.map Prod.fst

/-- The decision procedure for `DepthLe`: every cascade from a source is empty at
frame `d + 1`. -/
def settles (g : TriggerGraph) (d : Nat) : Bool :=
  (sources g).all (fun v => (frame g v (d + 1)).isEmpty)

/-- Every chain of exactly `n` edges from `v` (once per sequence of edges). -/
def walks (g : TriggerGraph) (v : Nat) : Nat → List (List Nat)
  | 0 => [[v]]
  | n + 1 => (targets g v).flatMap (fun w => (walks g w n).map (v :: ·))

/-- The number of events the cascade from `v` delivers in frames `0 … n − 1`. -/
def totalEvents (g : TriggerGraph) (v : Nat) (n : Nat) : Nat :=
  ((List.range n).map (fun t => (frame g v t).length)).sum

/-- `Σ_{t < n} F^t`: the fan-out bound on the events of `n` frames. -/
def geomSum (F n : Nat) : Nat :=
  ((List.range n).map (F ^ ·)).sum

/-- The largest number of triggers registered on one viewport. -/
def maxFanOut (g : TriggerGraph) : Nat :=
  ((sources g).map (fun v => (targets g v).length)).foldr max 0

/-- The number of non-empty frames from `events` on, looking at most `fuel`
frames ahead. -/
def activeFrames (g : TriggerGraph) : Nat → List Nat → Nat
  | 0, _ => 0
  | _ + 1, [] => 0
  | f + 1, x :: xs => activeFrames g f (step g (x :: xs)) + 1

/-- The propagation time of a cascade whose frame 0 holds `events`: the number
of later frames that still deliver an event (looking `fuel` frames ahead), i.e.
the index of the last frame with an event. -/
def propagationTime (g : TriggerGraph) (events : List Nat) (fuel : Nat) : Nat :=
  activeFrames g fuel (step g events)

/-- The straight chain `0 → 1 → … → n`. -/
def chainGraph (n : Nat) : TriggerGraph :=
  (List.range n).map (fun i => (i, i + 1))

/-- Why a registration was refused: the cycle it would close (a chain from the
new edge's source back to itself), or a chain of `d + 1` edges it would create. -/
inductive RegisterError where
  | cycle (path : List Nat)
  | tooDeep (path : List Nat)
deriving DecidableEq

/-- A cycle through the new edge `(s, t)`: `s` followed by a chain of at most `d`
edges of `g` from `t` back to `s` (the shortest such, first found). -/
def findCycle (g : TriggerGraph) (d : Nat) (e : Nat × Nat) : Option (List Nat) :=
  (List.range (d + 1)).findSome? (fun k =>
    ((walks g e.2 k).find? (fun p => p.getLast? == some e.1)).map (e.1 :: ·))

/-- A chain of `d + 1` edges in `g`, if there is one. -/
def deepPath (g : TriggerGraph) (d : Nat) : Option (List Nat) :=
  (sources g).findSome? (fun v => (walks g v (d + 1)).head?)

/-- Registers the trigger `e = (src, dst)` under the depth budget `d`: accepted
when every chain of the new graph has at most `d` edges; otherwise the cycle it
closes or a chain that is too deep. -/
def register (g : TriggerGraph) (d : Nat) (e : Nat × Nat) : Except RegisterError TriggerGraph :=
  if settles (e :: g) d then .ok (e :: g)
  else match findCycle g d e with
    | some c => .error (.cycle c)
    | none => .error (.tooDeep ((deepPath (e :: g) d).getD []))

/-! ## Frames -/

theorem mem_targets {g : TriggerGraph} {v w : Nat} : w ∈ targets g v ↔ (v, w) ∈ g := by
  simp only [targets, List.mem_map, List.mem_filter, beq_iff_eq]
  constructor
  · rintro ⟨⟨a, b⟩, ⟨h, rfl⟩, rfl⟩
    exact h
  · intro h
    exact ⟨(v, w), ⟨h, rfl⟩, rfl⟩

private theorem step_append (g : TriggerGraph) (a b : List Nat) :
    step g (a ++ b) = step g a ++ step g b := by
  simp [step]

private theorem run_append (g : TriggerGraph) (a b : List Nat) (t : Nat) :
    run g (a ++ b) t = run g a t ++ run g b t := by
  induction t with
  | zero => rfl
  | succ t ih => simp only [run, ih, step_append]

theorem run_eq_flatMap (g : TriggerGraph) (events : List Nat) (t : Nat) :
    run g events t = events.flatMap (fun v => frame g v t) := by
  induction events with
  | nil =>
    induction t with
    | zero => rfl
    | succ t ih => simp [run, ih, step]
  | cons x xs ih =>
    rw [show x :: xs = [x] ++ xs from rfl, run_append, ih]
    simp [frame]

private theorem run_succ' (g : TriggerGraph) (events : List Nat) (t : Nat) :
    run g events (t + 1) = run g (step g events) t := by
  induction t with
  | zero => rfl
  | succ t ih => rw [run, ih]; rfl

theorem frame_succ (g : TriggerGraph) (v t : Nat) :
    frame g v (t + 1) = (targets g v).flatMap (fun w => frame g w t) := by
  rw [frame, run_succ', run_eq_flatMap]
  simp [step]

private theorem isChain_cons_cons {g : TriggerGraph} {u v : Nat} {rest : List Nat} :
    isChain g (u :: v :: rest) = true ↔ (u, v) ∈ g ∧ isChain g (v :: rest) = true := by
  simp [isChain]

/-- An event at frame `t` of the cascade from `v` exists exactly when a chain of
`t` edges starts at `v`. -/
theorem frame_ne_nil_iff {g : TriggerGraph} {v t : Nat} :
    frame g v t ≠ [] ↔ ∃ p, isChain g (v :: p) = true ∧ p.length = t := by
  induction t generalizing v with
  | zero => exact ⟨fun _ => ⟨[], rfl, rfl⟩, fun _ => by simp [frame, run]⟩
  | succ t ih =>
    rw [frame_succ]
    constructor
    · intro h
      have : ∃ w ∈ targets g v, frame g w t ≠ [] := by
        apply Classical.byContradiction
        intro hn
        apply h
        rw [List.flatMap_eq_nil_iff]
        intro w hw
        apply Classical.byContradiction
        intro hne
        exact hn ⟨w, hw, hne⟩
      obtain ⟨w, hw, hne⟩ := this
      obtain ⟨p, hp, hl⟩ := ih.1 hne
      exact ⟨w :: p, isChain_cons_cons.2 ⟨mem_targets.1 hw, hp⟩, by simp [hl]⟩
    · rintro ⟨p, hp, hl⟩
      cases p with
      | nil => simp at hl
      | cons w p =>
        have hc := isChain_cons_cons.1 hp
        intro hnil
        rw [List.flatMap_eq_nil_iff] at hnil
        exact ih.2 ⟨p, hc.2, by simpa using hl⟩ (hnil w (mem_targets.2 hc.1))

/-- An event delivered at frame `t` of a cascade in an accepted graph has
`t ≤ d`: the runtime's depth counter never passes the budget. -/
theorem event_depth_le {g : TriggerGraph} {d v w t : Nat} (h : DepthLe g d)
    (hw : w ∈ frame g v t) : t ≤ d := by
  have hne : frame g v t ≠ [] := List.ne_nil_of_mem hw
  obtain ⟨p, hp, hl⟩ := frame_ne_nil_iff.1 hne
  have := h _ hp
  simp at this
  omega

/-- **Settles within `d` frames.** In an accepted graph the cascade from one
event is empty at every frame after `d`. -/
theorem cascade_settles {g : TriggerGraph} {d : Nat} (h : DepthLe g d) (v : Nat) {t : Nat}
    (ht : d < t) : frame g v t = [] := by
  apply Classical.byContradiction
  intro hne
  obtain ⟨p, hp, hl⟩ := frame_ne_nil_iff.1 hne
  have := h _ hp
  simp at this
  omega

/-- The same for a cascade started by any events of one frame. -/
theorem run_settles {g : TriggerGraph} {d : Nat} (h : DepthLe g d) (events : List Nat) {t : Nat}
    (ht : d < t) : run g events t = [] := by
  rw [run_eq_flatMap, List.flatMap_eq_nil_iff]
  intro v _
  exact cascade_settles h v ht

/-! ## The invariant and its decision procedure -/

private theorem isChain_take {g : TriggerGraph} : ∀ (p : List Nat) (n : Nat),
    isChain g p = true → isChain g (p.take n) = true
  | [], _, _ => by simp only [List.take_nil]; rfl
  | [_], n, _ => by cases n <;> simp [isChain]
  | u :: v :: rest, n, h => by
    cases n with
    | zero => rfl
    | succ n =>
      cases n with
      | zero => rfl
      | succ n =>
        have hc := isChain_cons_cons.1 h
        have := isChain_take (v :: rest) (n + 1) hc.2
        simp only [List.take_succ_cons] at this ⊢
        exact isChain_cons_cons.2 ⟨hc.1, this⟩

private theorem isChain_mono {g g' : TriggerGraph} (hs : ∀ x ∈ g, x ∈ g') :
    ∀ p : List Nat, isChain g p = true → isChain g' p = true
  | [], _ => rfl
  | [_], _ => rfl
  | u :: v :: rest, h => by
    have hc := isChain_cons_cons.1 h
    exact isChain_cons_cons.2 ⟨hs _ hc.1, isChain_mono hs (v :: rest) hc.2⟩

/-- `settles` decides the invariant. -/
theorem settles_iff {g : TriggerGraph} {d : Nat} : settles g d = true ↔ DepthLe g d := by
  constructor
  · intro hs p hp
    apply Classical.byContradiction
    intro hlen
    cases p with
    | nil => simp at hlen
    | cons v rest =>
      cases rest with
      | nil => simp at hlen
      | cons w rest' =>
        have hvw := (isChain_cons_cons.1 hp).1
        have hsrc : v ∈ sources g := List.mem_map.2 ⟨(v, w), hvw, rfl⟩
        have hq := isChain_take (v :: w :: rest') (d + 2) hp
        simp only [List.take_succ_cons] at hq
        have hne : frame g v (d + 1) ≠ [] :=
          frame_ne_nil_iff.2 ⟨w :: rest'.take d, hq, by simp at hlen ⊢; omega⟩
        simp only [settles, List.all_eq_true, List.isEmpty_iff] at hs
        exact hne (hs v hsrc)
  · intro h
    simp only [settles, List.all_eq_true, List.isEmpty_iff]
    intro v _
    exact cascade_settles h v (Nat.lt_succ_self d)

private theorem isChain_append {g : TriggerGraph} {w : Nat} {b : List Nat} :
    ∀ a : List Nat, isChain g (a ++ [w]) = true → isChain g (w :: b) = true →
      isChain g (a ++ w :: b) = true
  | [], _, hb => hb
  | [x], ha, hb => by
    have := (isChain_cons_cons.1 ha).1
    exact isChain_cons_cons.2 ⟨this, hb⟩
  | x :: y :: a, ha, hb => by
    have hc := isChain_cons_cons.1 ha
    exact isChain_cons_cons.2 ⟨hc.1, isChain_append (y :: a) hc.2 hb⟩

/-- A depth budget excludes cycles: a cycle could be walked round forever. -/
theorem acyclic_of_depthLe {g : TriggerGraph} {d : Nat} (h : DepthLe g d) : Acyclic g := by
  rintro c ⟨hc, hlen, hends⟩
  cases c with
  | nil => simp at hlen
  | cons x rest =>
    rcases List.eq_nil_or_concat rest with hr | ⟨L, b, rfl⟩
    · subst hr; simp at hlen
    · rw [List.concat_eq_append] at hc hlen hends
      have h1 : ((x :: L) ++ [b]).getLast? = some b := List.getLast?_concat
      have h2 : (x :: (L ++ [b])).head? = some x := rfl
      rw [h2, show x :: (L ++ [b]) = (x :: L) ++ [b] from rfl, h1] at hends
      have hb : b = x := (Option.some.inj hends).symm
      subst hb
      have hloop : ∀ k, ∃ tl, isChain g (b :: tl) = true ∧ k ≤ tl.length := by
        intro k
        induction k with
        | zero => exact ⟨[], rfl, Nat.zero_le _⟩
        | succ k ih =>
          obtain ⟨tl, htl, hk⟩ := ih
          refine ⟨L ++ b :: tl, ?_, by simp; omega⟩
          have := isChain_append (b :: L) (by simpa using hc) htl
          simpa using this
      obtain ⟨tl, htl, hk⟩ := hloop (d + 1)
      have := h _ htl
      simp at this
      omega

/-! ## Walks: the exact count -/

theorem length_walks (g : TriggerGraph) (v n : Nat) :
    (walks g v n).length = (frame g v n).length := by
  induction n generalizing v with
  | zero => rfl
  | succ n ih => simp [walks, frame_succ, List.length_flatMap, ih]

theorem mem_walks {g : TriggerGraph} {n : Nat} {v : Nat} {p : List Nat} (hp : p ∈ walks g v n) :
    isChain g p = true ∧ p.length = n + 1 ∧ p.head? = some v := by
  induction n generalizing v p with
  | zero => simp [walks] at hp; subst hp; simp [isChain]
  | succ n ih =>
    simp only [walks, List.mem_flatMap, List.mem_map] at hp
    obtain ⟨w, hw, q, hq, rfl⟩ := hp
    obtain ⟨hc, hl, hh⟩ := ih hq
    cases q with
    | nil => simp at hh
    | cons y q =>
      simp at hh
      subst hh
      exact ⟨isChain_cons_cons.2 ⟨mem_targets.1 hw, hc⟩, by simp at hl ⊢; omega, rfl⟩

theorem mem_walks_of_isChain {g : TriggerGraph} :
    ∀ (v : Nat) (p : List Nat), isChain g (v :: p) = true → v :: p ∈ walks g v p.length
  | _, [], _ => by simp [walks]
  | v, w :: p, h => by
    have hc := isChain_cons_cons.1 h
    simp only [walks, List.length_cons, List.mem_flatMap, List.mem_map]
    exact ⟨w, mem_targets.2 hc.1, w :: p, mem_walks_of_isChain w p hc.2, rfl⟩

/-- **Exact count.** The events the cascade from `v` delivers in frames
`0 … n − 1` are as many as the chains of fewer than `n` edges from `v`. -/
theorem totalEvents_eq_walks (g : TriggerGraph) (v n : Nat) :
    totalEvents g v n = ((List.range n).map (fun t => (walks g v t).length)).sum := by
  simp [totalEvents, length_walks]

private theorem totalEvents_succ (g : TriggerGraph) (v n : Nat) :
    totalEvents g v (n + 1) = totalEvents g v n + (frame g v n).length := by
  simp [totalEvents, List.range_succ, List.sum_append_nat]

/-- Nothing is delivered after frame `d`: the total over any horizon past `d`
is the total of frames `0 … d`. -/
theorem totalEvents_stable {g : TriggerGraph} {d : Nat} (h : DepthLe g d) (v : Nat) {n : Nat}
    (hn : d < n) : totalEvents g v n = totalEvents g v (d + 1) := by
  induction n with
  | zero => omega
  | succ n ih =>
    rcases Nat.lt_or_ge d n with hdn | hdn
    · simp [totalEvents_succ, cascade_settles h v hdn, ih hdn]
    · have : n = d := by omega
      subst this
      rfl

/-! ## The fan-out bound -/

theorem length_step_le {g : TriggerGraph} {F : Nat} (hF : ∀ u, (targets g u).length ≤ F)
    (events : List Nat) : (step g events).length ≤ F * events.length := by
  induction events with
  | nil => simp [step]
  | cons x xs ih =>
    have := hF x
    simp only [step, List.flatMap_cons, List.length_append, List.length_cons, Nat.mul_succ] at ih ⊢
    omega

theorem length_frame_le {g : TriggerGraph} {F : Nat} (hF : ∀ u, (targets g u).length ≤ F)
    (v t : Nat) : (frame g v t).length ≤ F ^ t := by
  induction t with
  | zero => simp [frame, run]
  | succ t ih =>
    have h1 := length_step_le hF (frame g v t)
    have h2 := Nat.mul_le_mul_left F ih
    show (step g (frame g v t)).length ≤ F ^ (t + 1)
    rw [Nat.pow_succ, Nat.mul_comm (F ^ t)]
    omega

private theorem geomSum_succ (F n : Nat) : geomSum F (n + 1) = geomSum F n + F ^ n := by
  simp [geomSum, List.range_succ, List.sum_append_nat]

private theorem geomSum_le_add (F a k : Nat) : geomSum F a ≤ geomSum F (a + k) := by
  induction k with
  | zero => exact Nat.le_refl _
  | succ k ih => rw [← Nat.add_assoc, geomSum_succ]; omega

/-- **Event bound.** In an accepted graph whose fan-out is at most `F`, a cascade
from one event delivers at most `Σ_{t=0..d} F^t` events over any horizon. -/
theorem totalEvents_le {g : TriggerGraph} {d F : Nat} (h : DepthLe g d)
    (hF : ∀ u, (targets g u).length ≤ F) (v n : Nat) : totalEvents g v n ≤ geomSum F (d + 1) := by
  have key : ∀ n, totalEvents g v n ≤ geomSum F (min n (d + 1)) := by
    intro n
    induction n with
    | zero => simp [totalEvents, geomSum]
    | succ n ih =>
      rw [totalEvents_succ]
      rcases Nat.lt_or_ge d n with hdn | hdn
      · rw [cascade_settles h v hdn]
        have e1 : min (n + 1) (d + 1) = min n (d + 1) := by omega
        rw [e1]; simpa using ih
      · have e1 : min (n + 1) (d + 1) = n + 1 := by omega
        have e2 : min n (d + 1) = n := by omega
        rw [e1, geomSum_succ]
        rw [e2] at ih
        have := length_frame_le hF v n
        omega
  have hm := geomSum_le_add F (min n (d + 1)) (d + 1 - min n (d + 1))
  have e : min n (d + 1) + (d + 1 - min n (d + 1)) = d + 1 := by omega
  rw [e] at hm
  exact Nat.le_trans (key n) hm

private theorem le_foldr_max {x : Nat} : ∀ {l : List Nat}, x ∈ l → x ≤ l.foldr max 0
  | [], h => by simp at h
  | y :: l, h => by
    simp only [List.foldr_cons]
    rcases List.mem_cons.1 h with rfl | h
    · exact Nat.le_max_left _ _
    · exact Nat.le_trans (le_foldr_max h) (Nat.le_max_right _ _)

theorem targets_length_le_maxFanOut (g : TriggerGraph) (v : Nat) :
    (targets g v).length ≤ maxFanOut g := by
  cases ht : targets g v with
  | nil => simp
  | cons w ws =>
    have hw : (v, w) ∈ g := mem_targets.1 (by rw [ht]; exact List.mem_cons_self)
    have hsrc : v ∈ sources g := List.mem_map.2 ⟨(v, w), hw, rfl⟩
    rw [← ht]
    exact le_foldr_max (List.mem_map.2 ⟨v, hsrc, rfl⟩)

/-- The event bound with the graph's own largest fan-out. -/
theorem totalEvents_le_maxFanOut {g : TriggerGraph} {d : Nat} (h : DepthLe g d) (v n : Nat) :
    totalEvents g v n ≤ geomSum (maxFanOut g) (d + 1) :=
  totalEvents_le h (targets_length_le_maxFanOut g) v n

/-! ## The seed's `trigger_chain_bounded` -/

private theorem activeFrames_le (g : TriggerGraph) (events : List Nat) :
    ∀ (f k m : Nat), run g events (k + m) = [] → activeFrames g f (run g events k) ≤ m := by
  intro f
  induction f with
  | zero => intro k m _; simp [activeFrames]
  | succ f ih =>
    intro k m h
    cases hr : run g events k with
    | nil => simp [activeFrames]
    | cons x xs =>
      cases m with
      | zero => simp [hr] at h
      | succ m =>
        simp only [activeFrames]
        rw [← hr]
        have := ih (k + 1) m (by rw [Nat.add_assoc, Nat.add_comm 1 m]; exact h)
        exact Nat.succ_le_succ this

/-- **The seed's `trigger_chain_bounded`, corrected.** Seed 001 (Critique 2)
states `(∀ t ∈ triggers, t.chainDepth ≤ maxDepth) → propagation_time triggers ≤
maxDepth` with `chainDepth` a field of each trigger and `propagation_time`
undefined: as written the hypothesis is about numbers nothing ties to the
graph, so the statement is either unprovable or true by definition. Here the
chain depth is the graph's own (every chain from an event's viewport has at
most `maxDepth` edges) and the propagation time is the cascade's (the index of
the last frame that delivers an event); then, for any events of frame 0 and any
look-ahead, the propagation time is at most `maxDepth`. -/
theorem trigger_chain_bounded (g : TriggerGraph) (events : List Nat) (maxDepth fuel : Nat)
    (h : ∀ v ∈ events, ∀ p, isChain g (v :: p) = true → p.length ≤ maxDepth) :
    propagationTime g events fuel ≤ maxDepth := by
  have hq : run g events (1 + maxDepth) = [] := by
    rw [run_eq_flatMap, List.flatMap_eq_nil_iff]
    intro v hv
    apply Classical.byContradiction
    intro hne
    obtain ⟨p, hp, hl⟩ := frame_ne_nil_iff.1 hne
    have := h v hv p hp
    omega
  exact activeFrames_le g events fuel 1 maxDepth hq

/-- In an accepted graph every cascade's propagation time is at most `d`. -/
theorem propagationTime_le {g : TriggerGraph} {d : Nat} (h : DepthLe g d) (events : List Nat)
    (fuel : Nat) : propagationTime g events fuel ≤ d :=
  trigger_chain_bounded g events d fuel (fun v _ p hp => by have := h _ hp; simp at this; omega)

/-- The bound is attained: the chain `0 → 1 → … → 10` is accepted with `d = 10`
and one event at `0` propagates for exactly 10 frames. -/
theorem trigger_chain_bounded_tight :
    settles (chainGraph 10) 10 = true ∧ propagationTime (chainGraph 10) [0] 20 = 10 := by
  decide

/-! ## Registration -/

theorem register_ok_iff {g : TriggerGraph} {d : Nat} {e : Nat × Nat} :
    (∃ g', register g d e = .ok g') ↔ DepthLe (e :: g) d := by
  rw [← settles_iff]
  unfold register
  constructor
  · rintro ⟨g', hg⟩
    apply Classical.byContradiction
    intro hs
    simp only [hs, if_false] at hg
    split at hg <;> simp at hg
  · intro hs
    exact ⟨e :: g, by simp [hs]⟩

theorem register_ok_eq {g g' : TriggerGraph} {d : Nat} {e : Nat × Nat}
    (h : register g d e = .ok g') : g' = e :: g := by
  unfold register at h
  split at h
  · simp at h; exact h.symm
  · split at h <;> simp at h

/-- **Soundness of the check.** An accepted registration keeps the invariant
(every chain at most `d` edges) and acyclicity. -/
theorem register_ok_invariant {g g' : TriggerGraph} {d : Nat} {e : Nat × Nat}
    (h : register g d e = .ok g') : DepthLe g' d ∧ Acyclic g' := by
  have hd := register_ok_iff.1 ⟨g', h⟩
  rw [register_ok_eq h]
  exact ⟨hd, acyclic_of_depthLe hd⟩

/-- **Registration rejects exactly** the edges that would close a cycle or
create a chain of more than `d` edges. -/
theorem register_error_iff {g : TriggerGraph} {d : Nat} {e : Nat × Nat} :
    (∃ err, register g d e = .error err) ↔ (¬ Acyclic (e :: g) ∨ ¬ DepthLe (e :: g) d) := by
  have hok := (register_ok_iff (g := g) (d := d) (e := e))
  constructor
  · rintro ⟨err, herr⟩
    right
    intro hd
    obtain ⟨g', hg'⟩ := hok.2 hd
    rw [herr] at hg'
    cases hg'
  · intro h
    have hnd : ¬ DepthLe (e :: g) d := by
      rcases h with h | h
      · exact fun hd => h (acyclic_of_depthLe hd)
      · exact h
    cases hr : register g d e with
    | error err => exact ⟨err, rfl⟩
    | ok g' => exact absurd (hok.1 ⟨g', hr⟩) hnd

private theorem findCycle_sound {g : TriggerGraph} {d : Nat} {e : Nat × Nat} {c : List Nat}
    (h : findCycle g d e = some c) : IsCycle (e :: g) c ∧ c.head? = some e.1 := by
  obtain ⟨k, _, hk⟩ := List.exists_of_findSome?_eq_some h
  rw [Option.map_eq_some_iff] at hk
  obtain ⟨p, hp, rfl⟩ := hk
  have hlast := List.find?_some hp
  have hmem := List.mem_of_find?_eq_some hp
  obtain ⟨hc, _, hh⟩ := mem_walks hmem
  cases p with
  | nil => simp at hh
  | cons y q =>
    simp at hh
    subst hh
    have hc' := isChain_mono (fun x hx => List.mem_cons_of_mem e hx) _ hc
    simp only [beq_iff_eq] at hlast
    refine ⟨⟨isChain_cons_cons.2 ⟨by simp, hc'⟩, by simp, ?_⟩, rfl⟩
    rw [List.getLast?_cons_cons, hlast]
    rfl

/-- A rejection as a cycle names a real cycle of the graph with the new edge,
starting (and ending) at the new edge's source. -/
theorem register_cycle_sound {g : TriggerGraph} {d : Nat} {e : Nat × Nat} {c : List Nat}
    (h : register g d e = .error (.cycle c)) : IsCycle (e :: g) c ∧ c.head? = some e.1 := by
  unfold register at h
  split at h
  · simp at h
  · split at h
    · rename_i c' hc'
      simp at h
      subst h
      exact findCycle_sound hc'
    · simp at h

/-- A chain of `e :: g` that ends at `e.1` either starts a chain of `g` to `e.1`,
or uses `e`, and then its part after the last use of `e` is a chain of `g` from
`e.2` to `e.1`. -/
private theorem chain_to_src {g : TriggerGraph} {e : Nat × Nat} :
    ∀ (u : Nat) (p : List Nat), isChain (e :: g) (u :: p) = true → (u :: p).getLast? = some e.1 →
      (∃ q, isChain g (u :: q) = true ∧ (u :: q).getLast? = some e.1) ∨
      (∃ q, isChain g (e.2 :: q) = true ∧ (e.2 :: q).getLast? = some e.1)
  | u, [], _, hl => Or.inl ⟨[], rfl, hl⟩
  | u, w :: p, hc, hl => by
    have hc' := isChain_cons_cons.1 hc
    rw [List.getLast?_cons_cons] at hl
    rcases chain_to_src w p hc'.2 hl with ⟨q, hq, hql⟩ | hr
    · by_cases huw : (u, w) ∈ g
      · exact Or.inl ⟨w :: q, isChain_cons_cons.2 ⟨huw, hq⟩, by rw [List.getLast?_cons_cons]; exact hql⟩
      · have he : (u, w) = e := by
          rcases List.mem_cons.1 hc'.1 with h | h
          · exact h
          · exact absurd h huw
        subst he
        exact Or.inr ⟨q, hq, hql⟩
    · exact Or.inr hr

/-- A chain of `e :: g` either is a chain of `g`, or it passes through `e`: then
a chain of `e :: g` leads from its start to `e.1`, and one from `e.2` to its end. -/
private theorem chain_split {g : TriggerGraph} {e : Nat × Nat} :
    ∀ (u : Nat) (p : List Nat), isChain (e :: g) (u :: p) = true →
      isChain g (u :: p) = true ∨
      ((∃ a, isChain (e :: g) (a ++ [e.1]) = true ∧ (a ++ [e.1]).head? = some u) ∧
       (∃ b, isChain (e :: g) (e.2 :: b) = true ∧ (e.2 :: b).getLast? = (u :: p).getLast?))
  | u, [], _ => Or.inl rfl
  | u, w :: p, hc => by
    have hc' := isChain_cons_cons.1 hc
    rcases chain_split w p hc'.2 with hg | ⟨⟨a, ha, hah⟩, ⟨b, hb, hbl⟩⟩
    · by_cases huw : (u, w) ∈ g
      · exact Or.inl (isChain_cons_cons.2 ⟨huw, hg⟩)
      · have he : (u, w) = e := by
          rcases List.mem_cons.1 hc'.1 with h | h
          · exact h
          · exact absurd h huw
        subst he
        exact Or.inr ⟨⟨[], rfl, rfl⟩, ⟨p, hc'.2, by rw [List.getLast?_cons_cons]⟩⟩
    · obtain ⟨rest, hr⟩ := List.head?_eq_some_iff.1 hah
      refine Or.inr ⟨⟨u :: a, ?_, rfl⟩, ⟨b, hb, by rw [List.getLast?_cons_cons]; exact hbl⟩⟩
      rw [List.cons_append, hr]
      exact isChain_cons_cons.2 ⟨hc'.1, hr ▸ ha⟩

/-- **Cycles are named as cycles.** When the registry's invariant holds and the
new edge closes a cycle, the rejection is `cycle` (never `tooDeep`). -/
theorem register_cycle_of_not_acyclic {g : TriggerGraph} {d : Nat} {e : Nat × Nat}
    (hg : DepthLe g d) (hc : ¬ Acyclic (e :: g)) : ∃ c, register g d e = .error (.cycle c) := by
  have hex : ∃ c, IsCycle (e :: g) c :=
    Classical.byContradiction fun h => hc (fun c hc' => h ⟨c, hc'⟩)
  obtain ⟨c, hch, hlen, hends⟩ := hex
  -- a chain of `e :: g` from `e.2` to `e.1`
  have hpath : ∃ L, isChain (e :: g) (e.2 :: L) = true ∧ (e.2 :: L).getLast? = some e.1 := by
    cases c with
    | nil => simp at hlen
    | cons x rest =>
      rcases chain_split x rest hch with hgc | ⟨⟨a, ha, hah⟩, ⟨b, hb, hbl⟩⟩
      · exact absurd ⟨hgc, hlen, hends⟩ (acyclic_of_depthLe hg (x :: rest))
      · rw [← hends] at hbl
        rcases List.eq_nil_or_concat b with rfl | ⟨b', y, rfl⟩
        · -- `e.2 = x`
          have hy : e.2 = x := by simpa using hbl
          cases a with
          | nil =>
            have : e.1 = x := by simpa using hah
            exact ⟨[], rfl, by rw [hy, ← this]; rfl⟩
          | cons z a' =>
            have hz : z = x := by simpa using hah
            subst hz
            refine ⟨a' ++ [e.1], ?_, ?_⟩
            · rw [hy]; simpa using ha
            · rw [← List.cons_append]; exact List.getLast?_concat
        · rw [List.concat_eq_append] at hb hbl
          have hy : y = x := by
            have : (e.2 :: (b' ++ [y])).getLast? = some y := by
              rw [← List.cons_append]; exact List.getLast?_concat
            rw [this] at hbl
            simpa using hbl
          subst hy
          cases a with
          | nil =>
            have : e.1 = y := by simpa using hah
            exact ⟨b' ++ [y], by simpa using hb, by
              rw [← List.cons_append, List.getLast?_concat, this]⟩
          | cons z a' =>
            have hz : z = y := by simpa using hah
            subst hz
            have hjoin := isChain_append (e.2 :: b') (by simpa using hb) (b := a' ++ [e.1])
              (by simpa using ha)
            refine ⟨b' ++ z :: (a' ++ [e.1]), by simpa using hjoin, ?_⟩
            rw [show e.2 :: (b' ++ z :: (a' ++ [e.1])) = (e.2 :: b' ++ z :: a') ++ [e.1] by simp,
              List.getLast?_concat]
  obtain ⟨L, hL, hLl⟩ := hpath
  have hq : ∃ q, isChain g (e.2 :: q) = true ∧ (e.2 :: q).getLast? = some e.1 := by
    rcases chain_to_src e.2 L hL hLl with h | h <;> exact h
  obtain ⟨q, hq, hql⟩ := hq
  have hqlen : q.length ≤ d := by have := hg _ hq; simp at this; omega
  have hfound : findCycle g d e ≠ none := by
    intro hnone
    rw [findCycle, List.findSome?_eq_none_iff] at hnone
    have h1 := hnone q.length (List.mem_range.2 (by omega))
    rw [Option.map_eq_none_iff, List.find?_eq_none] at h1
    exact h1 _ (mem_walks_of_isChain e.2 q hq) (by simp [hql])
  have hs : settles (e :: g) d = false := by
    cases h : settles (e :: g) d with
    | false => rfl
    | true => exact absurd (acyclic_of_depthLe (settles_iff.1 h)) hc
  cases hf : findCycle g d e with
  | none => exact absurd hf hfound
  | some c' => exact ⟨c', by simp [register, hs, hf]⟩

private theorem deepPath_sound {g : TriggerGraph} {d : Nat} {p : List Nat} (h : deepPath g d = some p) :
    isChain g p = true ∧ p.length = d + 2 := by
  obtain ⟨v, _, hv⟩ := List.exists_of_findSome?_eq_some h
  obtain ⟨tl, htl⟩ := List.head?_eq_some_iff.1 hv
  have := mem_walks (show p ∈ walks g v (d + 1) by rw [htl]; exact List.mem_cons_self)
  exact ⟨this.1, this.2.1⟩

private theorem deepPath_isSome {g : TriggerGraph} {d : Nat} (h : settles g d = false) :
    ∃ p, deepPath g d = some p := by
  cases hp : deepPath g d with
  | some p => exact ⟨p, rfl⟩
  | none =>
    exfalso
    rw [deepPath, List.findSome?_eq_none_iff] at hp
    have : settles g d = true := by
      simp only [settles, List.all_eq_true, List.isEmpty_iff]
      intro v hv
      have h1 := hp v hv
      rw [List.head?_eq_none_iff] at h1
      have h2 := length_walks g v (d + 1)
      rw [h1] at h2
      exact List.eq_nil_of_length_eq_zero h2.symm
    rw [h] at this
    cases this

/-- A rejection as too deep names a real chain of `d + 1` edges of the graph
with the new edge. -/
theorem register_tooDeep_sound {g : TriggerGraph} {d : Nat} {e : Nat × Nat} {p : List Nat}
    (h : register g d e = .error (.tooDeep p)) : isChain (e :: g) p = true ∧ p.length = d + 2 := by
  unfold register at h
  split at h
  · simp at h
  · rename_i hs
    split at h
    · simp at h
    · simp at h
      subst h
      obtain ⟨q, hq⟩ := deepPath_isSome (g := e :: g) (d := d) (by simpa using hs)
      rw [hq]
      exact deepPath_sound hq

end Hydrogen.Viewport

end
