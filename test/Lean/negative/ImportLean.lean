-- expect: import
-- Proof modules do not need Lean's metaprogramming library.
module
public import Lean
public section
theorem t : 1 = 1 := rfl
end
