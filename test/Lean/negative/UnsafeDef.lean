-- expect: unsafe
module
public section
unsafe def peek (n : Nat) : Nat := n
end
