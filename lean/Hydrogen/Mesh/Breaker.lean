module

public import Init

/-!
# Circuit breakers and graceful degradation (seed 002, Part 6)

Times are whole milliseconds. One state machine serves every scope: a cluster
trips when more than 5 failures fall in its counting window, a sector when
more than 50 do, the global breaker when more than 10 sectors are OPEN. OPEN
waits for its probe (30 s, then 60 s after each failed probe: the seed's
`schedule_after(30)` then `schedule_after(60)`, i.e. `min 60 s (30 s · 2ⁿ)`);
a good probe gives HALF_OPEN, and a quiet 60 s monitoring period gives CLOSED.
The seed never resets its failure counts; here they count within a window.

`isRoutable` refuses an agent when any enclosing breaker is OPEN, and the
operational mode is a function of `active / total` compared by
cross-multiplication, so 95 % means exactly 95/100.
-/

@[expose] public section

set_option autoImplicit false

namespace Hydrogen.Mesh

/-- A breaker's state. (`open` is a Lean keyword, hence `opened`.) -/
inductive Circuit where
  | closed | opened | halfOpen
  deriving DecidableEq, Repr

/-- One scope's thresholds and timings (ms). -/
structure BreakerConfig where
  /-- Trips when the failures in the window exceed this. -/
  tripAbove : Nat
  windowMs : Nat
  firstProbeMs : Nat
  maxProbeMs : Nat
  monitorMs : Nat
  deriving DecidableEq, Repr

/-- `cluster_failures > 5`; probes after 30 s, then 60 s; 60 s monitoring. -/
def clusterConfig : BreakerConfig := ⟨5, 60000, 30000, 60000, 60000⟩
/-- `sector_failures > 50`, same timings. -/
def sectorConfig : BreakerConfig := ⟨50, 60000, 30000, 60000, 60000⟩

/-- The wait before probe number `attempt` (0 = first). -/
def probeDelay (c : BreakerConfig) (attempt : Nat) : Nat :=
  min c.maxProbeMs (c.firstProbeMs * 2 ^ attempt)

structure BreakerState where
  circuit : Circuit
  /-- Failures in the current window (CLOSED only). -/
  failures : Nat
  windowStart : Nat
  /-- Failed probes (or HALF_OPEN relapses) since the breaker opened. -/
  attempt : Nat
  /-- OPEN: earliest probe time; HALF_OPEN: end of monitoring. -/
  dueAt : Nat
  deriving DecidableEq, Repr

def BreakerState.closedAt (t : Nat) : BreakerState := ⟨.closed, 0, t, 0, 0⟩

inductive BreakerEvent where
  | failure (t : Nat)
  /-- Forced open: the global breaker, or an operator. -/
  | trip (t : Nat)
  | probe (t : Nat) (ok : Bool)
  | tick (t : Nat)
  deriving DecidableEq

def openAt (c : BreakerConfig) (t attempt : Nat) : BreakerState :=
  ⟨.opened, 0, t, attempt, t + probeDelay c attempt⟩

/-- The failure count after one more failure at `t`: a new window starts once the old one is over. -/
def windowCount (c : BreakerConfig) (s : BreakerState) (t : Nat) : Nat :=
  if s.windowStart + c.windowMs ≤ t then 1 else s.failures + 1

def breakerStep (c : BreakerConfig) (s : BreakerState) : BreakerEvent → BreakerState
  | .failure t =>
    match s.circuit with
    | .closed =>
      if c.tripAbove < windowCount c s t then openAt c t 0
      else { s with failures := windowCount c s t,
                    windowStart := if s.windowStart + c.windowMs ≤ t then t else s.windowStart }
    | .halfOpen => openAt c t (s.attempt + 1)
    | .opened => s
  | .trip t => if s.circuit = .opened then s else openAt c t 0
  | .probe t ok =>
    if s.circuit = .opened ∧ s.dueAt ≤ t then
      (if ok then { s with circuit := .halfOpen, dueAt := t + c.monitorMs } else openAt c t (s.attempt + 1))
    else s
  | .tick t => if s.circuit = .halfOpen ∧ s.dueAt ≤ t then BreakerState.closedAt t else s

