"""BLAS threads for one piece of work: the fits and predictions use one BLAS thread each
(measured on 2 busy cores: lbfgs on 10k images took 36 s with two threads, 3.5 s with one),
because the app runs many of them side by side."""

from __future__ import annotations

import contextlib
import functools

from threadpoolctl import ThreadpoolController


@functools.cache
def _threadpools() -> ThreadpoolController:
    """Found once: scanning the loaded libraries costs milliseconds."""
    return ThreadpoolController()


def blas_limit(threads: int | None):
    """A context that caps BLAS threads (no-op for None)."""
    if threads is None:
        return contextlib.nullcontext()
    return _threadpools().limit(limits=threads, user_api="blas")
