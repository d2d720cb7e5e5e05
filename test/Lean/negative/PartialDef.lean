-- expect: partial
-- deep: opaque
-- A partial definition is opaque to proofs (and backed by unchecked code).
module
public section
partial def loop (n : Nat) : Nat := loop n
theorem t : loop 0 = loop 0 := rfl
end
