"""The roster engine: how a :class:`~wfm.roster.models.RosterProblem` becomes a roster.

* :mod:`~wfm.roster.solvers.dispatch` — ``solve``: validates the call, picks the path, explains infeasibility;
* :mod:`~wfm.roster.solvers.options` — ``SolveOptions``, the one options object every path takes;
* :mod:`~wfm.roster.solvers.budget` — the named shares of the time limit and the clock;
* :mod:`~wfm.roster.solvers.cpsat` — the one factory of configured CP-SAT solvers;
* :mod:`~wfm.roster.solvers.decomposed` — plan, construct, improve, finish (call-centre problems);
* :mod:`~wfm.roster.solvers.monolithic` — one CP-SAT model, greedy start and large-neighbourhood search.
"""
