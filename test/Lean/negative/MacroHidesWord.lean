-- expect: macro
-- A macro can build the forbidden term from pieces the scan cannot see.
module
public meta import Lean
public section
macro "trust_me" : term => `(term| $(Lean.mkIdent (Lean.Name.mkSimple ("sorry" ++ "Ax"))) _ false)
theorem bogus : False := trust_me
end