def breakerRun (c : BreakerConfig) (s : BreakerState) (es : List BreakerEvent) : BreakerState :=
  es.foldl (breakerStep c) s

/-- The probe wait never exceeds its cap. -/
theorem probeDelay_le_max (c : BreakerConfig) (n : Nat) : probeDelay c n ≤ c.maxProbeMs :=
  Nat.min_le_left _ _

/-- Backoff: a later attempt never waits less. -/
theorem probeDelay_mono (c : BreakerConfig) (n m : Nat) (h : n ≤ m) :
    probeDelay c n ≤ probeDelay c m := by
  have hp : 2 ^ n ≤ 2 ^ m := Nat.pow_le_pow_right (by decide) h
  have hm : c.firstProbeMs * 2 ^ n ≤ c.firstProbeMs * 2 ^ m := Nat.mul_le_mul_left _ hp
  simp only [probeDelay]
  omega

/-- The seed's schedule: 30 s before the first probe, 60 s before every later one. -/
theorem probeDelay_seed (n : Nat) :
    probeDelay clusterConfig 0 = 30000 ∧ probeDelay clusterConfig (n + 1) = 60000 := by
  have hp : 2 ^ 1 ≤ 2 ^ (n + 1) := Nat.pow_le_pow_right (by decide) (by omega)
  simp only [probeDelay, clusterConfig]
  constructor
  · decide
  · simp only [Nat.pow_one] at hp
    omega

/-- A failure on a CLOSED breaker opens it exactly when the window's count exceeds the threshold. -/
theorem breakerStep_failure_trips (c : BreakerConfig) (s : BreakerState) (t : Nat)
    (hs : s.circuit = .closed) :
    (breakerStep c s (.failure t)).circuit = .opened ↔ c.tripAbove < windowCount c s t := by
  simp only [breakerStep, hs]
  by_cases h : c.tripAbove < windowCount c s t
  · simp [h, openAt]
  · simp [h]

/-- An OPEN breaker is not probed before its time: the probe changes nothing. -/
theorem breakerStep_probe_early (c : BreakerConfig) (s : BreakerState) (t : Nat) (ok : Bool)
    (ht : t < s.dueAt) : breakerStep c s (.probe t ok) = s := by
  simp only [breakerStep]
  rw [if_neg (by omega)]

/-- The only way out of OPEN is a successful probe on time, and it leads to HALF_OPEN. -/
theorem breakerStep_leave_opened (c : BreakerConfig) (s : BreakerState) (e : BreakerEvent)
    (hs : s.circuit = .opened) (h : (breakerStep c s e).circuit ≠ .opened) :
    (breakerStep c s e).circuit = .halfOpen ∧ ∃ t, e = .probe t true ∧ s.dueAt ≤ t := by
  cases e with
  | failure t => simp [breakerStep, hs] at h
  | trip t => simp [breakerStep, hs] at h
  | tick t => simp [breakerStep, hs] at h
  | probe t ok =>
    by_cases ht : s.dueAt ≤ t
    · cases ok
      · simp [breakerStep, hs, ht, openAt] at h
      · simp [breakerStep, hs, ht]
    · simp [breakerStep, hs, ht] at h

/-- The only way into CLOSED from another state is a quiet HALF_OPEN monitoring period. -/
theorem breakerStep_to_closed (c : BreakerConfig) (s : BreakerState) (e : BreakerEvent)
    (hs : s.circuit ≠ .closed) (h : (breakerStep c s e).circuit = .closed) :
    s.circuit = .halfOpen ∧ ∃ t, e = .tick t ∧ s.dueAt ≤ t := by
  cases e with
  | failure t =>
    cases hc : s.circuit <;> simp [breakerStep, hc, openAt] at h hs
  | trip t =>
    by_cases ho : s.circuit = .opened
    · simp [breakerStep, ho] at h
    · simp [breakerStep, ho, openAt] at h
  | probe t ok =>
    by_cases hg : s.circuit = .opened ∧ s.dueAt ≤ t
    · cases ok <;> simp [breakerStep, hg, openAt] at h
    · simp only [breakerStep, if_neg hg] at h
      exact absurd h hs
  | tick t =>
    by_cases hg : s.circuit = .halfOpen ∧ s.dueAt ≤ t
    · exact ⟨hg.1, t, rfl, hg.2⟩
    · simp only [breakerStep, if_neg hg] at h
      exact absurd h hs

