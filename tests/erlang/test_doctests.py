"""The examples in the Erlang modules' docstrings run and print what they show."""

from __future__ import annotations

import doctest


def test_docstring_examples() -> None:
    import wfm.erlang
    import wfm.erlang.simulation

    for module in (wfm.erlang, wfm.erlang.simulation):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.attempted > 0 and result.failed == 0, module.__name__
