"""The decomposed path: :mod:`.solver` runs the stages :mod:`.plan`, :mod:`.construct`, :mod:`.improve` and
:mod:`.finish` over a typed :mod:`.state`; the other modules are the parts they share (covering model and
LP, pricing, contract graph, agent model, column generation, local search, day windows, bounds, baselines)."""
