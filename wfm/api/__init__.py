"""The thin API: the command line (:mod:`wfm.api.cli`) for the nightly batch and notebooks' shell cells.

It only translates (arguments → domain call → files); every rule lives in :mod:`wfm.forecast`,
:mod:`wfm.erlang` and :mod:`wfm.roster`.
"""

# submodules: cli (command line) and cli_errors (its one-line errors); http (FastAPI app), roster_http (its
# roster routes), jobs (solves in worker processes), errors (exception -> status and the one error shape),
# body (request size limit), schemas (request models)
__all__: list[str] = []
