"""The thin API: the command line (:mod:`wfm.api.cli`) for the nightly batch and notebooks' shell cells.

It only translates (arguments → domain call → files); every rule lives in :mod:`wfm.forecast`,
:mod:`wfm.erlang` and :mod:`wfm.roster`.
"""

__all__: list[str] = []  # submodules: cli (command line), http (FastAPI app), schemas (request models)
