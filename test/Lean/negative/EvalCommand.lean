-- expect: #eval
-- #eval runs code at elaboration time (it can change the environment).
module
public section
#eval 1 + 1
end
