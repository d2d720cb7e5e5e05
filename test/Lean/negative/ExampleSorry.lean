-- expect: sorry
-- deep: [sorry]
-- An `example` leaves no constant behind, so only the scan and Lean's warning see it.
module
public section
example : 1 = 2 := sorry
end
