-- expect: native_decide
-- deep: Lean.ofReduceBool|error
-- True, but trusted to compiled code rather than checked by the kernel.
module
public section
theorem big : 2 ^ 20 = 1048576 := by native_decide
end
