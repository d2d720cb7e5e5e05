-- expect: sorry
-- A lexer that misreads the character literal '"' as a string start hides the next line.
module
public section
def quote : Char := '"'
theorem bogus : False := sorry
def other : Char := '"'
end
