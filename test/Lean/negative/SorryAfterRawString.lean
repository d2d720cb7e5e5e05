-- expect: sorry
-- A raw string may contain a quote; a lexer that ends it there is out of step.
module
public section
def raw : String := r#"a " b"#
theorem bogus : False := sorry
def raw2 : String := r#"c " d"#
end
