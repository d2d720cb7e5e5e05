-- expect: sorry
-- A comment stripper that is not string-aware sees a block comment from "/-" to "-/".
module
public section
def opener : String := "/-"
theorem bogus : False := sorry
def closer : String := "-/"
end
