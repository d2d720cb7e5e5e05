-- expect: admit
module
public section
theorem bogus : False := by admit
end
