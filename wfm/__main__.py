"""``python -m wfm`` and the ``wfm`` console script: see :mod:`wfm.api.cli`."""

from wfm.api.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
