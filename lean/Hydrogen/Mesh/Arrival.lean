module

public import Init

/-!
# Arrival-time scheduling (seed 002, Part 3.1)

Every time is a whole number of milliseconds. For one agent, the lead time is
the one-way network delay, the processing estimate and a safety buffer; the
message is sent `lead` before the target `T`, or skipped when that instant is
already past. The seed's `calculate_buffer` is never defined, so the buffer is
an input here. Rounding always goes up (`ceilDiv`): a lead time is never
underestimated by the integer model.
-/

@[expose] public section

set_option autoImplicit false

namespace Hydrogen.Mesh

/-- `⌈a / k⌉` for `k > 0`. -/
def ceilDiv (a k : Nat) : Nat := (a + k - 1) / k

theorem le_ceilDiv_mul (a k : Nat) (hk : 0 < k) : a ≤ ceilDiv a k * k := by
  have h1 := Nat.div_add_mod (a + k - 1) k
  have h2 := Nat.mod_lt (a + k - 1) hk
  simp only [ceilDiv]
  rw [Nat.mul_comm]
  omega

/-- The six impedance classes of Part 2.2. -/
inductive AgentClass where
  | edge | serverless | persistent | gpu | local | human
  deriving DecidableEq, Repr

/-- The seed's `base_times` (ms). -/
def baseMs : AgentClass → Nat
  | .edge => 10
  | .serverless => 50
  | .persistent => 200
  | .gpu => 100
  | .local => 150
  | .human => 60000

/-- `estimate_processing_time` with the payload weight in tenths:
`base · (1 + 0.5·w/10) · (1 + 0.1·q) = base · (20 + w) · (10 + q) / 200`,
rounded up. -/
def processingMs (c : AgentClass) (weightTenths queueDepth : Nat) : Nat :=
  ceilDiv (baseMs c * (20 + weightTenths) * (10 + queueDepth)) 200

/-- One-way delay from a round trip, rounded up. -/
def oneWayMs (latencyMs : Nat) : Nat := ceilDiv latencyMs 2

/-- `total_lead_time = network_delay + processing_delay + buffer`. -/
def leadMs (latencyMs processing buffer : Nat) : Nat := oneWayMs latencyMs + processing + buffer

/-- The processing estimate is never below the class's base time. -/
theorem base_le_processingMs (c : AgentClass) (w q : Nat) : baseMs c ≤ processingMs c w q := by
  have h := le_ceilDiv_mul (baseMs c * (20 + w) * (10 + q)) 200 (by decide)
  simp only [processingMs]
  generalize ceilDiv (baseMs c * (20 + w) * (10 + q)) 200 = p at *
  have hm : baseMs c * 200 ≤ baseMs c * (20 + w) * (10 + q) := by
    rw [Nat.mul_assoc]
    exact Nat.mul_le_mul_left _
      (Nat.le_trans (by decide : 200 ≤ 20 * 10) (Nat.mul_le_mul (Nat.le_add_right 20 w) (Nat.le_add_right 10 q)))
  have : baseMs c * 200 ≤ p * 200 := Nat.le_trans hm h
  exact Nat.le_of_mul_le_mul_right this (by decide)

