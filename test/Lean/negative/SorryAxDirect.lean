-- expect: sorryAx
-- deep: sorryAx|[sorry]
module
public section
theorem bogus : False := sorryAx False false
end