/-- A seed cluster walk: 5 failures keep it CLOSED, the 6th opens it; a failed probe
at 30 s waits 60 s more; a good probe gives HALF_OPEN; 60 s quiet gives CLOSED. -/
theorem cluster_walk_seed :
    (breakerRun clusterConfig (.closedAt 0) [.failure 1, .failure 2, .failure 3, .failure 4, .failure 5]).circuit = .closed ∧
    breakerRun clusterConfig (.closedAt 0) [.failure 1, .failure 2, .failure 3, .failure 4, .failure 5, .failure 6] =
      ⟨.opened, 0, 6, 0, 30006⟩ ∧
    breakerRun clusterConfig ⟨.opened, 0, 6, 0, 30006⟩ [.probe 30005 true, .probe 30006 false] = ⟨.opened, 0, 30006, 1, 90006⟩ ∧
    breakerRun clusterConfig ⟨.opened, 0, 30006, 1, 90006⟩ [.probe 90006 true, .tick 150005] = ⟨.halfOpen, 0, 30006, 1, 150006⟩ ∧
    breakerRun clusterConfig ⟨.halfOpen, 0, 30006, 1, 150006⟩ [.tick 150006] = .closedAt 150006 ∧
    (breakerRun clusterConfig (.closedAt 0) [.failure 1, .failure 2, .failure 3, .failure 4, .failure 5, .failure 60000]).circuit = .closed := by
  decide

/-- `count_tripped_sectors() > 10`. -/
def globalTrips (openSectors : Nat) : Bool := decide (10 < openSectors)

theorem globalTrips_seed : globalTrips 10 = false ∧ globalTrips 11 = true := by decide

/-! ## Routing -/

/-- An agent's enclosing scopes: its sector and its cluster (cluster ids are mesh-wide). -/
structure Addr where
  sector : Nat
  cluster : Nat
  deriving DecidableEq, Repr

/-- Every breaker of the mesh; absent ids read CLOSED. -/
structure Breakers where
  global : Circuit
  sector : Nat → Circuit
  cluster : Nat → Circuit

inductive BreakerScope where
  | global | sector (s : Nat) | cluster (c : Nat)
  deriving DecidableEq, Repr

def BreakerScope.encloses : BreakerScope → Addr → Bool
  | .global, _ => true
  | .sector s, a => a.sector == s
  | .cluster c, a => a.cluster == c

def Breakers.circuitOf (b : Breakers) : BreakerScope → Circuit
  | .global => b.global
  | .sector s => b.sector s
  | .cluster c => b.cluster c

/-- `is_routable`: no enclosing breaker is OPEN (HALF_OPEN lets probe traffic through). -/
def isRoutable (b : Breakers) (a : Addr) : Bool :=
  b.global != .opened && b.sector a.sector != .opened && b.cluster a.cluster != .opened

/-- Routing a message to one agent: the agent, or a refusal. -/
def route (b : Breakers) (a : Addr) : Option Addr := if isRoutable b a then some a else none

/-- Routing to many agents keeps the routable ones. -/
def routeAll (b : Breakers) (as : List Addr) : List Addr := as.filterMap (route b)

