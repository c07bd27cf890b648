"""Threads and processes: one BLAS thread while fitting (the matrices are tiny, threads only fight); worker pools.

The models do many small linear-algebra calls (SVDs of ~100 x 48 matrices, L-BFGS steps of exponential
smoothing). A multi-threaded BLAS spends more time waking threads than computing — measured 5x slower on a
loaded 2-core machine — and worker processes multiply the threads. When ``threadpoolctl`` is installed
(it comes with the ``bench`` extra) fits run with one BLAS thread; without it nothing changes.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from wfm.exceptions import InvalidParameterError

_state = threading.local()


@contextlib.contextmanager
def single_blas_thread() -> Iterator[None]:
    """Limit BLAS to one thread inside the block (outermost call only; no-op without threadpoolctl)."""
    if getattr(_state, "depth", 0) > 0:
        _state.depth += 1
        try:
            yield
        finally:
            _state.depth -= 1
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        limiter: contextlib.AbstractContextManager = contextlib.nullcontext()
    else:
        limiter = threadpool_limits(limits=1, user_api="blas")
    _state.depth = 1
    try:
        with limiter:
            yield
    finally:
        _state.depth = 0


def limit_worker_threads() -> None:
    """Process-pool initializer: one BLAS thread for the whole life of a worker process."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=1, user_api="blas")


def check_n_jobs(n_jobs: Any) -> int:
    """``n_jobs`` (worker processes) as an int >= 1, or an error naming it."""
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs < 1:
        raise InvalidParameterError(f"`n_jobs` must be an integer >= 1; got {n_jobs!r}", field="n_jobs")
    return int(n_jobs)


def map_jobs(fn: Callable[[Any], Any], jobs: Sequence[Any], n_jobs: int) -> list[Any]:
    """``[fn(j) for j in jobs]``, in ``n_jobs`` worker processes (one BLAS thread each) when ``n_jobs > 1``."""
    if n_jobs > 1 and len(jobs) > 1:
        with cf.ProcessPoolExecutor(max_workers=n_jobs, initializer=limit_worker_threads) as pool:
            return list(pool.map(fn, jobs, chunksize=max(1, len(jobs) // (4 * n_jobs))))
    return [fn(j) for j in jobs]
