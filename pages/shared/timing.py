"""The server's own clock for a benchmark (benchmarks/class_train): with DIGITLAB_TIMING_LOG
set, a page writes one line to the server's stderr when it first draws a job's result, with the
seconds from the job's start (the run that handled the press) to that draw, and of them the
seconds its work waited in the queue; and a line per step of a Train page's run (`step`), so that
a result a page never showed can be followed on the server. Off (nothing written, nothing kept)
otherwise."""

from __future__ import annotations

import os
import sys
import time

ENV = "DIGITLAB_TIMING_LOG"
PREFIX = "digitlab-timing"
STEP = "digitlab-step"  # `STEP seconds tag step job-state`: benchmarks/class_train prints them
_LOGGED = "_digitlab_timed"  # an attribute set on a job once its line is written


def result_drawn(job, what: str) -> None:
    """`PREFIX what seconds-to-result seconds-queued`, once per finished job, when enabled."""
    if not os.environ.get(ENV) or job is None or job.running or getattr(job, _LOGGED, False):
        return
    setattr(job, _LOGGED, True)
    ticket = getattr(job, "ticket", None)
    turn = getattr(ticket, "started", None)
    queued = 0.0 if turn is None else turn - job.started
    _say(f"{PREFIX} {what} {time.monotonic() - job.started:.3f} {queued:.3f}")


def step(tag: str, what: str, job=None) -> None:
    """`STEP seconds tag what job-state` (the server's monotonic clock), when enabled. `tag`
    says whose page it is (the Train page's C: each of the benchmark's students has their own),
    `what` how far its run got. A page that never showed its result is then found on the
    server: a run that ended with its fit still waiting and nothing to rerun it, or a result
    drawn that the browser did not show."""
    if not os.environ.get(ENV):
        return
    facts = {} if job is None else {"running": job.running,
                                    "waiting": job.waiting() is not None,
                                    "result": getattr(job, "result", None) is not None}
    state = " ".join(f"{k}={v}" for k, v in facts.items()) or "no job"
    _say(f"{STEP} {time.monotonic():.3f} {tag} {what} {state}")


def tag_of(c: float) -> str:
    """A Train page's tag for `step`: its C, as the benchmark writes it in the lesson link."""
    return f"C={c:.6g}"


def _say(line: str) -> None:
    """`line` to the server's stderr in one write: print's text and its newline are two, and
    two threads' lines then run into one another."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()
