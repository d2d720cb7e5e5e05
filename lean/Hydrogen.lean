module

public import Hydrogen.Aggregate.Monoid
public import Hydrogen.Aggregate.Numeric
public import Hydrogen.Aggregate.SetUnion
public import Hydrogen.Aggregate.BoundingBox
public import Hydrogen.Aggregate.PointwiseMap
public import Hydrogen.Aggregate.TopK
public import Hydrogen.Aggregate.Counterexamples
public import Hydrogen.Aggregate.Tree
public import Hydrogen.Aggregate.Pinning
public import Hydrogen.Scale.Communication
public import Hydrogen.Scale.SeedModel
public import Hydrogen.Quorum.Arithmetic
public import Hydrogen.Quorum.Binomial
public import Hydrogen.Research.Path
public import Hydrogen.Research.Bandit
public import Hydrogen.Research.Elites
public import Hydrogen.Research.Spiral
public import Hydrogen.Wire.Element
public import Hydrogen.Wire.Delta
public import Hydrogen.Wire.Pinning
public import Hydrogen.State.Lattice
public import Hydrogen.State.Counter
public import Hydrogen.State.Register
public import Hydrogen.State.ORSet
public import Hydrogen.State.Viewport
public import Hydrogen.State.Pinning
public import Hydrogen.Viewport.Trigger
public import Hydrogen.Render.Error
public import Hydrogen.Render.Commands
public import Hydrogen.Render.Pinning
public import Hydrogen.Render.Raster
public import Hydrogen.Layout.Decompose
public import Hydrogen.Tree.Order
public import Hydrogen.Tree.Summary
public import Hydrogen.Tree.Pinning
public import Hydrogen.Mesh.Arrival
public import Hydrogen.Mesh.Trinary
public import Hydrogen.Mesh.Availability
public import Hydrogen.Mesh.Impedance
public import Hydrogen.Mesh.Breaker
public import Hydrogen.Mesh.ScatterGather

/-! Hydrogen's verified core: imports every proof module (the root `lake build` starts from). -/
