-- expect: unterminated
-- A comment that never closes: the gate and Lean must agree where code is.
module
public section
theorem t : 1 = 1 := rfl
/- open /- nested -/ but never closed
theorem bogus : False := sorry
