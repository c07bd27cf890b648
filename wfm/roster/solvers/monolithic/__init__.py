"""The monolithic path: one CP-SAT model (:mod:`.model`), a greedy start (:mod:`.greedy`), large-neighbourhood
search (:mod:`.lns`), run in order by :mod:`.solver`."""
