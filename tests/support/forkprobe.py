"""A child for the fork server's tests (tests/unit/test_forkserver.py): says, as one JSON line,
the BLAS and OpenMP threads it was given and the threads it runs once NumPy has multiplied two
matrices."""

from __future__ import annotations

import json
import threading

import numpy as np
from threadpoolctl import threadpool_info


def main(argv: list[str]) -> int:
    given = {i["user_api"]: i["num_threads"] for i in threadpool_info()}
    a = np.ones((600, 600))
    a @ a  # OpenBLAS starts its threads on the first large product
    import os

    running = len(os.listdir("/proc/self/task"))  # native threads, BLAS's among them
    print(json.dumps({"given": given, "running": running,
                      "python": threading.active_count()}), flush=True)
    return 0
