-- expect: notation
module
public section
notation "trusted" => sorry
theorem bogus : False := trusted
end
