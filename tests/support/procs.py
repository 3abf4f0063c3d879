"""Processes and threads a test leaves behind: the fault tests count them before and after
(unit and browser), and benchmarks/load.py measures the child fits' memory."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator

import psutil

from digitlab.runtime import childproc
from digitlab.runtime.threads import BACKGROUND_NICE


def fit_children(pid: int | None = None, kinds: tuple[str, ...] = childproc.CHILDREN,
                 recursive: bool = True) -> list[psutil.Process]:
    """The child fits and sweeps (of `kinds`) under process `pid` (default: this one), alive;
    `recursive=False`: those it started itself (its own children, and its fork server's), not
    a sweep's fits. A child is known by its name (childproc.NAMES), or while a new Python
    started by Popen is still importing, by its command line."""
    names = {childproc.NAMES[k] for k in kinds}
    parent = psutil.Process(pid or os.getpid())
    found = []
    for child in _started_by(parent, recursive):
        try:
            known = child.name() in names or any(
                k in " ".join(child.cmdline()) for k in kinds)
            if known and child.status() != psutil.STATUS_ZOMBIE:
                found.append(child)
        except psutil.NoSuchProcess:
            continue
    return found


def _started_by(parent: psutil.Process, recursive: bool) -> list[psutil.Process]:
    if recursive:
        return parent.children(recursive=True)
    found = parent.children()
    for child in list(found):
        try:
            if "digitlab.runtime.forkserver" in " ".join(child.cmdline()):
                found += child.children()
        except psutil.NoSuchProcess:
            continue
    return found


def wait_for_fitting_child(timeout: float = 120, cpu_seconds: float = 0.5,
                           pid: int | None = None) -> psutil.Process:
    """The one child fit (of process `pid`, default: this one), once it is past its first lines
    (it has lowered its priority: a new Python has imported scikit-learn by then, a forked one
    has nothing to import) and has used `cpu_seconds` of CPU: fitting."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in fit_children(pid, ("digitlab.model.solvers.child",)):
            try:
                if child.nice() == BACKGROUND_NICE and sum(child.cpu_times()[:2]) >= cpu_seconds:
                    return child
            except psutil.NoSuchProcess:
                continue
        time.sleep(0.05)
    raise AssertionError(f"no child fit was busy within {timeout} s")


class Leftovers:
    """`with Leftovers() as left:` ... `left.threads`, `left.fits`: threads and child fits
    that exist after the block and did not before (waiting up to `grace` s for them to end)."""

    def __init__(self, grace: float = 5.0):
        self.grace = grace

    def __enter__(self) -> Leftovers:
        self.before = set(threading.enumerate())
        return self

    def __exit__(self, *exc) -> bool:
        deadline = time.monotonic() + self.grace
        while True:
            self.threads = [t for t in threading.enumerate()
                            if t not in self.before and t.is_alive()]
            self.fits = fit_children()
            if (not self.threads and not self.fits) or time.monotonic() > deadline:
                return False
            time.sleep(0.05)


def gone_within(proc: psutil.Process, seconds: float) -> float | None:
    """Seconds until `proc` ended (or became a zombie), or None if it still runs after
    `seconds`."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        try:
            if proc.status() == psutil.STATUS_ZOMBIE:
                return time.monotonic() - t0
        except psutil.NoSuchProcess:
            return time.monotonic() - t0
        time.sleep(0.05)
    return None


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    """os.environ with `values` for the block (the app server started inside inherits it)."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
