-- expect: sorry
-- A comment stripper that is not string-aware reads the rest of the line as a comment.
module
public section
def dashes : String := "--"; theorem bogus : False := sorry
end