/-- The processing estimate never falls when the queue grows. -/
theorem processingMs_mono_queue (c : AgentClass) (w q q' : Nat) (h : q ≤ q') :
    processingMs c w q ≤ processingMs c w q' := by
  simp only [processingMs, ceilDiv]
  apply Nat.div_le_div_right
  have : baseMs c * (20 + w) * (10 + q) ≤ baseMs c * (20 + w) * (10 + q') :=
    Nat.mul_le_mul_left _ (by omega)
  omega

/-- The schedule for one agent. `available` is `T - now` as an integer: it is
negative when the target is already past. -/
inductive Plan where
  | scheduled (sendAt lead : Nat)
  | skip (wouldNeed : Nat) (available : Int)
  deriving DecidableEq, Repr

/-- Send at `T - lead` unless that is before `now` (the seed's
`send_time < now()` test). -/
def plan (now target lead : Nat) : Plan :=
  if now + lead ≤ target then .scheduled (target - lead) lead
  else .skip lead ((target : Int) - now)

/-- Every scheduled send is at or after `now`. -/
theorem plan_sendAt_ge_now (now target lead s l : Nat)
    (h : plan now target lead = .scheduled s l) : now ≤ s := by
  unfold plan at h
  split at h
  · cases h; omega
  · cases h

/-- A scheduled send arrives exactly at `T` under the model: `send + lead = T`. -/
theorem plan_arrives_at_target (now target lead s l : Nat)
    (h : plan now target lead = .scheduled s l) : s + l = target ∧ l = lead := by
  unfold plan at h
  split at h
  · cases h; omega
  · cases h

/-- SKIP exactly when the lead time exceeds the time left. -/
theorem plan_skip_iff (now target lead : Nat) :
    (∃ w a, plan now target lead = .skip w a) ↔ (target : Int) - now < lead := by
  unfold plan
  split
  · constructor
    · rintro ⟨_, _, h⟩; cases h
    · intro; omega
  · exact ⟨fun _ => by omega, fun _ => ⟨_, _, rfl⟩⟩

/-- On SKIP the report is honest: `would_need_ms = lead`,
`available_ms = T - now`, and `would_need_ms > available_ms`. -/
theorem plan_skip_fields (now target lead w : Nat) (a : Int)
    (h : plan now target lead = .skip w a) :
    w = lead ∧ a = (target : Int) - now ∧ a < w := by
  unfold plan at h
  split at h
  · cases h
  · cases h; omega

/-- A lead time exactly equal to the time left is scheduled, sent now. -/
theorem plan_exact_lead (now lead : Nat) :
    plan now (now + lead) lead = .scheduled now lead := by
  simp [plan]

/-- Start of the `b`-ms bucket holding `t` (the seed groups sends with `b = 10`). -/
def bucket (b t : Nat) : Nat := t / b * b

/-- `bucket(t) ≤ t < bucket(t) + b`. -/
theorem bucket_bounds (b t : Nat) (hb : 0 < b) : bucket b t ≤ t ∧ t < bucket b t + b := by
  have h1 := Nat.div_add_mod t b
  have h2 := Nat.mod_lt t hb
  simp only [bucket]
  rw [Nat.mul_comm]
  omega

/-- When a bucket fires: its start, or `now` if that start is already past. -/
def bucketSend (b now s : Nat) : Nat := max now (bucket b s)

/-- Batching a scheduled send into its bucket keeps it at or after `now` and
makes it arrive early by less than one bucket, never late:
`T - b < send + lead ≤ T`. -/
theorem bucketSend_window (b now target lead s l : Nat) (hb : 0 < b)
    (h : plan now target lead = .scheduled s l) :
    now ≤ bucketSend b now s ∧ bucketSend b now s + lead ≤ target ∧
      target < bucketSend b now s + lead + b := by
  have hs := plan_sendAt_ge_now now target lead s l h
  have ⟨ha, _⟩ := plan_arrives_at_target now target lead s l h
  have ⟨b1, b2⟩ := bucket_bounds b s hb
  simp only [bucketSend]
  generalize bucket b s = k at *
  have := Nat.le_max_left now k
  have := Nat.le_max_right now k
  have : max now k = now ∨ max now k = k := by
    rcases Nat.le_total now k with hk | hk
    · exact Or.inr (Nat.max_eq_right hk)
    · exact Or.inl (Nat.max_eq_left hk)
  omega

/-- `calculate_confidence` in units of 1/10000, with reliability and drift in
per-mille: `0.5·r − 0.3·d + 0.2·[recent]` is `5·r − 3·d + 2000·[recent]`,
clamped to `[0, 10000]`. -/
def confidence (reliabilityMilli driftMilli : Nat) (recent : Bool) : Int :=
  max 0 (min 10000 (5 * (reliabilityMilli : Int) - 3 * driftMilli + if recent then 2000 else 0))

/-- Confidence is always in `[0, 1]` (`[0, 10000]` in its units). -/
theorem confidence_bounds (r d : Nat) (recent : Bool) :
    0 ≤ confidence r d recent ∧ confidence r d recent ≤ 10000 := by
  simp only [confidence]
  constructor
  · exact Int.le_max_left _ _
  · exact Int.max_le.mpr ⟨by decide, Int.min_le_left _ _⟩

/-- Inside the clamp, confidence is the seed's formula unchanged. -/
theorem confidence_unclamped (r d : Nat) (recent : Bool)
    (h0 : 0 ≤ 5 * (r : Int) - 3 * d + (if recent then 2000 else 0))
    (h1 : 5 * (r : Int) - 3 * d + (if recent then 2000 else 0) ≤ 10000) :
    confidence r d recent = 5 * (r : Int) - 3 * d + (if recent then 2000 else 0) := by
  simp only [confidence]
  rw [Int.min_eq_right h1, Int.max_eq_right h0]

/-- The seed's formula never reaches 1: with reliability at most 1 its
maximum is `0.5 + 0.2 = 0.7`, so the upper clamp never binds. -/
theorem confidence_le_seven_tenths (r d : Nat) (recent : Bool) (hr : r ≤ 1000) :
    confidence r d recent ≤ 7000 := by
  simp only [confidence]
  apply Int.max_le.mpr
  refine ⟨by decide, ?_⟩
  apply Int.le_trans (Int.min_le_right _ _)
  split <;> omega

/-- The seed's class base times, with weight 1.0 and an empty queue:
`10 · 1.5 · 1.0 = 15` ms for an edge agent, one and a half minutes for a human. -/
theorem processingMs_examples :
    processingMs .edge 10 0 = 15 ∧ processingMs .human 10 0 = 90000 ∧
      processingMs .persistent 0 5 = 300 := by decide

end Hydrogen.Mesh
