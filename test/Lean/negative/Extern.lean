-- expect: extern
module
public section
@[extern "hydrogen_add"] def add (a b : Nat) : Nat := a + b
end
