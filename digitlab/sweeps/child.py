"""A sweep on this machine's cores, in a child process: the app's sweeps are background work.

    result = run(spec, X_train, y_train, X_test, y_test, on_point=..., should_stop=...)

Why not threads in the server, as digitlab.sweeps.run runs it for the CLI? A lockstep sweep's
threads run Python (scipy's L-BFGS-B driver) between their BLAS calls, so they take the
server's GIL over and over. Niced, a thread holding the GIL waits for a core behind every busy
browser of a class, and every session's script run waits with it: the priority inversion that
the load benchmark (benchmarks/load.py) showed as seconds-long answers on the Draw page. A child
process has its own GIL; at nice 19 it takes only the cores the class leaves idle, and Stop or a
closed tab ends it within STOP_GRACE_S.

How, with no pickle either way (digitlab.runtime.childproc starts the child):
- the pixels and labels the sweep needs go in an anonymous shared file; the spec as JSON;
- the child runs digitlab.sweeps.run.run on local cores and writes one JSON line per finished
  point (sweep_run.point_message: the numbers, not the weights, as from a Dask worker) and a
  last line saying how it ran, or a sentence for a grid it refuses;
- a stop is a line on the child's stdin: the child ends its fits as sweep_run does (a lockstep
  batch within a round, a chain before its next fit) and says how it ran; if it has not ended
  within STOP_GRACE_S (a long fit in a chain), it is killed. The points already reported are
  kept either way.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import numpy as np

from digitlab.model.config import ConfigError
from digitlab.runtime import childproc
from digitlab.sweeps import run as sweep_run
from digitlab.sweeps.fit import PointResult
from digitlab.sweeps.spec import SweepResult, SweepSpec, points
from digitlab.text import from_json, message_of, to_json

POLL_S = 0.1  # how often the parent asks should_stop while the child works
STOP_GRACE_S = 1.0  # after a stop request, how long the child may take to end its fits
EXIT_S = 5.0  # after its last line, how long the child may take to exit before it is ended


# --- the parent's side -----------------------------------------------------------------------


def run(spec: SweepSpec, X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray,
        y_test: np.ndarray, where: sweep_run.Where | None = None, side: int = 28,
        on_point: Callable[[PointResult], None] | None = None,
        should_stop: Callable[[], bool] | None = None) -> SweepResult:
    """sweep_run.run's contract, on local cores, in a child process at the lowest priority.
    The points come back without their weights (as from a Dask worker)."""
    where = where or sweep_run.Where()
    if where.scheduler:
        raise ValueError("a child sweep runs on local cores; Dask sweeps use sweep_run.run")
    t0 = time.perf_counter()
    n = min(len(y_train), sweep_run.rows_needed(spec, len(y_train)))
    arrays = {"X_train": X_train[:n], "y_train": y_train[:n], "X_test": X_test,
              "y_test": y_test}
    found: list[PointResult] = []
    with childproc.shared_file(arrays) as shared:
        header = {**shared, "spec": spec.to_dict(), "side": side, "n_jobs": where.n_jobs}
        proc = childproc.start("digitlab.sweeps.child", header)
        lines: queue.Queue = queue.Queue()
        said: list[bytes] = []  # its stderr: warnings, and last words if it fails
        readers = [threading.Thread(target=_read_lines, args=(proc.stdout, lines.put),
                                    name="digitlab-sweep-out", daemon=True),
                   threading.Thread(target=_read_lines, args=(proc.stderr, said.append),
                                    name="digitlab-sweep-err", daemon=True)]
        for r in readers:
            r.start()
        try:
            end, stopped = _follow(proc, lines, found, on_point, should_stop)
            with contextlib.suppress(subprocess.TimeoutExpired):  # it is ending: let it
                proc.wait(timeout=EXIT_S)
        finally:
            if proc.poll() is None:  # past EXIT_S, Ctrl+C, or an error of ours
                childproc.end(proc)
            proc.wait()
            for r in readers:
                r.join()
            for pipe in (proc.stdin, proc.stdout, proc.stderr):
                if pipe is not None:
                    pipe.close()
    if end is None and proc.returncode != 0 and not stopped:  # it died: say why
        raise childproc.failure(proc.returncode, b"".join(line for line in said if line))
    if end is not None and "refused" in end:
        raise ConfigError(from_json(end["refused"]))
    how = end or {"where": where.describe(), "workers": 0, "chains": [], "stopped": True}
    finished, planned = tuple(sorted(found, key=lambda p: p.index)), len(points(spec))
    return SweepResult(spec, finished, planned, from_json(how["where"]), how["workers"],
                       tuple(tuple(c) for c in how["chains"]), time.perf_counter() - t0,
                       how["stopped"] or len(finished) < planned)


def _read_lines(stream, put: Callable) -> None:
    """Every line of a child's pipe to `put`, then None (the child has closed it: ended)."""
    for line in stream:
        put(line)
    put(None)


def _follow(proc, lines: queue.Queue, found: list[PointResult], on_point,
            should_stop) -> tuple[dict | None, bool]:
    """Hand each point to on_point as it comes; ask the child to stop when should_stop()
    turns true and kill it after STOP_GRACE_S. Returns the child's last line (None when it
    ended, or was ended, without one) and whether a stop was asked for."""
    asked, ended = None, False  # when the stop was asked for; whether the child was ended
    while True:
        try:
            line = lines.get(timeout=POLL_S)
        except queue.Empty:
            line = ""
        if line is None:
            return None, asked is not None
        if line:
            message = json.loads(line)
            if "point" not in message:
                return message, asked is not None
            found.append(sweep_run.point_from_message(message["point"]))
            if on_point is not None:
                on_point(found[-1])
        if asked is None and should_stop is not None and should_stop():
            asked = time.monotonic()
            try:
                proc.stdin.write(b"stop\n")
                proc.stdin.flush()
            except (BrokenPipeError, OSError):  # it has just ended
                pass
        elif asked is not None and not ended and time.monotonic() - asked > STOP_GRACE_S:
            childproc.end(proc)
            ended = True


# --- the child's side --------------------------------------------------------------------------


def _plain(value):
    """NumPy scalars (a bool_ or an int64 in a point) as JSON's own."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON")


def main(argv: list[str]) -> int:
    from digitlab.runtime.threads import background_process

    header = json.loads(argv[0])
    childproc.die_with_parent(header["parent"])
    background_process()  # background work; the threads the sweep starts inherit it (Linux)
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # anything printed goes to stderr; stdout carries only the messages
    lock, stop = threading.Lock(), threading.Event()

    def say(message: dict) -> None:
        with lock:
            out.write(json.dumps(message, default=_plain) + "\n")
            out.flush()

    def wait_for_stop() -> None:  # a line, or the parent's end of the pipe closed
        sys.stdin.readline()
        stop.set()

    threading.Thread(target=wait_for_stop, daemon=True).start()
    a = childproc.mapped(header)
    try:
        result = sweep_run.run(SweepSpec.from_dict(header["spec"]), a["X_train"],
                               a["y_train"], a["X_test"], a["y_test"],
                               sweep_run.Where(n_jobs=header["n_jobs"]), header["side"],
                               on_point=lambda p: say({"point": sweep_run.point_message(p)}),
                               should_stop=stop.is_set)
    except ConfigError as exc:
        say({"refused": to_json(message_of(exc))})
        return 0
    say({"where": to_json(result.where), "workers": result.workers,
         "chains": [list(c) for c in result.chains], "stopped": result.stopped})
    out.close()
    return 0
