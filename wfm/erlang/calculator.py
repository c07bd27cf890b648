"""An Erlang calculator's table: the service measures of one interval for a range of head-counts.

>>> table, n = staffing_table(100, 180, service_level=0.8, answer_seconds=20, spread=1)
>>> n, list(table["agents"])
(14, [13, 14, 15])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.erlang.formulas import abandon_rate, asa, occupancy
from wfm.erlang.formulas import service_level as sl_fn
from wfm.erlang.staffing import required_agents

__all__ = ["staffing_table"]


def staffing_table(calls: float, aht: float, *, service_level: float, answer_seconds: float,
                   interval_seconds: float = 1800.0, patience_seconds: float | None = None,
                   agents: int | None = None, spread: int = 5) -> tuple[pd.DataFrame, int]:
    """Service measures for ``agents - spread`` .. ``agents + spread`` agents, and the recommended head-count.

    Parameters
    ----------
    calls : float
        Calls offered in the interval.
    aht : float
        Average handle time (seconds).
    service_level, answer_seconds : float
        Target: this fraction of calls answered within ``answer_seconds`` seconds.
    interval_seconds : float
        Interval length (seconds).
    patience_seconds : float, optional
        Mean caller patience (seconds): Erlang A (with abandonment) instead of Erlang C.
    agents : int, optional
        Centre of the table; default the recommended head-count.
    spread : int
        Rows either side of the centre (agents below 1 are left out).

    Returns
    -------
    (DataFrame, int)
        Columns ``agents``, ``service_level`` (fraction), ``asa_seconds``, ``occupancy`` (fraction),
        ``abandon_rate`` (fraction, Erlang A only), ``recommended`` (bool); and the recommended head-count:
        the fewest agents meeting the target.
    """
    rec = int(required_agents(calls, aht, service_level=service_level, answer_seconds=answer_seconds,
                              interval_seconds=interval_seconds, patience_seconds=patience_seconds))
    centre = rec if agents is None else int(agents)
    n = np.arange(max(1, centre - spread), max(1, centre + spread) + 1)
    kw = {"answer_seconds": answer_seconds, "interval_seconds": interval_seconds,
          "patience_seconds": patience_seconds}
    table = pd.DataFrame({"agents": n, "service_level": sl_fn(calls, aht, n, **kw),
                          "asa_seconds": asa(calls, aht, n, **kw), "occupancy": occupancy(calls, aht, n, **kw)})
    if patience_seconds is not None:
        table["abandon_rate"] = abandon_rate(calls, aht, n, patience_seconds, interval_seconds)
    table["recommended"] = table["agents"] == rec
    return table, rec
