"""The server's own clock for a benchmark (benchmarks/class_train): with DIGITLAB_TIMING_LOG
set, a page writes one line to the server's stderr when it first draws a job's result, with the
seconds from the job's start (the run that handled the press) to that draw, and of them the
seconds its work waited in the queue. Off (nothing written, nothing kept) otherwise."""

from __future__ import annotations

import os
import sys
import time

ENV = "DIGITLAB_TIMING_LOG"
PREFIX = "digitlab-timing"
_LOGGED = "_digitlab_timed"  # an attribute set on a job once its line is written


def result_drawn(job, what: str) -> None:
    """`PREFIX what seconds-to-result seconds-queued`, once per finished job, when enabled."""
    if not os.environ.get(ENV) or job is None or job.running or getattr(job, _LOGGED, False):
        return
    setattr(job, _LOGGED, True)
    ticket = getattr(job, "ticket", None)
    turn = getattr(ticket, "started", None)
    queued = 0.0 if turn is None else turn - job.started
    print(f"{PREFIX} {what} {time.monotonic() - job.started:.3f} {queued:.3f}",
          file=sys.stderr, flush=True)
