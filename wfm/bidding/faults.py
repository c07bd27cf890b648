"""A pause point inside open write transactions, so crash tests can kill a process exactly there.

Set ``WFM_BIDDING_PAUSE=<point>:<seconds>[:<marker file>]`` in a process's environment and, when it reaches
``pause_point(<point>)`` (after part of a transaction is written, before the rest), it writes the marker
file (if given) and sleeps ``seconds`` with the transaction open. A test waits for the marker and sends
SIGKILL; the ledger must then read exactly as before the transaction. Unset (always, in production), a
pause point costs one dictionary look-up.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

__all__ = ["PAUSE_ENV", "pause_point"]

PAUSE_ENV = "WFM_BIDDING_PAUSE"


def pause_point(name: str) -> None:
    """Sleep here when ``WFM_BIDDING_PAUSE`` names this point (see the module docstring)."""
    spec = os.environ.get(PAUSE_ENV)
    if not spec:
        return
    point, seconds, *marker = spec.split(":", 2)
    if point != name:
        return
    if marker:
        Path(marker[0]).write_text(name)
    time.sleep(float(seconds))
