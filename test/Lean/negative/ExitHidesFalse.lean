-- expect: #exit
-- deep: [#exit]
-- Lean stops at #exit and only warns; what follows is never checked.
module
public section
theorem fine : 1 + 1 = 2 := rfl
#exit
theorem bogus : False := by decide
end
