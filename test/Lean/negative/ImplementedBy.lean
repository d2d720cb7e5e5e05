-- expect: implemented_by
module
public section
def fast (n : Nat) : Nat := n
@[implemented_by fast] def slow (n : Nat) : Nat := n + 0
end
