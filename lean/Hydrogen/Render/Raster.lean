module

public import Hydrogen.Render.Error

/-!
# The rasterize stage

The rasterize stage turns an instance's box into pixels. Both renderers of this
project follow one rule (stated in `src/Gpu/Reference.ts`, implemented by the
shaders in `src/Gpu/Shaders.ts`): pixel `(i, j)` is sampled at its centre
`(16i + 8, 16j + 8)` in 1/16 px, it is covered iff its centre lies in the
half-open box `[x0, x1) × [y0, y1)` and the kind's integer test holds (for the
rounded rect: `roundedRectCovers`), and a covered pixel's byte is replaced by
the instance's byte (opaque replace, painter's order).

Where two renderers can still differ (`disagree_near_edge`): both decide each
edge by the side the centre is on, but a centre exactly **on** an edge may go
either way (tie-breaking), and each may compute the edge's position with its own
float rounding. They then disagree only at centres within `|a − b|` of the
edge, and there a channel can differ by a whole `255` (`tie_pixel_diff`): in the
max-difference norm this is the honest stage error without a margin.

This project's GPU side avoids that term by construction: the fragment test is
the reference's integer rule, and the rasterizer only has to generate the
fragment. Its quad is half a pixel (`8` units of 1/16 px) wider than the box on
every side, clamped one pixel outside the framebuffer (`conservativeQuad`), so
any quad computed within `δ < 8` units of that one contains every centre the
rule covers strictly inside (`gpu_covers_eq_rule`): tie-breaking and float
rounding of the quad decide no pixel, and the images agree byte for byte
(`gpu_pixel_eq_reference`). The colour store is exact too (`unorm_roundtrip`).

As graded stages (8-bit levels; `Hydrogen.Render.Stage`): the quad's corners go
through four float32 roundings and a sub-pixel snap (`gpuQuadPipeline`,
`17/256` px = `17/16` units); the rasterize stage has `ε = rasterEps δ`
(`0` when `δ < 8` units, else `255`) and `s = 0` (a position error below the
margin moves no pixel); the colour store `ε = 0`, `s = 1`. End to end, GPU
versus reference: `0` levels (`raster_error_bound`, `gpu_reference_sound`).
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.Render.Raster

open Hydrogen.Render

/-! ## Edges: where two renderers that follow the rule can disagree -/

/-- A coverage decision `dec` follows an edge at `a` (covered side `c > a`):
centres strictly past it are covered, centres strictly before it are not; a
centre exactly on it may go either way (the tie-breaking rule is free). -/
def FollowsEdge (dec : Rat → Bool) (a : Rat) : Prop :=
  ∀ c, (a < c → dec c = true) ∧ (c < a → dec c = false)

/-- Two renderers following the same edge, computed as `a` by one and `b` by the
other, disagree only at centres within `|a − b|` of the edge. -/
theorem disagree_near_edge (d₁ d₂ : Rat → Bool) (a b c : Rat) (h₁ : FollowsEdge d₁ a)
    (h₂ : FollowsEdge d₂ b) (h : d₁ c ≠ d₂ c) : dist c a ≤ dist a b := by
  have ha := h₁ c
  have hb := h₂ c
  unfold dist
  split <;> split <;> grind

/-- With the edge computed exactly alike (`a = b`), only a centre on the edge itself can differ. -/
theorem disagree_only_on_edge (d₁ d₂ : Rat → Bool) (a c : Rat) (h₁ : FollowsEdge d₁ a)
    (h₂ : FollowsEdge d₂ a) (h : d₁ c ≠ d₂ c) : c = a := by
  have := disagree_near_edge d₁ d₂ a a c h₁ h₂ h
  unfold dist at this
  split at this <;> grind

/-- Ties really are free: both half-open conventions follow the edge and disagree on it. -/
theorem tie_can_disagree (a : Rat) :
    FollowsEdge (fun c => decide (a ≤ c)) a ∧ FollowsEdge (fun c => decide (a < c)) a ∧
      (fun c => decide (a ≤ c)) a ≠ (fun c => decide (a < c)) a := by
  refine ⟨fun c => ⟨fun h => ?_, fun h => ?_⟩, fun c => ⟨fun h => ?_, fun h => ?_⟩, ?_⟩ <;> simp <;> grind

/-! ## Pixels: opaque replace in painter's order -/

