-- expect: sorryAx
-- «…» escapes a name; it is the same constant.
module
public section
theorem bogus : False := «sorryAx» False false
end
