"""One mission run at a time per process, BLAS on one thread (bit-identical campaigns)."""

from __future__ import annotations

import threading

__all__ = ["single_thread_blas"]


class _RunGuard:
    """Held while a mission runs: one run at a time per process, BLAS on one thread.

    BLAS is pinned to one thread because multi-threaded BLAS sums in a
    thread-count-dependent order and the phasing optimiser can turn those last bits into
    a different local optimum, which would break bit-identical campaign rows between
    the main process, pool workers and Dask workers (which start with
    OPENBLAS_NUM_THREADS=1). threadpoolctl's limit is process-wide, so concurrent runs in
    threads of one process are serialised with a lock (and even then OpenBLAS does not
    always honour the limit in a new thread: thread pools are not bit-reproducible).
    """

    def __init__(self):
        self._lock = threading.RLock()
        self._limiter = None
        self._depth = 0

    def __enter__(self):
        self._lock.acquire()
        if self._depth == 0:
            from threadpoolctl import threadpool_limits

            self._limiter = threadpool_limits(limits=1)
        self._depth += 1
        return self

    def __exit__(self, *exc):
        self._depth -= 1
        if self._depth == 0 and self._limiter is not None:
            self._limiter.restore_original_limits()
            self._limiter = None
        self._lock.release()
        return False


_RUN_GUARD = _RunGuard()


def single_thread_blas() -> _RunGuard:
    """Context manager held by :meth:`Mission.run` (see :class:`_RunGuard`)."""
    return _RUN_GUARD
