-- expect: skipKernelTC
-- Turns off the kernel's type check for what follows.
module
public section
set_option debug.skipKernelTC true in
theorem t : 1 = 1 := rfl
end
