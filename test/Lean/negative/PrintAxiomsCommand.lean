-- expect: #print
module
public section
theorem t : 1 = 1 := rfl
#print axioms t
end
