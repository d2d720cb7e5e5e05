module

public import Hydrogen.State.Counter
public import Hydrogen.State.Register
public import Hydrogen.State.ORSet

/-!
# Viewport state

The shared state of one viewport is a product of CRDTs: which elements exist
(add-wins map from element id to its content handle), their positions and
z-order (last-writer-wins maps), running animations (add-wins set) and a vector
clock. A product of lattices is a lattice, so the whole state converges.
-/

@[expose] public noncomputable section

set_option autoImplicit false

namespace Hydrogen.State

open JoinSemilattice

structure ViewportState where
  elements : ORMap
  positions : LWWMap
  zOrder : LWWMap
  animations : ORSet
  clock : VectorClock
deriving DecidableEq

def ViewportState.empty : ViewportState := ⟨ORMap.empty, LWWMap.empty, LWWMap.empty, ORSet.empty, VectorClock.empty⟩

def ViewportState.join (a b : ViewportState) : ViewportState :=
  ⟨a.elements.join b.elements, a.positions.join b.positions, a.zOrder.join b.zOrder,
    a.animations.join b.animations, a.clock.join b.clock⟩

theorem ViewportState.join_assoc (a b c : ViewportState) : (a.join b).join c = a.join (b.join c) := by
  simp only [ViewportState.join, ORMap.join_assoc, LWWMap.join_assoc, ORSet.join_assoc, VectorClock.join_assoc]

theorem ViewportState.join_comm (a b : ViewportState) : a.join b = b.join a := by
  simp only [ViewportState.join]
  rw [ORMap.join_comm a.elements, LWWMap.join_comm a.positions, LWWMap.join_comm a.zOrder,
    ORSet.join_comm a.animations, VectorClock.join_comm a.clock]

theorem ViewportState.join_idem (a : ViewportState) : a.join a = a := by
  simp only [ViewportState.join, ORMap.join_idem, LWWMap.join_idem, ORSet.join_idem, VectorClock.join_idem]

instance ViewportState.joinSemilattice : JoinSemilattice ViewportState :=
  ⟨ViewportState.join, ViewportState.join_assoc, ViewportState.join_comm, ViewportState.join_idem⟩

/-- Viewport replicas that merged the same updates in any order, with any
duplication, hold the same state. -/
theorem ViewportState.convergence (s : ViewportState) {xs ys : List ViewportState}
    (h : ∀ a, a ∈ xs ↔ a ∈ ys) : joinAll s xs = joinAll s ys :=
  joinAll_eq_of_same_members s h

end Hydrogen.State

end
