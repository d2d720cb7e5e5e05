-- expect: sorry
-- deep: [sorry]
module
public section
theorem bogus : False := sorry
end
