-- expect: set_option
-- Silencing a linter hides warnings the gate must see.
module
public section
set_option linter.unusedVariables false
theorem t (h : 1 = 1) : 2 = 2 := rfl
end
