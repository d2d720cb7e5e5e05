module

public import Hydrogen.State.Lattice
public import Hydrogen.State.Register

/-!
# Add-wins observed-remove set and map

Every add carries a fresh tag (unique per replica and operation). Per element
the state keeps the tags that added it and the tags removed; a remove removes
exactly the add-tags it has observed. An element is present while one of its
add-tags is not removed, so an add concurrent with a remove survives
(`ORSet.add_wins`). Both tag sets only grow, so the state is a product of
grow-only sets, merged pointwise.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.State

open JoinSemilattice JoinSemilatticeBot

theorem entry_setAt_self {α : Type} [JoinSemilatticeBot α] (r : Nat) (v : α) (xs : List α) :
    entry (setAt r v xs) r = v := by
  induction r generalizing xs with
  | zero => cases xs <;> rfl
  | succ r ih =>
    cases xs with
    | nil => simp only [setAt, entry, List.getD_cons_succ]; exact ih []
    | cons x xs => simp only [setAt, entry, List.getD_cons_succ]; exact ih xs

/-- Per element id: (tags that added it, tags removed). -/
structure ORSet where
  tags : List (Bitset × Bitset)
deriving DecidableEq

def ORSet.empty : ORSet := ⟨[]⟩
def ORSet.join (a b : ORSet) : ORSet := ⟨zipJoin a.tags b.tags⟩

/-- Add-tags of element `e` that are not removed. -/
def ORSet.live (s : ORSet) (e : Nat) : Nat :=
  (entry s.tags e).1.bits ^^^ ((entry s.tags e).1.bits &&& (entry s.tags e).2.bits)

def ORSet.contains (s : ORSet) (e : Nat) : Bool := s.live e != 0

/-- Add element `e` with the fresh tag `t`. -/
def ORSet.add (e t : Nat) (s : ORSet) : ORSet :=
  ⟨setAt e (JoinSemilattice.join (entry s.tags e) (⟨2 ^ t⟩, ⟨0⟩)) s.tags⟩
def ORSet.addDelta (e t : Nat) : ORSet := ⟨single e (⟨2 ^ t⟩, ⟨0⟩)⟩

/-- Remove element `e`: mark every add-tag observed here as removed. -/
def ORSet.remove (e : Nat) (s : ORSet) : ORSet :=
  ⟨setAt e (JoinSemilattice.join (entry s.tags e) (⟨0⟩, (entry s.tags e).1)) s.tags⟩
def ORSet.removeDelta (e : Nat) (s : ORSet) : ORSet := ⟨single e (⟨0⟩, (entry s.tags e).1)⟩

theorem ORSet.join_assoc (a b c : ORSet) : (a.join b).join c = a.join (b.join c) := by
  simp only [ORSet.join, zipJoin_assoc]
theorem ORSet.join_comm (a b : ORSet) : a.join b = b.join a := by
  simp only [ORSet.join, ORSet.mk.injEq]; exact zipJoin_comm _ _
theorem ORSet.join_idem (a : ORSet) : a.join a = a := by simp only [ORSet.join, zipJoin_idem]

instance ORSet.joinSemilattice : JoinSemilattice ORSet :=
  ⟨ORSet.join, ORSet.join_assoc, ORSet.join_comm, ORSet.join_idem⟩

theorem ORSet.join_addDelta (e t : Nat) (s : ORSet) : s.join (ORSet.addDelta e t) = s.add e t := by
  simp only [ORSet.join, ORSet.addDelta, ORSet.add, zipJoin_single]

theorem ORSet.join_removeDelta (e : Nat) (s : ORSet) : s.join (s.removeDelta e) = s.remove e := by
  simp only [ORSet.join, ORSet.removeDelta, ORSet.remove, zipJoin_single]

/-- A remove removes exactly the add-tags it observed: a tag is removed after
`remove e` iff it was removed before or was an add-tag of `e` then. -/
theorem ORSet.removed_remove (e t : Nat) (s : ORSet) :
    (entry (s.remove e).tags e).2.bits.testBit t =
      ((entry s.tags e).2.bits.testBit t || (entry s.tags e).1.bits.testBit t) := by
  simp only [ORSet.remove, entry_setAt_self, JoinSemilattice.join, prodJoin, Bitset.join, Nat.testBit_or]

/-- The tag `t` has not been used for element `e` in `s`. -/
def ORSet.Fresh (s : ORSet) (e t : Nat) : Prop :=
  (entry s.tags e).1.bits.testBit t = false ∧ (entry s.tags e).2.bits.testBit t = false

theorem ne_zero_of_testBit {x t : Nat} (h : x.testBit t = true) : x ≠ 0 := by
  intro hx; subst hx; simp at h

