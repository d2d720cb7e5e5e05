module

public import Init

/-!
# Join-semilattices and strong eventual consistency

A state-based CRDT is a join-semilattice: merge (`join`) is associative,
commutative and idempotent. Replicas that have merged the same states — in any
order, any grouping, with any duplication — hold the same state
(`joinAll_eq_of_same_members`). The building blocks here (max of naturals,
bit sets, products, options, padded pointwise lists) are what the concrete
CRDTs are assembled from.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.State

/-- A join-semilattice: the merge of replica states. -/
class JoinSemilattice (α : Type) where
  join : α → α → α
  join_assoc : ∀ a b c : α, join (join a b) c = join a (join b c)
  join_comm : ∀ a b : α, join a b = join b a
  join_idem : ∀ a : α, join a a = a

namespace JoinSemilattice

variable {α : Type} [JoinSemilattice α]

/-- The lattice order: `a ≤ b` exactly when merging `a` into `b` changes nothing. -/
def le (a b : α) : Prop := join a b = b

theorem le_refl (a : α) : le a a := join_idem a

theorem le_trans {a b c : α} (h1 : le a b) (h2 : le b c) : le a c := by
  unfold le at *; rw [← h2, ← join_assoc, h1]

theorem le_antisymm {a b : α} (h1 : le a b) (h2 : le b a) : a = b := by
  unfold le at *; rw [← h1, join_comm, h2]

/-- Inflation: merging never loses information. -/
theorem le_join_left (a b : α) : le a (join a b) := by
  unfold le; rw [← join_assoc, join_idem]

theorem le_join_right (a b : α) : le b (join a b) := by
  rw [join_comm]; exact le_join_left b a

/-- The join is the least upper bound. -/
theorem join_le {a b c : α} (ha : le a c) (hb : le b c) : le (join a b) c := by
  unfold le at *; rw [join_assoc, hb, ha]

/-- A replica that starts at `s` and merges the received states in order. -/
def joinAll (s : α) (xs : List α) : α := xs.foldl join s

theorem le_joinAll_init (s : α) (xs : List α) : le s (joinAll s xs) := by
  induction xs generalizing s with
  | nil => exact le_refl s
  | cons x xs ih => exact le_trans (le_join_left s x) (ih (join s x))

theorem le_joinAll_of_mem {s a : α} {xs : List α} (h : a ∈ xs) : le a (joinAll s xs) := by
  induction xs generalizing s with
  | nil => cases h
  | cons x xs ih =>
    rcases List.mem_cons.mp h with rfl | h
    · exact le_trans (le_join_right s a) (le_joinAll_init (join s a) xs)
    · exact ih h

theorem joinAll_le {s u : α} {xs : List α} (hs : le s u) (hx : ∀ a ∈ xs, le a u) : le (joinAll s xs) u := by
  induction xs generalizing s with
  | nil => exact hs
  | cons x xs ih =>
    exact ih (join_le hs (hx x (List.mem_cons_self ..))) (fun a ha => hx a (List.mem_cons_of_mem _ ha))

/-- **Strong eventual consistency.** Two replicas that start from the same state
and have merged the same states — in any order, with any duplication — are equal. -/
theorem joinAll_eq_of_same_members (s : α) {xs ys : List α} (h : ∀ a, a ∈ xs ↔ a ∈ ys) :
    joinAll s xs = joinAll s ys :=
  le_antisymm
    (joinAll_le (le_joinAll_init s ys) fun a ha => le_joinAll_of_mem ((h a).mp ha))
    (joinAll_le (le_joinAll_init s xs) fun a ha => le_joinAll_of_mem ((h a).mpr ha))

/-- Delivery order does not matter: a permuted sequence of merges gives the same state. -/
theorem joinAll_perm (s : α) {xs ys : List α} (h : xs.Perm ys) : joinAll s xs = joinAll s ys :=
  joinAll_eq_of_same_members s fun _ => h.mem_iff

/-- Duplicated delivery does not matter. -/
theorem joinAll_append_self (s : α) (xs : List α) : joinAll s (xs ++ xs) = joinAll s xs :=
  joinAll_eq_of_same_members s fun a => by simp

end JoinSemilattice

open JoinSemilattice

/-- Natural numbers under `max` (counters, clocks, timestamps). -/
structure NatMax where
  value : Nat
deriving DecidableEq

def NatMax.join (a b : NatMax) : NatMax := ⟨max a.value b.value⟩

theorem NatMax.join_assoc (a b c : NatMax) : (a.join b).join c = a.join (b.join c) := by
  simp only [NatMax.join, Nat.max_assoc]
