"""The server's memory: how many malloc arenas its threads share.

glibc's malloc gives a thread an arena (a heap) of its own, up to eight per core, and memory freed
there stays in that arena for its later allocations. The server runs many threads (a script
thread per page run, the fair queue's fit workers, the event loop, the class set's writer), so
what one run freed was kept in arenas other runs did not use. Measured with
benchmarks/class_train.py (twenty sessions pressing Train at once with their own C, 2 cores): the
server process grew from 400 MB to 1,005 MB with glibc's default and to 735 MB with two arenas;
the server's CPU seconds per press did not grow (0.83 and 0.77).
"""

from __future__ import annotations

import ctypes
import os

ARENAS = 2
ENV = "MALLOC_ARENA_MAX"  # glibc's own name: children read it when they start
_M_ARENA_MAX = -8  # mallopt's parameter (glibc's malloc.h)


def few_arenas(arenas: int = ARENAS) -> bool:
    """Cap this process's malloc arenas at `arenas` and start its child processes the same way;
    the app's server calls this once, before it starts threads. A cap set in the environment
    (MALLOC_ARENA_MAX) is left as it is. False where the C library has no such setting."""
    if ENV in os.environ:
        return False
    os.environ[ENV] = str(arenas)
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to set
        return False
    return bool(mallopt(_M_ARENA_MAX, arenas))
