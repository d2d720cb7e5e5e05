-- expect: native
module
public section
theorem big : 2 ^ 20 = 1048576 := by decide +native
end