theorem NatMax.join_comm (a b : NatMax) : a.join b = b.join a := by simp only [NatMax.join, Nat.max_comm]
theorem NatMax.join_idem (a : NatMax) : a.join a = a := by simp only [NatMax.join, Nat.max_self]

instance NatMax.joinSemilattice : JoinSemilattice NatMax :=
  ⟨NatMax.join, NatMax.join_assoc, NatMax.join_comm, NatMax.join_idem⟩

/-- A grow-only set of ids as a bitmask (bit `i` set ⇔ `i` is a member). -/
structure Bitset where
  bits : Nat
deriving DecidableEq

def Bitset.join (a b : Bitset) : Bitset := ⟨a.bits ||| b.bits⟩
def Bitset.mem (i : Nat) (s : Bitset) : Bool := s.bits.testBit i

theorem Bitset.join_assoc (a b c : Bitset) : (a.join b).join c = a.join (b.join c) := by
  simp only [Bitset.join, Nat.or_assoc]
theorem Bitset.join_comm (a b : Bitset) : a.join b = b.join a := by simp only [Bitset.join, Nat.or_comm]
theorem Bitset.join_idem (a : Bitset) : a.join a = a := by simp only [Bitset.join, Nat.or_self]

instance Bitset.joinSemilattice : JoinSemilattice Bitset :=
  ⟨Bitset.join, Bitset.join_assoc, Bitset.join_comm, Bitset.join_idem⟩

theorem Bitset.mem_join (i : Nat) (a b : Bitset) : (a.join b).mem i = (a.mem i || b.mem i) := by
  simp only [Bitset.join, Bitset.mem, Nat.testBit_or]

/-- Product of two lattices, merged componentwise. -/
def prodJoin {α β : Type} [JoinSemilattice α] [JoinSemilattice β] (a b : α × β) : α × β :=
  (JoinSemilattice.join a.1 b.1, JoinSemilattice.join a.2 b.2)

instance prodJoinSemilattice {α β : Type} [JoinSemilattice α] [JoinSemilattice β] : JoinSemilattice (α × β) where
  join := prodJoin
  join_assoc a b c := by simp only [prodJoin, JoinSemilattice.join_assoc]
  join_comm a b := by simp only [prodJoin]; rw [JoinSemilattice.join_comm a.1, JoinSemilattice.join_comm a.2]
  join_idem a := by simp only [prodJoin, JoinSemilattice.join_idem]

/-- `none` below everything: an absent entry. -/
def optionJoin {α : Type} [JoinSemilattice α] : Option α → Option α → Option α
  | none, b => b
  | a, none => a
  | some a, some b => some (JoinSemilattice.join a b)

instance optionJoinSemilattice {α : Type} [JoinSemilattice α] : JoinSemilattice (Option α) where
  join := optionJoin
  join_assoc a b c := by
    cases a <;> cases b <;> cases c <;> simp [optionJoin, JoinSemilattice.join_assoc]
  join_comm a b := by
    cases a <;> cases b <;> simp [optionJoin]; exact JoinSemilattice.join_comm _ _
  join_idem a := by cases a <;> simp [optionJoin, JoinSemilattice.join_idem]

/-- Pointwise join of two lists indexed by replica or key; the shorter list is
padded with "nothing" (missing entries are below everything). -/
def zipJoin {α : Type} [JoinSemilattice α] : List α → List α → List α
  | [], ys => ys
  | x :: xs, [] => x :: xs
  | x :: xs, y :: ys => JoinSemilattice.join x y :: zipJoin xs ys

theorem zipJoin_nil_right {α : Type} [JoinSemilattice α] (xs : List α) : zipJoin xs [] = xs := by
  cases xs <;> rfl

theorem zipJoin_assoc {α : Type} [JoinSemilattice α] (xs ys zs : List α) :
    zipJoin (zipJoin xs ys) zs = zipJoin xs (zipJoin ys zs) := by
  induction xs generalizing ys zs with
  | nil => rfl
  | cons x xs ih =>
    cases ys with
    | nil => simp only [zipJoin]
    | cons y ys =>
      cases zs with
      | nil => simp only [zipJoin, zipJoin_nil_right]
      | cons z zs => simp only [zipJoin, ih, JoinSemilattice.join_assoc]

theorem zipJoin_comm {α : Type} [JoinSemilattice α] (xs ys : List α) : zipJoin xs ys = zipJoin ys xs := by
  induction xs generalizing ys with
  | nil => cases ys <;> rfl
  | cons x xs ih =>
    cases ys with
    | nil => rfl
    | cons y ys => simp only [zipJoin, ih]; rw [JoinSemilattice.join_comm x y]

