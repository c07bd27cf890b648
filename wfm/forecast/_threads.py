"""Keep BLAS single-threaded while fitting: the matrices are tiny, and threads only fight.

The models do many small linear-algebra calls (SVDs of ~100 x 48 matrices, L-BFGS steps of exponential
smoothing). A multi-threaded BLAS spends more time waking threads than computing — measured 5x slower on a
loaded 2-core machine — and worker processes multiply the threads. When ``threadpoolctl`` is installed
(it comes with the ``bench`` extra) fits run with one BLAS thread; without it nothing changes.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

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
