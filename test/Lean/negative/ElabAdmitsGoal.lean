-- expect: elab
-- deep: sorryAx|[sorry]|error
-- A tactic that closes any goal without a proof; the name `sorry` never appears.
module
public meta import Lean
public section
open Lean Elab Tactic in
elab "trust_me" : tactic => do
  let g ← getMainGoal
  g.admit
theorem bogus : False := by trust_me
end