theorem zipJoin_idem {α : Type} [JoinSemilattice α] (xs : List α) : zipJoin xs xs = xs := by
  induction xs with
  | nil => rfl
  | cons x xs ih => simp only [zipJoin, ih, JoinSemilattice.join_idem]

/-- Lists merged entry by entry form a lattice (the shape of counters, clocks and maps). -/
instance listJoinSemilattice {α : Type} [JoinSemilattice α] : JoinSemilattice (List α) :=
  ⟨zipJoin, zipJoin_assoc, zipJoin_comm, zipJoin_idem⟩

/-- A lattice with a least element: the value of an entry nobody has written. -/
class JoinSemilatticeBot (α : Type) extends JoinSemilattice α where
  bot : α
  bot_join : ∀ a : α, join bot a = a

instance NatMax.joinSemilatticeBot : JoinSemilatticeBot NatMax :=
  { NatMax.joinSemilattice with bot := ⟨0⟩, bot_join := fun a => by simp [JoinSemilattice.join, NatMax.join] }

instance Bitset.joinSemilatticeBot : JoinSemilatticeBot Bitset :=
  { Bitset.joinSemilattice with bot := ⟨0⟩, bot_join := fun a => by simp [JoinSemilattice.join, Bitset.join] }

instance optionJoinSemilatticeBot {α : Type} [JoinSemilattice α] : JoinSemilatticeBot (Option α) :=
  { optionJoinSemilattice with bot := none, bot_join := fun a => by cases a <;> rfl }

instance prodJoinSemilatticeBot {α β : Type} [JoinSemilatticeBot α] [JoinSemilatticeBot β] :
    JoinSemilatticeBot (α × β) :=
  { prodJoinSemilattice with
    bot := (JoinSemilatticeBot.bot, JoinSemilatticeBot.bot)
    bot_join := fun a => by
      simp only [JoinSemilattice.join, prodJoin]
      rw [JoinSemilatticeBot.bot_join, JoinSemilatticeBot.bot_join] }

section Pointwise

variable {α : Type} [JoinSemilatticeBot α]

open JoinSemilatticeBot

theorem join_bot (a : α) : JoinSemilattice.join a bot = a := by
  rw [JoinSemilattice.join_comm]; exact bot_join a

/-- Entry `r` of a pointwise list; missing entries are `bot`. -/
def entry (xs : List α) (r : Nat) : α := xs.getD r bot

/-- A list holding `d` at position `r` and `bot` before it: the delta of a change at `r`. -/
def single (r : Nat) (d : α) : List α := List.replicate r bot ++ [d]

/-- Replace entry `r` by `v`, padding with `bot`. -/
def setAt : Nat → α → List α → List α
  | 0, v, [] => [v]
  | 0, v, _ :: xs => v :: xs
  | r + 1, v, [] => bot :: setAt r v []
  | r + 1, v, x :: xs => x :: setAt r v xs

theorem entry_zipJoin (xs ys : List α) (r : Nat) :
    entry (zipJoin xs ys) r = JoinSemilattice.join (entry xs r) (entry ys r) := by
  induction xs generalizing ys r with
  | nil => simp [zipJoin, entry, bot_join]
  | cons x xs ih =>
    cases ys with
    | nil => simp [zipJoin, entry, join_bot]
    | cons y ys =>
      cases r with
      | zero => simp [zipJoin, entry]
      | succ r => simp only [zipJoin, entry, List.getD_cons_succ]; exact ih ys r

theorem single_eq_setAt_nil (r : Nat) (d : α) : single r d = setAt r d [] := by
  induction r with
  | zero => rfl
  | succ r ih => simp only [single, List.replicate_succ, List.cons_append, setAt]; rw [← ih]; rfl

/-- **Delta mutation on pointwise lists.** Joining the delta `single r d` into a
state is the same as updating entry `r` to `entry r ⊔ d`. -/
theorem zipJoin_single (xs : List α) (r : Nat) (d : α) :
    zipJoin xs (single r d) = setAt r (JoinSemilattice.join (entry xs r) d) xs := by
  induction r generalizing xs with
  | zero =>
    cases xs with
    | nil => simp [single, zipJoin, setAt, entry, bot_join]
    | cons x xs => simp [single, zipJoin, setAt, entry, zipJoin_nil_right]
  | succ r ih =>
    cases xs with
    | nil =>
      simp only [zipJoin, entry, List.getD_nil, bot_join]
      exact single_eq_setAt_nil (r + 1) d
    | cons x xs =>
      simp only [single, List.replicate_succ, List.cons_append, zipJoin, setAt, join_bot]
      have := ih xs
      simp only [single, entry] at this
      simp only [entry, List.getD_cons_succ, this]

end Pointwise

end Hydrogen.State

end
