-- expect: set_option
-- deep: [sorry]|sorryAx
-- debug.proofAsSorry replaces every proof by sorry.
module
public section
set_option debug.proofAsSorry true
theorem t : 2 + 2 = 4 := rfl
end
