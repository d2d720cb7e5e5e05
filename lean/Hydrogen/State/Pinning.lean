module

public import Hydrogen.State.Counter
public import Hydrogen.State.Register
public import Hydrogen.State.ORSet

/-!
# Theorems that pin the replicated state's behaviour

The semilattice laws hold for both "keep the later write" and "keep the
earlier write", for either direction of the replica tie-break, and the
counter's `value_inc`/`value_dec` hold for any value shifted by a constant.
These theorems state the chosen behaviour in primitive terms. The audit is in
`spec/pinning.md`.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.State

/-- **The later timestamp wins**, whichever side it is merged from. -/
theorem LWWReg.join_of_timestamp_lt {a b : LWWReg} (h : a.timestamp < b.timestamp) :
    a.join b = b ∧ b.join a = b := by
  obtain ⟨t1, r1, v1⟩ := a
  obtain ⟨t2, r2, v2⟩ := b
  simp only [LWWReg.join, LWWReg.lt] at h ⊢
  constructor
  · rw [if_pos (Or.inl h)]
  · rw [if_neg (by omega)]

/-- **Equal timestamps: the larger replica id wins**, whichever side it is merged from. -/
theorem LWWReg.join_of_replica_lt {a b : LWWReg} (ht : a.timestamp = b.timestamp) (hr : a.replica < b.replica) :
    a.join b = b ∧ b.join a = b := by
  obtain ⟨t1, r1, v1⟩ := a
  obtain ⟨t2, r2, v2⟩ := b
  simp only [LWWReg.join, LWWReg.lt] at ht hr ⊢
  constructor
  · rw [if_pos (Or.inr ⟨ht, Or.inl hr⟩)]
  · rw [if_neg (by omega)]

/-- The empty grow-only counter reads zero (`value_inc` alone would allow any start). -/
theorem GCounter.value_empty : GCounter.empty.value = 0 := by
  simp [GCounter.empty, GCounter.value]

/-- The empty counter reads zero. -/
theorem PNCounter.value_empty : PNCounter.empty.value = 0 := by
  simp [PNCounter.value, PNCounter.empty, GCounter.empty, GCounter.value]

/-- Applies increments (`true`) and decrements (`false`) by the given replicas, in order (proof-only). -/
abbrev PNCounter.applyOps (ops : List (Bool × Nat)) (c : PNCounter) : PNCounter :=
  ops.foldl (fun c o => if o.1 then c.inc o.2 else c.dec o.2) c

/-- **The value counts operations**: after any sequence of increments and
decrements, by any replicas, the value moved by the number of increments minus
the number of decrements. -/
theorem PNCounter.value_applyOps (ops : List (Bool × Nat)) (c : PNCounter) :
    (PNCounter.applyOps ops c).value = c.value + (ops.countP (·.1) : Int) - (ops.countP (!·.1) : Int) := by
  induction ops generalizing c with
  | nil => simp [PNCounter.applyOps]
  | cons o os ih =>
    obtain ⟨up, r⟩ := o
    simp only [PNCounter.applyOps, List.foldl_cons] at ih ⊢
    rw [ih, List.countP_cons, List.countP_cons]
    cases up
    · simp only [Bool.false_eq_true, if_false, PNCounter.value_dec, Bool.not_false, if_true]; omega
    · simp only [if_true, PNCounter.value_inc, Bool.not_true, Bool.false_eq_true, if_false]; omega

/-- From the empty counter the value is the number of increments minus the number of decrements. -/
theorem PNCounter.value_applyOps_empty (ops : List (Bool × Nat)) :
    (PNCounter.applyOps ops PNCounter.empty).value = (ops.countP (·.1) : Int) - (ops.countP (!·.1) : Int) := by
  rw [PNCounter.value_applyOps, PNCounter.value_empty]; omega

/-- **Add wins in the map**: from a common state, one replica removes key `k`
while another concurrently puts `w` at `k` with a fresh tag; after merging, the
key is present. (`ORSet.add_wins` for the map's own `contains`.) -/
theorem ORMap.put_wins (m : ORMap) (k t : Nat) (w : LWWReg)
    (ha : (entry m.entries k).1.1.bits.testBit t = false) (hr : (entry m.entries k).1.2.bits.testBit t = false) :
    ((m.remove k).join (m.put k t w)).contains k = true := by
  simp only [ORMap.contains, bne_iff_ne, ne_eq]
  apply ne_zero_of_testBit (t := t)
  simp only [ORMap.join, entry_zipJoin, ORMap.remove, ORMap.put, entry_setAt_self,
    JoinSemilattice.join, prodJoin, Bitset.join, Nat.testBit_xor, Nat.testBit_and, Nat.testBit_or,
    Nat.testBit_two_pow_self, Nat.zero_testBit, ha, hr]
  decide

/-- **Remove removes what it observed**: after `remove k`, with no concurrent
put, the key is absent and reads `none`. -/
theorem ORMap.get_remove (m : ORMap) (k : Nat) : (m.remove k).contains k = false ∧ (m.remove k).get k = none := by
  have h : (m.remove k).contains k = false := by
    simp only [ORMap.contains, ORMap.remove, entry_setAt_self, JoinSemilattice.join, prodJoin,
      Bitset.join, Nat.or_zero, bne_eq_false_iff_eq]
    apply Nat.eq_of_testBit_eq
    intro i
    simp only [Nat.testBit_xor, Nat.testBit_and, Nat.testBit_or, Nat.zero_testBit]
    cases (entry m.entries k).1.1.bits.testBit i <;> simp
  exact ⟨h, by simp only [ORMap.get, h]; rfl⟩

end Hydrogen.State

end
