-- expect: opaque
module
public section
opaque secret : Nat
theorem t : secret = secret := rfl
end
