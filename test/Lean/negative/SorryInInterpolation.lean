-- expect: sorry
-- The code inside {…} of an interpolated string is code.
module
public section
def shown : String := s!"value {(sorry : Nat)}"
end
