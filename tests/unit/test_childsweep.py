"""The app's sweeps run in a child process (digitlab.sweeps.child): the same points as in this
process, at the lowest priority, reported as they finish; a stop keeps the finished points and
ends the process within about a second, as does a closed tab; a refused grid or a failing child
is a sentence."""

from __future__ import annotations

import contextlib
import io
import os
import queue
import signal
import sys
import threading
import time

import numpy as np
import psutil
import pytest

from digitlab.model.config import ConfigError
from digitlab.runtime import childproc, jobs, threads
from digitlab.sweeps import child as childsweep
from digitlab.sweeps import run as sweep_run
from digitlab.sweeps import spec as sweep
from digitlab.sweeps.job import SweepJob
from digitlab.sweeps.spec import SweepSpec
from digitlab.training.session import Split
from tests.support.procs import Leftovers, fit_children

pytestmark = pytest.mark.skipif(not childproc.supported(), reason="child processes are POSIX's")


def worker_pid(point) -> int:
    """The pid in a point's worker name (host:pid/thread)."""
    return int(point.worker.split(":")[1].split("/")[0])


def in_child(spec, blobs, **kw):
    X_train, y_train, X_test, y_test = blobs
    return childsweep.run(spec, X_train, y_train, X_test, y_test, side=4, **kw)


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_sweep_in_a_child_gives_the_points_of_a_sweep_in_this_process(blobs):
    spec = SweepSpec(values=(0.001, 0.1, 10.0))
    here = sweep_run.run(spec, *blobs, side=4, where=sweep_run.Where(n_jobs=2))
    seen = []
    with Leftovers() as left:
        there = in_child(spec, blobs, where=sweep_run.Where(n_jobs=2), on_point=seen.append)
    assert left.fits == [] and left.threads == []
    assert sorted(p.index for p in seen) == [0, 1, 2]  # each reported as it finished
    assert not there.stopped and there.planned == 3 and "local cores" in there.where
    for a, b in zip(there.points, here.points):
        assert (a.x, a.n_iter, a.objective, a.train_accuracy, a.test_accuracy) == \
               (b.x, b.n_iter, b.objective, b.train_accuracy, b.test_accuracy)
        assert worker_pid(a) != os.getpid()  # fitted elsewhere
        assert a.coef.size == 0  # the numbers come back, the weights stay (as from Dask)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_the_child_is_background_work_and_the_caller_keeps_its_priority(blobs):
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())  # 0, or a niced run's
    nice, groups = [], []

    def seen(point):
        # the child may have ended by the time its point is read here (a fast machine, a busy
        # one): a point from a child that is gone says nothing about its priority
        with contextlib.suppress(psutil.NoSuchProcess, ProcessLookupError, FileNotFoundError):
            pid = worker_pid(point)
            nice.append(psutil.Process(pid).nice())
            # a scheduling group of its own at the same nice (threads.background_process), where
            # the kernel has groups (autogroup); its session is its own either way
            groups.append((os.getsid(pid), threads.scheduling_group(pid)))

    # enough points that the child is still at work when the first ones are read
    in_child(SweepSpec(values=(0.001, 0.01, 0.1, 1.0, 10.0, 100.0)), blobs,
             where=sweep_run.Where(n_jobs=1), on_point=seen)
    assert nice and set(nice) == {threads.BACKGROUND_NICE}
    assert groups and all(sid != os.getsid(0) for sid, _ in groups)
    ours = threads.scheduling_group()
    if ours is not None:  # none in a container's CPU cgroup (the project's CI) or without autogroup
        assert all(g is not None and g[0] != ours[0] and g[1] == threads.BACKGROUND_NICE
                   for _, g in groups)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_stop_keeps_the_finished_points_and_leaves_nothing_running(blobs, ledger):
    stop = threading.Event()
    spec = SweepSpec(values=(0.001, 0.01, 0.1, 1.0, 10.0, 100.0))
    with Leftovers() as left:
        result = in_child(spec, blobs, where=sweep_run.Where(n_jobs=1),
                          on_point=lambda p: stop.set(), should_stop=stop.is_set)
    assert left.fits == [] and left.threads == []
    assert result.stopped and 1 <= len(result.points) < 6 and result.planned == 6
    # which C ends first depends on the CPU's rounding: the kept points are a set of whole
    # points (each the one an unstopped sweep makes), not a named one
    whole = sweep_run.run(spec, *blobs, side=4, where=sweep_run.Where(n_jobs=1)).points
    kept = [p.index for p in result.points]
    assert kept == sorted(set(kept)) and set(kept) <= set(range(6))
    for p in result.points:
        assert p.x == whole[p.index].x and p.converged
        assert p.objective == pytest.approx(whole[p.index].objective, rel=1e-9)
    ledger.fault()


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_child_that_does_not_stop_in_time_is_ended_and_its_points_kept(blobs, monkeypatch,
                                                                          ledger):
    """A chain's fit in flight may run for minutes: past STOP_GRACE_S the process is killed.
    (Whether this child ends itself or is ended first depends on the machine: the rule
    itself is pinned without a process by the test below.)"""
    monkeypatch.setattr(childsweep, "STOP_GRACE_S", 0.0)
    stop = threading.Event()
    spec = SweepSpec(values=(0.001, 0.01, 0.1, 1.0), base=sweep.BASE.replace(solver="newton-cg"))
    with Leftovers() as left:
        result = in_child(spec, blobs, where=sweep_run.Where(n_jobs=1),
                          on_point=lambda p: stop.set(), should_stop=stop.is_set)
    assert result.stopped and [p.x for p in result.points][:1] == [0.001]
    assert left.fits == [] and left.threads == []
    ledger.fault()