/-- One channel of one pixel after painting `is` in order over the background
byte `bg`: a covering instance replaces the byte with its own (no blending). -/
def paintPixel {α : Type} (bg : Nat) (byte : α → Nat) (cov : α → Bool) (is : List α) : Nat :=
  is.foldl (fun acc i => if cov i then byte i else acc) bg

/-- The largest difference of two bytes, `|a − b|`. -/
def byteDiff (a b : Nat) : Nat := max (a - b) (b - a)

/-- Renderers that make the same coverage decisions paint the same byte. -/
theorem paintPixel_congr {α : Type} (bg : Nat) (byte : α → Nat) (c₁ c₂ : α → Bool) (is : List α)
    (h : ∀ i ∈ is, c₁ i = c₂ i) : paintPixel bg byte c₁ is = paintPixel bg byte c₂ is := by
  unfold paintPixel
  induction is generalizing bg with
  | nil => rfl
  | cons a as ih =>
    simp only [List.foldl_cons]
    rw [h a List.mem_cons_self]
    exact ih _ (fun i hi => h i (List.mem_cons_of_mem a hi))

/-- A painted byte is a byte. -/
theorem paintPixel_le {α : Type} (bg : Nat) (byte : α → Nat) (cov : α → Bool) (is : List α)
    (hbg : bg ≤ 255) (hb : ∀ i ∈ is, byte i ≤ 255) : paintPixel bg byte cov is ≤ 255 := by
  unfold paintPixel
  induction is generalizing bg with
  | nil => simpa using hbg
  | cons a as ih =>
    simp only [List.foldl_cons]
    apply ih _ _ (fun i hi => hb i (List.mem_cons_of_mem a hi))
    split
    · exact hb a List.mem_cons_self
    · exact hbg

/-- Any two renderers of bytes differ by at most `255` per channel: the trivial
bound, the stage error when nothing rules out a flipped edge pixel. -/
theorem byteDiff_le {α : Type} (bg : Nat) (byte : α → Nat) (c₁ c₂ : α → Bool) (is : List α)
    (hbg : bg ≤ 255) (hb : ∀ i ∈ is, byte i ≤ 255) :
    byteDiff (paintPixel bg byte c₁ is) (paintPixel bg byte c₂ is) ≤ 255 := by
  have := paintPixel_le bg byte c₁ is hbg hb
  have := paintPixel_le bg byte c₂ is hbg hb
  unfold byteDiff
  omega

/-- ... and `255` is attained: a white instance whose edge passes exactly through
a pixel centre, over a black background, under the two tie conventions. -/
theorem tie_pixel_diff (a : Rat) :
    byteDiff (paintPixel 0 (fun _ => 255) (fun (_ : Unit) => decide (a ≤ a)) [()])
      (paintPixel 0 (fun _ => 255) (fun (_ : Unit) => decide (a < a)) [()]) = 255 := by
  simp [paintPixel, byteDiff, Rat.le_refl]

/-! ## The project's rule -/

/-- An instance's box in 1/16 px relative to the view origin: `[x0, x1) × [y0, y1)`. -/
structure Box where
  x0 : Int
  y0 : Int
  x1 : Int
  y1 : Int

/-- The centre of pixel `i` on one axis, in 1/16 px: `16i + 8`. -/
def centre (i : Nat) : Int := 16 * (i : Int) + 8

/-- The rule's box test: the centre is in the half-open box. -/
def Box.contains (b : Box) (cx cy : Int) : Bool :=
  decide (b.x0 ≤ cx ∧ cx < b.x1 ∧ b.y0 ≤ cy ∧ cy < b.y1)