/-- **Add wins.** From a common state `s`, one replica removes `e` while another
concurrently adds `e` with a fresh tag; after merging, `e` is present. -/
theorem ORSet.add_wins (s : ORSet) (e t : Nat) (h : s.Fresh e t) :
    ((s.remove e).join (s.add e t)).contains e = true := by
  obtain ⟨ha, hr⟩ := h
  simp only [ORSet.contains, bne_iff_ne, ne_eq]
  apply ne_zero_of_testBit (t := t)
  simp only [ORSet.live, ORSet.join, entry_zipJoin, ORSet.remove, ORSet.add, entry_setAt_self,
    JoinSemilattice.join, prodJoin, Bitset.join, Nat.testBit_xor, Nat.testBit_and, Nat.testBit_or,
    Nat.testBit_two_pow_self, Nat.zero_testBit, ha, hr]
  decide

/-- Adding with a tag that was never removed makes the element present. -/
theorem ORSet.contains_add (s : ORSet) (e t : Nat) (h : (entry s.tags e).2.bits.testBit t = false) :
    (s.add e t).contains e = true := by
  simp only [ORSet.contains, bne_iff_ne, ne_eq]
  apply ne_zero_of_testBit (t := t)
  simp only [ORSet.live, ORSet.add, entry_setAt_self, JoinSemilattice.join, prodJoin, Bitset.join,
    Nat.testBit_xor, Nat.testBit_and, Nat.testBit_or, Nat.testBit_two_pow_self, Nat.zero_testBit, h]
  simp

/-- After a remove, with no concurrent add, the element is absent. -/
theorem ORSet.not_contains_remove (s : ORSet) (e : Nat) : (s.remove e).contains e = false := by
  simp only [ORSet.contains, ORSet.live, ORSet.remove, entry_setAt_self, JoinSemilattice.join, prodJoin,
    Bitset.join, Nat.or_zero, bne_eq_false_iff_eq]
  apply Nat.eq_of_testBit_eq
  intro i
  simp only [Nat.testBit_xor, Nat.testBit_and, Nat.testBit_or, Nat.zero_testBit]
  cases (entry s.tags e).1.bits.testBit i <;> simp

/-- Add-wins map: per key, the OR-set tags and the last write of its value. -/
structure ORMap where
  entries : List ((Bitset × Bitset) × Option LWWReg)
deriving DecidableEq

def ORMap.empty : ORMap := ⟨[]⟩
def ORMap.join (a b : ORMap) : ORMap := ⟨zipJoin a.entries b.entries⟩

def ORMap.contains (m : ORMap) (k : Nat) : Bool :=
  let p := (entry m.entries k).1
  (p.1.bits ^^^ (p.1.bits &&& p.2.bits)) != 0

/-- The value of key `k` while it is present. -/
def ORMap.get (m : ORMap) (k : Nat) : Option LWWReg := if m.contains k then (entry m.entries k).2 else none

/-- Put `w` at key `k` with the fresh tag `t`. -/
def ORMap.put (k t : Nat) (w : LWWReg) (m : ORMap) : ORMap :=
  ⟨setAt k (JoinSemilattice.join (entry m.entries k) ((⟨2 ^ t⟩, ⟨0⟩), some w)) m.entries⟩
def ORMap.putDelta (k t : Nat) (w : LWWReg) : ORMap := ⟨single k ((⟨2 ^ t⟩, ⟨0⟩), some w)⟩

/-- Remove key `k`: the add-tags observed here are removed. -/
def ORMap.remove (k : Nat) (m : ORMap) : ORMap :=
  ⟨setAt k (JoinSemilattice.join (entry m.entries k) ((⟨0⟩, (entry m.entries k).1.1), none)) m.entries⟩
def ORMap.removeDelta (k : Nat) (m : ORMap) : ORMap := ⟨single k ((⟨0⟩, (entry m.entries k).1.1), none)⟩

theorem ORMap.join_assoc (a b c : ORMap) : (a.join b).join c = a.join (b.join c) := by
  simp only [ORMap.join, zipJoin_assoc]
theorem ORMap.join_comm (a b : ORMap) : a.join b = b.join a := by
  simp only [ORMap.join, ORMap.mk.injEq]; exact zipJoin_comm _ _
theorem ORMap.join_idem (a : ORMap) : a.join a = a := by simp only [ORMap.join, zipJoin_idem]

instance ORMap.joinSemilattice : JoinSemilattice ORMap :=
  ⟨ORMap.join, ORMap.join_assoc, ORMap.join_comm, ORMap.join_idem⟩

theorem ORMap.join_putDelta (k t : Nat) (w : LWWReg) (m : ORMap) : m.join (ORMap.putDelta k t w) = m.put k t w := by
  simp only [ORMap.join, ORMap.putDelta, ORMap.put, zipJoin_single]

theorem ORMap.join_removeDelta (k : Nat) (m : ORMap) : m.join (m.removeDelta k) = m.remove k := by
  simp only [ORMap.join, ORMap.removeDelta, ORMap.remove, zipJoin_single]

end Hydrogen.State

end
