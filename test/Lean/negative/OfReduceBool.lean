-- expect: ofReduceBool
module
public section
theorem t : (10 == 10) = true := Lean.ofReduceBool (10 == 10) true rfl
end