/-- The rounded-rect kind (`kindCovers 0` of the reference, `fs_rect`): the box
test, and with `r = min(16·min(p, 256), ⌊(u+u')/2⌋, ⌊(v+v')/2⌋)`,
`dx = max(0, r−u, r−u')`, `dy = max(0, r−v, r−v')`: `dx² + dy² ≤ r²`. -/
def roundedRectCovers (p : Nat) (b : Box) (cx cy : Int) : Bool :=
  let u := cx - b.x0
  let v := cy - b.y0
  let u' := b.x1 - cx
  let v' := b.y1 - cy
  let r := min (16 * (min p 256 : Nat) : Int) (min ((u + u') / 2) ((v + v') / 2))
  let dx := max 0 (max (r - u) (r - u'))
  let dy := max 0 (max (r - v) (r - v'))
  b.contains cx cy && decide (dx * dx + dy * dy ≤ r * r)

/-- A kind's coverage rule stays inside its box (all four kinds test the box first). -/
def RuleWithin (rule : Int → Int → Bool) (b : Box) : Prop :=
  ∀ cx cy, rule cx cy = true → b.contains cx cy = true

theorem roundedRect_within (p : Nat) (b : Box) : RuleWithin (roundedRectCovers p b) b := by
  intro cx cy h
  simp only [roundedRectCovers, Bool.and_eq_true] at h
  exact h.1

/-! ## The GPU side: a conservative quad, then the rule as the fragment test -/

/-- A quad in 1/16 px (rational: its corners are computed in float). -/
structure Quad where
  x0 : Rat
  y0 : Rat
  x1 : Rat
  y1 : Rat

/-- The margin of the conservative quad: half a pixel, `8` units of 1/16 px. -/
def marginUnits : Rat := 8

/-- The shader's clamp of a corner to one pixel (`16` units) outside an `n`-pixel axis. -/
def clampUnits (v : Rat) (n : Nat) : Rat :=
  if v ≤ -16 then -16 else if 16 * (n : Rat) + 16 ≤ v then 16 * (n : Rat) + 16 else v

theorem clampUnits_le (v t : Rat) (n : Nat) (hv : v ≤ t) (ht : -16 ≤ t) : clampUnits v n ≤ t := by
  unfold clampUnits
  split
  · exact ht
  · split <;> grind

theorem le_clampUnits (v t : Rat) (n : Nat) (hv : t ≤ v) (ht : t ≤ 16 * (n : Rat) + 16) :
    t ≤ clampUnits v n := by
  unfold clampUnits
  split
  · grind
  · split <;> grind

/-- The exact quad the vertex shader aims for: the box widened by the margin on
every side, each corner clamped to one pixel outside a `w × h` framebuffer. -/
def conservativeQuad (b : Box) (w h : Nat) : Quad where
  x0 := clampUnits ((b.x0 : Rat) - marginUnits) w
  y0 := clampUnits ((b.y0 : Rat) - marginUnits) h
  x1 := clampUnits ((b.x1 : Rat) + marginUnits) w
  y1 := clampUnits ((b.y1 : Rat) + marginUnits) h

/-- Computed corners within `δ` of the exact ones. -/
def Quad.Within (q e : Quad) (δ : Rat) : Prop :=
  dist q.x0 e.x0 ≤ δ ∧ dist q.y0 e.y0 ≤ δ ∧ dist q.x1 e.x1 ≤ δ ∧ dist q.y1 e.y1 ≤ δ

/-- A rasterizer following the rule for a quad: every sample point strictly
inside generates a fragment. Points on the quad's edge (tie-breaking) and
outside it are left free: the fragment test decides them. -/
def Rasterizes (incl : Rat → Rat → Bool) (q : Quad) : Prop :=
  ∀ cx cy, q.x0 < cx → cx < q.x1 → q.y0 < cy → cy < q.y1 → incl cx cy = true

theorem int_le_cast (a b : Int) (h : a ≤ b) : (a : Rat) ≤ (b : Rat) := by exact_mod_cast h

theorem int_lt_cast (a b : Int) (h : a < b) : (a : Rat) + 1 ≤ (b : Rat) := by
  have : a + 1 ≤ b := h
  have : ((a + 1 : Int) : Rat) ≤ (b : Rat) := by exact_mod_cast this
  push_cast at this
  exact this

/-- The GPU covers exactly the rule's pixels: for a centre in the framebuffer,
(fragment generated) ∧ (fragment test) equals the rule, whatever the
rasterizer's tie-breaking, as long as the quad is computed within `δ < 8` units. -/
theorem gpu_covers_eq_rule (rule : Int → Int → Bool) (b : Box) (w h : Nat) (q : Quad) (δ : Rat)
    (incl : Rat → Rat → Bool) (hrule : RuleWithin rule b) (hq : q.Within (conservativeQuad b w h) δ)
    (hδ : δ < marginUnits) (hr : Rasterizes incl q) (i j : Nat) (hi : i < w) (hj : j < h) :
    (incl (centre i : Rat) (centre j : Rat) && rule (centre i) (centre j)) = rule (centre i) (centre j) := by
  cases hc : rule (centre i) (centre j)
  · simp
  · have hb := hrule _ _ hc
    simp only [Box.contains, decide_eq_true_eq] at hb
    obtain ⟨h1, h2, h3, h4⟩ := hb
    have c1 := int_le_cast _ _ h1
    have c2 := int_lt_cast _ _ h2
    have c3 := int_le_cast _ _ h3
    have c4 := int_lt_cast _ _ h4
    have ei : (centre i : Rat) = 16 * (i : Rat) + 8 := by simp only [centre]; push_cast; rfl
    have ej : (centre j : Rat) = 16 * (j : Rat) + 8 := by simp only [centre]; push_cast; rfl
    have wi : (i : Rat) + 1 ≤ (w : Rat) := by exact_mod_cast hi
    have hj' : (j : Rat) + 1 ≤ (h : Rat) := by exact_mod_cast hj
    have i0 : (0 : Rat) ≤ (i : Rat) := by exact_mod_cast Nat.zero_le i
    have j0 : (0 : Rat) ≤ (j : Rat) := by exact_mod_cast Nat.zero_le j
    have a1 := clampUnits_le ((b.x0 : Rat) - marginUnits) ((centre i : Rat) - 8) w
      (by simp only [marginUnits]; grind) (by grind)
    have a2 := clampUnits_le ((b.y0 : Rat) - marginUnits) ((centre j : Rat) - 8) h
      (by simp only [marginUnits]; grind) (by grind)
    have a3 := le_clampUnits ((b.x1 : Rat) + marginUnits) ((centre i : Rat) + 8) w
      (by simp only [marginUnits]; grind) (by grind)
    have a4 := le_clampUnits ((b.y1 : Rat) + marginUnits) ((centre j : Rat) + 8) h
      (by simp only [marginUnits]; grind) (by grind)
    obtain ⟨q1, q2, q3, q4⟩ := hq
    simp only [conservativeQuad, dist] at q1 q2 q3 q4
    simp only [marginUnits] at hδ
    have hin := hr (centre i : Rat) (centre j : Rat)
      (by split at q1 <;> grind) (by split at q3 <;> grind)
      (by split at q2 <;> grind) (by split at q4 <;> grind)
    simp [hin]

/-- Painted in the same order with the same bytes, the GPU's pixel equals the
reference's: every instance's coverage is the rule's (`gpu_covers_eq_rule`). -/
theorem gpu_pixel_eq_reference {α : Type} (bg : Nat) (byte : α → Nat) (rule : α → Int → Int → Bool)
    (box : α → Box) (quad : α → Quad) (incl : α → Rat → Rat → Bool) (w h : Nat) (δ : Rat)
    (is : List α) (hrule : ∀ a ∈ is, RuleWithin (rule a) (box a))
    (hq : ∀ a ∈ is, (quad a).Within (conservativeQuad (box a) w h) δ) (hδ : δ < marginUnits)
    (hr : ∀ a ∈ is, Rasterizes (incl a) (quad a)) (i j : Nat) (hi : i < w) (hj : j < h) :
    paintPixel bg byte (fun a => incl a (centre i : Rat) (centre j : Rat) && rule a (centre i) (centre j)) is =
      paintPixel bg byte (fun a => rule a (centre i) (centre j)) is :=
  paintPixel_congr bg byte _ _ is fun a ha =>
    gpu_covers_eq_rule (rule a) (box a) w h (quad a) δ (incl a) (hrule a ha) (hq a ha) hδ (hr a ha) i j hi hj

/-! ## The colour store -/

/-- A float-to-unorm8 store: the stored byte is within `3/5` of `255·v` (round
to nearest, or Direct3D's 0.6-ulp conversion tolerance). -/
def StoresUnorm (store : Rat → Nat) : Prop := ∀ v, dist (store v : Rat) (255 * v) ≤ 3 / 5

/-- The shader writes `f32(k)/255` (one float32 rounding, relative error
`≤ 2^-24`); the unorm store gets the byte `k` back exactly. -/
theorem unorm_roundtrip (store : Rat → Nat) (hs : StoresUnorm store) (k : Nat) (hk : k ≤ 255)
    (v : Rat) (hv : dist v ((k : Rat) / 255) ≤ float32UnitRoundoff) : store v = k := by
  have h1 := hs v
  simp only [dist, float32UnitRoundoff] at h1 hv
  have hk' : (k : Rat) ≤ 255 := by exact_mod_cast hk
  have lo : (k : Rat) < (store v : Rat) + 1 := by split at h1 <;> split at hv <;> grind
  have hi : (store v : Rat) < (k : Rat) + 1 := by split at h1 <;> split at hv <;> grind
  have lo' : k < store v + 1 := by exact_mod_cast lo
  have hi' : store v < k + 1 := by exact_mod_cast hi
  omega

/-! ## As graded stages, end to end -/

/-- A sub-pixel snap of the rasterizer (at least 4 fractional bits, any rounding
direction): at most one step, `1/16` px; `s = 1`. -/
def snapStage : Stage := ⟨positionStep, 1⟩

/-- The quad corner's way to the rasterizer, in px: `x/W` then `·2 − 1` in the
shader, the viewport transform `(n + 1)·W/2` (four float32 roundings of a
coordinate of at most `2^14` px, for framebuffers up to `2^13` px), then the snap. -/
def gpuQuadPipeline : List Stage := [float32Stage, float32Stage, float32Stage, float32Stage, snapStage]

/-- The quad's error in 1/16 px units. -/
def gpuQuadDelta : Rat := 16 * compose gpuQuadPipeline

/-- The rasterize stage's own error in 8-bit levels, for quads computed within
`δ` units: none below the margin, a whole channel otherwise. -/
def rasterEps (δ : Rat) : Rat := if δ < marginUnits then 0 else 255

/-- The rasterize stage: `ε = rasterEps δ` levels, `s = 0` (a position error
below the margin moves no pixel; at or above it, `ε` already is the maximum). -/
def rasterStage (δ : Rat) : Stage := ⟨rasterEps δ, 0⟩

/-- The unorm colour store: adds no error (`unorm_roundtrip`), passes level errors through. -/
def unormStage : Stage := ⟨0, 1⟩

/-- GPU versus reference, in 8-bit levels: the stages only the GPU adds. -/
def gpuReferencePipeline : List Stage := gpuQuadPipeline ++ [rasterStage gpuQuadDelta, unormStage]

theorem gpuQuad_error : compose gpuQuadPipeline = 17 / 256 := by
  simp only [gpuQuadPipeline, compose, List.foldl_cons, List.foldl_nil, Stage.step, float32Stage,
    snapStage, positionStep, coordBound, float32UnitRoundoff]
  grind

theorem gpuQuadDelta_lt_margin : gpuQuadDelta < marginUnits := by
  simp only [gpuQuadDelta, gpuQuad_error, marginUnits]
  grind

/-- The proved bound on the largest per-channel difference between the GPU image
and the reference image: `0` levels. -/
theorem raster_error_bound : compose gpuReferencePipeline = 0 := by
  rw [gpuReferencePipeline, compose_append, gpuQuad_error]
  simp only [compose, gain, List.foldl_cons, List.foldl_nil, Stage.step, rasterStage, unormStage,
    rasterEps, if_pos gpuQuadDelta_lt_margin]
  grind

/-- Without the margin (`δ ≥ 8` units) the stage's honest error is a whole channel. -/
theorem rasterEps_no_margin (δ : Rat) (h : marginUnits ≤ δ) : rasterEps δ = 255 := by
  simp only [rasterEps]
  split <;> grind

/-- The bound holds for the real stages: quads computed within `gpuQuadDelta` of
the conservative quad, any rasterizer following the rule, the same painter's
order and bytes: the GPU's byte differs from the reference's by at most
`compose gpuReferencePipeline` (`= 0`) levels at every pixel. -/
theorem gpu_reference_sound {α : Type} (bg : Nat) (byte : α → Nat) (rule : α → Int → Int → Bool)
    (box : α → Box) (quad : α → Quad) (incl : α → Rat → Rat → Bool) (w h : Nat) (is : List α)
    (hrule : ∀ a ∈ is, RuleWithin (rule a) (box a))
    (hq : ∀ a ∈ is, (quad a).Within (conservativeQuad (box a) w h) gpuQuadDelta)
    (hr : ∀ a ∈ is, Rasterizes (incl a) (quad a)) (i j : Nat) (hi : i < w) (hj : j < h) :
    ((byteDiff (paintPixel bg byte (fun a => incl a (centre i : Rat) (centre j : Rat) && rule a (centre i) (centre j)) is)
      (paintPixel bg byte (fun a => rule a (centre i) (centre j)) is) : Nat) : Rat) ≤ compose gpuReferencePipeline := by
  rw [gpu_pixel_eq_reference bg byte rule box quad incl w h gpuQuadDelta is hrule hq gpuQuadDelta_lt_margin hr i j hi hj,
    raster_error_bound]
  simp [byteDiff]
  exact Rat.le_refl

end Hydrogen.Render.Raster

end