/-- `isRoutable` is exactly "no enclosing scope is OPEN". -/
theorem isRoutable_iff (b : Breakers) (a : Addr) :
    isRoutable b a = true ↔ ∀ sc : BreakerScope, sc.encloses a = true → b.circuitOf sc ≠ .opened := by
  constructor
  · intro h sc hsc
    simp only [isRoutable, Bool.and_eq_true, bne_iff_ne, ne_eq] at h
    cases sc with
    | global => exact h.1.1
    | sector s =>
      simp only [BreakerScope.encloses, beq_iff_eq] at hsc
      subst hsc; exact h.1.2
    | cluster c =>
      simp only [BreakerScope.encloses, beq_iff_eq] at hsc
      subst hsc; exact h.2
  · intro h
    have h1 := h .global rfl
    have h2 := h (.sector a.sector) (by simp [BreakerScope.encloses])
    have h3 := h (.cluster a.cluster) (by simp [BreakerScope.encloses])
    simp only [Breakers.circuitOf] at h1 h2 h3
    simp [isRoutable, h1, h2, h3]

/-- No message is routed into an OPEN scope. -/
theorem route_none_of_open (b : Breakers) (a : Addr) (sc : BreakerScope)
    (hsc : sc.encloses a = true) (ho : b.circuitOf sc = .opened) : route b a = none := by
  have : isRoutable b a = false := by
    cases h : isRoutable b a
    · rfl
    · exact absurd ho ((isRoutable_iff b a).mp h sc hsc)
  simp [route, this]

/-- Every agent a multicast reaches has no OPEN enclosing scope. -/
theorem routeAll_not_open (b : Breakers) (as : List Addr) (a : Addr) (h : a ∈ routeAll b as) :
    a ∈ as ∧ ∀ sc : BreakerScope, sc.encloses a = true → b.circuitOf sc ≠ .opened := by
  simp only [routeAll, List.mem_filterMap, route] at h
  obtain ⟨x, hx, hr⟩ := h
  by_cases hi : isRoutable b x = true
  · simp only [hi, if_true, Option.some.injEq] at hr
    subst hr
    exact ⟨hx, (isRoutable_iff b x).mp hi⟩
  · simp [hi] at hr

/-! ## Operational modes -/

inductive OpMode where
  | full | light | moderate | severe | emergency
  deriving DecidableEq, Repr

/-- 0 = FULL … 4 = EMERGENCY: larger is more degraded. -/
def OpMode.rank : OpMode → Nat
  | .full => 0 | .light => 1 | .moderate => 2 | .severe => 3 | .emergency => 4

/-- Lower bounds of the active rate, in percent. -/
structure ModeThresholds where
  full : Nat
  light : Nat
  moderate : Nat
  severe : Nat
  deriving DecidableEq, Repr

/-- 95 / 80 / 60 / 30 %. -/
def seedModeThresholds : ModeThresholds := ⟨95, 80, 60, 30⟩

/-- `determine_operational_mode` on `active / total`, exact; no agents at all is EMERGENCY
(the seed divides by zero there). -/
def opMode (th : ModeThresholds) (active total : Nat) : OpMode :=
  if total = 0 then .emergency
  else if th.full * total ≤ active * 100 then .full
  else if th.light * total ≤ active * 100 then .light
  else if th.moderate * total ≤ active * 100 then .moderate
  else if th.severe * total ≤ active * 100 then .severe
  else .emergency

