-- expect: meta
module
public section
meta def helper : Nat := 1
end
