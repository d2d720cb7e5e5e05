-- expect: run_cmd
module
public meta import Lean
public section
run_cmd Lean.logInfo "runs a metaprogram"
end
