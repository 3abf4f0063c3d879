"""What the benchmarks share: the tutorial split, timing, peak memory, JSON and progress lines,
and the test's browsers behind the server."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from digitlab.runtime.threads import scheduling_group

ROOT = Path(__file__).resolve().parents[1]  # the repository: `python -m benchmarks.X` runs here


# --- data ------------------------------------------------------------------------------------


def tutorial_split() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """X_train, X_test, y_train, y_test: real MNIST (never the offline fallback, whose figures
    would mean nothing) split as the tutorial did."""
    from digitlab.data import mnist as data
    from digitlab.training import tutorial

    ds = data.load_mnist(allow_fallback=False)
    return data.split(ds.X, ds.y, test_size=tutorial.CONFIG.test_size, seed=tutorial.CONFIG.seed)


# --- time ------------------------------------------------------------------------------------


def median_time(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """(median seconds of `repeats` calls of fn, the last call's result)."""
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times)), out


def time_each(fn: Callable[[Any], Any], items: Iterable) -> tuple[list, list[float]]:
    """fn(item) for every item, one at a time: (the results, each call's milliseconds)."""
    out, ms = [], []
    for item in items:
        t = time.perf_counter()
        out.append(fn(item))
        ms.append((time.perf_counter() - t) * 1e3)
    return out, ms


# --- memory ----------------------------------------------------------------------------------


def status_kb(field: str, pid: int | str = "self") -> float | None:
    """A memory field of a process's /proc status (VmRSS, VmHWM, ...) in KiB; None off Linux."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return float(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak() -> bool:
    """Reset the process's peak-RSS mark (Linux >= 4.0); False where that is impossible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_mb() -> float | None:
    """Peak resident memory since the last reset_peak(), in MB (VmHWM; ru_maxrss elsewhere)."""
    kb = status_kb("VmHWM")
    if kb is None:
        import resource

        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return kb / 1024


class Peak:
    """`with Peak() as p:` ... `p.mb`: the peak resident memory during the block."""

    def __enter__(self) -> Peak:
        self.reset = reset_peak()
        return self

    def __exit__(self, *exc) -> bool:
        # Without a reset the mark is the whole process's peak, not this block's: say nothing
        # rather than report another row's memory as this one's.
        self.mb = peak_mb() if self.reset else None
        return False


# --- output ----------------------------------------------------------------------------------


def jsonable(o: Any) -> Any:
    """json.dumps's `default` for NumPy scalars and arrays."""
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"cannot write {type(o).__name__} as JSON")


def dumps(obj: Any, indent: int | None = None) -> str:
    return json.dumps(obj, default=jsonable, indent=indent)


def say(message: str) -> None:
    """A progress line on stderr, so that stdout holds only the figures (or the JSON)."""
    print(message, file=sys.stderr, flush=True)


# --- the test's browsers behind the server ---------------------------------------------------

def group_behind(nice: int, skip: set[int]) -> None:
    """Give every scheduling group of this process's descendants that holds none of `skip`
    (the server's tree) the nice value `nice`. Why: with autogroup on (Linux's default on a
    desktop, and here: /proc/sys/kernel/sched_autogroup_enabled), each session is a group and
    the kernel first shares the cores between groups, whatever the threads' own nice values.
    Chromium starts its own session, so two groups shared the 2 cores: the server got at most
    one of them (0.45 cores in a N=20 Train burst) while the test's browsers took the other,
    their nice 10 or 19 notwithstanding. A group's nice (/proc/PID/autogroup) is what ranks the
    groups. Best effort: a kernel without autogroup, a process in a container's CPU cgroup, or a
    user without the right, leaves it."""
    def group(pid: int) -> str | None:
        found = scheduling_group(pid)
        return found[0] if found else None
    servers = {group(pid) for pid in (*skip, os.getpid())} - {None}  # and never the caller's
    done: set[str] = set()
    for p in psutil.Process().children(recursive=True):
        g = group(p.pid)
        if p.pid in skip or g is None or g in servers or g in done:
            continue
        with contextlib.suppress(OSError):
            Path(f"/proc/{p.pid}/autogroup").write_text(str(nice))
            done.add(g)