class _Deaf:
    """A child that takes the stop request and goes on working: it never says another line."""

    def __init__(self):
        self.stdin = io.BytesIO()


def test_past_the_grace_the_parent_ends_a_child_that_goes_on(monkeypatch):
    ended = []
    monkeypatch.setattr(childsweep, "STOP_GRACE_S", 0.05)
    monkeypatch.setattr(childsweep.childproc, "end", lambda proc: ended.append(proc) or
                        lines.put(None))  # once ended, its pipe closes
    lines: queue.Queue = queue.Queue()
    deaf = _Deaf()
    end, asked = childsweep._follow(deaf, lines, [], None, lambda: True)
    assert ended == [deaf] and deaf.stdin.getvalue() == b"stop\n"
    assert end is None and asked


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_grid_the_child_refuses_is_a_sentence(blobs):
    with pytest.raises(ConfigError, match="has 400 images"):
        in_child(SweepSpec(x="train_size", values=(50, 500)), blobs)


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_child_that_fails_says_its_last_words(blobs, ledger):
    X_train, y_train, X_test, y_test = blobs
    with Leftovers() as left, pytest.raises(childproc.ChildFitError, match="features"):
        childsweep.run(SweepSpec(values=(0.1,)), X_train, y_train, X_test[:, :9], y_test,
                       side=4)  # test images of another size: the child's scoring raises
    assert left.fits == []
    ledger.fault()


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_child_killed_from_outside_is_a_failure_not_a_stop(blobs, ledger):
    """The kernel's out-of-memory killer, say: the sweep failed, and the page says so."""
    def kill_it(point):
        os.kill(worker_pid(point), signal.SIGKILL)

    spec = SweepSpec(values=(0.001, 0.01, 0.1, 1.0), base=sweep.BASE.replace(solver="newton-cg"))
    with Leftovers() as left, pytest.raises(childproc.ChildFitError, match="SIGKILL"):
        in_child(spec, blobs, where=sweep_run.Where(n_jobs=1), on_point=kill_it)
    assert left.fits == [] and left.threads == []
    ledger.fault()


@pytest.mark.process  # starts child processes (tests/conftest.py)
def test_a_sweep_job_whose_tab_closed_stops_and_keeps_its_points(blobs, monkeypatch, ledger):
    monkeypatch.setattr(jobs, "ABANDON_AFTER_S", 0.0)
    X_train, y_train, X_test, y_test = blobs
    split = Split.of(X_train, X_test, y_train, y_test, "blobs", 4)
    alive = threading.Event()
    alive.set()
    # a chain of 24 fits, one after the other: the stop lands long before its end
    spec = SweepSpec(values=tuple(np.logspace(-3, 3, 24)),
                     base=sweep.BASE.replace(solver="newton-cg"))
    with Leftovers() as left:
        job = SweepJob(spec, split, sweep_run.Where(n_jobs=1),
                                 owner_alive=alive.is_set).start()
        deadline = time.monotonic() + 60
        while not job.points and time.monotonic() < deadline:
            time.sleep(0.02)
        alive.clear()  # the tab is closed
        assert job.wait(30)
    assert job.abandoned and job.error is None and job.result.stopped
    # kept: what finished before the tab closed (at least the one waited for); not run: the rest
    assert 1 <= len(job.result.points) < 24
    assert left.fits == [] and left.threads == []
    assert fit_children() == []
    ledger.fault()