/-- More active agents never give a more degraded mode (for any thresholds). -/
theorem opMode_mono (th : ModeThresholds) (a a' total : Nat) (h : a ≤ a') :
    (opMode th a' total).rank ≤ (opMode th a total).rank := by
  have h100 : a * 100 ≤ a' * 100 := Nat.mul_le_mul_right _ h
  simp only [opMode]
  repeat' split
  all_goals simp only [OpMode.rank]
  all_goals omega

theorem opMode_seed_examples :
    opMode seedModeThresholds 95 100 = .full ∧ opMode seedModeThresholds 94 100 = .light ∧
    opMode seedModeThresholds 80 100 = .light ∧ opMode seedModeThresholds 79 100 = .moderate ∧
    opMode seedModeThresholds 60 100 = .moderate ∧ opMode seedModeThresholds 59 100 = .severe ∧
    opMode seedModeThresholds 30 100 = .severe ∧ opMode seedModeThresholds 29 100 = .emergency ∧
    opMode seedModeThresholds 28500 30000 = .full ∧ opMode seedModeThresholds 28499 30000 = .light ∧
    opMode seedModeThresholds 0 0 = .emergency := by decide

/-! ## Restrictions, enforced -/

/-- What an operation asks for. Priority as in `MeshMessage`: 0 background … 3 critical. -/
structure Operation where
  targets : Nat
  priority : Nat
  meshWide : Bool
  automated : Bool
  humanApproved : Bool
  deriving DecidableEq

inductive Refusal where
  | halted
  | needsHumanApproval
  | notCritical
  | scatterTooLarge (requested limit : Nat)
  | backgroundDisabled
  deriving DecidableEq, Repr

inductive Admission where
  | admitted | queued | refused (r : Refusal)
  deriving DecidableEq, Repr

/-- The seed's restrictions, cumulative as the mode degrades:
LIGHT disables background tasks; MODERATE refuses scatters over `limit` agents and
queues non-urgent work (priority < 2); SEVERE admits critical operations only and
mesh-wide ones only with human approval; EMERGENCY halts all automated operations. -/
def admitOp (limit : Nat) (m : OpMode) (op : Operation) : Admission :=
  if 4 ≤ m.rank ∧ op.automated = true then .refused .halted
  else if 3 ≤ m.rank ∧ op.meshWide = true ∧ op.humanApproved = false then .refused .needsHumanApproval
  else if 3 ≤ m.rank ∧ op.priority < 3 then .refused .notCritical
  else if 2 ≤ m.rank ∧ limit < op.targets then .refused (.scatterTooLarge op.targets limit)
  else if 1 ≤ m.rank ∧ op.priority = 0 then .refused .backgroundDisabled
  else if 2 ≤ m.rank ∧ op.priority < 2 then .queued
  else .admitted

/-- FULL has no restrictions. -/
theorem admitOp_full (limit : Nat) (op : Operation) : admitOp limit .full op = .admitted := by
  simp [admitOp, OpMode.rank]

/-- In DEGRADED_MODERATE a scatter over the limit is refused, naming both numbers. -/
theorem admitOp_moderate_scatter (limit : Nat) (op : Operation) (h : limit < op.targets) :
    admitOp limit .moderate op = .refused (.scatterTooLarge op.targets limit) := by
  simp [admitOp, OpMode.rank, h]

/-- What a more degraded mode admits, a less degraded one admits too. -/
theorem admitOp_mono (limit : Nat) (m m' : OpMode) (op : Operation) (hm : m.rank ≤ m'.rank)
    (h : admitOp limit m' op = .admitted) : admitOp limit m op = .admitted := by
  simp only [admitOp] at h ⊢
  repeat' split at h
  all_goals (try contradiction)
  repeat' split
  all_goals (first | rfl | omega | (simp_all; omega) | simp_all)

/-- So more active agents never turn an admitted operation away. -/
theorem admitOp_mono_active (limit : Nat) (th : ModeThresholds) (a a' total : Nat) (op : Operation)
    (h : a ≤ a') (ha : admitOp limit (opMode th a total) op = .admitted) :
    admitOp limit (opMode th a' total) op = .admitted :=
  admitOp_mono limit _ _ op (opMode_mono th a a' total h) ha

theorem admitOp_seed_examples :
    admitOp 1000 .moderate ⟨1001, 3, false, true, false⟩ = .refused (.scatterTooLarge 1001 1000) ∧
    admitOp 1000 .moderate ⟨1000, 3, false, true, false⟩ = .admitted ∧
    admitOp 1000 .moderate ⟨10, 1, false, true, false⟩ = .queued ∧
    admitOp 1000 .light ⟨10, 0, false, true, false⟩ = .refused .backgroundDisabled ∧
    admitOp 1000 .severe ⟨10, 2, false, true, false⟩ = .refused .notCritical ∧
    admitOp 1000 .severe ⟨30000, 3, true, false, false⟩ = .refused .needsHumanApproval ∧
    admitOp 1000 .emergency ⟨1, 3, false, true, false⟩ = .refused .halted ∧
    admitOp 1000 .emergency ⟨1, 3, false, false, false⟩ = .admitted := by decide

end Hydrogen.Mesh
