-- expect: sorryAx
-- A name literal is how a metaprogram would reach the axiom.
module
public section
def target : Lean.Name := `sorryAx
end
